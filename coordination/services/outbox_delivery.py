"""Delivering the outbox: one run sends each due message at most once, oldest first, within a time budget.

A run claims small batches under a lease (two runs never hold the same message), sends each message
of a batch in one request, and records each outcome in its own transaction. A failed message waits
(delivery_policy.retry_wait) before it is due again, so it is never resent in the same run; a robot
that is unreachable, too slow or asks us to slow down is not asked again in this run, and its other
messages stay due for the next; a message a robot refuses does not hold back the robot's next one.
When the run's budget is spent it stops claiming and hands back what it has not tried.

Delivery is at least once: a timed-out request, or a crash between the robot's "ok" and our commit,
may leave the robot holding a message we send again after its wait.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import Table, or_, update
from sqlmodel import Session, SQLModel, col, select

from coordination.config import DISTRICT_TZ
from coordination.domain.delivery_policy import DeliveryLimits, retry_wait
from coordination.domain.kinds import workflow_of
from coordination.models import OutboxMessage, Webhook
from coordination.uow import UnitOfWork

if TYPE_CHECKING:
    from coordination import delivery

PENDING, DELIVERED, FAILED, EXPIRED = "pending", "delivered", "failed", "expired"
OUTBOX_TABLE: Table = SQLModel.metadata.tables["outbox"]
BATCH = 20  # claimed at a time: a run stopped by its budget hands back at most this many
NO_WEBHOOK = "未配置群机器人 / no webhook for this group"

Sender = Callable[["delivery.Endpoint", "delivery.Message"], "delivery.Outcome"]
Clock = Callable[[], float]


@dataclass
class DeliveryReport:
    claimed: int = 0
    delivered: list[int] = field(default_factory=list)
    retry_later: list[int] = field(default_factory=list)  # tried and failed: due again after its wait
    timed_out: list[int] = field(default_factory=list)  # of those, no answer in time (the robot may have it)
    held: list[int] = field(default_factory=list)  # not tried: their robot failed earlier in this run
    failed: list[int] = field(default_factory=list)  # refused, and tried max_attempts times: parked as failed
    no_webhook: list[int] = field(default_factory=list)  # no robot for its group: stays pending
    left: int = 0  # claimed but not tried: the run's time budget ran out
    expired: int = 0  # older than outbox.max_age_hours: marked expired, never sent
    errors: dict[int, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """True when nothing claimed is left waiting for a failing robot or for the next run."""
        return not (self.retry_later or self.held or self.left)

    def to_json(self) -> dict[str, Any]:
        return {"claimed": self.claimed, "delivered": len(self.delivered), "retry_later": len(self.retry_later),
                "timed_out": len(self.timed_out), "held": len(self.held), "failed": len(self.failed),
                "no_webhook": len(self.no_webhook), "left": self.left, "expired": self.expired,
                "errors": {str(k): v for k, v in self.errors.items()}}


@dataclass(frozen=True)
class Claimed:
    id: int
    message: delivery.Message
    endpoint: delivery.Endpoint | None
    attempts: int


def routes(session: Session) -> tuple[dict[str, Webhook], Webhook | None]:
    """Each unit's robot and the district's (the first active by name wins)."""
    by_unit: dict[str, Webhook] = {}
    district: Webhook | None = None
    for hook in session.exec(select(Webhook).where(col(Webhook.active).is_(True)).order_by(col(Webhook.name))):
        if hook.unit is None:
            district = district or hook
        else:
            by_unit.setdefault(hook.unit, hook)
    return by_unit, district


def route(unit: str | None, by_unit: dict[str, Webhook], district: Webhook | None) -> Webhook | None:
    return by_unit.get(unit, district) if unit else district


def problem_link(base_url: str | None, problem_id: str | None) -> str | None:
    """The page of the item a message concerns, under web.base_url; None without either, or when its kind
    has no page."""
    if not base_url or not problem_id:
        return None
    kind = workflow_of(problem_id)  # an indicator's code (FAI) belongs to no numbered kind: no link
    page = kind.page if kind is not None else None
    if page is None:
        return None
    return f"{base_url}/{page}/{quote(problem_id, safe='')}"


def _expire(uow: UnitOfWork, *, now: datetime) -> int:
    """Mark pending messages past the age limit expired: stale news is not sent to a robot added late."""
    from coordination.services.settings import outbox_max_age

    with uow:
        session = uow.session
        cutoff = now - outbox_max_age(session)
        result = session.execute(
            update(OutboxMessage).where(col(OutboxMessage.status) == PENDING, col(OutboxMessage.created_at) < cutoff)
            .values(status=EXPIRED, lease_until=None,
                    last_error=f"超过时限未发送，已过期 / expired unsent after {cutoff.isoformat()}")
            .returning(col(OutboxMessage.id)))
        expired = list(result.scalars().all())
        _audit_statuses(session, expired, PENDING, EXPIRED, now)
        uow.commit()
        return len(expired)


def _audit_statuses(session: Session, ids: Sequence[int], before: str, after: str, now: datetime) -> None:
    """Each status change is an event of the message's `outbox` stream, in the transaction that makes it,
    so that `audit verify` finds a status edited behind coord's back (services/audit_outbox.py, A2)."""
    from coordination.services.audit_outbox import record_statuses

    record_statuses(session, ids, before=before, after=after, now=now)


def claim(uow: UnitOfWork, *, now: datetime, limits: DeliveryLimits, after_id: int = 0,
          limit: int = BATCH) -> list[Claimed]:
    """Lease up to `limit` due messages with ids above `after_id`, oldest first."""
    from coordination import delivery
    from coordination.services.settings import web_base_url

    c = OUTBOX_TABLE.c
    with uow:
        session = uow.session
        wanted = session.execute(select(c.id).where(*_ready(now), c.id > after_id).order_by(c.id)
                                 .limit(limit)).scalars().all()
        if not wanted:
            return []
        taken = take(session, wanted, now=now, limits=limits)
        rows = session.exec(select(OutboxMessage).where(col(OutboxMessage.id).in_(taken))
                            .order_by(col(OutboxMessage.id))).all()
        by_unit, district = routes(session)
        base_url = web_base_url(session)
        claimed = []
        for row in rows:
            assert row.id is not None
            hook = route(row.unit, by_unit, district)
            endpoint = (delivery.Endpoint(hook.name, delivery.RobotKind(hook.kind), hook.url, hook.secret)
                        if hook else None)
            message = delivery.Message(row.title, row.body, tuple(json.loads(row.mentions)),
                                       tuple(json.loads(row.mobiles or "[]")),
                                       link=problem_link(base_url, row.problem_id))
            claimed.append(Claimed(row.id, message, endpoint, row.attempts))
        uow.commit()
        return claimed


def _ready(now: datetime) -> tuple[Any, ...]:
    """Pending, not leased by a run, and past its wait."""
    c = OUTBOX_TABLE.c
    return (c.status == PENDING, or_(c.lease_until.is_(None), c.lease_until < now),
            or_(c.next_attempt_at.is_(None), c.next_attempt_at <= now))


def take(session: Session, ids: Sequence[int], *, now: datetime, limits: DeliveryLimits) -> list[int]:
    """Lease those of `ids` still ready; the ids taken.

    The conditions are asked again in the UPDATE: on PostgreSQL a run that chose the same rows waits
    for the other's commit, then finds them leased and takes none of them.
    """
    c = OUTBOX_TABLE.c
    taken = session.execute(update(OUTBOX_TABLE).where(c.id.in_(list(ids)), *_ready(now))
                            .values(lease_until=now + limits.lease).returning(c.id)).scalars().all()
    return sorted(int(i) for i in taken)


def _record(uow: UnitOfWork, ids: Sequence[int], values: dict[str, Any]) -> None:
    """Write what came of these messages and hand back their lease, in one transaction."""
    with uow:
        if values.get("status", PENDING) != PENDING:  # claimed messages are pending; a change is audited
            _audit_statuses(uow.session, ids, PENDING, values["status"], values["last_attempt_at"])
        uow.session.execute(update(OUTBOX_TABLE).where(OUTBOX_TABLE.c.id.in_(list(ids)))
                            .values(lease_until=None, **values))
        uow.commit()


def _local(moment: datetime) -> str:
    return moment.astimezone(DISTRICT_TZ).strftime("%Y-%m-%d %H:%M")


def _waiting(outcome: delivery.Outcome, retry_at: datetime) -> str:
    """What a failed message shows until its next try."""
    when = _local(retry_at)
    if outcome.timed_out:
        return f"发送超时，机器人可能已收到；{when} 后重试 / timed out, the robot may have it; will retry after {when}"
    return f"{outcome.error}；{when} 后重试 / will retry after {when}"


def deliver(
    uow: UnitOfWork,
    *,
    now: datetime,
    sender: Sender | None = None,
    limit: int = 200,
    max_attempts: int = 10,
    limits: DeliveryLimits | None = None,
    clock: Clock = time.monotonic,
) -> DeliveryReport:
    """Try each due message at most once, up to `limit` of them, until the time budget is spent.

    `limits` default to the district's settings (outbox.timeout_seconds, outbox.run_budget_seconds);
    `clock` measures the budget (real seconds, whatever COORD_NOW says).
    """
    from coordination.services.settings import delivery_limits

    if limits is None:
        with uow:
            limits = delivery_limits(uow.session)
    report = DeliveryReport()
    report.expired = _expire(uow, now=now)
    if limit <= 0:  # expiry only: no robot is asked, and httpx is not even imported
        return report
    from coordination import delivery  # httpx: only commands that send pay for its import

    held: dict[str, str] = {}  # robots not asked again in this run, with why
    after = 0
    with delivery.client(limits.timeout_s) as http:
        send = sender or (lambda endpoint, message: delivery.send_once(http, endpoint, message))
        started = clock()
        while report.claimed < limit and clock() - started < limits.budget_s:
            batch = claim(uow, now=now, limits=limits, after_id=after, limit=min(BATCH, limit - report.claimed))
            if not batch:
                break
            report.claimed += len(batch)
            after = batch[-1].id
            for index, item in enumerate(batch):
                first = index == 0 and report.claimed == len(batch)  # always tried: every run moves the queue
                if not first and clock() - started >= limits.budget_s:
                    rest = [c.id for c in batch[index:]]
                    _record(uow, rest, {})
                    report.left += len(rest)
                    break
                _deliver_one(uow, item, send, now=now, max_attempts=max_attempts, held=held, report=report)
    return report


def _deliver_one(uow: UnitOfWork, item: Claimed, send: Sender, *, now: datetime, max_attempts: int,
                 held: dict[str, str], report: DeliveryReport) -> None:
    if item.endpoint is None:
        report.no_webhook.append(item.id)
        _record(uow, [item.id], {"last_error": NO_WEBHOOK})
        return
    name = item.endpoint.name
    if name in held:
        report.held.append(item.id)
        _record(uow, [item.id], {"last_error": f"本轮未发送：机器人 {name} 出错（{held[name]}） / "
                                               f"not sent this run: robot {name} failed ({held[name]})"})
        return
    outcome = send(item.endpoint, item.message)
    tried = {"attempts": item.attempts + 1, "last_attempt_at": now, "webhook": name}
    if outcome.ok:
        report.delivered.append(item.id)
        _record(uow, [item.id], {**tried, "status": DELIVERED, "last_error": None, "next_attempt_at": None,
                                 "delivered_at": now})
        return
    error = outcome.error or "unknown"
    report.errors[item.id] = error
    if outcome.hold_robot:
        held[name] = error
    if not outcome.transient and item.attempts + 1 >= max_attempts:
        report.failed.append(item.id)
        _record(uow, [item.id], {**tried, "status": FAILED, "last_error": error, "next_attempt_at": None})
        return
    report.retry_later.append(item.id)
    if outcome.timed_out:
        report.timed_out.append(item.id)
    retry_at = now + retry_wait(item.attempts + 1)
    _record(uow, [item.id], {**tried, "last_error": _waiting(outcome, retry_at), "next_attempt_at": retry_at})
