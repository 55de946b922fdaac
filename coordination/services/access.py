"""Signing in to coord web: passwords, server-side sessions, the lock-out and the refusal log.

The server authenticates people (a personal access token for the API, a password and a session for
the pages) and then acts for them through the same use cases as the command line. Every request it
turns away is written to `refusal`, which admins read (`coord web refusals`) and which counts failed
sign-ins: five within 15 minutes lock the account until 15 minutes after the fifth.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, update
from sqlmodel import col, select

from coordination.domain.enums import Role
from coordination.domain.errors import InvalidInput, NotFound, NotPermitted
from coordination.models import Person, Refusal, WebSession
from coordination.services.common import Caller, load_actor, require_role, token_digest
from coordination.services.directory import PersonView, change_own_or_as_admin
from coordination.services.snapshot import directory
from coordination.services.visibility import Viewer, viewer_in
from coordination.uow import UnitOfWork

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
LOCK_AFTER_FAILURES = 5
LOCK_MINUTES = 15
SESSION_HOURS = 12  # one working day; then sign in again

# argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 0.1 s per sign-in on a
# 2-core server, so that a burst of sign-ins on Monday morning does not queue behind the hashing.
# Hashes made with other parameters still verify and are upgraded at the next sign-in.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Checked against when the handle is unknown, so that the answer takes as long as for a known one.
_DUMMY_HASH = _hasher.hash("coord: no such person")


class RefusalKind(StrEnum):
    BAD_TOKEN = "bad_token"
    BAD_PASSWORD = "bad_password"
    LOCKED = "locked"
    NOT_PERMITTED = "not_permitted"
    CSRF = "csrf"


REFUSAL_LABELS = {
    RefusalKind.BAD_TOKEN: ("令牌无效", "bad token"),
    RefusalKind.BAD_PASSWORD: ("密码错误或人员未知", "bad password or unknown person"),
    RefusalKind.LOCKED: ("账号已锁定", "account locked"),
    RefusalKind.NOT_PERMITTED: ("无权操作", "not permitted"),
    RefusalKind.CSRF: ("表单校验失败（CSRF）", "bad form token (CSRF)"),
}


@dataclass(frozen=True)
class Request:
    """Where a request came from, as the refusal log records it."""

    method: str
    path: str
    remote: str | None = None


@dataclass(frozen=True)
class SignedIn:
    """A new session: the cookie's value (shown to the browser once) and the form token."""

    handle: str
    key: str
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class SessionIdentity:
    handle: str
    csrf_token: str
    key_hash: str
    viewer: Viewer


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def check_password_rules(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"密码至少 {MIN_PASSWORD_LENGTH} 个字符", f"a password needs at least "
                           f"{MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"密码最多 {MAX_PASSWORD_LENGTH} 个字符", f"a password has at most "
                           f"{MAX_PASSWORD_LENGTH} characters")
    if not password.strip():
        raise InvalidInput("密码不能全是空白", "a password cannot be only spaces")
    return password


def set_password(uow: UnitOfWork, *, caller: Caller, handle: str, password: str) -> PersonView:
    """Set the password a person signs in to the pages with. Admins, or the person; audited (not the hash)."""
    return store_password(uow, caller=caller, handle=handle, hashed=hash_password(password))


def hash_password(password: str) -> str:
    """The stored form of a new password (argon2id), after the rules; about 30 ms of one core, without the GIL,
    so many can be hashed on another thread meanwhile (the demo's people)."""
    return _hasher.hash(check_password_rules(password))


def store_password(uow: UnitOfWork, *, caller: Caller, handle: str, hashed: str) -> PersonView:
    """`set_password` with the hash made beforehand by `hash_password`."""
    return change_own_or_as_admin(uow, caller=caller, handle=handle, zh="设置他人的密码",
                                  en="set the password of others", values={"password_hash": hashed},
                                  action="password_set", recorded={"password": "set"})


def record_refusal(uow: UnitOfWork, *, now: datetime, kind: RefusalKind, request: Request,
                   handle: str | None = None, detail: str = "") -> None:
    with uow:
        uow.session.add(Refusal(at=now, kind=kind.value, handle=(handle or None) and handle[:40],
                                method=request.method[:10], path=request.path[:300],
                                remote=request.remote and request.remote[:60], detail=detail[:500]))
        uow.commit()


def locked_until(uow: UnitOfWork, *, handle: str, now: datetime) -> datetime | None:
    """When the account's lock ends, if it is locked now.

    Five failed sign-ins within 15 minutes, with no successful one since, lock it until 15 minutes
    after the fifth. Attempts while locked are logged as `locked`, so they do not prolong it.
    """
    window = timedelta(minutes=LOCK_MINUTES)
    with uow:
        session = uow.session
        last_success = session.exec(select(func.max(WebSession.created_at)).where(WebSession.handle == handle)).one()
        since = now - 2 * window  # older failures can no longer lock the account now
        if last_success is not None:
            since = max(since, last_success)
        failures = session.exec(
            select(Refusal.at).where(Refusal.handle == handle, Refusal.kind == RefusalKind.BAD_PASSWORD.value,
                                     col(Refusal.at) > since)
            .order_by(col(Refusal.at).desc()).limit(LOCK_AFTER_FAILURES)).all()
        if len(failures) < LOCK_AFTER_FAILURES:
            return None
        newest, oldest = _aware(failures[0]), _aware(failures[-1])
        until = newest + window
        return until if newest - oldest <= window and now < until else None


def _aware(moment: Any) -> datetime:
    assert isinstance(moment, datetime)
    return moment


def sign_in(uow_factory: Any, *, handle: str, password: str, now: datetime, request: Request) -> SignedIn:
    """Check a password and open a session; every failure is refused with the same words and logged.

    `uow_factory` makes a fresh unit of work per step: the refusal must be written even when the sign-in fails.
    """
    handle = handle.strip()
    until = locked_until(uow_factory(), handle=handle, now=now) if handle else None
    if until is not None:
        record_refusal(uow_factory(), now=now, kind=RefusalKind.LOCKED, request=request, handle=handle)
        minutes = max(1, int((until - now).total_seconds() + 59) // 60)
        raise NotPermitted(f"连续 {LOCK_AFTER_FAILURES} 次密码错误，账号已锁定，请 {minutes} 分钟后再试",
                           f"{LOCK_AFTER_FAILURES} failed sign-ins: the account is locked for {minutes} more minutes")
    with uow_factory() as uow:
        person = uow.session.get(Person, handle) if handle else None
        stored = person.password_hash if person is not None and person.active else None
    if not _verify(stored, password):
        record_refusal(uow_factory(), now=now, kind=RefusalKind.BAD_PASSWORD, request=request, handle=handle)
        raise NotPermitted("用户名或密码不正确", "wrong handle or password")
    key, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = now + timedelta(hours=SESSION_HOURS)
    with uow_factory() as uow:
        uow.session.add(WebSession(key_hash=_digest(key), handle=handle, csrf_token=csrf, created_at=now,
                                   expires_at=expires, remote=request.remote and request.remote[:60]))
        if stored is not None and _hasher.check_needs_rehash(stored) and person is not None:
            uow.session.execute(update(Person).where(col(Person.handle) == handle)
                                .values(password_hash=_hasher.hash(password)))
        uow.commit()
    return SignedIn(handle, key, csrf, expires)


def _verify(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def session_identity(uow: UnitOfWork, *, key: str, now: datetime) -> SessionIdentity | None:
    """The person a session cookie stands for; None once it expired, ended, or its person was deactivated."""
    if not key or len(key) > 100:
        return None
    key_hash = _digest(key)
    with uow:
        found = uow.session.get(WebSession, key_hash)
        if found is None or found.ended_at is not None or found.expires_at <= now:
            return None
        snapshot = directory(uow.session)
        person = snapshot.people.get(found.handle)
        if person is None or not person.active:
            return None
        return SessionIdentity(found.handle, found.csrf_token, key_hash, viewer_in(snapshot, found.handle))


def sign_out(uow: UnitOfWork, *, key_hash: str, now: datetime) -> None:
    with uow:
        uow.session.execute(update(WebSession).where(col(WebSession.key_hash) == key_hash,
                                                     col(WebSession.ended_at).is_(None)).values(ended_at=now))
        uow.commit()


def end_sessions(uow: UnitOfWork, *, caller: Caller, handle: str) -> int:
    """Sign a person out everywhere (admins, or the person). Returns how many sessions ended."""
    with uow:
        session = uow.session
        actor = load_actor(session, caller.handle, caller)
        if actor.handle != handle:
            require_role(actor, Role.ADMIN, zh="让他人退出登录", en="sign others out")
        if session.get(Person, handle) is None:
            raise NotFound(f"人员 {handle} 不存在", f"person {handle} not found")
        result = session.execute(update(WebSession).where(col(WebSession.handle) == handle,
                                                          col(WebSession.ended_at).is_(None))
                                 .values(ended_at=caller.now))
        uow.commit()
        return int(getattr(result, "rowcount", 0) or 0)


def token_holder(uow: UnitOfWork, *, token: str) -> str | None:
    """The active person whose personal access token this is, or None."""
    found = token_identity(uow, token=token)
    return found[0] if found is not None else None


def token_identity(uow: UnitOfWork, *, token: str) -> tuple[str, Viewer] | None:
    """The active holder of a personal access token and what they see, in one read; None for a bad token."""
    with uow:
        snapshot = directory(uow.session)
        handle = snapshot.token_holders.get(token_digest(token))
        return (handle, viewer_in(snapshot, handle)) if handle is not None else None


@dataclass(frozen=True)
class RefusalView:
    id: int
    at: datetime
    kind: str
    handle: str | None
    method: str
    path: str
    remote: str | None
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at.isoformat(), "kind": self.kind, "handle": self.handle,
                "method": self.method, "path": self.path, "remote": self.remote, "detail": self.detail}


def list_refusals(uow: UnitOfWork, *, caller: Caller, limit: int = 100, handle: str | None = None,
                  kind: str | None = None) -> list[RefusalView]:
    """The newest refusals first. Admins only: it names who tried what (services/refusals.py)."""
    from coordination.services import refusals

    return refusals.list_refusals(uow, caller=caller, limit=limit, handle=handle, kind=kind)
