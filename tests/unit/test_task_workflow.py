"""The plan task's workflow as data and its pure rules: the table, the labels, the guards, the inputs, the
monthly reminder rule, and the kernel's generated tables for it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from coordination.domain.enums import Role
from coordination.domain.errors import Conflict, InvalidInput, NotPermitted
from coordination.domain.kinds import WORKFLOWS, workflow_of
from coordination.domain.labels import bilingual, label
from coordination.domain.parsing import parse_plan_kind, parse_task_state
from coordination.domain.problem import Actor
from coordination.domain.problem_workflow import PROBLEM_WORKFLOW
from coordination.domain.task import (
    TaskFacts,
    TaskInput,
    authorize_task,
    available_task_actions,
    new_task,
    plan_task,
    progress_reminder_due,
)
from coordination.domain.task_workflow import (
    TASK_NOTICES,
    TASK_TRANSITIONS,
    TASK_WORKFLOW,
    PlanKind,
    TaskAction,
    TaskState,
)
from coordination.domain.transitions import Guard
from coordination.render.markdown import GENERATED, notice_table, state_list, transition_table

SECRETARIAT = Actor("wang_mishu", "FGJ", frozenset({Role.SECRETARIAT}))
SECONDED = Actor("zhou_keyuan", "ZRZY", frozenset({Role.SECRETARIAT}))
HANDLER = Actor("zhao_jingban", "ZRZY", frozenset({Role.HANDLER}))
CO_HANDLER = Actor("sun_jingban", "ZJJ", frozenset({Role.HANDLER}))
OTHER_HANDLER = Actor("qian_jingban", "JYJ", frozenset({Role.HANDLER}))
LEADER = Actor("chen_fuquzhang", None, frozenset({Role.LEADER}))
TODAY = date(2024, 6, 3)
A = TaskAction


def facts(state: TaskState, **fields: object) -> TaskFacts:
    base: dict[str, object] = {"id": "T-2024-0001", "state": state, "lead_unit": "ZRZY", "co_units": ("ZJJ",),
                               "due_date": date(2024, 9, 30), "title": "完成国土空间总体规划报批"}
    return TaskFacts(**{**base, **fields})  # type: ignore[arg-type]


def test_the_table_is_a_whole_life() -> None:
    assert set(TASK_TRANSITIONS) == set(TaskAction)
    assert all(rule.action is action for action, rule in TASK_TRANSITIONS.items())
    assert [a for a, r in TASK_TRANSITIONS.items() if not r.sources] == [A.ADD]
    reached = {r.target for r in TASK_TRANSITIONS.values() if r.target} | {s for r in TASK_TRANSITIONS.values()
                                                                          for s in r.sources}
    assert reached == set(TaskState)
    assert {a for a, r in TASK_TRANSITIONS.items() if r.needs_reason} == {A.PROGRESS, A.RESOLVE, A.REJECT, A.ADJUST}
    # The secretariat verifies, and never someone of the unit that asked.
    for action in (A.VERIFY, A.REJECT, A.ADJUST, A.ADD):
        assert set(TASK_TRANSITIONS[action].roles) == {Role.SECRETARIAT}
    assert Guard.NOT_RESOLVING_UNIT in TASK_TRANSITIONS[A.VERIFY].guards
    assert Role.SYSTEM not in {role for r in TASK_TRANSITIONS.values() for role in r.roles}


def test_every_state_action_and_plan_kind_has_its_labels_and_parses_back() -> None:
    for value in (*TaskState, *TaskAction, *PlanKind):
        zh, en = bilingual(value)
        assert zh != value.value and en, value
    assert [label(s) for s in TaskState] == ["已分解", "推进中", "申请完成", "已完成"]
    assert label(TaskState.IN_PROGRESS) == "推进中" and label(TASK_WORKFLOW.states("in_progress")) == "推进中"
    for state in TaskState:
        assert parse_task_state(label(state)) is state and parse_task_state(state.value) is state
    assert parse_plan_kind("政策文件") is PlanKind.POLICY and parse_plan_kind("规划") is PlanKind.PLAN
    with pytest.raises(InvalidInput, match="无法识别的任务状态"):
        parse_task_state("已销号")


def test_the_kinds_are_found_by_their_numbers() -> None:
    assert WORKFLOWS[:2] == (PROBLEM_WORKFLOW, TASK_WORKFLOW)  # later kinds follow (test_special_plan_workflow.py)
    assert workflow_of("T-2026-0001") is TASK_WORKFLOW and workflow_of("q-2026-0001") is PROBLEM_WORKFLOW
    assert workflow_of("M-2026-0001") is None
    assert TASK_WORKFLOW.finished_states == {"completed"}
    assert TASK_WORKFLOW.page == "items/tasks" and PROBLEM_WORKFLOW.page == "problems"


@pytest.mark.parametrize(
    ("action", "actor", "state", "outcome"),
    [
        (A.ACKNOWLEDGE, HANDLER, TaskState.DECOMPOSED, "allowed"),
        (A.ACKNOWLEDGE, CO_HANDLER, TaskState.DECOMPOSED, NotPermitted),  # a co-unit never signs
        (A.ACKNOWLEDGE, HANDLER, TaskState.IN_PROGRESS, Conflict),
        (A.PROGRESS, CO_HANDLER, TaskState.IN_PROGRESS, "allowed"),
        (A.PROGRESS, OTHER_HANDLER, TaskState.IN_PROGRESS, NotPermitted),
        (A.PROGRESS, LEADER, TaskState.IN_PROGRESS, NotPermitted),
        (A.RESOLVE, CO_HANDLER, TaskState.IN_PROGRESS, NotPermitted),
        (A.VERIFY, HANDLER, TaskState.COMPLETION_SUBMITTED, NotPermitted),
        (A.VERIFY, SECRETARIAT, TaskState.IN_PROGRESS, Conflict),
        (A.ADJUST, SECRETARIAT, TaskState.COMPLETED, Conflict),
    ],
)
def test_authorize_follows_the_table_in_the_problems_order(action: TaskAction, actor: Actor, state: TaskState,
                                                           outcome: object) -> None:
    if outcome == "allowed":
        assert authorize_task(action, actor, facts(state)) in actor.roles
    else:
        with pytest.raises(outcome):  # type: ignore[call-overload]
            authorize_task(action, actor, facts(state))


def test_only_the_secretariat_adds_a_task() -> None:
    assert authorize_task(A.ADD, SECRETARIAT, None) is Role.SECRETARIAT
    for actor in (HANDLER, LEADER):
        with pytest.raises(NotPermitted):
            authorize_task(A.ADD, actor, None)


def test_a_seconded_secretariat_member_never_verifies_the_unit_that_asked() -> None:
    asked = facts(TaskState.COMPLETION_SUBMITTED, submitted_by_unit="ZRZY", submitted_on=TODAY)
    assert authorize_task(A.VERIFY, SECONDED, asked) is Role.SECRETARIAT  # role, state and scope are fine
    with pytest.raises(NotPermitted, match="申请完成的单位 ZRZY"):
        plan_task(A.VERIFY, SECONDED, asked, TaskInput(), today=TODAY)
    assert available_task_actions(SECONDED, asked) == []
    assert available_task_actions(SECRETARIAT, asked) == [A.VERIFY, A.REJECT]


def test_what_each_action_changes() -> None:
    signed = plan_task(A.ACKNOWLEDGE, HANDLER, facts(TaskState.DECOMPOSED), TaskInput(), today=TODAY)
    assert signed == {"state": TaskState.IN_PROGRESS, "signed_on": TODAY, "last_progress_on": TODAY}
    later = TODAY + timedelta(days=20)
    assert plan_task(A.PROGRESS, CO_HANDLER, facts(TaskState.IN_PROGRESS), TaskInput(reason="已配合完成"),
                     today=later) == {"last_progress_on": later}
    asked = plan_task(A.RESOLVE, HANDLER, facts(TaskState.IN_PROGRESS), TaskInput(reason="已报批"), today=later)
    assert asked == {"state": TaskState.COMPLETION_SUBMITTED, "submitted_by_unit": "ZRZY", "submitted_on": later}
    waiting = facts(TaskState.COMPLETION_SUBMITTED, submitted_by_unit="ZRZY", submitted_on=date(2024, 10, 8))
    late = plan_task(A.VERIFY, SECRETARIAT, waiting, TaskInput(), today=date(2024, 10, 9))
    assert late == {"state": TaskState.COMPLETED, "completed_on": date(2024, 10, 9), "completed_on_time": False}
    returned = plan_task(A.REJECT, SECRETARIAT, waiting, TaskInput(reason="佐证材料不全"), today=later)
    assert returned == {"state": TaskState.IN_PROGRESS, "submitted_by_unit": None, "submitted_on": None,
                        "return_count": 1, "last_progress_on": later}


def test_an_adjustment_changes_only_what_it_names_and_needs_a_reason() -> None:
    task = facts(TaskState.IN_PROGRESS)
    changed = plan_task(A.ADJUST, SECRETARIAT, task, TaskInput(reason="省厅审查延后", due=date(2024, 12, 31),
                                                                co_units=()), today=TODAY)
    assert changed == {"due_date": date(2024, 12, 31), "co_units": [], "adjust_count": 1}
    for inputs in (TaskInput(due=date(2024, 12, 31)), TaskInput(reason="无变化"),
                   TaskInput(reason="同名", title="完成国土空间总体规划报批"), TaskInput(reason="过去", due=TODAY),
                   TaskInput(reason="牵头兼配合", co_units=("ZRZY",)), TaskInput(reason="空名称", title="  ")):
        with pytest.raises(InvalidInput):
            plan_task(A.ADJUST, SECRETARIAT, task, inputs, today=TODAY)


@pytest.mark.parametrize(("fields", "message"), [
    ({"title": "  "}, "不能为空"), ({"title": "规" * 201}, "200"), ({"due": TODAY}, "必须晚于今天"),
    ({"co_units": ("ZRZY",)}, "牵头单位不能同时是配合单位"),
])
def test_a_new_task_needs_a_title_a_future_date_and_distinct_units(fields: dict[str, object], message: str) -> None:
    base: dict[str, object] = {"plan": "SSW-ZQ", "title": "完成国土空间总体规划报批", "detail": None,
                               "lead_unit": "ZRZY", "co_units": (), "due": date(2024, 9, 30),
                               "added_by": "wang_mishu", "today": TODAY}
    with pytest.raises(InvalidInput, match=message):
        new_task(**{**base, **fields})  # type: ignore[arg-type]


@pytest.mark.parametrize(("state", "last", "reminded", "due"), [
    (TaskState.IN_PROGRESS, 30, None, True),
    (TaskState.IN_PROGRESS, 29, None, False),
    (TaskState.IN_PROGRESS, 60, 30, True),  # a month after the last reminder
    (TaskState.IN_PROGRESS, 60, 29, False),
    (TaskState.IN_PROGRESS, 10, 40, False),  # reported since the reminder
    (TaskState.DECOMPOSED, None, None, False),  # not signed: no window yet
    (TaskState.COMPLETION_SUBMITTED, 90, None, False),  # the secretariat's turn, not the unit's
    (TaskState.COMPLETED, 90, None, False),
])
def test_the_monthly_reminder_rule(state: TaskState, last: int | None, reminded: int | None, due: bool) -> None:
    today = date(2024, 9, 1)
    assert progress_reminder_due(
        state=state, last_progress_on=None if last is None else today - timedelta(days=last),
        reminded_on=None if reminded is None else today - timedelta(days=reminded), today=today, days=30) is due


def test_the_readme_tables_of_the_task_are_generated_from_the_definition() -> None:
    table = transition_table(TASK_WORKFLOW)
    for action in TASK_TRANSITIONS:
        assert f"| `{action.value}` | {label(action)} |" in table
    assert "| `verify` | 确认完成 | `completion_submitted` | `completed` | secretariat (any); not_resolving_unit |" \
        in table
    assert notice_table(TASK_WORKFLOW).count("\n") == len(TASK_NOTICES) + 1
    assert state_list(TASK_WORKFLOW) == ("`decomposed` 已分解 · `in_progress` 推进中 · "
                                         "`completion_submitted` 申请完成 · `completed` 已完成")
    assert {"task-states", "task-transition-table", "task-notice-table"} <= set(GENERATED)
    assert transition_table() == transition_table(PROBLEM_WORKFLOW)  # the problem's stays the default
