"""A plan task's row as the write path changes it: its facts, the row-and-head read, one recorded change.

The counterpart of services/problem_changes.py for the second kind: services/tasks.py and the sweep's
monthly 督办 (services/task_sweep.py) queue changes of tasks in a Journal through these.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, SQLModel

from coordination.domain.errors import Conflict, NotFound
from coordination.domain.notices import NoticeItem, ProblemBrief
from coordination.domain.task import TaskFacts
from coordination.domain.task_workflow import TASK_WORKFLOW, TaskAction, TaskState
from coordination.models import Task
from coordination.services.common import Caller
from coordination.services.snapshot import Directory, directory
from coordination.services.writer import EVENT, FactsAfter, Journal
from coordination.uow import UnitOfWork

TASK_STREAM = TASK_WORKFLOW.kind
TASK_TABLE: Table = SQLModel.metadata.tables["task"]
PLAN_TABLE: Table = SQLModel.metadata.tables["plan"]
COLUMNS = tuple(Task.model_fields)

# The row and the hash of its last event (seq == version) in one read: all a writer needs of the chain;
# with its plan's name and kind, which every view and notice of the task shows.
_ROW_AND_HEAD = (
    sa_select(TASK_TABLE, EVENT.c.hash.label("head_hash"), PLAN_TABLE.c.name.label("plan_name"),
              PLAN_TABLE.c.kind.label("plan_kind"))
    .select_from(TASK_TABLE.outerjoin(EVENT, and_(
        EVENT.c.stream_type == TASK_STREAM, EVENT.c.stream_id == TASK_TABLE.c.id,
        EVENT.c.seq == TASK_TABLE.c.version)).outerjoin(PLAN_TABLE, PLAN_TABLE.c.code == TASK_TABLE.c.plan))
    .where(TASK_TABLE.c.id == bindparam("id"))
)
_ROW_AND_HEAD_LOCKED = _ROW_AND_HEAD.with_for_update(of=TASK_TABLE)


def get_row(session: Session, task_id: str, *, lock: bool = False) -> Task:
    """The task (with `head_hash`, `plan_name` and `plan_kind`); a writer locks it, as a problem's writer does."""
    found = session.connection().execute(_ROW_AND_HEAD_LOCKED if lock else _ROW_AND_HEAD,
                                         {"id": task_id.strip().upper()}).first()
    if found is None:
        raise NotFound(f"任务 {task_id} 不存在", f"task {task_id} not found")
    return cast(Task, found)


def task_facts(row: Task) -> TaskFacts:
    return TaskFacts(
        id=row.id, state=TaskState(row.state), lead_unit=row.lead_unit, due_date=row.due_date,
        co_units=tuple(json.loads(row.co_units)), title=row.title, detail=row.detail,
        submitted_by_unit=row.submitted_by_unit, submitted_on=row.submitted_on,
        adjust_count=row.adjust_count, return_count=row.return_count,
    )


def db_values(changes: dict[str, Any]) -> dict[str, Any]:
    """Changed fields as the task row's columns hold them (co-units as JSON text, enums by value)."""
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "co_units":
            values[name] = json.dumps(list(value), ensure_ascii=False)
        elif isinstance(value, TaskState):
            values[name] = value.value
        else:
            values[name] = value
    return values


def merged(row: Task, values: dict[str, Any]) -> Task:
    """The row as it is after `values` were written (read models are built from it)."""
    mapping = getattr(row, "_mapping", None)
    fields = dict(mapping) if mapping is not None else {name: getattr(row, name) for name in COLUMNS}
    fields.update(values)
    return cast(Task, SimpleNamespace(**fields))


def facts_after(row: Task) -> FactsAfter:
    """What the event records of the task right after it (no ladder: no level)."""
    return FactsAfter(None, row.lead_unit, row.due_date, row.completed_on_time)


def brief_of(row: Task, plan_name: str, unit_names: dict[str, str]) -> ProblemBrief:
    """What a notice says about a task: its plan stands where a problem's project does."""
    return ProblemBrief(id=row.id, title=row.title, project_name=plan_name, lead_unit=row.lead_unit,
                        lead_unit_name=unit_names.get(row.lead_unit), due_date=row.due_date,
                        level=0)  # tasks have no ladder; no task notice shows a level


def journal_for(session: Session, caller: Caller, *, snapshot: Directory | None = None,
                batch_key: str | None = None, always_digest: bool = False) -> Journal:
    """A journal for task changes, addressing notices from the current directory."""
    snapshot = snapshot or directory(session)
    return Journal(session, caller, TASK_WORKFLOW, snapshot.recipients, batch_key=batch_key,
                   always_digest=always_digest)


def record_change(
    journal: Journal,
    row: Task,
    action: TaskAction | str,
    changes: dict[str, Any],
    *,
    reason: str | None,
    plan_name: str,
    extra: dict[str, Any] | None = None,
) -> Task:
    """Queue one audited change of one task: the versioned update, its event, its notices."""
    version = row.version + 1
    changes = {**changes, "version": version}
    values = db_values(changes)
    journal.update_row(TASK_TABLE, "id", row.id, row.version, values)
    after = merged(row, values)
    head = getattr(row, "head_hash", None)
    if head is not None:
        journal.known_head(TASK_STREAM, row.id, row.version, head)
    unit_names = directory(journal.session).unit_names
    subject = NoticeItem(brief=brief_of(after, plan_name, unit_names), action=str(action), seq=version,
                         reason=reason, co_units=tuple(json.loads(after.co_units)),
                         detail=_notice_detail(action, row, after))
    journal.event(TASK_STREAM, row.id, str(action), changes, seq=version, from_state=row.state,
                  to_state=after.state, reason=reason, extra=extra, facts=facts_after(after), subject=subject)
    return after


def _notice_detail(action: TaskAction | str, before: Task, after: Task) -> str:
    if action == TaskAction.ADJUST and after.due_date != before.due_date:
        return f"完成期限由 {before.due_date} 调整为 {after.due_date}"
    return ""


def commit(uow: UnitOfWork, task_id: str) -> None:
    try:
        uow.commit()
    except IntegrityError as exc:
        raise Conflict(f"任务 {task_id} 同时被他人修改，本次操作未生效",
                       f"{task_id} was changed concurrently; nothing was applied") from exc
    except OperationalError as exc:
        raise Conflict("数据库正忙，本次操作未生效，请重试",
                       "the database is busy; nothing was applied, try again") from exc
