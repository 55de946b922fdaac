"""A meeting decides with its chair's authority, as the transition table gives it, and nothing more.

The district of tests/conftest.py gets a second project, 西区 (linked leader 吴副区长, helper unit 住建局),
whose roster neither 陈副区长 (linked to the first project) nor the 自然资源和规划局 is on.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from coordination.domain.enums import Action, ProjectLevel, Role, State
from coordination.domain.errors import Conflict, NotPermitted
from coordination.domain.meetings import DecisionInput, MeetingKind, Outcome
from coordination.services import directory, issues, meeting_reads, meetings

MEETING_DAY = date(2024, 6, 3)  # the district's today: a meeting opens on its date
DUE = date(2024, 6, 28)
WEST = "XQ-2024-011"
WEST_LEADER = "wu_fuquzhang"


@pytest.fixture
def d(district: Any) -> Any:
    """The district with the west project and its own linked leader."""
    admin = district.caller(district.admin)
    directory.add_person(district.uow(), caller=admin, handle=WEST_LEADER, name="吴副区长", unit=None,
                         roles=[Role.LEADER])
    directory.add_project(
        district.uow(), caller=admin, code=WEST, name="西区冷链物流园项目", level=ProjectLevel.DISTRICT,
        locality=district.locality, lead_unit=district.service_unit, leaders=[WEST_LEADER],
        helpers=[district.other_unit], specialists=[district.specialist],
    )
    return district


def waiting_at(d: Any, level: int, *, project: str | None = None, unit: str | None = None,
               escalated_by: str | None = None, title: str = "冷库用地规划条件未明确") -> str:
    """A problem raised, assigned to `unit`, acknowledged there and escalated up to `level`."""
    view = issues.raise_problem(d.uow(), caller=d.caller(d.specialist), project=project or d.project, title=title,
                                category="用地")
    unit = unit or d.solving_unit
    d.assign(view.id, unit=unit)
    d.act(d.handler if unit == d.solving_unit else d.other_handler, view.id, Action.ACKNOWLEDGE)
    for rung in range(2, level + 1):
        d.act(escalated_by or d.secretariat, view.id, Action.ESCALATE, reason=f"提级至 L{rung}")
    return view.id


def open_meeting(d: Any, kind: MeetingKind, chair: str, *, planner: str | None = None) -> str:
    """A meeting of `kind` planned (by the chair unless named), agenda drawn, and started by its chair."""
    meeting = meetings.plan_meeting(d.uow(), caller=d.caller(planner or chair), kind=kind, held_on=MEETING_DAY,
                                    chair=chair)
    meetings.start_meeting(d.uow(), caller=d.caller(chair), meeting_id=meeting.id)
    return meeting.id


def decide(d: Any, meeting_id: str, problem_id: str, outcome: Outcome, by: str) -> Any:
    decision = (DecisionInput(outcome, "由自然资源局牵头，6月底前完成用地报批", unit=d.solving_unit, due=DUE)
                if outcome is Outcome.ASSIGN else DecisionInput(outcome, "会议议定"))
    return meetings.decide(d.uow(), caller=d.caller(by), meeting_id=meeting_id, problem_id=problem_id,
                           decision=decision)


def close(d: Any, meeting_id: str, by: str) -> Any:
    return meetings.close_meeting(d.uow(), caller=d.caller(by), meeting_id=meeting_id)


def agenda_of(d: Any, meeting_id: str) -> list[str]:
    view = meeting_reads.show_meeting(d.uow(), meeting_id=meeting_id, today=MEETING_DAY)
    return [item.problem["id"] for item in view.agenda]


def still_open(d: Any, meeting_id: str) -> bool:
    return meeting_reads.show_meeting(d.uow(), meeting_id=meeting_id, today=MEETING_DAY).state.value == "open"


# ---- a leader's 会办 holds only the chair's linked projects -----------------------------------


def test_a_leaders_meeting_refuses_a_problem_of_a_project_the_chair_is_not_linked_to(d: Any) -> None:
    linked = waiting_at(d, 3)
    unlinked = waiting_at(d, 3, project=WEST, unit=d.other_unit, title="冷链仓储消防验收排期")
    meeting = meetings.plan_meeting(d.uow(), caller=d.caller(d.leader), kind=MeetingKind.LEADER,
                                    held_on=MEETING_DAY, chair=d.leader)
    assert [item.problem["id"] for item in meeting.agenda] == [linked]
    before = d.audit_count()

    for adder in (d.leader, d.secretariat):
        with pytest.raises(NotPermitted) as refused:
            meetings.change_agenda(d.uow(), caller=d.caller(adder), meeting_id=meeting.id, problem_id=unlinked,
                                   add=True)
        assert "挂钩" in refused.value.zh and WEST in refused.value.zh and unlinked in refused.value.zh
        assert "linked" in refused.value.en
    assert agenda_of(d, meeting.id) == [linked]
    assert d.audit_count() == before


def test_a_leaders_meeting_cannot_decide_or_close_on_a_project_its_chair_was_unlinked_from(d: Any) -> None:
    first = waiting_at(d, 3)
    second = waiting_at(d, 3, title="厂区出入口与园区道路衔接")
    meeting_id = open_meeting(d, MeetingKind.LEADER, d.leader)
    decide(d, meeting_id, first, Outcome.ASSIGN, by=d.leader)
    # The first project is handed to another district leader after the agenda was drawn.
    directory.set_roster(d.uow(), caller=d.caller(d.admin), code=d.project, leaders=[WEST_LEADER])
    with pytest.raises(NotPermitted, match="挂钩"):
        decide(d, meeting_id, second, Outcome.ASSIGN, by=d.leader)
    before = d.audit_count()

    with pytest.raises(NotPermitted) as refused:
        close(d, meeting_id, by=d.secretariat)
    assert first in refused.value.zh and "闭会未执行任何内容" in refused.value.zh
    assert d.audit_count() == before
    assert d.problem_row(first)["state"] == State.ON_AGENDA.value
    assert still_open(d, meeting_id)


def test_a_principal_chairing_a_leaders_meeting_reaches_every_project(d: Any) -> None:
    unlinked = waiting_at(d, 3, project=WEST, unit=d.other_unit, title="冷链仓储消防验收排期")
    meeting_id = open_meeting(d, MeetingKind.LEADER, d.principal)
    assert agenda_of(d, meeting_id) == [unlinked]
    decide(d, meeting_id, unlinked, Outcome.ASSIGN, by=d.principal)
    assert close(d, meeting_id, by=d.principal).applied == [unlinked]
    assert d.problem_row(unlinked)["state"] == State.IN_PROGRESS.value


# ---- only the secretariat or the principal explains a problem away --------------------------


def test_a_unit_head_chairing_the_task_force_cannot_explain_another_units_problem_away(d: Any) -> None:
    others = waiting_at(d, 2, unit=d.other_unit, title="施工许可材料反复退回")
    meeting_id = open_meeting(d, MeetingKind.TASK_FORCE, d.unit_head)
    before = d.audit_count()

    with pytest.raises(NotPermitted) as refused:
        decide(d, meeting_id, others, Outcome.EXPLAIN, by=d.unit_head)
    assert d.unit_head in refused.value.zh and "解释办结" in refused.value.zh
    assert d.audit_count() == before
    assert meeting_reads.show_meeting(d.uow(), meeting_id=meeting_id, today=MEETING_DAY).agenda[0].decision is None
    assert d.problem_row(others)["state"] == State.ON_AGENDA.value


def test_a_unit_head_cannot_explain_away_a_problem_his_own_handler_escalated(d: Any) -> None:
    own = waiting_at(d, 2, escalated_by=d.handler)  # the 自然资源和规划局's own problem, escalated by its handler
    meeting_id = open_meeting(d, MeetingKind.TASK_FORCE, d.unit_head)
    for recorder in (d.unit_head, d.secretariat):  # the chair's authority counts, not the recorder's
        with pytest.raises(NotPermitted):
            decide(d, meeting_id, own, Outcome.EXPLAIN, by=recorder)
    close(d, meeting_id, by=d.unit_head)
    assert d.problem_row(own)["state"] == State.ON_AGENDA.value, "struck off by nobody outside the unit: never"


@pytest.mark.parametrize("chair", ["secretariat", "principal"])
def test_the_secretariat_or_the_principal_may_explain_a_problem_away_at_a_meeting(d: Any, chair: str) -> None:
    pid = waiting_at(d, 2)
    handle = getattr(d, chair)
    meeting_id = open_meeting(d, MeetingKind.TASK_FORCE, handle)
    decide(d, meeting_id, pid, Outcome.EXPLAIN, by=handle)
    assert close(d, meeting_id, by=handle).applied == [pid]
    assert d.problem_row(pid)["state"] == State.CLOSED_EXPLAINED.value


# ---- the table's roles for decide, escalate and explain, judged on the chair -----------------


def test_a_leader_chairing_the_task_force_decides_only_on_his_linked_projects(d: Any) -> None:
    linked = waiting_at(d, 2)
    unlinked = waiting_at(d, 2, project=WEST, unit=d.other_unit, title="冷链仓储消防验收排期")
    meeting_id = open_meeting(d, MeetingKind.TASK_FORCE, d.leader, planner=d.secretariat)
    assert sorted(agenda_of(d, meeting_id)) == sorted([linked, unlinked])
    for outcome in (Outcome.ASSIGN, Outcome.ESCALATE):
        with pytest.raises(NotPermitted, match=d.leader):
            decide(d, meeting_id, unlinked, outcome, by=d.leader)
    decide(d, meeting_id, linked, Outcome.ASSIGN, by=d.leader)
    assert close(d, meeting_id, by=d.leader).applied == [linked]


@pytest.mark.parametrize(
    ("project", "unit", "outcome", "allowed"),
    [
        pytest.param(None, "ZRZY", Outcome.ASSIGN, True, id="decide-on-a-project-with-his-unit-on-the-roster"),
        pytest.param(WEST, "ZJJ", Outcome.ASSIGN, False, id="decide-on-a-project-without-his-unit"),
        pytest.param(None, "ZRZY", Outcome.ESCALATE, True, id="escalate-his-own-units-problem"),
        pytest.param(None, "ZJJ", Outcome.ESCALATE, False, id="escalate-another-units-problem"),
        pytest.param(None, "ZRZY", Outcome.EXPLAIN, False, id="explain-his-own-units-problem"),
    ],
)
def test_a_unit_head_chairing_the_task_force_decides_within_the_tables_reach(
    d: Any, project: str | None, unit: str, outcome: Outcome, allowed: bool
) -> None:
    pid = waiting_at(d, 2, project=project, unit=unit)
    meeting_id = open_meeting(d, MeetingKind.TASK_FORCE, d.unit_head)
    if not allowed:
        with pytest.raises(NotPermitted):
            decide(d, meeting_id, pid, outcome, by=d.unit_head)
        return
    decide(d, meeting_id, pid, outcome, by=d.unit_head)
    assert close(d, meeting_id, by=d.unit_head).applied == [pid]
    assert d.events(pid)[-1]["action"] == outcome.action.value


def test_closing_checks_the_chairs_authority_again_after_the_roster_changed(d: Any) -> None:
    pid = waiting_at(d, 2)
    meeting_id = open_meeting(d, MeetingKind.TASK_FORCE, d.unit_head)
    decide(d, meeting_id, pid, Outcome.ASSIGN, by=d.unit_head)
    # The 自然资源和规划局 leaves the project's roster before the minutes close.
    directory.set_roster(d.uow(), caller=d.caller(d.admin), code=d.project, helpers=[d.other_unit])
    before = d.audit_count()

    with pytest.raises(NotPermitted) as refused:
        close(d, meeting_id, by=d.secretariat)
    assert pid in refused.value.zh and d.unit_head in refused.value.zh
    assert d.audit_count() == before
    assert d.problem_row(pid)["state"] == State.ON_AGENDA.value
    assert still_open(d, meeting_id)


# ---- the states a decision applies from are the table's -------------------------------------


def test_a_decision_to_escalate_applies_from_any_state_escalation_starts_from(d: Any) -> None:
    pid = waiting_at(d, 2)
    meeting_id = open_meeting(d, MeetingKind.TASK_FORCE, d.secretariat)
    decide(d, meeting_id, pid, Outcome.ESCALATE, by=d.secretariat)
    # Meanwhile the unit reports it solved and the specialist sends it back: in progress again.
    d.act(d.handler, pid, Action.RESOLVE, reason="已出具用地预审意见")
    d.act(d.specialist, pid, Action.REJECT, reason="企业反映批文尚未下达")
    assert d.problem_row(pid)["state"] == State.IN_PROGRESS.value

    assert close(d, meeting_id, by=d.secretariat).applied == [pid]
    row = d.problem_row(pid)
    assert (row["state"], row["level"]) == (State.ON_AGENDA.value, 3)


def test_a_decision_to_explain_applies_to_a_problem_moved_to_long_term_meanwhile(d: Any) -> None:
    pid = waiting_at(d, 2)
    meeting_id = open_meeting(d, MeetingKind.TASK_FORCE, d.secretariat)
    decide(d, meeting_id, pid, Outcome.EXPLAIN, by=d.secretariat)
    d.act(d.secretariat, pid, Action.LONG_TERM, reason="需待国土空间规划调整")

    assert close(d, meeting_id, by=d.secretariat).applied == [pid]
    assert d.problem_row(pid)["state"] == State.CLOSED_EXPLAINED.value


def test_a_decision_to_assign_is_refused_at_close_once_the_problem_left_the_agenda(d: Any) -> None:
    pid = waiting_at(d, 2)
    meeting_id = open_meeting(d, MeetingKind.TASK_FORCE, d.secretariat)
    decide(d, meeting_id, pid, Outcome.ASSIGN, by=d.secretariat)
    d.act(d.secretariat, pid, Action.LONG_TERM, reason="需待国土空间规划调整")
    with pytest.raises(Conflict, match="持续跟进"):
        close(d, meeting_id, by=d.secretariat)


# ---- recording a decision touches one agenda item --------------------------------------------


def test_recording_a_decision_returns_only_the_item_it_decided(d: Any) -> None:
    first = waiting_at(d, 2)
    second = waiting_at(d, 2, title="厂区出入口与园区道路衔接")
    meeting_id = open_meeting(d, MeetingKind.TASK_FORCE, d.secretariat)
    view = decide(d, meeting_id, second, Outcome.ASSIGN, by=d.secretariat)
    assert [item.problem["id"] for item in view.agenda] == [second]
    assert view.agenda[0].decision is not None and view.to_json()["decisions"][0]["problem"] == second
    assert sorted(agenda_of(d, meeting_id)) == sorted([first, second])
