"""Sentences of the main text, with their offsets in the page.

A sentence ends at ".", "!" or "?" followed by white space and a capital
letter, a digit or a quotation mark, except after an abbreviation or an
initial ("Mr.", "Dr.", "A. Tasbulatov", "No. 5") or inside a date ("16.12.").
Blocks never run into each other: a list item is a sentence of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from solidarity_atlas.model import Block, Page

# Only at the first mark of a run, and without giving back what was matched: else a run of n dots not followed by
# white space costs n² steps inside the regex engine (half a megabyte of "." took hours).
_END = re.compile(r"(?<![.!?…])[.!?…]++[\"'»”’)]*+\s+(?=[\"'«“(]?[A-ZÀ-ÞΑ-ΩА-ЯЁ0-9¡¿])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|St|No|Nr|Art|Gen|Prof|Sr|Sra|Jr|vs|etc|approx|г|ул|т\.е|κ|Nos)|\b[A-ZА-ЯΑ-Ω]|\d{1,2}\.\d{1,2}"
    r"|(?<![\d.])\d{1,2})\.$"  # "am 16. Dezember", "2. Mai": a German day, not the end of a sentence
)


ABBREVIATION_REACH = 12  # characters before a full stop that may hold an abbreviation ("approx.", "16.12.")
_ITEM = re.compile(r"^\s*(?:\d{1,3}\s*[.)]|\(\d{1,3}\)|[•▪●◦‣∙·■*\-–—])\s")


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    start: int
    end: int
    block: int
    listed: bool = False  # the sentence is an item of a list (a marker, an HTML item, a lower-case fragment)


def split(page: Page, blocks: list[Block]) -> list[Sentence]:
    out: list[Sentence] = []
    for index, block in enumerate(blocks):
        text = page.block_text(block)
        listed = block.kind == "item" or bool(_ITEM.match(text)) or text[:1].islower() or text.rstrip().endswith(";")
        begin = 0
        for m in _END.finditer(text):
            if _ABBREVIATION.search(text, max(0, m.start() - ABBREVIATION_REACH), m.start() + 1):
                continue
            piece = text[begin : m.start() + 1].strip()
            if piece:
                lead = text.index(piece[0], begin)
                out.append(Sentence(piece, block.start + lead, block.start + lead + len(piece), index, listed))
            begin = m.end()
        piece = text[begin:].strip()
        if piece:
            lead = text.index(piece[0], begin)
            out.append(Sentence(piece, block.start + lead, block.start + lead + len(piece), index, listed))
    return out
