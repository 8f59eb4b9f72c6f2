"""An index for the persons of a surname key on PostgreSQL; SQLite is left as it is.

A writer no longer holds every person in memory (see store/known.py): the first time a batch names a person of a
surname key, it reads the persons whose id is the key or starts with ``key-``.  SQLite answers that from the
primary key with a range of ids (it compares text byte by byte); PostgreSQL compares text by the database's
collation, where a range of ids is no prefix, so it gets ``id LIKE 'key-%'`` and this ``text_pattern_ops`` index,
which serves a prefix ``LIKE`` under any collation.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 18:30:00.000000
"""

from __future__ import annotations

from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

INDEX = "ix_persons_id_pattern"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON persons (id text_pattern_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {INDEX}")
