"""Markdown pages to plain text: links, emphasis and heading marks removed.

The rendered text keeps one line per source line, so list markers (``-``,
``1.``) stay for the signatory lists, and headings are remembered by line.
"""

from __future__ import annotations

import re

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])([*_])(?=\S)([^*_\n]+?)(?<=\S)\3(?![\w*])")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_QUOTE = re.compile(r"^\s{0,3}>\s?")


def _inline(line: str) -> str:
    line = _LINK.sub(r"\1", line)
    for _ in range(2):  # nested **_bold italics_**
        line = _EMPHASIS.sub(lambda m: m.group(2) if m.group(1) else m.group(4), line)
    return line.replace("\\", "")


def render(text: str) -> tuple[str, dict[int, int]]:
    """Plain text, and heading level by line number (0-based)."""
    lines: list[str] = []
    headings: dict[int, int] = {}
    for number, line in enumerate(text.split("\n")):
        if re.fullmatch(r"\s{0,3}(?:[-*_]\s*){3,}", line):
            lines.append("")  # a thematic break
            continue
        if match := _HEADING.match(line):
            headings[number] = len(match.group(1))
            line = match.group(2)
        line = _QUOTE.sub("", line)
        lines.append(_inline(line))
    return "\n".join(lines), headings
