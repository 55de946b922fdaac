"""Indicators (指标监测): add one, record its monthly figures, adjust its target, retire it; the read side.

Every write is the one write path (services/items.py): permission and validation first, then the
versioned row, its hash-chained event in the `indicator` stream and its notices, in one transaction. A
record also writes the month's row of `indicator_value` in that transaction, and its event carries the
month and the figure (beside the row's changes), so the values table can be rebuilt from the events.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from coordination.domain.authority import ItemFacts, authorize, required_reason
from coordination.domain.enums import Light
from coordination.domain.errors import Conflict, InvalidInput
from coordination.domain.indicator import (
    IndicatorFacts,
    TrendPoint,
    current_light,
    indicator_code,
    new_indicator,
    record_changes,
    retarget_changes,
    retire_changes,
    trend,
    trend_text,
)
from coordination.domain.indicator_workflow import (
    INDICATOR_WORKFLOW,
    IndicatorAction,
    IndicatorState,
    record_tells,
)
from coordination.domain.investment import YearMonth
from coordination.domain.notices import NoticeItem, ProblemBrief
from coordination.domain.problem import Actor
from coordination.models import Indicator, IndicatorValue
from coordination.services.common import Caller, load_actor
from coordination.services.issue_reads import EventView
from coordination.services.items import Store, Subject
from coordination.services.problem_changes import check_units
from coordination.services.snapshot import Directory, directory
from coordination.services.writer import EVENT, FactsAfter
from coordination.uow import UnitOfWork

STORE = Store(INDICATOR_WORKFLOW, Indicator, key="code")
VALUES: Table = SQLModel.metadata.tables["indicator_value"]
A = IndicatorAction


@dataclass(frozen=True)
class IndicatorView:
    """An indicator as people read it: its row and the light of its latest figure."""

    record: dict[str, Any]
    light: Light | None

    @property
    def code(self) -> str:
        return str(self.record["code"])

    @property
    def state(self) -> IndicatorState:
        return IndicatorState(self.record["state"])

    def to_json(self) -> dict[str, Any]:
        return {**self.record, "light": self.light.value if self.light else None}


@dataclass(frozen=True)
class IndicatorDetail:
    indicator: IndicatorView
    months: list[TrendPoint]  # every month recorded, oldest first
    timeline: list[EventView]

    def to_json(self) -> dict[str, Any]:
        return {**self.indicator.to_json(), "months": [p.to_json() for p in self.months],
                "timeline": [e.to_json() for e in self.timeline]}


def _view(row: Any) -> IndicatorView:
    return IndicatorView(STORE.row_json(row), current_light(IndicatorFacts.of(row)))


def _subject(unit_names: Mapping[str, str], detail: str) -> Subject:
    # The reporting unit's name stands where a problem's project does; `detail` says what changed.
    def subject(row: Any, action: str, seq: int, reason: str | None) -> NoticeItem:
        unit_name = unit_names.get(row.lead_unit, row.lead_unit)
        brief = ProblemBrief(id=row.code, title=row.name, project_name=unit_name, lead_unit=row.lead_unit,
                             lead_unit_name=unit_name, due_date=None, level=0)
        return NoticeItem(brief=brief, action=action, seq=seq, reason=reason, detail=detail)
    return subject


def _facts_after(row: Any) -> FactsAfter:
    return FactsAfter(None, row.lead_unit, None, None)  # no ladder, no time limit


def add_indicator(uow: UnitOfWork, *, caller: Caller, code: str, name: str, measure: str, target: str,
                  tolerance: str | None = None, higher_is_better: bool = True,
                  lead_unit: str | None = None) -> IndicatorView:
    """Watch a new indicator (监测中), reported by `lead_unit` (None: the adder's own unit)."""
    stored = indicator_code(code)
    with STORE.writing(uow, lambda: stored) as session:
        actor = load_actor(session, caller.handle, caller)
        unit = lead_unit or actor.unit
        if not unit:
            raise InvalidInput("请用 --lead-unit 指明填报单位", "name the reporting unit with --lead-unit")
        authorize(INDICATOR_WORKFLOW, A.ADD, actor, ItemFacts(stored, None, unit))
        snapshot = directory(session)
        check_units(snapshot, [unit])
        fields = new_indicator(code=stored, name=name, measure=measure, target=target, tolerance=tolerance,
                               higher_is_better=higher_is_better, lead_unit=unit, added_by=actor.handle,
                               today=caller.today)
        if STORE.exists(session, stored):
            raise Conflict(f"指标 {stored} 已存在", f"indicator {stored} already exists")
        row = STORE.create(session, caller, snapshot.recipients, fields, action=A.ADD, facts=_facts_after)
    return _view(row)


def record_in(session: Session, caller: Caller, actor: Actor, snapshot: Directory, *, code: str, month: object,
              value: str, expected_version: int | None = None) -> Any:
    """One month's figure, inside the caller's transaction (the CLI's record and the ledger's 指标 sheet):
    the row's latest figure, the month's row of the values table, the event, and — when the light turns
    red — the notice. Returns the row after it."""
    row = STORE.row(session, code, lock=True)
    STORE.check_version(row, expected_version)
    facts = IndicatorFacts.of(row)
    authorize(INDICATOR_WORKFLOW, A.RECORD, actor, ItemFacts(row.code, facts.state, row.lead_unit))
    when = YearMonth.parse(month)
    stored = session.get(IndicatorValue, (row.code, str(when)))
    previous = stored.value if stored is not None else None
    recorded = record_changes(facts, month=when, value=value, previous=previous, today=caller.today)
    before = current_light(facts)
    after = current_light(replace(facts, latest_month=recorded.changes["latest_month"],
                                  latest_value=recorded.changes["latest_value"]))
    if stored is None:
        stored = IndicatorValue(indicator=row.code, month=recorded.month, value=recorded.value,
                                recorded_by=caller.handle, recorded_at=caller.now)
    else:
        stored.value, stored.recorded_by, stored.recorded_at = recorded.value, caller.handle, caller.now
    session.add(stored)  # flushed by the write below, in the same transaction as the event
    detail = (f"{recorded.month} 为 {recorded.value}{row.measure}，目标 {row.target}{row.measure}，"
              f"容差 {row.tolerance}")
    return STORE.change(session, caller, snapshot.recipients, row, recorded.changes, action=A.RECORD,
                        facts=_facts_after, extra={"month": recorded.month, "value": recorded.value,
                                                   "previous_value": previous},
                        subject=_subject(snapshot.unit_names, detail) if record_tells(before, after) else None)


def record_value(uow: UnitOfWork, *, caller: Caller, code: str, month: object, value: str,
                 expected_version: int | None = None) -> IndicatorView:
    """Record (填报) one month's figure; an earlier month's figure corrects it and keeps the latest."""
    with STORE.writing(uow, lambda: code) as session:
        actor = load_actor(session, caller.handle, caller)
        after = record_in(session, caller, actor, directory(session), code=code, month=month, value=value,
                          expected_version=expected_version)
    return _view(after)


def _adjust(uow: UnitOfWork, caller: Caller, code: str, action: IndicatorAction, reason: str | None,
            expected_version: int | None, make: Callable[[Any, IndicatorFacts], tuple[dict[str, Any], str]]
            ) -> IndicatorView:
    """A change the secretariat makes with its reason; `make` gives the changes and what a notice adds
    (whether anyone is told is the workflow's notice policy)."""
    with STORE.writing(uow, lambda: code) as session:
        actor = load_actor(session, caller.handle, caller)
        snapshot = directory(session)
        row = STORE.row(session, code, lock=True)
        STORE.check_version(row, expected_version)
        facts = IndicatorFacts.of(row)
        authorize(INDICATOR_WORKFLOW, action, actor, ItemFacts(row.code, facts.state, row.lead_unit))
        cleaned = required_reason(INDICATOR_WORKFLOW, action, reason)
        changes, detail = make(row, facts)
        after = STORE.change(session, caller, snapshot.recipients, row, changes, action=action, reason=cleaned,
                             facts=_facts_after, subject=_subject(snapshot.unit_names, detail))
    return _view(after)


def retarget(uow: UnitOfWork, *, caller: Caller, code: str, target: str | None = None, tolerance: str | None = None,
             reason: str | None = None, expected_version: int | None = None) -> IndicatorView:
    """Adjust (调整目标) the target and/or the tolerance, with the reason; the reporting unit is told."""
    def make(row: Any, facts: IndicatorFacts) -> tuple[dict[str, Any], str]:
        changes = retarget_changes(facts, target=target, tolerance=tolerance)
        new_target, new_tolerance = changes.get("target", row.target), changes.get("tolerance", row.tolerance)
        return changes, (f"目标 {row.target}{row.measure} → {new_target}{row.measure}，"
                         f"容差 {row.tolerance} → {new_tolerance}")
    return _adjust(uow, caller, code, A.RETARGET, reason, expected_version, make)


def retire(uow: UnitOfWork, *, caller: Caller, code: str, reason: str | None = None,
           expected_version: int | None = None) -> IndicatorView:
    """Stop watching (停止监测) an indicator, with the reason; its figures stay on record."""
    return _adjust(uow, caller, code, A.RETIRE, reason, expected_version,
                   lambda _row, _facts: (retire_changes(today=caller.today), ""))


# ---- read side -----------------------------------------------------------------------------


def list_indicators(uow: UnitOfWork, *, state: IndicatorState | None = None, unit: str | None = None,
                    light: Light | None = None) -> list[IndicatorView]:
    """Indicators by code, with the light of their latest figure."""
    with uow:
        query = select(Indicator).order_by(col(Indicator.code))
        if state is not None:
            query = query.where(Indicator.state == state.value)
        if unit:
            query = query.where(Indicator.lead_unit == unit)
        views = [_view(r) for r in uow.session.exec(query).all()]
    return [v for v in views if light is None or v.light is light]


def _values(session: Session, code: str, year: int | None = None) -> list[tuple[str, str]]:
    query = select(IndicatorValue.month, IndicatorValue.value).where(IndicatorValue.indicator == code)
    if year is not None:
        query = query.where(col(IndicatorValue.month).startswith(f"{year:04d}-"))
    return [(m, v) for m, v in session.exec(query.order_by(col(IndicatorValue.month))).all()]


def _trend(facts: IndicatorFacts, values: list[tuple[str, str]]) -> list[TrendPoint]:
    return trend(values, target=facts.target, tolerance=facts.tolerance, higher_is_better=facts.higher_is_better)


def show_indicator(uow: UnitOfWork, *, code: str) -> IndicatorDetail:
    """The indicator with every month recorded (its change and light) and its timeline."""
    with uow:
        row = STORE.row(uow.session, code)
        months = _trend(IndicatorFacts.of(row), _values(uow.session, row.code))
        return IndicatorDetail(_view(row), months, STORE.events(uow.session, row.code))


def indicator_history(uow: UnitOfWork, *, code: str) -> list[EventView]:
    return STORE.history(uow, code)


def replayed_indicator(uow: UnitOfWork, *, code: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The row rebuilt from its events, beside the stored row (both in JSON form)."""
    return STORE.replayed(uow, code)


def replayed_values(uow: UnitOfWork, *, code: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The indicator's rows of `indicator_value` rebuilt from its record events (each month's last),
    beside the stored rows, both by month in JSON form."""
    with uow:
        row = STORE.row(uow.session, code)
        rebuilt: dict[str, Any] = {}
        for event in STORE.events(uow.session, row.code):
            if event.action == A.RECORD.value:
                month = event.payload["month"]
                rebuilt[month] = {"month": month, "value": event.payload["value"], "recorded_by": event.actor,
                                  "recorded_at": event.at.isoformat()}
        found = uow.session.exec(select(IndicatorValue).where(IndicatorValue.indicator == row.code)).all()
        stored = {v.month: {"month": v.month, "value": v.value, "recorded_by": v.recorded_by,
                            "recorded_at": v.recorded_at.isoformat()} for v in found}
        return dict(sorted(rebuilt.items())), dict(sorted(stored.items()))


@dataclass(frozen=True)
class IndicatorYear:
    """An indicator with its figures of one year (what the monthly analysis and the annual report read)."""

    code: str
    name: str
    measure: str
    target: str
    tolerance: str
    higher_is_better: bool
    lead_unit: str
    values: dict[str, str]  # YYYY-MM -> figure, in month order

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "measure": self.measure, "target": self.target,
                "tolerance": self.tolerance, "higher_is_better": self.higher_is_better,
                "lead_unit": self.lead_unit, "values": self.values}


def indicator_months(uow: UnitOfWork, year: int) -> list[IndicatorYear]:
    """Each indicator being watched, by code, with its figures of `year`."""
    with uow:
        session = uow.session
        rows = session.exec(select(Indicator).where(Indicator.state == IndicatorState.ACTIVE.value)
                            .order_by(col(Indicator.code))).all()
        return [IndicatorYear(r.code, r.name, r.measure, r.target, r.tolerance, r.higher_is_better, r.lead_unit,
                              dict(_values(session, r.code, year))) for r in rows]


def monthly_section(connection: Connection, *, month: YearMonth, end: datetime,
                    unit_names: Mapping[str, str]) -> list[dict[str, Any]]:
    """The monthly analysis's 指标监测, as of `end` (later records never change a report): each indicator
    watched then, the month's figure (None: not reported) and its light, the target, and the year so far."""
    e = EVENT.c
    rows = connection.execute(
        sa_select(e.stream_id, e.action, e.payload)
        .where(e.stream_type == INDICATOR_WORKFLOW.kind, e.at < end).order_by(e.stream_id, e.seq))
    records: dict[str, dict[str, Any]] = defaultdict(dict)
    values: dict[str, dict[str, str]] = defaultdict(dict)
    for code, action, payload in rows:
        body = json.loads(payload)
        records[code].update(body["changes"])
        if action == A.RECORD.value and str(body["month"]) <= str(month):
            values[code][body["month"]] = body["value"]
    section: list[dict[str, Any]] = []
    for code, record in sorted(records.items()):
        if record["state"] != IndicatorState.ACTIVE.value:
            continue
        facts = IndicatorFacts(code, IndicatorState.ACTIVE, record["lead_unit"], Decimal(record["target"]),
                               Decimal(record["tolerance"]), bool(record["higher_is_better"]))
        year = [(m, v) for m, v in values[code].items() if m.startswith(f"{month.year:04d}-")]
        points = _trend(facts, year)
        this = next((p for p in points if p.month == str(month)), None)
        section.append({
            "code": code, "name": record["name"], "measure": record["measure"], "lead_unit": record["lead_unit"],
            "lead_unit_name": unit_names.get(record["lead_unit"], record["lead_unit"]), "target": record["target"],
            "tolerance": record["tolerance"], "higher_is_better": bool(record["higher_is_better"]),
            "month": str(month), "value": this.value if this else None,
            "change": this.change if this else None, "light": this.light.value if this else None,
            "trend": [p.to_json() for p in points], "trend_text": trend_text(points),
        })
    return section
