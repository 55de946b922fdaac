"""Plan tasks (重点任务): add one, take it through its workflow, and the read side.

Every write is the one write path (services/writer.py, through services/task_changes.py): validation
and permission first, then the versioned row, its hash-chained event and its notices in one transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel, col, select

from coordination.domain.audit import replay, to_json_value
from coordination.domain.enums import Light
from coordination.domain.errors import Conflict, InvalidInput, NotFound, StaleVersion
from coordination.domain.hygiene import clean_reason
from coordination.domain.lights import LightThresholds
from coordination.domain.notices import NoticeItem
from coordination.domain.task import TaskInput, authorize_task, available_task_actions, new_task, plan_task
from coordination.domain.task_workflow import TASK_OPEN_STATES, TASK_WORKFLOW, PlanKind, TaskAction, TaskState
from coordination.domain.workdays import WorkCalendar
from coordination.models import AuditEvent, Plan, Task
from coordination.services.calendar import work_calendar
from coordination.services.common import Caller, load_actor
from coordination.services.issue_reads import EventView, light_conditions
from coordination.services.plans import find_plan
from coordination.services.problem_changes import check_units
from coordination.services.snapshot import directory
from coordination.services.task_changes import (
    COLUMNS,
    TASK_STREAM,
    TASK_TABLE,
    brief_of,
    commit,
    db_values,
    facts_after,
    get_row,
    journal_for,
    record_change,
    task_facts,
)
from coordination.services.visibility import Viewer
from coordination.uow import UnitOfWork

SEQUENCE: Table = SQLModel.metadata.tables["sequence"]
SERIES = "task"  # the yearly series of task numbers in `sequence`
_OPEN = sorted(s.value for s in TASK_OPEN_STATES)


# ---- read models ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskView:
    """A task as people read it: its row, its plan, and the light of its due date today."""

    record: dict[str, Any]  # the row in JSON form
    plan_name: str
    plan_kind: PlanKind
    light: Light | None
    working_days_left: int | None

    @property
    def id(self) -> str:
        return str(self.record["id"])

    @property
    def state(self) -> TaskState:
        return TaskState(self.record["state"])

    @property
    def version(self) -> int:
        return int(self.record["version"])

    def to_json(self) -> dict[str, Any]:
        return {**self.record, "plan_name": self.plan_name, "plan_kind": self.plan_kind.value,
                "light": self.light.value if self.light else None, "working_days_left": self.working_days_left}


@dataclass(frozen=True)
class TaskDetail:
    task: TaskView
    timeline: list[EventView]
    actions: list[TaskAction] | None = None  # what the asking person may do now (None: not asked)

    def to_json(self) -> dict[str, Any]:
        shown = {**self.task.to_json(), "timeline": [e.to_json() for e in self.timeline]}
        if self.actions is not None:
            shown["actions"] = [a.value for a in self.actions]
        return shown


def row_json(row: Task) -> dict[str, Any]:
    """The row in the JSON form its events' changes are written in (what replay rebuilds)."""
    record = {name: to_json_value(getattr(row, name)) for name in COLUMNS}
    record["co_units"] = json.loads(row.co_units)
    return record


def _view(row: Task, plan: tuple[str, PlanKind], calendar: WorkCalendar, today: date,
          lights: LightThresholds | None = None) -> TaskView:
    """The one light rule (domain/lights.py) on the task's due date while it is open."""
    name, kind = plan
    if TaskState(row.state) not in TASK_OPEN_STATES:
        return TaskView(row_json(row), name, kind, None, None)
    lights = lights or LightThresholds.on(today, calendar)
    return TaskView(row_json(row), name, kind, lights.light(row.due_date),
                    calendar.working_days_between(today, row.due_date))


def _plan_of(row: Task) -> tuple[str, PlanKind]:
    """The task's plan, as `get_row` read it with the row."""
    name, kind = getattr(row, "plan_name", None), getattr(row, "plan_kind", None)
    assert name is not None and kind is not None  # a task's plan is a foreign key
    return str(name), PlanKind(kind)


# ---- use cases -----------------------------------------------------------------------------


def add_task(
    uow: UnitOfWork,
    *,
    caller: Caller,
    plan: str,
    title: str,
    lead_unit: str,
    due: date,
    co_units: tuple[str, ...] = (),
    detail: str | None = None,
) -> TaskView:
    """Decompose one task from a plan to its lead unit: 已分解, numbered like T-2026-0001."""
    try:
        with uow:
            session = uow.session
            actor = load_actor(session, caller.handle, caller)
            authorize_task(TaskAction.ADD, actor, None)
            snapshot = directory(session)
            found = find_plan(session, plan)
            check_units(snapshot, [lead_unit, *co_units])
            fields = new_task(plan=found.code, title=title, detail=detail, lead_unit=lead_unit,
                              co_units=co_units, due=due, added_by=actor.handle, today=caller.today)
            task_id = _next_id(session, caller.today.year)  # only once every check has passed
            fields = {"id": task_id, **fields, "version": 1}
            values = db_values(fields)
            journal = journal_for(session, caller, snapshot=snapshot)
            journal.insert_row(TASK_TABLE, values)
            journal.new_stream(TASK_STREAM, task_id)
            row = cast(Task, SimpleNamespace(**values))
            subject = NoticeItem(brief=brief_of(row, found.name, snapshot.unit_names), action=TaskAction.ADD.value,
                                 seq=1, co_units=tuple(fields["co_units"]))
            journal.event(TASK_STREAM, task_id, TaskAction.ADD.value, fields, seq=1,
                          to_state=TaskState.DECOMPOSED.value, facts=facts_after(row), subject=subject)
            journal.write()
            commit(uow, task_id)
            return _view(row, (found.name, PlanKind(found.kind)), snapshot.calendar, caller.today)
    except OperationalError as exc:
        raise Conflict("数据库正忙，本次操作未生效，请重试",
                       "the database is busy; nothing was applied, try again") from exc


_BUMP = (update(SEQUENCE).where(SEQUENCE.c.name == SERIES, SEQUENCE.c.year == bindparam("y"))
         .values(last=SEQUENCE.c.last + 1).returning(SEQUENCE.c.last))


def _next_id(session: Session, year: int) -> str:
    connection = session.connection()
    bumped = connection.execute(_BUMP, {"y": year}).scalar_one_or_none()
    if bumped is None:
        connection.execute(insert(SEQUENCE).values(name=SERIES, year=year, last=1))
        bumped = 1
    return f"{TASK_WORKFLOW.id_prefix}-{year}-{bumped:04d}"


def act_on_task(
    uow: UnitOfWork,
    *,
    caller: Caller,
    task_id: str,
    action: TaskAction,
    inputs: TaskInput | None = None,
    expected_version: int | None = None,
    viewer: Viewer | None = None,
) -> TaskView:
    """Take one action of the task's transition table, in one transaction.

    With a `viewer` (the web server), a task they may not see is NotFound before anything else.
    """
    inputs = inputs or TaskInput()
    if action is TaskAction.ADD:
        raise InvalidInput("添加任务请用 coord task add", "add a task with coord task add")
    try:
        with uow:
            session = uow.session
            actor = load_actor(session, caller.handle, caller)
            snapshot = directory(session)
            row = get_row(session, task_id, lock=True)
            if viewer is not None:
                _require_seen(viewer, row)
            if expected_version is not None and expected_version != row.version:
                raise StaleVersion(
                    f"任务 {row.id} 已更新到第 {row.version} 版（你看到的是第 {expected_version} 版），请刷新后重试",
                    f"{row.id} is at version {row.version}, you saw {expected_version}; reload and try again")
            facts = task_facts(row)
            authorize_task(action, actor, facts)
            if inputs.co_units:
                check_units(snapshot, list(inputs.co_units))
            changes = plan_task(action, actor, facts, inputs, today=caller.today)
            journal = journal_for(session, caller, snapshot=snapshot)
            plan = _plan_of(row)
            after = record_change(journal, row, action, changes, reason=clean_reason(inputs.reason),
                                  plan_name=plan[0], extra=_extra(action, facts.due_date, changes))
            journal.write()
            commit(uow, row.id)
            return _view(after, plan, snapshot.calendar, caller.today)
    except OperationalError as exc:
        raise Conflict("数据库正忙，本次操作未生效，请重试",
                       "the database is busy; nothing was applied, try again") from exc


def _extra(action: TaskAction, due: date, changes: dict[str, Any]) -> dict[str, Any] | None:
    if action is TaskAction.ADJUST and "due_date" in changes:
        return {"previous_due_date": to_json_value(due)}
    return None


def _require_seen(viewer: Viewer, row: Any) -> None:
    if not viewer.sees_task({"lead_unit": row.lead_unit, "co_units": row.co_units}):
        raise NotFound(f"任务 {row.id} 不存在", f"task {row.id} not found")


# ---- read side -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskFilter:
    plan: str | None = None  # a plan's code or name
    state: TaskState | None = None
    unit: str | None = None  # lead unit
    light: Light | None = None
    open_only: bool = False
    limit: int = 500
    offset: int = 0


def task_light_conditions(lights: LightThresholds) -> dict[Light, Any]:
    """When a task shows each light, in SQL: the problems' one rule over the task's columns and open states."""
    return light_conditions(lights, due_date=TASK_TABLE.c.due_date, state=TASK_TABLE.c.state, open_states=_OPEN)


def list_tasks(uow: UnitOfWork, *, today: date, filters: TaskFilter | None = None,
               viewer: Viewer | None = None) -> list[TaskView]:
    """Tasks matching the filters, by plan and number (`viewer`: only those they see)."""
    filters = filters or TaskFilter()
    if filters.limit < 1 or filters.offset < 0:
        raise InvalidInput("条数至少为 1，起点不能为负", "limit must be at least 1 and offset not negative")
    with uow:
        session = uow.session
        calendar = work_calendar(session)
        lights = LightThresholds.on(today, calendar)
        query = select(Task, Plan.name, Plan.kind).join(Plan, col(Plan.code) == col(Task.plan))
        seen = viewer.task_condition() if viewer is not None else None
        if seen is not None:
            query = query.where(seen)
        if filters.plan:
            query = query.where(Task.plan == find_plan(session, filters.plan).code)
        if filters.state is not None:
            query = query.where(Task.state == filters.state.value)
        if filters.open_only:
            query = query.where(col(Task.state).in_(_OPEN))
        if filters.unit:
            query = query.where(Task.lead_unit == filters.unit)
        if filters.light is not None:
            query = query.where(task_light_conditions(lights)[filters.light])
        query = query.order_by(col(Task.plan), col(Task.id)).offset(filters.offset).limit(filters.limit)
        return [_view(row, (name, PlanKind(kind)), calendar, today, lights)
                for row, name, kind in session.exec(query).all()]


def count_tasks(uow: UnitOfWork, *, viewer: Viewer | None = None) -> dict[str, int]:
    """Tasks by state (what `viewer` sees)."""
    with uow:
        query = select(Task.state, func.count()).group_by(col(Task.state))
        seen = viewer.task_condition() if viewer is not None else None
        if seen is not None:
            query = query.where(seen)
        return {state: int(count) for state, count in uow.session.exec(query).all()}


def show_task(uow: UnitOfWork, *, task_id: str, today: date, viewer: Viewer | None = None) -> TaskDetail:
    """One task with its full timeline; with a `viewer`, NotFound unless they see it, and what they may do."""
    with uow:
        session = uow.session
        row = get_row(session, task_id)
        actions = None
        if viewer is not None:
            _require_seen(viewer, row)
            actions = available_task_actions(directory(session).actor(viewer.handle), task_facts(row))
        view = _view(row, _plan_of(row), work_calendar(session), today)
        return TaskDetail(view, _events(session, row.id), actions)


def task_history(uow: UnitOfWork, *, task_id: str) -> list[EventView]:
    """The audit events of one task, oldest first."""
    with uow:
        row = get_row(uow.session, task_id)
        return _events(uow.session, row.id)


def _events(session: Session, task_id: str) -> list[EventView]:
    events = session.exec(
        select(AuditEvent).where(AuditEvent.stream_type == TASK_STREAM, AuditEvent.stream_id == task_id)
        .order_by(col(AuditEvent.seq))
    ).all()
    return [EventView(e.seq, e.action, e.from_state, e.to_state, e.actor, e.at, e.origin, e.reason,
                      json.loads(e.payload), e.hash) for e in events]


def replayed_task(uow: UnitOfWork, *, task_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The row rebuilt from its events, beside the stored row (both in JSON form)."""
    with uow:
        row = get_row(uow.session, task_id)
        events = _events(uow.session, row.id)
        return replay(e.payload["changes"] for e in events), row_json(row)
