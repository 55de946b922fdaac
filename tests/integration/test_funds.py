"""Fund applications (资金争取) and guidance-fund disbursements (引导资金发放) through the services on a real
database: their lives, who may do what, exact amounts, dates in order, refusals that write nothing, the
audit chain, replay, who is told, and the year's disbursement totals."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from coordination.domain.errors import Conflict, InvalidInput, NotFound, NotPermitted, StaleVersion
from coordination.domain.fund_workflow import FundAction, FundSource, FundState, FundType
from coordination.services import audit, disbursements, funds

A = FundAction
S = FundState


def at(day: date, hour: int = 10) -> datetime:
    """`hour` o'clock in the district (UTC+8) on `day`, as an aware UTC moment."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=hour - 8)


def _count(d: Any, table: str) -> int:
    from sqlalchemy import text

    with d.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_an_application_from_the_reserve_to_its_evaluation(district: Any) -> None:
    d = district
    code = d.add_fund(project=d.project_name, handle=d.handler, unit=None, now=at(date(2024, 3, 1)))
    assert code == "ZJ-2024-01"
    row = d.fund_row(code)
    assert (row["state"], row["lead_unit"], row["project"], row["source"], row["fund_type"], row["added_on"]) == (
        "reserve", "ZRZY", d.project, "central", "budget", "2024-03-01")
    d.fund_act(d.handler, code, A.PREPARE, on=date(2024, 3, 15))
    d.fund_act(d.unit_head, code, A.APPLY, on=date(2024, 4, 1), reason="已报市发改委")
    granted = d.fund_act(d.secretariat, code, A.GRANT, amount_yuan=123_456_789, document="发改投资〔2024〕88号",
                         on=date(2024, 5, 20))
    assert granted.state is S.GRANTED and granted.record["granted_yuan"] == 123_456_789
    done = d.fund_act(d.secretariat, "zj-2024-01", A.EVALUATE, evaluation="资金支出进度达标，绩效良好")
    row = d.fund_row(code)
    assert (row["state"], row["prepared_on"], row["applied_on"], row["granted_on"], row["evaluated_on"]) == (
        "evaluated", "2024-03-15", "2024-04-01", "2024-05-20", "2024-06-03")
    assert (row["granted_yuan"], row["grant_document"], row["evaluation"], row["version"]) == (
        123_456_789, "发改投资〔2024〕88号", "资金支出进度达标，绩效良好", 5)
    assert done.record == funds.show_fund(d.uow(), code=code).fund.record
    events = d.stream_events("fund", code)
    assert [(e["action"], e["from_state"], e["to_state"], e["actor"], e["seq"]) for e in events] == [
        ("add", None, "reserve", d.handler, 1), ("prepare", "reserve", "preparing", d.handler, 2),
        ("apply", "preparing", "applying", d.unit_head, 3), ("grant", "applying", "granted", d.secretariat, 4),
        ("evaluate", "granted", "evaluated", d.secretariat, 5)]
    assert [e["reason"] for e in events] == [
        None, None, "已报市发改委", "发改投资〔2024〕88号", "资金支出进度达标，绩效良好"]
    assert all(e["lead_unit"] == "ZRZY" and e["level"] is None for e in events)
    replayed, stored = funds.replayed_fund(d.uow(), code=code)
    assert replayed == stored and stored["granted_yuan"] == 123_456_789
    assert [e.action for e in funds.fund_history(d.uow(), code="2024-01")] == [e["action"] for e in events]
    assert audit.verify_chains(d.uow()).ok
    with pytest.raises(Conflict, match="当前为绩效评估"):
        d.fund_act(d.secretariat, code, A.WITHDRAW, reason="再撤回")


def test_adding_and_granting_tell_the_applying_unit_and_the_district(district: Any) -> None:
    d = district
    code = d.add_fund(project=d.project)
    d.fund_act(d.handler, code, A.PREPARE)
    d.fund_act(d.handler, code, A.APPLY)
    d.fund_act(d.secretariat, code, A.GRANT, amount_yuan=30_000_000)
    refused = d.add_fund("2024-02", "东区产业园专项债券", fund_type="bond")
    d.fund_act(d.handler, refused, A.PREPARE)
    d.fund_act(d.handler, refused, A.APPLY)
    d.fund_act(d.secretariat, refused, A.REFUSE, reason="项目收益不足以覆盖融资")
    told = [(m["key"], m["kind"], m["unit"]) for m in d.outbox()]
    assert told == [(f"add:{code}:1", "assignment", "ZRZY"), (f"grant:{code}:4", "stage", "ZRZY"),
                    (f"grant:{code}:4:district", "stage", None), (f"add:{refused}:1", "assignment", "ZRZY"),
                    (f"refuse:{refused}:4", "stage", "ZRZY")]
    added, grant = d.outbox()[0], d.outbox()[1]
    assert added["title"] == f"资金争取入库通知：{code}"
    assert "以下资金争取项目已列入资金争取储备库" in added["body"] and "中央预算内投资" in added["body"]
    assert d.project_name in added["body"]
    assert "赵经办（自然资源和规划局）" in json.loads(added["mentions"])
    assert "下达资金 3000 万元" in grant["body"]
    assert "项目收益不足以覆盖融资" in d.outbox()[-1]["body"]


def test_refused_and_withdrawn_with_their_reasons(district: Any) -> None:
    d = district
    refused = d.add_fund("2024-01")
    d.fund_act(d.secretariat, refused, A.PREPARE)
    d.fund_act(d.secretariat, refused, A.APPLY)
    with pytest.raises(InvalidInput, match="“未获批准”需要填写理由"):
        d.fund_act(d.secretariat, refused, A.REFUSE)
    with pytest.raises(NotPermitted):
        d.fund_act(d.unit_head, refused, A.REFUSE, reason="未入选")
    out = d.fund_act(d.secretariat, refused, A.REFUSE, reason="未入选年度计划")
    assert (out.state, out.record["closed_on"]) == (S.REFUSED, "2024-06-03")
    withdrawn = d.add_fund("2024-02", "东区产业园专项资金", source="provincial", fund_type="special")
    with pytest.raises(InvalidInput, match="“撤回”需要填写理由"):
        d.fund_act(d.handler, withdrawn, A.WITHDRAW, reason=" ")
    out = d.fund_act(d.handler, withdrawn, A.WITHDRAW, reason="项目调整，不再申报")
    assert (out.state, out.record["closed_on"], out.record["prepared_on"]) == (S.WITHDRAWN, "2024-06-03", None)
    assert d.stream_events("fund", refused)[-1]["reason"] == "未入选年度计划"
    assert d.stream_events("fund", withdrawn)[-1]["reason"] == "项目调整，不再申报"
    for code in (refused, withdrawn):
        replayed, stored = funds.replayed_fund(d.uow(), code=code)
        assert replayed == stored
    assert funds.list_funds(d.uow(), filters=funds.FundFilter(open_only=True)) == []


def test_stage_days_are_checked_and_a_refusal_writes_nothing(district: Any) -> None:
    d = district
    code = d.add_fund(now=at(date(2024, 3, 1)))
    d.fund_act(d.handler, code, A.PREPARE, on=date(2024, 4, 1))
    before, row = d.audit_count(), d.fund_row(code)
    with pytest.raises(InvalidInput, match="不能早于上一环节日期 2024-04-01"):
        d.fund_act(d.handler, code, A.APPLY, on=date(2024, 3, 31))
    with pytest.raises(InvalidInput, match="不能晚于今天 2024-06-03"):
        d.fund_act(d.handler, code, A.APPLY, on=date(2024, 6, 4))
    with pytest.raises(StaleVersion):
        d.fund_act(d.handler, code, A.APPLY, expected_version=1)
    with pytest.raises(InvalidInput, match="只有“计划下达”可填写 --amount"):
        d.fund_act(d.handler, code, A.APPLY, amount_yuan=100)
    with pytest.raises(NotPermitted):  # another unit's staff
        d.fund_act(d.other_handler, code, A.APPLY)
    d.fund_act(d.handler, code, A.APPLY, on=date(2024, 4, 1))
    before, row = d.audit_count(), d.fund_row(code)
    with pytest.raises(InvalidInput, match="超过上限 10000000000000 元"):
        d.fund_act(d.secretariat, code, A.GRANT, amount_yuan=10**13 + 1)
    with pytest.raises(InvalidInput, match="下达金额"):
        d.fund_act(d.secretariat, code, A.GRANT)
    with pytest.raises(NotPermitted):  # the applicant never records its own grant
        d.fund_act(d.handler, code, A.GRANT, amount_yuan=100)
    with pytest.raises(Conflict, match="当前为审核申报"):
        d.fund_act(d.secretariat, code, A.EVALUATE, evaluation="良好")
    assert d.audit_count() == before and d.fund_row(code) == row and len(d.outbox()) == 1  # the add's notice


def test_adding_is_checked_before_anything_is_written(district: Any) -> None:
    d = district
    d.add_fund()
    before = d.audit_count()
    with pytest.raises(Conflict, match="ZJ-2024-01 已存在"):
        d.add_fund("zj-2024-01", "另一个申请")
    with pytest.raises(NotFound, match="项目"):
        d.add_fund("2024-02", project="不存在的项目")
    with pytest.raises(NotFound, match="单位"):
        d.add_fund("2024-02", unit="NOPE")
    with pytest.raises(NotPermitted):
        d.add_fund("2024-02", handle=d.other_handler)  # ZJJ's handler, for ZRZY
    with pytest.raises(NotPermitted):
        d.add_fund("2024-02", handle=d.leader)
    with pytest.raises(InvalidInput, match="名称不能为空"):
        d.add_fund("2024-02", " ")
    with pytest.raises(InvalidInput, match="资金争取项目代码"):
        d.add_fund("资金二号")
    with pytest.raises(InvalidInput, match="coord fund add"):
        d.fund_act(d.secretariat, "2024-01", A.ADD)
    with pytest.raises(NotFound, match="资金争取项目 ZJ-2024-99 不存在"):
        funds.show_fund(d.uow(), code="ZJ-2024-99")
    assert d.audit_count() == before and _count(d, "fund") == 1


def test_lists_filter_by_state_source_type_unit_and_project(district: Any) -> None:
    d = district
    a = d.add_fund("2024-01", project=d.project)
    b = d.add_fund("2024-02", "东区专项债券", source="provincial", fund_type="bond", unit=d.other_unit)
    d.fund_act(d.secretariat, b, A.PREPARE)

    def codes(**given: Any) -> list[str]:
        return [v.code for v in funds.list_funds(d.uow(), filters=funds.FundFilter(**given))]

    assert codes() == [a, b]
    assert codes(state=S.PREPARING) == [b] and codes(source=FundSource.CENTRAL) == [a]
    assert codes(fund_type=FundType.BOND) == [b] and codes(unit="ZJJ") == [b]
    assert codes(project=d.project) == [a] and codes(open_only=True) == [a, b]
    assert funds.show_fund(d.uow(), code=b).to_json()["timeline"][-1]["action"] == "prepare"


def test_disbursements_are_numbered_by_the_year_paid_and_totalled(district: Any) -> None:
    d = district
    late = d.add_disbursement(paid_on=date(2023, 12, 28), amount_yuan=2_000_000)
    first = d.add_disbursement(amount_yuan=1_234_567)
    second = d.add_disbursement(enterprise="东区新能源有限公司", amount_yuan=500_000, handle=d.handler, unit=None)
    third = d.add_disbursement(amount_yuan=1, paid_on=date(2024, 1, 2))
    assert (late, first, second, third) == ("FF-2023-0001", "FF-2024-0001", "FF-2024-0002", "FF-2024-0003")
    row = d.disbursement_row(second)
    assert (row["state"], row["lead_unit"], row["recorded_by"], row["amount_yuan"], row["paid_on"]) == (
        "recorded", "ZRZY", d.handler, 500_000, "2024-06-03")
    totals = [t.to_json() for t in disbursements.disbursement_totals(d.uow())]
    assert totals == [{"year": 2023, "count": 1, "enterprises": 1, "total_yuan": 2_000_000},
                      {"year": 2024, "count": 3, "enterprises": 2, "total_yuan": 1_734_568}]
    assert [v.id for v in disbursements.list_disbursements(d.uow(), year=2024)] == [first, second, third]
    assert [v.id for v in disbursements.list_disbursements(d.uow(), enterprise="新能源")] == [second]
    assert d.outbox() == []  # a ledger of payments tells nobody

    before = d.audit_count()
    with pytest.raises(NotPermitted):
        d.revoke_disbursement(d.unit_head, first)
    with pytest.raises(InvalidInput, match="“撤销”需要填写理由"):
        d.revoke_disbursement(d.secretariat, first, reason=" ")
    assert d.audit_count() == before
    revoked = d.revoke_disbursement(d.secretariat, first)
    assert (revoked.record["state"], revoked.record["revoked_on"], revoked.record["version"]) == (
        "revoked", "2024-06-03", 2)
    assert d.stream_events("disbursement", first)[-1]["reason"] == "误登记，重复录入"
    with pytest.raises(Conflict, match="当前为已撤销"):
        d.revoke_disbursement(d.secretariat, first)
    assert [t.to_json() for t in disbursements.disbursement_totals(d.uow(), year=2024)] == [
        {"year": 2024, "count": 2, "enterprises": 2, "total_yuan": 500_001}]
    assert [v.id for v in disbursements.list_disbursements(d.uow(), year=2024)] == [second, third]
    assert [v.id for v in disbursements.list_disbursements(d.uow(), year=2024, include_revoked=True)] == [
        first, second, third]
    replayed, stored = disbursements.replayed_disbursement(d.uow(), disbursement_id=first.lower())
    assert replayed == stored
    detail = disbursements.show_disbursement(d.uow(), disbursement_id=first)
    assert [e.action for e in detail.timeline] == ["add", "revoke"]
    assert audit.verify_chains(d.uow()).ok


def test_a_bad_disbursement_writes_nothing_and_takes_no_number(district: Any) -> None:
    d = district
    before = d.audit_count()
    for given, error in (({"amount_yuan": 0}, InvalidInput), ({"amount_yuan": 10**13 + 1}, InvalidInput),
                         ({"enterprise": " "}, InvalidInput), ({"paid_on": date(2024, 6, 4)}, InvalidInput),
                         ({"unit": "NOPE"}, NotFound), ({"handle": d.other_handler}, NotPermitted),
                         ({"handle": d.specialist}, NotPermitted)):
        with pytest.raises(error):
            d.add_disbursement(**given)
    assert d.audit_count() == before and _count(d, "disbursement") == 0
    assert d.add_disbursement() == "FF-2024-0001"  # refusals took no number
    with pytest.raises(NotFound, match="FF-2024-0099"):
        disbursements.show_disbursement(d.uow(), disbursement_id="FF-2024-0099")
