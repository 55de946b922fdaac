"""`coord plan` and `coord task` as people use them: a plan task's life in Chinese and in JSON, names and
dates as the district writes them, and refusals with their exit codes that write nothing."""

from __future__ import annotations

import json

from tests.cli.conftest import Cli

PLAN_NAME = "“十四五”规划中期评估任务分解"


def _plan_and_task(district: Cli) -> str:
    district.json("plan", "add", "SSW-ZQ", PLAN_NAME, as_="wang.mishu")
    added = district.json("task", "add", "--plan", "ssw-zq", "--title", "完成国土空间总体规划报批",
                          "--unit", "自然资源局", "--co-units", "东区电池材料产业园，住建局", "--due", "2024年12月31日",
                          as_="wang.mishu")
    return str(added["id"])


def test_a_task_from_decomposition_to_completion(district: Cli) -> None:
    created = district("plan", "add", "ZC-2024-3", "关于促进民间投资的若干措施", "--kind", "政策文件", as_="wang.mishu")
    assert created.exit_code == 0, created.output
    assert "已登记政策文件：ZC-2024-3" in created.stderr
    task_id = _plan_and_task(district)
    assert task_id == "T-2024-0001"
    shown = district.json("task", "show", task_id)
    assert (shown["state"], shown["lead_unit"], shown["co_units"], shown["due_date"]) == (
        "decomposed", "ZRZY", ["DQY", "ZJJ"], "2024-12-31")
    assert shown["plan_name"] == PLAN_NAME and shown["plan_kind"] == "plan" and shown["light"] == "green"

    assert district.json("task", "ack", task_id, as_="zhao.jingban")["state"] == "in_progress"
    progress = district.json("task", "progress", task_id, "--note", "已配合完成配套审查", as_="qian.jingban",
                             now="2024-10-20T10:00:00+08:00")
    assert progress["last_progress_on"] == "2024-10-20"
    district.json("task", "resolve", task_id, "-m", "已取得省政府批复", as_="sun.juzhang",
                  now="2024-11-05T10:00:00+08:00")
    done = district.json("task", "verify", task_id, as_="wang.mishu", now="2024-11-06T10:00:00+08:00")
    assert (done["state"], done["completed_on"], done["completed_on_time"], done["version"]) == (
        "completed", "2024-11-06", True, 5)

    history = district.json("task", "history", task_id)
    assert [e["action"] for e in history] == ["add", "acknowledge", "progress", "resolve", "verify"]
    text = district("task", "show", task_id)
    assert text.exit_code == 0
    for chinese in ("已完成", "牵头单位", "区自然资源和规划局", "确认完成", "申请完成", "报送进展", PLAN_NAME):
        assert chinese in text.stdout, chinese
    listed = district("task", "list", "--state", "已完成")
    assert listed.exit_code == 0 and task_id in listed.stdout and "重点任务清单" in listed.stdout
    assert district.json("task", "list", "--open") == []
    plans = district.json("plan", "list", "--kind", "policy")
    assert [(p["code"], p["tasks"]["total"]) for p in plans] == [("ZC-2024-3", 0)]
    plan = district.json("plan", "show", PLAN_NAME)
    assert plan["tasks"]["by_state"] == {"completed": 1} and [t["id"] for t in plan["task_list"]] == [task_id]
    audit = district("audit", "verify")
    assert audit.exit_code == 0 and "全部校验通过" in audit.stdout


def test_adjust_and_return_in_english(district: Cli) -> None:
    task_id = _plan_and_task(district)
    district.json("task", "ack", task_id, as_="zhao.jingban")
    adjusted = district.json("task", "adjust", task_id, "--due", "2025/3/31", "--co-units", "none",
                             "--reason", "省厅审查时间延后", as_="wang.mishu")
    assert (adjusted["due_date"], adjusted["co_units"], adjusted["adjust_count"]) == ("2025-03-31", [], 1)
    district.json("task", "resolve", task_id, "--note", "已报批", as_="zhao.jingban")
    returned = district("task", "reject", task_id, "--reason", "批复尚未印发", "--lang", "en", as_="wang.mishu")
    assert returned.exit_code == 0, returned.output
    assert "return: T-2024-0001 → in progress" in returned.stderr
    assert "Lead unit" in returned.stdout and "牵头单位" not in returned.stdout


def test_refusals_exit_with_their_codes_and_write_nothing(district: Cli) -> None:
    task_id = _plan_and_task(district)
    district.json("task", "ack", task_id, as_="zhao.jingban")
    district.json("task", "resolve", task_id, "--note", "已报批", as_="zhao.jingban")
    before = district.snapshot()

    own = district("task", "verify", task_id, as_="sun.juzhang")  # the unit that asked
    assert own.exit_code == 4 and "不能对任务 T-2024-0001 执行“确认完成”" in own.stderr
    no_reason = district("task", "reject", task_id, as_="wang.mishu")
    assert no_reason.exit_code == 2 and "“退回”需要填写说明" in no_reason.stderr
    wrong_state = district("task", "adjust", task_id, "--due", "2025-01-31", "--reason", "延期", as_="wang.mishu")
    assert wrong_state.exit_code == 5 and "当前为申请完成，不能调整" in wrong_state.stderr
    missing = district("task", "show", "T-2024-0099")
    assert missing.exit_code == 3 and "任务 T-2024-0099 不存在" in missing.stderr
    unknown_unit = district("task", "add", "--plan", "SSW-ZQ", "--title", "另一项任务", "--unit", "自然资源厅",
                            "--due", "2024-12-31", as_="wang.mishu")
    assert unknown_unit.exit_code == 3
    assert "单位 自然资源厅 不存在；是否指 ZRZY（区自然资源和规划局）" in unknown_unit.stderr
    bad_date = district("task", "add", "--plan", "SSW-ZQ", "--title", "另一项任务", "--unit", "ZRZY",
                        "--due", "明年", as_="wang.mishu")
    assert bad_date.exit_code == 2 and "--due" in bad_date.stderr
    unknown_plan = district("task", "add", "--plan", "SSW", "--title", "另一项任务", "--unit", "ZRZY",
                            "--due", "2024-12-31", as_="wang.mishu")
    assert unknown_plan.exit_code == 3 and "规划或政策文件 SSW 不存在" in unknown_plan.stderr
    bad_kind = district("plan", "add", "X-1", "某文件", "--kind", "通知", as_="wang.mishu")
    assert bad_kind.exit_code == 2 and "无法识别的规划类型" in bad_kind.stderr
    not_secretariat = district("task", "add", "--plan", "SSW-ZQ", "--title", "另一项任务", "--unit", "ZRZY",
                               "--due", "2024-12-31", as_="zhao.jingban")
    assert not_secretariat.exit_code == 4
    assert district.snapshot() == before


def test_a_refused_add_writes_nothing(district: Cli) -> None:
    _plan_and_task(district)
    before = district.snapshot()
    for args in (("--unit", "NOPE", "--due", "2024-12-31"), ("--unit", "ZRZY", "--due", "2024-10-08"),
                 ("--unit", "ZRZY", "--co-units", "ZRZY", "--due", "2024-12-31")):
        refused = district("task", "add", "--plan", "SSW-ZQ", "--title", "另一项任务", *args, as_="wang.mishu")
        assert refused.exit_code in (2, 3), refused.output
    assert district.snapshot() == before
    events = json.loads(district("task", "history", "T-2024-0001", "--json").stdout)
    assert len(events) == 1
