"""The ledger's 指标 sheet (指标代码, 月份, 数值): each row a month's figure of an indicator.

Checked with the rest of the workbook before anything is written (unknown codes, bad months and figures,
rows the importer may not record, repeats are row-level issues), then written through the very path
`coord indicator record` takes (services/indicators.record_in: its rules, its event, its notice), in the
import's transaction. A row equal to what coord holds is unchanged, so an exported ledger imports as nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain
from typing import Any, Protocol

from sqlmodel import Session, select

from coordination.domain.authority import ItemFacts, authorize
from coordination.domain.errors import Conflict, InvalidInput, NotPermitted
from coordination.domain.indicator import IndicatorFacts, figure_text, parse_figure, record_changes
from coordination.domain.indicator_workflow import INDICATOR_WORKFLOW, IndicatorAction
from coordination.domain.investment import YearMonth
from coordination.domain.problem import Actor
from coordination.models import Indicator, IndicatorValue
from coordination.services.common import Caller
from coordination.services.indicators import record_in
from coordination.services.snapshot import directory


class SheetRow(Protocol):
    """A parsed row of the workbook, as services/ledger.py reads it."""

    number: int
    failed: set[str]

    def get(self, key: str) -> Any: ...

    def issue(self, key: str | None, zh: str, en: str, *, warning: bool = False, permission: bool = False) -> Any: ...


@dataclass(frozen=True)
class PlannedValue:
    code: str
    month: YearMonth
    value: str


@dataclass
class IndicatorPlan:
    values: list[PlannedValue] = field(default_factory=list)
    unchanged: int = 0


def plan_indicator_rows(session: Session, caller: Caller, actor: Actor, rows: Iterable[SheetRow],
                        issues: list[Any]) -> IndicatorPlan:
    """What the sheet would record; every problem found is appended to `issues` (nothing is written).

    `rows` may be read as they are checked (services/ledger_sheets.py): peeked before loading anything."""
    plan = IndicatorPlan()
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return plan
    rows = chain((first,), rows)
    indicators = {i.code: i for i in session.exec(select(Indicator)).all()}
    stored = {(v.indicator, v.month): v.value for v in session.exec(select(IndicatorValue)).all()}
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        code_text, month, value = row.get("code"), row.get("month"), row.get("value")
        for column, present, zh, en in (("code", code_text, "指标代码不能为空", "the indicator code is empty"),
                                        ("month", month, "月份不能为空", "the month is empty"),
                                        ("value", value, "数值不能为空", "the figure is empty")):
            if present is None and column not in row.failed:
                issues.append(row.issue(column, zh, en))
        figure = None
        if value is not None:
            try:
                figure = figure_text(parse_figure(str(value)))
            except InvalidInput as error:
                issues.append(row.issue("value", error.zh, error.en))
        if code_text is None or month is None or figure is None:
            continue
        code = str(code_text).strip().upper()
        indicator = indicators.get(code)
        if indicator is None:
            issues.append(row.issue("code", f"未知指标代码“{code_text}”（coord indicator list 可查）",
                                    f"unknown indicator code '{code_text}'"))
            continue
        key = (code, str(month))
        if key in seen:
            issues.append(row.issue("month", f"指标 {code} 的 {month} 与第 {seen[key]} 行重复",
                                    f"{code} {month} repeats row {seen[key]}"))
            continue
        seen[key] = row.number
        if stored.get(key) == figure:
            plan.unchanged += 1
            continue
        facts = IndicatorFacts.of(indicator)
        try:
            authorize(INDICATOR_WORKFLOW, IndicatorAction.RECORD, actor, ItemFacts(code, facts.state, facts.lead_unit))
        except NotPermitted as error:
            issues.append(row.issue(None, error.zh, error.en, permission=True))
            continue
        except Conflict as error:
            issues.append(row.issue("code", error.zh, error.en))
            continue
        try:
            record_changes(facts, month=month, value=Decimal(figure), previous=stored.get(key), today=caller.today)
        except InvalidInput as error:
            issues.append(row.issue("month", error.zh, error.en))
            continue
        plan.values.append(PlannedValue(code, month, figure))
    return plan


def write_indicator_rows(session: Session, caller: Caller, actor: Actor, plan: IndicatorPlan) -> int:
    """Record the planned figures in the import's transaction, in the sheet's order; the events written."""
    if not plan.values:
        return 0
    snapshot = directory(session)
    for planned in plan.values:
        record_in(session, caller, actor, snapshot, code=planned.code, month=planned.month, value=planned.value)
    return len(plan.values)


def export_indicator_rows(session: Session) -> list[dict[str, Any]]:
    """Every month of every indicator, by code then month, in the 指标 sheet's columns."""
    names = {i.code: i.name for i in session.exec(select(Indicator)).all()}
    values = session.exec(select(IndicatorValue).order_by(IndicatorValue.indicator, IndicatorValue.month)).all()
    return [{"code": v.indicator, "name": names.get(v.indicator), "month": v.month, "value": v.value} for v in values]
