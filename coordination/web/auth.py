"""Who is asking: a bearer token for the API, a session cookie for the pages, a CSRF token for forms.

Each request resolves to an `Identity` before any use case runs; the use cases then act for that
person exactly as they do for the command line, and the rules they enforce are the same.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine

from coordination import config
from coordination.services import access
from coordination.services.common import Caller, token_digest
from coordination.services.snapshot import last_known
from coordination.services.visibility import Viewer, viewer_in, viewer_of
from coordination.uow import UnitOfWork

SESSION_COOKIE = "coord_session"
LANG_COOKIE = "coord_lang"


class NotSignedIn(Exception):
    """No valid identity: 401 for the API, a redirect to /login for the pages."""

    def __init__(self, zh: str = "请先登录", en: str = "sign in first") -> None:
        super().__init__(zh)
        self.zh, self.en = zh, en


class BadFormToken(Exception):
    """A form arrived without this session's CSRF token."""


@dataclass(frozen=True)
class Identity:
    handle: str
    engine: Engine
    now: datetime
    via: str  # "token" (API) or "session" (pages)
    csrf_token: str | None = None
    session_key_hash: str | None = None
    token: str | None = None  # the API's bearer token, checked again inside every write
    known_viewer: Viewer | None = None

    @property
    def caller(self) -> Caller:
        # A token-bearing caller is re-checked by load_actor in the write's own transaction: a token
        # revoked a moment ago writes nothing, whatever this process last knew.
        return Caller(handle=self.handle, now=self.now, origin="web", token=self.token,
                      require_token=self.token is not None)

    @cached_property
    def viewer(self) -> Viewer:
        if self.known_viewer is not None:
            return self.known_viewer
        with UnitOfWork(self.engine, write=False) as uow:
            return viewer_of(uow.session, self.handle)

    def reader(self) -> UnitOfWork:
        return UnitOfWork(self.engine, write=False)

    def writer(self) -> UnitOfWork:
        return UnitOfWork(self.engine)


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def request_info(request: Request) -> access.Request:
    client = request.client.host if request.client else None
    return access.Request(request.method, request.url.path, client)


def refuse(request: Request, kind: access.RefusalKind, handle: str | None, detail: str = "") -> None:
    """Write one line to the refusal log (its own transaction: the request itself writes nothing)."""
    access.record_refusal(UnitOfWork(engine_of(request)), now=config.now(), kind=kind,
                          request=request_info(request), handle=handle, detail=detail)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def api_identity(request: Request) -> Identity:
    """`Authorization: Bearer <personal access token>`; anything else is 401 (a bad token is logged).

    Reads confirm the token in a transaction of their own before answering. Writes take the holder
    from the directory this process last read and leave the confirmation to the write's transaction
    (load_actor checks the token there): no database round trip and no thread hop before the action.
    Whatever touches the database runs in the thread pool, never on the event loop.
    """
    header = request.headers.get("authorization", "")
    scheme, _, presented = header.partition(" ")
    token = presented.strip()
    if scheme.lower() != "bearer" or not token:
        raise NotSignedIn("缺少访问令牌：请在 Authorization 头中提供 Bearer 令牌",
                          "missing access token: send Authorization: Bearer <token>")
    engine = engine_of(request)
    found: tuple[str, Viewer] | None = None
    if request.method not in SAFE_METHODS:
        known = last_known(engine)
        handle = known.token_holders.get(token_digest(token)) if known is not None else None
        if known is not None and handle is not None:
            found = (handle, viewer_in(known, handle))
    if found is None:
        found = await run_in_threadpool(access.token_identity, UnitOfWork(engine, write=False), token=token)
    if found is None:
        await run_in_threadpool(refuse, request, access.RefusalKind.BAD_TOKEN, None, f"token {token[:10]}…")
        raise NotSignedIn("访问令牌无效或已吊销", "invalid or revoked access token")
    identity = Identity(found[0], engine, config.now(), "token", token=token, known_viewer=found[1])
    request.state.identity = identity
    return identity


def page_identity(request: Request) -> Identity:
    """The signed-in person of a page request; NotSignedIn (→ /login) without a live session."""
    key = request.cookies.get(SESSION_COOKIE, "")
    engine = engine_of(request)
    now = config.now()
    found = access.session_identity(UnitOfWork(engine, write=False), key=key, now=now) if key else None
    if found is None:
        raise NotSignedIn()
    identity = Identity(found.handle, engine, now, "session", found.csrf_token, found.key_hash,
                        known_viewer=found.viewer)
    request.state.identity = identity
    return identity


def check_csrf(request: Request, identity: Identity, presented: str | None) -> None:
    """Forms carry the session's token in `csrf_token`; a missing or wrong one is refused and logged."""
    expected = identity.csrf_token or ""
    if not presented or not expected or not hmac.compare_digest(presented, expected):
        refuse(request, access.RefusalKind.CSRF, identity.handle)
        raise BadFormToken()


def secure_cookies(request: Request) -> bool:
    """Cookies are marked Secure when the browser reached us over HTTPS (directly or via the proxy)."""
    return request.url.scheme == "https" or bool(getattr(request.app.state, "secure_cookies", False))


def lang_of(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "zh"
    return "en" if chosen == "en" else "zh"
