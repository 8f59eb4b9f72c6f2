"""The ordered extractor pipeline: page in, contract record out.

Each extractor declares the fields it fills, finds candidates (``match``)
and writes its results (``annotate``), like a spaCy component.  Adding one
is adding a module and a line to :data:`PIPELINE`.  Later stages
(signatories, persons, demands, events) plug in the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from solidarity_atlas.extract import doctype, metadata
from solidarity_atlas.extract.languages import document_languages
from solidarity_atlas.model import Block, Page, Record, Span


@dataclass(slots=True)
class Context:
    """What the extractors share while working on one page."""

    page: Page
    blocks: list[Block]
    record: Record
    block_languages: list[str | None] = field(default_factory=list)
    dated: list[metadata.DatedLine] = field(default_factory=list)


T = TypeVar("T")


class Extractor(Protocol[T]):
    name: str
    fills: tuple[str, ...]

    def match(self, ctx: Context) -> T: ...

    def annotate(self, ctx: Context, found: T) -> None: ...


class Languages:
    name = "languages"
    fills: tuple[str, ...] = ("languages",)

    def match(self, ctx: Context) -> tuple[list[str], list[str | None]]:
        return document_languages(ctx.page.block_text(b) for b in ctx.blocks)

    def annotate(self, ctx: Context, found: tuple[list[str], list[str | None]]) -> None:
        ctx.record.languages, ctx.block_languages = found
        if not ctx.record.languages and ctx.page.hints.lang:
            ctx.record.languages = [ctx.page.hints.lang]


class Title:
    name = "title"
    fills: tuple[str, ...] = ("title",)

    def match(self, ctx: Context) -> Span | None:
        return metadata.title(ctx.page, ctx.blocks)

    def annotate(self, ctx: Context, found: Span | None) -> None:
        if found:
            ctx.record.title = found.text
            ctx.record.evidence["title"] = found


class DocType:
    name = "doc_type"
    fills: tuple[str, ...] = ("doc_type",)

    def match(self, ctx: Context) -> str:
        return doctype.classify(ctx.page, ctx.blocks)

    def annotate(self, ctx: Context, found: str) -> None:
        ctx.record.doc_type = found


class DateAndPlace:
    name = "date_place"
    fills: tuple[str, ...] = ("date", "place")

    def match(self, ctx: Context) -> tuple[Span | None, Span | None]:
        ctx.dated = metadata.dated_lines(ctx.page, ctx.blocks)
        chosen = metadata.choose_date(ctx.dated, ctx.record.doc_type, None)
        if chosen is None:  # no stamp, dateline or date line: read the running text
            ctx.dated = metadata.dated_lines(ctx.page, ctx.blocks, running_text=True)
            year = metadata.document_year(ctx.page, ctx.blocks, ctx.dated)
            chosen = metadata.choose_date(ctx.dated, ctx.record.doc_type, year)
        if chosen is None and ctx.page.hints.meta_date:
            found = metadata.find_dates(ctx.page.hints.meta_date)
            if found and found[0].has_year:  # from the markup, not the text: no offsets to cite
                chosen = metadata.DateMention(found[0].value, -1, -1, found[0].precision)
        date = None
        if chosen is not None:
            date = Span(chosen.value, chosen.start, chosen.end)
        place = metadata.dateline_place(ctx.dated)
        if place is None and ctx.record.doc_type in ("news_report", "petition"):
            place = metadata.place_in_text(ctx.page, ctx.blocks)
        return date, place

    def annotate(self, ctx: Context, found: tuple[Span | None, Span | None]) -> None:
        date, place = found
        if date:
            ctx.record.date = date.text  # the ISO value; the evidence quotes the page
            if date.start >= 0:
                ctx.record.evidence["date"] = Span(ctx.page.text[date.start : date.end], date.start, date.end)
        if place:
            ctx.record.place = metadata.place_name(place.text)
            ctx.record.evidence["place"] = place


PIPELINE: tuple[Extractor[Any], ...] = (Languages(), Title(), DocType(), DateAndPlace())


def extract(page: Page, pipeline: tuple[Extractor[Any], ...] = PIPELINE) -> Record:
    """Run every extractor over the page's main text, in order."""
    ctx = Context(page, page.main_blocks, Record(source=page.source))
    for extractor in pipeline:
        ctx_found = extractor.match(ctx)
        extractor.annotate(ctx, ctx_found)
    return ctx.record
