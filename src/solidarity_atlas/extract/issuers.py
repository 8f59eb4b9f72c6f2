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
from functools import cache

from solidarity_atlas.lexicons import load
from solidarity_atlas.model import Block, Page, Span
from solidarity_atlas.shapes import is_acronym

_MEETING = re.compile(
    r"(?:\b\d{1,2}(?:st|nd|rd|th)\s+)?International\s+Meeting\s+of\s+Communist\s+and\s+Workers['’]?\s+Parties"
    r"|\b\d{1,2}(?:st|nd|rd|th)?\s+IMCWP\b",
    re.IGNORECASE,
)
_OF_ORG = re.compile(
    r"\b(?:of|by|del|de la|du|de|des|der)\s+(?:the\s+)?(?P<org>[A-ZÀ-ÝΑ-ΩА-Я][\w'’.-]*(?:\s+[\w'’.-]+){0,6})"
)
_SITE_SPLIT = re.compile(r"\s+[|–—-]\s+|\s*\|\s*")
_DELEGATION = re.compile(
    r"\b(?:a\s+)?delegation\s+of\s+(?:the\s+)?(?P<org>[A-ZÀ-Ý][\w'’.-]*(?:\s+[A-ZÀ-Ý][\w'’.-]*){0,6})"
)
_SUBJECT = re.compile(
    r"^(?:The\s+|El\s+|La\s+|Le\s+|Die\s+|Η\s+|Το\s+)?"
    r"(?P<org>[A-ZÀ-ÝΑ-ΩА-Я][\w'’.()-]*(?:\s+[A-ZÀ-Ý(][\w'’.()-]*){0,6})\s"
)


def meeting(page: Page, blocks: list[Block], bodies: tuple[str, ...] = ()) -> Span | None:
    """The international meeting or body a resolution comes from, as written (with its ordinal).

    ``bodies`` are the names of international bodies in every language the registry knows.
    """
    pattern = _bodies_pattern(bodies)
    folded_bodies = _folded(bodies)
    for block in blocks[:8]:
        text = page.block_text(block)
        m = _MEETING.search(text)
        lowered = text.casefold() if m is None and pattern is not None else ""
        if m is None and pattern is not None and any(b in lowered for b in folded_bodies):
            m = pattern.search(text)  # the slow search, only where a body's name stands
        if m:
            return Span(m.group(0), block.start + m.start(), block.start + m.end())
    return None


@cache
def _folded(bodies: tuple[str, ...]) -> tuple[str, ...]:
    return tuple({b.casefold() for b in bodies if len(b) >= 12})


@cache
def _bodies_pattern(bodies: tuple[str, ...]) -> re.Pattern[str] | None:
    names = sorted({b for b in bodies if len(b) >= 12}, key=len, reverse=True)
    if not names:
        return None
    alternatives = "|".join(re.escape(n) for n in names)
    return re.compile(rf"(?:\b\d{{1,2}}\S{{0,3}}\s+)?(?:{alternatives})", re.IGNORECASE)


_ORDINAL = re.compile(r"^\d{1,2}(?:st|nd|rd|th|η|ης|-?я|-?й|e|ª|º|\.)?\s+", re.IGNORECASE)


def without_ordinal(text: str) -> str:
    """"13th International Meeting..." names the series, the International Meeting."""
    return _ORDINAL.sub("", text)


def delegation(page: Page, blocks: list[Block]) -> Span | None:
    """"A delegation of X went to the embassy": X sends the petition."""
    for block in blocks[:4]:
        text = page.block_text(block)
        if m := _DELEGATION.search(text):
            return Span(m.group("org"), block.start + m.start("org"), block.start + m.end("org"))
    return None


def participants(page: Page, blocks: list[Block]) -> Span | None:
    """"The participants of the meeting": a resolution that names no body."""
    pattern = load().pattern("issuers.participants")
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
    for block in blocks[:2]:  # headlines: "Заявление Президиума ЦК КПРФ", "PCP: End the blockade"
        if len(page.block_text(block)) <= 200:
            found.extend(_acronyms(page.block_text(block), block.start))
    for block in blocks[:3]:
        text = page.block_text(block)
        if m := _DELEGATION.search(text):
            found.append(Span(m.group("org"), block.start + m.start("org"), block.start + m.end("org")))
        if m := _SUBJECT.match(text):
            found.append(Span(m.group("org"), block.start + m.start("org"), block.start + m.end("org")))
            words = m.group("org").split()
            found.append(Span(words[0], block.start + m.start("org"), block.start + m.start("org") + len(words[0])))
    return found


def _acronyms(text: str, offset: int) -> list[Span]:
    spans = []
    for m in re.finditer(r"[^\s:;,.!?«»\"“”()]+", text):
        word = m.group(0)
        if len(word) >= 3 and is_acronym(word):
            spans.append(Span(word, offset + m.start(), offset + m.end()))
    return spans


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
