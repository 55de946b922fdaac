"""Projects' investment through the services: monthly progress, changes, and the figures board."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import text

from coordination.domain.enums import Light, ProjectKind, ProjectLevel
from coordination.domain.errors import InvalidInput, NotPermitted
from coordination.domain.investment import Grouping, YearMonth
from coordination.models import Setting
from coordination.services import audit, directory, projects
from coordination.uow import UnitOfWork

MAY = YearMonth(2024, 5)  # the district's clock says 2024-06-03: May is the last complete month


def record(d: Any, month: YearMonth, wan: int, who: str | None = None) -> projects.ProgressView:
    return projects.record_progress(d.uow(), caller=d.caller(who or d.specialist), code=d.project, month=month,
                                    completed_yuan=wan * 10_000)


def plan(d: Any, wan: int, **fields: Any) -> None:
    projects.update_project(d.uow(), caller=d.caller(d.secretariat), code=d.project,
                            wanted=projects.ProjectFields(**fields), annual_plan_yuan=wan * 10_000)


def project_events(d: Any) -> list[tuple[str, dict[str, Any]]]:
    with d.engine.connect() as conn:
        rows = conn.execute(text("SELECT action, payload FROM audit_event WHERE stream_type = 'project' "
                                 "ORDER BY id")).all()
    return [(a, json.loads(p)) for a, p in rows]


def test_a_specialist_records_a_month_and_a_correction_keeps_the_old_figure(district: Any) -> None:
    first = record(district, MAY, 1200)
    assert first.changed and first.previous_yuan is None
    corrected = record(district, MAY, 1350)
    assert corrected.previous_yuan == 12_000_000 and corrected.to_json()["completed_wan"] == "1350"
    same = record(district, MAY, 1350)
    assert not same.changed
    progress = [e for e in project_events(district) if e[0] == "project_progress"]
    assert progress == [
        ("project_progress", {"changes": {"month": "2024-05", "completed_yuan": 12_000_000, "note": None},
                              "previous_yuan": None}),
        ("project_progress", {"changes": {"month": "2024-05", "completed_yuan": 13_500_000, "note": None},
                              "previous_yuan": 12_000_000}),
    ]
    assert audit.verify_chains(district.uow()).ok


def test_only_the_projects_specialists_and_the_secretariat_record_progress(district: Any) -> None:
    record(district, MAY, 100, who=district.secretariat)
    with pytest.raises(NotPermitted, match="不能填报投资进度"):
        record(district, MAY, 100, who=district.handler)


def test_a_month_that_has_not_begun_cannot_be_recorded(district: Any) -> None:
    with pytest.raises(InvalidInput, match="尚未到来"):
        record(district, YearMonth(2024, 7), 100)


def test_updating_a_project_records_only_what_differs(district: Any) -> None:
    plan(district, 12000, kind=ProjectKind.INDUSTRY, total_investment_yuan=3_500_000_000,
         planned_start=date(2024, 3, 1))
    before = project_events(district)
    plan(district, 12000, kind=ProjectKind.INDUSTRY, planned_start=date(2024, 3, 1))  # nothing new
    assert project_events(district) == before
    plan(district, 15000, actual_start=date(2024, 3, 20))
    assert project_events(district)[len(before):] == [
        ("project_update", {"changes": {"actual_start": "2024-03-20"}}),
        ("project_plan", {"changes": {"year": 2024, "planned_yuan": 150_000_000}, "previous_yuan": 120_000_000}),
    ]
    view = directory.get_project(district.uow(), code=district.project)
    assert view.to_json()["total_investment_wan"] == "350000" and view.to_json()["kind"] == "industry"


def test_completion_before_the_start_is_refused(district: Any) -> None:
    with pytest.raises(InvalidInput, match="早于实际开工日期"):
        plan(district, 100, actual_start=date(2024, 5, 1), actual_completion=date(2024, 4, 1))


def test_the_board_shows_each_projects_gap_to_the_time_target(district: Any) -> None:
    plan(district, 12000, planned_start=date(2024, 3, 1), actual_start=date(2024, 3, 20))
    for month in (3, 4, 5):
        record(district, YearMonth(2024, month), 1000)
    board = projects.board(district.uow(), as_of=MAY)
    (row,) = board.projects
    figures = projects.figures_json(row.figures)
    assert figures == {"as_of": "2024-05", "annual_plan_wan": "12000", "done_month_wan": "1000",
                       "done_ytd_wan": "3000", "done_total_wan": "3000", "completion_rate": "25.0",
                       "target": "41.7", "gap": "16.7", "light": "yellow", "start": "started"}
    (everything,) = board.groups
    assert (everything.planned_to_start, everything.started) == (1, 1)
    assert projects.group_json(everything)["start_rate"] == "100.0"


def test_light_thresholds_come_from_the_settings(district: Any) -> None:
    plan(district, 12000)
    record(district, MAY, 3000)
    assert projects.board(district.uow(), as_of=MAY).projects[0].figures.light is Light.YELLOW
    with UnitOfWork(district.engine) as uow:
        uow.session.add(Setting(key=projects.YELLOW_KEY, value="5"))
        uow.session.add(Setting(key=projects.RED_KEY, value="15"))
        uow.commit()
    assert projects.board(district.uow(), as_of=MAY).projects[0].figures.light is Light.RED


def test_the_board_groups_and_filters(district: Any) -> None:
    directory.add_project(
        district.uow(), caller=district.caller(district.admin), code="DQ-2024-011", name="新华镇污水处理厂提标改造",
        level=ProjectLevel.DISTRICT, locality=district.locality, lead_unit=district.service_unit,
        leaders=[district.leader], helpers=[], specialists=[],
        details=directory.InvestmentDetails(kind=ProjectKind.LIVELIHOOD, total_investment_yuan=120_000_000,
                                            annual_plan_yuan=30_000_000, planned_start=date(2024, 4, 1)))
    board = projects.board(district.uow(), as_of=MAY, grouping=Grouping.LEVEL)
    assert [(g.key, g.projects) for g in board.groups] == [("provincial", 1), ("district", 1)]
    district_only = projects.board(district.uow(), as_of=MAY, level=ProjectLevel.DISTRICT)
    assert [p.project.code for p in district_only.projects] == ["DQ-2024-011"]
    red = projects.board(district.uow(), as_of=MAY, light=Light.RED)
    assert [p.project.code for p in red.projects] == ["DQ-2024-011"]  # nothing done of 3,000 by May
    assert red.projects[0].figures.start.value == "late"


def test_add_project_without_investment_details_still_works_and_audits_them_when_given(district: Any) -> None:
    view = directory.add_project(
        district.uow(), caller=district.caller(district.admin), code="DQ-2024-012", name="东区人才公寓",
        level=ProjectLevel.DISTRICT, locality=district.locality, lead_unit=district.service_unit,
        leaders=[district.leader], helpers=[], specialists=[],
        details=directory.InvestmentDetails(total_investment_yuan=50_000_000, plan_year=2024,
                                            annual_plan_yuan=20_000_000, in_stats=True))
    assert view.to_json()["in_stats"] is True and view.to_json()["total_investment_wan"] == "5000"
    events = [e for e in project_events(district) if e[1]["changes"].get("name") == "东区人才公寓"
              or e[0] == "project_plan"]
    assert events[0][1]["changes"]["total_investment_yuan"] == 50_000_000
    assert events[1] == ("project_plan", {"changes": {"year": 2024, "planned_yuan": 20_000_000},
                                          "previous_yuan": None})
    assert audit.verify_chains(district.uow()).ok
    plain = directory.get_project(district.uow(), code=district.project).to_json()
    assert plain["kind"] is None and plain["total_investment_wan"] is None
