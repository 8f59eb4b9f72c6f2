"""The input stream of ``solidarity ingest``: files, folders, archives, WARC files and URLs.

Every archive and WARC file is built in a temporary folder; the web is a server on 127.0.0.1
started per test, so nothing here touches the network.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import socket
import tarfile
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from solidarity_atlas.ingest import sources
from solidarity_atlas.ingest.sources import Fetcher, SourceItem, default_user_agent, iter_sources

HTML = b"<!doctype html><html><head><title>Solidarity</title></head><body><p>We stand with you.</p></body></html>"
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


# --------------------------------------------------------------------------- a local web server


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    length: bool = True  # send Content-Length (else the body ends when the connection closes)


@dataclass
class Site:
    base: str
    routes: dict[str, Route]
    log: list[tuple[str, float, str]]  # (path, time.monotonic() at arrival, User-Agent)

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self) -> list[str]:
        return [path for path, _t, _ua in self.log]


def _routes(base: str) -> dict[str, Route]:
    def page(title: str) -> Route:
        return Route(body=f"<html><body><h1>{title}</h1><p>Text of {title}.</p></body></html>".encode())

    rss = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>News</title>
<item><title>A</title><link>{base}/a.html</link></item>
<item><title>B</title><link>{base}/b.html</link></item>
<item><title>No link</title></item>
<item><title>Bad</title><link>javascript:alert(1)</link></item>
</channel></rss>"""
    atom = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{base}/news/"><title>News</title>
<entry><title>C</title><link rel="alternate" href="{base}/c.html"/></entry>
<entry><title>D</title><link rel="self" href="/ignored.xml"/><link href="d.html"/></entry>
</feed>"""
    rdf = f"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="{base}/"><title>News</title></channel>
<item rdf:about="{base}/a.html"><title>A</title><link>{base}/a.html</link></item>
<item rdf:about="{base}/e.html"><title>E</title></item>
</rdf:RDF>"""
    index = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{base}/sitemap-1.xml</loc></sitemap>
<sitemap><loc>{base}/missing-sitemap.xml</loc></sitemap>
</sitemapindex>"""
    sitemap = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{base}/e.html</loc></url><url><loc>{base}/plain.txt</loc></url><url><loc>{base}/image.png</loc></url>
</urlset>"""
    bomb = """<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]>
<rss version="2.0"><channel><item><link>&lol3;</link></item></channel></rss>"""
    return {
        "/robots.txt": Route(body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"),
        "/page.html": Route(body=HTML),
        "/private/secret.html": page("secret"),
        "/a.html": page("A"),
        "/b.html": page("B"),
        "/c.html": page("C"),
        "/news/d.html": page("D"),
        "/e.html": page("E"),
        "/plain.txt": Route(body=b"A plain statement.\n", content_type="text/plain; charset=utf-8"),
        "/notes.md": Route(body=b"# Notes\n\nText.\n", content_type="text/markdown"),
        "/image.png": Route(body=b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png"),
        "/feed.rss": Route(body=rss.encode(), content_type="application/rss+xml"),
        "/feed.atom": Route(body=atom.encode(), content_type="application/atom+xml; charset=utf-8"),
        "/feed.rdf": Route(body=rdf.encode(), content_type="application/rdf+xml"),
        "/empty-feed.xml": Route(body=b"<rss version='2.0'><channel/></rss>", content_type="text/xml"),
        "/entity-bomb.xml": Route(body=bomb.encode(), content_type="application/rss+xml"),
        "/sitemap-index.xml": Route(body=index.encode(), content_type="application/xml"),
        "/sitemap-1.xml": Route(body=sitemap.encode(), content_type="application/xml"),
        "/sitemap.xml.gz": Route(body=gzip.compress(sitemap.encode()), content_type="application/x-gzip"),
        "/other.xml": Route(body=b"<catalog><book/></catalog>", content_type="application/xml"),
        "/redirect/1": Route(status=302, headers={"Location": "/redirect/2"}),
        "/redirect/2": Route(status=301, headers={"Location": f"{base}/page.html"}),
        "/loop/a": Route(status=302, headers={"Location": "/loop/b"}),
        "/loop/b": Route(status=302, headers={"Location": "/loop/a"}),
        "/to-ftp": Route(status=302, headers={"Location": "ftp://example.org/x.html"}),
        "/large.html": Route(body=b"<html><body>" + b"x" * 5000 + b"</body></html>"),
        "/large-unsized.html": Route(body=b"<html><body>" + b"y" * 5000 + b"</body></html>", length=False),
        "/slow.html": Route(body=HTML, delay=1.0),
        "/untyped": Route(body=HTML, content_type=None),
        "/server-error": Route(status=503, body=b"busy", content_type="text/plain"),
    }


@pytest.fixture
def site() -> Iterator[Site]:
    log: list[tuple[str, float, str]] = []
    routes: dict[str, Route] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            path = self.path.split("?", 1)[0]
            log.append((path, time.monotonic(), self.headers.get("User-Agent", "")))
            route = routes.get(path, Route(status=404, body=b"not found", content_type="text/plain"))
            if route.delay:
                time.sleep(route.delay)
            try:
                self.send_response(route.status)
                if route.content_type:
                    self.send_header("Content-Type", route.content_type)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if route.length:
                    self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    routes.update(_routes(base))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield Site(base, routes, log)
    finally:
        server.shutdown()
        server.server_close()


def fetcher(**options: object) -> Fetcher:
    settings: dict[str, object] = {"allow_private": True, "rate_limit": 0.0, "timeout": 5.0}
    settings.update(options)
    return Fetcher(**settings)  # type: ignore[arg-type]


def collect(inputs: list[str], **options: object) -> list[SourceItem]:
    with fetcher(**options) as f:
        return list(iter_sources(inputs, fetcher=f))


def by_uri(items: list[SourceItem]) -> dict[str, SourceItem]:
    return {item.uri: item for item in items}


# --------------------------------------------------------------------------- fetching pages


def test_html_page_is_fetched_with_its_metadata(site: Site) -> None:
    url = site.url("/page.html")
    [item] = collect([url])
    assert item.error is None
    assert item.data == HTML
    assert (item.uri, item.url, item.name, item.media_type) == (url, url, "page.html", "text/html")
    assert item.group == "127.0.0.1"
    assert item.fetched_at is not None and ISO_UTC.match(item.fetched_at)
    assert site.paths() == ["/robots.txt", "/page.html"]


def test_user_agent_names_the_project_and_version() -> None:
    agent = default_user_agent()
    assert re.match(r"^SolidarityAtlas/[\w.+-]+ \(\+https://github\.com/solidarity-atlas; research crawler\)$", agent)


def test_requests_carry_the_user_agent(site: Site) -> None:
    collect([site.url("/page.html")])
    assert {ua for _p, _t, ua in site.log} == {default_user_agent()}


def test_text_plain_and_markdown_pages_are_named_by_type(site: Site) -> None:
    items = by_uri(collect([site.url("/plain.txt"), site.url("/notes.md")]))
    plain, notes = items[site.url("/plain.txt")], items[site.url("/notes.md")]
    assert (plain.name, plain.media_type, plain.data) == ("page.txt", "text/plain", b"A plain statement.\n")
    assert (notes.name, notes.media_type) == ("page.md", "text/markdown")


def test_page_without_content_type_is_sniffed_as_html(site: Site) -> None:
    [item] = collect([site.url("/untyped")])
    assert item.error is None and item.name == "page.html"


def test_robots_txt_disallows_private_path(site: Site) -> None:
    [item] = collect([site.url("/private/secret.html")])
    assert item.error == "robots.txt disallows this URL" and item.data is None
    assert "/private/secret.html" not in site.paths()


def test_robots_txt_is_fetched_once_per_host(site: Site) -> None:
    collect([site.url("/page.html"), site.url("/a.html"), site.url("/private/secret.html")])
    assert site.paths().count("/robots.txt") == 1


def test_robots_txt_missing_allows_everything(site: Site) -> None:
    del site.routes["/robots.txt"]
    [item] = collect([site.url("/private/secret.html")])
    assert item.error is None
    assert site.paths() == ["/robots.txt", "/private/secret.html"]


def test_robots_txt_server_error_disallows_the_host(site: Site) -> None:
    site.routes["/robots.txt"] = Route(status=503, body=b"down", content_type="text/plain")
    items = collect([site.url("/page.html"), site.url("/a.html")])
    assert all(item.error and "robots.txt could not be fetched (HTTP 503)" in item.error for item in items)
    assert site.paths() == ["/robots.txt"]


def test_robots_txt_can_be_ignored_when_asked(site: Site) -> None:
    [item] = collect([site.url("/private/secret.html")], respect_robots=False)
    assert item.error is None
    assert site.paths() == ["/private/secret.html"]


def test_crawl_delay_is_honoured(site: Site) -> None:
    site.routes["/robots.txt"] = Route(body=b"User-agent: *\nCrawl-delay: 1\n", content_type="text/plain")
    [item] = collect([site.url("/page.html")])
    assert item.error is None
    (_r, robots_at, _u), (_p, page_at, _v) = site.log
    assert page_at - robots_at >= 0.95


def test_overlong_crawl_delay_is_reported_not_waited(site: Site) -> None:
    site.routes["/robots.txt"] = Route(body=b"User-agent: *\nCrawl-delay: 3600\n", content_type="text/plain")
    started = time.monotonic()
    [item] = collect([site.url("/page.html")])
    assert item.error is not None and "3600 s between requests" in item.error
    assert time.monotonic() - started < 2


def test_rate_limit_spaces_requests_to_one_host(site: Site) -> None:
    urls = [site.url(p) for p in ("/a.html", "/b.html", "/c.html")]
    items = collect(urls, rate_limit=0.4, respect_robots=False)
    assert [item.error for item in items] == [None, None, None]
    times = [t for _p, t, _u in site.log]
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    # The pause is kept between request starts on the client; arrival times jitter by a connection set-up.
    assert len(gaps) == 2 and min(gaps) >= 0.3
    assert times[-1] - times[0] >= 0.75


def test_redirect_chain_is_followed(site: Site) -> None:
    url = site.url("/redirect/1")
    [item] = collect([url])
    assert item.error is None and item.data == HTML
    assert item.uri == url and item.url == site.url("/page.html")


def test_redirect_loop_is_cut(site: Site) -> None:
    [item] = collect([site.url("/loop/a")], max_redirects=5)
    assert item.error == "too many redirects"
    assert site.paths().count("/loop/a") + site.paths().count("/loop/b") == 6


def test_redirect_to_another_scheme_is_refused(site: Site) -> None:
    [item] = collect([site.url("/to-ftp")])
    assert item.error is not None and item.error.startswith("only http and https URLs are fetched")


def test_http_errors_are_reported(site: Site) -> None:
    items = collect([site.url("/nowhere.html"), site.url("/server-error")])
    assert [item.error for item in items] == ["HTTP 404", "HTTP 503"]


def test_body_over_the_cap_is_refused(site: Site) -> None:
    items = collect([site.url("/large.html"), site.url("/large-unsized.html")], max_bytes=1000)
    assert [item.error for item in items] == ["larger than 1000 bytes"] * 2
    assert all(item.data is None for item in items)


def test_slow_page_times_out(site: Site) -> None:
    started = time.monotonic()
    [item] = collect([site.url("/slow.html")], timeout=0.2, respect_robots=False)
    assert item.error == "timed out"
    assert time.monotonic() - started < 1.0


def test_connection_refused_is_reported() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    [item] = collect([f"http://127.0.0.1:{port}/page.html"], respect_robots=False)
    assert item.error == "connection refused"


def test_image_is_not_a_page(site: Site) -> None:
    [item] = collect([site.url("/image.png")])
    assert item.error == "not a text page (image/png)" and item.data is None


def test_duplicate_urls_are_fetched_once(site: Site) -> None:
    url = site.url("/page.html")
    items = collect([url, url, url + "#top"])
    assert len(items) == 1
    assert site.paths().count("/page.html") == 1


# --------------------------------------------------------------------------- address safety and schemes


def test_default_fetcher_refuses_loopback_without_a_request(site: Site) -> None:
    with Fetcher(rate_limit=0.0) as default:
        result = default.fetch(site.url("/page.html"))
    assert result.error == "refused: private or local address (127.0.0.1)"
    assert site.log == []


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://10.0.0.7/", "10.0.0.7"),
        ("http://[::1]:8080/", "::1"),
        ("http://[fe80::1]/", "fe80::1"),
        ("http://0.0.0.0/", "0.0.0.0"),
        ("http://[::ffff:192.168.1.1]/", "::ffff:192.168.1.1"),
    ],
)
def test_default_fetcher_refuses_local_addresses_before_connecting(
    url: str, address: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_connect(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", no_connect)
    monkeypatch.setattr(socket, "create_connection", no_connect)
    with Fetcher(rate_limit=0.0) as default:
        result = default.fetch(url)
    assert result.error == f"refused: private or local address ({address})"


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/x.html", "javascript:alert(1)", "data:text/html,hi"]
)
def test_other_schemes_are_refused(url: str) -> None:
    with Fetcher(rate_limit=0.0) as default:
        assert default.fetch(url).error == "only http and https URLs are fetched"
        [item] = list(iter_sources([url], fetcher=default))
    assert item.uri == url and item.error == "only http and https URLs are fetched"


def test_fetch_never_raises_on_a_malformed_url() -> None:
    with Fetcher(rate_limit=0.0) as default:
        assert default.fetch("http://exa mple.org:99999/").error is not None
        assert default.fetch("http:///no-host").error is not None


# --------------------------------------------------------------------------- feeds and sitemaps


def test_rss_feed_yields_its_entries_in_order(site: Site) -> None:
    feed = site.url("/feed.rss")
    items = collect([feed])
    assert [item.uri for item in items] == [
        site.url("/a.html"),
        site.url("/b.html"),
        f"{feed}#entry-3",
        "javascript:alert(1)",
    ]
    assert [item.error for item in items] == [
        None,
        None,
        "feed entry has no link",
        "only http and https URLs are fetched",
    ]
    assert items[0].data is not None and b"Text of A" in items[0].data


def test_atom_feed_links_are_resolved_against_xml_base(site: Site) -> None:
    items = collect([site.url("/feed.atom")])
    assert [item.uri for item in items] == [site.url("/c.html"), site.url("/news/d.html")]
    assert all(item.error is None for item in items)
    assert "/ignored.xml" not in site.paths()


def test_rss1_feed_and_duplicates_across_inputs(site: Site) -> None:
    items = collect([site.url("/a.html"), site.url("/feed.rdf")])
    assert [item.uri for item in items] == [site.url("/a.html"), site.url("/e.html")]
    assert site.paths().count("/a.html") == 1


def test_empty_feed_is_reported(site: Site) -> None:
    [item] = collect([site.url("/empty-feed.xml")])
    assert item.error == "feed lists no entries"


def test_feed_entities_are_not_expanded(site: Site) -> None:
    items = collect([site.url("/entity-bomb.xml")])
    assert all("lollol" not in item.uri for item in items)


def test_sitemap_index_leads_to_pages(site: Site) -> None:
    items = collect([site.url("/sitemap-index.xml")])
    got = [(item.uri, item.error) for item in items]
    assert got == [
        (site.url("/e.html"), None),
        (site.url("/plain.txt"), None),
        (site.url("/image.png"), "not a text page (image/png)"),
        (site.url("/missing-sitemap.xml"), "HTTP 404"),
    ]


def test_gzipped_sitemap_is_read(site: Site) -> None:
    items = collect([site.url("/sitemap.xml.gz")])
    assert [item.uri for item in items] == [site.url(p) for p in ("/e.html", "/plain.txt", "/image.png")]


def test_sitemap_depth_is_limited(site: Site) -> None:
    for level in range(1, 5):
        child = f"/deep-{level + 1}.xml"
        body = f"<sitemapindex><sitemap><loc>{site.url(child)}</loc></sitemap></sitemapindex>"
        site.routes[f"/deep-{level}.xml"] = Route(body=body.encode(), content_type="text/xml")
    items = collect([site.url("/deep-1.xml")])
    assert [(item.uri, item.error) for item in items] == [
        (site.url("/deep-4.xml"), "sitemap index nested deeper than 3 levels: not read")
    ]
    assert "/deep-4.xml" not in site.paths()


def test_sitemap_url_quota(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "MAX_LISTED_URLS", 2)
    items = collect([site.url("/sitemap-1.xml")])
    assert [item.error for item in items] == [None, None, "sitemaps list more than 2 URLs: the rest not fetched"]


def test_xml_that_is_neither_feed_nor_sitemap_is_not_a_page(site: Site) -> None:
    [item] = collect([site.url("/other.xml")])
    assert item.error == "not a text page (application/xml)"


# --------------------------------------------------------------------------- files, folders, globs


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_folder_is_walked_sorted_and_hidden_entries_skipped(tmp_path: Path) -> None:
    write(tmp_path / "b.html", HTML)
    write(tmp_path / "a.txt", "text")
    write(tmp_path / "sub" / "c.md", "# c")
    write(tmp_path / ".hidden.html", HTML)
    write(tmp_path / ".git" / "d.html", HTML)
    write(tmp_path / "report.pdf", b"%PDF-1.4")
    items = list(iter_sources([str(tmp_path)]))
    got = [(os.path.relpath(item.uri, tmp_path), item.error) for item in items]
    assert got == [
        ("a.txt", None),
        ("b.html", None),
        ("report.pdf", "unsupported file type (.pdf)"),
        (os.path.join("sub", "c.md"), None),
    ]
    first = items[0]
    assert (first.name, first.media_type, first.data, first.group) == ("a.txt", "text/plain", b"text", str(tmp_path))
    assert items[3].media_type == "text/markdown" and items[1].media_type == "text/html"


def test_glob_and_missing_paths(tmp_path: Path) -> None:
    write(tmp_path / "one.txt", "1")
    write(tmp_path / "two.txt", "2")
    write(tmp_path / "three.html", HTML)
    missing = str(tmp_path / "absent.html")
    pattern = str(tmp_path / "*.txt")
    no_match = str(tmp_path / "*.markdown")
    items = list(iter_sources([pattern, missing, no_match, str(tmp_path / "one.txt")]))
    got = [(item.uri, item.error) for item in items]
    assert got == [
        (str(tmp_path / "one.txt"), None),
        (str(tmp_path / "two.txt"), None),
        (missing, "no such file or directory"),
        (no_match, "no file matches this pattern"),
    ]


def test_empty_folder_is_reported(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    write(tmp_path / "empty" / ".only-hidden.txt", "x")
    [item] = list(iter_sources([str(tmp_path / "empty")]))
    assert item.error is not None and item.error.startswith("folder holds no files")


def test_file_over_the_size_cap_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOLIDARITY_MAX_BYTES", "100")
    write(tmp_path / "big.txt", "x" * 101)
    write(tmp_path / "small.txt", "x" * 100)
    items = list(iter_sources([str(tmp_path)]))
    assert [item.error for item in items] == ["larger than 100 bytes", None]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX feature")
def test_named_pipe_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    [item] = list(iter_sources([str(fifo)]))
    assert item.error == "not a regular file (named pipe)"


def test_argument_that_is_a_file_is_not_taken_for_a_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "notes:2024.txt", "x")
    [item] = list(iter_sources(["notes:2024.txt"]))
    assert item.error is None and item.data == b"x"


# --------------------------------------------------------------------------- archives


GOOD_MEMBERS = {"docs/a.html": HTML, "b.txt": b"plain text", "docs/c.md": b"# heading"}
BAD_MEMBERS = {
    "../evil.html": (HTML, "member name escapes the archive (../evil.html)"),
    "/etc/x.html": (HTML, "member name escapes the archive (/etc/x.html)"),
    "C:/windows/y.html": (HTML, "member name escapes the archive (C:/windows/y.html)"),
    "report.pdf": (b"%PDF-1.4", "unsupported file type (.pdf)"),
    "inner.zip": (b"PK\x05\x06" + b"\0" * 18, "nested archive not read"),
    "docs/.DS_Store.txt": (b"x", "hidden file not read"),
}


def make_zip(path: Path, members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        archive.writestr(zipfile.ZipInfo("docs/"), b"")
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = compression
            archive.writestr(info, data)
    return path


def make_tar(path: Path, members: dict[str, bytes], mode: str = "w:gz") -> Path:
    with tarfile.open(path, mode) as archive:  # type: ignore[call-overload]
        folder = tarfile.TarInfo("docs")
        folder.type = tarfile.DIRTYPE
        archive.addfile(folder)
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("docs/link.html")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        archive.addfile(link)
    return path


def check_archive(items: list[SourceItem], archive: Path) -> None:
    found = by_uri(items)
    for name, data in GOOD_MEMBERS.items():
        item = found.pop(f"{archive}!{name}")
        assert (item.error, item.data, item.group) == (None, data, str(archive))
        assert item.name == name.rsplit("/", 1)[-1]
    assert found.pop(f"{archive}!docs/a.html", None) is None
    for name, (_data, reason) in BAD_MEMBERS.items():
        item = found.pop(f"{archive}!{name}")
        assert (item.error, item.data) == (reason, None)


def test_zip_members_are_read_and_bad_ones_reported(tmp_path: Path) -> None:
    members = GOOD_MEMBERS | {name: data for name, (data, _r) in BAD_MEMBERS.items()}
    archive = make_zip(tmp_path / "statements.zip", members)
    items = list(iter_sources([str(archive)]))
    assert len(items) == len(members)  # the directory entry is not an item
    check_archive(items, archive)
    assert items[0].uri == f"{archive}!docs/a.html"  # archive order
    assert items[0].media_type == "text/html"


def test_zip_symlink_member_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "links.zip"
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo("link.html")
        info.external_attr = 0o120777 << 16  # a symbolic link, as Info-ZIP stores it
        archive.writestr(info, "/etc/passwd")
    [item] = list(iter_sources([str(path)]))
    assert item.error == "not a regular file (symbolic link)"


def test_tar_gz_members_are_read_and_bad_ones_reported(tmp_path: Path) -> None:
    members = GOOD_MEMBERS | {name: data for name, (data, _r) in BAD_MEMBERS.items()}
    for suffix, mode in ((".tar.gz", "w:gz"), (".tgz", "w:gz"), (".tar", "w")):
        archive = make_tar(tmp_path / f"statements{suffix}", members, mode)
        items = list(iter_sources([str(archive)]))
        assert len(items) == len(members) + 1, suffix
        check_archive(items, archive)
        assert by_uri(items)[f"{archive}!docs/link.html"].error == "not a regular file (symbolic link)"


def test_truncated_zip_is_an_error_item(tmp_path: Path) -> None:
    whole = make_zip(tmp_path / "whole.zip", GOOD_MEMBERS).read_bytes()
    cut = write(tmp_path / "cut.zip", whole[: len(whole) // 2])
    not_zip = write(tmp_path / "fake.zip", "this is not a zip file")
    after = write(tmp_path / "after.txt", "still read")
    items = list(iter_sources([str(cut), str(not_zip), str(after)]))
    assert [item.uri for item in items] == [str(cut), str(not_zip), str(after)]
    assert items[0].error is not None and items[0].error.startswith("corrupt or truncated zip archive")
    assert items[1].error is not None and items[1].error.startswith("corrupt or truncated zip archive")
    assert items[2].error is None


def test_file_that_is_not_a_tar_is_an_error_item(tmp_path: Path) -> None:
    fake = write(tmp_path / "fake.tar.gz", b"\x1f\x8b" + bytes(range(200)))
    empty = write(tmp_path / "empty.tar", b"")
    items = list(iter_sources([str(fake), str(empty)]))
    assert [item.error for item in items] == [
        "corrupt or truncated tar archive (not a tar archive, or damaged at its start)",
        "corrupt or truncated tar archive (empty file)",
    ]


def test_corrupt_zip_member_is_reported_and_others_read(tmp_path: Path) -> None:
    members = {"a.txt": b"A" * 2000, "b.txt": b"B" * 10}
    path = make_zip(tmp_path / "damaged.zip", members, compression=zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    at = data.index(b"A" * 100)
    data[at : at + 100] = b"Z" * 100  # the CRC no longer matches
    path.write_bytes(bytes(data))
    items = list(iter_sources([str(path)]))
    assert [item.uri.rsplit("!", 1)[1] for item in items] == ["a.txt", "b.txt"]
    assert items[0].error is not None and items[0].error.startswith("corrupt member")
    assert items[1].data == b"B" * 10


def test_truncated_tar_gz_gives_members_then_an_error(tmp_path: Path) -> None:
    members = {f"doc-{i}.txt": os.urandom(3000).hex().encode() for i in range(6)}
    whole = make_tar(tmp_path / "whole.tar.gz", members).read_bytes()
    cut = write(tmp_path / "cut.tar.gz", whole[: int(len(whole) * 0.6)])
    items = list(iter_sources([str(cut)]))
    assert items[-1].uri == str(cut) and items[-1].error is not None
    assert "truncated" in items[-1].error or "unexpected end" in items[-1].error
    read = [item for item in items[:-1] if item.error is None]
    assert 1 <= len(read) < 6
    assert all(item.data == members[item.name] for item in read)


def test_truncated_plain_tar_at_a_member_boundary_is_reported(tmp_path: Path) -> None:
    members = {"a.txt": b"a" * 512, "b.txt": b"b" * 512}
    whole = make_tar(tmp_path / "whole.tar", members, "w").read_bytes()
    cut = write(tmp_path / "cut.tar", whole[: 512 * 5])  # the folder, then a header and a data block each
    items = list(iter_sources([str(cut)]))
    assert [item.error for item in items[:2]] == [None, None]
    assert items[2].error == "truncated archive: it ends without its end-of-archive marker"


def test_bomb_like_member_is_cut_at_the_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOLIDARITY_MAX_BYTES", "10000")
    path = make_zip(tmp_path / "bomb.zip", {"zeros.txt": b"\0" * 5_000_000, "ok.txt": b"fine"})
    assert path.stat().st_size < 20_000
    items = list(iter_sources([str(path)]))
    assert [(item.name, item.error) for item in items] == [("zeros.txt", "larger than 10000 bytes"), ("ok.txt", None)]


def test_member_lying_about_its_size_is_cut(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOLIDARITY_MAX_BYTES", "10000")
    path = make_zip(tmp_path / "liar.zip", {"zeros.txt": b"\0" * 1_000_000}, compression=zipfile.ZIP_DEFLATED)
    data = bytearray(path.read_bytes())
    # Declare 100 bytes in both the local header and the central directory.
    local = data.index(b"PK\x03\x04")
    data[local + 22 : local + 26] = (100).to_bytes(4, "little")
    central = data.index(b"PK\x01\x02")
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    [item] = list(iter_sources([str(path)]))
    assert item.error is not None and item.data is None


def test_archive_expanding_far_beyond_its_size_is_stopped(tmp_path: Path) -> None:
    members = {f"doc-{i:02}.txt": b" " * 500_000 for i in range(20)}
    path = make_zip(tmp_path / "inflating.zip", members)
    items = list(iter_sources([str(path)]))
    assert items[-1].uri == str(path)
    assert items[-1].error is not None and items[-1].error.startswith("archive expands beyond")
    read = items[:-1]
    assert 0 < len(read) < 20 and all(item.error is None for item in read)
    assert sum(len(item.data or b"") for item in read) <= 100 * path.stat().st_size


def test_member_count_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "MAX_ARCHIVE_MEMBERS", 3)
    members = {f"{i}.txt": b"x" for i in range(5)}
    zipped = make_zip(tmp_path / "many.zip", members)
    [item] = list(iter_sources([str(zipped)]))
    assert item.error == "archive has more than 3 members: not read"
    tarred = make_tar(tmp_path / "many.tar.gz", members)
    items = list(iter_sources([str(tarred)]))
    assert [item.error for item in items[:-1]] == [None, None]  # the first of the three is the folder
    assert items[-1].error == "archive has more than 3 members: the rest is not read"


def test_archive_in_a_folder_is_expanded(tmp_path: Path) -> None:
    make_zip(tmp_path / "set.zip", {"x.txt": b"x"})
    write(tmp_path / "y.txt", "y")
    items = list(iter_sources([str(tmp_path)]))
    assert [item.uri for item in items] == [f"{tmp_path / 'set.zip'}!x.txt", str(tmp_path / "y.txt")]


# --------------------------------------------------------------------------- WARC files


PAGE_ID = "<urn:uuid:11111111-1111-1111-1111-111111111111>"
TEXT_ID = "<urn:uuid:22222222-2222-2222-2222-222222222222>"
WARC_DATE = "2026-12-03T07:15:00Z"


def write_warc(path: Path, *, gzipped: bool, pages: int = 1) -> Path:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gzipped)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))

        def response(url: str, status: str, content_type: str, body: bytes, record_id: str | None = None) -> None:
            http = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
            headers = {"WARC-Date": WARC_DATE} | ({"WARC-Record-ID": record_id} if record_id else {})
            writer.write_record(
                writer.create_warc_record(
                    url, "response", payload=io.BytesIO(body), http_headers=http, warc_headers_dict=headers
                )
            )

        request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.org")], is_http_request=True)
        writer.write_record(writer.create_warc_record("https://example.org/", "request", http_headers=request))
        response("https://example.org/", "200 OK", "text/html; charset=utf-8", HTML, PAGE_ID)
        for i in range(1, pages):
            response(f"https://example.org/p{i}.html", "200 OK", "text/html", HTML + os.urandom(2000).hex().encode())
        response("https://example.org/gone", "404 Not Found", "text/html", b"<html>gone</html>")
        response("https://example.org/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n")
        writer.write_record(
            writer.create_warc_record(
                "https://example.org/notes.txt",
                "resource",
                payload=io.BytesIO(b"plain notes"),
                warc_content_type="text/plain",
                warc_headers_dict={"WARC-Record-ID": TEXT_ID, "WARC-Date": WARC_DATE},
            )
        )
    return path


@pytest.mark.parametrize("gzipped", [False, True])
def test_warc_records_become_items(tmp_path: Path, gzipped: bool) -> None:
    path = write_warc(tmp_path / ("crawl.warc.gz" if gzipped else "crawl.warc"), gzipped=gzipped)
    items = list(iter_sources([str(path)]))
    assert len(items) == 4  # warcinfo and request records are not inputs
    page, gone, logo, notes = items
    assert page.uri == f"{path}#urn:uuid:11111111-1111-1111-1111-111111111111"
    assert (page.error, page.data, page.url, page.fetched_at) == (None, HTML, "https://example.org/", WARC_DATE)
    assert (page.name, page.media_type, page.group) == ("page.html", "text/html", str(path))
    assert (gone.error, gone.url, gone.data) == ("HTTP 404", "https://example.org/gone", None)
    assert gone.uri.startswith(f"{path}#urn:uuid:")
    assert logo.error == "not a text page (image/png)"
    assert notes.uri == f"{path}#urn:uuid:22222222-2222-2222-2222-222222222222"
    assert (notes.error, notes.data, notes.name, notes.url) == (
        None,
        b"plain notes",
        "page.txt",
        "https://example.org/notes.txt",
    )


def test_warc_payload_over_the_cap_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOLIDARITY_MAX_BYTES", "50")
    path = write_warc(tmp_path / "crawl.warc.gz", gzipped=True)
    items = list(iter_sources([str(path)]))
    assert items[0].error == "larger than 50 bytes" and items[0].data is None
    assert items[3].error is None  # the short text record


def test_truncated_warc_gz_gives_records_then_an_error(tmp_path: Path) -> None:
    whole = write_warc(tmp_path / "whole.warc.gz", gzipped=True, pages=8).read_bytes()
    cut = write(tmp_path / "cut.warc.gz", whole[: int(len(whole) * 0.6)])
    items = list(iter_sources([str(cut)]))
    assert items[0].error is None and items[0].data == HTML
    last = items[-1]
    assert last.error is not None and "offset" in last.error and last.data is None
    assert last.uri.startswith(f"{cut}#") and re.search(r"at offset \d+", last.error)
    assert 1 < len(items) < 12


def test_warc_gzipped_in_one_piece_is_read(tmp_path: Path) -> None:
    plain = write_warc(tmp_path / "crawl.warc", gzipped=False)
    whole = write(tmp_path / "whole.warc.gz", gzip.compress(plain.read_bytes()))
    items = list(iter_sources([str(whole)]))
    assert [item.error for item in items] == [None, "HTTP 404", "not a text page (image/png)", None]
    assert items[0].data == HTML and items[3].data == b"plain notes"
    cut = write(tmp_path / "cut.warc.gz", whole.read_bytes()[:-40])
    items = list(iter_sources([str(cut)]))
    assert items[-1].error is not None and "truncated" in items[-1].error


@pytest.mark.parametrize("keep", [0.3, 0.55, 0.7, 0.9])
def test_plain_warc_cut_anywhere_ends_with_an_error(tmp_path: Path, keep: float) -> None:
    whole = write_warc(tmp_path / "crawl.warc", gzipped=False).read_bytes()
    cut = write(tmp_path / "cut.warc", whole[: int(len(whole) * keep)])
    items = list(iter_sources([str(cut)]))
    assert items[-1].error is not None
    assert re.search(r"(broken|truncated) WARC record at offset \d+", items[-1].error)


def test_warc_payload_in_an_unknown_content_encoding_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "encoded.warc"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=False)
        http = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html"), ("Content-Encoding", "x-squeeze")], protocol="HTTP/1.1"
        )
        record = writer.create_warc_record(
            "https://example.org/", "response", payload=io.BytesIO(b"\x00\x01"), http_headers=http
        )
        writer.write_record(record)
    [item] = list(iter_sources([str(path)]))
    assert item.error == "content encoding not supported (x-squeeze)" and item.data is None


def test_file_that_is_not_a_warc_is_an_error_item(tmp_path: Path) -> None:
    path = write(tmp_path / "fake.warc", "hello, not a warc\n\n")
    [item] = list(iter_sources([str(path)]))
    assert item.error is not None and "offset 0" in item.error


# --------------------------------------------------------------------------- mixed runs


def test_mixed_inputs_keep_their_order_and_never_raise(site: Site, tmp_path: Path) -> None:
    write(tmp_path / "local.txt", "local")
    inputs = [str(tmp_path / "local.txt"), site.url("/page.html"), "ftp://example.org/", str(tmp_path / "nope.txt")]
    items = collect(inputs)
    assert [item.uri for item in items] == inputs
    assert [item.error is None for item in items] == [True, True, False, False]


def test_default_fetcher_is_made_for_urls_and_refuses_local_addresses(site: Site) -> None:
    [item] = list(iter_sources([site.url("/page.html")]))
    assert item.error == "refused: private or local address (127.0.0.1)"
    assert site.log == []


def test_stream_is_lazy(site: Site) -> None:
    calls: list[str] = []
    consumed = iter([site.url("/a.html"), site.url("/b.html")])

    def tracking() -> Iterator[str]:
        for url in consumed:
            calls.append(url)
            yield url

    with fetcher() as f:
        stream = iter_sources(tracking(), fetcher=f)
        first = next(stream)
        assert first.uri == site.url("/a.html") and len(calls) == 1
        assert "/b.html" not in site.paths()
        rest: list[SourceItem] = list(stream)
    assert [item.uri for item in rest] == [site.url("/b.html")]
