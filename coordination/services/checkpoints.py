"""Audit checkpoints (coordination/domain/checkpoint.py): written at the end of the daily sweep, in its
transaction, and by `coord audit checkpoint`; checked by `coord audit verify`; the latest one's
fingerprint is printed in every report and in the sweep's robot messages, so paper and chat hold a copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, func, insert, not_, or_, select, update
from sqlmodel import Session, SQLModel

from coordination.config import DISTRICT_TZ
from coordination.domain.checkpoint import (
    BACKDATING_TOLERANCE,
    Body,
    Fault,
    Range,
    TypeSummary,
    compare,
    gaps_after,
    heads_digest,
    key_id,
    merge,
    parse_gaps,
    parse_types,
    types_json,
)
from coordination.domain.enums import Role
from coordination.domain.errors import Conflict, InvalidInput
from coordination.domain.notices import Notice
from coordination.services.checkpoint_guard import guard_faults
from coordination.services.checkpoint_heads import (
    CHECKPOINT,
    EVENT,
    CheckpointView,
    covered,
    latest_row,
    latest_stamp,
    row_faults,
    summaries,
    two_summaries,
    view_of,
)
from coordination.services.checkpoint_key import create_key, read_key, where
from coordination.services.common import Caller, load_actor, require_role
from coordination.services.writer import queue_notices
from coordination.uow import UnitOfWork

__all__ = ["CheckpointReport", "CheckpointView", "anchor_sweep", "check", "checkpoint", "latest_stamp",
           "verify_checkpoints", "write"]

OUTBOX: Table = SQLModel.metadata.tables["outbox"]
_PG_LOCK = 0x636B7074  # "ckpt": one checkpoint writer at a time per PostgreSQL database


# ---- writing ------------------------------------------------------------------------------------


def _signing_key(previous: Any, *, may_create: bool) -> bytes:
    key = read_key()
    if key is None:
        if previous is not None or not may_create:
            raise InvalidInput(f"本机没有审计密钥（{where()}）：已有的检查点由本区的密钥签署，请把该密钥放到本机"
                               "（文件 audit.key 或环境变量 COORD_AUDIT_KEY），不要另起新密钥",
                               f"no audit key here ({where()}): the district's checkpoints are signed with its key; "
                               "put that key on this machine (the audit.key file or COORD_AUDIT_KEY), never a new one")
        key = create_key()
    if previous is not None and previous.key_id != key_id(key):
        raise InvalidInput(f"本机的审计密钥（{where()}）不是签署最新检查点 #{previous.id} 的密钥：请使用本区的密钥",
                           f"the audit key here ({where()}) is not the key that signed the latest checkpoint "
                           f"#{previous.id}: use the district's key")
    return key


def write(session: Session, caller: Caller, *, may_create_key: bool = True) -> CheckpointView:
    """Sign the heads of every stream as this transaction sees them, chained to the previous checkpoint."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(_PG_LOCK)))
    previous = latest_row(connection)
    key = _signing_key(previous, may_create=may_create_key)
    prev_last = int(previous.last_event_id) if previous is not None else 0
    prev_gaps = parse_gaps(previous.gaps) if previous is not None else []
    # One statement: the ids seen and the last id come from one snapshot.
    seen = connection.execute(select(EVENT.c.id, EVENT.c.at).where(
        or_(EVENT.c.id > prev_last, *(EVENT.c.id.between(a, b) for a, b in prev_gaps)))).all()
    last, gaps = gaps_after(prev_last, prev_gaps, (int(i) for i, _at in seen))
    if previous is not None:  # an event dated well before the last checkpoint is never anchored: verify names it
        before = previous.at - BACKDATING_TOLERANCE
        gaps = merge([*gaps, *((int(i), int(i)) for i, at in seen if _aware(at) < before)])
    types, then = two_summaries(connection, last, gaps, previous)
    if previous is not None:  # never sign over a history that changed since the last signature
        _refuse_changed(previous, key, then)
    at = caller.now.astimezone(UTC)
    body = Body(number=int(previous.id) + 1 if previous is not None else 1, at=at, actor=caller.handle,
                origin=caller.origin, last_event_id=last, gaps=gaps, events=sum(t.events for t in types.values()),
                streams=sum(t.streams for t in types.values()), heads_digest=heads_digest(types),
                key_id=key_id(key), previous_mac=str(previous.mac) if previous is not None else None)
    mac = body.mac(key)
    connection.execute(insert(CHECKPOINT).values(
        id=body.number, at=at, actor=body.actor, origin=body.origin, last_event_id=last,
        gaps=_gaps_json(gaps), events=body.events, streams=body.streams, stream_types=types_json(types),
        heads_digest=body.heads_digest, key_id=body.key_id, previous_mac=body.previous_mac, mac=mac))
    return CheckpointView(body.number, at, body.events, body.streams, mac)


def _refuse_changed(previous: Any, key: bytes, then: dict[str, TypeSummary]) -> None:
    faults = row_faults(previous, None, key, chained=False)
    if not faults:
        faults = compare(int(previous.id), parse_types(previous.stream_types), then)
    if faults:
        raise Conflict(f"审计记录与上一个检查点不符，未签署新的检查点（运行 coord audit verify 查看）：{faults[0].zh}",
                       f"the audit records no longer match the last checkpoint; no new checkpoint was signed "
                       f"(run coord audit verify): {faults[0].en}")


def _aware(at: Any) -> datetime:
    return at if isinstance(at, datetime) else datetime.fromisoformat(str(at)).replace(tzinfo=UTC)


def _gaps_json(gaps: list[Range]) -> str:
    return "[" + ",".join(f"[{a},{b}]" for a, b in gaps) + "]"


def checkpoint(uow: UnitOfWork, *, caller: Caller) -> CheckpointView:
    """`coord audit checkpoint`: an admin anchors the history now (the sweep does so every day)."""
    with uow:
        require_role(load_actor(uow.session, caller.handle, caller), Role.ADMIN,
                     zh="写入审计检查点", en="write an audit checkpoint")
        view = write(uow.session, caller)
        uow.commit()
    return view


def anchor_sweep(session: Session, caller: Caller, batch_key: str) -> dict[str, Any]:
    """The sweep's checkpoint, in its transaction; its robot messages end with the fingerprint.

    When it cannot sign (no key here, another key, records changed since the last checkpoint) the
    sweep's work stands, and the district's group gets the alarm, on its messages and in one of its own.
    """
    try:
        view = write(session, caller)
    except (InvalidInput, Conflict) as refused:
        line, done = f"⚠ 审计告警：本次巡查未签署审计检查点。{refused.zh}", {
            "skipped": {"message": refused.zh, "message_en": refused.en}}
        queue_notices(session.connection(), [Notice(key=f"{batch_key}:audit", kind="audit", title="审计告警",
                                                    body=f"#### 审计告警（{caller.today.isoformat()}）\n\n{line}")],
                      caller)
    else:
        line, done = view.line("zh"), view.to_json()
    session.connection().execute(
        update(OUTBOX).where(OUTBOX.c.key.startswith(f"{batch_key}:", autoescape=True), OUTBOX.c.status == "pending")
        .values(body=OUTBOX.c.body + f"\n\n{line}"))
    return done


# ---- checking -----------------------------------------------------------------------------------


@dataclass
class CheckpointReport:
    checkpoints: int = 0
    latest: CheckpointView | None = None
    anchored_by: int | None = None  # the latest checkpoint that holds, against which history was checked
    unanchored: int = 0  # events after it (the next checkpoint anchors them)
    faults: list[Fault] = field(default_factory=list)
    notes: list[Fault] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.faults

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "checkpoints": self.checkpoints,
                "latest": self.latest.to_json() if self.latest else None, "anchored_by": self.anchored_by,
                "unanchored_events": self.unanchored, "faults": [f.to_json() for f in self.faults],
                "notes": [n.to_json() for n in self.notes]}


def verify_checkpoints(uow: UnitOfWork) -> list[Fault]:
    """For `coord audit verify`: every fault of the checkpoints and of the history they anchor."""
    return check(uow).faults


def check(uow: UnitOfWork) -> CheckpointReport:
    report = CheckpointReport()
    with uow:
        connection = uow.session.connection()
        report.faults, report.notes = guard_faults(connection)
        rows = connection.execute(select(CHECKPOINT).order_by(CHECKPOINT.c.id)).all()
        report.checkpoints = len(rows)
        if not rows:
            report.unanchored = int(connection.execute(select(func.count()).select_from(EVENT)).scalar_one())
            report.notes.append(Fault("no_checkpoint",
                                      "尚无检查点：审计历史还没有锚定（每日巡查或 coord audit checkpoint 会写入）",
                                      "no checkpoint yet: the history is not anchored (the daily sweep or "
                                      "coord audit checkpoint writes one)"))
            return report
        report.latest = view_of(rows[-1])
        key = _checking_key(report.faults)
        trusted = None
        previous = None
        for row in rows:
            own = row_faults(row, previous, key)
            report.faults += own
            if not any(f.kind != "checkpoint_chain" for f in own):
                trusted = row
            previous = row
        if trusted is None:
            return report
        report.anchored_by = int(trusted.id)
        gaps = parse_gaps(trusted.gaps)
        now = summaries(connection, int(trusted.last_event_id), gaps)
        report.faults += compare(int(trusted.id), parse_types(trusted.stream_types), now)
        _after(connection, trusted, gaps, report)
    return report


def _checking_key(faults: list[Fault]) -> bytes | None:
    try:
        key = read_key()
    except InvalidInput as unusable:
        faults.append(Fault("key_unusable", f"检查点无法校验：{unusable.zh}", f"the checkpoints cannot be checked: "
                                                                         f"{unusable.en}"))
        return None
    if key is None:
        faults.append(Fault("key_missing", f"检查点无法校验：本机没有审计密钥（{where()}）",
                            f"the checkpoints cannot be checked: no audit key here ({where()})"))
    return key


def _after(connection: Connection, trusted: Any, gaps: list[Range], report: CheckpointReport) -> None:
    """Events after the checkpoint: counted; those dated well before it were not written when they say."""
    later = not_(covered(int(trusted.last_event_id), gaps))
    report.unanchored = int(connection.execute(select(func.count()).select_from(EVENT).where(later)).scalar_one())
    before = trusted.at - BACKDATING_TOLERANCE
    backdated = connection.execute(
        select(EVENT.c.stream_type, EVENT.c.stream_id, EVENT.c.seq, EVENT.c.at)
        .where(later, EVENT.c.at < before).order_by(EVENT.c.id).limit(20)).all()
    at_text = trusted.at.astimezone(DISTRICT_TZ).strftime("%Y-%m-%d %H:%M")
    for stream_type, stream_id, seq, at in backdated:
        when = _aware(at).astimezone(DISTRICT_TZ).strftime("%Y-%m-%d %H:%M")
        report.faults.append(Fault(
            "backdated_event", f"{stream_type}:{stream_id} 第 {seq} 号事件记为 {when}，"
                               f"早于检查点 #{trusted.id}（{at_text}），却不在其锚定范围内：是事后补写或伪造的",
            f"{stream_type}:{stream_id} event {seq} is dated {when}, before checkpoint #{trusted.id} ({at_text}), "
            "yet that checkpoint does not anchor it: written afterwards or forged",
            {"stream": f"{stream_type}:{stream_id}", "seq": int(seq), "checkpoint": int(trusted.id)}))
    view = view_of(trusted)
    report.notes.append(Fault(
        "anchored", f"最新可信检查点 #{view.number}（{at_text}），检验码 {view.fingerprint}；"
                    f"其后 {report.unanchored} 个事件尚未锚定（下一个检查点将锚定它们）",
        f"latest checkpoint that holds: #{view.number} ({at_text}), fingerprint {view.fingerprint}; "
        f"{report.unanchored} event(s) after the last checkpoint, not yet anchored (the next checkpoint anchors them)",
        {"checkpoint": view.number, "fingerprint": view.fingerprint, "unanchored_events": report.unanchored}))
