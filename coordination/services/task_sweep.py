"""The daily sweep's part for plan tasks: a monthly 督办 to a task in hand that reports no progress.

A task 推进中 whose last report (or signing, or return) and last 督办 are both `sweep.task_progress_days`
(default 30) days old or more gets one `remind` event and its lead unit's head is told — once per
window: the reminder itself starts the next one, so an unreported task is reminded monthly, not daily.
Selected in one statement with the same condition as `domain.task.progress_reminder_due`, and written
through the one write path by the sweep's own transaction (services/sweep.py).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Date, Table, bindparam, or_, select
from sqlmodel import Session

from coordination.domain.audit import to_json_value
from coordination.domain.notices import NoticeItem
from coordination.domain.sweep import SweepAction, SweepSettings
from coordination.domain.task import progress_reminder_due
from coordination.domain.task_workflow import TaskState
from coordination.models import Task
from coordination.services.common import Caller
from coordination.services.snapshot import Directory
from coordination.services.task_changes import PLAN_TABLE, TASK_STREAM, TASK_TABLE, brief_of, facts_after, journal_for
from coordination.services.writer import EVENT, Journal

TASK: Table = TASK_TABLE
PLAN: Table = PLAN_TABLE


def _build_candidates() -> Any:
    t = TASK.c
    # The last event's hash read per selected task: as a join, SQLite would walk every task event.
    last_hash = (select(EVENT.c.hash)
                 .where(EVENT.c.stream_type == TASK_STREAM, EVENT.c.stream_id == t.id, EVENT.c.seq == t.version)
                 .scalar_subquery())
    cutoff = bindparam("cutoff", type_=Date)
    return (
        select(t.id, t.plan, t.title, t.state, t.lead_unit, t.co_units, t.due_date, t.completed_on_time,
               t.last_progress_on, t.reminded_on, t.version, last_hash.label("last_hash"),
               PLAN.c.name.label("plan_name"))
        .select_from(TASK.join(PLAN, PLAN.c.code == t.plan))
        .where(t.state == TaskState.IN_PROGRESS.value, t.last_progress_on <= cutoff,
               or_(t.reminded_on.is_(None), t.reminded_on <= cutoff))
        .order_by(t.id)
        .with_for_update(of=TASK)
    )


_CANDIDATES = _build_candidates()  # built once, run every working day


def plan_task_reminders(session: Session, caller: Caller, *, snapshot: Directory, settings: SweepSettings,
                        batch_key: str) -> tuple[Journal, list[str]]:
    """The sweep's task reminders, queued in a journal of their own (the caller writes it in its transaction)."""
    today = caller.today
    days = settings.task_progress_days
    journal = journal_for(session, caller, snapshot=snapshot, batch_key=batch_key, always_digest=True)
    reminded: list[str] = []
    for row in session.connection().execute(_CANDIDATES, {"cutoff": today - timedelta(days=days)}).all():
        # The SQL above narrows; the domain's rule decides (tests hold the two to one rule).
        if not progress_reminder_due(state=TaskState(row.state), last_progress_on=row.last_progress_on,
                                     reminded_on=row.reminded_on, today=today, days=days):
            continue
        version = row.version + 1
        silent = (today - row.last_progress_on).days
        reason = f"已 {silent} 天未报送进展，督办牵头单位"
        journal.known_head(TASK_STREAM, row.id, row.version, row.last_hash)
        journal.event(
            TASK_STREAM, row.id, SweepAction.REMIND.value, {"reminded_on": today, "version": version}, seq=version,
            from_state=row.state, to_state=row.state, reason=reason, facts=facts_after(cast(Task, row)),
            extra={"unit": row.lead_unit, "to": list(snapshot.recipients.heads.get(row.lead_unit, ())),
                   "last_progress_on": to_json_value(row.last_progress_on), "silent_days": silent},
            subject=NoticeItem(brief=brief_of(cast(Task, row), row.plan_name, snapshot.unit_names),
                               action=SweepAction.REMIND.value, seq=version, reason=reason))
        journal.update_row(TASK, "id", row.id, row.version, {"reminded_on": today, "version": version})
        reminded.append(row.id)
    return journal, reminded
