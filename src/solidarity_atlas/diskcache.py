"""Tables built from installed data, kept in the cache folder between runs.

Building the gazetteer from GeoNames or the first-name list from
gender-guesser's data file costs a run more than it spends on a hundred
documents; loading a pickle of the result costs a fraction.  A table's
file name carries a digest of everything it was built from (package
versions, data files), so a changed input builds a new one; a cache folder
that cannot be written only means building each time.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from solidarity_atlas import settings

T = TypeVar("T")
FORMAT = 1  # bump when the layout of a cached table changes without its inputs changing


def package_files(*relative: str) -> list[bytes]:
    """The bytes of the package's own files and folders (data, and the code that builds a table from it):
    part of a table's key, so editing either builds the table afresh."""
    from importlib import resources

    root = resources.files("solidarity_atlas")
    out: list[bytes] = []
    for name in relative:
        entry = root.joinpath(*name.split("/"))
        if entry.is_dir():
            files = sorted((e for e in entry.iterdir() if e.is_file()), key=lambda e: e.name)
            out.extend(e.name.encode() + b"\0" + e.read_bytes() for e in files)
        else:
            out.append(name.encode() + b"\0" + entry.read_bytes())
    return out


def path_for(name: str, inputs: Iterable[bytes | str]) -> Path:
    digest = hashlib.sha1(str(FORMAT).encode())
    for part in inputs:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return settings.cache_dir() / f"{name}-{digest.hexdigest()[:16]}.pickle"


def load_or_build(name: str, inputs: Iterable[bytes | str], build: Callable[[], T]) -> T:
    """The table cached under ``name`` for these inputs, built (and stored) when there is none."""
    path = path_for(name, inputs)
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)  # noqa: S301 - our own file in our own cache folder
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, AttributeError, ImportError):
        pass
    built = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            pickle.dump(built, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # atomic: a parallel run reads the old file or the new one, never half of one
    except OSError:
        pass  # a read-only home: build each time
    return built
