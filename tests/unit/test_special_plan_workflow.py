"""The special plan's workflow definition and its pure rules (domain/special_plan_workflow.py, special_plan.py)."""

from __future__ import annotations

from datetime import date

import pytest

from coordination.domain.authority import ItemFacts, authorize
from coordination.domain.enums import Role
from coordination.domain.errors import Conflict, InvalidInput, NotPermitted
from coordination.domain.kinds import WORKFLOWS, workflow_of
from coordination.domain.labels import bilingual, label
from coordination.domain.parsing import parse_special_plan_state
from coordination.domain.problem import Actor
from coordination.domain.special_plan import (
    STAGE_COLUMNS,
    SpecialPlanFacts,
    new_special_plan,
    special_plan_code,
    stage_changes,
)
from coordination.domain.special_plan_workflow import (
    NEXT_STAGE,
    SPECIAL_PLAN_ACTIONS,
    SPECIAL_PLAN_NOTICES,
    SPECIAL_PLAN_TRANSITIONS,
    SPECIAL_PLAN_WORKFLOW,
    SpecialPlanAction,
    SpecialPlanState,
)
from coordination.render.markdown import GENERATED, notice_table, state_list, transition_table

S = SpecialPlanState
A = SpecialPlanAction
SECRETARIAT = Actor("wang_mishu", "FGJ", frozenset({Role.SECRETARIAT}))
HANDLER = Actor("zhao_jingban", "ZRZY", frozenset({Role.HANDLER}))
TODAY = date(2024, 6, 3)


def _facts(state: SpecialPlanState, last: date = date(2024, 5, 1)) -> SpecialPlanFacts:
    return SpecialPlanFacts(code="ZX-JT", state=state, lead_unit="ZRZY", last_stage_on=last)


def test_the_stages_form_one_line_from_drafting_to_issue() -> None:
    state, walked = S.DRAFTING, []
    while state in NEXT_STAGE:
        action = NEXT_STAGE[state]
        walked.append(action)
        target = SPECIAL_PLAN_TRANSITIONS[action].target
        assert target is not None
        state = target
    assert walked == list(SPECIAL_PLAN_ACTIONS) == [A.REVIEW, A.DELIBERATE, A.ISSUE]
    assert state is S.ISSUED and SPECIAL_PLAN_WORKFLOW.finished_states == {"issued"}
    assert all(SPECIAL_PLAN_TRANSITIONS[a].needs_reason for a in SPECIAL_PLAN_ACTIONS)
    assert all(rule.roles == {Role.SECRETARIAT: rule.roles[Role.SECRETARIAT]}
               for rule in SPECIAL_PLAN_TRANSITIONS.values())
    assert set(STAGE_COLUMNS) == set(SPECIAL_PLAN_ACTIONS)
    assert set(SPECIAL_PLAN_NOTICES) == {a.value for a in SpecialPlanAction}


def test_labels_parse_back_and_the_kind_is_found_by_its_code() -> None:
    assert [label(s) for s in S] == ["编制中", "专家评审通过", "常务会审议通过", "印发实施"]
    for value in [*S, *A]:
        zh, en = bilingual(value)
        assert zh != value.value and en
    for state in S:
        assert parse_special_plan_state(label(state)) is state and parse_special_plan_state(state.value) is state
    assert parse_special_plan_state("常务会") is S.DELIBERATED
    with pytest.raises(InvalidInput, match="无法识别的专项规划环节"):
        parse_special_plan_state("已销号")
    assert SPECIAL_PLAN_WORKFLOW in WORKFLOWS and workflow_of("zx-jt") is SPECIAL_PLAN_WORKFLOW
    assert special_plan_code(" jt ") == "ZX-JT" and special_plan_code("ZX-jy") == "ZX-JY"


@pytest.mark.parametrize(
    ("action", "actor", "state", "outcome"),
    [
        (A.REVIEW, SECRETARIAT, S.DRAFTING, "allowed"),
        (A.REVIEW, HANDLER, S.DRAFTING, NotPermitted),  # not even the drafting unit records its own stage
        (A.REVIEW, SECRETARIAT, S.EXPERT_REVIEWED, Conflict),
        (A.ISSUE, SECRETARIAT, S.EXPERT_REVIEWED, Conflict),  # no stage is skipped
        (A.ISSUE, HANDLER, S.ISSUED, NotPermitted),  # role before state, as for problems and tasks
    ],
)
def test_authorize_follows_the_table(action: SpecialPlanAction, actor: Actor, state: SpecialPlanState,
                                     outcome: object) -> None:
    if outcome == "allowed":
        assert authorize(SPECIAL_PLAN_WORKFLOW, action, actor, ItemFacts("ZX-JT", state, "FGJ")) is Role.SECRETARIAT
    else:
        assert isinstance(outcome, type)
        with pytest.raises(outcome):
            authorize(SPECIAL_PLAN_WORKFLOW, action, actor, ItemFacts("ZX-JT", state, "FGJ"))


def test_a_stage_keeps_its_day_and_document_and_checks_both() -> None:
    changed = stage_changes(A.DELIBERATE, _facts(S.EXPERT_REVIEWED), document=" 区政府第 12 次常务会议 ",
                            on=date(2024, 5, 20), today=TODAY)
    assert changed == {"state": S.DELIBERATED, "deliberated_on": date(2024, 5, 20),
                       "deliberation_document": "区政府第 12 次常务会议"}
    assert stage_changes(A.REVIEW, _facts(S.DRAFTING), document="专家评审意见", on=None, today=TODAY)[
        "reviewed_on"] == TODAY
    with pytest.raises(InvalidInput, match="--document"):
        stage_changes(A.REVIEW, _facts(S.DRAFTING), document="  ", on=None, today=TODAY)
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        stage_changes(A.REVIEW, _facts(S.DRAFTING), document="意见", on=date(2024, 6, 4), today=TODAY)
    with pytest.raises(InvalidInput, match="不能早于上一环节日期"):
        stage_changes(A.REVIEW, _facts(S.DRAFTING), document="意见", on=date(2024, 4, 30), today=TODAY)


def test_a_new_special_plan_is_drafting_and_named() -> None:
    fields = new_special_plan(code="ZX-JT", name=" 综合交通专项规划 ", lead_unit="ZRZY", added_by="wang_mishu",
                              today=TODAY)
    assert (fields["state"], fields["name"], fields["added_on"]) == (S.DRAFTING, "综合交通专项规划", TODAY)
    with pytest.raises(InvalidInput, match="名称不能为空"):
        new_special_plan(code="ZX-JT", name=" ", lead_unit="ZRZY", added_by="wang_mishu", today=TODAY)


def test_the_readme_tables_of_the_special_plan_are_generated_from_the_definition() -> None:
    assert GENERATED["special-plan-states"]() == state_list(SPECIAL_PLAN_WORKFLOW)
    table = transition_table(SPECIAL_PLAN_WORKFLOW)
    assert "| `deliberate` | 常务会审议通过 | `expert_reviewed` | `deliberated` | secretariat (any)" in table
    assert GENERATED["special-plan-notice-table"]() == notice_table(SPECIAL_PLAN_WORKFLOW)
    assert "| `issue` | 印发实施 | `stage` |" in notice_table(SPECIAL_PLAN_WORKFLOW)


@pytest.mark.parametrize("typed", ["", "  ", "ZX-", "交通", "A" * 18, "J T"])
def test_a_code_fits_a_notice_and_is_plain(typed: str) -> None:
    with pytest.raises(InvalidInput, match="专项规划代码"):
        special_plan_code(typed)
    assert special_plan_code("A" * 17) == "ZX-" + "A" * 17
