"""Answers kept between requests until the knowledge base changes: :class:`DataCache`.

Each process of the website (``solidarity serve --workers N`` runs N) keeps
its own cache, and each notices a change made anywhere — an ingest, a
re-extraction, a correction made through another worker, a user added on
the command line — by reading the database's version, at most every
:data:`VERSION_TTL` seconds, and at once for a signed-in curator (so that
one sees a correction the moment it is made, whichever worker shows it):

* on SQLite, ``PRAGMA data_version`` of a connection kept for that purpose,
  which changes whenever any other connection, in this process or another,
  commits a write;
* elsewhere, the highest document id, the number of documents, the highest
  signature id and the highest audit-log id (every correction writes an
  audit entry in its own transaction).

A correction made in this process also clears the cache at once
(:meth:`DataCache.clear`).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, func, select

from solidarity_atlas.store.schema import audit_log, documents, signatures

T = TypeVar("T")

# Answers kept per process, least recently used forgotten first.  An organisation takes two (its data and its page's
# HTML, about 45 KB together as pickles; 498 organisations at 100,000 statements), a search two (its counts and
# facets, and their HTML, about 8 KB); the network (a few hundred KB) is kept for a few year ranges.  2,048 answers
# stay under 100 MB.
CACHE_ENTRIES = 2048
VERSION_TTL = 2.0  # seconds a read of "has the data changed" is trusted before it is read again


class DataCache:
    """Answers too costly to compute per request, kept until the data changes (see the module's notes)."""

    def __init__(self, engine: Engine, entries: int = CACHE_ENTRIES):
        self.engine = engine
        self.entries = entries
        self._lock = threading.Lock()
        self._values: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._computing: dict[tuple[Any, ...], threading.Lock] = {}
        self._version: tuple[Any, ...] | None = None
        self._checked = 0.0
        self._generation = 0  # counts clear(): an answer computed across a clear() is not kept
        self._probe: Connection | None = None  # the SQLite connection whose data_version is read
        self._probes = 0
        self._probe_lock = threading.Lock()

    # -- the data's version ----------------------------------------------------------------------------------

    def version(self, fresh: bool = False) -> tuple[Any, ...]:
        """The data's version, read again when the last read is older than VERSION_TTL (or ``fresh``); every
        answer kept is dropped when it has changed."""
        now = time.monotonic()
        with self._lock:
            if not fresh and self._version is not None and now - self._checked < VERSION_TTL:
                return self._version
        version = self._read_version()
        with self._lock:
            if version != self._version:
                self._values.clear()
                self._generation += 1
            self._version, self._checked = version, now
        return version

    def _read_version(self) -> tuple[Any, ...]:
        if self.engine.dialect.name == "sqlite" and self.engine.url.database not in (None, "", ":memory:"):
            with self._probe_lock:
                if self._probe is None:
                    self._probe = self.engine.connect()  # kept: data_version compares the reads of one connection
                    self._probes += 1  # ...so a new one's first read is a new version, whatever its number
                try:
                    found = self._probe.exec_driver_sql("PRAGMA data_version").scalar()
                    self._probe.rollback()  # no transaction left open (SQLite sends no BEGIN for a pragma)
                except Exception:
                    self._probe.invalidate()
                    self._probe = None
                    raise
                return ("data_version", self._probes, found)
        with self.engine.connect() as c:
            row = c.execute(select(func.max(documents.c.id), func.count()).select_from(documents)).one()
            signature = c.execute(select(func.max(signatures.c.id))).scalar()
            audited = c.execute(select(func.max(audit_log.c.id))).scalar()
        return (row[0], row[1], signature, audited)

    def close(self) -> None:
        """Give back the connection the version is read with (the cache opens another should it be used again)."""
        with self._probe_lock:
            if self._probe is not None:
                self._probe.close()
                self._probe = None

    # -- answers ---------------------------------------------------------------------------------------------

    def clear(self) -> None:
        """Forget every answer (a correction made here: the pages show it at once)."""
        with self._lock:
            self._values.clear()
            self._version = None
            self._generation += 1

    def get(self, key: tuple[Any, ...], compute: Callable[[], T], fresh: bool = False,
            keep: Callable[[T], bool] | None = None) -> T:
        """The answer kept under ``key``, else ``compute()``'s, kept (unless ``keep`` says otherwise).  One request
        at a time computes a given answer; the others asking for it meanwhile wait for it rather than compute it
        again.  ``fresh``: check the data's version now (a curator's request)."""
        self.version(fresh)
        found = self._cached(key)
        if found is not _MISSING:
            return found
        with self._lock:
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            found = self._cached(key)  # computed by the request this one waited for
            if found is not _MISSING:
                return found
            generation = self._generation
            try:
                value = compute()
                with self._lock:
                    if generation == self._generation and (keep is None or keep(value)):
                        self._values[key] = value
                        while len(self._values) > self.entries:
                            self._values.popitem(last=False)
            finally:
                with self._lock:
                    if self._computing.get(key) is computing:
                        del self._computing[key]
        return value

    def _cached(self, key: tuple[Any, ...]) -> Any:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        return _MISSING

    def __len__(self) -> int:
        return len(self._values)


_MISSING = object()
