"""Every cell of the plan task's transition table, walked through the real services on real SQLite files.

The task's counterpart of test_transition_table.py (the problem's walk): for each from-state one district
is built once per module, holding a task driven there through the services; each (action, from-state,
role) case then acts on a byte copy. Ids end in the expected outcome: `allowed`, `not_permitted` (no role
of the rule's) or `conflict` (the state is not among the rule's sources). Each kind of tracked work has
its walk: a new kind in domain/kinds.py fails the first test here until it has one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from coordination.domain.enums import Role
from coordination.domain.errors import Conflict, InvalidInput, NotPermitted
from coordination.domain.kinds import WORKFLOWS
from coordination.domain.task_workflow import TASK_ACTIONS, TASK_TRANSITIONS, TaskAction, TaskState
from coordination.services import tasks

NOW = datetime(2024, 6, 3, 2, 0, tzinfo=UTC)  # Monday 3 June 2024, 10:00 in the district
WALKED_KINDS = {"problem": "test_transition_table.py", "task": "test_task_transition_table.py",
                "special_plan": "test_special_plan_transition_table.py", "filing": "test_filing_transition_table.py",
                "upward_report": "test_upward_report_transition_table.py",
                "fund": "test_fund_transition_table.py", "disbursement": "test_disbursement_transition_table.py",
                "indicator": "test_indicator_transition_table.py"}

A = TaskAction
INPUTS: dict[TaskAction, dict[str, Any]] = {
    A.ACKNOWLEDGE: {},
    A.PROGRESS: {"reason": "规划成果已报省自然资源厅审查"},
    A.RESOLVE: {"reason": "已取得省政府批复"},
    A.VERIFY: {},
    A.REJECT: {"reason": "批复文件尚未印发，退回继续推进"},
    A.ADJUST: {"reason": "省厅审查时间延后", "due": date(2024, 12, 31)},
}
PATHS: dict[TaskState, list[tuple[TaskAction, Role, dict[str, Any]]]] = {
    TaskState.DECOMPOSED: [],
    TaskState.IN_PROGRESS: [(A.ACKNOWLEDGE, Role.HANDLER, {})],
    TaskState.COMPLETION_SUBMITTED: [(A.ACKNOWLEDGE, Role.HANDLER, {}), (A.RESOLVE, Role.UNIT_HEAD,
                                                                          {"reason": "已报批"})],
    TaskState.COMPLETED: [(A.ACKNOWLEDGE, Role.HANDLER, {}), (A.RESOLVE, Role.HANDLER, {"reason": "已报批"}),
                          (A.VERIFY, Role.SECRETARIAT, {})],
}


def _expected(action: TaskAction, state: TaskState, role: Role) -> str:
    rule = TASK_TRANSITIONS[action]
    if role not in rule.roles:
        return "not_permitted"
    if state not in rule.sources:
        return "conflict"
    return "allowed"


CASES = [
    pytest.param(action, state, role, _expected(action, state, role),
                 id=f"{action.value}-from-{state.value}-as-{role.value}-{_expected(action, state, role)}")
    for action in TASK_ACTIONS
    for state in TaskState
    for role in Role
]
ERRORS: dict[str, type[Exception]] = {"not_permitted": NotPermitted, "conflict": Conflict}


def test_every_kind_of_tracked_work_has_its_walk() -> None:
    here = Path(__file__).parent
    assert {w.kind for w in WORKFLOWS} == set(WALKED_KINDS), "a new kind needs its transition-table walk"
    assert all((here / name).exists() for name in WALKED_KINDS.values())


def test_the_cases_cover_every_action_state_and_role() -> None:
    assert len(CASES) == len(TASK_ACTIONS) * len(TaskState) * len(Role)
    assert set(TASK_TRANSITIONS) - set(TASK_ACTIONS) == {A.ADD}
    allowed = {(p.values[0], p.values[1]) for p in CASES if p.values[3] == "allowed"}
    assert allowed == {(a, s) for a in TASK_ACTIONS for s in TASK_TRANSITIONS[a].sources}
    assert {p.values[3] for p in CASES} == {"allowed", "not_permitted", "conflict"}


@pytest.fixture(scope="module")
def state_dbs(district_factory: Callable[..., Any],
              tmp_path_factory: pytest.TempPathFactory) -> dict[TaskState, tuple[Any, str]]:
    """For each from-state: a district database holding a task (lead unit ZRZY, co-unit DQY) in that state."""
    built: dict[TaskState, tuple[Any, str]] = {}
    for state in TaskState:
        d = district_factory(tmp_path_factory.mktemp(f"task-from-{state.value}") / "coord.sqlite3", NOW)
        d.add_plan()
        task_id = d.add_task(co_units=(d.locality,), due=date(2024, 9, 30))
        for action, role, inputs in PATHS[state]:
            d.task_act(d.by_role(role), task_id, action, **inputs)
        assert d.task_row(task_id)["state"] == state.value
        d.engine.dispose()
        built[state] = (d, task_id)
    return built


@pytest.mark.parametrize(("action", "state", "role", "outcome"), CASES)
def test_task_transition_table_cell(state_dbs: dict[TaskState, tuple[Any, str]], tmp_path: Path,
                                    action: TaskAction, state: TaskState, role: Role, outcome: str) -> None:
    template, task_id = state_dbs[state]
    d = template.copy_to(tmp_path / "coord.sqlite3")
    handle = d.by_role(role)
    rule = TASK_TRANSITIONS[action]
    before_row, before_events = d.task_row(task_id), d.audit_count()
    try:
        if outcome == "allowed":
            view = d.task_act(handle, task_id, action, **INPUTS[action])
            target = rule.target or state
            assert view.state is target
            after_row = d.task_row(task_id)
            assert after_row["state"] == target.value
            assert after_row["version"] == before_row["version"] + 1
            assert d.audit_count() == before_events + 1, "exactly one audit event per change"
            event = d.task_events(task_id)[-1]
            assert (event["action"], event["from_state"], event["to_state"], event["actor"], event["seq"]) == (
                action.value, state.value, target.value, handle, after_row["version"])
            replayed, stored = tasks.replayed_task(d.uow(), task_id=task_id)
            assert replayed == stored
        else:
            with pytest.raises(ERRORS[outcome]):
                d.task_act(handle, task_id, action, **INPUTS[action])
            assert d.audit_count() == before_events
            assert d.task_row(task_id) == before_row
    finally:
        d.engine.dispose()


# ---- what the table alone does not show ----------------------------------------------------


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_only_the_secretariat_decomposes_tasks(district: Any, role: Role) -> None:
    district.add_plan()
    before = district.audit_count()
    handle = district.by_role(role)
    if role in TASK_TRANSITIONS[A.ADD].roles:
        task_id = district.add_task(handle=handle)
        row = district.task_row(task_id)
        assert (row["state"], row["added_by"], row["version"]) == ("decomposed", handle, 1)
        assert district.audit_count() == before + 1
    else:
        with pytest.raises(NotPermitted):
            district.add_task(handle=handle)
        assert district.audit_count() == before


def test_adding_cannot_go_through_an_action(district: Any) -> None:
    district.add_plan()
    task_id = district.add_task()
    with pytest.raises(InvalidInput, match="coord task add"):
        district.task_act(district.secretariat, task_id, A.ADD)
