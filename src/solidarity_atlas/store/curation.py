"""A person's correction applied to the rows already stored, at once, in the caller's transaction.

A judgement (:mod:`solidarity_atlas.resolve.judgements`) is applied by every
later extraction; these functions bring the stored rows in line with it now,
so that the website shows the change as soon as it is made: ``signatures``
pointed at other organisations or removed, the tables derived from them
(``statement_signers``, ``cosignatures``, ``org_statements``) brought in step
by the writer's own :func:`~solidarity_atlas.store.writer.sync_signers`, and
``organizations`` and ``org_names`` rows added or dropped.

The store does not resolve names itself: the caller passes ``resolve``, a
resolver that already knows the new judgement (``Resolver.in_document``), and
each signature touched is resolved again exactly as extraction resolves it —
by the document's hash, the name as written and the document's country — so
the rows stored now are the rows the next ``solidarity reextract`` stores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select, update

from solidarity_atlas.model import Org
from solidarity_atlas.resolve.registry import registry
from solidarity_atlas.resolve.text import fold
from solidarity_atlas.store.schema import (
    claims,
    cosignatures,
    demands,
    documents,
    mentions,
    org_names,
    org_statements,
    organizations,
    signatures,
    statement_signers,
    statements,
)
from solidarity_atlas.store.writer import claim_for_change, drop_empty_events, insert_ignore, sync_signers

# (document's hash, name as written, document's country) -> the organisation, or None: it names no signatory
Resolve = Callable[[str, str, str | None], Org | None]


@dataclass(slots=True)
class Changes:
    """What a correction changed in the stored rows."""

    signatures: int = 0  # signatures pointed at another organisation, or removed
    statements: int = 0  # statements whose signatories were brought in step
    organizations: int = 0  # organisation rows added, renamed or removed
    documents: int = 0  # documents whose extraction was changed

    def add(self, other: Changes) -> Changes:
        return Changes(*(a + b for a, b in zip(asdict(self).values(), asdict(other).values(), strict=True)))

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


_SIGNATURE_ROWS = (signatures.c.id, signatures.c.document_id, signatures.c.org_id, signatures.c.role,
                   signatures.c.raw, documents.c.content_hash, documents.c.country, documents.c.statement_id)


def organization_row(org: Org) -> dict[str, Any]:
    """The ``organizations`` row of an organisation first met, as the writer makes it (the registry's facts for a
    known organisation, the resolver's name and country for another)."""
    entry = registry().entries.get(org.org_id)
    return {"id": org.org_id, "name": entry.name if entry else org.name,
            "country": entry.country if entry else org.country, "kind": entry.kind if entry else None,
            "registry": entry is not None}


def reresolve_organizations(connection: Connection, org_ids: Iterable[str], resolve: Resolve) -> Changes:
    """Resolve again every signature now stored under one of ``org_ids`` (after a merge, a split or an alias)."""
    ids = sorted(set(org_ids))
    if not ids:
        return Changes()
    claim_for_change(connection)
    rows = connection.execute(select(*_SIGNATURE_ROWS).join(documents, documents.c.id == signatures.c.document_id)
                              .where(signatures.c.org_id.in_(ids)).order_by(signatures.c.id)).all()
    return _reresolve(connection, rows, resolve)


def reresolve_signature(connection: Connection, document_id: int, raw: str, resolve: Resolve) -> Changes:
    """Resolve again the signatures of one document written as ``raw`` (case, accents and punctuation aside, as a
    signatory judgement matches them), as issuer and as signatory."""
    claim_for_change(connection)
    rows = connection.execute(select(*_SIGNATURE_ROWS).join(documents, documents.c.id == signatures.c.document_id)
                              .where(signatures.c.document_id == document_id).order_by(signatures.c.id)).all()
    wanted = fold(raw)
    return _reresolve(connection, [r for r in rows if fold(r.raw) == wanted], resolve)


def _reresolve(connection: Connection, rows: Sequence[Any], resolve: Resolve) -> Changes:
    moved: list[tuple[Any, Org]] = []
    removed: list[Any] = []
    for row in rows:
        org = resolve(row.content_hash, row.raw, row.country)
        if org is None:
            removed.append(row)
        elif org.org_id != row.org_id:
            moved.append((row, org))
    if not moved and not removed:
        return Changes()
    changes = Changes(signatures=len(moved) + len(removed))
    if moved:
        known = set(connection.execute(select(organizations.c.id).where(
            organizations.c.id.in_({org.org_id for _, org in moved}))).scalars())
        new = {org.org_id: organization_row(org) for _, org in moved if org.org_id not in known}
        if new:
            connection.execute(insert_ignore(connection, organizations, ["id"]), list(new.values()))
            changes.organizations += len(new)
        connection.execute(update(signatures).where(signatures.c.id == bindparam("signature"))
                           .values(org_id=bindparam("org")),
                           [{"signature": row.id, "org": org.org_id} for row, org in moved])
        names = {(org.org_id, row.raw) for row, org in moved}
        connection.execute(insert_ignore(connection, org_names, ["org_id", "name"]),
                           [{"org_id": org_id, "name": name} for org_id, name in sorted(names)])
    if removed:
        connection.execute(delete(signatures).where(signatures.c.id.in_([row.id for row in removed])))
    touched = sorted({row.document_id for row, _ in moved} | {row.document_id for row in removed})
    _dedupe_issuers(connection, touched)
    _renumber(connection, touched)
    _drop_unused_names(connection, {(row.org_id, row.raw) for row, _ in moved} |
                       {(row.org_id, row.raw) for row in removed})
    in_step = sorted({row.statement_id for row, _ in moved if row.statement_id is not None}
                     | {row.statement_id for row in removed if row.statement_id is not None})
    sync_signers(connection, in_step)
    changes.statements = len(in_step)
    changes.documents = len(touched)
    changes.organizations += drop_unused_organizations(
        connection, {row.org_id for row, _ in moved} | {row.org_id for row in removed})
    return changes


def _dedupe_issuers(connection: Connection, document_ids: list[int]) -> None:
    """One issuer row per organisation and document, as extraction keeps them (the first in the document)."""
    if not document_ids:
        return
    seen: set[tuple[int, str]] = set()
    twice = []
    for row in connection.execute(select(signatures.c.id, signatures.c.document_id, signatures.c.org_id)
                                  .where(signatures.c.document_id.in_(document_ids), signatures.c.role == "issuer")
                                  .order_by(signatures.c.document_id, signatures.c.position, signatures.c.id)):
        key = (row.document_id, row.org_id)
        if key in seen:
            twice.append(row.id)
        seen.add(key)
    if twice:
        connection.execute(delete(signatures).where(signatures.c.id.in_(twice)))


def _renumber(connection: Connection, document_ids: list[int]) -> None:
    """Positions 0, 1, 2... again in each list of the documents, after rows were removed from it."""
    if not document_ids:
        return
    changed = []
    at: dict[tuple[int, str], int] = {}
    for row in connection.execute(select(signatures.c.id, signatures.c.document_id, signatures.c.role,
                                         signatures.c.position)
                                  .where(signatures.c.document_id.in_(document_ids))
                                  .order_by(signatures.c.document_id, signatures.c.role, signatures.c.position,
                                            signatures.c.id)):
        key = (row.document_id, row.role)
        position = at.get(key, 0)
        at[key] = position + 1
        if row.position != position:
            changed.append({"signature": row.id, "place": position})
    if changed:
        connection.execute(update(signatures).where(signatures.c.id == bindparam("signature"))
                           .values(position=bindparam("place")), changed)


def _drop_unused_names(connection: Connection, pairs: set[tuple[str, str]]) -> None:
    """Forget that an organisation was written as a name no signature of it uses any more."""
    if not pairs:
        return
    ids = sorted({org_id for org_id, _ in pairs})
    used = {(r.org_id, r.raw) for r in connection.execute(
        select(signatures.c.org_id, signatures.c.raw).distinct().where(signatures.c.org_id.in_(ids)))}
    gone = [{"org": org_id, "name": name} for org_id, name in sorted(pairs - used)]
    if gone:
        connection.execute(delete(org_names).where(org_names.c.org_id == bindparam("org"),
                                                   org_names.c.name == bindparam("name")), gone)


def drop_unused_organizations(connection: Connection, org_ids: Iterable[str]) -> int:
    """Delete the rows of organisations that no signature points to any more (merged into another, split away,
    or named only where a signature was removed), as a fresh ingest would never have made them; how many."""
    ids = sorted(set(org_ids))
    if not ids:
        return 0
    used = set(connection.execute(select(signatures.c.org_id).distinct()
                                  .where(signatures.c.org_id.in_(ids))).scalars())
    unused = [org_id for org_id in ids if org_id not in used]
    if not unused:
        return 0
    # Derived rows follow the signatures, which sync_signers has already brought in step: none should be left.
    connection.execute(delete(statement_signers).where(statement_signers.c.org_id.in_(unused)))
    connection.execute(delete(org_statements).where(org_statements.c.org_id.in_(unused)))
    connection.execute(delete(cosignatures).where(cosignatures.c.org_a.in_(unused)))
    connection.execute(delete(cosignatures).where(cosignatures.c.org_b.in_(unused)))
    return int(connection.execute(delete(organizations).where(organizations.c.id.in_(unused))).rowcount or 0)


def rename(connection: Connection, org_id: str, name: str, country: str | None) -> Changes:
    """An organisation's canonical name (and country, when given); its id stays."""
    claim_for_change(connection)
    values: dict[str, Any] = {"name": name}
    if country:
        values["country"] = country
    done = connection.execute(update(organizations).where(organizations.c.id == org_id).values(**values)).rowcount
    return Changes(organizations=int(done or 0))


def not_statement(connection: Connection, document_id: int) -> Changes:
    """A document judged to be no statement, stored as extraction then stores it: kind ``other``, and no
    signatures, persons named, demands or event claims; its statement's kind too when no copy is left that is
    one."""
    claim_for_change(connection)
    statement_id = connection.execute(select(documents.c.statement_id)
                                      .where(documents.c.id == document_id)).scalar()
    named = set(connection.execute(select(signatures.c.org_id).where(signatures.c.document_id == document_id))
                .scalars())
    removed = connection.execute(delete(signatures).where(signatures.c.document_id == document_id)).rowcount
    for table in (mentions, demands, claims):
        connection.execute(delete(table).where(table.c.document_id == document_id))
    connection.execute(update(documents).where(documents.c.id == document_id).values(doc_type="other"))
    drop_empty_events(connection)
    changes = Changes(signatures=int(removed or 0), documents=1)
    if statement_id is not None:
        sync_signers(connection, [statement_id])
        others = connection.execute(select(func.count()).select_from(documents).where(
            documents.c.statement_id == statement_id, documents.c.doc_type != "other")).scalar_one()
        if not others:
            connection.execute(update(statements).where(statements.c.id == statement_id).values(doc_type="other"))
        changes.statements = 1
    changes.organizations = drop_unused_organizations(connection, named)
    return changes
