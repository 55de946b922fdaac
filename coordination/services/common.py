"""What every use case needs: the caller, the acting person, and the audit writer."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlmodel import Session, col, select

from coordination.config import DISTRICT_TZ
from coordination.domain.audit import GENESIS, canonical, event_hash
from coordination.domain.enums import Role
from coordination.domain.errors import NotFound, NotPermitted
from coordination.domain.problem import Actor
from coordination.models import AuditEvent, Person, PersonRole

SYSTEM_HANDLE = "system"


@dataclass(frozen=True)
class Caller:
    """Who acts, at what moment, and from where (cli, import, a flow run id)."""

    handle: str
    now: datetime  # aware UTC
    origin: str = "cli"
    token: str | None = None
    require_token: bool = False

    @property
    def today(self) -> date:
        return self.now.astimezone(DISTRICT_TZ).date()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def load_actor(session: Session, handle: str, caller: Caller | None = None) -> Actor:
    """The acting person with their roles; unknown or inactive identities are not permitted.

    When the caller must present a personal access token, it is checked here too.
    """
    person = session.get(Person, handle)
    if person is None:
        raise NotPermitted(f"未知身份 {handle}：请用 --as 或 COORD_USER 指定在册人员",
                           f"unknown identity {handle}: set --as or COORD_USER to a registered person")
    if not person.active:
        raise NotPermitted(f"人员 {handle} 已停用", f"person {handle} is inactive")
    if caller is not None and caller.require_token:
        presented = caller.token or ""
        if not person.token_hash or not hmac.compare_digest(person.token_hash, token_digest(presented)):
            raise NotPermitted(f"{handle} 的访问令牌无效或缺失（COORD_TOKEN）",
                               f"missing or invalid access token for {handle} (COORD_TOKEN)")
    return _actor(session, person)


def _actor(session: Session, person: Person) -> Actor:
    handle = person.handle
    roles = session.exec(select(PersonRole.role).where(PersonRole.handle == handle)).all()
    return Actor(handle=handle, unit=person.unit, roles=frozenset(Role(r) for r in roles))


def require_role(actor: Actor, *roles: Role, zh: str, en: str) -> None:
    if not actor.roles.intersection(roles):
        raise NotPermitted(f"{actor.handle} 无权{zh}", f"{actor.handle} may not {en}")


def append_event(
    session: Session,
    *,
    stream_type: str,
    stream_id: str,
    action: str,
    caller: Caller,
    changes: dict[str, Any],
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str | None = None,
    extra: dict[str, Any] | None = None,
    seq: int | None = None,
    facts: ProblemFactsAfter | None = None,
) -> AuditEvent:
    """Append one hash-chained event to its stream, in the caller's transaction."""
    last = session.exec(
        select(AuditEvent.seq, AuditEvent.hash)
        .where(AuditEvent.stream_type == stream_type, AuditEvent.stream_id == stream_id)
        .order_by(col(AuditEvent.seq).desc())
        .limit(1)
    ).first()
    prev_seq, prev_hash = (last[0], last[1]) if last else (0, GENESIS)
    payload = canonical({"changes": changes, **(extra or {})})
    event = AuditEvent(
        stream_type=stream_type,
        stream_id=stream_id,
        seq=seq if seq is not None else prev_seq + 1,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=caller.handle,
        at=caller.now,
        origin=caller.origin,
        reason=reason,
        payload=payload,
        prev_hash=prev_hash,
        hash="",
    )
    if facts is not None:
        event.level, event.lead_unit, event.due_date, event.on_time = facts
    event.hash = event_hash(prev_hash, hashed_fields(event))
    session.add(event)
    return event


class ProblemFactsAfter(NamedTuple):
    """A problem's level, lead unit, due date and on-time flag right after an event."""

    level: int
    lead_unit: str | None
    due_date: date | None
    on_time: bool | None


def hashed_fields(event: AuditEvent) -> dict[str, Any]:
    """The fields an event's hash covers, in plain JSON form (bulk writers build the same dict)."""
    return {
        "stream_type": event.stream_type,
        "stream_id": event.stream_id,
        "seq": event.seq,
        "action": event.action,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "actor": event.actor,
        "at": event.at.isoformat(),
        "origin": event.origin,
        "reason": event.reason,
        "payload": event.payload,
        "level": event.level,
        "lead_unit": event.lead_unit,
        "due_date": event.due_date.isoformat() if event.due_date else None,
        "on_time": event.on_time,
    }


def payload_of(event: AuditEvent) -> dict[str, Any]:
    loaded = json.loads(event.payload)
    assert isinstance(loaded, dict)
    return loaded


def get_or_404(session: Session, model: type[Any], key: Any, zh: str, en: str) -> Any:
    found = session.get(model, key)
    if found is None:
        raise NotFound(f"{zh} {key} 不存在", f"{en} {key} not found")
    return found
