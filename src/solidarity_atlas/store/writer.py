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
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, delete, func, insert, or_, select, update

from solidarity_atlas.analyze import copies
from solidarity_atlas.extract.persons import person_key
from solidarity_atlas.model import Page, Record
from solidarity_atlas.resolve.registry import registry
from solidarity_atlas.store.schema import (
    claims,
    cosignatures,
    demands,
    documents,
    events,
    inputs,
    lsh_bands,
    mentions,
    metadata,
    org_names,
    org_statements,
    organizations,
    persons,
    signatures,
    statement_signers,
    statements,
)

EVENT_DAYS = 3  # two reports of one kind of happening in one place, days apart at most, are one happening
MIN_SHARED_BANDS = 1  # LSH bands a stored text must share with a new one to be compared as its possible copy
MAX_COPY_CANDIDATES = 5  # most-alike stored texts compared (a template-like text shares bands with many)


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


def _dialect_insert(dialect: str, table: Any) -> Any:
    from sqlalchemy.dialects import postgresql, sqlite

    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def insert_ignore(connection: Connection, table: Any, keys: Sequence[str]) -> Any:
    """An INSERT that leaves an existing row (same ``keys``) alone: executed with many rows at once."""
    return _insert_ignore(connection.dialect.name, table.name, tuple(keys))


def upsert(connection: Connection, table: Any, keys: Sequence[str], update_columns: Sequence[str]) -> Any:
    """An INSERT that updates ``update_columns`` of an existing row with the same ``keys``."""
    return _upsert(connection.dialect.name, table.name, tuple(keys), tuple(update_columns))


@cache
def _insert_ignore(dialect: str, table: str, keys: tuple[str, ...]) -> Any:
    return _dialect_insert(dialect, metadata.tables[table]).on_conflict_do_nothing(index_elements=list(keys))


@cache
def _upsert(dialect: str, table: str, keys: tuple[str, ...], update_columns: tuple[str, ...]) -> Any:
    statement = _dialect_insert(dialect, metadata.tables[table])
    return statement.on_conflict_do_update(index_elements=list(keys),
                                           set_={c: statement.excluded[c] for c in update_columns})


@dataclass(slots=True)
class _Pending:
    """Rows of one batch, written table by table at its end (many rows per statement)."""

    organizations: list[dict[str, Any]] = field(default_factory=list)
    org_names: list[dict[str, Any]] = field(default_factory=list)
    persons: list[dict[str, Any]] = field(default_factory=list)
    signatures: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[dict[str, Any]] = field(default_factory=list)
    demands: list[dict[str, Any]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    lsh_bands: list[dict[str, Any]] = field(default_factory=list)
    # Copies within the batch, not yet in the tables: (band, hash) -> [(signature, statement)], and the
    # documents with signatories as (date, first language, signatories, statement).
    bands: dict[tuple[int, int], list[tuple[bytes, int]]] = field(default_factory=dict)
    signed: list[tuple[str | None, str | None, set[str], int]] = field(default_factory=list)


_INPUT_COLUMNS = ("status", "reason", "document_id", "content_hash", "url", "fetched_at", "size", "last_seen")


class Writer:
    """Writes batches of outcomes; one writer per process and database.

    Organisations, their names and persons already in the database are remembered, so a batch writes only
    new ones; the memory is dropped when a batch fails, as its transaction is.
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self.version = extractor_version()
        self._orgs: set[str] | None = None
        self._names: set[tuple[str, str]] = set()
        self._persons: dict[str, str] = {}  # id -> the fullest name seen
        self._surnames: dict[str, set[str]] = {}  # surname key -> person ids
        self._dropped = False  # a document was deleted in this batch: events may be left without claims
        self._touched: set[int] = set()  # statements whose signatories may have changed in this batch
        # (type, country) -> year (None: undated) -> [id, date, place] of the stored events, to find the one a
        # report is of without a query per report.
        self._events: dict[tuple[str, str | None], dict[str | None, list[list[Any]]]] = {}

    def write(self, batch: Iterable[Extracted | Failed]) -> Counts:
        counts = Counts()
        try:
            with self.engine.begin() as connection:
                self._remember(connection)
                pending = _Pending()
                for item in batch:
                    if isinstance(item, Failed):
                        status = self._quarantine(connection, item)
                    else:
                        status = self._store(connection, item, pending)
                    setattr(counts, status, getattr(counts, status) + 1)
                self.flush(connection, pending)
                sync_signers(connection, sorted(self._touched))
                self._touched.clear()
                if self._dropped:
                    drop_empty_events(connection)  # of documents an input changed away from
                    self._dropped = False
                    self._orgs = None  # remembered events may be gone: read them again
        except BaseException:
            self._orgs = None  # the batch was rolled back: what it added is not in the database
            self._touched.clear()
            raise
        return counts

    def _remember(self, connection: Connection) -> None:
        if self._orgs is not None:
            return
        self._orgs = set(connection.execute(select(organizations.c.id)).scalars())
        self._names = {(r.org_id, r.name) for r in connection.execute(select(org_names))}
        self._persons = {r.id: r.name for r in connection.execute(select(persons))}
        self._events = {}
        for r in connection.execute(select(events).order_by(events.c.id)):
            years = self._events.setdefault((r.type, r.country), {})
            years.setdefault(r.date[:4] if r.date else None, []).append([r.id, r.date, r.place])
        self._surnames = {}
        for person_id in self._persons:
            self._surnames.setdefault(person_id.split("-")[0], set()).add(person_id)

    def flush(self, connection: Connection, pending: _Pending) -> None:
        """Write a batch's rows: the rows others point to first."""
        if pending.organizations:
            connection.execute(insert_ignore(connection, organizations, ["id"]), pending.organizations)
        if pending.org_names:
            connection.execute(insert_ignore(connection, org_names, ["org_id", "name"]), pending.org_names)
        if pending.persons:
            connection.execute(upsert(connection, persons, ["id"], ["name"]), pending.persons)
        for table in (signatures, mentions, demands, claims, lsh_bands):
            rows = getattr(pending, table.name)
            if rows:
                connection.execute(insert(table), rows)

    # -- inputs ------------------------------------------------------------------------------------------------

    def _input(self, connection: Connection, uri: str, status: str, *, document_id: int | None,
               content_hash: str | None, reason: str | None = None, url: str | None = None,
               fetched_at: str | None = None, size: int | None = None, old: Any = None) -> None:
        stamp = now()
        connection.execute(upsert(connection, inputs, ["uri"], _INPUT_COLUMNS), {
            "uri": uri, "status": status, "reason": reason, "document_id": document_id,
            "content_hash": content_hash, "url": url, "fetched_at": fetched_at, "size": size,
            "first_seen": stamp, "last_seen": stamp,
        })
        if old is not None and old.document_id is not None and old.document_id != document_id:
            # The input changed: its old text goes, unless another input has it too.
            self._dropped |= _drop_orphan(connection, old.document_id)

    def _old_input(self, connection: Connection, uri: str) -> Any:
        return connection.execute(_OLD_INPUT, {"uri": uri}).first()

    def _quarantine(self, connection: Connection, item: Failed) -> str:
        old = self._old_input(connection, item.uri)
        if old is not None and (old.status, old.reason, old.content_hash) == ("quarantined", item.reason,
                                                                              item.content_hash):
            return "unchanged"
        self._input(connection, item.uri, "quarantined", document_id=None, content_hash=item.content_hash,
                    reason=item.reason, url=item.url, fetched_at=item.fetched_at, size=item.size, old=old)
        return "quarantined"

    # -- documents ---------------------------------------------------------------------------------------------

    def _store(self, connection: Connection, item: Extracted, pending: _Pending) -> str:
        """Store a document and what was extracted from it: "stored", or "duplicate" when its bytes are stored
        already from another input, or "unchanged" when from this one."""
        page, record = item.page, item.record
        signers = copies.signatory_signature([org.org_id for org in record.signatories])
        old = self._old_input(connection, item.uri)
        known = connection.execute(_KNOWN_DOCUMENT, {"hash": page.sha256}).first()
        if known is not None:
            if old is not None and old.document_id == known.id:
                return "unchanged"
            self._input(connection, item.uri, "duplicate", document_id=known.id, content_hash=page.sha256,
                        url=item.url, fetched_at=item.fetched_at, size=page.size, old=old)
            return "duplicate"
        row = {
            "content_hash": page.sha256, "source": item.uri, "url": item.url, "fetched_at": item.fetched_at,
            "format": page.fmt, "encoding": page.encoding, "size": page.size, "text": page.text,
            "clean_text": page.clean_text, "blocks": blocks_json(page), "hints": json.dumps(asdict(page.hints)),
            "minhash": item.signature[0] if item.signature else None,
            "statement_id": self._statement(connection, record, item.signature, pending, signers),
            **self._metadata(record),
        }
        document_id = _new_id(connection, _INSERT_DOCUMENT, row)
        self._touched.add(row["statement_id"])
        self.write_extraction(connection, document_id, record, pending)
        if item.signature:
            pending.lsh_bands.extend({"document_id": document_id, "band": b, "hash": h}
                                     for b, h in enumerate(item.signature[1]))
            for band, value in enumerate(item.signature[1]):
                pending.bands.setdefault((band, value), []).append((item.signature[0], row["statement_id"]))
        if signers:
            pending.lsh_bands.extend({"document_id": document_id, "band": copies.SIGNER_BANDS + b, "hash": h}
                                     for b, h in enumerate(signers[1]))
        pending.signed.append((record.date, record.languages[0] if record.languages else None,
                               {org.org_id for org in record.signatories}, row["statement_id"]))
        self._input(connection, item.uri, "stored", document_id=document_id, content_hash=page.sha256, url=item.url,
                    fetched_at=item.fetched_at, size=page.size, old=old)
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

    def write_extraction(self, connection: Connection, document_id: int, record: Record, pending: _Pending) -> None:
        """Signatures, persons, demands and event claims of one document (its earlier ones already deleted)."""
        reg = registry()
        assert self._orgs is not None
        for role, orgs in (("issuer", record.issuers), ("signatory", record.signatories)):
            for position, org in enumerate(orgs):
                if org.org_id not in self._orgs:
                    entry = reg.entries.get(org.org_id)
                    self._orgs.add(org.org_id)
                    pending.organizations.append({
                        "id": org.org_id, "name": entry.name if entry else org.name,
                        "country": entry.country if entry else org.country, "kind": entry.kind if entry else None,
                        "registry": entry is not None,
                    })
                if (org.org_id, org.raw) not in self._names:
                    self._names.add((org.org_id, org.raw))
                    pending.org_names.append({"org_id": org.org_id, "name": org.raw})
                span = record.evidence.get(f"signatories.{position}") if role == "signatory" else None
                pending.signatures.append({
                    "document_id": document_id, "org_id": org.org_id, "role": role, "raw": org.raw,
                    "position": position, "start": span.start if span else None, "end": span.end if span else None})
        for i, person in enumerate(record.persons):
            span = record.evidence.get(f"persons.{i}")
            pending.mentions.append({
                "document_id": document_id, "person_id": self._person(person.name, pending),
                "name": span.text if span else person.name, "role": person.role, "org": person.org,
                "quote": span.text if span else None, "start": span.start if span else None,
                "end": span.end if span else None,
            })
        for code in record.demands:
            span = record.evidence.get(f"demands.{code}")
            pending.demands.append({"document_id": document_id, "code": code, "quote": span.text if span else None,
                                    "start": span.start if span else None, "end": span.end if span else None})
        for i, happening in enumerate(record.events):
            span = record.evidence.get(f"events.{i}")
            claim = record.evidence.get(f"events.{i}.claim")
            event_id = self._event(connection, happening.type, happening.date, happening.place, happening.country)
            pending.claims.append({
                "event_id": event_id, "document_id": document_id, "count": happening.count,
                "claim": claim.text if claim else None, "date": happening.date, "place": happening.place,
                "quote": span.text if span else "", "start": span.start if span else None,
                "end": span.end if span else None,
            })

    def _person(self, name: str, pending: _Pending) -> str:
        """One row per person across documents: the surname's spelling-blind key, with the first initial when the
        name has one; a lone surname joins the one person of that surname, if there is exactly one."""
        words = name.split()
        key = (person_key(words[-1]) if words else name.casefold()).replace("-", "") or "unnamed"
        person_id = f"{key}-{words[0][:1].casefold()}" if len(words) >= 2 else key
        if len(words) < 2 and len(self._surnames.get(key, ())) == 1:
            return next(iter(self._surnames[key]))
        known = self._persons.get(person_id)
        if known is None or len(name) > len(known):
            self._persons[person_id] = name
            self._surnames.setdefault(key, set()).add(person_id)
            pending.persons.append({"id": person_id, "name": name})
        return person_id

    def _event(self, connection: Connection, kind: str, date: str | None, place: str | None,
               country: str | None) -> int:
        """The happening this report is of: same type and country, the same place (or none), dates that agree."""
        years = self._events.setdefault((kind, country), {})
        if date:
            candidates = [*years.get(None, ()), *years.get(date[:4], ())]
        else:
            candidates = sorted((e for bucket in years.values() for e in bucket), key=lambda e: e[0])
        for event in candidates:
            event_id, known_date, known_place = event
            if place and known_place and place != known_place:
                continue
            if not _dates_agree(date, known_date):
                continue
            changes: dict[str, Any] = {}
            if date and (known_date is None or len(date) > len(known_date)):
                changes["date"] = date  # the fullest date any report gives
            if place and not known_place:
                changes["place"] = place
            if changes:
                connection.execute(update(events).where(events.c.id == event_id).values(**changes))
                if "date" in changes and known_date is None:
                    years[None].remove(event)
                    years.setdefault(date[:4] if date else None, []).append(event)
                event[1], event[2] = changes.get("date", known_date), changes.get("place", known_place)
            return int(event_id)
        event_id = _new_id(connection, _INSERT_EVENT, {"type": kind, "date": date, "place": place, "country": country})
        years.setdefault(date[:4] if date else None, []).append([event_id, date, place])
        return event_id

    # -- copies ------------------------------------------------------------------------------------------------

    def _statement(self, connection: Connection, record: Record, signature: tuple[bytes, list[int]] | None,
                   pending: _Pending, signers: tuple[bytes, list[int]] | None = None) -> int:
        """The statement this document is a copy of, or a new one."""
        found = (_text_copy(connection, signature) or _batch_copy(pending, signature)
                 or _translation(connection, record, signers) or _batch_translation(pending, record))
        if found is not None:
            connection.execute(update(statements).where(statements.c.id == found)
                               .values(copies=statements.c.copies + 1))
            return found
        return _new_id(connection, _INSERT_STATEMENT, {
            "title": record.title, "date": record.date, "year": int(record.date[:4]) if record.date else None,
            "doc_type": record.doc_type, "copies": 1,
        })

    def rewrite(self, batch: Iterable[tuple[int, Record]]) -> int:
        """Replace what was extracted from stored documents (re-extraction); their ids and statements stay."""
        done = 0
        batch = list(batch)
        try:
            with self.engine.begin() as connection:
                self._remember(connection)
                pending = _Pending()
                for document_id, record in batch:
                    for table in (signatures, mentions, demands, claims):
                        connection.execute(delete(table).where(table.c.document_id == document_id))
                    connection.execute(update(documents).where(documents.c.id == document_id)
                                       .values(**self._metadata(record)))
                    self.write_extraction(connection, document_id, record, pending)
                    done += 1
                self.flush(connection, pending)
                statement_ids = connection.execute(select(documents.c.statement_id).where(
                    documents.c.id.in_([document_id for document_id, _ in batch]))).scalars()
                sync_signers(connection, sorted({s for s in statement_ids if s is not None}))
                drop_empty_events(connection)
                self._orgs = None  # remembered events may be gone: read them again
        except BaseException:
            self._orgs = None
            raise
        return done


def _new_id(connection: Connection, statement: Any, values: dict[str, Any]) -> int:
    key = connection.execute(statement, values).inserted_primary_key
    assert key is not None
    return int(key[0])


def _text_copy(connection: Connection, signature: tuple[bytes, list[int]] | None) -> int | None:
    """A stored text this one is a copy of: candidates share an LSH band, confirmed by the similarity of the
    signatures (see analyze.copies for the odds)."""
    if signature is None:
        return None
    minhash, bands = signature
    rows = connection.execute(_copy_candidates(), {f"h{i}": h for i, h in enumerate(bands)}).fetchall()
    best = max(((copies.similarity(minhash, r.minhash), r.statement_id) for r in rows if r.minhash), default=None)
    if best is not None and best[0] >= copies.COPY_SIMILARITY and best[1] is not None:
        return int(best[1])
    return None


def _translation(connection: Connection, record: Record, signers: tuple[bytes, list[int]] | None) -> int | None:
    """A statement in another language, of days before or after, with the same signatories: candidates share a
    band of the signatory-set signature and are of those days, in another language."""
    if signers is None or not record.languages or not record.date or len(record.date) != 10:
        return None
    from datetime import date, timedelta

    day = date.fromisoformat(record.date)
    window = timedelta(days=copies.TRANSLATION_DAYS)
    candidates = connection.execute(_translation_candidates(), {
        **{f"h{i}": h for i, h in enumerate(signers[1])}, "low": (day - window).isoformat(),
        "high": (day + window).isoformat(), "language": f"{record.languages[0]}%"}).all()
    own = {org.org_id for org in record.signatories}
    for other, statement_id in candidates:
        theirs = set(connection.execute(select(signatures.c.org_id).where(
            signatures.c.document_id == other, signatures.c.role == "signatory")).scalars())
        if statement_id is not None and copies.same_signatories(own, theirs):
            return int(statement_id)
    return None


def _batch_copy(pending: _Pending, signature: tuple[bytes, list[int]] | None) -> int | None:
    if signature is None:
        return None
    for band, value in enumerate(signature[1]):
        for other, statement_id in pending.bands.get((band, value), ()):
            if copies.similarity(signature[0], other) >= copies.COPY_SIMILARITY:
                return statement_id
    return None


def _batch_translation(pending: _Pending, record: Record) -> int | None:
    own = {org.org_id for org in record.signatories}
    if len(own) < copies.TRANSLATION_MIN_SIGNATORIES or not record.languages:
        return None
    for day, language, theirs, statement_id in pending.signed:
        apart = copies.days_apart(day, record.date)
        if language and language != record.languages[0] and apart is not None \
                and apart <= copies.TRANSLATION_DAYS and copies.same_signatories(own, theirs):
            return statement_id
    return None


def _dates_agree(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return True
    if a.startswith(b) or b.startswith(a):
        return True
    apart = copies.days_apart(a, b)
    return apart is not None and apart <= EVENT_DAYS


def _drop_orphan(connection: Connection, document_id: int) -> bool:
    """Delete a document no input points to any more, with what was extracted from it."""
    still = connection.execute(select(func.count()).select_from(inputs).where(inputs.c.document_id == document_id))
    if still.scalar_one():
        return False
    delete_document(connection, document_id)
    return True


def delete_document(connection: Connection, document_id: int) -> None:
    statement_id = connection.execute(select(documents.c.statement_id).where(documents.c.id == document_id)).scalar()
    connection.execute(delete(documents).where(documents.c.id == document_id))
    if statement_id is not None:
        sync_signers(connection, [statement_id])  # its signatories may have signed only in this copy
        connection.execute(update(statements).where(statements.c.id == statement_id)
                           .values(copies=statements.c.copies - 1))
        connection.execute(delete(statements).where(statements.c.id == statement_id, statements.c.copies <= 0))


def sync_signers(connection: Connection, statement_ids: Iterable[int]) -> None:
    """Bring ``statement_signers`` and the pair counts of ``cosignatures`` in step with the signatures of the
    statements' documents (a new copy may add signatories, a removed one take some away)."""
    for statement_id in statement_ids:
        want = set(connection.execute(_SIGNERS_WANTED, {"statement": statement_id}).scalars())
        have = set(connection.execute(_SIGNERS_KEPT, {"statement": statement_id}).scalars())
        added, removed = want - have, have - want
        fewer = [{"a": a, "b": b} for a, b in _pairs(removed, have)]
        if fewer:  # (an organisation that signed alone leaves no pair)
            connection.execute(update(cosignatures).where(cosignatures.c.org_a == bindparam("a"),
                                                          cosignatures.c.org_b == bindparam("b"))
                               .values(statements=cosignatures.c.statements - 1), fewer)
            connection.execute(delete(cosignatures).where(cosignatures.c.statements <= 0,
                                                          cosignatures.c.org_a.in_(removed)))
            connection.execute(delete(cosignatures).where(cosignatures.c.statements <= 0,
                                                          cosignatures.c.org_b.in_(removed)))
        if removed:
            connection.execute(delete(statement_signers).where(statement_signers.c.statement_id == statement_id,
                                                               statement_signers.c.org_id.in_(removed)))
        if added:
            connection.execute(insert(statement_signers),
                               [{"statement_id": statement_id, "org_id": org} for org in sorted(added)])
            more = [{"org_a": a, "org_b": b, "statements": 1} for a, b in _pairs(added, want)]
            if more:  # a statement with one signatory makes no pair
                connection.execute(_more_cosignatures(connection.dialect.name), more)
        _sync_org_statements(connection, statement_id)


def _sync_org_statements(connection: Connection, statement_id: int) -> None:
    """``org_statements`` of one statement: every organisation that signed or issued one of its copies."""
    want = set(connection.execute(_ORGS_WANTED, {"statement": statement_id}).scalars())
    have = set(connection.execute(_ORGS_KEPT, {"statement": statement_id}).scalars())
    if have - want:
        connection.execute(delete(org_statements).where(org_statements.c.statement_id == statement_id,
                                                        org_statements.c.org_id.in_(have - want)))
    if want - have:
        when = connection.execute(_STATEMENT_DATE, {"statement": statement_id}).first()
        year, day = (when.year, when.date) if when else (None, None)
        connection.execute(insert(org_statements), [
            {"org_id": org, "statement_id": statement_id, "year": year, "date": day} for org in sorted(want - have)])


def _pairs(some: set[str], others: set[str]) -> list[tuple[str, str]]:
    """Each pair of one of ``some`` with one of ``others`` (itself excepted), once, smaller id first."""
    return sorted({(min(a, b), max(a, b)) for a in some for b in others if a != b})


@cache
def _more_cosignatures(dialect: str) -> Any:
    statement = _dialect_insert(dialect, cosignatures)
    return statement.on_conflict_do_update(index_elements=["org_a", "org_b"],
                                           set_={"statements": cosignatures.c.statements + 1})


def drop_empty_events(connection: Connection) -> None:
    """Events no claim reports any more."""
    connection.execute(delete(events).where(~select(claims.c.id).where(claims.c.event_id == events.c.id).exists()))


def blocks_json(page: Page) -> str:
    return json.dumps([[b.start, b.end, b.kind, b.level, b.drop, b.container] for b in page.blocks],
                      separators=(",", ":"))


# Statements the writer runs for every document, built once (building and cache-keying a statement costs SQLAlchemy
# more than SQLite takes to run it).
_OLD_INPUT = select(inputs.c.status, inputs.c.reason, inputs.c.content_hash, inputs.c.document_id).where(
    inputs.c.uri == bindparam("uri"))
_KNOWN_DOCUMENT = select(documents.c.id).where(documents.c.content_hash == bindparam("hash"))
_INSERT_DOCUMENT = insert(documents)
_INSERT_EVENT = insert(events)
_INSERT_STATEMENT = insert(statements)
_SIGNERS_WANTED = (select(signatures.c.org_id).distinct().join(documents, documents.c.id == signatures.c.document_id)
                   .where(documents.c.statement_id == bindparam("statement"), signatures.c.role == "signatory"))
_SIGNERS_KEPT = select(statement_signers.c.org_id).where(statement_signers.c.statement_id == bindparam("statement"))
_ORGS_WANTED = (select(signatures.c.org_id).distinct().join(documents, documents.c.id == signatures.c.document_id)
                .where(documents.c.statement_id == bindparam("statement")))
_ORGS_KEPT = select(org_statements.c.org_id).where(org_statements.c.statement_id == bindparam("statement"))
_STATEMENT_DATE = select(statements.c.year, statements.c.date).where(statements.c.id == bindparam("statement"))


def _band_match(first: int) -> Any:
    """(band, hash) of any of a signature's bands, bound as h0, h1...: an OR SQLite answers from the index."""
    return or_(*(and_(lsh_bands.c.band == first + i, lsh_bands.c.hash == bindparam(f"h{i}"))
                 for i in range(copies.BANDS)))


@cache
def _copy_candidates() -> Any:
    candidates = (select(lsh_bands.c.document_id).where(_band_match(0)).group_by(lsh_bands.c.document_id)
                  .having(func.count() >= MIN_SHARED_BANDS).order_by(func.count().desc()).limit(MAX_COPY_CANDIDATES))
    return select(documents.c.minhash, documents.c.statement_id).where(documents.c.id.in_(candidates.scalar_subquery()))


@cache
def _translation_candidates() -> Any:
    return (select(documents.c.id, documents.c.statement_id)
            .where(documents.c.id.in_(select(lsh_bands.c.document_id).where(_band_match(copies.SIGNER_BANDS))
                                      .scalar_subquery()),
                   documents.c.date.between(bindparam("low"), bindparam("high")),
                   ~documents.c.languages.like(bindparam("language")))
            .limit(MAX_COPY_CANDIDATES))
