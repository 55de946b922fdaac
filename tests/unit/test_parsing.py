"""The input parsers: every alias, every date form, and Chinese errors that say what is accepted."""

from __future__ import annotations

from datetime import date
from enum import Enum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coordination.domain.enums import Difficulty, Level, Light, ProjectKind, ProjectLevel, Role, State, UnitKind
from coordination.domain.errors import InvalidInput
from coordination.domain.investment import Grouping
from coordination.domain.labels import bilingual
from coordination.domain.meetings import MeetingKind, MeetingState
from coordination.domain.parsing import (
    accepted,
    parse_choice,
    parse_day,
    parse_difficulty,
    parse_level,
    parse_light,
    parse_month,
    parse_quarter,
    parse_report_period,
    parse_state,
    parse_unit_kind,
    parse_week,
    parse_year,
    zh_label,
)
from coordination.domain.periods import Cadence

TODAY = date(2026, 11, 30)
ENUMS: list[type[Enum]] = [State, Light, Level, Difficulty, UnitKind, ProjectLevel, ProjectKind, MeetingKind,
                           MeetingState, Grouping, Role]


@pytest.mark.parametrize("enum_type", ENUMS, ids=lambda e: e.__name__)
def test_every_value_reads_from_its_key_name_and_labels_in_any_case(enum_type: type[Enum]) -> None:
    for value in enum_type:
        forms = {str(value.value), str(value.value).upper(), value.name, value.name.lower(), zh_label(value)}
        if not isinstance(value, MeetingKind | MeetingState | Grouping):
            forms |= set(bilingual(value))
        for form in forms:
            assert parse_choice(enum_type, form) is value, form
            assert parse_choice(enum_type, f"  {form} ") is value, form


@pytest.mark.parametrize(("text", "expected"), [
    ("待会办", State.ON_AGENDA), ("已交办", State.ASSIGNED), ("已上报", State.SUBMITTED), ("办理中", State.IN_PROGRESS),
    ("申请办结", State.RESOLUTION_SUBMITTED), ("已销号", State.CLOSED), ("解释办结", State.CLOSED_EXPLAINED),
    ("持续跟进", State.LONG_TERM), ("已撤销", State.WITHDRAWN), ("ON_AGENDA", State.ON_AGENDA),
    ("in progress", State.IN_PROGRESS), ("in-progress", State.IN_PROGRESS), ("long-term", State.LONG_TERM),
])
def test_states(text: str, expected: State) -> None:
    assert parse_state(text) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("红", Light.RED), ("红灯", Light.RED), ("red", Light.RED), ("RED", Light.RED),
    ("黄", Light.YELLOW), ("黄灯", Light.YELLOW), ("Yellow", Light.YELLOW),
    ("绿", Light.GREEN), ("绿灯", Light.GREEN), ("green", Light.GREEN),
])
def test_lights(text: str, expected: Light) -> None:
    assert parse_light(text) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("L1", Level.L1), ("l2", Level.L2), ("2", Level.L2), ("二级", Level.L2), ("三级", Level.L3), ("L3", Level.L3),
    ("四级", Level.L4), ("L5", Level.L5), ("五级", Level.L5), ("一级", Level.L1), ("Ｌ２", Level.L2),
    ("L2 专班会商", Level.L2), ("专班会商", Level.L2), ("挂钩领导会办", Level.L3), ("报市级", Level.L5),
])
def test_levels(text: str, expected: Level) -> None:
    assert parse_level(text) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("a", Difficulty.A), ("A", Difficulty.A), ("A类", Difficulty.A), ("b", Difficulty.B), ("B 类", Difficulty.B),
    ("c", Difficulty.C), ("C", Difficulty.C), ("C类", Difficulty.C), ("C 类（5个工作日）", Difficulty.C),
    ("ｃ类", Difficulty.C),
])
def test_difficulties(text: str, expected: Difficulty) -> None:
    assert parse_difficulty(text) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("部门", UnitKind.DEPARTMENT), ("department", UnitKind.DEPARTMENT), ("属地", UnitKind.LOCALITY),
    ("属地镇/园区", UnitKind.LOCALITY), ("园区", UnitKind.LOCALITY), ("镇", UnitKind.LOCALITY),
    ("locality", UnitKind.LOCALITY), ("企业", UnitKind.ENTERPRISE), ("Enterprise", UnitKind.ENTERPRISE),
])
def test_unit_kinds(text: str, expected: UnitKind) -> None:
    assert parse_unit_kind(text) is expected


@pytest.mark.parametrize(("enum_type", "text", "expected"), [
    (ProjectLevel, "省重点", ProjectLevel.PROVINCIAL), (ProjectLevel, "省级", ProjectLevel.PROVINCIAL),
    (ProjectLevel, "市重点", ProjectLevel.MUNICIPAL), (ProjectLevel, "区级", ProjectLevel.DISTRICT),
    (ProjectKind, "产业", ProjectKind.INDUSTRY), (ProjectKind, "社会民生", ProjectKind.LIVELIHOOD),
    (ProjectKind, "民生", ProjectKind.LIVELIHOOD), (ProjectKind, "基础设施", ProjectKind.INFRASTRUCTURE),
    (MeetingKind, "专班会商会", MeetingKind.TASK_FORCE), (MeetingKind, "会商", MeetingKind.TASK_FORCE),
    (MeetingKind, "挂钩领导会办会", MeetingKind.LEADER), (MeetingKind, "会办", MeetingKind.LEADER),
    (MeetingKind, "主要领导专题会", MeetingKind.PRINCIPAL), (MeetingKind, "常务会", MeetingKind.PRINCIPAL),
    (MeetingState, "筹备中", MeetingState.PLANNED), (MeetingState, "已闭会", MeetingState.CLOSED),
    (Grouping, "按属地", Grouping.LOCALITY), (Grouping, "级别", Grouping.LEVEL),
    (Role, "专班办公室", Role.SECRETARIAT), (Role, "经办人", Role.HANDLER), (Role, "挂钩区领导", Role.LEADER),
    (Role, "区主要领导", Role.PRINCIPAL), (Role, "unit-head", Role.UNIT_HEAD),
])
def test_other_vocabularies(enum_type: type[Enum], text: str, expected: Enum) -> None:
    assert parse_choice(enum_type, text) is expected


@pytest.mark.parametrize("enum_type", ENUMS, ids=lambda e: e.__name__)
def test_unknown_values_are_invalid_input_listing_what_is_accepted_in_chinese(enum_type: type[Enum]) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_choice(enum_type, "紫色", option="--x")
    assert caught.value.zh.startswith("--x：无法识别的")
    assert caught.value.exit_code == 2
    for value in enum_type:
        assert zh_label(value) in caught.value.zh and str(value.value) in caught.value.en
    assert all(zh_label(v) in accepted(enum_type) for v in enum_type)


@pytest.mark.parametrize("text", [
    "2024-10-08", "2024-10-8", "2024/10/08", "2024/10/8", "2024.10.8", "2024.10.08", "2024年10月8日", "2024年10月08日",
    "2024年10月8号", "20241008", " 2024-10-08 ", "２０２４－１０－０８", "2024 年 10 月 8 日",
])
def test_date_forms(text: str) -> None:
    assert parse_day(text) == date(2024, 10, 8)


def test_month_and_day_take_the_year_of_today() -> None:
    assert parse_day("10月8日", today=TODAY) == date(2026, 10, 8)
    assert parse_day("12月20日", today=TODAY) == date(2026, 12, 20)
    with pytest.raises(InvalidInput):
        parse_day("10月8日")  # no year to take it from


@pytest.mark.parametrize("text", ["2024-13-01", "2024/2/30", "10/8", "yesterday", "", "2024年13月1日", "2024-10"])
def test_bad_dates_are_invalid_input_listing_the_forms(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_day(text, today=TODAY, option="--due")
    assert caught.value.zh.startswith("--due：日期格式无效")
    assert "2024年10月8日" in caught.value.zh and "10月8日" in caught.value.zh


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)))  # the range every date keeps to
def test_every_date_form_reads_back_any_day(day: date) -> None:
    forms = [day.isoformat(), f"{day.year}/{day.month}/{day.day}", f"{day.year}.{day.month}.{day.day}",
             f"{day.year}年{day.month}月{day.day}日", f"{day.year}{day.month:02d}{day.day:02d}"]
    for form in forms:
        assert parse_day(form) == day, form
    assert parse_day(f"{day.month}月{day.day}日", today=day) == day


# From the Monday of 1950's first ISO week: 1 January 1950 (a Sunday) lies in 1949-W52, a year before any
# coord accepts.
@given(st.dates(min_value=date(1950, 1, 2), max_value=date(2100, 12, 31)))
def test_any_day_names_its_week_month_quarter_and_year(day: date) -> None:
    for form in (day.isoformat(), f"{day.year}/{day.month}/{day.day}", f"{day.year}年{day.month}月{day.day}日"):
        for cadence in Cadence:
            period = parse_report_period(cadence, form)
            assert period.first <= day <= period.last
            assert period.cadence is cadence
    year, week, _ = day.isocalendar()
    assert parse_week(f"{year}-W{week:02d}").first <= day <= parse_week(f"{year}-W{week}").last


@pytest.mark.parametrize("text", ["2026-W48", "2026W48", "2026-w48", "2026年第48周", "2026-11-23", "2026/11/29",
                                  "2026年11月25日", "11月25日"])
def test_week_forms(text: str) -> None:
    assert parse_week(text, today=TODAY).name == "2026-W48"


@pytest.mark.parametrize("text", ["2026-10", "2026/10", "2026.10", "2026年10月", "2026-10-15", "10月"])
def test_month_forms(text: str) -> None:
    assert parse_month(text, today=TODAY).name == "2026-10"


@pytest.mark.parametrize("text", ["2026Q3", "2026q3", "2026-Q3", "2026年第三季度", "2026年三季度", "2026年第3季度",
                                  "2026-08-01"])
def test_quarter_forms(text: str) -> None:
    assert parse_quarter(text).name == "2026Q3"


@pytest.mark.parametrize("text", ["2026", "2026年", "2026-06-01"])
def test_year_forms(text: str) -> None:
    assert parse_year(text).name == "2026"


@pytest.mark.parametrize(("cadence", "text"), [
    (Cadence.WEEKLY, "2026-W60"), (Cadence.WEEKLY, "第48周"), (Cadence.MONTHLY, "2026-13"),
    (Cadence.MONTHLY, "10"), (Cadence.QUARTERLY, "2026Q5"), (Cadence.ANNUAL, "明年"),
])
def test_bad_periods_are_invalid_input_listing_the_forms(cadence: Cadence, text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_report_period(cadence, text, today=TODAY, option="--p")
    assert caught.value.zh.startswith("--p：无法识别的报告期") and "可写作" in caught.value.zh
