"""Dates that make sense: a due date or a meeting's date on a day off is saved with a warning, or refused
with --strict before anything is written (exit 2).

The clock is Tuesday 8 October 2024, the first working day after National Day. Sunday 13 October is a
weekend day; Saturday 12 October is a 调休 make-up working day; 1 January 2025 is New Year's Day.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.cli.conftest import Cli
from tests.cli.test_cli_meetings import on_agenda

SUNDAY = "2024-10-13"
MAKE_UP_SATURDAY = "2024-10-12"


def assign(district: Cli, pid: str, due: str, *extra: str) -> Any:
    return district("issue", "assign", pid, "--unit", "ZRZY", "--due", due, *extra, as_="wang.mishu")


def test_assigning_with_a_due_date_on_a_sunday_saves_it_and_warns(district: Cli, raised: dict[str, Any]) -> None:
    result = assign(district, raised["id"], SUNDAY, "--json")
    assert result.exit_code == 0, result.output
    assert "提示：办结期限 2024-10-13 是星期日（非工作日），仍按此日期保存；加 --strict 则拒绝" in result.stderr
    assert '"due_date": "2024-10-13"' in result.stdout, "stdout stays the JSON result"
    assert district.json("issue", "show", raised["id"])["due_date"] == SUNDAY


def test_strict_refuses_a_due_date_on_a_sunday_and_writes_nothing(district: Cli, raised: dict[str, Any]) -> None:
    before = district.snapshot()
    refused = assign(district, raised["id"], SUNDAY, "--strict")
    assert refused.exit_code == 2
    assert "办结期限 2024-10-13 是星期日（非工作日），按 --strict 未保存" in refused.stderr
    assert "如 2024-10-12（星期六）或 2024-10-14（星期一）" in refused.stderr, "the nearest working days (调休)"
    assert district.snapshot() == before
    assert district.json("issue", "show", raised["id"])["state"] == "submitted"


def test_a_make_up_saturday_is_a_working_day(district: Cli, raised: dict[str, Any]) -> None:
    result = assign(district, raised["id"], MAKE_UP_SATURDAY, "--strict")
    assert result.exit_code == 0, result.output
    assert "提示" not in result.stderr and "非工作日" not in result.stderr


def test_an_official_holiday_on_a_weekday_is_named_as_one(district: Cli, raised: dict[str, Any]) -> None:
    result = assign(district, raised["id"], "2025-01-01")
    assert result.exit_code == 0, result.output
    assert "办结期限 2025-01-01 是星期三（法定节假日，非工作日）" in result.stderr


def test_the_districts_own_day_off_counts(district: Cli, raised: dict[str, Any]) -> None:
    override = district("calendar", "override", "2024-10-15", "--off", "--reason", "区级活动调休", as_="admin")
    assert override.exit_code == 0, override.output
    refused = assign(district, raised["id"], "2024-10-15", "--strict")
    assert refused.exit_code == 2
    assert "2024-10-15 是星期二（本区调整为休息日，非工作日）" in refused.stderr


def test_the_warning_speaks_english_in_english_mode(district: Cli, raised: dict[str, Any]) -> None:
    refused = assign(district, raised["id"], SUNDAY, "--lang", "en", "--strict")
    assert refused.exit_code == 2
    assert "due date 2024-10-13 is a Sunday (not a working day); nothing was saved (--strict)" in refused.stderr
    result = assign(district, raised["id"], SUNDAY, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "note: due date 2024-10-13 is a Sunday (not a working day); saved as given" in result.stderr
    assert "add --strict to refuse it" in result.stderr


def plan(district: Cli, day: str, *extra: str) -> Any:
    return district("meeting", "plan", "--kind", "task-force", "--date", day, "--chair", "wang.mishu", *extra,
                    as_="wang.mishu")


def test_planning_a_meeting_on_a_sunday_warns_and_strict_refuses_it(district: Cli) -> None:
    on_agenda(district, "二期用地指标尚未落实")
    before = district.snapshot()
    refused = plan(district, SUNDAY, "--strict")
    assert refused.exit_code == 2
    assert "会议日期 2024-10-13 是星期日（非工作日），按 --strict 未保存" in refused.stderr
    assert district.snapshot() == before
    assert district.json("meeting", "list") == []

    planned = plan(district, SUNDAY, "--json")
    assert planned.exit_code == 0, planned.output
    assert "提示：会议日期 2024-10-13 是星期日（非工作日），仍按此日期保存" in planned.stderr
    assert [m["date"] for m in district.json("meeting", "list")] == [SUNDAY]


@pytest.mark.parametrize("strict", [False, True])
def test_a_decisions_due_date_on_a_sunday_warns_or_is_refused(district: Cli, strict: bool) -> None:
    pid = on_agenda(district, "二期用地指标尚未落实")
    meeting = district.json("meeting", "plan", "--kind", "task-force", "--date", "2024-10-08", "--chair",
                            "wang.mishu", as_="wang.mishu")
    district.json("meeting", "start", meeting["id"], as_="wang.mishu")
    before = district.snapshot()
    result = district("meeting", "decide", meeting["id"], pid, "--decision", "自然资源局两周内完成报批",
                      "--unit", "ZRZY", "--due", SUNDAY, *(("--strict",) if strict else ()), as_="wang.mishu")
    decisions = district.json("meeting", "show", meeting["id"])["decisions"]
    if strict:
        assert result.exit_code == 2
        assert "办结期限 2024-10-13 是星期日（非工作日），按 --strict 未保存" in result.stderr
        assert district.snapshot() == before and decisions == []
    else:
        assert result.exit_code == 0, result.output
        assert "提示：办结期限 2024-10-13 是星期日（非工作日），仍按此日期保存" in result.stderr
        assert [d["due_date"] for d in decisions] == [SUNDAY]


def test_escalating_at_a_meeting_ignores_a_due_date_it_does_not_keep(district: Cli) -> None:
    pid = on_agenda(district, "二期用地指标尚未落实")
    meeting = district.json("meeting", "plan", "--kind", "task-force", "--date", "2024-10-08", "--chair",
                            "wang.mishu", as_="wang.mishu")
    district.json("meeting", "start", meeting["id"], as_="wang.mishu")
    result = district("meeting", "decide", meeting["id"], pid, "--decision", "提请挂钩区领导会办", "--escalate",
                      "--due", SUNDAY, "--strict", as_="wang.mishu")
    assert result.exit_code == 0, result.output
    assert "非工作日" not in result.stderr
