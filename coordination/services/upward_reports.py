"""Upward reports (对上汇报): record one, revoke it, and the read side with the year's weekly counts.

Every write is the one write path (services/items.py, services/writer.py): permission and validation
first, then the versioned row, its hash-chained event in the `upward_report` stream and its notices, in
one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import col, select

from coordination.domain.authority import ItemFacts, authorize, required_reason
from coordination.domain.errors import InvalidInput
from coordination.domain.notices import NoticeItem, ProblemBrief
from coordination.domain.periods import Period
from coordination.domain.upward_report import WeeklyCounts, check_year, count_weeks, new_upward_report, revoke_changes
from coordination.domain.upward_report_workflow import UPWARD_REPORT_WORKFLOW, UpwardReportAction, UpwardReportState
from coordination.models import UpwardReport
from coordination.services.common import Caller, load_actor
from coordination.services.issue_reads import EventView
from coordination.services.items import Store, Subject
from coordination.services.problem_changes import check_units
from coordination.services.snapshot import directory
from coordination.services.writer import FactsAfter
from coordination.uow import UnitOfWork

STORE = Store(UPWARD_REPORT_WORKFLOW, UpwardReport)
RECORDED = UpwardReportState.RECORDED.value


@dataclass(frozen=True)
class UpwardReportView:
    record: dict[str, Any]  # the row in JSON form

    @property
    def id(self) -> str:
        return str(self.record["id"])

    @property
    def state(self) -> UpwardReportState:
        return UpwardReportState(self.record["state"])

    def to_json(self) -> dict[str, Any]:
        return dict(self.record)


@dataclass(frozen=True)
class UpwardReportDetail:
    report: UpwardReportView
    timeline: list[EventView]

    def to_json(self) -> dict[str, Any]:
        return {**self.report.to_json(), "timeline": [e.to_json() for e in self.timeline]}


def _subject(unit_names: dict[str, str]) -> Subject:
    # The office reported to stands where a problem's project does: to whom the report was made.
    def subject(row: Any, action: str, seq: int, reason: str | None) -> NoticeItem:
        brief = ProblemBrief(id=row.id, title=row.topic, project_name=row.to_office, lead_unit=row.lead_unit,
                             lead_unit_name=unit_names.get(row.lead_unit), due_date=None, level=0)
        return NoticeItem(brief=brief, action=action, seq=seq, reason=reason)
    return subject


def _facts_after(row: Any) -> FactsAfter:
    return FactsAfter(None, row.lead_unit, None, None)  # no ladder, no time limit


def add_upward_report(uow: UnitOfWork, *, caller: Caller, to_office: str, topic: str, reported_on: date,
                      unit: str | None = None) -> UpwardReportView:
    """Record (登记) a report `unit` made (None: the recorder's own unit), numbered by its day's year."""
    number = ""
    with STORE.writing(uow, lambda: number) as session:
        actor = load_actor(session, caller.handle, caller)
        lead_unit = unit or actor.unit
        if not lead_unit:
            raise InvalidInput("请用 --unit 指明汇报单位", "name the reporting unit with --unit")
        authorize(UPWARD_REPORT_WORKFLOW, UpwardReportAction.ADD, actor, ItemFacts("", None, lead_unit))
        snapshot = directory(session)
        check_units(snapshot, [lead_unit])
        fields = new_upward_report(to_office=to_office, topic=topic, reported_on=reported_on, lead_unit=lead_unit,
                                   recorded_by=actor.handle, today=caller.today)
        number = STORE.next_number(session, reported_on.year)  # only once every check has passed
        row = STORE.create(session, caller, snapshot.recipients, {"id": number, **fields},
                           action=UpwardReportAction.ADD, facts=_facts_after, subject=_subject(snapshot.unit_names))
    return UpwardReportView(STORE.row_json(row))


def revoke_upward_report(uow: UnitOfWork, *, caller: Caller, report_id: str, reason: str | None,
                         expected_version: int | None = None) -> UpwardReportView:
    """Revoke (撤销) a recorded report, with the reason: it stays, and no longer counts."""
    with STORE.writing(uow, lambda: report_id) as session:
        actor = load_actor(session, caller.handle, caller)
        snapshot = directory(session)
        row = STORE.row(session, report_id, lock=True)
        STORE.check_version(row, expected_version)
        action = UpwardReportAction.REVOKE
        authorize(UPWARD_REPORT_WORKFLOW, action, actor,
                  ItemFacts(row.id, UpwardReportState(row.state), row.lead_unit))
        cleaned = required_reason(UPWARD_REPORT_WORKFLOW, action, reason)
        after = STORE.change(session, caller, snapshot.recipients, row, revoke_changes(caller.today), action=action,
                             reason=cleaned, facts=_facts_after, subject=_subject(snapshot.unit_names))
    return UpwardReportView(STORE.row_json(after))


# ---- read side -----------------------------------------------------------------------------


def list_upward_reports(uow: UnitOfWork, *, year: int | None = None, to_office: str | None = None,
                        week: Period | None = None, include_revoked: bool = False) -> list[UpwardReportView]:
    """Reports by day and number: of a year, to an office (its name or part of it), in a week."""
    with uow:
        query = select(UpwardReport)
        if not include_revoked:
            query = query.where(UpwardReport.state == RECORDED)
        if year is not None:
            query = query.where(col(UpwardReport.reported_on) >= date(year, 1, 1),
                                col(UpwardReport.reported_on) <= date(year, 12, 31))
        if week is not None:
            query = query.where(col(UpwardReport.reported_on) >= week.first,
                                col(UpwardReport.reported_on) <= week.last)
        office = (to_office or "").strip()
        if office:
            query = query.where(col(UpwardReport.to_office).contains(office, autoescape=True))
        query = query.order_by(col(UpwardReport.reported_on), col(UpwardReport.id))
        return [UpwardReportView(STORE.row_json(r)) for r in uow.session.exec(query).all()]


def show_upward_report(uow: UnitOfWork, *, report_id: str) -> UpwardReportDetail:
    with uow:
        row = STORE.row(uow.session, report_id)
        return UpwardReportDetail(UpwardReportView(STORE.row_json(row)), STORE.events(uow.session, row.id))


def upward_report_history(uow: UnitOfWork, *, report_id: str) -> list[EventView]:
    return STORE.history(uow, report_id)


def replayed_upward_report(uow: UnitOfWork, *, report_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The row rebuilt from its events, beside the stored row (both in JSON form)."""
    return STORE.replayed(uow, report_id)


def weekly_counts(uow: UnitOfWork, *, year: int, until: date) -> WeeklyCounts:
    """The year's recorded (not revoked) reports counted by ISO week, up to `until` (domain/upward_report.py)."""
    check_year(year, until)
    with uow:
        days = uow.session.exec(
            select(col(UpwardReport.reported_on)).where(
                UpwardReport.state == RECORDED, col(UpwardReport.reported_on) >= date(year, 1, 1),
                col(UpwardReport.reported_on) <= min(until, date(year, 12, 31)))).all()
    return count_weeks(days, year=year, until=until)
