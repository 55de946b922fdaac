"""Rich renderables for special plans (专项规划): the list, and one plan with its stages and timeline."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text

from coordination.domain.labels import label, word
from coordination.domain.special_plan import STAGE_COLUMNS
from coordination.domain.special_plan_workflow import SPECIAL_PLAN_WORKFLOW, SpecialPlanState
from coordination.render.fit import Cell, Col, Fit, Fitted, Place, fields
from coordination.render.names import NameBook
from coordination.render.terminal import none_text, timeline_table

_STATE_STYLE = {
    SpecialPlanState.DRAFTING: "cyan", SpecialPlanState.EXPERT_REVIEWED: "bright_blue",
    SpecialPlanState.DELIBERATED: "yellow", SpecialPlanState.ISSUED: "green",
}


def special_plan_state_text(state: str, lang: str) -> Text:
    value = SpecialPlanState(state)
    return Text(label(value, lang), style=_STATE_STYLE[value])


def _last_stage(row: dict[str, Any]) -> str:
    """The day the plan reached its present stage (its adding day while drafting)."""
    days = [row.get(day) for day, _ in STAGE_COLUMNS.values()]
    return str(next((d for d in reversed(days) if d), row["added_on"]))


def special_plans_table(rows: Sequence[dict[str, Any]], lang: str, names: NameBook) -> Fitted:
    columns = [
        Col(word("code", lang), Fit.WHOLE, place=Place.HEAD, style="bold"),
        Col(word("name", lang), least=16, place=Place.LINE, host=True),
        Col(word("state", lang), Fit.WORDS, place=Place.HEAD),
        Col(word("drafting_unit", lang), least=10, narrow=1),
        Col(word("stage_on", lang), Fit.WHOLE),
    ]
    cells: list[list[Cell]] = [
        [row["code"], row["name"], special_plan_state_text(row["state"], lang), names.unit(row.get("lead_unit")),
         _last_stage(row)]
        for row in rows]
    return Fitted(columns, cells, title=word("special_plans", lang), empty=none_text(lang), lang=lang)


def special_plan_detail(data: dict[str, Any], lang: str, names: NameBook) -> Group:
    """The plan's facts and each stage passed (its day and document), then its timeline."""
    added_on = f"（{data['added_on']}）" if lang == "zh" else f" ({data['added_on']})"
    pairs: list[tuple[str, Cell]] = [
        (word("name", lang), data["name"]),
        (word("state", lang), special_plan_state_text(data["state"], lang)),
        (word("drafting_unit", lang), names.unit(data.get("lead_unit"))),
        (word("registered_by", lang), f"{names.person(data['added_by'])}{added_on}"),
    ]
    for action, (day, document) in STAGE_COLUMNS.items():
        if data.get(day):
            pairs.append((label(action, lang), f"{data[day]}　{data.get(document) or ''}".strip()))
    pairs.append((word("version", lang), str(data["version"])))
    parts: list[RenderableType] = [Panel(fields(pairs), title=Text(data["code"], style="bold"), title_align="left")]
    if data.get("timeline") is not None:
        parts.append(timeline_table(data["timeline"], lang, names, workflow=SPECIAL_PLAN_WORKFLOW))
    return Group(*parts)
