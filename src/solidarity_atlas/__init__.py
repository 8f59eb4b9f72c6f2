"""Solidarity Atlas: statements of the labour and communist movement as a linked dataset.

The pipeline runs one way: ``ingest`` (read, decode, clean) -> ``extract``
(metadata, signatories, persons, demands, events) -> ``resolve``
(organisations, persons, places) -> ``store`` -> ``analyze`` -> ``web`` /
``export`` / ``cli``.  Each stage takes and returns the plain records of
:mod:`solidarity_atlas.model`.
"""

__version__ = "0.1.0"
