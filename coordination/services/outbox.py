"""The outbox: notifications written with the event that caused them, delivered by a later step.

Writing: the write path (services/writer.py) queues the notices of each recorded action, as the
workflow's notice policy says, in the same transaction; `enqueue` adds one other notice (a meeting's
call, a published report) the same way.

Delivering (services/outbox_delivery.py): `deliver` tries each due message once per run, under a
lease, within a time budget; a failed message waits before its next try. A message a robot refuses
for good (wrong secret, bad URL) becomes `failed` after `max_attempts` tries and can be queued again
with `retry_failed`. Messages waiting too long raise an alarm (services/outbox_alarm.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from coordination.domain.enums import Role
from coordination.domain.errors import InvalidInput, NotFound
from coordination.domain.notices import Notice
from coordination.models import OutboxMessage, Unit, Webhook
from coordination.services.audit_outbox import record_statuses
from coordination.services.common import Caller, load_actor, require_role
from coordination.services.outbox_delivery import FAILED, PENDING
from coordination.services.outbox_delivery import DeliveryReport as DeliveryReport
from coordination.services.outbox_delivery import deliver as deliver
from coordination.services.outbox_delivery import problem_link as problem_link
from coordination.services.writer import append_event, queue_notices
from coordination.uow import UnitOfWork

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


# ---- the messages ---------------------------------------------------------------------------


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
    last_attempt_at: datetime | None = None
    next_attempt_at: datetime | None = None  # a failed message is not tried before

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "key": self.key, "kind": self.kind, "problem_id": self.problem_id,
                "unit": self.unit, "title": self.title, "status": self.status, "attempts": self.attempts,
                "last_error": self.last_error, "webhook": self.webhook, "created_at": self.created_at.isoformat(),
                "delivered_at": _iso(self.delivered_at), "last_attempt_at": _iso(self.last_attempt_at),
                "next_attempt_at": _iso(self.next_attempt_at)}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _message_view(m: OutboxMessage) -> MessageView:
    assert m.id is not None
    return MessageView(m.id, m.key, m.kind, m.problem_id, m.unit, m.title, m.status, m.attempts, m.last_error,
                       m.webhook, m.created_at, m.delivered_at, m.last_attempt_at, m.next_attempt_at)


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
            .values(status=PENDING, attempts=0, lease_until=None, next_attempt_at=None)
            .returning(col(OutboxMessage.id))
        )
        requeued = list(result.scalars().all())
        # audited, as every status change (services/audit_outbox.py, A2)
        record_statuses(uow.session, requeued, before=FAILED, after=PENDING, now=caller.now, caller=caller)
        uow.commit()
        return len(requeued)
