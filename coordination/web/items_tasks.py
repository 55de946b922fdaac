"""Plan tasks (重点任务) on the item pages and the API: services/tasks.py applies the reader's sight and
offers the actions domain/task.py allows (its guards included), so this adapter only translates."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from coordination.domain.hygiene import TITLE_MAX
from coordination.domain.labels import word
from coordination.domain.problem import Actor
from coordination.domain.task import TaskFacts, TaskInput, available_task_actions
from coordination.domain.task_workflow import TASK_WORKFLOW, TaskAction, TaskState
from coordination.services import tasks
from coordination.web.auth import Identity
from coordination.web.items_kind import FieldKind, FormField, ItemFilter, ItemInput, ItemKind, Shown, fact

EVERY = 100_000  # the lists page in memory: a district's tasks number in the hundreds


def _list(identity: Identity, chosen: ItemFilter) -> list[dict[str, Any]]:
    filters = tasks.TaskFilter(state=TaskState(chosen.state) if chosen.state else None, unit=chosen.unit,
                               light=chosen.light, open_only=chosen.open_only, limit=EVERY)
    found = tasks.list_tasks(identity.reader(), today=identity.caller.today, filters=filters,
                             viewer=identity.viewer)
    return [view.to_json() for view in found]


def _show(identity: Identity, text: str) -> Shown:
    detail = tasks.show_task(identity.reader(), task_id=text, today=identity.caller.today, viewer=identity.viewer)
    return Shown(detail.task.to_json(), detail.timeline, list(detail.actions or []))


def _offered(actor: Actor, record: dict[str, Any]) -> list[StrEnum]:
    """domain/task.py's answer (its guards included) for a task read as a list row."""
    facts = TaskFacts(id=record["id"], state=TaskState(record["state"]), lead_unit=record["lead_unit"],
                      due_date=date.fromisoformat(record["due_date"]), co_units=tuple(record["co_units"]),
                      submitted_by_unit=record.get("submitted_by_unit"))
    return list(available_task_actions(actor, facts))


def _act(identity: Identity, text: str, action: StrEnum, given: ItemInput, expected: int | None) -> dict[str, Any]:
    inputs = TaskInput(reason=given.reason, title=given.title, detail=given.detail, due=given.due_date,
                       co_units=given.co_units)
    return tasks.act_on_task(identity.writer(), caller=identity.caller, task_id=text, action=TaskAction(action),
                             inputs=inputs, expected_version=expected, viewer=identity.viewer).to_json()


# An adjustment starts from the task as it is: the domain records only what differs.
_ADJUST = (
    FormField("title", FieldKind.TEXT, "任务名称", "Title", current="title", max_length=TITLE_MAX),
    FormField("detail", FieldKind.LONG_TEXT, "任务内容", "Detail", current="detail"),
    FormField("due_date", FieldKind.DATE, word("task_due"), word("task_due", "en"), current="due_date"),
    FormField("co_units", FieldKind.UNITS, word("co_units"), word("co_units", "en"), current="co_units"),
)

TASKS = ItemKind(
    slug="tasks", workflow=TASK_WORKFLOW, name_zh="重点任务", name_en="Plan tasks", title_key="title",
    unit_word="task_lead_unit", due_word="task_due", has_lights=True,
    facts=(
        fact("plan", "plan_name"), fact("task_lead_unit", "lead_unit", "unit"), fact("co_units", "co_units", "units"),
        fact("task_due", "due_date", "day"), fact("working_days_left", "working_days_left", "days_left"),
        fact("added_by", "added_by", "person"), fact("added_on", "added_on", "day"),
        fact("signed_on", "signed_on", "day"), fact("last_progress_on", "last_progress_on", "day"),
        fact("completed_on", "completed_on", "day"), fact("adjustments", "adjust_count"),
        fact("returns", "return_count"), fact("version", "version"), fact("detail", "detail", "long"),
    ),
    list_items=_list, show_item=_show, act=_act, offered=_offered,
    extra={TaskAction.ADJUST.value: _ADJUST},
    reason_labels={TaskAction.PROGRESS.value: ("进展情况", "Progress"),
                   TaskAction.RESOLVE.value: ("完成情况", "What was done"),
                   TaskAction.ADJUST.value: ("调整理由", "Why it is adjusted")},
    event_keys=(fact("task_title", "title"), fact("co_units", "co_units", "units"), fact("task_due", "due_date")),
)
