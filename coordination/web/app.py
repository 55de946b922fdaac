"""The application: the API under /api, the pages, their static files, and one mapping of errors.

`create_app()` opens the configured database (COORD_DATABASE_URL or the default file) and refuses to
start on one that is not initialised or not upgraded. `coord web` serves it under uvicorn; in
production several workers run it behind a reverse proxy that terminates HTTPS.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from coordination import config
from coordination.db import open_database
from coordination.domain.errors import (
    Conflict,
    CoordError,
    InvalidInput,
    NotFound,
    NotPermitted,
    StaleVersion,
    Unauthenticated,
)
from coordination.services import access
from coordination.web.auth import BadFormToken, NotSignedIn, lang_of, refuse
from coordination.web.templating import render

logger = logging.getLogger("coordination.web")

# The most specific class first: a stale version is a conflict too.
STATUS_OF: tuple[tuple[type[CoordError], int], ...] = (
    (StaleVersion, 412),
    (Conflict, 409),
    (NotFound, 404),
    (NotPermitted, 403),
    (InvalidInput, 400),
)


def status_of(error: CoordError) -> int:
    for kind, status in STATUS_OF:
        if isinstance(error, kind):
            return status
    return 500


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def error_body(code: str, zh: str, en: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": zh, "message_en": en}}


def create_app(url: str | None = None, *, secure_cookies: bool | None = None) -> FastAPI:
    from coordination.web import api, items_api, items_pages, pages, signin

    engine = open_database(url or config.database_url())
    app = FastAPI(title="coord", summary="1+2+N 重大项目问题协调推进引擎 / the 1+2+N coordination engine",
                  version="1", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    app.state.engine = engine
    app.state.secure_cookies = (os.environ.get("COORD_WEB_SECURE_COOKIES", "").lower() in ("1", "true", "yes")
                                if secure_cookies is None else secure_cookies)
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")
    app.include_router(signin.router)
    app.include_router(api.router, prefix="/api")
    app.include_router(items_api.router, prefix="/api")
    app.include_router(pages.router)
    app.include_router(items_pages.router)
    _install_error_handlers(app)
    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    def not_signed_in(request: Request, error: NotSignedIn) -> Response:
        if _is_api(request):
            return JSONResponse(error_body("unauthenticated", error.zh, error.en), status_code=401,
                                headers={"WWW-Authenticate": 'Bearer realm="coord"'})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)

    @app.exception_handler(BadFormToken)
    def bad_form(request: Request, _error: BadFormToken) -> Response:
        zh = "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试"
        en = "the form expired or came from elsewhere (CSRF); reload the page"
        return render(request, "error.html", {"status": 403, "message": (zh, en)}, status_code=403)

    @app.exception_handler(CoordError)
    def coord_error(request: Request, error: CoordError) -> Response:
        if isinstance(error, Unauthenticated) and _is_api(request):
            # The token was revoked between the guess and the write: logged, and 401 like any bad token.
            refuse(request, access.RefusalKind.BAD_TOKEN, None, detail=error.en)
            return not_signed_in(request, NotSignedIn("访问令牌无效或已吊销", "invalid or revoked access token"))
        status = status_of(error)
        identity = getattr(request.state, "identity", None)
        if isinstance(error, NotPermitted):
            refuse(request, access.RefusalKind.NOT_PERMITTED, identity.handle if identity else None,
                   detail=error.en)
        if _is_api(request):
            code = {412: "stale_version", 409: "conflict", 404: "not_found", 403: "forbidden",
                    400: "invalid_input"}.get(status, "error")
            return JSONResponse(error_body(code, error.zh, error.en), status_code=status)
        return render(request, "error.html", {"status": status, "message": (error.zh, error.en)},
                      status_code=status)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if _is_api(request):
            detail = str(error.detail)
            return JSONResponse(error_body("http_error", detail, detail), status_code=error.status_code,
                                headers=getattr(error, "headers", None))
        zh = {404: "页面不存在", 405: "不支持该请求方式"}.get(error.status_code, str(error.detail))
        return render(request, "error.html", {"status": error.status_code, "message": (zh, str(error.detail))},
                      status_code=error.status_code)

    @app.exception_handler(Exception)
    def unexpected(request: Request, error: Exception) -> Response:
        # The traceback goes to the server's log (uvicorn logs the exception); the person gets words.
        logger.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
        zh, en = "服务器内部错误，本次操作未生效；请稍后重试或联系管理员", "internal error; nothing was applied"
        if _is_api(request):
            return JSONResponse(error_body("internal_error", zh, en), status_code=500)
        return render(request, "error.html", {"status": 500, "message": (zh, en)}, status_code=500)

    @app.exception_handler(RequestValidationError)
    def invalid_request(request: Request, error: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in error.errors())
        if _is_api(request):
            body = error_body("invalid_request", f"请求内容不正确：{problems}", f"invalid request: {problems}")
            body["error"]["details"] = error.errors()
            return JSONResponse(jsonable(body), status_code=422)
        lang = lang_of(request)
        message = ("提交的内容不正确：" + problems, "invalid input: " + problems)
        return render(request, "error.html", {"status": 422, "message": message, "lang": lang}, status_code=422)


def jsonable(value: Any) -> Any:
    from fastapi.encoders import jsonable_encoder

    return jsonable_encoder(value)
