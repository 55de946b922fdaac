"""Each blank's rule on a year where every kind has records, including the kinds coord does not store
yet: their queries, when they land, only have to return the counts `INPUTS` names."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from coordination.domain.annual_blanks import (
    BLANKS,
    INPUTS,
    KIND_LABELS,
    Counts,
    RecordKind,
    YearRecords,
    fill,
    filled_phrase,
    missing_kinds,
    seed_phrase,
    summary,
)

YI = 100_000_000
PROJECTS: dict[str, int] = {
    "projects": 12, "investment": 256 * YI + 45_000_000, "completed_industry": 4,
    "industry_projects": 7, "industry_investment": 180 * YI, "livelihood_projects": 3,
    "livelihood_investment": 40 * YI, "infrastructure_projects": 2, "infrastructure_investment": 36 * YI,
    "provincial_projects": 3, "provincial_investment": 120 * YI, "provincial_plan": 30 * YI,
    "provincial_planned_to_start": 3, "provincial_started": 2, "provincial_done": 33 * YI,
    "municipal_projects": 5, "municipal_investment": 60 * YI, "municipal_plan": 15 * YI,
    "municipal_planned_to_start": 0, "municipal_started": 0, "municipal_done": 6 * YI,
}
COUNTS: dict[RecordKind, Counts] = {
    RecordKind.PROBLEMS: {"raised": 86, "closed": 71},
    RecordKind.MONITORING: {"sweeps": 250, "progress_records": 140},
    RecordKind.MEETINGS: {"leader_meetings": 18, "principal_meetings": 4, "task_force_meetings": 40,
                          "decisions": 132},
    RecordKind.PROJECTS: PROJECTS,
    RecordKind.TASKS: {"policy_measures": 18, "plan_tasks": 123, "towns": 9, "departments": 46},
    RecordKind.SPECIAL_PLANS: {"plans": 20, "issued": 11, "council_approved": 4, "expert_reviewed": 3,
                               "led_by_bureau": 6, "led_council_approved": 6},
    RecordKind.FUNDS: {"granted_funds": 15 * YI + 60_000_000, "special_bonds": 21 * YI},
    RecordKind.DISBURSEMENTS: {"consecutive_years": 5, "disbursed_total": 3 * YI + 29_999_999},
    RecordKind.FILINGS: {"accepted": 240, "closed": 234},
    RecordKind.INDICATORS: {"first_month": 1, "last_month": 11, "fixed_asset_investment_growth": Decimal("12.35"),
                            "services_revenue_growth": Decimal("9.04")},
    RecordKind.UPWARD_REPORTS: {"reports": 96, "fewest_per_week": 1},
}


def year(counts: Mapping[RecordKind, Counts | None] | None = None, through: date = date(2024, 12, 31)) -> YearRecords:
    return YearRecords(2024, through, dict(COUNTS) if counts is None else counts,
                       ("东区电池材料产业园年产10万吨磷酸铁锂正极材料项目", "西区冷链物流园项目"))


def figures(records: YearRecords) -> dict[str, str]:
    return {f.blank.id: f.text for f in fill(records)}


def test_every_kind_names_the_counts_its_blanks_read() -> None:
    assert set(INPUTS) == set(RecordKind) == set(KIND_LABELS)
    for kind, keys in INPUTS.items():
        assert set(COUNTS[kind]) == keys, kind
    assert not missing_kinds(year())
    assert all(f.has_records for f in fill(year()))


def test_the_kinds_not_stored_yet_fill_their_blanks_from_their_counts() -> None:
    f = figures(year())
    assert (f["policy_measures"], f["task_towns"], f["task_departments"]) == ("18", "9", "46")
    assert f["plan_tasks"] == "120", "123 tasks: “120余项”"
    assert (f["special_plans"], f["plans_issued"], f["plans_council"], f["plans_expert"], f["plans_led"]) == (
        "20", "11", "4", "3", "6")
    assert (f["indicator_first_month"], f["indicator_last_month"]) == ("1", "11")
    assert (f["fixed_asset_growth"], f["services_revenue_growth"]) == ("12.4", "9.0")
    assert f["weekly_reports"] == "1"
    assert (f["guidance_fund_years"], f["guidance_fund_total"]) == ("5", "3.29"), "“超”: never rounded up"
    assert f["filings"] == "240"
    assert (f["granted_funds"], f["special_bonds"]) == ("15.60", "21.00")


def test_rates_follow_the_project_tables_and_a_rate_of_nothing_reads_0() -> None:
    by_id = {fig.blank.id: fig for fig in fill(year())}
    assert by_id["provincial_start_rate"].text == "66.7"
    assert by_id["provincial_completion"].text == "110.0"
    assert by_id["municipal_start_rate"].text == "0.0"
    assert by_id["municipal_start_rate"].method == "市重点计划年内开工项目为0，无从计算，按0计"
    assert by_id["key_projects"].text == "8" and by_id["projects_investment"].text == "256.45"


def test_the_summary_writes_every_filled_phrase_and_follows_the_records_where_the_document_asserts() -> None:
    records = year()
    filled = fill(records)
    by_id = {fig.blank.id: fig for fig in filled}
    text = "".join(summary(records, filled))
    for blank in BLANKS:
        assert filled_phrase(blank, by_id) in text, blank.id
        assert seed_phrase(blank).count("【") == 1
    assert "我委牵头的6个专项规划全部通过区政府常务会审议" in text
    assert "受理备案事项240件，办结率97.5％" in text
    assert ("截至年底，已竣工投产东区电池材料产业园年产10万吨磷酸铁锂正极材料项目、西区冷链物流园项目等"
            "产业化项目4个") in text

    partly = dict(COUNTS) | {RecordKind.SPECIAL_PLANS: {**COUNTS[RecordKind.SPECIAL_PLANS], "led_council_approved": 4}}
    running = year(partly, through=date(2024, 6, 3))
    text = "".join(summary(running, fill(running)))
    assert "我委牵头的6个专项规划中，4个已通过区政府常务会审议" in text
    assert "截至6月3日，已竣工投产" in text


def test_a_kind_without_records_reads_0_and_is_named() -> None:
    records = year({**COUNTS, RecordKind.FUNDS: None, RecordKind.FILINGS: None})
    assert missing_kinds(records) == [RecordKind.FUNDS, RecordKind.FILINGS]
    by_id = {fig.blank.id: fig for fig in fill(records)}
    assert by_id["special_bonds"].text == "0" and by_id["special_bonds"].method == "本年度尚无资金争取记录，按0计"
    text = "".join(summary(records, list(by_id.values())))
    assert "受理备案事项0件。" in text, "no rate without filings"
