"""Every cell of the filing's transition table, walked through the real services on real SQLite files.

The filing's counterpart of test_task_transition_table.py: for each from-state one district is built once
per module, holding a filing (received for ZRZY's window) driven there through the services; each
(action, from-state, role) case then acts on a byte copy (tests/integration/walk.py). Ids end in the
expected outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest

from coordination.domain.enums import Role
from coordination.domain.errors import InvalidInput, NotPermitted
from coordination.domain.filing_workflow import (
    FILING_ACTIONS,
    FILING_TRANSITIONS,
    FILING_WORKFLOW,
    FilingAction,
    FilingState,
)
from coordination.services import filings
from tests.integration.walk import StateDbs, Walk

A = FilingAction
REASONS: dict[StrEnum, str | None] = {A.COMPLETE: None, A.RETURN: "备案信息与营业执照不一致"}

WALK = Walk(
    workflow=FILING_WORKFLOW,
    actions=FILING_ACTIONS,
    add=lambda d: d.add_filing(),
    act=lambda d, handle, key, action: d.filing_act(handle, key, action, reason=REASONS[action]),
    row=lambda d, key: d.filing_row(key),
    events=lambda d, key: d.filing_events(key),
    replayed=lambda d, key: filings.replayed_filing(d.uow(), filing_id=key),
    paths={FilingState.RECEIVED: [], FilingState.COMPLETED: [A.COMPLETE], FilingState.RETURNED: [A.RETURN]},
    reason=lambda action: REASONS[action],
)
CASES = WALK.cases()


def test_the_cases_cover_every_action_state_and_role() -> None:
    WALK.check_coverage(CASES)


@pytest.fixture(scope="module")
def state_dbs(district_factory: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory) -> StateDbs:
    return WALK.build_states(district_factory, tmp_path_factory)


@pytest.mark.parametrize(("action", "state", "role", "outcome"), CASES)
def test_filing_transition_table_cell(state_dbs: StateDbs, tmp_path: Path, action: FilingAction,
                                      state: FilingState, role: Role, outcome: str) -> None:
    WALK.check_cell(state_dbs, tmp_path, action, state, role, outcome)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_who_receives_filings_for_the_lead_units_window(district: Any, role: Role) -> None:
    before = district.audit_count()
    handle = district.by_role(role)
    if role in FILING_TRANSITIONS[A.ADD].roles:
        filing_id = district.add_filing(handle=handle)
        row = district.filing_row(filing_id)
        assert (row["state"], row["received_by"], row["lead_unit"], row["version"]) == (
            "received", handle, "ZRZY", 1)
        assert district.audit_count() == before + 1
    else:
        with pytest.raises(NotPermitted):
            district.add_filing(handle=handle)
        assert district.audit_count() == before


def test_receiving_cannot_go_through_an_action(district: Any) -> None:
    filing_id = district.add_filing()
    with pytest.raises(InvalidInput, match="coord filing add"):
        district.filing_act(district.secretariat, filing_id, A.ADD)
