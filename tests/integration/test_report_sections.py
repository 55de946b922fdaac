"""A report's sections are numbered in the order they stand, and its lists and groups read alike.

The annual report once went from 十 to 十二 when no unit had work to rank, and its project section
named the projects of no kind "全部项目" a second time; a weekly report's new list once showed no light
where its in-hand list showed one for the same problem.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from coordination.config import DISTRICT_TZ
from coordination.domain.enums import Action, Difficulty
from coordination.domain.meetings import chinese_ordinal
from coordination.domain.periods import Cadence, parse_period
from coordination.render import report as render
from coordination.services import reports

ANNUAL_SECTIONS = ["总体情况", "分责任单位", "分问题类别", "分层级", "协调会议", "领导提级队列", "新增问题清单",
                   "推进落实问题清单", "已办结销号问题清单", "月度趋势", "单位排名", "项目推进"]


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=DISTRICT_TZ).astimezone(UTC)


def build(district: Any, cadence: Cadence, name: str, now: datetime | None = None) -> dict[str, Any]:
    return reports.build(district.uow(), cadence=cadence, period=parse_period(cadence, name),
                         now=now).to_json()


def headings(report: dict[str, Any], lang: str = "zh") -> list[str]:
    markdown = render.markdown(render.document(report, lang), lang)
    return [line.removeprefix("## ") for line in markdown.splitlines() if line.startswith("## ")]


def test_an_annual_report_with_no_unit_to_rank_still_numbers_its_sections_one_to_twelve(district: Any) -> None:
    report = build(district, Cadence.ANNUAL, "2023")  # nothing happened in 2023: no unit to rank
    assert report["ranking"] == []
    expected = [f"{chinese_ordinal(n)}、{title}" for n, title in enumerate(ANNUAL_SECTIONS, start=1)]
    expected[-1] += "（截至2023-12）"
    assert headings(report) == [*expected, "年度数据（对应总结中的空白）"]
    assert "（无）" in render.markdown(render.document(report)).split("## 十一、单位排名")[1].split("## ")[0]
    english = headings(report, "en")
    assert [h.split(".")[0] for h in english[:12]] == [str(n) for n in range(1, 13)]


def test_an_annual_report_with_work_to_rank_numbers_the_same_sections_alike(district: Any) -> None:
    pid = district.raise_problem(now=at(date(2024, 3, 4)))
    district.assign(pid, now=at(date(2024, 3, 4), 11))
    report = build(district, Cadence.ANNUAL, "2024", now=at(date(2025, 1, 6)))
    assert [row["key"] for row in report["ranking"]] == [district.solving_unit]
    titles = headings(report)
    assert [t.split("、", 1)[1].split("（")[0] for t in titles[:12]] == ANNUAL_SECTIONS
    assert [t.split("、", 1)[0] for t in titles[:12]] == [chinese_ordinal(n) for n in range(1, 13)]


@pytest.mark.parametrize(("cadence", "name", "sections"), [(Cadence.WEEKLY, "2024-W22", 9),
                                                            (Cadence.MONTHLY, "2024-05", 12),
                                                            (Cadence.QUARTERLY, "2024Q1", 13)])
def test_every_cadence_numbers_its_sections_without_a_gap(district: Any, cadence: Cadence, name: str,
                                                          sections: int) -> None:
    titles = headings(build(district, cadence, name))
    assert [t.split("、", 1)[0] for t in titles] == [chinese_ordinal(n) for n in range(1, sections + 1)]


def test_the_project_section_names_each_group_once(district: Any) -> None:
    """The district's project (registered 3 June) has a level and no kind: it is 未分类 among the kinds,
    not 全部项目 again."""
    report = build(district, Cadence.MONTHLY, "2024-06")
    table = next(t for t in render.document(report).tables if "项目推进" in t.title_zh)
    labels = [row["key_label"] for row in table.rows]
    assert labels == ["全部项目", "省重点", "未分类"]
    english = next(t for t in render.document(report, "en").tables if "Project progress" in t.title_en)
    assert [row["key_label"] for row in english.rows] == ["all projects", "provincial", "unclassified"]


def test_a_new_problem_shows_in_the_new_list_the_light_it_shows_in_the_in_hand_list(district: Any) -> None:
    """Week 2024-W23 (3–9 June; 10 June is the Dragon Boat Festival): three problems raised and assigned,
    then one of them touched in the next week, so that its line at the week's end comes from its events."""
    monday = date(2024, 6, 3)
    green = district.raise_problem(title="厂区规划条件需调整容积率", now=at(monday))
    district.assign(green, difficulty=Difficulty.A, now=at(monday, 11))
    yellow = district.raise_problem(title="二期用地指标未落实", now=at(monday))
    district.assign(yellow, difficulty=Difficulty.C, now=at(monday, 11))  # due Tue 11 June
    red = district.raise_problem(title="提标改造专项资金拨付滞后", now=at(monday))
    district.act(district.secretariat, red, Action.ASSIGN, now=at(monday, 11), unit=district.solving_unit,
                 due=date(2024, 6, 5))
    district.act(district.handler, red, Action.ACKNOWLEDGE, now=at(date(2024, 6, 12)))  # after the week

    report = build(district, Cadence.WEEKLY, "2024-W23", now=at(date(2024, 6, 12), 12))
    lists = report["problems"]["lists"]
    new = {item["id"]: item["light"] for item in lists["new"]}
    in_hand = {item["id"]: item["light"] for item in lists["in_hand"]}
    assert new == in_hand == {green: "green", yellow: "yellow", red: "red"}
    document = render.document(report)
    shown = {t.title_zh.split("、", 1)[1]: {row["id"]: row["light_label"] for row in t.rows}
             for t in document.tables if t.title_zh.endswith("问题清单")}
    assert shown["新增问题清单"] == shown["推进落实问题清单"] == {green: "绿灯", yellow: "黄灯", red: "红灯"}
