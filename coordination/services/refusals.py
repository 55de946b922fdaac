"""The refusal log: who was turned away, from what, when and why — by coord web and by the command line.

The web writes its refusals through services/access.py; the command line writes here, in a short
transaction of its own once the refused command has rolled back, so that a refused command still
writes nothing to the item's tables. Admins read both with `coord audit refusals` (and `coord web
refusals`, the same service).
"""

from __future__ import annotations

import getpass
import socket
from datetime import UTC, date, datetime, time

from sqlmodel import col, select

from coordination.config import DISTRICT_TZ
from coordination.domain.enums import Role
from coordination.domain.errors import InvalidInput, NotPermitted, Unauthenticated
from coordination.models import Refusal
from coordination.services.access import RefusalKind, RefusalView, Request, record_refusal
from coordination.services.common import Caller, load_actor, require_role
from coordination.uow import UnitOfWork

CLI_METHOD = "CLI"  # the refusal's `method` for the command line (the web's are GET, POST…)
MAX_LIMIT = 10_000


def clock() -> datetime:
    """The refusal's moment: COORD_NOW when it is valid, the real time otherwise (a bad clock is no reason
    to lose the record)."""
    from coordination import config

    try:
        return config.now()
    except Exception:
        return datetime.now(UTC)


def _where_from() -> str:
    """The account and machine the command ran on: the person claimed may not be who typed it."""
    try:
        account = getpass.getuser()
    except Exception:  # no name for this uid (a container), no USER variable
        account = "?"
    return f"{account}@{socket.gethostname()}"[:60]


def record_cli(uow: UnitOfWork, *, now: datetime, error: NotPermitted, handle: str | None, command: str) -> None:
    """One refused command: the identity claimed, the command as typed (secrets masked), the reason."""
    kind = RefusalKind.BAD_TOKEN if isinstance(error, Unauthenticated) else RefusalKind.NOT_PERMITTED
    record_refusal(uow, now=now, kind=kind, request=Request(CLI_METHOD, command or "coord", _where_from()),
                   handle=(handle or "").strip() or None, detail=error.en)


def list_refusals(uow: UnitOfWork, *, caller: Caller, limit: int = 100, handle: str | None = None,
                  kind: str | None = None, since: date | None = None) -> list[RefusalView]:
    """The newest refusals first, from `since` (a district day) on. Admins only: it names who tried what."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"条数须在 1 到 {MAX_LIMIT} 之间", f"the limit must be from 1 to {MAX_LIMIT}")
    if kind is not None and kind not in {k.value for k in RefusalKind}:
        raise InvalidInput(f"未知的拒绝类型 {kind}（可选 {'、'.join(k.value for k in RefusalKind)}）",
                           f"unknown refusal kind {kind} (one of {', '.join(k.value for k in RefusalKind)})")
    with uow:
        session = uow.session
        require_role(load_actor(session, caller.handle, caller), Role.ADMIN, zh="查看拒绝记录",
                     en="read the refusal log")
        query = select(Refusal)
        if handle:
            query = query.where(Refusal.handle == handle)
        if kind:
            query = query.where(Refusal.kind == kind)
        if since is not None:
            start = datetime.combine(since, time(0), tzinfo=DISTRICT_TZ).astimezone(UTC)
            query = query.where(col(Refusal.at) >= start)
        rows = session.exec(query.order_by(col(Refusal.id).desc()).limit(limit)).all()
        return [RefusalView(r.id or 0, r.at, r.kind, r.handle, r.method, r.path, r.remote, r.detail) for r in rows]

