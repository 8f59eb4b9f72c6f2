"""Signing in and out, and the audit log: the pages ``/login``, ``/logout`` and ``/audit`` and the API's
``/api/v1/audit``.  How sessions, tokens and CSRF work is told in :mod:`solidarity_atlas.web.auth`."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from solidarity_atlas.web import auth
from solidarity_atlas.web.api import Limit, Offset, Page, page

router = APIRouter(include_in_schema=False)
api_router = APIRouter(tags=["curation"])

AUDIT_PAGE = 50  # entries on one page of the audit log
NEXT_MAX = 2000


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path of this site only (never ``//host`` or a URL elsewhere)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value \
            and len(value) <= NEXT_MAX and value.isprintable():
        return value
    return "/"


def _login_form(request: Request, *, status: int = 200, error: str | None = None, next_path: str = "/",
                username: str = "", headers: dict[str, str] | None = None) -> Response:
    from solidarity_atlas.web.pages import render

    writable = auth.writable(request)
    token = request.cookies.get(auth.LOGIN_COOKIE) or ""
    if not (20 <= len(token) <= 128 and token.replace("-", "").replace("_", "").isalnum()):
        token = secrets.token_urlsafe(32)
    response = render(request, "login.html", status_code=status, headers={"cache-control": "no-store",
                                                                         **(headers or {})},
                      writable=writable, token=token, error=error, next_path=next_path, username=username,
                      admin_name=auth.ADMIN_NAME, token_configured=bool(auth.state_of(request).config.admin_token))
    if writable:
        response.set_cookie(auth.LOGIN_COOKIE, token, max_age=auth.LOGIN_COOKIE_SECONDS, path="/login",
                            httponly=True, samesite="strict", secure=auth.secure(request))
    return response


@router.get("/login")
def login_page(request: Request, next: Annotated[str, Query(max_length=NEXT_MAX)] = "/") -> Response:
    return _login_form(request, next_path=safe_next(next))


@router.post("/login")
def login(request: Request, form: auth.Form) -> Response:
    if not auth.writable(request):
        raise HTTPException(403, "This site is read-only: no admin token or user is configured.")
    if not auth.csrf_matches(form.get(auth.CSRF_FIELD), request.cookies.get(auth.LOGIN_COOKIE)):
        raise HTTPException(403, "The sign-in form's security token is missing or out of date: reload the page "
                                 "and sign in again.")
    engine, state, client = auth.engine_of(request), auth.state_of(request), auth.client_of(request)
    name, password = form.get("username", "").strip()[:80], form.get("password", "")
    next_path = safe_next(form.get("next"))
    wait = auth.failure_wait(request, client)
    if wait > 0:
        limited = auth.too_many(wait)
        return _login_form(request, status=429, error=str(limited.detail).capitalize() + ".",
                           next_path=next_path, username=name, headers=dict(limited.headers or {}))
    who = None
    token = state.config.admin_token
    if name == auth.ADMIN_NAME:
        if token and auth.token_matches(password, token):
            who = auth.ADMIN_WHO
    elif auth.verify_user(engine, name, password):
        who = name
    if who is None:
        state.limiter.fail(client)
        auth.audit_now(engine, name or "(no name)", client, "login_failed", {"username": name})
        return _login_form(request, status=401, error="Wrong name or password.", next_path=next_path, username=name)
    value, _ = auth.open_session(engine, who, client, state.config)
    auth.audit_now(engine, who, client, "login", {"username": name, "with": "admin token" if who == auth.ADMIN_WHO
                                                  else "password"})
    response = RedirectResponse(next_path, status_code=303)
    auth.set_session_cookie(response, request, value)
    response.delete_cookie(auth.LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, form: auth.Form) -> Response:
    principal = auth.form_principal(request, form)
    engine = auth.engine_of(request)
    auth.close_session(engine, request.cookies.get(auth.SESSION_COOKIE, ""))
    auth.audit_now(engine, principal.who, auth.client_of(request), "logout")
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/")
    return response


@router.get("/audit")
def audit_page(request: Request, offset: Offset = 0) -> Response:
    from solidarity_atlas.web.pages import render

    if auth.session_of(request) is None:
        return RedirectResponse("/login?next=/audit", status_code=303)
    items, total = auth.audit_entries(auth.engine_of(request), AUDIT_PAGE, offset)
    return render(request, "audit.html", items=items, total=total, offset=offset, limit=AUDIT_PAGE, params={})


class AuditEntry(BaseModel):
    id: int
    at: str
    who: str
    client: str | None
    operation: str
    judgement: dict[str, Any] | None


class AuditList(Page[AuditEntry]):
    pass


@api_router.get("/audit", response_model=AuditList, summary="The audit log",
                responses={401: {"description": "Not signed in."}, 403: {"description": "A read-only site."},
                           429: {"description": "Too many failed sign-ins from this address."}})
def api_audit(request: Request, response: Response, actor: auth.ApiPrincipal, limit: Limit = 50,
              offset: Offset = 0) -> Any:
    """Every change made through the website or the API, and every sign-in tried, latest first: when, who, from
    which address, the operation and the judgement written.  For signed-in users and the admin token only."""
    response.headers["cache-control"] = "private, no-store"
    items, total = auth.audit_entries(auth.engine_of(request), limit, offset)
    return page(request, AuditList, items, total, limit, offset, "json", "audit")
