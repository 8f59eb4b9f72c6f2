"""The JSON API, ``/api/v1``: the website's resources as typed JSON (described at ``/openapi.json``).

Lists take ``limit`` (at most :data:`MAX_LIMIT`) and ``offset`` and answer
``{"items", "total", "limit", "offset", "next"}``; ``format=csv`` gives the
same page as CSV with a header row.  An unknown id is a 404
``{"detail": ...}``, a malformed parameter a 422.  ETags, the rate limit and
the security headers are added by the application's middleware.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated, Any, Generic, Literal, TypeVar

import anyio.to_thread
from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import Engine

from solidarity_atlas.model import DocType
from solidarity_atlas.web import data
from solidarity_atlas.web.auth import SESSION_COOKIE

router = APIRouter(tags=["atlas"])

DEFAULT_LIMIT = 50
MAX_LIMIT = 200  # items in one page of a list: enough for a table, small enough to answer fast
MAX_OFFSET = 1_000_000  # an offset walks the rows before it: past this, narrow the list with filters instead
MAX_NETWORK_NODES = 500  # organisations in one network answer: more are neither readable nor quick to lay out
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet runs a cell starting so as a formula

ItemT = TypeVar("ItemT")

# -- parameters shared with the pages ----------------------------------------------------------------------------

Country = Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 code, e.g. KZ.")]
CountryCode = Annotated[str, Path(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 code, e.g. KZ.")]
Year = Annotated[int | None, Query(ge=1, le=9999)]
Language = Annotated[str | None, Query(pattern=r"^[a-z]{2,3}$", description="ISO 639-1 code, e.g. ru.")]
OrgId = Annotated[str | None, Query(min_length=1, max_length=200, description="An organisation's id.")]
Word = Annotated[str | None, Query(pattern=r"^[a-z_]{1,20}$")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
Format = Annotated[Literal["json", "csv"], Query(alias="format", description="json, or csv for a table.")]


# The dependencies are coroutines: FastAPI runs a plain function in the thread pool, one trip there and back (and
# one more wait for a free thread) per dependency and request.
async def statement_filters(year: Year = None, country: Country = None, doc_type: DocType | None = None,
                      language: Language = None, org: OrgId = None) -> data.Filters:
    return data.Filters(year=year, country=country.upper() if country else None, doc_type=doc_type,
                        language=language, org=org)


Filters = Annotated[data.Filters, Depends(statement_filters)]


async def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def cache_of(request: Request) -> data.DataCache:
    """The application's cache; for a request that carries a session cookie (a curator's), with the data's version
    read now, so that a correction shows at once whichever worker process made it."""
    cache: data.DataCache = request.app.state.cache
    if SESSION_COOKIE in request.cookies:
        await anyio.to_thread.run_sync(cache.version, True)
    return cache


DB = Annotated[Engine, Depends(engine_of)]
Cache = Annotated[data.DataCache, Depends(cache_of)]

# -- response models ---------------------------------------------------------------------------------------------


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    total: int
    limit: int
    offset: int
    next: str | None


class Stats(BaseModel):
    documents: int
    statements: int
    inputs: int
    inputs_stored: int
    inputs_duplicate: int
    inputs_quarantined: int
    organizations: int
    signatures: int
    signature_mentions: int
    persons: int
    mentions: int
    events: int
    claims: int


class StatementSummary(BaseModel):
    id: int
    title: str | None
    date: str | None
    year: int | None
    doc_type: str | None
    copies: int
    countries: list[str]
    languages: list[str]


class StatementList(Page[StatementSummary]):
    pass


class DocumentInfo(BaseModel):
    id: int
    source: str
    url: str | None
    title: str | None
    date: str | None
    place: str | None
    country: str | None
    languages: list[str]
    doc_type: str | None
    flags: list[str]
    format: str | None
    fetched_at: str | None


class Signatory(BaseModel):
    org_id: str
    name: str
    country: str | None
    raw: str


class Demand(BaseModel):
    code: str
    quote: str | None


class StatementEvent(BaseModel):
    event_id: int
    type: str
    date: str | None
    place: str | None
    country: str | None
    count: int | None
    claim: str | None
    quote: str


class PersonMentioned(BaseModel):
    person_id: str
    name: str
    as_written: str
    role: str | None
    org: str | None


class Paragraph(BaseModel):
    start: int
    end: int
    kind: str


class Span(BaseModel):
    kind: Literal["org", "demand", "event", "person"]
    start: int
    end: int
    target: str | int
    label: str | None


class StatementDetail(BaseModel):
    """A statement and everything extracted from the copy shown; ``spans`` locate what was extracted in
    ``text`` (the main text of that copy)."""

    id: int
    title: str | None
    date: str | None
    year: int | None
    doc_type: str | None
    copies: int
    documents: list[DocumentInfo]
    shown: int | None
    signatories: list[Signatory]
    issuers: list[Signatory]
    demands: list[Demand]
    events: list[StatementEvent]
    persons: list[PersonMentioned]
    text: str
    paragraphs: list[Paragraph]
    spans: list[Span]


class OrganizationSummary(BaseModel):
    id: str
    name: str
    country: str | None
    kind: str | None
    registry: bool
    statements: int


class OrganizationList(Page[OrganizationSummary]):
    pass


class CoSigner(BaseModel):
    org_id: str
    name: str
    country: str | None
    together: int


class Tie(BaseModel):
    source: str
    target: str
    weight: int


class YearCount(BaseModel):
    year: int
    statements: int


class CountryCount(BaseModel):
    country: str
    statements: int


class OrganizationDetail(BaseModel):
    id: str
    name: str
    country: str | None
    kind: str | None
    registry: bool
    aliases: list[str]
    statements: int
    signed: int
    issued: int
    first: str | None
    last: str | None
    by_year: list[YearCount]
    co_signers: list[CoSigner]
    ties: list[Tie]
    countries: list[CountryCount]
    latest: list[StatementSummary]


class PersonSummary(BaseModel):
    id: str
    name: str
    mentions: int


class PersonList(Page[PersonSummary]):
    pass


class Mention(BaseModel):
    document: int
    statement: int | None
    as_written: str
    role: str | None
    org: str | None
    title: str | None
    date: str | None
    country: str | None


class PersonDetail(BaseModel):
    id: str
    name: str
    total: int
    mentions: list[Mention]


class EventSummary(BaseModel):
    id: int
    type: str
    date: str | None
    place: str | None
    country: str | None
    claims: int


class EventList(Page[EventSummary]):
    pass


class Publisher(BaseModel):
    org_id: str
    name: str


class Claim(BaseModel):
    document: int
    statement: int | None
    count: int | None
    claim: str | None
    date: str | None
    place: str | None
    quote: str
    title: str | None
    published: str | None
    source: str
    url: str | None
    language: str | None
    by: Publisher | None


class EventDetail(BaseModel):
    id: int
    type: str
    date: str | None
    place: str | None
    country: str | None
    claims: list[Claim]


class OrganizationInCountry(BaseModel):
    id: str
    name: str
    kind: str | None
    registry: bool
    statements: int


class CountryDetail(BaseModel):
    code: str
    name: str
    organizations_total: int
    organizations: list[OrganizationInCountry]
    events_total: int
    statements_total: int
    statements: list[StatementSummary]


class SearchHit(BaseModel):
    document: int
    statement: int | None
    title: str | None
    date: str | None
    doc_type: str | None
    country: str | None
    languages: list[str]
    source: str
    snippet: str
    highlights: list[tuple[int, int]]


class FacetValue(BaseModel):
    value: str | int
    label: str
    count: int


class SearchResults(Page[SearchHit]):
    query: str
    facets: dict[str, list[FacetValue]]
    facets_sampled: bool


class NetworkNode(BaseModel):
    """An organisation: ``statements`` it signed and ``cosignatures`` (its weighted degree) in the whole network of
    the years asked for; ``degree``, ``strength``, ``betweenness`` and ``community`` among the nodes given."""

    id: str
    name: str
    country: str | None
    kind: str | None
    statements: int
    cosignatures: int
    degree: int
    strength: int
    betweenness: float
    community: int


class NetworkEdge(BaseModel):
    source: str
    target: str
    weight: int


class Community(BaseModel):
    id: int
    size: int
    members: list[str]


class Network(BaseModel):
    """The best-connected organisations of the co-signature network (``nodes`` of ``total_nodes``), the links
    among them (weight: statements signed together) and their Louvain communities.  ``total_edges`` counts the
    links of the whole network; it is null for a year range."""

    since: int | None
    until: int | None
    nodes: list[NetworkNode]
    edges: list[NetworkEdge]
    communities: list[Community]
    modularity: float | None
    total_nodes: int
    total_edges: int | None


class TimelineClaim(BaseModel):
    count: int | None
    claim: str | None
    quote: str
    document: int
    source: str
    title: str | None
    published: str | None
    by: str | None


class TimelineEntry(BaseModel):
    kind: Literal["event", "statement"]
    id: int
    date: str | None
    type: str | None
    title: str | None = None
    place: str | None = None
    country: str | None = None
    claims: list[TimelineClaim] = []


class Timeline(BaseModel):
    country: str
    name: str
    items: list[TimelineEntry]


# -- helpers -----------------------------------------------------------------------------------------------------

Responses = dict[int | str, dict[str, Any]]
NOT_FOUND: Responses = {404: {"description": "No such resource.",
                              "content": {"application/json": {"example": {"detail": "no statement 99"}}}}}
CSV_RESPONSE: Responses = {200: {"content": {"text/csv": {}}, "description": "The page, as JSON or (format=csv) CSV."}}


def page(request: Request, model: type[Page[Any]], items: list[Any], total: int, limit: int, offset: int,
         fmt: str, name: str, **extra: Any) -> Any:
    """A page of a list as its model's JSON, or as CSV."""
    if fmt == "csv":
        item_model = model.model_fields["items"].annotation.__args__[0]  # type: ignore[union-attr]
        return csv_response(list(item_model.model_fields), items, name)
    following = None
    if offset + limit < total:  # relative: a link built from the Host header could point anywhere
        after = request.url.include_query_params(offset=offset + limit)
        following = f"{after.path}?{after.query}"
    return {"items": items, "total": total, "limit": limit, "offset": offset, "next": following, **extra}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        text = "; ".join(str(v) for v in value)
    elif isinstance(value, list | dict | tuple):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    if not isinstance(value, int | float) and text.startswith(CSV_FORMULA_START):
        text = "'" + text  # shown as text, never run, when the file is opened in a spreadsheet
    return text


def csv_response(columns: list[str], rows: list[dict[str, Any]], name: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


def not_found(what: str) -> HTTPException:
    return HTTPException(status_code=404, detail=f"no {what}")


def organization_out(found: dict[str, Any]) -> dict[str, Any]:
    return {**found, "by_year": [{"year": y, "statements": n} for y, n in found["by_year"].items()]}


def search_hits(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        snippet, highlights = data.snippet_plain(item["snippet"])
        out.append({**item, "snippet": snippet, "highlights": highlights})
    return out


# -- endpoints ---------------------------------------------------------------------------------------------------


@router.get("/stats", response_model=Stats, summary="Counts of what the knowledge base holds")
def get_stats(engine: DB, cache: Cache) -> Any:
    return data.stats(engine, cache)


@router.get("/statements", response_model=StatementList, responses=CSV_RESPONSE, summary="Statements")
def list_statements(request: Request, engine: DB, filters: Filters, limit: Limit = DEFAULT_LIMIT,
                    offset: Offset = 0, fmt: Format = "json") -> Any:
    """Statements (a text and its copies and translations), newest year first, narrowed by year, country of
    issue, kind, language or signing organisation."""
    items, total = data.list_statements(engine, filters, limit, offset)
    return page(request, StatementList, items, total, limit, offset, fmt, "statements")


@router.get("/statements/{statement_id}", response_model=StatementDetail, responses=NOT_FOUND,
            summary="One statement")
def get_statement(engine: DB, statement_id: int,
                  document: Annotated[int | None, Query(description="The copy to show (a document id).")] = None
                  ) -> Any:
    found = data.statement(engine, statement_id, document)
    if found is None:
        raise not_found(f"statement {statement_id}" + (f" with document {document}" if document else ""))
    return found


@router.get("/organizations", response_model=OrganizationList, responses=CSV_RESPONSE, summary="Organisations")
def list_organizations(request: Request, engine: DB, country: Country = None, kind: Word = None,
                       limit: Limit = DEFAULT_LIMIT, offset: Offset = 0, fmt: Format = "json") -> Any:
    items, total = data.list_organizations(engine, country, kind, limit, offset)
    return page(request, OrganizationList, items, total, limit, offset, fmt, "organizations")


@router.get("/organizations/{org_id:path}", response_model=OrganizationDetail, responses=NOT_FOUND,
            summary="One organisation")
def get_organization(engine: DB, cache: Cache, org_id: str) -> Any:
    found = data.organization(engine, org_id, cache)
    if found is None:
        raise not_found(f"organisation {org_id!r}")
    return organization_out(found)


@router.get("/persons", response_model=PersonList, responses=CSV_RESPONSE, summary="Persons")
def list_persons(request: Request, engine: DB, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0,
                 fmt: Format = "json") -> Any:
    items, total = data.list_persons(engine, limit, offset)
    return page(request, PersonList, items, total, limit, offset, fmt, "persons")


@router.get("/persons/{person_id}", response_model=PersonDetail, responses=NOT_FOUND, summary="One person")
def get_person(engine: DB, person_id: str) -> Any:
    found = data.person(engine, person_id)
    if found is None:
        raise not_found(f"person {person_id!r}")
    return found


@router.get("/events", response_model=EventList, responses=CSV_RESPONSE, summary="Events")
def list_events(request: Request, engine: DB, type: Word = None, country: Country = None,
                limit: Limit = DEFAULT_LIMIT, offset: Offset = 0, fmt: Format = "json") -> Any:
    items, total = data.list_events(engine, type, country, limit, offset)
    return page(request, EventList, items, total, limit, offset, fmt, "events")


@router.get("/events/{event_id}", response_model=EventDetail, responses=NOT_FOUND, summary="One event")
def get_event(engine: DB, event_id: int) -> Any:
    """An event with the claim of each source that reports it (its figure, its sentence, who published it)."""
    found = data.event(engine, event_id)
    if found is None:
        raise not_found(f"event {event_id}")
    return found


@router.get("/countries/{code}", response_model=CountryDetail, summary="One country")
def get_country(engine: DB, code: CountryCode) -> Any:
    return data.country(engine, code)


@router.get("/search", response_model=SearchResults, responses=CSV_RESPONSE, summary="Full-text search")
def search(request: Request, engine: DB, cache: Cache, filters: Filters,
           q: Annotated[str, Query(max_length=500, description="Words that must all appear.")] = "",
           limit: Limit = DEFAULT_LIMIT, offset: Offset = 0, fmt: Format = "json") -> Any:
    """Documents with every word of ``q`` (every document, newest first, without ``q``), best first (the latest
    first when the words are in more than 5,000 documents), each with a snippet and the offsets of the words found
    in it; facets count the first 1,000 matches."""
    found = data.search(engine, q, filters, limit, offset, facets=fmt == "json", cache=cache)
    hits = search_hits(found["items"])
    return page(request, SearchResults, hits, found["total"], limit, offset, fmt, "search", query=q,
                facets=found["facets"], facets_sampled=found["facets_sampled"])


@router.get("/network", response_model=Network, summary="The co-signature network")
def network(engine: DB, cache: Cache, since: Year = None, until: Year = None,
            limit: Annotated[int, Query(ge=1, le=MAX_NETWORK_NODES)] = data.NETWORK_NODES) -> Any:
    """Organisations linked by the statements they signed together (dated within [since, until])."""
    return data.network(engine, since, until, limit, cache)


@router.get("/timeline", response_model=Timeline, responses=CSV_RESPONSE, summary="A country's timeline")
def timeline(engine: DB, country: Annotated[str, Query(pattern=r"^[A-Za-z]{2}$")], fmt: Format = "json") -> Any:
    """Events in a country, each with every source's figure, and the statements issued there, by date."""
    items = data.timeline(engine, country)
    if fmt == "csv":
        return csv_response(list(TimelineEntry.model_fields), items, f"timeline-{country.upper()}")
    return {"country": country.upper(), "name": data.country_name(country), "items": items}
