"""What each action does to a problem: who may take it, and which fields it changes.

Functions here take the facts and return values (the changed fields); they never write or read
anything but their arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from coordination.domain.deadlines import DEFAULT_DIFFICULTY_DAYS, due_for
from coordination.domain.enums import Action, Difficulty, Level, Role, State
from coordination.domain.errors import Conflict, InvalidInput, NotPermitted
from coordination.domain.hygiene import (
    EXTENSION_MAX_WORKING_DAYS,
    TEXT_MAX,
    TITLE_MAX,
    check_day,
    check_extension_days,
    clean_reason,
    optional_text,
    required_text,
)
from coordination.domain.labels import bilingual
from coordination.domain.transitions import TRANSITIONS, Guard, ProblemRule, Scope
from coordination.domain.workdays import WorkCalendar

DISPUTE_WINDOW_WORKING_DAYS = 1


@dataclass(frozen=True)
class Actor:
    handle: str
    unit: str | None
    roles: frozenset[Role]


@dataclass(frozen=True)
class Roster:
    """A project's 1+2+N: linked leaders, locality and lead unit, helper units, specialists."""

    project: str
    leaders: frozenset[str] = frozenset()
    specialists: frozenset[str] = frozenset()
    units: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ProblemFacts:
    """The parts of a problem row the rules look at."""

    id: str
    state: State
    level: int = 1
    lead_unit: str | None = None
    co_units: tuple[str, ...] = ()
    raised_by: str | None = None
    resolved_by_unit: str | None = None
    assigned_on: date | None = None
    due_date: date | None = None
    due_provisional: bool = False
    difficulty: Difficulty | None = None
    pending_extension_days: int | None = None
    extension_count: int = 0
    reopen_count: int = 0
    resolved_on: date | None = None
    resolved_on_time: bool | None = None


@dataclass(frozen=True)
class ActionInput:
    """What the acting person supplied with an action."""

    reason: str | None = None
    unit: str | None = None
    co_units: tuple[str, ...] = ()
    difficulty: Difficulty | None = None
    due: date | None = None
    extension_days: int | None = None


@dataclass(frozen=True)
class Settings:
    difficulty_days: Mapping[Difficulty, int] = field(
        default_factory=lambda: dict(DEFAULT_DIFFICULTY_DAYS))


def _in_scope(scope: Scope, actor: Actor, problem: ProblemFacts | None, roster: Roster) -> bool:
    match scope:
        case Scope.ANY:
            return True
        case Scope.LEAD_UNIT:
            return problem is not None and actor.unit is not None and actor.unit == problem.lead_unit
        case Scope.LEAD_OR_CO_UNIT:
            return (problem is not None and actor.unit is not None
                    and (actor.unit == problem.lead_unit or actor.unit in problem.co_units))
        case Scope.PROJECT_LEADER:
            return actor.handle in roster.leaders
        case Scope.PROJECT_SPECIALIST:
            return actor.handle in roster.specialists
        case Scope.RAISER:
            return problem is not None and actor.handle == problem.raised_by
        case Scope.ROSTER_UNIT:
            return actor.unit is not None and actor.unit in roster.units


def _subject(problem: ProblemFacts | None, roster: Roster) -> tuple[str, str]:
    if problem is None:
        return f"项目 {roster.project}", f"project {roster.project}"
    return f"问题 {problem.id}", problem.id


def authorize(action: Action, actor: Actor, problem: ProblemFacts | None, roster: Roster) -> Role:
    """The role under which `actor` may take `action`; raises NotPermitted or Conflict otherwise.

    Order of the checks: does any of the actor's roles ever take this action (else not permitted);
    does the table allow it from the current state (else conflict); does the roster put the
    problem within the actor's reach (else not permitted).
    """
    rule = TRANSITIONS[action]
    action_zh, action_en = bilingual(action)
    subject_zh, subject_en = _subject(problem, roster)
    eligible = [role for role in rule.roles if role in actor.roles]
    if not eligible:
        raise NotPermitted(
            f"{actor.handle} 的角色不能对{subject_zh} 执行“{action_zh}”",
            f"{actor.handle} has no role that may {action_en} {subject_en}",
        )
    if problem is not None:
        require_allowed_state(action, problem)
    for role in eligible:
        if _in_scope(rule.roles[role], actor, problem, roster):
            return role
    raise NotPermitted(
        f"{actor.handle} 不是{subject_zh}的相关责任人，不能{action_zh}",
        f"{actor.handle} is not responsible for {subject_en} and may not {action_en} it",
    )


def available_actions(
    actor: Actor, problem: ProblemFacts, roster: Roster, *, today: date, calendar: WorkCalendar
) -> list[Action]:
    """The actions `actor` may take on `problem` now, in the table's order: role, scope, state and guards.

    Actions taken only through a process (a meeting's decision, the calendar's recompute) are left out:
    nobody takes them directly. What the page offers is what the server would accept.
    """
    offered: list[Action] = []
    for action, rule in TRANSITIONS.items():
        if action is Action.RAISE or rule.taken_by is not None:
            continue
        try:
            authorize(action, actor, problem, roster)
            _check_guards(rule, actor, problem, today, calendar)
        except (NotPermitted, Conflict):
            continue
        offered.append(action)
    return offered


def require_allowed_state(action: Action, problem: ProblemFacts) -> None:
    """Conflict unless the transition table allows `action` from the problem's state."""
    if not TRANSITIONS[action].allows_from(problem.state):
        action_zh, action_en = bilingual(action)
        state_zh, state_en = bilingual(problem.state)
        raise Conflict(
            f"问题 {problem.id} 当前为{state_zh}，不能{action_zh}",
            f"cannot {action_en} {problem.id} while {state_en}",
        )


def _check_guards(
    rule: ProblemRule, actor: Actor, problem: ProblemFacts, today: date, calendar: WorkCalendar
) -> None:
    action_zh, action_en = bilingual(rule.action)
    for guard in rule.guards:
        match guard:
            case Guard.DISPUTE_WINDOW:
                if problem.assigned_on is not None and calendar.working_days_between(
                    problem.assigned_on, today
                ) > DISPUTE_WINDOW_WORKING_DAYS:
                    raise Conflict(
                        f"问题 {problem.id} 交办已超过 1 个工作日，不能退回交办，请申请延期或提级",
                        f"{problem.id} was assigned more than 1 working day ago and can no longer be disputed",
                    )
            case Guard.BELOW_TOP_LEVEL:
                if problem.level >= Level.L5:
                    raise Conflict(
                        f"问题 {problem.id} 已在最高层级 L5，不能再提级",
                        f"{problem.id} is already at L5 and cannot rise further",
                    )
            case Guard.NOT_RESOLVING_UNIT:
                if actor.unit is not None and actor.unit == problem.resolved_by_unit:
                    raise NotPermitted(
                        f"{actor.handle} 属于办理单位 {actor.unit}，不能{action_zh}本单位办结的问题 {problem.id}",
                        f"{actor.handle} belongs to the resolving unit {actor.unit} and may not "
                        f"{action_en} {problem.id}",
                    )
            case Guard.NO_PENDING_EXTENSION:
                if problem.pending_extension_days is not None:
                    raise Conflict(
                        f"问题 {problem.id} 已有待批准的延期申请",
                        f"{problem.id} already has an extension request waiting for approval",
                    )
            case Guard.PENDING_EXTENSION:
                if problem.pending_extension_days is None:
                    raise Conflict(
                        f"问题 {problem.id} 没有待批准的延期申请",
                        f"{problem.id} has no extension request to approve",
                    )
            case Guard.DUE_PROVISIONAL:
                if not problem.due_provisional or problem.due_date is None:
                    raise Conflict(
                        f"问题 {problem.id} 的办结期限不是暂定的，无需重算",
                        f"{problem.id} has no provisional due date to recompute",
                    )


def _need_reason(rule: ProblemRule, inputs: ActionInput) -> None:
    # Every reason is cleaned, needed or not: a hostile note is refused before anything is written.
    if clean_reason(inputs.reason) is None and rule.needs_reason:
        action_zh, action_en = bilingual(rule.action)
        raise InvalidInput(f"“{action_zh}”需要填写说明（--reason 或 --note）",
                           f"{action_en} needs a reason (--reason or --note)")


def plan(
    action: Action,
    actor: Actor,
    problem: ProblemFacts,
    inputs: ActionInput,
    *,
    today: date,
    calendar: WorkCalendar,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """The fields `action` changes on `problem`, after guards and input checks."""
    settings = settings or Settings()
    rule = TRANSITIONS[action]
    _need_reason(rule, inputs)
    _check_guards(rule, actor, problem, today, calendar)
    changes: dict[str, Any] = {}
    if rule.target is not None and rule.target != problem.state:
        changes["state"] = rule.target
    if rule.counts_reopen:
        changes["reopen_count"] = problem.reopen_count + 1

    match action:
        case Action.ASSIGN:
            if not inputs.unit:
                raise InvalidInput("交办需要指定责任单位（--unit）", "assign needs a lead unit (--unit)")
            if inputs.unit in inputs.co_units:
                raise InvalidInput("责任单位不能同时是配合单位", "the lead unit cannot also be a co-unit")
            difficulty = inputs.difficulty or Difficulty.B
            if inputs.due is not None:
                check_day(inputs.due, field_zh="办结期限", field_en="the due date", option="--due")
                if inputs.due <= today:
                    raise InvalidInput(f"办结期限 {inputs.due} 必须晚于今天 {today}",
                                       f"due date {inputs.due} must be after today {today}")
                # A date a person names is a date, not a count: never provisional.
                due_day, provisional = inputs.due, False
            else:
                computed = due_for(difficulty, today, calendar, settings.difficulty_days)
                due_day, provisional = computed.day, computed.provisional
            changes.update(lead_unit=inputs.unit, co_units=list(inputs.co_units), difficulty=difficulty,
                           assigned_on=today, due_date=due_day, due_provisional=provisional)
        case Action.DECIDE:
            if not inputs.unit or inputs.due is None:
                raise InvalidInput("会议议定需要牵头单位和办结期限", "a decision needs a lead unit and a due date")
            check_day(inputs.due, field_zh="办结期限", field_en="the due date", option="--due")
            changes.update(lead_unit=inputs.unit, co_units=list(inputs.co_units), due_date=inputs.due,
                           due_provisional=False, pending_extension_days=None)
        case Action.DISPUTE:
            changes.update(lead_unit=None, co_units=[], difficulty=None, assigned_on=None,
                           due_date=None, due_provisional=False, pending_extension_days=None)
        case Action.REQUEST_EXTENSION:
            if inputs.extension_days is None or inputs.extension_days <= 0:
                raise InvalidInput("申请延期需要填写延长的工作日数（--days，正整数）",
                                   "an extension request needs --days, a positive number of working days")
            changes["pending_extension_days"] = check_extension_days(inputs.extension_days)
        case Action.APPROVE_EXTENSION:
            assert problem.pending_extension_days is not None
            if problem.pending_extension_days > EXTENSION_MAX_WORKING_DAYS:
                # Asked for before the cap: approving it would run the due date off the calendar.
                raise InvalidInput(
                    f"问题 {problem.id} 待批准的延期 {problem.pending_extension_days} 个工作日超过一年"
                    f"（{EXTENSION_MAX_WORKING_DAYS} 个工作日）的上限，不能批准；请经会议议定新的期限",
                    f"{problem.id}: the pending extension of {problem.pending_extension_days} working days is "
                    f"above the cap of a year ({EXTENSION_MAX_WORKING_DAYS}); it cannot be approved — "
                    "let a meeting decide a new due date")
            base = problem.due_date or today
            extended = calendar.add_working_days(base, problem.pending_extension_days)
            changes.update(due_date=extended.day, due_provisional=extended.provisional,
                           pending_extension_days=None, extension_count=problem.extension_count + 1)
        case Action.ESCALATE:
            changes["level"] = problem.level + 1
            if problem.due_date is not None and today > problem.due_date:
                # Escalated for this missed deadline already: the sweep will not raise it again for it.
                changes["escalated_due"] = problem.due_date
        case Action.RESOLVE:
            changes.update(resolved_by_unit=problem.lead_unit, resolved_on=today,
                           resolved_on_time=problem.due_date is None or today <= problem.due_date)
        case Action.VERIFY:
            changes["closed_on"] = today
        case Action.REJECT:
            changes.update(resolved_by_unit=None, resolved_on=None, resolved_on_time=None)
        case Action.REOPEN:
            difficulty = problem.difficulty or Difficulty.B
            computed = due_for(difficulty, today, calendar, settings.difficulty_days)
            # A fresh deadline counted from today, as if handed over again.
            changes.update(closed_on=None, resolved_by_unit=None, resolved_on=None, resolved_on_time=None,
                           assigned_on=today, due_date=computed.day, due_provisional=computed.provisional,
                           pending_extension_days=None)
        case Action.RECOMPUTE_DUE:
            assert problem.due_date is not None
            due_day, provisional = problem.due_date, not calendar.knows(problem.due_date.year)
            if problem.assigned_on is not None and problem.difficulty is not None and problem.extension_count == 0:
                recomputed = calendar.add_working_days(problem.assigned_on,
                                                       settings.difficulty_days[problem.difficulty])
                due_day, provisional = recomputed.day, recomputed.provisional
            # (An extended deadline has no single formula: keep its day, firm it up once its year is known.)
            if due_day != problem.due_date:
                changes["due_date"] = due_day
            if provisional != problem.due_provisional:
                changes["due_provisional"] = provisional
            if problem.resolved_on is not None:
                on_time = problem.resolved_on <= due_day
                if on_time != problem.resolved_on_time:
                    changes["resolved_on_time"] = on_time
            if not changes:
                raise Conflict(f"问题 {problem.id} 的办结期限所在年度尚未发布，暂无法重算",
                               f"{problem.id}: the due date's year is still not loaded; nothing to recompute")
        case _:
            pass
    return changes


def new_problem(
    *, project: str, title: str, category: str, detail: str | None, raised_by: str, today: date
) -> dict[str, Any]:
    """The fields of a freshly raised problem."""
    return {
        "project": project,
        "title": required_text(title, field_zh="问题标题", field_en="the title", option="--title",
                               max_len=TITLE_MAX),
        "category": category,
        "detail": optional_text(detail, field_zh="详细描述", field_en="the detail", option="--detail",
                                max_len=TEXT_MAX, multiline=True),
        "state": State.SUBMITTED,
        "level": int(Level.L1),
        "raised_by": raised_by,
        "raised_on": today,
        "lead_unit": None,
        "co_units": [],
        "difficulty": None,
        "assigned_on": None,
        "due_date": None,
        "due_provisional": False,
        "pending_extension_days": None,
        "extension_count": 0,
        "reopen_count": 0,
        "resolved_by_unit": None,
        "resolved_on": None,
        "resolved_on_time": None,
        "closed_on": None,
        "light": None,  # the sweep's columns start empty; every later value arrives in an event
        "missed_deadlines": 0,
        "escalated_due": None,
    }
