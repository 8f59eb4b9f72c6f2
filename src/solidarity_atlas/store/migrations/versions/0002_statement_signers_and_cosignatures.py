"""Statement signers and co-signature counts: who signed each statement once, and how many statements each pair
of organisations signed together (filled from the signatures already stored).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 07:54:28.948831
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cosignatures',
    sa.Column('org_a', sa.String(length=120), nullable=False),
    sa.Column('org_b', sa.String(length=120), nullable=False),
    sa.Column('statements', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_a'], ['organizations.id'], name=op.f('fk_cosignatures_org_a_organizations')),
    sa.ForeignKeyConstraint(['org_b'], ['organizations.id'], name=op.f('fk_cosignatures_org_b_organizations')),
    sa.PrimaryKeyConstraint('org_a', 'org_b', name=op.f('pk_cosignatures'))
    )
    with op.batch_alter_table('cosignatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cosignatures_org_b'), ['org_b'], unique=False)

    op.create_table('statement_signers',
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_statement_signers_org_id_organizations')),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_statement_signers_statement_id_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('statement_id', 'org_id', name=op.f('pk_statement_signers'))
    )
    with op.batch_alter_table('statement_signers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_signers_org_id'), ['org_id'], unique=False)

    op.execute(
        "INSERT INTO statement_signers (statement_id, org_id) "
        "SELECT DISTINCT d.statement_id, s.org_id FROM signatures s JOIN documents d ON d.id = s.document_id "
        "WHERE s.role = 'signatory' AND d.statement_id IS NOT NULL"
    )
    op.execute(
        "INSERT INTO cosignatures (org_a, org_b, statements) "
        "SELECT a.org_id, b.org_id, count(*) FROM statement_signers a JOIN statement_signers b "
        "ON a.statement_id = b.statement_id AND a.org_id < b.org_id GROUP BY a.org_id, b.org_id"
    )


def downgrade() -> None:
    with op.batch_alter_table('statement_signers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_signers_org_id'))

    op.drop_table('statement_signers')
    with op.batch_alter_table('cosignatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cosignatures_org_b'))

    op.drop_table('cosignatures')
