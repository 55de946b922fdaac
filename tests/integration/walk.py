"""The transition-table walk every kind shares: each (action, from-state, role) cell, acted through the
real services on a byte copy of a district whose item was driven to that state.

A kind's walk test declares one `Walk` — its workflow, the actions walked, how to add an item, how to
act on it, how to read its row and events, its replay, and the path from the added state to every
other — and takes from it the cases, the coverage check, the per-state databases (built once per
module) and the body of each cell:

    WALK = Walk(workflow=FILING_WORKFLOW, actions=FILING_ACTIONS, add=lambda d: d.add_filing(), act=...,
                row=lambda d, key: d.filing_row(key), events=..., replayed=..., paths={...})
    CASES = WALK.cases()

    def test_the_cases_cover_every_action_state_and_role() -> None:
        WALK.check_coverage(CASES)

    @pytest.fixture(scope="module")
    def state_dbs(district_factory, tmp_path_factory) -> StateDbs:
        return WALK.build_states(district_factory, tmp_path_factory)

    @pytest.mark.parametrize(("action", "state", "role", "outcome"), CASES)
    def test_filing_transition_table_cell(state_dbs, tmp_path, action, state, role, outcome) -> None:
        WALK.check_cell(state_dbs, tmp_path, action, state, role, outcome)

Case ids read `{action}-from-{state}-as-{role}-{outcome}`, the outcome being `allowed`, `not_permitted`
(no role of the rule's) or `conflict` (the state is not among the rule's sources). Districts are the
`District` of tests/conftest.py, reached through the fixtures (typed Any here, as everywhere).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
from _pytest.mark.structures import ParameterSet

from coordination.domain.enums import Role
from coordination.domain.errors import Conflict, NotPermitted
from coordination.domain.workflow import Workflow

NOW = datetime(2024, 6, 3, 2, 0, tzinfo=UTC)  # Monday 3 June 2024, 10:00 in the district
ERRORS: dict[str, type[Exception]] = {"not_permitted": NotPermitted, "conflict": Conflict}
OUTCOMES = frozenset({"allowed", *ERRORS})

# One step of a path to a from-state: an action taken by the secretariat, or (action, role) by that role.
Step = StrEnum | tuple[StrEnum, Role]
StateDbs = dict[Any, tuple[Any, str]]  # from-state -> (the district template, the item's key)


def expected(workflow: Workflow, action: StrEnum, state: StrEnum, role: Role) -> str:
    """The outcome the table promises, in the order the authority checks: the role, then the state."""
    rule = workflow.transitions[action]
    if role not in rule.roles:
        return "not_permitted"
    if state not in rule.sources:
        return "conflict"
    return "allowed"


@dataclass(frozen=True)
class Walk:
    """One kind's walk. `act(d, handle, key, action)` takes a walked action with the kind's inputs for it
    and returns the item's view (its `.state` the kind's state enum); `row`/`events` read the item's row
    and audit events with plain SQL; `replayed` returns (the row rebuilt from its events, the stored row).
    `paths` leads from the state `add` leaves the item in to every state. `reason(action)`, when given,
    is the reason the action's event records, checked in every allowed cell."""

    workflow: Workflow
    actions: Sequence[StrEnum]
    add: Callable[[Any], str]
    act: Callable[[Any, str, str, StrEnum], Any]
    row: Callable[[Any, str], dict[str, Any]]
    events: Callable[[Any, str], list[dict[str, Any]]]
    replayed: Callable[[Any, str], tuple[dict[str, Any], dict[str, Any]]]
    paths: Mapping[Any, Sequence[Step]]
    reason: Callable[[StrEnum], str | None] | None = None
    now: datetime = NOW

    @property
    def creating(self) -> StrEnum:
        """The action that adds an item (the rule without source states): walked apart, by each kind."""
        return next(action for action, rule in self.workflow.transitions.items() if not rule.sources)

    def cases(self) -> list[ParameterSet]:
        return [
            pytest.param(action, state, role, outcome,
                         id=f"{action.value}-from-{state.value}-as-{role.value}-{outcome}")
            for action in self.actions
            for state in self.workflow.states
            for role in Role
            for outcome in (expected(self.workflow, action, state, role),)
        ]

    def check_coverage(self, cases: Sequence[ParameterSet]) -> None:
        """Every action but the adding one, in every state, for every role; every outcome occurs."""
        transitions = self.workflow.transitions
        assert len(cases) == len(self.actions) * len(self.workflow.states) * len(Role)
        assert set(transitions) - set(self.actions) == {self.creating}
        allowed = {(p.values[0], p.values[1]) for p in cases if p.values[3] == "allowed"}
        assert allowed == {(a, s) for a in self.actions for s in transitions[a].sources}
        assert {p.values[3] for p in cases} == OUTCOMES
        assert set(self.paths) == set(self.workflow.states), "a path to every from-state"

    def build_states(self, district_factory: Callable[..., Any],
                     tmp_path_factory: pytest.TempPathFactory) -> StateDbs:
        """For each from-state: a district database holding one item driven there through the services."""
        built: StateDbs = {}
        stem = self.workflow.kind.replace("_", "-")
        for state in self.workflow.states:
            d = district_factory(tmp_path_factory.mktemp(f"{stem}-from-{state.value}") / "coord.sqlite3", self.now)
            key = self.add(d)
            for step in self.paths[state]:
                action, role = step if isinstance(step, tuple) else (step, Role.SECRETARIAT)
                self.act(d, d.by_role(role), key, action)
            assert self.row(d, key)["state"] == state.value
            d.engine.dispose()
            built[state] = (d, key)
        return built

    def check_cell(self, built: StateDbs, tmp_path: Path, action: StrEnum, state: StrEnum, role: Role,
                   outcome: str) -> None:
        """Act as `role` on a copy of the `state` database: an allowed cell writes exactly one versioned
        change and its event, which replay agrees with; a refused one raises its error and writes nothing."""
        template, key = built[state]
        d = template.copy_to(tmp_path / "coord.sqlite3")
        handle = d.by_role(role)
        rule = self.workflow.transitions[action]
        before_row, before_events = self.row(d, key), d.audit_count()
        try:
            if outcome == "allowed":
                view = self.act(d, handle, key, action)
                target = rule.target or state
                assert view.state is target
                after_row = self.row(d, key)
                assert after_row["state"] == target.value
                assert after_row["version"] == before_row["version"] + 1
                assert d.audit_count() == before_events + 1, "exactly one audit event per change"
                event = self.events(d, key)[-1]
                assert (event["action"], event["from_state"], event["to_state"], event["actor"], event["seq"]) == (
                    action.value, state.value, target.value, handle, after_row["version"])
                if self.reason is not None:
                    assert event["reason"] == self.reason(action)
                replayed, stored = self.replayed(d, key)
                assert replayed == stored
            else:
                with pytest.raises(ERRORS[outcome]):
                    self.act(d, handle, key, action)
                assert d.audit_count() == before_events
                assert self.row(d, key) == before_row
        finally:
            d.engine.dispose()
