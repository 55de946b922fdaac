"""The command line as people use it: a problem's whole life, and bad input refused cleanly."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from tests.cli.conftest import Cli


def test_full_life_from_raise_to_strike_off(district: Cli, raised: dict[str, Any]) -> None:
    pid = raised["id"]
    assert pid == "Q-2024-0001"
    assert raised["state"] == "submitted"
    assert raised["level"] == 1 and raised["version"] == 1 and raised["light"] is None

    # No --unit: the routing table proposes 区自然资源和规划局 for 用地.
    assigned = district.json("issue", "assign", pid, "--difficulty", "C", as_="wang.mishu")
    assert assigned["state"] == "assigned" and assigned["lead_unit"] == "ZRZY"
    # 5 working days from Tue 2024-10-08: 9, 10, 11, Sat 12 (make-up working day), 14.
    assert assigned["due_date"] == "2024-10-14" and assigned["due_provisional"] is False
    assert assigned["light"] == "green" or assigned["light"] == "yellow"

    acked = district.json("issue", "ack", pid, as_="zhao.jingban", now="2024-10-09T10:00:00+08:00")
    assert acked["state"] == "in_progress"

    escalated = district.json("issue", "escalate", pid, "--reason", "需专班会商", as_="sun.juzhang",
                              now="2024-10-10T10:00:00+08:00")
    assert escalated["state"] == "on_agenda" and escalated["level"] == 2

    resolved = district.json("issue", "resolve", pid, "--note", "指标已下达", as_="zhao.jingban",
                             now="2024-10-11T10:00:00+08:00")
    assert resolved["state"] == "resolution_submitted" and resolved["resolved_by_unit"] == "ZRZY"

    rejected = district.json("issue", "reject", pid, "--reason", "企业尚未收到批文", as_="li.zhuanyuan",
                             now="2024-10-12T10:00:00+08:00")
    assert rejected["state"] == "in_progress" and rejected["reopen_count"] == 1

    district.json("issue", "resolve", pid, "--note", "批文已送达企业", as_="zhao.jingban",
                  now="2024-10-14T10:00:00+08:00")
    closed = district.json("issue", "verify", pid, as_="li.zhuanyuan", now="2024-10-14T16:00:00+08:00")
    assert closed["state"] == "closed" and closed["closed_on"] == "2024-10-14"
    assert closed["version"] == 8 and closed["light"] is None

    history = district.json("issue", "history", pid)
    assert [e["action"] for e in history] == [
        "raise", "assign", "acknowledge", "escalate", "resolve", "reject", "resolve", "verify"]
    assert [e["seq"] for e in history] == list(range(1, 9))
    assert history[3]["actor"] == "sun.juzhang" and history[3]["origin"] == "cli"

    shown = district.json("issue", "show", pid)
    assert len(shown["timeline"]) == 8
    text = district("issue", "show", pid)
    assert text.exit_code == 0 and "已销号" in text.stdout and "退回重办" in text.stdout

    audit = district("audit", "verify")
    assert audit.exit_code == 0 and "全部校验通过" in audit.stdout


def test_unknown_project_is_not_found_and_writes_nothing(district: Cli) -> None:
    before = district.snapshot()
    result = district("issue", "raise", "--project", "P-404", "--title", "用地", "--category", "用地",
                      as_="li.zhuanyuan")
    assert result.exit_code == 3
    assert "项目 P-404 不存在" in result.stderr
    assert "Traceback" not in result.output
    assert district.snapshot() == before


def test_empty_title_is_invalid_input_and_writes_nothing(district: Cli) -> None:
    before = district.snapshot()
    result = district("issue", "raise", "--project", "P-001", "--title", "   ", "--category", "用地",
                      as_="li.zhuanyuan")
    assert result.exit_code == 2
    assert "标题不能为空" in result.stderr
    assert district.snapshot() == before


def test_invalid_due_date_is_invalid_input_and_writes_nothing(district: Cli, raised: dict[str, Any]) -> None:
    before = district.snapshot()
    result = district("issue", "assign", raised["id"], "--unit", "ZRZY", "--due", "2024-13-45", as_="wang.mishu")
    assert result.exit_code == 2
    assert "日期格式无效" in result.stderr
    assert district.snapshot() == before


def test_wrong_role_is_not_permitted_and_writes_nothing(district: Cli, raised: dict[str, Any]) -> None:
    before = district.snapshot()
    result = district("issue", "assign", raised["id"], "--unit", "ZRZY", as_="zhao.jingban")
    assert result.exit_code == 4
    assert "zhao.jingban" in result.stderr and "交办" in result.stderr
    assert district.snapshot() == before


def test_handler_of_another_unit_cannot_acknowledge(district: Cli, raised: dict[str, Any]) -> None:
    district.json("issue", "assign", raised["id"], "--unit", "ZRZY", as_="wang.mishu")
    before = district.snapshot()
    result = district("issue", "ack", raised["id"], as_="qian.jingban")
    assert result.exit_code == 4
    assert district.snapshot() == before


def test_unknown_identity_is_not_permitted(district: Cli) -> None:
    result = district("issue", "raise", "--project", "P-001", "--title", "用地", "--category", "用地",
                      as_="nobody")
    assert result.exit_code == 4
    assert "未知身份 nobody" in result.stderr


def test_missing_identity_is_not_permitted(district: Cli) -> None:
    result = district("issue", "raise", "--project", "P-001", "--title", "用地", "--category", "用地")
    assert result.exit_code == 4
    assert "未指定身份" in result.stderr


def test_transition_not_in_the_table_is_a_conflict(district: Cli, raised: dict[str, Any]) -> None:
    before = district.snapshot()
    result = district("issue", "verify", raised["id"], as_="wang.mishu")
    assert result.exit_code == 5
    assert f"问题 {raised['id']} 当前为已上报，不能销号" in result.stderr
    assert district.snapshot() == before


def test_stale_version_is_a_conflict(district: Cli, raised: dict[str, Any]) -> None:
    district.json("issue", "progress", raised["id"], "--note", "已约企业座谈", as_="li.zhuanyuan")
    before = district.snapshot()
    result = district("issue", "progress", raised["id"], "--note", "再次催办", "--version", "1", as_="wang.mishu")
    assert result.exit_code == 5
    assert "第 2 版" in result.stderr
    assert district.snapshot() == before


def test_unknown_category_and_bad_level_are_invalid_input(district: Cli) -> None:
    result = district("issue", "raise", "--project", "P-001", "--title", "某问题", "--category", "天气",
                      as_="li.zhuanyuan")
    assert result.exit_code == 2 and "未知问题类别" in result.stderr
    listing = district("issue", "list", "--level", "L9")
    assert listing.exit_code == 2


def test_english_messages_on_request(district: Cli, raised: dict[str, Any]) -> None:
    result = district("issue", "verify", raised["id"], "--lang", "en", as_="wang.mishu")
    assert result.exit_code == 5
    assert f"cannot verify {raised['id']} while submitted" in result.stderr


def test_global_options_work_anywhere_on_the_line(district: Cli, raised: dict[str, Any]) -> None:
    first = district("--as", "wang.mishu", "issue", "assign", raised["id"], "--unit", "ZRZY", "--json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["lead_unit"] == "ZRZY"


def test_list_and_queue_filters(district: Cli, raised: dict[str, Any]) -> None:
    pid = raised["id"]
    district.json("issue", "assign", pid, "--unit", "ZRZY", as_="wang.mishu")
    district.json("issue", "ack", pid, as_="zhao.jingban")
    district.json("issue", "escalate", pid, "--reason", "需会商", as_="wang.mishu")
    district.json("issue", "escalate", pid, "--reason", "提请挂钩领导会办", as_="wang.mishu")
    assert [p["id"] for p in district.json("issue", "list", "--state", "on_agenda")] == [pid]
    assert district.json("issue", "list", "--unit", "ZJJ") == []
    assert [p["id"] for p in district.json("queue", "--leader", "chen.fuquzhang")] == [pid]
    assert [p["id"] for p in district.json("queue", "--level", "L3")] == [pid]
    assert district.json("queue", "--level", "L2") == []
    table = district("queue")
    assert table.exit_code == 0 and pid in table.stdout


def test_uninitialised_database_says_run_init(cli: Cli) -> None:
    result = cli("issue", "list")
    assert result.exit_code == 2
    assert "coord init" in result.stderr


def test_demo_refuses_a_database_that_holds_other_data(district: Cli) -> None:
    result = district("demo")
    assert result.exit_code == 5
    assert "--reset" in result.stderr


def test_commands_do_not_import_prefect() -> None:
    code = ("import sys; from coordination.cli.main import app; "
            "from typer.main import get_command; get_command(app); "
            "assert 'prefect' not in sys.modules, 'prefect imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_required_token_guards_every_identity(district: Cli, raised: dict[str, Any]) -> None:
    created = district("person", "token", "create", "wang.mishu", as_="admin")
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("coord_")

    district.env["COORD_REQUIRE_TOKEN"] = "1"
    before = district.snapshot()
    refused = district("issue", "assign", raised["id"], "--unit", "ZRZY", as_="wang.mishu")
    assert refused.exit_code == 4 and "COORD_TOKEN" in refused.stderr
    district.env["COORD_TOKEN"] = "coord_forged"
    assert district("issue", "assign", raised["id"], "--unit", "ZRZY", as_="wang.mishu").exit_code == 4
    assert district.snapshot() == before

    district.env["COORD_TOKEN"] = token
    assigned = district.json("issue", "assign", raised["id"], "--unit", "ZRZY", as_="wang.mishu")
    assert assigned["state"] == "assigned"

    assert district("person", "token", "revoke", "wang.mishu", as_="wang.mishu").exit_code == 0
    assert district("issue", "progress", raised["id"], "--note", "催办", as_="wang.mishu").exit_code == 4


def test_coord_lang_sets_the_language_of_errors_too(district: Cli, raised: dict[str, Any]) -> None:
    district.env["COORD_LANG"] = "en"
    result = district("issue", "verify", raised["id"], as_="wang.mishu")
    assert result.exit_code == 5
    assert result.stderr.startswith("error:") and "cannot verify" in result.stderr
