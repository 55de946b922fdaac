"""Coordination meetings: plan an agenda, record decisions, close the minutes and apply them.

The use cases that write; showing, listing and counting meetings, and the views all of them return,
are in services/meeting_reads.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from functools import cache
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Connection, Table, and_, bindparam, func, insert, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from coordination.domain.enums import Action, Role, State
from coordination.domain.errors import Conflict, InvalidInput, NotFound, NotPermitted
from coordination.domain.hygiene import check_day
from coordination.domain.labels import bilingual
from coordination.domain.lights import LightThresholds
from coordination.domain.meetings import (
    DecisionInput,
    MeetingKind,
    MeetingState,
    Outcome,
    check_chair,
    check_chair_authority,
    check_decision,
    check_linked_project,
    kind_label,
    may_record,
    minutes_number,
    minutes_series,
    require_held,
    require_state,
)
from coordination.domain.notices import Notice, ProblemBrief, meeting_notice
from coordination.domain.problem import ActionInput, Actor, ProblemFacts
from coordination.domain.transitions import TRANSITIONS
from coordination.models import AgendaItem, Meeting, Problem, RosterEntry
from coordination.services import issue_reads, issues, problem_changes
from coordination.services.calendar import work_calendar
from coordination.services.common import Caller, load_actor
from coordination.services.driver import executemany, fetch
from coordination.services.meeting_reads import (
    DECIDED,
    MEETING_TABLE,
    AgendaEntry,
    MeetingView,
    agenda_entry,
    assembled_view,
    decision_json,
    load_meeting,
    meeting_view,
)
from coordination.services.snapshot import Directory, directory
from coordination.services.writer import Journal
from coordination.uow import UnitOfWork

MEETING_STREAM = "meeting"
_AGENDA: Table = SQLModel.metadata.tables["agenda_item"]
_DECISION: Table = SQLModel.metadata.tables["decision"]
_PROBLEM: Table = SQLModel.metadata.tables["problem"]
_SEQUENCE: Table = SQLModel.metadata.tables["sequence"]

# The use cases read with Core statements built once (the meeting and its agenda are read in meeting_reads):
# a decision's problem, the decisions to apply. ORM objects cost several times the query.
# A problem, whether it is on the meeting's agenda, and the decision recorded on it so far.
_PROBLEM_AT_MEETING = (
    sa_select(_PROBLEM, _AGENDA.c.position.label("agenda_position"), *DECIDED)
    .select_from(_PROBLEM.outerjoin(
        _AGENDA, and_(_AGENDA.c.problem == _PROBLEM.c.id, _AGENDA.c.meeting == bindparam("meeting"))).outerjoin(
        _DECISION, and_(_DECISION.c.problem == _PROBLEM.c.id, _DECISION.c.meeting == bindparam("meeting"))))
    .where(_PROBLEM.c.id == bindparam("id"))
)
# A meeting's decisions with their problems, in problem order (what closing applies).
_DECISIONS_TO_APPLY = (
    sa_select(_PROBLEM, *DECIDED)
    .select_from(_DECISION.join(_PROBLEM, _PROBLEM.c.id == _DECISION.c.problem))
    .where(_DECISION.c.meeting == bindparam("meeting"))
    .order_by(_DECISION.c.problem)
)
_SEQUENCE_BUMP = (
    update(_SEQUENCE).where(_SEQUENCE.c.name == bindparam("n"), _SEQUENCE.c.year == bindparam("y"))
    .values(last=_SEQUENCE.c.last + 1).returning(_SEQUENCE.c.last)
)
_DECISION_UPDATE = (
    update(_DECISION)
    .where(_DECISION.c.meeting == bindparam("b_meeting"), _DECISION.c.problem == bindparam("b_problem"))
    .values({c: bindparam(f"b_{c}") for c in ("outcome", "text", "lead_unit", "co_units", "due_date", "recorded_by",
                                                "recorded_at")})
)


# ---- helpers -------------------------------------------------------------------------------


def _next(session: Session, name: str, year: int, *, after: Callable[[], int | None] | None = None) -> int:
    """The next number of the yearly series `name`; a series begun this year starts after `after()`."""
    connection = session.connection()
    bumped = fetch(connection, _SEQUENCE_BUMP, {"n": name, "y": year}, cache_key=("meeting_sequence_bump",))
    if bumped:
        return int(bumped[0][0])
    first = ((after() if after is not None else None) or 0) + 1
    connection.execute(insert(_SEQUENCE), {"name": name, "year": year, "last": first})
    return first


def _next_minutes(session: Session, kind: MeetingKind, year: int) -> int:
    """The kind's next minutes number in `year`.

    Minutes closed before the series were split by kind were numbered from one counter for all kinds;
    a kind's series that begins in such a year starts after the highest of its kind's stored numbers,
    so that no two minutes of one kind ever share a number (no migration: the stored number and the
    meeting's kind name every set of minutes).
    """
    def used() -> int | None:
        return session.exec(select(func.max(Meeting.minutes_number)).where(
            Meeting.kind == kind.value, Meeting.minutes_year == year)).one()

    return _next(session, minutes_series(kind), year, after=used)


def _as_recorder(session: Session, caller: Caller, meeting_id: str, state: MeetingState, *,
                 doing_zh: str, doing_en: str) -> tuple[Actor, Meeting]:
    """The chair or the secretariat, and their meeting, which must be in `state` for this step."""
    actor = load_actor(session, caller.handle, caller)
    meeting = load_meeting(session, meeting_id)
    may_record(actor.handle, actor.roles, meeting.chair)
    require_state(meeting.id, MeetingState(meeting.state), state, doing_zh=doing_zh, doing_en=doing_en)
    return actor, meeting


def _chair(session: Session, meeting: Meeting) -> Actor:
    """The chair, whose authority the meeting's decisions carry."""
    try:
        return load_actor(session, meeting.chair)
    except NotPermitted as refused:
        raise NotPermitted(f"会议 {meeting.id} 的主持人 {meeting.chair} 无效：{refused.zh}",
                           f"meeting {meeting.id}'s chair {meeting.chair} cannot act: {refused.en}") from None


def _facts(row: Problem) -> ProblemFacts:
    """What the chair's authority is judged on: the problem's state, level, units and raiser."""
    return ProblemFacts(id=row.id, state=State(row.state), level=row.level, lead_unit=row.lead_unit,
                        co_units=tuple(json.loads(row.co_units)), raised_by=row.raised_by)


def _bump(session: Session, caller: Caller, meeting: Meeting, changes: dict[str, Any], action: str,
          recorded: dict[str, Any]) -> None:
    """Update the meeting with a version check, as problems are, and record `action` — through the write path."""
    values = {**changes, "version": meeting.version + 1}
    journal = Journal(session, caller)
    journal.update_row(MEETING_TABLE, "id", meeting.id, meeting.version, values)
    journal.event(MEETING_STREAM, meeting.id, action, recorded)
    try:
        journal.write()
    except Conflict:
        raise Conflict(f"会议 {meeting.id} 已被他人修改，请刷新后重试",
                       f"meeting {meeting.id} was changed by someone else; reload and try again") from None
    for name, value in values.items():  # the object now says what the row says
        setattr(meeting, name, value)


@cache
def _waiting_query(level: int, linked: bool) -> Any:
    """Problems waiting at `level` and on no open meeting's agenda (`linked`: of the projects :chair leads)."""
    waits = [state.value for state in TRANSITIONS[Action.DECIDE].sources]  # where a meeting may decide
    query = sa_select(_PROBLEM).where(_PROBLEM.c.state.in_(waits), _PROBLEM.c.level == level)
    if linked:
        leads = select(RosterEntry.project).where(RosterEntry.part == "leader", RosterEntry.ref == bindparam("chair"))
        query = query.where(_PROBLEM.c.project.in_(leads))
    busy = select(AgendaItem.problem).join(Meeting, col(Meeting.id) == col(AgendaItem.meeting)).where(
        col(Meeting.state) != MeetingState.CLOSED.value)
    return query.where(_PROBLEM.c.id.not_in(busy))


def _waiting(session: Session, kind: MeetingKind, chair: str, chair_roles: frozenset[Role]) -> list[Problem]:
    """Problems waiting at the meeting's level (for a leader's 会办: of the chair's projects), as rows."""
    linked = kind is MeetingKind.LEADER and Role.PRINCIPAL not in chair_roles
    query = _waiting_query(int(kind.level), linked)
    return cast(list[Problem], session.connection().execute(query, {"chair": chair} if linked else {}).all())


# ---- use cases -----------------------------------------------------------------------------


def plan_meeting(uow: UnitOfWork, *, caller: Caller, kind: MeetingKind, held_on: date, chair: str,
                 notify: bool = False) -> MeetingView:
    """Plan a meeting; its agenda is drawn from the problems waiting at its level, most urgent first.

    With `notify`, each unit with a problem on the agenda gets a 会议通知 through the outbox.
    """
    check_day(held_on, field_zh="会议日期", field_en="the meeting date", option="--date")
    if held_on < caller.today:
        raise InvalidInput(f"会议日期 {held_on} 早于今天 {caller.today}",
                           f"meeting date {held_on} is before today {caller.today}")
    with uow:
        session = uow.session
        actor = load_actor(session, caller.handle, caller)
        if actor.handle != chair and Role.SECRETARIAT not in actor.roles:
            raise InvalidInput(f"{actor.handle} 只能为自己主持的会议制定议程（或由专班办公室制定）",
                               f"{actor.handle} may plan only meetings they chair (or the secretariat)")
        snapshot = directory(session)
        chair_person = snapshot.people.get(chair)
        if chair_person is None or not chair_person.active:
            raise NotFound(f"主持人 {chair} 不存在或已停用", f"chair {chair} not found or inactive")
        chair_roles = chair_person.roles
        check_chair(kind, chair, chair_roles)
        meeting_id = f"M-{held_on.year}-{_next(session, 'meeting', held_on.year):04d}"
        row = {"id": meeting_id, "kind": kind.value, "level": int(kind.level), "held_on": held_on, "chair": chair,
               "state": MeetingState.PLANNED.value, "minutes_year": None, "minutes_number": None,
               "planned_by": actor.handle, "closed_at": None, "version": 1}
        meeting = cast(Meeting, SimpleNamespace(**row))
        rows = _waiting(session, kind, chair, chair_roles)
        lights = LightThresholds.on(caller.today, snapshot.calendar)
        waiting = sorted(((issues.view_of(p, snapshot.calendar, caller.today, lights), p) for p in rows),
                         key=lambda pair: issue_reads.urgency_key(pair[0]))
        journal = Journal(session, caller)
        journal.insert_row(MEETING_TABLE, row)
        for position, (problem, _) in enumerate(waiting, start=1):
            journal.insert_row(_AGENDA, {"meeting": meeting_id, "problem": problem.id, "position": position})
        journal.event(MEETING_STREAM, meeting_id, "meeting_plan",
                      {"kind": kind.value, "date": held_on.isoformat(), "chair": chair,
                       "agenda": [p.id for p, _ in waiting], "state": MeetingState.PLANNED.value})
        # The agenda is what was just read: the view is built from it, not read back.
        view = assembled_view(meeting, [AgendaEntry(p.to_json(), snapshot.project_names.get(r.project) or r.project,
                                                None) for p, r in waiting], snapshot)
        if notify:
            journal.notify(_unit_notices(snapshot, view))
        journal.write()
        uow.commit()
        return view


def _unit_notices(snapshot: Directory, view: MeetingView) -> list[Notice]:
    """A 会议通知 for each unit leading a problem on the agenda (or the district, for items without one)."""
    by_unit: dict[str | None, list[ProblemBrief]] = {}
    units = snapshot.unit_names
    for item in view.agenda:
        problem = item.problem
        due = problem.get("due_date")
        lead = problem.get("lead_unit")
        brief = ProblemBrief(id=problem["id"], title=problem["title"], project_name=item.project_name,
                             lead_unit=lead, lead_unit_name=units.get(lead or ""),
                             due_date=date.fromisoformat(due) if due else None, level=problem["level"])
        by_unit.setdefault(problem.get("lead_unit"), []).append(brief)
    return [meeting_notice(meeting_id=view.id, kind_label=kind_label(view.kind), held_on=view.held_on,
                           chair_name=view.chair_name, unit=unit, items=items)
            for unit, items in by_unit.items()]


def prepare_task_force(uow: UnitOfWork, *, caller: Caller, held_on: date) -> MeetingView | None:
    """Plan the task-force consultation of `held_on`, chaired by the caller, unless one is planned.

    Returns None when that day's consultation already exists or nothing waits at L2.
    """
    with uow:
        session = uow.session
        exists = session.exec(select(Meeting.id).where(Meeting.kind == MeetingKind.TASK_FORCE.value,
                                                       Meeting.held_on == held_on)).first()
        waiting = _waiting(session, MeetingKind.TASK_FORCE, caller.handle, frozenset())
    if exists is not None or not waiting:
        return None
    return plan_meeting(uow, caller=caller, kind=MeetingKind.TASK_FORCE, held_on=held_on, chair=caller.handle,
                        notify=True)


def change_agenda(uow: UnitOfWork, *, caller: Caller, meeting_id: str, problem_id: str, add: bool) -> MeetingView:
    """Add a problem to, or drop it from, the agenda of a meeting that has not started."""
    with uow:
        session = uow.session
        _, meeting = _as_recorder(session, caller, meeting_id, MeetingState.PLANNED, doing_zh="调整议程",
                                  doing_en="change the agenda of")
        problem = session.get(Problem, problem_id.strip().upper())
        if problem is None:
            raise NotFound(f"问题 {problem_id} 不存在", f"problem {problem_id} not found")
        present = session.get(AgendaItem, (meeting.id, problem.id))
        if add:
            if present is not None:
                raise Conflict(f"问题 {problem.id} 已在会议 {meeting.id} 议程中",
                               f"{problem.id} is already on the agenda of {meeting.id}")
            if not TRANSITIONS[Action.DECIDE].allows_from(State(problem.state)):
                state_zh, state_en = bilingual(State(problem.state))
                raise Conflict(f"问题 {problem.id} 当前为{state_zh}，未提级待会办，不能列入议程",
                               f"{problem.id} is {state_en}, not waiting for a meeting")
            check_linked_project(meeting.id, MeetingKind(meeting.kind), _chair(session, meeting), problem.id,
                                 problem_changes.load_roster(session, problem.project))
            last = session.exec(select(func.max(AgendaItem.position)).where(AgendaItem.meeting == meeting.id)).one()
            session.add(AgendaItem(meeting=meeting.id, problem=problem.id, position=(last or 0) + 1))
        else:
            if present is None:
                raise NotFound(f"问题 {problem.id} 不在会议 {meeting.id} 议程中",
                               f"{problem.id} is not on the agenda of {meeting.id}")
            session.delete(present)
        _bump(session, caller, meeting, {}, "agenda_add" if add else "agenda_drop", {"problem": problem.id})
        session.flush()
        view = meeting_view(session, meeting, caller.today)
        uow.commit()
        return view


def start_meeting(uow: UnitOfWork, *, caller: Caller, meeting_id: str) -> MeetingView:
    """Open the meeting: the agenda is fixed and decisions can be recorded."""
    with uow:
        session = uow.session
        _, meeting = _as_recorder(session, caller, meeting_id, MeetingState.PLANNED, doing_zh="开始",
                                  doing_en="start")
        require_held(meeting.id, meeting.held_on, caller.today, doing_zh="开始", doing_en="start")
        _bump(session, caller, meeting, {"state": MeetingState.OPEN.value}, "meeting_start",
              {"state": MeetingState.OPEN.value})
        view = meeting_view(session, meeting, caller.today)
        uow.commit()
        return view


def decide(uow: UnitOfWork, *, caller: Caller, meeting_id: str, problem_id: str,
           decision: DecisionInput) -> MeetingView:
    """Record (or replace) the decision on one agenda item while the meeting is open."""
    with uow:
        session = uow.session
        actor, meeting = _as_recorder(session, caller, meeting_id, MeetingState.OPEN, doing_zh="记录议定事项",
                                      doing_en="record decisions in")
        text = check_decision(decision, meeting_date=meeting.held_on)
        connection = session.connection()
        problem = connection.execute(_PROBLEM_AT_MEETING, {"meeting": meeting.id,
                                                           "id": problem_id.strip().upper()}).first()
        if problem is None:
            raise NotFound(f"问题 {problem_id} 不存在", f"problem {problem_id} not found")
        if problem.agenda_position is None:
            raise NotFound(f"问题 {problem.id} 不在会议 {meeting.id} 议程中",
                           f"{problem.id} is not on the agenda of {meeting.id}")
        check_chair_authority(meeting.id, MeetingKind(meeting.kind), decision.outcome, _chair(session, meeting),
                              _facts(cast(Problem, problem)), problem_changes.load_roster(session, problem.project))
        snapshot = directory(session)
        for code in (decision.unit, *decision.co_units):
            if code and code not in snapshot.units:  # known, active or not, as the decision stood
                raise NotFound(f"单位 {code} 不存在", f"unit {code} not found")
        recorded = {"outcome": decision.outcome.value, "text": text, "lead_unit": decision.unit,
                    "co_units": json.dumps(list(decision.co_units), ensure_ascii=False), "due_date": decision.due,
                    "recorded_by": actor.handle, "recorded_at": caller.now}
        _store_decision(connection, meeting.id, problem.id, recorded, existing=problem.decision_outcome is not None)
        _bump(session, caller, meeting, {}, "decision_record",
              {"problem": problem.id, "outcome": decision.outcome.value, "text": text,
               "lead_unit": decision.unit, "co_units": list(decision.co_units),
               "due_date": decision.due.isoformat() if decision.due else None})
        # Not the whole agenda, it may be long: the one item, from the rows in hand.
        lights = LightThresholds.on(caller.today, snapshot.calendar)
        stored = decision_json(decision.outcome.value, text, decision.unit, list(decision.co_units), decision.due,
                                actor.handle, snapshot.unit_names)
        view = assembled_view(meeting, [agenda_entry(problem, stored, snapshot, caller.today, lights)], snapshot)
        uow.commit()
        return view


def _store_decision(connection: Connection, meeting_id: str, problem_id: str, recorded: dict[str, Any], *,
                    existing: bool) -> None:
    """Record the decision on one item, or replace the one recorded before (`existing`)."""
    if existing:
        executemany(connection, _DECISION_UPDATE,
                    [{"b_meeting": meeting_id, "b_problem": problem_id, **{f"b_{k}": v for k, v in recorded.items()}}],
                    cache_key=("meeting_decision_update",))
    else:
        executemany(connection, insert(_DECISION), [{"meeting": meeting_id, "problem": problem_id, **recorded}],
                    cache_key=("insert", _DECISION.name))


def close_meeting(uow: UnitOfWork, *, caller: Caller, meeting_id: str) -> MeetingView:
    """Freeze the minutes, number them, and apply every decision to its problem — all or nothing."""
    with uow:
        session = uow.session
        _, meeting = _as_recorder(session, caller, meeting_id, MeetingState.OPEN, doing_zh="闭会", doing_en="close")
        require_held(meeting.id, meeting.held_on, caller.today, doing_zh="闭会", doing_en="be closed")
        decisions = session.connection().execute(_DECISIONS_TO_APPLY, {"meeting": meeting.id}).all()
        chair = _chair(session, meeting)
        moved: list[tuple[str, str]] = []
        beyond: list[NotPermitted] = []
        for problem in decisions:  # each row: the problem, with its decision's columns
            facts, outcome = _facts(cast(Problem, problem)), Outcome(problem.decision_outcome)
            if not TRANSITIONS[outcome.action].allows_from(facts.state):
                state_zh, state_en = bilingual(facts.state)
                moved.append((f"{problem.id}（当前为{state_zh}）", f"{problem.id} ({state_en})"))
                continue
            try:  # again: the roster or the chair's roles may have changed since the decision was recorded
                check_chair_authority(meeting.id, MeetingKind(meeting.kind), outcome, chair, facts,
                                      problem_changes.load_roster(session, problem.project))
            except NotPermitted as refused:
                beyond.append(refused)
        if moved:
            raise Conflict(
                f"会议 {meeting.id} 不能闭会：以下问题的状态已变化，议定事项无法执行："
                f"{'、'.join(z for z, _ in moved)}。请先调整这些议定事项，闭会未执行任何内容",
                f"cannot close {meeting.id}: these problems changed state meanwhile: "
                f"{', '.join(e for _, e in moved)}; nothing was applied",
            )
        if beyond:
            raise NotPermitted(
                f"会议 {meeting.id} 不能闭会：{'；'.join(r.zh for r in beyond)}。"
                "请先调整这些议定事项，闭会未执行任何内容",
                f"cannot close {meeting.id}: {'; '.join(r.en for r in beyond)}; nothing was applied",
            )
        year, kind = meeting.held_on.year, MeetingKind(meeting.kind)
        number = _next_minutes(session, kind, year)
        numbered = minutes_number(kind, year, number)
        _bump(session, caller, meeting, {"state": MeetingState.CLOSED.value, "minutes_year": year,
                                         "minutes_number": number, "closed_at": caller.now}, "meeting_close",
              {"state": MeetingState.CLOSED.value, "minutes_number": numbered,
               "decisions": [d.id for d in decisions]})
        calendar = work_calendar(session)
        origin_caller = replace(caller, origin=f"meeting:{meeting.id}")
        applied: list[str] = []
        # Every decision in one batch of the write path: each unit hears of its 议定事项 in one message.
        journal = problem_changes.journal_for(session, origin_caller, batch_key=f"meeting:{meeting.id}")
        for decision in decisions:
            outcome = Outcome(decision.decision_outcome)
            inputs = ActionInput(reason=decision.decision_text, unit=decision.decision_lead_unit,
                                 co_units=tuple(json.loads(decision.decision_co_units)),
                                 due=decision.decision_due_date)
            issues.apply_by_authority(
                session, caller=origin_caller, problem_id=decision.id, action=outcome.action, inputs=inputs,
                calendar=calendar, extra={"meeting": meeting.id, "minutes_number": numbered},
                journal=journal)
            applied.append(decision.id)
        journal.write()
        view = meeting_view(session, meeting, caller.today, applied)
        uow.commit()
        return view
