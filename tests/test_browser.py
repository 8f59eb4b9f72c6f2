"""The website in a real browser: Playwright drives Debian's Chromium (``/usr/bin/chromium``) against
``solidarity serve`` running in a subprocess on 127.0.0.1, over the example corpus and one hostile document.

A reader's path through the site (home, a search, a statement, a signatory's organisation, the network drawn by
``static/network.js``), hostile text kept inert on every page that shows it, and a curator signing in to merge two
organisations.  Every step leaves a screenshot in ``$SOLIDARITY_TEST_ARTIFACTS`` (default ``test-artifacts/``).

The tests skip, saying why, when Playwright or Chromium is missing; under CI (``CI=true``, where ``.ci/run``
installs both) a missing one fails them instead.  Playwright never downloads a browser here: it launches the
system's Chromium by its path.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from solidarity_atlas import kb
from solidarity_atlas.store.db import connect
from solidarity_atlas.web.app import CONTENT_SECURITY_POLICY

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # the dev extra is not installed
    sync_playwright = None  # type: ignore[assignment]

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "corpus"
CHROMIUM = "/usr/bin/chromium"  # Debian's package; .ci/run installs it when it is missing
ARTIFACTS = Path(os.environ.get("SOLIDARITY_TEST_ARTIFACTS") or ROOT / "test-artifacts") / "browser"
ADMIN_TOKEN = "browser-test-admin-token-0123456789"
KKE = "communist-party-of-greece-gr"
ZHANAOZEN_TITLE = "MASSACRE OF OIL WORKERS IN ZHANAOZEN"
MERGE_KEPT = "german-communist-party-de"  # the DKP...
MERGE_GONE = "dkp-berlin-landesvorstand-xx"  # ...and its Berlin executive, which the resolver took for another body
SERVER_START = 60.0  # seconds for `solidarity serve` to answer (imports, migration check)
TIMEOUT_MS = 15_000  # Playwright's wait for a page, an element or the network drawing

# A joint statement whose headline, sentences, signatories and person carry markup and a javascript: link, the way
# a scraped page can.  Each payload must reach the pages as text.
HOSTILE = """Joint statement: hands off the striking dockers <script>alert(1)</script> of Piraeus \
<img src=x onerror=alert(1)>

The parties signing below stand with the dockers of Piraeus <script>alert(1)</script>, who walked out on
12 May 2023 against the sale of the container terminal. On 14 May 2023 the police arrested 23 strikers at the
gates <img src=x onerror=alert(1)>. We demand the release of all the detained strikers and an end to the
prosecution of their union. The union's president, Comrade Nikos Georgiou <img src=x onerror=alert(1)>, spoke
to the crowd. Documents: javascript:alert(1) and [the full dossier](javascript:alert(1)).

Signatories:
1. Communist Party of Greece
2. Dockers' Union of <img src=x onerror=alert(1)>
3. Workers' League of <script>alert(1)</script>
4. Portuguese Communist Party
5. Communist Party of Turkey

Athens, 15 May 2023
"""
HOSTILE_TITLE = "Joint statement: hands off the striking dockers <script>alert(1)</script> of Piraeus"


def _missing() -> str | None:
    if sync_playwright is None:
        return "Playwright for Python is not installed (pip install -e '.[dev]')"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


# -- the server --------------------------------------------------------------------------------------------------


@dataclass
class Site:
    """A running `solidarity serve` and what the tests need to know of it."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path
    judgements: Path

    def api(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=30) as response:
            return json.load(response)

    def status(self, path: str) -> int:
        try:
            with urllib.request.urlopen(self.url + path, timeout=30) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return exc.code


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(db: Path, folder: Path, admin_token: str | None = None) -> Site:
    """Start `solidarity serve` over ``db`` on a free port of 127.0.0.1 and wait until it answers."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "SOLIDARITY_ADMIN_TOKEN"}
    judgements = folder / "judgements.jsonl"
    env["SOLIDARITY_JUDGEMENTS"] = str(judgements)  # never the checkout's file
    if admin_token:
        env["SOLIDARITY_ADMIN_TOKEN"] = admin_token
    log = folder / f"serve-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "solidarity_atlas", "serve", "--db", str(db), "--host", "127.0.0.1",
             "--port", str(port)], stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
            cwd=folder)
    site = Site(f"http://127.0.0.1:{port}", process, log, judgements)
    deadline = time.monotonic() + SERVER_START
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"solidarity serve ended with {process.returncode}:\n{log.read_text()[-2000:]}")
        try:
            if site.status("/static/style.css") == 200:
                return site
        except OSError:
            pass
        time.sleep(0.2)
    stop(site)
    raise RuntimeError(f"solidarity serve did not answer within {SERVER_START:.0f} s:\n{log.read_text()[-2000:]}")


def stop(site: Site) -> None:
    site.process.terminate()
    try:
        site.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        site.process.kill()
        site.process.wait()


@pytest.fixture(scope="module")
def atlas_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example corpus and the hostile statement, ingested."""
    folder = tmp_path_factory.mktemp("browser")
    (folder / "hostile").mkdir()
    (folder / "hostile" / "hostile-dockers.txt").write_text(HOSTILE, encoding="utf-8")
    path = folder / "atlas.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOLIDARITY_JUDGEMENTS", str(folder / "no-judgements.jsonl"))
        counts = kb.ingest([str(EXAMPLES), str(folder / "hostile")], connect(str(path)))
    assert counts.stored == 14
    return path


@pytest.fixture(scope="module")
def site(browser: Browser, atlas_db: Path) -> Iterator[Site]:
    """A read-only site (no admin token, no user) over the database."""
    running = serve(atlas_db, atlas_db.parent)
    try:
        yield running
    finally:
        stop(running)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    reason = _missing()
    if reason:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"browser tests must run in CI: {reason}")
        pytest.skip(reason)
    assert sync_playwright is not None
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield launched
        finally:
            launched.close()


# -- a tab that watches what a page does -------------------------------------------------------------------------


@dataclass
class Tab:
    """A page that records every dialog (alert, confirm, prompt), script error and CSP violation, and saves
    screenshots as test artifacts."""

    page: Page
    site: Site
    prefix: str
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    shots: int = 0

    def __post_init__(self) -> None:
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self.errors.append(f"script error: {error}"))
        self.page.on("console", self._console)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message} on {self.page.url}")
        dialog.dismiss()

    def _console(self, message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.errors.append(f"CSP violation on {self.page.url}: {message.text}")

    def open(self, path: str) -> Any:
        """Go to ``path``; the answer must be a 200 with the Content-Security-Policy."""
        response = self.page.goto(self.site.url + path, wait_until="load")
        assert response is not None, path
        self.check(response)
        return response

    def check(self, response: Any) -> None:
        assert response.status == 200, (response.url, response.status)
        assert response.headers.get("content-security-policy") == CONTENT_SECURITY_POLICY, response.url
        assert response.headers.get("x-content-type-options") == "nosniff", response.url

    def shot(self, name: str) -> Path:
        self.shots += 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.prefix}-{self.shots:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_inert(self) -> None:
        """Nothing from the data ran: no dialog, no script error, no CSP violation, and no element the payloads
        would have made had they been markup."""
        assert self.dialogs == [], self.dialogs
        assert self.errors == [], self.errors
        page = self.page
        assert page.locator("script:not([src])").count() == 0, page.url
        assert page.locator("img").count() == 0, page.url  # the site has no images: any is injected
        assert page.locator("[onerror], [onload], [onclick]").count() == 0, page.url
        assert page.locator("a[href^='javascript:' i], [src^='javascript:' i]").count() == 0, page.url


@pytest.fixture
def tab(request: pytest.FixtureRequest, browser: Browser, site: Site) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        opened = Tab(context.new_page(), site, request.node.name.removeprefix("test_"))
        yield opened
        opened.assert_inert()
    finally:
        context.close()


# -- a reader's path ---------------------------------------------------------------------------------------------


def test_home_page(tab: Tab) -> None:
    stats = tab.site.api("/api/v1/stats")
    tab.open("/")
    page = tab.page
    assert page.locator("h1").inner_text() == "Solidarity Atlas"
    counts = page.locator("dl.counts")
    assert counts.locator("div", has_text="Statements").locator("dd").inner_text() == str(stats["statements"])
    assert page.locator("ol.statements > li").count() >= 10
    assert page.get_by_role("link", name="Network").first.is_visible()
    tab.shot("home")


def test_search_from_the_home_page(tab: Tab) -> None:
    tab.open("/")
    tab.page.locator("#home-q").fill("Zhanaozen")
    with tab.page.expect_navigation():
        tab.page.locator("form.big-search button[type=submit]").click()
    page = tab.page
    assert re.search(r"/search\?q=Zhanaozen$", page.url), page.url
    assert page.locator("h1").inner_text() == "Documents with “Zhanaozen”"
    assert page.locator("#results-heading").inner_text() == "3 documents"
    hits = page.locator("ol.hits > li")
    assert hits.count() == 3
    assert hits.locator("mark", has_text="Zhanaozen").count() >= 3  # every snippet shows the word found
    assert page.locator("aside.facets").is_visible()
    tab.shot("search-zhanaozen")


def test_statement_and_a_signatory_organisation(tab: Tab) -> None:
    tab.open("/search?q=Zhanaozen")
    page = tab.page
    with page.expect_navigation():
        page.locator("ol.hits a", has_text=ZHANAOZEN_TITLE).first.click()
    assert re.search(r"/statements/\d+\?document=\d+$", page.url), page.url
    assert ZHANAOZEN_TITLE in page.locator("h1").inner_text()
    signatories = page.locator("ol.signatories > li")
    assert signatories.count() == 14
    assert page.locator(".doctext mark.hl-event").count() >= 1
    assert page.locator(".doctext mark.hl-demand").count() >= 1
    tab.shot("statement")
    with page.expect_navigation():
        signatories.locator(f"a[href='/organizations/{KKE}']").click()
    assert page.url.endswith(f"/organizations/{KKE}")
    assert page.locator("h1").inner_text() == "Communist Party of Greece"
    assert page.locator("svg.bars rect").count() >= 3  # statements by year
    assert page.locator("svg.ego circle.alter").count() >= 1  # its co-signers around it
    tab.shot("organisation")


def test_network_page_draws_the_graph(tab: Tab) -> None:
    graph = tab.site.api("/api/v1/network")
    tab.open("/network")
    page = tab.page
    status = page.locator("#network-status")
    drawn = re.compile(rf"^{len(graph['nodes'])} organisations and {len(graph['edges'])} links drawn\.$")
    page.wait_for_function("() => /links drawn/.test(document.getElementById('network-status').textContent)")
    assert drawn.match(status.inner_text()), status.inner_text()
    # The community colours, as the page's own tables show them; each must be painted on the canvas by the dots of
    # that community.  The layout is animated, so wait for the pixels rather than for a moment.
    communities = sorted({n["community"] for n in graph["nodes"]})
    colours = page.evaluate(
        """(ids) => ids.map((id) => {
               const swatch = document.querySelector('section[aria-labelledby=communities] .swatch.c' + (id % 12));
               const [r, g, b] = getComputedStyle(swatch).backgroundColor.match(/\\d+/g).map(Number);
               return [r, g, b];
           })""", communities)
    count_pixels = """(colours) => {
        const canvas = document.getElementById('network-canvas');
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        const counts = colours.map(() => 0);
        for (let i = 0; i < data.length; i += 4) {
            colours.forEach(([r, g, b], k) => {
                if (data[i] === r && data[i + 1] === g && data[i + 2] === b && data[i + 3] === 255) counts[k]++;
            });
        }
        return counts;
    }"""
    page.wait_for_function(f"(colours) => ({count_pixels})(colours).every((n) => n >= 20)", arg=colours,
                           polling=250)
    painted = page.evaluate(count_pixels, colours)
    sizes = {c: sum(1 for n in graph["nodes"] if n["community"] == c) for c in communities}
    for community, pixels in zip(communities, painted, strict=True):
        # a dot is at least 4 px in radius (about 50 px); overlaps and labels cover some
        assert pixels >= 20 * sizes[community], (community, pixels, sizes[community])
    assert page.locator("section[aria-labelledby=top] tbody tr").count() == min(len(graph["nodes"]), 30)
    tab.shot("network")


# -- hostile text ------------------------------------------------------------------------------------------------


def test_hostile_text_stays_inert_on_every_page(tab: Tab) -> None:
    found = tab.site.api("/api/v1/search?q=Piraeus+dockers")
    assert found["total"] == 1
    statement_id = found["items"][0]["statement"]
    detail = tab.site.api(f"/api/v1/statements/{statement_id}")
    assert HOSTILE_TITLE in detail["title"]  # stored as written: the test is of the pages, not of a filter
    hostile_orgs = [s["org_id"] for s in detail["signatories"] if "<" in s["name"]]
    assert len(hostile_orgs) == 2
    person = detail["persons"][0]["person_id"]
    pages = [("home", "/"), ("statement", f"/statements/{statement_id}"), ("search", "/search?q=Piraeus+dockers"),
             ("search-script", "/search?q=script+alert"), ("statements", "/search"),
             *((f"organisation-{i}", f"/organizations/{org}") for i, org in enumerate(hostile_orgs, 1)),
             ("organisation-kke", f"/organizations/{KKE}"), ("person", f"/persons/{person}"),
             *((f"event-{i}", f"/events/{e['event_id']}") for i, e in enumerate(detail["events"], 1)),
             ("organisations", "/organizations?country=GR"), ("network", "/network")]
    page = tab.page
    for name, path in pages:
        tab.open(path)
        if name == "network":  # the names reach the script, which draws them on the canvas (its tables show the top)
            page.wait_for_function("() => /links drawn/.test(document.getElementById('network-status').textContent)")
            assert set(hostile_orgs) <= {n["id"] for n in tab.site.api("/api/v1/network")["nodes"]}
        else:
            text = page.locator("main").inner_text()
            assert "<script>alert(1)</script>" in text or "<img src=x onerror=alert(1)>" in text, (name, path)
        tab.assert_inert()
        tab.shot(name)
    tab.open(f"/statements/{statement_id}")
    assert "javascript:alert(1)" in page.locator(".doctext").inner_text()  # shown as text...
    assert page.locator("a", has_text="the full dossier").count() == 0  # ...and never made a link


# -- curation ----------------------------------------------------------------------------------------------------


@pytest.fixture
def curated_site(browser: Browser, atlas_db: Path, tmp_path: Path) -> Iterator[Site]:
    """A site with an admin token, over a copy of the database (its changes stay in this test)."""
    copy = tmp_path / "atlas.db"
    with closing(sqlite3.connect(atlas_db)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)
    running = serve(copy, tmp_path, admin_token=ADMIN_TOKEN)
    try:
        yield running
    finally:
        stop(running)


def test_sign_in_and_merge_two_organisations(browser: Browser, curated_site: Site) -> None:
    site = curated_site
    union = {s["id"] for org in (MERGE_KEPT, MERGE_GONE)
             for s in site.api(f"/api/v1/statements?org={org}&limit=200")["items"]}
    names = {name for org in (MERGE_KEPT, MERGE_GONE) for name in site.api(f"/api/v1/organizations/{org}")["aliases"]}
    gone_names = set(site.api(f"/api/v1/organizations/{MERGE_GONE}")["aliases"])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        tab = Tab(context.new_page(), site, "merge")
        page = tab.page
        tab.open(f"/organizations/{MERGE_KEPT}")
        assert page.locator("form[action$='/merge']").count() == 0  # no forms before signing in
        with page.expect_navigation():
            page.get_by_role("link", name="Sign in").first.click()
        assert "/login?next=" in page.url
        assert len(page.locator("form.login input[name=csrf_token]").get_attribute("value") or "") >= 20
        page.locator("#login-username").fill("admin")
        page.locator("#login-password").fill(ADMIN_TOKEN)
        tab.shot("login")
        with page.expect_navigation() as signed_in:
            page.locator("form.login button[type=submit]").click()
        tab.check(signed_in.value)
        assert page.url.endswith(f"/organizations/{MERGE_KEPT}")
        assert "Signed in as admin-token" in page.locator("header.site .account").inner_text()
        form = page.locator(f"form[action='/organizations/{MERGE_KEPT}/merge']")
        assert form.locator("input[name=csrf_token]").get_attribute("value")
        form.locator("#merge-other").fill(MERGE_GONE)
        form.locator("input[name=keep][value=this]").check()
        form.locator("#merge-why").fill("the Berlin executive of the DKP, not another party")
        tab.shot("merge-form")
        with page.expect_navigation() as merged:
            form.get_by_role("button", name="Merge").click()
        tab.check(merged.value)
        assert page.url.endswith(f"/organizations/{MERGE_KEPT}?done=merge"), page.url
        assert page.locator("p.notice").inner_text() == "The organisations were merged."
        seen = set(page.locator("ul.aliases > li").all_inner_texts())
        assert gone_names <= seen, (gone_names, seen)  # the names it was written as are the kept one's now
        tab.shot("merged")
        # The organisation merged away leads to the one kept; the one kept has the statements of both.
        tab.open(f"/organizations/{MERGE_GONE}")
        assert page.url.endswith(f"/organizations/{MERGE_KEPT}"), page.url
        tab.shot("merged-away-redirects")
        tab.assert_inert()
    finally:
        context.close()
    kept = site.api(f"/api/v1/organizations/{MERGE_KEPT}")
    assert kept["statements"] == len(union) and set(kept["aliases"]) == names
    assert site.status(f"/api/v1/organizations/{MERGE_GONE}") == 404
    lines = [json.loads(line) for line in site.judgements.read_text(encoding="utf-8").splitlines()]
    assert [(j["op"], j["ids"], j["into"], j["who"]) for j in lines] == [
        ("merge", [MERGE_KEPT, MERGE_GONE], MERGE_KEPT, "admin-token")]
    assert site.process.poll() is None  # the server is still up after the correction

