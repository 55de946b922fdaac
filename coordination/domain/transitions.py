"""The transition table: the single source of who may do what, from which state, to which state.

The CLI, the services, the permission tests and the README's state table all read it. `Rule` is the
kernel's row type for every kind of tracked work (a kind's actions and states are its own enums); the
problem's table is below, the plan task's in `domain/task_workflow.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from coordination.domain.enums import OPEN_STATES, Action, Role, State


class Scope(StrEnum):
    """How far a role reaches for one action, judged against the item (and a problem's project roster)."""

    ANY = "any"
    LEAD_UNIT = "lead_unit"  # the person belongs to the item's lead unit
    LEAD_OR_CO_UNIT = "lead_or_co_unit"
    PROJECT_LEADER = "project_leader"  # linked leader of the problem's project
    PROJECT_SPECIALIST = "project_specialist"
    RAISER = "raiser"  # the person who raised the problem
    ROSTER_UNIT = "roster_unit"  # the person's unit is on the project's 1+2+N roster


class Guard(StrEnum):
    """Conditions beyond state and role; each is checked by the domain before a change."""

    DISPUTE_WINDOW = "dispute_window"  # within 1 working day of assignment
    BELOW_TOP_LEVEL = "below_top_level"  # cannot rise above L5
    NOT_RESOLVING_UNIT = "not_resolving_unit"  # the solver never verifies their own work (any kind)
    NO_PENDING_EXTENSION = "no_pending_extension"
    PENDING_EXTENSION = "pending_extension"
    DUE_PROVISIONAL = "due_provisional"


ActionT = TypeVar("ActionT", bound=StrEnum)
StateT = TypeVar("StateT", bound=StrEnum)


@dataclass(frozen=True)
class Rule(Generic[ActionT, StateT]):
    """One row of a kind's transition table."""

    action: ActionT
    sources: frozenset[StateT]  # empty: the action creates the item
    target: StateT | None  # None: the state does not change
    roles: dict[Role, Scope]
    guards: tuple[Guard, ...] = ()
    needs_reason: bool = False
    counts_reopen: bool = False
    taken_by: str | None = None  # "meeting" or "calendar": taken only through that process, never directly
    changes_state: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "changes_state", self.target is not None)

    def allows_from(self, state: StateT | None) -> bool:
        if not self.sources:
            return state is None
        return state in self.sources


ProblemRule = Rule[Action, State]

S = State
R = Role
_UNIT_STAFF = {R.HANDLER: Scope.LEAD_UNIT, R.UNIT_HEAD: Scope.LEAD_UNIT}
_HANDLING = frozenset({S.ASSIGNED, S.IN_PROGRESS, S.ON_AGENDA})

TRANSITIONS: dict[Action, ProblemRule] = {
    rule.action: rule
    for rule in (
        Rule(
            Action.RAISE, frozenset(), S.SUBMITTED,
            {R.SPECIALIST: Scope.PROJECT_SPECIALIST, R.SECRETARIAT: Scope.ANY,
             R.LEADER: Scope.PROJECT_LEADER, R.PRINCIPAL: Scope.ANY,
             R.HANDLER: Scope.ROSTER_UNIT, R.UNIT_HEAD: Scope.ROSTER_UNIT},
        ),
        Rule(Action.ASSIGN, frozenset({S.SUBMITTED}), S.ASSIGNED, {R.SECRETARIAT: Scope.ANY}),
        Rule(Action.ACKNOWLEDGE, frozenset({S.ASSIGNED}), S.IN_PROGRESS, dict(_UNIT_STAFF)),
        Rule(
            Action.DISPUTE, frozenset({S.ASSIGNED}), S.SUBMITTED, dict(_UNIT_STAFF),
            guards=(Guard.DISPUTE_WINDOW,), needs_reason=True,
        ),
        Rule(
            Action.PROGRESS, frozenset(OPEN_STATES), None,
            {R.SPECIALIST: Scope.PROJECT_SPECIALIST, R.SECRETARIAT: Scope.ANY,
             R.HANDLER: Scope.LEAD_OR_CO_UNIT, R.UNIT_HEAD: Scope.LEAD_OR_CO_UNIT,
             R.LEADER: Scope.PROJECT_LEADER, R.PRINCIPAL: Scope.ANY},
            needs_reason=True,
        ),
        Rule(
            Action.REQUEST_EXTENSION, _HANDLING, None, dict(_UNIT_STAFF),
            guards=(Guard.NO_PENDING_EXTENSION,), needs_reason=True,
        ),
        Rule(
            Action.APPROVE_EXTENSION, _HANDLING, None, {R.SECRETARIAT: Scope.ANY},
            guards=(Guard.PENDING_EXTENSION,),
        ),
        Rule(
            Action.ESCALATE, _HANDLING, S.ON_AGENDA,
            {**_UNIT_STAFF, R.SECRETARIAT: Scope.ANY, R.LEADER: Scope.PROJECT_LEADER,
             R.PRINCIPAL: Scope.ANY, R.SYSTEM: Scope.ANY},
            guards=(Guard.BELOW_TOP_LEVEL,), needs_reason=True,
        ),
        Rule(
            Action.RESOLVE, frozenset({S.IN_PROGRESS, S.ON_AGENDA}), S.RESOLUTION_SUBMITTED,
            dict(_UNIT_STAFF), needs_reason=True,
        ),
        Rule(
            Action.VERIFY, frozenset({S.RESOLUTION_SUBMITTED}), S.CLOSED,
            {R.SECRETARIAT: Scope.ANY, R.SPECIALIST: Scope.RAISER},
            guards=(Guard.NOT_RESOLVING_UNIT,),
        ),
        Rule(
            Action.REJECT, frozenset({S.RESOLUTION_SUBMITTED}), S.IN_PROGRESS,
            {R.SECRETARIAT: Scope.ANY, R.SPECIALIST: Scope.RAISER},
            guards=(Guard.NOT_RESOLVING_UNIT,), needs_reason=True, counts_reopen=True,
        ),
        Rule(
            # Struck off without a solution: the secretariat's or the principal's call, never the handling unit's.
            Action.EXPLAIN, frozenset({S.SUBMITTED, *_HANDLING, S.LONG_TERM}), S.CLOSED_EXPLAINED,
            {R.SECRETARIAT: Scope.ANY, R.PRINCIPAL: Scope.ANY}, needs_reason=True,
        ),
        Rule(
            Action.LONG_TERM, _HANDLING, S.LONG_TERM, {R.SECRETARIAT: Scope.ANY}, needs_reason=True,
        ),
        Rule(
            Action.WITHDRAW, frozenset({S.SUBMITTED, *_HANDLING, S.LONG_TERM}), S.WITHDRAWN,
            {R.SECRETARIAT: Scope.ANY, R.SPECIALIST: Scope.RAISER}, needs_reason=True,
        ),
        Rule(
            Action.REOPEN, frozenset({S.CLOSED, S.CLOSED_EXPLAINED, S.LONG_TERM}), S.IN_PROGRESS,
            {R.SECRETARIAT: Scope.ANY}, needs_reason=True, counts_reopen=True,
        ),
        Rule(
            # Held by the meeting's chair (a unit head chairs only the task force: meetings.CHAIR_ROLES).
            Action.DECIDE, frozenset({S.ON_AGENDA}), S.IN_PROGRESS,
            {R.SECRETARIAT: Scope.ANY, R.LEADER: Scope.PROJECT_LEADER, R.PRINCIPAL: Scope.ANY,
             R.UNIT_HEAD: Scope.ROSTER_UNIT},
            needs_reason=True, taken_by="meeting",
        ),
        Rule(
            Action.RECOMPUTE_DUE, frozenset({*OPEN_STATES, S.CLOSED, S.CLOSED_EXPLAINED}), None,
            {R.ADMIN: Scope.ANY, R.SYSTEM: Scope.ANY}, guards=(Guard.DUE_PROVISIONAL,), taken_by="calendar",
        ),
    )
}

# Actions a person performs on an existing problem from the command line.
PROBLEM_ACTIONS: tuple[Action, ...] = tuple(
    a for a, rule in TRANSITIONS.items() if a is not Action.RAISE and rule.taken_by is None)


def rule_for(action: Action) -> ProblemRule:
    return TRANSITIONS[action]
