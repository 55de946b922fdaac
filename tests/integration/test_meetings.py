"""Coordination meetings through the services: agenda, decisions, closing the minutes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import delete, update
from sqlmodel import col

from coordination.domain.enums import Action, State
from coordination.domain.errors import Conflict, InvalidInput, NotFound, NotPermitted
from coordination.domain.meetings import DecisionInput, MeetingKind, Outcome
from coordination.domain.periods import Cadence, parse_period
from coordination.models import Meeting, Sequence
from coordination.services import issue_reads, meeting_reads, meetings, reports
from coordination.services.audit import verify_chains

MEETING_DAY = date(2024, 6, 3)  # held today (the district's clock): a meeting opens on its date
DUE = date(2024, 6, 28)


def waiting_at(district: Any, level: int, *, title: str = "项目二期用地指标未落实，影响12月开工") -> str:
    """A problem raised, assigned, acknowledged and escalated up to `level`."""
    pid: str = district.raise_problem(title=title)
    district.assign(pid)
    district.act(district.handler, pid, Action.ACKNOWLEDGE)
    for rung in range(2, level + 1):
        district.act(district.secretariat, pid, Action.ESCALATE, reason=f"提级至 L{rung}")
    return pid


def plan(district: Any, kind: MeetingKind = MeetingKind.TASK_FORCE, chair: str | None = None) -> Any:
    return meetings.plan_meeting(district.uow(), caller=district.caller(district.secretariat), kind=kind,
                                 held_on=MEETING_DAY, chair=chair or district.secretariat)


def assign_decision(district: Any, text: str = "由自然资源局牵头，6月底前完成用地报批") -> DecisionInput:
    return DecisionInput(Outcome.ASSIGN, text, unit=district.solving_unit, co_units=(district.locality,), due=DUE)


def test_agenda_holds_the_problems_waiting_at_the_meetings_level(district: Any) -> None:
    l2 = waiting_at(district, 2)
    l3 = waiting_at(district, 3, title="110kV 专线接入方案未批复")
    waiting_at(district, 1, title="施工许可材料反复退回")  # in progress at L1: not on any agenda

    task_force = plan(district)
    assert [item.problem["id"] for item in task_force.agenda] == [l2]
    leader = plan(district, MeetingKind.LEADER, chair=district.leader)
    assert [item.problem["id"] for item in leader.agenda] == [l3]
    again = plan(district)
    assert again.agenda == [], "a problem already on an open meeting's agenda is not planned twice"


def test_full_meeting_cycle_applies_each_decision_with_its_audit_event(district: Any) -> None:
    first = waiting_at(district, 2)
    second = waiting_at(district, 2, title="环评批复与尾水排放标准不一致")
    third = waiting_at(district, 2, title="园区道路与厂区出入口衔接")
    meeting = plan(district)
    assert meeting.state.value == "planned" and len(meeting.agenda) == 3
    chair = district.caller(district.secretariat)
    meetings.start_meeting(district.uow(), caller=chair, meeting_id=meeting.id)
    meetings.decide(district.uow(), caller=chair, meeting_id=meeting.id, problem_id=first,
                    decision=assign_decision(district))
    meetings.decide(district.uow(), caller=chair, meeting_id=meeting.id, problem_id=second,
                    decision=DecisionInput(Outcome.ESCALATE, "涉及排放标准调整，提请挂钩区领导会办"))
    meetings.decide(district.uow(), caller=chair, meeting_id=meeting.id, problem_id=third,
                    decision=DecisionInput(Outcome.EXPLAIN, "属企业自建内容，已向企业解释"))

    closed = meetings.close_meeting(district.uow(), caller=chair, meeting_id=meeting.id)
    assert closed.number == "专班会商纪要〔2024〕1号"
    assert sorted(closed.applied) == sorted([first, second, third])

    row = district.problem_row(first)
    assert row["state"] == State.IN_PROGRESS.value and row["lead_unit"] == district.solving_unit
    assert row["due_date"] in (DUE, DUE.isoformat())
    assert district.problem_row(second)["state"] == State.ON_AGENDA.value
    assert district.problem_row(second)["level"] == 3
    assert district.problem_row(third)["state"] == State.CLOSED_EXPLAINED.value

    last = district.events(first)[-1]
    assert last["action"] == Action.DECIDE.value and last["origin"] == f"meeting:{meeting.id}"
    assert '"meeting":"' + meeting.id + '"' in last["payload"]
    for pid in (first, second, third):
        rebuilt, stored = issue_reads.replayed(district.uow(), problem_id=pid)
        assert rebuilt == stored
    assert verify_chains(district.uow()).ok


def test_decision_on_a_problem_withdrawn_meanwhile_is_refused_at_close_and_nothing_applied(district: Any) -> None:
    kept = waiting_at(district, 2)
    withdrawn = waiting_at(district, 2, title="企业已自行解决的供水问题")
    meeting = plan(district)
    chair = district.caller(district.secretariat)
    meetings.start_meeting(district.uow(), caller=chair, meeting_id=meeting.id)
    for pid in (kept, withdrawn):
        meetings.decide(district.uow(), caller=chair, meeting_id=meeting.id, problem_id=pid,
                        decision=assign_decision(district))
    district.act(district.specialist, withdrawn, Action.WITHDRAW, reason="企业已自行解决")
    before = district.audit_count()

    with pytest.raises(Conflict) as refused:
        meetings.close_meeting(district.uow(), caller=chair, meeting_id=meeting.id)
    assert withdrawn in refused.value.zh and "已撤销" in refused.value.zh
    assert district.audit_count() == before
    assert district.problem_row(kept)["state"] == State.ON_AGENDA.value
    assert meeting_reads.show_meeting(district.uow(), meeting_id=meeting.id, today=MEETING_DAY).state.value == "open"


def test_closing_twice_is_a_conflict(district: Any) -> None:
    pid = waiting_at(district, 2)
    meeting = plan(district)
    chair = district.caller(district.secretariat)
    meetings.start_meeting(district.uow(), caller=chair, meeting_id=meeting.id)
    meetings.decide(district.uow(), caller=chair, meeting_id=meeting.id, problem_id=pid,
                    decision=assign_decision(district))
    meetings.close_meeting(district.uow(), caller=chair, meeting_id=meeting.id)
    with pytest.raises(Conflict):
        meetings.close_meeting(district.uow(), caller=chair, meeting_id=meeting.id)
    with pytest.raises(Conflict):
        meetings.decide(district.uow(), caller=chair, meeting_id=meeting.id, problem_id=pid,
                        decision=assign_decision(district, "改为月底前完成"))


def test_only_the_chair_or_the_secretariat_records_decisions(district: Any) -> None:
    pid = waiting_at(district, 3)
    meeting = plan(district, MeetingKind.LEADER, chair=district.leader)
    meetings.start_meeting(district.uow(), caller=district.caller(district.leader), meeting_id=meeting.id)
    with pytest.raises(NotPermitted):
        meetings.decide(district.uow(), caller=district.caller(district.handler), meeting_id=meeting.id,
                        problem_id=pid, decision=assign_decision(district))
    chaired = meetings.decide(district.uow(), caller=district.caller(district.leader), meeting_id=meeting.id,
                              problem_id=pid, decision=assign_decision(district))
    assert chaired.agenda[0].decision is not None


def test_agenda_changes_only_before_the_meeting_starts(district: Any) -> None:
    pid = waiting_at(district, 2)
    meeting = plan(district)
    chair = district.caller(district.secretariat)
    dropped = meetings.change_agenda(district.uow(), caller=chair, meeting_id=meeting.id, problem_id=pid, add=False)
    assert dropped.agenda == []
    added = meetings.change_agenda(district.uow(), caller=chair, meeting_id=meeting.id, problem_id=pid, add=True)
    assert [i.problem["id"] for i in added.agenda] == [pid]
    meetings.start_meeting(district.uow(), caller=chair, meeting_id=meeting.id)
    with pytest.raises(Conflict):
        meetings.change_agenda(district.uow(), caller=chair, meeting_id=meeting.id, problem_id=pid, add=False)


def test_decisions_need_a_unit_and_a_due_date_after_the_meeting(district: Any) -> None:
    pid = waiting_at(district, 2)
    meeting = plan(district)
    chair = district.caller(district.secretariat)
    meetings.start_meeting(district.uow(), caller=chair, meeting_id=meeting.id)
    with pytest.raises(InvalidInput):
        meetings.decide(district.uow(), caller=chair, meeting_id=meeting.id, problem_id=pid,
                        decision=DecisionInput(Outcome.ASSIGN, "尽快解决", unit=district.solving_unit))
    with pytest.raises(InvalidInput):
        meetings.decide(district.uow(), caller=chair, meeting_id=meeting.id, problem_id=pid,
                        decision=DecisionInput(Outcome.ASSIGN, "尽快解决", unit=district.solving_unit,
                                               due=MEETING_DAY))
    with pytest.raises(NotFound):
        meetings.decide(district.uow(), caller=chair, meeting_id=meeting.id, problem_id=pid,
                        decision=DecisionInput(Outcome.ASSIGN, "尽快解决", unit="NOPE", due=DUE))


def test_decide_cannot_be_taken_outside_a_meeting(district: Any) -> None:
    pid = waiting_at(district, 2)
    with pytest.raises(InvalidInput):
        district.act(district.secretariat, pid, Action.DECIDE, reason="私下议定", unit=district.solving_unit, due=DUE)


def test_meeting_counts_by_kind_and_chair(district: Any) -> None:
    for kind, chair, level in ((MeetingKind.TASK_FORCE, district.secretariat, 2),
                               (MeetingKind.LEADER, district.leader, 3),
                               (MeetingKind.PRINCIPAL, district.principal, 4)):
        pid = waiting_at(district, level, title=f"{kind.value} 议题")
        meeting = plan(district, kind, chair=chair)
        caller = district.caller(chair)
        meetings.start_meeting(district.uow(), caller=caller, meeting_id=meeting.id)
        meetings.decide(district.uow(), caller=caller, meeting_id=meeting.id, problem_id=pid,
                        decision=assign_decision(district))
        meetings.close_meeting(district.uow(), caller=caller, meeting_id=meeting.id)
    plan(district)  # planned, not held: not counted

    counts = meeting_reads.meeting_counts(district.uow(), start=date(2024, 1, 1), end=date(2024, 12, 31))
    assert counts.by_kind == {"task-force": 1, "leader": 1, "principal": 1}
    assert counts.district_leader_meetings == 2 and counts.unit_head_meetings == 1
    assert counts.by_chair[district.leader] == {"leader": 1}
    assert counts.decisions == 3
    none = meeting_reads.meeting_counts(district.uow(), start=date(2023, 1, 1), end=date(2023, 12, 31))
    assert none.by_kind == {} and none.decisions == 0


def hold(district: Any, kind: MeetingKind, chair: str, title: str) -> Any:
    """Plan, open, decide on one problem waiting at the kind's level, and close: the closed meeting."""
    pid = waiting_at(district, int(kind.level), title=title)
    meeting = plan(district, kind, chair=chair)
    caller = district.caller(chair)
    meetings.start_meeting(district.uow(), caller=caller, meeting_id=meeting.id)
    meetings.decide(district.uow(), caller=caller, meeting_id=meeting.id, problem_id=pid,
                    decision=assign_decision(district))
    return meetings.close_meeting(district.uow(), caller=caller, meeting_id=meeting.id)


def test_each_kind_of_minutes_is_its_own_series_named_in_its_number(district: Any) -> None:
    task_force = hold(district, MeetingKind.TASK_FORCE, district.secretariat, "专班议题一")
    leader = hold(district, MeetingKind.LEADER, district.leader, "会办议题")
    principal = hold(district, MeetingKind.PRINCIPAL, district.principal, "专题会议题")
    second = hold(district, MeetingKind.TASK_FORCE, district.secretariat, "专班议题二")

    assert [m.number for m in (task_force, leader, principal, second)] == [
        "专班会商纪要〔2024〕1号", "会办纪要〔2024〕1号", "专题会议纪要〔2024〕1号", "专班会商纪要〔2024〕2号"]
    shown = meeting_reads.show_meeting(district.uow(), meeting_id=leader.id, today=MEETING_DAY).to_json()
    assert shown["minutes_number"] == "会办纪要〔2024〕1号"
    week = reports.build(district.uow(), cadence=Cadence.WEEKLY, period=parse_period(Cadence.WEEKLY, "2024-W23"),
                         now=datetime(2024, 6, 10, 2, tzinfo=UTC)).to_json()
    assert {m["id"]: m["minutes_number"] for m in week["meetings"]["held"]} == {
        m.id: m.number for m in (task_force, leader, principal, second)}
    decided = district.events(leader.applied[0])[-1]
    assert decided["action"] == Action.DECIDE.value and "会办纪要〔2024〕1号" in decided["payload"]


def test_a_kinds_series_continues_after_the_numbers_its_minutes_had_from_the_shared_counter(district: Any) -> None:
    first = hold(district, MeetingKind.TASK_FORCE, district.secretariat, "专班议题一")
    # As before the series were split: this year's minutes of every kind came from one counter,
    # and this task-force consultation was its third.
    with district.uow() as uow:
        uow.session.execute(update(Meeting).where(col(Meeting.id) == first.id).values(minutes_number=3))
        uow.session.execute(delete(Sequence).where(col(Sequence.name).startswith("minutes")))
        uow.session.add(Sequence(name="minutes", year=2024, last=3))
        uow.commit()

    second = hold(district, MeetingKind.TASK_FORCE, district.secretariat, "专班议题二")
    leader = hold(district, MeetingKind.LEADER, district.leader, "会办议题")
    assert second.number == "专班会商纪要〔2024〕4号", "never the number an older set of its kind holds"
    assert leader.number == "会办纪要〔2024〕1号"
