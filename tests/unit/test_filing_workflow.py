"""The filing's workflow definition and its pure rules (domain/filing_workflow.py, domain/filing.py)."""

from __future__ import annotations

from datetime import date

import pytest

from coordination.domain.authority import ItemFacts, authorize
from coordination.domain.enums import Role
from coordination.domain.errors import Conflict, InvalidInput, NotPermitted
from coordination.domain.filing import FilingFacts, filing_changes, new_filing
from coordination.domain.filing_workflow import (
    FILING_ACTIONS,
    FILING_TRANSITIONS,
    FILING_WORKFLOW,
    FilingAction,
    FilingState,
)
from coordination.domain.kinds import WORKFLOWS, workflow_of
from coordination.domain.labels import bilingual, label
from coordination.domain.parsing import parse_filing_state
from coordination.domain.problem import Actor
from coordination.domain.workdays import WorkCalendar
from coordination.render.markdown import GENERATED, notice_table, state_list, transition_table
from coordination.services.calendar import package_schedules

A = FilingAction
S = FilingState
SECRETARIAT = Actor("wang_mishu", "FGJ", frozenset({Role.SECRETARIAT}))
HANDLER = Actor("zhao_jingban", "ZRZY", frozenset({Role.HANDLER}))
OTHER_HANDLER = Actor("sun_jingban", "ZJJ", frozenset({Role.HANDLER}))
LEADER = Actor("chen_fuquzhang", None, frozenset({Role.LEADER}))
RECEIVED = FilingFacts(id="B-2024-0001", state=S.RECEIVED, lead_unit="ZRZY", due_date=date(2024, 6, 10))


def test_a_filing_is_received_then_completed_or_returned() -> None:
    assert FILING_ACTIONS == (A.COMPLETE, A.RETURN)
    assert FILING_WORKFLOW.open_states == {"received"}
    assert FILING_WORKFLOW.finished_states == {"completed", "returned"}
    assert all(FILING_TRANSITIONS[a].sources == {S.RECEIVED} for a in FILING_ACTIONS)
    assert FILING_TRANSITIONS[A.RETURN].needs_reason and not FILING_TRANSITIONS[A.COMPLETE].needs_reason
    assert FILING_WORKFLOW in WORKFLOWS and workflow_of("b-2026-0001") is FILING_WORKFLOW
    assert [label(s) for s in S] == ["已受理", "已办结", "已退回"]
    for value in [*S, *A]:
        zh, en = bilingual(value)
        assert zh != value.value and en
    for state in S:
        assert parse_filing_state(label(state)) is state and parse_filing_state(state.value) is state
    with pytest.raises(InvalidInput, match="无法识别的备案状态"):
        parse_filing_state("已销号")


def _item(facts: FilingFacts) -> ItemFacts:
    return ItemFacts(facts.id, facts.state, facts.lead_unit)


@pytest.mark.parametrize(
    ("action", "actor", "facts", "outcome"),
    [
        (A.ADD, HANDLER, FilingFacts("", None, "ZRZY"), Role.HANDLER),  # at their own unit's window
        (A.ADD, OTHER_HANDLER, FilingFacts("", None, "ZRZY"), NotPermitted),
        (A.ADD, SECRETARIAT, FilingFacts("", None, "ZRZY"), Role.SECRETARIAT),
        (A.COMPLETE, HANDLER, RECEIVED, Role.HANDLER),
        (A.RETURN, OTHER_HANDLER, RECEIVED, NotPermitted),
        (A.COMPLETE, LEADER, RECEIVED, NotPermitted),
        (A.COMPLETE, SECRETARIAT, FilingFacts("B-2024-0001", S.RETURNED, "ZRZY"), Conflict),
        (A.RETURN, LEADER, FilingFacts("B-2024-0001", S.COMPLETED, "ZRZY"), NotPermitted),  # role before state
    ],
)
def test_authorize_follows_the_table(action: FilingAction, actor: Actor, facts: FilingFacts, outcome: object) -> None:
    if isinstance(outcome, Role):
        assert authorize(FILING_WORKFLOW, action, actor, _item(facts)) is outcome
    else:
        assert isinstance(outcome, type)
        with pytest.raises(outcome):
            authorize(FILING_WORKFLOW, action, actor, _item(facts))


def test_the_due_date_is_the_limit_in_working_days() -> None:
    calendar = WorkCalendar(package_schedules())
    fields = new_filing(project_name=" 隔膜项目 ", enterprise="新材料公司", lead_unit="ZRZY", received_by="wang_mishu",
                        today=date(2024, 6, 3), limit_days=5, calendar=calendar)
    assert (fields["state"], fields["project_name"]) == (S.RECEIVED, "隔膜项目")
    # Monday 3 June 2024 + 5 working days, across the 端午 holiday on Monday 10 June: Tuesday 11 June.
    assert (fields["due_date"], fields["due_provisional"]) == (date(2024, 6, 11), False)
    assert calendar.working_days_between(date(2024, 6, 3), fields["due_date"]) == 5
    with pytest.raises(InvalidInput, match="--enterprise"):
        new_filing(project_name="隔膜项目", enterprise=" ", lead_unit="ZRZY", received_by="wang_mishu",
                   today=date(2024, 6, 3), limit_days=5, calendar=calendar)


def test_completing_judges_the_limit_and_returning_needs_a_reason() -> None:
    assert filing_changes(A.COMPLETE, RECEIVED, reason=None, today=date(2024, 6, 10)) == {
        "state": S.COMPLETED, "completed_on": date(2024, 6, 10), "completed_on_time": True}
    assert filing_changes(A.COMPLETE, RECEIVED, reason=None, today=date(2024, 6, 11))["completed_on_time"] is False
    assert filing_changes(A.RETURN, RECEIVED, reason="材料不全", today=date(2024, 6, 5)) == {
        "state": S.RETURNED, "returned_on": date(2024, 6, 5)}
    with pytest.raises(InvalidInput, match="--reason"):
        filing_changes(A.RETURN, RECEIVED, reason="  ", today=date(2024, 6, 5))


def test_the_readme_tables_of_the_filing_are_generated_from_the_definition() -> None:
    assert GENERATED["filing-states"]() == state_list(FILING_WORKFLOW)
    assert GENERATED["filing-transition-table"]() == transition_table(FILING_WORKFLOW)
    assert "| `return` | 退回 | `rework` |" in notice_table(FILING_WORKFLOW)
