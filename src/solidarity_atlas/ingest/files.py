"""Find the input files named by paths, folders and glob patterns."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from solidarity_atlas.ingest.reader import SUFFIXES


@dataclass(frozen=True, slots=True)
class Found:
    """One input: a file to read, or a path skipped or missing, with the reason."""

    path: str
    status: str  # "file", "skipped" or "missing"
    reason: str = ""


def _classify(path: str) -> Found:
    suffix = Path(path).suffix.lower()
    if suffix in SUFFIXES:
        return Found(path, "file")
    return Found(path, "skipped", f"unsupported file type ({suffix or 'no extension'})")


def discover(arguments: Iterable[str]) -> Iterator[Found]:
    """Files in argument order; a folder's files sorted by path, recursively; hidden files left out."""
    seen: set[int] = set()  # hashes of the paths: a run over a million files keeps a number for each
    for argument in arguments:
        if os.path.isdir(argument):
            candidates: Iterable[str] = _walk(argument)
        elif os.path.exists(argument) or os.path.islink(argument):
            candidates = [argument]
        elif glob.has_magic(argument):
            matches = sorted(glob.glob(argument, recursive=True))
            if not matches:
                yield Found(argument, "missing", "no file matches this pattern")
                continue
            candidates = chain.from_iterable(_walk(m) if os.path.isdir(m) else [m] for m in matches)
        else:
            yield Found(argument, "missing", "no such file or directory")
            continue
        for path in candidates:
            if hash(path) not in seen:
                seen.add(hash(path))
                yield _classify(path)


def _walk(folder: str) -> Iterator[str]:
    """The files under ``folder`` in sorted path order, listing one folder at a time (a tree of a million files is
    never held whole); hidden entries, unreadable folders and links to folders are left out, as ``os.walk`` does.

    Sorting a folder's entries with ``/`` after each subfolder's name gives the order of the full paths: a file name
    has no ``/``, so it compares with every path under ``sub/`` as it compares with ``sub/``.
    """
    try:
        with os.scandir(folder) as listing:
            entries = []
            for entry in listing:
                if entry.name.startswith("."):
                    continue
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if not is_dir:
                    entries.append((entry.name, entry.path, False))
                elif not entry.is_symlink():
                    entries.append((entry.name + "/", entry.path, True))
    except OSError:
        return
    entries.sort()
    for _key, path, is_dir in entries:
        if is_dir:
            yield from _walk(path)
        else:
            yield path
