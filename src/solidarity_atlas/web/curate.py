"""Curation: the corrections a signed-in person makes, as HTML forms and as JSON API calls.

Each correction is, in this order and under one lock (so the judgements
file and the database take the corrections in the same order):

1. checked against the knowledge base (the organisations, the document and
   the name as written must exist): a bad one is a 404 or 422 with one line
   saying why;
2. appended to the judgements file (``SOLIDARITY_JUDGEMENTS``) exactly as the
   ``solidarity org ...`` commands append it, ``who`` being the signed-in
   user or ``admin-token`` — so every later extraction applies it;
3. applied to the stored rows by :mod:`solidarity_atlas.store.curation`, with
   its audit-log entry, in one transaction, so the pages show it at once.

Should step 3 fail, the judgement stays in the file and the next
``solidarity reextract`` applies it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import Connection, Engine, select

from solidarity_atlas import settings
from solidarity_atlas.errors import AtlasError
from solidarity_atlas.resolve import judgements as judgements_mod
from solidarity_atlas.resolve import orgs
from solidarity_atlas.resolve.registry import name_key, registry
from solidarity_atlas.resolve.text import fold, slug
from solidarity_atlas.store import curation
from solidarity_atlas.store.schema import documents, org_names, organizations, signatures
from solidarity_atlas.web import auth
from solidarity_atlas.web.data import MAX_ROW_ID, DataCache

try:
    import fcntl
except ImportError:  # not a POSIX system: the lock holds within one process only
    fcntl = None  # type: ignore[assignment]

ID_MAX = 200
NAME_MAX = 500
WHY_MAX = 2000
MERGE_MAX = 50  # organisations merged in one call
COUNTRY = re.compile(r"[A-Za-z]{2}")
NEW_ID_SUFFIX = 3  # the country or "int"/"xx" at the end of an id the resolver made for an unknown organisation

_lock = threading.Lock()


@contextmanager
def _one_at_a_time() -> Iterator[None]:
    """One correction at a time, among the threads of this process and among the processes of the server
    (``solidarity serve --workers N``): an exclusive lock on the judgements file (``flock``, on POSIX systems),
    held while the judgement is appended and applied, so that the file and the database take the corrections in
    the same order.  Should the file not open, the judgement's own writing fails and says why."""
    with _lock:
        handle = None
        try:
            path = settings.judgements_path()
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = path.open("a", encoding="utf-8")
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        except OSError:
            pass
        try:
            yield
        finally:
            if handle is not None:
                handle.close()  # and the lock with it


class CurationError(AtlasError):
    """A correction that cannot be made: ``status`` (404, 422) and the message say why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Done:
    judgement: dict[str, Any]
    changed: dict[str, int]
    url: str  # the page that shows the result

    def as_dict(self) -> dict[str, Any]:
        return {"judgement": self.judgement, "changed": self.changed, "url": self.url}


Change = Callable[[Connection, orgs.Resolver], curation.Changes]


# -- checks ------------------------------------------------------------------------------------------------------


def _text(value: str | None, what: str, limit: int = NAME_MAX) -> str:
    value = (value or "").strip()
    if not value:
        raise CurationError(422, f"{what} is empty")
    if len(value) > limit:
        raise CurationError(422, f"{what} is longer than {limit} characters")
    return value


def _why(value: str | None) -> str | None:
    value = (value or "").strip()
    if len(value) > WHY_MAX:
        raise CurationError(422, f"the reason is longer than {WHY_MAX} characters")
    return value or None


def _country(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not COUNTRY.fullmatch(value):
        raise CurationError(422, f"{value!r} is not a country code (two letters, ISO 3166-1, e.g. GR)")
    return value.upper()


def _organization(c: Connection, org_id: str) -> Any:
    row = c.execute(select(organizations).where(organizations.c.id == org_id)).first()
    if row is None:
        raise CurationError(404, f"no organisation {org_id!r}")
    return row


def _document(c: Connection, document_id: int) -> Any:
    if not 1 <= document_id <= MAX_ROW_ID:
        raise CurationError(404, f"no document {document_id}")  # no row has it, and the driver cannot even bind it
    row = c.execute(select(documents.c.id, documents.c.content_hash, documents.c.statement_id)
                    .where(documents.c.id == document_id)).first()
    if row is None:
        raise CurationError(404, f"no document {document_id}")
    return row


def org_url(org_id: str) -> str:
    return "/organizations/" + quote(org_id, safe="")


def statement_url(statement_id: int | None, document_id: int) -> str:
    return f"/statements/{statement_id}?document={document_id}" if statement_id is not None else "/"


# -- the corrections ---------------------------------------------------------------------------------------------


def _apply(engine: Engine, cache: DataCache | None, actor: auth.Principal, client: str, op: str, why: str | None,
           fields: dict[str, Any], change: Change, url: str) -> Done:
    """Record the judgement, then apply it to the rows with its audit entry (the caller holds the lock)."""
    try:
        line = judgements_mod.record(settings.judgements_path(), op, why, who=actor.who, **fields)
    except (judgements_mod.JudgementError, OSError) as exc:
        raise CurationError(500, f"the judgement could not be recorded: {exc}") from exc
    fresh = orgs.resolver()  # reloaded: the file has grown
    with engine.begin() as c:
        changes = change(c, fresh)
        auth.audit(c, actor.who, client, op, line)
    if cache is not None:
        cache.clear()
    return Done(line, changes.as_dict(), url)


def merge(engine: Engine, cache: DataCache | None, actor: auth.Principal, client: str, ids: list[str],
          into: str | None = None, why: str | None = None) -> Done:
    """Several organisations are one: every signature of them goes to ``into`` (default: the first id), whose
    row stays; the others' rows go."""
    wanted = list(dict.fromkeys(_text(i, "an organisation's id", ID_MAX) for i in ids))
    if len(wanted) < 2:
        raise CurationError(422, "a merge needs two different organisations")
    if len(wanted) > MERGE_MAX:
        raise CurationError(422, f"at most {MERGE_MAX} organisations are merged at once")
    kept = _text(into, "the id kept", ID_MAX) if into else wanted[0]
    if kept not in wanted:
        raise CurationError(422, f"the id kept, {kept!r}, is not one of the organisations merged")
    reason = _why(why)
    with _one_at_a_time():
        with engine.connect() as c:
            for org_id in wanted:
                _organization(c, org_id)
        before = orgs.resolver()
        touched = set(wanted) | {before.judgements.canonical(i) for i in wanted}

        # Every signature of the organisations merged goes to the one kept; their rows go with the last of them.
        return _apply(engine, cache, actor, client, "merge", reason, {"ids": wanted, "into": kept},
                      lambda c, fresh: curation.reresolve_organizations(c, touched, fresh.in_document),
                      org_url(kept))


def split(engine: Engine, cache: DataCache | None, actor: auth.Principal, client: str, org_id: str, raw: str,
          name: str | None = None, country: str | None = None, why: str | None = None) -> Done:
    """A name an organisation was written as is another organisation (``name``, ``country``; its id made from
    them as the ``org split`` command makes it)."""
    raw = _text(raw, "the name split off")
    new_name = _text(name, "the new organisation's name") if (name or "").strip() else raw
    code = _country(country)
    reason = _why(why)
    new_id = orgs.new_org_id(new_name, code)
    if new_id == org_id:
        raise CurationError(422, f"the new organisation would have the id {org_id!r} it is split from: give it "
                                 "another name or country")
    with _one_at_a_time():
        with engine.connect() as c:
            _organization(c, org_id)
            written = c.execute(select(org_names.c.name).where(org_names.c.org_id == org_id)).scalars().all()
        if fold(raw) not in {fold(n) for n in written}:
            raise CurationError(422, f"{org_id} was never written as {raw!r}")
        before = orgs.resolver()
        touched = {org_id, before.judgements.canonical(org_id), before.resolve(raw).org.org_id}
        fields = {"id": org_id, "raw": raw, "new_id": new_id, "name": new_name, "country": code}
        return _apply(engine, cache, actor, client, "split", reason, fields,
                      lambda c, fresh: curation.reresolve_organizations(c, touched, fresh.in_document),
                      org_url(new_id))


def alias(engine: Engine, cache: DataCache | None, actor: auth.Principal, client: str, org_id: str, name: str,
          why: str | None = None) -> Done:
    """Another name of an organisation: signatures written so, stored under another (new) organisation until
    now, go to it (and that organisation's row, when it has no signature left)."""
    name = _text(name, "the alias")
    reason = _why(why)
    with _one_at_a_time():
        with engine.connect() as c:
            _organization(c, org_id)
            # The organisations the resolver made from this very name, in one country or another.
            prefix = slug(name_key(name))
            made = [i for i in c.execute(select(organizations.c.id).where(
                organizations.c.id.startswith(prefix + "-", autoescape=True), organizations.c.registry.is_(False)
            )).scalars() if 0 < len(i) - len(prefix) - 1 <= NEW_ID_SUFFIX] if prefix else []
        before = orgs.resolver()
        touched = ({before.resolve(name).org.org_id} | set(made)) - {before.judgements.canonical(org_id)}
        return _apply(engine, cache, actor, client, "alias", reason, {"id": org_id, "alias": name},
                      lambda c, fresh: curation.reresolve_organizations(c, touched, fresh.in_document),
                      org_url(org_id))


def rename(engine: Engine, cache: DataCache | None, actor: auth.Principal, client: str, org_id: str, name: str,
           country: str | None = None, why: str | None = None) -> Done:
    """An organisation's canonical name (and country); its id stays."""
    name = _text(name, "the name")
    code = _country(country)
    reason = _why(why)
    fields: dict[str, Any] = {"id": org_id, "name": name}
    if code:
        fields["country"] = code
    with _one_at_a_time():
        with engine.connect() as c:
            _organization(c, org_id)
        return _apply(engine, cache, actor, client, "rename", reason, fields,
                      lambda c, fresh: curation.rename(c, org_id, name, code), org_url(org_id))


def fix_signatory(engine: Engine, cache: DataCache | None, actor: auth.Principal, client: str, document_id: int,
                  raw: str, org_id: str | None, why: str | None = None) -> Done:
    """The name ``raw`` of one document names ``org_id`` (or, None, no signatory at all)."""
    raw = _text(raw, "the signatory's name as written")
    target = _text(org_id, "the organisation's id", ID_MAX) if (org_id or "").strip() else None
    reason = _why(why)
    with _one_at_a_time():
        with engine.connect() as c:
            document = _document(c, document_id)
            written = c.execute(select(signatures.c.raw).where(signatures.c.document_id == document_id)).scalars()
            if fold(raw) not in {fold(w) for w in written}:
                raise CurationError(422, f"document {document_id} has no signature written as {raw!r}")
            name, country = None, None
            if target is not None:
                row = c.execute(select(organizations.c.name, organizations.c.country)
                                .where(organizations.c.id == target)).first()
                entry = registry().entries.get(target)
                if row is not None:
                    name, country = row.name, row.country
                elif entry is not None:
                    name, country = entry.name, entry.country
                else:
                    raise CurationError(404, f"no organisation {target!r}")
        fields = {"document": document.content_hash, "raw": raw, "org_id": target, "name": name, "country": country}
        return _apply(engine, cache, actor, client, "signatory", reason, fields,
                      lambda c, fresh: curation.reresolve_signature(c, document_id, raw, fresh.in_document),
                      statement_url(document.statement_id, document_id))


def not_a_statement(engine: Engine, cache: DataCache | None, actor: auth.Principal, client: str, document_id: int,
                    why: str | None = None) -> Done:
    """A document that is no statement: kind ``other``, with nothing extracted from it."""
    reason = _why(why)
    with _one_at_a_time():
        with engine.connect() as c:
            document = _document(c, document_id)
        return _apply(engine, cache, actor, client, "not_statement", reason, {"document": document.content_hash},
                      lambda c, fresh: curation.not_statement(c, document_id),
                      statement_url(document.statement_id, document_id))


# -- the JSON API ------------------------------------------------------------------------------------------------

api_router = APIRouter(tags=["curation"])

Id = Annotated[str, Field(min_length=1, max_length=ID_MAX)]
Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX)]
Why = Annotated[str | None, Field(max_length=WHY_MAX, description="The reason, kept with the judgement.")]
CountryCode = Annotated[str | None, Field(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2, e.g. GR.")]
OrgPath = Annotated[str, Path(min_length=1, max_length=ID_MAX, description="An organisation's id.")]
DocumentPath = Annotated[int, Path(ge=1, description="A document's id (a statement's `documents[].id`).")]


class MergeRequest(BaseModel):
    ids: list[Id] = Field(min_length=2, max_length=MERGE_MAX, description="Ids of one and the same organisation.")
    into: Id | None = Field(None, description="The id that stays (default: the first).")
    why: Why = None


class SplitRequest(BaseModel):
    raw: Name = Field(description="A name the organisation was written as, which is in fact another organisation.")
    name: Name | None = Field(None, description="The other organisation's canonical name (default: raw).")
    country: CountryCode = None
    why: Why = None


class AliasRequest(BaseModel):
    alias: Name = Field(description="Another name the organisation goes by.")
    why: Why = None


class RenameRequest(BaseModel):
    name: Name = Field(description="The organisation's canonical English name.")
    country: CountryCode = None
    why: Why = None


class SignatoryRequest(BaseModel):
    raw: Name = Field(description="The signature as the document writes it.")
    org_id: Id | None = Field(description="The organisation it names; null: it names no signatory.")
    why: Why = None


class NotStatementRequest(BaseModel):
    why: Why = None


class CurationResult(BaseModel):
    """The judgement recorded (as in the judgements file), what changed in the knowledge base, and the page that
    shows the result."""

    judgement: dict[str, Any]
    changed: dict[str, int]
    url: str


WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "No credentials, or wrong ones."},
    403: {"description": "A read-only site, or a session call without its X-CSRF-Token header."},
    404: {"description": "No such organisation or document."},
    422: {"description": "A correction that cannot be made, with the reason."},
    429: {"description": "Too many failed sign-ins from this address."},
}


def _run(request: Request, operation: Callable[..., Done], *args: Any, **kwargs: Any) -> dict[str, Any]:
    try:
        done = operation(request.app.state.engine, request.app.state.cache, *args, **kwargs)
    except CurationError as exc:
        raise HTTPException(exc.status, str(exc)) from None
    return done.as_dict()


@api_router.post("/organizations/merge", response_model=CurationResult, responses=WRITE_RESPONSES,
                 summary="Merge organisations")
def api_merge(request: Request, actor: auth.ApiPrincipal, body: MergeRequest) -> Any:
    """Several ids are one organisation: their signatures go to `into`, and every later extraction resolves them
    to it."""
    return _run(request, merge, actor, auth.client_of(request), body.ids, body.into, body.why)


@api_router.post("/organizations/{org_id:path}/split", response_model=CurationResult, responses=WRITE_RESPONSES,
                 summary="Split a name off an organisation")
def api_split(request: Request, actor: auth.ApiPrincipal, org_id: OrgPath, body: SplitRequest) -> Any:
    """A name the organisation was written as is another organisation."""
    return _run(request, split, actor, auth.client_of(request), org_id, body.raw, body.name, body.country, body.why)


@api_router.post("/organizations/{org_id:path}/aliases", response_model=CurationResult, responses=WRITE_RESPONSES,
                 summary="Add an alias")
def api_alias(request: Request, actor: auth.ApiPrincipal, org_id: OrgPath, body: AliasRequest) -> Any:
    """Another name of the organisation: lists that write it resolve to it."""
    return _run(request, alias, actor, auth.client_of(request), org_id, body.alias, body.why)


@api_router.post("/organizations/{org_id:path}/rename", response_model=CurationResult, responses=WRITE_RESPONSES,
                 summary="Rename an organisation")
def api_rename(request: Request, actor: auth.ApiPrincipal, org_id: OrgPath, body: RenameRequest) -> Any:
    """The organisation's canonical name (and country); its id stays."""
    return _run(request, rename, actor, auth.client_of(request), org_id, body.name, body.country, body.why)


@api_router.post("/documents/{document_id}/signatories", response_model=CurationResult, responses=WRITE_RESPONSES,
                 summary="Fix a signatory of a document")
def api_signatory(request: Request, actor: auth.ApiPrincipal, document_id: DocumentPath,
                  body: SignatoryRequest) -> Any:
    """Point a signature of the document (by its name as written) at another organisation, or (`org_id` null)
    remove it as not a signatory."""
    return _run(request, fix_signatory, actor, auth.client_of(request), document_id, body.raw, body.org_id, body.why)


@api_router.post("/documents/{document_id}/not-a-statement", response_model=CurationResult,
                 responses=WRITE_RESPONSES, summary="Mark a document as not a statement")
def api_not_a_statement(request: Request, actor: auth.ApiPrincipal, document_id: DocumentPath,
                        body: NotStatementRequest) -> Any:
    """The document is no statement: it becomes kind `other`, with no signatories, persons, demands or events."""
    return _run(request, not_a_statement, actor, auth.client_of(request), document_id, body.why)


# -- the HTML forms ----------------------------------------------------------------------------------------------

form_router = APIRouter(include_in_schema=False)

DONE_MESSAGES = {
    "merge": "The organisations were merged.",
    "split": "The name was split off as an organisation of its own.",
    "alias": "The alias was added.",
    "rename": "The organisation was renamed.",
    "signatory": "The signatory was corrected.",
    "not_statement": "The document was marked as not a statement.",
}


def _form_run(request: Request, form: dict[str, str], op: str, operation: Callable[..., Done],
              *args: Any, **kwargs: Any) -> Response:
    """Run a correction sent by a form, then show its result (Post/Redirect/Get: reloading the page asks nothing
    again)."""
    actor = auth.form_principal(request, form)
    try:
        done = operation(request.app.state.engine, request.app.state.cache, actor, auth.client_of(request), *args,
                         **kwargs)
    except CurationError as exc:
        raise HTTPException(exc.status, str(exc)[:1].upper() + str(exc)[1:] + ".") from None
    joiner = "&" if "?" in done.url else "?"
    return RedirectResponse(f"{done.url}{joiner}done={op}", status_code=303)


@form_router.post("/organizations/{org_id:path}/merge")
def form_merge(request: Request, org_id: str, form: auth.Form) -> Response:
    other = form.get("other", "").strip()
    return _form_run(request, form, "merge", merge, [org_id, other], other if form.get("keep") == "other" else org_id,
                     form.get("why"))


@form_router.post("/organizations/{org_id:path}/split")
def form_split(request: Request, org_id: str, form: auth.Form) -> Response:
    return _form_run(request, form, "split", split, org_id, form.get("raw", ""), form.get("name"),
                     form.get("country"), form.get("why"))


@form_router.post("/organizations/{org_id:path}/aliases")
def form_alias(request: Request, org_id: str, form: auth.Form) -> Response:
    return _form_run(request, form, "alias", alias, org_id, form.get("alias", ""), form.get("why"))


@form_router.post("/organizations/{org_id:path}/rename")
def form_rename(request: Request, org_id: str, form: auth.Form) -> Response:
    return _form_run(request, form, "rename", rename, org_id, form.get("name", ""), form.get("country"),
                     form.get("why"))


@form_router.post("/documents/{document_id}/signatories")
def form_signatory(request: Request, document_id: DocumentPath, form: auth.Form) -> Response:
    target = None if form.get("action") == "remove" else form.get("org", "")
    if target is not None and not target.strip():
        auth.form_principal(request, form)  # a form without its token is refused as such, before its contents
        raise HTTPException(422, "Give the id of the organisation the signature names, or choose “Not a "
                                 "signatory”.")
    return _form_run(request, form, "signatory", fix_signatory, document_id, form.get("raw", ""),
                     target, form.get("why"))


@form_router.post("/documents/{document_id}/not-a-statement")
def form_not_a_statement(request: Request, document_id: DocumentPath, form: auth.Form) -> Response:
    return _form_run(request, form, "not_statement", not_a_statement, document_id, form.get("why"))
