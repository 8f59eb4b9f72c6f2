"""The ordered extractor pipeline: page in, contract record out.

Each extractor declares the fields it fills, finds candidates (``match``)
and writes its results (``annotate``), like a spaCy component.  Adding one
is adding a module and a line to :data:`PIPELINE`.  Later stages
(signatories, persons, demands, events) plug in the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol, TypeVar

from solidarity_atlas.extract import demands, doctype, events, issuers, metadata, persons, sentences, signatories
from solidarity_atlas.extract.languages import document_languages
from solidarity_atlas.model import Block, Page, Person, Record, Span
from solidarity_atlas.resolve.orgs import Resolution, Resolver, resolver
from solidarity_atlas.resolve.places import gazetteer
from solidarity_atlas.resolve.registry import registry


@cache
def international_names() -> tuple[str, ...]:
    reg = registry()
    return tuple(n for e in reg.entries.values() if e.country is None and e.kind == "international" for n in e.names)


def place_country(place: str | None) -> str | None:
    found = gazetteer().lookup(place) if place else None
    return found.country if found else None


@dataclass(slots=True)
class Context:
    """What the extractors share while working on one page."""

    page: Page
    blocks: list[Block]
    record: Record
    block_languages: list[str | None] = field(default_factory=list)
    dated: list[metadata.DatedLine] = field(default_factory=list)
    resolver: Resolver = field(default_factory=resolver)  # one look-up of the judgements file per document
    _sentences: list[sentences.Sentence] | None = None

    @property
    def sentences(self) -> list[sentences.Sentence]:
        if self._sentences is None:
            self._sentences = sentences.split(self.page, self.blocks)
        return self._sentences


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


class NotAStatement:
    """A person's judgement that the document is no statement at all (``judgements.jsonl``, keyed by the hash of
    its bytes): its kind becomes ``other``, so the extractors after this one read no signatories, persons, demands
    or events from it."""

    name = "not_statement"
    fills: tuple[str, ...] = ("doc_type",)

    def match(self, ctx: Context) -> bool:
        return ctx.resolver.judgements.not_statement(ctx.page.sha256)

    def annotate(self, ctx: Context, found: bool) -> None:
        if found:
            ctx.record.doc_type = "other"


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


class Signatories:
    """Every item of every signatory list, resolved to a canonical organisation."""

    name = "signatories"
    fills: tuple[str, ...] = ("signatories", "flags")

    def match(self, ctx: Context) -> list[signatories.Item]:
        if ctx.record.doc_type == "other":
            return []  # menus and calendars name organisations that signed nothing
        cue_required = ctx.record.doc_type in ("declaration", "news_report")
        items = signatories.list_items(ctx.page, ctx.blocks, cue_required=cue_required)
        return items + signatories.inline_items(ctx.page, ctx.blocks)

    def annotate(self, ctx: Context, found: list[signatories.Item]) -> None:
        if ctx.record.doc_type == "declaration" and sum(not i.inline for i in found) >= 2:
            ctx.record.doc_type = "joint_statement"  # several organisations sign it
        here = place_country(ctx.record.place)
        # A person's judgement about a signature of this document (another organisation, or none) is applied
        # here; the flags describe the list as written.
        resolved = [(item, ctx.resolver.in_document(ctx.page.sha256, item.raw, here)) for item in found]
        kept = [(item, org) for item, org in resolved if org is not None]
        ctx.record.signatories = [org for _, org in kept]
        ctx.record.flags.extend(signatories.flags(found))
        for i, (item, _) in enumerate(kept):
            ctx.record.evidence[f"signatories.{i}"] = Span(item.raw, item.start, item.end)


class Issuers:
    """The organisation(s) in whose name the document is published."""

    name = "issuers"
    fills: tuple[str, ...] = ("issuers",)

    def match(self, ctx: Context) -> list[Span]:
        kind = ctx.record.doc_type
        signed = [Span(o.raw, -1, -1) for o in ctx.record.signatories]
        if kind == "other":
            return []
        if kind == "joint_statement" and signed:
            return signed
        if kind == "resolution":
            named = issuers.meeting(ctx.page, ctx.blocks, international_names())
            if named:
                return [named]
        if kind == "petition":
            sender = issuers.delegation(ctx.page, ctx.blocks)  # "a delegation of X handed in..."
            if sender and sender.text not in {s.text for s in signed}:
                return [sender]
            if signed:
                return signed
        candidates = issuers.publisher_candidates(ctx.page, ctx.blocks)
        known = self._known(candidates, ctx.resolver.resolve)
        if known:
            return [known]
        if kind == "resolution":
            body = issuers.participants(ctx.page, ctx.blocks)
            return [body] if body else []
        return signed

    @staticmethod
    def _known(candidates: list[Span], resolve: Callable[..., Resolution]) -> Span | None:
        for span in candidates:
            if span.text.strip() and resolve(span.text.strip()).method != "new":
                return span
        return None

    def annotate(self, ctx: Context, found: list[Span]) -> None:
        here = place_country(ctx.record.place)
        seen: set[str] = set()
        for span in found:
            org = ctx.resolver.in_document(ctx.page.sha256, issuers.without_ordinal(span.text.strip()), here)
            if org is not None and org.org_id not in seen:
                seen.add(org.org_id)
                ctx.record.issuers.append(org)


class Persons:
    """People named in the text, merged across spellings and scripts."""

    name = "persons"
    fills: tuple[str, ...] = ("persons",)

    def match(self, ctx: Context) -> list[tuple[Person, list[Span]]]:
        if ctx.record.doc_type == "other":
            return []
        return persons.find_persons(ctx.page, ctx.blocks)

    def annotate(self, ctx: Context, found: list[tuple[Person, list[Span]]]) -> None:
        for i, (person, spans) in enumerate(found):
            ctx.record.persons.append(person)
            ctx.record.evidence[f"persons.{i}"] = spans[0]


class Demands:
    """The demand codes of SCHEMA.md, each once, with the sentence that makes it."""

    name = "demands"
    fills: tuple[str, ...] = ("demands",)

    def match(self, ctx: Context) -> list[demands.Demand]:
        return [] if ctx.record.doc_type == "other" else demands.find_demands(ctx.sentences)

    def annotate(self, ctx: Context, found: list[demands.Demand]) -> None:
        for demand in found:
            ctx.record.demands.append(demand.code)
            ctx.record.evidence[f"demands.{demand.code}"] = demand.evidence


class Events:
    """What the text reports as having happened, each with its sentence and the figure it claims."""

    name = "events"
    fills: tuple[str, ...] = ("events",)

    def match(self, ctx: Context) -> list[events.Found]:
        if ctx.record.doc_type == "other":
            return []
        here = place_country(ctx.record.place)
        where = (ctx.record.place, here) if ctx.record.place and here else None
        return events.find_events(ctx.sentences, ctx.record.date, where)

    def annotate(self, ctx: Context, found: list[events.Found]) -> None:
        for i, item in enumerate(found):
            ctx.record.events.append(item.event)
            ctx.record.evidence[f"events.{i}"] = item.evidence
            if item.claim:  # the figure as the text gives it ("70", "seventy", "dozens"): a claim to compare
                at = item.evidence.text.casefold().find(item.claim.casefold())
                start = item.evidence.start + at if at >= 0 else -1
                ctx.record.evidence[f"events.{i}.claim"] = Span(item.claim, start, start + len(item.claim))


PIPELINE: tuple[Extractor[Any], ...] = (
    Languages(), Title(), DocType(), NotAStatement(), DateAndPlace(), Signatories(), Issuers(), Persons(), Demands(),
    Events(),
)


def extract(page: Page, pipeline: tuple[Extractor[Any], ...] = PIPELINE) -> Record:
    """Run every extractor over the page's main text, in order."""
    ctx = Context(page, page.main_blocks, Record(source=page.source))
    for extractor in pipeline:
        ctx_found = extractor.match(ctx)
        extractor.annotate(ctx, ctx_found)
    return ctx.record
