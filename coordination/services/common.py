"""What every use case needs: the caller and the acting person (writes go through services/writer.py)."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from coordination.config import DISTRICT_TZ
from coordination.domain.enums import Role
from coordination.domain.errors import NotFound, NotPermitted, Unauthenticated
from coordination.domain.problem import Actor
from coordination.models import AuditEvent
from coordination.services.snapshot import directory

SYSTEM_HANDLE = "system"


@dataclass(frozen=True)
class Caller:
    """Who acts, at what moment, and from where (cli, import, a flow run id)."""

    handle: str
    now: datetime  # aware UTC
    origin: str = "cli"
    token: str | None = None
    require_token: bool = False
    scheduled: bool = False  # a scheduled job (the sweep, a flow): the only caller that may be `system`

    @property
    def today(self) -> date:
        return self.now.astimezone(DISTRICT_TZ).date()


def scheduled_caller(now: datetime, origin: str) -> Caller:
    """The built-in `system` actor, as the sweep and the scheduled flows act."""
    return Caller(SYSTEM_HANDLE, now, origin, scheduled=True)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_fingerprint(digest: str) -> str:
    """What a token's audit event records of its stored hash: enough to tell a changed hash, never the hash."""
    return hashlib.sha256(f"coord-token:{digest}".encode()).hexdigest()[:32]


def load_actor(session: Session, handle: str, caller: Caller | None = None) -> Actor:
    """The acting person with their roles; unknown or inactive identities are not permitted.

    When the caller must present a personal access token, it is checked here too.
    """
    if handle == SYSTEM_HANDLE and not (caller is not None and caller.scheduled):
        raise NotPermitted(f"{SYSTEM_HANDLE} 是内置的定时任务账号，只有每日巡查和定时流程以它的身份运行",
                           f"{SYSTEM_HANDLE} is the built-in actor of the sweep and the scheduled flows; "
                           "nobody else may act as it")
    person = directory(session).person(handle)
    if caller is not None and caller.require_token:
        presented = caller.token or ""
        if not person.token_hash or not hmac.compare_digest(person.token_hash, token_digest(presented)):
            raise Unauthenticated(f"{handle} 的访问令牌无效、缺失或已吊销（命令行用 COORD_TOKEN）",
                                  f"missing, invalid or revoked access token for {handle} (COORD_TOKEN)")
    return Actor(handle=person.handle, unit=person.unit, roles=person.roles)


def require_role(actor: Actor, *roles: Role, zh: str, en: str) -> None:
    if not actor.roles.intersection(roles):
        raise NotPermitted(f"{actor.handle} 无权{zh}", f"{actor.handle} may not {en}")


def payload_of(event: AuditEvent) -> dict[str, Any]:
    loaded = json.loads(event.payload)
    assert isinstance(loaded, dict)
    return loaded


def get_or_404(session: Session, model: type[Any], key: Any, zh: str, en: str) -> Any:
    found = session.get(model, key)
    if found is None:
        raise NotFound(f"{zh} {key} 不存在", f"{en} {key} not found")
    return found
