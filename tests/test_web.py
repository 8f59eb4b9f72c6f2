"""The website and JSON API (solidarity_atlas.web): pages, API shape, pagination, filters, CSV, ETags, errors,
security headers, escaping of hostile text, the rate limit and the serve command."""

from __future__ import annotations

import csv
import html
import io
import re
import sqlite3
import warnings
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import anyio.to_thread
import pytest
from typer.testing import CliRunner

from solidarity_atlas import kb
from solidarity_atlas.analyze.network import cosignature_graph
from solidarity_atlas.cli import app as cli_app
from solidarity_atlas.store import queries
from solidarity_atlas.store.db import connect
from solidarity_atlas.web import api, cache, data, pages, server
from solidarity_atlas.web.app import CONTENT_SECURITY_POLICY, _etag_matches, create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx in its test client
    from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "corpus"
KKE = "communist-party-of-greece-gr"
ZHANAOZEN_TITLE = "MASSACRE OF OIL WORKERS IN ZHANAOZEN"
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}
# A tag's name and its attributes, quoted values skipped: text inside a value (an escaped title) is not markup.
_ATTRIBUTES = r"""(?:\s+[\w:-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*"""
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<\w+" + _ATTRIBUTES + r"\s+on\w+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<\w+" + _ATTRIBUTES + r"\s+style\s*=", re.IGNORECASE)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("web") / "atlas.db")
    counts = kb.ingest([str(EXAMPLES)], connect(path))
    assert counts.stored == 13
    return path


@pytest.fixture(scope="module")
def client(db: str) -> Iterator[TestClient]:
    with TestClient(create_app(db, rate_per_second=0)) as test_client:  # the rate limit has a test of its own
        yield test_client


@pytest.fixture(scope="module")
def ids(client: TestClient) -> dict[str, Any]:
    """Ids of things the tests look at, found through the API rather than assumed."""
    statements = client.get("/api/v1/statements", params={"limit": 200}).json()["items"]
    zhanaozen = next(s["id"] for s in statements if ZHANAOZEN_TITLE in (s["title"] or ""))
    detail = client.get(f"/api/v1/statements/{zhanaozen}").json()
    killing = next(e["event_id"] for e in detail["events"] if e["type"] == "killing" and e["place"] == "Zhanaozen")
    person = detail["persons"][0]["person_id"]
    return {"zhanaozen": zhanaozen, "killing": killing, "person": person}


def page_urls(ids: dict[str, Any]) -> list[str]:
    return ["/", "/search", "/search?q=Zhanaozen", "/search?country=GR&year=2011", f"/statements/{ids['zhanaozen']}",
            f"/organizations/{KKE}", "/organizations", "/organizations?country=GR", "/countries/KZ", "/countries/GR",
            "/persons", f"/persons/{ids['person']}", "/events", "/events?country=KZ", f"/events/{ids['killing']}",
            "/network", "/network?since=2015&until=2016", "/timeline", "/timeline?country=KZ"]


def assert_secure(response: Any) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (response.url, name)


class Audit(HTMLParser):
    """What a page's markup would run or style inline: the elements and attributes a CSP-clean page never has."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name.lower() for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.found.append("inline <script>")
        if tag in ("style", "img", "iframe", "object", "embed"):
            self.found.append(f"<{tag}>")
        self.found += [f"<{tag} {name}=>" for name in names if name.startswith("on") or name == "style"]
        for name, value in attrs:
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                    ("javascript:", "data:", "vbscript:")):
                self.found.append(f"<{tag} {name}={value}>")


def assert_no_inline_code(text: str) -> None:
    assert not INLINE_SCRIPT.search(text), INLINE_SCRIPT.search(text)
    assert not EVENT_HANDLER.search(text), EVENT_HANDLER.search(text)
    assert not STYLE_ATTRIBUTE.search(text), STYLE_ATTRIBUTE.search(text)
    audit = Audit()
    audit.feed(text)
    audit.close()
    assert not audit.found, audit.found


def visible(fragment: str) -> str:
    """The text of an HTML fragment, tags removed and entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


# -- pages -------------------------------------------------------------------------------------------------------


def test_every_page_renders_without_inline_code(client: TestClient, ids: dict[str, Any]) -> None:
    for url in page_urls(ids):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["content-type"].startswith("text/html")
        assert_secure(response)
        assert '<html lang="en">' in response.text
        assert_no_inline_code(response.text)


def test_home_page_counts_and_latest(client: TestClient) -> None:
    stats = client.get("/api/v1/stats").json()
    text = client.get("/").text
    assert f"<dd><a href=\"/search\">{stats['statements']}</a></dd>" in text
    assert f"<dd><a href=\"/organizations\">{stats['organizations']}</a></dd>" in text
    assert "Carta abierta al embajador de Colombia" in text  # the latest dated statement
    assert 'action="/search"' in text


def test_search_page_highlights_and_facets(client: TestClient) -> None:
    text = client.get("/search", params={"q": "Zhanaozen"}).text
    assert "<mark>Zhanaozen</mark>" in text
    assert "3 documents" in text
    assert "Narrow down" in text and "/search?q=Zhanaozen&amp;year=2011" in text
    narrowed = client.get("/search", params={"q": "Zhanaozen", "year": 2011}).text
    assert "1 document<" in narrowed and "Remove this filter" in narrowed
    assert "Nothing found" in client.get("/search", params={"q": "nosuchwordanywhere"}).text


def test_statement_page_links_and_highlights(client: TestClient, ids: dict[str, Any]) -> None:
    statement_id = ids["zhanaozen"]
    text = client.get(f"/statements/{statement_id}").text
    signatories = text[text.index('<ol class="signatories">'):]
    signatories = signatories[: signatories.index("</ol>")]
    assert f'href="/organizations/{KKE}"' in signatories
    assert signatories.count("<li>") == 14
    assert '<mark class="hl-demand"' in text and '<mark class="hl-event"' in text
    assert f'<a class="event-ref" href="/events/{ids["killing"]}">[killing]</a>' in text
    assert f'<a class="hl-person" href="/persons/{ids["person"]}"' in text
    assert '<div class="doctext" lang="en">' in text
    # the highlighted text is the document's main text, all of it and nothing else (but the event links)
    body = text[text.index('<div class="doctext"'):]
    body = re.sub(r' <a class="event-ref"[^>]*>\[[^\]]*\]</a>', "", body[: body.index("</div>")])
    paragraphs = [visible(p) for p in re.findall(r"<p class=\"block-\w+\">(.*?)</p>", body, re.DOTALL)]
    detail = client.get(f"/api/v1/statements/{statement_id}").json()
    assert "\n".join(paragraphs) == detail["text"]


def test_organization_page_chart_cosigners_and_ego_network(client: TestClient) -> None:
    text = client.get(f"/organizations/{KKE}").text
    assert "<h1>Communist Party of Greece</h1>" in text
    assert text.count("<rect ") == 5  # 2011 to 2015, one bar a year, empty years included
    assert "<title>2011: 1</title>" in text and "<title>2013: 0</title>" in text
    co_signers = text[text.index('id="co-signers"'):text.index('id="ego"')]
    assert 'href="/organizations/communist-party-of-turkey-tr"' in co_signers
    assert '<svg class="ego"' in text and 'class="alter"' in text
    assert "Greece: Communist Party of Greece" in text  # a name it was written as
    assert client.get("/organizations/no-such-org").status_code == 404


def test_country_person_and_event_pages(client: TestClient, ids: dict[str, Any]) -> None:
    kz = client.get("/countries/KZ").text
    assert "<h1>Kazakhstan</h1>" in kz and "/events/" in kz and ZHANAOZEN_TITLE in kz
    gr = client.get("/countries/gr").text
    assert "<h1>Greece</h1>" in gr and f'href="/organizations/{KKE}"' in gr
    assert client.get("/countries/QQ").status_code == 404
    assert client.get("/countries/KZZ").status_code == 422
    person = client.get(f"/persons/{ids['person']}").text
    assert "Natalia Sokolova" in person and f"/statements/{ids['zhanaozen']}" in person
    event = client.get(f"/events/{ids['killing']}").text
    assert event.count('<article class="claim"') == 2  # two sources, side by side
    assert "Заявление Президиума ЦК КПРФ" in event and ZHANAOZEN_TITLE in event


def test_network_page_has_tables_and_the_script(client: TestClient) -> None:
    text = client.get("/network").text
    assert '<canvas id="network-canvas"' in text and 'data-source="/api/v1/network"' in text
    assert '<script src="/static/network.js" defer></script>' in text
    assert f'href="/organizations/{KKE}"' in text and "Community 1" in text
    ranged = client.get("/network", params={"since": 2015, "until": 2016}).text
    assert 'data-source="/api/v1/network?since=2015&amp;until=2016"' in ranged
    script = client.get("/static/network.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "innerHTML" not in script.text


def test_timeline_page(client: TestClient) -> None:
    text = client.get("/timeline", params={"country": "kz"}).text
    assert "Timeline of Kazakhstan" in text and "killing in Zhanaozen" in text
    assert 'href="/timeline?country=KZ"' in client.get("/timeline").text
    bad = client.get("/timeline", params={"country": "Kazakhstan"})
    assert bad.status_code == 422 and "country" in bad.text and "Traceback" not in bad.text


def test_list_pages_paginate(client: TestClient) -> None:
    text = client.get("/organizations").text
    assert 'rel="next"' not in text  # 39 organisations: one page
    assert "Communist Party of Greece" in client.get("/organizations", params={"country": "GR"}).text
    assert "Zhanaozen" in client.get("/events", params={"country": "KZ"}).text


def test_head_is_answered_like_get(client: TestClient) -> None:
    response = client.head("/")
    assert response.status_code == 200 and response.content == b""
    assert_secure(response)


# -- API ---------------------------------------------------------------------------------------------------------


def test_api_statements_pagination(client: TestClient) -> None:
    first = client.get("/api/v1/statements", params={"limit": 5}).json()
    assert set(first) == {"items", "total", "limit", "offset", "next"}
    assert (first["total"], first["limit"], first["offset"], len(first["items"])) == (13, 5, 0, 5)
    seen = [s["id"] for s in first["items"]]
    following = first["next"]
    assert following == "/api/v1/statements?limit=5&offset=5"  # relative: never built from the Host header
    while following:
        page = client.get(following).json()
        seen += [s["id"] for s in page["items"]]
        following = page["next"]
    assert len(seen) == len(set(seen)) == 13
    assert client.get("/api/v1/statements", params={"offset": 13}).json()["items"] == []
    years = [s["year"] for s in client.get("/api/v1/statements").json()["items"] if s["year"]]
    assert years == sorted(years, reverse=True)


@pytest.mark.parametrize(("params", "check"), [
    ({"country": "gr"}, lambda s: "GR" in s["countries"]),
    ({"year": 2019}, lambda s: s["year"] == 2019),
    ({"doc_type": "petition"}, lambda s: s["doc_type"] == "petition"),
    ({"language": "ru"}, lambda s: "ru" in s["languages"]),
    ({"org": KKE, "year": 2015}, lambda s: s["year"] == 2015),
])
def test_api_statement_filters(client: TestClient, params: dict[str, Any], check: Any) -> None:
    answer = client.get("/api/v1/statements", params=params).json()
    assert answer["total"] == len(answer["items"]) > 0
    assert all(check(s) for s in answer["items"])


def test_api_other_lists_and_filters(client: TestClient) -> None:
    greek = client.get("/api/v1/organizations", params={"country": "GR"}).json()
    assert {o["id"] for o in greek["items"]} == {KKE, "all-workers-militant-front-gr"}
    assert all(o["statements"] >= 1 for o in greek["items"])
    parties = client.get("/api/v1/organizations", params={"kind": "union"}).json()
    assert [o["kind"] for o in parties["items"]] == ["union"]
    killings = client.get("/api/v1/events", params={"country": "KZ", "type": "killing"}).json()
    assert killings["total"] >= 2 and all(e["type"] == "killing" and e["country"] == "KZ" for e in killings["items"])
    persons = client.get("/api/v1/persons", params={"limit": 3}).json()
    assert persons["total"] > 3 and len(persons["items"]) == 3 and persons["next"]


def test_api_resources(client: TestClient, ids: dict[str, Any]) -> None:
    statement = client.get(f"/api/v1/statements/{ids['zhanaozen']}").json()
    assert len(statement["signatories"]) == 14 and statement["documents"][0]["languages"] == ["en"]
    for span in statement["spans"]:  # offsets index the main text given
        if span["kind"] == "person":
            assert statement["text"][span["start"]:span["end"]] == span["label"]
    org = client.get(f"/api/v1/organizations/{KKE}").json()
    assert org["by_year"] == [{"year": 2011, "statements": 1}, {"year": 2012, "statements": 1},
                              {"year": 2015, "statements": 1}]
    assert org["co_signers"][0]["together"] == 3 and org["ties"]
    person = client.get(f"/api/v1/persons/{ids['person']}").json()
    assert person["name"] == "Natalia Sokolova" and person["mentions"][0]["statement"] == ids["zhanaozen"]
    event = client.get(f"/api/v1/events/{ids['killing']}").json()
    assert [c["count"] for c in event["claims"]] == [16, 16] and event["claims"][0]["by"]["org_id"] == KKE
    country = client.get("/api/v1/countries/kz").json()
    assert country["name"] == "Kazakhstan" and country["events_total"] >= 10
    stats = client.get("/api/v1/stats").json()
    assert stats["documents"] == stats["statements"] == 13


def test_api_search(client: TestClient) -> None:
    found = client.get("/api/v1/search", params={"q": "zhanaozen", "limit": 2}).json()
    assert found["total"] == 3 and len(found["items"]) == 2 and found["next"]
    for hit in found["items"]:
        start, end = hit["highlights"][0]
        assert hit["snippet"][start:end] == "Zhanaozen"
        assert "\ue000" not in hit["snippet"]
    assert {f["value"] for f in found["facets"]["year"]} == {2011, 2016}
    assert found["facets"]["org"] and found["query"] == "zhanaozen"
    narrowed = client.get("/api/v1/search", params={"q": "zhanaozen", "org": KKE}).json()
    assert narrowed["total"] == 1
    for hostile in ('"', "*", "NEAR(", "a OR", "-x", "'; DROP TABLE documents; --"):
        assert client.get("/api/v1/search", params={"q": hostile}).status_code == 200, hostile
    assert client.get("/api/v1/stats").json()["documents"] == 13


def test_api_network_and_timeline(client: TestClient, db: str) -> None:
    network = client.get("/api/v1/network").json()
    ids = {n["id"] for n in network["nodes"]}
    assert KKE in ids and network["total_nodes"] == len(ids)
    assert all(e["source"] in ids and e["target"] in ids for e in network["edges"])
    assert {m for c in network["communities"] for m in c["members"]} == ids
    capped = client.get("/api/v1/network", params={"limit": 5}).json()
    assert len(capped["nodes"]) == 5 and capped["total_nodes"] == network["total_nodes"]
    weights = [n["cosignatures"] for n in capped["nodes"]]
    assert weights == sorted(weights, reverse=True)
    assert weights == [n["cosignatures"] for n in network["nodes"][:5]]
    assert network["total_edges"] == len(network["edges"])  # all drawn: the links of the whole network
    ranged = client.get("/api/v1/network", params={"since": 2015, "until": 2016}).json()
    assert 0 < ranged["total_nodes"] < network["total_nodes"] and ranged["total_edges"] is None
    for answer, since, until in ((network, None, None), (ranged, 2015, 2016)):  # the library's graph, read in SQL
        graph = cosignature_graph(connect(db), since=since, until=until)
        assert {(e["source"], e["target"], e["weight"]) for e in answer["edges"]} == {
            (*sorted((a, b)), w) for a, b, w in graph.edges(data="weight")}
        assert {n["id"]: n["cosignatures"] for n in answer["nodes"]} == {
            node: graph.degree(node, weight="weight") for node in graph.nodes if graph.degree(node)}
    timeline = client.get("/api/v1/timeline", params={"country": "gr"}).json()
    assert timeline["country"] == "GR" and {i["kind"] for i in timeline["items"]} == {"event", "statement"}
    dates = [i["date"] or "9999" for i in timeline["items"]]
    assert dates == sorted(dates)


@pytest.mark.parametrize("url", ["/api/v1/statements", "/api/v1/organizations", "/api/v1/persons", "/api/v1/events",
                                 "/api/v1/search?q=workers", "/api/v1/timeline?country=KZ"])
def test_api_lists_as_csv(client: TestClient, url: str) -> None:
    joined = "&" if "?" in url else "?"
    as_json = client.get(url).json()
    response = client.get(url + joined + "format=csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == len(as_json["items"]) > 0
    assert set(rows[0]) == set(as_json["items"][0])
    key = "id" if "id" in rows[0] else "document"
    assert rows[0][key] == str(as_json["items"][0][key])


def test_api_etag_and_not_modified(client: TestClient) -> None:
    for url in ("/api/v1/statements", "/api/v1/stats", "/api/v1/statements?format=csv", "/openapi.json"):
        first = client.get(url)
        etag = first.headers["etag"]
        assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
        assert client.get(url).headers["etag"] == etag  # the same body, the same tag
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
        assert_secure(again)
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    other = client.get("/api/v1/statements", params={"limit": 1}).headers["etag"]
    assert other != client.get("/api/v1/statements").headers["etag"]


@pytest.mark.parametrize(("url", "status"), [
    ("/api/v1/statements/999999", 404), ("/api/v1/statements/1?document=999999", 404),
    ("/api/v1/organizations/no-such-org", 404), ("/api/v1/persons/nobody", 404), ("/api/v1/events/999999", 404),
    ("/api/v1/nothing-here", 404), ("/api/v1/statements/abc", 422), ("/api/v1/statements?limit=201", 422),
    ("/api/v1/statements?limit=0", 422), ("/api/v1/statements?offset=-1", 422),
    ("/api/v1/statements?country=GRC", 422), ("/api/v1/statements?doc_type=novel", 422),
    ("/api/v1/statements?year=x", 422), ("/api/v1/statements?format=xml", 422),
    ("/api/v1/timeline", 422), ("/api/v1/network?limit=100000", 422), ("/api/v1/events?type=Bad-Type", 422),
])
def test_api_errors(client: TestClient, url: str, status: int) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert "detail" in response.json()
    assert_secure(response)


def test_openapi_description_is_typed(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in ("/api/v1/statements", "/api/v1/statements/{statement_id}", "/api/v1/organizations",
                 "/api/v1/organizations/{org_id}", "/api/v1/persons", "/api/v1/persons/{person_id}", "/api/v1/events",
                 "/api/v1/events/{event_id}", "/api/v1/search", "/api/v1/network", "/api/v1/timeline",
                 "/api/v1/stats", "/api/v1/countries/{code}"):
        assert set(paths[path]) == {"get"}, path
    assert not [p for p in paths if not p.startswith("/api/v1/")]  # the HTML pages are not API
    schemas = spec["components"]["schemas"]
    for name in ("StatementList", "StatementDetail", "OrganizationDetail", "EventDetail", "SearchResults", "Network"):
        assert schemas[name]["properties"], name
    statement = paths["/api/v1/statements/{statement_id}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert statement["schema"]["$ref"].endswith("/StatementDetail")
    assert client.get("/docs").status_code == 404  # Swagger UI would load scripts from a CDN


# -- security ----------------------------------------------------------------------------------------------------


def test_security_headers_on_every_kind_of_response(client: TestClient) -> None:
    for url, status in (("/", 200), ("/api/v1/stats", 200), ("/static/style.css", 200), ("/nowhere", 404),
                        ("/statements/999999", 404), ("/api/v1/events/999999", 404), ("/search?year=x", 422),
                        ("/static/missing.css", 404), ("/openapi.json", 200)):
        response = client.get(url)
        assert response.status_code == status, url
        assert_secure(response)
        assert "Traceback" not in response.text
    posted = client.post("/api/v1/stats")
    assert posted.status_code == 405
    assert_secure(posted)
    assert client.post("/").status_code == 405


HOSTILE = """Solidarity with the <script>alert(1)</script> dockers of <img src=x onerror=alert(1)>

The undersigned parties salute the dock workers of Valparaíso <script>alert(1)</script>, who have been on strike
for three weeks against the privatisation of the port. We condemn the arrests of their delegates by the police on
4 March 2024 and demand the immediate release of every detained worker <img src=x onerror=alert(1)> and the
withdrawal of all charges against them. Read more at javascript:alert(1) or [here](javascript:alert(1)).

Signed by:
1. Communist Party of Greece
2. Workers' Party of <img src=x onerror=alert(1)>
3. Communist Party of <script>alert(1)</script>
4. Portuguese Communist Party

Athens, 4 March 2024
"""


def test_hostile_text_is_escaped_everywhere(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    path = str(tmp_path / "hostile.db")
    kb.ingest([str(tmp_path / "in")], connect(path))
    with TestClient(create_app(path, rate_per_second=0)) as client:
        statement = client.get("/api/v1/statements").json()["items"][0]
        detail = client.get(f"/api/v1/statements/{statement['id']}").json()
        hostile_orgs = [s["org_id"] for s in detail["signatories"] if "<" in s["name"]]
        assert len(hostile_orgs) == 2  # the payloads did become organisations, so their pages are tested too
        assert "<script>alert(1)</script>" in detail["title"]  # stored and served as data, as written
        urls = ["/", f"/statements/{statement['id']}", "/search?q=dockers", "/search?q=script", "/search",
                "/organizations", "/network", "/countries/GR", "/timeline?country=GR", "/events",
                *(f"/organizations/{org}" for org in hostile_orgs), f"/organizations/{KKE}"]
        urls += [f"/events/{e['event_id']}" for e in detail["events"]]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert_secure(response)
            text = response.text
            assert "<script>alert" not in text and "<img" not in text, url
            assert_no_inline_code(text)
            assert 'href="javascript' not in text.lower()
        escaped = client.get(f"/statements/{statement['id']}").text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in escaped
        assert "&lt;img src=x onerror=alert(1)&gt;" in escaped
        csv_text = client.get("/api/v1/statements?format=csv").text
        assert "<script>alert(1)</script>" in csv_text  # CSV is data: escaping there is the reader's job


def test_highlight_escapes_text_and_never_nests_links() -> None:
    text = 'He said <b>"hi"</b> & left'
    spans = [{"kind": "event", "start": 0, "end": len(text), "target": 7, "label": "protest"},
             {"kind": "person", "start": 0, "end": 2, "target": "x\"><script>", "label": "<i>"},
             {"kind": "org", "start": 1, "end": 7, "target": "org", "label": "Org"}]
    rendered = pages.highlight(text, [{"start": 0, "end": len(text), "kind": "paragraph"}], spans)
    out = str(rendered[0]["html"])
    assert "<b>" not in out and "&lt;b&gt;" in out and "&amp; left" in out
    assert "<script>" not in out and "<i>" not in out
    assert 'href="/persons/x%22%3E%3Cscript%3E"' in out
    assert out.count("<a ") == 3  # the person, the rest of the crossing organisation, the event link
    assert "<a" not in out[out.index("<a ") + 3 : out.index("</a>")]  # no link inside a link
    assert visible(re.sub(r' <a class="event-ref"[^>]*>\[[^\]]*\]</a>', "", out)) == text
    assert pages.external_url("javascript:alert(1)") is None
    assert pages.external_url(" JaVaScRiPt:alert(1)") is None
    assert pages.external_url("data:text/html,x") is None
    assert pages.external_url("https://example.org/a?b=1") == "https://example.org/a?b=1"


def test_snippets_and_etag_comparison() -> None:
    snippet = "…in \ue000Zhanaozen\ue001, and \ue000oil\ue001…"
    assert data.snippet_parts(snippet) == [("…in ", False), ("Zhanaozen", True), (", and ", False), ("oil", True),
                                           ("…", False)]
    plain, hits = data.snippet_plain(snippet)
    assert [plain[a:b] for a, b in hits] == ["Zhanaozen", "oil"]
    assert _etag_matches('W/"abc", "def"', '"abc"') and _etag_matches("*", '"x"')
    rows = list(csv.reader(io.StringIO(api.csv_response(["a", "b", "c"], [
        {"a": "=HYPERLINK(\"http://x\")", "b": -3, "c": ["x", "y"]}], "t").body.decode())))
    assert rows == [["a", "b", "c"], ["'=HYPERLINK(\"http://x\")", "-3", "x; y"]]  # no formula runs in a spreadsheet
    assert not _etag_matches("", '"abc"') and not _etag_matches('"abd"', '"abc"')


def test_search_hits_are_escaped_and_marked() -> None:
    hit = {"statement": 3, "document": 7, "title": "<script>alert(1)</script>", "source": "https://x.example",
           "date": None, "doc_type": "joint_statement", "country": "GR", "languages": ["en", "el"],
           "snippet": 'a \ue000<b>\ue001 & "q" \ue000two\ue001'}
    out = pages.hit_html(hit)
    assert '<a href="/statements/3?document=7">&lt;script&gt;alert(1)&lt;/script&gt;</a>' in out
    assert '<span class="meta">undated · joint statement · Greece · en, el</span>' in out
    assert '<p class="snippet">a <mark>&lt;b&gt;</mark> &amp; &quot;q&quot; <mark>two</mark></p>' in out
    assert "<script" not in out and "<b>" not in out
    no_statement = pages.hit_html({**hit, "statement": None, "title": None, "country": None, "languages": []})
    assert '<a href="#">https://x.example</a>' in no_statement and "Greece" not in no_statement
    # marks that do not pair (never written by FTS5) are read one by one, as snippet_parts reads them
    assert pages.snippet_html("x\ue001y \ue000<z>") == "xy <mark>&lt;z&gt;</mark>"
    assert pages.snippet_html("a\ue000b\ue000c\ue001d") == "a<mark>b</mark><mark>c</mark>d"


def test_rate_limit_answers_429_after_the_burst(db: str) -> None:
    with TestClient(create_app(db, rate_per_second=0.5, rate_burst=3)) as client:
        answers = [client.get("/api/v1/stats") for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert int(answers[-1].headers["retry-after"]) >= 1
        assert answers[-1].json() == {"detail": "too many requests: slow down"}
        assert_secure(answers[-1])
        assert client.get("/").status_code == 200  # pages are not counted


def test_server_errors_show_no_traceback(db: str, caplog: pytest.LogCaptureFixture) -> None:
    application = create_app(db, rate_per_second=0)

    def boom() -> None:
        raise RuntimeError("secret detail of the failure")

    application.add_api_route("/api/v1/boom", boom)
    application.add_api_route("/boom", boom)
    with TestClient(application, raise_server_exceptions=False) as client:
        api = client.get("/api/v1/boom")
        assert api.status_code == 500 and api.json() == {"detail": "internal error"}
        page = client.get("/boom")
        assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
        for response in (api, page):
            assert "secret detail" not in response.text and "Traceback" not in response.text
            assert "RuntimeError" not in response.text
            assert_secure(response)
    assert "secret detail of the failure" in caplog.text  # logged on the server's side


def test_serve_command_help() -> None:
    result = CliRunner().invoke(cli_app, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--host" in result.output and "--port" in result.output and "--db" in result.output
    assert "--workers" in result.output and "--threads" in result.output
    assert "Example: solidarity serve --db atlas.db" in result.output
    assert 1 <= server.default_workers() <= server.MAX_DEFAULT_WORKERS


# -- serving many readers ----------------------------------------------------------------------------------------


def test_uvicorn_runs_its_c_parser_and_loop_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """httptools and uvloop are dependencies: uvicorn's "auto" picks them, and server.implementations says so."""
    import importlib.util

    import uvicorn.config

    assert server.implementations() == {"http": "httptools", "loop": "uvloop"}
    config = uvicorn.config.Config(app=lambda *_: None)  # "auto", as serve() leaves it
    config.load()
    assert "httptools" in config.http_protocol_class.__module__
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *_: None)
    assert server.implementations() == {"http": "h11", "loop": "asyncio"}



def test_the_thread_pool_is_bounded_when_the_server_starts(db: str) -> None:
    for threads, expected in ((None, 40), (3, 3)):  # None: AnyIO's own default
        application = create_app(db, rate_per_second=0, threads=threads)

        async def tokens() -> float:
            return float(anyio.to_thread.current_default_thread_limiter().total_tokens)

        application.add_api_route("/tokens", tokens)
        with TestClient(application) as client:  # the lifespan runs: the limit is set at start
            assert client.get("/tokens").json() == expected
    assert create_app(db).state.threads == server.THREADS


def test_the_cache_notices_a_change_made_elsewhere(db: str, tmp_path: Path) -> None:
    """Another process's write (here a connection of its own) drops what the cache kept: at once when asked for a
    fresh version (a curator's request), else within cache.VERSION_TTL."""
    path = tmp_path / "atlas.db"
    source, copy = sqlite3.connect(db), sqlite3.connect(path)
    source.backup(copy)
    source.close()
    copy.close()
    engine = connect(str(path))
    kept = cache.DataCache(engine)
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert kept.get(("x",), compute) == 1 and kept.get(("x",), compute) == 1  # computed once
    assert kept.get(("none",), lambda: None, keep=lambda v: v is not None) is None and len(kept) == 1
    other = sqlite3.connect(path)
    with other:
        other.execute("UPDATE organizations SET name = 'Renamed' WHERE id = ?", (KKE,))
    other.close()
    assert kept.get(("x",), compute) == 1  # the version read less than VERSION_TTL ago is trusted
    assert kept.get(("x",), compute, fresh=True) == 2  # read now: changed, so computed again
    assert kept.get(("x",), compute, fresh=True) == 2  # read now: unchanged
    kept.clear()
    assert kept.get(("x",), compute) == 3
    kept.close()  # (the server's end) a new connection's reads cannot be compared with the old one's: start again
    assert kept.get(("x",), compute, fresh=True) == 4
    assert kept.get(("x",), compute, fresh=True) == 4


def test_cached_pages_show_an_ingest_within_the_version_ttl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "VERSION_TTL", 0.0)  # every request reads the version
    path = str(tmp_path / "atlas.db")
    kb.ingest([str(EXAMPLES / "decl-pcp-cuba.md")], connect(path))
    with TestClient(create_app(path, rate_per_second=0)) as client:
        assert client.get("/api/v1/stats").json()["documents"] == 1
        assert '<dd><a href="/search">1</a></dd>' in client.get("/").text  # the home page's count of statements
        assert "0 documents" in client.get("/search?q=zhanaozen").text
        kb.ingest([str(EXAMPLES)], connect(path))  # another process, as far as the application can tell
        assert client.get("/api/v1/stats").json()["documents"] == 13
        assert '<dd><a href="/search">13</a></dd>' in client.get("/").text
        assert "3 documents" in client.get("/search?q=zhanaozen").text


def test_organization_page_counts_as_the_cli_profile_does(db: str) -> None:
    """The page's own queries (prepared, see data.organization) give what queries.org_profile gives."""
    engine = connect(db)
    items, _ = data.list_organizations(engine, None, None, 200, 0)
    assert len(items) > 20
    for item in items:
        page = data.organization(engine, item["id"])
        profile = queries.org_profile(engine, item["id"], top=data.CO_SIGNERS, listed=data.PAGE_ITEMS)
        assert page is not None and profile is not None
        assert (page["name"], page["country"], page["kind"], page["registry"]) == (
            profile["name"], profile["country"], profile["kind"], profile["registry"])
        assert page["aliases"] == profile["aliases"][:data.ALIASES]
        assert page["statements"] == profile["statement_count"] == item["statements"]
        assert page["by_year"] == {int(year): n for year, n in profile["by_year"].items()}
        assert (page["first"], page["last"]) == (profile["first"], profile["last"])
        assert page["co_signers"] == profile["co_signers"]
        assert [s["id"] for s in page["latest"]] == [s["statement"] for s in reversed(profile["statements"])]
    assert data.organization(engine, "no-such-organisation") is None


# -- bench/web_load.py's load generators --------------------------------------------------------------------------


def _web_load() -> Any:
    """bench/web_load.py as a module (registered first: its dataclasses look their module up)."""
    import importlib.util
    import sys

    if "bench_web_load" not in sys.modules:
        spec = importlib.util.spec_from_file_location("bench_web_load", ROOT / "bench" / "web_load.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_web_load"] = module
        spec.loader.exec_module(module)
    return sys.modules["bench_web_load"]


def test_web_load_chooses_its_load_generator() -> None:
    web_load = _web_load()
    assert web_load.choose_load("auto", wrk="/usr/bin/wrk", locust=True) == ("wrk", None)
    assert web_load.choose_load("auto", wrk="/usr/bin/wrk", locust=False) == ("wrk", None)
    load, why = web_load.choose_load("auto", wrk="", locust=True)
    assert load == "locust" and "wrk is not installed" in why
    assert web_load.choose_load("locust", wrk="/usr/bin/wrk", locust=True) == ("locust", None)
    with pytest.raises(web_load.BenchError, match="wrk is not installed"):
        web_load.choose_load("wrk", wrk="", locust=True)
    with pytest.raises(web_load.BenchError, match="Locust is not installed"):
        web_load.choose_load("locust", wrk="/usr/bin/wrk", locust=False)
    with pytest.raises(web_load.BenchError, match="no load generator"):
        web_load.choose_load("auto", wrk="", locust=False)
    assert web_load.parse_args(["--load", "locust"]).load == "locust"
    assert web_load.parse_args([]).load == "auto"


def test_web_load_paths_vary_as_the_readers_do() -> None:
    web_load = _web_load()
    targets = {"statements": [3, 7], "organizations": ["a/b c-gr", "d"], "words": ["general strike", "KKE"]}
    assert web_load.wrk_paths("home", targets) == ["/"]
    assert web_load.wrk_paths("search", targets) == ["/search?q=general+strike", "/search?q=KKE"]
    assert web_load.wrk_paths("statement", targets) == ["/statements/3", "/statements/7"]
    assert web_load.wrk_paths("organisation", targets) == ["/organizations/a%2Fb%20c-gr", "/organizations/d"]
    figures = web_load.wrk_figures("search", {"requests": 200, "duration_us": 2_000_000, "bytes": 400_000,
                                              "connect": 0, "read": 0, "write": 0, "status": 3, "timeout": 1,
                                              "p50_us": 40_000, "p95_us": 99_900, "p99_us": 150_000,
                                              "max_us": 210_000, "mean_us": 45_000.0}, 20, 2, 0.8, 0.02)
    assert (figures["requests_per_s"], figures["median_ms"], figures["p95_ms"], figures["max_ms"]) == (
        100.0, 40.0, 99.9, 210.0)
    assert figures["errors"] == 4 and figures["errors_by_kind"] == {"status": 3, "timeout": 1}
    assert (figures["server_cpu_ms_per_request"], figures["client_cpu_ms_per_request"]) == (4.0, 0.1)
    assert figures["target_met"] is True
    assert web_load.wrk_figures("search", {**{k: 0 for k in ("connect", "read", "write", "status", "timeout")},
                                           "requests": 1, "duration_us": 1, "bytes": 1, "p50_us": 1,
                                           "p95_us": 100_000, "p99_us": 1, "max_us": 1, "mean_us": 1.0},
                                20, 1, 0, 0)["target_met"] is False


@pytest.mark.skipif(not __import__("shutil").which("wrk"), reason="wrk is not installed (apt-get install wrk)")
def test_web_load_wrk_script_requests_every_path_and_counts_errors(tmp_path: Path) -> None:
    """The Lua script, run by wrk against a small server: paths drawn from the file, figures written, a 404
    counted as an error."""
    import subprocess
    import threading
    from collections import Counter
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    web_load = _web_load()
    seen: Counter[str] = Counter()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            seen[self.path] += 1
            body = b"ok"
            self.send_response(404 if self.path == "/missing" else 200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        paths = tmp_path / "paths"
        paths.write_text("/a\n/b?q=x\n/missing\n", encoding="utf-8")
        script = tmp_path / "load.lua"
        script.write_text(web_load.wrk_script(paths, seed=1), encoding="utf-8")
        url = f"http://127.0.0.1:{httpd.server_address[1]}"
        run = subprocess.run(web_load.wrk_command("wrk", url, 2, 1, script), capture_output=True, text=True,
                             timeout=60, check=True)
    finally:
        httpd.shutdown()
        httpd.server_close()
    got = web_load.parse_wrk(run.stdout)
    assert set(seen) == {"/a", "/b?q=x", "/missing"}
    # wrk counts the answers it read in time; one request per connection may have been cut off at the end
    assert got["requests"] <= sum(seen.values()) <= got["requests"] + 2 and got["requests"] > 10
    assert seen["/missing"] - 2 <= got["status"] <= seen["/missing"]
    assert 0 < got["p50_us"] <= got["p95_us"] <= got["p99_us"] <= got["max_us"]
    with pytest.raises(web_load.BenchError, match="no figures"):
        web_load.parse_wrk("Running 1s test\n")
