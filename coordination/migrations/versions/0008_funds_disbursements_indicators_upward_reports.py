"""fund applications (资金争取), disbursements (引导资金发放), indicators (指标监测), upward reports (对上汇报)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 20:00:00.000000

The fifth to eighth kinds of tracked work, each versioned and audited in its own stream. Money is
whole 元 in BIGINT; an indicator's figures are exact decimals kept as text; `indicator_value` holds one
figure per indicator and month, written only with the indicator's `record` event.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'fund',
        sa.Column('code', sa.String(length=20), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('fund_type', sa.String(length=20), nullable=False),
        sa.Column('project', sa.String(length=40), nullable=True),
        sa.Column('state', sa.String(length=30), nullable=False),
        sa.Column('lead_unit', sa.String(length=40), nullable=False),
        sa.Column('added_by', sa.String(length=40), nullable=False),
        sa.Column('added_on', sa.Date(), nullable=False),
        sa.Column('prepared_on', sa.Date(), nullable=True),
        sa.Column('applied_on', sa.Date(), nullable=True),
        sa.Column('granted_on', sa.Date(), nullable=True),
        sa.Column('granted_yuan', sa.BigInteger(), nullable=True),
        sa.Column('grant_document', sa.String(length=200), nullable=True),
        sa.Column('evaluated_on', sa.Date(), nullable=True),
        sa.Column('evaluation', sa.String(length=200), nullable=True),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['lead_unit'], ['unit.code']),
        sa.ForeignKeyConstraint(['project'], ['project.code']),
        sa.PrimaryKeyConstraint('code'),
    )
    op.create_index('ix_fund_lead_unit', 'fund', ['lead_unit'], unique=False)
    op.create_index('ix_fund_state', 'fund', ['state'], unique=False)
    op.create_table(
        'disbursement',
        sa.Column('id', sa.String(length=20), nullable=False),
        sa.Column('enterprise', sa.String(length=200), nullable=False),
        sa.Column('amount_yuan', sa.BigInteger(), nullable=False),
        sa.Column('paid_on', sa.Date(), nullable=False),
        sa.Column('state', sa.String(length=30), nullable=False),
        sa.Column('lead_unit', sa.String(length=40), nullable=False),
        sa.Column('recorded_by', sa.String(length=40), nullable=False),
        sa.Column('recorded_on', sa.Date(), nullable=False),
        sa.Column('revoked_on', sa.Date(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['lead_unit'], ['unit.code']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_disbursement_paid_on', 'disbursement', ['paid_on'], unique=False)
    op.create_table(
        'indicator',
        sa.Column('code', sa.String(length=20), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('measure', sa.String(length=20), nullable=False),
        sa.Column('target', sa.String(length=30), nullable=False),
        sa.Column('tolerance', sa.String(length=30), nullable=False),
        sa.Column('higher_is_better', sa.Boolean(), nullable=False),
        sa.Column('state', sa.String(length=30), nullable=False),
        sa.Column('lead_unit', sa.String(length=40), nullable=False),
        sa.Column('added_by', sa.String(length=40), nullable=False),
        sa.Column('added_on', sa.Date(), nullable=False),
        sa.Column('latest_month', sa.String(length=7), nullable=True),
        sa.Column('latest_value', sa.String(length=30), nullable=True),
        sa.Column('retired_on', sa.Date(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['lead_unit'], ['unit.code']),
        sa.PrimaryKeyConstraint('code'),
    )
    op.create_table(
        'indicator_value',
        sa.Column('indicator', sa.String(length=20), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('value', sa.String(length=30), nullable=False),
        sa.Column('recorded_by', sa.String(length=40), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['indicator'], ['indicator.code']),
        sa.PrimaryKeyConstraint('indicator', 'month'),
    )
    op.create_table(
        'upward_report',
        sa.Column('id', sa.String(length=20), nullable=False),
        sa.Column('to_office', sa.String(length=100), nullable=False),
        sa.Column('reported_on', sa.Date(), nullable=False),
        sa.Column('topic', sa.String(length=200), nullable=False),
        sa.Column('state', sa.String(length=30), nullable=False),
        sa.Column('lead_unit', sa.String(length=40), nullable=False),
        sa.Column('recorded_by', sa.String(length=40), nullable=False),
        sa.Column('recorded_on', sa.Date(), nullable=False),
        sa.Column('revoked_on', sa.Date(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['lead_unit'], ['unit.code']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_upward_report_reported_on', 'upward_report', ['reported_on'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_upward_report_reported_on', table_name='upward_report')
    op.drop_table('upward_report')
    op.drop_table('indicator_value')
    op.drop_table('indicator')
    op.drop_index('ix_disbursement_paid_on', table_name='disbursement')
    op.drop_table('disbursement')
    op.drop_index('ix_fund_state', table_name='fund')
    op.drop_index('ix_fund_lead_unit', table_name='fund')
    op.drop_table('fund')
