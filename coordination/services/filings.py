"""Filings (备案): receive one, complete or return it, and the read side with its lights.

Every write is the one write path (services/writer.py): permission and validation first, then the
versioned row, its hash-chained event in the `filing` stream and its notices, in one transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table, and_, bindparam, insert, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, SQLModel, col, select

from coordination.domain.audit import replay, to_json_value
from coordination.domain.enums import Light
from coordination.domain.errors import Conflict, InvalidInput, NotFound, StaleVersion
from coordination.domain.filing import FilingFacts, authorize_filing, filing_changes, new_filing
from coordination.domain.filing_workflow import FILING_OPEN_STATES, FILING_WORKFLOW, FilingAction, FilingState
from coordination.domain.lights import LightThresholds
from coordination.domain.notices import NoticeItem, ProblemBrief
from coordination.domain.workdays import WorkCalendar
from coordination.models import AuditEvent, Filing
from coordination.services.calendar import work_calendar
from coordination.services.common import Caller, load_actor
from coordination.services.issues import EventView, light_conditions
from coordination.services.problem_changes import check_units
from coordination.services.settings import filing_limit_days
from coordination.services.snapshot import directory
from coordination.services.writer import EVENT, FactsAfter, Journal
from coordination.uow import UnitOfWork

STREAM = FILING_WORKFLOW.kind
TABLE: Table = SQLModel.metadata.tables["filing"]
SEQUENCE: Table = SQLModel.metadata.tables["sequence"]
SERIES = "filing"  # the yearly series of filing numbers in `sequence`
COLUMNS = tuple(Filing.model_fields)
_OPEN = sorted(s.value for s in FILING_OPEN_STATES)
_BUSY = ("数据库正忙，本次操作未生效，请重试", "the database is busy; nothing was applied, try again")

# The row and the hash of its last event (seq == version) in one read, as a task's writer reads it.
_ROW_AND_HEAD = (
    sa_select(TABLE, EVENT.c.hash.label("head_hash"))
    .select_from(TABLE.outerjoin(EVENT, and_(
        EVENT.c.stream_type == STREAM, EVENT.c.stream_id == TABLE.c.id, EVENT.c.seq == TABLE.c.version)))
    .where(TABLE.c.id == bindparam("id"))
)
_ROW_AND_HEAD_LOCKED = _ROW_AND_HEAD.with_for_update(of=TABLE)
_BUMP = (update(SEQUENCE).where(SEQUENCE.c.name == SERIES, SEQUENCE.c.year == bindparam("y"))
         .values(last=SEQUENCE.c.last + 1).returning(SEQUENCE.c.last))


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


def row_json(row: Any) -> dict[str, Any]:
    """The row in the JSON form its events' changes are written in (what replay rebuilds)."""
    return {name: to_json_value(getattr(row, name)) for name in COLUMNS}


def _view(row: Any, calendar: WorkCalendar, today: date, lights: LightThresholds | None = None) -> FilingView:
    """The one light rule (domain/lights.py) on the filing's due date while it is being handled."""
    if FilingState(row.state) not in FILING_OPEN_STATES:
        return FilingView(row_json(row), None, None)
    lights = lights or LightThresholds.on(today, calendar)
    return FilingView(row_json(row), lights.light(row.due_date), calendar.working_days_between(today, row.due_date))


def _get_row(session: Session, filing_id: str, *, lock: bool = False) -> Any:
    found = session.connection().execute(_ROW_AND_HEAD_LOCKED if lock else _ROW_AND_HEAD,
                                         {"id": filing_id.strip().upper()}).first()
    if found is None:
        raise NotFound(f"备案 {filing_id} 不存在", f"filing {filing_id} not found")
    return found


def _subject(row: Any, action: str, seq: int, unit_names: dict[str, str], reason: str | None = None) -> NoticeItem:
    # The enterprise stands where a problem's project does: whose filing it is.
    brief = ProblemBrief(id=row.id, title=row.project_name, project_name=row.enterprise, lead_unit=row.lead_unit,
                         lead_unit_name=unit_names.get(row.lead_unit), due_date=row.due_date, level=0)
    return NoticeItem(brief=brief, action=action, seq=seq, reason=reason)


def _facts_after(row: Any) -> FactsAfter:
    return FactsAfter(None, row.lead_unit, row.due_date, row.completed_on_time)


def _db_values(changes: dict[str, Any]) -> dict[str, Any]:
    return {k: v.value if isinstance(v, FilingState) else v for k, v in changes.items()}


def _commit(uow: UnitOfWork, filing_id: str) -> None:
    try:
        uow.commit()
    except IntegrityError as exc:
        raise Conflict(f"备案 {filing_id} 同时被他人修改，本次操作未生效",
                       f"{filing_id} was changed concurrently; nothing was applied") from exc


def _next_id(session: Session, year: int) -> str:
    connection = session.connection()
    bumped = connection.execute(_BUMP, {"y": year}).scalar_one_or_none()
    if bumped is None:
        connection.execute(insert(SEQUENCE).values(name=SERIES, year=year, last=1))
        bumped = 1
    return f"{FILING_WORKFLOW.id_prefix}-{year}-{bumped:04d}"


def add_filing(uow: UnitOfWork, *, caller: Caller, project_name: str, enterprise: str,
               unit: str | None = None) -> FilingView:
    """Receive a filing (受理) for `unit`'s window (None: the receiver's own unit), due in the time limit."""
    try:
        with uow:
            session = uow.session
            actor = load_actor(session, caller.handle, caller)
            lead_unit = unit or actor.unit
            if not lead_unit:
                raise InvalidInput("请用 --unit 指明受理单位", "name the receiving unit with --unit")
            authorize_filing(FilingAction.ADD, actor, FilingFacts(id="", state=None, lead_unit=lead_unit))
            snapshot = directory(session)
            check_units(snapshot, [lead_unit])
            fields = new_filing(project_name=project_name, enterprise=enterprise, lead_unit=lead_unit,
                                received_by=actor.handle, today=caller.today, limit_days=filing_limit_days(session),
                                calendar=snapshot.calendar)
            filing_id = _next_id(session, caller.today.year)  # only once every check has passed
            fields = {"id": filing_id, **fields, "version": 1}
            values = _db_values(fields)
            journal = Journal(session, caller, FILING_WORKFLOW, snapshot.recipients)
            journal.insert_row(TABLE, values)
            journal.new_stream(STREAM, filing_id)
            row = SimpleNamespace(**values)
            journal.event(STREAM, filing_id, FilingAction.ADD.value, fields, seq=1,
                          to_state=FilingState.RECEIVED.value, facts=_facts_after(row),
                          subject=_subject(row, FilingAction.ADD.value, 1, snapshot.unit_names))
            journal.write()
            _commit(uow, filing_id)
            return _view(row, snapshot.calendar, caller.today)
    except OperationalError as exc:
        raise Conflict(*_BUSY) from exc


def act_on_filing(uow: UnitOfWork, *, caller: Caller, filing_id: str, action: FilingAction,
                  reason: str | None = None, expected_version: int | None = None) -> FilingView:
    """Complete (办结) or return (退回, with a reason) a filing, in one transaction."""
    if action is FilingAction.ADD:
        raise InvalidInput("受理备案请用 coord filing add", "receive a filing with coord filing add")
    try:
        with uow:
            session = uow.session
            actor = load_actor(session, caller.handle, caller)
            snapshot = directory(session)
            row = _get_row(session, filing_id, lock=True)
            if expected_version is not None and expected_version != row.version:
                raise StaleVersion(
                    f"备案 {row.id} 已更新到第 {row.version} 版（你看到的是第 {expected_version} 版），请刷新后重试",
                    f"{row.id} is at version {row.version}, you saw {expected_version}; reload and try again")
            facts = FilingFacts(id=row.id, state=FilingState(row.state), lead_unit=row.lead_unit,
                                due_date=row.due_date)
            authorize_filing(action, actor, facts)
            changes = filing_changes(action, facts, reason=reason, today=caller.today)
            version = row.version + 1
            changes["version"] = version
            values = _db_values(changes)
            journal = Journal(session, caller, FILING_WORKFLOW, snapshot.recipients)
            journal.update_row(TABLE, "id", row.id, row.version, values)
            journal.known_head(STREAM, row.id, row.version, row.head_hash)
            after = SimpleNamespace(**{**dict(row._mapping), **values})
            cleaned = (reason or "").strip() or None
            journal.event(STREAM, row.id, action.value, changes, seq=version, from_state=row.state,
                          to_state=after.state, reason=cleaned, facts=_facts_after(after),
                          subject=_subject(after, action.value, version, snapshot.unit_names, cleaned))
            journal.write()
            _commit(uow, row.id)
            return _view(after, snapshot.calendar, caller.today)
    except OperationalError as exc:
        raise Conflict(*_BUSY) from exc


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
        row = _get_row(session, filing_id)
        return FilingDetail(_view(row, work_calendar(session), today), _events(session, row.id))


def filing_history(uow: UnitOfWork, *, filing_id: str) -> list[EventView]:
    with uow:
        row = _get_row(uow.session, filing_id)
        return _events(uow.session, row.id)


def _events(session: Session, filing_id: str) -> list[EventView]:
    events = session.exec(
        select(AuditEvent).where(AuditEvent.stream_type == STREAM, AuditEvent.stream_id == filing_id)
        .order_by(col(AuditEvent.seq))).all()
    return [EventView(e.seq, e.action, e.from_state, e.to_state, e.actor, e.at, e.origin, e.reason,
                      json.loads(e.payload), e.hash) for e in events]


def replayed_filing(uow: UnitOfWork, *, filing_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The row rebuilt from its events, beside the stored row (both in JSON form)."""
    with uow:
        row = _get_row(uow.session, filing_id)
        return replay(e.payload["changes"] for e in _events(uow.session, row.id)), row_json(row)
