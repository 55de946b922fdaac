"""`coord sweep`, `coord serve --list`, `coord outbox|webhook|setting` on a district database, and the CLI's
promise to stay fast: no command module imports Prefect."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from coordination.cli.main import app
from coordination.config import DISTRICT_TZ
from coordination.domain.enums import Action, Difficulty
from coordination.services import settings
from tests.flows.robot import Robot, running


def local(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=DISTRICT_TZ).astimezone(UTC)


@pytest.fixture
def coord(district: Any, tmp_path: Any) -> Any:
    runner = CliRunner()
    env = {"COORD_DATABASE_URL": district.url, "COORD_HOME": str(tmp_path / "home"),
           "COORD_USER": "", "COORD_LANG": "", "COLUMNS": "160", "COORD_NOW": "2024-06-12T07:30:00+08:00"}

    def invoke(*args: str, as_: str | None = None) -> Result:
        return runner.invoke(app, [*args, *(("--as", as_) if as_ else ())], env=env)

    return invoke


def overdue_problem(d: Any) -> str:
    problem_id: str = d.raise_problem(now=local(date(2024, 6, 3)))
    d.act(d.secretariat, problem_id, Action.ASSIGN, now=local(date(2024, 6, 3)), unit=d.solving_unit,
          difficulty=Difficulty.C)
    return problem_id


def test_coord_sweep_dry_run_then_sweep_then_nothing(district: Any, coord: Any) -> None:
    problem_id = overdue_problem(district)

    preview = coord("sweep", "--dry-run", "--json")
    done = coord("sweep", "--json")
    again = coord("sweep", "--json")

    assert preview.exit_code == done.exit_code == again.exit_code == 0, preview.output + done.output
    assert json.loads(preview.stdout)["dry_run"] and json.loads(preview.stdout)["reminders"] == [problem_id]
    result = json.loads(done.stdout)
    assert result["lights"] == {"red": 1} and result["reminders"] == [problem_id] and result["origin"] == "cli"
    assert json.loads(again.stdout)["events"] == 0
    assert district.problem_row(problem_id)["light"] == "red"


def test_a_person_who_sweeps_by_hand_must_be_admin_or_secretariat_and_is_named_in_the_origin(
    district: Any, coord: Any,
) -> None:
    problem_id = overdue_problem(district)

    refused = coord("sweep", as_=district.specialist)
    assert refused.exit_code == 4 and district.problem_row(problem_id)["light"] is None

    done = coord("sweep", "--json", as_=district.secretariat)
    assert json.loads(done.stdout)["origin"] == f"cli:{district.secretariat}"
    assert {e["actor"] for e in district.events(problem_id)[-2:]} == {"system"}


def test_coord_sweep_prints_a_summary_in_chinese(district: Any, coord: Any) -> None:
    problem_id = overdue_problem(district)

    shown = coord("sweep")

    assert shown.exit_code == 0
    assert "巡查完成 2024-06-12" in shown.stdout and "转红灯" in shown.stdout and problem_id in shown.stdout


def test_coord_serve_lists_its_deployments_without_a_server(coord: Any) -> None:
    listed = coord("serve", "--list")

    assert listed.exit_code == 0, listed.output
    assert "sweep/sweep" in listed.stdout and "30 7 * * *" in listed.stdout and "*/5 * * * *" in listed.stdout


def test_coord_serve_refuses_a_prefect_server_that_does_not_answer(coord: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    refused = coord("serve")

    assert refused.exit_code == 1 and "PREFECT_API_URL=http://127.0.0.1:9/api" in refused.stderr


def test_coord_serve_names_what_is_missing_and_refuses_before_starting_anything(
    district: Any, coord: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any,
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    settings.set_setting(district.uow(), caller=district.caller(district.admin), key="reports.folder",
                         value=str(blocked / "reports"))
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")  # never reached: the checks come first

    refused = coord("serve")

    assert refused.exit_code == 2, refused.output
    for name in ("weekly-report", "monthly-analysis", "quarterly-dispatch"):
        assert f"{name}（无法运行）：报告目录" in refused.stderr, refused.stderr
    assert "deliver-notifications（提醒）：未配置群机器人" in refused.stderr
    assert "PREFECT_API_URL" not in refused.stderr


def test_webhook_outbox_and_setting_commands(district: Any, coord: Any) -> None:
    overdue_problem(district)
    coord("sweep")
    with running(Robot()) as robot:
        added = coord("webhook", "add", "自然资源局工作群", "--url", robot.url, "--kind", "dingtalk",
                      "--unit", district.solving_unit, "--json", as_=district.admin)
        pending = coord("outbox", "list", "--status", "pending", "--json")
        sent = coord("outbox", "deliver", "--json")

    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["url"].endswith("test…")
    # The 交办 notice of the set-up's assignment and the sweep's 督办 reminder wait; the robot, registered
    # nine days after the assignment, gets the reminder, and the week-old-plus 交办 notice expires unsent.
    assert sorted(m["kind"] for m in json.loads(pending.stdout)) == ["assignment", "reminder"]
    report = json.loads(sent.stdout)
    assert (report["delivered"], report["expired"], len(robot.received)) == (1, 1, 1)

    changed = coord("setting", "set", "sweep.escalate_after_overdue_working_days", "15", "--json",
                    as_=district.admin)
    refused = coord("setting", "set", "sweep.escalate_after_overdue_working_days", "15", as_=district.secretariat)
    unknown = coord("setting", "set", "sweep.escalate_after", "15", as_=district.admin)
    assert json.loads(changed.stdout)["sweep.escalate_after_overdue_working_days"] == {"value": "15", "default": "10",
                                                                                     "set": True}
    assert (refused.exit_code, unknown.exit_code) == (4, 2)


@pytest.mark.parametrize("module", ["coordination.cli.main", "coordination.services.sweep"])
def test_the_command_line_never_imports_prefect(module: str) -> None:
    probe = f"import sys, {module}; print('prefect' in sys.modules, 'httpx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]
