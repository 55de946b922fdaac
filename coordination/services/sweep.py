"""The daily sweep: lights, reminders (督办) and automatic escalation over every open problem, and the
monthly 督办 of plan tasks that report no progress (services/task_sweep.py), in one transaction.

Set-based: one query selects, with the day's threshold dates, only the problems whose light must
change or that must rise a rung; their new values and hash-chained events are computed in Python
and written through the one write path (services/writer.py) in its bulk form: one executemany
UPDATE guarded by each row's version, one bulk INSERT of events and one of outbox messages, all in
one transaction. Idempotent: a second run on the same day selects nothing, so it writes nothing.

Per problem and run, in this order, each event taking the next version as its sequence number:
`light_change` (and, on turning red, one more missed deadline), `remind` when it turned red while a
unit handles it, `escalate` (the transition table's own action, taken as the `system` actor) when
it is more than N working days overdue or has missed M deadlines — once per deadline. Who is told
of reminders and escalations is the workflow's notice policy: one message per group and run.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Date, Integer, Table, and_, bindparam, case, or_, select
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel

from coordination.config import DISTRICT_TZ
from coordination.domain.audit import to_json_value
from coordination.domain.enums import OPEN_STATES, Action, Level, Light, Role, State
from coordination.domain.errors import Conflict, CoordError, NotPermitted
from coordination.domain.labels import label
from coordination.domain.notices import NoticeItem, ProblemBrief, verification_chase
from coordination.domain.problem import ActionInput, Actor, ProblemFacts, Roster, authorize, plan
from coordination.domain.problem_workflow import PROBLEM_WORKFLOW
from coordination.domain.sweep import (
    HANDLING_STATES,
    SweepAction,
    SweepSettings,
    Thresholds,
    escalation_due,
    escalation_reason,
)
from coordination.domain.workdays import WorkCalendar
from coordination.services import checkpoints
from coordination.services.common import Caller, load_actor, require_role
from coordination.services.driver import fetch
from coordination.services.issue_reads import light_expression
from coordination.services.settings import sweep_settings
from coordination.services.snapshot import Directory, directory
from coordination.services.task_sweep import plan_task_reminders
from coordination.services.writer import FactsAfter, Journal
from coordination.uow import UnitOfWork

PROBLEM: Table = SQLModel.metadata.tables["problem"]
EVENT: Table = SQLModel.metadata.tables["audit_event"]
SWEEP_STREAM = "sweep"
PROBLEM_STREAM = PROBLEM_WORKFLOW.kind

_OPEN = sorted(s.value for s in OPEN_STATES)
_HANDLING = sorted(s.value for s in HANDLING_STATES)


# ---- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LightChange:
    problem_id: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class Escalation:
    problem_id: str
    from_level: int
    to_level: int
    why: str


@dataclass
class SweepResult:
    today: date
    working_day: bool
    dry_run: bool
    origin: str
    light_changes: list[LightChange] = field(default_factory=list)
    reminders: list[str] = field(default_factory=list)
    task_reminders: list[str] = field(default_factory=list)  # plan tasks without a report for a month
    escalations: list[Escalation] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # escalations the transition table refused
    events: int = 0
    messages: int = 0
    seconds: float = 0.0
    checkpoint: dict[str, Any] | None = None  # the audit checkpoint the run wrote (services/checkpoints.py)

    @property
    def changed(self) -> bool:
        return bool(self.events)

    def lights(self) -> dict[str, int]:
        tally: dict[str, int] = {}
        for change in self.light_changes:
            tally[change.after or "none"] = tally.get(change.after or "none", 0) + 1
        return tally

    def to_json(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(), "working_day": self.working_day, "dry_run": self.dry_run,
            "origin": self.origin, "lights": self.lights(),
            "light_changes": [{"id": c.problem_id, "from": c.before, "to": c.after} for c in self.light_changes],
            "reminders": self.reminders, "task_reminders": self.task_reminders,
            "escalations": [{"id": e.problem_id, "from_level": e.from_level, "to_level": e.to_level, "why": e.why}
                            for e in self.escalations],
            "refused": self.refused, "events": self.events, "messages": self.messages,
            "seconds": round(self.seconds, 3), "checkpoint": self.checkpoint,
        }


    def summary(self, cap: int = 50) -> dict[str, Any]:
        """What a flow run returns: the counts, and at most `cap` ids of each list (`capped` says when cut);
        the whole record is the audit events the run wrote."""
        turned: dict[str, list[str]] = {}
        for change in self.light_changes:
            turned.setdefault(change.after or "none", []).append(change.problem_id)
        escalations = [{"id": e.problem_id, "from_level": e.from_level, "to_level": e.to_level, "why": e.why}
                       for e in self.escalations]
        longest = max([len(self.reminders), len(self.task_reminders), len(escalations),
                       *(len(ids) for ids in turned.values())], default=0)
        return {"today": self.today.isoformat(), "working_day": self.working_day, "dry_run": self.dry_run,
                "lights": self.lights(), "turned": {light: ids[:cap] for light, ids in sorted(turned.items())},
                "reminders": self.reminders[:cap], "task_reminders": self.task_reminders[:cap],
                "escalations": escalations[:cap], "refused": dict(list(self.refused.items())[:cap]),
                "counts": {"reminders": len(self.reminders), "task_reminders": len(self.task_reminders),
                           "escalations": len(escalations), "refused": len(self.refused)},
                "capped": longest > cap, "events": self.events, "messages": self.messages,
                "seconds": round(self.seconds, 3)}


@dataclass
class ChaseResult:
    today: date
    working_day: bool
    dry_run: bool
    origin: str
    chased: list[str] = field(default_factory=list)
    events: int = 0
    messages: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"today": self.today.isoformat(), "working_day": self.working_day, "dry_run": self.dry_run,
                "origin": self.origin, "chased": self.chased, "events": self.events, "messages": self.messages}


def _facts(row: Any, level: int) -> FactsAfter:
    return FactsAfter(level, row.lead_unit, row.due_date, row.resolved_on_time)


def _system_actor(session: Session, caller: Caller) -> Actor:
    actor = load_actor(session, caller.handle, caller)
    if Role.SYSTEM not in actor.roles:
        raise NotPermitted(f"{caller.handle} 不是系统账号，巡查只能由内置的 system 账号执行",
                           f"{caller.handle} is not the system actor; only `system` sweeps")
    return actor


def _brief(row: Any, snapshot: Directory, level: int | None = None) -> ProblemBrief:
    return ProblemBrief(id=row.id, title=row.title, project_name=snapshot.project_names.get(row.project, row.project),
                        lead_unit=row.lead_unit, lead_unit_name=snapshot.unit_names.get(row.lead_unit or ""),
                        due_date=row.due_date, level=row.level if level is None else level)


def _busy(exc: OperationalError) -> Conflict:
    return Conflict("数据库正忙，本次巡查未生效，请重试", "the database is busy; nothing was applied, try again")


# ---- the sweep -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _BoundLights:
    red_before: Any
    yellow_before: Any


def _build_candidates() -> Any:
    """The problems whose light must change or that must rise a rung on a day, its dates bound per run."""
    p = PROBLEM.c
    bounds = _BoundLights(bindparam("red_before", type_=Date), bindparam("yellow_before", type_=Date))
    target = light_expression(bounds, due_date=p.due_date, state=p.state)  # the one rule, as list/dashboard
    missed_after = p.missed_deadlines + case((p.light == Light.RED.value, 0), else_=1)
    escalates = and_(
        p.state.in_(_HANDLING), p.level < int(Level.L5), p.due_date < bindparam("today", type_=Date),
        or_(p.escalated_due.is_(None), p.escalated_due != p.due_date),
        or_(p.due_date < bindparam("escalate_before", type_=Date),
            missed_after >= bindparam("missed", type_=Integer)),
    )
    # The last event's hash read per selected problem: as a join, SQLite would walk every problem event.
    last_hash = (select(EVENT.c.hash)
                 .where(EVENT.c.stream_type == PROBLEM_STREAM, EVENT.c.stream_id == p.id, EVENT.c.seq == p.version)
                 .scalar_subquery())
    return (
        select(p.id, p.project, p.title, p.state, p.level, p.lead_unit, p.due_date, p.resolved_on_time, p.light,
               p.missed_deadlines,
               p.escalated_due, p.version, last_hash.label("last_hash"))
        .where(p.state.in_(_OPEN), or_(target.is_distinct_from(p.light), escalates))
        .order_by(p.id)
        .with_for_update(of=PROBLEM)  # lock the problems, not the events joined to read their last hash
    )


_CANDIDATES = _build_candidates()  # built once: a statement's construction cost more than SQLite's answer


def _candidates(session: Session, today: Thresholds, settings: SweepSettings) -> Sequence[Any]:
    return session.connection().execute(_CANDIDATES, {
        "red_before": today.lights.red_before, "yellow_before": today.lights.yellow_before, "today": today.today,
        "escalate_before": today.escalate_before, "missed": settings.escalate_after_missed_deadlines}).all()


def sweep(
    uow: UnitOfWork,
    *,
    caller: Caller,
    dry_run: bool = False,
    only_on_working_days: bool = False,
    requested_by: Caller | None = None,
    anchor: bool = True,
) -> SweepResult:
    """Turn lights, remind on red, escalate the long overdue; `dry_run` says what it would do.

    The sweep acts as the `system` actor (`caller`). A person who asks for it by hand
    (`requested_by`, e.g. from `coord sweep`) must be an admin or in the secretariat. Each run that
    writes signs an audit checkpoint unless `anchor` is False (the demo's back-dated year anchors quarterly:
    a checkpoint re-reads every stream's head, and two years of daily ones cost most of its build).
    """
    started = time.perf_counter()
    result = SweepResult(caller.today, True, dry_run, caller.origin)
    try:
        with uow:
            session = uow.session
            actor = _system_actor(session, caller)
            if requested_by is not None:
                require_role(load_actor(session, requested_by.handle, requested_by), Role.ADMIN, Role.SECRETARIAT,
                             zh="手动执行巡查", en="run the sweep by hand")
            snapshot = directory(session)
            calendar = snapshot.calendar
            result.working_day = calendar.is_workday(caller.today)
            if only_on_working_days and not result.working_day:
                return result
            settings = sweep_settings(session)
            thresholds = Thresholds.on(caller.today, calendar, settings)
            rows = _candidates(session, thresholds, settings)
            runs_today = _runs_today(session, caller.today)
            batch_key = f"sweep:{caller.today.isoformat()}:{runs_today + 1}"
            journal = Journal(session, caller, PROBLEM_WORKFLOW, snapshot.recipients, batch_key=batch_key,
                              always_digest=True)
            if rows:
                _plan_rows(rows, journal, result, actor=actor, thresholds=thresholds, settings=settings,
                           calendar=calendar, snapshot=snapshot)
            # Plan tasks: their own journal (their workflow's notices), written in this same transaction.
            tasks, result.task_reminders = plan_task_reminders(session, caller, snapshot=snapshot,
                                                                settings=settings, batch_key=f"{batch_key}:task")
            result.events = len(journal.events) + len(tasks.events)
            result.messages = len(journal.policy_notices()) + len(tasks.policy_notices())
            if not dry_run and (result.events or not runs_today):
                tasks.write()
                journal.event(SWEEP_STREAM, caller.today.isoformat(), "sweep", {},
                              extra={"summary": _summary(result)})
                journal.write()
                if anchor:
                    result.checkpoint = checkpoints.anchor_sweep(session, caller, batch_key)
                uow.commit()
    except OperationalError as exc:
        raise _busy(exc) from exc
    result.seconds = time.perf_counter() - started
    return result


def _summary(result: SweepResult) -> dict[str, Any]:
    return {"lights": result.lights(), "reminders": len(result.reminders),
            "task_reminders": len(result.task_reminders), "escalations": len(result.escalations),
            "refused": len(result.refused), "events": result.events, "messages": result.messages}


def _runs_today(session: Session, today: date) -> int:
    """How many sweep runs that day has recorded (the seq of its last `sweep` event)."""
    last = fetch(session.connection(), _LAST_RUN, {"day": today.isoformat()}, cache_key=("sweep_runs",))
    return int(last[0][0]) if last else 0


_LAST_RUN = (select(EVENT.c.seq).where(EVENT.c.stream_type == SWEEP_STREAM, EVENT.c.stream_id == bindparam("day"))
             .order_by(EVENT.c.seq.desc()).limit(1))


def _plan_rows(
    rows: Sequence[Any],
    journal: Journal,
    result: SweepResult,
    *,
    actor: Actor,
    thresholds: Thresholds,
    settings: SweepSettings,
    calendar: WorkCalendar,
    snapshot: Directory,
) -> None:
    today = thresholds.today
    for row in rows:
        version, state = row.version, row.state
        light, missed, level, escalated_due = row.light, row.missed_deadlines, row.level, row.escalated_due
        journal.known_head(PROBLEM_STREAM, row.id, row.version, row.last_hash)
        new_light = thresholds.light(row.due_date)
        new_value = new_light.value if new_light else None
        if new_value != light:
            turned_red = new_light is Light.RED
            missed += int(turned_red)
            version += 1
            changes: dict[str, Any] = {"light": new_value, "version": version}
            if turned_red:
                changes["missed_deadlines"] = missed
            journal.event(PROBLEM_STREAM, row.id, SweepAction.LIGHT_CHANGE.value, changes, seq=version,
                          from_state=state, to_state=state, facts=_facts(row, level),
                          extra={"previous_light": light}, plain=True)
            result.light_changes.append(LightChange(row.id, light, new_value))
            if turned_red and state in _HANDLING:
                version += 1
                brief = _brief(row, snapshot)
                journal.event(PROBLEM_STREAM, row.id, SweepAction.REMIND.value, {"version": version}, seq=version,
                              from_state=state, to_state=state, facts=_facts(row, level),
                              reason="已超过办结期限，督办责任单位", plain=True,
                              extra={"unit": row.lead_unit,
                                     "to": list(snapshot.recipients.heads.get(row.lead_unit or "", ())),
                                     "due_date": to_json_value(row.due_date),
                                     "notice": f"{journal.batch_key}:remind:{row.lead_unit}"},
                              subject=NoticeItem(brief=brief, action=SweepAction.REMIND.value, seq=version))
                result.reminders.append(row.id)
            light = new_value
        why = escalation_due(state=State(state), level=level, due=row.due_date, missed_deadlines=missed,
                             escalated_due=escalated_due, thresholds=thresholds, settings=settings)
        if why is not None:
            facts = ProblemFacts(id=row.id, state=State(state), level=level, lead_unit=row.lead_unit,
                                 due_date=row.due_date)
            reason = escalation_reason(why, settings)
            try:
                authorize(Action.ESCALATE, actor, facts, Roster(project=row.project))
                planned = plan(Action.ESCALATE, actor, facts, ActionInput(reason=reason), today=today,
                               calendar=calendar)
            except CoordError as refusal:
                result.refused[row.id] = refusal.message("en")
            else:
                version += 1
                new_state = planned.get("state", State(state)).value
                changes = {**to_json_value(planned), "escalated_due": to_json_value(row.due_date),
                           "version": version}
                journal.event(PROBLEM_STREAM, row.id, Action.ESCALATE.value, changes, seq=version,
                              from_state=state, to_state=new_state, reason=reason,
                              facts=_facts(row, planned["level"]), extra={"automatic": why}, plain=True,
                              subject=NoticeItem(brief=_brief(row, snapshot, planned["level"]),
                                                 action=Action.ESCALATE.value, seq=version, reason=reason,
                                                 detail=f"提至 {label(Level(planned['level']))}"))
                result.escalations.append(Escalation(row.id, level, planned["level"], why))
                level, state, escalated_due = planned["level"], new_state, row.due_date
        if version != row.version:
            journal.update_row(PROBLEM, "id", row.id, row.version, {
                "light": light, "missed_deadlines": missed, "escalated_due": escalated_due, "level": level,
                "state": state, "version": version})


# ---- chasing verification ------------------------------------------------------------------


def chase_verifications(
    uow: UnitOfWork, *, caller: Caller, dry_run: bool = False, only_on_working_days: bool = False
) -> ChaseResult:
    """催办销号: remind the secretariat and the raiser of resolutions waiting more than N working days.

    A problem is chased again only after another N working days without a verdict.
    """
    result = ChaseResult(caller.today, True, dry_run, caller.origin)
    try:
        with uow:
            session = uow.session
            _system_actor(session, caller)
            snapshot = directory(session)
            calendar = snapshot.calendar
            result.working_day = calendar.is_workday(caller.today)
            if only_on_working_days and not result.working_day:
                return result
            settings = sweep_settings(session)
            thresholds = Thresholds.on(caller.today, calendar, settings)
            p = PROBLEM.c
            last_event = and_(EVENT.c.stream_type == PROBLEM_STREAM, EVENT.c.stream_id == p.id,
                              EVENT.c.seq == p.version)
            rows = session.connection().execute(
                select(p.id, p.project, p.title, p.state, p.level, p.lead_unit, p.due_date, p.resolved_on_time,
                       p.raised_by, p.resolved_on,
                       p.version, EVENT.c.hash.label("last_hash"), EVENT.c.action.label("last_action"),
                       EVENT.c.at.label("last_at"))
                .select_from(PROBLEM.join(EVENT, last_event))
                .where(p.state == State.RESOLUTION_SUBMITTED.value, p.resolved_on < thresholds.chase_before)
                .order_by(p.id).with_for_update(of=PROBLEM)
            ).all()
            journal = Journal(session, caller)
            secretariat = list(snapshot.recipients.secretariat)
            for row in rows:
                if row.last_action == SweepAction.CHASE_VERIFICATION and \
                        _local_day(row.last_at) >= thresholds.chase_before:
                    continue
                waited = calendar.working_days_between(row.resolved_on, caller.today)
                seq = row.version + 1
                journal.known_head(PROBLEM_STREAM, row.id, row.version, row.last_hash)
                journal.event(PROBLEM_STREAM, row.id, SweepAction.CHASE_VERIFICATION.value, {"version": seq},
                              seq=seq, from_state=row.state, to_state=row.state, facts=_facts(row, row.level),
                              reason=f"申请办结已 {waited} 个工作日未销号，提醒核实", plain=True,
                              extra={"resolved_on": to_json_value(row.resolved_on), "waited_working_days": waited})
                journal.update_row(PROBLEM, "id", row.id, row.version, {"version": seq})
                raiser = snapshot.people.get(row.raised_by)
                checkers = [raiser.name if raiser else row.raised_by, *secretariat]
                journal.notify([verification_chase(_brief(row, snapshot), seq=seq, resolved_on=row.resolved_on,
                                                   waited=waited, checkers=list(dict.fromkeys(checkers)))])
                result.chased.append(row.id)
            result.events, result.messages = len(journal.events), len(journal.notices)
            if not dry_run and journal.events:
                journal.write()
                uow.commit()
    except OperationalError as exc:
        raise _busy(exc) from exc
    return result


def _local_day(moment: datetime | str) -> date:
    if isinstance(moment, str):  # a Core select on SQLite hands back the stored text
        moment = datetime.fromisoformat(moment).replace(tzinfo=UTC)
    return moment.astimezone(DISTRICT_TZ).date()
