"""Every cell of the disbursement's transition table, walked through the real services on real SQLite files.

The disbursement's counterpart of test_filing_transition_table.py: for each from-state one district is
built once per module, holding a payment (by ZRZY) driven there through the services; each (action,
from-state, role) case then acts on a byte copy (tests/integration/walk.py). Ids end in the expected outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from coordination.domain.disbursement_workflow import (
    DISBURSEMENT_ACTIONS,
    DISBURSEMENT_TRANSITIONS,
    DISBURSEMENT_WORKFLOW,
    DisbursementAction,
    DisbursementState,
)
from coordination.domain.enums import Role
from coordination.domain.errors import NotPermitted
from coordination.services import disbursements
from tests.integration.walk import StateDbs, Walk

A = DisbursementAction
REASON = "误登记，重复录入"

WALK = Walk(
    workflow=DISBURSEMENT_WORKFLOW,
    actions=DISBURSEMENT_ACTIONS,
    add=lambda d: d.add_disbursement(),
    act=lambda d, handle, key, _action: d.revoke_disbursement(handle, key, reason=REASON),
    row=lambda d, key: d.disbursement_row(key),
    events=lambda d, key: d.stream_events("disbursement", key),
    replayed=lambda d, key: disbursements.replayed_disbursement(d.uow(), disbursement_id=key),
    paths={DisbursementState.RECORDED: [], DisbursementState.REVOKED: [A.REVOKE]},
    reason=lambda _action: REASON,
)
CASES = WALK.cases()


def test_the_cases_cover_every_action_state_and_role() -> None:
    WALK.check_coverage(CASES)


@pytest.fixture(scope="module")
def state_dbs(district_factory: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory) -> StateDbs:
    return WALK.build_states(district_factory, tmp_path_factory)


@pytest.mark.parametrize(("action", "state", "role", "outcome"), CASES)
def test_disbursement_transition_table_cell(state_dbs: StateDbs, tmp_path: Path, action: DisbursementAction,
                                            state: DisbursementState, role: Role, outcome: str) -> None:
    WALK.check_cell(state_dbs, tmp_path, action, state, role, outcome)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_who_records_payments_for_the_paying_unit(district: Any, role: Role) -> None:
    before = district.audit_count()
    handle = district.by_role(role)
    if role in DISBURSEMENT_TRANSITIONS[A.ADD].roles:
        number = district.add_disbursement(handle=handle)
        row = district.disbursement_row(number)
        assert (number, row["state"], row["recorded_by"], row["lead_unit"], row["version"]) == (
            "FF-2024-0001", "recorded", handle, "ZRZY", 1)
        assert district.audit_count() == before + 1
    else:
        with pytest.raises(NotPermitted):
            district.add_disbursement(handle=handle)
        assert district.audit_count() == before
