"""Rich renderables for indicators (指标监测): the list with lights, one indicator with its months and timeline."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text

from coordination.domain.indicator_workflow import INDICATOR_WORKFLOW, IndicatorAction, IndicatorState
from coordination.domain.labels import label, word
from coordination.render.fit import Cell, Col, Fit, Fitted, Place, fields
from coordination.render.names import NameBook
from coordination.render.terminal import light_text, none_text, timeline_table

_STATE_STYLE = {IndicatorState.ACTIVE: "bright_blue", IndicatorState.RETIRED: "dim"}
# The words of these screens (labels.py holds the words every screen shares).
_WORDS: dict[str, tuple[str, str]] = {
    "indicators": ("指标监测", "Indicators"),
    "indicator_code": ("指标代码", "Code"),
    "indicator_name": ("指标名称", "Indicator"),
    "measure": ("计量单位", "Measure"),
    "target": ("目标", "Target"),
    "tolerance": ("容差", "Tolerance"),
    "direction": ("方向", "Direction"),
    "higher": ("越高越好", "higher is better"),
    "lower": ("越低越好", "lower is better"),
    "reporting_unit": ("填报单位", "Reporting unit"),
    "latest": ("最新数据", "Latest"),
    "value": ("数值", "Value"),
    "change": ("较上月", "Change"),
    "months": ("逐月数据", "Months"),
    "added": ("新增", "Added"),
    "retired_on": ("停止监测日期", "Retired on"),
}


def w(key: str, lang: str) -> str:
    zh, en = _WORDS[key]
    return en if lang == "en" else zh


def state_text(state: str, lang: str) -> Text:
    value = IndicatorState(state)
    return Text(label(value, lang), style=_STATE_STYLE[value])


def figure(value: str | None, measure: str) -> str:
    """8.5% or 120 亿元; — without a figure."""
    if value is None:
        return "—"
    return f"{value}{measure}" if measure == "%" else f"{value} {measure}"


def signed(change: str | None) -> str:
    if change is None:
        return "—"
    return change if change.startswith("-") or change == "0" else f"+{change}"


def _latest(row: dict[str, Any], lang: str) -> str:
    if not row.get("latest_month"):
        return "—"
    return f"{row['latest_month']}{'：' if lang == 'zh' else ': '}{figure(row['latest_value'], row['measure'])}"


def indicators_table(rows: Sequence[dict[str, Any]], lang: str, names: NameBook) -> Fitted:
    columns = [
        Col(w("indicator_code", lang), Fit.WHOLE, place=Place.HEAD, style="bold"),
        Col(w("indicator_name", lang), least=14, place=Place.LINE, host=True),
        Col(word("state", lang), Fit.WORDS, place=Place.HEAD),
        Col(w("latest", lang), Fit.WHOLE),
        Col(w("target", lang), Fit.WHOLE),
        Col(word("light", lang), Fit.WHOLE, place=Place.HEAD),
        Col(w("reporting_unit", lang), least=8, narrow=1),
    ]
    cells: list[list[Cell]] = []
    for row in rows:
        latest = _latest(row, lang)
        cells.append([row["code"], row["name"], state_text(row["state"], lang), latest,
                      figure(row["target"], row["measure"]), light_text(row.get("light"), lang),
                      names.unit(row.get("lead_unit"))])
    return Fitted(columns, cells, title=w("indicators", lang), empty=none_text(lang), lang=lang)


def months_table(points: Sequence[dict[str, Any]], measure: str, lang: str) -> Fitted:
    columns = [Col(word("month", lang), Fit.WHOLE, place=Place.HEAD), Col(w("value", lang), Fit.WHOLE),
               Col(w("change", lang), Fit.WHOLE), Col(word("light", lang), Fit.WHOLE, place=Place.HEAD)]
    cells: list[list[Cell]] = [[p["month"], figure(p["value"], measure), signed(p.get("change")),
                                light_text(p.get("light"), lang)] for p in points]
    return Fitted(columns, cells, title=w("months", lang), empty=none_text(lang), lang=lang)


def _noted(events: Sequence[dict[str, Any]], measure: str, lang: str) -> list[dict[str, Any]]:
    """Each event with what it did in its note: a record's month and figure, a retarget's new target."""
    shown = []
    for event in events:
        payload, notes = event.get("payload", {}), []
        changes = payload.get("changes", {})
        if event["action"] == IndicatorAction.RECORD.value:
            colon = "：" if lang == "zh" else ": "
            notes.append(f"{payload.get('month')}{colon}{figure(payload.get('value'), measure)}")
        for key in ("target", "tolerance"):
            if key in changes:
                notes.append(f"{w(key, lang)} {changes[key]}")
        if event.get("reason"):
            notes.append(str(event["reason"]))
        shown.append({**event, "reason": ("；" if lang == "zh" else "; ").join(notes) or None})
    return shown


def history_table(events: Sequence[dict[str, Any]], measure: str, lang: str, names: NameBook, *,
                  with_origin: bool = False) -> Fitted:
    return timeline_table(_noted(events, measure, lang), lang, names, with_origin=with_origin,
                          workflow=INDICATOR_WORKFLOW)


def indicator_detail(data: dict[str, Any], lang: str, names: NameBook) -> Group:
    """The indicator's facts by name (the code heads the panel), its months, then its timeline."""
    measure = data["measure"]
    latest = _latest(data, lang)
    pairs: list[tuple[str, Cell]] = [
        (w("indicator_name", lang), data["name"]),
        (word("state", lang), state_text(data["state"], lang)),
        (w("measure", lang), measure),
        (w("target", lang), figure(data["target"], measure)),
        (w("tolerance", lang), data["tolerance"]),
        (w("direction", lang), w("higher" if data["higher_is_better"] else "lower", lang)),
        (w("reporting_unit", lang), names.unit(data.get("lead_unit"))),
        (w("latest", lang), latest),
        (word("light", lang), light_text(data.get("light"), lang)),
        (w("added", lang), f"{names.person(data['added_by'])}（{data['added_on']}）" if lang == "zh"
         else f"{names.person(data['added_by'])} ({data['added_on']})"),
    ]
    if data.get("retired_on"):
        pairs.append((w("retired_on", lang), str(data["retired_on"])))
    pairs.append((word("version", lang), str(data["version"])))
    parts: list[RenderableType] = [Panel(fields(pairs), title=Text(data["code"], style="bold"), title_align="left")]
    if data.get("months") is not None:
        parts.append(months_table(data["months"], measure, lang))
    if data.get("timeline") is not None:
        parts.append(history_table(data["timeline"], measure, lang, names))
    return Group(*parts)
