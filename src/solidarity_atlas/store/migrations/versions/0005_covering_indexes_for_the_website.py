"""Covering indexes for the website's organisation pages, each replacing the index that is its first column.

``signatures(org_id, role, document_id)`` answers "the statements an organisation issued" from the index alone
(``signatures(org_id)`` made SQLite read every signature row of the organisation to check its role), and
``documents(statement_id, country)`` answers "the countries its statements were issued in" without reading a
document row (each holds a whole text).  On 100,000 statements the page of the most prolific organisation went from
420 ms to about 70 ms (bench/web_load.py).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 13:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.create_index('ix_signatures_org_id_role_document_id', ['org_id', 'role', 'document_id'], unique=False)
        batch_op.drop_index(batch_op.f('ix_signatures_org_id'))
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index('ix_documents_statement_id_country', ['statement_id', 'country'], unique=False)
        batch_op.drop_index(batch_op.f('ix_documents_statement_id'))


def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_statement_id'), ['statement_id'], unique=False)
        batch_op.drop_index('ix_documents_statement_id_country')
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signatures_org_id'), ['org_id'], unique=False)
        batch_op.drop_index('ix_signatures_org_id_role_document_id')
