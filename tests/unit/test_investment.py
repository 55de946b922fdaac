"""Investment arithmetic and the ledger's vocabulary: pure functions, no database, no files."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from coordination.domain.enums import Light, ProjectKind, ProjectLevel
from coordination.domain.errors import InvalidInput
from coordination.domain.investment import (
    Grouping,
    MoneyUnit,
    ProjectFacts,
    StartStatus,
    Thresholds,
    YearMonth,
    amount_text,
    default_as_of,
    light_for_gap,
    parse_date,
    parse_kind,
    parse_level,
    parse_money,
    parse_yes_no,
    percent_text,
    portfolio,
    project_figures,
    time_target,
)
from coordination.domain.ledger import (
    PROBLEMS,
    PROGRESS,
    PROJECTS,
    find_header,
    is_note_row,
    is_total_row,
    match_header,
    normalize_header,
    split_refs,
)

# ---- money ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "yuan"), [
    (1200.5, 12_005_000),
    ("1,200.5", 12_005_000),
    ("１，２００.５", 12_005_000),  # typed with a Chinese input method
    ("3.2亿", 320_000_000),
    ("3.2亿元", 320_000_000),
    ("3200万", 32_000_000),
    ("3200万元", 32_000_000),
    ("8000元", 8_000),
    (35000, 350_000_000),
    (Decimal("0.0001"), 1),
    (1200.1, 12_001_000),  # the float 1200.0999… is read as the 1200.1 a person typed
    (" 500 ", 5_000_000),
])
def test_amounts_in_wan_parse_to_whole_yuan(cell: object, yuan: int) -> None:
    assert parse_money(cell) == yuan


def test_a_header_in_yi_makes_bare_numbers_yi() -> None:
    assert parse_money("1.5", MoneyUnit.YI) == 150_000_000
    assert parse_money("3000万", MoneyUnit.YI) == 30_000_000  # the cell's own unit wins


@pytest.mark.parametrize("cell", [None, "", "  ", "-", "—", "/"])
def test_blank_amounts_are_none(cell: object) -> None:
    assert parse_money(cell) is None


@pytest.mark.parametrize("cell", ["abc", "12.3.4", "-500", "约3000万", True])
def test_nonsense_amounts_are_refused_with_the_text_named(cell: object) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_money(cell)
    assert str(cell) in raised.value.zh or "负数" in raised.value.zh


def test_amount_text_is_exact_without_trailing_zeros() -> None:
    assert amount_text(12_005_000) == "1200.5"
    assert amount_text(350_000_000) == "35000"
    assert amount_text(1) == "0.0001"
    assert amount_text(None) is None


# ---- dates and months ----------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "day"), [
    (datetime(2024, 4, 1, 0, 0), date(2024, 4, 1)),
    (date(2024, 4, 1), date(2024, 4, 1)),
    (45383, date(2024, 4, 1)),  # an Excel serial number
    (45383.5, date(2024, 4, 1)),
    ("45383", date(2024, 4, 1)),
    ("2024-04-01", date(2024, 4, 1)),
    ("2024/4/1", date(2024, 4, 1)),
    ("2024.4.1", date(2024, 4, 1)),
    ("2024年4月1日", date(2024, 4, 1)),
    ("2024年4月", date(2024, 4, 1)),
    ("20240401", date(2024, 4, 1)),
    ("2024-04-01 00:00:00", date(2024, 4, 1)),
])
def test_dates_come_in_every_form_a_ledger_holds(cell: object, day: date) -> None:
    assert parse_date(cell) == day


@pytest.mark.parametrize("cell", ["2024-13-01", "下月初", "2024-02-30", 12, "1899-01-01"])
def test_impossible_dates_are_refused(cell: object) -> None:
    with pytest.raises(InvalidInput):
        parse_date(cell)


@pytest.mark.parametrize("cell", ["2024-04", "2024/4", "2024.04", "2024年4月", "202404", date(2024, 4, 17)])
def test_months_parse(cell: object) -> None:
    assert YearMonth.parse(cell) == YearMonth(2024, 4)


def test_months_know_their_neighbours_and_last_day() -> None:
    assert YearMonth(2024, 1).previous() == YearMonth(2023, 12)
    assert YearMonth(2024, 12).next() == YearMonth(2025, 1)
    assert YearMonth(2024, 2).last_day == date(2024, 2, 29)
    assert str(YearMonth(2024, 4)) == "2024-04"


def test_figures_default_to_the_last_complete_month() -> None:
    assert default_as_of(date(2024, 10, 8)) == YearMonth(2024, 9)
    assert default_as_of(date(2025, 1, 3)) == YearMonth(2024, 12)


@pytest.mark.parametrize(("cell", "value"), [("是", True), ("已入统", True), ("√", True), (1, True),
                                             ("否", False), ("未入统", False), ("×", False), (None, None)])
def test_yes_and_no(cell: object, value: bool | None) -> None:
    assert parse_yes_no(cell) is value


def test_levels_and_kinds_accept_chinese_and_english() -> None:
    assert parse_level("省重点") is ProjectLevel.PROVINCIAL
    assert parse_level("市级") is ProjectLevel.MUNICIPAL
    assert parse_level("district") is ProjectLevel.DISTRICT
    assert parse_kind("产业类") is ProjectKind.INDUSTRY
    assert parse_kind("民生") is ProjectKind.LIVELIHOOD
    assert parse_kind("基础设施") is ProjectKind.INFRASTRUCTURE
    with pytest.raises(InvalidInput, match="省重点"):
        parse_level("国家级")


# ---- figures -------------------------------------------------------------------------------

APRIL = YearMonth(2024, 4)


def battery_park(**overrides: object) -> ProjectFacts:
    """东区电池材料产业园一期: 12,000 万元 planned for 2024, 1,000 万元 a month so far."""
    values: dict[str, object] = {
        "code": "P-001", "level": ProjectLevel.PROVINCIAL, "kind": ProjectKind.INDUSTRY, "locality": "DQY",
        "leaders": ("chen.fuquzhang",), "total_investment": 3_500_000_000,
        "annual_plans": {2024: 1_200_000_000},
        "monthly": {YearMonth(2023, 12): 50_000_000, **{YearMonth(2024, m): 10_000_000 * 10 for m in (1, 2, 3, 4)}},
        "planned_start": date(2024, 3, 1), "actual_start": date(2024, 3, 20),
    }
    values.update(overrides)
    return ProjectFacts(**values)  # type: ignore[arg-type]


def test_time_target_is_the_share_of_the_year_gone() -> None:
    assert percent_text(time_target(APRIL)) == "33.3"
    assert time_target(YearMonth(2024, 12)) == Decimal(100)


def test_completion_rate_counts_this_year_only_and_the_gap_is_points_behind() -> None:
    figures = project_figures(battery_park(), APRIL)
    assert figures.done_ytd == 400_000_000  # December 2023 does not count toward 2024
    assert figures.done_total == 450_000_000
    assert figures.done_month == 100_000_000
    assert percent_text(figures.completion_rate) == "33.3"
    assert percent_text(figures.gap) == "0.0"
    assert figures.light is Light.GREEN
    assert figures.start is StartStatus.STARTED


def test_a_project_ten_to_thirty_points_behind_is_yellow_beyond_thirty_red() -> None:
    assert light_for_gap(Decimal("9.9"), Thresholds()) is Light.GREEN
    assert light_for_gap(Decimal(10), Thresholds()) is Light.YELLOW
    assert light_for_gap(Decimal(30), Thresholds()) is Light.YELLOW
    assert light_for_gap(Decimal("30.1"), Thresholds()) is Light.RED
    assert light_for_gap(Decimal(-50), Thresholds()) is Light.GREEN
    assert light_for_gap(None, Thresholds()) is None


def test_thresholds_are_settings() -> None:
    strict = Thresholds(Decimal(5), Decimal(15))
    slow = battery_park(monthly={YearMonth(2024, m): 50_000_000 for m in (1, 2, 3, 4)})  # 200 of 1,200: 16.7 %
    assert project_figures(slow, APRIL).light is Light.YELLOW
    assert project_figures(slow, APRIL, strict).light is Light.RED
    with pytest.raises(InvalidInput):
        Thresholds(Decimal(30), Decimal(10))


def test_a_project_without_an_annual_plan_has_no_rate_and_no_light() -> None:
    figures = project_figures(battery_park(annual_plans={}), APRIL)
    assert figures.completion_rate is None and figures.gap is None and figures.light is None


def test_a_project_past_its_planned_start_without_starting_is_late() -> None:
    late = battery_park(planned_start=date(2024, 4, 15), actual_start=None)
    assert project_figures(late, APRIL).start is StartStatus.LATE
    assert project_figures(late, YearMonth(2024, 3)).start is StartStatus.PENDING


def test_start_rate_is_started_over_planned_to_start_in_the_year_so_far() -> None:
    projects = [
        battery_park(code="P-001"),  # planned March, started March
        battery_park(code="P-002", planned_start=date(2024, 4, 10), actual_start=None),  # late
        battery_park(code="P-003", planned_start=date(2024, 9, 1), actual_start=None),  # not due yet
        battery_park(code="P-004", planned_start=date(2023, 5, 1), actual_start=date(2023, 6, 1)),  # last year's
    ]
    (everything,) = portfolio(projects, APRIL)
    assert everything.planned_to_start == 2 and everything.started == 1
    assert percent_text(everything.start_rate) == "50.0"
    assert everything.projects == 4
    assert everything.total_investment == 4 * 3_500_000_000


def test_portfolio_completion_is_total_done_over_total_plan() -> None:
    projects = [battery_park(code="P-001"),
                battery_park(code="P-002", annual_plans={2024: 800_000_000},
                             monthly={YearMonth(2024, 4): 0}),
                battery_park(code="P-003", annual_plans={})]  # no plan: left out of the rate
    (everything,) = portfolio(projects, APRIL)
    assert everything.annual_plan == 2_000_000_000
    assert everything.done_ytd == 400_000_000
    assert percent_text(everything.completion_rate) == "20.0"
    assert everything.light is Light.YELLOW
    assert everything.lights == {Light.GREEN: 1, Light.YELLOW: 0, Light.RED: 1}


def test_portfolio_groups_by_level_kind_locality_and_leader() -> None:
    projects = [battery_park(code="P-001"),
                battery_park(code="P-002", level=ProjectLevel.DISTRICT, kind=None, locality="XHZ",
                             leaders=("chen.fuquzhang", "liu.fuquzhang"))]
    by_level = portfolio(projects, APRIL, Grouping.LEVEL)
    assert [(g.key, g.projects) for g in by_level] == [("provincial", 1), ("district", 1)]
    by_kind = portfolio(projects, APRIL, Grouping.KIND)
    assert [(g.key, g.projects) for g in by_kind] == [("industry", 1), (None, 1)]
    by_leader = portfolio(projects, APRIL, Grouping.LEADER)
    assert [(g.key, g.projects) for g in by_leader] == [("chen.fuquzhang", 2), ("liu.fuquzhang", 1)]
    assert [g.key for g in portfolio(projects, APRIL, Grouping.LOCALITY)] == ["DQY", "XHZ"]


def test_completions_and_production_count_in_their_year() -> None:
    done = battery_park(actual_completion=date(2024, 3, 30), actual_production=date(2024, 5, 2))
    (everything,) = portfolio([done], APRIL)
    assert everything.completed_in_year == 1 and everything.produced_in_year == 0


def test_an_empty_portfolio_still_has_one_row() -> None:
    (everything,) = portfolio([], APRIL)
    assert everything.projects == 0 and everything.start_rate is None and everything.completion_rate is None


# ---- the ledger's headers ------------------------------------------------------------------


@pytest.mark.parametrize(("header", "name", "unit"), [
    ("总投资（万元）", "总投资", MoneyUnit.WAN),
    ("总投资(亿元)", "总投资", MoneyUnit.YI),
    ("*项目名称", "项目名称", None),
    ("办结期限\n（YYYY-MM-DD）", "办结期限", None),
    (" 属地镇/园区 ", "属地镇/园区", None),
])
def test_headers_are_read_without_their_decorations(header: str, name: str, unit: MoneyUnit | None) -> None:
    assert normalize_header(header) == (name, unit)


def test_common_header_variants_map_to_the_template_columns() -> None:
    found = match_header(PROJECTS, ["序号", "项目", "级别", "总投资(亿元)", "主办单位", "挂钩领导"])
    assert found is not None
    assert found.positions == {"name": 1, "level": 2, "total_investment": 3, "lead_unit": 4, "leaders": 5}
    assert found.units["total_investment"] is MoneyUnit.YI
    assert found.ignored == ("序号",)
    problems = match_header(PROBLEMS, ["项目名称", "存在问题", "问题类型", "牵头单位", "完成时限"])
    assert problems is not None
    assert set(problems.positions) == {"project_name", "title", "category", "lead_unit", "due_date"}


def test_the_header_row_is_found_below_a_title_and_the_sheet_by_its_columns() -> None:
    rows = [["2024年东区重大项目问题台账"], [], ["序号", "项目名称", "问题描述", "问题类别", "责任单位"],
            [1, "x", "y", "用地", "z"]]
    found = find_header("Sheet1", rows)
    assert found is not None and found.spec is PROBLEMS and found.row_index == 2
    progress = find_header("Sheet2", [["项目编号", "月份", "当月完成投资（万元）"]])
    assert progress is not None and progress.spec is PROGRESS


def test_a_sheet_named_like_a_template_sheet_is_read_only_as_that_sheet() -> None:
    assert find_header("2024年问题台账", [["项目编号", "项目级别", "总投资"]]) is None
    assert find_header("项目", [["项目编号", "项目级别", "总投资"]]) is not None


def test_total_and_note_rows_are_not_records() -> None:
    assert is_total_row(["合计", None, 35000])
    assert is_total_row([None, "小 计", 100])
    assert not is_total_row(["P-001", "合计项目"])
    assert is_note_row(["注：金额单位为万元"])
    assert not is_note_row(["注：", "P-001"])


def test_lists_of_names_split_on_the_usual_separators() -> None:
    assert split_refs("陈副区长、刘副区长") == ["陈副区长", "刘副区长"]
    assert split_refs("ZRZY,ZJJ，STHJ;ZRZY") == ["ZRZY", "ZJJ", "STHJ"]
    assert split_refs(None) == []
