"""Problems, the read side: lists and pages, the escalation queue, counts, the dashboard's figures,
one problem with its timeline, and the SQL form of the light rule.

The writes (raise, the actions of the transition table) are in issues.py; these only read, and show
rows through its `view_of`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import Boolean, ColumnElement, and_, case, func, null, or_
from sqlmodel import Session, col, select

from coordination.domain.audit import replay
from coordination.domain.enums import (
    OPEN_STATES,
    Action,
    Level,
    Light,
    State,
    parse_category,
)
from coordination.domain.errors import InvalidInput
from coordination.domain.lights import LightThresholds
from coordination.domain.problem import available_actions
from coordination.models import AuditEvent, Problem, RosterEntry
from coordination.services.calendar import work_calendar
from coordination.services.common import payload_of
from coordination.services.issues import ProblemView, row_json, view_of
from coordination.services.problem_changes import PROBLEM_STREAM
from coordination.services.problem_changes import get_row as _get_row
from coordination.services.problem_changes import problem_facts as _facts
from coordination.services.snapshot import directory
from coordination.services.visibility import Viewer, narrowed
from coordination.uow import UnitOfWork

# ---- read models ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EventView:
    seq: int
    action: str
    from_state: str | None
    to_state: str | None
    actor: str
    at: datetime
    origin: str
    reason: str | None
    payload: dict[str, Any]
    hash: str

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "action": self.action, "from_state": self.from_state,
                "to_state": self.to_state, "actor": self.actor, "at": self.at.isoformat(),
                "origin": self.origin, "reason": self.reason, "payload": self.payload, "hash": self.hash}


@dataclass(frozen=True)
class ProblemDetail:
    problem: ProblemView
    timeline: list[EventView]
    actions: list[Action] | None = None  # what the asking person may do now (None: not asked)

    def to_json(self) -> dict[str, Any]:
        shown = {**self.problem.to_json(), "timeline": [e.to_json() for e in self.timeline]}
        if self.actions is not None:
            shown["actions"] = [a.value for a in self.actions]
        return shown


def _event_view(event: AuditEvent) -> EventView:
    return EventView(event.seq, event.action, event.from_state, event.to_state, event.actor, event.at,
                     event.origin, event.reason, payload_of(event), event.hash)


# ---- read side -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemFilter:
    state: State | None = None
    project: str | None = None
    unit: str | None = None
    level: Level | None = None
    category: str | None = None
    light: Light | None = None
    open_only: bool = False
    q: str | None = None  # words in the title, or a problem's number
    limit: int = 500
    offset: int = 0


@dataclass(frozen=True)
class ProblemPage:
    items: list[ProblemView]
    total: int


def _filtered(session: Session, filters: ProblemFilter, lights: LightThresholds,
              viewer: Viewer | None) -> Any:
    query = narrowed(select(Problem), viewer)
    if filters.state is not None:
        query = query.where(Problem.state == filters.state.value)
    if filters.open_only:
        query = query.where(col(Problem.state).in_([s.value for s in OPEN_STATES]))
    if filters.project:
        query = query.where(Problem.project == filters.project)
    if filters.unit:
        query = query.where(Problem.lead_unit == filters.unit)
    if filters.level is not None:
        query = query.where(Problem.level == int(filters.level))
    if filters.category:
        query = query.where(Problem.category == parse_category(filters.category))
    if filters.light is not None:
        query = query.where(light_conditions(lights)[filters.light])
    words = (filters.q or "").strip()
    if words:
        pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(col(Problem.title).like(pattern, escape="\\"),
                                func.upper(col(Problem.id)) == words.upper()))
    return query


def list_problems(uow: UnitOfWork, *, today: date, filters: ProblemFilter | None = None,
                  viewer: Viewer | None = None) -> list[ProblemView]:
    """Problems matching the filters, newest first (`viewer`: only those they see)."""
    return problem_page(uow, today=today, filters=filters, viewer=viewer, count=False).items


def problem_page(uow: UnitOfWork, *, today: date, filters: ProblemFilter | None = None,
                 viewer: Viewer | None = None, count: bool = True) -> ProblemPage:
    """One page of the problems matching the filters, newest first, and how many match in all."""
    filters = filters or ProblemFilter()
    if filters.limit < 1 or filters.offset < 0:
        raise InvalidInput("条数至少为 1，起点不能为负", "limit must be at least 1 and offset not negative")
    with uow:
        session = uow.session
        calendar = work_calendar(session)
        lights = LightThresholds.on(today, calendar)
        query = _filtered(session, filters, lights, viewer)
        total = -1
        if count:
            total = int(session.exec(select(func.count()).select_from(query.subquery())).one())
        query = (query.order_by(col(Problem.raised_on).desc(), col(Problem.id).desc())
                 .offset(filters.offset).limit(filters.limit))
        items = [view_of(row, calendar, today, lights) for row in session.exec(query).all()]
        return ProblemPage(items, total if count else len(items))


class LightBounds(Protocol):
    """The two dates of `LightThresholds`, as dates or as bind parameters (a statement built once, run daily)."""

    @property
    def red_before(self) -> Any: ...

    @property
    def yellow_before(self) -> Any: ...


def light_conditions(
    lights: LightBounds,
    *,
    due_date: ColumnElement[Any] | None = None,
    state: ColumnElement[Any] | None = None,
    open_states: Iterable[str] | None = None,
) -> dict[Light, ColumnElement[bool]]:
    """When a problem shows each light, in SQL: `LightThresholds.light` over the same two dates.

    The one SQL form of the rule: `light_expression`, `issue list --light` and the dashboard's counts
    are built from it. Each condition is a state and a due-date range, which ix_problem_state_due
    answers without reading the rows. `due_date` and `state` default to the problem table's columns;
    the sweep passes its Core columns, another kind its own columns and `open_states` (its workflow's).
    """
    due = col(Problem.due_date) if due_date is None else due_date
    current = col(Problem.state) if state is None else state
    lit_states = sorted(s.value for s in OPEN_STATES) if open_states is None else sorted(open_states)
    lit = and_(current.in_(lit_states), due.is_not(None))
    return {
        Light.RED: and_(lit, due < lights.red_before),
        Light.YELLOW: and_(lit, due >= lights.red_before, due < lights.yellow_before),
        Light.GREEN: and_(lit, due >= lights.yellow_before),
    }


def light_expression(
    lights: LightBounds,
    *,
    due_date: ColumnElement[Any] | None = None,
    state: ColumnElement[Any] | None = None,
) -> ColumnElement[Any]:
    """Each problem's light as a column (NULL: no light), from `light_conditions`."""
    conditions = light_conditions(lights, due_date=due_date, state=state)
    return case(*((condition, light.value) for light, condition in conditions.items()), else_=null())


def show_problem(uow: UnitOfWork, *, problem_id: str, today: date, viewer: Viewer | None = None) -> ProblemDetail:
    """One problem with its full timeline.

    With a `viewer`: NotFound unless they see it, and the actions they may take on it now.
    """
    with uow:
        session = uow.session
        row = _get_row(session, problem_id)
        calendar = work_calendar(session)
        actions = None
        if viewer is not None:
            viewer.require_row(row)
            snapshot = directory(session)
            actions = available_actions(snapshot.actor(viewer.handle), _facts(row), snapshot.roster(row.project),
                                        today=today, calendar=calendar)
        return ProblemDetail(view_of(row, calendar, today), _events(session, row.id), actions)


def history(uow: UnitOfWork, *, problem_id: str, viewer: Viewer | None = None) -> list[EventView]:
    """The audit events of one problem, oldest first."""
    with uow:
        row = _get_row(uow.session, problem_id)
        if viewer is not None:
            viewer.require_row(row)
        return _events(uow.session, row.id)


def _events(session: Session, problem_id: str) -> list[EventView]:
    events = session.exec(
        select(AuditEvent)
        .where(AuditEvent.stream_type == PROBLEM_STREAM, AuditEvent.stream_id == problem_id)
        .order_by(col(AuditEvent.seq))
    ).all()
    return [_event_view(e) for e in events]


def replayed(uow: UnitOfWork, *, problem_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The row rebuilt from its events, beside the stored row (both in JSON form)."""
    with uow:
        row = _get_row(uow.session, problem_id)
        events = _events(uow.session, row.id)
        return replay(e.payload["changes"] for e in events), row_json(row)


@dataclass(frozen=True)
class QueueFilter:
    leader: str | None = None
    level: Level | None = None
    unit: str | None = None


QUEUE_PAGE_SIZE = 20


@dataclass(frozen=True)
class QueuePage:
    """One page of the escalation queue, most urgent first, and how many problems wait in all."""

    items: list[ProblemView]
    total: int
    limit: int | None
    offset: int

    @property
    def page(self) -> int:
        """1-based."""
        return self.offset // self.limit + 1 if self.limit else 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit)) if self.limit else 1


def _queue_conditions(filters: QueueFilter) -> list[ColumnElement[bool]]:
    conditions = [col(Problem.state).in_(sorted(s.value for s in OPEN_STATES)), col(Problem.level) >= int(Level.L2)]
    if filters.leader:
        linked = select(RosterEntry.project).where(RosterEntry.part == "leader", RosterEntry.ref == filters.leader)
        conditions += [col(Problem.project).in_(linked), col(Problem.level) >= int(Level.L3)]
    if filters.level is not None:
        conditions.append(col(Problem.level) == int(filters.level))
    if filters.unit:
        conditions.append(col(Problem.lead_unit) == filters.unit)
    return conditions


def _walk_in_due_order(session: Session, conditions: list[ColumnElement[bool]]) -> list[ColumnElement[bool]]:
    """The queue's filters, marked on SQLite as likely true (its `likely()`).

    Without statistics SQLite's planner takes any equality on an indexed column to be selective, so it
    would read every escalated problem through ix_problem_state_level_project and sort them all (80 ms for
    75,000); told that the filters pass most rows, it walks ix_problem_queue in due-date order and
    stops at the page's end (2 ms). PostgreSQL plans from its own statistics.
    """
    if session.get_bind().dialect.name != "sqlite":
        return conditions
    return [func.likely(condition, type_=Boolean) for condition in conditions]


def escalation_queue(
    uow: UnitOfWork,
    *,
    today: date,
    filters: QueueFilter | None = None,
    limit: int | None = QUEUE_PAGE_SIZE,
    offset: int = 0,
    viewer: Viewer | None = None,
) -> QueuePage:
    """Escalated open problems (L2 and above), most urgent first, one page of them (`limit` None: all).

    Most urgent: problems with a due date first, earliest due (overdue first), higher level, id. A
    leader's queue holds the problems of their linked projects at L3 and above; a unit's queue the
    problems it leads at L2 and above. Ordered, cut and counted in SQL: only the page's rows are read.
    """
    if limit is not None and limit < 1:
        raise InvalidInput("每页条数至少为 1", "the page size must be at least 1")
    if offset < 0:
        raise InvalidInput("页码从 1 开始", "pages start at 1")
    conditions = _queue_conditions(filters or QueueFilter())
    seen = viewer.condition() if viewer is not None else None
    if seen is not None:
        conditions.append(seen)
    due, level, pid = col(Problem.due_date), col(Problem.level), col(Problem.id)
    with uow:
        session = uow.session

        def count(*more: ColumnElement[bool]) -> int:
            return int(session.exec(select(func.count()).select_from(Problem).where(*conditions, *more)).one())

        total, undated = count(), count(due.is_(None))
        dated = total - undated
        rows: list[Problem] = []
        # Problems with a due date, then those without: each part in the order of an index
        # (ix_problem_queue), so that the database stops reading once the page is full.
        if offset < dated:
            query = (select(Problem).where(*_walk_in_due_order(session, conditions), due.is_not(None))
                     .order_by(due.asc(), level.desc(), pid.asc()).offset(offset).limit(limit))
            rows += session.exec(query).all()
        room = None if limit is None else limit - len(rows)
        if undated and (room is None or room > 0):
            query = (select(Problem).where(*conditions, due.is_(None)).order_by(level.desc(), pid.asc())
                     .offset(max(offset - dated, 0)).limit(room))
            rows += session.exec(query).all()
        calendar = work_calendar(session)
        lights = LightThresholds.on(today, calendar)
        return QueuePage([view_of(row, calendar, today, lights) for row in rows], total, limit, offset)


def urgency_key(view: ProblemView) -> tuple[int, str, int, str]:
    """The queue's order for views already in hand (e.g. a meeting's waiting list)."""
    due = view.record.get("due_date")
    return (0 if due else 1, due or "9999-12-31", -int(view.record["level"]), view.id)


def count_problems(uow: UnitOfWork, *, viewer: Viewer | None = None) -> dict[str, int]:
    with uow:
        query = narrowed(select(Problem.state, func.count()), viewer).group_by(Problem.state)
        rows = uow.session.exec(query).all()
        return {state: count for state, count in rows}


def count_lights(uow: UnitOfWork, *, today: date, viewer: Viewer | None = None) -> dict[str, int]:
    """How many open problems show each light today: one statement, a due-date range count per light."""
    seen = viewer.condition() if viewer is not None else None
    with uow:
        conditions = light_conditions(LightThresholds.on(today, work_calendar(uow.session)))
        counts = [select(func.count()).select_from(Problem)
                  .where(condition, *(() if seen is None else (seen,))).scalar_subquery()
                  for condition in conditions.values()]
        found = uow.session.exec(select(*counts)).one()
        return {light.value: int(count) for light, count in zip(conditions, found, strict=True)}


def overview(uow: UnitOfWork, *, today: date, viewer: Viewer | None = None, queue_limit: int = 10) -> dict[str, Any]:
    """The dashboard: problems by state, today's lights, the most urgent of the queue (what `viewer` sees)."""
    counts = count_problems(uow, viewer=viewer)
    lights = count_lights(uow, today=today, viewer=viewer)
    queue = escalation_queue(uow, today=today, limit=queue_limit, viewer=viewer)  # cut in SQL
    return {"today": today.isoformat(), "by_state": counts, "lights": lights,
            "queue": [v.to_json() for v in queue.items], "queue_total": queue.total}
