"""What each action does to an indicator (指标监测), its figures and its light.

Pure. Figures are exact decimals kept as canonical text ("8.5", "-2.25": no exponent, no trailing
zeros), so neither back end rounds a percentage and the audit chain hashes the same text the row holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from coordination.domain.enums import Light
from coordination.domain.errors import InvalidInput
from coordination.domain.hygiene import MEASURE_MAX, NAME_MAX, required_text
from coordination.domain.indicator_workflow import IndicatorState
from coordination.domain.investment import YearMonth, clean_text
from coordination.domain.kinds import workflow_of

# The codes the annual report reads, with what it calls each figure:
#   FAI — 固定资产投资累计增速 (%): the year-to-date growth of fixed-asset investment;
#   SRV — 规上服务业营业收入累计同比增速 (%): the year-to-date growth of the revenue of services firms
#         above the designated size.
ANNUAL_INDICATORS: dict[str, str] = {"FAI": "fixed_asset_investment_growth", "SRV": "services_revenue_growth"}

CODE_MAX = 20
PLACES_MAX = 4  # decimals a figure may have
FIGURE_LIMIT = Decimal(10) ** 12  # no district figure comes near: a bigger one is a typing slip
DEFAULT_TOLERANCE = "1"
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_.\-]*$")
_FIGURE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


@dataclass(frozen=True)
class IndicatorFacts:
    """The parts of an indicator's row the rules look at."""

    code: str
    state: IndicatorState
    lead_unit: str
    target: Decimal
    tolerance: Decimal
    higher_is_better: bool
    latest_month: str | None = None
    latest_value: str | None = None

    @classmethod
    def of(cls, row: Any) -> IndicatorFacts:
        return cls(code=row.code, state=IndicatorState(row.state), lead_unit=row.lead_unit,
                   target=Decimal(row.target), tolerance=Decimal(row.tolerance),
                   higher_is_better=bool(row.higher_is_better), latest_month=row.latest_month,
                   latest_value=row.latest_value)


def indicator_code(text: str) -> str:
    """The stored code: the district's own, upper case; one that reads as another kind's number is refused."""
    code = clean_text(text).upper()
    if not _CODE.match(code) or len(code) > CODE_MAX:
        raise InvalidInput(f"指标代码“{text}”无效：只能用字母、数字、-、_、.，最长 {CODE_MAX} 位",
                           f"invalid indicator code '{text}': letters, digits, - _ . only, at most {CODE_MAX}")
    owner = workflow_of(code)
    if owner is not None and owner.kind != "indicator":
        raise InvalidInput(f"指标代码“{code}”与{owner.label_zh}编号的格式相同，请换一个代码",
                           f"indicator code '{code}' looks like a {owner.label_en} number; choose another")
    return code


def parse_figure(text: str | Decimal, what_zh: str = "数值", what_en: str = "value", *,
                 negative: bool = True) -> Decimal:
    """An exact figure: plain decimal notation, at most four decimals, below 10^12 in size (NaN,
    infinities and exponents are refused: a figure is typed as people write it)."""
    raw = text if isinstance(text, Decimal) else clean_text(text)
    if isinstance(raw, Decimal):
        value = raw
    elif _FIGURE.fullmatch(raw):
        value = Decimal(raw)
    else:
        value = Decimal("NaN")
    shown = str(raw)
    if not value.is_finite():
        raise InvalidInput(f"{what_zh}“{shown}”不是有效数字（应如 8.5 或 -2.25，单位另填）",
                           f"{what_en} '{shown}' is not a finite number (e.g. 8.5 or -2.25)")
    if abs(value) >= FIGURE_LIMIT:
        raise InvalidInput(f"{what_zh} {shown} 过大：绝对值须小于 1 万亿",
                           f"{what_en} {shown} is too large (|x| must be below 10^12)")
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > PLACES_MAX:
        raise InvalidInput(f"{what_zh} {shown} 的小数超过 {PLACES_MAX} 位",
                           f"{what_en} {shown} has more than {PLACES_MAX} decimals")
    if not negative and value < 0:
        raise InvalidInput(f"{what_zh}不能为负数：{shown}", f"{what_en} must not be negative: {shown}")
    return value


def figure_text(value: Decimal) -> str:
    """The canonical text of a figure: 8.50 → "8.5", 1E+2 → "100", -0 → "0"."""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def light_of(value: Decimal, target: Decimal, tolerance: Decimal, higher_is_better: bool) -> Light:
    """Green at or beyond the target in the good direction, yellow behind it by no more than the
    tolerance, red further behind."""
    behind = target - value if higher_is_better else value - target
    if behind <= 0:
        return Light.GREEN
    return Light.YELLOW if behind <= tolerance else Light.RED


def current_light(facts: IndicatorFacts) -> Light | None:
    """The light of the latest figure; none before any figure, and none once the indicator is retired."""
    if facts.state is not IndicatorState.ACTIVE or facts.latest_value is None:
        return None
    return light_of(Decimal(facts.latest_value), facts.target, facts.tolerance, facts.higher_is_better)


def _text(value: str, what_zh: str, what_en: str, most: int) -> str:
    return required_text(value, field_zh=what_zh, field_en=f"the {what_en}", option=None, max_len=most)


def new_indicator(*, code: str, name: str, measure: str, target: str, tolerance: str | None, higher_is_better: bool,
                  lead_unit: str, added_by: str, today: date) -> dict[str, Any]:
    """The fields of an indicator just added: 监测中, no figure yet."""
    return {
        "code": code, "name": _text(name, "指标名称", "name", NAME_MAX),
        "measure": _text(measure, "计量单位（--unit）", "measure (--unit)", MEASURE_MAX),
        "target": figure_text(parse_figure(target, "目标值", "target")),
        "tolerance": figure_text(parse_figure(tolerance or DEFAULT_TOLERANCE, "容差", "tolerance", negative=False)),
        "higher_is_better": higher_is_better, "state": IndicatorState.ACTIVE, "lead_unit": lead_unit,
        "added_by": added_by, "added_on": today, "latest_month": None, "latest_value": None, "retired_on": None,
    }


@dataclass(frozen=True)
class Recorded:
    """What one record writes: the row's changes, and the month's figure for the values table."""

    changes: dict[str, Any]
    month: str
    value: str


def record_changes(facts: IndicatorFacts, *, month: object, value: str | Decimal, previous: str | None,
                   today: date) -> Recorded:
    """One month's figure: the month not after the current one; the latest month stays the latest
    (an earlier month's figure is a correction and leaves it alone). `previous`: the month's stored figure."""
    when = YearMonth.parse(month)
    if when > YearMonth.of(today):
        raise InvalidInput(f"月份 {when} 尚未到来（本月为 {YearMonth.of(today)}）",
                           f"month {when} has not begun (this month is {YearMonth.of(today)})")
    figure = figure_text(parse_figure(value))
    if previous == figure:
        raise InvalidInput(f"{facts.code} {when} 已填报 {figure}，数值未改变",
                           f"{facts.code} {when} already holds {figure}; nothing to change")
    latest = facts.latest_month is None or str(when) >= facts.latest_month
    changes = {"latest_month": str(when), "latest_value": figure} if latest else {
        "latest_month": facts.latest_month, "latest_value": facts.latest_value}
    return Recorded(changes, str(when), figure)


def retarget_changes(facts: IndicatorFacts, *, target: str | None, tolerance: str | None) -> dict[str, Any]:
    """The new target and/or tolerance; refused when neither is given or neither changes."""
    if target is None and tolerance is None:
        raise InvalidInput("请给出新的目标值（--target）或容差（--tolerance）",
                           "give a new target (--target) or tolerance (--tolerance)")
    changes: dict[str, Any] = {}
    if target is not None:
        new_target = parse_figure(target, "目标值", "target")
        if new_target != facts.target:
            changes["target"] = figure_text(new_target)
    if tolerance is not None:
        new_tolerance = parse_figure(tolerance, "容差", "tolerance", negative=False)
        if new_tolerance != facts.tolerance:
            changes["tolerance"] = figure_text(new_tolerance)
    if not changes:
        raise InvalidInput(f"{facts.code} 的目标和容差均未改变", f"{facts.code}: neither target nor tolerance changes")
    return changes


def retire_changes(*, today: date) -> dict[str, Any]:
    return {"state": IndicatorState.RETIRED, "retired_on": today}


# ---- the monthly analysis ----------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    """One month of an indicator's year: its figure, the change from the month before, its light."""

    month: str
    value: str
    change: str | None  # None when the month before holds no figure
    light: Light

    def to_json(self) -> dict[str, Any]:
        return {"month": self.month, "value": self.value, "change": self.change, "light": self.light.value}


def trend(values: Iterable[tuple[str, str]], *, target: Decimal, tolerance: Decimal,
          higher_is_better: bool) -> list[TrendPoint]:
    """Per month (in order) the figure, its change from the previous month and its light against the target."""
    by_month = dict(sorted(values))
    points: list[TrendPoint] = []
    for month, value in by_month.items():
        figure = Decimal(value)
        before = by_month.get(str(YearMonth.parse(month).previous()))
        change = figure_text(figure - Decimal(before)) if before is not None else None
        points.append(TrendPoint(month, value, change, light_of(figure, target, tolerance, higher_is_better)))
    return points


def trend_text(points: Iterable[TrendPoint]) -> str:
    """The year so far in one line: 7.2 → 7.6 → 7.9."""
    return " → ".join(p.value for p in points)
