"""outbox statuses audited from here: the statuses older messages have, recorded once as a baseline event

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 15:00:00.000000

From this version every change of a message's status is an event of its stream `outbox:<id>`
(coordination/services/audit_outbox.py), so `audit verify` finds a status edited in the table. The
messages an older coord delivered, failed or expired have no such events: this migration records
their statuses, once, as id ranges, in the hash-chained event `outbox:baseline` — a message without
events replays to its status there (`pending` when not listed). A database without such messages (a
new one) gets no event. The hash is computed here as coordination/services/writer.py computes it
(canonical JSON of the hashed fields), kept literal so that this migration never changes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64
EVENT = sa.table(
    'audit_event', *(sa.column(name) for name in (
        'stream_type', 'stream_id', 'seq', 'action', 'from_state', 'to_state', 'actor', 'origin', 'reason',
        'payload', 'prev_hash', 'hash', 'level', 'lead_unit', 'due_date', 'on_time')),
    sa.column('at', sa.DateTime(timezone=True)))


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _ranges(rows: Sequence[Any]) -> dict[str, list[list[int]]]:
    """Runs of consecutive messages with one status; a pending message ends a run."""
    found: dict[str, list[list[int]]] = {}
    run_status: str | None = None
    for message_id, status in rows:
        if status == 'pending':
            run_status = None
            continue
        if status == run_status:
            found[status][-1][1] = message_id
        else:
            found.setdefault(status, []).append([message_id, message_id])
            run_status = status
    return found


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, status FROM outbox ORDER BY id")).all()
    statuses = _ranges(rows)
    exists = bind.execute(sa.text("SELECT 1 FROM audit_event WHERE stream_type = 'outbox' "
                                  "AND stream_id = 'baseline'")).first()
    if not statuses or exists:
        return
    at = datetime.now(UTC).replace(microsecond=0)
    fields: dict[str, Any] = {
        "stream_type": "outbox", "stream_id": "baseline", "seq": 1, "action": "outbox_baseline",
        "from_state": None, "to_state": None, "actor": "system", "at": at.isoformat(),
        "origin": "migration:0011", "reason": None, "payload": _canonical({"changes": {"statuses": statuses}}),
        "level": None, "lead_unit": None, "due_date": None, "on_time": None,
    }
    digest = hashlib.sha256((GENESIS + _canonical(fields)).encode("utf-8")).hexdigest()
    stored_at = at if bind.dialect.name == "postgresql" else at.replace(tzinfo=None)  # SQLite: naive UTC
    bind.execute(sa.insert(EVENT).values(**{**fields, "at": stored_at, "prev_hash": GENESIS, "hash": digest}))


def downgrade() -> None:
    pass  # the audit trail is append-only: the baseline stays
