"""plans and plan tasks (重点任务), the second kind of tracked work

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 18:30:00.000000

A plan (规划) or a policy document (政策文件) holds tasks; each task is versioned like a problem and has
its own audit stream (`task`), with the columns its workflow and the sweep's monthly 督办 read. Task
numbers (T-2026-0001) come from the yearly `sequence` table, which needs no change.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'plan',
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('added_by', sa.String(length=40), nullable=False),
        sa.Column('added_on', sa.Date(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('code'),
    )
    op.create_table(
        'task',
        sa.Column('id', sa.String(length=20), nullable=False),
        sa.Column('plan', sa.String(length=40), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('detail', sa.Text(), nullable=True),
        sa.Column('state', sa.String(length=30), nullable=False),
        sa.Column('lead_unit', sa.String(length=40), nullable=False),
        sa.Column('co_units', sa.Text(), nullable=False),
        sa.Column('added_by', sa.String(length=40), nullable=False),
        sa.Column('added_on', sa.Date(), nullable=False),
        sa.Column('due_date', sa.Date(), nullable=False),
        sa.Column('signed_on', sa.Date(), nullable=True),
        sa.Column('last_progress_on', sa.Date(), nullable=True),
        sa.Column('reminded_on', sa.Date(), nullable=True),
        sa.Column('submitted_by_unit', sa.String(length=40), nullable=True),
        sa.Column('submitted_on', sa.Date(), nullable=True),
        sa.Column('completed_on', sa.Date(), nullable=True),
        sa.Column('completed_on_time', sa.Boolean(), nullable=True),
        sa.Column('adjust_count', sa.Integer(), nullable=False),
        sa.Column('return_count', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['lead_unit'], ['unit.code']),
        sa.ForeignKeyConstraint(['plan'], ['plan.code']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_task_lead_unit', 'task', ['lead_unit'], unique=False)
    op.create_index('ix_task_plan', 'task', ['plan'], unique=False)
    op.create_index('ix_task_state_due', 'task', ['state', 'due_date'], unique=False)
    op.create_index('ix_task_state_progress', 'task', ['state', 'last_progress_on'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_task_state_progress', table_name='task')
    op.drop_index('ix_task_state_due', table_name='task')
    op.drop_index('ix_task_plan', table_name='task')
    op.drop_index('ix_task_lead_unit', table_name='task')
    op.drop_table('task')
    op.drop_table('plan')
