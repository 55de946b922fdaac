"""What every API route shares: who is asking, the documented error answers, and strict value parsing."""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from coordination.domain.enums import Action
from coordination.domain.errors import InvalidInput
from coordination.domain.transitions import TRANSITIONS
from coordination.web.app import error_body
from coordination.web.auth import Identity, api_identity

# Declared only so that the OpenAPI document names the scheme; `api_identity` does the checking and
# answers 401 in the API's own error shape (auto_error would answer FastAPI's instead).
BEARER = HTTPBearer(auto_error=False, scheme_name="bearer",
                    description="个人访问令牌（coord person token create） / personal access token")


async def _identity(request: Request,
                    _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)]) -> Identity:
    return await api_identity(request)


Me = Annotated[Identity, Depends(_identity)]

# The actions a person takes directly through POST /api/problems/{id}/actions/{action}.
DIRECT_ACTIONS = tuple(a.value for a in Action if a is not Action.RAISE and TRANSITIONS[a].taken_by is None)


class ErrorInfo(BaseModel):
    code: str
    message: str
    message_en: str


class ErrorBody(BaseModel):
    """Every error the API answers: a code, the Chinese message and its English."""

    error: ErrorInfo


ERRORS: dict[int, tuple[str, str]] = {
    400: ("请求参数无效", "invalid input"),
    401: ("缺少或无效的访问令牌", "missing or invalid access token"),
    403: ("无权执行（已记入拒绝记录）", "not permitted (logged)"),
    404: ("不存在或不可见", "not found, or not visible to you"),
    409: ("当前状态不允许该操作", "not allowed in the current state"),
    412: ("版本已过期：他人已修改，请重新读取", "stale version: reload and retry"),
    422: ("请求格式不正确", "malformed request"),
    428: ("缺少 If-Match 头", "If-Match header required"),
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for these statuses (401 always: every route needs a token)."""
    return {status: {"model": ErrorBody, "description": f"{ERRORS[status][0]} / {ERRORS[status][1]}"}
            for status in sorted({401, *statuses})}


def ok(description: str, **more: Any) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for the 200 answer ("中文 / English")."""
    return {200: {"description": description, **more}}


E = TypeVar("E", bound=StrEnum)


def choice(kind: type[E], text: str | None, what_zh: str, what_en: str) -> E | None:
    """`text` as a member of `kind` (None stays None); an unknown value is a 400 naming the choices."""
    if text is None or not text.strip():
        return None
    try:
        return kind(text.strip())
    except ValueError:
        values = [member.value for member in kind]
        raise InvalidInput(f"未知{what_zh} {text}（可选 {'、'.join(values)}）",
                           f"unknown {what_en} {text} (one of {', '.join(values)})") from None


T = TypeVar("T")


def parsed(parse: Callable[[str], T], text: str | None, zh: str, en: str) -> T | None:
    """`parse(text)`, or a 400 with the message given when it raises ValueError."""
    if text is None or not text.strip():
        return None
    try:
        return parse(text.strip())
    except ValueError:
        raise InvalidInput(zh, en) from None


_IF_MATCH = re.compile(r'^\s*"(\d{1,9})"\s*$')


def expected_version(if_match: str | None, subject_zh: str = "问题", subject_en: str = "the problem"
                     ) -> int | JSONResponse | None:
    """The version named in If-Match; `*` acts on whatever version is current (RFC 9110), nothing is 428."""
    if if_match is None or not if_match.strip():
        return JSONResponse(error_body(
            "precondition_required",
            f"缺少 If-Match 头：请先读取{subject_zh}，把其 ETag（如 \"3\"）放入 If-Match 后再提交",
            f'If-Match required: read {subject_en} first and send its ETag (e.g. "3") in If-Match'),
            status_code=428)
    if if_match.strip() == "*":
        return None
    found = _IF_MATCH.match(if_match)
    if found is None:
        raise InvalidInput(f"If-Match 头格式不正确：{if_match}（应为带引号的版本号，如 \"3\"）",
                           f'malformed If-Match: {if_match} (a quoted version such as "3")')
    return int(found[1])
