"""Walking the hash chains: every stream's events must link, in order, from the genesis hash."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from coordination.domain.audit import GENESIS, event_hash
from coordination.models import AuditEvent
from coordination.services.writer import hashed_fields
from coordination.uow import UnitOfWork


@dataclass(frozen=True)
class ChainReport:
    streams: int
    events: int
    broken_stream: str | None = None
    broken_seq: int | None = None
    why: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_stream is None

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "streams": self.streams, "events": self.events,
                "broken": None if self.ok else {"stream": self.broken_stream, "seq": self.broken_seq,
                                                "why": self.why}}


def verify_chains(uow: UnitOfWork) -> ChainReport:
    """Recompute every hash; report the first broken link (by stream, then sequence)."""
    streams = 0
    events = 0
    with uow:
        query = select(AuditEvent).order_by(col(AuditEvent.stream_type), col(AuditEvent.stream_id),
                                            col(AuditEvent.seq))
        current: tuple[str, str] | None = None
        prev_hash, expected_seq = GENESIS, 1
        for event in uow.session.exec(query).yield_per(2000):
            key = (event.stream_type, event.stream_id)
            if key != current:
                current, prev_hash, expected_seq = key, GENESIS, 1
                streams += 1
            events += 1
            name = f"{event.stream_type}:{event.stream_id}"
            if event.seq != expected_seq:
                return ChainReport(streams, events, name, event.seq, f"expected seq {expected_seq}")
            if event.prev_hash != prev_hash:
                return ChainReport(streams, events, name, event.seq, "prev_hash does not match")
            if event_hash(prev_hash, hashed_fields(event)) != event.hash:
                return ChainReport(streams, events, name, event.seq, "content does not match its hash")
            prev_hash, expected_seq = event.hash, expected_seq + 1
    return ChainReport(streams, events)
