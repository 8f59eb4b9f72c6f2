"""The web application: a website and JSON API over one knowledge base, with curation for those signed in.

:func:`create_app` builds it; ``solidarity serve`` runs it with uvicorn.
Reading is open to all, with GETs; the corrections (``web/curate.py``) and
signing in (``web/signin.py``) are POSTs, guarded as ``web/auth.py`` tells.
Everything shown comes from scraped documents and is treated as hostile:
templates autoescape, the Content-Security-Policy allows only the project's
own scripts and styles (no inline script or style), SQL is SQLAlchemy Core
with bound parameters, the API is rate-limited per client address, and an
error never shows a traceback to the client (it is logged).
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http import HTTPStatus
from importlib import resources
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from solidarity_atlas import __version__
from solidarity_atlas.store.db import connect
from solidarity_atlas.web.data import DataCache

log = logging.getLogger("solidarity_atlas.web")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

API_PREFIX = "/api/v1"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}
RATE_PER_SECOND = 20.0  # API requests a client may make per second, sustained: a script paging through lists
RATE_BURST = 40  # ...and at once after a pause: a page of the network view plus its lists
RATE_CLIENTS = 10_000  # client addresses remembered by the rate limit; the least recently seen are forgotten
ETAG_HEX = 32  # hex digits of the body's SHA-256 kept in an ETag: 128 bits, no accidental collision
ETAG_MAX_BODY = 8 * 1024 * 1024  # larger responses are passed on without an ETag rather than held in memory
# Requests a process works on at once.  The endpoints are synchronous: each runs in a thread, and AnyIO would run up
# to 40 at once.  Pages are Python work under one GIL (SQLite lets it go only while it steps), so 40 threads take it
# in turns per row and spend more time handing it over than working: at 20 clients, with 40 threads, a search cost
# twice the CPU it costs alone.  Two threads keep one busy while the other waits on SQLite; more workers, not more
# threads, use more cores (bench/README.md).
THREADS = 2


@dataclass(frozen=True, slots=True)
class WebSettings:
    rate_per_second: float = RATE_PER_SECOND
    rate_burst: int = RATE_BURST


def create_app(db: str | None = None, *, engine: Engine | None = None, rate_per_second: float = RATE_PER_SECOND,
               rate_burst: int = RATE_BURST, admin_token: str | None = None,
               secure_cookies: bool | None = None, threads: int | None = THREADS) -> FastAPI:
    """The application over the database ``db`` (a URL or SQLite file; default ``$SOLIDARITY_DB``), or over an
    open ``engine``.  ``rate_per_second``/``rate_burst`` set the API's per-client rate limit (0: none).
    ``admin_token`` (default ``$SOLIDARITY_ADMIN_TOKEN``; "" for none) and the users of the database may make
    corrections; ``secure_cookies`` (default ``$SOLIDARITY_SECURE_COOKIES``) marks the session cookie Secure even
    on plain HTTP (behind a proxy that adds HTTPS).  A token too short raises :class:`auth.AuthError`.
    ``threads``: requests handled at once (the size of AnyIO's thread pool, set when the server starts the
    application; None leaves AnyIO's default of 40)."""
    from solidarity_atlas.web import api, auth, curate, pages, signin

    settings = WebSettings(rate_per_second, rate_burst)
    app = FastAPI(
        title="Solidarity Atlas",
        version=__version__,
        description="The Solidarity Atlas knowledge base: statements, organisations, persons, events, full-text "
                    "search, the co-signature network and country timelines, open to all. Lists are paginated "
                    "(`limit`, `offset`, `next`) and come as CSV with `format=csv`; every response to a GET has an "
                    "ETag (send it back in If-None-Match for a 304).\n\n"
                    "Curation (the POSTs, tagged `curation`) writes the same judgements as the `solidarity org` "
                    "commands: send `Authorization: Bearer <admin token>`, or the session cookie of a signed-in "
                    "user with its CSRF token in the `X-CSRF-Token` header. On a site with neither an admin token "
                    "nor users they answer 403.",
        docs_url=None,  # Swagger UI and ReDoc load scripts from a CDN, which the CSP and "offline" both forbid
        redoc_url=None,
        openapi_url="/openapi.json",
        debug=False,
        lifespan=_lifespan,
    )
    app.state.threads = threads
    app.state.engine = engine if engine is not None else connect(db)
    app.state.cache = DataCache(app.state.engine)
    app.state.settings = settings
    app.state.templates = pages.make_templates()
    app.state.auth = auth.AuthState(auth.auth_config(admin_token, secure_cookies))

    # The pages first: a request is matched against the routes in order, and the pages are what most requests ask
    # for (no page's path begins with /api/v1, so none takes an API request).
    app.include_router(pages.router)
    app.include_router(curate.form_router)
    app.include_router(signin.router)
    app.include_router(api.router, prefix=API_PREFIX)
    app.include_router(curate.api_router, prefix=API_PREFIX)
    app.include_router(signin.api_router, prefix=API_PREFIX)
    static = resources.files("solidarity_atlas") / "web" / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _server_error)
    # Added innermost first: the ETag sees the finished body, the security headers go on every response.
    app.add_middleware(ETagMiddleware)
    if settings.rate_per_second > 0:
        app.add_middleware(RateLimitMiddleware, rate=settings.rate_per_second, burst=settings.rate_burst)
    app.add_middleware(HeadMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At start, the size of the thread pool that runs the (synchronous) endpoints; at the end, the connection the
    cache reads the data's version with is given back."""
    if app.state.threads:
        anyio.to_thread.current_default_thread_limiter().total_tokens = app.state.threads
    yield
    app.state.cache.close()


# -- errors ------------------------------------------------------------------------------------------------------


def _is_api(request: Request) -> bool:
    path = request.url.path
    return path.startswith(API_PREFIX) or path == "/openapi.json"


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if _is_api(request):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)
    from solidarity_atlas.web.pages import error_page

    message = str(exc.detail)
    if message == HTTPStatus(exc.status_code).phrase:  # no message of our own: say it in words
        message = {404: "There is nothing at this address.",
                   405: f"This address does not answer {request.method} requests."}.get(exc.status_code, message)
    return error_page(request, exc.status_code, message, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if _is_api(request):
        return await request_validation_exception_handler(request, exc)
    from solidarity_atlas.web.pages import error_page

    problems = [f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg', 'invalid')}"
                for e in exc.errors()]
    return error_page(request, 422, "The address asks for something this page cannot show.", problems=problems)


async def _server_error(request: Request, exc: Exception) -> Response:
    """Any other exception: logged here with its traceback, a bare 500 to the client."""
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    if _is_api(request):
        response: Response = JSONResponse({"detail": "internal error"}, status_code=500)
    else:
        try:
            from solidarity_atlas.web.pages import error_page

            response = error_page(request, 500, "Something went wrong on our side. It has been logged.")
        except Exception:  # noqa: BLE001 - the error page itself must not fail the error
            response = Response("internal error", status_code=500, media_type="text/plain")
    # This answer is sent by Starlette's outermost middleware, outside the one that adds these.
    response.headers.update(SECURITY_HEADERS)
    return response


# -- middleware (plain ASGI: they see every response, the static files' and errors' too) --------------------------


class SecurityHeadersMiddleware:
    """The Content-Security-Policy and the other security headers on every response."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()
                                        if k.encode() not in names)]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadMiddleware:
    """HEAD answered as GET without the body (link checkers and proxies ask HEAD of pages that only have a GET)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


class RateLimitMiddleware:
    """A token bucket per client address on the API: ``rate`` requests a second, ``burst`` at once; past that a
    429 with Retry-After.  Addresses come from the connection (uvicorn puts the proxy's client there only when
    the proxy is trusted with --forwarded-allow-ips)."""

    def __init__(self, app: ASGIApp, rate: float = RATE_PER_SECOND, burst: int = RATE_BURST,
                 clients: int = RATE_CLIENTS):
        self.app = app
        self.rate = rate
        self.burst = max(1, burst)
        self.clients = clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # address -> (tokens, when)
        self._lock = threading.Lock()

    def wait(self, client: str) -> float:
        """Take a token for ``client``: 0 when there was one, else the seconds until there will be."""
        now = time.monotonic()
        with self._lock:
            tokens, then = self._buckets.pop(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * self.rate)
            wait = 0.0
            if tokens >= 1:
                tokens -= 1
            else:
                wait = (1 - tokens) / self.rate
            self._buckets[client] = (tokens, now)
            while len(self._buckets) > self.clients:
                self._buckets.popitem(last=False)
        return wait

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = self.wait(client[0] if client else "unknown")
        if wait > 0:
            response = JSONResponse({"detail": "too many requests: slow down"}, status_code=429,
                                    headers={"Retry-After": str(max(1, math.ceil(wait)))})
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class ETagMiddleware:
    """A strong ETag (a hash of the body) on every successful GET of the API, and 304 Not Modified when the
    client's If-None-Match names it."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or scope.get("method") != "GET" \
                or not (path.startswith(API_PREFIX) or path == "/openapi.json"):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        passing = False  # not a 200, or too large: sent on as it comes

        async def buffer(message: Message) -> None:
            nonlocal start, size, passing
            if message["type"] == "http.response.start":
                start = message
                passing = message["status"] != 200
                if passing:
                    await send(message)
                return
            if message["type"] != "http.response.body" or passing:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > ETAG_MAX_BODY:
                passing = True
                assert start is not None
                await send(start)
                await send({"type": "http.response.body", "body": b"".join(chunks),
                            "more_body": message.get("more_body", False)})
                return
            if not message.get("more_body", False):
                assert start is not None
                await self._finish(scope, start, b"".join(chunks), send)

        await self.app(scope, receive, buffer)

    @staticmethod
    async def _finish(scope: Scope, start: Message, body: bytes, send: Send) -> None:
        etag = f'"{hashlib.sha256(body).hexdigest()[:ETAG_HEX]}"'
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"etag"]
        headers.append((b"etag", etag.encode()))
        if not any(k.lower() == b"cache-control" for k, _ in headers):  # the audit log says "private, no-store"
            headers.append((b"cache-control", b"no-cache"))
        wanted = dict((k.lower(), v) for k, v in scope.get("headers", [])).get(b"if-none-match", b"").decode(
            "latin-1")
        if _etag_matches(wanted, etag):
            kept = [(k, v) for k, v in headers if k.lower() not in (b"content-length", b"content-type")]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _etag_matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110's weak comparison, as If-None-Match asks: ``W/`` is ignored, ``*`` matches anything."""
    if not if_none_match.strip():
        return False
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == etag:
            return True
    return False
