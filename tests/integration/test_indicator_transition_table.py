"""Every cell of the indicator's transition table, walked through the real services on real SQLite files.

One district per from-state is built once per module, holding FAI (reported by ZRZY) driven there through
the services; each (action, from-state, role) case then acts on a byte copy (tests/integration/walk.py).
An allowed record also writes the month's row of `indicator_value`, which replay rebuilds with the row.
Ids end in the expected outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest

from coordination.domain.enums import Role
from coordination.domain.errors import Conflict, InvalidInput, NotPermitted
from coordination.domain.indicator_workflow import (
    INDICATOR_ACTIONS,
    INDICATOR_TRANSITIONS,
    INDICATOR_WORKFLOW,
    IndicatorAction,
    IndicatorState,
)
from coordination.services import indicators
from tests.integration.walk import StateDbs, Walk

A = IndicatorAction
REASON = "市统计局调整统计口径"


def _act(d: Any, handle: str, code: str, action: StrEnum) -> Any:
    if action is A.RECORD:
        return d.indicator_record(handle, code, "2024-05", "7.9")
    return d.indicator_act(handle, code, action, reason=REASON, target="9")


def _replayed(d: Any, code: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The row and the month figures rebuilt from the events, beside the stored ones."""
    row_replayed, row_stored = indicators.replayed_indicator(d.uow(), code=code)
    values_replayed, values_stored = indicators.replayed_values(d.uow(), code=code)
    return {**row_replayed, "values": values_replayed}, {**row_stored, "values": values_stored}


WALK = Walk(
    workflow=INDICATOR_WORKFLOW,
    actions=INDICATOR_ACTIONS,
    add=lambda d: d.add_indicator(),
    act=_act,
    row=lambda d, key: d.indicator_row(key),
    events=lambda d, key: d.stream_events("indicator", key),
    replayed=_replayed,
    paths={IndicatorState.ACTIVE: [], IndicatorState.RETIRED: [A.RETIRE]},
    reason=lambda action: None if action is A.RECORD else REASON,
)
CASES = WALK.cases()


def test_the_cases_cover_every_action_state_and_role() -> None:
    WALK.check_coverage(CASES)


@pytest.fixture(scope="module")
def state_dbs(district_factory: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory) -> StateDbs:
    return WALK.build_states(district_factory, tmp_path_factory)


@pytest.mark.parametrize(("action", "state", "role", "outcome"), CASES)
def test_indicator_transition_table_cell(state_dbs: StateDbs, tmp_path: Path, action: IndicatorAction,
                                         state: IndicatorState, role: Role, outcome: str) -> None:
    WALK.check_cell(state_dbs, tmp_path, action, state, role, outcome)


# ---- what the table alone does not show ----------------------------------------------------


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_only_the_secretariat_adds_indicators(district: Any, role: Role) -> None:
    before = district.audit_count()
    handle = district.by_role(role)
    if role in INDICATOR_TRANSITIONS[A.ADD].roles:
        code = district.add_indicator(handle=handle)
        row = district.indicator_row(code)
        assert (code, row["state"], row["added_by"], row["lead_unit"], row["version"]) == (
            "FAI", "active", handle, "ZRZY", 1)
        assert district.audit_count() == before + 1
    else:
        with pytest.raises(NotPermitted):
            district.add_indicator(handle=handle)
        assert district.audit_count() == before


def test_another_units_staff_may_not_record_and_a_retired_indicator_takes_no_figure(district: Any) -> None:
    code = district.add_indicator()
    with pytest.raises(NotPermitted, match="不是指标 FAI牵头单位 ZRZY 的人员"):
        district.indicator_record(district.other_handler, code, "2024-05", "7.9")
    district.indicator_act(district.secretariat, code, A.RETIRE)
    with pytest.raises(Conflict, match="当前为停止监测"):
        district.indicator_record(district.handler, code, "2024-05", "7.9")
    with pytest.raises(InvalidInput, match="--reason"):
        district.indicator_act(district.secretariat, district.add_indicator("SRV", "规上服务业营业收入累计同比增速"),
                               A.RETARGET, reason=" ", target="9")
    assert district.indicator_values(code) == {}
