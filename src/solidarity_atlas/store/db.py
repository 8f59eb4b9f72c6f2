"""Connecting to the knowledge base and keeping its schema current.

The URL is SQLAlchemy's (``sqlite:///atlas.db``, ``postgresql+psycopg://...``),
from ``--db`` or ``SOLIDARITY_DB``.  SQLite connections run in WAL mode with
foreign keys enforced and a busy timeout, so a reader never blocks the writer
and a second writer waits instead of failing.  Opening a database migrates it
to the newest schema (Alembic), so an older atlas keeps working after an
upgrade.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url

from solidarity_atlas import settings
from solidarity_atlas.errors import AtlasError

BUSY_TIMEOUT_MS = 30_000  # a second writer waits this long for the first one's transaction
CACHE_KIB = 65_536  # SQLite's page cache per connection (its default, 2 MiB, re-reads indexes of a large atlas)


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
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
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
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except Exception as exc:
        raise DatabaseError(f"{engine.url.render_as_string(hide_password=True)}: cannot migrate ({exc})") from exc
    finally:
        config.attributes.pop("connection", None)


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())
