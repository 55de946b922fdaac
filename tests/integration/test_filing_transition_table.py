"""Every cell of the filing's transition table, walked through the real services on real SQLite files.

The filing's counterpart of test_task_transition_table.py: for each from-state one district is built once
per module, holding a filing (received for ZRZY's window) driven there through the services; each
(action, from-state, role) case then acts on a byte copy. Ids end in the expected outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from coordination.domain.enums import Role
from coordination.domain.errors import Conflict, InvalidInput, NotPermitted
from coordination.domain.filing_workflow import FILING_ACTIONS, FILING_TRANSITIONS, FilingAction, FilingState
from coordination.services import filings

NOW = datetime(2024, 6, 3, 2, 0, tzinfo=UTC)  # Monday 3 June 2024, 10:00 in the district
A = FilingAction
REASONS: dict[FilingAction, str | None] = {A.COMPLETE: None, A.RETURN: "备案信息与营业执照不一致"}
PATHS: dict[FilingState, list[FilingAction]] = {
    FilingState.RECEIVED: [], FilingState.COMPLETED: [A.COMPLETE], FilingState.RETURNED: [A.RETURN]}


def _expected(action: FilingAction, state: FilingState, role: Role) -> str:
    rule = FILING_TRANSITIONS[action]
    if role not in rule.roles:
        return "not_permitted"
    if state not in rule.sources:
        return "conflict"
    return "allowed"


CASES = [
    pytest.param(action, state, role, _expected(action, state, role),
                 id=f"{action.value}-from-{state.value}-as-{role.value}-{_expected(action, state, role)}")
    for action in FILING_ACTIONS
    for state in FilingState
    for role in Role
]
ERRORS: dict[str, type[Exception]] = {"not_permitted": NotPermitted, "conflict": Conflict}


def test_the_cases_cover_every_action_state_and_role() -> None:
    assert len(CASES) == len(FILING_ACTIONS) * len(FilingState) * len(Role)
    allowed = {(p.values[0], p.values[1]) for p in CASES if p.values[3] == "allowed"}
    assert allowed == {(a, s) for a in FILING_ACTIONS for s in FILING_TRANSITIONS[a].sources}
    assert {p.values[3] for p in CASES} == {"allowed", "not_permitted", "conflict"}


@pytest.fixture(scope="module")
def state_dbs(district_factory: Callable[..., Any],
              tmp_path_factory: pytest.TempPathFactory) -> dict[FilingState, tuple[Any, str]]:
    built: dict[FilingState, tuple[Any, str]] = {}
    for state in FilingState:
        d = district_factory(tmp_path_factory.mktemp(f"filing-from-{state.value}") / "coord.sqlite3", NOW)
        filing_id = d.add_filing()
        for action in PATHS[state]:
            d.filing_act(d.secretariat, filing_id, action, reason=REASONS[action])
        assert d.filing_row(filing_id)["state"] == state.value
        d.engine.dispose()
        built[state] = (d, filing_id)
    return built


@pytest.mark.parametrize(("action", "state", "role", "outcome"), CASES)
def test_filing_transition_table_cell(state_dbs: dict[FilingState, tuple[Any, str]], tmp_path: Path,
                                      action: FilingAction, state: FilingState, role: Role, outcome: str) -> None:
    template, filing_id = state_dbs[state]
    d = template.copy_to(tmp_path / "coord.sqlite3")
    handle = d.by_role(role)
    rule = FILING_TRANSITIONS[action]
    before_row, before_events = d.filing_row(filing_id), d.audit_count()
    try:
        if outcome == "allowed":
            view = d.filing_act(handle, filing_id, action, reason=REASONS[action])
            assert rule.target is not None and view.state is rule.target
            after_row = d.filing_row(filing_id)
            assert after_row["state"] == rule.target.value
            assert after_row["version"] == before_row["version"] + 1
            assert d.audit_count() == before_events + 1, "exactly one audit event per change"
            event = d.filing_events(filing_id)[-1]
            assert (event["action"], event["from_state"], event["to_state"], event["actor"], event["seq"]) == (
                action.value, state.value, rule.target.value, handle, after_row["version"])
            replayed, stored = filings.replayed_filing(d.uow(), filing_id=filing_id)
            assert replayed == stored
        else:
            with pytest.raises(ERRORS[outcome]):
                d.filing_act(handle, filing_id, action, reason=REASONS[action])
            assert d.audit_count() == before_events
            assert d.filing_row(filing_id) == before_row
    finally:
        d.engine.dispose()


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
