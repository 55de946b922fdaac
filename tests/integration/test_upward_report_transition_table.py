"""Every cell of the upward report's transition table, walked through the real services on real SQLite files.

One district per from-state is built once per module, holding a report ZRZY made (recorded by the
secretariat), driven there through the services; each (action, from-state, role) case then acts on a
byte copy (tests/integration/walk.py). Ids end in the expected outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest

from coordination.domain.enums import Role
from coordination.domain.errors import InvalidInput, NotPermitted
from coordination.domain.upward_report_workflow import (
    UPWARD_REPORT_ACTIONS,
    UPWARD_REPORT_TRANSITIONS,
    UPWARD_REPORT_WORKFLOW,
    UpwardReportAction,
    UpwardReportState,
)
from coordination.services import upward_reports
from tests.integration.walk import StateDbs, Walk

A = UpwardReportAction
REASON = "误登记，与 HB-2024-0001 重复"


def _act(d: Any, handle: str, report_id: str, action: StrEnum) -> Any:
    assert action is A.REVOKE  # the one action on a recorded report
    return d.revoke_upward_report(handle, report_id, reason=REASON)


WALK = Walk(
    workflow=UPWARD_REPORT_WORKFLOW,
    actions=UPWARD_REPORT_ACTIONS,
    add=lambda d: d.add_upward_report(on=date(2024, 5, 31)),
    act=_act,
    row=lambda d, key: d.upward_report_row(key),
    events=lambda d, key: d.upward_report_events(key),
    replayed=lambda d, key: upward_reports.replayed_upward_report(d.uow(), report_id=key),
    paths={UpwardReportState.RECORDED: [], UpwardReportState.REVOKED: [A.REVOKE]},
    reason=lambda action: REASON,
)
CASES = WALK.cases()


def test_the_cases_cover_every_action_state_and_role() -> None:
    WALK.check_coverage(CASES)


@pytest.fixture(scope="module")
def state_dbs(district_factory: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory) -> StateDbs:
    return WALK.build_states(district_factory, tmp_path_factory)


@pytest.mark.parametrize(("action", "state", "role", "outcome"), CASES)
def test_upward_report_transition_table_cell(state_dbs: StateDbs, tmp_path: Path, action: UpwardReportAction,
                                             state: UpwardReportState, role: Role, outcome: str) -> None:
    WALK.check_cell(state_dbs, tmp_path, action, state, role, outcome)


# ---- what the table alone does not show ----------------------------------------------------


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_who_records_reports_for_the_reporting_unit(district: Any, role: Role) -> None:
    before = district.audit_count()
    handle = district.by_role(role)
    if role in UPWARD_REPORT_TRANSITIONS[A.ADD].roles:
        report_id = district.add_upward_report(handle=handle)
        row = district.upward_report_row(report_id)
        assert (report_id, row["state"], row["recorded_by"], row["lead_unit"], row["version"]) == (
            "HB-2024-0001", "recorded", handle, "ZRZY", 1)
        assert district.audit_count() == before + 1
    else:
        with pytest.raises(NotPermitted):
            district.add_upward_report(handle=handle)
        assert district.audit_count() == before


def test_a_handler_may_not_revoke_even_their_own_units_report(district: Any) -> None:
    report_id = district.add_upward_report(handle=district.handler)
    with pytest.raises(NotPermitted):
        district.revoke_upward_report(district.handler, report_id)
    with pytest.raises(InvalidInput, match="--reason"):
        district.revoke_upward_report(district.unit_head, report_id, reason=" ")
    assert district.revoke_upward_report(district.unit_head, report_id).state is UpwardReportState.REVOKED
