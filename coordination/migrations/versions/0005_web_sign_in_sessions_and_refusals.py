"""passwords, web sessions and the refusal log for coord web

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 15:20:00.000000

People sign in to the pages with a password (argon2id hash on the person). A signed-in browser is a
server-side session, revocable by signing out or deactivating the person. Every request the server
turns away is logged in `refusal`, which admins read and which counts failed sign-ins for the lock-out.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_hash', sa.String(length=255), nullable=True))
    op.create_table(
        'web_session',
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('handle', sa.String(length=40), nullable=False),
        sa.Column('csrf_token', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('remote', sa.String(length=60), nullable=True),
        sa.ForeignKeyConstraint(['handle'], ['person.handle']),
        sa.PrimaryKeyConstraint('key_hash'),
    )
    op.create_index('ix_web_session_handle', 'web_session', ['handle'], unique=False)
    op.create_table(
        'refusal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('handle', sa.String(length=40), nullable=True),
        sa.Column('method', sa.String(length=10), nullable=False),
        sa.Column('path', sa.String(length=300), nullable=False),
        sa.Column('remote', sa.String(length=60), nullable=True),
        sa.Column('detail', sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_refusal_at', 'refusal', ['at'], unique=False)
    op.create_index('ix_refusal_handle_kind_at', 'refusal', ['handle', 'kind', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_refusal_handle_kind_at', table_name='refusal')
    op.drop_index('ix_refusal_at', table_name='refusal')
    op.drop_table('refusal')
    op.drop_index('ix_web_session_handle', table_name='web_session')
    op.drop_table('web_session')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('password_hash')
