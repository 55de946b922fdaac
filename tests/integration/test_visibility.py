"""Who sees which problems: lists, one problem, actions, the queue, lights, meetings and reports.

Two projects: the district's (the specialist's and the leader's, with the 自然资源局 helping) and a
second one served by another specialist and linked to another leader, whose problem the 住建局 leads.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from coordination.domain.enums import Action, ProjectLevel, Role
from coordination.domain.errors import NotFound
from coordination.domain.meetings import MeetingKind
from coordination.domain.periods import Cadence, parse_period
from coordination.services import directory, issue_reads, issues, meeting_reads, meetings, reports, settings
from coordination.services.visibility import Viewer, viewer_of

OTHER_PROJECT = "XQ-2024-011"


def two_projects(d: Any) -> dict[str, str]:
    admin = d.caller(d.admin)
    directory.add_person(d.uow(), caller=admin, handle="wu_zhuanyuan", name="吴专员", unit=d.service_unit,
                         roles=[Role.SPECIALIST])
    directory.add_person(d.uow(), caller=admin, handle="liu_fuquzhang", name="刘副区长", unit=None,
                         roles=[Role.LEADER])
    directory.add_project(d.uow(), caller=admin, code=OTHER_PROJECT, name="西区综合管廊项目",
                          level=ProjectLevel.MUNICIPAL, locality=d.locality, lead_unit=d.service_unit,
                          leaders=["liu_fuquzhang"], helpers=[d.other_unit], specialists=["wu_zhuanyuan"])
    land = d.raise_problem(title="用地指标未落实")
    d.assign(land)  # led by the 自然资源局 (ZRZY)
    d.act(d.handler, land, Action.ACKNOWLEDGE)
    for rung in (2, 3):
        d.act(d.secretariat, land, Action.ESCALATE, reason=f"提级至 L{rung}")
    permit = issues.raise_problem(d.uow(), caller=d.caller("wu_zhuanyuan"), project=OTHER_PROJECT,
                                  title="管廊施工许可材料反复退回", category="施工许可").id
    d.assign(permit, unit=d.other_unit)
    helped = d.raise_problem(title="供地红线与规划不一致")
    d.assign(helped, unit=d.other_unit, co_units=(d.solving_unit,))  # the 自然资源局 helps
    return {"land": land, "permit": permit, "helped": helped}


def seen(d: Any, handle: str) -> set[str]:
    viewer = viewer_of_handle(d, handle)
    return {v.id for v in issue_reads.list_problems(d.uow(), today=d.now.date(), viewer=viewer)}


def viewer_of_handle(d: Any, handle: str) -> Viewer:
    with d.uow() as uow:
        return viewer_of(uow.session, handle)


def test_each_role_sees_its_units_projects_and_own_problems(district: Any) -> None:
    d = district
    ids = two_projects(d)
    everything = set(ids.values())
    assert seen(d, d.secretariat) == everything
    assert seen(d, d.principal) == everything
    assert seen(d, d.admin) == everything
    assert seen(d, d.handler) == {ids["land"], ids["helped"]}, "lead unit and co-unit"
    assert seen(d, d.unit_head) == {ids["land"], ids["helped"]}
    assert seen(d, d.other_handler) == {ids["permit"], ids["helped"]}
    assert seen(d, d.specialist) == {ids["land"], ids["helped"]}, "the projects they serve and what they raised"
    assert seen(d, "wu_zhuanyuan") == {ids["permit"]}
    assert seen(d, d.leader) == {ids["land"], ids["helped"]}
    assert seen(d, "liu_fuquzhang") == {ids["permit"]}


def test_a_problem_out_of_sight_is_not_found_for_reading_and_acting(district: Any) -> None:
    d = district
    ids = two_projects(d)
    outsider = viewer_of_handle(d, d.other_handler)
    with pytest.raises(NotFound):
        issue_reads.show_problem(d.uow(), problem_id=ids["land"], today=d.now.date(), viewer=outsider)
    with pytest.raises(NotFound):
        issue_reads.history(d.uow(), problem_id=ids["land"], viewer=outsider)
    with pytest.raises(NotFound):
        issues.act(d.uow(), caller=d.caller(d.other_handler), problem_id=ids["land"], action=Action.PROGRESS,
                   viewer=outsider)
    detail = issue_reads.show_problem(d.uow(), problem_id=ids["permit"], today=d.now.date(), viewer=outsider)
    assert detail.actions is not None and Action.ACKNOWLEDGE in detail.actions


def test_queue_lights_and_counts_are_scoped(district: Any) -> None:
    d = district
    ids = two_projects(d)
    today = d.now.date()
    for handle, expected in ((d.leader, [ids["land"]]), ("liu_fuquzhang", []), (d.other_handler, []),
                             (d.secretariat, [ids["land"]])):
        page = issue_reads.escalation_queue(d.uow(), today=today, viewer=viewer_of_handle(d, handle))
        assert [v.id for v in page.items] == expected and page.total == len(expected), handle
    assert sum(issue_reads.count_lights(d.uow(), today=today, viewer=viewer_of_handle(d, "wu_zhuanyuan")).values()) == 1
    assert sum(issue_reads.count_problems(d.uow(), viewer=viewer_of_handle(d, d.handler)).values()) == 2


def test_meetings_show_only_what_the_viewer_may_see(district: Any) -> None:
    d = district
    ids = two_projects(d)
    meeting = meetings.plan_meeting(d.uow(), caller=d.caller(d.secretariat), kind=MeetingKind.LEADER,
                                    held_on=date(2024, 6, 5), chair=d.leader)
    assert [item.problem["id"] for item in meeting.agenda] == [ids["land"]]
    today = d.now.date()
    assert [m.id for m in meeting_reads.list_meetings(d.uow(), today=today, viewer=viewer_of_handle(d, d.handler))] \
        == [meeting.id]
    assert meeting_reads.list_meetings(d.uow(), today=today, viewer=viewer_of_handle(d, d.other_handler)) == []
    with pytest.raises(NotFound):
        meeting_reads.show_meeting(d.uow(), meeting_id=meeting.id, today=today,
                                   viewer=viewer_of_handle(d, "wu_zhuanyuan"))


def test_reports_count_the_problems_the_viewer_sees(district: Any) -> None:
    d = district
    two_projects(d)
    week = parse_period(Cadence.WEEKLY, "2024-W23")
    district_report = reports.build(d.uow(), cadence=Cadence.WEEKLY, period=week).to_json()
    assert district_report["problems"]["totals"]["new"] == 3
    mine = reports.build(d.uow(), cadence=Cadence.WEEKLY, period=week,
                         viewer=viewer_of_handle(d, "wu_zhuanyuan")).to_json()
    assert mine["problems"]["totals"]["new"] == 1
    assert mine["problems"]["list_counts"]["new"] == 1
    monthly = reports.build(d.uow(), cadence=Cadence.MONTHLY, period=parse_period(Cadence.MONTHLY, "2024-06"),
                            viewer=viewer_of_handle(d, d.other_handler)).to_json()
    assert monthly["trend"][-1]["new"] == 2


def test_open_reads_lets_every_signed_in_person_read_everything(district: Any) -> None:
    d = district
    ids = two_projects(d)
    settings.set_setting(d.uow(), caller=d.caller(d.admin, d.now + timedelta(minutes=1)), key="web.open_reads",
                         value="true")
    assert seen(d, d.other_handler) == set(ids.values())
