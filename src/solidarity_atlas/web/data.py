"""Reading the knowledge base for the website and the JSON API.

Both render the same plain data (dicts and lists) from these functions,
which build on :mod:`solidarity_atlas.store.queries` and add what a page
needs: filtered and paginated lists, one resource with everything linked to
it, search with facets.  Every query is SQLAlchemy Core with bound
parameters, every list is LIMITed and walks an indexed column (primary keys,
``statements.year``, ``documents.date``/``country``, ``signatures.org_id``,
``events(country, date)``), so a page costs the same on a hundred statements
as on a hundred thousand.  The queries of the pages read most are built once
(below).  What is the same for every reader and costly to work out again —
the counts, the front page's lists, a search's total and facets, an
organisation's page, the co-signature network — is kept in the application's
:class:`~solidarity_atlas.web.cache.DataCache` until the data changes.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import networkx as nx
from sqlalchemy import (
    Connection,
    Engine,
    and_,
    bindparam,
    case,
    column,
    distinct,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    union,
    union_all,
)
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.elements import BindParameter

from solidarity_atlas.analyze.network import SEED
from solidarity_atlas.store import queries
from solidarity_atlas.store.schema import (
    MAX_COSIGNERS,
    claims,
    cosignatures,
    demands,
    documents,
    events,
    mentions,
    org_names,
    org_statements,
    organizations,
    persons,
    signatures,
    statement_signers,
    statements,
)
from solidarity_atlas.web.cache import DataCache

HIT_START = "\ue000"  # private-use characters mark a search hit in a snippet: never markup, so nothing to escape
HIT_END = "\ue001"
_HIT_MARK = re.compile(f"([{HIT_START}{HIT_END}])")
SNIPPET_WORDS = queries.SNIPPET_WORDS
# Facets count the first this many matches: a common word must not make a search read every row.  The organisation
# facet reads every signature of the sample: 5,000 documents took 60-190 ms at 100,000 statements, 1,000 take 10-20.
FACET_SAMPLE = 1000
FACET_VALUES = 12  # values shown per facet
CO_SIGNERS = 12  # co-signers listed (and drawn in the ego network) on an organisation's page
ORG_COUNTRIES = 12  # countries of issue listed on an organisation's page
ALIASES = 50  # names as written listed on an organisation's page
PAGE_ITEMS = 20  # statements, mentions, claims... listed on one resource's page before "all N"
COUNTRY_ORGS = 100  # organisations listed on a country's page
TIMELINE_LIMIT = 200  # events (and statements) on a timeline: each event costs two queries
NETWORK_NODES = 300  # organisations drawn in the network by default, the best connected
BETWEENNESS_SOURCES = 32  # sampled sources of the network's betweenness: exact on 300 dense nodes takes seconds
MAX_ROW_ID = 2**63 - 1  # the largest id a row can have (SQLite's and PostgreSQL's 64-bit integers)


# -- queries prepared once --------------------------------------------------------------------------------------
# The queries of the pages read most (a statement, the lists of statements, an organisation, a search without
# filters) are built here once, with bound parameters: building a select() and working out its cache key costs
# SQLAlchemy 0.3-1 ms a query, more than SQLite takes to answer it; a prepared one costs about 0.1 ms.

_ids: BindParameter[Any] = bindparam("ids", expanding=True)
_LATEST = (select(documents.c.statement_id)
           .where(documents.c.date.is_not(None), documents.c.statement_id.is_not(None))
           .order_by(documents.c.date.desc(), documents.c.id.desc()).limit(bindparam("n")))
_STATEMENT_ROWS = select(statements.c.id, statements.c.title, statements.c.date, statements.c.year,
                         statements.c.doc_type, statements.c.copies).where(statements.c.id.in_(_ids))
_COPY_PLACES = (select(documents.c.statement_id, documents.c.country, documents.c.languages)
                .where(documents.c.statement_id.in_(_ids)).order_by(documents.c.id))
_STATEMENT = select(statements).where(statements.c.id == bindparam("id"))
_COPIES = (select(documents.c.id, documents.c.source, documents.c.url, documents.c.title, documents.c.date,
                  documents.c.place, documents.c.country, documents.c.languages, documents.c.doc_type,
                  documents.c.flags, documents.c.format, documents.c.fetched_at)
           .where(documents.c.statement_id == bindparam("id")).order_by(documents.c.id))
_TEXT = select(documents.c.text, documents.c.blocks).where(documents.c.id == bindparam("shown"))
_SIGNED = (select(signatures.c.document_id, signatures.c.org_id, signatures.c.role, signatures.c.raw,
                  signatures.c.position, signatures.c.start, signatures.c.end, organizations.c.name,
                  organizations.c.country)
           .join(organizations, organizations.c.id == signatures.c.org_id)
           .where(signatures.c.document_id.in_(_ids))
           .order_by(signatures.c.document_id != bindparam("shown"), signatures.c.document_id, signatures.c.role,
                     signatures.c.position))
_DEMANDS = (select(demands.c.code, demands.c.quote, demands.c.start, demands.c.end)
            .where(demands.c.document_id == bindparam("shown")).order_by(demands.c.start, demands.c.id))
_CLAIMS = (select(claims.c.event_id, claims.c.count, claims.c.claim, claims.c.quote, claims.c.start, claims.c.end,
                  events.c.type, events.c.date, events.c.place, events.c.country)
           .join(events, events.c.id == claims.c.event_id)
           .where(claims.c.document_id == bindparam("shown")).order_by(claims.c.start, claims.c.id))
_MENTIONS = (select(mentions.c.person_id, mentions.c.name, mentions.c.role, mentions.c.org, mentions.c.start,
                    mentions.c.end, persons.c.name.label("person"))
             .join(persons, persons.c.id == mentions.c.person_id)
             .where(mentions.c.document_id == bindparam("shown")).order_by(mentions.c.start, mentions.c.id))


_org: BindParameter[Any] = bindparam("org")
_ORG = select(organizations).where(organizations.c.id == _org)
_ORG_NAMES = select(org_names.c.name).where(org_names.c.org_id == _org)
# Counts by year, first and last date, read from the organisation's own index (org_statements).
_ORG_YEARS = (select(org_statements.c.year, func.count(), func.min(org_statements.c.date),
                     func.max(org_statements.c.date))
              .where(org_statements.c.org_id == _org).group_by(org_statements.c.year).order_by(org_statements.c.year))
_ORG_LATEST = (select(org_statements.c.statement_id).where(org_statements.c.org_id == _org)
               .order_by(org_statements.c.date.desc(), org_statements.c.statement_id.desc()).limit(bindparam("n")))
_other = case((cosignatures.c.org_a == _org, cosignatures.c.org_b), else_=cosignatures.c.org_a)
_CO_SIGNERS = (select(_other.label("org_id"), organizations.c.name, organizations.c.country,
                      cosignatures.c.statements.label("together"))
               .join(organizations, organizations.c.id == _other)
               .where(or_(cosignatures.c.org_a == _org, cosignatures.c.org_b == _org))
               .order_by(cosignatures.c.statements.desc(), _other).limit(bindparam("top")))
_SIGNED_COUNT = select(func.count()).select_from(statement_signers).where(statement_signers.c.org_id == _org)
_ISSUED_COUNT = (select(func.count(distinct(documents.c.statement_id)))
                 .join(signatures, signatures.c.document_id == documents.c.id)
                 .where(signatures.c.org_id == _org, signatures.c.role == "issuer"))
# Its statements (org_statements) joined to their copies' countries (ix_documents_statement_id_country): two
# indexes, never a document row, which on a prolific organisation means tens of thousands of them.
_n = func.count(distinct(documents.c.statement_id))
_ORG_COUNTRIES = (select(documents.c.country, _n.label("n"))
                  .select_from(org_statements.join(documents,
                                                   documents.c.statement_id == org_statements.c.statement_id))
                  .where(org_statements.c.org_id == _org, documents.c.country.is_not(None))
                  .group_by(documents.c.country).order_by(_n.desc(), documents.c.country).limit(bindparam("n")))
_TIES = (select(cosignatures).where(cosignatures.c.org_a.in_(bindparam("a", expanding=True)),
                                    cosignatures.c.org_b.in_(bindparam("b", expanding=True)))
         .order_by(cosignatures.c.org_a, cosignatures.c.org_b))


# -- counts and the front page -----------------------------------------------------------------------------------


def stats(engine: Engine, cache: DataCache | None = None) -> dict[str, int]:
    if cache is None:
        return queries.stats(engine)
    return cache.get(("stats",), lambda: queries.stats(engine))


def latest_statements(engine: Engine, n: int = 10, cache: DataCache | None = None) -> list[dict[str, Any]]:
    """The most recently dated statements (through the documents' date index)."""
    if cache is not None:
        return cache.get(("latest", n), lambda: latest_statements(engine, n))
    with engine.connect() as c:
        ids: list[int] = []
        for statement_id in c.execute(_LATEST, {"n": n * 4}).scalars():
            if statement_id not in ids:
                ids.append(statement_id)
            if len(ids) == n:
                break
        return _statement_rows(c, ids)


# -- statements --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Filters:
    """What a list of statements (or a search) is narrowed to; None means any."""

    year: int | None = None
    country: str | None = None
    doc_type: str | None = None
    language: str | None = None
    org: str | None = None

    def as_params(self) -> dict[str, Any]:
        return {k: v for k, v in (("year", self.year), ("country", self.country), ("doc_type", self.doc_type),
                                  ("language", self.language), ("org", self.org)) if v is not None}


def _has_language(language: str) -> ColumnElement[bool]:
    # languages is comma-separated ("en,ru"): a code matches as a whole item, in any position
    return (literal(",") + documents.c.languages + literal(",")).like(literal("%,") + language + literal(",%"))


def _document_conditions(f: Filters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if f.year is not None:
        conditions.append(documents.c.year == f.year)
    if f.country:
        conditions.append(documents.c.country == f.country.upper())
    if f.doc_type:
        conditions.append(documents.c.doc_type == f.doc_type)
    if f.language:
        conditions.append(_has_language(f.language))
    if f.org:
        conditions.append(documents.c.id.in_(select(signatures.c.document_id).where(signatures.c.org_id == f.org)))
    return conditions


def _statement_conditions(f: Filters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if f.year is not None:
        conditions.append(statements.c.year == f.year)
    if f.doc_type:
        conditions.append(statements.c.doc_type == f.doc_type)
    through_documents = []
    if f.country:
        through_documents.append(documents.c.country == f.country.upper())
    if f.language:
        through_documents.append(_has_language(f.language))
    if through_documents:
        conditions.append(statements.c.id.in_(select(documents.c.statement_id).where(*through_documents)))
    if f.org:
        conditions.append(statements.c.id.in_(
            select(documents.c.statement_id).join(signatures, signatures.c.document_id == documents.c.id)
            .where(signatures.c.org_id == f.org)))
    return conditions


def list_statements(engine: Engine, f: Filters, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """Statements, newest year first (``ix_statements_year`` gives that order without sorting)."""
    conditions = _statement_conditions(f)
    with engine.connect() as c:
        total = c.execute(select(func.count()).select_from(statements).where(*conditions)).scalar_one()
        ids = list(c.execute(select(statements.c.id).where(*conditions)
                             .order_by(statements.c.year.desc(), statements.c.id.desc())
                             .limit(limit).offset(offset)).scalars())
        return _statement_rows(c, ids), int(total)


def _statement_rows(c: Connection, ids: list[int]) -> list[dict[str, Any]]:
    """Statements in the order of ``ids``, each with the countries and languages of its copies."""
    if not ids:
        return []
    rows = {r.id: r for r in c.execute(_STATEMENT_ROWS, {"ids": ids})}
    countries: dict[int, list[str]] = {i: [] for i in ids}
    languages: dict[int, list[str]] = {i: [] for i in ids}
    for r in c.execute(_COPY_PLACES, {"ids": ids}):
        if r.country and r.country not in countries[r.statement_id]:
            countries[r.statement_id].append(r.country)
        for language in (r.languages or "").split(","):
            if language and language not in languages[r.statement_id]:
                languages[r.statement_id].append(language)
    return [{"id": i, "title": rows[i].title, "date": rows[i].date, "year": rows[i].year,
             "doc_type": rows[i].doc_type, "copies": rows[i].copies, "countries": countries[i],
             "languages": languages[i]} for i in ids if i in rows]


def statement(engine: Engine, statement_id: int, document_id: int | None = None) -> dict[str, Any] | None:
    """One statement: its copies and translations, and everything extracted from the one shown (the first copy,
    or ``document_id``), with the offsets of each piece in that document's text."""
    if not -MAX_ROW_ID <= statement_id <= MAX_ROW_ID:
        return None  # no row has it, and the driver cannot even bind it
    with engine.connect() as c:
        row = c.execute(_STATEMENT, {"id": statement_id}).mappings().first()
        if row is None:
            return None
        copies = [dict(r) for r in c.execute(_COPIES, {"id": statement_id}).mappings()]
        for copy in copies:
            copy["languages"] = [x for x in (copy["languages"] or "").split(",") if x]
            copy["flags"] = [x for x in (copy["flags"] or "").split(",") if x]
        ids = [d["id"] for d in copies]
        shown = document_id if document_id in ids else (ids[0] if ids else None)
        if document_id is not None and shown != document_id:
            return None
        text, blocks = "", "[]"
        if shown is not None:
            text, blocks = c.execute(_TEXT, {"shown": shown}).one()
        signed = c.execute(_SIGNED, {"ids": ids, "shown": shown}).all() if ids else []
        found_demands = c.execute(_DEMANDS, {"shown": shown}).all()
        found_claims = c.execute(_CLAIMS, {"shown": shown}).all()
        found_mentions = c.execute(_MENTIONS, {"shown": shown}).all()
    signatories: dict[str, dict[str, Any]] = {}
    issuers: dict[str, dict[str, Any]] = {}
    spans: list[dict[str, Any]] = []
    for s in signed:
        into = signatories if s.role == "signatory" else issuers
        if s.org_id not in into:
            into[s.org_id] = {"org_id": s.org_id, "name": s.name, "country": s.country, "raw": s.raw}
        if s.document_id == shown and s.start is not None and s.end is not None:
            spans.append({"kind": "org", "start": s.start, "end": s.end, "target": s.org_id, "label": s.name})
    for d in found_demands:
        if d.start is not None and d.end is not None:
            spans.append({"kind": "demand", "start": d.start, "end": d.end, "target": d.code, "label": d.code})
    for e in found_claims:
        if e.start is not None and e.end is not None:
            spans.append({"kind": "event", "start": e.start, "end": e.end, "target": e.event_id, "label": e.type})
    for m in found_mentions:
        if m.start is not None and m.end is not None:
            spans.append({"kind": "person", "start": m.start, "end": m.end, "target": m.person_id,
                          "label": m.person})
    clean, paragraphs, spans = _clean(text, json.loads(blocks), spans)
    return {
        **dict(row), "documents": copies, "shown": shown,
        "signatories": list(signatories.values()), "issuers": list(issuers.values()),
        "demands": [{"code": d.code, "quote": d.quote} for d in found_demands],
        "events": _unique([{"event_id": e.event_id, "type": e.type, "date": e.date, "place": e.place,
                            "country": e.country, "count": e.count, "claim": e.claim, "quote": e.quote}
                           for e in found_claims], "event_id"),
        "persons": _unique([{"person_id": m.person_id, "name": m.person, "as_written": m.name, "role": m.role,
                             "org": m.org} for m in found_mentions], "person_id"),
        "text": clean, "paragraphs": paragraphs, "spans": spans,
    }


def _clean(text: str, blocks: list[list[Any]], spans: list[dict[str, Any]]
           ) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    """The main text (the blocks not marked as site chrome, one a line, as ``documents.clean_text``), its
    paragraphs, and the spans moved from offsets in the page text to offsets in the main text (clipped to it;
    a span wholly in chrome is left out)."""
    main = sorted((b[0], b[1], b[2]) for b in blocks if b[4] is None)
    paragraphs: list[dict[str, Any]] = []
    at = 0
    for start, end, kind in main:
        paragraphs.append({"start": at, "end": at + end - start, "kind": kind, "page_start": start})
        at += end - start + 1  # the newline between two blocks
    moved = []
    for span in spans:
        inside = [p for p in paragraphs if p["page_start"] < span["end"]
                  and p["page_start"] + p["end"] - p["start"] > span["start"]]
        if not inside:
            continue
        first, last = inside[0], inside[-1]
        start = first["start"] + max(span["start"] - first["page_start"], 0)
        end = last["start"] + min(span["end"] - last["page_start"], last["end"] - last["start"])
        moved.append({**span, "start": start, "end": end})
    moved.sort(key=lambda s: (s["start"], -s["end"]))
    clean = "\n".join(text[start:end] for start, end, _ in main)
    return clean, [{"start": p["start"], "end": p["end"], "kind": p["kind"]} for p in paragraphs], moved


def document_signatures(engine: Engine, document_id: int) -> list[dict[str, Any]]:
    """One document's signatures as written, each once (a name may be both issuer and signatory), in list order:
    what a curator may correct."""
    with engine.connect() as c:
        rows = c.execute(select(signatures.c.raw, signatures.c.org_id, organizations.c.name)
                         .join(organizations, organizations.c.id == signatures.c.org_id)
                         .where(signatures.c.document_id == document_id)
                         .order_by(signatures.c.role.desc(), signatures.c.position)).all()  # signatories first
    return _unique([{"raw": r.raw, "org_id": r.org_id, "name": r.name} for r in rows], "raw")


def _found(value: Any) -> bool:
    return value is not None  # an id that is not there is not kept: a crawler's guesses would crowd out the rest


def _unique(items: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    seen: set[Any] = set()
    out = []
    for item in items:
        if item[key] not in seen:
            seen.add(item[key])
            out.append(item)
    return out


# -- organisations -----------------------------------------------------------------------------------------------


def _org_counts(c: Connection, org_ids: list[str]) -> dict[str, int]:
    """Statements each organisation signed or issued (copies counted once), as ``queries.org_profile`` counts them:
    the rows of ``org_statements``, read from its index (a union of what it signed and issued walked every
    signature of a prolific organisation)."""
    if not org_ids:
        return {}
    return {r.org_id: int(r.n) for r in c.execute(select(org_statements.c.org_id, func.count().label("n"))
                                                  .where(org_statements.c.org_id.in_(org_ids))
                                                  .group_by(org_statements.c.org_id))}


def list_organizations(engine: Engine, country: str | None, kind: str | None, limit: int,
                       offset: int) -> tuple[list[dict[str, Any]], int]:
    conditions = []
    if country:
        conditions.append(organizations.c.country == country.upper())
    if kind:
        conditions.append(organizations.c.kind == kind)
    with engine.connect() as c:
        total = c.execute(select(func.count()).select_from(organizations).where(*conditions)).scalar_one()
        rows = c.execute(select(organizations).where(*conditions).order_by(organizations.c.id)
                         .limit(limit).offset(offset)).all()
        counts = _org_counts(c, [r.id for r in rows])
    return [{"id": r.id, "name": r.name, "country": r.country, "kind": r.kind, "registry": bool(r.registry),
             "statements": counts.get(r.id, 0)} for r in rows], int(total)


def organization(engine: Engine, org_id: str, cache: DataCache | None = None) -> dict[str, Any] | None:
    """One organisation (``queries.org_profile``: statements by year, co-signers, names), with how many it signed
    and issued, the countries its statements were issued in, the ties among its co-signers (its ego network)
    and its latest statements.  With ``cache``, kept there: a few hundred organisations are read over and over,
    and the busiest one's page takes some 50 ms to work out at 100,000 statements.

    What it shares with ``queries.org_profile`` (names, counts by year, first and last, co-signers) is counted the
    same way, from the same tables (a test holds the two to it), by prepared queries: the CLI's profile also lists
    each statement's copies and roles, which this page does not show."""
    if cache is not None:
        return cache.get(("organization", org_id), lambda: organization(engine, org_id), keep=_found)
    with engine.connect() as c:
        org = c.execute(_ORG, {"org": org_id}).first()
        if org is None:
            return None
        aliases = sorted(c.execute(_ORG_NAMES, {"org": org_id}).scalars())
        years = c.execute(_ORG_YEARS, {"org": org_id}).all()
        co_signers = [{"org_id": r.org_id, "name": r.name, "country": r.country, "together": r.together}
                      for r in c.execute(_CO_SIGNERS, {"org": org_id, "top": CO_SIGNERS})]
        alters = [co["org_id"] for co in co_signers]
        signed = int(c.execute(_SIGNED_COUNT, {"org": org_id}).scalar_one())
        issued = int(c.execute(_ISSUED_COUNT, {"org": org_id}).scalar_one())
        countries = [{"country": r.country, "statements": int(r.n)}
                     for r in c.execute(_ORG_COUNTRIES, {"org": org_id, "n": ORG_COUNTRIES})]
        ties = [{"source": r.org_a, "target": r.org_b, "weight": int(r.statements)}
                for r in c.execute(_TIES, {"a": alters, "b": alters})] if len(alters) > 1 else []
        latest = _statement_rows(c, list(c.execute(_ORG_LATEST, {"org": org_id, "n": PAGE_ITEMS}).scalars()))
    return {
        "id": org_id, "name": org.name, "country": org.country, "kind": org.kind, "registry": bool(org.registry),
        "aliases": aliases[:ALIASES], "statements": sum(int(n) for _, n, _, _ in years), "signed": signed,
        "issued": issued, "first": min((low for _, _, low, _ in years if low), default=None),
        "last": max((high for _, _, _, high in years if high), default=None),
        "by_year": {int(year): int(n) for year, n, _, _ in years if year is not None},
        "co_signers": co_signers, "ties": ties, "countries": countries, "latest": latest,
    }


# -- persons -----------------------------------------------------------------------------------------------------


def list_persons(engine: Engine, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    with engine.connect() as c:
        total = c.execute(select(func.count()).select_from(persons)).scalar_one()
        rows = c.execute(select(persons).order_by(persons.c.id).limit(limit).offset(offset)).all()
        ids = [r.id for r in rows]
        counts = dict(c.execute(select(mentions.c.person_id, func.count()).where(mentions.c.person_id.in_(ids))
                                .group_by(mentions.c.person_id)).tuples().all()) if ids else {}
    return [{"id": r.id, "name": r.name, "mentions": int(counts.get(r.id, 0))} for r in rows], int(total)


def person(engine: Engine, person_id: str) -> dict[str, Any] | None:
    with engine.connect() as c:
        row = c.execute(select(persons).where(persons.c.id == person_id)).first()
        if row is None:
            return None
        total = c.execute(select(func.count()).select_from(mentions)
                          .where(mentions.c.person_id == person_id)).scalar_one()
        found = c.execute(
            select(mentions.c.document_id, mentions.c.name, mentions.c.role, mentions.c.org, mentions.c.quote,
                   documents.c.statement_id, documents.c.title, documents.c.date, documents.c.country)
            .join(documents, documents.c.id == mentions.c.document_id)
            .where(mentions.c.person_id == person_id)
            .order_by(documents.c.date.desc(), mentions.c.id).limit(PAGE_ITEMS * 5)).all()
    return {"id": row.id, "name": row.name, "total": int(total),
            "mentions": [{"document": m.document_id, "statement": m.statement_id, "as_written": m.name,
                          "role": m.role, "org": m.org, "title": m.title, "date": m.date, "country": m.country}
                         for m in found]}


# -- events ------------------------------------------------------------------------------------------------------


def list_events(engine: Engine, kind: str | None, country: str | None, limit: int,
                offset: int) -> tuple[list[dict[str, Any]], int]:
    """Events, latest first within a country (``ix_events_country_date``), by id otherwise."""
    conditions = []
    if kind:
        conditions.append(events.c.type == kind)
    if country:
        conditions.append(events.c.country == country.upper())
    order = [events.c.date.desc(), events.c.id.desc()] if country else [events.c.id.desc()]
    with engine.connect() as c:
        total = c.execute(select(func.count()).select_from(events).where(*conditions)).scalar_one()
        rows = c.execute(select(events).where(*conditions).order_by(*order).limit(limit).offset(offset)).all()
        ids = [r.id for r in rows]
        counts = dict(c.execute(select(claims.c.event_id, func.count()).where(claims.c.event_id.in_(ids))
                                .group_by(claims.c.event_id)).tuples().all()) if ids else {}
    return [{"id": r.id, "type": r.type, "date": r.date, "place": r.place, "country": r.country,
             "claims": int(counts.get(r.id, 0))} for r in rows], int(total)


def event(engine: Engine, event_id: int) -> dict[str, Any] | None:
    """One event with the claim of every source that reports it, and who published each."""
    if not -MAX_ROW_ID <= event_id <= MAX_ROW_ID:
        return None  # no row has it, and the driver cannot even bind it
    with engine.connect() as c:
        row = c.execute(select(events).where(events.c.id == event_id)).first()
        if row is None:
            return None
        found = c.execute(
            select(claims.c.document_id, claims.c.count, claims.c.claim, claims.c.date, claims.c.place,
                   claims.c.quote, documents.c.statement_id, documents.c.title, documents.c.date.label("published"),
                   documents.c.source, documents.c.url, documents.c.languages)
            .join(documents, documents.c.id == claims.c.document_id)
            .where(claims.c.event_id == event_id).order_by(documents.c.date, documents.c.id)
            .limit(PAGE_ITEMS * 5)).all()
        by = _publishers(c, [r.document_id for r in found])
    return {"id": row.id, "type": row.type, "date": row.date, "place": row.place, "country": row.country,
            "claims": [{"document": r.document_id, "statement": r.statement_id, "count": r.count, "claim": r.claim,
                        "date": r.date, "place": r.place, "quote": r.quote, "title": r.title,
                        "published": r.published, "source": r.source, "url": r.url,
                        "language": (r.languages or "").split(",")[0] or None, "by": by.get(r.document_id)}
                       for r in found]}


def _publishers(c: Connection, document_ids: list[int]) -> dict[int, dict[str, str]]:
    """The first issuer (else signatory) of each document, to say whose figure a claim is."""
    if not document_ids:
        return {}
    out: dict[int, dict[str, str]] = {}
    for r in c.execute(
        select(signatures.c.document_id, signatures.c.org_id, organizations.c.name)
        .join(organizations, organizations.c.id == signatures.c.org_id)
        .where(signatures.c.document_id.in_(document_ids))
        .order_by(signatures.c.document_id, signatures.c.role, signatures.c.position)  # "issuer" < "signatory"
    ):
        out.setdefault(r.document_id, {"org_id": r.org_id, "name": r.name})
    return out


# -- countries ---------------------------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def country_name(code: str | None) -> str:
    if not code:
        return ""
    import pycountry

    found = pycountry.countries.get(alpha_2=code.upper())
    return str(getattr(found, "common_name", None) or found.name) if found else code.upper()


def country(engine: Engine, code: str) -> dict[str, Any]:
    """A country: its organisations, the events there and the statements issued there or reporting them."""
    code = code.upper()
    with engine.connect() as c:
        org_total = c.execute(select(func.count()).select_from(organizations)
                              .where(organizations.c.country == code)).scalar_one()
        orgs = c.execute(select(organizations).where(organizations.c.country == code)
                         .order_by(organizations.c.registry.desc(), organizations.c.name).limit(COUNTRY_ORGS)).all()
        counts = _org_counts(c, [o.id for o in orgs])
        event_total = c.execute(select(func.count()).select_from(events).where(events.c.country == code)).scalar_one()
        issued = select(documents.c.statement_id.label("id")).where(documents.c.country == code,
                                                                     documents.c.statement_id.is_not(None))
        reported = (select(documents.c.statement_id.label("id"))
                    .join(claims, claims.c.document_id == documents.c.id)
                    .join(events, events.c.id == claims.c.event_id)
                    .where(events.c.country == code, documents.c.statement_id.is_not(None)))
        about = union(issued, reported).subquery()
        statement_total = c.execute(select(func.count()).select_from(about)).scalar_one()
        ids = list(c.execute(select(about.c.id).order_by(about.c.id.desc()).limit(PAGE_ITEMS * 2)).scalars())
        about_rows = _statement_rows(c, ids)
    return {"code": code, "name": country_name(code), "organizations_total": int(org_total),
            "organizations": [{"id": o.id, "name": o.name, "kind": o.kind, "registry": bool(o.registry),
                               "statements": counts.get(o.id, 0)} for o in orgs],
            "events_total": int(event_total), "statements_total": int(statement_total), "statements": about_rows}


def countries_with_events(engine: Engine, cache: DataCache | None = None) -> list[dict[str, Any]]:
    """Countries that have a timeline, most events first (a scan of ``ix_events_country_date``: 4-8 ms at 100,000
    statements, so the front page keeps it in ``cache``)."""
    if cache is not None:
        return cache.get(("countries_with_events",), lambda: countries_with_events(engine))
    with engine.connect() as c:
        rows = c.execute(select(events.c.country, func.count().label("n")).where(events.c.country.is_not(None))
                         .group_by(events.c.country).order_by(func.count().desc(), events.c.country)).all()
    return [{"country": r.country, "name": country_name(r.country), "events": int(r.n)} for r in rows]


def timeline(engine: Engine, code: str, limit: int = TIMELINE_LIMIT) -> list[dict[str, Any]]:
    return queries.timeline(engine, code, limit=limit)


# -- search ------------------------------------------------------------------------------------------------------

_fts = table("documents_fts", column("rowid"), column("rank"), column("documents_fts"))


def _matching(dialect: str, q: str) -> tuple[Select[Any], Any]:
    """Documents matching the words of ``q``: a query of their ids, and the order of relevance."""
    if dialect == "sqlite":
        query = (select(documents.c.id).select_from(_fts.join(documents, documents.c.id == _fts.c.rowid))
                 .where(_fts.c.documents_fts.op("MATCH")(queries.fts_query(q))))
        return query, _fts.c.rank
    if dialect == "postgresql":  # the words as each document's language stems them (store.queries)
        return select(documents.c.id).where(queries.ts_match(q)), queries.ts_rank(q).desc()
    like = f"%{q}%"
    return select(documents.c.id).where(or_(documents.c.title.ilike(like), documents.c.clean_text.ilike(like))), \
        documents.c.id.desc()


_TEXT_COLUMN = 1  # documents_fts(title, clean_text): snippets come from the text, as `solidarity search` has them


def _snippet(dialect: str, q: str) -> Any:
    if dialect == "sqlite":
        # From the text only: the title is shown above it, and choosing the better of two columns (-1) made FTS5
        # work out a snippet of each, a third more of the page's SQL time.
        return func.snippet(literal_column("documents_fts"), _TEXT_COLUMN, HIT_START, HIT_END, "…", SNIPPET_WORDS)
    if dialect == "postgresql":
        return queries.ts_snippet(q, HIT_START, HIT_END, SNIPPET_WORDS)
    return func.substr(documents.c.clean_text, 1, 160)


_HIT_COLUMNS = (documents.c.id, documents.c.statement_id, documents.c.title, documents.c.date, documents.c.doc_type,
                documents.c.country, documents.c.languages, documents.c.source)


def _fts_page(order: Any) -> Select[Any]:
    """A page of the documents matching ``:match`` in the full-text index, with snippets (SQLite, no filter)."""
    return (select(*_HIT_COLUMNS, _snippet("sqlite", "").label("snippet"))
            .select_from(_fts.join(documents, documents.c.id == _fts.c.rowid))
            .where(_fts.c.documents_fts.op("MATCH")(bindparam("match")))
            .order_by(order).limit(bindparam("limit")).offset(bindparam("offset")))


_FTS_RANKED = _fts_page(_fts.c.rank)
_FTS_LATEST = _fts_page(_fts.c.rowid.desc())


def search(engine: Engine, q: str, f: Filters, limit: int, offset: int, facets: bool = True,
           cache: DataCache | None = None) -> dict[str, Any]:
    """Documents with every word of ``q`` (all documents, newest first, when it is empty), narrowed by the
    filters, best first (the latest first for words found in more than ``queries.RANKED_MATCHES`` documents, as
    ``solidarity search`` does), each with a snippet; facets of year, country, kind, language and organisation.

    With ``cache``, what is the same on every page of one search (the number of matches, the facets, whether they
    are ranked) is kept there, per words and filters: a page then costs only its own rows and snippets."""
    q = q.strip()
    with engine.connect() as c:
        dialect = c.dialect.name
        if q:
            queries.index_first(c)
        terms = queries.fts_query(q) if q and dialect == "sqlite" else ""
        if q and dialect == "sqlite" and not terms:
            return {"items": [], "total": 0, "facets": {}, "facets_sampled": False}  # no word to look for
        plain = bool(terms) and f == Filters()  # words and no filter: the full-text index alone answers

        def queries_of() -> tuple[Select[Any], Any, Select[Any], Select[Any] | None]:
            """The matching documents' ids, their order, what is counted, and the full-text index's matches."""
            conditions = _document_conditions(f)
            if not q:
                matching = select(documents.c.id).where(*conditions)
                return matching, None, matching, None
            matching, rank = _matching(dialect, q)
            matching = matching.where(*conditions)
            if dialect == "postgresql":  # the GIN index alone tells whether there are many matches
                return matching, rank, matching, select(documents.c.id).where(queries.ts_match(q))
            if not terms:
                return matching, rank, matching, None
            # Only the full-text index: joining each match to its document row (a whole text) to count it cost
            # 100 ms for a word in 30,000 documents, the index alone 3 ms.
            in_index = select(_fts.c.rowid.label("id")).where(_fts.c.documents_fts.op("MATCH")(terms))
            return matching, rank, in_index if plain else matching, in_index

        def summarise() -> dict[str, Any]:
            _, _, counted, in_index = queries_of()
            total = int(c.execute(select(func.count()).select_from(counted.subquery())).scalar_one())
            # bm25 scores every match before the first page is known: past RANKED_MATCHES, the latest first.
            many = in_index is not None and c.execute(
                in_index.limit(1).offset(queries.RANKED_MATCHES)).first() is not None
            return {"total": total, "many": many, "facets": _facets(c, counted) if facets and total else {}}

        summary = cache.get(("search", q, f, facets), summarise) if cache is not None else summarise()
        params: dict[str, Any] = {}
        if plain:  # prepared once: the common case costs no query building
            page_query: Select[Any] = _FTS_LATEST if summary["many"] else _FTS_RANKED
            params = {"match": terms, "limit": limit, "offset": offset}
        elif q:
            matching, rank, _, _ = queries_of()
            latest = _fts.c.rowid.desc() if dialect == "sqlite" else documents.c.id.desc()
            order = latest if summary["many"] else rank
            page_query = matching.with_only_columns(*_HIT_COLUMNS, _snippet(dialect, q).label("snippet")) \
                .order_by(order).limit(limit).offset(offset)
        else:
            page_query = (select(*_HIT_COLUMNS, func.substr(documents.c.clean_text, 1, SNIPPET_WORDS * 10)
                                 .label("snippet")).where(*_document_conditions(f))
                          .order_by(documents.c.date.desc(), documents.c.id.desc()).limit(limit).offset(offset))
        items = [{"document": document, "statement": statement_id, "title": title, "date": day, "doc_type": kind,
                  "country": country, "languages": [x for x in (languages or "").split(",") if x], "source": source,
                  "snippet": snippet or ""}
                 for document, statement_id, title, day, kind, country, languages, source, snippet
                 in c.execute(page_query, params).tuples().all()]
    total = summary["total"]
    return {"items": items, "total": total, "facets": summary["facets"], "facets_sampled": total > FACET_SAMPLE}


def _facets(c: Connection, matching: Select[Any]) -> dict[str, list[dict[str, Any]]]:
    sample = matching.limit(FACET_SAMPLE).subquery()
    counters: dict[str, Counter[Any]] = {"year": Counter(), "country": Counter(), "doc_type": Counter(),
                                         "language": Counter()}
    for r in c.execute(select(documents.c.year, documents.c.country, documents.c.doc_type, documents.c.languages)
                       .where(documents.c.id.in_(select(sample.c.id)))):
        for name, value in (("year", r.year), ("country", r.country), ("doc_type", r.doc_type)):
            if value is not None:
                counters[name][value] += 1
        for language in {x for x in (r.languages or "").split(",") if x}:
            counters["language"][language] += 1
    out: dict[str, list[dict[str, Any]]] = {
        name: [{"value": v, "label": str(v), "count": n}
               for v, n in sorted(counter.items(), key=lambda item: (-item[1], str(item[0])))[:FACET_VALUES]]
        for name, counter in counters.items()
    }
    out["year"].sort(key=lambda item: -int(item["value"]))
    for item in out["country"]:
        item["label"] = country_name(item["value"])
    n = func.count(distinct(signatures.c.document_id))
    # Counted first, named after: only the top organisations are looked up, not each signature's.
    top = (select(signatures.c.org_id, n.label("n")).where(signatures.c.document_id.in_(select(sample.c.id)))
           .group_by(signatures.c.org_id).order_by(n.desc(), signatures.c.org_id).limit(FACET_VALUES).subquery())
    out["org"] = [{"value": r.org_id, "label": r.name, "count": int(r.n)} for r in c.execute(
        select(top.c.org_id, organizations.c.name, top.c.n).join(organizations, organizations.c.id == top.c.org_id)
        .order_by(top.c.n.desc(), top.c.org_id))]
    return out


def snippet_parts(snippet: str) -> list[tuple[str, bool]]:
    """A snippet as pieces of plain text, each marked as a hit or not (to escape and render one by one)."""
    parts: list[tuple[str, bool]] = []
    hit = False
    for piece in _HIT_MARK.split(snippet):  # the marks themselves are kept by the split, as pieces of their own
        if piece in (HIT_START, HIT_END):
            hit = piece == HIT_START
        elif piece:
            parts.append((piece, hit))
    return parts


def snippet_plain(snippet: str) -> tuple[str, list[tuple[int, int]]]:
    """A snippet without its hit marks, and the [start, end) of each hit in it."""
    text, hits, at = "", [], 0
    for piece, hit in snippet_parts(snippet):
        if hit:
            hits.append((at, at + len(piece)))
        text += piece
        at += len(piece)
    return text, hits


# -- the co-signature network ------------------------------------------------------------------------------------


def network(engine: Engine, since: int | None, until: int | None, limit: int = NETWORK_NODES,
            cache: DataCache | None = None) -> dict[str, Any]:
    """The ``limit`` organisations with the most co-signatures (weighted degree) in the co-signature network of
    the statements dated within [since, until] (all statements, undated ones too, without a range), the links
    among them, their Louvain communities and centralities (as ``analyze.network.analyse`` has them, among
    these nodes).

    Read in SQL from the pair counts (``cosignatures``) or, for a year range, from ``statement_signers``: the
    whole network is never built in memory."""
    def compute() -> dict[str, Any]:
        return _network(engine, since, until, limit)

    return cache.get(("network", since, until, limit), compute) if cache else compute()


def _network(engine: Engine, since: int | None, until: int | None, limit: int) -> dict[str, Any]:
    years = []
    if since is not None:
        years.append(statements.c.year >= since)
    if until is not None:
        years.append(statements.c.year <= until)
    with engine.connect() as c:
        if not years:
            ends = union_all(select(cosignatures.c.org_a.label("org_id"), cosignatures.c.statements.label("n")),
                             select(cosignatures.c.org_b.label("org_id"), cosignatures.c.statements.label("n"))
                             ).subquery()
            weight = func.sum(ends.c.n)
            top = c.execute(select(ends.c.org_id, weight.label("weight")).group_by(ends.c.org_id)
                            .order_by(weight.desc(), ends.c.org_id).limit(limit)).all()
            total_nodes = c.execute(select(func.count(distinct(statement_signers.c.org_id)))).scalar_one()
            total_edges = c.execute(select(func.count()).select_from(cosignatures)).scalar_one()
            ids = [r.org_id for r in top]
            pairs = c.execute(select(cosignatures.c.org_a, cosignatures.c.org_b, cosignatures.c.statements)
                              .where(cosignatures.c.org_a.in_(ids), cosignatures.c.org_b.in_(ids))).all()
            signed = dict(c.execute(select(statement_signers.c.org_id, func.count())
                                    .where(statement_signers.c.org_id.in_(ids))
                                    .group_by(statement_signers.c.org_id)).tuples().all())
        else:
            in_range = select(statements.c.id).where(*years)
            # A statement with k signatories gives each of them k - 1 co-signatures (none past MAX_COSIGNERS, as in
            # the writer's pair counts).
            sizes = (select(statement_signers.c.statement_id, (func.count() - 1).label("others"))
                     .where(statement_signers.c.statement_id.in_(in_range))
                     .group_by(statement_signers.c.statement_id).having(func.count() <= MAX_COSIGNERS).subquery())
            weight = func.sum(sizes.c.others)
            top = c.execute(
                select(statement_signers.c.org_id, weight.label("weight"), func.count().label("signed"))
                .select_from(sizes.join(statement_signers, statement_signers.c.statement_id == sizes.c.statement_id))
                .group_by(statement_signers.c.org_id).having(weight > 0)
                .order_by(weight.desc(), statement_signers.c.org_id).limit(limit)).all()
            total_nodes = c.execute(select(func.count(distinct(statement_signers.c.org_id)))
                                    .where(statement_signers.c.statement_id.in_(in_range))).scalar_one()
            total_edges = None  # counting every pair of a range costs what drawing only the top is meant to avoid
            ids = [r.org_id for r in top]
            signed = {r.org_id: r.signed for r in top}
            # Their signatures in the range, read through the org_id index, then paired.
            mine = (select(statement_signers.c.statement_id, statement_signers.c.org_id)
                    .join(statements, statements.c.id == statement_signers.c.statement_id)
                    .where(statement_signers.c.org_id.in_(ids), *years,
                           statement_signers.c.statement_id.in_(select(sizes.c.statement_id))).cte("mine"))
            a, b = mine.alias("a"), mine.alias("b")
            pairs = c.execute(
                select(a.c.org_id.label("org_a"), b.c.org_id.label("org_b"), func.count().label("statements"))
                .select_from(a.join(b, and_(a.c.statement_id == b.c.statement_id, a.c.org_id < b.c.org_id)))
                .group_by(a.c.org_id, b.c.org_id)).all()
        info = {r.id: r for r in c.execute(select(organizations.c.id, organizations.c.name, organizations.c.country,
                                                  organizations.c.kind).where(organizations.c.id.in_(ids)))}
    graph = nx.Graph()
    for org_id in ids:
        row = info.get(org_id)
        graph.add_node(org_id, name=row.name if row else org_id, country=(row.country if row else None) or "",
                       kind=(row.kind if row else None) or "", statements=int(signed.get(org_id, 0)))
    graph.add_weighted_edges_from((r.org_a, r.org_b, int(r.statements)) for r in pairs)
    # analyse()'s communities (same algorithm, same seed), with betweenness estimated from a sample of sources:
    # the exact one analyse() computes below 500 nodes takes seconds on the dense core of a large network.
    found = sorted(nx.community.louvain_communities(graph, weight="weight", seed=SEED), key=len, reverse=True) \
        if graph.number_of_nodes() else []
    community = {node: index for index, members in enumerate(found) for node in members}
    sample = min(graph.number_of_nodes(), BETWEENNESS_SOURCES)
    betweenness = nx.betweenness_centrality(graph, k=sample, seed=SEED, normalized=True) if sample else {}
    nodes = []
    for r in top:
        node = graph.nodes[r.org_id]
        nodes.append({"id": r.org_id, "name": node["name"], "country": node["country"] or None,
                      "kind": node["kind"] or None, "statements": node["statements"], "cosignatures": int(r.weight),
                      "degree": graph.degree(r.org_id), "strength": graph.degree(r.org_id, weight="weight"),
                      "betweenness": round(betweenness.get(r.org_id, 0.0), 6), "community": community[r.org_id]})
    edges = [{"source": r.org_a, "target": r.org_b, "weight": int(r.statements)}
             for r in sorted(pairs, key=lambda r: (r.org_a, r.org_b))]
    strength = {n["id"]: n["cosignatures"] for n in nodes}
    communities = [{"id": index, "size": len(members), "members": sorted(members, key=lambda m: (-strength[m], m))}
                   for index, members in enumerate(found)]
    # Modularity is undefined without a link (networkx divides by the total weight): one node, or none linked.
    linked = graph.size(weight="weight") > 0
    modularity = round(nx.community.modularity(graph, found, weight="weight"), 4) if found and linked else None
    return {"since": since, "until": until, "nodes": nodes, "edges": edges, "communities": communities,
            "modularity": modularity, "total_nodes": int(total_nodes),
            "total_edges": None if total_edges is None else int(total_edges)}
