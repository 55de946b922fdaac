"""The indicator's workflow definition and its pure rules (domain/indicator_workflow.py, domain/indicator.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coordination.domain.authority import ItemFacts, authorize, required_reason
from coordination.domain.enums import Light, Role
from coordination.domain.errors import Conflict, InvalidInput, NotPermitted
from coordination.domain.indicator import (
    ANNUAL_INDICATORS,
    IndicatorFacts,
    current_light,
    figure_text,
    indicator_code,
    light_of,
    new_indicator,
    parse_figure,
    record_changes,
    retarget_changes,
    trend,
    trend_text,
)
from coordination.domain.indicator_workflow import (
    INDICATOR_ACTIONS,
    INDICATOR_TRANSITIONS,
    INDICATOR_WORKFLOW,
    IndicatorAction,
    IndicatorState,
    record_tells,
)
from coordination.domain.investment import YearMonth
from coordination.domain.kinds import WORKFLOWS
from coordination.domain.labels import bilingual, label
from coordination.domain.parsing import parse_indicator_state
from coordination.domain.problem import Actor
from coordination.render.markdown import GENERATED, notice_table, state_list, transition_table

A = IndicatorAction
S = IndicatorState
SECRETARIAT = Actor("wang_mishu", "FGJ", frozenset({Role.SECRETARIAT}))
HANDLER = Actor("zhao_jingban", "ZRZY", frozenset({Role.HANDLER}))
HEAD = Actor("qian_juzhang", "ZRZY", frozenset({Role.UNIT_HEAD}))
OTHER_HANDLER = Actor("sun_jingban", "ZJJ", frozenset({Role.HANDLER}))
LEADER = Actor("chen_fuquzhang", None, frozenset({Role.LEADER}))
TODAY = date(2024, 6, 3)
FAI = IndicatorFacts(code="FAI", state=S.ACTIVE, lead_unit="ZRZY", target=Decimal("8.5"), tolerance=Decimal("1"),
                     higher_is_better=True, latest_month="2024-04", latest_value="7.6")


def test_an_indicator_is_watched_then_retired_and_records_leave_its_state() -> None:
    assert INDICATOR_ACTIONS == (A.RECORD, A.RETARGET, A.RETIRE)
    assert INDICATOR_WORKFLOW.open_states == {"active"} and INDICATOR_WORKFLOW.finished_states == {"retired"}
    assert INDICATOR_TRANSITIONS[A.RECORD].target is None and not INDICATOR_TRANSITIONS[A.RECORD].needs_reason
    assert INDICATOR_TRANSITIONS[A.RETARGET].needs_reason and INDICATOR_TRANSITIONS[A.RETIRE].needs_reason
    assert all(INDICATOR_TRANSITIONS[a].sources == {S.ACTIVE} for a in INDICATOR_ACTIONS)
    assert INDICATOR_WORKFLOW in WORKFLOWS
    assert [label(s) for s in S] == ["监测中", "停止监测"]
    assert [label(a) for a in A] == ["新增", "填报", "调整目标", "停止监测"]
    for value in [*S, *A]:
        zh, en = bilingual(value)
        assert zh != value.value and en
    for state in S:
        assert parse_indicator_state(label(state)) is state and parse_indicator_state(state.value) is state
    with pytest.raises(InvalidInput, match="无法识别的指标状态"):
        parse_indicator_state("已销号")
    assert ANNUAL_INDICATORS == {"FAI": "fixed_asset_investment_growth", "SRV": "services_revenue_growth"}


@pytest.mark.parametrize(
    ("action", "actor", "facts", "outcome"),
    [
        (A.ADD, SECRETARIAT, ItemFacts("FAI", None, "ZRZY"), Role.SECRETARIAT),
        (A.ADD, HANDLER, ItemFacts("FAI", None, "ZRZY"), NotPermitted),  # even for their own unit
        (A.RECORD, HANDLER, ItemFacts("FAI", S.ACTIVE, "ZRZY"), Role.HANDLER),
        (A.RECORD, HEAD, ItemFacts("FAI", S.ACTIVE, "ZRZY"), Role.UNIT_HEAD),
        (A.RECORD, OTHER_HANDLER, ItemFacts("FAI", S.ACTIVE, "ZRZY"), NotPermitted),
        (A.RECORD, SECRETARIAT, ItemFacts("FAI", S.ACTIVE, "ZRZY"), Role.SECRETARIAT),
        (A.RECORD, SECRETARIAT, ItemFacts("FAI", S.RETIRED, "ZRZY"), Conflict),
        (A.RETARGET, HANDLER, ItemFacts("FAI", S.ACTIVE, "ZRZY"), NotPermitted),
        (A.RETIRE, LEADER, ItemFacts("FAI", S.RETIRED, "ZRZY"), NotPermitted),  # role before state
        (A.RETIRE, SECRETARIAT, ItemFacts("FAI", S.RETIRED, "ZRZY"), Conflict),
    ],
)
def test_authorize_follows_the_table(action: IndicatorAction, actor: Actor, facts: ItemFacts, outcome: object) -> None:
    if isinstance(outcome, Role):
        assert authorize(INDICATOR_WORKFLOW, action, actor, facts) is outcome
    else:
        assert isinstance(outcome, type)
        with pytest.raises(outcome):
            authorize(INDICATOR_WORKFLOW, action, actor, facts)


def test_retargeting_and_retiring_need_a_reason() -> None:
    with pytest.raises(InvalidInput, match="“调整目标”需要填写理由"):
        required_reason(INDICATOR_WORKFLOW, A.RETARGET, "  ")
    assert required_reason(INDICATOR_WORKFLOW, A.RETIRE, " 不再考核 ") == "不再考核"
    assert required_reason(INDICATOR_WORKFLOW, A.RECORD, None) is None


@pytest.mark.parametrize(("text", "canonical"), [
    ("8.5", "8.5"), ("8.50", "8.5"), ("-2.25", "-2.25"), ("+3", "3"), ("100", "100"), ("-0", "0"), (".5", "0.5"),
    ("0.0001", "0.0001"), ("1.00000", "1"), ("999999999999.9999", "999999999999.9999"), ("８．５", "8.5"),
])
def test_figures_are_exact_and_kept_in_canonical_text(text: str, canonical: str) -> None:
    assert figure_text(parse_figure(text)) == canonical


@pytest.mark.parametrize(("text", "why"), [
    ("NaN", "不是有效数字"), ("Infinity", "不是有效数字"), ("inf", "不是有效数字"), ("1e3", "不是有效数字"),
    ("7,9", "不是有效数字"), ("", "不是有效数字"), ("8.5%", "不是有效数字"), ("0.00001", "小数超过 4 位"),
    ("1000000000000", "过大"), ("-1000000000000.5", "过大"),
])
def test_figures_that_are_not_plain_bounded_decimals_are_refused(text: str, why: str) -> None:
    with pytest.raises(InvalidInput, match=why):
        parse_figure(text)
    with pytest.raises(InvalidInput, match="不是有效数字"):
        parse_figure(Decimal("NaN"))
    with pytest.raises(InvalidInput, match="不能为负数"):
        parse_figure("-1", "容差", "tolerance", negative=False)


def test_codes_are_upper_case_and_never_look_like_another_kinds_number() -> None:
    assert indicator_code(" fai ") == "FAI" and indicator_code("gdp-q.1") == "GDP-Q.1"
    for bad in ("", "中文", "A B", "X" * 21, "-FAI"):
        with pytest.raises(InvalidInput, match="指标代码"):
            indicator_code(bad)
    with pytest.raises(InvalidInput, match="问题编号"):
        indicator_code("Q-2024-0001")


def test_a_new_indicator_checks_its_fields() -> None:
    fields = new_indicator(code="FAI", name=" 固定资产投资累计增速 ", measure="%", target="8.50", tolerance=None,
                           higher_is_better=True, lead_unit="ZRZY", added_by="wang_mishu", today=TODAY)
    assert (fields["name"], fields["target"], fields["tolerance"], fields["state"], fields["latest_value"]) == (
        "固定资产投资累计增速", "8.5", "1", S.ACTIVE, None)
    with pytest.raises(InvalidInput, match="计量单位"):
        new_indicator(code="FAI", name="x", measure=" ", target="8.5", tolerance=None, higher_is_better=True,
                      lead_unit="ZRZY", added_by="wang_mishu", today=TODAY)
    with pytest.raises(InvalidInput, match="容差不能为负数"):
        new_indicator(code="FAI", name="x", measure="%", target="8.5", tolerance="-1", higher_is_better=True,
                      lead_unit="ZRZY", added_by="wang_mishu", today=TODAY)


@pytest.mark.parametrize(("value", "higher", "light"), [
    ("9", True, Light.GREEN), ("8.5", True, Light.GREEN), ("7.5", True, Light.YELLOW), ("7.49", True, Light.RED),
    ("8", False, Light.GREEN), ("8.5", False, Light.GREEN), ("9.5", False, Light.YELLOW), ("9.51", False, Light.RED),
])
def test_lights_judge_the_gap_in_the_good_direction(value: str, higher: bool, light: Light) -> None:
    assert light_of(Decimal(value), Decimal("8.5"), Decimal("1"), higher) is light


def test_no_light_before_any_figure_or_once_retired() -> None:
    assert current_light(FAI) is Light.YELLOW
    assert current_light(IndicatorFacts("FAI", S.ACTIVE, "ZRZY", Decimal("8.5"), Decimal("1"), True)) is None
    retired = IndicatorFacts("FAI", S.RETIRED, "ZRZY", Decimal("8.5"), Decimal("1"), True, "2024-04", "1")
    assert current_light(retired) is None


def test_a_record_moves_the_latest_month_and_a_correction_keeps_it() -> None:
    later = record_changes(FAI, month="2024-05", value="7.90", previous=None, today=TODAY)
    assert (later.changes, later.month, later.value) == (
        {"latest_month": "2024-05", "latest_value": "7.9"}, "2024-05", "7.9")
    earlier = record_changes(FAI, month=YearMonth(2024, 3), value="7.1", previous="7.2", today=TODAY)
    assert earlier.changes == {"latest_month": "2024-04", "latest_value": "7.6"} and earlier.month == "2024-03"
    same = record_changes(FAI, month="2024年4月", value="7.7", previous="7.6", today=TODAY)
    assert same.changes == {"latest_month": "2024-04", "latest_value": "7.7"}
    with pytest.raises(InvalidInput, match="尚未到来"):
        record_changes(FAI, month="2024-07", value="7.9", previous=None, today=TODAY)
    with pytest.raises(InvalidInput, match="未改变"):
        record_changes(FAI, month="2024-04", value="7.60", previous="7.6", today=TODAY)
    with pytest.raises(InvalidInput, match="无法识别的月份"):
        record_changes(FAI, month="13月", value="7.6", previous=None, today=TODAY)


def test_retargeting_changes_the_target_or_the_tolerance() -> None:
    assert retarget_changes(FAI, target="9", tolerance=None) == {"target": "9"}
    assert retarget_changes(FAI, target="8.50", tolerance="0.5") == {"tolerance": "0.5"}
    with pytest.raises(InvalidInput, match="--target"):
        retarget_changes(FAI, target=None, tolerance=None)
    with pytest.raises(InvalidInput, match="均未改变"):
        retarget_changes(FAI, target="8.5", tolerance="1.0")


def test_only_a_record_that_turns_the_light_red_tells() -> None:
    assert record_tells(Light.YELLOW, Light.RED) and record_tells(None, Light.RED)
    assert not record_tells(Light.RED, Light.RED) and not record_tells(Light.RED, Light.YELLOW)
    assert not record_tells(Light.GREEN, Light.YELLOW)


def test_the_trend_gives_each_months_change_and_light() -> None:
    points = trend([("2024-03", "7.2"), ("2024-01", "6"), ("2024-04", "7.6"), ("2024-05", "5")],
                   target=Decimal("8.5"), tolerance=Decimal("1"), higher_is_better=True)
    assert [(p.month, p.value, p.change, p.light) for p in points] == [
        ("2024-01", "6", None, Light.RED),
        ("2024-03", "7.2", None, Light.RED),  # February holds no figure: no change from it
        ("2024-04", "7.6", "0.4", Light.YELLOW),
        ("2024-05", "5", "-2.6", Light.RED),
    ]
    assert trend_text(points) == "6 → 7.2 → 7.6 → 5"
    assert points[2].to_json() == {"month": "2024-04", "value": "7.6", "change": "0.4", "light": "yellow"}
    assert trend([], target=Decimal(1), tolerance=Decimal(1), higher_is_better=True) == []


def test_the_readme_tables_of_the_indicator_are_generated_from_the_definition() -> None:
    assert GENERATED["indicator-states"]() == state_list(INDICATOR_WORKFLOW)
    assert GENERATED["indicator-transition-table"]() == transition_table(INDICATOR_WORKFLOW)
    assert "| `retarget` | 调整目标 | `adjustment` |" in notice_table(INDICATOR_WORKFLOW)
