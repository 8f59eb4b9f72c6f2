"""Alembic environment: migrations run on the connection the caller passes (``config.attributes``)."""

from __future__ import annotations

from typing import Any

from alembic import context

from solidarity_atlas.store.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("solidarity's migrations run through solidarity_atlas.store.db.migrate()")


SEARCH_COLUMN = "search"  # PostgreSQL's tsvector of documents (migrations 0001 and 0007)
SEARCH_INDEX = "ix_documents_search"
PERSON_PATTERN_INDEX = "ix_persons_id_pattern"  # PostgreSQL's index for a prefix LIKE on persons.id (0008)


def _ours(name: str | None, kind: str, parents: Any) -> bool:
    """The full-text tables (SQLite), the search column and its index and the persons' prefix index (PostgreSQL)
    are made by a migration's own SQL: autogenerate leaves them alone."""
    if kind == "table" and name is not None and name.startswith("documents_fts"):
        return False
    if kind == "column" and name == SEARCH_COLUMN and parents.get("table_name") == "documents":
        return False
    return not (kind == "index" and name in (SEARCH_INDEX, PERSON_PATTERN_INDEX))


context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, include_name=_ours)
with context.begin_transaction():
    context.run_migrations()
