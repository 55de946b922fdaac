"""What each action does to a plan task: who may take it (from TASK_TRANSITIONS) and which fields it changes.

Pure, like `domain/problem.py`: functions take the facts and return the changed fields. The scopes a task
knows are the unit ones (any, lead unit, lead or co-unit): a task has no project roster.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from coordination.domain.enums import Role
from coordination.domain.errors import Conflict, InvalidInput, NotPermitted
from coordination.domain.hygiene import (
    TEXT_MAX,
    TITLE_MAX,
    check_day,
    check_extended_due,
    clean_reason,
    optional_text,
    required_text,
)
from coordination.domain.labels import bilingual
from coordination.domain.problem import Actor
from coordination.domain.task_workflow import TASK_TRANSITIONS, TaskAction, TaskRule, TaskState
from coordination.domain.transitions import Guard, Scope


@dataclass(frozen=True)
class TaskFacts:
    """The parts of a task row the rules look at."""

    id: str
    state: TaskState
    lead_unit: str
    due_date: date
    co_units: tuple[str, ...] = ()
    title: str = ""
    detail: str | None = None
    submitted_by_unit: str | None = None
    submitted_on: date | None = None
    adjust_count: int = 0
    return_count: int = 0


@dataclass(frozen=True)
class TaskInput:
    """What the acting person supplied with an action (an adjustment names only what it changes)."""

    reason: str | None = None
    title: str | None = None
    detail: str | None = None
    due: date | None = None
    co_units: tuple[str, ...] | None = None


def _in_scope(scope: Scope, actor: Actor, task: TaskFacts | None) -> bool:
    match scope:
        case Scope.ANY:
            return True
        case Scope.LEAD_UNIT:
            return task is not None and actor.unit is not None and actor.unit == task.lead_unit
        case Scope.LEAD_OR_CO_UNIT:
            return task is not None and actor.unit is not None and (
                actor.unit == task.lead_unit or actor.unit in task.co_units)
        case _:  # project scopes: a task has no roster, so nobody reaches it through one
            return False


def require_allowed_state(action: TaskAction, task: TaskFacts) -> None:
    """Conflict unless the transition table allows `action` from the task's state."""
    if not TASK_TRANSITIONS[action].allows_from(task.state):
        action_zh, action_en = bilingual(action)
        state_zh, state_en = bilingual(task.state)
        raise Conflict(f"任务 {task.id} 当前为{state_zh}，不能{action_zh}",
                       f"cannot {action_en} {task.id} while {state_en}")


def authorize_task(action: TaskAction, actor: Actor, task: TaskFacts | None) -> Role:
    """The role under which `actor` may take `action` (on `task`; None: adding one).

    The same order of checks as a problem's: a role that ever takes the action (else not permitted),
    the state (else conflict), the scope (else not permitted).
    """
    rule = TASK_TRANSITIONS[action]
    action_zh, action_en = bilingual(action)
    subject_zh, subject_en = (f"任务 {task.id}", task.id) if task is not None else ("重点任务", "a plan task")
    eligible = [role for role in rule.roles if role in actor.roles]
    if not eligible:
        raise NotPermitted(f"{actor.handle} 的角色不能对{subject_zh} 执行“{action_zh}”",
                           f"{actor.handle} has no role that may {action_en} {subject_en}")
    if task is not None:
        require_allowed_state(action, task)
    for role in eligible:
        if _in_scope(rule.roles[role], actor, task):
            return role
    raise NotPermitted(f"{actor.handle} 不是{subject_zh}的牵头或配合单位人员，不能{action_zh}",
                       f"{actor.handle} is not of {subject_en}'s lead or co-units and may not {action_en} it")


def _check_guards(rule: TaskRule, actor: Actor, task: TaskFacts) -> None:
    action_zh, action_en = bilingual(rule.action)
    for guard in rule.guards:
        if guard is Guard.NOT_RESOLVING_UNIT and actor.unit is not None and actor.unit == task.submitted_by_unit:
            raise NotPermitted(
                f"{actor.handle} 属于申请完成的单位 {actor.unit}，不能{action_zh}本单位的任务 {task.id}",
                f"{actor.handle} belongs to {actor.unit}, which asked for completion, and may not "
                f"{action_en} {task.id}")


def available_task_actions(actor: Actor, task: TaskFacts) -> list[TaskAction]:
    """The actions `actor` may take on `task` now, in the table's order (role, scope, state, guards)."""
    offered: list[TaskAction] = []
    for action in TASK_TRANSITIONS:
        if action is TaskAction.ADD:
            continue
        try:
            authorize_task(action, actor, task)
            _check_guards(TASK_TRANSITIONS[action], actor, task)
        except (NotPermitted, Conflict):
            continue
        offered.append(action)
    return offered


def _clean_title(title: str) -> str:
    return required_text(title, field_zh="任务名称", field_en="the task's title", option="--title", max_len=TITLE_MAX)


def _clean_detail(detail: str | None) -> str | None:
    return optional_text(detail, field_zh="任务内容", field_en="the detail", option="--detail", max_len=TEXT_MAX,
                         multiline=True)


def _future_due(due: date, today: date) -> date:
    check_day(due, field_zh="完成期限", field_en="the due date", option="--due")
    if due <= today:
        raise InvalidInput(f"完成期限 {due} 必须晚于今天 {today}", f"due date {due} must be after today {today}")
    return due


def _co_units(lead_unit: str, co_units: tuple[str, ...]) -> list[str]:
    if lead_unit in co_units:
        raise InvalidInput("牵头单位不能同时是配合单位", "the lead unit cannot also be a co-unit")
    return list(dict.fromkeys(co_units))


def new_task(*, plan: str, title: str, detail: str | None, lead_unit: str, co_units: tuple[str, ...],
             due: date, added_by: str, today: date) -> dict[str, Any]:
    """The fields of a task just added: 已分解, waiting for its lead unit to sign."""
    return {
        "plan": plan,
        "title": _clean_title(title),
        "detail": _clean_detail(detail),
        "state": TaskState.DECOMPOSED,
        "lead_unit": lead_unit,
        "co_units": _co_units(lead_unit, co_units),
        "added_by": added_by,
        "added_on": today,
        "due_date": _future_due(due, today),
        "signed_on": None,
        "last_progress_on": None,
        "reminded_on": None,
        "submitted_by_unit": None,
        "submitted_on": None,
        "completed_on": None,
        "completed_on_time": None,
        "adjust_count": 0,
        "return_count": 0,
    }


def plan_task(action: TaskAction, actor: Actor, task: TaskFacts, inputs: TaskInput, *, today: date) -> dict[str, Any]:
    """The fields `action` changes on `task`, after the reason, the guards and the inputs are checked."""
    rule = TASK_TRANSITIONS[action]
    if clean_reason(inputs.reason) is None and rule.needs_reason:
        action_zh, action_en = bilingual(action)
        raise InvalidInput(f"“{action_zh}”需要填写说明（--reason 或 --note）",
                           f"{action_en} needs a reason (--reason or --note)")
    _check_guards(rule, actor, task)
    changes: dict[str, Any] = {}
    if rule.target is not None and rule.target != task.state:
        changes["state"] = rule.target
    match action:
        case TaskAction.ACKNOWLEDGE:
            # Signing starts the monthly reporting window.
            changes.update(signed_on=today, last_progress_on=today)
        case TaskAction.PROGRESS:
            changes["last_progress_on"] = today
        case TaskAction.RESOLVE:
            changes.update(submitted_by_unit=task.lead_unit, submitted_on=today)
        case TaskAction.VERIFY:
            # On time is judged by the day the unit asked, as a problem's by the day it was resolved.
            submitted = task.submitted_on or today
            changes.update(completed_on=today, completed_on_time=submitted <= task.due_date)
        case TaskAction.REJECT:
            # Back in the unit's hands: its reporting window starts again from the return.
            changes.update(submitted_by_unit=None, submitted_on=None, return_count=task.return_count + 1,
                           last_progress_on=today)
        case TaskAction.ADJUST:
            changes.update(_adjustment(task, inputs, today))
        case _:
            pass
    return changes


def _adjustment(task: TaskFacts, inputs: TaskInput, today: date) -> dict[str, Any]:
    changed: dict[str, Any] = {}
    if inputs.title is not None and _clean_title(inputs.title) != task.title:
        changed["title"] = _clean_title(inputs.title)
    if inputs.detail is not None and _clean_detail(inputs.detail) != task.detail:
        changed["detail"] = _clean_detail(inputs.detail)
    if inputs.due is not None and inputs.due != task.due_date:
        # Moving the due date later is an extension: at most a year past the old date (or today, if overdue).
        changed["due_date"] = check_extended_due(max(task.due_date, today), _future_due(inputs.due, today))
    if inputs.co_units is not None and tuple(_co_units(task.lead_unit, inputs.co_units)) != task.co_units:
        changed["co_units"] = _co_units(task.lead_unit, inputs.co_units)
    if not changed:
        raise InvalidInput(f"调整任务 {task.id} 需要写明新的名称、内容、配合单位或完成期限（与现在不同）",
                           f"adjusting {task.id} needs a new title, detail, co-units or due date")
    return {**changed, "adjust_count": task.adjust_count + 1}


def progress_reminder_due(*, state: TaskState, last_progress_on: date | None, reminded_on: date | None,
                          today: date, days: int) -> bool:
    """Whether the sweep sends a task its 督办 today: in progress, and neither a report nor a reminder
    for `days` days — once per window, so an unreported task is reminded once a month, not daily.

    The per-task form of the sweep's SQL condition (services/task_sweep.py), which tests hold to it.
    """
    if state is not TaskState.IN_PROGRESS or last_progress_on is None:
        return False
    cutoff = today - timedelta(days=days)
    return last_progress_on <= cutoff and (reminded_on is None or reminded_on <= cutoff)
