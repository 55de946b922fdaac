"""Indicators (指标监测) on the item pages and the API, over services/indicators.py.

An indicator's page shows every month recorded with its change and light (the service's show), and
its reporting unit's staff record a month's figure there (填报); the secretariat adjusts the target or
stops watching it. The service takes no reader: this adapter reads the indicator first, so that one
outside the reader's sight is 404 before anything is written (its reporting unit never changes).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import Any

from coordination.domain.errors import InvalidInput
from coordination.domain.indicator_workflow import INDICATOR_WORKFLOW, IndicatorAction, IndicatorState
from coordination.domain.investment import YearMonth
from coordination.domain.problem import Actor
from coordination.services import indicators
from coordination.web.auth import Identity
from coordination.web.items_kind import (
    Fact,
    FieldKind,
    FormField,
    ItemFilter,
    ItemInput,
    ItemKind,
    ItemTable,
    Shown,
    by_authority,
    fact,
    seen_id,
    seen_only,
)

A = IndicatorAction
FIGURE_MAX = 40  # a figure as typed; the domain judges it


def _list(identity: Identity, chosen: ItemFilter) -> list[dict[str, Any]]:
    if chosen.open_only and chosen.state not in (None, IndicatorState.ACTIVE):
        return []  # a retired indicator is never open
    state = IndicatorState.ACTIVE if chosen.open_only else IndicatorState(chosen.state) if chosen.state else None
    found = indicators.list_indicators(identity.reader(), state=state, unit=chosen.unit, light=chosen.light)
    return seen_only(identity, [view.to_json() for view in found])


def _show(identity: Identity, text: str) -> Shown:
    detail = indicators.show_indicator(identity.reader(), code=text)
    record = {**detail.indicator.to_json(), "months": [point.to_json() for point in detail.months]}
    return by_authority(INDICATORS, identity, record, detail.timeline)


def _given(text: str | None, what_zh: str, what_en: str) -> str:
    if text is None or not text.strip():
        raise InvalidInput(f"请填写{what_zh}", f"give the {what_en}")
    return text


def _or_none(text: str | None) -> str | None:
    """A field left empty (or emptied on the page's prefilled form) changes nothing."""
    return text if text is not None and text.strip() else None


def _act(identity: Identity, text: str, action: StrEnum, given: ItemInput, expected: int | None) -> dict[str, Any]:
    code = seen_id(INDICATORS, identity, indicators.show_indicator(identity.reader(), code=text).indicator.record)
    writer, caller = identity.writer(), identity.caller
    chosen = IndicatorAction(action)
    if chosen is A.RECORD:
        view = indicators.record_value(writer, caller=caller, code=code, month=_given(given.month, "月份", "month"),
                                       value=_given(given.value, "数值", "figure"), expected_version=expected)
    elif chosen is A.RETARGET:
        view = indicators.retarget(writer, caller=caller, code=code, target=_or_none(given.target),
                                   tolerance=_or_none(given.tolerance), reason=given.reason,
                                   expected_version=expected)
    else:
        view = indicators.retire(writer, caller=caller, code=code, reason=given.reason, expected_version=expected)
    return view.to_json()


def _waiting(actor: Actor, offered: Sequence[StrEnum], record: dict[str, Any], today: date) -> bool:
    """A month's figure is reported in the month after it: an indicator waits for its reporting unit's staff
    while last month's figure (or a later one) is not in yet."""
    if A.RECORD not in offered or actor.unit is None or actor.unit != record.get("lead_unit"):
        return False
    latest = record.get("latest_month")
    return latest is None or str(latest) < str(YearMonth.of(today).previous())


_TARGET = Fact(("目标值", "Target"), "target", "figure")
_TOLERANCE = Fact(("容差", "Tolerance"), "tolerance")
_LATEST = Fact(("最新数值", "Latest figure"), "latest_value", "figure")
_LATEST_MONTH = Fact(("最新月份", "Latest month"), "latest_month")

INDICATORS = ItemKind(
    slug="indicators", workflow=INDICATOR_WORKFLOW, name_zh="指标监测", name_en="Indicators", title_key="name",
    unit_word="reporting_unit", due_word=None, has_lights=True, key="code",
    facts=(
        fact("reporting_unit", "lead_unit", "unit"), Fact(("计量单位", "Measure"), "measure"), _TARGET, _TOLERANCE,
        Fact(("越高越好", "Higher is better"), "higher_is_better", "yes_no"), _LATEST_MONTH, _LATEST,
        Fact(("添加人", "Added by"), "added_by", "person"), Fact(("添加日期", "Added on"), "added_on", "day"),
        Fact(("停止监测日期", "Retired on"), "retired_on", "day"), fact("version", "version"),
    ),
    list_items=_list, show_item=_show, act=_act, waiting=_waiting,
    note=None,  # a figure carries no note; the secretariat's changes carry their reasons
    extra={
        A.RECORD.value: (FormField("month", FieldKind.MONTH, "月份", "Month", required=True),
                         FormField("value", FieldKind.TEXT, "数值（如 7.9，不带单位）", "Figure (e.g. 7.9, no unit)",
                                   required=True, max_length=FIGURE_MAX)),
        A.RETARGET.value: (FormField("target", FieldKind.TEXT, "目标值", "Target", current="target",
                                     max_length=FIGURE_MAX),
                           FormField("tolerance", FieldKind.TEXT, "容差", "Tolerance", current="tolerance",
                                     max_length=FIGURE_MAX)),
    },
    reason_labels={A.RETARGET.value: ("调整理由", "Why the target changes"),
                   A.RETIRE.value: ("停止监测的理由", "Why it is no longer watched")},
    event_keys=(fact("month", "month"), Fact(("数值", "Figure"), "value", "figure"),
                Fact(("原数值", "Was"), "previous_value", "figure"), _TARGET, _TOLERANCE),
    row_facts=(_LATEST_MONTH, _LATEST),
    tables=(ItemTable(("各月数据", "Monthly figures"), "months", (
        fact("month", "month"), Fact(("数值", "Figure"), "value", "figure"),
        Fact(("较上月", "Change"), "change"), Fact(("亮灯", "Light"), "light", "light"))),),
    open_word=("监测中", "Monitored"),
)
