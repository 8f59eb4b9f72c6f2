"""Exceptions the library raises; the CLI turns each into one line on stderr."""


class AtlasError(Exception):
    """Base class of the errors this package raises on purpose."""


class InputError(AtlasError):
    """An input cannot be read or decoded: the message says why, in a few words."""
