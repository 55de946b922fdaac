"""The read side of coordination meetings: the meeting views, and the queries that show, list and count meetings.

The view building (`MeetingView`, `meeting_view`, `assembled_view` and their helpers) lives here so that the
use cases that write (services/meetings.py) build the same views by importing it; this module writes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from coordination.domain.errors import NotFound
from coordination.domain.lights import LightThresholds
from coordination.domain.meetings import MeetingKind, MeetingState, minutes_number
from coordination.models import AgendaItem, Decision, Meeting, Problem
from coordination.services import issues
from coordination.services.calendar import work_calendar
from coordination.services.snapshot import Directory, directory
from coordination.services.visibility import Viewer, narrowed
from coordination.uow import UnitOfWork

MEETING_TABLE: Table = SQLModel.metadata.tables["meeting"]
_AGENDA: Table = SQLModel.metadata.tables["agenda_item"]
_DECISION: Table = SQLModel.metadata.tables["decision"]
_PROBLEM: Table = SQLModel.metadata.tables["problem"]

# The views read with Core statements built once: the meeting, its agenda joined to the problems and
# their decisions (one row per item). ORM objects cost several times the query.
# A decision's columns as `decision_*` (the write side reads them beside a problem's too).
DECIDED = tuple(c.label(f"decision_{c.name}") for c in _DECISION.c if c.name not in ("meeting", "problem"))
_MEETING_BY_ID = sa_select(MEETING_TABLE).where(MEETING_TABLE.c.id == bindparam("id"))
_AGENDA_ROWS = (
    sa_select(_PROBLEM, *DECIDED)
    .select_from(_AGENDA.join(_PROBLEM, _PROBLEM.c.id == _AGENDA.c.problem).outerjoin(
        _DECISION, and_(_DECISION.c.meeting == _AGENDA.c.meeting, _DECISION.c.problem == _AGENDA.c.problem)))
    .where(_AGENDA.c.meeting == bindparam("meeting"))
    .order_by(_AGENDA.c.position)
)
_AGENDA_ROW = _AGENDA_ROWS.where(_AGENDA.c.problem == bindparam("only"))


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


def decision_json(outcome: str, text: str, lead_unit: str | None, co_units: list[str], due_date: date | None,
                   recorded_by: str, units: dict[str, str]) -> dict[str, Any]:
    return {
        "outcome": outcome,
        "text": text,
        "lead_unit": lead_unit,
        "lead_unit_name": units.get(lead_unit or ""),
        "co_units": co_units,
        "co_unit_names": [units.get(c, c) for c in co_units],
        "due_date": due_date.isoformat() if due_date else None,
        "recorded_by": recorded_by,
    }


def _stored_decision(row: Any, units: dict[str, str]) -> dict[str, Any] | None:
    """The decision of an agenda row (its `decision_*` columns), None when none is recorded."""
    if row.decision_outcome is None:
        return None
    return decision_json(row.decision_outcome, row.decision_text, row.decision_lead_unit,
                          json.loads(row.decision_co_units), row.decision_due_date, row.decision_recorded_by, units)


def agenda_entry(row: Any, decision: dict[str, Any] | None, snapshot: Directory, today: date,
           lights: LightThresholds) -> AgendaEntry:
    """One agenda item from its problem row (a Core row or a problem)."""
    return AgendaEntry(issues.view_of(row, snapshot.calendar, today, lights).to_json(),
                       snapshot.project_names.get(row.project) or row.project, decision)


def assembled_view(meeting: Meeting, agenda: list[AgendaEntry], snapshot: Directory,
               applied: list[str] | None = None) -> MeetingView:
    """The view of `meeting` with `agenda`; its attendees are the units the items and decisions name."""
    attendee_codes: list[str] = []
    for item in agenda:
        codes = [item.problem["lead_unit"], *item.problem["co_units"]]
        if item.decision is not None:
            codes += [item.decision["lead_unit"], *item.decision["co_units"]]
        attendee_codes += [c for c in codes if c and c not in attendee_codes]
    units = snapshot.unit_names
    chair = snapshot.people.get(meeting.chair)
    number = (minutes_number(MeetingKind(meeting.kind), meeting.minutes_year, meeting.minutes_number)
              if meeting.minutes_year and meeting.minutes_number else None)
    return MeetingView(
        id=meeting.id, kind=MeetingKind(meeting.kind), level=meeting.level, held_on=meeting.held_on,
        chair=meeting.chair, chair_name=chair.name if chair else meeting.chair, state=MeetingState(meeting.state),
        number=number, version=meeting.version, agenda=agenda,
        attendees=[{"code": c, "name": units.get(c, c)} for c in attendee_codes], applied=applied or [],
    )


def meeting_view(session: Session, meeting: Meeting, today: date, applied: list[str] | None = None, *,
          only: str | None = None, viewer: Viewer | None = None) -> MeetingView:
    """The meeting with its whole agenda, or with the one item `only` (what a decision touched).

    With a `viewer`, only the agenda items they may see (the problems' visibility rule).
    """
    snapshot = directory(session)
    query = _AGENDA_ROWS if only is None else _AGENDA_ROW
    params = {"meeting": meeting.id} if only is None else {"meeting": meeting.id, "only": only}
    rows = session.connection().execute(narrowed(query, viewer), params).all()
    agenda: list[AgendaEntry] = []
    if rows:
        lights = LightThresholds.on(today, snapshot.calendar)  # one day's thresholds for every item
        units = snapshot.unit_names
        agenda = [agenda_entry(row, _stored_decision(row, units), snapshot, today, lights) for row in rows]
    return assembled_view(meeting, agenda, snapshot, applied)


# ---- read side -----------------------------------------------------------------------------


def load_meeting(session: Session, meeting_id: str) -> Meeting:
    """The meeting's row as a plain object: the use cases read it and `meetings._bump` keeps it current."""
    found = session.connection().execute(_MEETING_BY_ID, {"id": meeting_id.strip().upper()}).first()
    if found is None:
        raise NotFound(f"会议 {meeting_id} 不存在", f"meeting {meeting_id} not found")
    return cast(Meeting, SimpleNamespace(**found._mapping))


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


def show_meeting(uow: UnitOfWork, *, meeting_id: str, today: date, viewer: Viewer | None = None) -> MeetingView:
    """One meeting; with a `viewer`, NotFound unless they chair it or see a problem on its agenda."""
    with uow:
        session = uow.session
        meeting = load_meeting(session, meeting_id)
        if viewer is not None and not session.exec(_seen_by(viewer).where(Meeting.id == meeting.id)).first():
            raise NotFound(f"会议 {meeting_id} 不存在", f"meeting {meeting_id} not found")
        return meeting_view(session, meeting, today, viewer=viewer)


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
        return [meeting_view(session, m, today, viewer=viewer) for m in meetings]


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
