"""Writing inputs and what was extracted from them, one transaction per batch.

Every input ends as one row of ``inputs``: stored (with its document),
duplicate (bytes already stored from another input) or quarantined (with
the reason).  A batch is written in one transaction, so a crash leaves the
database as it was after the last whole batch, and running the same ingest
again finds those inputs stored and does the rest.

Across documents the writer keeps one row per organisation, per person and
per happening: an event reported by several documents gets one ``claims``
row from each, with that document's figure and sentence.

The writer is the one process of an ingest that cannot be spread over
cores, so it does little besides SQL: a document's rows are made as plain
values where it was extracted (:func:`document_of`, in the worker process),
with what needs no database (the signatory-set signature, the blocks and
hints as JSON, the country of the place of issue); the statements run for
each document go straight to the DB-API cursor
(:class:`~solidarity_atlas.store.db.Raw`); rows are inserted table by table
at the end of a batch; and the tables derived from signatures are brought in
step once per batch.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from itertools import combinations
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, delete, func, insert, intersect, or_, select, text, update

from solidarity_atlas.analyze import copies
from solidarity_atlas.extract.persons import person_key
from solidarity_atlas.model import Page, Record
from solidarity_atlas.resolve.judgements import Judgements
from solidarity_atlas.resolve.registry import registry
from solidarity_atlas.store.db import WRITE_LOCK, Raw, lock
from solidarity_atlas.store.known import Known
from solidarity_atlas.store.schema import (
    MAX_COSIGNERS,
    claims,
    cosignatures,
    demands,
    documents,
    events,
    inputs,
    lsh_bands,
    mentions,
    metadata,
    org_statements,
    signatures,
    statement_signers,
    statements,
)

EVENT_DAYS = 3  # two reports of one kind of happening in one place, days apart at most, are one happening
MIN_SHARED_BANDS = 1  # LSH bands a stored text must share with a new one to be compared as its possible copy
MAX_COPY_CANDIDATES = 5  # most-alike stored texts compared (a template-like text shares bands with many)
IN_CHUNK = 500  # ids per IN (...) look-up, well below any database's limit of bound values


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def extractor_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("solidarity-atlas")
    except PackageNotFoundError:
        return "0"


@dataclass(slots=True)
class Extraction:
    """What was extracted from a document, as the values of its rows.

    Made where the document was extracted (:func:`extraction_of`, in a worker process): plain values cross between
    processes at a fraction of the cost of the record's objects, and the writer, the one process an ingest cannot
    spread over cores, is left with little besides SQL.
    """

    metadata: tuple[Any, ...]  # the values of _METADATA but its last two (when and by what it was extracted)
    language: str | None  # the first language
    orgs: list[tuple[Any, ...]]  # issuers, then signatories: org_id, raw, name, country, role, position, start, end
    persons: list[tuple[Any, ...]]  # name, the name as written, role, org, quote, start, end
    demands: list[tuple[Any, ...]]  # code, quote, start, end
    events: list[tuple[Any, ...]]  # type, date, place, country, count, claim, quote, start, end
    signers: tuple[bytes, list[int]] | None  # MinHash of the signatory set, and its LSH bands

    @property
    def title(self) -> str | None:
        return self.metadata[0]

    @property
    def date(self) -> str | None:
        return self.metadata[1]

    @property
    def signatories(self) -> set[str]:
        return {org[0] for org in self.orgs if org[4] == "signatory"}


def extraction_of(record: Record) -> Extraction:
    """A record's rows (see :class:`Extraction`)."""
    evidence = record.evidence
    orgs: list[tuple[Any, ...]] = []
    for role, found in (("issuer", record.issuers), ("signatory", record.signatories)):
        for position, org in enumerate(found):
            span = evidence.get(f"signatories.{position}") if role == "signatory" else None
            orgs.append((org.org_id, org.raw, org.name, org.country, role, position, span.start if span else None,
                         span.end if span else None))
    persons = []
    for i, person in enumerate(record.persons):
        span = evidence.get(f"persons.{i}")
        persons.append((person.name, span.text if span else person.name, person.role, person.org,
                        span.text if span else None, span.start if span else None, span.end if span else None))
    demands = []
    for code in record.demands:
        span = evidence.get(f"demands.{code}")
        demands.append((code, span.text if span else None, span.start if span else None, span.end if span else None))
    events = []
    for i, happening in enumerate(record.events):
        span = evidence.get(f"events.{i}")
        claim = evidence.get(f"events.{i}.claim")
        events.append((happening.type, happening.date, happening.place, happening.country, happening.count,
                       claim.text if claim else None, span.text if span else "", span.start if span else None,
                       span.end if span else None))
    metadata = (record.title, record.date, int(record.date[:4]) if record.date else None, record.place,
                place_country(record), ",".join(record.languages), record.doc_type, ",".join(record.flags))
    return Extraction(metadata, record.languages[0] if record.languages else None, orgs, persons, demands, events,
                      copies.signatory_signature([org.org_id for org in record.signatories]))


def place_country(record: Record) -> str | None:
    if not record.place:
        return None
    from solidarity_atlas.resolve.places import gazetteer

    found = gazetteer().lookup(record.place)
    return found.country if found else None


@dataclass(slots=True)
class Document:
    """An input read and extracted, as the values of its rows (see :class:`Extraction`)."""

    uri: str
    url: str | None
    fetched_at: str | None
    content: tuple[Any, ...]  # content_hash, format, encoding, size, text, clean_text, blocks, hints
    signature: tuple[bytes, list[int]] | None  # MinHash of the main text, and its LSH bands
    extraction: Extraction

    @property
    def content_hash(self) -> str:
        return str(self.content[0])

    @property
    def size(self) -> int:
        return int(self.content[3])


def document_of(uri: str, record: Record, page: Page, url: str | None = None, fetched_at: str | None = None,
                signature: tuple[bytes, list[int]] | None = None) -> Document:
    """A document's rows, from its page and extraction record."""
    content = (page.sha256, page.fmt, page.encoding, page.size, page.text, page.clean_text, blocks_json(page),
               json.dumps(asdict(page.hints)))
    return Document(uri, url, fetched_at, content, signature, extraction_of(record))


@dataclass(slots=True)
class Extracted:
    """An input read and extracted, ready to store (the writer makes its :class:`Document`)."""

    uri: str
    record: Record
    page: Page
    url: str | None = None
    fetched_at: str | None = None
    signature: tuple[bytes, list[int]] | None = None  # MinHash of the main text, and its LSH bands

    def document(self) -> Document:
        return document_of(self.uri, self.record, self.page, self.url, self.fetched_at, self.signature)


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


@cache
def _bound(statement: Any, names: tuple[str, ...]) -> Any:
    """An INSERT (or upsert) whose values are the bind parameters ``names`` (the cursor gives them as a row)."""
    return statement.values({name: bindparam(name) for name in names})


@dataclass(slots=True)
class _Pending:
    """Rows of one batch, written table by table at its end (many rows per statement), each a tuple in the order
    of its table's ``_COLUMNS``."""

    organizations: list[tuple[Any, ...]] = field(default_factory=list)
    org_names: list[tuple[Any, ...]] = field(default_factory=list)
    persons: list[tuple[Any, ...]] = field(default_factory=list)
    signatures: list[tuple[Any, ...]] = field(default_factory=list)
    mentions: list[tuple[Any, ...]] = field(default_factory=list)
    demands: list[tuple[Any, ...]] = field(default_factory=list)
    claims: list[tuple[Any, ...]] = field(default_factory=list)
    lsh_bands: list[tuple[Any, ...]] = field(default_factory=list)
    # Copies within the batch, not yet in the tables: (band, hash) -> [(signature, statement)], and the
    # documents dated to the day by that day's ordinal -> [(rank in the batch, first language, signatories,
    # statement)].
    bands: dict[tuple[int, int], list[tuple[bytes, int]]] = field(default_factory=dict)
    days: dict[int, list[tuple[int, str | None, set[str], int]]] = field(default_factory=dict)
    dated: int = 0  # documents put in ``days``


_COLUMNS: dict[str, tuple[str, ...]] = {
    "organizations": ("id", "name", "country", "kind", "registry"),
    "org_names": ("org_id", "name"),
    "persons": ("id", "name"),
    "signatures": ("document_id", "org_id", "role", "raw", "position", "start", "end"),
    "mentions": ("document_id", "person_id", "name", "role", "org", "quote", "start", "end"),
    "demands": ("document_id", "code", "quote", "start", "end"),
    "claims": ("event_id", "document_id", "count", "claim", "date", "place", "quote", "start", "end"),
    "lsh_bands": ("document_id", "band", "hash"),
}
_METADATA = ("title", "date", "year", "place", "country", "languages", "doc_type", "flags", "extracted_at",
             "extractor")
_DOCUMENT = ("content_hash", "source", "url", "fetched_at", "format", "encoding", "size", "text", "clean_text",
             "blocks", "hints", "minhash", "statement_id", *_METADATA)
_INPUT = ("uri", "status", "reason", "document_id", "content_hash", "url", "fetched_at", "size", "first_seen",
          "last_seen")
_INPUT_COLUMNS = ("status", "reason", "document_id", "content_hash", "url", "fetched_at", "size", "last_seen")
_STATEMENT = ("title", "date", "year", "doc_type", "copies")
_EVENT = ("type", "date", "place", "country")


def organization_row(org_id: str, name: str, country: str | None, judgements: Judgements) -> tuple[Any, ...]:
    """The ``organizations`` row of an organisation first met: the registry's facts for a known organisation, the
    resolver's ``name`` and ``country`` for another, and the name and country a person gave it (a rename
    judgement) for either."""
    entry = registry().entries.get(org_id)
    if entry is not None:
        name, country = entry.name, entry.country
    if (renamed := judgements.renames.get(org_id)) is not None:
        name = renamed.get("name") or name
        country = renamed.get("country", country)
    return org_id, name, country, entry.kind if entry else None, entry is not None


def _judgements() -> Judgements:
    from solidarity_atlas.resolve.orgs import resolver

    return resolver().judgements


class Writer:
    """Writes batches of outcomes; one writer per process and database.

    What is stored is remembered in bounded caches read from the database as needed (:class:`known.Known`), so a
    batch writes only new organisations, names, persons and events, with few look-ups, in memory that does not grow
    with the atlas; the memory is dropped when a batch fails, as its transaction is.
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self.version = extractor_version()
        self._known = Known()
        self._dropped = False  # a document was deleted in this batch: events may be left without claims
        self._touched: set[int] = set()  # statements whose signatories may have changed in this batch
        self._judgements = Judgements()  # of the batch being written (renamed organisations)
        self._generation: int | None = None  # PostgreSQL: atlas_writes after this writer's last batch
        # SQLite: the connection and its data_version when this writer's last batch began (a commit by any other
        # connection changes the number; this connection's own commits do not)
        self._sqlite_seen: tuple[int, Any] | None = None

    def _claim(self, connection: Connection) -> None:
        """Several ingests may write one atlas at once: wait for the other writers' batches, and forget what is
        remembered of the tables if one of them (or anyone else) wrote since this writer's last batch.

        The batches are written one at a time (extraction, the costly part, still runs in parallel), so every look-up
        of a batch sees all the batches before it: a document, an organisation, a person or an event is stored
        once, whichever ingest reads it first.

        SQLite: the batch's transaction takes the file's write lock before its first read (``BEGIN IMMEDIATE``,
        waiting up to the busy timeout for another writer's batch), and ``PRAGMA data_version`` of the connection
        tells whether another connection committed since.  PostgreSQL: an advisory lock, and the ``atlas_writes``
        sequence the writers advance."""
        if connection.dialect.name == "sqlite":
            lock(connection, WRITE_LOCK)
            seen = (id(connection.connection.dbapi_connection),
                    connection.exec_driver_sql("PRAGMA data_version").scalar_one())
            if seen != self._sqlite_seen:
                self._known.forget()
            self._sqlite_seen = seen
            return
        if connection.dialect.name != "postgresql":
            return
        lock(connection, WRITE_LOCK)
        if connection.execute(_GENERATION).scalar_one() != self._generation:
            self._known.forget()

    def _written(self, connection: Connection) -> None:
        """PostgreSQL: tell the other writers that this one wrote a batch (see :meth:`_claim`)."""
        if connection.dialect.name == "postgresql":
            self._generation = connection.execute(_NEXT_GENERATION).scalar_one()

    def write(self, batch: Iterable[Document | Extracted | Failed]) -> Counts:
        counts = Counts()
        try:
            with self.engine.begin() as connection:
                self._claim(connection)
                self._judgements = _judgements()
                raw = Raw(connection)
                pending = _Pending()
                for item in batch:
                    if isinstance(item, Failed):
                        status = self._quarantine(raw, connection, item)
                    else:
                        status = self._store(raw, connection, item if isinstance(item, Document) else item.document(),
                                             pending)
                    setattr(counts, status, getattr(counts, status) + 1)
                self.flush(raw, pending)
                sync_signers(connection, self._touched)
                self._touched.clear()
                if self._dropped:
                    drop_empty_events(connection)  # of documents an input changed away from
                    self._dropped = False
                    self._known.forget()  # remembered events may be gone: read them again
                self._written(connection)
        except BaseException:
            self._known.forget()  # the batch was rolled back: what it added is not in the database
            self._touched.clear()
            raise
        self._known.trim()
        return counts

    def flush(self, raw: Raw, pending: _Pending) -> None:
        """Write a batch's rows: the rows others point to first."""
        dialect = raw.dialect.name
        raw.executemany(_bound(_insert_ignore(dialect, "organizations", ("id",)), _COLUMNS["organizations"]),
                        _COLUMNS["organizations"], pending.organizations)
        raw.executemany(_bound(_insert_ignore(dialect, "org_names", ("org_id", "name")), _COLUMNS["org_names"]),
                        _COLUMNS["org_names"], pending.org_names)
        raw.executemany(_bound(_upsert(dialect, "persons", ("id",), ("name",)), _COLUMNS["persons"]),
                        _COLUMNS["persons"], pending.persons)
        for table in (signatures, mentions, demands, claims, lsh_bands):
            names = _COLUMNS[table.name]
            raw.executemany(_bound(insert(table), names), names, getattr(pending, table.name))

    # -- inputs ------------------------------------------------------------------------------------------------

    def _input(self, raw: Raw, connection: Connection, uri: str, status: str, *, document_id: int | None,
               content_hash: str | None, reason: str | None = None, url: str | None = None,
               fetched_at: str | None = None, size: int | None = None, old: Any = None) -> None:
        stamp = now()
        statement = _bound(_upsert(raw.dialect.name, "inputs", ("uri",), _INPUT_COLUMNS), _INPUT)
        raw.execute(statement, _INPUT, (uri, status, reason, document_id, content_hash, url, fetched_at, size, stamp,
                                        stamp))
        if old is not None and old.document_id is not None and old.document_id != document_id:
            # The input changed: its old text goes, unless another input has it too.
            self._dropped |= _drop_orphan(connection, old.document_id)

    def _quarantine(self, raw: Raw, connection: Connection, item: Failed) -> str:
        old = _old_input(raw, item.uri)
        if old is not None and (old.status, old.reason, old.content_hash) == ("quarantined", item.reason,
                                                                              item.content_hash):
            return "unchanged"
        self._input(raw, connection, item.uri, "quarantined", document_id=None, content_hash=item.content_hash,
                    reason=item.reason, url=item.url, fetched_at=item.fetched_at, size=item.size, old=old)
        return "quarantined"

    # -- documents ---------------------------------------------------------------------------------------------

    def _store(self, raw: Raw, connection: Connection, item: Document, pending: _Pending) -> str:
        """Store a document and what was extracted from it: "stored", or "duplicate" when its bytes are stored
        already from another input, or "unchanged" when from this one."""
        extraction, signature = item.extraction, item.signature
        old = _old_input(raw, item.uri)
        known = _first(raw.execute(_KNOWN_DOCUMENT, ("hash",), (item.content_hash,)))
        if known is not None:
            if old is not None and old.document_id == known[0]:
                return "unchanged"
            self._input(raw, connection, item.uri, "duplicate", document_id=known[0], content_hash=item.content_hash,
                        url=item.url, fetched_at=item.fetched_at, size=item.size, old=old)
            return "duplicate"
        statement_id = self._statement(raw, extraction, signature, pending)
        content_hash, fmt, encoding, size, text, clean_text, blocks, hints = item.content
        document_id = raw.insert(_INSERT_DOCUMENT, _DOCUMENT, (
            content_hash, item.uri, item.url, item.fetched_at, fmt, encoding, size, text, clean_text, blocks, hints,
            signature[0] if signature else None, statement_id, *extraction.metadata, now(), self.version))
        self._touched.add(statement_id)
        self.write_extraction(raw, document_id, extraction, pending)
        if signature:
            pending.lsh_bands.extend((document_id, b, h) for b, h in enumerate(signature[1]))
            for band, value in enumerate(signature[1]):
                pending.bands.setdefault((band, value), []).append((signature[0], statement_id))
        if extraction.signers:
            pending.lsh_bands.extend((document_id, copies.SIGNER_BANDS + b, h)
                                     for b, h in enumerate(extraction.signers[1]))
        day = _day(extraction.date)
        if day is not None:
            pending.days.setdefault(day, []).append((pending.dated, extraction.language, extraction.signatories,
                                                     statement_id))
            pending.dated += 1
        self._input(raw, connection, item.uri, "stored", document_id=document_id, content_hash=content_hash,
                    url=item.url, fetched_at=item.fetched_at, size=size, old=old)
        return "stored"

    def write_extraction(self, raw: Raw, document_id: int, extraction: Extraction, pending: _Pending) -> None:
        """Signatures, persons, demands and event claims of one document (its earlier ones already deleted)."""
        known = self._known
        for org_id, written, name, country, role, position, start, end in extraction.orgs:
            if known.new_org(org_id):
                pending.organizations.append(organization_row(org_id, name, country, self._judgements))
            if known.new_name(org_id, written):
                pending.org_names.append((org_id, written))
            pending.signatures.append((document_id, org_id, role, written, position, start, end))
        for name, *mention in extraction.persons:
            pending.mentions.append((document_id, self._person(raw, name, pending), *mention))
        pending.demands.extend((document_id, *demand) for demand in extraction.demands)
        for kind, day, place, country, *claim in extraction.events:
            event_id = self._event(raw, kind, day, place, country)
            pending.claims.append((event_id, document_id, claim[0], claim[1], day, place, *claim[2:]))

    def _person(self, raw: Raw, name: str, pending: _Pending) -> str:
        """One row per person across documents: the surname's spelling-blind key, with the first initial when the
        name has one; a lone surname joins the one person of that surname, if there is exactly one."""
        words = name.split()
        key = (person_key(words[-1]) if words else name.casefold()).replace("-", "") or "unnamed"
        person_id = f"{key}-{words[0][:1].casefold()}" if len(words) >= 2 else key
        people = self._known.persons(raw, key)
        if len(words) < 2 and len(people) == 1:
            return next(iter(people))
        known = people.get(person_id)
        if known is None or len(name) > len(known):
            people[person_id] = name
            pending.persons.append((person_id, name))
        return person_id

    def _event(self, raw: Raw, kind: str, day: str | None, place: str | None, country: str | None) -> int:
        """The happening this report is of: same type and country, the same place (or none), dates that agree."""
        known = self._known
        if not day:  # any date agrees: the oldest of a place that agrees
            found = known.first_event(raw, kind, country, place)
            if found is not None:
                event_id, known_date, known_place = found
                if place and not known_place:  # a place, where the happening had none
                    raw.execute(_UPDATE_EVENT, ("date", "place", "id"), (known_date, place, event_id))
                    known.changed_place(kind, country, known_date, event_id, place)
                return int(event_id)
        else:
            for event in [*known.group(raw, kind, country, None), *known.group(raw, kind, country, day[:4])]:
                event_id, known_date, known_place = event
                if place and known_place and place != known_place:
                    continue
                if not _dates_agree(day, known_date):
                    continue
                fuller_date = day if known_date is None or len(day) > len(known_date) else known_date
                new_place = place if place and not known_place else known_place
                if (fuller_date, new_place) != (known_date, known_place):
                    # the fullest date any report gives, and a place when the happening had none
                    raw.execute(_UPDATE_EVENT, ("date", "place", "id"), (fuller_date, new_place, event_id))
                    event[1], event[2] = fuller_date, new_place
                    if known_date is None:  # from the undated group to its year's
                        known.remove_event(kind, country, None, event)
                        known.add_event(kind, country, event)
                return int(event_id)
        event_id = raw.insert(_INSERT_EVENT, _EVENT, (kind, day, place, country))
        known.add_event(kind, country, [event_id, day, place])
        return event_id

    # -- copies ------------------------------------------------------------------------------------------------

    def _statement(self, raw: Raw, extraction: Extraction, signature: tuple[bytes, list[int]] | None,
                   pending: _Pending) -> int:
        """The statement this document is a copy of, or a new one."""
        found = (_text_copy(raw, signature) or _batch_copy(pending, signature)
                 or _translation(raw, extraction) or _batch_translation(pending, extraction))
        if found is not None:
            raw.execute(_ONE_MORE_COPY, ("id",), (found,))
            return found
        title, day, year, _place, _country, _languages, doc_type, _flags = extraction.metadata
        return raw.insert(_INSERT_STATEMENT, _STATEMENT, (title, day, year, doc_type, 1))

    def rewrite(self, batch: Iterable[tuple[int, Record | Extraction]]) -> int:
        """Replace what was extracted from stored documents (re-extraction); their ids and statements stay."""
        done = 0
        batch = list(batch)
        try:
            with self.engine.begin() as connection:
                self._claim(connection)
                self._judgements = _judgements()
                raw = Raw(connection)
                pending = _Pending()
                for document_id, found in batch:
                    extraction = found if isinstance(found, Extraction) else extraction_of(found)
                    for table in (signatures, mentions, demands, claims):
                        raw.execute(_delete_extracted(table), ("document",), (document_id,))
                    raw.execute(_UPDATE_METADATA, (*_METADATA, "document"),
                                (*extraction.metadata, now(), self.version, document_id))
                    self.write_extraction(raw, document_id, extraction, pending)
                    done += 1
                self.flush(raw, pending)
                statement_ids = connection.execute(select(documents.c.statement_id).where(
                    documents.c.id.in_([document_id for document_id, _ in batch]))).scalars()
                sync_signers(connection, {s for s in statement_ids if s is not None})
                drop_empty_events(connection)
                self._known.forget()  # remembered events may be gone: read them again
                self._written(connection)
        except BaseException:
            self._known.forget()
            raise
        self._known.trim()
        return done


def claim_for_change(connection: Connection) -> None:
    """Before changing stored rows outside a :class:`Writer` (curation), on PostgreSQL: wait for the writers'
    batches, and make every writer read the tables again before its next batch (it may remember an organisation
    this change removes)."""
    if connection.dialect.name == "postgresql":
        lock(connection, WRITE_LOCK)
        connection.execute(_NEXT_GENERATION)


_GENERATION = text("SELECT last_value FROM atlas_writes")
_NEXT_GENERATION = text("SELECT nextval('atlas_writes')")


def _first(cursor: Any) -> Any:
    rows = cursor.fetchall()  # (all: no statement is left running in the transaction)
    return rows[0] if rows else None


@dataclass(slots=True)
class _OldInput:
    status: str
    reason: str | None
    content_hash: str | None
    document_id: int | None


def _old_input(raw: Raw, uri: str) -> _OldInput | None:
    row = _first(raw.execute(_OLD_INPUT, ("uri",), (uri,)))
    return _OldInput(*row) if row is not None else None


def _day(value: str | None) -> int | None:
    """The ordinal of an ISO date of day precision (None for another date), to tell days apart as
    :func:`copies.days_apart` does."""
    if not value or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value).toordinal()
    except ValueError:
        return None


def _text_copy(raw: Raw, signature: tuple[bytes, list[int]] | None) -> int | None:
    """A stored text this one is a copy of: candidates share an LSH band, confirmed by the similarity of the
    signatures (see analyze.copies for the odds)."""
    if signature is None:
        return None
    minhash, bands = signature
    rows = raw.execute(_copy_candidates(), _BAND_NAMES, bands).fetchall()
    best = max(((copies.similarity(minhash, other), statement_id) for other, statement_id in rows if other),
               default=None)
    if best is not None and best[0] >= copies.COPY_SIMILARITY and best[1] is not None:
        return int(best[1])
    return None


def _translation(raw: Raw, extraction: Extraction) -> int | None:
    """A statement in another language, of days before or after, with the same signatories: candidates share a
    band of the signatory-set signature and are of those days, in another language."""
    signers, when = extraction.signers, extraction.date
    if signers is None or extraction.language is None or not when or len(when) != 10:
        return None
    from datetime import timedelta

    day = date.fromisoformat(when)
    window = timedelta(days=copies.TRANSLATION_DAYS)
    candidates = raw.execute(_translation_candidates(), (*_BAND_NAMES, "low", "high", "language"), (
        *signers[1], (day - window).isoformat(), (day + window).isoformat(), f"{extraction.language}%")).fetchall()
    own = extraction.signatories
    for other, statement_id in candidates:
        theirs = {org for (org,) in raw.execute(_SIGNATORIES_OF, ("document",), (other,)).fetchall()}
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


def _batch_translation(pending: _Pending, extraction: Extraction) -> int | None:
    own = extraction.signatories
    if len(own) < copies.TRANSLATION_MIN_SIGNATORIES or extraction.language is None:
        return None
    mine = _day(extraction.date)
    if mine is None:
        return None
    first = extraction.language
    near = sorted(found for day in range(mine - copies.TRANSLATION_DAYS, mine + copies.TRANSLATION_DAYS + 1)
                  for found in pending.days.get(day, ()))  # in the order the documents came
    for _rank, language, theirs, statement_id in near:
        if language and language != first and copies.same_signatories(own, theirs):
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
    """Bring ``statement_signers``, the pair counts of ``cosignatures`` and ``org_statements`` in step with the
    signatures of the statements' documents (a new copy may add signatories, a removed one take some away).

    The statements are looked up a few hundred at a time, and each table is written once: a pair of
    organisations that signed several of the statements is counted up (or down) once, by the sum.
    """
    ids = sorted(set(statement_ids))
    if not ids:
        return
    signed: dict[int, set[str]] = {}  # statement -> organisations that signed one of its copies
    named: dict[int, set[str]] = {}  # statement -> organisations that signed or issued one
    signers_kept: dict[int, set[str]] = {}
    orgs_kept: dict[int, set[str]] = {}
    dates: dict[int, tuple[int | None, str | None]] = {}
    raw = Raw(connection)
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start:start + IN_CHUNK]
        for statement_id, org, role in raw.rows(_signed_in(chunk)):
            named.setdefault(statement_id, set()).add(org)
            if role == "signatory":
                signed.setdefault(statement_id, set()).add(org)
        for statement_id, org in raw.rows(select(statement_signers.c.statement_id, statement_signers.c.org_id)
                                          .where(statement_signers.c.statement_id.in_(chunk))):
            signers_kept.setdefault(statement_id, set()).add(org)
        for statement_id, org in raw.rows(select(org_statements.c.statement_id, org_statements.c.org_id)
                                          .where(org_statements.c.statement_id.in_(chunk))):
            orgs_kept.setdefault(statement_id, set()).add(org)
        for statement_id, year, day in raw.rows(select(statements.c.id, statements.c.year, statements.c.date)
                                                .where(statements.c.id.in_(chunk))):
            dates[statement_id] = (year, day)
    pairs: Counter[tuple[str, str]] = Counter()
    signers_gone: list[tuple[int, str]] = []
    signers_new: list[tuple[int, str]] = []
    orgs_gone: list[tuple[int, str]] = []
    orgs_new: list[tuple[str, int, int | None, str | None]] = []
    for statement_id in ids:
        want, have = signed.get(statement_id, set()), signers_kept.get(statement_id, set())
        added, removed = want - have, have - want
        if len(want) <= MAX_COSIGNERS and len(have) <= MAX_COSIGNERS:
            pairs.subtract(_pairs(removed, have))  # (an organisation that signed alone leaves no pair)
            pairs.update(_pairs(added, want))
        elif added or removed:  # a list past the limit counts no pair: its pairs go, or never come
            pairs.subtract(_pairs(have, have) if len(have) <= MAX_COSIGNERS else ())
            pairs.update(_pairs(want, want) if len(want) <= MAX_COSIGNERS else ())
        signers_gone.extend((statement_id, org) for org in sorted(removed))
        signers_new.extend((statement_id, org) for org in sorted(added))
        want, have = named.get(statement_id, set()), orgs_kept.get(statement_id, set())
        orgs_gone.extend((statement_id, org) for org in sorted(have - want))
        if want - have:
            year, day = dates.get(statement_id, (None, None))
            orgs_new.extend((org, statement_id, year, day) for org in sorted(want - have))
    fewer = sorted((a, b, -n) for (a, b), n in pairs.items() if n < 0)
    raw.executemany(_FEWER_COSIGNATURES, ("a", "b", "n"), fewer)
    raw.executemany(_NO_COSIGNATURES, ("a", "b"), [(a, b) for a, b, _ in fewer])
    raw.executemany(_DELETE_SIGNER, ("statement", "org"), signers_gone)
    raw.executemany(_INSERT_SIGNER, ("statement_id", "org_id"), signers_new)
    raw.executemany(_more_cosignatures(raw.dialect.name), ("org_a", "org_b", "statements"),
                    sorted((a, b, n) for (a, b), n in pairs.items() if n > 0))
    raw.executemany(_DELETE_ORG_STATEMENT, ("statement", "org"), orgs_gone)
    raw.executemany(_INSERT_ORG_STATEMENT, ("org_id", "statement_id", "year", "date"), orgs_new)


def _pairs(some: set[str], others: set[str]) -> list[tuple[str, str]]:
    """Each pair of one of ``some`` with one of ``others`` (itself excepted), once, smaller id first."""
    if some == others:
        return list(combinations(sorted(some), 2))
    return sorted({(min(a, b), max(a, b)) for a in some for b in others if a != b})


@cache
def _more_cosignatures(dialect: str) -> Any:
    statement = _dialect_insert(dialect, cosignatures)
    statement = statement.on_conflict_do_update(index_elements=["org_a", "org_b"],
                                                set_={"statements": cosignatures.c.statements
                                                      + statement.excluded.statements})
    return _bound(statement, ("org_a", "org_b", "statements"))


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
_INSERT_DOCUMENT = _bound(insert(documents), _DOCUMENT)
_INSERT_EVENT = _bound(insert(events), _EVENT)
_INSERT_STATEMENT = _bound(insert(statements), _STATEMENT)
_UPDATE_EVENT = (update(events).where(events.c.id == bindparam("id"))
                 .values(date=bindparam("date"), place=bindparam("place")))
_ONE_MORE_COPY = update(statements).where(statements.c.id == bindparam("id")).values(copies=statements.c.copies + 1)
_UPDATE_METADATA = (update(documents).where(documents.c.id == bindparam("document"))
                    .values({name: bindparam(name) for name in _METADATA}))
_SIGNATORIES_OF = select(signatures.c.org_id).where(signatures.c.document_id == bindparam("document"),
                                                    signatures.c.role == "signatory")
_FEWER_COSIGNATURES = (update(cosignatures).where(cosignatures.c.org_a == bindparam("a"),
                                                  cosignatures.c.org_b == bindparam("b"))
                       .values(statements=cosignatures.c.statements - bindparam("n")))
_NO_COSIGNATURES = delete(cosignatures).where(cosignatures.c.org_a == bindparam("a"),
                                              cosignatures.c.org_b == bindparam("b"), cosignatures.c.statements <= 0)
_DELETE_SIGNER = delete(statement_signers).where(statement_signers.c.statement_id == bindparam("statement"),
                                                 statement_signers.c.org_id == bindparam("org"))
_INSERT_SIGNER = _bound(insert(statement_signers), ("statement_id", "org_id"))
_DELETE_ORG_STATEMENT = delete(org_statements).where(org_statements.c.statement_id == bindparam("statement"),
                                                     org_statements.c.org_id == bindparam("org"))
_INSERT_ORG_STATEMENT = _bound(insert(org_statements), ("org_id", "statement_id", "year", "date"))
_BAND_NAMES = tuple(f"h{i}" for i in range(copies.BANDS))


@cache
def _delete_extracted(table: Any) -> Any:
    return delete(table).where(table.c.document_id == bindparam("document"))


def _signed_in(statement_ids: list[int]) -> Any:
    """(statement, organisation, role) of every signature of the statements' documents."""
    return (select(documents.c.statement_id, signatures.c.org_id, signatures.c.role).distinct()
            .join(signatures, signatures.c.document_id == documents.c.id)
            .where(documents.c.statement_id.in_(statement_ids)))


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
    """The first stored documents (by id) that share a band of the signatory-set signature, are of the days
    between ``low`` and ``high`` and in another language than ``language``.

    The documents sharing a band and the documents of those days are two index look-ups, intersected before any
    document row is read: of a few hundred documents that share a band with a list of popular signatories, few are
    of the same week."""
    near = documents.alias("near")
    both = intersect(select(lsh_bands.c.document_id).where(_band_match(copies.SIGNER_BANDS)),
                     select(near.c.id).where(near.c.date.between(bindparam("low"), bindparam("high"))))
    return (select(documents.c.id, documents.c.statement_id)
            .where(documents.c.id.in_(both.scalar_subquery()), ~documents.c.languages.like(bindparam("language")))
            .order_by(documents.c.id).limit(MAX_COPY_CANDIDATES))
