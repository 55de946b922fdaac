"""Rich renderables for filings (备案): the list with lights, and one filing with its timeline."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text

from coordination.domain.filing_workflow import FILING_WORKFLOW, FilingState
from coordination.domain.labels import label, word
from coordination.render.fit import Cell, Col, Fit, Fitted, Place, fields
from coordination.render.names import NameBook
from coordination.render.terminal import light_text, none_text, timeline_table

_STATE_STYLE = {FilingState.RECEIVED: "bright_blue", FilingState.COMPLETED: "green", FilingState.RETURNED: "red"}


def filing_state_text(state: str, lang: str) -> Text:
    value = FilingState(state)
    return Text(label(value, lang), style=_STATE_STYLE[value])


def filings_table(rows: Sequence[dict[str, Any]], lang: str, names: NameBook) -> Fitted:
    columns = [
        Col(word("id", lang), Fit.WHOLE, place=Place.HEAD, style="bold"),
        Col(word("filing_project", lang), least=16, place=Place.LINE, host=True),
        Col(word("enterprise", lang), least=10, narrow=1),
        Col(word("state", lang), Fit.WORDS, place=Place.HEAD),
        Col(word("receiving_unit", lang), least=8, narrow=1),
        Col(word("filing_due", lang), Fit.WHOLE),
        Col(word("light", lang), Fit.WHOLE, place=Place.HEAD),
    ]
    cells: list[list[Cell]] = [
        [row["id"], row["project_name"], row["enterprise"], filing_state_text(row["state"], lang),
         names.unit(row.get("lead_unit")), str(row["due_date"]), light_text(row.get("light"), lang)]
        for row in rows]
    return Fitted(columns, cells, title=word("filings", lang), empty=none_text(lang), lang=lang)


def filing_detail(data: dict[str, Any], lang: str, names: NameBook) -> Group:
    """The filing's facts by name (the number heads the panel), then its timeline."""
    received_on = f"（{data['received_on']}）" if lang == "zh" else f" ({data['received_on']})"
    pairs: list[tuple[str, Cell]] = [
        (word("filing_project", lang), data["project_name"]),
        (word("enterprise", lang), data["enterprise"]),
        (word("state", lang), filing_state_text(data["state"], lang)),
        (word("receiving_unit", lang), names.unit(data.get("lead_unit"))),
        (word("received_by", lang), f"{names.person(data['received_by'])}{received_on}"),
        (word("filing_due", lang), str(data["due_date"])),
        (word("light", lang), light_text(data.get("light"), lang)),
    ]
    if data.get("working_days_left") is not None:
        pairs.append((word("working_days_left", lang), str(data["working_days_left"])))
    if data.get("completed_on"):
        pairs.append((word("completed_on", lang), str(data["completed_on"])))
    if data.get("returned_on"):
        pairs.append((word("returned_on", lang), str(data["returned_on"])))
    pairs.append((word("version", lang), str(data["version"])))
    parts: list[RenderableType] = [Panel(fields(pairs), title=Text(data["id"], style="bold"), title_align="left")]
    if data.get("timeline") is not None:
        parts.append(timeline_table(data["timeline"], lang, names, workflow=FILING_WORKFLOW))
    return Group(*parts)
