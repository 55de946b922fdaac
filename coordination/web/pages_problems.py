"""Problems: the list with its filters, one problem with the actions its reader may take, raising one."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from coordination.domain.enums import CATEGORIES, Action, Difficulty, Light, State
from coordination.domain.errors import Conflict, CoordError, InvalidInput, NotFound, StaleVersion
from coordination.domain.problem import ActionInput
from coordination.domain.transitions import PROBLEM_ACTIONS, TRANSITIONS
from coordination.domain.workdays import ChosenDate
from coordination.services import issue_reads, issues, todo
from coordination.services.calendar import non_working_day_of
from coordination.web.app import status_of
from coordination.web.auth import Identity, check_csrf, page_identity
from coordination.web.pages_common import Pager, choice, page, page_number

router = APIRouter(include_in_schema=False)

LIST_PAGE_SIZE = 30
OPEN = "open"  # the state filter's "still in hand" choice
TEXT = 2000  # the longest reason or detail a form takes

# What each action asks for beyond the table's reason (the form's fields, in order).
ACTION_FIELDS: dict[Action, tuple[str, ...]] = {
    Action.ASSIGN: ("unit", "co_units", "difficulty", "due"),
    Action.REQUEST_EXTENSION: ("days",),
}
# Taken from the page: every action a person takes directly (not a meeting's, not the calendar's).
PAGE_ACTIONS = frozenset(PROBLEM_ACTIONS)


def _list_filters(state: str, light: str, unit: str, project: str, q: str, offset: int) -> issue_reads.ProblemFilter:
    return issue_reads.ProblemFilter(
        limit=LIST_PAGE_SIZE, offset=offset,
        state=None if state in ("", OPEN) else choice(State, state, "状态", "state"),
        open_only=state == OPEN,
        light=choice(Light, light, "亮灯", "light"),
        unit=unit.strip() or None, project=project.strip() or None, q=q.strip()[:100] or None,
    )


@router.get("/problems", response_class=HTMLResponse)
def problem_list(
    request: Request, identity: Annotated[Identity, Depends(page_identity)],
    state: str = "", light: str = "", unit: str = "", project: str = "", q: str = "",
) -> HTMLResponse:
    """问题清单 with filters and paging, only the problems this person sees."""
    number = page_number(request.query_params.get("page"))
    keep = tuple((k, v) for k, v in (("state", state), ("light", light), ("unit", unit), ("project", project),
                                     ("q", q)) if v)
    filters = _list_filters(state, light, unit, project, q, (number - 1) * LIST_PAGE_SIZE)
    found = issue_reads.problem_page(identity.reader(), today=identity.caller.today, viewer=identity.viewer,
                                     filters=filters)
    pager = Pager(number, LIST_PAGE_SIZE, found.total, "/problems", keep)
    return page(request, identity, "problems.html", {
        "items": found.items, "pager": pager,
        "chosen": {"state": state, "light": light, "unit": unit, "project": project, "q": q},
    })


@router.get("/problems/new", response_class=HTMLResponse)
def raise_form(request: Request, identity: Annotated[Identity, Depends(page_identity)],
               project: str = "") -> HTMLResponse:
    """上报问题: the projects this person may raise on."""
    choices = todo.raisable_projects(identity.reader(), handle=identity.handle)
    return _raise_page(request, identity, choices, {"project": project}, None)


def _raise_page(request: Request, identity: Identity, choices: list[tuple[str, str]], values: dict[str, str],
                error: CoordError | None, status_code: int = 200) -> HTMLResponse:
    return page(request, identity, "raise.html", {
        "projects": choices, "categories": CATEGORIES, "values": values,
        "error": (error.zh, error.en) if error else None}, status_code=status_code)


@router.post("/problems")
def raise_problem(
    request: Request, identity: Annotated[Identity, Depends(page_identity)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    project: Annotated[str, Form(max_length=40)] = "",
    title: Annotated[str, Form(max_length=400)] = "",
    category: Annotated[str, Form(max_length=40)] = "",
    detail: Annotated[str, Form(max_length=TEXT)] = "",
) -> Response:
    check_csrf(request, identity, csrf_token)
    try:
        if not project:
            raise InvalidInput("请选择项目", "choose a project")
        raised = issues.raise_problem(identity.writer(), caller=identity.caller, project=project, title=title,
                                      category=category, detail=detail)
    except (InvalidInput, Conflict, NotFound) as refused:
        choices = todo.raisable_projects(identity.reader(), handle=identity.handle)
        values = {"project": project, "title": title, "category": category, "detail": detail}
        return _raise_page(request, identity, choices, values, refused, status_code=status_of(refused))
    return RedirectResponse(f"/problems/{raised.id}?done=raise", status_code=303)


@router.get("/problems/{problem_id}", response_class=HTMLResponse)
def problem_page(request: Request, problem_id: str,
                 identity: Annotated[Identity, Depends(page_identity)]) -> HTMLResponse:
    """One problem: its fields, light, timeline, and a form for each action this person may take now."""
    return _detail(request, identity, problem_id)


def _detail(request: Request, identity: Identity, problem_id: str, *, error: CoordError | None = None,
            stale: bool = False, tried: Action | None = None, entered: dict[str, Any] | None = None,
            status_code: int = 200) -> HTMLResponse:
    detail = issue_reads.show_problem(identity.reader(), problem_id=problem_id.strip().upper(),
                                      today=identity.caller.today, viewer=identity.viewer)
    actions = detail.actions or []
    proposed = None
    if Action.ASSIGN in actions:  # the routing table's unit for the category, preselected
        proposed = issues.proposed_unit(identity.reader(), category=str(detail.problem.record["category"]))
    return page(request, identity, "problem.html", {
        "p": detail.problem, "r": detail.problem.record, "timeline": detail.timeline, "actions": actions,
        "rules": TRANSITIONS, "fields": ACTION_FIELDS, "difficulties": list(Difficulty), "proposed": proposed,
        "error": (error.zh, error.en) if error else None, "stale": stale, "tried": tried,
        "entered": entered or {},
    }, status_code=status_code)


def _int(text: str, zh: str, en: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidInput(f"{zh}应为整数：{text}", f"{en} must be a whole number: {text}") from None


def _inputs(action: Action, reason: str, unit: str, co_units: list[str], difficulty: str, due: str,
            days: str) -> ActionInput:
    due_day = None
    if due.strip():
        try:
            due_day = date.fromisoformat(due.strip())
        except ValueError:
            raise InvalidInput(f"办结期限不是日期：{due}", f"the due date is not a date: {due}") from None
    return ActionInput(
        reason=reason.strip() or None,
        unit=(unit.strip() or None) if action is Action.ASSIGN else None,
        co_units=tuple(c for c in dict.fromkeys(co_units) if c and c != unit) if action is Action.ASSIGN else (),
        difficulty=choice(Difficulty, difficulty, "难度", "difficulty") if action is Action.ASSIGN else None,
        due=due_day if action is Action.ASSIGN else None,
        extension_days=_int(days, "延期天数", "days") if action is Action.REQUEST_EXTENSION and days.strip() else None,
    )


@router.post("/problems/{problem_id}/actions/{action_name}")
def take_action(
    request: Request, problem_id: str, action_name: str,
    identity: Annotated[Identity, Depends(page_identity)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    version: Annotated[str, Form(max_length=12)] = "",
    reason: Annotated[str, Form(max_length=TEXT)] = "",
    unit: Annotated[str, Form(max_length=40)] = "",
    co_units: Annotated[list[str] | None, Form()] = None,
    difficulty: Annotated[str, Form(max_length=2)] = "",
    due: Annotated[str, Form(max_length=20)] = "",
    days: Annotated[str, Form(max_length=6)] = "",
) -> Response:
    """One action of the transition table on one problem; Post/Redirect/Get, or the page again with why not."""
    check_csrf(request, identity, csrf_token)
    try:
        action = Action(action_name)
    except ValueError:
        action = None
    if action not in PAGE_ACTIONS:
        raise NotFound(f"没有“{action_name}”这项操作", f"no action {action_name}")
    assert action is not None
    pid = problem_id.strip().upper()
    entered = {"reason": reason, "unit": unit, "co_units": co_units or [], "difficulty": difficulty, "due": due,
               "days": days}
    try:
        if not version.strip():
            raise InvalidInput("表单缺少版本号，请刷新页面后重试", "the form has no version; reload the page")
        inputs = _inputs(action, reason, unit, co_units or [], difficulty, due, days)
        issues.act(identity.writer(), caller=identity.caller, problem_id=pid, action=action, inputs=inputs,
                   expected_version=_int(version, "版本号", "version"), viewer=identity.viewer)
    except StaleVersion as stale:
        # Someone else moved the problem meanwhile: show it as it is now, and keep what was typed.
        return _detail(request, identity, pid, error=stale, stale=True, tried=action, entered=entered,
                       status_code=status_of(stale))
    except (InvalidInput, Conflict) as refused:
        return _detail(request, identity, pid, error=refused, tried=action, entered=entered,
                       status_code=status_of(refused))
    # An explicit due date on a day off is saved as given; the page after the redirect says so.
    day_off = (non_working_day_of(identity.reader(), inputs.due, ChosenDate.DUE)
               if action is Action.ASSIGN and inputs.due is not None else None)
    warned = f"&dayoff={inputs.due.isoformat()}" if day_off is not None and inputs.due is not None else ""
    return RedirectResponse(f"/problems/{pid}?done={action.value}{warned}", status_code=303)
