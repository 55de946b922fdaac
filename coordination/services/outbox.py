"""The outbox: notifications written with the event that caused them, delivered by a later step.

Writing: the write path (services/writer.py) queues the notices of each recorded action, as the
workflow's notice policy says, in the same transaction; `enqueue` adds one other notice (a meeting's
call, a published report) the same way.

Delivering: `deliver` claims a batch of pending messages (a lease, so two runs never send the same
message at once), sends each to its group robot, and records the outcome of each in its own
transaction. Undelivered messages stay `pending` and are retried by the next run; a message a robot
refuses for good (wrong secret, bad URL) becomes `failed` after `max_attempts` refusals and can be
queued again with `retry_failed`. Delivery is at least once: a crash between the robot's "ok" and
our commit would send that one message again.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import Table, update
from sqlmodel import Session, SQLModel, col, select

from coordination.domain.enums import Role
from coordination.domain.errors import InvalidInput, NotFound
from coordination.domain.kinds import workflow_of
from coordination.domain.notices import Notice
from coordination.models import OutboxMessage, Unit, Webhook
from coordination.services.common import Caller, load_actor, require_role
from coordination.services.writer import append_event, queue_notices
from coordination.uow import UnitOfWork

if TYPE_CHECKING:
    import httpx

    from coordination import delivery

PENDING, DELIVERED, FAILED, EXPIRED = "pending", "delivered", "failed", "expired"
OUTBOX_TABLE: Table = SQLModel.metadata.tables["outbox"]
WEBHOOK_STREAM = "webhook"

# ---- writing -------------------------------------------------------------------------------


def enqueue(session: Session, notice: Notice, *, caller: Caller) -> bool:
    """Add one notice to the outbox in the caller's transaction; False when its cause is already queued."""
    existing = session.exec(select(OutboxMessage.id).where(OutboxMessage.key == notice.key)).first()
    if existing is not None:
        return False
    queue_notices(session.connection(), [notice], caller)
    return True


# ---- webhooks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookView:
    name: str
    kind: str
    url: str
    unit: str | None
    signed: bool
    active: bool

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "url": _redacted(self.url), "unit": self.unit,
                "signed": self.signed, "active": self.active}


def _redacted(url: str) -> str:
    """URLs carry the robot's access token: never print or audit it whole."""
    head, sep, token = url.partition("access_token=")
    if not sep:
        head, sep, token = url.partition("key=")
    return f"{head}{sep}{token[:4]}…" if sep and token else url


def _webhook_view(hook: Webhook) -> WebhookView:
    return WebhookView(hook.name, hook.kind, hook.url, hook.unit, bool(hook.secret), hook.active)


def add_webhook(
    uow: UnitOfWork, *, caller: Caller, name: str, kind: str, url: str, secret: str | None = None,
    unit: str | None = None,
) -> WebhookView:
    """Register (or replace) a group robot; `unit` None makes it the district's group."""
    from coordination import delivery

    try:
        robot = delivery.RobotKind(kind.strip().lower())
    except ValueError:
        raise InvalidInput(f"未知机器人类型 {kind}（dingtalk 或 wecom）",
                           f"unknown robot kind {kind} (dingtalk or wecom)") from None
    if not url.startswith(("http://", "https://")):
        raise InvalidInput(f"机器人地址 {url} 不是 http(s) 地址", f"webhook URL {url} is not http(s)")
    if not name.strip():
        raise InvalidInput("机器人名称不能为空", "the webhook needs a name")
    with uow:
        session = uow.session
        require_role(load_actor(session, caller.handle, caller), Role.ADMIN, zh="配置群机器人", en="configure webhooks")
        if unit is not None and session.get(Unit, unit) is None:
            raise NotFound(f"单位 {unit} 不存在", f"unit {unit} not found")
        hook = session.get(Webhook, name.strip()) or Webhook(name=name.strip(), kind=robot.value, url=url)
        replaced = hook.url != url or hook.kind != robot.value or hook.unit != unit
        hook.kind, hook.url, hook.secret, hook.unit, hook.active = robot.value, url, secret or None, unit, True
        session.add(hook)
        append_event(session, stream_type=WEBHOOK_STREAM, stream_id=hook.name, action="webhook_set", caller=caller,
                     changes={"kind": robot.value, "url": _redacted(url), "unit": unit, "signed": bool(secret),
                              "active": True},
                     reason="replaced" if replaced and hook.url else None)
        uow.commit()
        return _webhook_view(hook)


def list_webhooks(uow: UnitOfWork) -> list[WebhookView]:
    with uow:
        return [_webhook_view(h) for h in uow.session.exec(select(Webhook).order_by(col(Webhook.name))).all()]


def _routes(session: Session) -> tuple[dict[str, Webhook], Webhook | None]:
    """Each unit's robot and the district's (the first active by name wins)."""
    by_unit: dict[str, Webhook] = {}
    district: Webhook | None = None
    for hook in session.exec(select(Webhook).where(col(Webhook.active).is_(True)).order_by(col(Webhook.name))):
        if hook.unit is None:
            district = district or hook
        else:
            by_unit.setdefault(hook.unit, hook)
    return by_unit, district


# ---- delivering ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MessageView:
    id: int
    key: str
    kind: str
    problem_id: str | None
    unit: str | None
    title: str
    status: str
    attempts: int
    last_error: str | None
    webhook: str | None
    created_at: datetime
    delivered_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "key": self.key, "kind": self.kind, "problem_id": self.problem_id,
                "unit": self.unit, "title": self.title, "status": self.status, "attempts": self.attempts,
                "last_error": self.last_error, "webhook": self.webhook, "created_at": self.created_at.isoformat(),
                "delivered_at": self.delivered_at.isoformat() if self.delivered_at else None}


def _message_view(m: OutboxMessage) -> MessageView:
    assert m.id is not None
    return MessageView(m.id, m.key, m.kind, m.problem_id, m.unit, m.title, m.status, m.attempts, m.last_error,
                       m.webhook, m.created_at, m.delivered_at)


def list_messages(uow: UnitOfWork, *, status: str | None = None, limit: int = 100) -> list[MessageView]:
    """Outbox messages, newest first."""
    with uow:
        query = select(OutboxMessage).order_by(col(OutboxMessage.id).desc()).limit(limit)
        if status:
            query = query.where(OutboxMessage.status == status)
        return [_message_view(m) for m in uow.session.exec(query).all()]


def retry_failed(uow: UnitOfWork, *, caller: Caller) -> int:
    """Queue every failed message again (after fixing the robot's URL or secret)."""
    with uow:
        require_role(load_actor(uow.session, caller.handle, caller), Role.ADMIN, Role.SECRETARIAT,
                     zh="重发失败消息", en="requeue failed messages")
        result = uow.session.execute(
            update(OutboxMessage).where(col(OutboxMessage.status) == FAILED)
            .values(status=PENDING, attempts=0, lease_until=None)
        )
        uow.commit()
        return int(result.rowcount)  # type: ignore[attr-defined]


@dataclass
class DeliveryReport:
    claimed: int = 0
    delivered: list[int] = field(default_factory=list)
    retry_later: list[int] = field(default_factory=list)  # transient failure: stays pending
    failed: list[int] = field(default_factory=list)  # refused max_attempts times: parked as failed
    no_webhook: list[int] = field(default_factory=list)  # no robot for its group: stays pending
    expired: int = 0  # older than outbox.max_age_hours: marked expired, never sent
    errors: dict[int, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """True when nothing claimed is left waiting because a robot was unreachable."""
        return not self.retry_later

    def to_json(self) -> dict[str, Any]:
        return {"claimed": self.claimed, "delivered": len(self.delivered), "retry_later": len(self.retry_later),
                "failed": len(self.failed), "no_webhook": len(self.no_webhook), "expired": self.expired,
                "errors": {str(k): v for k, v in self.errors.items()}}


@dataclass(frozen=True)
class _Claimed:
    id: int
    message: delivery.Message
    endpoint: delivery.Endpoint | None
    attempts: int


Sender = Callable[["delivery.Endpoint", "delivery.Message"], "delivery.Outcome"]


def _expire(uow: UnitOfWork, *, now: datetime) -> int:
    """Mark pending messages past the age limit expired: stale news is not sent to a robot added late."""
    from coordination.services.settings import outbox_max_age

    with uow:
        session = uow.session
        cutoff = now - outbox_max_age(session)
        result = session.execute(
            update(OutboxMessage).where(col(OutboxMessage.status) == PENDING, col(OutboxMessage.created_at) < cutoff)
            .values(status=EXPIRED, lease_until=None,
                    last_error=f"超过时限未发送，已过期 / expired unsent after {cutoff.isoformat()}"))
        uow.commit()
        return int(result.rowcount)  # type: ignore[attr-defined]


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


def _claim(uow: UnitOfWork, *, now: datetime, limit: int, lease: timedelta) -> list[_Claimed]:
    from coordination import delivery
    from coordination.services.settings import web_base_url

    with uow:
        session = uow.session
        free = (col(OutboxMessage.lease_until).is_(None)) | (col(OutboxMessage.lease_until) < now)
        rows = session.exec(
            select(OutboxMessage).where(col(OutboxMessage.status) == PENDING, free)
            .order_by(col(OutboxMessage.id)).limit(limit)
        ).all()
        if not rows:
            return []
        ids = [r.id for r in rows]
        session.execute(update(OutboxMessage).where(col(OutboxMessage.id).in_(ids)).values(lease_until=now + lease))
        by_unit, district = _routes(session)
        base_url = web_base_url(session)
        claimed = []
        for row in rows:
            assert row.id is not None
            hook = by_unit.get(row.unit or "", district) if row.unit else district
            endpoint = (delivery.Endpoint(hook.name, delivery.RobotKind(hook.kind), hook.url, hook.secret)
                        if hook else None)
            message = delivery.Message(row.title, row.body, tuple(json.loads(row.mentions)),
                                       tuple(json.loads(row.mobiles or "[]")),
                                       link=problem_link(base_url, row.problem_id))
            claimed.append(_Claimed(row.id, message, endpoint, row.attempts))
        uow.commit()
        return claimed


def _record(uow: UnitOfWork, message_id: int, values: dict[str, Any]) -> None:
    with uow:
        uow.session.execute(update(OutboxMessage).where(col(OutboxMessage.id) == message_id)
                            .values(lease_until=None, **values))
        uow.commit()


def deliver(
    uow: UnitOfWork,
    *,
    now: datetime,
    sender: Sender | None = None,
    limit: int = 200,
    max_attempts: int = 10,
    tries: int = 3,
    backoff_s: Sequence[float] = (0.5, 2.0),
    lease: timedelta = timedelta(minutes=10),
) -> DeliveryReport:
    """Send up to `limit` pending messages, oldest first; record each outcome as it happens.

    A robot that stays unreachable after `tries` attempts is not tried again in this run: its other
    messages wait for the next run instead of each timing out in turn.
    """
    from coordination import delivery  # httpx: only commands that send pay for its import

    report = DeliveryReport()
    report.expired = _expire(uow, now=now)
    claimed = _claim(uow, now=now, limit=limit, lease=lease)
    report.claimed = len(claimed)
    if not claimed:
        return report
    with delivery.client() as http:
        send = sender or _http_sender(http, tries=tries, backoff_s=backoff_s)
        down: dict[str, str] = {}
        for item in claimed:
            if item.endpoint is None:
                report.no_webhook.append(item.id)
                _record(uow, item.id, {"last_error": "未配置群机器人 / no webhook for this group"})
                continue
            if item.endpoint.name in down:
                report.retry_later.append(item.id)
                _record(uow, item.id, {"last_error": down[item.endpoint.name]})
                continue
            outcome = send(item.endpoint, item.message)
            if outcome.ok:
                report.delivered.append(item.id)
                _record(uow, item.id, {"status": DELIVERED, "attempts": item.attempts + 1, "last_error": None,
                                       "webhook": item.endpoint.name, "delivered_at": now})
            elif outcome.transient:
                down[item.endpoint.name] = outcome.error or "unreachable"
                report.retry_later.append(item.id)
                report.errors[item.id] = outcome.error or ""
                _record(uow, item.id, {"last_error": outcome.error, "webhook": item.endpoint.name})
            else:
                attempts = item.attempts + 1
                status = FAILED if attempts >= max_attempts else PENDING
                (report.failed if status == FAILED else report.retry_later).append(item.id)
                report.errors[item.id] = outcome.error or ""
                _record(uow, item.id, {"status": status, "attempts": attempts, "last_error": outcome.error,
                                       "webhook": item.endpoint.name})
    return report


def _http_sender(http: httpx.Client, *, tries: int, backoff_s: Sequence[float]) -> Sender:
    from coordination import delivery

    def send(endpoint: delivery.Endpoint, message: delivery.Message) -> delivery.Outcome:
        return delivery.send(http, endpoint, message, tries=tries, backoff_s=backoff_s, sleep=time.sleep)

    return send
