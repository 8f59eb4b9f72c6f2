"""Who issues a document in its own name.

A joint statement is issued by its signatories, and so is a petition that
its signatories send themselves.  A resolution is issued by the meeting or
body that adopted it ("the 20th International Meeting of Communist and
Workers' Parties").  A declaration or news report is issued by its
publisher: the site's name above the menu, the markup's site name, a line
such as "Statement of the Press Office of the CC of the KKE" or "Issued by
the SACP", or the organisation that is the subject of the first sentence.
Candidates are returned in that order of trust; the resolver keeps the
first it knows.
"""

from __future__ import annotations

import re

from solidarity_atlas.lexicons import load
from solidarity_atlas.model import Block, Page, Span

_MEETING = re.compile(
    r"(?:\b\d{1,2}(?:st|nd|rd|th)\s+)?International\s+Meeting\s+of\s+Communist\s+and\s+Workers['’]?\s+Parties"
    r"|\b\d{1,2}(?:st|nd|rd|th)?\s+IMCWP\b",
    re.IGNORECASE,
)
_OF_ORG = re.compile(r"\b(?:of|by|del|de la|du|de|des|der|des)\s+(?:the\s+)?(?P<org>[A-ZÀ-ÝΑ-ΩА-Я][\w'’.-]*(?:\s+[\w'’.-]+){0,6})")
_SITE_SPLIT = re.compile(r"\s+[|–—-]\s+|\s*\|\s*")
_DELEGATION = re.compile(
    r"\b(?:a\s+)?delegation\s+of\s+(?:the\s+)?(?P<org>[A-ZÀ-Ý][\w'’.-]*(?:\s+[A-ZÀ-Ý][\w'’.-]*){0,6})"
)
_SUBJECT = re.compile(r"^(?:The\s+|El\s+|La\s+|Le\s+|Die\s+|Η\s+|Το\s+)?(?P<org>[A-ZÀ-ÝΑ-ΩА-Я][\w'’.()-]*(?:\s+[A-ZÀ-Ý(][\w'’.()-]*){0,6})\s")


def meeting(page: Page, blocks: list[Block]) -> Span | None:
    """The international meeting a resolution comes from, as written."""
    for block in blocks[:8]:
        text = page.block_text(block)
        if m := _MEETING.search(text):
            return Span(m.group(0), block.start + m.start(), block.start + m.end())
    return None


def participants(page: Page, blocks: list[Block]) -> Span | None:
    """"The participants of the meeting": a resolution that names no body."""
    pattern = load().pattern("doctype.resolution_body")
    for block in blocks:
        text = page.block_text(block)
        if m := pattern.search(text):
            return Span(m.group(0), block.start + m.start(), block.start + m.end())
    return None


def publisher_candidates(page: Page, blocks: list[Block]) -> list[Span]:
    """Names that may be the publisher's, most trusted first."""
    found: list[Span] = []
    for block in page.blocks:
        if block.drop in ("site header",) or (block.drop or "").startswith(("container:logo", "container:site-title")):
            found.extend(_parts(page, block))
    if page.hints.sitename:
        found.append(Span(page.hints.sitename, -1, -1))
    if page.hints.html_title:
        pieces = _SITE_SPLIT.split(page.hints.html_title)
        if len(pieces) > 1:
            found.extend(Span(p, -1, -1) for p in (pieces[-1], pieces[0]))
    intro = load().pattern("doctype.declaration")
    for block in blocks[:6] + blocks[-6:]:
        text = page.block_text(block)
        if len(text) <= 200 and intro.search(text):
            found.extend(_after_of(text, block.start))
    for block in page.blocks:
        if block.drop == "chrome phrase":
            found.extend(_after_of(page.block_text(block), block.start))
    for block in blocks[:3]:
        text = page.block_text(block)
        if m := _DELEGATION.search(text):
            found.append(Span(m.group("org"), block.start + m.start("org"), block.start + m.end("org")))
        if m := _SUBJECT.match(text):
            found.append(Span(m.group("org"), block.start + m.start("org"), block.start + m.end("org")))
            words = m.group("org").split()
            found.append(Span(words[0], block.start + m.start("org"), block.start + m.start("org") + len(words[0])))
    return found


def _parts(page: Page, block: Block) -> list[Span]:
    """"SACP – South African Communist Party": the whole and each part."""
    text = page.block_text(block)
    spans = [Span(text, block.start, block.end)]
    pos = 0
    for piece in _SITE_SPLIT.split(text):
        at = text.find(piece, pos)
        spans.append(Span(piece, block.start + at, block.start + at + len(piece)))
        pos = at + len(piece)
    first = text.split()[0] if text.split() else ""
    if first and first != text:
        spans.append(Span(first, block.start, block.start + len(first)))
    return spans


def _after_of(text: str, offset: int) -> list[Span]:
    spans = []
    for m in _OF_ORG.finditer(text):
        org = m.group("org").rstrip(".,;:")
        spans.append(Span(org, offset + m.start("org"), offset + m.start("org") + len(org)))
    return spans[::-1]  # "...of the Press Office of the CC of the KKE": the last one is the party
