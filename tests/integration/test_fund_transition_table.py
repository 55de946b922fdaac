"""Every cell of the fund application's transition table, walked through the real services on real SQLite files.

The fund's counterpart of test_filing_transition_table.py: for each from-state one district is built once
per module, holding an application (ZRZY's) driven there through the services; each (action, from-state,
role) case then acts on a byte copy (tests/integration/walk.py). Ids end in the expected outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest

from coordination.domain.enums import Role
from coordination.domain.errors import InvalidInput, NotPermitted
from coordination.domain.fund import StageInput, event_reason
from coordination.domain.fund_workflow import FUND_ACTIONS, FUND_TRANSITIONS, FUND_WORKFLOW, FundAction, FundState
from coordination.services import funds
from tests.integration.walk import StateDbs, Walk

A = FundAction
INPUTS: dict[StrEnum, dict[str, Any]] = {
    A.PREPARE: {},
    A.APPLY: {"reason": "已报市发改委"},
    A.GRANT: {"amount_yuan": 30_000_000, "document": "发改投资〔2024〕88号"},
    A.EVALUATE: {"evaluation": "绩效良好"},
    A.REFUSE: {"reason": "未入选年度计划"},
    A.WITHDRAW: {"reason": "项目调整"},
}

WALK = Walk(
    workflow=FUND_WORKFLOW,
    actions=FUND_ACTIONS,
    add=lambda d: d.add_fund(),
    act=lambda d, handle, key, action: d.fund_act(handle, key, action, **INPUTS[action]),
    row=lambda d, key: d.fund_row(key),
    events=lambda d, key: d.stream_events("fund", key),
    replayed=lambda d, key: funds.replayed_fund(d.uow(), code=key),
    paths={
        FundState.RESERVE: [],
        FundState.PREPARING: [A.PREPARE],
        FundState.APPLYING: [A.PREPARE, (A.APPLY, Role.HANDLER)],
        FundState.GRANTED: [A.PREPARE, A.APPLY, A.GRANT],
        FundState.EVALUATED: [A.PREPARE, A.APPLY, A.GRANT, A.EVALUATE],
        FundState.REFUSED: [A.PREPARE, A.APPLY, A.REFUSE],
        FundState.WITHDRAWN: [(A.WITHDRAW, Role.UNIT_HEAD)],
    },
    reason=lambda action: event_reason(FundAction(action), StageInput(**INPUTS[action])),
)
CASES = WALK.cases()


def test_the_cases_cover_every_action_state_and_role() -> None:
    WALK.check_coverage(CASES)


@pytest.fixture(scope="module")
def state_dbs(district_factory: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory) -> StateDbs:
    return WALK.build_states(district_factory, tmp_path_factory)


@pytest.mark.parametrize(("action", "state", "role", "outcome"), CASES)
def test_fund_transition_table_cell(state_dbs: StateDbs, tmp_path: Path, action: FundAction, state: FundState,
                                    role: Role, outcome: str) -> None:
    WALK.check_cell(state_dbs, tmp_path, action, state, role, outcome)


# ---- what the table alone does not show ----------------------------------------------------


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_who_adds_applications_for_the_applying_unit(district: Any, role: Role) -> None:
    before = district.audit_count()
    handle = district.by_role(role)
    if role in FUND_TRANSITIONS[A.ADD].roles:
        code = district.add_fund(handle=handle)
        row = district.fund_row(code)
        assert (code, row["state"], row["added_by"], row["lead_unit"], row["version"]) == (
            "ZJ-2024-01", "reserve", handle, "ZRZY", 1)
        assert district.audit_count() == before + 1
    else:
        with pytest.raises(NotPermitted):
            district.add_fund(handle=handle)
        assert district.audit_count() == before


def test_adding_cannot_go_through_an_action(district: Any) -> None:
    code = district.add_fund()
    with pytest.raises(InvalidInput, match="coord fund add"):
        district.fund_act(district.secretariat, code, A.ADD)
