"""Rich renderables for the terminal.

Every table here is a `Fitted` table (coordination/render/fit.py): at any width an id, a date or a
figure is shown whole, and titles and names wrap instead. People, units and projects are shown by
name, from the `NameBook` the command hands over; levels read L1–L5 and a light is a coloured dot
with its word, readable without colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from coordination.config import DISTRICT_TZ
from coordination.domain.enums import Action, Level, Light, ProjectLevel, Role, State, UnitKind
from coordination.domain.labels import label, word
from coordination.domain.meetings import (
    MeetingKind,
    MeetingState,
    Outcome,
    kind_label,
    meeting_state_label,
    outcome_label,
)
from coordination.domain.problem_workflow import PROBLEM_WORKFLOW
from coordination.domain.workflow import Workflow
from coordination.render.fit import Cell, Col, Fit, Fitted, Place, fields
from coordination.render.names import NameBook

_LIGHT_STYLE = {Light.GREEN: "green", Light.YELLOW: "yellow", Light.RED: "bold red"}
_STATE_STYLE = {
    State.SUBMITTED: "cyan", State.ASSIGNED: "blue", State.IN_PROGRESS: "bright_blue",
    State.ON_AGENDA: "magenta", State.RESOLUTION_SUBMITTED: "yellow", State.CLOSED: "green",
    State.CLOSED_EXPLAINED: "green", State.LONG_TERM: "dim", State.WITHDRAWN: "dim",
}
PROVISIONAL_MARK = "*"  # after a provisional due date in a table; the caption says what it means


def local_time(moment: datetime) -> str:
    return moment.astimezone(DISTRICT_TZ).strftime("%Y-%m-%d %H:%M")


def none_text(lang: str) -> str:
    return "（无）" if lang == "zh" else "(none)"


def light_text(light: str | None, lang: str) -> Text:
    """● 红灯: the word says it when the colour does not show."""
    if light is None:
        return Text("—", style="dim")
    value = Light(light)
    return Text(f"● {label(value, lang)}", style=_LIGHT_STYLE[value])


def state_text(state: str | None, lang: str) -> Text:
    if state is None:
        return Text("—", style="dim")
    value = State(state)
    return Text(label(value, lang), style=_STATE_STYLE[value])


def due_text(record: dict[str, Any], lang: str) -> Text:
    """The due date with its provisional mark spelled out (a detail view has the room)."""
    due = record.get("due_date")
    if not due:
        return Text("—", style="dim")
    if record.get("due_provisional"):
        return Text(f"{due}（{word('provisional', lang)}）" if lang == "zh" else f"{due} (provisional)",
                    style="italic")
    return Text(str(due))


def due_cell(record: dict[str, Any]) -> Text:
    """The due date in a table: a provisional one carries a mark the caption explains."""
    due = record.get("due_date")
    if not due:
        return Text("—", style="dim")
    if record.get("due_provisional"):
        return Text(f"{due}{PROVISIONAL_MARK}", style="italic")
    return Text(str(due))


def provisional_caption(lang: str) -> str:
    note = word("provisional_note", lang).strip().removeprefix("（").removesuffix("）").strip("()")
    return f"{PROVISIONAL_MARK} {note}"


def level_text(level: int, lang: str) -> str:
    """L2 专班会商: the rung and what it is."""
    return label(Level(level), lang)


def level_short(level: int | None) -> str:
    return "—" if level is None else f"L{int(level)}"


def action_label(action: str, lang: str, actions: type[Enum] = Action) -> str:
    """The label of a transition-table action (of the kind whose `actions` these are) or of a scheduled
    job's own event."""
    from coordination.domain.sweep import SweepAction

    for kind in (actions, SweepAction):
        try:
            return label(kind(action), lang)
        except ValueError:
            continue
    return action


def problems_table(rows: Sequence[dict[str, Any]], lang: str, names: NameBook, *, title: str | None = None) -> Fitted:
    """Problems, one a line; narrower, the project and the lead unit go under the title; at 60
    columns each problem is a small record."""
    columns = [
        Col(word("id", lang), Fit.WHOLE, place=Place.HEAD, style="bold"),
        Col(word("project", lang), least=12, narrow=1),
        Col(word("title", lang), least=20, place=Place.LINE, host=True),
        Col(word("state", lang), Fit.WORDS, place=Place.HEAD),
        Col(word("level", lang), Fit.WHOLE, place=Place.HEAD),
        Col(word("lead_unit", lang), least=10, narrow=1),
        Col(word("due_date", lang), Fit.WHOLE),
        Col(word("light", lang), Fit.WHOLE, place=Place.HEAD),
    ]
    cells: list[list[Cell]] = [
        [row["id"], row.get("project_name") or names.project(row["project"]), row["title"],
         state_text(row["state"], lang), level_short(row["level"]), names.unit(row.get("lead_unit")), due_cell(row),
         light_text(row.get("light"), lang)]
        for row in rows]
    table = Fitted(columns, cells, title=title, empty=none_text(lang), lang=lang)
    if any(row.get("due_provisional") for row in rows):
        table.notes.append(provisional_caption(lang))
    return table


def timeline_table(events: Sequence[dict[str, Any]], lang: str, names: NameBook, *,
                   with_origin: bool = False, workflow: Workflow = PROBLEM_WORKFLOW) -> Fitted:
    """An item's audit events, its states and actions labelled as its kind (`workflow`) names them."""
    columns = [
        Col(word("seq", lang), Fit.WHOLE, place=Place.HEAD, justify="right"),
        Col(word("time", lang), Fit.WHOLE, place=Place.HEAD),
        Col(word("action", lang), Fit.WORDS, place=Place.HEAD, style="bold"),
        Col(word("actor", lang), least=6, place=Place.HEAD),
        Col(word("from_to", lang), Fit.WORDS, place=Place.LINE),
        Col(word("reason", lang), least=12, place=Place.LINE),
    ]
    if with_origin:
        columns.append(Col(word("origin", lang), least=6, narrow=1, merge=False))
    rows: list[list[Cell]] = []
    for event in events:
        move = ""
        if event.get("to_state") and event.get("from_state") != event.get("to_state"):
            states = workflow.states
            after = label(states(event["to_state"]), lang)
            move = f"{label(states(event['from_state']), lang)} → {after}" if event.get("from_state") else after
        at = event["at"] if isinstance(event["at"], datetime) else datetime.fromisoformat(event["at"])
        cells: list[Cell] = [str(event["seq"]), local_time(at), action_label(event["action"], lang, workflow.actions),
                             names.person(event["actor"]), move,
                             _event_note(event, lang, names, _NOTE_WORDS.get(workflow.kind, _NOTE_WORDS["problem"]))]
        rows.append([*cells, *([event["origin"]] if with_origin else [])])
    return Fitted(columns, rows, title=word("timeline", lang), empty=none_text(lang), spaced=False, lang=lang)


# What a kind calls its lead unit and its due date in a timeline's notes (a task's 牵头单位 and 完成期限).
_NOTE_WORDS: dict[str, tuple[str, str]] = {"problem": ("lead_unit", "due_date"), "task": ("task_lead_unit", "task_due"),
                                            "special_plan": ("drafting_unit", "task_due"),
                                            "filing": ("receiving_unit", "filing_due"),
                                            "fund": ("applying_unit", "task_due"),
                                            "disbursement": ("paying_unit", "task_due"),
                                            "indicator": ("reporting_unit", "task_due"),
                                            "upward_report": ("upward_reporting_unit", "task_due")}


def _event_note(event: dict[str, Any], lang: str, names: NameBook, words: tuple[str, str]) -> str:
    changes = event.get("payload", {}).get("changes", {})
    colon = "：" if lang == "zh" else ": "
    lead_word, due_word = words
    parts = [event["reason"]] if event.get("reason") else []
    if changes.get("lead_unit"):
        parts.append(f"{word(lead_word, lang)}{colon}{names.unit(changes['lead_unit'])}")
    if changes.get("due_date"):
        suffix = f"（{word('provisional', lang)}）" if changes.get("due_provisional") else ""
        parts.append(f"{word(due_word, lang)}{colon}{changes['due_date']}{suffix}")
    if "level" in changes and event["action"] == Action.ESCALATE.value:
        parts.append(level_text(int(changes["level"]), lang))
    if changes.get("pending_extension_days"):
        parts.append(f"+{changes['pending_extension_days']} " + ("个工作日" if lang == "zh" else "working days"))
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


def problem_detail(data: dict[str, Any], lang: str, names: NameBook) -> Group:
    """The problem's facts by name (the id heads the panel), then its timeline."""
    raised_on = f"（{data['raised_on']}）" if lang == "zh" else f" ({data['raised_on']})"
    pairs: list[tuple[str, Cell]] = [
        (word("title", lang), data["title"]),
        (word("project", lang), data.get("project_name") or names.project(data["project"])),
        (word("category", lang), data["category"]),
        (word("state", lang), state_text(data["state"], lang)),
        (word("level", lang), level_text(data["level"], lang)),
        (word("difficulty", lang), data.get("difficulty") or "—"),
        (word("lead_unit", lang), names.unit(data.get("lead_unit"))),
        (word("co_units", lang), names.unit_list(data.get("co_units"))),
        (word("due_date", lang), due_text(data, lang)),
        (word("light", lang), light_text(data.get("light"), lang)),
        (word("raised_by", lang), f"{names.person(data['raised_by'])}{raised_on}"),
        (word("extensions", lang), str(data.get("extension_count", 0))),
        (word("reopens", lang), str(data.get("reopen_count", 0))),
        (word("version", lang), str(data["version"])),
    ]
    if data.get("working_days_left") is not None:
        pairs.insert(9, (word("working_days_left", lang), str(data["working_days_left"])))
    if data.get("pending_extension_days"):
        pairs.append((word("pending_extension", lang), f"+{data['pending_extension_days']}"))
    if data.get("detail"):
        pairs.append((word("detail", lang), data["detail"]))
    if data.get("due_provisional"):
        pairs.append(("", Text(word("provisional_note", lang).strip(), style="italic yellow")))
    parts: list[RenderableType] = [Panel(fields(pairs), title=Text(data["id"], style="bold"), title_align="left")]
    if data.get("timeline") is not None:
        parts.append(timeline_table(data["timeline"], lang, names))
    return Group(*parts)


def units_table(rows: Sequence[dict[str, Any]], lang: str) -> Fitted:
    columns = [Col(word("code", lang), Fit.WHOLE, place=Place.HEAD, style="bold"),
               Col(word("name", lang), least=12, place=Place.HEAD),
               Col(word("kind", lang), Fit.WORDS), Col(word("active", lang), Fit.WORDS)]
    cells: list[list[Cell]] = [[row["code"], row["name"], label(UnitKind(row["kind"]), lang),
                                word("yes" if row["active"] else "no", lang)] for row in rows]
    return Fitted(columns, cells, empty=none_text(lang), spaced=False, lang=lang)


def people_table(rows: Sequence[dict[str, Any]], lang: str, names: NameBook) -> Fitted:
    columns = [Col(word("handle", lang), Fit.WHOLE, place=Place.HEAD, style="bold"),
               Col(word("name", lang), least=6, place=Place.HEAD), Col(word("unit", lang), least=10),
               Col(word("roles", lang), least=10), Col(word("active", lang), Fit.WORDS)]
    cells: list[list[Cell]] = [
        [row["handle"], row["name"], names.unit(row.get("unit")), "、".join(label(Role(r), lang) for r in row["roles"]),
         word("yes" if row["active"] else "no", lang)] for row in rows]
    return Fitted(columns, cells, empty=none_text(lang), spaced=False, lang=lang)


def project_detail(row: dict[str, Any], lang: str, names: NameBook) -> Panel:
    """The project and its 1+2+N roster, by name (the code heads the panel)."""
    pairs: list[tuple[str, Cell]] = [
        (word("name", lang), row["name"]),
        (word("level", lang), label(ProjectLevel(row["level"]), lang)),
        ("1 " + word("leaders", lang), names.person_list(row["leaders"])),
        ("2 " + word("locality", lang), names.unit(row["locality"])),
        ("2 " + word("lead_unit", lang), names.unit(row["lead_unit"])),
        ("N " + word("helpers", lang), names.unit_list(row["helpers"])),
        (word("specialists", lang), names.person_list(row["specialists"])),
    ]
    if "open_problems" in row:
        pairs.append((word("open_problems", lang), str(row["open_problems"])))
    return Panel(fields(pairs), title=Text(row["code"], style="bold"), title_align="left")


def meeting_detail(data: dict[str, Any], lang: str, names: NameBook) -> Group:
    """The meeting's facts, then its agenda: each problem with its project, due date, light and decision."""
    pairs: list[tuple[str, Cell]] = [
        ("类型" if lang == "zh" else "Kind", kind_label(MeetingKind(data["kind"]), lang)),
        ("日期" if lang == "zh" else "Date", data["date"]),
        ("主持" if lang == "zh" else "Chair", data.get("chair_name") or names.person(data.get("chair"))),
        (word("state", lang), meeting_state_label(MeetingState(data["state"]), lang)),
    ]
    if data.get("minutes_number"):
        pairs.append(("纪要" if lang == "zh" else "Minutes", data["minutes_number"]))
    columns = [
        Col("序" if lang == "zh" else "#", Fit.WHOLE, justify="right", place=Place.HIDE),
        Col(word("id", lang), Fit.WHOLE, place=Place.HEAD, style="bold"),
        Col(word("title", lang), least=12, place=Place.LINE, host=True),
        Col(word("project", lang), least=10, narrow=1),
        Col(word("due_date", lang), Fit.WHOLE),
        Col(word("light", lang), Fit.WHOLE, place=Place.HEAD),
        Col("议定事项" if lang == "zh" else "Decision", least=14, place=Place.LINE),
    ]
    rows: list[list[Cell]] = []
    for index, item in enumerate(data["agenda"], start=1):
        decision = item.get("decision")
        decided = "—"
        if decision:
            decided = f"{outcome_label(Outcome(decision['outcome']), lang)}：{decision['text']}"
            if decision.get("lead_unit"):
                unit = decision.get("lead_unit_name") or names.unit(decision["lead_unit"])
                due = decision["due_date"]
                decided += f"（{unit}，{due}）" if lang == "zh" else f" ({unit}, {due})"
        rows.append([str(index), item["id"], item["title"], item.get("project_name") or names.project(item["project"]),
                     due_cell(item), light_text(item.get("light"), lang), decided])
    agenda = Fitted(columns, rows, title="议程" if lang == "zh" else "Agenda", empty=none_text(lang), lang=lang)
    if any(item.get("due_provisional") for item in data["agenda"]):
        agenda.notes.append(provisional_caption(lang))
    return Group(Panel(fields(pairs), title=Text(data["id"], style="bold"), title_align="left"), agenda)


def meetings_table(rows: Sequence[dict[str, Any]], lang: str, names: NameBook) -> Fitted:
    zh = lang == "zh"
    columns = [
        Col("会议" if zh else "Meeting", Fit.WHOLE, place=Place.HEAD, style="bold"),
        Col("类型" if zh else "Kind", Fit.WORDS, place=Place.HEAD),
        Col("日期" if zh else "Date", Fit.WHOLE, place=Place.HEAD),
        Col("主持" if zh else "Chair", least=6),
        Col("状态" if zh else "State", Fit.WORDS, place=Place.HEAD),
        Col("纪要" if zh else "Minutes", Fit.WHOLE),
        Col("议程/议定" if zh else "Items/decisions", Fit.WHOLE, justify="right"),
    ]
    cells: list[list[Cell]] = [
        [row["id"], kind_label(MeetingKind(row["kind"]), lang), row["date"],
         row.get("chair_name") or names.person(row.get("chair")), meeting_state_label(MeetingState(row["state"]), lang),
         row["minutes_number"] or "—", f"{len(row['agenda'])}/{len(row['decisions'])}"]
        for row in rows]
    return Fitted(columns, cells, empty=none_text(lang), spaced=False, lang=lang)


def year_panel(data: dict[str, Any], lang: str) -> Panel:
    known = data["known"]
    status = Text(str(data["source"])) if known else Text(word("not_loaded", lang), style="yellow")
    pairs: list[tuple[str, Cell]] = [
        (word("source", lang), status),
        (word("holidays", lang), _compress(data["holidays"])),
        (word("workdays", lang), "、".join(data["workdays"]) or "—"),
        (word("overrides", lang), "、".join(f"{d}:{'上班' if v else '休息'}" for d, v in data["overrides"].items())
         or "—"),
        ("工作日数" if lang == "zh" else "Working days", str(data["working_days"])),
    ]
    if data.get("recomputed"):
        pairs.append(("重算期限的问题" if lang == "zh" else "Due dates recomputed", "、".join(data["recomputed"])))
    return Panel(_field_grid(pairs), title=f"{word('calendar', lang)} {data['year']}", title_align="left")


def _field_grid(pairs: Sequence[tuple[str, Cell]]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for key, value in pairs:
        grid.add_row(key, value)
    return grid


def _compress(days: Sequence[str]) -> str:
    """2024-10-01..2024-10-07 instead of seven dates."""
    from datetime import date, timedelta

    if not days:
        return "—"
    parsed = [date.fromisoformat(d) for d in days]
    runs: list[tuple[date, date]] = []
    for day in parsed:
        if runs and day - runs[-1][1] == timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return "、".join(str(a) if a == b else f"{a}..{b}" for a, b in runs)
