"""`audit verify`: every hash chain, and every table that holds a fact against the replay of its events.

One read-only pass over the events (services/audit_walk.py) checks each stream's chain and hands each
stream to the replays that rebuild a table from it — the versioned kinds (audit_items.py), the
directory and projects (audit_directory.py), meetings (audit_meetings.py), settings, robots, the
calendar, indicator figures and the outbox (audit_records.py) — then each replay reads its tables once
and names what differs. Everything is read in one transaction (one snapshot), so a write running beside
the check is either wholly in it or wholly out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from coordination.domain.audit_faults import Check, Fault, Findings
from coordination.services.audit_walk import ChainStats, Replay, walk
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


@dataclass(frozen=True)
class AuditReport:
    """The chains' figures (and the first broken link, as ChainReport names it) and one fault per kind."""

    chains: ChainReport
    faults: list[Fault] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.faults

    @property
    def chains_ok(self) -> bool:
        return not any(f.check is Check.CHAIN for f in self.faults)

    def to_json(self) -> dict[str, Any]:
        return {**self.chains.to_json(), "ok": self.ok, "faults": [f.to_json() for f in self.faults]}


def _chain_report(stats: ChainStats) -> ChainReport:
    if stats.first_broken is None:
        return ChainReport(stats.streams, stats.events)
    stream, seq, why = stats.first_broken
    return ChainReport(stats.streams, stats.events, stream, seq, why)


def _snapshot(uow: UnitOfWork) -> Connection:
    """The transaction's connection: on PostgreSQL one snapshot for every statement (repeatable read)."""
    if uow.engine.dialect.name == "postgresql":
        return uow.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    return uow.session.connection()  # SQLite: BEGIN holds one snapshot from the first read


def verify_chains(uow: UnitOfWork) -> ChainReport:
    """Recompute every hash; report the first broken link (by stream, then sequence)."""
    with uow:
        return _chain_report(walk(_snapshot(uow), (), Findings()))


def all_replays() -> list[Replay]:
    """A fresh replay of every table that holds a fact."""
    from coordination.services.audit_directory import directory_replays
    from coordination.services.audit_items import item_replays
    from coordination.services.audit_meetings import MeetingReplay
    from coordination.services.audit_records import record_replays

    replays: list[Replay] = [*item_replays(), *directory_replays(), MeetingReplay(), *record_replays()]
    return replays


def verify(uow: UnitOfWork) -> AuditReport:
    """Every chain, every version against its last event, every fact table against its replay."""
    findings = Findings()
    replays = all_replays()
    with uow:
        connection = _snapshot(uow)
        stats = walk(connection, replays, findings)
        for replay in replays:
            try:
                replay.compare(connection, findings)
            except (TypeError, ValueError, AttributeError, KeyError) as error:  # a table holding what coord
                where = ",".join(sorted(replay.stream_types))                    # never writes: named, not a crash
                findings.add(Check.UNREADABLE, where, "-", f"its tables cannot be compared: {error!r}")
    return AuditReport(_chain_report(stats), findings.faults())
