"""Find the input files named by paths, folders and glob patterns."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
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
    seen: set[str] = set()
    for argument in arguments:
        if os.path.isdir(argument):
            candidates = sorted(_walk(argument))
        elif os.path.exists(argument) or os.path.islink(argument):
            candidates = [argument]
        elif glob.has_magic(argument):
            matches = sorted(glob.glob(argument, recursive=True))
            if not matches:
                yield Found(argument, "missing", "no file matches this pattern")
                continue
            candidates = []
            for match in matches:
                candidates.extend(sorted(_walk(match)) if os.path.isdir(match) else [match])
        else:
            yield Found(argument, "missing", "no such file or directory")
            continue
        for path in candidates:
            if path not in seen:
                seen.add(path)
                yield _classify(path)


def _walk(folder: str) -> Iterator[str]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith("."):
                yield os.path.join(root, name)
