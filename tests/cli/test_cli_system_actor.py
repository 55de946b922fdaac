"""Nobody acts as the built-in `system` from the command line; the sweep still runs as it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import Result

from coordination.cli.main import app
from tests.cli.conftest import Cli


@pytest.fixture
def in_hand(district: Cli) -> str:
    """A problem the 自然资源和规划局 has acknowledged: one `system` could escalate by the table."""
    pid: str = district.json("issue", "raise", "--project", "P-001", "--title", "二期用地指标尚未落实",
                             "--category", "用地", as_="li.zhuanyuan")["id"]
    district.json("issue", "assign", pid, "--unit", "ZRZY", as_="wang.mishu")
    district.json("issue", "ack", pid, as_="zhao.jingban")
    return pid


def as_system_by_env(district: Cli, *args: str) -> Result:
    return district.runner.invoke(app, list(args), env={**district.env, "COORD_USER": "system"})


COMMANDS = [
    pytest.param(("issue", "escalate", "{pid}", "--reason", "逾期超过10个工作日"), id="issue-escalate"),
    pytest.param(("issue", "progress", "{pid}", "--reason", "系统代报进展"), id="issue-progress"),
    pytest.param(("issue", "list"), id="issue-list"),
    pytest.param(("issue", "show", "{pid}"), id="issue-show"),
    pytest.param(("queue",), id="queue"),
    pytest.param(("meeting", "list"), id="meeting-list"),
    pytest.param(("sweep",), id="sweep"),
    pytest.param(("report", "weekly"), id="report-weekly"),
    pytest.param(("audit", "verify"), id="audit-verify"),
    pytest.param(("init",), id="init"),
]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("how", ["--as", "COORD_USER"])
def test_acting_as_system_is_refused_for_every_command(district: Cli, in_hand: str, command: tuple[str, ...],
                                                       how: str) -> None:
    argv = [part.format(pid=in_hand) for part in command]
    before = district.snapshot()
    result = district(*argv, as_="system") if how == "--as" else as_system_by_env(district, *argv)
    assert result.exit_code == 4, result.output
    assert "内置的定时任务账号" in result.stderr and "Traceback" not in result.output
    assert district.snapshot() == before


def test_the_refusal_says_why_in_english_too(district: Cli, in_hand: str) -> None:
    result = district("issue", "escalate", in_hand, "--reason", "逾期", "--lang", "en", as_="system")
    assert result.exit_code == 4
    assert "built-in actor of the sweep" in result.stderr


def test_a_configured_default_identity_of_system_is_refused_too(district: Cli, in_hand: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_text('user = "system"\n', encoding="utf-8")
    result = district.runner.invoke(app, ["issue", "escalate", in_hand, "--reason", "逾期"],
                                    env={**district.env, "COORD_HOME": str(home)})
    assert result.exit_code == 4 and "内置的定时任务账号" in result.stderr


def test_the_sweep_still_runs_as_system_and_people_still_act(district: Cli, in_hand: str) -> None:
    swept = district.json("sweep")
    assert swept["dry_run"] is False
    by_hand = district.json("sweep", as_="wang.mishu")
    assert by_hand["dry_run"] is False
    escalated = district.json("issue", "escalate", in_hand, "--reason", "需专班会商", as_="wang.mishu")
    assert escalated["state"] == "on_agenda"
    assert district("audit", "verify").exit_code == 0
