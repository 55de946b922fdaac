"""Problems: raise, the actions of the transition table, and the read side."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, or_, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, select

from coordination.domain.audit import replay, to_json_value
from coordination.domain.deadlines import YELLOW_WITHIN_WORKING_DAYS, light_for
from coordination.domain.enums import (
    FINISHED_STATES,
    OPEN_STATES,
    Action,
    Difficulty,
    Level,
    Light,
    State,
    parse_category,
)
from coordination.domain.errors import Conflict, InvalidInput, NotFound
from coordination.domain.problem import (
    ActionInput,
    Actor,
    ProblemFacts,
    Roster,
    authorize,
    new_problem,
    plan,
    require_allowed_state,
)
from coordination.domain.transitions import TRANSITIONS
from coordination.domain.workdays import WorkCalendar
from coordination.models import AuditEvent, Problem, ProblemSequence, Project, RosterEntry, RoutingRule, Unit
from coordination.services import outbox
from coordination.services.calendar import work_calendar
from coordination.services.common import Caller, ProblemFactsAfter, append_event, load_actor, payload_of
from coordination.uow import UnitOfWork

PROBLEM_STREAM = "problem"
_COLUMNS = tuple(Problem.model_fields)


# ---- read models ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemView:
    """A problem as people read it: its row plus the light of its deadline today."""

    record: dict[str, Any]  # the row in JSON form
    light: Light | None
    working_days_left: int | None

    @property
    def id(self) -> str:
        return str(self.record["id"])

    @property
    def state(self) -> State:
        return State(self.record["state"])

    @property
    def version(self) -> int:
        return int(self.record["version"])

    def to_json(self) -> dict[str, Any]:
        return {**self.record, "light": self.light.value if self.light else None,
                "working_days_left": self.working_days_left}


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

    def to_json(self) -> dict[str, Any]:
        return {**self.problem.to_json(), "timeline": [e.to_json() for e in self.timeline]}


def row_json(row: Problem) -> dict[str, Any]:
    """The row in the JSON form its events' changes are written in."""
    record = {name: to_json_value(getattr(row, name)) for name in _COLUMNS}
    record["co_units"] = json.loads(row.co_units)
    return record


def _view(row: Problem, calendar: WorkCalendar, today: date) -> ProblemView:
    if State(row.state) in FINISHED_STATES or row.due_date is None:
        return ProblemView(row_json(row), None, None)
    return ProblemView(
        row_json(row),
        light_for(today, row.due_date, calendar),
        calendar.working_days_between(today, row.due_date),
    )


def view_of(row: Problem, calendar: WorkCalendar, today: date) -> ProblemView:
    return _view(row, calendar, today)


def _event_view(event: AuditEvent) -> EventView:
    return EventView(event.seq, event.action, event.from_state, event.to_state, event.actor, event.at,
                     event.origin, event.reason, payload_of(event), event.hash)


# ---- helpers -------------------------------------------------------------------------------


def _facts(row: Problem) -> ProblemFacts:
    return ProblemFacts(
        id=row.id,
        state=State(row.state),
        level=row.level,
        lead_unit=row.lead_unit,
        co_units=tuple(json.loads(row.co_units)),
        raised_by=row.raised_by,
        resolved_by_unit=row.resolved_by_unit,
        assigned_on=row.assigned_on,
        due_date=row.due_date,
        due_provisional=row.due_provisional,
        difficulty=Difficulty(row.difficulty) if row.difficulty else None,
        pending_extension_days=row.pending_extension_days,
        extension_count=row.extension_count,
        reopen_count=row.reopen_count,
        resolved_on=row.resolved_on,
        resolved_on_time=row.resolved_on_time,
    )


def load_roster(session: Session, project_code: str) -> Roster:
    project = session.get(Project, project_code)
    if project is None:
        raise NotFound(f"项目 {project_code} 不存在", f"project {project_code} not found")
    entries = session.exec(select(RosterEntry).where(RosterEntry.project == project_code)).all()
    parts: dict[str, set[str]] = {"leader": set(), "specialist": set(), "helper": set()}
    for entry in entries:
        parts[entry.part].add(entry.ref)
    return Roster(
        project=project_code,
        leaders=frozenset(parts["leader"]),
        specialists=frozenset(parts["specialist"]),
        units=frozenset({project.locality, project.lead_unit, *parts["helper"]}),
    )


def db_values(changes: dict[str, Any]) -> dict[str, Any]:
    """Changed fields as the problem row's columns hold them (co-units as JSON text, enums by value)."""
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "co_units":
            values[name] = json.dumps(list(value), ensure_ascii=False)
        elif isinstance(value, State | Difficulty):
            values[name] = value.value
        else:
            values[name] = value
    return values


def _get_row(session: Session, problem_id: str, *, lock: bool = False) -> Problem:
    # lock: a writer reads the row FOR UPDATE, so that on PostgreSQL concurrent writers to one problem
    # queue as they do on SQLite (BEGIN IMMEDIATE) and each decides on the row as the last one left it.
    row = session.get(Problem, problem_id.strip().upper(), with_for_update=lock)
    if row is None:
        raise NotFound(f"问题 {problem_id} 不存在", f"problem {problem_id} not found")
    return row


def _check_units(session: Session, codes: list[str]) -> None:
    for code in codes:
        unit = session.get(Unit, code)
        if unit is None or not unit.active:
            raise NotFound(f"单位 {code} 不存在或已停用", f"unit {code} not found or inactive")


def _apply(
    session: Session,
    *,
    caller: Caller,
    row: Problem,
    action: Action,
    changes: dict[str, Any],
    reason: str | None,
    extra: dict[str, Any] | None = None,
) -> Problem:
    """Write the changed fields with a version check and the event that records them."""
    old_version = row.version
    from_state = row.state
    changes = {**changes, "version": old_version + 1}
    result = session.execute(
        update(Problem)
        .where(col(Problem.id) == row.id, col(Problem.version) == old_version)
        .values(**db_values(changes))
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"问题 {row.id} 已被他人修改，请刷新后重试",
                       f"{row.id} was changed by someone else; reload and try again")
    session.expunge(row)
    for name, value in db_values(changes).items():
        setattr(row, name, value)
    event = append_event(
        session, stream_type=PROBLEM_STREAM, stream_id=row.id, action=action.value, caller=caller,
        changes=to_json_value(changes), from_state=from_state, to_state=row.state, reason=reason,
        extra=extra, seq=row.version, facts=facts_after(row),
    )
    session.flush()
    outbox.notify(session, event)  # the 交办 / 提级 notice, in the same commit as the change
    return row


def facts_after(row: Problem) -> ProblemFactsAfter:
    return ProblemFactsAfter(row.level, row.lead_unit, row.due_date, row.resolved_on_time)


def _commit(uow: UnitOfWork, problem_id: str) -> None:
    try:
        uow.commit()
    except IntegrityError as exc:
        raise Conflict(f"问题 {problem_id} 同时被他人修改，本次操作未生效",
                       f"{problem_id} was changed concurrently; nothing was applied") from exc
    except OperationalError as exc:
        raise Conflict("数据库正忙，本次操作未生效，请重试",
                       "the database is busy; nothing was applied, try again") from exc


# ---- use cases -----------------------------------------------------------------------------


def raise_problem(
    uow: UnitOfWork,
    *,
    caller: Caller,
    project: str,
    title: str,
    category: str,
    detail: str | None = None,
) -> ProblemView:
    """Raise a problem on a project; it starts `submitted` at L1 with a number like Q-2024-0042."""
    try:
        category_key = parse_category(category)
    except ValueError:
        raise InvalidInput(f"未知问题类别 {category}", f"unknown category {category}") from None
    try:
        with uow:
            session = uow.session
            actor = load_actor(session, caller.handle, caller)
            roster = load_roster(session, project.strip())
            authorize(Action.RAISE, actor, None, roster)
            fields = new_problem(project=roster.project, title=title, category=category_key, detail=detail,
                                 raised_by=actor.handle, today=caller.today)
            problem_id = _next_id(session, caller.today.year)
            fields = {"id": problem_id, **fields, "version": 1}
            row = Problem(**db_values(fields))
            session.add(row)
            session.flush()
            append_event(session, stream_type=PROBLEM_STREAM, stream_id=problem_id, action=Action.RAISE.value,
                         caller=caller, changes=to_json_value(fields), to_state=State.SUBMITTED.value, seq=1,
                         facts=facts_after(row))
            calendar = work_calendar(session)
            _commit(uow, problem_id)
            return _view(row, calendar, caller.today)
    except OperationalError as exc:
        raise Conflict("数据库正忙，本次操作未生效，请重试",
                       "the database is busy; nothing was applied, try again") from exc


def _next_id(session: Session, year: int) -> str:
    bumped = session.execute(
        update(ProblemSequence).where(col(ProblemSequence.year) == year)
        .values(last=col(ProblemSequence.last) + 1).returning(col(ProblemSequence.last))
    ).scalar_one_or_none()
    if bumped is None:
        session.add(ProblemSequence(year=year, last=1))
        session.flush()
        bumped = 1
    return f"Q-{year}-{bumped:04d}"


def act(
    uow: UnitOfWork,
    *,
    caller: Caller,
    problem_id: str,
    action: Action,
    inputs: ActionInput | None = None,
    expected_version: int | None = None,
) -> ProblemView:
    """Take one action of the transition table on one problem, in one transaction."""
    inputs = inputs or ActionInput()
    if action is Action.RAISE:
        raise InvalidInput("请用 raise_problem 上报问题", "use raise_problem to raise a problem")
    if TRANSITIONS[action].taken_by == "meeting":
        raise InvalidInput("会议议定事项只能在会议闭会时生效（coord meeting close）",
                           "meeting decisions take effect only when the minutes close (coord meeting close)")
    if TRANSITIONS[action].taken_by == "calendar":
        raise InvalidInput("办结期限在加载该年度法定节假日时自动重算（coord calendar load）",
                           "due dates are recomputed when the year's calendar is loaded (coord calendar load)")
    try:
        with uow:
            session = uow.session
            actor = load_actor(session, caller.handle, caller)
            row = _get_row(session, problem_id, lock=True)
            if expected_version is not None and expected_version != row.version:
                raise Conflict(
                    f"问题 {row.id} 已更新到第 {row.version} 版（你看到的是第 {expected_version} 版），请刷新后重试",
                    f"{row.id} is at version {row.version}, you saw {expected_version}; reload and try again",
                )
            facts = _facts(row)
            authorize(action, actor, facts, load_roster(session, row.project))
            calendar = work_calendar(session)
            if action is Action.ASSIGN:
                inputs = _with_routed_unit(session, row, inputs)
                _check_units(session, [u for u in (inputs.unit, *inputs.co_units) if u])
            changes = plan(action, actor, facts, inputs, today=caller.today, calendar=calendar)
            extra = _extra(action, facts, inputs)
            _apply(session, caller=caller, row=row, action=action, changes=changes,
                   reason=(inputs.reason or "").strip() or None, extra=extra)
            _commit(uow, row.id)
            return _view(row, calendar, caller.today)
    except OperationalError as exc:
        raise Conflict("数据库正忙，本次操作未生效，请重试",
                       "the database is busy; nothing was applied, try again") from exc


def apply_by_authority(
    session: Session,
    *,
    caller: Caller,
    problem_id: str,
    action: Action,
    inputs: ActionInput,
    calendar: WorkCalendar,
    extra: dict[str, Any],
) -> ProblemView:
    """Apply an action decided by a body (a meeting) inside the caller's transaction.

    The person who carries it out needs no role of their own for it: the meeting's authority
    stands behind it. The transition table's states and guards still hold.
    """
    row = _get_row(session, problem_id, lock=True)
    facts = _facts(row)
    require_allowed_state(action, facts)
    actor = load_actor(session, caller.handle, caller)
    changes = plan(action, actor, facts, inputs, today=caller.today, calendar=calendar)
    _apply(session, caller=caller, row=row, action=action, changes=changes,
           reason=(inputs.reason or "").strip() or None, extra={**(_extra(action, facts, inputs) or {}), **extra})
    return _view(row, calendar, caller.today)


def _extra(action: Action, facts: ProblemFacts, inputs: ActionInput) -> dict[str, Any] | None:
    if action is Action.DISPUTE:
        return {"disputed_unit": facts.lead_unit}
    if action is Action.APPROVE_EXTENSION:
        return {"previous_due_date": to_json_value(facts.due_date)}
    if action is Action.RECOMPUTE_DUE:
        return {"previous_due_date": to_json_value(facts.due_date)}
    return None


def _with_routed_unit(session: Session, row: Problem, inputs: ActionInput) -> ActionInput:
    if inputs.unit:
        return inputs
    rule = session.get(RoutingRule, row.category)
    if rule is None:
        raise InvalidInput(f"类别“{row.category}”在分办表中没有默认单位，请用 --unit 指定责任单位",
                           f"no routing rule for category {row.category}; name the unit with --unit")
    return ActionInput(reason=inputs.reason, unit=rule.unit, co_units=inputs.co_units,
                       difficulty=inputs.difficulty, due=inputs.due)


def proposed_unit(uow: UnitOfWork, *, category: str) -> str | None:
    """The unit the routing table proposes for a category."""
    with uow:
        rule = uow.session.get(RoutingRule, parse_category(category))
        return rule.unit if rule else None


def recompute_due_dates(
    session: Session, *, caller: Caller, actor: Actor, calendar: WorkCalendar
) -> list[str]:
    """Firm up provisional due dates after a year's schedule arrives; each change audited."""
    changed: list[str] = []
    rows = session.exec(
        select(Problem).where(col(Problem.due_provisional).is_(True), col(Problem.state).in_(
            [s.value for s in TRANSITIONS[Action.RECOMPUTE_DUE].sources]))
        .order_by(col(Problem.id))
    ).all()
    for row in rows:
        facts = _facts(row)
        try:
            changes = plan(Action.RECOMPUTE_DUE, actor, facts, ActionInput(), today=caller.today,
                           calendar=calendar)
        except Conflict:  # still in a year nobody has loaded: stays provisional
            continue
        _apply(session, caller=caller, row=row, action=Action.RECOMPUTE_DUE, changes=changes,
               reason="法定节假日已发布，重算办结期限", extra=_extra(Action.RECOMPUTE_DUE, facts, ActionInput()))
        changed.append(row.id)
    return changed


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
    limit: int = 500


def list_problems(uow: UnitOfWork, *, today: date, filters: ProblemFilter | None = None) -> list[ProblemView]:
    """Problems matching the filters, newest first."""
    filters = filters or ProblemFilter()
    with uow:
        session = uow.session
        query = select(Problem)
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
        calendar = work_calendar(session)
        if filters.light is not None:
            query = query.where(light_expression(today, calendar) == filters.light.value)
        query = query.order_by(col(Problem.raised_on).desc(), col(Problem.id).desc()).limit(filters.limit)
        return [_view(row, calendar, today) for row in session.exec(query).all()]


def light_expression(today: date, calendar: WorkCalendar) -> Any:
    """Each problem's light today, in SQL: the same rule as deadlines.light_for, by threshold dates."""
    yellow_until = calendar.add_working_days(today, YELLOW_WITHIN_WORKING_DAYS).day
    return case(
        (or_(col(Problem.state).in_([s.value for s in FINISHED_STATES]), col(Problem.due_date).is_(None)), None),
        (col(Problem.due_date) < today, Light.RED.value),
        (col(Problem.due_date) <= yellow_until, Light.YELLOW.value),
        else_=Light.GREEN.value,
    )


def show_problem(uow: UnitOfWork, *, problem_id: str, today: date) -> ProblemDetail:
    """One problem with its full timeline."""
    with uow:
        session = uow.session
        row = _get_row(session, problem_id)
        calendar = work_calendar(session)
        return ProblemDetail(_view(row, calendar, today), _events(session, row.id))


def history(uow: UnitOfWork, *, problem_id: str) -> list[EventView]:
    """The audit events of one problem, oldest first."""
    with uow:
        row = _get_row(uow.session, problem_id)
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


def escalation_queue(uow: UnitOfWork, *, today: date, filters: QueueFilter | None = None) -> list[ProblemView]:
    """Escalated open problems (L2 and above), most urgent first.

    A leader's queue holds the problems of their linked projects at L3 and above; a unit's queue
    the problems it leads at L2 and above.
    """
    filters = filters or QueueFilter()
    with uow:
        session = uow.session
        query = select(Problem).where(col(Problem.state).in_([s.value for s in OPEN_STATES]),
                                      col(Problem.level) >= int(Level.L2))
        if filters.leader:
            linked = select(RosterEntry.project).where(RosterEntry.part == "leader",
                                                       RosterEntry.ref == filters.leader)
            query = query.where(col(Problem.project).in_(linked), col(Problem.level) >= int(Level.L3))
        if filters.level is not None:
            query = query.where(Problem.level == int(filters.level))
        if filters.unit:
            query = query.where(Problem.lead_unit == filters.unit)
        calendar = work_calendar(session)
        views = [_view(row, calendar, today) for row in session.exec(query).all()]
        return sorted(views, key=urgency_key)


def urgency_key(view: ProblemView) -> tuple[int, str, int, str]:
    """Most urgent first: earliest due date (overdue first), then higher level."""
    due = view.record.get("due_date")
    return (0 if due else 1, due or "9999-12-31", -int(view.record["level"]), view.id)


def count_problems(uow: UnitOfWork) -> dict[str, int]:
    with uow:
        rows = uow.session.exec(select(Problem.state, func.count()).group_by(Problem.state)).all()
        return {state: count for state, count in rows}


def count_lights(uow: UnitOfWork, *, today: date) -> dict[str, int]:
    """How many open problems show each light today, counted in one query."""
    with uow:
        light = light_expression(today, work_calendar(uow.session))
        rows = uow.session.exec(select(light, func.count()).where(light.is_not(None)).group_by(light)).all()
        found = {value: count for value, count in rows}
        return {value.value: found.get(value.value, 0) for value in Light}
