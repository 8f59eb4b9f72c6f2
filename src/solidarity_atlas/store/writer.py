"""Writing inputs and what was extracted from them, one transaction per batch.

Every input ends as one row of ``inputs``: stored (with its document),
duplicate (bytes already stored from another input) or quarantined (with
the reason).  A batch is written in one transaction, so a crash leaves the
database as it was after the last whole batch, and running the same ingest
again finds those inputs stored and does the rest.

Across documents the writer keeps one row per organisation, per person and
per happening: an event reported by several documents gets one ``claims``
row from each, with that document's figure and sentence.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, func, insert, or_, select, update

from solidarity_atlas.analyze import copies
from solidarity_atlas.extract.persons import person_key
from solidarity_atlas.model import Page, Record
from solidarity_atlas.resolve.registry import registry
from solidarity_atlas.store.schema import (
    claims,
    demands,
    documents,
    events,
    inputs,
    lsh_bands,
    mentions,
    org_names,
    organizations,
    persons,
    signatures,
    statements,
)

EVENT_DAYS = 3  # two reports of one kind of happening in one place, days apart at most, are one happening


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def extractor_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("solidarity-atlas")
    except PackageNotFoundError:
        return "0"


@dataclass(slots=True)
class Extracted:
    """An input read and extracted, ready to store."""

    uri: str
    record: Record
    page: Page
    url: str | None = None
    fetched_at: str | None = None
    signature: tuple[bytes, list[int]] | None = None  # MinHash of the main text, and its LSH bands


@dataclass(slots=True)
class Failed:
    """An input that is not a document, or could not be read: quarantined with the reason."""

    uri: str
    reason: str
    content_hash: str | None = None
    size: int | None = None
    url: str | None = None
    fetched_at: str | None = None


@dataclass(slots=True)
class Counts:
    stored: int = 0
    duplicate: int = 0
    quarantined: int = 0
    unchanged: int = 0

    def add(self, other: Counts) -> None:
        self.stored += other.stored
        self.duplicate += other.duplicate
        self.quarantined += other.quarantined
        self.unchanged += other.unchanged


def upsert(connection: Connection, table: Any, values: dict[str, Any], keys: Sequence[str],
           update_columns: Sequence[str] | None = None) -> None:
    """Insert a row, or on a clash of ``keys`` update ``update_columns`` (none: leave the row as it is)."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect_insert: Any = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = dialect_insert(table).values(**values)
    if update_columns:
        statement = statement.on_conflict_do_update(
            index_elements=list(keys), set_={c: statement.excluded[c] for c in update_columns}
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(keys))
    connection.execute(statement)


class Writer:
    """Writes batches of outcomes; one writer per process and database."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.version = extractor_version()

    def write(self, batch: Iterable[Extracted | Failed]) -> Counts:
        counts = Counts()
        with self.engine.begin() as connection:
            for item in batch:
                if isinstance(item, Failed):
                    status = self._quarantine(connection, item)
                else:
                    status = self._store(connection, item)
                setattr(counts, status, getattr(counts, status) + 1)
        return counts

    # -- inputs ------------------------------------------------------------------------------------------------

    def _input(self, connection: Connection, uri: str, status: str, *, document_id: int | None,
               content_hash: str | None, reason: str | None = None, url: str | None = None,
               fetched_at: str | None = None, size: int | None = None) -> None:
        stamp = now()
        old = connection.execute(select(inputs.c.document_id).where(inputs.c.uri == uri)).first()
        upsert(connection, inputs, {
            "uri": uri, "status": status, "reason": reason, "document_id": document_id,
            "content_hash": content_hash, "url": url, "fetched_at": fetched_at, "size": size,
            "first_seen": stamp, "last_seen": stamp,
        }, ["uri"], ["status", "reason", "document_id", "content_hash", "url", "fetched_at", "size", "last_seen"])
        if old is not None and old.document_id is not None and old.document_id != document_id:
            _drop_orphan(connection, old.document_id)  # the input changed: its old text goes unless copied elsewhere

    def _quarantine(self, connection: Connection, item: Failed) -> str:
        old = connection.execute(select(inputs.c.status, inputs.c.reason, inputs.c.content_hash)
                                 .where(inputs.c.uri == item.uri)).first()
        if old is not None and (old.status, old.reason, old.content_hash) == ("quarantined", item.reason,
                                                                              item.content_hash):
            return "unchanged"
        self._input(connection, item.uri, "quarantined", document_id=None, content_hash=item.content_hash,
                    reason=item.reason, url=item.url, fetched_at=item.fetched_at, size=item.size)
        return "quarantined"

    # -- documents ---------------------------------------------------------------------------------------------

    def _store(self, connection: Connection, item: Extracted) -> str:
        """Store a document and what was extracted from it: "stored", or "duplicate" when its bytes are stored
        already from another input, or "unchanged" when from this one."""
        page, record = item.page, item.record
        known = connection.execute(select(documents.c.id).where(documents.c.content_hash == page.sha256)).first()
        if known is not None:
            was = connection.execute(select(inputs.c.document_id).where(inputs.c.uri == item.uri)).first()
            if was is not None and was.document_id == known.id:
                return "unchanged"
            self._input(connection, item.uri, "duplicate", document_id=known.id, content_hash=page.sha256,
                        url=item.url, fetched_at=item.fetched_at, size=page.size)
            return "duplicate"
        row = {
            "content_hash": page.sha256, "source": item.uri, "url": item.url, "fetched_at": item.fetched_at,
            "format": page.fmt, "encoding": page.encoding, "size": page.size, "text": page.text,
            "clean_text": page.clean_text, "blocks": blocks_json(page), "hints": json.dumps(asdict(page.hints)),
            "minhash": item.signature[0] if item.signature else None,
            **self._metadata(record),
        }
        document_id = _new_id(connection, insert(documents).values(**row))
        self.write_extraction(connection, document_id, record)
        statement_id = self._statement(connection, document_id, record, item.signature)
        connection.execute(update(documents).where(documents.c.id == document_id).values(statement_id=statement_id))
        if item.signature:
            bands = [{"document_id": document_id, "band": b, "hash": h} for b, h in enumerate(item.signature[1])]
            connection.execute(insert(lsh_bands), bands)
        self._input(connection, item.uri, "stored", document_id=document_id, content_hash=page.sha256, url=item.url,
                    fetched_at=item.fetched_at, size=page.size)
        return "stored"

    def _metadata(self, record: Record) -> dict[str, Any]:
        place_country = None
        if record.place:
            from solidarity_atlas.resolve.places import gazetteer

            found = gazetteer().lookup(record.place)
            place_country = found.country if found else None
        return {
            "title": record.title, "date": record.date, "year": int(record.date[:4]) if record.date else None,
            "place": record.place, "country": place_country, "languages": ",".join(record.languages),
            "doc_type": record.doc_type, "flags": ",".join(record.flags), "extracted_at": now(),
            "extractor": self.version,
        }

    def write_extraction(self, connection: Connection, document_id: int, record: Record) -> None:
        """Signatures, persons, demands and event claims of one document (its earlier ones already deleted)."""
        reg = registry()
        for role, orgs in (("issuer", record.issuers), ("signatory", record.signatories)):
            rows = []
            for position, org in enumerate(orgs):
                entry = reg.entries.get(org.org_id)
                upsert(connection, organizations, {
                    "id": org.org_id, "name": entry.name if entry else org.name,
                    "country": entry.country if entry else org.country, "kind": entry.kind if entry else None,
                    "registry": entry is not None,
                }, ["id"])
                upsert(connection, org_names, {"org_id": org.org_id, "name": org.raw}, ["org_id", "name"])
                span = record.evidence.get(f"signatories.{position}") if role == "signatory" else None
                rows.append({"document_id": document_id, "org_id": org.org_id, "role": role, "raw": org.raw,
                             "position": position, "start": span.start if span else None,
                             "end": span.end if span else None})
            if rows:
                connection.execute(insert(signatures), rows)
        for i, person in enumerate(record.persons):
            span = record.evidence.get(f"persons.{i}")
            person_id = self._person(connection, person.name)
            connection.execute(insert(mentions).values(
                document_id=document_id, person_id=person_id, name=span.text if span else person.name,
                role=person.role, org=person.org, quote=span.text if span else None,
                start=span.start if span else None, end=span.end if span else None,
            ))
        demand_rows = []
        for code in record.demands:
            span = record.evidence.get(f"demands.{code}")
            demand_rows.append({"document_id": document_id, "code": code, "quote": span.text if span else None,
                                "start": span.start if span else None, "end": span.end if span else None})
        if demand_rows:
            connection.execute(insert(demands), demand_rows)
        for i, happening in enumerate(record.events):
            span = record.evidence.get(f"events.{i}")
            claim = record.evidence.get(f"events.{i}.claim")
            event_id = self._event(connection, happening.type, happening.date, happening.place, happening.country)
            connection.execute(insert(claims).values(
                event_id=event_id, document_id=document_id, count=happening.count,
                claim=claim.text if claim else None, date=happening.date, place=happening.place,
                quote=span.text if span else "", start=span.start if span else None, end=span.end if span else None,
            ))

    def _person(self, connection: Connection, name: str) -> str:
        """One row per person across documents: the surname's spelling-blind key, with the first initial when the
        name has one; a lone surname joins the one person of that surname, if there is exactly one."""
        words = name.split()
        key = person_key(words[-1]) if words else name.casefold()
        person_id = f"{key}-{words[0][:1].casefold()}" if len(words) >= 2 else key
        if len(words) < 2:
            known = connection.execute(select(persons.c.id).where(
                or_(persons.c.id == key, persons.c.id.like(f"{key}-_")))).fetchall()
            if len(known) == 1:
                return str(known[0].id)
        row = connection.execute(select(persons.c.name).where(persons.c.id == person_id)).first()
        if row is None:
            connection.execute(insert(persons).values(id=person_id, name=name))
        elif len(name) > len(row.name):
            connection.execute(update(persons).where(persons.c.id == person_id).values(name=name))
        return person_id

    def _event(self, connection: Connection, kind: str, date: str | None, place: str | None,
               country: str | None) -> int:
        """The happening this report is of: same type and country, the same place (or none), dates that agree."""
        where = [events.c.type == kind, events.c.country == country if country else events.c.country.is_(None)]
        for row in connection.execute(select(events).where(and_(*where))).fetchall():
            if place and row.place and place != row.place:
                continue
            if not _dates_agree(date, row.date):
                continue
            changes: dict[str, Any] = {}
            if date and (row.date is None or len(date) > len(row.date)):
                changes["date"] = date  # the fullest date any report gives
            if place and not row.place:
                changes["place"] = place
            if changes:
                connection.execute(update(events).where(events.c.id == row.id).values(**changes))
            return int(row.id)
        return _new_id(connection, insert(events).values(type=kind, date=date, place=place, country=country))

    # -- copies ------------------------------------------------------------------------------------------------

    def _statement(self, connection: Connection, document_id: int, record: Record,
                   signature: tuple[bytes, list[int]] | None) -> int:
        """The statement this document is a copy of, or a new one."""
        found = _text_copy(connection, document_id, signature) or _translation(connection, document_id, record)
        if found is not None:
            connection.execute(update(statements).where(statements.c.id == found)
                               .values(copies=statements.c.copies + 1))
            return found
        return _new_id(connection, insert(statements).values(
            title=record.title, date=record.date, year=int(record.date[:4]) if record.date else None,
            doc_type=record.doc_type, copies=1,
        ))


def _new_id(connection: Connection, statement: Any) -> int:
    key = connection.execute(statement).inserted_primary_key
    assert key is not None
    return int(key[0])


def _text_copy(connection: Connection, document_id: int, signature: tuple[bytes, list[int]] | None) -> int | None:
    if signature is None:
        return None
    minhash, bands = signature
    match = or_(*(and_(lsh_bands.c.band == band, lsh_bands.c.hash == value) for band, value in enumerate(bands)))
    candidates = select(lsh_bands.c.document_id).where(match).distinct()
    rows = connection.execute(select(documents.c.id, documents.c.minhash, documents.c.statement_id).where(
        documents.c.id.in_(candidates), documents.c.id != document_id)).fetchall()
    best = max(((copies.similarity(minhash, r.minhash), r.statement_id) for r in rows if r.minhash), default=None)
    if best is not None and best[0] >= copies.COPY_SIMILARITY and best[1] is not None:
        return int(best[1])
    return None


def _translation(connection: Connection, document_id: int, record: Record) -> int | None:
    own = {org.org_id for org in record.signatories}
    if len(own) < copies.TRANSLATION_MIN_SIGNATORIES or not record.languages:
        return None
    sharing = connection.execute(
        select(signatures.c.document_id).where(
            signatures.c.org_id.in_(own), signatures.c.role == "signatory", signatures.c.document_id != document_id)
        .group_by(signatures.c.document_id)
        .having(func.count(func.distinct(signatures.c.org_id)) >= copies.TRANSLATION_MIN_SIGNATORIES)
    ).scalars().all()
    for other in sharing:
        doc = connection.execute(select(documents.c.languages, documents.c.date, documents.c.statement_id)
                                 .where(documents.c.id == other)).first()
        if doc is None or doc.statement_id is None or not doc.languages:
            continue
        if doc.languages.split(",")[0] == record.languages[0]:
            continue  # same language: another statement of the same coalition, not a translation
        apart = copies.days_apart(doc.date, record.date)
        if apart is not None and apart > copies.TRANSLATION_DAYS:
            continue
        theirs = set(connection.execute(select(signatures.c.org_id).where(
            signatures.c.document_id == other, signatures.c.role == "signatory")).scalars())
        if copies.same_signatories(own, theirs):
            return int(doc.statement_id)
    return None


def _dates_agree(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return True
    if a.startswith(b) or b.startswith(a):
        return True
    apart = copies.days_apart(a, b)
    return apart is not None and apart <= EVENT_DAYS


def _drop_orphan(connection: Connection, document_id: int) -> None:
    """Delete a document no input points to any more, with what was extracted from it."""
    still = connection.execute(select(func.count()).select_from(inputs).where(inputs.c.document_id == document_id))
    if still.scalar_one():
        return
    delete_document(connection, document_id)


def delete_document(connection: Connection, document_id: int) -> None:
    statement_id = connection.execute(select(documents.c.statement_id).where(documents.c.id == document_id)).scalar()
    connection.execute(delete(documents).where(documents.c.id == document_id))
    if statement_id is not None:
        connection.execute(update(statements).where(statements.c.id == statement_id)
                           .values(copies=statements.c.copies - 1))
        connection.execute(delete(statements).where(statements.c.id == statement_id, statements.c.copies <= 0))
    drop_empty_events(connection)


def drop_empty_events(connection: Connection) -> None:
    """Events no claim reports any more."""
    connection.execute(delete(events).where(~select(claims.c.id).where(claims.c.event_id == events.c.id).exists()))


def blocks_json(page: Page) -> str:
    return json.dumps([[b.start, b.end, b.kind, b.level, b.drop, b.container] for b in page.blocks],
                      separators=(",", ":"))
