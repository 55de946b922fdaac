"""A problem's row as the write path changes it: its facts, the row-and-head read, one recorded change.

The use cases in services/issues.py (and the ledger import and a meeting's close) call these to queue a
change of a problem in a Journal; the read side never needs them.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, SQLModel

from coordination.domain.enums import Action, Difficulty, Level, State
from coordination.domain.errors import Conflict, NotFound
from coordination.domain.labels import label
from coordination.domain.notices import NoticeItem
from coordination.domain.problem import ProblemFacts, Roster
from coordination.domain.problem_workflow import PROBLEM_WORKFLOW
from coordination.models import Problem
from coordination.services.common import Caller
from coordination.services.driver import fetch_rows
from coordination.services.snapshot import Directory, directory
from coordination.services.writer import EVENT, FactsAfter, Journal, brief_of
from coordination.uow import UnitOfWork

PROBLEM_STREAM = PROBLEM_WORKFLOW.kind
PROBLEM_TABLE: Table = SQLModel.metadata.tables["problem"]
_COLUMNS = tuple(Problem.model_fields)


def problem_facts(row: Problem) -> ProblemFacts:
    return ProblemFacts(
        id=row.id,
        state=State(row.state),
        level=row.level,
        lead_unit=row.lead_unit,
        co_units=tuple(json.loads(row.co_units)),
        raised_by=row.raised_by,
        resolved_by_unit=row.resolved_by_unit,
        assigned_on=row.assigned_on,
        due_date=row.due_date,
        due_provisional=row.due_provisional,
        difficulty=Difficulty(row.difficulty) if row.difficulty else None,
        pending_extension_days=row.pending_extension_days,
        extension_count=row.extension_count,
        reopen_count=row.reopen_count,
        resolved_on=row.resolved_on,
        resolved_on_time=row.resolved_on_time,
    )


def load_roster(session: Session, project_code: str) -> Roster:
    return directory(session).roster(project_code)


def db_values(changes: dict[str, Any]) -> dict[str, Any]:
    """Changed fields as the problem row's columns hold them (co-units as JSON text, enums by value)."""
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "co_units":
            values[name] = json.dumps(list(value), ensure_ascii=False)
        elif isinstance(value, State | Difficulty):
            values[name] = value.value
        else:
            values[name] = value
    return values


# The row and the hash of its last event (seq == version) in one read: all a writer needs of the chain.
_ROW_AND_HEAD = (
    sa_select(PROBLEM_TABLE, EVENT.c.hash.label("head_hash"))
    .select_from(PROBLEM_TABLE.outerjoin(EVENT, and_(
        EVENT.c.stream_type == PROBLEM_STREAM, EVENT.c.stream_id == PROBLEM_TABLE.c.id,
        EVENT.c.seq == PROBLEM_TABLE.c.version)))
    .where(PROBLEM_TABLE.c.id == bindparam("id"))
)
_ROW_AND_HEAD_LOCKED = _ROW_AND_HEAD.with_for_update(of=PROBLEM_TABLE)


def get_row(session: Session, problem_id: str, *, lock: bool = False) -> Problem:
    # lock: a writer reads the row FOR UPDATE, so that on PostgreSQL concurrent writers to one problem
    # queue as they do on SQLite (BEGIN IMMEDIATE) and each decides on the row as the last one left it.
    rows = fetch_rows(session.connection(), _ROW_AND_HEAD_LOCKED if lock else _ROW_AND_HEAD,
                      {"id": problem_id.strip().upper()}, cache_key=("problem_row", lock))
    if not rows:
        raise NotFound(f"问题 {problem_id} 不存在", f"problem {problem_id} not found")
    return cast(Problem, rows[0])


def merged(row: Problem, values: dict[str, Any]) -> Problem:
    """The row as it is after `values` were written (read models are built from it)."""
    mapping = getattr(row, "_mapping", None)  # a Core row; else a row object (ORM, namespace)
    fields = dict(mapping) if mapping is not None else {name: getattr(row, name) for name in _COLUMNS}
    fields.update(values)
    return cast(Problem, SimpleNamespace(**fields))


def check_units(snapshot: Directory, codes: list[str]) -> None:
    for code in codes:
        if not snapshot.active_unit(code):
            raise NotFound(f"单位 {code} 不存在或已停用", f"unit {code} not found or inactive")


def facts_after(row: Problem) -> FactsAfter:
    return FactsAfter(row.level, row.lead_unit, row.due_date, row.resolved_on_time)


def journal_for(session: Session, caller: Caller, *, batch_key: str | None = None) -> Journal:
    """A journal for problem changes, addressing notices from the current directory."""
    return Journal(session, caller, PROBLEM_WORKFLOW, directory(session).recipients, batch_key=batch_key)


def record_change(
    journal: Journal,
    row: Problem,
    action: Action,
    changes: dict[str, Any],
    *,
    reason: str | None,
    extra: dict[str, Any] | None = None,
) -> Problem:
    """Queue one audited change of one problem in `journal`: the versioned update, its event, its notices."""
    version = row.version + 1
    changes = {**changes, "version": version}
    values = db_values(changes)
    journal.update_row(PROBLEM_TABLE, "id", row.id, row.version, values)
    after = merged(row, values)
    head = getattr(row, "head_hash", None)
    if head is not None:
        journal.known_head(PROBLEM_STREAM, row.id, row.version, head)
    snapshot = directory(journal.session)
    subject = NoticeItem(
        brief=brief_of(after, snapshot.project_names, snapshot.unit_names), action=action.value, seq=version,
        reason=reason, raised_by=after.raised_by, co_units=tuple(json.loads(after.co_units)),
        detail=_notice_detail(action, after, extra))
    journal.event(PROBLEM_STREAM, row.id, action.value, changes, seq=version, from_state=row.state,
                  to_state=after.state, reason=reason, extra=extra, facts=facts_after(after), subject=subject)
    return after


def _notice_detail(action: Action, after: Problem, extra: dict[str, Any] | None) -> str:
    if action is Action.ESCALATE:
        return f"提至 {label(Level(after.level))}"
    if action is Action.REQUEST_EXTENSION:
        return f"申请延期 {after.pending_extension_days} 个工作日"
    if action is Action.APPROVE_EXTENSION:
        return f"新期限 {after.due_date}"
    if action is Action.DECIDE and extra and extra.get("minutes_number"):
        return f"依据{extra['minutes_number']}"  # the number names its kind of 纪要
    return ""


def commit(uow: UnitOfWork, problem_id: str) -> None:
    try:
        uow.commit()
    except IntegrityError as exc:
        raise Conflict(f"问题 {problem_id} 同时被他人修改，本次操作未生效",
                       f"{problem_id} was changed concurrently; nothing was applied") from exc
    except OperationalError as exc:
        raise Conflict("数据库正忙，本次操作未生效，请重试",
                       "the database is busy; nothing was applied, try again") from exc
