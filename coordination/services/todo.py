"""What the pages read beyond the single use cases: a person's to-do list, the dashboard, names.

The to-do list is derived from the transition table: a section exists for a person when one of
their roles may take its action at all, and its problems are those where the role's scope (lead
unit, linked project, raiser, …), the action's source states and its guards hold — turned into SQL
here, so that each section is counted and cut in the database, within what the person may see.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, or_, true
from sqlmodel import col, select

from coordination.domain.enums import OPEN_STATES, Action, Level, Light, Role
from coordination.domain.errors import Conflict, NotFound, NotPermitted
from coordination.domain.investment import default_as_of
from coordination.domain.lights import LightThresholds
from coordination.domain.problem import Actor, Roster, authorize
from coordination.domain.transitions import TRANSITIONS, Guard, Scope
from coordination.models import AuditEvent, Problem
from coordination.services import issue_reads, issues, projects
from coordination.services.calendar import work_calendar
from coordination.services.report_facts import instant
from coordination.services.snapshot import Directory, directory
from coordination.services.visibility import Viewer
from coordination.uow import UnitOfWork

SECTION_SIZE = 20  # problems listed per section; the count says how many in all


# ---- names ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Names:
    """Display names for codes and handles, from the cached directory (no query beyond its stamp)."""

    people: dict[str, str]
    roles: dict[str, frozenset[Role]]
    units: dict[str, str]
    active_units: list[tuple[str, str]]
    projects: dict[str, str]

    def holders(self, role: Role) -> list[tuple[str, str]]:
        """(handle, name) of everyone holding `role`, in handle order."""
        return [(h, self.people[h]) for h in sorted(self.roles) if role in self.roles[h]]


def names(uow: UnitOfWork) -> Names:
    with uow:
        return names_in(directory(uow.session))


_last_names: list[tuple[Directory, Names]] = []  # the newest snapshot's names (a race only recomputes)


def names_in(snapshot: Directory) -> Names:
    """The names a page shows, made once per directory snapshot (every page needs them)."""
    last = _last_names[-1] if _last_names else None
    if last is not None and last[0] is snapshot:
        return last[1]
    people = {h: p.name for h, p in snapshot.people.items()}
    roles = {h: p.roles for h, p in snapshot.people.items() if p.active}
    active = sorted((code, name) for code, (name, on) in snapshot.units.items() if on)
    found = Names(people, roles, snapshot.unit_names, active, dict(snapshot.project_names))
    _last_names[:] = [(snapshot, found)]
    return found


def raisable_projects(uow: UnitOfWork, *, handle: str) -> list[tuple[str, str]]:
    """(code, name) of the projects this person may raise a problem on, as the table's `raise` rule says."""
    with uow:
        snapshot = directory(uow.session)
        actor = snapshot.actor(handle)
        found: list[tuple[str, str]] = []
        for code, roster in sorted(snapshot.rosters.items()):
            try:
                authorize(Action.RAISE, actor, None, roster)
            except (NotPermitted, Conflict, NotFound):
                continue
            found.append((code, snapshot.project_names.get(code, code)))
        return found


# ---- the to-do list ------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    key: str  # acknowledge, assign, verify, approve_extension, resolve, queue_*, red, yellow
    zh: str
    en: str
    action: Action | None  # the action the section's problems wait for (None: lights)
    items: list[issues.ProblemView]
    total: int


@dataclass(frozen=True)
class Todo:
    handle: str
    unit: str | None
    sections: list[Section] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Problems waiting for this person's action (the light sections only repeat them or inform)."""
        return sum(s.total for s in self.sections if s.action is not None)


# Sections whose problems wait for one action of the table, in the order the page shows them.
_ACTION_SECTIONS: tuple[tuple[str, Action, str, str], ...] = (
    ("acknowledge", Action.ACKNOWLEDGE, "待签收", "To acknowledge"),
    ("assign", Action.ASSIGN, "待交办", "To assign"),
    ("verify", Action.VERIFY, "待核验销号", "To verify"),
    ("approve_extension", Action.APPROVE_EXTENSION, "待批准延期", "Extensions to approve"),
    ("resolve", Action.RESOLVE, "办理中（办结后申请销号）", "In hand (resolve when done)"),
)


def _scope(scope: Scope, actor: Actor, rosters: dict[str, Roster]) -> ColumnElement[bool]:
    """`domain.problem._in_scope` in SQL: the problems within this actor's reach for one role."""
    def projects_where(test: Any) -> ColumnElement[bool]:
        codes = sorted(code for code, roster in rosters.items() if test(roster))
        return col(Problem.project).in_(codes) if codes else false()

    unit = actor.unit
    match scope:
        case Scope.ANY:
            return true()
        case Scope.LEAD_UNIT:
            return col(Problem.lead_unit) == unit if unit else false()
        case Scope.LEAD_OR_CO_UNIT:
            if not unit:
                return false()
            return or_(col(Problem.lead_unit) == unit, col(Problem.co_units).contains(json.dumps(unit)))
        case Scope.PROJECT_LEADER:
            return projects_where(lambda r: actor.handle in r.leaders)
        case Scope.PROJECT_SPECIALIST:
            return projects_where(lambda r: actor.handle in r.specialists)
        case Scope.RAISER:
            return col(Problem.raised_by) == actor.handle
        case Scope.ROSTER_UNIT:
            return projects_where(lambda r: unit is not None and unit in r.units)


def _guard(guard: Guard, actor: Actor) -> ColumnElement[bool]:
    """`domain.problem._check_guards` in SQL, for the guards a list can judge from the row alone."""
    match guard:
        case Guard.BELOW_TOP_LEVEL:
            return col(Problem.level) < int(Level.L5)
        case Guard.NOT_RESOLVING_UNIT:
            if not actor.unit:
                return true()
            return or_(col(Problem.resolved_by_unit).is_(None), col(Problem.resolved_by_unit) != actor.unit)
        case Guard.NO_PENDING_EXTENSION:
            return col(Problem.pending_extension_days).is_(None)
        case Guard.PENDING_EXTENSION:
            return col(Problem.pending_extension_days).is_not(None)
        case Guard.DUE_PROVISIONAL:
            return and_(col(Problem.due_provisional).is_(True), col(Problem.due_date).is_not(None))
        case Guard.DISPUTE_WINDOW:
            return true()  # a working-day count: left to the problem page, which asks the domain


def may_act(action: Action, actor: Actor, rosters: dict[str, Roster]) -> ColumnElement[bool] | None:
    """The problems on which `actor` may take `action` now, in SQL; None when no role of theirs ever may."""
    rule = TRANSITIONS[action]
    reaches = [_scope(scope, actor, rosters) for role, scope in rule.roles.items() if role in actor.roles]
    if not reaches:
        return None
    return and_(col(Problem.state).in_(sorted(s.value for s in rule.sources)), or_(*reaches),
                *(_guard(g, actor) for g in rule.guards))


def _queue_of(actor: Actor, rosters: dict[str, Roster]) -> tuple[str, str, str, ColumnElement[bool]] | None:
    """The escalation queue this person answers for, as the reports define them.

    Linked leaders: L3 and above on their projects (as `coord queue --leader`); the principal: L4 and
    above; the secretariat: the task force's L2.
    """
    escalated = col(Problem.state).in_(sorted(s.value for s in OPEN_STATES))
    if Role.PRINCIPAL in actor.roles:
        return "queue_principal", "提请主要领导协调（L4 及以上）", "For the principal leader (L4 and above)", and_(
            escalated, col(Problem.level) >= int(Level.L4))
    if Role.LEADER in actor.roles:
        linked = sorted(code for code, r in rosters.items() if actor.handle in r.leaders)
        return "queue_leader", "挂钩项目提级问题（L3 及以上）", "Escalated on my projects (L3 and above)", and_(
            escalated, col(Problem.level) >= int(Level.L3),
            col(Problem.project).in_(linked) if linked else false())
    if Role.SECRETARIAT in actor.roles:
        return "queue_task_force", "专班队列（L2）", "The task force's queue (L2)", and_(
            escalated, col(Problem.level) == int(Level.L2))
    return None


def _urgent_first(query: Any) -> Any:
    due = col(Problem.due_date)
    return query.order_by(due.is_(None), due, col(Problem.level).desc(), col(Problem.raised_on), col(Problem.id))


def todo(uow: UnitOfWork, *, handle: str, today: date, viewer: Viewer, size: int = SECTION_SIZE) -> Todo:
    """What this person must do now, section by section, most urgent first within each.

    Every section is limited to what `viewer` sees; all counts come in one statement, then each
    non-empty section reads only its first `size` rows.
    """
    with uow:
        session = uow.session
        snapshot = directory(session)
        actor = snapshot.actor(handle)
        calendar = work_calendar(session)
        lights = LightThresholds.on(today, calendar)
        seen = viewer.condition()
        wanted: list[tuple[str, str, str, Action | None, ColumnElement[bool]]] = []
        for key, section_action, zh, en in _ACTION_SECTIONS:
            condition = may_act(section_action, actor, snapshot.rosters)
            if condition is not None:
                wanted.append((key, zh, en, section_action, condition))
        queue = _queue_of(actor, snapshot.rosters)
        if queue is not None:
            wanted.append((queue[0], queue[1], queue[2], None, queue[3]))
        lit = issue_reads.light_conditions(lights)
        wanted.append(("red", "已超期（红灯）", "Overdue (red)", None, lit[Light.RED]))
        wanted.append(("yellow", "即将到期（黄灯）", "Due soon (yellow)", None, lit[Light.YELLOW]))
        scoped = [(k, zh, en, a, c if seen is None else and_(c, seen)) for k, zh, en, a, c in wanted]
        counts = session.exec(select(*(
            select(func.count()).select_from(Problem).where(c).scalar_subquery() for *_, c in scoped))).one()
        sections: list[Section] = []
        for (key, zh, en, action, condition), total in zip(scoped, counts, strict=True):
            rows = session.exec(_urgent_first(select(Problem).where(condition)).limit(size)).all() if total else []
            sections.append(Section(key, zh, en, action,
                                    [issues.view_of(r, calendar, today, lights) for r in rows], int(total)))
        return Todo(handle, actor.unit, sections)


# ---- the dashboard -------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekFlow:
    first: date  # the week's Monday
    new: int
    finished: int  # verified (销号) or closed as explained


@dataclass(frozen=True)
class UnitLoad:
    unit: str
    red: int
    yellow: int


@dataclass(frozen=True)
class Dashboard:
    today: date
    lights: dict[str, int]
    by_state: dict[str, int]
    weeks: list[WeekFlow]
    units: list[UnitLoad]  # the units leading most overdue problems, worst first
    board: projects.ProjectBoard  # projects with their figures at the last complete month

    @property
    def behind(self) -> list[projects.ProjectWithFigures]:
        """Projects furthest behind 序时进度 (those with a plan), worst first."""
        planned = [p for p in self.board.projects if p.figures.gap is not None]
        return sorted(planned, key=lambda p: (-(p.figures.gap or 0), p.project.code))


def _week_bounds(today: date, weeks: int) -> list[date]:
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks + 1)]


def dashboard(uow: UnitOfWork, *, today: date, viewer: Viewer, weeks: int = 8, units: int = 8) -> Dashboard:
    """Light and state counts, new and finished problems per week, the most overdue units, projects' figures.

    Everything about problems is limited to what `viewer` sees; the projects' investment figures are
    the district's.
    """
    lights = issue_reads.count_lights(uow, today=today, viewer=viewer)
    by_state = issue_reads.count_problems(uow, viewer=viewer)
    board = projects.board(uow, as_of=default_as_of(today))
    seen = viewer.condition()
    mine: tuple[ColumnElement[bool], ...] = () if seen is None else (seen,)
    with uow:
        session = uow.session
        days = _week_bounds(today, weeks)
        bounds = [instant(d) for d in days]
        at = col(AuditEvent.at)
        bucket = case(*((at < bound, index) for index, bound in enumerate(bounds[1:])), else_=weeks)
        finished = (Action.VERIFY.value, Action.EXPLAIN.value)
        rows = session.exec(
            select(bucket, AuditEvent.action, func.count())
            .join(Problem, col(Problem.id) == col(AuditEvent.stream_id))
            .where(AuditEvent.stream_type == "problem", col(AuditEvent.action).in_([Action.RAISE.value, *finished]),
                   at >= bounds[0], at < bounds[-1], *mine)
            .group_by(bucket, AuditEvent.action)).all()
        new, done = [0] * weeks, [0] * weeks
        for index, action, count in rows:
            if 0 <= index < weeks:
                (new if action == Action.RAISE.value else done)[index] += int(count)
        flows = [WeekFlow(days[i], new[i], done[i]) for i in range(weeks)]

        lit = issue_reads.light_conditions(LightThresholds.on(today, work_calendar(session)))
        red = func.sum(case((lit[Light.RED], 1), else_=0))
        yellow = func.sum(case((lit[Light.YELLOW], 1), else_=0))
        loads = session.exec(
            select(Problem.lead_unit, red, yellow)
            .where(col(Problem.lead_unit).is_not(None), or_(lit[Light.RED], lit[Light.YELLOW]), *mine)
            .group_by(Problem.lead_unit).order_by(red.desc(), yellow.desc(), col(Problem.lead_unit)).limit(units)).all()
        return Dashboard(today, lights, by_state, flows,
                         [UnitLoad(str(u), int(r or 0), int(y or 0)) for u, r, y in loads], board)
