"""Plain-text pages to located line blocks with chrome marked."""

from __future__ import annotations

import zlib

from solidarity_atlas.ingest.chrome import GLUED_PHOTO_ID, mark_lines
from solidarity_atlas.model import Block

MAX_RECURRING_SHARE = 0.5


def split_lines(text: str) -> list[tuple[int, int]]:
    """Spans of the non-blank lines, trimmed of surrounding white space."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            spans.append((pos + lead, pos + lead + len(stripped)))
        pos = end + 1
    return spans


def blocks_of(
    text: str, recurring: frozenset[int] = frozenset(), headings: dict[int, int] | None = None
) -> list[Block]:
    """One block per non-blank line; chrome lines carry their reason in ``drop``.

    ``recurring`` holds :func:`line_key` hashes of lines that recur across many
    files of the same folder (the cross-document chrome signal).
    """
    spans = split_lines(text)
    lines = [text[s:e] for s, e in spans]
    levels = _levels(text, spans, headings or {})
    reasons = mark_lines(lines)
    if recurring:
        hits = [reason is None and line_key(line) in recurring for line, reason in zip(lines, reasons, strict=True)]
        # Most of the page recurring means a copy of a page seen elsewhere, not chrome.
        if sum(hits) <= MAX_RECURRING_SHARE * max(1, sum(r is None for r in reasons)):
            reasons = ["recurring line" if hit else reason for hit, reason in zip(hits, reasons, strict=True)]
    blocks = []
    for (start, end), line, reason, level in zip(spans, lines, reasons, levels, strict=True):
        glued = GLUED_PHOTO_ID.match(line)
        if glued:  # a photo id glued to the first words: cite the words only
            start += glued.end()
        blocks.append(Block(start, end, "heading" if level else "line", level, reason))
    return blocks


def _levels(text: str, spans: list[tuple[int, int]], headings: dict[int, int]) -> list[int]:
    if not headings:
        return [0] * len(spans)
    return [headings.get(text.count("\n", 0, start), 0) for start, _ in spans]


def line_key(line: str) -> int:
    """A stable hash of a line for counting it across documents."""
    return zlib.crc32(" ".join(line.split()).casefold().encode("utf-8"))
