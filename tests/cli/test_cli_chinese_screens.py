"""In Chinese mode every screen speaks Chinese: the administration screens (outbox, robots, settings, the
deployments, the calendar's source) and Typer's and Click's own words (help, usage errors); English mode
keeps its words, and one language never leaks into the next invocation."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer._click import termui, utils
from typer._click.core import Context
from typer._click.formatting import HelpFormatter

from coordination.cli import zh_click
from coordination.render import admin_screens
from tests.cli.conftest import Cli

ROBOT_URL = "https://robot.example.gov.cn/send?access_token=abcdef123456"


def _english_words(text: str, *words: str) -> list[str]:
    return [w for w in words if re.search(rf"\b{re.escape(w)}\b", text)]


# ---- the administration screens ----------------------------------------------------------------------


def test_outbox_list_in_chinese(district: Cli, raised: dict[str, Any]) -> None:
    district.json("issue", "assign", raised["id"], "--unit", "ZRZY", as_="wang.mishu")

    shown = district("outbox", "list")

    assert shown.exit_code == 0, shown.output
    for chinese in ("编号", "类型", "问题", "单位", "标题", "状态", "发送次数", "最近错误", "交办", "待发送"):
        assert chinese in shown.stdout, chinese
    assert _english_words(shown.stdout, "id", "kind", "problem", "status", "attempts", "last error",
                          "assignment", "pending") == []
    # the state filter takes the Chinese word too, and --json keeps the codes
    listed = district.json("outbox", "list", "--status", "待发送")
    assert [(m["kind"], m["status"]) for m in listed] == [("assignment", "pending")]


def test_outbox_list_in_english(district: Cli, raised: dict[str, Any]) -> None:
    district.json("issue", "assign", raised["id"], "--unit", "ZRZY", as_="wang.mishu")

    shown = district("outbox", "list", "--lang", "en")

    assert shown.exit_code == 0, shown.output
    assert "Last error" in shown.stdout and "assignment" in shown.stdout and "pending" in shown.stdout
    assert "待发送" not in shown.stdout and "最近错误" not in shown.stdout


def test_an_unknown_outbox_state_is_refused_in_both_words(district: Cli) -> None:
    refused = district("outbox", "list", "--status", "sent")

    assert refused.exit_code == 2 and "待发送" in refused.stderr


def test_webhook_list_in_chinese(district: Cli) -> None:
    added = district("webhook", "add", "自然资源局工作群", "--url", ROBOT_URL, "--unit", "ZRZY", "--secret", "SEC123",
                     as_="admin")
    assert added.exit_code == 0, added.output

    shown = district("webhook", "list")

    assert shown.exit_code == 0, shown.output
    for chinese in ("名称", "类型", "单位", "地址", "加签", "在用", "钉钉", "是"):
        assert chinese in shown.stdout, chinese
    assert _english_words(shown.stdout, "name", "kind", "signed", "active", "dingtalk") == []
    assert "✔" not in shown.stdout and "abcdef123456" not in shown.stdout
    assert district.json("webhook", "list")["kind"] == "dingtalk"


def test_setting_list_in_chinese(district: Cli) -> None:
    shown = district("setting", "list")

    assert shown.exit_code == 0, shown.output
    for chinese in ("设置项", "当前值", "默认值", "含义", "超过办结期限多少个工作日后自动提级"):
        assert chinese in shown.stdout, chinese
    assert _english_words(shown.stdout, "key", "value", "meaning", "escalated", "sweep:") == []
    assert "sweep.escalate_after_overdue_working_days" in shown.stdout  # the key, as typed in `setting set`
    english = district("setting", "list", "--lang", "en")
    assert "Meaning" in english.stdout and "含义" not in english.stdout


def test_setting_list_shows_every_known_setting_with_its_default(district: Cli) -> None:
    from coordination.services.settings import KNOWN_KEYS

    listed = district.json("setting", "list")
    assert set(KNOWN_KEYS) <= set(listed)
    assert (listed["projects.yellow_points"]["value"], listed["projects.red_points"]["default"]) == ("10", "30")
    # Reports go under coord's data directory unless an admin says otherwise; every schedule is listed.
    assert listed["reports.folder"]["default"].endswith("reports") and not listed["reports.folder"]["set"]
    assert listed["schedule.sweep"] == {"value": "30 7 * * *", "default": "30 7 * * *", "set": False}


def test_every_setting_and_message_kind_has_its_chinese() -> None:
    from coordination.domain.notices import NoticeKind
    from coordination.services.settings import KNOWN_KEYS

    assert set(admin_screens.SETTING_MEANINGS) == set(KNOWN_KEYS)
    kinds = {value for name, value in vars(NoticeKind).items() if name.isupper()}
    assert all(admin_screens.message_kind(kind, "zh") != kind for kind in kinds)


def test_serve_list_in_chinese(district: Cli) -> None:
    from coordination.domain.schedules import SCHEDULES

    shown = district("serve", "--list")

    assert shown.exit_code == 0, shown.output
    for chinese in ("部署", "下次运行", "时间表", "内容", "按需运行", "每个工作日 07:30：亮灯、督办、超期自动提级"):
        assert chinese in shown.stdout, chinese
    assert all(f"{s.name}/{s.name}" in shown.stdout for s in SCHEDULES)
    assert "30 7 * * *" in shown.stdout
    assert _english_words(shown.stdout, "next run", "what", "on demand", "each working day") == []


def test_calendar_source_in_chinese(district: Cli) -> None:
    shown = district("calendar", "show", "2024")
    loaded = district("calendar", "load", "2099", "--holidays", "2099-01-01", as_="admin")

    assert shown.exit_code == 0 and loaded.exit_code == 0, shown.output + loaded.output
    assert "来源" in shown.stdout and "国务院放假安排（chinese-calendar 软件包内置）" in shown.stdout
    assert "管理员加载" in loaded.stdout
    assert _english_words(shown.stdout + loaded.stdout, "package", "loaded", "Source") == []
    assert district.json("calendar", "show", "2024")["source"] == "package"
    english = district("calendar", "show", "2024", "--lang", "en")
    assert "built into the chinese-calendar package" in english.stdout


# ---- Typer's and Click's own words ---------------------------------------------------------------------


@pytest.mark.parametrize("args", [("--help",), ("issue", "--help"), ("issue", "list", "--help"), ()])
def test_help_in_chinese(cli: Cli, args: tuple[str, ...]) -> None:
    shown = cli(*args)

    assert shown.exit_code in (0, 2), shown.output  # a group called without a command shows its help
    assert "用法：coord" in shown.output and "选项" in shown.output and "显示此帮助信息并退出。" in shown.output
    assert _english_words(shown.output, "Usage", "Options", "Commands", "Arguments", "Show this message") == []
    assert "[选项]" in shown.output and "[OPTIONS]" not in shown.output


def test_root_help_in_chinese_includes_typers_completion_options(cli: Cli) -> None:
    shown = cli("--help")

    assert "命令" in shown.stdout and "为当前 shell 安装命令补全。" in shown.stdout
    assert "<文本>" in shown.stdout and "<str>" not in shown.stdout
    assert "Install completion" not in shown.stdout


def test_defaults_and_required_marks_in_chinese(cli: Cli) -> None:
    listed = cli("issue", "list", "--help")
    raised = cli("issue", "raise", "--help")

    assert "[默认：500]" in listed.stdout and "<整数范围>" in listed.stdout
    assert "[必填]" in raised.stdout
    assert "default" not in listed.stdout and "required" not in raised.stdout


def test_unknown_command_in_chinese(cli: Cli) -> None:
    unknown = cli("nosuch")
    typo = cli("issue", "lst")

    assert unknown.exit_code == typo.exit_code == 2
    assert "没有该命令：'nosuch'。" in unknown.stderr and "错误" in unknown.stderr
    assert "运行 'coord --help' 查看帮助。" in unknown.stderr and "用法：coord [选项] 命令 [参数]..." in unknown.stderr
    assert "没有该命令：'lst'。您是不是要输入 'list'？" in typo.stderr
    assert _english_words(unknown.stderr + typo.stderr, "No such command", "Error", "Try", "Usage",
                          "Did you mean") == []


@pytest.mark.parametrize(("args", "expected"), [
    (("issue", "list", "--limit", "x"), "'--limit' 的值无效：应为整数"),
    (("issue", "list", "--limit", "0"), "'--limit' 的值无效：应大于或等于 1"),
    (("issue", "show"), "缺少参数 'ID'。"),
    (("issue", "raise", "--title", "t", "--project", "P-001"), "缺少选项 '--category' / '-c'。"),
    (("issue", "list", "--bogus"), "没有该选项：--bogus"),
    (("issue", "list", "surplus"), "多余的参数：surplus"),
    (("issue", "list", "--limit"), "选项 '--limit' 需要一个值。"),
])
def test_usage_errors_in_chinese(cli: Cli, args: tuple[str, ...], expected: str) -> None:
    refused = cli(*args)

    assert refused.exit_code == 2, refused.output
    assert expected in refused.stderr, refused.stderr
    assert _english_words(refused.stderr, "Invalid value", "Missing", "No such option", "Got unexpected",
                          "requires", "Input should", "Error") == []


def test_english_mode_keeps_typers_words(cli: Cli) -> None:
    chinese_first = cli("issue", "lst")
    helped = cli("--lang", "en", "--help")
    unknown = cli("issue", "lst", "--lang", "en")
    bad = cli("issue", "list", "--limit", "x", "--lang=en")

    assert chinese_first.exit_code == 2 and "没有该命令" in chinese_first.stderr
    assert "Usage: coord [OPTIONS] COMMAND [ARGS]..." in helped.stdout
    assert "Show this message and exit." in helped.stdout
    assert "<str>" in helped.stdout and "用法" not in helped.stdout and "显示此帮助信息" not in helped.stdout
    assert "No such command 'lst'. Did you mean 'list'?" in unknown.stderr
    assert "Try 'coord issue --help' for help." in unknown.stderr
    assert "Invalid value for '--limit': Input should be a valid integer" in bad.stderr
    assert "没有该命令" not in unknown.stderr and "的值无效" not in bad.stderr


def test_an_invocation_puts_typers_words_back(cli: Cli) -> None:
    from typer import rich_utils
    from typer.core import _TyperParameter

    display_type = _TyperParameter.display_type
    cli("--help")
    cli("issue", "list", "--limit", "x")

    assert rich_utils.OPTIONS_PANEL_TITLE == "Options" and rich_utils.ERRORS_PANEL_TITLE == "Error"
    assert Context.formatter_class is HelpFormatter and _TyperParameter.display_type is display_type


def test_the_language_is_read_from_the_line_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COORD_LANG", "en")
    assert zh_click.language(["issue", "list"]) == "en"
    assert zh_click.language(["--lang", "zh", "issue", "list"]) == "zh"
    assert zh_click.language(["--lang=zh", "--lang=en"]) == "en"
    assert zh_click.language(["issue", "--", "--lang", "zh"]) == "en"
    monkeypatch.setenv("COORD_LANG", "fr")  # refused later by the root, in Chinese; Typer's words follow
    assert zh_click.language([]) == "zh"


@pytest.mark.parametrize(("english", "chinese"), [
    ("Missing option '--url'.", "缺少选项 '--url'。"),
    ("Missing argument 'NAME'.", "缺少参数 'NAME'。"),
    ("Option '--db' requires an argument.", "选项 '--db' 需要一个值。"),
    ("Option '--open' does not take a value.", "选项 '--open' 不接受值。"),
    ("Got unexpected extra argument(s) (a b)", "多余的参数：a b"),
    ("No such option: --lmit (Possible options: --limit)", "没有该选项：--lmit（可能是：--limit）"),
    ("Invalid value for '--port': 'x' is not a valid integer.", "'--port' 的值无效：'x' 不是有效的整数。"),
    ("Invalid value for 'PATH': File 'a.xlsx' does not exist.", "'PATH' 的值无效：文件 'a.xlsx' 不存在。"),
    ("Invalid value for 'PATH': file 'a.xlsx' does not exist.", "'PATH' 的值无效：文件 'a.xlsx' 不存在。"),
    ("Invalid value for '--kind': 'x' is not one of 'a', 'b'.", "'--kind' 的值无效：'x' 不是可选值之一（'a', 'b'）。"),
    ("未知单位 ABC", "未知单位 ABC"),
])
def test_click_messages_in_chinese(english: str, chinese: str) -> None:
    assert zh_click.translate_message(english) == chinese


@pytest.fixture
def typed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """What the person types at the prompts, in order."""
    answers: list[str] = []
    monkeypatch.setattr(termui, "hidden_prompt_func", lambda prompt: answers.pop(0))
    yield answers


def test_a_mistyped_password_confirmation_is_told_in_chinese(typed: list[str],
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    typed.extend(["secret-1", "secret-2", "secret-1", "secret-1"])

    with zh_click.speaking("zh"):
        secret = typer.prompt("新密码", hide_input=True, confirmation_prompt="再输入一次")

    assert secret == "secret-1"
    output = capsys.readouterr().out
    assert "错误：两次输入不一致。" in output and "do not match" not in output
    assert termui.echo is utils.echo  # put back


def test_json_output_is_unchanged_by_the_language(district: Cli) -> None:
    chinese = district("setting", "list", "--json")
    english = district("setting", "list", "--json", "--lang", "en")

    assert json.loads(chinese.stdout) == json.loads(english.stdout)
