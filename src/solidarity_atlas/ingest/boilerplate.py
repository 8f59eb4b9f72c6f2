"""The cross-document chrome signal: lines that recur across a site's pages.

A menu, a footer or a "Links to the old web pages" line stands on every
page a site publishes.  Over the text files of one folder, a short line
found in at least ``SOLIDARITY_BOILERPLATE_SHARE`` of the files (and in three
or more) is chrome.  Identical files count once, so that reposts of one
statement do not turn the statement itself into chrome.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections import Counter
from collections.abc import Iterable

from solidarity_atlas import settings
from solidarity_atlas.errors import InputError
from solidarity_atlas.ingest.decode import decode
from solidarity_atlas.ingest.reader import TEXT_SUFFIXES, open_regular
from solidarity_atlas.ingest.text import line_key

MAX_LINE = 200  # longer lines are paragraphs, not chrome
SAMPLE = 400  # files read per folder; a site's chrome shows in any few hundred pages
HEAD_BYTES = 256 * 1024


def recurring_lines(paths: Iterable[str]) -> dict[str, frozenset[int]]:
    """Folder -> hashes of its recurring lines (empty for folders too small to tell, and for runs of fewer files
    than ``SOLIDARITY_BOILERPLATE_MIN_DOCS``).

    ``paths`` is read once, as it comes: each folder keeps an evenly spaced sample of at most ``2 * SAMPLE`` of its
    text files (every file up to that many; then every second, every fourth...), never the whole list.
    """
    folders: dict[str, _Sample] = {}
    total = 0
    for path in paths:
        total += 1
        if os.path.splitext(path)[1].lower() in TEXT_SUFFIXES:
            folders.setdefault(os.path.dirname(path), _Sample()).add(path)
    if total < settings.boilerplate_min_docs():
        return {}
    return {folder: _signal(sample.kept) for folder, sample in folders.items()
            if sample.seen >= settings.boilerplate_min_docs()}


class _Sample:
    """Every ``stride``-th path of a folder; the stride doubles when the sample would pass ``2 * SAMPLE``."""

    __slots__ = ("kept", "seen", "stride")

    def __init__(self) -> None:
        self.kept: list[str] = []
        self.seen = 0
        self.stride = 1

    def add(self, path: str) -> None:
        if self.seen % self.stride == 0:
            self.kept.append(path)
            if len(self.kept) > 2 * SAMPLE:
                del self.kept[1::2]
                self.stride *= 2
        self.seen += 1


def _signal(files: list[str]) -> frozenset[int]:
    counts: Counter[int] = Counter()
    digests: set[str] = set()
    for path in files:
        try:
            with open_regular(path) as handle:  # never a named pipe: opening one waits for a writer
                text, _ = decode(handle.read(HEAD_BYTES))
        except (OSError, InputError):
            continue  # the extraction pass reports the file's error
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
        if digest in digests:
            continue
        digests.add(digest)
        counts.update({line_key(line) for line in text.split("\n") if 0 < len(line.strip()) <= MAX_LINE})
    sampled = len(digests)
    if sampled < settings.boilerplate_min_docs():
        return frozenset()
    floor = max(3, math.ceil(settings.boilerplate_share() * sampled))
    return frozenset(key for key, n in counts.items() if n >= floor)

