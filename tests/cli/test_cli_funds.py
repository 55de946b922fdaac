"""`coord fund` as people use it: an application from the reserve to its evaluation with Chinese choices and
amounts, in Chinese and in JSON; guidance-fund payments with each year's totals; refusals with their exit
codes that write nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from tests.cli.conftest import Cli


def _rows(cli: Cli, table: str) -> list[tuple[Any, ...]]:
    """Every row of `table` and every audit event, to prove a refused command wrote nothing."""
    from coordination.db import make_engine

    engine = make_engine(cli.url)
    try:
        with engine.connect() as connection:
            rows = [tuple(r) for r in connection.execute(text(f"SELECT * FROM {table}"))]
            events = [tuple(r) for r in connection.execute(text("SELECT * FROM audit_event ORDER BY id"))]
    finally:
        engine.dispose()
    return rows + events


def test_an_application_from_the_reserve_to_its_evaluation(district: Cli) -> None:
    added = district("fund", "add", "2024-01", "东区污水处理厂扩建中央预算内投资", "--source", "中央",
                     "--type", "预算内", "--project", "东区电池材料产业园一期", as_="zhao.jingban",
                     now="2024-09-02T10:00:00+08:00")
    assert added.exit_code == 0, added.output
    assert "已入库：ZJ-2024-01" in added.stderr
    for chinese in ("谋划储备", "中央", "预算内投资", "申报单位", "区自然资源和规划局", "东区电池材料产业园一期"):
        assert chinese in added.stdout, chinese
    prepared = district.json("fund", "prepare", "2024-01", "--on", "2024年9月10日", as_="zhao.jingban")
    assert (prepared["state"], prepared["prepared_on"], prepared["version"]) == ("preparing", "2024-09-10", 2)
    applied = district("fund", "apply", "zj-2024-01", "--note", "已报市发改委", as_="sun.juzhang")
    assert applied.exit_code == 0 and "已记录“审核申报”：ZJ-2024-01 → 审核申报" in applied.stderr
    granted = district.json("fund", "grant", "2024-01", "--amount", "1.23456789亿", "--document",
                            "发改投资〔2024〕88号", "--version", "3", as_="wang.mishu")
    assert (granted["state"], granted["granted_yuan"], granted["grant_document"]) == (
        "granted", 123_456_789, "发改投资〔2024〕88号")
    shown = district("fund", "show", "2024-01")
    assert shown.exit_code == 0 and "12345.6789" in shown.stdout and "下达金额（万元）" in shown.stdout
    evaluated = district.json("fund", "evaluate", "2024-01", "--result", "绩效良好", as_="wang.mishu")
    assert (evaluated["state"], evaluated["evaluation"]) == ("evaluated", "绩效良好")
    detail = district.json("fund", "show", "ZJ-2024-01")
    assert [e["action"] for e in detail["timeline"]] == ["add", "prepare", "apply", "grant", "evaluate"]
    assert detail["project"] == "P-001" and detail["lead_unit"] == "ZRZY"
    history = district("fund", "history", "2024-01")
    assert history.exit_code == 0 and "已报市发改委" in history.stdout and "计划下达" in history.stdout
    listed = district("fund", "list")
    assert listed.exit_code == 0 and "资金争取清单" in listed.stdout and "下达合计 12345.6789 万元" in listed.stdout
    done = district.json("fund", "list", "--state", "绩效评估", "--source", "中央")
    assert [f["code"] for f in done] == ["ZJ-2024-01"]
    assert district.json("fund", "list", "--open") == []
    assert district.json("fund", "list", "--type", "专项债券") == []
    audit = district("audit", "verify")
    assert audit.exit_code == 0 and "全部校验通过" in audit.stdout


def test_refused_and_withdrawn_applications(district: Cli) -> None:
    district.json("fund", "add", "A1", "东区专项债券", "--source", "provincial", "--type", "专项债", "--unit", "ZJJ",
                  as_="wang.mishu")
    district.json("fund", "add", "A2", "东区省级专项资金", "--source", "省级", "--type", "专项资金", as_="zhao.jingban")
    for step in ("prepare", "apply"):
        district.json("fund", step, "A1", as_="qian.jingban")
    no_reason = district("fund", "refuse", "A1", as_="wang.mishu")
    assert no_reason.exit_code == 2 and "“未获批准”需要填写理由" in no_reason.stderr
    refused = district.json("fund", "refuse", "A1", "--reason", "项目收益不足以覆盖融资", as_="wang.mishu")
    assert (refused["state"], refused["closed_on"]) == ("refused", "2024-10-08")
    withdrawn = district.json("fund", "withdraw", "A2", "-m", "项目调整", as_="zhao.jingban")
    assert withdrawn["state"] == "withdrawn"
    assert [f["code"] for f in district.json("fund", "list", "--state", "未获批准")] == ["ZJ-A1"]
    assert [f["code"] for f in district.json("fund", "list", "--unit", "住建局")] == ["ZJ-A1"]


def test_refusals_exit_with_their_codes_and_write_nothing(district: Cli) -> None:
    district.json("fund", "add", "2024-01", "东区污水处理厂扩建", "--source", "central", "--type", "budget",
                  "--unit", "ZRZY", as_="wang.mishu")
    for step in ("prepare", "apply"):
        district.json("fund", step, "2024-01", as_="wang.mishu")
    before = _rows(district, "fund")
    bad_amount = district("fund", "grant", "2024-01", "--amount", "三千万", as_="wang.mishu")
    assert bad_amount.exit_code == 2 and "无法识别的金额" in bad_amount.stderr
    too_much = district("fund", "grant", "2024-01", "--amount", "100001亿", as_="wang.mishu")
    assert too_much.exit_code == 2 and "超过上限" in too_much.stderr
    nothing = district("fund", "grant", "2024-01", "--amount", "0", as_="wang.mishu")
    assert nothing.exit_code == 2 and "须大于 0" in nothing.stderr
    handler = district("fund", "grant", "2024-01", "--amount", "3000万", as_="zhao.jingban")
    assert handler.exit_code == 4
    future = district("fund", "grant", "2024-01", "--amount", "3000万", "--on", "2024-10-09", as_="wang.mishu")
    assert future.exit_code == 2 and "不能晚于今天" in future.stderr
    stale = district("fund", "grant", "2024-01", "--amount", "3000万", "--version", "1", as_="wang.mishu")
    assert stale.exit_code == 5
    early = district("fund", "evaluate", "2024-01", "--result", "良好", as_="wang.mishu")
    assert early.exit_code == 5 and "当前为审核申报" in early.stderr
    missing = district("fund", "show", "2024-99")
    assert missing.exit_code == 3 and "资金争取项目 2024-99 不存在" in missing.stderr
    other_unit = district("fund", "add", "2024-02", "某申请", "--source", "中央", "--type", "预算内", "--unit", "ZRZY",
                          as_="qian.jingban")
    assert other_unit.exit_code == 4
    bad_source = district("fund", "add", "2024-02", "某申请", "--source", "区级", "--type", "预算内", as_="wang.mishu")
    assert bad_source.exit_code == 2 and "无法识别的资金来源" in bad_source.stderr
    no_project = district("fund", "add", "2024-02", "某申请", "--source", "中央", "--type", "预算内", "--project",
                          "不存在的项目", as_="wang.mishu")
    assert no_project.exit_code == 3
    twice = district("fund", "add", "zj-2024-01", "某申请", "--source", "中央", "--type", "预算内", as_="wang.mishu")
    assert twice.exit_code == 5 and "ZJ-2024-01 已存在" in twice.stderr
    assert _rows(district, "fund") == before


def test_disbursements_with_each_years_totals(district: Cli) -> None:
    first = district.json("fund", "disburse", "--enterprise", "东区新材料有限公司", "--amount", "300万", "--date",
                          "2024-09-30", as_="zhao.jingban")
    assert (first["id"], first["amount_yuan"], first["lead_unit"], first["state"]) == (
        "FF-2024-0001", 3_000_000, "ZRZY", "recorded")
    older = district("fund", "disburse", "-e", "东区新能源有限公司", "--amount", "12345", "--date", "2023年12月30日",
                     "--unit", "FGJ", as_="wang.mishu")
    assert older.exit_code == 0 and "已登记：FF-2023-0001" in older.stderr
    district.json("fund", "disburse", "-e", "东区新材料有限公司", "--amount", "1", "--date", "2024-10-08",
                  as_="wang.mishu")
    listed = district.json("fund", "disbursements")
    assert [r["id"] for r in listed["disbursements"]] == ["FF-2023-0001", "FF-2024-0001", "FF-2024-0002"]
    assert listed["totals"] == [{"year": 2023, "count": 1, "enterprises": 1, "total_yuan": 12_345},
                                {"year": 2024, "count": 2, "enterprises": 1, "total_yuan": 3_000_001}]
    shown = district("fund", "disbursements", "--year", "2024")
    assert shown.exit_code == 0 and "2024 年：2 笔，1 家企业，合计 300.0001 万元" in shown.stdout
    assert "FF-2023-0001" not in shown.stdout

    before = _rows(district, "disbursement")
    bad = district("fund", "disburse", "-e", "某公司", "--amount", "一百万", "--date", "2024-10-08", as_="wang.mishu")
    assert bad.exit_code == 2 and "无法识别的金额" in bad.stderr
    future = district("fund", "disburse", "-e", "某公司", "--amount", "100", "--date", "2024-10-09", as_="wang.mishu")
    assert future.exit_code == 2 and "不能晚于今天" in future.stderr
    not_theirs = district("fund", "revoke-disbursement", "FF-2024-0001", "--reason", "重复", as_="sun.juzhang")
    assert not_theirs.exit_code == 4
    no_reason = district("fund", "revoke-disbursement", "FF-2024-0001", as_="wang.mishu")
    assert no_reason.exit_code == 2 and "需要填写理由" in no_reason.stderr
    assert _rows(district, "disbursement") == before

    revoked = district("fund", "revoke-disbursement", "ff-2024-0001", "--reason", "误登记，重复录入", as_="wang.mishu")
    assert revoked.exit_code == 0 and "已撤销：FF-2024-0001" in revoked.stderr
    after = district.json("fund", "disbursements", "--year", "2024年")
    assert [r["id"] for r in after["disbursements"]] == ["FF-2024-0002"]
    assert after["totals"] == [{"year": 2024, "count": 1, "enterprises": 1, "total_yuan": 1}]
    every = district.json("fund", "disbursements", "--all", "--enterprise", "新材料")
    assert [(r["id"], r["state"]) for r in every["disbursements"]] == [
        ("FF-2024-0001", "revoked"), ("FF-2024-0002", "recorded")]
    english = district("fund", "disbursements", "--lang", "en")
    assert english.exit_code == 0 and "Guidance-fund disbursements" in english.stdout
