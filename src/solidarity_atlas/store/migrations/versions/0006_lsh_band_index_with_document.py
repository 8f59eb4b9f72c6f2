"""The LSH band index holds the document, so looking up the texts that share a band reads the index alone.

``lsh_bands(band, hash)`` pointed at table rows: every candidate of a copy or translation look-up cost one more
read, at a random place in a table that grows by twenty rows a document.  ``lsh_bands(band, hash, document_id)``
answers the look-ups from the index (bench/ingest_throughput.py: the writer's cost per document stops growing
with the atlas as fast).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 15:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('lsh_bands', schema=None) as batch_op:
        batch_op.create_index('ix_lsh_bands_band_hash_document_id', ['band', 'hash', 'document_id'], unique=False)
        batch_op.drop_index('ix_lsh_bands_band_hash')


def downgrade() -> None:
    with op.batch_alter_table('lsh_bands', schema=None) as batch_op:
        batch_op.create_index('ix_lsh_bands_band_hash', ['band', 'hash'], unique=False)
        batch_op.drop_index('ix_lsh_bands_band_hash_document_id')
