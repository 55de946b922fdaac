"""`coord filing` as people use it: a filing received, completed and returned in Chinese and in JSON, its
light, and refusals with their exit codes that write nothing."""

from __future__ import annotations

from tests.cli.conftest import Cli


def _receive(district: Cli, *extra: str, as_: str = "wang.mishu") -> str:
    added = district.json("filing", "add", "--project-name", "年产5万吨锂电池隔膜项目", "--enterprise",
                          "东区新材料有限公司", *extra, as_=as_, now="2024-06-03T10:00:00+08:00")
    return str(added["id"])


def test_a_filing_received_and_completed(district: Cli) -> None:
    added = district("filing", "add", "-p", "分布式光伏发电项目", "-e", "东区新能源有限公司", "--unit", "自然资源局",
                     as_="wang.mishu", now="2024-06-03T10:00:00+08:00")
    assert added.exit_code == 0, added.output
    assert "已受理：B-2024-0001，办理时限 2024-06-11" in added.stderr
    for chinese in ("已受理", "受理单位", "区自然资源和规划局", "办理时限", "绿"):
        assert chinese in added.stdout, chinese
    second = _receive(district, as_="zhao.jingban")  # the window unit's own handler, at ZRZY
    assert second == "B-2024-0002"
    shown = district.json("filing", "show", second, now="2024-06-12T10:00:00+08:00")
    assert (shown["lead_unit"], shown["light"], shown["working_days_left"]) == ("ZRZY", "red", -1)
    red = district.json("filing", "list", "--light", "红", now="2024-06-12T10:00:00+08:00")
    assert [f["id"] for f in red] == ["B-2024-0001", "B-2024-0002"]

    done = district.json("filing", "complete", "B-2024-0001", as_="sun.juzhang", now="2024-06-07T10:00:00+08:00")
    assert (done["state"], done["completed_on_time"], done["light"]) == ("completed", True, None)
    back = district("filing", "return", "b-2024-0002", "--reason", "备案信息与营业执照不一致", as_="wang.mishu")
    assert back.exit_code == 0, back.output
    assert "已退回：B-2024-0002 → 已退回" in back.stderr
    history = district("filing", "history", second)
    assert history.exit_code == 0 and "备案信息与营业执照不一致" in history.stdout and "受理" in history.stdout
    assert [f["id"] for f in district.json("filing", "list", "--state", "退回")] == [second]
    assert district.json("filing", "list", "--open") == []
    listed = district("filing", "list")
    assert listed.exit_code == 0 and "备案清单" in listed.stdout
    audit = district("audit", "verify")
    assert audit.exit_code == 0 and "全部校验通过" in audit.stdout


def test_refusals_exit_with_their_codes_and_write_nothing(district: Cli) -> None:
    filing_id = _receive(district)
    before = district.snapshot()
    other_unit = district("filing", "complete", filing_id, as_="qian.jingban")  # ZJJ's handler
    assert other_unit.exit_code == 4 and "不能办结" in other_unit.stderr
    no_reason = district("filing", "return", filing_id, as_="wang.mishu")
    assert no_reason.exit_code == 2 and "“退回”需要填写理由" in no_reason.stderr
    missing = district("filing", "show", "B-2024-0099")
    assert missing.exit_code == 3 and "备案 B-2024-0099 不存在" in missing.stderr
    leader = district("filing", "add", "-p", "某项目", "-e", "某公司", "--unit", "ZRZY", as_="chen.fuquzhang")
    assert leader.exit_code == 4
    unknown_unit = district("filing", "add", "-p", "某项目", "-e", "某公司", "--unit", "教育厅", as_="wang.mishu")
    assert unknown_unit.exit_code == 3
    bad_state = district("filing", "list", "--state", "已销号")
    assert bad_state.exit_code == 2 and "无法识别的备案状态" in bad_state.stderr
    assert district.snapshot() == before
    district.json("filing", "complete", filing_id, as_="wang.mishu")
    again = district("filing", "return", filing_id, "--reason", "x", as_="wang.mishu")
    assert again.exit_code == 5 and "当前为已办结" in again.stderr

