"""Alembic environment: migrations run on the connection the caller passes (``config.attributes``)."""

from __future__ import annotations

from alembic import context

from solidarity_atlas.store.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("solidarity's migrations run through solidarity_atlas.store.db.migrate()")


def _ours(name: str | None, kind: str, _parents: object) -> bool:
    """The full-text tables are made by a migration's own SQL: autogenerate leaves them alone."""
    return not (kind == "table" and name is not None and name.startswith("documents_fts"))


context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, include_name=_ours)
with context.begin_transaction():
    context.run_migrations()
