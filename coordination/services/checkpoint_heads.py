"""Audit checkpoints, the reading half: the checkpoint rows, the events a checkpoint covers, each stream
type's summary over them (one GROUP BY over the audit events), and what is wrong with a checkpoint row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, and_, case, func, not_, or_, select
from sqlmodel import SQLModel

from coordination import models  # noqa: F401  (registers the tables)
from coordination.config import DISTRICT_TZ
from coordination.domain.checkpoint import (
    Body,
    Fault,
    Range,
    TypeSummary,
    fingerprint,
    heads_digest,
    key_id,
    parse_gaps,
    parse_types,
    same_mac,
    stamp_line,
    summarise,
)

CHECKPOINT: Table = SQLModel.metadata.tables["audit_checkpoint"]
EVENT: Table = SQLModel.metadata.tables["audit_event"]


@dataclass(frozen=True)
class CheckpointView:
    number: int
    at: datetime
    events: int
    streams: int
    mac: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.mac)

    def stamp(self) -> dict[str, Any]:
        """What reports carry (never the MAC itself)."""
        return {"number": self.number, "at": self.at.isoformat(), "fingerprint": self.fingerprint}

    def line(self, lang: str = "zh") -> str:
        return stamp_line(self.stamp(), lang, DISTRICT_TZ)

    def to_json(self) -> dict[str, Any]:
        return {**self.stamp(), "events": self.events, "streams": self.streams}


def view_of(row: Any) -> CheckpointView:
    return CheckpointView(int(row.id), row.at, int(row.events), int(row.streams), str(row.mac))


def covered(last: int, gaps: list[Range]) -> ColumnElement[bool]:
    """The events a checkpoint anchored: ids up to its last one, but for the ids it did not see."""
    inside = EVENT.c.id <= last
    if not gaps:
        return inside
    return and_(inside, not_(or_(*(EVENT.c.id.between(a, b) for a, b in gaps))))


def summaries(connection: Connection, last: int, gaps: list[Range]) -> dict[str, TypeSummary]:
    e = EVENT.c
    heads = (select(e.stream_type, e.stream_id, func.max(e.seq).label("top"), func.count().label("n"))
             .where(covered(last, gaps)).group_by(e.stream_type, e.stream_id).subquery())
    rows = connection.execute(
        select(heads.c.stream_type, heads.c.stream_id, heads.c.top, e.hash, heads.c.n)
        .join(EVENT, and_(e.stream_type == heads.c.stream_type, e.stream_id == heads.c.stream_id,
                          e.seq == heads.c.top)))
    return summarise((r[0], r[1], r[2], r[3], r[4]) for r in rows)


def two_summaries(connection: Connection, last: int, gaps: list[Range],
                  earlier: Any) -> tuple[dict[str, TypeSummary], dict[str, TypeSummary]]:
    """The stream types over the events a checkpoint covers and, in the same scan, over those the
    `earlier` checkpoint covered (a subset) — the history that checkpoint anchored, as it is now."""
    e = EVENT.c
    if earlier is None:
        return summaries(connection, last, gaps), {}
    then = covered(int(earlier.last_event_id), parse_gaps(earlier.gaps))
    heads = (select(e.stream_type, e.stream_id, func.max(e.seq).label("top"), func.count().label("n"),
                    func.max(case((then, e.seq))).label("top_then"),
                    func.sum(case((then, 1), else_=0)).label("n_then"))
             .where(covered(last, gaps)).group_by(e.stream_type, e.stream_id).subquery())
    old = EVENT.alias("old")
    rows = connection.execute(
        select(heads.c.stream_type, heads.c.stream_id, heads.c.top, e.hash, heads.c.n, heads.c.top_then,
               old.c.hash, heads.c.n_then)
        .join(EVENT, and_(e.stream_type == heads.c.stream_type, e.stream_id == heads.c.stream_id,
                          e.seq == heads.c.top))
        .outerjoin(old, and_(old.c.stream_type == heads.c.stream_type, old.c.stream_id == heads.c.stream_id,
                             old.c.seq == heads.c.top_then))).all()
    now = summarise((r[0], r[1], r[2], r[3], r[4]) for r in rows)
    return now, summarise((r[0], r[1], r[5], r[6], r[7]) for r in rows if r[5] is not None)


def latest_row(connection: Connection) -> Any:
    return connection.execute(select(CHECKPOINT).order_by(CHECKPOINT.c.id.desc()).limit(1)).first()


def latest_stamp(connection: Connection) -> dict[str, Any] | None:
    """The latest checkpoint as reports carry it: {number, at, fingerprint}; None before the first."""
    row = latest_row(connection)
    return view_of(row).stamp() if row is not None else None


def row_faults(row: Any, previous: Any, key: bytes | None, *, chained: bool = True) -> list[Fault]:
    number = int(row.id)
    detail = {"checkpoint": number}
    faults: list[Fault] = []
    expected_number = int(previous.id) + 1 if previous is not None else 1
    expected_previous = str(previous.mac) if previous is not None else None
    if chained and (number != expected_number or row.previous_mac != expected_previous):
        faults.append(Fault("checkpoint_chain", f"检查点 #{number} 与前一个检查点接不上：有检查点被删除、插入或替换",
                            f"checkpoint #{number} does not follow the one before: a checkpoint was deleted, "
                            "inserted or replaced", detail))
    try:
        types = parse_types(row.stream_types)
        body = Body(number=number, at=row.at, actor=row.actor, origin=row.origin,
                    last_event_id=int(row.last_event_id), gaps=parse_gaps(row.gaps), events=int(row.events),
                    streams=int(row.streams), heads_digest=row.heads_digest, key_id=row.key_id,
                    previous_mac=row.previous_mac)
    except (ValueError, KeyError, TypeError):
        return [*faults, Fault("checkpoint_forged", f"检查点 #{number} 的内容无法读取：已被改动",
                               f"checkpoint #{number} cannot be read: it was altered", detail)]
    if heads_digest(types) != row.heads_digest:
        faults.append(Fault("checkpoint_forged", f"检查点 #{number} 的分类摘要与其链头摘要不符：已被改动",
                            f"checkpoint #{number}: its stream types do not match its heads digest: altered", detail))
    elif key is not None and row.key_id != key_id(key):
        faults.append(Fault("checkpoint_other_key", f"检查点 #{number} 不是由本区密钥签署的（密钥标识 {row.key_id}）",
                            f"checkpoint #{number} was not signed with this district's key (key id {row.key_id})",
                            detail))
    elif key is not None and not same_mac(body.mac(key), str(row.mac)):
        faults.append(Fault("checkpoint_forged", f"检查点 #{number} 的签名与密钥不符：检查点被伪造或改动",
                            f"checkpoint #{number}: its MAC does not match the key: forged or altered", detail))
    return faults
