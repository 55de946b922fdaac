"""special plans (专项规划) and filings (备案), the third and fourth kinds of tracked work

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 19:00:00.000000

A special plan is keyed by its code (ZX-…), versioned like a task and audited in its own stream
(`special_plan`); each stage it passes keeps its day and its document. A filing is numbered like a task
(B-2026-0001, from the yearly `sequence` table, which needs no change), audited in the `filing` stream,
with the due date its light is judged on.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'special_plan',
        sa.Column('code', sa.String(length=20), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('state', sa.String(length=30), nullable=False),
        sa.Column('lead_unit', sa.String(length=40), nullable=False),
        sa.Column('added_by', sa.String(length=40), nullable=False),
        sa.Column('added_on', sa.Date(), nullable=False),
        sa.Column('reviewed_on', sa.Date(), nullable=True),
        sa.Column('review_document', sa.String(length=200), nullable=True),
        sa.Column('deliberated_on', sa.Date(), nullable=True),
        sa.Column('deliberation_document', sa.String(length=200), nullable=True),
        sa.Column('issued_on', sa.Date(), nullable=True),
        sa.Column('issue_document', sa.String(length=200), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['lead_unit'], ['unit.code']),
        sa.PrimaryKeyConstraint('code'),
    )
    op.create_index('ix_special_plan_lead_unit', 'special_plan', ['lead_unit'], unique=False)
    op.create_index('ix_special_plan_state', 'special_plan', ['state'], unique=False)
    op.create_table(
        'filing',
        sa.Column('id', sa.String(length=20), nullable=False),
        sa.Column('project_name', sa.String(length=200), nullable=False),
        sa.Column('enterprise', sa.String(length=200), nullable=False),
        sa.Column('state', sa.String(length=30), nullable=False),
        sa.Column('lead_unit', sa.String(length=40), nullable=False),
        sa.Column('received_by', sa.String(length=40), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('due_date', sa.Date(), nullable=False),
        sa.Column('due_provisional', sa.Boolean(), nullable=False),
        sa.Column('completed_on', sa.Date(), nullable=True),
        sa.Column('completed_on_time', sa.Boolean(), nullable=True),
        sa.Column('returned_on', sa.Date(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['lead_unit'], ['unit.code']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_filing_lead_unit', 'filing', ['lead_unit'], unique=False)
    op.create_index('ix_filing_state_due', 'filing', ['state', 'due_date'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_filing_state_due', table_name='filing')
    op.drop_index('ix_filing_lead_unit', table_name='filing')
    op.drop_table('filing')
    op.drop_index('ix_special_plan_state', table_name='special_plan')
    op.drop_index('ix_special_plan_lead_unit', table_name='special_plan')
    op.drop_table('special_plan')
