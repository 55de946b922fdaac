"""`coord report-up` as people use it: reports recorded, listed, revoked and counted by week, in Chinese
and in JSON, and refusals with their exit codes that write nothing."""

from __future__ import annotations

from tests.cli.conftest import Cli


def _record(district: Cli, day: str, *extra: str, as_: str = "wang.mishu", to: str = "市发改委投资处") -> str:
    added = district.json("report-up", "add", "--to", to, "--date", day, "--topic", "重大项目推进情况", *extra,
                          as_=as_)
    return str(added["id"])


def test_reports_recorded_listed_revoked_and_counted_by_week(district: Cli) -> None:
    added = district("report-up", "add", "--to", "市发改委投资处", "--date", "2024-10-08", "--topic",
                     "东区电池材料产业园项目推进情况", "--unit", "自然资源局", as_="wang.mishu")
    assert added.exit_code == 0, added.output
    assert "已登记：HB-2024-0001（2024-10-08）" in added.stderr
    for chinese in ("汇报对象", "市发改委投资处", "汇报单位", "区自然资源和规划局", "已登记"):
        assert chinese in added.stdout, chinese
    own = _record(district, "2024年9月30日", as_="zhao.jingban", to="省发改委重点项目处")  # ZRZY's own handler
    assert own == "HB-2024-0002"
    assert _record(district, "2023-12-29") == "HB-2023-0001"
    assert district.json("report-up", "show", own)["lead_unit"] == "ZRZY"

    assert [r["id"] for r in district.json("report-up", "list", "--year", "2024年")] == [own, "HB-2024-0001"]
    assert [r["id"] for r in district.json("report-up", "list", "--to", "市发改委")] == ["HB-2023-0001",
                                                                                      "HB-2024-0001"]
    assert [r["id"] for r in district.json("report-up", "list", "--week", "2024-W40")] == [own]
    assert [r["id"] for r in district.json("report-up", "list", "--week", "2024年第41周")] == ["HB-2024-0001"]

    revoked = district("report-up", "revoke", "hb-2024-0001", "--reason", "汇报日期填错", as_="sun.juzhang")
    assert revoked.exit_code == 0, revoked.output
    assert "已撤销：HB-2024-0001" in revoked.stderr and "已撤销" in revoked.stdout
    assert [r["id"] for r in district.json("report-up", "list", "--year", "2024")] == [own]
    everything = district.json("report-up", "list", "--all", "--year", "2024")
    assert [(r["id"], r["state"]) for r in everything] == [(own, "recorded"), ("HB-2024-0001", "revoked")]
    history = district("report-up", "history", "HB-2024-0001")
    assert history.exit_code == 0 and "汇报日期填错" in history.stdout and "登记" in history.stdout

    weeks = district.json("report-up", "weeks", "--year", "2024")
    assert (weeks["total"], weeks["fewest"], weeks["until"]) == (1, 0, "2024-10-08")
    assert [(w["week"], w["reports"], w["complete"]) for w in weeks["weeks"][-2:]] == [
        ("2024-W40", 1, True), ("2024-W41", 0, False)]
    assert "2024-W40" not in weeks["weeks_without"] and "2024-W39" in weeks["weeks_without"]
    shown = district("report-up", "weeks")  # this year, to today
    assert shown.exit_code == 0, shown.output
    for chinese in ("2024 年每周对上汇报", "整周最少", "无汇报的整周", "不完整周", "2024-W40"):
        assert chinese in shown.stdout, chinese
    english = district("report-up", "list", "--all", "--lang", "en")
    assert english.exit_code == 0 and "Reported to" in english.stdout and "revoked" in english.stdout
    audit = district("audit", "verify")
    assert audit.exit_code == 0 and "全部校验通过" in audit.stdout


def test_refusals_exit_with_their_codes_and_write_nothing(district: Cli) -> None:
    report_id = _record(district, "2024-10-08")
    before = district.snapshot()
    handler = district("report-up", "revoke", report_id, "--reason", "x", as_="zhao.jingban")
    assert handler.exit_code == 4 and "执行“撤销”" in handler.stderr
    no_reason = district("report-up", "revoke", report_id, as_="wang.mishu")
    assert no_reason.exit_code == 2 and "“撤销”需要填写理由" in no_reason.stderr
    missing = district("report-up", "show", "HB-2024-0099")
    assert missing.exit_code == 3 and "对上汇报 HB-2024-0099 不存在" in missing.stderr
    future = district("report-up", "add", "--to", "市发改委", "--date", "2024-10-09", "--topic", "x",
                      "--unit", "ZRZY", as_="wang.mishu")
    assert future.exit_code == 2 and "不能晚于今天" in future.stderr
    not_a_date = district("report-up", "add", "--to", "市发改委", "--date", "明天", "--topic", "x", as_="wang.mishu")
    assert not_a_date.exit_code == 2 and "日期格式无效" in not_a_date.stderr
    other_unit = district("report-up", "add", "--to", "市发改委", "--date", "2024-10-08", "--topic", "x",
                          "--unit", "ZRZY", as_="qian.jingban")  # ZJJ's handler
    assert other_unit.exit_code == 4
    bad_week = district("report-up", "list", "--week", "第四十八周")
    assert bad_week.exit_code == 2 and "--week" in bad_week.stderr
    bad_year = district("report-up", "weeks", "--year", "1999")
    assert bad_year.exit_code == 2 and "--year" in bad_year.stderr
    assert district.snapshot() == before
    district.json("report-up", "revoke", report_id, "--reason", "重复登记", as_="wang.mishu")
    again = district("report-up", "revoke", report_id, "--reason", "x", as_="wang.mishu")
    assert again.exit_code == 5 and "当前为已撤销" in again.stderr
    assert _record(district, "2024-10-08") == "HB-2024-0002"  # the refusals took no number
