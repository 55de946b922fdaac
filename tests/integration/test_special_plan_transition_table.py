"""Every cell of the special plan's transition table, walked through the real services on real SQLite files.

The special plan's counterpart of test_task_transition_table.py: for each from-state one district is built
once per module, holding a special plan driven there through the services; each (action, from-state, role)
case then acts on a byte copy (tests/integration/walk.py). Ids end in the expected outcome: `allowed`,
`not_permitted` (no role of the rule's) or `conflict` (the state is not among the rule's sources).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest

from coordination.domain.enums import Role
from coordination.domain.errors import InvalidInput, NotPermitted
from coordination.domain.special_plan_workflow import (
    SPECIAL_PLAN_ACTIONS,
    SPECIAL_PLAN_TRANSITIONS,
    SPECIAL_PLAN_WORKFLOW,
    SpecialPlanAction,
    SpecialPlanState,
)
from coordination.services import special_plans
from tests.integration.walk import StateDbs, Walk

A = SpecialPlanAction
DOCUMENTS: dict[StrEnum, str] = {
    A.REVIEW: "综合交通专项规划专家评审意见",
    A.DELIBERATE: "区政府第 12 次常务会议",
    A.ISSUE: "区政府办公室关于印发综合交通专项规划的通知",
}

WALK = Walk(
    workflow=SPECIAL_PLAN_WORKFLOW,
    actions=SPECIAL_PLAN_ACTIONS,
    # Added in March, so every stage may be dated on the walk's day in June.
    add=lambda d: d.add_special_plan(now=datetime(2024, 3, 1, 2, 0, tzinfo=UTC)),
    act=lambda d, handle, code, action: d.special_plan_act(handle, code, action, document=DOCUMENTS[action]),
    row=lambda d, code: d.special_plan_row(code),
    events=lambda d, code: d.special_plan_events(code),
    replayed=lambda d, code: special_plans.replayed_special_plan(d.uow(), code=code),
    paths={
        SpecialPlanState.DRAFTING: [],
        SpecialPlanState.EXPERT_REVIEWED: [A.REVIEW],
        SpecialPlanState.DELIBERATED: [A.REVIEW, A.DELIBERATE],
        SpecialPlanState.ISSUED: [A.REVIEW, A.DELIBERATE, A.ISSUE],
    },
    reason=lambda action: DOCUMENTS[action],
)
CASES = WALK.cases()


def test_the_cases_cover_every_action_state_and_role() -> None:
    WALK.check_coverage(CASES)
    assert WALK.creating is A.ADD


@pytest.fixture(scope="module")
def state_dbs(district_factory: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory) -> StateDbs:
    """For each from-state: a district database holding a special plan (drafted by ZRZY) in that state."""
    return WALK.build_states(district_factory, tmp_path_factory)


@pytest.mark.parametrize(("action", "state", "role", "outcome"), CASES)
def test_special_plan_transition_table_cell(state_dbs: StateDbs, tmp_path: Path, action: SpecialPlanAction,
                                            state: SpecialPlanState, role: Role, outcome: str) -> None:
    WALK.check_cell(state_dbs, tmp_path, action, state, role, outcome)


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
