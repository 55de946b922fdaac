"""Filings (备案): receive one, complete or return it, and the read side with its lights.

Every write is the one write path (services/writer.py): permission and validation first, then the
versioned row, its hash-chained event in the `filing` stream and its notices, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import col, select

from coordination.domain.authority import ItemFacts, authorize
from coordination.domain.enums import Light
from coordination.domain.errors import InvalidInput
from coordination.domain.filing import FilingFacts, filing_changes, new_filing
from coordination.domain.filing_workflow import FILING_OPEN_STATES, FILING_WORKFLOW, FilingAction, FilingState
from coordination.domain.hygiene import clean_reason
from coordination.domain.lights import LightThresholds
from coordination.domain.notices import NoticeItem, ProblemBrief
from coordination.domain.workdays import WorkCalendar
from coordination.models import Filing
from coordination.services.calendar import work_calendar
from coordination.services.common import Caller, load_actor
from coordination.services.issue_reads import EventView, light_conditions
from coordination.services.items import Store, Subject
from coordination.services.problem_changes import check_units
from coordination.services.settings import filing_limit_days
from coordination.services.snapshot import directory
from coordination.services.writer import FactsAfter
from coordination.uow import UnitOfWork

STORE = Store(FILING_WORKFLOW, Filing)
TABLE = STORE.table
_OPEN = sorted(s.value for s in FILING_OPEN_STATES)


@dataclass(frozen=True)
class FilingView:
    """A filing as people read it: its row and the light of its due date today (while handled)."""

    record: dict[str, Any]
    light: Light | None
    working_days_left: int | None

    @property
    def id(self) -> str:
        return str(self.record["id"])

    @property
    def state(self) -> FilingState:
        return FilingState(self.record["state"])

    def to_json(self) -> dict[str, Any]:
        return {**self.record, "light": self.light.value if self.light else None,
                "working_days_left": self.working_days_left}


@dataclass(frozen=True)
class FilingDetail:
    filing: FilingView
    timeline: list[EventView]

    def to_json(self) -> dict[str, Any]:
        return {**self.filing.to_json(), "timeline": [e.to_json() for e in self.timeline]}


def _view(row: Any, calendar: WorkCalendar, today: date, lights: LightThresholds | None = None) -> FilingView:
    """The one light rule (domain/lights.py) on the filing's due date while it is being handled."""
    if FilingState(row.state) not in FILING_OPEN_STATES:
        return FilingView(STORE.row_json(row), None, None)
    lights = lights or LightThresholds.on(today, calendar)
    return FilingView(STORE.row_json(row), lights.light(row.due_date),
                      calendar.working_days_between(today, row.due_date))


def _subject(unit_names: dict[str, str]) -> Subject:
    # The enterprise stands where a problem's project does: whose filing it is.
    def subject(row: Any, action: str, seq: int, reason: str | None) -> NoticeItem:
        brief = ProblemBrief(id=row.id, title=row.project_name, project_name=row.enterprise,
                             lead_unit=row.lead_unit, lead_unit_name=unit_names.get(row.lead_unit),
                             due_date=row.due_date, level=0)
        return NoticeItem(brief=brief, action=action, seq=seq, reason=reason)
    return subject


def _facts_after(row: Any) -> FactsAfter:
    return FactsAfter(None, row.lead_unit, row.due_date, row.completed_on_time)


def add_filing(uow: UnitOfWork, *, caller: Caller, project_name: str, enterprise: str,
               unit: str | None = None) -> FilingView:
    """Receive a filing (受理) for `unit`'s window (None: the receiver's own unit), due in the time limit."""
    number = ""
    with STORE.writing(uow, lambda: number) as session:
        actor = load_actor(session, caller.handle, caller)
        lead_unit = unit or actor.unit
        if not lead_unit:
            raise InvalidInput("请用 --unit 指明受理单位", "name the receiving unit with --unit")
        authorize(FILING_WORKFLOW, FilingAction.ADD, actor, ItemFacts("", None, lead_unit))
        snapshot = directory(session)
        check_units(snapshot, [lead_unit])
        fields = new_filing(project_name=project_name, enterprise=enterprise, lead_unit=lead_unit,
                            received_by=actor.handle, today=caller.today, limit_days=filing_limit_days(session),
                            calendar=snapshot.calendar)
        number = STORE.next_number(session, caller.today.year)  # only once every check has passed
        row = STORE.create(session, caller, snapshot.recipients, {"id": number, **fields}, action=FilingAction.ADD,
                           facts=_facts_after, subject=_subject(snapshot.unit_names))
    return _view(row, snapshot.calendar, caller.today)


def act_on_filing(uow: UnitOfWork, *, caller: Caller, filing_id: str, action: FilingAction,
                  reason: str | None = None, expected_version: int | None = None) -> FilingView:
    """Complete (办结) or return (退回, with a reason) a filing, in one transaction."""
    if action is FilingAction.ADD:
        raise InvalidInput("受理备案请用 coord filing add", "receive a filing with coord filing add")
    with STORE.writing(uow, lambda: filing_id) as session:
        actor = load_actor(session, caller.handle, caller)
        snapshot = directory(session)
        row = STORE.row(session, filing_id, lock=True)
        STORE.check_version(row, expected_version)
        facts = FilingFacts(id=row.id, state=FilingState(row.state), lead_unit=row.lead_unit,
                            due_date=row.due_date)
        authorize(FILING_WORKFLOW, action, actor, ItemFacts(row.id, facts.state, row.lead_unit))
        changes = filing_changes(action, facts, reason=reason, today=caller.today)
        cleaned = clean_reason(reason)
        after = STORE.change(session, caller, snapshot.recipients, row, changes, action=action, reason=cleaned,
                             facts=_facts_after, subject=_subject(snapshot.unit_names))
    return _view(after, snapshot.calendar, caller.today)


# ---- read side -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FilingFilter:
    state: FilingState | None = None
    unit: str | None = None  # the receiving unit
    light: Light | None = None
    open_only: bool = False
    limit: int = 500


def filing_light_conditions(lights: LightThresholds) -> dict[Light, Any]:
    """When a filing shows each light, in SQL: the one rule over the filing's columns and open state."""
    return light_conditions(lights, due_date=TABLE.c.due_date, state=TABLE.c.state, open_states=_OPEN)


def list_filings(uow: UnitOfWork, *, today: date, filters: FilingFilter | None = None) -> list[FilingView]:
    """Filings matching the filters, by number."""
    filters = filters or FilingFilter()
    if filters.limit < 1:
        raise InvalidInput("条数至少为 1", "limit must be at least 1")
    with uow:
        session = uow.session
        calendar = work_calendar(session)
        lights = LightThresholds.on(today, calendar)
        query = select(Filing)
        if filters.state is not None:
            query = query.where(Filing.state == filters.state.value)
        if filters.open_only:
            query = query.where(col(Filing.state).in_(_OPEN))
        if filters.unit:
            query = query.where(Filing.lead_unit == filters.unit)
        if filters.light is not None:
            query = query.where(filing_light_conditions(lights)[filters.light])
        query = query.order_by(col(Filing.id)).limit(filters.limit)
        return [_view(row, calendar, today, lights) for row in session.exec(query).all()]


def show_filing(uow: UnitOfWork, *, filing_id: str, today: date) -> FilingDetail:
    with uow:
        session = uow.session
        row = STORE.row(session, filing_id)
        return FilingDetail(_view(row, work_calendar(session), today), STORE.events(session, row.id))


def filing_history(uow: UnitOfWork, *, filing_id: str) -> list[EventView]:
    return STORE.history(uow, filing_id)


def replayed_filing(uow: UnitOfWork, *, filing_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The row rebuilt from its events, beside the stored row (both in JSON form)."""
    return STORE.replayed(uow, filing_id)
