"""Plain typed records passed between the pipeline stages.

Offsets (``start``/``end``) always index :attr:`Page.text`, the decoded and
normalised text of the input, so every extracted value can cite its source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

BlockKind = Literal["heading", "paragraph", "item", "line", "cell"]
DocType = Literal["joint_statement", "resolution", "petition", "declaration", "news_report", "other"]


@dataclass(frozen=True, slots=True)
class Block:
    """One line or block element of a page, located in :attr:`Page.text`.

    ``drop`` is ``None`` for main text and otherwise names the rule that marked
    the block as site chrome (navigation, share line, cookie notice...).
    """

    start: int
    end: int
    kind: BlockKind = "line"
    level: int = 0  # heading level 1-6, 0 for other blocks
    drop: str | None = None
    container: str = ""  # HTML only: a short path of the enclosing landmark/class names


@dataclass(slots=True)
class PageHints:
    """Metadata the markup itself offers (HTML only), before any judgement."""

    html_title: str | None = None
    headings: list[str] = field(default_factory=list)
    lang: str | None = None
    meta_date: str | None = None
    sitename: str | None = None
    meta_title: str | None = None


@dataclass(slots=True)
class Page:
    """A decoded, normalised input document split into located blocks."""

    source: str
    text: str
    blocks: list[Block]
    fmt: Literal["text", "html"]
    encoding: str
    sha256: str
    size: int
    hints: PageHints = field(default_factory=PageHints)

    def block_text(self, block: Block) -> str:
        return self.text[block.start : block.end]

    @property
    def main_blocks(self) -> list[Block]:
        return [b for b in self.blocks if b.drop is None]

    @property
    def clean_text(self) -> str:
        return "\n".join(self.block_text(b) for b in self.main_blocks)


@dataclass(frozen=True, slots=True)
class Span:
    """A located piece of evidence: text as written and where it stands."""

    text: str
    start: int
    end: int


@dataclass(slots=True)
class Org:
    raw: str
    name: str
    country: str | None
    org_id: str


@dataclass(slots=True)
class Person:
    name: str
    role: str | None = None
    org: str | None = None


@dataclass(slots=True)
class Event:
    type: str
    date: str | None = None
    place: str | None = None
    country: str | None = None
    count: int | None = None


@dataclass(slots=True)
class Record:
    """The extraction contract of ``../shared/eval/SCHEMA.md`` for one document."""

    source: str
    title: str | None = None
    date: str | None = None
    place: str | None = None
    languages: list[str] = field(default_factory=list)
    doc_type: str = "other"
    issuers: list[Org] = field(default_factory=list)
    signatories: list[Org] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    demands: list[str] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    evidence: dict[str, Span] = field(default_factory=dict)

    def to_contract(self) -> dict[str, Any]:
        """The JSON object of the contract (evidence is kept out of it)."""
        return {
            "source": self.source, "title": self.title, "date": self.date, "place": self.place,
            "languages": list(self.languages), "doc_type": self.doc_type,
            "issuers": [_org(o) for o in self.issuers], "signatories": [_org(o) for o in self.signatories],
            "persons": [{"name": p.name, "role": p.role, "org": p.org} for p in self.persons],
            "demands": list(self.demands),
            "events": [{"type": e.type, "date": e.date, "place": e.place, "country": e.country, "count": e.count}
                       for e in self.events],
            "flags": list(self.flags),
        }

    def evidence_json(self) -> dict[str, Any]:
        return {k: {"text": v.text, "start": v.start, "end": v.end} for k, v in self.evidence.items()}


def _org(org: Org) -> dict[str, Any]:
    return {"raw": org.raw, "name": org.name, "country": org.country, "org_id": org.org_id}
