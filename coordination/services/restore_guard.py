"""What stands between `coord db restore` and a database that holds a district's record.

Restoring over data replaces all of it, history included. It needs an admin of the database being
replaced and that database's name typed back (or given with --yes-replace NAME), and it leaves an
event in the restored database's `database` stream: who, when, from which backup file and its SHA-256,
and how much history the replaced database held.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import make_url
from sqlmodel import select

from coordination.domain.enums import Role
from coordination.domain.errors import Conflict, InvalidInput, NotPermitted
from coordination.models import AuditEvent
from coordination.services.common import Caller, load_actor, require_role
from coordination.uow import UnitOfWork

DATABASE_STREAM = "database"  # the stream of events about the database itself
RESTORE_STREAM_ID = "restores"
RESTORE_ACTION = "restore"


@dataclass(frozen=True)
class Target:
    """The database a backup is about to be restored into."""

    url: str
    name: str  # what a person types back to confirm: the SQLite file's name or the PostgreSQL database's
    holds_data: bool
    events: int  # its audit events: what a replacement throws away


def target_name(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return Path(parsed.database or "").name
    return str(parsed.database or "")


def inspect_target(url: str) -> Target:
    """Whether the target holds coord data, without creating it (a restore into a new file makes it later)."""
    from coordination.db import make_engine, schema_exists
    from coordination.db_faults import explain

    parsed = make_url(url)
    name = target_name(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists():
        return Target(url, name, False, 0)
    engine = make_engine(url, create=False)
    try:
        if not schema_exists(engine):
            return Target(url, name, False, 0)
        with engine.connect() as connection:
            events = connection.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        return Target(url, name, True, int(events))
    except Exception as exc:
        fault = explain(exc, url)
        if fault is None:
            raise
        raise fault from exc
    finally:
        engine.dispose()


def check_replacing(target: Target, caller: Caller | None) -> None:
    """Only an admin of the database about to be replaced may replace it."""
    from coordination.db import open_database

    if not target.holds_data:
        return
    if caller is None:
        raise NotPermitted("目标数据库已有数据：还原会替换它，须以其管理员身份进行（--as 管理员账号）",
                           "the target database holds data: replacing it needs one of its admins (--as ADMIN)")
    engine = open_database(target.url)
    try:
        with UnitOfWork(engine, write=False) as uow:
            require_role(load_actor(uow.session, caller.handle, caller), Role.ADMIN, zh="用备份替换数据库",
                         en="replace the database with a backup")
    finally:
        engine.dispose()


def check_confirmation(target: Target, typed: str | None) -> None:
    """The database's name typed back, exactly: a replacement is never a slip of the hand."""
    if not target.holds_data:
        return
    if typed is None:
        raise Conflict(f"目标数据库 {target.name} 已有 coord 数据，未还原：确认替换请在提示时输入库名，"
                       f"或加 --yes-replace {target.name}（--force 已不足以确认）",
                       f"the target database {target.name} already holds coord data; nothing restored: type its "
                       f"name when asked, or pass --yes-replace {target.name} (--force alone no longer confirms)")
    if typed.strip() != target.name:
        raise InvalidInput(f"输入的库名 {typed.strip()[:60]!r} 与目标数据库 {target.name} 不符，未还原",
                           f"the name typed, {typed.strip()[:60]!r}, is not the target database's ({target.name}); "
                           "nothing restored")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def record_restore(url: str, caller: Caller, facts: dict[str, Any]) -> None:
    """The restore, as the restored database's own history: appended after the copy is in place."""
    from coordination.db import make_engine
    from coordination.services.writer import append_event

    engine = make_engine(url, create=False)
    try:
        with UnitOfWork(engine) as uow:
            append_event(uow.session, stream_type=DATABASE_STREAM, stream_id=RESTORE_STREAM_ID,
                         action=RESTORE_ACTION, caller=caller, changes=facts)
            uow.commit()
    finally:
        engine.dispose()
