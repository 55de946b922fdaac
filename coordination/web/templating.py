"""Server-rendered pages: Jinja2 templates, Chinese first, English with ?lang=en (remembered in a cookie)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from coordination.web.auth import LANG_COOKIE, lang_of

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def render(request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200,
           ) -> HTMLResponse:
    """Render `name` with the language, the signed-in person and the form token always at hand."""
    lang = lang_of(request)
    identity = getattr(request.state, "identity", None)

    def t(zh: str, en: str) -> str:
        return en if lang == "en" else zh

    values: dict[str, Any] = {
        "lang": lang,
        "t": t,
        "me": identity,
        "csrf_token": identity.csrf_token if identity is not None else None,
        "path": request.url.path,
        **(context or {}),
    }
    response = templates.TemplateResponse(request, name, values, status_code=status_code)
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="lax")
    return response
