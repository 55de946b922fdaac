"""directory stamp index, mobile numbers for robot mentions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 12:40:00.000000

The directory cache asks for the newest event of each directory stream on every use case: an index on
(stream_type, id) answers it with one seek per stream. People may have a mobile number, which DingTalk
messages @ (the outbox keeps the numbers of each message beside the names it mentions).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_type_id', ['stream_type', 'id'], unique=False)
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mobile', sa.String(length=20), nullable=True))
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mobiles', sa.Text(), nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('mobiles')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('mobile')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_type_id')
