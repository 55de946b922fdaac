"""Reports on a hand-built history where every figure is known in advance.

Week 2024-W23 is Mon 3 – Sun 9 June; W24 is 10 – 16 June, and Mon 10 June is the Dragon Boat
Festival holiday.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from coordination.config import DISTRICT_TZ
from coordination.domain.enums import Action, Difficulty
from coordination.domain.meetings import DecisionInput, MeetingKind, Outcome
from coordination.domain.periods import Cadence, parse_period
from coordination.render import report as render
from coordination.services import meetings, report_facts, reports

W23 = parse_period(Cadence.WEEKLY, "2024-W23")
W24 = parse_period(Cadence.WEEKLY, "2024-W24")


def at(day: int, hour: int = 10) -> datetime:
    return datetime.combine(date(2024, 6, day), time(hour), tzinfo=DISTRICT_TZ).astimezone(UTC)


def weekly(district: Any, period: Any = W23) -> dict[str, Any]:
    return reports.build(district.uow(), cadence=Cadence.WEEKLY, period=period).to_json()


def build_week_23(district: Any) -> dict[str, str]:
    d = district
    a = d.raise_problem(title="二期用地指标未落实", now=at(3))
    d.assign(a, difficulty=Difficulty.C, now=at(3, 11))  # due Tue 11 June (10 June is a holiday)
    d.act(d.handler, a, Action.ACKNOWLEDGE, now=at(4))
    d.act(d.handler, a, Action.RESOLVE, now=at(5), reason="指标已下达")
    d.act(d.specialist, a, Action.VERIFY, now=at(6))
    d.act(d.secretariat, a, Action.REOPEN, now=at(7), reason="回头看：企业尚未拿到批文")  # due 17 June

    b = d.raise_problem(title="110kV 专线接入方案未批复", category="配套", now=at(4))
    d.assign(b, difficulty=Difficulty.B, now=at(4, 11))
    d.act(d.handler, b, Action.ACKNOWLEDGE, now=at(4, 15))
    d.act(d.handler, b, Action.ESCALATE, now=at(5), reason="需专班会商")
    d.act(d.secretariat, b, Action.ESCALATE, now=at(6), reason="提请挂钩领导会办")
    chair = d.caller(d.leader, at(6, 16))
    meeting = meetings.plan_meeting(d.uow(), caller=chair, kind=MeetingKind.LEADER, held_on=date(2024, 6, 7),
                                    chair=d.leader)
    chair = d.caller(d.leader, at(7))
    meetings.start_meeting(d.uow(), caller=chair, meeting_id=meeting.id)
    meetings.decide(d.uow(), caller=chair, meeting_id=meeting.id, problem_id=b, decision=DecisionInput(
        Outcome.ASSIGN, "供电公司牵头，7月底前完成接入方案批复", unit=d.solving_unit, due=date(2024, 7, 31)))
    meetings.close_meeting(d.uow(), caller=chair, meeting_id=meeting.id)

    c = d.raise_problem(title="企业未按期入统", category="入统", now=at(5))
    e = d.raise_problem(title="村集体土地补偿协议", now=at(3, 9))
    d.act(d.specialist, e, Action.WITHDRAW, now=at(4), reason="企业已自行解决")
    return {"a": a, "b": b, "c": c, "e": e}


def build_week_24(district: Any, ids: dict[str, str]) -> None:
    d = district
    d.act(d.handler, ids["a"], Action.RESOLVE, now=at(11), reason="批文已送达企业")
    d.act(d.specialist, ids["a"], Action.VERIFY, now=at(12))
    ids["d"] = d.raise_problem(title="施工许可材料反复退回", now=at(12, 9))


def test_weekly_figures_are_the_ones_known_in_advance(district: Any) -> None:
    ids = build_week_23(district)
    build_week_24(district, ids)

    first = weekly(district, W23)
    totals = first["problems"]["totals"]
    assert (totals["new"], totals["closed"], totals["in_hand_start"], totals["in_hand_end"]) == (4, 1, 0, 3)
    assert (totals["escalations"], totals["escalated_problems"], totals["reopened"], totals["overdue"]) == (2, 1, 1, 0)
    assert totals["closure_rate"] == 0.25 and totals["on_time_rate"] == 1.0
    assert first["problems"]["days_to_close"] == {"count": 1, "mean": 3.0, "median": 3.0}
    assert [m["id"] for m in first["meetings"]["held"]] == ["M-2024-0001"]
    assert first["meetings"]["decisions"] == 1
    lists = first["problems"]["lists"]
    assert sorted(b["id"] for b in lists["new"]) == sorted([ids["a"], ids["b"], ids["c"], ids["e"]])
    assert sorted(b["id"] for b in lists["in_hand"]) == sorted([ids["a"], ids["b"], ids["c"]])
    assert [b["id"] for b in lists["closed"]] == [ids["a"]]
    by_level = {s["key"]: s for s in first["problems"]["by_level"]}
    assert by_level["L3"]["in_hand_end"] == 1 and by_level["L3"]["escalations"] == 1
    leader_queue = next(q for q in first["queues"] if q["owner"] == district.leader)
    assert [b["id"] for b in leader_queue["items"]] == [ids["b"]]

    second = weekly(district, W24)["problems"]
    assert (second["totals"]["new"], second["totals"]["closed"], second["totals"]["in_hand_start"],
            second["totals"]["in_hand_end"]) == (1, 1, 3, 3)
    assert second["totals"]["closure_rate"] == 0.25
    # Raised Mon 3 June, struck off Wed 12 June: 4, 5, 6, 7, 11, 12 June (10 June is a holiday).
    assert second["days_to_close"]["mean"] == 6.0


def test_later_events_never_change_a_past_period(district: Any) -> None:
    ids = build_week_23(district)
    before = weekly(district, W23)
    build_week_24(district, ids)
    district.act(district.secretariat, ids["c"], Action.EXPLAIN, now=at(14), reason="属企业自身统计问题")
    after = weekly(district, W23)
    assert after == before


def test_a_problem_closed_twice_in_one_period_counts_once(district: Any) -> None:
    ids = build_week_23(district)
    build_week_24(district, ids)
    month = reports.build(district.uow(), cadence=Cadence.MONTHLY,
                          period=parse_period(Cadence.MONTHLY, "2024-06")).to_json()
    assert month["problems"]["totals"]["closed"] == 1
    assert month["problems"]["totals"]["reopened"] == 1
    june = month["trend"][-1]
    assert june["period"] == "2024-06" and june["new"] == 5 and june["closed"] == 1
    assert june["in_hand_end"] == month["problems"]["totals"]["in_hand_end"] == 3
    assert month["ranking"][0]["key"] == district.solving_unit


def test_xlsx_and_docx_hold_the_same_figures_as_the_json(district: Any, tmp_path: Path) -> None:
    ids = build_week_23(district)
    build_week_24(district, ids)
    data = weekly(district, W23)
    doc = render.document(data)
    workbook = load_workbook(render.xlsx(doc, tmp_path / "周汇报.xlsx"))
    overview = {row[0]: row[1] for row in workbook["总体"].iter_rows(min_row=3, values_only=True)}
    totals = data["problems"]["totals"]
    assert overview["新增问题"] == totals["new"] and overview["办结销号"] == totals["closed"]
    assert overview["期末在办"] == totals["in_hand_end"] and overview["办结率"] == pytest.approx(0.25)
    units = workbook["分责任单位"]
    header = [c.value for c in units[2]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in units.iter_rows(min_row=3, values_only=True)}
    json_unit = next(s for s in data["problems"]["by_unit"] if s["key"] == district.solving_unit)
    assert rows[json_unit["name"]]["新增"] == json_unit["new"]
    assert rows[json_unit["name"]]["办结率"] == pytest.approx(json_unit["closure_rate"])
    assert units["H3"].number_format == "0.0%"
    new_sheet = workbook["新增清单"]
    assert sorted(r[0] for r in new_sheet.iter_rows(min_row=3, values_only=True)) == sorted(
        b["id"] for b in data["problems"]["lists"]["new"])

    word = Document(str(render.docx(doc, tmp_path / "周汇报.docx")))
    assert word.paragraphs[0].text == "重大项目问题协调推进周汇报"
    overview_table = {row.cells[0].text: row.cells[1].text for row in word.tables[0].rows}
    assert overview_table["新增问题"] == str(totals["new"]) and overview_table["办结率"] == "25.0%"
    cells = {cell.text for table in word.tables for row in table.rows for cell in row.cells}
    assert {ids["a"], ids["b"], ids["c"]} <= cells


def test_markdown_and_json_round_trip(district: Any) -> None:
    build_week_23(district)
    data = weekly(district, W23)
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    text = render.markdown(render.document(data))
    assert text.startswith("# 重大项目问题协调推进周汇报") and "| 新增问题 | 4 |" in text


@pytest.mark.parametrize("recent", [True, False], ids=["read-rows-and-recent-events", "scan-events-before"])
def test_both_ways_of_reading_the_past_give_the_same_report(
    district: Any, monkeypatch: pytest.MonkeyPatch, recent: bool,
) -> None:
    ids = build_week_23(district)
    build_week_24(district, ids)
    expected = {name: reports.build(district.uow(), cadence=cadence, period=parse_period(cadence, name)).to_json()
                for cadence, name in ((Cadence.WEEKLY, "2024-W23"), (Cadence.MONTHLY, "2024-06"))}
    monkeypatch.setattr(report_facts, "_recent", lambda _connection, _before: recent)
    for cadence, name in ((Cadence.WEEKLY, "2024-W23"), (Cadence.MONTHLY, "2024-06")):
        assert reports.build(district.uow(), cadence=cadence, period=parse_period(cadence, name)).to_json() \
            == expected[name]
