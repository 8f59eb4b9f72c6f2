"""Each kind of input ingested into the knowledge base: archives, WARC files, pages, feeds and sitemaps served on
127.0.0.1 — every input ends stored, duplicate or quarantined, and a second run changes nothing."""

from __future__ import annotations

import gzip
import io
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from solidarity_atlas import kb
from solidarity_atlas.ingest.sources import Fetcher
from solidarity_atlas.store import queries
from solidarity_atlas.store.db import connect
from solidarity_atlas.store.schema import documents, inputs

PAGE = """<!DOCTYPE html><html lang="en"><head><title>{title}</title></head><body>
<nav><a href="/">Home</a> | <a href="/news">News</a> | <a href="/contact">Contact</a></nav>
<article><h1>{title}</h1><p>Athens, {day} March 2024</p>
<p>The trade unions of the port of Piraeus went on strike on {day} March 2024 against the sale of the container
terminal. The police detained {count} dockers at the gates in the morning. We demand the release of the detained
workers and the respect of the right to strike. The undersigned organisations stand with the dockers.</p>
<p>Signed by:</p><ol><li>Communist Party of Greece</li><li>PAME</li><li>World Federation of Trade Unions</li></ol>
</article></body></html>"""


def _page(n: int) -> bytes:
    return PAGE.format(title=f"Dockers of Piraeus, day {n}", day=n, count=10 + n).encode()


@pytest.fixture()
def engine(atlas_url: str):  # noqa: ANN201 - an SQLAlchemy engine
    """A fresh database: SQLite, and PostgreSQL too when SOLIDARITY_TEST_PG is set (see conftest.py)."""
    return connect(atlas_url)


def _counts(engine) -> tuple[int, int, int]:  # noqa: ANN001
    s = queries.stats(engine)
    return s["inputs_stored"], s["inputs_duplicate"], s["inputs_quarantined"]


def test_zip_and_tar_members_are_documents_and_bad_members_are_quarantined(engine, tmp_path: Path) -> None:
    archive = tmp_path / "statements.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("2024/day-1.html", _page(1))
        z.writestr("2024/day-2.html", _page(2))
        z.writestr("../escape.html", _page(3))
        z.writestr("scan.pdf", b"%PDF-1.4")
    tarball = tmp_path / "more.tar.gz"
    with tarfile.open(tarball, "w:gz") as t:
        for name, data in (("day-4.html", _page(4)), ("day-1-again.html", _page(1))):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    counts = kb.ingest([str(archive), str(tarball)], engine)
    assert (counts.stored, counts.duplicate, counts.quarantined) == (3, 1, 2)
    assert _counts(engine) == (3, 1, 2)
    reasons = {f["input"]: f["reason"] for f in queries.failures(engine)}
    assert any("escape" in uri for uri in reasons) and any(uri.endswith("scan.pdf") for uri in reasons)
    with engine.connect() as c:
        uris = set(c.execute(select(inputs.c.uri)).scalars())
    assert f"{archive}!2024/day-1.html" in uris
    again = kb.ingest([str(archive), str(tarball)], engine)
    assert (again.stored, again.duplicate, again.quarantined, again.unchanged) == (0, 0, 0, 6)


def _warc(path: Path, records: list[tuple[str, int, str, bytes]]) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=path.suffix == ".gz")
        for url, status, media_type, body in records:
            headers = StatusAndHeaders(f"{status} OK", [("Content-Type", media_type)], protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
            writer.write_record(record)


def test_warc_responses_are_documents_with_their_url_and_date(engine, tmp_path: Path) -> None:
    warc = tmp_path / "crawl.warc.gz"
    _warc(warc, [
        ("https://example.org/statements/1", 200, "text/html; charset=utf-8", _page(5)),
        ("https://example.org/statements/2", 200, "text/html", _page(6)),
        ("https://example.org/missing", 404, "text/html", b"<html>not found</html>"),
        ("https://example.org/logo.png", 200, "image/png", b"\x89PNG...."),
    ])
    counts = kb.ingest([str(warc)], engine)
    assert (counts.stored, counts.quarantined) == (2, 2)
    with engine.connect() as c:
        rows = c.execute(select(documents.c.url, documents.c.fetched_at, documents.c.title)).all()
    assert {r.url for r in rows} == {"https://example.org/statements/1", "https://example.org/statements/2"}
    assert all(r.fetched_at and r.fetched_at[:2] == "20" for r in rows)
    assert {r.title for r in rows} == {"Dockers of Piraeus, day 5", "Dockers of Piraeus, day 6"}
    truncated = tmp_path / "cut.warc.gz"
    truncated.write_bytes(warc.read_bytes()[: warc.stat().st_size // 2])
    counts = kb.ingest([str(truncated)], engine)
    assert counts.quarantined >= 1  # the broken record is reported, never an exception


class _Site(BaseHTTPRequestHandler):
    pages: dict[str, tuple[str, bytes]] = {}

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        found = self.pages.get(self.path)
        if found is None:
            self.send_response(404)
            self.end_headers()
            return
        media_type, body = found
        self.send_response(200)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
        pass


@pytest.fixture()
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    _Site.pages = {
        "/robots.txt": ("text/plain", b"User-agent: *\nDisallow: /private/\n"),
        "/news/7": ("text/html", _page(7)),
        "/news/8": ("text/html", _page(8)),
        "/private/9": ("text/html", _page(9)),
        "/feed.xml": ("application/rss+xml", (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
            f"<item><title>7</title><link>{base}/news/7</link></item>"
            f"<item><title>8</title><link>{base}/news/8</link></item>"
            f"<item><title>9</title><link>{base}/private/9</link></item>"
            "</channel></rss>").encode()),
        "/sitemap.xml.gz": ("application/x-gzip", gzip.compress((
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{base}/news/7</loc></url><url><loc>{base}/gone</loc></url></urlset>").encode())),
    }
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()


def test_a_feed_and_a_sitemap_are_fetched_politely(engine, site: str) -> None:
    fetcher = Fetcher(rate_limit=0.0, timeout=5.0, allow_private=True)
    counts = kb.ingest([f"{site}/feed.xml", f"{site}/sitemap.xml.gz"], engine, fetcher=fetcher)
    stats = queries.stats(engine)
    assert stats["inputs_stored"] == 2  # news/7 and news/8; /news/7 from the sitemap is the same URL
    reasons = {f["input"]: f["reason"] for f in queries.failures(engine)}
    assert any("robots" in reason for uri, reason in reasons.items() if uri.endswith("/private/9"))
    assert any("404" in reason for uri, reason in reasons.items() if uri.endswith("/gone"))
    assert counts.stored == 2
    with engine.connect() as c:
        urls = set(c.execute(select(documents.c.url)).scalars())
    assert urls == {f"{site}/news/7", f"{site}/news/8"}


def test_the_default_fetcher_refuses_the_local_network(engine, site: str) -> None:
    counts = kb.ingest([f"{site}/news/7", "http://169.254.169.254/latest/meta-data/", "file:///etc/passwd"],
                       engine, fetcher=Fetcher(rate_limit=0.0, timeout=2.0))
    assert counts.stored == 0 and counts.quarantined == 3
    reasons = [f["reason"] for f in queries.failures(engine)]
    assert all(reasons)
