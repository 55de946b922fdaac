"""The daily sweep: lights, reminders (督办) and automatic escalation over every open problem.

Set-based: one query selects, with the day's threshold dates, only the problems whose light must
change or that must rise a rung; their new values and hash-chained events are computed in Python
and written with one executemany UPDATE (guarded by each row's version) and one bulk INSERT of
events and one of outbox messages, all in one transaction. Idempotent: a second run on the same
day selects nothing, so it writes nothing.

Per problem and run, in this order, each event taking the next version as its sequence number:
`light_change` (and, on turning red, one more missed deadline), `remind` when it turned red while a
unit handles it, `escalate` (the transition table's own action, taken as the `system` actor) when
it is more than N working days overdue or has missed M deadlines — once per deadline.
"""

from __future__ import annotations

import operator
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, case, insert, null, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel, col
from sqlmodel import select as sm_select

from coordination.config import DISTRICT_TZ
from coordination.domain.audit import canonical_plain, event_hash_plain, to_json_value
from coordination.domain.enums import OPEN_STATES, Action, Level, Light, Role, State
from coordination.domain.errors import Conflict, CoordError, NotPermitted
from coordination.domain.notices import (
    Notice,
    ProblemBrief,
    escalation_digest,
    overdue_digest,
    verification_chase,
)
from coordination.domain.problem import ActionInput, Actor, ProblemFacts, Roster, authorize, plan
from coordination.domain.sweep import (
    HANDLING_STATES,
    SweepAction,
    SweepSettings,
    Thresholds,
    escalation_due,
    escalation_reason,
)
from coordination.domain.workdays import WorkCalendar
from coordination.models import Person, PersonRole, Project
from coordination.services import outbox
from coordination.services.calendar import work_calendar
from coordination.services.common import Caller, ProblemFactsAfter, append_event, load_actor, require_role
from coordination.services.settings import sweep_settings
from coordination.uow import UnitOfWork

PROBLEM: Table = SQLModel.metadata.tables["problem"]
EVENT: Table = SQLModel.metadata.tables["audit_event"]
SWEEP_STREAM = "sweep"

_OPEN = sorted(s.value for s in OPEN_STATES)
_HANDLING = sorted(s.value for s in HANDLING_STATES)

# Every sweep-touched column is written for every changed row: one statement, run with executemany.
_UPDATE = (
    update(PROBLEM)
    .where(PROBLEM.c.id == bindparam("b_id"), PROBLEM.c.version == bindparam("b_old_version"))
    .values(light=bindparam("b_light"), missed_deadlines=bindparam("b_missed"),
            escalated_due=bindparam("b_escalated_due"), level=bindparam("b_level"), state=bindparam("b_state"),
            version=bindparam("b_version"))
)
_BUMP = (
    update(PROBLEM)
    .where(PROBLEM.c.id == bindparam("b_id"), PROBLEM.c.version == bindparam("b_old_version"))
    .values(version=bindparam("b_version"))
)


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
    escalations: list[Escalation] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # escalations the transition table refused
    events: int = 0
    messages: int = 0
    seconds: float = 0.0

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
            "reminders": self.reminders,
            "escalations": [{"id": e.problem_id, "from_level": e.from_level, "to_level": e.to_level, "why": e.why}
                            for e in self.escalations],
            "refused": self.refused, "events": self.events, "messages": self.messages,
            "seconds": round(self.seconds, 3),
        }


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


# ---- writing many events at once -----------------------------------------------------------


class _Batch:
    """Events, row updates and notices of one run, chained per problem, written together."""

    def __init__(self, caller: Caller) -> None:
        self.caller = caller
        self._at = caller.now.isoformat()
        self.events: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.bumps: list[dict[str, Any]] = []
        self.notices: list[Notice] = []
        self.overdue: dict[str | None, list[ProblemBrief]] = {}  # lead unit -> problems that turned red
        self.escalated: list[tuple[ProblemBrief, int, str]] = []

    def digests(self, *, today: date, run: int, heads: dict[str, list[str]], units: dict[str, str]) -> None:
        """One 督办单 per lead unit and one escalation report per run, keyed by the day and the run."""
        prefix = f"sweep:{today.isoformat()}:{run}"
        for unit, problems in sorted(self.overdue.items(), key=lambda item: item[0] or ""):
            self.notices.append(overdue_digest(unit, units.get(unit or ""), problems, key=f"{prefix}:remind:{unit}",
                                               today=today, heads=heads.get(unit or "", [])))
        if self.escalated:
            self.notices.append(escalation_digest(self.escalated, key=f"{prefix}:escalate", today=today))

    def event(self, *, problem_id: str, seq: int, prev_hash: str, action: str, state: str, to_state: str | None = None,
              changes: dict[str, Any], facts: ProblemFactsAfter, reason: str | None = None,
              extra: dict[str, Any] | None = None) -> str:
        """Chain one event after `prev_hash`; `changes` and `extra` hold JSON values only."""
        # The same fields, in the same form, as services.common.hashed_fields hashes for one event.
        fields = {
            "stream_type": "problem", "stream_id": problem_id, "seq": seq, "action": str(action),
            "from_state": state, "to_state": to_state or state, "actor": self.caller.handle, "at": self._at,
            "origin": self.caller.origin, "reason": reason,
            "payload": canonical_plain({"changes": changes, **(extra or {})}),
            "level": facts.level, "lead_unit": facts.lead_unit,
            "due_date": facts.due_date.isoformat() if facts.due_date else None, "on_time": facts.on_time,
        }
        digest = event_hash_plain(prev_hash, fields)
        self.events.append({**fields, "at": self.caller.now, "due_date": facts.due_date, "prev_hash": prev_hash,
                            "hash": digest})
        return digest

    def write(self, session: Session) -> None:
        connection = session.connection()
        for statement, rows in ((_UPDATE, self.updates), (_BUMP, self.bumps)):
            if rows and _executemany(connection, statement, rows) != len(rows) \
                    and connection.dialect.supports_sane_multi_rowcount:
                raise Conflict("问题在巡查期间被他人修改，本次巡查未生效，请重试",
                               "problems changed during the sweep; nothing was applied, run it again")
        if self.events:
            _executemany(connection, insert(EVENT), self.events)
        if self.notices:
            rows = outbox.notice_rows(self.notices, now=self.caller.now, origin=self.caller.origin)
            _executemany(connection, insert(outbox.OUTBOX_TABLE), rows)


def _executemany(connection: Connection, statement: Any, rows: list[dict[str, Any]]) -> int:
    """One statement over many rows through the driver's executemany.

    Core's own executemany builds each row's parameters in Python (about 3 s per 100,000 events);
    here the statement is compiled once and only the columns whose type converts values (dates,
    aware datetimes, booleans) pass through their bind processors.
    """
    dialect = connection.dialect
    compiled = statement.compile(dialect=dialect, column_keys=list(rows[0]))
    names = list(compiled.positiontup or []) if compiled.positional else list(compiled.binds)
    converting: list[tuple[int, Any, dict[Any, Any]]] = []
    for index, name in enumerate(names):
        convert = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
        if convert is not None:
            converting.append((index, convert, {}))  # a run repeats its dates and its one timestamp: memoise
    pick = operator.itemgetter(*names)
    params: list[Any] = []
    for row in rows:
        values = list(pick(row)) if len(names) > 1 else [pick(row)]
        for index, convert, seen in converting:
            raw = values[index]
            if raw is not None:
                done = seen.get(raw)
                if done is None:
                    done = seen[raw] = convert(raw)
                values[index] = done
        params.append(tuple(values) if compiled.positional else dict(zip(names, values, strict=True)))
    result = connection.exec_driver_sql(compiled.string, params)
    return int(result.rowcount)


def _facts(row: Any, level: int) -> ProblemFactsAfter:
    return ProblemFactsAfter(level, row.lead_unit, row.due_date, row.resolved_on_time)


def _system_actor(session: Session, caller: Caller) -> Actor:
    actor = load_actor(session, caller.handle)
    if Role.SYSTEM not in actor.roles:
        raise NotPermitted(f"{caller.handle} 不是系统账号，巡查只能由内置的 system 账号执行",
                           f"{caller.handle} is not the system actor; only `system` sweeps")
    return actor


def _names(session: Session, role: Role) -> dict[str, list[str]]:
    return outbox.names_by_unit(session, role)


def _project_names(session: Session) -> dict[str, str]:
    return dict(session.exec(sm_select(Project.code, Project.name)).all())


def _brief(row: Any, projects: dict[str, str], units: dict[str, str]) -> ProblemBrief:
    return ProblemBrief(id=row.id, title=row.title, project_name=projects.get(row.project, row.project),
                        lead_unit=row.lead_unit, lead_unit_name=units.get(row.lead_unit or ""),
                        due_date=row.due_date, level=row.level)


def _busy(exc: OperationalError) -> Conflict:
    return Conflict("数据库正忙，本次巡查未生效，请重试", "the database is busy; nothing was applied, try again")


# ---- the sweep -----------------------------------------------------------------------------


def _candidates(today: Thresholds, settings: SweepSettings) -> Any:
    p = PROBLEM.c
    target = case(
        (p.due_date.is_(None), null()),
        (p.due_date < today.today, Light.RED.value),
        (p.due_date <= today.yellow_until, Light.YELLOW.value),
        else_=Light.GREEN.value,
    )
    missed_after = p.missed_deadlines + case((p.light == Light.RED.value, 0), else_=1)
    escalates = and_(
        p.state.in_(_HANDLING), p.level < int(Level.L5), p.due_date < today.today,
        or_(p.escalated_due.is_(None), p.escalated_due != p.due_date),
        or_(p.due_date < today.escalate_before, missed_after >= settings.escalate_after_missed_deadlines),
    )
    last_event = and_(EVENT.c.stream_type == "problem", EVENT.c.stream_id == p.id, EVENT.c.seq == p.version)
    return (
        select(p.id, p.project, p.title, p.state, p.level, p.lead_unit, p.due_date, p.resolved_on_time, p.light,
               p.missed_deadlines,
               p.escalated_due, p.version, EVENT.c.hash.label("last_hash"))
        .select_from(PROBLEM.join(EVENT, last_event))
        .where(p.state.in_(_OPEN), or_(target.is_distinct_from(p.light), escalates))
        .order_by(p.id)
        .with_for_update(of=PROBLEM)  # lock the problems, not the events joined to read their last hash
    )


def sweep(
    uow: UnitOfWork,
    *,
    caller: Caller,
    dry_run: bool = False,
    only_on_working_days: bool = False,
    requested_by: Caller | None = None,
) -> SweepResult:
    """Turn lights, remind on red, escalate the long overdue; `dry_run` says what it would do.

    The sweep acts as the `system` actor (`caller`). A person who asks for it by hand
    (`requested_by`, e.g. from `coord sweep`) must be an admin or in the secretariat.
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
            calendar = work_calendar(session)
            result.working_day = calendar.is_workday(caller.today)
            if only_on_working_days and not result.working_day:
                return result
            settings = sweep_settings(session)
            thresholds = Thresholds.on(caller.today, calendar, settings)
            rows = session.connection().execute(_candidates(thresholds, settings)).all()
            batch = _Batch(caller)
            runs_today = _runs_today(session, caller.today)
            if rows:
                _plan_rows(session, rows, batch, result, actor=actor, thresholds=thresholds, settings=settings,
                           calendar=calendar, run=runs_today + 1)
            result.events = len(batch.events)
            result.messages = len(batch.notices)
            if not dry_run and (batch.events or not runs_today):
                batch.write(session)
                append_event(session, stream_type=SWEEP_STREAM, stream_id=caller.today.isoformat(), action="sweep",
                             caller=caller, changes={}, extra={"summary": _summary(result)})
                uow.commit()
    except OperationalError as exc:
        raise _busy(exc) from exc
    result.seconds = time.perf_counter() - started
    return result


def _summary(result: SweepResult) -> dict[str, Any]:
    return {"lights": result.lights(), "reminders": len(result.reminders), "escalations": len(result.escalations),
            "refused": len(result.refused), "events": result.events, "messages": result.messages}


def _runs_today(session: Session, today: date) -> int:
    """How many sweep runs that day has recorded (the seq of its last `sweep` event)."""
    last = session.connection().execute(
        select(EVENT.c.seq).where(EVENT.c.stream_type == SWEEP_STREAM, EVENT.c.stream_id == today.isoformat())
        .order_by(EVENT.c.seq.desc()).limit(1)
    ).scalar()
    return int(last or 0)


def _plan_rows(
    session: Session,
    rows: Sequence[Any],
    batch: _Batch,
    result: SweepResult,
    *,
    actor: Actor,
    thresholds: Thresholds,
    settings: SweepSettings,
    calendar: WorkCalendar,
    run: int,
) -> None:
    heads = _names(session, Role.UNIT_HEAD)
    projects = _project_names(session)
    units = outbox.unit_names(session)
    today = thresholds.today
    for row in rows:
        version, prev, state = row.version, row.last_hash, row.state
        light, missed, level, escalated_due = row.light, row.missed_deadlines, row.level, row.escalated_due
        new_light = thresholds.light(row.due_date)
        new_value = new_light.value if new_light else None
        if new_value != light:
            turned_red = new_light is Light.RED
            missed += int(turned_red)
            version += 1
            changes: dict[str, Any] = {"light": new_value, "version": version}
            if turned_red:
                changes["missed_deadlines"] = missed
            prev = batch.event(problem_id=row.id, seq=version, prev_hash=prev, action=SweepAction.LIGHT_CHANGE,
                               state=state, changes=changes, facts=_facts(row, level),
                               extra={"previous_light": light})
            result.light_changes.append(LightChange(row.id, light, new_value))
            if turned_red and state in _HANDLING:
                version += 1
                to = heads.get(row.lead_unit or "", [])
                prev = batch.event(problem_id=row.id, seq=version, prev_hash=prev, action=SweepAction.REMIND,
                                   state=state, changes={"version": version}, facts=_facts(row, level),
                                   reason="已超过办结期限，督办责任单位",
                                   extra={"unit": row.lead_unit, "to": to, "due_date": to_json_value(row.due_date),
                                          "notice": f"sweep:{today.isoformat()}:{run}:remind:{row.lead_unit}"})
                batch.overdue.setdefault(row.lead_unit, []).append(_brief(row, projects, units))
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
                prev = batch.event(problem_id=row.id, seq=version, prev_hash=prev, action=Action.ESCALATE.value,
                                   state=state, to_state=new_state, changes=changes, reason=reason,
                                   facts=_facts(row, planned["level"]),
                                   extra={"automatic": why})
                batch.escalated.append((_brief(row, projects, units), planned["level"], reason))
                result.escalations.append(Escalation(row.id, level, planned["level"], why))
                level, state, escalated_due = planned["level"], new_state, row.due_date
        if version != row.version:
            batch.updates.append({"b_id": row.id, "b_old_version": row.version, "b_light": light, "b_missed": missed,
                                  "b_escalated_due": escalated_due, "b_level": level, "b_state": state,
                                  "b_version": version})
    batch.digests(today=today, run=run, heads=heads, units=units)


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
            calendar = work_calendar(session)
            result.working_day = calendar.is_workday(caller.today)
            if only_on_working_days and not result.working_day:
                return result
            settings = sweep_settings(session)
            thresholds = Thresholds.on(caller.today, calendar, settings)
            p = PROBLEM.c
            last_event = and_(EVENT.c.stream_type == "problem", EVENT.c.stream_id == p.id, EVENT.c.seq == p.version)
            rows = session.connection().execute(
                select(p.id, p.project, p.title, p.state, p.level, p.lead_unit, p.due_date, p.resolved_on_time,
                       p.raised_by, p.resolved_on,
                       p.version, EVENT.c.hash.label("last_hash"), EVENT.c.action.label("last_action"),
                       EVENT.c.at.label("last_at"))
                .select_from(PROBLEM.join(EVENT, last_event))
                .where(p.state == State.RESOLUTION_SUBMITTED.value, p.resolved_on < thresholds.chase_before)
                .order_by(p.id).with_for_update(of=PROBLEM)
            ).all()
            batch = _Batch(caller)
            secretariat = _secretariat_names(session)
            people = dict(session.exec(sm_select(Person.handle, Person.name)).all())
            projects = _project_names(session)
            units = outbox.unit_names(session)
            for row in rows:
                if row.last_action == SweepAction.CHASE_VERIFICATION and \
                        _local_day(row.last_at) >= thresholds.chase_before:
                    continue
                waited = calendar.working_days_between(row.resolved_on, caller.today)
                seq = row.version + 1
                batch.event(problem_id=row.id, seq=seq, prev_hash=row.last_hash,
                            action=SweepAction.CHASE_VERIFICATION, state=row.state, changes={"version": seq},
                            facts=_facts(row, row.level),
                            reason=f"申请办结已 {waited} 个工作日未销号，提醒核实",
                            extra={"resolved_on": to_json_value(row.resolved_on), "waited_working_days": waited})
                batch.bumps.append({"b_id": row.id, "b_old_version": row.version, "b_version": seq})
                checkers = [people.get(row.raised_by, row.raised_by), *secretariat]
                batch.notices.append(verification_chase(_brief(row, projects, units), seq=seq,
                                                        resolved_on=row.resolved_on, waited=waited,
                                                        checkers=list(dict.fromkeys(checkers))))
                result.chased.append(row.id)
            result.events, result.messages = len(batch.events), len(batch.notices)
            if not dry_run and batch.events:
                batch.write(session)
                uow.commit()
    except OperationalError as exc:
        raise _busy(exc) from exc
    return result


def _local_day(moment: datetime | str) -> date:
    if isinstance(moment, str):  # a Core select on SQLite hands back the stored text
        moment = datetime.fromisoformat(moment).replace(tzinfo=UTC)
    return moment.astimezone(DISTRICT_TZ).date()


def _secretariat_names(session: Session) -> list[str]:
    rows = session.exec(
        sm_select(Person.name).join(PersonRole, col(PersonRole.handle) == col(Person.handle))
        .where(PersonRole.role == Role.SECRETARIAT.value, col(Person.active).is_(True))
        .order_by(col(Person.handle))
    ).all()
    return list(rows)
