"""`coord special-plan` as people use it: a special plan from drafting to issue in Chinese and in JSON,
names and dates as the district writes them, and refusals with their exit codes that write nothing."""

from __future__ import annotations

from tests.cli.conftest import Cli

NAME = "综合交通专项规划"


def test_a_special_plan_from_drafting_to_issue(district: Cli) -> None:
    added = district("special-plan", "add", "jt", NAME, "--unit", "自然资源局", as_="wang.mishu",
                     now="2024-03-01T10:00:00+08:00")
    assert added.exit_code == 0, added.output
    assert "已列入编制：ZX-JT" in added.stderr and "编制中" in added.stdout

    reviewed = district.json("special-plan", "advance", "JT", "--date", "2024年5月10日", "--document",
                             "专家评审意见", as_="wang.mishu", now="2024-05-13T10:00:00+08:00")
    assert (reviewed["state"], reviewed["reviewed_on"]) == ("expert_reviewed", "2024-05-10")
    district.json("special-plan", "advance", NAME, "--date", "2024/5/28", "--document", "区政府第 12 次常务会议",
                  as_="wang.mishu", now="2024-06-03T10:00:00+08:00")
    issued = district("special-plan", "advance", "zx-jt", "-m", "关于印发综合交通专项规划的通知", as_="wang.mishu",
                      now="2024-06-10T10:00:00+08:00")
    assert issued.exit_code == 0, issued.output
    assert "已记录：ZX-JT → 印发实施" in issued.stderr
    for chinese in ("印发实施", "编制牵头单位", "区自然资源和规划局", "区政府第 12 次常务会议", "专家评审通过"):
        assert chinese in issued.stdout, chinese

    shown = district.json("special-plan", "show", "JT")
    assert (shown["state"], shown["issued_on"], shown["led_by_own_unit"], shown["version"]) == (
        "issued", "2024-06-10", False, 4)
    history = district.json("special-plan", "history", "JT")
    assert [e["action"] for e in history] == ["add", "review", "deliberate", "issue"]
    text = district("special-plan", "history", "JT")
    assert text.exit_code == 0 and "常务会审议通过" in text.stdout
    listed = district("special-plan", "list", "--state", "印发")
    assert listed.exit_code == 0 and "ZX-JT" in listed.stdout and "专项规划" in listed.stdout
    assert district.json("special-plan", "list", "--open") == []
    assert district.json("special-plan", "list", "--own") == []
    audit = district("audit", "verify")
    assert audit.exit_code == 0 and "全部校验通过" in audit.stdout


def test_refusals_exit_with_their_codes_and_write_nothing(district: Cli) -> None:
    district.json("special-plan", "add", "JT", NAME, "--unit", "ZRZY", as_="wang.mishu")
    before = district.snapshot()

    handler = district("special-plan", "advance", "JT", "--document", "专家评审意见", as_="zhao.jingban")
    assert handler.exit_code == 4 and "不能对专项规划 ZX-JT 执行“专家评审通过”" in handler.stderr
    no_document = district("special-plan", "advance", "JT", as_="wang.mishu")
    assert no_document.exit_code == 2 and "需要写明文件或会议（--document）" in no_document.stderr
    future = district("special-plan", "advance", "JT", "--document", "意见", "--date", "2099-01-01", as_="wang.mishu")
    assert future.exit_code == 2 and "不能晚于今天" in future.stderr
    bad_date = district("special-plan", "advance", "JT", "--document", "意见", "--date", "下周", as_="wang.mishu")
    assert bad_date.exit_code == 2 and "--date" in bad_date.stderr
    missing = district("special-plan", "show", "SL")
    assert missing.exit_code == 3 and "专项规划" in missing.stderr
    taken = district("special-plan", "add", "zx-jt", "另一个规划", "--unit", "ZRZY", as_="wang.mishu")
    assert taken.exit_code == 5 and "ZX-JT 已存在" in taken.stderr
    unknown_unit = district("special-plan", "add", "JY", "教育设施布局专项规划", "--unit", "教育厅", as_="wang.mishu")
    assert unknown_unit.exit_code == 3
    bad_state = district("special-plan", "list", "--state", "已销号")
    assert bad_state.exit_code == 2 and "无法识别的专项规划环节" in bad_state.stderr
    assert district.snapshot() == before
