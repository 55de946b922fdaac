"""Special plans (专项规划): add one, record its stages, and the read side.

Every write is the one write path (services/writer.py): permission and validation first, then the
versioned row, its hash-chained event in the `special_plan` stream and its notices, in one transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table, and_, bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, SQLModel, col, select

from coordination.domain.audit import replay, to_json_value
from coordination.domain.enums import Role
from coordination.domain.errors import Conflict, InvalidInput, NotFound, StaleVersion
from coordination.domain.notices import NoticeItem, ProblemBrief
from coordination.domain.special_plan import (
    SpecialPlanFacts,
    authorize_special_plan,
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
from coordination.models import AuditEvent, SpecialPlan
from coordination.services.common import Caller, load_actor
from coordination.services.issues import EventView
from coordination.services.lookup import special_plan_key
from coordination.services.problem_changes import check_units
from coordination.services.snapshot import Directory, directory
from coordination.services.writer import EVENT, FactsAfter, Journal
from coordination.uow import UnitOfWork

STREAM = SPECIAL_PLAN_WORKFLOW.kind
TABLE: Table = SQLModel.metadata.tables["special_plan"]
COLUMNS = tuple(SpecialPlan.model_fields)
_BUSY = ("数据库正忙，本次操作未生效，请重试", "the database is busy; nothing was applied, try again")

# The row and the hash of its last event (seq == version) in one read, as a task's writer reads it.
_ROW_AND_HEAD = (
    sa_select(TABLE, EVENT.c.hash.label("head_hash"))
    .select_from(TABLE.outerjoin(EVENT, and_(
        EVENT.c.stream_type == STREAM, EVENT.c.stream_id == TABLE.c.code, EVENT.c.seq == TABLE.c.version)))
    .where(TABLE.c.code == bindparam("code"))
)
_ROW_AND_HEAD_LOCKED = _ROW_AND_HEAD.with_for_update(of=TABLE)


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


def row_json(row: Any) -> dict[str, Any]:
    """The row in the JSON form its events' changes are written in (what replay rebuilds)."""
    return {name: to_json_value(getattr(row, name)) for name in COLUMNS}


def _plans(session: Session) -> dict[str, str]:
    return {code: name for code, name in session.exec(select(SpecialPlan.code, SpecialPlan.name)).all()}


def _get_row(session: Session, text: str, *, lock: bool = False) -> Any:
    code = special_plan_key(text, _plans(session))
    found = session.connection().execute(_ROW_AND_HEAD_LOCKED if lock else _ROW_AND_HEAD, {"code": code}).first()
    if found is None:  # removed between the name lookup and the read
        raise NotFound(f"专项规划 {text} 不存在", f"special plan {text} not found")
    return found


def _facts(row: Any) -> SpecialPlanFacts:
    stages = [d for d in (row.added_on, row.reviewed_on, row.deliberated_on, row.issued_on) if d is not None]
    return SpecialPlanFacts(code=row.code, state=SpecialPlanState(row.state), lead_unit=row.lead_unit,
                            last_stage_on=max(stages))


def _db_values(changes: dict[str, Any]) -> dict[str, Any]:
    return {k: v.value if isinstance(v, SpecialPlanState) else v for k, v in changes.items()}


def _subject(row: Any, action: str, seq: int, unit_names: dict[str, str], reason: str | None = None) -> NoticeItem:
    # The lead unit's name stands where a problem's project does: a special plan belongs to no project.
    brief = ProblemBrief(id=row.code, title=row.name, project_name=unit_names.get(row.lead_unit, row.lead_unit),
                         lead_unit=row.lead_unit, lead_unit_name=unit_names.get(row.lead_unit), due_date=None,
                         level=0)
    return NoticeItem(brief=brief, action=action, seq=seq, reason=reason)


def _facts_after(row: Any) -> FactsAfter:
    return FactsAfter(None, row.lead_unit, None, None)  # no ladder, no time limit


def _commit(uow: UnitOfWork, code: str) -> None:
    try:
        uow.commit()
    except IntegrityError as exc:
        raise Conflict(f"专项规划 {code} 同时被他人修改或已存在，本次操作未生效",
                       f"{code} was changed concurrently or exists; nothing was applied") from exc


def add_special_plan(uow: UnitOfWork, *, caller: Caller, code: str, name: str, lead_unit: str) -> SpecialPlanView:
    """Put a special plan on the drafting list (编制中), led by `lead_unit` (the secretariat)."""
    stored = special_plan_code(code)
    try:
        with uow:
            session = uow.session
            actor = load_actor(session, caller.handle, caller)
            authorize_special_plan(SpecialPlanAction.ADD, actor, None)
            snapshot = directory(session)
            check_units(snapshot, [lead_unit])
            if session.get(SpecialPlan, stored) is not None:
                raise Conflict(f"专项规划 {stored} 已存在", f"special plan {stored} already exists")
            fields = {**new_special_plan(code=stored, name=name, lead_unit=lead_unit, added_by=actor.handle,
                                         today=caller.today), "version": 1}
            values = _db_values(fields)
            journal = Journal(session, caller, SPECIAL_PLAN_WORKFLOW, snapshot.recipients)
            journal.insert_row(TABLE, values)
            journal.new_stream(STREAM, stored)
            row = SimpleNamespace(**values)
            journal.event(STREAM, stored, SpecialPlanAction.ADD.value, fields, seq=1,
                          to_state=SpecialPlanState.DRAFTING.value, facts=_facts_after(row),
                          subject=_subject(row, SpecialPlanAction.ADD.value, 1, snapshot.unit_names))
            journal.write()
            _commit(uow, stored)
            return SpecialPlanView(row_json(row), lead_unit in own_units(snapshot))
    except OperationalError as exc:
        raise Conflict(*_BUSY) from exc


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
    try:
        with uow:
            session = uow.session
            actor = load_actor(session, caller.handle, caller)
            snapshot = directory(session)
            row = _get_row(session, code, lock=True)
            if expected_version is not None and expected_version != row.version:
                raise StaleVersion(
                    f"专项规划 {row.code} 已更新到第 {row.version} 版（你看到的是第 {expected_version} 版），"
                    "请刷新后重试",
                    f"{row.code} is at version {row.version}, you saw {expected_version}; reload and try again")
            facts = _facts(row)
            if action is None:
                # An issued plan has no next stage: its last stage's action refuses it (role first, then state).
                action = NEXT_STAGE.get(facts.state, SpecialPlanAction.ISSUE)
            authorize_special_plan(action, actor, facts)
            changes = stage_changes(action, facts, document=document, on=on, today=caller.today)
            version = row.version + 1
            changes["version"] = version
            values = _db_values(changes)
            journal = Journal(session, caller, SPECIAL_PLAN_WORKFLOW, snapshot.recipients)
            journal.update_row(TABLE, "code", row.code, row.version, values)
            journal.known_head(STREAM, row.code, row.version, row.head_hash)
            after = SimpleNamespace(**{**dict(row._mapping), **values})
            reason = (document or "").strip()
            journal.event(STREAM, row.code, action.value, changes, seq=version, from_state=row.state,
                          to_state=after.state, reason=reason, facts=_facts_after(after),
                          subject=_subject(after, action.value, version, snapshot.unit_names, reason))
            journal.write()
            _commit(uow, row.code)
            return SpecialPlanView(row_json(after), after.lead_unit in own_units(snapshot))
    except OperationalError as exc:
        raise Conflict(*_BUSY) from exc


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
        return [SpecialPlanView(row_json(r), r.lead_unit in own) for r in uow.session.exec(query).all()]


def show_special_plan(uow: UnitOfWork, *, code: str) -> SpecialPlanDetail:
    with uow:
        row = _get_row(uow.session, code)
        view = SpecialPlanView(row_json(row), row.lead_unit in own_units(directory(uow.session)))
        return SpecialPlanDetail(view, _events(uow.session, row.code))


def special_plan_history(uow: UnitOfWork, *, code: str) -> list[EventView]:
    with uow:
        row = _get_row(uow.session, code)
        return _events(uow.session, row.code)


def _events(session: Session, code: str) -> list[EventView]:
    events = session.exec(
        select(AuditEvent).where(AuditEvent.stream_type == STREAM, AuditEvent.stream_id == code)
        .order_by(col(AuditEvent.seq))).all()
    return [EventView(e.seq, e.action, e.from_state, e.to_state, e.actor, e.at, e.origin, e.reason,
                      json.loads(e.payload), e.hash) for e in events]


def replayed_special_plan(uow: UnitOfWork, *, code: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The row rebuilt from its events, beside the stored row (both in JSON form)."""
    with uow:
        row = _get_row(uow.session, code)
        return replay(e.payload["changes"] for e in _events(uow.session, row.code)), row_json(row)

