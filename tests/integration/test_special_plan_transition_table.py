"""Every cell of the special plan's transition table, walked through the real services on real SQLite files.

The special plan's counterpart of test_task_transition_table.py: for each from-state one district is built
once per module, holding a special plan driven there through the services; each (action, from-state, role)
case then acts on a byte copy. Ids end in the expected outcome: `allowed`, `not_permitted` (no role of the
rule's) or `conflict` (the state is not among the rule's sources).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from coordination.domain.enums import Role
from coordination.domain.errors import Conflict, InvalidInput, NotPermitted
from coordination.domain.special_plan_workflow import (
    SPECIAL_PLAN_ACTIONS,
    SPECIAL_PLAN_TRANSITIONS,
    SpecialPlanAction,
    SpecialPlanState,
)
from coordination.services import special_plans

NOW = datetime(2024, 6, 3, 2, 0, tzinfo=UTC)  # Monday 3 June 2024, 10:00 in the district
A = SpecialPlanAction
DOCUMENTS: dict[SpecialPlanAction, str] = {
    A.REVIEW: "综合交通专项规划专家评审意见",
    A.DELIBERATE: "区政府第 12 次常务会议",
    A.ISSUE: "区政府办公室关于印发综合交通专项规划的通知",
}
PATHS: dict[SpecialPlanState, list[SpecialPlanAction]] = {
    SpecialPlanState.DRAFTING: [],
    SpecialPlanState.EXPERT_REVIEWED: [A.REVIEW],
    SpecialPlanState.DELIBERATED: [A.REVIEW, A.DELIBERATE],
    SpecialPlanState.ISSUED: [A.REVIEW, A.DELIBERATE, A.ISSUE],
}


def _expected(action: SpecialPlanAction, state: SpecialPlanState, role: Role) -> str:
    rule = SPECIAL_PLAN_TRANSITIONS[action]
    if role not in rule.roles:
        return "not_permitted"
    if state not in rule.sources:
        return "conflict"
    return "allowed"


CASES = [
    pytest.param(action, state, role, _expected(action, state, role),
                 id=f"{action.value}-from-{state.value}-as-{role.value}-{_expected(action, state, role)}")
    for action in SPECIAL_PLAN_ACTIONS
    for state in SpecialPlanState
    for role in Role
]
ERRORS: dict[str, type[Exception]] = {"not_permitted": NotPermitted, "conflict": Conflict}


def test_the_cases_cover_every_action_state_and_role() -> None:
    assert len(CASES) == len(SPECIAL_PLAN_ACTIONS) * len(SpecialPlanState) * len(Role)
    assert set(SPECIAL_PLAN_TRANSITIONS) - set(SPECIAL_PLAN_ACTIONS) == {A.ADD}
    allowed = {(p.values[0], p.values[1]) for p in CASES if p.values[3] == "allowed"}
    assert allowed == {(a, s) for a in SPECIAL_PLAN_ACTIONS for s in SPECIAL_PLAN_TRANSITIONS[a].sources}
    assert {p.values[3] for p in CASES} == {"allowed", "not_permitted", "conflict"}


@pytest.fixture(scope="module")
def state_dbs(district_factory: Callable[..., Any],
              tmp_path_factory: pytest.TempPathFactory) -> dict[SpecialPlanState, tuple[Any, str]]:
    """For each from-state: a district database holding a special plan (drafted by ZRZY) in that state."""
    built: dict[SpecialPlanState, tuple[Any, str]] = {}
    for state in SpecialPlanState:
        d = district_factory(tmp_path_factory.mktemp(f"special-plan-from-{state.value}") / "coord.sqlite3", NOW)
        code = d.add_special_plan(now=datetime(2024, 3, 1, 2, 0, tzinfo=UTC))
        for action in PATHS[state]:
            d.special_plan_act(d.secretariat, code, action, document=DOCUMENTS[action])
        assert d.special_plan_row(code)["state"] == state.value
        d.engine.dispose()
        built[state] = (d, code)
    return built


@pytest.mark.parametrize(("action", "state", "role", "outcome"), CASES)
def test_special_plan_transition_table_cell(state_dbs: dict[SpecialPlanState, tuple[Any, str]], tmp_path: Path,
                                            action: SpecialPlanAction, state: SpecialPlanState, role: Role,
                                            outcome: str) -> None:
    template, code = state_dbs[state]
    d = template.copy_to(tmp_path / "coord.sqlite3")
    handle = d.by_role(role)
    rule = SPECIAL_PLAN_TRANSITIONS[action]
    before_row, before_events = d.special_plan_row(code), d.audit_count()
    try:
        if outcome == "allowed":
            view = d.special_plan_act(handle, code, action, document=DOCUMENTS[action])
            assert rule.target is not None and view.state is rule.target
            after_row = d.special_plan_row(code)
            assert after_row["state"] == rule.target.value
            assert after_row["version"] == before_row["version"] + 1
            assert d.audit_count() == before_events + 1, "exactly one audit event per change"
            event = d.special_plan_events(code)[-1]
            assert (event["action"], event["from_state"], event["to_state"], event["actor"], event["seq"],
                    event["reason"]) == (action.value, state.value, rule.target.value, handle,
                                         after_row["version"], DOCUMENTS[action])
            replayed, stored = special_plans.replayed_special_plan(d.uow(), code=code)
            assert replayed == stored
        else:
            with pytest.raises(ERRORS[outcome]):
                d.special_plan_act(handle, code, action, document=DOCUMENTS[action])
            assert d.audit_count() == before_events
            assert d.special_plan_row(code) == before_row
    finally:
        d.engine.dispose()


# ---- what the table alone does not show ----------------------------------------------------


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_only_the_secretariat_adds_special_plans(district: Any, role: Role) -> None:
    before = district.audit_count()
    handle = district.by_role(role)
    if role in SPECIAL_PLAN_TRANSITIONS[A.ADD].roles:
        code = district.add_special_plan(handle=handle)
        row = district.special_plan_row(code)
        assert (code, row["state"], row["added_by"], row["version"]) == ("ZX-JT", "drafting", handle, 1)
        assert district.audit_count() == before + 1
    else:
        with pytest.raises(NotPermitted):
            district.add_special_plan(handle=handle)
        assert district.audit_count() == before


def test_adding_cannot_go_through_an_action(district: Any) -> None:
    code = district.add_special_plan()
    with pytest.raises(InvalidInput, match="coord special-plan add"):
        district.special_plan_act(district.secretariat, code, A.ADD, document="x", on=date(2024, 6, 3))
