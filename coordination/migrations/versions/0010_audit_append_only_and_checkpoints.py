"""audit trail append-only at the database, and signed checkpoints of its stream heads

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 12:00:00.000000

`audit_event` and the new `audit_checkpoint` refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL)
through triggers, whoever asks; on PostgreSQL UPDATE, DELETE and TRUNCATE are also revoked from
PUBLIC, and the application's role named by COORD_APP_ROLE gets only SELECT and INSERT on them
(granted after every upgrade: coordination/services/checkpoint_guard.py). `audit verify` checks
that the triggers are still there and enabled.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ('audit_event', 'audit_checkpoint')


def upgrade() -> None:
    op.create_table(
        'audit_checkpoint',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor', sa.String(length=40), nullable=False),
        sa.Column('origin', sa.String(length=80), nullable=False),
        sa.Column('last_event_id', sa.BigInteger(), nullable=False),
        sa.Column('gaps', sa.Text(), nullable=False),
        sa.Column('events', sa.BigInteger(), nullable=False),
        sa.Column('streams', sa.Integer(), nullable=False),
        sa.Column('stream_types', sa.Text(), nullable=False),
        sa.Column('heads_digest', sa.String(length=64), nullable=False),
        sa.Column('key_id', sa.String(length=16), nullable=False),
        sa.Column('previous_mac', sa.String(length=64), nullable=True),
        sa.Column('mac', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    if op.get_context().dialect.name == 'postgresql':
        op.execute(
            "CREATE OR REPLACE FUNCTION coord_append_only() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            "  RAISE EXCEPTION 'coord: % is append-only: % refused', TG_TABLE_NAME, TG_OP\n"
            "    USING ERRCODE = 'insufficient_privilege';\n"
            "END\n"
            "$$")
        for table in TABLES:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION coord_append_only()")
            op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION coord_append_only()")
            op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM PUBLIC")
    else:
        for table in TABLES:
            for verb in ('UPDATE', 'DELETE'):
                op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table}\n"
                           f"BEGIN SELECT RAISE(ABORT, 'coord: {table} is append-only: {verb} refused'); END")


def downgrade() -> None:
    if op.get_context().dialect.name == 'postgresql':
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS coord_append_only()")
    else:
        for table in TABLES:
            for verb in ('update', 'delete'):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    op.drop_table('audit_checkpoint')
