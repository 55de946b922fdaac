"""The JSON API under /api: who I am, problems and their actions (reads in api_reads, the docs in api_docs).

Every route acts for the bearer of a personal access token through the same use cases as the command
line, and reads only what that person sees (services/visibility.py): a problem outside their sight is
404. Writes name the version they saw (If-Match), so that two people never overwrite each other.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Header, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from coordination.domain.enums import Action, Difficulty, Level, Light, State, parse_category
from coordination.domain.errors import NotFound
from coordination.domain.problem import ActionInput
from coordination.domain.workdays import ChosenDate
from coordination.services import issue_reads, issues
from coordination.services.calendar import non_working_day_of
from coordination.services.snapshot import directory
from coordination.web import api_docs, api_reads
from coordination.web.api_common import DIRECT_ACTIONS, Me, choice, errors, expected_version, ok, parsed

router = APIRouter()

PROBLEMS = "问题 / problems"
PAGE_LIMIT = 50
MAX_LIMIT = 500

# `raise` (POST /api/problems), meeting decisions and due-date recomputes are still accepted as keys,
# so that the service says why they cannot be taken here; any other key is an unknown resource.
KNOWN_ACTIONS = frozenset(a.value for a in Action)


def etag(version: int) -> str:
    return f'"{version}"'


# ---- who I am ------------------------------------------------------------------------------


@router.get("/me", tags=["我 / me"], summary="当前身份与可见范围 / who I am and what I see",
            responses={**ok("身份、角色与可见范围 / the person, roles and visibility"), **errors()})
def me(identity: Me) -> JSONResponse:
    """The token's holder (handle, name, unit, roles) and what they see: everything, or their unit's
    problems (`unit`), their projects' (`projects`) and what they raised."""
    viewer = identity.viewer
    with identity.reader() as uow:
        snapshot = directory(uow.session)
        person = snapshot.person(identity.handle)
        return JSONResponse({
            "handle": person.handle, "name": person.name, "unit": person.unit,
            "unit_name": snapshot.unit_names.get(person.unit) if person.unit else None,
            "roles": sorted(role.value for role in person.roles),
            "visibility": {"sees_all": viewer.sees_all, "unit": viewer.unit,
                           "projects": sorted(viewer.projects)},
        })


# ---- problems ------------------------------------------------------------------------------


@router.get("/problems", tags=[PROBLEMS], summary="问题清单（分页） / list problems, one page",
            responses={**ok("本页问题与符合条件的总数 / the page's problems and how many match"),
                       **errors(400, 422)})
def list_problems(
    identity: Me,
    state: Annotated[str | None, Query(description="状态 / state: " + " | ".join(s.value for s in State))] = None,
    project: Annotated[str | None, Query(description="项目代码 / project code")] = None,
    unit: Annotated[str | None, Query(description="责任单位代码 / lead unit code")] = None,
    level: Annotated[str | None, Query(description="层级 / level: L1–L5")] = None,
    category: Annotated[str | None, Query(description="类别，如 用地 或 land / category")] = None,
    light: Annotated[str | None, Query(description="亮灯 / light: green | yellow | red")] = None,
    open_only: Annotated[bool, Query(alias="open", description="只看在办 / open problems only")] = False,
    q: Annotated[str | None, Query(max_length=200, description="标题关键词或问题编号 / words of the title, or a number")
                 ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="每页条数 / page size")] = PAGE_LIMIT,
    offset: Annotated[int, Query(ge=0, description="跳过条数 / problems to skip")] = 0,
) -> JSONResponse:
    """The problems the caller sees, newest first: `{"items": [...], "total": N}` where `total` counts every
    match, not just this page. Unknown filter values are 400."""
    if category is not None and category.strip():
        parsed(parse_category, category, f"未知问题类别 {category}", f"unknown category {category}")
    filters = issue_reads.ProblemFilter(
        state=choice(State, state, "状态", "state"),
        project=(project or "").strip() or None,
        unit=(unit or "").strip() or None,
        level=parsed(Level.parse, level, f"层级无效：{level}（应为 L1–L5）", f"invalid level {level} (L1–L5)"),
        category=(category or "").strip() or None,
        light=choice(Light, light, "亮灯", "light"),
        open_only=open_only, q=q, limit=limit, offset=offset)
    page = issue_reads.problem_page(identity.reader(), today=identity.caller.today, filters=filters,
                                    viewer=identity.viewer)
    return JSONResponse({"items": [view.to_json() for view in page.items], "total": page.total})


@router.get("/problems/{problem_id}", tags=[PROBLEMS], summary="问题详情与处理经过 / a problem with its timeline",
            responses={**ok("问题、时间线与你现在可执行的操作；ETag 为版本号 / the problem, its timeline and "
                            "the actions you may take; ETag is its version"), **errors(404, 422)})
def show_problem(identity: Me, problem_id: Annotated[str, Path(description="如 Q-2024-0042")]) -> JSONResponse:
    """One problem with its full timeline and `actions`, the action keys the caller may take on it now.
    The `ETag` header carries the version to send back in `If-Match`."""
    detail = issue_reads.show_problem(identity.reader(), problem_id=problem_id, today=identity.caller.today,
                                      viewer=identity.viewer)
    return JSONResponse(detail.to_json(), headers={"ETag": etag(detail.problem.version)})


class RaiseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    project: str = Field(max_length=40, description="项目代码 / project code")
    title: str = Field(max_length=1000, description="问题标题（不超过 200 字） / title")
    category: str = Field(max_length=40, description="类别，如 用地 / category, e.g. land")
    detail: str | None = Field(default=None, max_length=20000, description="详细描述 / detail")


@router.post("/problems", status_code=201, tags=[PROBLEMS], summary="上报问题 / raise a problem",
             responses={201: {"description": "已上报；Location 指向新问题 / raised; Location names it"},
                        **errors(400, 403, 404, 422)})
def raise_problem(identity: Me, body: RaiseBody) -> JSONResponse:
    """Raise a problem on a project: it starts `submitted` at L1 (who may raise: the project's specialists and
    linked leaders, units on its roster, the secretariat and the principal)."""
    view = issues.raise_problem(identity.writer(), caller=identity.caller, project=body.project, title=body.title,
                                category=body.category, detail=body.detail)
    return JSONResponse(view.to_json(), status_code=201,
                        headers={"Location": f"/api/problems/{view.id}", "ETag": etag(view.version)})


class ActionBody(BaseModel):
    """What an action takes; each action reads only the fields it needs."""

    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=20000, description="说明 / reason or note")
    unit: str | None = Field(default=None, max_length=40,
                             description="assign：责任单位（省略时按分办表） / lead unit (default: routing)")
    co_units: list[str] = Field(default_factory=list, max_length=50, description="assign：配合单位 / co-units")
    difficulty: Difficulty | None = Field(default=None, description="assign：A=30 B=15 C=5 个工作日")
    due_date: date | None = Field(default=None, description="assign：指定办结期限 / explicit due date")
    extension_days: int | None = Field(default=None, description="request_extension：工作日数 / working days")


@router.post(
    "/problems/{problem_id}/actions/{action}", tags=[PROBLEMS],
    summary="对问题执行操作（需 If-Match） / take an action on a problem (If-Match required)",
    responses={**ok("操作后的问题；ETag 为新版本号 / the problem after the action; ETag is its new version"),
               **errors(400, 403, 404, 409, 412, 422, 428)})
def take_action(
    identity: Me,
    problem_id: Annotated[str, Path(description="如 Q-2024-0042")],
    action: Annotated[str, Path(description="操作 / action: " + " | ".join(DIRECT_ACTIONS))],
    if_match: Annotated[str | None, Header(description='读取时的 ETag，如 "3" / the ETag you read, e.g. "3"')
                        ] = None,
    body: Annotated[ActionBody | None, Body()] = None,
) -> JSONResponse:
    """One action of the transition table, in one transaction, for the version named in `If-Match`:
    412 when the problem moved on since, 409 when its state does not allow the action, 403 when the
    caller may not take it (logged), 404 when they cannot see the problem or the action key is unknown."""
    if action not in KNOWN_ACTIONS:
        raise NotFound(f"未知操作 {action}（可选 {'、'.join(DIRECT_ACTIONS)}）",
                       f"unknown action {action} (one of {', '.join(DIRECT_ACTIONS)})")
    expected = expected_version(if_match)
    if isinstance(expected, JSONResponse):
        return expected
    given = body or ActionBody()
    inputs = ActionInput(reason=given.reason, unit=given.unit.strip() if given.unit else None,
                         co_units=tuple(c.strip() for c in given.co_units if c.strip()),
                         difficulty=given.difficulty, due=given.due_date, extension_days=given.extension_days)
    view = issues.act(identity.writer(), caller=identity.caller, problem_id=problem_id, action=Action(action),
                      inputs=inputs, expected_version=expected, viewer=identity.viewer)
    answer = view.to_json()
    # An explicit due date on a day off is saved as given, and said so (the command line's --strict refuses it).
    day_off = (non_working_day_of(identity.reader(), inputs.due, ChosenDate.DUE)
               if Action(action) is Action.ASSIGN and inputs.due is not None else None)
    if day_off is not None:
        zh, en = day_off.warning()
        answer["warnings"] = [{"code": "non_working_day", "message": zh, "message_en": en}]
    return JSONResponse(answer, headers={"ETag": etag(view.version)})


router.include_router(api_reads.router)
router.include_router(api_docs.router)
