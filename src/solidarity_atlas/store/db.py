"""Connecting to the knowledge base and keeping its schema current.

The URL is SQLAlchemy's (``sqlite:///atlas.db``, ``postgresql+psycopg://...``),
from ``--db`` or ``SOLIDARITY_DB``.  SQLite connections run in WAL mode with
foreign keys enforced and a busy timeout, so a reader never blocks the writer
and a second writer waits instead of failing.  Opening a database migrates it
to the newest schema (Alembic), so an older atlas keeps working after an
upgrade.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import Dialect, make_url

from solidarity_atlas import settings
from solidarity_atlas.errors import AtlasError

BUSY_TIMEOUT_MS = 30_000  # a second writer waits this long for the first one's transaction
CACHE_KIB = 65_536  # SQLite's page cache per connection (its default, 2 MiB, re-reads indexes of a large atlas)
# PostgreSQL advisory locks (the first key of pg_advisory_xact_lock(int, int); the second is the schema's, so that
# atlases in two schemas of one database do not wait for each other).
MIGRATION_LOCK = 7_101
WRITE_LOCK = 7_102


class DatabaseError(AtlasError):
    """The database cannot be opened or migrated: the message says which and why."""


def url_of(db: str | None) -> str:
    """A database URL from ``--db`` (a URL, or a bare file path meaning SQLite) or the setting."""
    value = db or settings.get("SOLIDARITY_DB")
    if "://" not in value:
        value = f"sqlite:///{value}"
    return value


def connect(db: str | None = None, *, migrate_schema: bool = True) -> Engine:
    """An engine for the database, migrated to the newest schema."""
    url = url_of(db)
    try:
        parsed = make_url(url)
    except Exception as exc:  # noqa: BLE001 - SQLAlchemy raises several kinds for a bad URL
        raise DatabaseError(f"{url}: not a database URL ({exc})") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        from pathlib import Path

        folder = Path(parsed.database).expanduser().resolve().parent
        if not folder.is_dir():
            raise DatabaseError(f"{url}: the folder {folder} does not exist")
    engine = create_engine(parsed, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    if migrate_schema:
        migrate(engine)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Autocommit around the pragmas: journal_mode cannot change inside a transaction.
    previous = dbapi_connection.isolation_level
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")  # first: another process may be making the file
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL keeps the database consistent after a crash either way
    cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    cursor.close()
    dbapi_connection.isolation_level = previous


@cache
def _alembic_config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("solidarity_atlas") / "store" / "migrations"))
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (creating it in an empty database)."""
    from alembic import command

    config = _alembic_config()
    if _at_head(engine, config):
        return  # the usual case: no lock taken, so opening an atlas never waits for a writer
    try:
        with engine.begin() as connection:
            # Two processes opening a new database at once: the second waits, then finds the schema made.
            lock(connection, MIGRATION_LOCK)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except Exception as exc:
        raise DatabaseError(f"{engine.url.render_as_string(hide_password=True)}: cannot migrate ({exc})") from exc
    finally:
        config.attributes.pop("connection", None)


def _at_head(engine: Engine, config: Any) -> bool:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except Exception:  # noqa: BLE001 - not readable yet: the upgrade says why
        return False
    return current == set(ScriptDirectory.from_config(config).get_heads())


def lock(connection: Connection, key: int) -> None:
    """Wait for and hold one of the atlas's locks until the transaction ends: on PostgreSQL the advisory lock
    ``key``; on SQLite the file's one write lock (``BEGIN IMMEDIATE``, waiting up to the busy timeout), which must
    be taken before the transaction's first statement."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key, hashtext(current_schema()))"), {"key": key})
    elif connection.dialect.name == "sqlite" and not getattr(connection.connection.dbapi_connection,
                                                             "in_transaction", True):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def refresh_statistics(engine: Engine) -> None:
    """On PostgreSQL, after an ingest: move the rows waiting in the GIN index's pending list into the index, and
    refresh the planner's statistics of the atlas's tables.  Until then (autovacuum catches up within a minute or
    so) every search reads the whole pending list, and the planner scans the table instead: a search of 10,000
    documents took 80 ms, against 0.1 ms after.  SQLite: nothing to do."""
    if engine.dialect.name != "postgresql":
        return
    from solidarity_atlas.store.schema import TABLES

    with engine.begin() as connection:
        connection.exec_driver_sql("SELECT gin_clean_pending_list(to_regclass('ix_documents_search'))")
        connection.exec_driver_sql(f"ANALYZE {', '.join(TABLES)}")


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


# -- statements run on the DB-API cursor ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Prepared:
    """A statement as SQLAlchemy compiled it for one dialect, and how to hand it a row of values."""

    sql: str
    names: tuple[str, ...]  # the names of the values of a row, in the order the caller gives them
    constants: dict[str, Any]  # the values the statement holds itself (a LIMIT, a literal compared with)
    # A positional paramstyle's values, when not the row as given: ``pick`` takes them, in the statement's order,
    # from the row followed by ``fixed`` (the constants).
    pick: Callable[[tuple[Any, ...]], tuple[Any, ...]] | None = None
    fixed: tuple[Any, ...] = ()


@lru_cache(maxsize=256)
def prepare(dialect: Dialect, statement: Any, names: tuple[str, ...]) -> Prepared:
    """Compile ``statement`` for ``dialect`` once; its bind parameters are ``names``, given in that order."""
    compiled = statement.compile(dialect=dialect, for_executemany=True)  # no RETURNING unless asked for
    if compiled.post_compile_params:
        raise ValueError("an expanding IN (...) cannot be prepared once: its number of values varies")
    defaults = {key: bind.effective_value for bind, key in compiled.bind_names.items()}
    constants = {key: value for key, value in defaults.items() if key not in names}
    if not compiled.positional:
        return Prepared(compiled.string, names, constants)
    binds = tuple(compiled.positiontup or ())
    fixed = tuple(defaults[bind] for bind in binds if bind not in names)
    order, k = [], len(names)
    for bind in binds:
        if bind in names:
            order.append(names.index(bind))
        else:
            order.append(k)
            k += 1
    if order == list(range(len(names))):
        return Prepared(compiled.string, names, constants)
    pick = itemgetter(*order)  # (one place: a tuple of it, as itemgetter then gives the value itself)
    return Prepared(compiled.string, names, constants, pick if len(order) > 1 else lambda v: (pick(v),), fixed)


@lru_cache(maxsize=32)
def _returning_key(statement: Any) -> Any:
    return statement.returning(*statement.table.primary_key.columns)


class Raw:
    """Statements run on a connection's DB-API cursor, in the connection's transaction.

    SQLAlchemy builds and compiles each statement once per dialect (so the same code runs on SQLite and on
    PostgreSQL), and the cursor runs it with plain rows: for the writer's few statements run per document, and its
    inserts of many rows, the bookkeeping of ``Connection.execute`` (cache keys, parameter processing, result
    objects) costs more than SQLite takes to run them.  The values must need no conversion by SQLAlchemy (text,
    numbers, bytes, booleans: what the writer stores).
    """

    def __init__(self, connection: Connection):
        self.dialect = connection.dialect
        self.cursor = connection.connection.cursor()
        self.returning = bool(self.dialect.insert_returning)
        self.named = not self.dialect.positional

    def _values(self, prepared: Prepared, row: Sequence[Any]) -> Any:
        if self.named:
            return {**prepared.constants, **dict(zip(prepared.names, row, strict=True))}
        if prepared.pick is None:
            return row
        return prepared.pick((*row, *prepared.fixed))

    def execute(self, statement: Any, names: tuple[str, ...], row: Sequence[Any] = ()) -> Any:
        """Run a statement with one row of values (in the order of ``names``); the cursor, to fetch from."""
        prepared = prepare(self.dialect, statement, names)
        self.cursor.execute(prepared.sql, self._values(prepared, row))
        return self.cursor

    def executemany(self, statement: Any, names: tuple[str, ...], rows: Sequence[Sequence[Any]]) -> None:
        """Run a statement once for each row (an empty list runs nothing)."""
        if not rows:
            return
        prepared = prepare(self.dialect, statement, names)
        if self.named or prepared.pick is not None:
            rows = [self._values(prepared, row) for row in rows]
        self.cursor.executemany(prepared.sql, rows)

    def rows(self, statement: Any) -> list[Any]:
        """The rows of a statement that holds its values (an ``IN`` list, say), compiled for this one run."""
        compiled = statement.compile(dialect=self.dialect, compile_kwargs={"render_postcompile": True})
        values = compiled.construct_params()
        if compiled.positional:
            self.cursor.execute(compiled.string, tuple(values[name] for name in compiled.positiontup or ()))
        else:
            self.cursor.execute(compiled.string, values)
        return list(self.cursor.fetchall())

    def insert(self, statement: Any, names: tuple[str, ...], row: Sequence[Any]) -> int:
        """Insert one row and return its new key (``statement``: an INSERT into a table keyed by one integer)."""
        if self.returning:
            return int(self.execute(_returning_key(statement), names, row).fetchall()[0][0])
        return int(self.execute(statement, names, row).lastrowid)
