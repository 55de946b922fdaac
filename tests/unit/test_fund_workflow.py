"""The fund application's and the disbursement's workflow definitions and their pure rules
(domain/fund_workflow.py, domain/fund.py, domain/disbursement_workflow.py, domain/disbursement.py)."""

from __future__ import annotations

from datetime import date

import pytest

from coordination.domain.authority import ItemFacts, authorize
from coordination.domain.disbursement import new_disbursement, revoke_changes
from coordination.domain.disbursement_workflow import (
    DISBURSEMENT_ACTIONS,
    DISBURSEMENT_TRANSITIONS,
    DISBURSEMENT_WORKFLOW,
    DisbursementAction,
    DisbursementState,
)
from coordination.domain.enums import Role
from coordination.domain.errors import Conflict, InvalidInput, NotPermitted
from coordination.domain.fund import (
    MAX_YUAN,
    FundFacts,
    StageInput,
    amount_from_text,
    event_reason,
    fund_code,
    fund_key,
    new_fund,
    stage_changes,
    wan_text,
)
from coordination.domain.fund_workflow import (
    FUND_ACTIONS,
    FUND_TRANSITIONS,
    FUND_WORKFLOW,
    FundAction,
    FundSource,
    FundState,
    FundType,
)
from coordination.domain.kinds import WORKFLOWS, workflow_of
from coordination.domain.labels import bilingual, label
from coordination.domain.parsing import parse_fund_source, parse_fund_state, parse_fund_type
from coordination.domain.problem import Actor
from coordination.render.markdown import GENERATED, notice_table, state_list, transition_table

A = FundAction
S = FundState
SECRETARIAT = Actor("wang_mishu", "FGJ", frozenset({Role.SECRETARIAT}))
HANDLER = Actor("zhao_jingban", "ZRZY", frozenset({Role.HANDLER}))
UNIT_HEAD = Actor("qian_juzhang", "ZRZY", frozenset({Role.UNIT_HEAD}))
OTHER_HANDLER = Actor("sun_jingban", "ZJJ", frozenset({Role.HANDLER}))
LEADER = Actor("chen_fuquzhang", None, frozenset({Role.LEADER}))
TODAY = date(2024, 6, 3)


def _fund(state: FundState, last: date = date(2024, 5, 6)) -> FundFacts:
    return FundFacts(code="ZJ-2024-01", state=state, lead_unit="ZRZY", last_stage_on=last)


def test_an_application_goes_from_the_reserve_to_its_evaluation_or_ends_early() -> None:
    assert FUND_ACTIONS == (A.PREPARE, A.APPLY, A.GRANT, A.EVALUATE, A.REFUSE, A.WITHDRAW)
    assert FUND_WORKFLOW.open_states == {"reserve", "preparing", "applying", "granted"}
    assert FUND_WORKFLOW.finished_states == {"evaluated", "refused", "withdrawn"}
    line = [(FUND_TRANSITIONS[a].sources, FUND_TRANSITIONS[a].target) for a in (A.PREPARE, A.APPLY, A.GRANT,
                                                                                A.EVALUATE)]
    assert line == [({S.RESERVE}, S.PREPARING), ({S.PREPARING}, S.APPLYING), ({S.APPLYING}, S.GRANTED),
                    ({S.GRANTED}, S.EVALUATED)]
    assert FUND_TRANSITIONS[A.REFUSE].sources == {S.APPLYING}
    assert FUND_TRANSITIONS[A.WITHDRAW].sources == {S.RESERVE, S.PREPARING, S.APPLYING}
    assert {a for a, rule in FUND_TRANSITIONS.items() if rule.needs_reason} == {A.REFUSE, A.WITHDRAW}
    # The secretariat alone records what came back from above.
    assert {a for a, rule in FUND_TRANSITIONS.items() if set(rule.roles) == {Role.SECRETARIAT}} == {
        A.GRANT, A.EVALUATE, A.REFUSE}
    assert FUND_WORKFLOW in WORKFLOWS and workflow_of("zj-2026-01") is FUND_WORKFLOW
    assert DISBURSEMENT_WORKFLOW in WORKFLOWS and workflow_of("FF-2026-0001") is DISBURSEMENT_WORKFLOW


def test_labels_and_chinese_choices() -> None:
    assert [label(s) for s in S] == ["谋划储备", "前期推进", "审核申报", "计划下达", "绩效评估", "未获批准", "已撤回"]
    assert [label(s) for s in FundSource] == ["中央", "省级", "市级"]
    assert [label(t) for t in FundType] == ["预算内投资", "专项资金", "专项债券"]
    for value in [*S, *A, *FundSource, *FundType, *DisbursementState, *DisbursementAction]:
        zh, en = bilingual(value)
        assert zh != value.value and en
    for state in S:
        assert parse_fund_state(label(state)) is state and parse_fund_state(state.value) is state
    assert [parse_fund_source(t) for t in ("中央", "省级", "市", "municipal")] == [
        FundSource.CENTRAL, FundSource.PROVINCIAL, FundSource.MUNICIPAL, FundSource.MUNICIPAL]
    assert [parse_fund_type(t) for t in ("预算内", "专项资金", "专项债券", "专项债", "BOND")] == [
        FundType.BUDGET, FundType.SPECIAL, FundType.BOND, FundType.BOND, FundType.BOND]
    with pytest.raises(InvalidInput, match="无法识别的资金来源"):
        parse_fund_source("区级")
    with pytest.raises(InvalidInput, match="无法识别的资金争取状态"):
        parse_fund_state("已销号")


@pytest.mark.parametrize(
    ("action", "actor", "state", "unit", "outcome"),
    [
        (A.ADD, HANDLER, None, "ZRZY", Role.HANDLER),  # for their own unit
        (A.ADD, OTHER_HANDLER, None, "ZRZY", NotPermitted),
        (A.ADD, SECRETARIAT, None, "ZJJ", Role.SECRETARIAT),
        (A.ADD, LEADER, None, "ZRZY", NotPermitted),
        (A.PREPARE, UNIT_HEAD, S.RESERVE, "ZRZY", Role.UNIT_HEAD),
        (A.APPLY, HANDLER, S.PREPARING, "ZRZY", Role.HANDLER),
        (A.APPLY, HANDLER, S.RESERVE, "ZRZY", Conflict),  # stages in order
        (A.APPLY, OTHER_HANDLER, S.PREPARING, "ZRZY", NotPermitted),
        (A.GRANT, HANDLER, S.APPLYING, "ZRZY", NotPermitted),  # never the applicant's own record
        (A.GRANT, SECRETARIAT, S.APPLYING, "ZRZY", Role.SECRETARIAT),
        (A.EVALUATE, SECRETARIAT, S.APPLYING, "ZRZY", Conflict),
        (A.REFUSE, UNIT_HEAD, S.APPLYING, "ZRZY", NotPermitted),
        (A.WITHDRAW, HANDLER, S.APPLYING, "ZRZY", Role.HANDLER),
        (A.WITHDRAW, HANDLER, S.GRANTED, "ZRZY", Conflict),  # money granted is evaluated, not withdrawn
        (A.WITHDRAW, LEADER, S.GRANTED, "ZRZY", NotPermitted),  # role before state
    ],
)
def test_authorize_follows_the_table(action: FundAction, actor: Actor, state: FundState | None, unit: str,
                                     outcome: object) -> None:
    item = ItemFacts("" if state is None else "ZJ-2024-01", state, unit)
    if isinstance(outcome, Role):
        assert authorize(FUND_WORKFLOW, action, actor, item) is outcome
    else:
        assert isinstance(outcome, type)
        with pytest.raises(outcome):
            authorize(FUND_WORKFLOW, action, actor, item)


def test_codes_are_kept_under_zj() -> None:
    assert fund_code(" 2026-01 ") == "ZJ-2026-01" and fund_code("zj-2026.a_1") == "ZJ-2026.A_1"
    assert fund_key("zj-2026-01") == fund_key("2026-01") == "ZJ-2026-01"
    for bad in ("资金-01", "", "-01", "ZJ-", "2026/01", "A" * 18):
        with pytest.raises(InvalidInput, match="资金争取项目代码"):
            fund_code(bad)
    assert fund_code("A" * 17) == "ZJ-" + "A" * 17  # twenty in all


def test_a_new_application_is_in_the_reserve() -> None:
    fields = new_fund(code="ZJ-2024-01", name=" 污水厂扩建 ", source=FundSource.CENTRAL, fund_type=FundType.BUDGET,
                      project=None, lead_unit="ZRZY", added_by="zhao_jingban", today=TODAY)
    assert (fields["state"], fields["name"], fields["added_on"], fields["granted_yuan"]) == (
        S.RESERVE, "污水厂扩建", TODAY, None)
    with pytest.raises(InvalidInput, match="名称不能为空"):
        new_fund(code="ZJ-2024-01", name=" ", source=FundSource.CENTRAL, fund_type=FundType.BUDGET, project=None,
                 lead_unit="ZRZY", added_by="zhao_jingban", today=TODAY)


def test_each_stage_keeps_its_day_in_order_and_not_in_the_future() -> None:
    assert stage_changes(A.PREPARE, _fund(S.RESERVE), StageInput(), today=TODAY) == {
        "state": S.PREPARING, "prepared_on": TODAY}
    assert stage_changes(A.APPLY, _fund(S.PREPARING), StageInput(on=date(2024, 5, 6)), today=TODAY) == {
        "state": S.APPLYING, "applied_on": date(2024, 5, 6)}  # the same day as the stage before is fine
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        stage_changes(A.PREPARE, _fund(S.RESERVE), StageInput(on=date(2024, 6, 4)), today=TODAY)
    with pytest.raises(InvalidInput, match="不能早于上一环节日期 2024-05-06"):
        stage_changes(A.PREPARE, _fund(S.RESERVE), StageInput(on=date(2024, 5, 5)), today=TODAY)
    assert stage_changes(A.WITHDRAW, _fund(S.RESERVE), StageInput(reason="项目调整"), today=TODAY) == {
        "state": S.WITHDRAWN, "closed_on": TODAY}
    for action in (A.REFUSE, A.WITHDRAW):
        with pytest.raises(InvalidInput, match="--reason"):
            stage_changes(action, _fund(S.APPLYING), StageInput(reason="  "), today=TODAY)
    with pytest.raises(InvalidInput, match="coord fund add"):
        stage_changes(A.ADD, _fund(S.RESERVE), StageInput(), today=TODAY)


def test_a_grant_keeps_its_exact_amount_and_an_evaluation_its_text() -> None:
    given = StageInput(amount_yuan=123_456_789_012, document=" 发改投资〔2024〕12号 ")
    granted = stage_changes(A.GRANT, _fund(S.APPLYING), given, today=TODAY)
    assert granted == {"state": S.GRANTED, "granted_on": TODAY, "granted_yuan": 123_456_789_012,
                       "grant_document": "发改投资〔2024〕12号"}
    assert stage_changes(A.GRANT, _fund(S.APPLYING), StageInput(amount_yuan=1), today=TODAY)["grant_document"] is None
    with pytest.raises(InvalidInput, match="下达金额"):
        stage_changes(A.GRANT, _fund(S.APPLYING), StageInput(), today=TODAY)
    with pytest.raises(InvalidInput, match="须大于 0"):
        stage_changes(A.GRANT, _fund(S.APPLYING), StageInput(amount_yuan=0), today=TODAY)
    with pytest.raises(InvalidInput, match="超过上限"):
        stage_changes(A.GRANT, _fund(S.APPLYING), StageInput(amount_yuan=MAX_YUAN + 1), today=TODAY)
    assert stage_changes(A.GRANT, _fund(S.APPLYING), StageInput(amount_yuan=MAX_YUAN), today=TODAY)[
        "granted_yuan"] == 10**13
    with pytest.raises(InvalidInput, match="只有“计划下达”可填写 --amount"):
        stage_changes(A.PREPARE, _fund(S.RESERVE), StageInput(amount_yuan=5), today=TODAY)
    evaluated = stage_changes(A.EVALUATE, _fund(S.GRANTED), StageInput(evaluation="绩效良好"), today=TODAY)
    assert evaluated == {"state": S.EVALUATED, "evaluated_on": TODAY, "evaluation": "绩效良好"}
    with pytest.raises(InvalidInput, match="--result"):
        stage_changes(A.EVALUATE, _fund(S.GRANTED), StageInput(evaluation=" "), today=TODAY)
    with pytest.raises(InvalidInput, match="200"):
        stage_changes(A.EVALUATE, _fund(S.GRANTED), StageInput(evaluation="好" * 201), today=TODAY)
    assert event_reason(A.GRANT, StageInput(document="文件")) == "文件"
    assert event_reason(A.EVALUATE, StageInput(evaluation="良好")) == "良好"
    assert event_reason(A.WITHDRAW, StageInput(reason=" 调整 ")) == "调整"


def test_amounts_as_people_type_them() -> None:
    assert amount_from_text("3000万") == 30_000_000
    assert amount_from_text("1.2亿") == 120_000_000
    assert amount_from_text("1,234,567") == 1_234_567
    assert amount_from_text("10000000000000") == MAX_YUAN
    assert wan_text(123_456_789) == "12345.6789" and wan_text(None) == "—"
    for bad, message in (("十万", "无法识别的金额"), ("-5", "不能为负数"), ("0", "须大于 0"), ("", "请填写"),
                         ("10万亿", "无法识别的金额"), ("100001亿", "超过上限")):
        with pytest.raises(InvalidInput, match=message):
            amount_from_text(bad)


def test_a_disbursement_is_recorded_once_paid_and_revoked_with_a_reason() -> None:
    assert DISBURSEMENT_ACTIONS == (DisbursementAction.REVOKE,)
    assert DISBURSEMENT_TRANSITIONS[DisbursementAction.REVOKE].needs_reason
    assert set(DISBURSEMENT_TRANSITIONS[DisbursementAction.REVOKE].roles) == {Role.SECRETARIAT}
    assert DISBURSEMENT_WORKFLOW.notices == {}
    fields = new_disbursement(enterprise=" 东区新材料有限公司 ", amount_yuan=500_000, paid_on=date(2024, 5, 20),
                              lead_unit="ZRZY", recorded_by="zhao_jingban", today=TODAY)
    assert (fields["enterprise"], fields["amount_yuan"], fields["state"], fields["recorded_on"]) == (
        "东区新材料有限公司", 500_000, DisbursementState.RECORDED, TODAY)
    for kwargs, message in (({"enterprise": " "}, "企业名称不能为空"), ({"enterprise": "企" * 201}, "200"),
                            ({"amount_yuan": 0}, "须大于 0"), ({"amount_yuan": MAX_YUAN + 1}, "超过上限"),
                            ({"paid_on": date(2024, 6, 4)}, "不能晚于今天"), ({"paid_on": date(1999, 12, 31)}, "2000")):
        given = {"enterprise": "某公司", "amount_yuan": 1, "paid_on": TODAY, **kwargs}
        with pytest.raises(InvalidInput, match=message):
            new_disbursement(**given, lead_unit="ZRZY", recorded_by="x", today=TODAY)  # type: ignore[arg-type]
    assert revoke_changes(TODAY) == {"state": DisbursementState.REVOKED, "revoked_on": TODAY}


def test_the_readme_tables_are_generated_from_the_definitions() -> None:
    assert GENERATED["fund-states"]() == state_list(FUND_WORKFLOW)
    assert GENERATED["fund-transition-table"]() == transition_table(FUND_WORKFLOW)
    assert "| `grant` | 计划下达 | `stage` |" in notice_table(FUND_WORKFLOW)
    assert GENERATED["disbursement-transition-table"]() == transition_table(DISBURSEMENT_WORKFLOW)
