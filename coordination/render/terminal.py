"""Rich renderables for the terminal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from coordination.config import DISTRICT_TZ
from coordination.domain.enums import Action, Level, Light, ProjectLevel, Role, State, UnitKind
from coordination.domain.labels import label, word

_LIGHT_STYLE = {Light.GREEN: "green", Light.YELLOW: "yellow", Light.RED: "bold red"}
_STATE_STYLE = {
    State.SUBMITTED: "cyan", State.ASSIGNED: "blue", State.IN_PROGRESS: "bright_blue",
    State.ON_AGENDA: "magenta", State.RESOLUTION_SUBMITTED: "yellow", State.CLOSED: "green",
    State.CLOSED_EXPLAINED: "green", State.LONG_TERM: "dim", State.WITHDRAWN: "dim",
}


def local_time(moment: datetime) -> str:
    return moment.astimezone(DISTRICT_TZ).strftime("%Y-%m-%d %H:%M")


def light_text(light: str | None, lang: str) -> Text:
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
    due = record.get("due_date")
    if not due:
        return Text("—", style="dim")
    if record.get("due_provisional"):
        return Text(f"{due}（{word('provisional', lang)}）" if lang == "zh" else f"{due} (provisional)",
                    style="italic")
    return Text(str(due))


def level_text(level: int, lang: str) -> str:
    return label(Level(level), lang)


def problems_table(rows: Sequence[dict[str, Any]], lang: str, *, title: str | None = None) -> Table:
    table = Table(title=title, header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False)
    for key in ("id", "project", "title", "state", "level", "lead_unit", "due_date", "light"):
        table.add_column(word(key, lang), no_wrap=key != "title", overflow="fold",
                         min_width=8 if key == "title" else None, max_width=30 if key == "title" else None)
    for row in rows:
        table.add_row(
            row["id"], row["project"], row["title"], state_text(row["state"], lang),
            f"L{row['level']}", row.get("lead_unit") or "—", due_text(row, lang), light_text(row.get("light"), lang),
        )
    if not rows:
        table.caption = "（无）" if lang == "zh" else "(none)"
    return table


def _field_grid(pairs: Sequence[tuple[str, RenderableType | str]]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for key, value in pairs:
        grid.add_row(key, value)
    return grid


def action_label(action: str, lang: str) -> str:
    """The label of a transition-table action or of a scheduled job's own event."""
    from coordination.domain.sweep import SweepAction

    for kind in (Action, SweepAction):
        try:
            return label(kind(action), lang)
        except ValueError:
            continue
    return action


def timeline_table(events: Sequence[dict[str, Any]], lang: str, *, with_origin: bool = False) -> Table:
    table = Table(title=word("timeline", lang), header_style="bold", title_justify="left", box=box.SIMPLE_HEAD,
                  pad_edge=False)
    keys = ("seq", "time", "action", "actor", "from_to", "reason") + (("origin",) if with_origin else ())
    for key in keys:
        table.add_column(word(key, lang), overflow="fold", no_wrap=key in ("seq", "time", "actor"),
                         min_width=12 if key == "reason" else None)
    for event in events:
        action = action_label(event["action"], lang)
        move = ""
        if event.get("to_state") and event.get("from_state") != event.get("to_state"):
            before = label(State(event["from_state"]), lang) if event.get("from_state") else ""
            move = f"{before} → {label(State(event['to_state']), lang)}" if before else label(
                State(event["to_state"]), lang)
        at = event["at"] if isinstance(event["at"], datetime) else datetime.fromisoformat(event["at"])
        cells = [str(event["seq"]), local_time(at), action, event["actor"], move, _event_note(event, lang)]
        table.add_row(*cells, *([event["origin"]] if with_origin else []))
    return table


def _event_note(event: dict[str, Any], lang: str) -> str:
    changes = event.get("payload", {}).get("changes", {})
    parts = [event["reason"]] if event.get("reason") else []
    if changes.get("lead_unit"):
        parts.append(f"{word('lead_unit', lang)}: {changes['lead_unit']}")
    if changes.get("due_date"):
        suffix = f"（{word('provisional', lang)}）" if changes.get("due_provisional") else ""
        parts.append(f"{word('due_date', lang)}: {changes['due_date']}{suffix}")
    if "level" in changes and event["action"] == Action.ESCALATE.value:
        parts.append(level_text(int(changes["level"]), lang))
    if changes.get("pending_extension_days"):
        parts.append(f"+{changes['pending_extension_days']} " + ("个工作日" if lang == "zh" else "working days"))
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


def problem_detail(data: dict[str, Any], lang: str) -> Group:
    yes, no = word("yes", lang), word("no", lang)
    pairs: list[tuple[str, RenderableType | str]] = [
        (word("project", lang), data["project"]),
        (word("category", lang), data["category"]),
        (word("state", lang), state_text(data["state"], lang)),
        (word("level", lang), level_text(data["level"], lang)),
        (word("difficulty", lang), data.get("difficulty") or "—"),
        (word("lead_unit", lang), data.get("lead_unit") or "—"),
        (word("co_units", lang), "、".join(data.get("co_units") or []) or "—"),
        (word("due_date", lang), due_text(data, lang)),
        (word("light", lang), light_text(data.get("light"), lang)),
        (word("raised_by", lang), f"{data['raised_by']}（{data['raised_on']}）"),
        (word("extensions", lang), str(data.get("extension_count", 0))),
        (word("reopens", lang), str(data.get("reopen_count", 0))),
        (word("version", lang), str(data["version"])),
    ]
    if data.get("working_days_left") is not None:
        pairs.insert(8, (word("working_days_left", lang), str(data["working_days_left"])))
    if data.get("pending_extension_days"):
        pairs.append((word("pending_extension", lang), f"+{data['pending_extension_days']}"))
    if data.get("detail"):
        pairs.append((word("detail", lang), data["detail"]))
    if data.get("due_provisional"):
        pairs.append(("", Text(word("provisional_note", lang).strip(), style="italic yellow")))
    del yes, no
    header = Panel(_field_grid(pairs), title=f"[bold]{data['id']}[/]  {data['title']}", title_align="left")
    parts: list[RenderableType] = [header]
    if data.get("timeline") is not None:
        parts.append(timeline_table(data["timeline"], lang))
    return Group(*parts)


def units_table(rows: Sequence[dict[str, Any]], lang: str) -> Table:
    table = Table(header_style="bold")
    for key in ("code", "name", "kind", "active"):
        table.add_column(word(key, lang))
    for row in rows:
        table.add_row(row["code"], row["name"], label(UnitKind(row["kind"]), lang),
                      word("yes" if row["active"] else "no", lang))
    return table


def people_table(rows: Sequence[dict[str, Any]], lang: str) -> Table:
    table = Table(header_style="bold")
    for key in ("handle", "name", "unit", "roles", "active"):
        table.add_column(word(key, lang))
    for row in rows:
        roles = "、".join(label(Role(r), lang) for r in row["roles"])
        table.add_row(row["handle"], row["name"], row.get("unit") or "—", roles,
                      word("yes" if row["active"] else "no", lang))
    return table


def projects_table(rows: Sequence[dict[str, Any]], lang: str) -> Table:
    table = Table(header_style="bold")
    for key in ("code", "name", "level", "leaders", "locality", "lead_unit", "helpers", "specialists"):
        table.add_column(word(key, lang), overflow="fold")
    for row in rows:
        table.add_row(row["code"], row["name"], label(ProjectLevel(row["level"]), lang), "、".join(row["leaders"]),
                      row["locality"], row["lead_unit"], "、".join(row["helpers"]) or "—",
                      "、".join(row["specialists"]) or "—")
    return table


def project_detail(row: dict[str, Any], lang: str) -> Panel:
    pairs: list[tuple[str, RenderableType | str]] = [
        (word("level", lang), label(ProjectLevel(row["level"]), lang)),
        ("1 " + word("leaders", lang), "、".join(row["leaders"])),
        ("2 " + word("locality", lang), row["locality"]),
        ("2 " + word("lead_unit", lang), row["lead_unit"]),
        ("N " + word("helpers", lang), "、".join(row["helpers"]) or "—"),
        (word("specialists", lang), "、".join(row["specialists"]) or "—"),
    ]
    if "open_problems" in row:
        pairs.append((word("open_problems", lang), str(row["open_problems"])))
    return Panel(_field_grid(pairs), title=f"[bold]{row['code']}[/]  {row['name']}", title_align="left")


def year_panel(data: dict[str, Any], lang: str) -> Panel:
    known = data["known"]
    status = Text(str(data["source"])) if known else Text(word("not_loaded", lang), style="yellow")
    pairs: list[tuple[str, RenderableType | str]] = [
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
