"""Problems: raise, and the actions of the transition table (the read side is in issue_reads.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel, col, select

from coordination.domain.audit import to_json_value
from coordination.domain.enums import (
    FINISHED_STATES,
    Action,
    Light,
    State,
    parse_category,
)
from coordination.domain.errors import Conflict, InvalidInput, StaleVersion
from coordination.domain.hygiene import clean_reason
from coordination.domain.lights import LightThresholds
from coordination.domain.problem import (
    ActionInput,
    Actor,
    ProblemFacts,
    authorize,
    new_problem,
    plan,
    require_allowed_state,
)
from coordination.domain.transitions import TRANSITIONS
from coordination.domain.workdays import WorkCalendar
from coordination.models import Problem, RoutingRule
from coordination.services.common import Caller, load_actor
from coordination.services.problem_changes import (
    PROBLEM_STREAM,
    PROBLEM_TABLE,
    db_values,
    facts_after,
    journal_for,
    record_change,
)
from coordination.services.problem_changes import (
    check_units as _check_units,
)
from coordination.services.problem_changes import commit as _commit
from coordination.services.problem_changes import (
    get_row as _get_row,
)
from coordination.services.problem_changes import (
    problem_facts as _facts,
)
from coordination.services.snapshot import Directory, directory
from coordination.services.visibility import Viewer
from coordination.services.writer import Journal
from coordination.uow import UnitOfWork

SEQUENCE_TABLE: Table = SQLModel.metadata.tables["problem_sequence"]
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


def row_json(row: Problem) -> dict[str, Any]:
    """The row in the JSON form its events' changes are written in."""
    record = {name: to_json_value(getattr(row, name)) for name in _COLUMNS}
    record["co_units"] = json.loads(row.co_units)
    return record


def _view(row: Problem, calendar: WorkCalendar, today: date, lights: LightThresholds | None = None) -> ProblemView:
    """`lights`: the day's thresholds, when the caller views many problems on one day."""
    if State(row.state) in FINISHED_STATES or row.due_date is None:
        return ProblemView(row_json(row), None, None)
    lights = lights or LightThresholds.on(today, calendar)
    return ProblemView(
        row_json(row),
        lights.light(row.due_date, row.state),
        calendar.working_days_between(today, row.due_date),
    )


def view_of(row: Problem, calendar: WorkCalendar, today: date, lights: LightThresholds | None = None) -> ProblemView:
    return _view(row, calendar, today, lights)


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
            snapshot = directory(session)
            roster = snapshot.roster(project.strip())
            authorize(Action.RAISE, actor, None, roster)
            fields = new_problem(project=roster.project, title=title, category=category_key, detail=detail,
                                 raised_by=actor.handle, today=caller.today)
            problem_id = _next_id(session, caller.today.year)
            fields = {"id": problem_id, **fields, "version": 1}
            values = db_values(fields)
            journal = journal_for(session, caller)
            journal.insert_row(PROBLEM_TABLE, values)
            journal.new_stream(PROBLEM_STREAM, problem_id)
            row = cast(Problem, SimpleNamespace(**values))
            journal.event(PROBLEM_STREAM, problem_id, Action.RAISE.value, fields, seq=1,
                          to_state=State.SUBMITTED.value, facts=facts_after(row))
            journal.write()
            _commit(uow, problem_id)
            return _view(row, snapshot.calendar, caller.today)
    except OperationalError as exc:
        raise Conflict("数据库正忙，本次操作未生效，请重试",
                       "the database is busy; nothing was applied, try again") from exc


_BUMP_SEQUENCE = (
    update(SEQUENCE_TABLE).where(SEQUENCE_TABLE.c.year == bindparam("y"))
    .values(last=SEQUENCE_TABLE.c.last + 1).returning(SEQUENCE_TABLE.c.last)
)


def _next_id(session: Session, year: int) -> str:
    connection = session.connection()
    bumped = connection.execute(_BUMP_SEQUENCE, {"y": year}).scalar_one_or_none()
    if bumped is None:
        connection.execute(insert(SEQUENCE_TABLE).values(year=year, last=1))
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
    viewer: Viewer | None = None,
) -> ProblemView:
    """Take one action of the transition table on one problem, in one transaction.

    With a `viewer` (the web server), a problem they may not see is NotFound before anything else.
    """
    inputs = inputs or ActionInput()
    if action is Action.RAISE:
        raise InvalidInput("上报问题请用 coord issue raise 或 POST /api/problems",
                           "raise a problem with coord issue raise or POST /api/problems")
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
            snapshot = directory(session)
            row = _get_row(session, problem_id, lock=True)
            if viewer is not None:
                viewer.require_row(row)
            if expected_version is not None and expected_version != row.version:
                raise StaleVersion(
                    f"问题 {row.id} 已更新到第 {row.version} 版（你看到的是第 {expected_version} 版），请刷新后重试",
                    f"{row.id} is at version {row.version}, you saw {expected_version}; reload and try again",
                )
            facts = _facts(row)
            authorize(action, actor, facts, snapshot.roster(row.project))
            calendar = snapshot.calendar
            if action is Action.ASSIGN:
                inputs = _with_routed_unit(snapshot, row, inputs)
                _check_units(snapshot, [u for u in (inputs.unit, *inputs.co_units) if u])
            changes = plan(action, actor, facts, inputs, today=caller.today, calendar=calendar)
            journal = journal_for(session, caller)
            after = record_change(journal, row, action, changes, reason=clean_reason(inputs.reason),
                                  extra=_extra(action, facts, inputs))
            journal.write()
            _commit(uow, row.id)
            return _view(after, calendar, caller.today)
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
    journal: Journal | None = None,
) -> ProblemView:
    """Apply an action decided by a body (a meeting) inside the caller's transaction.

    The person who carries it out needs no role of their own for it: the meeting's authority
    stands behind it. The transition table's states and guards still hold. With a `journal` the
    change joins the caller's batch (a meeting's close writes all its decisions together).
    """
    row = _get_row(session, problem_id, lock=True)
    facts = _facts(row)
    require_allowed_state(action, facts)
    actor = load_actor(session, caller.handle, caller)
    changes = plan(action, actor, facts, inputs, today=caller.today, calendar=calendar)
    own = journal is None
    journal = journal or journal_for(session, caller)
    after = record_change(journal, row, action, changes, reason=clean_reason(inputs.reason),
                          extra={**(_extra(action, facts, inputs) or {}), **extra})
    if own:
        journal.write()
    return _view(after, calendar, caller.today)


def _extra(action: Action, facts: ProblemFacts, inputs: ActionInput) -> dict[str, Any] | None:
    if action is Action.DISPUTE:
        return {"disputed_unit": facts.lead_unit}
    if action is Action.APPROVE_EXTENSION:
        return {"previous_due_date": to_json_value(facts.due_date)}
    if action is Action.RECOMPUTE_DUE:
        return {"previous_due_date": to_json_value(facts.due_date)}
    return None


def _with_routed_unit(snapshot: Directory, row: Problem, inputs: ActionInput) -> ActionInput:
    if inputs.unit:
        return inputs
    unit = snapshot.routes.get(row.category)
    if unit is None:
        raise InvalidInput(f"类别“{row.category}”在分办表中没有默认单位，请用 --unit 指定责任单位",
                           f"no routing rule for category {row.category}; name the unit with --unit")
    return ActionInput(reason=inputs.reason, unit=unit, co_units=inputs.co_units,
                       difficulty=inputs.difficulty, due=inputs.due)


def proposed_unit(uow: UnitOfWork, *, category: str) -> str | None:
    """The unit the routing table proposes for a category."""
    with uow:
        rule = uow.session.get(RoutingRule, parse_category(category))
        return rule.unit if rule else None


def recompute_due_dates(
    session: Session, *, caller: Caller, actor: Actor, calendar: WorkCalendar
) -> list[str]:
    """Firm up provisional due dates after a year's schedule arrives; each change audited, written together."""
    changed: list[str] = []
    ids = session.exec(
        select(Problem.id).where(col(Problem.due_provisional).is_(True), col(Problem.state).in_(
            [s.value for s in TRANSITIONS[Action.RECOMPUTE_DUE].sources]))
        .order_by(col(Problem.id))
    ).all()
    journal = journal_for(session, caller, batch_key=f"calendar:{caller.now.isoformat()}")
    for problem_id in ids:
        row = _get_row(session, problem_id, lock=True)
        facts = _facts(row)
        try:
            changes = plan(Action.RECOMPUTE_DUE, actor, facts, ActionInput(), today=caller.today,
                           calendar=calendar)
        except Conflict:  # still in a year nobody has loaded: stays provisional
            continue
        record_change(journal, row, Action.RECOMPUTE_DUE, changes, reason="法定节假日已发布，重算办结期限",
                      extra=_extra(Action.RECOMPUTE_DUE, facts, ActionInput()))
        changed.append(row.id)
    journal.write()
    return changed
