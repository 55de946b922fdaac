"""Rich renderables for plans and plan tasks (重点任务): lists, one task with its timeline, one plan.

Built like the problem screens (render/terminal.py): fitted tables, names instead of codes, the one
light shown as a coloured dot with its word, states and actions in the task workflow's own labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text

from coordination.domain.labels import label, word
from coordination.domain.task_workflow import TASK_WORKFLOW, PlanKind, TaskState
from coordination.render.fit import Cell, Col, Fit, Fitted, Place, fields
from coordination.render.names import NameBook
from coordination.render.terminal import light_text, none_text, timeline_table

_STATE_STYLE = {
    TaskState.DECOMPOSED: "cyan", TaskState.IN_PROGRESS: "bright_blue",
    TaskState.COMPLETION_SUBMITTED: "yellow", TaskState.COMPLETED: "green",
}


def task_state_text(state: str, lang: str) -> Text:
    value = TaskState(state)
    return Text(label(value, lang), style=_STATE_STYLE[value])


def plan_kind_text(kind: str, lang: str) -> str:
    return label(PlanKind(kind), lang)


def _dash(value: object) -> str:
    return "—" if value in (None, "") else str(value)


def tasks_table(rows: Sequence[dict[str, Any]], lang: str, names: NameBook, *, title: str | None = None) -> Fitted:
    """Tasks, one a line; narrower, the plan and the lead unit go under the title."""
    columns = [
        Col(word("id", lang), Fit.WHOLE, place=Place.HEAD, style="bold"),
        Col(word("plan", lang), least=10, narrow=1),
        Col(word("task_title", lang), least=20, place=Place.LINE, host=True),
        Col(word("state", lang), Fit.WORDS, place=Place.HEAD),
        Col(word("task_lead_unit", lang), least=10, narrow=1),
        Col(word("task_due", lang), Fit.WHOLE),
        Col(word("light", lang), Fit.WHOLE, place=Place.HEAD),
    ]
    cells: list[list[Cell]] = [
        [row["id"], row.get("plan_name") or row["plan"], row["title"], task_state_text(row["state"], lang),
         names.unit(row.get("lead_unit")), str(row["due_date"]), light_text(row.get("light"), lang)]
        for row in rows]
    return Fitted(columns, cells, title=title or word("tasks", lang), empty=none_text(lang), lang=lang)


def task_detail(data: dict[str, Any], lang: str, names: NameBook) -> Group:
    """The task's facts by name (the id heads the panel), then its timeline."""
    added_on = f"（{data['added_on']}）" if lang == "zh" else f" ({data['added_on']})"
    pairs: list[tuple[str, Cell]] = [
        (word("task_title", lang), data["title"]),
        (word("plan", lang), f"{data.get('plan_name') or data['plan']}（{plan_kind_text(data['plan_kind'], lang)}）"
         if data.get("plan_kind") else data.get("plan_name") or data["plan"]),
        (word("state", lang), task_state_text(data["state"], lang)),
        (word("task_lead_unit", lang), names.unit(data.get("lead_unit"))),
        (word("co_units", lang), names.unit_list(data.get("co_units"))),
        (word("task_due", lang), str(data["due_date"])),
        (word("light", lang), light_text(data.get("light"), lang)),
    ]
    if data.get("working_days_left") is not None:
        pairs.append((word("working_days_left", lang), str(data["working_days_left"])))
    pairs += [
        (word("added_by", lang), f"{names.person(data['added_by'])}{added_on}"),
        (word("signed_on", lang), _dash(data.get("signed_on"))),
        (word("last_progress_on", lang), _dash(data.get("last_progress_on"))),
    ]
    if data.get("completed_on"):
        pairs.append((word("completed_on", lang), str(data["completed_on"])))
    pairs += [
        (word("adjustments", lang), str(data.get("adjust_count", 0))),
        (word("returns", lang), str(data.get("return_count", 0))),
        (word("version", lang), str(data["version"])),
    ]
    if data.get("detail"):
        pairs.append((word("detail", lang), data["detail"]))
    parts: list[RenderableType] = [Panel(fields(pairs), title=Text(data["id"], style="bold"), title_align="left")]
    if data.get("timeline") is not None:
        parts.append(timeline_table(data["timeline"], lang, names, workflow=TASK_WORKFLOW))
    return Group(*parts)


def plans_table(rows: Sequence[dict[str, Any]], lang: str) -> Fitted:
    columns = [
        Col(word("code", lang), Fit.WHOLE, place=Place.HEAD, style="bold"),
        Col(word("name", lang), least=16, place=Place.LINE),
        Col(word("kind", lang), Fit.WORDS, place=Place.HEAD),
        Col(word("task_count", lang), Fit.WHOLE, justify="right"),
        Col(word("open_tasks", lang), Fit.WHOLE, justify="right"),
    ]
    cells: list[list[Cell]] = [
        [row["code"], row["name"], plan_kind_text(row["kind"], lang), str(row["tasks"]["total"]),
         str(row["tasks"]["open"])]
        for row in rows]
    return Fitted(columns, cells, title=word("plans", lang), empty=none_text(lang), lang=lang)


def plan_detail(data: dict[str, Any], lang: str, names: NameBook, tasks: Sequence[dict[str, Any]]) -> Group:
    """A plan's facts and its tasks counted by state, then the tasks themselves."""
    by_state = data["tasks"]["by_state"]
    counted = "、".join(f"{label(s, lang)} {by_state[s.value]}" for s in TaskState if by_state.get(s.value))
    added_on = f"（{data['added_on']}）" if lang == "zh" else f" ({data['added_on']})"
    pairs: list[tuple[str, Cell]] = [
        (word("name", lang), data["name"]),
        (word("kind", lang), plan_kind_text(data["kind"], lang)),
        (word("added_by", lang), f"{names.person(data['added_by'])}{added_on}"),
        (word("task_count", lang), f"{data['tasks']['total']}" + (
            (f"（{counted}）" if lang == "zh" else f" ({counted})") if counted else "")),
    ]
    panel = Panel(fields(pairs), title=Text(data["code"], style="bold"), title_align="left")
    return Group(panel, tasks_table(tasks, lang, names))
