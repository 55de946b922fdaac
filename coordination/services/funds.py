"""Fund applications (资金争取): put one in the reserve, record its stages, and the read side.

Every write is the one write path (services/items.py over services/writer.py): permission and
validation first, then the versioned row, its hash-chained event in the `fund` stream and its notices,
in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from coordination.domain.authority import ItemFacts, authorize
from coordination.domain.errors import Conflict, InvalidInput
from coordination.domain.fund import (
    FundFacts,
    StageInput,
    event_reason,
    fund_code,
    fund_key,
    new_fund,
    stage_changes,
    wan_text,
)
from coordination.domain.fund_workflow import FUND_WORKFLOW, FundAction, FundSource, FundState, FundType
from coordination.domain.labels import label
from coordination.domain.notices import NoticeItem, ProblemBrief
from coordination.models import Fund
from coordination.services.common import Caller, load_actor
from coordination.services.issue_reads import EventView
from coordination.services.items import Store, Subject
from coordination.services.lookup import Names
from coordination.services.problem_changes import check_units
from coordination.services.settings import amount_cap
from coordination.services.snapshot import Directory, directory
from coordination.services.writer import FactsAfter
from coordination.uow import UnitOfWork

STORE = Store(FUND_WORKFLOW, Fund, key="code", resolve=lambda _session, text: fund_key(text))
_STAGE_DAYS = ("added_on", "prepared_on", "applied_on", "granted_on", "evaluated_on", "closed_on")


@dataclass(frozen=True)
class FundView:
    record: dict[str, Any]  # the row in JSON form: the amount granted in exact 元 (granted_yuan)

    @property
    def code(self) -> str:
        return str(self.record["code"])

    @property
    def state(self) -> FundState:
        return FundState(self.record["state"])

    def to_json(self) -> dict[str, Any]:
        return dict(self.record)


@dataclass(frozen=True)
class FundDetail:
    fund: FundView
    timeline: list[EventView]

    def to_json(self) -> dict[str, Any]:
        return {**self.fund.to_json(), "timeline": [e.to_json() for e in self.timeline]}


def _facts(row: Any) -> FundFacts:
    days = [getattr(row, name) for name in _STAGE_DAYS if getattr(row, name) is not None]
    return FundFacts(code=row.code, state=FundState(row.state), lead_unit=row.lead_unit, last_stage_on=max(days))


def _subject(snapshot: Directory) -> Subject:
    # What the money is stands where a problem's project does: 中央预算内投资, and the project it is for.
    def subject(row: Any, action: str, seq: int, reason: str | None) -> NoticeItem:
        what = f"{label(FundSource(row.source))}{label(FundType(row.fund_type))}"
        if row.project:
            what += f"，{snapshot.project_names.get(row.project, row.project)}"
        brief = ProblemBrief(id=row.code, title=row.name, project_name=what, lead_unit=row.lead_unit,
                             lead_unit_name=snapshot.unit_names.get(row.lead_unit), due_date=None, level=0)
        detail = f"下达资金 {wan_text(row.granted_yuan)} 万元" if action == FundAction.GRANT.value else ""
        return NoticeItem(brief=brief, action=action, seq=seq, reason=reason, detail=detail)
    return subject


def _facts_after(row: Any) -> FactsAfter:
    return FactsAfter(None, row.lead_unit, None, None)  # no ladder, no time limit


def add_fund(uow: UnitOfWork, *, caller: Caller, code: str, name: str, source: FundSource, fund_type: FundType,
             project: str | None = None, unit: str | None = None) -> FundView:
    """Put a fund application in the reserve (谋划储备) for `unit` (None: the adder's own unit)."""
    stored = fund_code(code)
    with STORE.writing(uow, lambda: stored) as session:
        actor = load_actor(session, caller.handle, caller)
        lead_unit = unit or actor.unit
        if not lead_unit:
            raise InvalidInput("请用 --unit 指明申报单位", "name the applying unit with --unit")
        authorize(FUND_WORKFLOW, FundAction.ADD, actor, ItemFacts(stored, None, lead_unit))
        snapshot = directory(session)
        check_units(snapshot, [lead_unit])
        project_code = Names(snapshot).project(project) if project is not None else None
        if STORE.exists(session, stored):
            raise Conflict(f"资金争取项目 {stored} 已存在", f"fund application {stored} already exists")
        fields = new_fund(code=stored, name=name, source=source, fund_type=fund_type, project=project_code,
                          lead_unit=lead_unit, added_by=actor.handle, today=caller.today)
        row = STORE.create(session, caller, snapshot.recipients, fields, action=FundAction.ADD,
                           facts=_facts_after, subject=_subject(snapshot))
    return FundView(STORE.row_json(row))


def act_on_fund(uow: UnitOfWork, *, caller: Caller, code: str, action: FundAction,
                inputs: StageInput | None = None, expected_version: int | None = None) -> FundView:
    """Record one stage of an application (前期推进 … 绩效评估, 未获批准, 撤回), in one transaction."""
    inputs = inputs or StageInput()
    if action is FundAction.ADD:
        raise InvalidInput("资金争取项目入库请用 coord fund add", "add a fund application with coord fund add")
    with STORE.writing(uow, lambda: code) as session:
        actor = load_actor(session, caller.handle, caller)
        snapshot = directory(session)
        row = STORE.row(session, code, lock=True)
        STORE.check_version(row, expected_version)
        facts = _facts(row)
        authorize(FUND_WORKFLOW, action, actor, ItemFacts(row.code, facts.state, row.lead_unit))
        changes = stage_changes(action, facts, inputs, today=caller.today, cap=amount_cap(session))
        after = STORE.change(session, caller, snapshot.recipients, row, changes, action=action,
                             reason=event_reason(action, inputs), facts=_facts_after, subject=_subject(snapshot))
    return FundView(STORE.row_json(after))


# ---- read side -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FundFilter:
    state: FundState | None = None
    source: FundSource | None = None
    fund_type: FundType | None = None
    unit: str | None = None  # the applying unit
    project: str | None = None  # the project's code
    open_only: bool = False


def list_funds(uow: UnitOfWork, *, filters: FundFilter | None = None) -> list[FundView]:
    """Fund applications matching the filters, by code."""
    filters = filters or FundFilter()
    query = select(Fund).order_by(col(Fund.code))
    if filters.state is not None:
        query = query.where(Fund.state == filters.state.value)
    if filters.source is not None:
        query = query.where(Fund.source == filters.source.value)
    if filters.fund_type is not None:
        query = query.where(Fund.fund_type == filters.fund_type.value)
    if filters.unit:
        query = query.where(Fund.lead_unit == filters.unit)
    if filters.project:
        query = query.where(Fund.project == filters.project)
    if filters.open_only:
        query = query.where(col(Fund.state).in_(sorted(FUND_WORKFLOW.open_states)))
    with uow:
        return [FundView(STORE.row_json(row)) for row in uow.session.exec(query).all()]


def show_fund(uow: UnitOfWork, *, code: str) -> FundDetail:
    with uow:
        row = STORE.row(uow.session, code)
        return FundDetail(FundView(STORE.row_json(row)), STORE.events(uow.session, row.code))


def fund_history(uow: UnitOfWork, *, code: str) -> list[EventView]:
    return STORE.history(uow, code)


def replayed_fund(uow: UnitOfWork, *, code: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The row rebuilt from its events, beside the stored row (both in JSON form)."""
    return STORE.replayed(uow, code)
