"""Shared pytest configuration, and the databases the knowledge-base tests run on.

A test that takes ``atlas_url`` (or ``new_atlas``, to make several, or ``module_atlas_url``, for a module's fixture)
runs on SQLite and, when ``SOLIDARITY_TEST_PG`` is set, on PostgreSQL too: ``SOLIDARITY_TEST_PG`` is a server's
SQLAlchemy URL (``postgresql+psycopg://user@host:5432/database``), or ``1`` for :data:`PG_DEFAULT`.  Each PostgreSQL
atlas is a schema of its own in that database (the URL sets the connections' ``search_path`` to it), dropped after
the test with every connection still open to it: a fresh atlas costs a few milliseconds, and parallel workers never
meet.  Tests marked ``sqlite_only`` are about SQLite itself (its file, WAL, FTS5, a killed writer).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

PG_DEFAULT = "postgresql+psycopg://root@127.0.0.1:5432/test"


def pg_url() -> str | None:
    """The PostgreSQL server the tests also run on, or None."""
    value = os.environ.get("SOLIDARITY_TEST_PG", "").strip()
    if value in ("", "0"):
        return None
    return PG_DEFAULT if value == "1" else value


BACKENDS = ["sqlite", *(["postgresql"] if pg_url() else [])]


def pytest_configure(config: pytest.Config) -> None:
    # Registered here because pyproject.toml's pytest section is kept minimal; deselect with -m "not slow".
    config.addinivalue_line("markers", "slow: long-running test (minutes); deselect with -m 'not slow'")
    config.addinivalue_line("markers", "sqlite_only: about SQLite itself; not run on PostgreSQL")


def pytest_report_header(config: pytest.Config) -> str:
    url = pg_url()
    return f"knowledge-base backends: sqlite{', postgresql (' + url + ')' if url else ''}"


class Atlases:
    """Fresh, empty databases of one backend, each a URL for ``store.db.connect``; all removed by :meth:`close`."""

    def __init__(self, backend: str, folder: Path):
        self.backend, self.folder = backend, folder
        self.schemas: list[str] = []
        self._admin = None

    def __call__(self) -> str:
        if self.backend == "sqlite":
            return str(self.folder / f"atlas-{uuid.uuid4().hex[:8]}.db")
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url
        from sqlalchemy.pool import NullPool

        base = make_url(pg_url() or PG_DEFAULT)
        if self._admin is None:
            self._admin = create_engine(base, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        name = f"atlas_test_{uuid.uuid4().hex[:12]}"
        with self._admin.connect() as c:
            c.exec_driver_sql(f"CREATE SCHEMA {name}")
        self.schemas.append(name)
        url = base.update_query_dict({"options": f"-csearch_path={name}", "application_name": name})
        return url.render_as_string(hide_password=False)

    def close(self) -> None:
        if self._admin is None:
            return
        from sqlalchemy import text

        with self._admin.connect() as c:
            for name in self.schemas:
                c.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE application_name = :name AND pid <> pg_backend_pid()"), {"name": name})
                c.exec_driver_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        self._admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture()
def new_atlas(backend: str, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Makes fresh databases of the test's backend (several for a test that compares two)."""
    atlases = Atlases(backend, tmp_path)
    yield atlases
    atlases.close()


@pytest.fixture()
def atlas_url(new_atlas: Callable[[], str]) -> str:
    """A fresh database: an SQLite file, or a PostgreSQL schema (see the module's docstring)."""
    return new_atlas()


@pytest.fixture(scope="module", params=BACKENDS)
def module_atlas_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh database shared by a module's tests."""
    atlases = Atlases(str(request.param), tmp_path_factory.mktemp("atlas"))
    yield atlases()
    atlases.close()


def rows(db: str, sql: str, **params: object) -> list[tuple[object, ...]]:
    """The rows an SQL query gives on an atlas (a URL of either backend), as tuples."""
    from sqlalchemy import text

    from solidarity_atlas.store.db import connect

    engine = connect(db, migrate_schema=False)
    try:
        with engine.connect() as c:
            return [tuple(r) for r in c.execute(text(sql), params)]
    finally:
        engine.dispose()
