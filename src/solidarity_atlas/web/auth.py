"""Who may change the atlas through the web application, and the log of what they did.

Two ways in, both off until configured:

* **the admin token** (``SOLIDARITY_ADMIN_TOKEN``, or ``solidarity serve
  --admin-token-file``): sent as ``Authorization: Bearer <token>`` on the
  API's write calls, or typed as the password of the name ``admin`` on the
  login page.  It is compared in constant time, must be at least
  :data:`MIN_TOKEN` characters, and acts as ``admin-token`` in judgements and
  the audit log;
* **users** (``solidarity user add``), whose passwords are kept only as
  argon2id hashes (argon2-cffi's defaults, RFC 9106's second recommended
  profile).

With neither, the site is read-only: write calls answer 403 and the pages
show no forms.

Sessions are kept on the server, in the ``sessions`` table, rather than in a
signed cookie: the cookie holds only a random value (:mod:`secrets`, 256
bits) whose SHA-256 is the row's key, so signing out, removing a user or
changing the admin token ends a session at once, there is no signing key to
keep secret and rotate across restarts, and a copy of the table opens no
session.  The cookie is HttpOnly, SameSite=Strict, Secure on HTTPS (or always,
with ``--secure-cookies`` / ``SOLIDARITY_SECURE_COOKIES=1``) and ends after
:data:`SESSION_HOURS` hours.

CSRF: each session has its own random synchroniser token.  Every form that
changes anything carries it in a hidden field, and an API call made with the
session cookie sends it in the ``X-CSRF-Token`` header; a call authenticated
by the bearer header needs none (a browser never adds that header by
itself).  The login form, which comes before any session, is protected by a
double-submit token: a random value both in a SameSite=Strict cookie scoped
to ``/login`` and in the form, which another site can neither read nor set.

Sign-in failures (a wrong password or a wrong bearer token) are counted per
client address: after :data:`LOGIN_FAILURES` within :data:`LOGIN_WINDOW`
seconds, the address is refused (429) until the oldest failure is that old.
They are counted from the audit log, which records each of them, so the
limit holds across the processes of the server and its restarts.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import secrets
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Annotated, Any
from urllib.parse import parse_qsl

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from solidarity_atlas.errors import AtlasError
from solidarity_atlas.store.schema import audit_log, sessions, users

log = logging.getLogger("solidarity_atlas.web")

ADMIN_TOKEN_ENV = "SOLIDARITY_ADMIN_TOKEN"
SECURE_COOKIES_ENV = "SOLIDARITY_SECURE_COOKIES"
ADMIN_NAME = "admin"  # the name to type on the login page, with the admin token as the password
ADMIN_WHO = "admin-token"  # who the admin token is in judgements and the audit log
RESERVED_NAMES = (ADMIN_NAME, ADMIN_WHO)
SESSION_COOKIE = "atlas_session"
LOGIN_COOKIE = "atlas_login"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SESSION_HOURS = 12  # a working day; signing in again after it costs a few seconds
LOGIN_COOKIE_SECONDS = 3600  # the login form's token: a form left open longer is reloaded
LOGIN_FAILURES = 5  # failed sign-ins a client address may make within LOGIN_WINDOW seconds
LOGIN_WINDOW = 60.0
LIMITED_CLIENTS = 10_000  # client addresses whose failures are remembered; the least recently failing forgotten
MIN_TOKEN = 16  # characters of an admin token: secrets.token_urlsafe(32) gives 43
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # argon2 takes any length; this bounds the work one request can ask for
USER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,79}")
READ_ONLY = ("this site is read-only: no admin token or user is configured (see 'solidarity user add' and "
             f"{ADMIN_TOKEN_ENV})")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

BEARER = HTTPBearer(auto_error=False, description="The admin token (SOLIDARITY_ADMIN_TOKEN).")


class AuthError(AtlasError):
    """A user, password or admin token that cannot be used: the message says why."""


# -- configuration -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuthConfig:
    admin_token: str | None = None
    secure_cookies: bool = False


def auth_config(admin_token: str | None = None, secure_cookies: bool | None = None) -> AuthConfig:
    """The configuration: ``admin_token`` (default ``$SOLIDARITY_ADMIN_TOKEN``; empty means none) and whether
    cookies are always Secure (default ``$SOLIDARITY_SECURE_COOKIES``).  A token too short is an :class:`AuthError`."""
    token = os.environ.get(ADMIN_TOKEN_ENV, "") if admin_token is None else admin_token
    token = token.strip()
    if token and len(token) < MIN_TOKEN:
        raise AuthError(f"the admin token must be at least {MIN_TOKEN} characters (make one with: python -c "
                        "'import secrets; print(secrets.token_urlsafe(32))')")
    if secure_cookies is None:
        secure_cookies = os.environ.get(SECURE_COOKIES_ENV, "").strip().lower() in ("1", "true", "yes", "on")
    return AuthConfig(token or None, secure_cookies)


def read_token_file(path: str) -> str:
    """The admin token kept in a file (its first line); a missing, unreadable or empty file is an AuthError."""
    try:
        with open(path, encoding="utf-8") as handle:
            token = handle.readline().strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise AuthError(f"{path}: cannot read the admin token ({getattr(exc, 'strerror', None) or exc})") from None
    if not token:
        raise AuthError(f"{path}: the admin token file is empty")
    return token


@dataclass(slots=True)
class AuthState:
    """What the application keeps for signing in: the configuration and the failures of each client."""

    config: AuthConfig
    limiter: FailureLimiter = field(default_factory=lambda: FailureLimiter())


# -- passwords and users -----------------------------------------------------------------------------------------


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _decoy() -> str:
    """A hash to verify a password against when the name is unknown, so that an unknown name takes as long."""
    return _hasher().hash(secrets.token_urlsafe(16))


def check_new_user(name: str, password: str) -> None:
    if not USER_NAME.fullmatch(name):
        raise AuthError(f"{name!r} is not a user name: 1 to 80 letters, digits and . _ @ -, starting with a letter "
                        "or digit")
    if name.lower() in RESERVED_NAMES:
        raise AuthError(f"{name!r} is reserved: it signs in with the admin token")
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"the password must be at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AuthError(f"the password must be at most {MAX_PASSWORD} characters")


def add_user(engine: Engine, name: str, password: str) -> None:
    """Add a user with an argon2id hash of the password (never the password itself)."""
    check_new_user(name, password)
    hashed = _hasher().hash(password)
    with engine.begin() as c:
        if c.execute(select(users.c.id).where(func.lower(users.c.name) == name.lower())).first():
            raise AuthError(f"there is already a user {name!r}")
        c.execute(insert(users).values(name=name, password_hash=hashed, created_at=_stamp()))


def list_users(engine: Engine) -> list[dict[str, Any]]:
    now = _stamp()
    with engine.connect() as c:
        open_sessions = dict(c.execute(select(sessions.c.who, func.count()).where(sessions.c.expires_at > now)
                                       .group_by(sessions.c.who)).tuples().all())
        rows = c.execute(select(users.c.name, users.c.created_at).order_by(users.c.name)).all()
    return [{"name": r.name, "created_at": r.created_at, "sessions": int(open_sessions.get(r.name, 0))}
            for r in rows]


def remove_user(engine: Engine, name: str) -> None:
    """Remove a user and end their sessions."""
    with engine.begin() as c:
        if not c.execute(delete(users).where(users.c.name == name)).rowcount:
            raise AuthError(f"there is no user {name!r}")
        c.execute(delete(sessions).where(sessions.c.who == name))


def verify_user(engine: Engine, name: str, password: str) -> bool:
    """Whether ``password`` is the password of the user ``name`` (a hash made with weaker parameters than today's
    is replaced on the way)."""
    if len(password) > MAX_PASSWORD:
        return False
    with engine.connect() as c:
        row = c.execute(select(users.c.id, users.c.password_hash).where(users.c.name == name)).first()
    hasher = _hasher()
    try:
        hasher.verify(row.password_hash if row else _decoy(), password)
    except (VerificationError, InvalidHashError):
        return False
    if row is None:
        return False
    if hasher.check_needs_rehash(row.password_hash):
        with engine.begin() as c:
            c.execute(update(users).where(users.c.id == row.id).values(password_hash=hasher.hash(password)))
    return True


def users_exist(engine: Engine) -> bool:
    with engine.connect() as c:
        return c.execute(select(users.c.id).limit(1)).first() is not None


def token_matches(given: str, token: str) -> bool:
    """Constant-time comparison (of the UTF-8 bytes: any character may be in a token)."""
    return secrets.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


# -- the limit on failed sign-ins --------------------------------------------------------------------------------


class FailureLimiter:
    """Failed sign-ins per client address: ``failures`` within ``window`` seconds, then refused until the oldest
    of them is ``window`` seconds old."""

    def __init__(self, failures: int = LOGIN_FAILURES, window: float = LOGIN_WINDOW, clients: int = LIMITED_CLIENTS):
        self.failures = failures
        self.window = window
        self.clients = clients
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, client: str) -> float:
        """Seconds before ``client`` may try again (0: now)."""
        now = time.monotonic()
        with self._lock:
            times = self._seen.get(client)
            if not times:
                return 0.0
            while times and now - times[0] >= self.window:
                times.popleft()
            if len(times) < self.failures:
                return 0.0
            return self.window - (now - times[0])

    def fail(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            times = self._seen.pop(client, None) or deque(maxlen=self.failures)
            times.append(now)
            self._seen[client] = times
            while len(self._seen) > self.clients:
                self._seen.popitem(last=False)


FAILED_OPERATIONS = ("login_failed", "auth_failed")  # what the audit log calls a failed sign-in


def logged_wait(engine: Engine, client: str, failures: int = LOGIN_FAILURES, window: float = LOGIN_WINDOW) -> float:
    """Seconds before ``client`` may try again, counted from the failed sign-ins in the audit log: the log is shared
    by every process of the server (``solidarity serve --workers N``), the :class:`FailureLimiter` of each is not.
    The log's times are whole seconds, so the wait is rounded up to one."""
    now = datetime.now(UTC)
    with engine.connect() as c:
        times = c.execute(select(audit_log.c.at)
                          .where(audit_log.c.at >= _stamp(now - timedelta(seconds=window)),
                                 audit_log.c.operation.in_(FAILED_OPERATIONS), audit_log.c.client == client[:64])
                          .order_by(audit_log.c.at.desc()).limit(failures)).scalars().all()
    if len(times) < failures:
        return 0.0
    oldest = datetime.strptime(times[-1], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return max(1.0, window - (now - oldest).total_seconds())


def failure_wait(request: Request, client: str) -> float:
    """Seconds before ``client`` may try to sign in again: this process's count, and the audit log's."""
    return max(state_of(request).limiter.wait(client), logged_wait(engine_of(request), client))


def too_many(wait: float) -> HTTPException:
    return HTTPException(429, f"too many failed sign-ins from this address: try again in {math.ceil(wait)} seconds",
                         headers={"Retry-After": str(max(1, math.ceil(wait)))})


# -- sessions ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request acts as: ``who`` (a user's name, or admin-token), with the session's CSRF token."""

    who: str
    csrf: str | None = None
    via: str = "session"  # or "bearer"


def _stamp(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def state_of(request: Request) -> AuthState:
    found: AuthState = request.app.state.auth
    return found


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def writable(request: Request) -> bool:
    """Whether anyone can sign in: an admin token is configured, or a user exists."""
    if state_of(request).config.admin_token:
        return True
    return users_exist(engine_of(request))


def open_session(engine: Engine, who: str, client: str, config: AuthConfig) -> tuple[str, str]:
    """A new session for ``who``: the cookie's value and the session's CSRF token.  Expired sessions go."""
    value, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    credential = _digest(config.admin_token) if who == ADMIN_WHO and config.admin_token else None
    with engine.begin() as c:
        c.execute(delete(sessions).where(sessions.c.expires_at <= _stamp(now)))
        c.execute(insert(sessions).values(id=_digest(value), who=who, csrf=csrf, credential=credential,
                                          client=client[:64], created_at=_stamp(now),
                                          expires_at=_stamp(now + timedelta(hours=SESSION_HOURS))))
    return value, csrf


def close_session(engine: Engine, value: str) -> None:
    with engine.begin() as c:
        c.execute(delete(sessions).where(sessions.c.id == _digest(value)))


def session_of(request: Request) -> Principal | None:
    """The signed-in session the request's cookie names, if it is open and still valid."""
    if hasattr(request.state, "principal"):
        found: Principal | None = request.state.principal
        return found
    principal = None
    value = request.cookies.get(SESSION_COOKIE)
    if value and len(value) <= 128:
        with engine_of(request).connect() as c:
            row = c.execute(select(sessions).where(sessions.c.id == _digest(value),
                                                   sessions.c.expires_at > _stamp())).first()
        token = state_of(request).config.admin_token
        if row is not None and (row.who != ADMIN_WHO or (
                token and row.credential and token_matches(row.credential, _digest(token)))):
            principal = Principal(row.who, row.csrf, "session")
    request.state.principal = principal
    return principal


def csrf_matches(given: str | None, expected: str | None) -> bool:
    return bool(given and expected) and token_matches(str(given), str(expected))


def set_session_cookie(response: Any, request: Request, value: str) -> None:
    response.set_cookie(SESSION_COOKIE, value, max_age=SESSION_HOURS * 3600, path="/", httponly=True,
                        samesite="strict", secure=secure(request))


def secure(request: Request) -> bool:
    return state_of(request).config.secure_cookies or request.url.scheme == "https"


@dataclass(frozen=True, slots=True)
class Viewer:
    """What a page shows of signing in: who is signed in (None: nobody) and whether anyone could be."""

    who: str | None
    csrf: str | None
    writable: bool


def viewer(request: Request) -> Viewer:
    """The page's viewer; a database that cannot be read (an error page about it) counts as nobody.  Whether
    anyone could sign in (the "Sign in" link) is kept in the application's cache until the data changes: every
    page asks, and asking the database costs a query."""
    try:
        principal = session_of(request)
        if principal is not None:
            return Viewer(principal.who, principal.csrf, True)
        if state_of(request).config.admin_token:
            return Viewer(None, None, True)
        cache = getattr(request.app.state, "cache", None)
        engine = engine_of(request)
        exist = cache.get(("users_exist",), lambda: users_exist(engine)) if cache is not None else users_exist(engine)
        return Viewer(None, None, exist)
    except SQLAlchemyError:
        return Viewer(None, None, False)


# -- the audit log -----------------------------------------------------------------------------------------------


def audit(connection: Connection, who: str, client: str | None, operation: str,
          judgement: dict[str, Any] | None = None) -> None:
    """One entry of the audit log, in the caller's transaction (so a change and its entry land together)."""
    connection.execute(insert(audit_log).values(
        at=_stamp(), who=who[:80], client=(client or "")[:64] or None, operation=operation,
        judgement=json.dumps(judgement, ensure_ascii=False) if judgement is not None else None))


def audit_now(engine: Engine, who: str, client: str | None, operation: str,
              judgement: dict[str, Any] | None = None) -> None:
    with engine.begin() as c:
        audit(c, who, client, operation, judgement)


def audit_entries(engine: Engine, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """The audit log, latest first."""
    with engine.connect() as c:
        total = c.execute(select(func.count()).select_from(audit_log)).scalar_one()
        rows = c.execute(select(audit_log).order_by(audit_log.c.id.desc()).limit(limit).offset(offset)).all()
    return [{"id": r.id, "at": r.at, "who": r.who, "client": r.client, "operation": r.operation,
             "judgement": json.loads(r.judgement) if r.judgement else None} for r in rows], int(total)


# -- dependencies of the routes that write -----------------------------------------------------------------------


def api_principal(request: Request,
                  credentials: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)]) -> Principal:
    """Who an API call acts as: the bearer token, or a session cookie with its CSRF header (on a call that
    changes something).  401 without credentials or with wrong ones, 403 on a read-only site or without the
    CSRF header, 429 after too many failures."""
    if not writable(request):
        raise HTTPException(403, READ_ONLY)
    client = client_of(request)
    if request.headers.get("authorization") is not None:
        limiter = state_of(request).limiter
        wait = failure_wait(request, client)
        if wait > 0:
            raise too_many(wait)
        token = state_of(request).config.admin_token
        if credentials is not None and token and token_matches(credentials.credentials, token):
            return Principal(ADMIN_WHO, None, "bearer")
        limiter.fail(client)
        audit_now(engine_of(request), ADMIN_WHO, client, "auth_failed", {"method": request.method,
                                                                         "path": request.url.path})
        raise HTTPException(401, "wrong credentials: send Authorization: Bearer <the admin token>",
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    principal = session_of(request)
    if principal is None:
        raise HTTPException(401, "sign in first: send Authorization: Bearer <the admin token>, or the session "
                                 f"cookie with its {CSRF_HEADER} header", headers={"WWW-Authenticate": "Bearer"})
    if request.method not in SAFE_METHODS and not csrf_matches(request.headers.get(CSRF_HEADER), principal.csrf):
        raise HTTPException(403, f"missing or wrong {CSRF_HEADER} header: send the session's CSRF token")
    return principal


ApiPrincipal = Annotated[Principal, Depends(api_principal)]


def form_principal(request: Request, form: dict[str, str]) -> Principal:
    """Who a form acts as: the signed-in session, and only with the session's CSRF token in the form."""
    if not writable(request):
        raise HTTPException(403, "This site is read-only: no admin token or user is configured.")
    principal = session_of(request)
    if principal is None:
        raise HTTPException(403, "Sign in to make changes.")
    if not csrf_matches(form.get(CSRF_FIELD), principal.csrf):
        raise HTTPException(403, "The form's security token is missing or out of date: reload the page and try "
                                 "again.")
    return principal


# -- HTML forms --------------------------------------------------------------------------------------------------

FORM_MAX_BYTES = 64 * 1024  # the longest form here (a judgement and its reason) is a few kilobytes
FORM_FIELDS = 32


async def read_form(request: Request) -> dict[str, str]:
    """An HTML form's fields, as a browser sends a form without files (application/x-www-form-urlencoded); the
    first value of a field repeated.  415 for another encoding, 413 past :data:`FORM_MAX_BYTES`, 400 when it
    cannot be read."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_MAX_BYTES:
            raise HTTPException(413, "The form is too large.")
    if kind != "application/x-www-form-urlencoded" and (body or kind):  # a POST with no body is an empty form
        raise HTTPException(415, "A form is sent as application/x-www-form-urlencoded.")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=FORM_FIELDS)
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(400, "The form cannot be read.") from None
    fields: dict[str, str] = {}
    for name, value in pairs:
        fields.setdefault(name, value)
    return fields


Form = Annotated[dict[str, str], Depends(read_form)]
