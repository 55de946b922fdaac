"""The upward report's workflow definition and its pure rules (domain/upward_report_workflow.py,
domain/upward_report.py): who may record and revoke, the fields, and the weekly count."""

from __future__ import annotations

from datetime import date

import pytest

from coordination.domain.authority import ItemFacts, authorize, required_reason
from coordination.domain.enums import Role
from coordination.domain.errors import Conflict, InvalidInput, NotPermitted
from coordination.domain.kinds import WORKFLOWS, workflow_of
from coordination.domain.labels import bilingual, label
from coordination.domain.problem import Actor
from coordination.domain.upward_report import count_weeks, new_upward_report, revoke_changes
from coordination.domain.upward_report_workflow import (
    UPWARD_REPORT_ACTIONS,
    UPWARD_REPORT_TRANSITIONS,
    UPWARD_REPORT_WORKFLOW,
    UpwardReportAction,
    UpwardReportState,
)
from coordination.render.markdown import GENERATED, notice_table, state_list, transition_table

A = UpwardReportAction
S = UpwardReportState
W = UPWARD_REPORT_WORKFLOW
SECRETARIAT = Actor("wang_mishu", "FGJ", frozenset({Role.SECRETARIAT}))
HANDLER = Actor("zhao_jingban", "ZRZY", frozenset({Role.HANDLER}))
HEAD = Actor("qian_juzhang", "ZRZY", frozenset({Role.UNIT_HEAD}))
OTHER_HEAD = Actor("sun_juzhang", "ZJJ", frozenset({Role.UNIT_HEAD}))
LEADER = Actor("chen_fuquzhang", None, frozenset({Role.LEADER}))
RECORDED = ItemFacts("HB-2026-0001", S.RECORDED, "ZRZY")
REVOKED = ItemFacts("HB-2026-0001", S.REVOKED, "ZRZY")
ADDING = ItemFacts("", None, "ZRZY")


def test_a_report_is_recorded_and_may_be_revoked_once() -> None:
    assert UPWARD_REPORT_ACTIONS == (A.REVOKE,)
    assert W.open_states == {"recorded"} and W.finished_states == {"revoked"}
    assert UPWARD_REPORT_TRANSITIONS[A.REVOKE].sources == {S.RECORDED}
    assert UPWARD_REPORT_TRANSITIONS[A.REVOKE].needs_reason and not UPWARD_REPORT_TRANSITIONS[A.ADD].needs_reason
    assert W in WORKFLOWS and workflow_of("hb-2026-0001") is W and workflow_of("B-2026-0001") is not W
    assert [label(s) for s in S] == ["已登记", "已撤销"] and [label(a) for a in A] == ["登记", "撤销"]
    for value in [*S, *A]:
        zh, en = bilingual(value)
        assert zh != value.value and en
    assert set(W.notices) == {"revoke"}  # recording tells nobody


@pytest.mark.parametrize(
    ("action", "actor", "item", "outcome"),
    [
        (A.ADD, HANDLER, ADDING, Role.HANDLER),  # for their own unit
        (A.ADD, HEAD, ADDING, Role.UNIT_HEAD),
        (A.ADD, OTHER_HEAD, ADDING, NotPermitted),  # not their unit
        (A.ADD, SECRETARIAT, ADDING, Role.SECRETARIAT),
        (A.ADD, LEADER, ADDING, NotPermitted),
        (A.REVOKE, HEAD, RECORDED, Role.UNIT_HEAD),
        (A.REVOKE, SECRETARIAT, RECORDED, Role.SECRETARIAT),
        (A.REVOKE, HANDLER, RECORDED, NotPermitted),  # a handler records, never strikes off
        (A.REVOKE, OTHER_HEAD, RECORDED, NotPermitted),
        (A.REVOKE, SECRETARIAT, REVOKED, Conflict),
        (A.REVOKE, HANDLER, REVOKED, NotPermitted),  # role before state
    ],
)
def test_authorize_follows_the_table(action: UpwardReportAction, actor: Actor, item: ItemFacts,
                                     outcome: object) -> None:
    if isinstance(outcome, Role):
        assert authorize(W, action, actor, item) is outcome
    else:
        assert isinstance(outcome, type)
        with pytest.raises(outcome):
            authorize(W, action, actor, item)


def test_the_fields_are_cleaned_and_checked() -> None:
    today = date(2026, 11, 27)
    fields = new_upward_report(to_office=" 市发改委投资处 ", topic=" 重大项目推进情况 ", reported_on=today,
                               lead_unit="ZRZY", recorded_by="wang_mishu", today=today)
    assert fields == {"to_office": "市发改委投资处", "reported_on": today, "topic": "重大项目推进情况",
                      "state": S.RECORDED, "lead_unit": "ZRZY", "recorded_by": "wang_mishu", "recorded_on": today,
                      "revoked_on": None}
    good = {"to_office": "市发改委", "topic": "进展", "reported_on": today, "lead_unit": "ZRZY",
            "recorded_by": "wang_mishu", "today": today}
    for change, message in [({"to_office": " "}, "--to"), ({"to_office": "处" * 101}, "100"),
                            ({"topic": ""}, "--topic"), ({"topic": "事" * 201}, "200"),
                            ({"reported_on": date(2026, 11, 28)}, "不能晚于今天"),
                            ({"reported_on": date(1999, 12, 31)}, "不能早于 2000-01-01")]:
        with pytest.raises(InvalidInput, match=message):
            new_upward_report(**{**good, **change})  # type: ignore[arg-type]
    assert new_upward_report(**{**good, "to_office": "处" * 100})["to_office"] == "处" * 100  # type: ignore[arg-type]
    assert revoke_changes(today) == {"state": S.REVOKED, "revoked_on": today}
    with pytest.raises(InvalidInput, match="--reason"):
        required_reason(W, A.REVOKE, "  ")
    assert required_reason(W, A.REVOKE, " 重复登记 ") == "重复登记"


def test_weeks_count_the_years_days_and_only_complete_weeks_judge() -> None:
    # 2026 begins on a Thursday: 2026-W01 (29 Dec 2025 – 4 Jan 2026) is split by New Year.
    days = [date(2025, 12, 30), date(2026, 1, 2), date(2026, 1, 6), date(2026, 1, 8), date(2026, 1, 21),
            date(2026, 1, 27), date(2026, 2, 1)]
    counts = count_weeks(days, year=2026, until=date(2026, 1, 28))  # a Wednesday
    assert [(w.week, w.reports, w.complete) for w in counts.weeks] == [
        ("2026-W01", 1, False), ("2026-W02", 2, True), ("2026-W03", 0, True), ("2026-W04", 1, True),
        ("2026-W05", 1, False)]  # the report of 30 Dec 2025 is 2025's, the one of 1 Feb not yet counted
    assert (counts.total, counts.fewest, counts.weeks_without) == (5, 0, ("2026-W03",))
    assert counts.weeks[1].first == date(2026, 1, 5) and counts.weeks[1].last == date(2026, 1, 11)
    whole_year = count_weeks(days, year=2026, until=date(2027, 3, 1))
    assert len(whole_year.weeks) == 53 and whole_year.weeks[-1].week == "2026-W53"
    assert not whole_year.weeks[-1].complete  # 28 Dec 2026 – 3 Jan 2027
    assert whole_year.total == 6 and len(whole_year.weeks_without) == 51 - 3
    first_days = count_weeks(days, year=2026, until=date(2026, 1, 3))
    assert [w.week for w in first_days.weeks] == ["2026-W01"] and first_days.fewest is None
    assert first_days.to_json()["weeks"] == [
        {"week": "2026-W01", "first": "2025-12-29", "last": "2026-01-04", "reports": 1, "complete": False}]


def test_the_readme_tables_of_the_upward_report_are_generated_from_the_definition() -> None:
    assert GENERATED["upward-report-states"]() == state_list(W)
    assert GENERATED["upward-report-transition-table"]() == transition_table(W)
    assert "| `revoke` | 撤销 | `closure` | the district's group, @ the secretariat |" in notice_table(W)
