"""/login and /logout: a password opens a server-side session; signing out ends it."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from coordination import config
from coordination.domain.errors import NotPermitted
from coordination.services import access
from coordination.uow import UnitOfWork
from coordination.web.auth import (
    SESSION_COOKIE,
    Identity,
    check_csrf,
    engine_of,
    page_identity,
    request_info,
    secure_cookies,
)
from coordination.web.templating import render

router = APIRouter(include_in_schema=False)

# The sign-in form has no session yet: its CSRF token is a double-submit cookie.
LOGIN_CSRF_COOKIE = "coord_login_csrf"


def _safe_next(target: str | None) -> str:
    """Only paths on this site: never an open redirect."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _login_page(request: Request, target: str, *, handle: str = "", error: tuple[str, str] | None = None,
                status_code: int = 200) -> Response:
    """The sign-in form, with its double-submit token in a cookie (a new one when the browser has none)."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, "login.html", {"next": target, "login_csrf": token, "handle": handle,
                                              "error": error}, status_code=status_code)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure_cookies(request),
                        path="/login")
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    return _login_page(request, _safe_next(next))


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    handle: Annotated[str, Form(max_length=40)] = "",
    password: Annotated[str, Form(max_length=access.MAX_PASSWORD_LENGTH)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    target = _safe_next(next)
    if not expected or not csrf_token or not hmac.compare_digest(expected, csrf_token):
        access.record_refusal(UnitOfWork(engine_of(request)), now=config.now(), kind=access.RefusalKind.CSRF,
                              request=request_info(request), handle=handle or None, detail="sign-in form")
        return _login_page(request, target, handle=handle,
                           error=("页面已过期，请重新登录", "the page expired; sign in again"), status_code=403)
    engine = engine_of(request)
    try:
        signed = access.sign_in(lambda: UnitOfWork(engine), handle=handle, password=password, now=config.now(),
                                request=request_info(request))
    except NotPermitted as refused:
        return _login_page(request, target, handle=handle, error=(refused.zh, refused.en), status_code=401)
    response = RedirectResponse(target, status_code=303)
    max_age = int((signed.expires_at - config.now()).total_seconds())
    response.set_cookie(SESSION_COOKIE, signed.key, max_age=max_age, httponly=True, samesite="lax",
                        secure=secure_cookies(request))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(
    request: Request,
    identity: Annotated[Identity, Depends(page_identity)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    check_csrf(request, identity, csrf_token)
    assert identity.session_key_hash is not None
    access.sign_out(UnitOfWork(engine_of(request)), key_hash=identity.session_key_hash, now=config.now())
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
