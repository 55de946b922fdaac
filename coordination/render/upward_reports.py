"""Rich renderables for upward reports (对上汇报): the list, one report with its timeline, the year's weeks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text

from coordination.domain.labels import label, word
from coordination.domain.upward_report_workflow import UPWARD_REPORT_WORKFLOW, UpwardReportState
from coordination.render.fit import Cell, Col, Fit, Fitted, Place, fields
from coordination.render.names import NameBook
from coordination.render.terminal import none_text, timeline_table

_STATE_STYLE = {UpwardReportState.RECORDED: "green", UpwardReportState.REVOKED: "red"}
# This kind's own words (the shared ones — 编号, 状态, 版本 — come from labels.word).
_WORDS: dict[str, tuple[str, str]] = {
    "title": ("对上汇报", "Upward reports"),
    "to_office": ("汇报对象", "Reported to"),
    "topic": ("汇报事项", "Topic"),
    "reported_on": ("汇报日期", "Reported on"),
    "unit": ("汇报单位", "Reporting unit"),
    "recorded_by": ("登记人", "Recorded by"),
    "revoked_on": ("撤销日期", "Revoked on"),
    "weeks_title": ("{year} 年每周对上汇报", "Upward reports by week, {year}"),
    "week": ("周次", "Week"),
    "span": ("起止", "Days"),
    "reports": ("汇报次数", "Reports"),
    "partial": ("不完整周", "partial week"),
    "total": ("合计", "Total"),
    "fewest": ("整周最少", "Fewest in a complete week"),
    "weeks_without": ("无汇报的整周", "Complete weeks without a report"),
    "counted_to": ("统计截至", "Counted to"),
}


def _w(key: str, lang: str) -> str:
    zh, en = _WORDS[key]
    return en if lang == "en" else zh


def state_text(state: str, lang: str) -> Text:
    value = UpwardReportState(state)
    return Text(label(value, lang), style=_STATE_STYLE[value])


def upward_reports_table(rows: Sequence[dict[str, Any]], lang: str, names: NameBook) -> Fitted:
    columns = [
        Col(word("id", lang), Fit.WHOLE, place=Place.HEAD, style="bold"),
        Col(_w("reported_on", lang), Fit.WHOLE, place=Place.HEAD),
        Col(_w("to_office", lang), least=8, place=Place.HEAD),
        Col(_w("topic", lang), least=16, place=Place.LINE, host=True),
        Col(_w("unit", lang), least=8, narrow=1),
        Col(word("state", lang), Fit.WORDS, place=Place.HEAD),
    ]
    cells: list[list[Cell]] = [
        [row["id"], str(row["reported_on"]), row["to_office"], row["topic"], names.unit(row.get("lead_unit")),
         state_text(row["state"], lang)]
        for row in rows]
    return Fitted(columns, cells, title=_w("title", lang), empty=none_text(lang), lang=lang)


def upward_report_detail(data: dict[str, Any], lang: str, names: NameBook) -> Group:
    """The report's facts by name (the number heads the panel), then its timeline."""
    recorded_on = f"（{data['recorded_on']}）" if lang == "zh" else f" ({data['recorded_on']})"
    pairs: list[tuple[str, Cell]] = [
        (_w("to_office", lang), data["to_office"]),
        (_w("reported_on", lang), str(data["reported_on"])),
        (_w("topic", lang), data["topic"]),
        (_w("unit", lang), names.unit(data.get("lead_unit"))),
        (word("state", lang), state_text(data["state"], lang)),
        (_w("recorded_by", lang), f"{names.person(data['recorded_by'])}{recorded_on}"),
    ]
    if data.get("revoked_on"):
        pairs.append((_w("revoked_on", lang), str(data["revoked_on"])))
    pairs.append((word("version", lang), str(data["version"])))
    parts: list[RenderableType] = [Panel(fields(pairs), title=Text(data["id"], style="bold"), title_align="left")]
    if data.get("timeline") is not None:
        parts.append(timeline_table(data["timeline"], lang, names, workflow=UPWARD_REPORT_WORKFLOW))
    return Group(*parts)


def weeks_table(data: dict[str, Any], lang: str) -> Group:
    """The year's weeks with their counts (a week with none in red), then the total, the fewest and the
    complete weeks without a report."""
    columns = [Col(_w("week", lang), Fit.WHOLE, place=Place.HEAD, style="bold"),
               Col(_w("span", lang), Fit.WHOLE, place=Place.HEAD),
               Col(_w("reports", lang), Fit.WHOLE, justify="right", place=Place.HEAD)]
    cells: list[list[Cell]] = []
    for week in data["weeks"]:
        count = Text(str(week["reports"]), style="red" if week["complete"] and not week["reports"] else "")
        if not week["complete"]:
            count.append(f"（{_w('partial', lang)}）" if lang == "zh" else f" ({_w('partial', lang)})",
                         style="dim")
        cells.append([week["week"], f"{week['first']}—{week['last']}", count])
    title = _w("weeks_title", lang).format(year=data["year"])
    table = Fitted(columns, cells, title=title, empty=none_text(lang), spaced=False, lang=lang)
    fewest = data["fewest"]
    without = "、".join(data["weeks_without"]) if lang == "zh" else ", ".join(data["weeks_without"])
    summary: list[tuple[str, Cell]] = [
        (_w("counted_to", lang), str(data["until"])),
        (_w("total", lang), str(data["total"])),
        (_w("fewest", lang), "—" if fewest is None else str(fewest)),
        (_w("weeks_without", lang), Text(without, style="red") if without else none_text(lang)),
    ]
    return Group(table, fields(summary))
