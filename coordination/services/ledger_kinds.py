"""The rows of the export's reading sheets (domain/ledger_kinds.py), one list per kind of tracked work,
read through each kind's own list service: the lights and states are the ones its screens show.

Rows hold plain values (text, dates, Decimal 万元, whole 元); units are named as the rest of the ledger
names them (`units`: code → the name the ledger writes). Revoked payments and reports are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from coordination.domain.enums import Light
from coordination.domain.filing_workflow import FilingState
from coordination.domain.fund_workflow import FundSource, FundState, FundType
from coordination.domain.investment import amount_decimal
from coordination.domain.labels import label
from coordination.domain.ledger_kinds import (
    DISBURSEMENTS,
    FILINGS,
    FUNDS,
    SPECIAL_PLANS,
    TASKS,
    UPWARD_REPORTS,
    ReadingSheet,
)
from coordination.domain.special_plan_workflow import SpecialPlanState
from coordination.domain.task_workflow import TaskState
from coordination.services import disbursements, filings, funds, special_plans, tasks, upward_reports
from coordination.uow import UnitOfWork

Rows = list[dict[str, Any]]
UnitName = Callable[[str | None], str | None]  # a unit's code → how the ledger names it
_EVERY = 1_000_000_000  # the list services page; the ledger wants every item


def reading_rows(uow: UnitOfWork, *, today: date, units: Mapping[str, str],
                 project_names: Mapping[str, str]) -> list[tuple[ReadingSheet, Rows]]:
    """Each reading sheet with its rows, in the workbook's order (each kind read in its own transaction)."""
    def unit(code: str | None) -> str | None:
        return units.get(code, code) if code else None

    return [
        (TASKS, _tasks(uow, today, unit)),
        (SPECIAL_PLANS, _special_plans(uow, unit)),
        (FILINGS, _filings(uow, today, unit)),
        (FUNDS, _funds(uow, unit, project_names)),
        (DISBURSEMENTS, _disbursements(uow, unit)),
        (UPWARD_REPORTS, _upward_reports(uow, unit)),
    ]


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _light(light: Light | None) -> str | None:
    return label(light) if light else None


def _wan(yuan: int | None) -> Any:
    return None if yuan is None else amount_decimal(yuan)


def _tasks(uow: UnitOfWork, today: date, unit: UnitName) -> Rows:
    views = tasks.list_tasks(uow, today=today, filters=tasks.TaskFilter(limit=_EVERY))
    return [{"id": v.id, "plan": v.plan_name, "title": v.record["title"], "lead_unit": unit(v.record["lead_unit"]),
             "co_units": [unit(u) for u in v.record["co_units"]], "state": label(TaskState(v.record["state"])),
             "due_date": _day(v.record["due_date"]), "light": _light(v.light)} for v in views]


def _special_plans(uow: UnitOfWork, unit: UnitName) -> Rows:
    rows = []
    for view in special_plans.list_special_plans(uow):
        record = view.record
        rows.append({"code": view.code, "name": record["name"], "lead_unit": unit(record["lead_unit"]),
                     "state": label(SpecialPlanState(record["state"])), "added_on": _day(record["added_on"]),
                     "reviewed_on": _day(record["reviewed_on"]), "review_document": record["review_document"],
                     "deliberated_on": _day(record["deliberated_on"]),
                     "deliberation_document": record["deliberation_document"],
                     "issued_on": _day(record["issued_on"]), "issue_document": record["issue_document"]})
    return rows


_ON_TIME = {True: "是", False: "否"}


def _filings(uow: UnitOfWork, today: date, unit: UnitName) -> Rows:
    rows = []
    for view in filings.list_filings(uow, today=today, filters=filings.FilingFilter(limit=_EVERY)):
        record = view.record
        rows.append({"id": view.id, "project_name": record["project_name"], "enterprise": record["enterprise"],
                     "lead_unit": unit(record["lead_unit"]), "state": label(FilingState(record["state"])),
                     "received_on": _day(record["received_on"]), "due_date": _day(record["due_date"]),
                     "finished_on": _day(record["completed_on"] or record["returned_on"]),
                     "on_time": _ON_TIME.get(record["completed_on_time"]), "light": _light(view.light)})
    return rows


def _funds(uow: UnitOfWork, unit: UnitName, project_names: Mapping[str, str]) -> Rows:
    rows = []
    for view in funds.list_funds(uow):
        record = view.record
        project = record["project"]
        rows.append({
            "code": view.code, "name": record["name"], "source": label(FundSource(record["source"])),
            "fund_type": label(FundType(record["fund_type"])), "project": project,
            "project_name": project_names.get(project, project) if project else None,
            "lead_unit": unit(record["lead_unit"]), "state": label(FundState(record["state"])),
            **{day: _day(record[day]) for day in ("added_on", "prepared_on", "applied_on", "granted_on",
                                                  "evaluated_on", "closed_on")},
            "granted_wan": _wan(record["granted_yuan"]), "granted_yuan": record["granted_yuan"],
            "grant_document": record["grant_document"]})
    return rows


def _disbursements(uow: UnitOfWork, unit: UnitName) -> Rows:
    return [{"id": v.id, "enterprise": v.record["enterprise"], "amount_wan": _wan(v.record["amount_yuan"]),
             "amount_yuan": v.record["amount_yuan"], "paid_on": _day(v.record["paid_on"]),
             "lead_unit": unit(v.record["lead_unit"])} for v in disbursements.list_disbursements(uow)]


def _upward_reports(uow: UnitOfWork, unit: UnitName) -> Rows:
    return [{"id": v.id, "to_office": v.record["to_office"], "reported_on": _day(v.record["reported_on"]),
             "topic": v.record["topic"], "lead_unit": unit(v.record["lead_unit"])}
            for v in upward_reports.list_upward_reports(uow)]
