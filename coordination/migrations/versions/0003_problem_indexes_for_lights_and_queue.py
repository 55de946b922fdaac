"""problem indexes for the lights and the escalation queue

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 10:00:00.000000

The dashboard counts lights by due-date ranges per open state (ix_problem_state_due); the escalation
queue walks problems in due-date order, checking level, state and project in the index, until a page
is full (ix_problem_queue), and counts a leader's queue without reading the rows (the project joins
the state and level index).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('problem', schema=None) as batch_op:
        batch_op.drop_index('ix_problem_state_level')
        batch_op.create_index('ix_problem_state_level_project', ['state', 'level', 'project'], unique=False)
        batch_op.create_index('ix_problem_state_due', ['state', 'due_date'], unique=False)
        batch_op.create_index('ix_problem_queue', ['due_date', 'level', 'state', 'project'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('problem', schema=None) as batch_op:
        batch_op.drop_index('ix_problem_queue')
        batch_op.drop_index('ix_problem_state_due')
        batch_op.drop_index('ix_problem_state_level_project')
        batch_op.create_index('ix_problem_state_level', ['state', 'level'], unique=False)
