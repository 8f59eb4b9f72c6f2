"""Alembic environment: migrations run on the connection the caller passes (``config.attributes``)."""

from __future__ import annotations

from alembic import context

from solidarity_atlas.store.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("solidarity's migrations run through solidarity_atlas.store.db.migrate()")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
