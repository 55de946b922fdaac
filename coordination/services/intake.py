"""Intake: raise a batch of problems (a specialist's weekly list) and route each one.

Each problem goes to the unit the routing table proposes for its category: assigned at once when
the admin has switched auto-assignment on for that category (`intake.auto_assign_categories`, in the
name of the secretariat person `intake.auto_assign_as`), otherwise left `submitted` in the
secretariat's queue with the proposal noted. Each item is its own transaction, so one bad line
never loses the others; a line whose problem is already open on the project (same title) is skipped,
which makes a re-run of the same batch harmless.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from coordination.domain.enums import FINISHED_STATES, Action, parse_category
from coordination.domain.errors import CoordError
from coordination.domain.problem import ActionInput
from coordination.models import Problem, RoutingRule
from coordination.services import issues
from coordination.services.common import Caller
from coordination.services.settings import IntakeSettings, intake_settings
from coordination.uow import UnitOfWork

ASSIGNED, QUEUED, DUPLICATE, REFUSED = "assigned", "queued", "duplicate", "refused"


@dataclass(frozen=True)
class IntakeItem:
    project: str
    title: str
    category: str
    detail: str | None = None


@dataclass(frozen=True)
class IntakeOutcome:
    title: str
    status: str  # assigned | queued | duplicate | refused
    problem_id: str | None = None
    unit: str | None = None  # the routed (or assigned) unit
    message: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "status": self.status, "problem_id": self.problem_id, "unit": self.unit,
                "message": self.message}


def _context(uow: UnitOfWork, item: IntakeItem) -> tuple[IntakeSettings, str | None, str | None]:
    """The intake settings, the routed unit of the item's category, and an open twin's id."""
    with uow:
        session = uow.session
        settings = intake_settings(session)
        try:
            rule = session.get(RoutingRule, parse_category(item.category))
        except ValueError:
            rule = None
        twin = session.exec(
            select(Problem.id).where(Problem.project == item.project.strip(), Problem.title == item.title.strip(),
                                     col(Problem.state).not_in([s.value for s in FINISHED_STATES]))
        ).first()
        return settings, rule.unit if rule else None, twin


def intake(uow: UnitOfWork, *, caller: Caller, items: Sequence[IntakeItem]) -> list[IntakeOutcome]:
    """Raise each item as `caller` and route it; returns one outcome per item, in order."""
    outcomes: list[IntakeOutcome] = []
    for item in items:
        try:
            outcomes.append(_one(uow, caller, item))
        except CoordError as error:
            outcomes.append(IntakeOutcome(item.title, REFUSED, message=error.message()))
    return outcomes


def _one(uow: UnitOfWork, caller: Caller, item: IntakeItem) -> IntakeOutcome:
    settings, unit, twin = _context(uow, item)
    if twin is not None:
        return IntakeOutcome(item.title, DUPLICATE, problem_id=twin, message=f"与在办问题 {twin} 重复，未重复上报")
    view = issues.raise_problem(uow, caller=caller, project=item.project, title=item.title, category=item.category,
                                detail=item.detail)
    category = view.record["category"]
    if unit is None:
        return IntakeOutcome(item.title, QUEUED, view.id, None, f"类别“{category}”没有默认单位，待专班办公室交办")
    if not settings.assigns(category):
        return IntakeOutcome(item.title, QUEUED, view.id, unit, f"建议交办 {unit}，待专班办公室确认")
    assert settings.auto_assign_as is not None
    assigner = Caller(settings.auto_assign_as, caller.now, caller.origin)
    try:
        issues.act(UnitOfWork(uow.engine), caller=assigner, problem_id=view.id, action=Action.ASSIGN,
                   inputs=ActionInput(unit=unit, reason="按分办表自动交办"))
    except CoordError as error:
        return IntakeOutcome(item.title, QUEUED, view.id, unit,
                             f"自动交办未成功（{error.message()}），待专班办公室交办")
    return IntakeOutcome(item.title, ASSIGNED, view.id, unit)
