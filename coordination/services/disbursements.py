"""Guidance-fund disbursements (引导资金发放): record a payment, revoke one entered by mistake, and the
read side with each year's totals.

Every write is the one write path (services/items.py over services/writer.py): permission and
validation first, then the versioned row and its hash-chained event in the `disbursement` stream, in
one transaction. Nobody is told (the workflow has no notices).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import distinct, extract, func
from sqlmodel import col, select

from coordination.domain.authority import ItemFacts, authorize, required_reason
from coordination.domain.disbursement import YearTotal, new_disbursement, revoke_changes
from coordination.domain.disbursement_workflow import (
    DISBURSEMENT_WORKFLOW,
    DisbursementAction,
    DisbursementState,
)
from coordination.domain.errors import InvalidInput
from coordination.models import Disbursement
from coordination.services.common import Caller, load_actor
from coordination.services.issue_reads import EventView
from coordination.services.items import Store
from coordination.services.problem_changes import check_units
from coordination.services.settings import amount_cap
from coordination.services.snapshot import directory
from coordination.services.writer import FactsAfter
from coordination.uow import UnitOfWork

STORE = Store(DISBURSEMENT_WORKFLOW, Disbursement)


@dataclass(frozen=True)
class DisbursementView:
    record: dict[str, Any]  # the row in JSON form: the amount in exact 元 (amount_yuan)

    @property
    def id(self) -> str:
        return str(self.record["id"])

    @property
    def state(self) -> DisbursementState:
        return DisbursementState(self.record["state"])

    def to_json(self) -> dict[str, Any]:
        return dict(self.record)


@dataclass(frozen=True)
class DisbursementDetail:
    disbursement: DisbursementView
    timeline: list[EventView]

    def to_json(self) -> dict[str, Any]:
        return {**self.disbursement.to_json(), "timeline": [e.to_json() for e in self.timeline]}


def _facts_after(row: Any) -> FactsAfter:
    return FactsAfter(None, row.lead_unit, None, None)  # no ladder, no time limit


def add_disbursement(uow: UnitOfWork, *, caller: Caller, enterprise: str, amount_yuan: int, paid_on: date,
                     unit: str | None = None) -> DisbursementView:
    """Record a payment (登记) by `unit` (None: the recorder's own), numbered in the year it was paid."""
    number = ""
    with STORE.writing(uow, lambda: number) as session:
        actor = load_actor(session, caller.handle, caller)
        lead_unit = unit or actor.unit
        if not lead_unit:
            raise InvalidInput("请用 --unit 指明发放单位", "name the paying unit with --unit")
        authorize(DISBURSEMENT_WORKFLOW, DisbursementAction.ADD, actor, ItemFacts("", None, lead_unit))
        snapshot = directory(session)
        check_units(snapshot, [lead_unit])
        fields = new_disbursement(enterprise=enterprise, amount_yuan=amount_yuan, paid_on=paid_on,
                                  lead_unit=lead_unit, recorded_by=actor.handle, today=caller.today,
                                  cap=amount_cap(session))
        number = STORE.next_number(session, paid_on.year)  # only once every check has passed
        row = STORE.create(session, caller, snapshot.recipients, {"id": number, **fields},
                           action=DisbursementAction.ADD, facts=_facts_after)
    return DisbursementView(STORE.row_json(row))


def revoke_disbursement(uow: UnitOfWork, *, caller: Caller, disbursement_id: str, reason: str | None,
                        expected_version: int | None = None) -> DisbursementView:
    """Revoke (撤销) a payment entered by mistake, with the reason: it stays, counted nowhere."""
    action = DisbursementAction.REVOKE
    with STORE.writing(uow, lambda: disbursement_id) as session:
        actor = load_actor(session, caller.handle, caller)
        snapshot = directory(session)
        row = STORE.row(session, disbursement_id, lock=True)
        STORE.check_version(row, expected_version)
        authorize(DISBURSEMENT_WORKFLOW, action, actor,
                  ItemFacts(row.id, DisbursementState(row.state), row.lead_unit))
        cleaned = required_reason(DISBURSEMENT_WORKFLOW, action, reason)
        after = STORE.change(session, caller, snapshot.recipients, row, revoke_changes(caller.today),
                             action=action, reason=cleaned, facts=_facts_after)
    return DisbursementView(STORE.row_json(after))


# ---- read side -----------------------------------------------------------------------------


def _year(year: int) -> tuple[date, date]:
    if not 1 <= year <= 9999:
        raise InvalidInput(f"年份 {year} 无效（--year）", f"invalid year {year} (--year)")
    return date(year, 1, 1), date(year, 12, 31)


def list_disbursements(uow: UnitOfWork, *, year: int | None = None, enterprise: str | None = None,
                       include_revoked: bool = False) -> list[DisbursementView]:
    """Payments by number: of one year (by the day paid), to enterprises whose name holds `enterprise`."""
    query = select(Disbursement).order_by(col(Disbursement.id))
    if year is not None:
        first, last = _year(year)
        query = query.where(col(Disbursement.paid_on).between(first, last))
    if enterprise and enterprise.strip():
        query = query.where(col(Disbursement.enterprise).contains(enterprise.strip(), autoescape=True))
    if not include_revoked:
        query = query.where(Disbursement.state == DisbursementState.RECORDED.value)
    with uow:
        return [DisbursementView(STORE.row_json(row)) for row in uow.session.exec(query).all()]


def disbursement_totals(uow: UnitOfWork, *, year: int | None = None,
                        enterprise: str | None = None) -> list[YearTotal]:
    """Per year paid, the payments still standing: how many, to how many enterprises, how much in 元."""
    paid_year = extract("year", col(Disbursement.paid_on))
    query = (select(paid_year, func.count(), func.count(distinct(col(Disbursement.enterprise))),
                    func.sum(Disbursement.amount_yuan))
             .where(Disbursement.state == DisbursementState.RECORDED.value)
             .group_by(paid_year).order_by(paid_year))
    if year is not None:
        first, last = _year(year)
        query = query.where(col(Disbursement.paid_on).between(first, last))
    if enterprise and enterprise.strip():
        query = query.where(col(Disbursement.enterprise).contains(enterprise.strip(), autoescape=True))
    with uow:
        return [YearTotal(int(y), int(count), int(enterprises), int(total))
                for y, count, enterprises, total in uow.session.exec(query).all()]


def show_disbursement(uow: UnitOfWork, *, disbursement_id: str) -> DisbursementDetail:
    with uow:
        row = STORE.row(uow.session, disbursement_id)
        return DisbursementDetail(DisbursementView(STORE.row_json(row)), STORE.events(uow.session, row.id))


def disbursement_history(uow: UnitOfWork, *, disbursement_id: str) -> list[EventView]:
    return STORE.history(uow, disbursement_id)


def replayed_disbursement(uow: UnitOfWork, *, disbursement_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The row rebuilt from its events, beside the stored row (both in JSON form)."""
    return STORE.replayed(uow, disbursement_id)
