"""Reports read projects "as of" the end of their period: later records never change them.

October 2024's monthly report is produced on 1 November; then September's investment is recorded,
August's is corrected, the plan, the start date and the roster change, the light thresholds move and
a new project appears. Producing October's report again gives the very same report.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from coordination.config import DISTRICT_TZ
from coordination.domain.enums import Action, Difficulty, ProjectLevel, Role
from coordination.domain.investment import YearMonth
from coordination.domain.periods import Cadence, parse_period
from coordination.services import directory, projects, reports, settings

OCTOBER = parse_period(Cadence.MONTHLY, "2024-10")
Q4_WEEK = parse_period(Cadence.WEEKLY, "2024-W44")  # 28 October – 3 November


def on(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=DISTRICT_TZ).astimezone(UTC)


def record(d: Any, month: YearMonth, wan: int, when: datetime) -> None:
    projects.record_progress(d.uow(), caller=d.caller(d.specialist, when), code=d.project, month=month,
                             completed_yuan=wan * 10_000)


def build(d: Any, cadence: Cadence, name: str) -> dict[str, Any]:
    return reports.build(d.uow(), cadence=cadence, period=parse_period(cadence, name)).to_json()


def history_to_october(d: Any) -> str:
    """A plan of 12,000 万元, January–August recorded in time, and a problem escalated to the leader."""
    projects.update_project(d.uow(), caller=d.caller(d.secretariat, on(date(2024, 2, 1))), code=d.project,
                            wanted=projects.ProjectFields(planned_start=date(2024, 3, 1)),
                            plan_year=2024, annual_plan_yuan=120_000_000)
    for month in range(1, 9):
        record(d, YearMonth(2024, month), 800, on(date(2024, month + 1, 5)))
    pid: str = d.raise_problem(title="110kV 专线接入方案未批复", category="配套", now=on(date(2024, 10, 8)))
    d.assign(pid, difficulty=Difficulty.B, now=on(date(2024, 10, 8), 11))
    d.act(d.handler, pid, Action.ACKNOWLEDGE, now=on(date(2024, 10, 9)))
    d.act(d.handler, pid, Action.ESCALATE, now=on(date(2024, 10, 10)), reason="需专班会商")
    d.act(d.secretariat, pid, Action.ESCALATE, now=on(date(2024, 10, 11)), reason="提请挂钩领导会办")
    return pid


def test_recording_septembers_investment_after_octobers_report_leaves_that_report_unchanged(district: Any) -> None:
    history_to_october(district)
    before = build(district, Cadence.MONTHLY, "2024-10")
    assert before["projects"]["all"]["done_ytd_wan"] == "6400"

    record(district, YearMonth(2024, 9), 900, on(date(2024, 11, 5)))

    after = build(district, Cadence.MONTHLY, "2024-10")
    assert after["projects"] == before["projects"]
    assert after == before
    november = build(district, Cadence.MONTHLY, "2024-11")
    assert november["projects"]["all"]["done_ytd_wan"] == "7300", "the record counts from its own month on"


def test_every_later_change_to_projects_leaves_past_reports_unchanged(district: Any) -> None:
    d = district
    history_to_october(d)
    before = {name: build(d, cadence, name) for cadence, name in
              ((Cadence.MONTHLY, "2024-10"), (Cadence.QUARTERLY, "2024Q3"), (Cadence.ANNUAL, "2023"),
               (Cadence.WEEKLY, "2024-W44"))}
    assert [q["owner"] for q in before["2024-W44"]["queues"]] == ["task-force", d.leader, "principal"]

    later = d.caller(d.secretariat, on(date(2024, 11, 6)))
    record(d, YearMonth(2024, 8), 1500, on(date(2024, 11, 6)))  # a correction of a month already reported
    record(d, YearMonth(2024, 9), 900, on(date(2024, 11, 6)))
    projects.update_project(d.uow(), caller=later, code=d.project, wanted=projects.ProjectFields(
        name="东区电池材料产业园（更名）", actual_start=date(2024, 3, 20), total_investment_yuan=5_000_000_000,
        leaders=(d.principal,)), plan_year=2024, annual_plan_yuan=100_000_000)
    admin = d.caller(d.admin, on(date(2024, 11, 6)))
    directory.add_person(d.uow(), caller=admin, handle="wu_fuquzhang", name="吴副区长", unit=None, roles=[Role.LEADER])
    directory.set_roster(d.uow(), caller=admin, code=d.project, leaders=[d.principal, "wu_fuquzhang"])
    settings.set_setting(d.uow(), caller=admin, key="projects.yellow_points", value="5")
    directory.add_project(d.uow(), caller=admin, code="DQ-2024-099", name="新登记项目", level=ProjectLevel.PROVINCIAL,
                          locality=d.locality, lead_unit=d.service_unit, leaders=["wu_fuquzhang"],
                          helpers=[], specialists=[],
                          details=directory.InvestmentDetails(planned_start=date(2024, 1, 1), plan_year=2024,
                                                              annual_plan_yuan=10_000_000))

    for (cadence, name), report in zip(((Cadence.MONTHLY, "2024-10"), (Cadence.QUARTERLY, "2024Q3"),
                                        (Cadence.ANNUAL, "2023"), (Cadence.WEEKLY, "2024-W44")),
                                       before.values(), strict=True):
        assert build(d, cadence, name) == report, name
    now = build(d, Cadence.MONTHLY, "2024-11")
    assert (now["projects"]["all"]["projects"], now["projects"]["all"]["planned_to_start"],
            now["projects"]["all"]["started"]) == (2, 2, 1)
    assert now["projects"]["all"]["annual_plan_wan"] == "11000" and now["projects"]["all"]["done_ytd_wan"] == "8000"
    leaders = [q["owner"] for q in build(d, Cadence.WEEKLY, "2024-W45")["queues"]]
    assert leaders == ["task-force", "wu_fuquzhang", d.principal, "principal"], "the roster in force then"
