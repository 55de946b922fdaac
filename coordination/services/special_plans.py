"""Special plans (专项规划): add one, record its stages, and the read side.

Every write is the one write path (services/writer.py): permission and validation first, then the
versioned row, its hash-chained event in the `special_plan` stream and its notices, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from coordination.domain.authority import ItemFacts, authorize
from coordination.domain.enums import Role
from coordination.domain.errors import Conflict, InvalidInput
from coordination.domain.notices import NoticeItem, ProblemBrief
from coordination.domain.special_plan import (
    STAGE_COLUMNS,
    SpecialPlanFacts,
    new_special_plan,
    special_plan_code,
    stage_changes,
)
from coordination.domain.special_plan_workflow import (
    NEXT_STAGE,
    SPECIAL_PLAN_WORKFLOW,
    SpecialPlanAction,
    SpecialPlanState,
)
from coordination.models import SpecialPlan
from coordination.services.common import Caller, load_actor
from coordination.services.issue_reads import EventView
from coordination.services.items import Store, Subject
from coordination.services.lookup import special_plan_key
from coordination.services.problem_changes import check_units
from coordination.services.snapshot import Directory, directory
from coordination.services.writer import FactsAfter
from coordination.uow import UnitOfWork

STORE = Store(SPECIAL_PLAN_WORKFLOW, SpecialPlan, key="code",
              resolve=lambda session, text: special_plan_key(text, _plans(session)))


def own_units(snapshot: Directory) -> frozenset[str]:
    """The district's own bureau (我委): the unit(s) its secretariat's active people belong to.

    The secretariat sits in the development bureau, so a special plan it leads (我委牵头的) is one whose
    drafting unit is the secretariat's own; no setting to keep in step with the directory.
    """
    return frozenset(p.unit for p in snapshot.people.values()
                     if p.active and p.unit and Role.SECRETARIAT in p.roles)


@dataclass(frozen=True)
class SpecialPlanView:
    record: dict[str, Any]  # the row in JSON form
    led_by_own_unit: bool  # drafted under the lead of the district's own bureau (我委牵头)

    @property
    def code(self) -> str:
        return str(self.record["code"])

    @property
    def state(self) -> SpecialPlanState:
        return SpecialPlanState(self.record["state"])

    def to_json(self) -> dict[str, Any]:
        return {**self.record, "led_by_own_unit": self.led_by_own_unit}


@dataclass(frozen=True)
class SpecialPlanDetail:
    plan: SpecialPlanView
    timeline: list[EventView]

    def to_json(self) -> dict[str, Any]:
        return {**self.plan.to_json(), "timeline": [e.to_json() for e in self.timeline]}


def _plans(session: Session) -> dict[str, str]:
    return {code: name for code, name in session.exec(select(SpecialPlan.code, SpecialPlan.name)).all()}


def _facts(row: Any) -> SpecialPlanFacts:
    stages = [d for d in (row.added_on, row.reviewed_on, row.deliberated_on, row.issued_on) if d is not None]
    return SpecialPlanFacts(code=row.code, state=SpecialPlanState(row.state), lead_unit=row.lead_unit,
                            last_stage_on=max(stages))


def _subject(unit_names: dict[str, str]) -> Subject:
    # The lead unit's name stands where a problem's project does: a special plan belongs to no project.
    def subject(row: Any, action: str, seq: int, reason: str | None) -> NoticeItem:
        brief = ProblemBrief(id=row.code, title=row.name, project_name=unit_names.get(row.lead_unit, row.lead_unit),
                             lead_unit=row.lead_unit, lead_unit_name=unit_names.get(row.lead_unit), due_date=None,
                             level=0)
        return NoticeItem(brief=brief, action=action, seq=seq, reason=reason)
    return subject


def _facts_after(row: Any) -> FactsAfter:
    return FactsAfter(None, row.lead_unit, None, None)  # no ladder, no time limit


def add_special_plan(uow: UnitOfWork, *, caller: Caller, code: str, name: str, lead_unit: str) -> SpecialPlanView:
    """Put a special plan on the drafting list (编制中), led by `lead_unit` (the secretariat)."""
    stored = special_plan_code(code)
    with STORE.writing(uow, lambda: stored) as session:
        actor = load_actor(session, caller.handle, caller)
        authorize(SPECIAL_PLAN_WORKFLOW, SpecialPlanAction.ADD, actor, ItemFacts(stored, None, lead_unit))
        snapshot = directory(session)
        check_units(snapshot, [lead_unit])
        if STORE.exists(session, stored):
            raise Conflict(f"专项规划 {stored} 已存在", f"special plan {stored} already exists")
        fields = new_special_plan(code=stored, name=name, lead_unit=lead_unit, added_by=actor.handle,
                                  today=caller.today)
        row = STORE.create(session, caller, snapshot.recipients, fields, action=SpecialPlanAction.ADD,
                           facts=_facts_after, subject=_subject(snapshot.unit_names))
    return SpecialPlanView(STORE.row_json(row), lead_unit in own_units(snapshot))


def act_on_special_plan(
    uow: UnitOfWork,
    *,
    caller: Caller,
    code: str,
    action: SpecialPlanAction | None = None,
    document: str | None = None,
    on: date | None = None,
    expected_version: int | None = None,
) -> SpecialPlanView:
    """Record one stage (`action`; None: the next stage from the plan's state), with its day and document."""
    if action is SpecialPlanAction.ADD:
        raise InvalidInput("添加专项规划请用 coord special-plan add", "add a special plan with coord special-plan add")
    with STORE.writing(uow, lambda: code) as session:
        actor = load_actor(session, caller.handle, caller)
        snapshot = directory(session)
        row = STORE.row(session, code, lock=True)
        STORE.check_version(row, expected_version)
        facts = _facts(row)
        if action is None:
            # An issued plan has no next stage: its last stage's action refuses it (role first, then state).
            action = NEXT_STAGE.get(facts.state, SpecialPlanAction.ISSUE)
        authorize(SPECIAL_PLAN_WORKFLOW, action, actor, ItemFacts(row.code, facts.state, row.lead_unit))
        changes = stage_changes(action, facts, document=document, on=on, today=caller.today)
        after = STORE.change(session, caller, snapshot.recipients, row, changes, action=action,
                             reason=changes[STAGE_COLUMNS[action][1]], facts=_facts_after,
                             subject=_subject(snapshot.unit_names))
    return SpecialPlanView(STORE.row_json(after), after.lead_unit in own_units(snapshot))


# ---- read side -----------------------------------------------------------------------------


def list_special_plans(uow: UnitOfWork, *, state: SpecialPlanState | None = None, unit: str | None = None,
                       open_only: bool = False, own_only: bool = False) -> list[SpecialPlanView]:
    """Special plans by code, filtered by stage, lead unit and whether the district's own bureau leads them."""
    with uow:
        own = own_units(directory(uow.session))
        query = select(SpecialPlan).order_by(col(SpecialPlan.code))
        if own_only:
            query = query.where(col(SpecialPlan.lead_unit).in_(sorted(own)))
        if state is not None:
            query = query.where(SpecialPlan.state == state.value)
        if unit:
            query = query.where(SpecialPlan.lead_unit == unit)
        if open_only:
            query = query.where(col(SpecialPlan.state).in_(sorted(SPECIAL_PLAN_WORKFLOW.open_states)))
        return [SpecialPlanView(STORE.row_json(r), r.lead_unit in own) for r in uow.session.exec(query).all()]


def show_special_plan(uow: UnitOfWork, *, code: str) -> SpecialPlanDetail:
    with uow:
        row = STORE.row(uow.session, code)
        view = SpecialPlanView(STORE.row_json(row), row.lead_unit in own_units(directory(uow.session)))
        return SpecialPlanDetail(view, STORE.events(uow.session, row.code))


def special_plan_history(uow: UnitOfWork, *, code: str) -> list[EventView]:
    return STORE.history(uow, code)


def replayed_special_plan(uow: UnitOfWork, *, code: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The row rebuilt from its events, beside the stored row (both in JSON form)."""
    return STORE.replayed(uow, code)
