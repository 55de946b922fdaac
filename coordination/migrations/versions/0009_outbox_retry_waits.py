"""outbox retry waits: when a message was last tried and when it may be tried again

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 09:00:00.000000

A message a robot did not take waits before its next try (1 min, 5 min, 30 min, then 2 h) instead of
being sent again in the same run; `last_attempt_at` dates the last try for the dashboards' alarm.
Existing pending messages have neither and are due at once.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('last_attempt_at')
