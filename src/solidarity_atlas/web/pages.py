"""The website: server-rendered pages (Jinja2, autoescaped) that work without JavaScript.

Only the network view draws with a script (``static/network.js``), and the
same page lists the organisations and communities as tables for readers
without it.  Charts are SVG written here, no script needed.  Everything from
a document is escaped: the one piece of HTML built in Python, a statement's
text with what was extracted from it highlighted, escapes every piece of
text before wrapping it in fixed tags.  A signed-in curator sees forms on
an organisation's page and a statement's page (``web/curate.py`` takes
them); every page with a form carries the session's CSRF token and is
never cached.
"""

from __future__ import annotations

import html
import math
import re
from importlib import resources
from typing import Annotated, Any
from urllib.parse import quote, urlencode, urlsplit

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from solidarity_atlas.web import auth, data
from solidarity_atlas.web.api import (
    DB,
    Cache,
    Country,
    CountryCode,
    Filters,
    Offset,
    Word,
    Year,
)
from solidarity_atlas.web.curate import DONE_MESSAGES

router = APIRouter(default_response_class=HTMLResponse, include_in_schema=False)

LIST_LIMIT = 50  # rows on one page of a list
LATEST = 10  # statements on the front page
NETWORK_TABLE = 30  # organisations in the network page's table
COMMUNITY_MEMBERS = 8  # members named per community on the network page
COMMUNITY_COLOURS = 12  # colours of communities: style.css and network.js have the same twelve, .c0 to .c11
MAX_YEAR_SPAN = 80  # a by-year chart spans every year from first to last when no longer than this
CHART_WIDTH, CHART_HEIGHT, CHART_MARGIN = 640, 180, 24  # the by-year chart's SVG viewBox and label room
EGO_WIDTH, EGO_HEIGHT, EGO_RADIUS = 720, 440, 150  # the ego network's SVG viewBox and circle of co-signers
EGO_LABEL = 30  # characters of a co-signer's name written next to it in the ego network
LINKED_KINDS = {"org": "/organizations/", "person": "/persons/"}  # highlighted names that link to their page
MARKED_KINDS = ("demand", "event")  # highlighted sentences


# -- templates ---------------------------------------------------------------------------------------------------


def path_of(prefix: str, value: Any) -> str:
    """A site path with one id in it, percent-encoded (an id may hold any character)."""
    return prefix + quote(str(value), safe="")


def external_url(url: str | None) -> str | None:
    """A document's URL if it is one a link may point to (http or https), else None: a ``javascript:`` URL
    from a page must never become a link."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def query_url(path: str, params: dict[str, Any], **changes: Any) -> str:
    """``path`` with the query ``params`` updated by ``changes`` (a change to None drops the parameter); a
    change of anything but the offset starts again at the first page."""
    merged = {**params, **changes}
    if "offset" not in changes:
        merged.pop("offset", None)
    kept = {k: v for k, v in merged.items() if v not in (None, "", 0)}
    return path + ("?" + urlencode(kept) if kept else "")


def label(value: Any) -> str:
    """A code as words: ``joint_statement`` -> ``joint statement``."""
    return str(value).replace("_", " ") if value is not None else ""


def org_link(org_id: str, name: str, country: str | None = None) -> Markup:
    """A link to an organisation's page, with its country: a function rather than a macro (a Jinja macro call
    costs some 30 us, and a statement's page lists up to 80 signatories)."""
    html = f'<a href="{escape(path_of("/organizations/", org_id))}">{escape(name)}</a>'
    if country:
        html += f' <span class="meta">({escape(data.country_name(country))})</span>'
    return Markup(html)


def make_templates() -> Jinja2Templates:
    folder = resources.files("solidarity_atlas") / "web" / "templates"
    env = Environment(
        loader=FileSystemLoader(str(folder)),
        autoescape=select_autoescape(default=True, default_for_string=True),  # every template, whatever its name
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # the templates ship with the package: no need to stat three files on every page
    )
    env.globals.update(
        statement_url=lambda i, document=None: path_of("/statements/", i) + (
            f"?document={int(document)}" if document is not None else ""),
        org_url=lambda i: path_of("/organizations/", i),
        person_url=lambda i: path_of("/persons/", i),
        event_url=lambda i: path_of("/events/", i),
        country_url=lambda c: path_of("/countries/", c),
        timeline_url=lambda c: "/timeline?" + urlencode({"country": c}),
        query_url=query_url,
        external_url=external_url,
        country_name=data.country_name,
        org_link=org_link,
        community_colours=COMMUNITY_COLOURS,
    )
    env.filters["label"] = label
    env.filters["thousands"] = lambda n: f"{n:,}"
    return Jinja2Templates(env=env)


def render(request: Request, name: str, status_code: int = 200, headers: dict[str, str] | None = None,
           **context: Any) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    viewer = auth.viewer(request)
    headers = dict(headers or {})
    if viewer.who:
        headers.setdefault("cache-control", "no-store")  # it holds the session's CSRF token
    context.setdefault("notice", None)
    return templates.TemplateResponse(request, name, {"request": request, "viewer": viewer, **context},
                                      status_code=status_code, headers=headers)


def fragment(request: Request, name: str, **context: Any) -> Markup:
    """A part of a page that is the same for every reader (it sees no viewer and no request), rendered as HTML to
    keep in the cache: the organisation's page holds some 1,200 values (its charts are SVG), 5-10 ms of Jinja; the
    front page's counts, latest statements and countries cost more to render (0.4 ms) than the rest of the page."""
    templates: Jinja2Templates = request.app.state.templates
    return Markup(templates.env.get_template(name).render(**context))  # autoescaped by the template


Done = Annotated[str | None, Query(pattern=r"^[a-z_]{1,20}$", description="The correction just made.")]


def error_page(request: Request, status: int, message: str, problems: list[str] | None = None,
               headers: dict[str, str] | None = None) -> Response:
    return render(request, "error.html", status_code=status, headers=headers, status=status, message=message,
                  problems=problems or [])


# -- search hits -------------------------------------------------------------------------------------------------

# A snippet whose marks come in pairs, none inside another (what FTS5 writes): its hits become <mark> by replacing
# the marks once the whole snippet is escaped (escaping leaves the two private-use characters as they are).
_PAIRED_MARKS = re.compile(f"[^{data.HIT_START}{data.HIT_END}]*(?:{data.HIT_START}[^{data.HIT_START}{data.HIT_END}]*"
                           f"{data.HIT_END}[^{data.HIT_START}{data.HIT_END}]*)*")


def snippet_html(snippet: str) -> str:
    """A snippet as HTML: its text escaped, its hits in ``<mark>``."""
    if _PAIRED_MARKS.fullmatch(snippet):
        return html.escape(snippet).replace(data.HIT_START, "<mark>").replace(data.HIT_END, "</mark>")
    return "".join(f"<mark>{html.escape(piece)}</mark>" if found else html.escape(piece)
                   for piece, found in data.snippet_parts(snippet))


def hit_html(hit: dict[str, Any]) -> str:
    """One search hit as the ``<li>`` of the results list: its link, its date, kind, country and languages, and
    its snippet with the words found marked.  Built here rather than in the template: a page of 50 hits took
    some 450 autoescaped expressions and 120 calls of Jinja's, 0.5-1 ms of the page's 4.  Every piece of
    text is escaped (``html.escape``, quotes too); the tags are fixed strings."""
    statement_id, document = hit["statement"], hit["document"]
    href = "#"
    if statement_id:
        href = path_of("/statements/", statement_id) + (f"?document={int(document)}" if document is not None else "")
    meta = [hit["date"] or "undated", label(hit["doc_type"])]
    if hit["country"]:
        meta.append(data.country_name(hit["country"]))
    if hit["languages"]:
        meta.append(", ".join(hit["languages"]))
    return (f'<li>\n  <a href="{html.escape(href)}">{html.escape(hit["title"] or hit["source"])}</a>\n'
            f'  <span class="meta">{html.escape(" · ".join(meta))}</span>\n'
            f'  <p class="snippet">{snippet_html(hit["snippet"])}</p>\n</li>\n')


# -- the statement's text, highlighted ---------------------------------------------------------------------------


def highlight(text: str, paragraphs: list[dict[str, Any]], spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The paragraphs of a statement's text as HTML: demands and event sentences marked, signatories and persons
    linked to their pages, each event sentence followed by links to its events.

    Spans nest (a name inside a sentence); one that crosses the end of another is cut there, and a link is never
    put inside a link.  Every piece of the text is escaped; the tags around it are fixed strings whose attribute
    values (ids, codes) are escaped as well."""
    grouped: dict[tuple[str, int, int], dict[str, Any]] = {}
    for span in spans:  # one sentence reporting two events is one mark with two links after it
        key = (span["kind"], span["start"], span["end"])
        if key in grouped and span["kind"] in MARKED_KINDS:
            grouped[key]["targets"].append((span["target"], span["label"]))
        elif key not in grouped:
            grouped[key] = {**span, "targets": [(span["target"], span["label"])]}
    merged = sorted(grouped.values(), key=_order)
    out = []
    for paragraph in paragraphs:
        start, end = paragraph["start"], paragraph["end"]
        inside = [{**s, "start": max(s["start"], start), "end": min(s["end"], end), "full_end": s["end"]}
                  for s in merged if s["start"] < end and s["end"] > start]
        html = _nest(text, start, end, inside, in_link=False)
        out.append({"kind": paragraph["kind"], "html": Markup(html)})  # every piece escaped in _nest
    return out


def _order(span: dict[str, Any]) -> tuple[int, int, bool]:
    return span["start"], -span["end"], span["kind"] in LINKED_KINDS  # a mark goes round a link of the same text


def _nest(text: str, start: int, end: int, spans: list[dict[str, Any]], *, in_link: bool) -> str:
    """text[start:end] as HTML with ``spans`` (all within the range) wrapped: a span that begins inside another
    is nested in it, and the part of it past the other's end follows as a span of its own."""
    html: list[str] = []
    at = start
    queue = sorted(spans, key=_order)
    while queue:
        span = queue.pop(0)
        if span["start"] < at:
            span = {**span, "start": at}
        if span["end"] <= span["start"]:
            continue
        children, rest = [], []
        for other in queue:
            if other["start"] < span["end"]:
                children.append({**other, "end": min(other["end"], span["end"])})
                if other["end"] > span["end"]:
                    rest.append({**other, "start": span["end"]})
            else:
                rest.append(other)
        queue = sorted(rest, key=_order)
        html.append(str(escape(text[at : span["start"]])))
        linked = span["kind"] in LINKED_KINDS and not in_link
        inner = _nest(text, span["start"], span["end"], children, in_link=in_link or linked)
        html.append(_wrap(span, inner, linked))
        if span["kind"] == "event" and not in_link and span["end"] == span["full_end"]:
            html.extend(f' <a class="event-ref" href="{escape(path_of("/events/", target))}">'
                        f'[{escape(label(name))}]</a>' for target, name in span["targets"])
        at = span["end"]
    html.append(str(escape(text[at:end])))
    return "".join(html)


def _wrap(span: dict[str, Any], inner: str, linked: bool) -> str:
    if span["kind"] in MARKED_KINDS:
        what = f'{span["kind"]}: {", ".join(label(name) for _, name in span["targets"])}'
        return f'<mark class="hl-{span["kind"]}" title="{escape(what)}">{inner}</mark>'
    if linked:
        href = escape(path_of(LINKED_KINDS[span["kind"]], span["target"]))
        return f'<a class="hl-{span["kind"]}" href="{href}" title="{escape(span["label"] or "")}">{inner}</a>'
    return inner


# -- charts as SVG -----------------------------------------------------------------------------------------------


def year_chart(by_year: dict[int, int]) -> dict[str, Any] | None:
    """Bars of statements a year, every year from the first to the last (gaps as empty years)."""
    if not by_year:
        return None
    first, last = min(by_year), max(by_year)
    years = list(range(first, last + 1)) if last - first < MAX_YEAR_SPAN else sorted(by_year)
    top = max(by_year.values())
    slot = (CHART_WIDTH - 2 * CHART_MARGIN) / len(years)
    usable = CHART_HEIGHT - 2 * CHART_MARGIN
    every = max(1, math.ceil(len(years) / 12))  # at most a dozen year labels under the bars
    bars = []
    for i, year in enumerate(years):
        n = by_year.get(year, 0)
        height = usable * n / top
        bars.append({"year": year, "count": n, "x": round(CHART_MARGIN + i * slot + slot * 0.1, 1),
                     "width": round(slot * 0.8, 1), "y": round(CHART_MARGIN + usable - height, 1),
                     "height": round(height, 1), "label_x": round(CHART_MARGIN + (i + 0.5) * slot, 1),
                     "labelled": i % every == 0 or i == len(years) - 1})
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "base": CHART_HEIGHT - CHART_MARGIN,
            "left": CHART_MARGIN, "right": CHART_WIDTH - CHART_MARGIN, "top_y": CHART_MARGIN, "top": top, "bars": bars,
            "first": first, "last": last}


def ego_network(org: dict[str, Any]) -> dict[str, Any] | None:
    """The organisation in the middle, its top co-signers around it, and the ties among them."""
    alters = org["co_signers"]
    if not alters:
        return None
    cx, cy = EGO_WIDTH / 2, EGO_HEIGHT / 2
    heaviest = max([a["together"] for a in alters] + [t["weight"] for t in org["ties"]])
    place: dict[str, dict[str, Any]] = {}
    for i, alter in enumerate(alters):
        angle = 2 * math.pi * i / len(alters) - math.pi / 2
        x, y = cx + EGO_RADIUS * math.cos(angle), cy + EGO_RADIUS * math.sin(angle)
        right = math.cos(angle) >= -1e-9
        name = alter["name"] if len(alter["name"]) <= EGO_LABEL else alter["name"][: EGO_LABEL - 1] + "…"
        place[alter["org_id"]] = {"id": alter["org_id"], "name": alter["name"], "short": name,
                                  "x": round(x, 1), "y": round(y, 1), "together": alter["together"],
                                  "label_x": round(x + (10 if right else -10), 1), "label_y": round(y + 4, 1),
                                  "anchor": "start" if right else "end"}

    def width(weight: int) -> float:
        return round(1 + 5 * weight / heaviest, 1)

    lines = [{"x1": cx, "y1": cy, "x2": p["x"], "y2": p["y"], "width": width(p["together"]), "ego": True,
              "title": f'{org["name"]} and {p["name"]}: {p["together"]}'} for p in place.values()]
    for tie in org["ties"]:
        a, b = place.get(tie["source"]), place.get(tie["target"])
        if a and b:
            lines.append({"x1": a["x"], "y1": a["y"], "x2": b["x"], "y2": b["y"], "width": width(tie["weight"]),
                          "ego": False, "title": f'{a["name"]} and {b["name"]}: {tie["weight"]}'})
    return {"width": EGO_WIDTH, "height": EGO_HEIGHT, "cx": cx, "cy": cy, "lines": lines,
            "nodes": list(place.values())}


# -- pages -------------------------------------------------------------------------------------------------------


@router.get("/")
def home(request: Request, engine: DB, cache: Cache) -> Response:
    body = cache.get(("home.html",), lambda: fragment(
        request, "_home_body.html", stats=data.stats(engine, cache),
        latest=data.latest_statements(engine, LATEST, cache), countries=data.countries_with_events(engine, cache)[:12]))
    return render(request, "home.html", body=body)


@router.get("/search")
def search(request: Request, engine: DB, cache: Cache, filters: Filters,
           q: Annotated[str, Query(max_length=500)] = "", offset: Offset = 0) -> Response:
    found = data.search(engine, q, filters, LIST_LIMIT, offset, cache=cache)
    params = {"q": q.strip(), **filters.as_params()}
    active = [(name, value, data.country_name(value) if name == "country" else label(value))
              for name, value in filters.as_params().items()]
    facets = cache.get(("_search_facets.html", q.strip(), filters), lambda: fragment(
        request, "_search_facets.html", facets=found["facets"], sampled=found["facets_sampled"], params=params))
    hits = Markup("".join(hit_html(hit) for hit in found["items"]))  # escaped piece by piece in hit_html
    return render(request, "search.html", q=q.strip(), params=params, found=found, active=active, facets=facets,
                  hits=hits, offset=offset, limit=LIST_LIMIT)


@router.get("/statements/{statement_id}")
def statement(request: Request, engine: DB, statement_id: int, document: int | None = None,
              done: Done = None) -> Response:
    found = data.statement(engine, statement_id, document)
    if found is None:
        raise HTTPException(404)
    shown = next((d for d in found["documents"] if d["id"] == found["shown"]), None)
    signed = {s["org_id"] for s in found["signatories"]}
    other_issuers = [i for i in found["issuers"] if i["org_id"] not in signed]
    curating = auth.viewer(request).who is not None and shown is not None
    return render(request, "statement.html", s=found, shown=shown, other_issuers=other_issuers,
                  paragraphs=highlight(found["text"], found["paragraphs"], found["spans"]),
                  written=data.document_signatures(engine, shown["id"]) if curating and shown else [],
                  notice=DONE_MESSAGES.get(done or ""))


@router.get("/organizations")
def organizations(request: Request, engine: DB, country: Country = None, kind: Word = None,
                  offset: Offset = 0) -> Response:
    items, total = data.list_organizations(engine, country, kind, LIST_LIMIT, offset)
    params = {"country": country.upper() if country else None, "kind": kind}
    return render(request, "organizations.html", items=items, total=total, params=params, offset=offset,
                  limit=LIST_LIMIT)


@router.get("/organizations/{org_id:path}")
def organization(request: Request, engine: DB, cache: Cache, org_id: str, done: Done = None) -> Response:
    found = data.organization(engine, org_id, cache)
    if found is None:
        merged_into = _merged_into(org_id)
        if merged_into and data.organization(engine, merged_into, cache) is not None:
            return RedirectResponse(path_of("/organizations/", merged_into), status_code=307)
        raise HTTPException(404)
    body = cache.get(("organization.html", org_id), lambda: fragment(
        request, "_organization_body.html", org=found, chart=year_chart(found["by_year"]), ego=ego_network(found)))
    return render(request, "organization.html", org=found, body=body, notice=DONE_MESSAGES.get(done or ""))


def _merged_into(org_id: str) -> str | None:
    """The organisation a judgement merged ``org_id`` into, if any (a link to a merged one still leads on)."""
    from solidarity_atlas import settings
    from solidarity_atlas.resolve import judgements

    try:
        target = judgements.load(settings.judgements_path()).canonical(org_id)
    except (judgements.JudgementError, OSError):
        return None
    return target if target != org_id else None


@router.get("/countries/{code}")
def country(request: Request, engine: DB, code: CountryCode) -> Response:
    found = data.country(engine, code)
    known = found["name"] != found["code"]
    if not known and not (found["organizations_total"] or found["events_total"] or found["statements_total"]):
        raise HTTPException(404)
    events, _ = data.list_events(engine, None, code, LIST_LIMIT, 0)
    return render(request, "country.html", c=found, events=events)


@router.get("/persons")
def persons(request: Request, engine: DB, offset: Offset = 0) -> Response:
    items, total = data.list_persons(engine, LIST_LIMIT, offset)
    return render(request, "persons.html", items=items, total=total, params={}, offset=offset, limit=LIST_LIMIT)


@router.get("/persons/{person_id}")
def person(request: Request, engine: DB, person_id: str) -> Response:
    found = data.person(engine, person_id)
    if found is None:
        raise HTTPException(404)
    return render(request, "person.html", p=found)


@router.get("/events")
def events(request: Request, engine: DB, type: Word = None, country: Country = None,
           offset: Offset = 0) -> Response:
    items, total = data.list_events(engine, type, country, LIST_LIMIT, offset)
    params = {"type": type, "country": country.upper() if country else None}
    return render(request, "events.html", items=items, total=total, params=params, offset=offset,
                  limit=LIST_LIMIT)


@router.get("/events/{event_id}")
def event(request: Request, engine: DB, event_id: int) -> Response:
    found = data.event(engine, event_id)
    if found is None:
        raise HTTPException(404)
    counts = [c["count"] for c in found["claims"] if c["count"] is not None]
    return render(request, "event.html", e=found, spread=(min(counts), max(counts)) if counts else None)


@router.get("/network")
def network(request: Request, engine: DB, cache: Cache, since: Year = None, until: Year = None) -> Response:
    found = data.network(engine, since, until, data.NETWORK_NODES, cache)
    names = {n["id"]: n for n in found["nodes"]}
    communities = [{"id": c["id"], "size": c["size"],
                    "members": [names[m] for m in c["members"][:COMMUNITY_MEMBERS]]} for c in found["communities"]]
    source = "/api/v1/network" + ("?" + urlencode({k: v for k, v in (("since", since), ("until", until))
                                                  if v is not None}) if since or until else "")
    return render(request, "network.html", net=found, top=found["nodes"][:NETWORK_TABLE], communities=communities,
                  since=since, until=until, source=source)


@router.get("/timeline")
def timeline(request: Request, engine: DB, cache: Cache, country: Country = None) -> Response:
    if not country:
        return render(request, "timeline.html", country=None, items=[],
                      countries=data.countries_with_events(engine, cache))
    code = country.upper()
    return render(request, "timeline.html", country=code, items=data.timeline(engine, code), countries=[])
