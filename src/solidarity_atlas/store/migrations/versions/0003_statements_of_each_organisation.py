"""Statements of each organisation (signed or issued), with their dates, filled from the stored signatures.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 08:44:39.475094
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('org_statements',
    sa.Column('org_id', sa.String(length=120), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('date', sa.String(length=10), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_org_statements_org_id_organizations')),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_org_statements_statement_id_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('org_id', 'statement_id', name=op.f('pk_org_statements'))
    )
    with op.batch_alter_table('org_statements', schema=None) as batch_op:
        batch_op.create_index('ix_org_statements_org_id_date', ['org_id', 'date'], unique=False)
        batch_op.create_index('ix_org_statements_org_id_year_date', ['org_id', 'year', 'date'], unique=False)
        batch_op.create_index(batch_op.f('ix_org_statements_statement_id'), ['statement_id'], unique=False)

    op.execute(
        "INSERT INTO org_statements (org_id, statement_id, year, date) "
        "SELECT DISTINCT s.org_id, d.statement_id, st.year, st.date FROM signatures s "
        "JOIN documents d ON d.id = s.document_id JOIN statements st ON st.id = d.statement_id"
    )


def downgrade() -> None:
    with op.batch_alter_table('org_statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_statements_statement_id'))
        batch_op.drop_index('ix_org_statements_org_id_year_date')
        batch_op.drop_index('ix_org_statements_org_id_date')

    op.drop_table('org_statements')
