"""Rich renderables for fund applications (资金争取) and guidance-fund disbursements (引导资金发放).

Amounts are shown in 万元, exact (no rounding, no trailing zeros); the JSON output keeps whole 元.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text

from coordination.domain.disbursement_workflow import DisbursementState
from coordination.domain.fund import STAGE_DAYS, wan_text
from coordination.domain.fund_workflow import FUND_WORKFLOW, FundSource, FundState, FundType
from coordination.domain.labels import label, word
from coordination.render.fit import Cell, Col, Fit, Fitted, Place, fields
from coordination.render.names import NameBook
from coordination.render.terminal import none_text, timeline_table

# This kind's own words (the shared table in domain/labels.py stays as it is).
_WORDS: dict[str, tuple[str, str]] = {
    "funds": ("资金争取清单", "Fund applications"),
    "source_type": ("来源/类型", "Source / type"),
    "source": ("资金来源", "Source"),
    "fund_type": ("资金类型", "Type"),
    "applying_unit": ("申报单位", "Applying unit"),
    "granted": ("下达金额（万元）", "Granted (10k yuan)"),
    "grant_document": ("下达文件", "Granting document"),
    "evaluation": ("评估结论", "Evaluation"),
    "stage_on": ("环节日期", "Stage date"),
    "prepared_on": ("前期推进", "Prepared on"),
    "applied_on": ("审核申报", "Applied on"),
    "granted_on": ("计划下达", "Granted on"),
    "evaluated_on": ("绩效评估", "Evaluated on"),
    "added": ("入库", "Added"),
    "closed_on": ("终止日期", "Closed on"),
    "granted_total": ("下达合计 {wan} 万元（{count} 项）", "Granted in all: {wan} (10k yuan), {count}"),
    "disbursements": ("引导资金发放", "Guidance-fund disbursements"),
    "enterprise": ("企业", "Enterprise"),
    "amount": ("金额（万元）", "Amount (10k yuan)"),
    "paid_on": ("发放日期", "Paid on"),
    "paying_unit": ("发放单位", "Paying unit"),
    "year_total": ("{year} 年：{count} 笔，{enterprises} 家企业，合计 {wan} 万元",
                   "{year}: {count} payment(s) to {enterprises} enterprise(s), {wan} (10k yuan) in all"),
}
_FUND_STYLE = {
    FundState.RESERVE: "cyan", FundState.PREPARING: "bright_blue", FundState.APPLYING: "yellow",
    FundState.GRANTED: "green", FundState.EVALUATED: "green", FundState.REFUSED: "red", FundState.WITHDRAWN: "dim",
}


def _w(key: str, lang: str) -> str:
    zh, en = _WORDS[key]
    return en if lang == "en" else zh


def fund_state_text(state: str, lang: str) -> Text:
    value = FundState(state)
    return Text(label(value, lang), style=_FUND_STYLE[value])


def _source_type(row: dict[str, Any], lang: str) -> str:
    source, kind = label(FundSource(row["source"]), lang), label(FundType(row["fund_type"]), lang)
    return f"{source}{kind}" if lang == "zh" else f"{source} {kind}"


def _last_stage(row: dict[str, Any]) -> str:
    """The day the application reached its present stage (its adding day while in the reserve)."""
    days = [row.get(day) for day in dict.fromkeys(STAGE_DAYS.values())]
    return str(next((d for d in reversed(days) if d), row["added_on"]))


def funds_table(rows: Sequence[dict[str, Any]], lang: str, names: NameBook) -> Fitted:
    columns = [
        Col(word("code", lang), Fit.WHOLE, place=Place.HEAD, style="bold"),
        Col(word("name", lang), least=16, place=Place.LINE, host=True),
        Col(_w("source_type", lang), Fit.WORDS),
        Col(word("state", lang), Fit.WORDS, place=Place.HEAD),
        Col(_w("applying_unit", lang), least=8, narrow=1),
        Col(word("project", lang), least=10, narrow=2),
        Col(_w("granted", lang), Fit.WHOLE, justify="right"),
        Col(_w("stage_on", lang), Fit.WHOLE),
    ]
    cells: list[list[Cell]] = [
        [row["code"], row["name"], _source_type(row, lang), fund_state_text(row["state"], lang),
         names.unit(row.get("lead_unit")), names.project(row.get("project")), wan_text(row.get("granted_yuan")),
         _last_stage(row)]
        for row in rows]
    table = Fitted(columns, cells, title=_w("funds", lang), empty=none_text(lang), lang=lang)
    granted = [row["granted_yuan"] for row in rows if row.get("granted_yuan") is not None]
    if granted:
        table.caption = _w("granted_total", lang).format(wan=wan_text(sum(granted)), count=len(granted))
    return table


def fund_detail(data: dict[str, Any], lang: str, names: NameBook) -> Group:
    """The application's facts and each stage passed (its day, and a grant's amount), then its timeline."""
    added_on = f"（{data['added_on']}）" if lang == "zh" else f" ({data['added_on']})"
    pairs: list[tuple[str, Cell]] = [
        (word("name", lang), data["name"]),
        (_w("source", lang), label(FundSource(data["source"]), lang)),
        (_w("fund_type", lang), label(FundType(data["fund_type"]), lang)),
        (word("state", lang), fund_state_text(data["state"], lang)),
        (_w("applying_unit", lang), names.unit(data.get("lead_unit"))),
        (word("project", lang), names.project(data.get("project"))),
        (_w("added", lang), f"{names.person(data['added_by'])}{added_on}"),
    ]
    for day in ("prepared_on", "applied_on", "granted_on", "evaluated_on"):
        if data.get(day):
            pairs.append((_w(day, lang), str(data[day])))
    if data.get("granted_yuan") is not None:
        pairs.append((_w("granted", lang), wan_text(data["granted_yuan"])))
    if data.get("grant_document"):
        pairs.append((_w("grant_document", lang), data["grant_document"]))
    if data.get("evaluation"):
        pairs.append((_w("evaluation", lang), data["evaluation"]))
    if data.get("closed_on"):
        pairs.append((_w("closed_on", lang), str(data["closed_on"])))
    pairs.append((word("version", lang), str(data["version"])))
    parts: list[RenderableType] = [Panel(fields(pairs), title=Text(data["code"], style="bold"), title_align="left")]
    if data.get("timeline") is not None:
        parts.append(timeline_table(data["timeline"], lang, names, workflow=FUND_WORKFLOW))
    return Group(*parts)


def disbursements_table(rows: Sequence[dict[str, Any]], totals: Sequence[dict[str, Any]], lang: str,
                        names: NameBook) -> Fitted:
    """The payments, and under them each year's count, enterprises and total (revoked ones not counted)."""
    columns = [
        Col(word("id", lang), Fit.WHOLE, place=Place.HEAD, style="bold"),
        Col(_w("enterprise", lang), least=12, place=Place.LINE, host=True),
        Col(_w("amount", lang), Fit.WHOLE, justify="right", place=Place.HEAD),
        Col(_w("paid_on", lang), Fit.WHOLE),
        Col(word("state", lang), Fit.WORDS),
        Col(_w("paying_unit", lang), least=8, narrow=1),
    ]
    cells: list[list[Cell]] = [
        [row["id"], row["enterprise"], wan_text(row["amount_yuan"]), str(row["paid_on"]),
         Text(label(DisbursementState(row["state"]), lang),
              style="dim" if row["state"] == DisbursementState.REVOKED.value else ""),
         names.unit(row.get("lead_unit"))]
        for row in rows]
    table = Fitted(columns, cells, title=_w("disbursements", lang), empty=none_text(lang), lang=lang)
    if totals:
        table.caption = "\n".join(
            _w("year_total", lang).format(year=t["year"], count=t["count"], enterprises=t["enterprises"],
                                          wan=wan_text(t["total_yuan"])) for t in totals)
    return table
