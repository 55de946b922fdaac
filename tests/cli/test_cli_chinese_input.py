"""Chinese input on the command line: labels and short forms, the district's date forms, and names.

Today is Monday 2024-10-08 (conftest.MONDAY_MORNING): 10月8日 means 2024-10-08.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.cli.conftest import Cli

LATER = "2024-10-21T09:00:00+08:00"


def _ids(district: Cli, *args: str) -> list[str]:
    return [row["id"] for row in district.json("issue", "list", *args)]


@pytest.mark.parametrize("text", ["已上报", "submitted", "SUBMITTED", "上报"])
def test_state_filter_takes_the_chinese_label(district: Cli, raised: dict[str, Any], text: str) -> None:
    assert _ids(district, "--state", text) == [raised["id"]]


def test_every_state_label_is_accepted(district: Cli, raised: dict[str, Any]) -> None:
    for text in ("已交办", "办理中", "待会办", "申请办结", "已销号", "解释办结", "持续跟进", "已撤销"):
        assert _ids(district, "--state", text) == [], text


@pytest.mark.parametrize("text", ["绿", "绿灯", "green", "GREEN"])
def test_light_filter_takes_chinese(district: Cli, raised: dict[str, Any], text: str) -> None:
    district.json("issue", "assign", raised["id"], "--unit", "ZRZY", as_="wang.mishu")
    assert _ids(district, "--light", text) == [raised["id"]]
    for other in ("红", "红灯", "黄", "黄灯", "red", "yellow"):
        assert _ids(district, "--light", other) == [], other


@pytest.mark.parametrize("text", ["L1", "l1", "1", "一级"])
def test_level_filter_takes_chinese(district: Cli, raised: dict[str, Any], text: str) -> None:
    assert _ids(district, "--level", text) == [raised["id"]]
    assert _ids(district, "--level", "二级") == []


@pytest.mark.parametrize(("text", "expected"), [("c", "C"), ("C类", "C"), ("a", "A"), ("B 类", "B")])
def test_difficulty_takes_lower_case_and_chinese(district: Cli, raised: dict[str, Any], text: str,
                                                 expected: str) -> None:
    data = district.json("issue", "assign", raised["id"], "--unit", "ZRZY", "--difficulty", text, as_="wang.mishu")
    assert data["difficulty"] == expected


@pytest.mark.parametrize(("text", "expected"), [("部门", "department"), ("属地", "locality"),
                                                ("属地镇/园区", "locality"), ("园区", "locality"),
                                                ("企业", "enterprise"), ("Enterprise", "enterprise")])
def test_unit_kind_takes_chinese(district: Cli, text: str, expected: str) -> None:
    data = district.json("unit", "add", "NEW", "新单位", "--kind", text, as_="admin")
    assert data["kind"] == expected


def test_unknown_choice_is_a_chinese_error_listing_what_is_accepted(district: Cli) -> None:
    for args, shown in ((("issue", "list", "--state", "待办"), "待会办（on_agenda）"),
                        (("issue", "list", "--light", "紫"), "红灯（red）"),
                        (("issue", "list", "--level", "六级"), "L2 专班会商（2）"),
                        (("unit", "add", "X", "某单位", "--kind", "学校", "--as", "admin"), "企业（enterprise）")):
        result = district(*args)
        assert result.exit_code == 2, result.output
        assert "无法识别的" in result.stderr and shown in result.stderr, result.stderr
        assert "Invalid value" not in result.output


def test_help_shows_the_accepted_values(district: Cli) -> None:
    shown = district("issue", "list", "--help").output
    assert "待会办" in shown and "红灯" in shown
    assert "属地镇/园区" in district("unit", "add", "--help").output


@pytest.mark.parametrize("text", ["2024-12-09", "2024/12/9", "2024.12.9", "2024年12月9日", "12月9日", "20241209"])
def test_calendar_override_takes_every_date_form(district: Cli, text: str) -> None:
    result = district("calendar", "override", text, "--off", "--reason", "区运动会", "--json", as_="admin")
    assert result.exit_code == 0, result.output
    assert "2024-12-09" in result.stdout


def test_calendar_override_bad_date_is_chinese(district: Cli) -> None:
    result = district("calendar", "override", "2024/12/32", "--off", "--reason", "x", as_="admin")
    assert result.exit_code == 2
    assert "日期格式无效" in result.stderr and "2024年10月8日" in result.stderr
    assert "isoformat" not in result.output


def _meeting_with(district: Cli) -> tuple[str, str]:
    pid: str = district.json("issue", "raise", "--project", "东区电池材料产业园一期", "--title", "二期用地指标尚未落实",
                             "--category", "用地", as_="li.zhuanyuan")["id"]
    district.json("issue", "assign", pid, "--unit", "自然资源", as_="wang.mishu")
    district.json("issue", "ack", pid, as_="zhao.jingban")
    district.json("issue", "escalate", pid, "--reason", "需专班会商", as_="wang.mishu")
    meeting: dict[str, Any] = district.json("meeting", "plan", "--kind", "专班会商", "--date", "10月8日",
                                            "--chair", "王秘书", as_="wang.mishu")
    assert meeting["kind"] == "task-force" and meeting["date"] == "2024-10-08" and meeting["chair"] == "wang.mishu"
    district.json("meeting", "start", meeting["id"], as_="wang.mishu")
    return meeting["id"], pid


@pytest.mark.parametrize("text", ["2024-12-20", "2024/12/20", "2024.12.20", "2024年12月20日", "12月20日"])
def test_meeting_decide_due_takes_every_date_form(district: Cli, text: str) -> None:
    meeting, pid = _meeting_with(district)
    data = district.json("meeting", "decide", meeting, pid, "--decision", "市局下达指标后完成报批",
                         "--unit", "zrzy", "--co-units", "住建局,dqy", "--due", text, as_="wang.mishu")
    decision = next(item["decision"] for item in data["agenda"] if item["id"] == pid)
    assert decision["due_date"] == "2024-12-20" and decision["lead_unit"] == "ZRZY"
    assert district.json("meeting", "list", "--kind", "会商", "--state", "进行中")[0]["id"] == meeting


@pytest.mark.parametrize("text", ["2024-W41", "2024W41", "2024年第41周", "2024-10-09", "2024/10/13", "2024年10月7日",
                                  "10月10日"])
def test_report_weekly_takes_a_week_or_any_date_in_it(district: Cli, raised: dict[str, Any], text: str) -> None:
    data = district.json("report", "weekly", "--week", text, now=LATER)
    assert data["period"]["name"] == "2024-W41"


@pytest.mark.parametrize("text", ["2024年10月", "2024-10", "2024/10", "2024.10", "10月", "2024-10-15"])
def test_report_monthly_takes_chinese_months(district: Cli, raised: dict[str, Any], text: str) -> None:
    result = district("report", "monthly", "--month", text, "--json", now="2024-11-04T09:00:00+08:00")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["period"]["name"] == "2024-10"


def test_report_quarter_and_year_in_chinese(district: Cli, raised: dict[str, Any]) -> None:
    later = "2025-01-06T09:00:00+08:00"
    assert district.json("report", "quarterly", "--quarter", "2024年第四季度", now=later)["period"]["name"] == "2024Q4"
    assert district.json("report", "annual", "--year", "2024年", now=later)["period"]["name"] == "2024"


def test_bad_period_is_chinese(district: Cli) -> None:
    result = district("report", "weekly", "--week", "上周")
    assert result.exit_code == 2 and "无法识别的报告期" in result.stderr and "2026-W48" in result.stderr


# ---- names ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("unit", ["ZRZY", "zrzy", "区自然资源和规划局", "自然资源", "自然资源局"])
def test_unit_by_code_in_any_case_full_name_or_short_name(district: Cli, raised: dict[str, Any], unit: str) -> None:
    data = district.json("issue", "assign", raised["id"], "--unit", unit, "--co-units", "zjj，住建局", as_="wang.mishu")
    assert data["lead_unit"] == "ZRZY" and data["co_units"] == ["ZJJ"]
    assert _ids(district, "--unit", unit) == [raised["id"]]


def test_lower_case_codes_simply_work(district: Cli, raised: dict[str, Any]) -> None:
    district.json("issue", "assign", raised["id"], "--unit", "zrzy", as_="wang.mishu")
    assert _ids(district, "--unit", "zrzy") == [raised["id"]]
    assert _ids(district, "--project", "p-001") == [raised["id"]]
    assert _ids(district, "--project", "东区电池材料产业园一期") == [raised["id"]]
    assert _ids(district, "--unit", "zjj") == []  # known, and simply leads nothing


def test_unknown_unit_suggests_the_closest(district: Cli, raised: dict[str, Any]) -> None:
    result = district("issue", "list", "--unit", "ZJ")
    assert result.exit_code == 3, result.output
    assert "单位 ZJ 不存在；是否指 ZJJ（区住房和城乡建设局）" in result.stderr


def test_unknown_unit_with_nothing_close_lists_known_codes(district: Cli) -> None:
    result = district("issue", "list", "--unit", "教育局")
    assert result.exit_code == 3
    assert "单位 教育局 不存在；已登记的有" in result.stderr and "FGJ" in result.stderr


def test_ambiguous_short_name_is_refused_with_the_candidates(district: Cli) -> None:
    result = district("issue", "list", "--unit", "区局")
    assert result.exit_code == 3
    assert "不唯一" in result.stderr and "FGJ（区发展和改革局）" in result.stderr and "ZJJ" in result.stderr


def test_unknown_project_and_leader_suggest(district: Cli, raised: dict[str, Any]) -> None:
    project = district("issue", "list", "--project", "P-01")
    assert project.exit_code == 3 and "项目 P-01 不存在；是否指 P-001（东区电池材料产业园一期）" in project.stderr
    leader = district("queue", "--leader", "陈区长")
    assert leader.exit_code == 3 and "人员 陈区长 不存在；是否指 chen.fuquzhang（陈副区长）" in leader.stderr
    unknown = district("queue", "--leader", "刘副区长")
    assert unknown.exit_code == 3 and "人员 刘副区长 不存在" in unknown.stderr


def test_queue_by_leader_name_and_unit_short_name(district: Cli, raised: dict[str, Any]) -> None:
    district.json("issue", "assign", raised["id"], "--unit", "ZRZY", as_="wang.mishu")
    district.json("issue", "ack", raised["id"], as_="zhao.jingban")
    district.json("issue", "escalate", raised["id"], "--reason", "需专班会商", as_="wang.mishu")
    by_name = district.json("queue", "--unit", "自然资源", "--level", "二级")
    by_code = district.json("queue", "--unit", "ZRZY", "--level", "L2")
    assert [row["id"] for row in by_name] == [row["id"] for row in by_code] == [raised["id"]]
    # A leader's queue starts at L3: the name and the handle in any case name the same (empty) queue.
    assert district.json("queue", "--leader", "陈副区长") == district.json("queue", "--leader", "CHEN.FUQUZHANG") == []


def test_unknown_names_write_nothing(district: Cli, raised: dict[str, Any]) -> None:
    before = district.snapshot()
    result = district("issue", "assign", raised["id"], "--unit", "ZRZY", "--co-units", "ZJ", as_="wang.mishu")
    assert result.exit_code == 3 and "是否指 ZJJ" in result.stderr
    assert district.snapshot() == before
