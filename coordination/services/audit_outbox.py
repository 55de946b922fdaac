"""The outbox's statuses, audited: each change of a message's status is an event of its `outbox` stream.

A message is written `pending` with the event that caused it (services/writer.py); from then on every
change of its status — delivered, failed, expired, requeued — appends an `outbox_status` event to the
stream `outbox:<message id>` in the transaction that changes the row (`record_statuses`, called by the
delivery in services/outbox_delivery.py and by `retry_failed` in services/outbox.py). The replay: a
message's status is its stream's last `to_state`, or `pending` without a stream; a database upgraded
from before these events holds, in the stream `outbox:baseline` (migration 0011), the statuses its
messages had then, as id ranges.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlmodel import Session, SQLModel

from coordination.domain.audit_faults import Check, Findings
from coordination.services.audit_rows import streamed
from coordination.services.audit_walk import Event
from coordination.services.common import Caller, scheduled_caller
from coordination.services.writer import Journal

OUTBOX_STREAM = "outbox"
STATUS_ACTION = "outbox_status"
BASELINE = "baseline"  # the stream holding the statuses of an upgraded database's messages (migration 0011)
PENDING = "pending"
_OUTBOX = SQLModel.metadata.tables["outbox"]


def record_statuses(session: Session, ids: Sequence[int], *, before: str, after: str, now: datetime,
                    caller: Caller | None = None, reason: str | None = None) -> None:
    """Append, in the caller's transaction, one event per message whose status goes from `before` to
    `after` (the row's UPDATE is the caller's, in the same transaction). Without a caller the change is
    the delivery's: the built-in `system` actor."""
    if before == after or not ids:
        return
    journal = Journal(session, caller or scheduled_caller(now, "outbox"))
    for message_id in ids:
        journal.event(OUTBOX_STREAM, str(message_id), STATUS_ACTION, {"status": after}, from_state=before,
                      to_state=after, reason=reason)
    journal.write()


def baseline_status(ranges: dict[str, Any], message_id: int) -> str:
    """A message's status in an upgraded database's baseline ({"delivered": [[1, 40], …], …})."""
    for status, spans in ranges.items():
        for span in spans if isinstance(spans, list) else []:
            if isinstance(span, list) and len(span) == 2 and span[0] <= message_id <= span[1]:
                return str(status)
    return PENDING


@dataclass
class OutboxReplay:
    stream_types: frozenset[str] = frozenset({OUTBOX_STREAM})
    statuses: dict[int, str] = field(default_factory=dict)
    baseline: dict[str, Any] = field(default_factory=dict)
    strays: list[str] = field(default_factory=list)  # streams named by no message id

    def stream(self, stream_type: str, stream_id: str, events: Sequence[Event]) -> None:
        if stream_id == BASELINE:
            ranges = events[0].changes.get("statuses")
            self.baseline = ranges if isinstance(ranges, dict) else {}
            return
        if not stream_id.isdigit():
            self.strays.append(stream_id)
            return
        status = events[-1].to_state or events[-1].changes.get("status")
        self.statuses[int(stream_id)] = str(status)

    def compare(self, connection: Connection, findings: Findings) -> None:
        statuses = dict(self.statuses)
        for message_id, status in streamed(connection, select(_OUTBOX.c.id, _OUTBOX.c.status).order_by(_OUTBOX.c.id)):
            replayed = statuses.pop(message_id, None)
            if replayed is None:
                replayed = baseline_status(self.baseline, message_id) if self.baseline else PENDING
            if status != replayed:
                findings.add(Check.DIFFERS, "outbox", message_id,
                             f"status: {status!r} ≠ {replayed!r} (stored ≠ replay)")
        for message_id, status in sorted(statuses.items()):
            findings.add(Check.MISSING, "outbox", message_id, f"its events leave it {status!r}; no such message")
        for stream_id in self.strays:
            findings.add(Check.MISSING, "outbox", stream_id, "events of no message")
