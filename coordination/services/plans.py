"""Plans (规划) and policy documents (政策文件): the containers plan tasks are decomposed from.

A plan is added once, audited in its own `plan` stream through the one write path (versioned row,
hash-chained event); its tasks each live their own life (services/tasks.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Table, func
from sqlmodel import Session, SQLModel, col, select

from coordination.domain.enums import Role
from coordination.domain.errors import Conflict
from coordination.domain.task_workflow import PLAN_STREAM, TASK_OPEN_STATES, PlanKind
from coordination.models import Plan, Task
from coordination.services.common import Caller, load_actor, require_role
from coordination.services.directory import need_name, valid_code
from coordination.services.lookup import plan_code
from coordination.services.writer import Journal
from coordination.uow import UnitOfWork

PLAN_TABLE: Table = SQLModel.metadata.tables["plan"]
ADD_ACTION = "plan_add"


@dataclass(frozen=True)
class PlanView:
    code: str
    name: str
    kind: PlanKind
    added_by: str
    added_on: date
    version: int
    tasks_by_state: dict[str, int] = field(default_factory=dict)

    @property
    def task_count(self) -> int:
        return sum(self.tasks_by_state.values())

    @property
    def open_tasks(self) -> int:
        return sum(n for state, n in self.tasks_by_state.items() if state in {s.value for s in TASK_OPEN_STATES})

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "kind": self.kind.value, "added_by": self.added_by,
                "added_on": self.added_on.isoformat(), "version": self.version,
                "tasks": {"total": self.task_count, "open": self.open_tasks, "by_state": dict(self.tasks_by_state)}}


def _view(plan: Plan, counts: dict[str, int] | None = None) -> PlanView:
    return PlanView(plan.code, plan.name, PlanKind(plan.kind), plan.added_by, plan.added_on, plan.version,
                    counts or {})


def plan_names(session: Session) -> dict[str, str]:
    """Every plan's name by its code."""
    return {code: name for code, name in session.exec(select(Plan.code, Plan.name)).all()}


def find_plan(session: Session, text: str) -> Plan:
    """The plan named by its code (any case) or its name; NotFound says what was perhaps meant."""
    code = plan_code(text, plan_names(session))
    found = session.get(Plan, code)
    assert found is not None
    return found


def add_plan(uow: UnitOfWork, *, caller: Caller, code: str, name: str, kind: PlanKind = PlanKind.PLAN) -> PlanView:
    """Register a plan or a policy document (secretariat or admin), audited as `plan_add`."""
    code = valid_code(code, "规划代码", "plan code")
    name = need_name(name, "规划或政策文件", "plan")
    with uow:
        session = uow.session
        require_role(load_actor(session, caller.handle, caller), Role.SECRETARIAT, Role.ADMIN,
                     zh="登记规划或政策文件", en="register plans")
        taken = [c for c in plan_names(session) if c.casefold() == code.casefold()]
        if taken:
            raise Conflict(f"规划 {taken[0]} 已存在", f"plan {taken[0]} already exists")
        fields: dict[str, Any] = {"code": code, "name": name, "kind": kind.value, "added_by": caller.handle,
                                  "added_on": caller.today, "version": 1}
        journal = Journal(session, caller)
        journal.insert_row(PLAN_TABLE, fields)
        journal.new_stream(PLAN_STREAM, code)
        journal.event(PLAN_STREAM, code, ADD_ACTION, fields, seq=1)
        journal.write()
        uow.commit()
        return _view(Plan(**fields))


def _counts(session: Session, codes: list[str] | None = None) -> dict[str, dict[str, int]]:
    query = select(Task.plan, Task.state, func.count()).group_by(col(Task.plan), col(Task.state))
    if codes is not None:
        query = query.where(col(Task.plan).in_(codes))
    found: dict[str, dict[str, int]] = {}
    for plan, state, count in session.exec(query).all():
        found.setdefault(plan, {})[state] = int(count)
    return found


def list_plans(uow: UnitOfWork, *, kind: PlanKind | None = None) -> list[PlanView]:
    """Plans by code, each with its tasks counted by state."""
    with uow:
        session = uow.session
        query = select(Plan).order_by(col(Plan.code))
        if kind is not None:
            query = query.where(Plan.kind == kind.value)
        plans = session.exec(query).all()
        counts = _counts(session)
        return [_view(p, counts.get(p.code)) for p in plans]


def show_plan(uow: UnitOfWork, *, plan: str) -> PlanView:
    """One plan (by code or name) with its tasks counted by state."""
    with uow:
        session = uow.session
        found = find_plan(session, plan)
        return _view(found, _counts(session, [found.code]).get(found.code))
