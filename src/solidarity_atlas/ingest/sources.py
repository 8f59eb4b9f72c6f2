"""Turn the inputs of ``solidarity ingest PATH|URL...`` into a lazy stream of raw documents.

An input is a file, a folder, a glob pattern, an archive (``.zip``, ``.tar``, ``.tar.gz``,
``.tgz``), a web archive (``.warc``, ``.warc.gz``) or an ``http(s)`` URL, which may name a
page, an RSS/Atom feed or a sitemap.  :func:`iter_sources` yields one :class:`SourceItem`
per document it finds, in input order, reading one document at a time: no archive or WARC
file is ever held whole in memory, and a feed or sitemap only up to the size cap of a page.

Each item's ``uri`` is a stable identity: the path of a file; ``ARCHIVE!member/path`` for an
archive member; ``WARCFILE#urn:uuid:...`` for a WARC record (its WARC-Record-ID without the
angle brackets, or ``WARCFILE#offset-N`` when it has none or its header is broken); the URL
asked for (before redirects) for a web page.

The inputs are written by strangers and crawls break, so the rules are:

* Nothing is dropped without a word.  An input, archive member, WARC record or listed URL
  that is not a document still becomes an item, with ``error`` saying why in a few words
  and ``data`` left empty; the caller quarantines it.  The only things passed over in
  silence are those that were never candidate documents: hidden files and folders inside a
  folder, directory entries of an archive, WARC bookkeeping records (``warcinfo``,
  ``request``, ``metadata``, ``revisit``) and a URL or path already seen in the same run.
* Nothing raises.  A corrupt archive, a truncated WARC file or a failed fetch ends as an
  error item after whatever was read before the damage; the run goes on with the next input.
* Every size is capped before the bytes are in memory: a document is at most
  ``settings.max_bytes()`` bytes, streams are read in chunks and abandoned beyond the cap,
  and an archive stops once it has expanded far beyond its own size (a compression bomb).
* Archive members are never written to disk, but names that would escape a folder if they
  were (absolute, ``..``, drive letters) are refused all the same: such an archive is hostile.
* The web is fetched politely and safely by :class:`Fetcher`: a named User-Agent,
  robots.txt obeyed, one request per host at a time with a pause between them, redirects
  re-checked hop by hop, and no request to a loopback, private or link-local address, so
  that a URL in someone's list cannot reach the services of the machine running the crawl.

A :class:`Fetcher` is used from one thread; it keeps per-host state (robots.txt rules,
the time of the last request) for the length of a run.
"""

from __future__ import annotations

import gzip
import ipaddress
import lzma
import os
import re
import socket
import stat
import struct
import tarfile
import time
import zipfile
import zlib
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx
from lxml import etree
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader

from solidarity_atlas import settings
from solidarity_atlas.errors import InputError
from solidarity_atlas.ingest.files import discover
from solidarity_atlas.ingest.reader import HTML_SUFFIXES, MARKDOWN_SUFFIXES, SUFFIXES, printable, read_bytes

__all__ = ["FetchResult", "Fetcher", "SourceItem", "default_user_agent", "iter_sources"]

# --- Limits -------------------------------------------------------------------------------

# zipfile keeps the whole central directory in memory and tarfile one header per member;
# past a million entries an archive costs hundreds of megabytes before a byte is read.
MAX_ARCHIVE_MEMBERS = 1_000_000
# Text compresses three to ten times; an archive that expands a hundred times its size is
# a compression bomb, not a collection of statements.
MAX_EXPANSION_RATIO = 100
# ...but a small archive may hold a short text that compresses better than that (a list repeating the same words):
# up to this much is read whatever the ratio.
MIN_EXPANSION_BUDGET = 1024**2
# A ceiling whatever the archive's size: two gibibytes of text is more than any real
# collection of documents, and stops a large archive from keeping a run busy for hours.
MAX_EXPANDED_BYTES = 2 * 1024**3
# Streams are read in pieces of this size, so memory stays bounded while a cap is checked.
READ_CHUNK = 64 * 1024
# The sitemaps.org protocol lets an index list sitemaps, not other indexes; three levels
# leave room for sites that nest anyway while cutting off cycles and endless chains.
MAX_SITEMAP_DEPTH = 3
# The sitemaps.org protocol's limit of URLs in one sitemap, applied to a whole sitemap tree
# and to a feed: beyond it the list is a crawl of its own, not an input.
MAX_LISTED_URLS = 50_000
# RFC 9309 section 2.5: a crawler must parse at least the first 500 KiB of a robots.txt.
ROBOTS_MAX_BYTES = 512 * 1024
# A Crawl-delay longer than this would leave a run waiting for hours on one host; such a
# host is reported instead of crawled.
MAX_CRAWL_DELAY = 60.0
# Connect and read timeouts limit each wait, not a server that drips one byte at a time;
# a whole download gets this many timeouts before it is abandoned.
DOWNLOAD_DEADLINE_FACTOR = 3
# A host name may resolve to several addresses; a few are tried before the host is given up.
MAX_ADDRESSES_TRIED = 3

PROJECT_URL = "https://github.com/solidarity-atlas"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Media types of documents, and the file name whose suffix tells the reader the format.
PAGE_NAMES = {
    "text/html": "page.html",
    "application/xhtml+xml": "page.html",
    "text/plain": "page.txt",
    "text/markdown": "page.md",
    "text/x-markdown": "page.md",
}
GZIP_TYPES = frozenset({"application/gzip", "application/x-gzip"})
FEED_ROOTS = frozenset({"rss", "RDF", "feed"})
SITEMAP_ROOTS = frozenset({"urlset", "sitemapindex"})
# Schemes that never take "//" but still mark an argument as a URL rather than a file name.
OPAQUE_SCHEMES = frozenset({"javascript", "data", "mailto", "about", "blob", "tel", "vbscript", "urn"})
# WARC records that describe a capture rather than hold a page: not inputs, so not reported.
WARC_BOOKKEEPING = frozenset({"warcinfo", "request", "metadata", "revisit"})
RDF_ABOUT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_DRIVE = re.compile(r"^[A-Za-z]:")


# --- Items --------------------------------------------------------------------------------


@dataclass(slots=True)
class SourceItem:
    """One raw document, or one input that is not a document with the reason in ``error``."""

    uri: str  # stable identity: path, "ARCHIVE!member", "WARCFILE#record-id", or the URL asked for
    name: str  # a file name whose suffix tells the reader the format
    data: bytes | None = None  # the raw bytes; None when error is set
    url: str | None = None  # the page's URL: WARC-Target-URI, or the final URL after redirects
    fetched_at: str | None = None  # ISO 8601: WARC-Date, or the UTC time of the HTTP fetch
    media_type: str | None = None  # "text/html" ... when known
    group: str = ""  # folder, archive path, WARC path or URL host: for cross-document signals
    error: str | None = None  # why this input is not a document


def _error(uri: str, reason: str, *, name: str | None = None, group: str = "", url: str | None = None) -> SourceItem:
    return SourceItem(uri=uri, name=name if name is not None else _name_of(uri), group=group, url=url, error=reason)


def _name_of(uri: str) -> str:
    tail = re.split(r"[/\\!#]", uri.rstrip("/\\"))[-1]
    return tail or "input"


def _suffix_media_type(name: str) -> str:
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    if suffix in MARKDOWN_SUFFIXES:
        return "text/markdown"
    if suffix == ".xhtml":
        return "application/xhtml+xml"
    if suffix in HTML_SUFFIXES:
        return "text/html"
    return "text/plain"


def _container_kind(name: str) -> str | None:
    """The kind of container this module expands ("zip", "tar" or "warc") for a name, else None."""
    lower = name.lower()
    if lower.endswith(".zip"):
        return "zip"
    if lower.endswith((".tar", ".tar.gz", ".tgz")):
        return "tar"
    if lower.endswith((".warc", ".warc.gz")):
        return "warc"
    return None


def _unsupported(name: str) -> str:
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    return f"unsupported file type ({suffix or 'no extension'})"


def _short(exc: BaseException) -> str:
    """The first line of an exception's message, trimmed, or its type's name."""
    for line in str(exc).splitlines():
        if line.strip():
            text = line.strip()
            return text if len(text) <= 160 else text[:157] + "..."
    return type(exc).__name__


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _larger(limit: int) -> str:
    return f"larger than {limit} bytes"


# --- Capped reading -----------------------------------------------------------------------


class _TooLarge(Exception):
    """A stream went on past the cap."""


class _OverBudget(Exception):
    """An archive expanded past its budget."""


@dataclass(slots=True)
class _Budget:
    """Uncompressed bytes an archive may still expand to."""

    limit: int
    used: int = 0

    def spend(self, n: int) -> None:
        self.used += n
        if self.used > self.limit:
            raise _OverBudget

    @classmethod
    def for_archive(cls, size: int) -> _Budget:
        return cls(min(max(MAX_EXPANSION_RATIO * size, MIN_EXPANSION_BUDGET), MAX_EXPANDED_BYTES))

    def reason(self) -> str:
        return (
            f"archive expands beyond {self.limit} bytes ({MAX_EXPANSION_RATIO} times its size, at least "
            f"{MIN_EXPANSION_BUDGET}, at most {MAX_EXPANDED_BYTES}): the rest of it is not read"
        )


def _read_capped(stream: IO[bytes], cap: int, budget: _Budget | None = None) -> bytes:
    """At most ``cap`` bytes of ``stream``; raise :class:`_TooLarge` when there are more."""
    buffer = bytearray()
    while True:
        chunk = stream.read(min(READ_CHUNK, cap + 1 - len(buffer)))
        if not chunk:
            return bytes(buffer)
        if budget is not None:
            budget.spend(len(chunk))
        buffer += chunk
        if len(buffer) > cap:
            raise _TooLarge


# --- Archive members ----------------------------------------------------------------------


def _member_problem(member: str) -> str | None:
    """Why an archive member (a regular file) is not read as a document, or None."""
    norm = member.replace("\\", "/")
    parts = norm.split("/")
    if norm.startswith("/") or _DRIVE.match(norm) or ".." in parts or "\x00" in member:
        return f"member name escapes the archive ({member})"
    if any(part.startswith(".") and part not in (".", "") for part in parts):
        return "hidden file not read"
    if _container_kind(norm) is not None:
        return "nested archive not read"
    if PurePosixPath(norm).suffix.lower() not in SUFFIXES:
        return _unsupported(norm)
    return None


_FILE_TYPES = {
    stat.S_IFLNK: "symbolic link",
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
    stat.S_IFIFO: "named pipe",
    stat.S_IFSOCK: "socket",
}


def _zip_entry_count(handle: IO[bytes]) -> int | None:
    """The entry count a zip file's end record declares, read from its tail only (or None)."""
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    tail_size = min(size, 22 + 0xFFFF)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return None
    count: int = struct.unpack("<H", tail[at + 10 : at + 12])[0]
    if count != 0xFFFF or at < 20 or tail[at - 20 : at - 16] != b"PK\x06\x07":
        return count
    # Zip64: the locator just before the end record points at the zip64 end record.
    (record_offset,) = struct.unpack("<Q", tail[at - 12 : at - 4])
    if record_offset > size - 56:
        return None
    handle.seek(record_offset)
    record = handle.read(56)
    if record[:4] != b"PK\x06\x06":
        return None
    count = struct.unpack("<Q", record[32:40])[0]
    return count


class _EndCheckingTarInfo(tarfile.TarInfo):
    """Records why tarfile stopped: tarfile ends quietly at a damaged header after the first."""

    @classmethod
    def fromtarfile(cls, tarfile_: tarfile.TarFile) -> _EndCheckingTarInfo:
        try:
            return super().fromtarfile(tarfile_)
        except tarfile.HeaderError as exc:
            if isinstance(tarfile_, _TarFile):
                tarfile_.end_reason = type(exc).__name__
            raise


class _TarFile(tarfile.TarFile):
    members: list[tarfile.TarInfo]  # set by TarFile itself; missing from the type stubs
    end_reason: str | None = None


def _tar_end_problem(reason: str | None) -> str | None:
    if reason in (None, "EOFHeaderError"):  # the end-of-archive marker
        return None
    if reason == "InvalidHeaderError":
        return "corrupt archive: a damaged header; the rest of it is not read"
    return "truncated archive: it ends without its end-of-archive marker"


# --- Feeds and sitemaps -------------------------------------------------------------------


def _xml_parser() -> Any:
    # No entity expansion (billion laughs), no DTD or entity fetched from the network, no
    # documents beyond libxml2's default size limits; recover from the usual broken feeds.
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)


def _parse_xml(data: bytes, base_url: str) -> Any:
    try:
        return etree.fromstring(data, _xml_parser(), base_url=base_url)
    except (etree.XMLSyntaxError, ValueError):
        return None


def _local(element: Any) -> str:
    tag = element.tag
    if not isinstance(tag, str):  # a comment or processing instruction
        return ""
    return tag.rsplit("}", 1)[-1]


def _elements(root: Any, local_name: str) -> Iterator[Any]:
    for element in root.iter(etree.Element):
        if _local(element) == local_name:
            yield element


def _child_text(element: Any, local_name: str) -> str | None:
    for child in element:
        if _local(child) == local_name and child.text and child.text.strip():
            return str(child.text.strip())
    return None


def _feed_links(root: Any, base_url: str) -> list[str | None]:
    """The link of each entry, in feed order; None for an entry without one."""
    links: list[str | None] = []
    if _local(root) == "feed":  # Atom
        for entry in _elements(root, "entry"):
            href = None
            for link in entry:
                if _local(link) == "link" and link.get("rel", "alternate") == "alternate" and link.get("href"):
                    href = urljoin(link.base or base_url, link.get("href").strip())
                    break
            links.append(href)
        return links
    for item in _elements(root, "item"):  # RSS 2.0 and RSS 1.0 (RDF)
        link = _child_text(item, "link") or item.get(RDF_ABOUT)
        if not link:
            for guid in item:
                if _local(guid) == "guid" and guid.get("isPermaLink", "true") != "false" and guid.text:
                    link = guid.text.strip()
                    break
        links.append(urljoin(item.base or base_url, link.strip()) if link else None)
    return links


def _sitemap_locs(root: Any, base_url: str) -> list[str]:
    entry = "url" if _local(root) == "urlset" else "sitemap"
    locs = (_child_text(element, "loc") for element in _elements(root, entry))
    return [urljoin(base_url, loc) for loc in locs if loc]


def _gunzip(data: bytes, cap: int) -> bytes:
    """A gzip body, decompressed up to the cap (a sitemap.xml.gz)."""
    inflater = zlib.decompressobj(wbits=31)
    out = inflater.decompress(data, cap + 1)
    if len(out) > cap:
        raise _TooLarge
    return out


# --- Fetching -----------------------------------------------------------------------------


def default_user_agent() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        package_version = version("solidarity-atlas")
    except PackageNotFoundError:
        package_version = "0"
    return f"SolidarityAtlas/{package_version} (+{PROJECT_URL}; research crawler)"


@dataclass(slots=True)
class FetchResult:
    """What one fetch gave: the body of a 2xx answer, or the reason there is none."""

    url: str  # the URL asked for
    final_url: str | None = None  # the URL after redirects
    status: int | None = None  # the last HTTP status, if a server answered
    media_type: str | None = None  # Content-Type without parameters, lower case
    data: bytes | None = None
    fetched_at: str | None = None  # UTC time of the (last) request
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.data is not None


@dataclass(slots=True)
class _Reply:
    status: int | None = None
    media_type: str | None = None
    data: bytes | None = None
    location: str | None = None
    error: str | None = None


@dataclass(slots=True)
class _Robots:
    parser: RobotFileParser | None = None  # None: everything allowed
    problem: str | None = None  # set: nothing on the host is fetched, for this reason


def _media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    value = content_type.split(";", 1)[0].strip().lower()
    return value or None


def _is_public(address: str) -> bool:
    """Whether an IP address is on the public internet (not loopback, private, link-local...)."""
    try:
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    embedded: list[ipaddress.IPv4Address] = []
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        else:
            if ip.sixtofour is not None:
                embedded.append(ip.sixtofour)
            if ip.teredo is not None:
                embedded.extend(ip.teredo)
    flagged = (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_unspecified
        or ip.is_reserved
        or not ip.is_global
    )
    return not flagged and all(_is_public(str(inner)) for inner in embedded)


def _network_reason(exc: Exception) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    text = str(exc).lower()
    if isinstance(exc, httpx.ConnectError):
        if "refused" in text:
            return "connection refused"
        if "certificate" in text:
            return "TLS certificate not valid"
        if "reset" in text:
            return "connection reset"
        return f"cannot connect ({_short(exc)})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"broken HTTP response ({_short(exc)})"
    if isinstance(exc, httpx.DecodingError):
        return f"cannot decode the response body ({_short(exc)})"
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return "connection broken"
    return f"network error ({type(exc).__name__}: {_short(exc)})"


def _http_url(url: str) -> tuple[httpx.URL | None, str | None]:
    """The URL without its fragment, or the reason it is not fetched."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, ValueError, TypeError):
        return None, "not a valid URL"
    if parsed.scheme not in ("http", "https"):
        return None, "only http and https URLs are fetched"
    if not parsed.host:
        return None, "URL has no host"
    return parsed.copy_with(fragment=None), None


class Fetcher:
    """Fetch web pages politely (robots.txt, per-host pauses) and safely (caps, no local addresses)."""

    def __init__(
        self,
        user_agent: str | None = None,
        rate_limit: float = 1.0,
        timeout: float = 20.0,
        max_bytes: int | None = None,
        max_redirects: int = 5,
        allow_private: bool = False,
        respect_robots: bool = True,
    ) -> None:
        self.user_agent = user_agent or default_user_agent()
        self.rate_limit = max(0.0, rate_limit)
        self.timeout = timeout
        self.max_bytes = settings.max_bytes() if max_bytes is None else max_bytes
        self.max_redirects = max(0, max_redirects)
        self.allow_private = allow_private
        self.respect_robots = respect_robots
        self._robots: dict[str, _Robots] = {}
        self._delays: dict[str, float] = {}
        self._last_start: dict[str, float] = {}
        # Redirects are followed by hand so that each hop is checked; the environment's proxy
        # settings are ignored so that the address checked is the address connected to; no
        # connection is kept alive, because requests go to a checked IP address and a kept
        # connection would carry one host's TLS session to another host on the same address.
        self._client = httpx.Client(
            headers={"User-Agent": self.user_agent, "Accept": "text/html,application/xhtml+xml,text/*;q=0.9,*/*;q=0.5"},
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            trust_env=False,
            limits=httpx.Limits(max_keepalive_connections=0),
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def fetch(self, url: str) -> FetchResult:
        """Fetch one URL; every failure is reported in the result's ``error``, never raised."""
        try:
            return self._fetch(url, cap=self.max_bytes, check_robots=self.respect_robots, truncate=False)
        except Exception as exc:  # a last guard: a crawl must survive whatever a server sends
            return FetchResult(url, final_url=url, fetched_at=_now(), error=f"fetch failed ({_short(exc)})")

    def _fetch(self, url: str, *, cap: int, check_robots: bool, truncate: bool) -> FetchResult:
        current = url
        fetched_at: str | None = None
        for _hop in range(self.max_redirects + 1):
            target, problem = _http_url(current)
            if target is None:
                if current != url:
                    problem = f"{problem} (redirected to {current})"
                return FetchResult(url, final_url=current, fetched_at=fetched_at, error=problem)
            host = target.raw_host.decode("ascii").lower()
            addresses, problem = self._addresses(host, target.port or (443 if target.scheme == "https" else 80))
            if problem is None and check_robots:
                problem = self._robots_problem(target, host)
            if problem is not None:
                return FetchResult(url, final_url=str(target), fetched_at=fetched_at, error=problem)
            self._wait(host)
            fetched_at = _now()
            reply = self._get(target, addresses, cap, truncate)
            if reply.location is not None:
                current = urljoin(str(target), reply.location.strip())
                continue
            return FetchResult(
                url,
                str(target),
                reply.status,
                reply.media_type,
                reply.data if reply.error is None else None,
                fetched_at,
                reply.error,
            )
        return FetchResult(url, final_url=current, fetched_at=fetched_at, error="too many redirects")

    def _addresses(self, host: str, port: int) -> tuple[list[str], str | None]:
        """The host's addresses, refused when one of them is not public (unless allowed)."""
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return [], f"cannot resolve host ({host})"
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not addresses:
            return [], f"cannot resolve host ({host})"
        if not self.allow_private:
            for address in addresses:
                if not _is_public(address):
                    return [], f"refused: private or local address ({address})"
        return addresses, None

    def _wait(self, host: str) -> None:
        """Sleep until the host's pause since the start of its last request is over."""
        pause = self._delays.get(host, self.rate_limit)
        last = self._last_start.get(host)
        if last is not None:
            remaining = last + pause - time.monotonic()
            if remaining > 0:
                time.sleep(remaining)
        self._last_start[host] = time.monotonic()

    def _get(self, target: httpx.URL, addresses: list[str], cap: int, truncate: bool) -> _Reply:
        """One GET, sent to an address already checked, with the host name kept for HTTP and TLS."""
        host_header = target.netloc.decode("ascii")
        sni = target.raw_host.decode("ascii")
        failure = _Reply(error="cannot connect")
        for address in addresses[:MAX_ADDRESSES_TRIED]:
            pinned = target.copy_with(host=address)
            try:
                with self._client.stream(
                    "GET", pinned, headers={"Host": host_header}, extensions={"sni_hostname": sni}
                ) as response:
                    return self._read(response, cap, truncate)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                failure = _Reply(error=_network_reason(exc))  # try the host's next address
            except httpx.HTTPError as exc:
                return _Reply(error=_network_reason(exc))
        return failure

    def _read(self, response: httpx.Response, cap: int, truncate: bool) -> _Reply:
        status = response.status_code
        if status in REDIRECT_STATUSES and response.headers.get("location"):
            return _Reply(status=status, location=response.headers["location"])
        if not 200 <= status < 300:
            return _Reply(status=status, error=f"HTTP {status}")
        media_type = _media_type(response.headers.get("content-type"))
        declared = response.headers.get("content-length", "").strip()
        if not truncate and declared.isdigit() and int(declared) > cap:
            return _Reply(status=status, media_type=media_type, error=_larger(cap))
        deadline = time.monotonic() + DOWNLOAD_DEADLINE_FACTOR * self.timeout
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > cap:
                if not truncate:
                    return _Reply(status=status, media_type=media_type, error=_larger(cap))
                del body[cap:]
                break
            if time.monotonic() > deadline:
                return _Reply(status=status, media_type=media_type, error="timed out")
        return _Reply(status=status, media_type=media_type, data=bytes(body))

    def _robots_problem(self, target: httpx.URL, host: str) -> str | None:
        """Why robots.txt keeps this URL from being fetched, or None."""
        origin = f"{target.scheme}://{target.netloc.decode('ascii')}"
        robots = self._robots.get(origin)
        if robots is None:
            robots = self._robots[origin] = self._load_robots(origin, host)
        if robots.problem is not None:
            return robots.problem
        if robots.parser is not None and not robots.parser.can_fetch(self.user_agent, str(target)):
            return "robots.txt disallows this URL"
        return None

    def _load_robots(self, origin: str, host: str) -> _Robots:
        result = self._fetch(f"{origin}/robots.txt", cap=ROBOTS_MAX_BYTES, check_robots=False, truncate=True)
        if result.error is not None:
            # RFC 9309 section 2.3.1: an unavailable robots.txt (4xx, or too many redirects)
            # allows everything; an unreachable one (5xx, network error) allows nothing.
            if (result.status is not None and 400 <= result.status < 500) or result.error == "too many redirects":
                return _Robots()
            return _Robots(problem=f"robots.txt could not be fetched ({result.error}), so the host is not crawled")
        parser = RobotFileParser()
        parser.parse((result.data or b"").decode("utf-8", errors="replace").splitlines())
        delay = parser.crawl_delay(self.user_agent)
        if delay is not None:
            seconds = float(delay)
            if seconds > MAX_CRAWL_DELAY:
                return _Robots(
                    problem=f"robots.txt asks for {seconds:g} s between requests (more than {MAX_CRAWL_DELAY:g})"
                )
            if seconds > self.rate_limit:
                self._delays[host] = seconds
        return _Robots(parser=parser)


# --- The stream of inputs -----------------------------------------------------------------


def _looks_like_url(argument: str) -> bool:
    match = _SCHEME.match(argument)
    if not match or len(match.group(1)) == 1:  # no scheme, or a Windows drive letter
        return False
    if os.path.lexists(argument):
        return False
    rest = argument[match.end() :]
    return rest.startswith("//") or match.group(1).lower() in OPAQUE_SCHEMES


def _url_key(url: str) -> str:
    target, _problem = _http_url(url)
    return str(target) if target is not None else url.strip()


def _host_of(url: str | None) -> str:
    if not url:
        return ""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def iter_sources(inputs: Iterable[str], *, fetcher: Fetcher | None = None) -> Iterator[SourceItem]:
    """Raw documents and quarantined inputs, lazily, in the order of the inputs.

    Paths are read from disk (folders recursively, archives and WARC files expanded); http and
    https URLs are fetched with ``fetcher`` (a default :class:`Fetcher` is made at the first
    URL and closed at the end).  A path or URL met twice in one run is read once.
    """
    run = _Run(fetcher)
    try:
        for argument in inputs:
            if _looks_like_url(argument):
                items = _guarded(run.url_input(argument), argument, _host_of(argument))
            else:
                items = _guarded(run.path_input(argument), argument, os.path.dirname(argument) or ".")
            for item in items:
                yield _printable(item)
    finally:
        run.close()


def _printable(item: SourceItem) -> SourceItem:
    """The item with valid Unicode text: a file or member name whose bytes are not UTF-8 (kept by Python as lone
    surrogates) cannot be stored or printed as it is."""
    item.uri, item.name, item.error = printable(item.uri), printable(item.name), item.error and printable(item.error)
    item.url = item.url and printable(item.url)
    return item


def _guarded(items: Iterator[SourceItem], uri: str, group: str) -> Iterator[SourceItem]:
    """The items of one input; an unexpected failure ends that input with an error item."""
    try:
        yield from items
    except Exception as exc:  # a last guard: one broken input must not end the run
        yield _error(uri, f"cannot read ({type(exc).__name__}: {_short(exc)})", group=group)


def _once(items: Iterator[SourceItem]) -> Iterator[SourceItem]:
    """The items of one archive or WARC file, each uri once.

    Two members (or records) under one name are a trick to show one tool one file and another tool another; and an
    input is known by its uri.  The first is read; each later one is quarantined under a uri of its own.
    """
    seen: dict[int, int] = {}  # hash of a uri -> times seen: a million records' uris need not sit in memory
    for item in items:
        count = seen[hash(item.uri)] = seen.get(hash(item.uri), 0) + 1
        if count > 1:
            item = SourceItem(uri=f"{item.uri}!copy-{count}", name=item.name, url=item.url,
                              fetched_at=item.fetched_at, media_type=item.media_type, group=item.group,
                              error=f"the name is used {count} times in this file: only the first is read")
        yield item


@dataclass(slots=True)
class _Quota:
    """URLs a sitemap tree or a feed may still list."""

    left: int = field(default_factory=lambda: MAX_LISTED_URLS)
    exhausted: bool = False


@dataclass
class _Run:
    fetcher: Fetcher | None
    owns_fetcher: bool = False
    # Hashes of the paths and URLs read in this run (built-in ``hash``: 64 bits, stable within the process), not
    # the texts: a run over a million files keeps a number for each.
    seen_paths: set[int] = field(default_factory=set)
    seen_urls: set[int] = field(default_factory=set)

    def close(self) -> None:
        if self.owns_fetcher and self.fetcher is not None:
            self.fetcher.close()

    # Paths ------------------------------------------------------------------------------

    def path_input(self, argument: str) -> Iterator[SourceItem]:
        listed = False
        for found in discover([argument]):
            listed = True
            if hash(found.path) in self.seen_paths:
                continue
            self.seen_paths.add(hash(found.path))
            group = os.path.dirname(found.path) or "."
            if found.status == "missing":
                yield _error(found.path, found.reason, group=group)
                continue
            kind = _container_kind(found.path)
            if kind == "zip":
                yield from _guarded(_once(_zip_items(found.path)), found.path, found.path)
            elif kind == "tar":
                yield from _guarded(_once(_tar_items(found.path)), found.path, found.path)
            elif kind == "warc":
                yield from _guarded(_once(_warc_items(found.path)), found.path, found.path)
            elif found.status == "skipped":
                yield _error(found.path, found.reason, group=group)
            else:
                yield _file_item(found.path)
        if not listed and os.path.isdir(argument):
            yield _error(argument, "folder holds no files (hidden files are skipped)", group=argument)

    # URLs -------------------------------------------------------------------------------

    def _fetcher(self) -> Fetcher:
        if self.fetcher is None:
            self.fetcher = Fetcher()
            self.owns_fetcher = True
        return self.fetcher

    def _first_time(self, url: str) -> bool:
        key = _url_key(url)
        if hash(key) in self.seen_urls:
            return False
        self.seen_urls.add(hash(key))
        return True

    def _fetch_checked(self, url: str) -> FetchResult | SourceItem:
        """The response for an http(s) URL, or the error item saying why there is none."""
        _target, problem = _http_url(url)
        if problem is not None:
            return _error(url, problem, group=_host_of(url))
        result = self._fetcher().fetch(url)
        return _fetch_error(url, result) if result.error is not None else result

    def url_input(self, url: str) -> Iterator[SourceItem]:
        if not self._first_time(url):
            return
        result = self._fetch_checked(url)
        if isinstance(result, SourceItem):
            yield result
            return
        root, problem = _listing_root(result, self._fetcher().max_bytes)
        if problem is not None:
            yield _fetch_error(url, result, problem)
        elif root is not None and _local(root) in FEED_ROOTS:
            yield from self._feed(url, result, root)
        elif root is not None:
            yield from self._sitemap(url, result, root, 1, _Quota())
        else:
            yield _page_item(url, result)

    def _listed_page(self, url: str | None, listed_in: str, index: int) -> Iterator[SourceItem]:
        """A page named by a feed or sitemap: fetched as a page, never expanded further."""
        if url is None:
            yield _error(f"{listed_in}#entry-{index}", "feed entry has no link", group=_host_of(listed_in))
            return
        if not self._first_time(url):
            return
        _target, problem = _http_url(url)
        if problem is not None:
            yield _error(url, problem, group=_host_of(url))
            return
        result = self._fetcher().fetch(url)
        yield _fetch_error(url, result) if result.error is not None else _page_item(url, result)

    def _feed(self, url: str, result: FetchResult, root: Any) -> Iterator[SourceItem]:
        links = _feed_links(root, result.final_url or url)
        if not links:
            yield _fetch_error(url, result, "feed lists no entries")
            return
        for index, link in enumerate(links, 1):
            if index > MAX_LISTED_URLS:
                yield _fetch_error(url, result, f"feed lists more than {MAX_LISTED_URLS} entries: the rest not fetched")
                return
            yield from self._listed_page(link, url, index)

    def _sitemap(self, url: str, result: FetchResult, root: Any, depth: int, quota: _Quota) -> Iterator[SourceItem]:
        locs = _sitemap_locs(root, result.final_url or url)
        if not locs:
            yield _fetch_error(url, result, "sitemap lists no URLs")
            return
        if _local(root) == "urlset":
            for index, loc in enumerate(locs, 1):
                if quota.left <= 0:
                    quota.exhausted = True
                    reason = f"sitemaps list more than {MAX_LISTED_URLS} URLs: the rest not fetched"
                    yield _fetch_error(url, result, reason)
                    return
                quota.left -= 1
                yield from self._listed_page(loc, url, index)
            return
        for loc in locs:
            if quota.exhausted:
                return
            if depth >= MAX_SITEMAP_DEPTH:
                yield _error(
                    loc, f"sitemap index nested deeper than {MAX_SITEMAP_DEPTH} levels: not read", group=_host_of(loc)
                )
                continue
            if not self._first_time(loc):
                continue
            child = self._fetch_checked(loc)
            if isinstance(child, SourceItem):
                yield child
                continue
            child_root, problem = _listing_root(child, self._fetcher().max_bytes)
            if child_root is None or _local(child_root) not in SITEMAP_ROOTS:
                yield _fetch_error(loc, child, problem or f"not a sitemap ({child.media_type or 'no Content-Type'})")
                continue
            yield from self._sitemap(loc, child, child_root, depth + 1, quota)


def _listing_root(result: FetchResult, cap: int) -> tuple[Any, str | None]:
    """The root element of a feed or sitemap answer, or (None, None) for anything else."""
    media_type = result.media_type or ""
    data = result.data or b""
    if media_type in GZIP_TYPES or (data[:2] == b"\x1f\x8b" and media_type not in PAGE_NAMES):
        try:
            data = _gunzip(data, cap)
        except _TooLarge:
            return None, _larger(cap)
        except (zlib.error, EOFError):
            return None, "corrupt gzip data"
        roots = SITEMAP_ROOTS
    elif any(marker in media_type for marker in ("xml", "rss", "atom")):
        roots = FEED_ROOTS | SITEMAP_ROOTS
    else:
        return None, None
    root = _parse_xml(data, result.final_url or result.url)
    if root is None or _local(root) not in roots:
        return None, None
    return root, None


def _fetch_error(url: str, result: FetchResult, reason: str | None = None) -> SourceItem:
    final = result.final_url or url
    return SourceItem(
        uri=url,
        name=_name_of(url),
        url=final,
        fetched_at=result.fetched_at,
        media_type=result.media_type,
        group=_host_of(final),
        error=reason or result.error or "fetch failed",
    )


def _page_item(url: str, result: FetchResult) -> SourceItem:
    media_type = result.media_type
    data = result.data or b""
    if media_type is None:
        head = data[:512].lstrip().lower()
        if head.startswith((b"<!doctype html", b"<html")):
            media_type = "text/html"
    if media_type not in PAGE_NAMES:
        return _fetch_error(url, result, f"not a text page ({media_type or 'no Content-Type'})")
    final = result.final_url or url
    return SourceItem(
        uri=url,
        name=PAGE_NAMES[media_type],
        data=data,
        url=final,
        fetched_at=result.fetched_at,
        media_type=media_type,
        group=_host_of(final),
    )


# --- Files --------------------------------------------------------------------------------


def _file_item(path: str) -> SourceItem:
    group = os.path.dirname(path) or "."
    name = os.path.basename(path)
    cap = settings.max_bytes()
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return _error(path, "no such file or directory", name=name, group=group)
    except OSError as exc:
        return _error(path, f"cannot read: {exc.strerror or exc}", name=name, group=group)
    if not stat.S_ISREG(info.st_mode):
        kind = _FILE_TYPES.get(stat.S_IFMT(info.st_mode), "special file")
        return _error(path, f"not a regular file ({kind})", name=name, group=group)
    if info.st_size > cap:
        return _error(path, _larger(cap), name=name, group=group)
    try:
        data = read_bytes(Path(path), cap)
    except InputError as exc:
        return _error(path, str(exc), name=name, group=group)
    if len(data) > cap:  # the file grew after it was measured
        return _error(path, _larger(cap), name=name, group=group)
    return SourceItem(uri=path, name=name, data=data, media_type=_suffix_media_type(name), group=group)


def _open_container(path: str) -> tuple[IO[bytes] | None, int, str | None]:
    """The open file and its size, or the reason it cannot be read."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return None, 0, f"not a regular file ({_FILE_TYPES.get(stat.S_IFMT(info.st_mode), 'special file')})"
        return open(path, "rb"), info.st_size, None  # noqa: SIM115 - the caller closes it
    except FileNotFoundError:
        return None, 0, "no such file or directory"
    except OSError as exc:
        return None, 0, f"cannot read: {exc.strerror or exc}"


def _member_item(archive: str, member: str, data: bytes) -> SourceItem:
    name = PurePosixPath(member.replace("\\", "/")).name
    media_type = _suffix_media_type(name)
    return SourceItem(uri=f"{archive}!{member}", name=name, data=data, media_type=media_type, group=archive)


def _member_error(archive: str, member: str, reason: str) -> SourceItem:
    name = PurePosixPath(member.replace("\\", "/")).name or member
    return SourceItem(uri=f"{archive}!{member}", name=name, group=archive, error=reason)


_ZIP_MEMBER_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
    ValueError,
)


def _zip_items(path: str) -> Iterator[SourceItem]:
    handle, size, problem = _open_container(path)
    if handle is None:
        yield _error(path, problem or "cannot read", group=path)
        return
    with handle:
        try:
            declared = _zip_entry_count(handle)
        except OSError as exc:
            yield _error(path, f"cannot read: {_short(exc)}", group=path)
            return
        if declared is not None and declared > MAX_ARCHIVE_MEMBERS:
            yield _error(path, f"archive has more than {MAX_ARCHIVE_MEMBERS} members: not read", group=path)
            return
        try:
            archive = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, struct.error) as exc:
            yield _error(path, f"corrupt or truncated zip archive ({_short(exc)})", group=path)
            return
        with archive:
            yield from _zip_members(path, archive, _Budget.for_archive(size))


def _zip_members(path: str, archive: zipfile.ZipFile, budget: _Budget) -> Iterator[SourceItem]:
    cap = settings.max_bytes()
    files = 0
    for index, info in enumerate(archive.infolist()):
        if index >= MAX_ARCHIVE_MEMBERS:
            yield _error(path, f"archive has more than {MAX_ARCHIVE_MEMBERS} members: the rest is not read", group=path)
            return
        if info.is_dir():
            continue
        files += 1
        member = info.filename
        mode = info.external_attr >> 16
        problem = _member_problem(member)
        if problem is None and stat.S_IFMT(mode) and not stat.S_ISREG(mode):
            problem = f"not a regular file ({_FILE_TYPES.get(stat.S_IFMT(mode), 'special file')})"
        if problem is None and info.flag_bits & 0x1:
            problem = "encrypted member not read"
        if problem is None and info.file_size > cap:
            problem = _larger(cap)
        if problem is not None:
            yield _member_error(path, member, problem)
            continue
        try:
            with archive.open(info) as stream:
                data = _read_capped(stream, cap, budget)
        except _TooLarge:
            yield _member_error(path, member, _larger(cap))
            continue
        except _OverBudget:
            yield _error(path, f"{budget.reason()} (stopped at {member})", group=path)
            return
        except _ZIP_MEMBER_ERRORS as exc:
            yield _member_error(path, member, f"corrupt member ({_short(exc)})")
            continue
        yield _member_item(path, member, data)
    if files == 0:
        yield _error(path, "archive holds no files", group=path)


_TAR_ERRORS = (tarfile.TarError, EOFError, OSError, zlib.error, lzma.LZMAError, ValueError)


def _tar_items(path: str) -> Iterator[SourceItem]:
    handle, size, problem = _open_container(path)
    if handle is None:
        yield _error(path, problem or "cannot read", group=path)
        return
    with handle:
        try:
            # Random-access mode over a sequential walk: data is only ever read forward, and a
            # skipped member's data past the end of the file is caught as "unexpected end of data".
            archive = _TarFile.open(fileobj=handle, mode="r:*", tarinfo=_EndCheckingTarInfo)
        except _TAR_ERRORS as exc:
            reason = "empty file" if size == 0 else _short(exc)
            if reason.startswith("file could not be opened successfully"):  # every compression was tried
                reason = "not a tar archive, or damaged at its start"
            yield _error(path, f"corrupt or truncated tar archive ({reason})", group=path)
            return
        with archive:
            yield from _tar_members(path, archive, _Budget.for_archive(size))


def _tar_members(path: str, archive: _TarFile, budget: _Budget) -> Iterator[SourceItem]:
    cap = settings.max_bytes()
    count = files = 0
    try:
        while (info := archive.next()) is not None:
            archive.members.clear()  # tarfile keeps every header; nothing here needs them
            count += 1
            if count > MAX_ARCHIVE_MEMBERS:
                yield _error(
                    path, f"archive has more than {MAX_ARCHIVE_MEMBERS} members: the rest is not read", group=path
                )
                return
            if info.isdir():
                continue
            files += 1
            member = info.name
            # Every member's data passes through the decompressor, read or skipped.
            try:
                budget.spend(max(0, info.size))
            except _OverBudget:
                yield _error(path, f"{budget.reason()} (stopped at {member})", group=path)
                return
            problem = _member_problem(member)
            if problem is None and not info.isreg():
                kind = "symbolic link" if info.issym() else "hard link" if info.islnk() else "special file"
                problem = f"not a regular file ({kind})"
            if problem is None and info.size > cap:
                problem = _larger(cap)
            if problem is not None:
                yield _member_error(path, member, problem)
                continue
            stream = archive.extractfile(info)
            if stream is None:
                yield _member_error(path, member, "not a regular file")
                continue
            with stream:
                try:
                    data = _read_capped(stream, cap)
                except _TooLarge:
                    yield _member_error(path, member, _larger(cap))
                    continue
            yield _member_item(path, member, data)
    except _TAR_ERRORS as exc:
        yield _error(path, f"corrupt or truncated tar archive ({_short(exc)})", group=path)
        return
    end = _tar_end_problem(archive.end_reason)
    if end is not None:
        yield _error(path, end, group=path)
    elif files == 0:
        yield _error(path, "archive holds no files", group=path)


# --- WARC files ---------------------------------------------------------------------------


def _warc_items(path: str) -> Iterator[SourceItem]:
    handle, size, problem = _open_container(path)
    if handle is None:
        yield _error(path, problem or "cannot read", group=path)
        return
    progress = _WarcProgress(settings.max_bytes())
    with handle:
        whole_gzip = yield from _warc_records(path, handle, progress, skip=0, end=size)
        if whole_gzip:
            # The file was gzipped in one piece (``gzip crawl.warc``) instead of record by record;
            # warcio reads such a file only as one stream, so it is read again through a decompressor.
            handle.seek(0)
            with gzip.GzipFile(fileobj=handle, mode="rb") as stream:
                strict = _StrictStream(stream)
                yield from _warc_records(
                    path, strict, progress, skip=progress.records, where=" of the decompressed file"
                )
    if progress.reported == 0:
        yield _error(path, "no page records in this WARC file", group=path)


class _BrokenRecord(Exception):
    """A WARC record that cannot be what it claims."""


class _StrictStream:
    """A stream whose early end is an error: warcio takes an EOFError for the normal end of a file."""

    def __init__(self, stream: gzip.GzipFile) -> None:
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        try:
            return self._stream.read(size)
        except EOFError as exc:
            raise _BrokenRecord(f"the file is truncated: {_short(exc)}") from None

    def tell(self) -> int:
        return self._stream.tell()


@dataclass(slots=True)
class _WarcProgress:
    cap: int
    records: int = 0  # records read, bookkeeping included
    reported: int = 0  # items yielded, error items included


def _warc_records(
    path: str,
    stream: IO[bytes] | _StrictStream,
    progress: _WarcProgress,
    *,
    skip: int,
    end: int | None = None,
    where: str = "",
) -> Generator[SourceItem, None, bool]:
    """The items of a WARC stream; True when it turns out to be gzipped in one piece.

    ``end`` is the stream's length, when known: warcio ends quietly at a record whose header is
    cut short, so a stop before the end is reported as a broken record.
    """
    records = ArchiveIterator(stream)
    index = 0
    while True:
        offset = records.offset
        item: SourceItem | None = None
        truncated = False
        try:
            record = next(records)
            offset = records.offset
            index += 1
            if index <= skip:  # read already, before the file had to be read again
                _drain(record)
                continue
            item = _warc_record_item(path, record, offset, progress.cap)
            truncated = _drain(record)
        except StopIteration:
            if end is None or records.offset >= end:
                return False
            offset, reason = records.offset, "its header is cut short or damaged"
        except Exception as exc:  # warcio raises many kinds on damaged input; each ends the file
            if not skip and not where and "non-chunked gzip" in str(exc):
                return True
            offset, reason = max(offset, records.offset), _short(exc)
        else:
            progress.records = index
            if not truncated:
                if item is not None:
                    progress.reported += 1
                    yield item
                continue
            reason = "truncated: the file ends inside it"
        uri = item.uri if truncated and item is not None else f"{path}#offset-{offset}"
        progress.reported += 1
        yield _error(
            uri,
            f"broken WARC record at offset {offset}{where} ({reason}): the rest of the file is not read",
            group=path,
        )
        return False


def _drain(record: Any) -> bool:
    """Read the rest of a record; whether the file ended before its declared length."""
    stream = record.raw_stream
    while stream.read(READ_CHUNK):
        pass
    remaining = getattr(stream, "limit", 0)
    return isinstance(remaining, int) and remaining > 0


def _warc_record_item(path: str, record: Any, offset: int, cap: int) -> SourceItem | None:
    """The item for one WARC record, or None for a bookkeeping record."""
    declared = (record.rec_headers.get_header("Content-Length") or "").strip()
    if not record.rec_type or not declared.isdigit():
        # WARC-Type and Content-Length are mandatory: without them the header block was cut short.
        raise _BrokenRecord("its header has no WARC-Type or no valid Content-Length")
    record_type = record.rec_type.lower()
    if record_type in WARC_BOOKKEEPING:
        return None
    headers = record.rec_headers
    record_id = (headers.get_header("WARC-Record-ID") or "").strip().strip("<>")
    uri = f"{path}#{record_id}" if record_id else f"{path}#offset-{offset}"
    url = headers.get_header("WARC-Target-URI")
    fetched_at = headers.get_header("WARC-Date")
    name = PurePosixPath(urlsplit(url or "").path).name or "record"

    def problem(reason: str, media_type: str | None = None) -> SourceItem:
        return SourceItem(
            uri=uri, name=name, url=url, fetched_at=fetched_at, media_type=media_type, group=path, error=reason
        )

    if record_type == "response":
        if record.http_headers is None:
            return problem("not an HTTP response")
        status = (record.http_headers.get_statuscode() or "").strip()
        media_type = _media_type(record.http_headers.get_header("Content-Type"))
        if status != "200":
            return problem(f"HTTP {status or 'status missing'}", media_type)
        encoding = (record.http_headers.get_header("Content-Encoding") or "").strip().lower()
        if encoding not in ("", "identity") and encoding not in BufferedReader.get_supported_decompressors():
            return problem(f"content encoding not supported ({encoding})", media_type)
    elif record_type == "resource":
        media_type = _media_type(record.content_type)
    else:
        return problem(f"WARC record type not read ({record_type or 'none'})")
    if media_type not in PAGE_NAMES:
        return problem(f"not a text page ({media_type or 'no Content-Type'})", media_type)
    try:
        data = _read_capped(record.content_stream(), cap)
    except _TooLarge:
        return problem(_larger(cap), media_type)
    return SourceItem(
        uri=uri,
        name=PAGE_NAMES[media_type],
        data=data,
        url=url,
        fetched_at=fetched_at,
        media_type=media_type,
        group=path,
    )
