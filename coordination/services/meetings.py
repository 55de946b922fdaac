"""Coordination meetings: plan an agenda, record decisions, close the minutes and apply them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Table, func, or_, update
from sqlmodel import Session, SQLModel, col, select

from coordination.domain.enums import Action, Role, State
from coordination.domain.errors import Conflict, InvalidInput, NotFound, NotPermitted
from coordination.domain.hygiene import check_day
from coordination.domain.labels import bilingual
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
from coordination.domain.notices import ProblemBrief, meeting_notice
from coordination.domain.problem import ActionInput, Actor, ProblemFacts
from coordination.domain.transitions import TRANSITIONS
from coordination.models import (
    AgendaItem,
    Decision,
    Meeting,
    Person,
    PersonRole,
    Problem,
    Project,
    RosterEntry,
    Sequence,
    Unit,
)
from coordination.services import issues, outbox, problem_changes
from coordination.services.calendar import work_calendar
from coordination.services.common import Caller, load_actor
from coordination.services.visibility import Viewer, narrowed
from coordination.services.writer import Journal, append_event
from coordination.uow import UnitOfWork

MEETING_STREAM = "meeting"
MEETING_TABLE: Table = SQLModel.metadata.tables["meeting"]


# ---- read models ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaEntry:
    problem: dict[str, Any]  # the problem as JSON (with light)
    project_name: str
    decision: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        return {**self.problem, "project_name": self.project_name, "decision": self.decision}


@dataclass(frozen=True)
class MeetingView:
    id: str
    kind: MeetingKind
    level: int
    held_on: date
    chair: str
    chair_name: str
    state: MeetingState
    number: str | None
    version: int
    agenda: list[AgendaEntry] = field(default_factory=list)
    attendees: list[dict[str, str]] = field(default_factory=list)  # units: code and name
    applied: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind.value, "level": self.level, "date": self.held_on.isoformat(),
            "chair": self.chair, "chair_name": self.chair_name, "state": self.state.value,
            "minutes_number": self.number, "version": self.version,
            "agenda": [item.to_json() for item in self.agenda],
            "decisions": [dict(item.decision, problem=item.problem["id"]) for item in self.agenda
                          if item.decision is not None],
            "attendees": self.attendees, "applied": self.applied,
        }


def _decision_json(decision: Decision, units: dict[str, str]) -> dict[str, Any]:
    co_units: list[str] = json.loads(decision.co_units)
    return {
        "outcome": decision.outcome,
        "text": decision.text,
        "lead_unit": decision.lead_unit,
        "lead_unit_name": units.get(decision.lead_unit or ""),
        "co_units": co_units,
        "co_unit_names": [units.get(c, c) for c in co_units],
        "due_date": decision.due_date.isoformat() if decision.due_date else None,
        "recorded_by": decision.recorded_by,
    }


def _view(session: Session, meeting: Meeting, today: date, applied: list[str] | None = None, *,
          only: str | None = None, viewer: Viewer | None = None) -> MeetingView:
    """The meeting with its whole agenda, or with the one item `only` (what a decision touched).

    With a `viewer`, only the agenda items they may see (the problems' visibility rule).
    """
    calendar = work_calendar(session)
    units = {u.code: u.name for u in session.exec(select(Unit)).all()}
    rows = select(Problem, Project.name).join(AgendaItem, col(AgendaItem.problem) == col(Problem.id)).outerjoin(
        Project, col(Project.code) == col(Problem.project)).where(AgendaItem.meeting == meeting.id)
    decided = select(Decision).where(Decision.meeting == meeting.id)
    if only is not None:
        rows, decided = rows.where(AgendaItem.problem == only), decided.where(Decision.problem == only)
    rows = narrowed(rows, viewer)
    items = session.exec(rows.order_by(col(AgendaItem.position))).all()
    decisions = {d.problem: d for d in session.exec(decided).all()}
    agenda: list[AgendaEntry] = []
    attendee_codes: list[str] = []
    for row, project_name in items:
        decision = decisions.get(row.id)
        agenda.append(AgendaEntry(issues.view_of(row, calendar, today).to_json(), project_name or row.project,
                                  _decision_json(decision, units) if decision else None))
        codes = [row.lead_unit, *json.loads(row.co_units)]
        if decision is not None:
            codes += [decision.lead_unit, *json.loads(decision.co_units)]
        attendee_codes += [c for c in codes if c and c not in attendee_codes]
    chair = session.get(Person, meeting.chair)
    number = (minutes_number(MeetingKind(meeting.kind), meeting.minutes_year, meeting.minutes_number)
              if meeting.minutes_year and meeting.minutes_number else None)
    return MeetingView(
        id=meeting.id, kind=MeetingKind(meeting.kind), level=meeting.level, held_on=meeting.held_on,
        chair=meeting.chair, chair_name=chair.name if chair else meeting.chair, state=MeetingState(meeting.state),
        number=number, version=meeting.version, agenda=agenda,
        attendees=[{"code": c, "name": units.get(c, c)} for c in attendee_codes], applied=applied or [],
    )


# ---- helpers -------------------------------------------------------------------------------


def _next(session: Session, name: str, year: int, *, after: int = 0) -> int:
    """The next number of the yearly series `name`; a series begun this year starts after `after`."""
    bumped = session.execute(
        update(Sequence).where(col(Sequence.name) == name, col(Sequence.year) == year)
        .values(last=col(Sequence.last) + 1).returning(col(Sequence.last))
    ).scalar_one_or_none()
    if bumped is None:
        session.add(Sequence(name=name, year=year, last=after + 1))
        session.flush()
        return after + 1
    return int(bumped)


def _next_minutes(session: Session, kind: MeetingKind, year: int) -> int:
    """The kind's next minutes number in `year`.

    Minutes closed before the series were split by kind were numbered from one counter for all kinds;
    a kind's series that begins in such a year starts after the highest of its kind's stored numbers,
    so that no two minutes of one kind ever share a number (no migration: the stored number and the
    meeting's kind name every set of minutes).
    """
    series = minutes_series(kind)
    used: int | None = None
    if session.exec(select(Sequence.last).where(Sequence.name == series, Sequence.year == year)).first() is None:
        used = session.exec(select(func.max(Meeting.minutes_number)).where(
            Meeting.kind == kind.value, Meeting.minutes_year == year)).one()
    return _next(session, series, year, after=used or 0)


def _get(session: Session, meeting_id: str) -> Meeting:
    meeting = session.get(Meeting, meeting_id.strip().upper())
    if meeting is None:
        raise NotFound(f"会议 {meeting_id} 不存在", f"meeting {meeting_id} not found")
    return meeting


def _as_recorder(session: Session, caller: Caller, meeting_id: str, state: MeetingState, *,
                 doing_zh: str, doing_en: str) -> tuple[Actor, Meeting]:
    """The chair or the secretariat, and their meeting, which must be in `state` for this step."""
    actor = load_actor(session, caller.handle, caller)
    meeting = _get(session, meeting_id)
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


def _roles(session: Session, handle: str) -> frozenset[Role]:
    return frozenset(Role(r) for r in session.exec(select(PersonRole.role).where(PersonRole.handle == handle)).all())


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
    session.expunge(meeting)
    for name, value in values.items():  # the object now says what the row says
        setattr(meeting, name, value)


def _record(session: Session, caller: Caller, meeting: Meeting, action: str, changes: dict[str, Any],
            reason: str | None = None) -> None:
    append_event(session, stream_type=MEETING_STREAM, stream_id=meeting.id, action=action, caller=caller,
                 changes=changes, reason=reason)


def _waiting(session: Session, kind: MeetingKind, chair: str, chair_roles: frozenset[Role]) -> list[Problem]:
    """Problems waiting at the meeting's level (for a leader's 会办: of the chair's projects)."""
    waits = [state.value for state in TRANSITIONS[Action.DECIDE].sources]  # where a meeting may decide
    query = select(Problem).where(col(Problem.state).in_(waits), Problem.level == int(kind.level))
    if kind is MeetingKind.LEADER and Role.PRINCIPAL not in chair_roles:
        linked = select(RosterEntry.project).where(RosterEntry.part == "leader", RosterEntry.ref == chair)
        query = query.where(col(Problem.project).in_(linked))
    busy = select(AgendaItem.problem).join(Meeting, col(Meeting.id) == col(AgendaItem.meeting)).where(
        col(Meeting.state) != MeetingState.CLOSED.value)
    query = query.where(col(Problem.id).not_in(busy))
    return list(session.exec(query).all())


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
        chair_person = session.get(Person, chair)
        if chair_person is None or not chair_person.active:
            raise NotFound(f"主持人 {chair} 不存在或已停用", f"chair {chair} not found or inactive")
        chair_roles = _roles(session, chair)
        check_chair(kind, chair, chair_roles)
        meeting_id = f"M-{held_on.year}-{_next(session, 'meeting', held_on.year):04d}"
        meeting = Meeting(id=meeting_id, kind=kind.value, level=int(kind.level), held_on=held_on, chair=chair,
                          state=MeetingState.PLANNED.value, planned_by=actor.handle)
        session.add(meeting)
        session.flush()
        calendar = work_calendar(session)
        waiting = sorted((issues.view_of(p, calendar, caller.today) for p in _waiting(session, kind, chair,
                                                                                       chair_roles)),
                         key=issues.urgency_key)
        for position, problem in enumerate(waiting, start=1):
            session.add(AgendaItem(meeting=meeting_id, problem=problem.id, position=position))
        _record(session, caller, meeting, "meeting_plan",
                {"kind": kind.value, "date": held_on.isoformat(), "chair": chair,
                 "agenda": [p.id for p in waiting], "state": MeetingState.PLANNED.value})
        session.flush()
        view = _view(session, meeting, caller.today)
        if notify:
            _notify_units(session, caller, view)
        uow.commit()
        return view


def _notify_units(session: Session, caller: Caller, view: MeetingView) -> None:
    by_unit: dict[str | None, list[ProblemBrief]] = {}
    units = {u.code: u.name for u in session.exec(select(Unit)).all()}
    for item in view.agenda:
        problem = item.problem
        due = problem.get("due_date")
        lead = problem.get("lead_unit")
        brief = ProblemBrief(id=problem["id"], title=problem["title"], project_name=item.project_name,
                             lead_unit=lead, lead_unit_name=units.get(lead or ""),
                             due_date=date.fromisoformat(due) if due else None, level=problem["level"])
        by_unit.setdefault(problem.get("lead_unit"), []).append(brief)
    for unit, items in by_unit.items():
        outbox.enqueue(session, meeting_notice(meeting_id=view.id, kind_label=kind_label(view.kind),
                                               held_on=view.held_on, chair_name=view.chair_name, unit=unit,
                                               items=items), caller=caller)


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


def next_weekday(after: date, weekday: int) -> date:
    """The first date after `after` falling on `weekday` (0 = Monday)."""
    return after + timedelta(days=(weekday - after.weekday() - 1) % 7 + 1)


def consultation_day(uow: UnitOfWork, *, after: date, weekday: int) -> date:
    """The first `weekday` after `after`, or, when that is a day off (a Wednesday in 国庆 week), the
    first working day after it: a consultation is never called on a holiday."""
    with uow:
        calendar = work_calendar(uow.session)
    day = next_weekday(after, weekday)
    for _ in range(31):  # the longest run of days off (春节 with its weekends) is far shorter
        if calendar.is_workday(day):
            return day
        day += timedelta(days=1)
    return day


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
        view = _view(session, meeting, caller.today)
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
        view = _view(session, meeting, caller.today)
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
        problem = session.get(Problem, problem_id.strip().upper())
        if problem is None:
            raise NotFound(f"问题 {problem_id} 不存在", f"problem {problem_id} not found")
        if session.get(AgendaItem, (meeting.id, problem.id)) is None:
            raise NotFound(f"问题 {problem.id} 不在会议 {meeting.id} 议程中",
                           f"{problem.id} is not on the agenda of {meeting.id}")
        check_chair_authority(meeting.id, MeetingKind(meeting.kind), decision.outcome, _chair(session, meeting),
                              _facts(problem), problem_changes.load_roster(session, problem.project))
        for code in (decision.unit, *decision.co_units):
            if code and session.get(Unit, code) is None:
                raise NotFound(f"单位 {code} 不存在", f"unit {code} not found")
        existing = session.get(Decision, (meeting.id, problem.id))
        record = existing or Decision(meeting=meeting.id, problem=problem.id, outcome=decision.outcome.value,
                                      text="", recorded_by=actor.handle, recorded_at=caller.now)
        record.outcome, record.text = decision.outcome.value, text
        record.lead_unit, record.co_units = decision.unit, json.dumps(list(decision.co_units), ensure_ascii=False)
        record.due_date, record.recorded_by, record.recorded_at = decision.due, actor.handle, caller.now
        session.add(record)
        _bump(session, caller, meeting, {}, "decision_record",
              {"problem": problem.id, "outcome": decision.outcome.value, "text": record.text,
               "lead_unit": decision.unit, "co_units": list(decision.co_units),
               "due_date": decision.due.isoformat() if decision.due else None})
        session.flush()
        view = _view(session, meeting, caller.today, only=problem.id)  # not the whole agenda: it may be long
        uow.commit()
        return view


def close_meeting(uow: UnitOfWork, *, caller: Caller, meeting_id: str) -> MeetingView:
    """Freeze the minutes, number them, and apply every decision to its problem — all or nothing."""
    with uow:
        session = uow.session
        _, meeting = _as_recorder(session, caller, meeting_id, MeetingState.OPEN, doing_zh="闭会", doing_en="close")
        require_held(meeting.id, meeting.held_on, caller.today, doing_zh="闭会", doing_en="be closed")
        decisions = session.exec(select(Decision).where(Decision.meeting == meeting.id)
                                 .order_by(col(Decision.problem))).all()
        chair = _chair(session, meeting)
        moved: list[tuple[str, str]] = []
        beyond: list[NotPermitted] = []
        for decision in decisions:
            problem = session.get(Problem, decision.problem)
            assert problem is not None
            facts, outcome = _facts(problem), Outcome(decision.outcome)
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
               "decisions": [d.problem for d in decisions]})
        calendar = work_calendar(session)
        origin_caller = replace(caller, origin=f"meeting:{meeting.id}")
        applied: list[str] = []
        # Every decision in one batch of the write path: each unit hears of its 议定事项 in one message.
        journal = problem_changes.journal_for(session, origin_caller, batch_key=f"meeting:{meeting.id}")
        for decision in decisions:
            outcome = Outcome(decision.outcome)
            inputs = ActionInput(reason=decision.text, unit=decision.lead_unit,
                                 co_units=tuple(json.loads(decision.co_units)), due=decision.due_date)
            issues.apply_by_authority(
                session, caller=origin_caller, problem_id=decision.problem, action=outcome.action, inputs=inputs,
                calendar=calendar, extra={"meeting": meeting.id, "minutes_number": numbered},
                journal=journal)
            applied.append(decision.problem)
        journal.write()
        view = _view(session, meeting, caller.today, applied)
        uow.commit()
        return view


# ---- read side -----------------------------------------------------------------------------


def show_meeting(uow: UnitOfWork, *, meeting_id: str, today: date, viewer: Viewer | None = None) -> MeetingView:
    """One meeting; with a `viewer`, NotFound unless they chair it or see a problem on its agenda."""
    with uow:
        session = uow.session
        meeting = _get(session, meeting_id)
        if viewer is not None and not session.exec(_seen_by(viewer).where(Meeting.id == meeting.id)).first():
            raise NotFound(f"会议 {meeting_id} 不存在", f"meeting {meeting_id} not found")
        return _view(session, meeting, today, viewer=viewer)


def _seen_by(viewer: Viewer) -> Any:
    """Meetings a viewer sees: all when they see every problem, else those they chair or whose agenda they see."""
    query = select(Meeting)
    condition = viewer.condition()
    if condition is None:
        return query
    agenda_seen = (select(AgendaItem.meeting).join(Problem, col(Problem.id) == col(AgendaItem.problem))
                   .where(condition))
    return query.where(or_(col(Meeting.chair) == viewer.handle, col(Meeting.id).in_(agenda_seen)))


def list_meetings(uow: UnitOfWork, *, today: date, kind: MeetingKind | None = None,
                  state: MeetingState | None = None, year: int | None = None,
                  viewer: Viewer | None = None) -> list[MeetingView]:
    with uow:
        session = uow.session
        query = select(Meeting) if viewer is None else _seen_by(viewer)
        if kind is not None:
            query = query.where(Meeting.kind == kind.value)
        if state is not None:
            query = query.where(Meeting.state == state.value)
        if year is not None:
            query = query.where(col(Meeting.held_on) >= date(year, 1, 1), col(Meeting.held_on) <= date(year, 12, 31))
        meetings = session.exec(query.order_by(col(Meeting.held_on).desc(), col(Meeting.id).desc())).all()
        return [_view(session, m, today, viewer=viewer) for m in meetings]


@dataclass(frozen=True)
class MeetingCounts:
    """Closed meetings held in a period, by kind and by chair (for reports and the seed's blanks)."""

    start: date
    end: date
    by_kind: dict[str, int]
    by_chair: dict[str, dict[str, int]]
    decisions: int

    @property
    def district_leader_meetings(self) -> int:
        """提请区领导会办: the linked leaders' 会办 and the principal's meetings."""
        return self.by_kind.get(MeetingKind.LEADER.value, 0) + self.by_kind.get(MeetingKind.PRINCIPAL.value, 0)

    @property
    def unit_head_meetings(self) -> int:
        """帮办单位主要领导会办: the task-force consultations."""
        return self.by_kind.get(MeetingKind.TASK_FORCE.value, 0)

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "by_kind": self.by_kind,
                "by_chair": self.by_chair, "decisions": self.decisions,
                "district_leader_meetings": self.district_leader_meetings,
                "unit_head_meetings": self.unit_head_meetings}


def meeting_counts(uow: UnitOfWork, *, start: date, end: date) -> MeetingCounts:
    """Count meetings held (closed) between `start` and `end` inclusive, in SQL."""
    with uow:
        session = uow.session
        held = (col(Meeting.state) == MeetingState.CLOSED.value, col(Meeting.held_on) >= start,
                col(Meeting.held_on) <= end)
        rows = session.exec(select(Meeting.kind, Meeting.chair, func.count()).where(*held)
                            .group_by(Meeting.kind, Meeting.chair)).all()
        by_kind: dict[str, int] = {}
        by_chair: dict[str, dict[str, int]] = {}
        for kind, chair, count in rows:
            by_kind[kind] = by_kind.get(kind, 0) + count
            by_chair.setdefault(chair, {})[kind] = count
        decisions = session.exec(select(func.count()).select_from(Decision)
                                 .join(Meeting, col(Meeting.id) == col(Decision.meeting)).where(*held)).one()
        return MeetingCounts(start, end, by_kind, by_chair, int(decisions))

