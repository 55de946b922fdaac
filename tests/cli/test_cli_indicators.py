"""`coord indicator` as people use it: an indicator added, recorded month by month (a negative figure and a
correction included), retargeted and retired, in Chinese and in JSON; the monthly analysis's 指标监测 in
Markdown and JSON; refusals with their exit codes that write nothing."""

from __future__ import annotations

from tests.cli.conftest import Cli

OCTOBER = "2024-10-20T10:00:00+08:00"
NOVEMBER = "2024-11-05T10:00:00+08:00"


def _add(district: Cli, *extra: str, code: str = "FAI", name: str = "固定资产投资累计增速") -> dict[str, object]:
    added: dict[str, object] = district.json("indicator", "add", code, name, "--unit", "%", "--target", "8.5",
                                             *extra, as_="wang.mishu", now=OCTOBER)
    return added


def test_an_indicator_recorded_corrected_retargeted_and_retired(district: Cli) -> None:
    added = district("indicator", "add", "fai", "固定资产投资累计增速", "--unit", "%", "--target", "8.5",
                     "--lead-unit", "自然资源局", as_="wang.mishu", now=OCTOBER)
    assert added.exit_code == 0, added.output
    assert "已新增指标：FAI" in added.stderr
    for chinese in ("监测中", "区自然资源和规划局", "8.5%", "越高越好"):
        assert chinese in added.stdout, chinese
    for month, value in (("2024-08", "7.2"), ("2024年9月", "7.6")):
        assert district("indicator", "record", "FAI", "--month", month, "--value", value, as_="zhao.jingban",
                        now=OCTOBER).exit_code == 0
    recorded = district("indicator", "record", "FAI", "--month", "2024-10", "--value", "7.9", as_="sun.juzhang",
                        now=OCTOBER)
    assert recorded.exit_code == 0, recorded.output
    assert "已填报：FAI，最新 2024-10 为 7.9%（黄灯）" in recorded.stderr
    corrected = district.json("indicator", "record", "fai", "--month", "2024-08", "--value", "-2.25",
                              as_="wang.mishu", now=OCTOBER)
    assert (corrected["latest_month"], corrected["latest_value"], corrected["light"]) == ("2024-10", "7.9", "yellow")
    shown = district.json("indicator", "show", "FAI")
    assert [(m["month"], m["value"], m["change"], m["light"]) for m in shown["months"]] == [
        ("2024-08", "-2.25", None, "red"), ("2024-09", "7.6", "9.85", "yellow"), ("2024-10", "7.9", "0.3", "yellow")]
    screen = district("indicator", "show", "FAI")
    assert screen.exit_code == 0 and "逐月数据" in screen.stdout and "+9.85" in screen.stdout

    retargeted = district("indicator", "retarget", "FAI", "--target", "7.5", "--reason", "市里下调年度目标",
                          as_="wang.mishu", now=OCTOBER)
    assert retargeted.exit_code == 0 and "已调整目标：FAI 目标 7.5%，容差 1" in retargeted.stderr
    listed = district.json("indicator", "list", "--light", "绿")
    assert [(i["code"], i["target"], i["light"]) for i in listed] == [("FAI", "7.5", "green")]
    table = district("indicator", "list")
    assert table.exit_code == 0 and "指标监测" in table.stdout and "● 绿灯" in table.stdout
    history = district("indicator", "history", "FAI")
    assert history.exit_code == 0
    for text in ("新增", "填报", "2024-08：-2.25%", "调整目标", "市里下调年度目标"):
        assert text in history.stdout, text
    retired = district.json("indicator", "retire", "FAI", "--reason", "不再列入考核", as_="wang.mishu", now=OCTOBER)
    assert (retired["state"], retired["light"]) == ("retired", None)
    assert district.json("indicator", "list", "--state", "监测中") == []
    audit = district("audit", "verify")
    assert audit.exit_code == 0 and "全部校验通过" in audit.stdout


def test_the_monthly_analysis_shows_the_indicators(district: Cli) -> None:
    _add(district)
    _add(district, "--tolerance", "2", code="SRV", name="规上服务业营业收入累计同比增速")
    for month, value in (("2024-09", "7.6"), ("2024-10", "7.9")):
        district.json("indicator", "record", "FAI", "--month", month, "--value", value, as_="wang.mishu", now=OCTOBER)
    data = district.json("report", "monthly", "--month", "2024-10", now=NOVEMBER)
    assert [(i["code"], i["value"], i["light"], i["trend_text"]) for i in data["indicators"]] == [
        ("FAI", "7.9", "yellow", "7.6 → 7.9"), ("SRV", None, None, "")]
    markdown = district("report", "monthly", "--month", "2024-10", "--format", "md", now=NOVEMBER)
    assert markdown.exit_code == 0, markdown.output
    section = markdown.stdout.split("、指标监测")[1]
    assert "| 固定资产投资累计增速 | 区发展和改革局 | 7.9% | +0.3 | 8.5% | 黄灯 | 7.6% → 7.9% |" in section
    assert "| 规上服务业营业收入累计同比增速 | 区发展和改革局 | 未填报 | — | 8.5% | — | — |" in section
    weekly = district.json("report", "weekly", "--week", "2024-W44", now=NOVEMBER)
    assert "indicators" not in weekly


def test_refusals_exit_with_their_codes_and_write_nothing(district: Cli) -> None:
    _add(district, "--lead-unit", "ZRZY")
    before = district.snapshot()
    other_unit = district("indicator", "record", "FAI", "--month", "2024-10", "--value", "7.9", as_="qian.jingban",
                          now=OCTOBER)
    assert other_unit.exit_code == 4 and "不能填报" in other_unit.stderr
    future = district("indicator", "record", "FAI", "--month", "2024-11", "--value", "7.9", as_="zhao.jingban",
                      now=OCTOBER)
    assert future.exit_code == 2 and "尚未到来" in future.stderr
    nan = district("indicator", "record", "FAI", "--month", "2024-10", "--value", "NaN", as_="zhao.jingban",
                   now=OCTOBER)
    assert nan.exit_code == 2 and "不是有效数字" in nan.stderr
    no_reason = district("indicator", "retire", "FAI", as_="wang.mishu", now=OCTOBER)
    assert no_reason.exit_code == 2 and "“停止监测”需要填写理由" in no_reason.stderr
    handler_retarget = district("indicator", "retarget", "FAI", "--target", "9", "--reason", "x", as_="zhao.jingban")
    assert handler_retarget.exit_code == 4
    missing = district("indicator", "show", "GDP")
    assert missing.exit_code == 3 and "指标 GDP 不存在" in missing.stderr
    again = district("indicator", "add", "FAI", "重复", "--unit", "%", "--target", "1", as_="wang.mishu")
    assert again.exit_code == 5 and "已存在" in again.stderr
    bad_state = district("indicator", "list", "--state", "已销号")
    assert bad_state.exit_code == 2 and "无法识别的指标状态" in bad_state.stderr
    assert district.snapshot() == before
    district.json("indicator", "retire", "FAI", "--reason", "不再考核", as_="wang.mishu", now=OCTOBER)
    retired = district("indicator", "record", "FAI", "--month", "2024-10", "--value", "7.9", as_="wang.mishu",
                       now=OCTOBER)
    assert retired.exit_code == 5 and "当前为停止监测" in retired.stderr
