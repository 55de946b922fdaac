"""`coord serve` as an operator runs it, against a real Prefect server, on a fresh install.

- A clean stop across a scheduled sweep (`coord setting set schedule.sweep` to a minute a little ahead):
  at the next start the missed sweep runs once, tagged `catch-up`, named `sweep-<day>`.
- A burst of late delivery runs (six scheduled in the past while coord was down) runs once; the other
  five end Cancelled, collapsed.
- A weekly report run, with no setting made, completes and writes to the data directory.

Real time is needed (a cron slot has to pass while coord is down): about two minutes. The server coord
starts itself is tests/scaleout/test_serve_own_server.py. Runs with
`pytest --scaleout`, in CI.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from coordination.config import DISTRICT_TZ
from coordination.domain.periods import Cadence, last_complete
from tests.scaleout.test_prefect_scaleout import BIN, FINAL, Started, free_port, healthy, wait_until

pytestmark = pytest.mark.scaleout
STARTED_STATES = {"PENDING", "RUNNING", "COMPLETED", "FAILED", "CRASHED"}


def coord_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "COORD_"))}
    env.update({"COORD_HOME": str(home), "COORD_DATABASE_URL": f"sqlite:///{home / 'coord.db'}",
                "PREFECT_HOME": str(home / "client-prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "PREFECT_RUNNER_POLL_FREQUENCY": "2", "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5",
                "PREFECT_SERVER_UI_ENABLED": "false", "COLUMNS": "100", **extra})
    return env


def coord(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(BIN / "coord"), *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done


def district_home(tmp_path: Path) -> Path:
    """A fresh install with what every deployment needs (a secretariat member; reports go to the data
    directory by default). (The demo's own weekly report is run in
    tests/flows/test_orchestration.py.)"""
    home = tmp_path / "home"
    env = coord_env(home)
    coord(env, "init")
    coord(env, "--as", "admin", "unit", "add", "FGJ", "区发展和改革局", "--kind", "department")
    coord(env, "--as", "admin", "person", "add", "wang.mishu", "王秘书", "--unit", "FGJ", "--role", "secretariat")
    return home


class Api:
    def __init__(self, url: str) -> None:
        self.client = httpx.Client(base_url=url, timeout=15)

    def deployment(self, name: str) -> dict[str, Any] | None:
        found = self.client.get(f"/deployments/name/{name}/{name}")
        return found.json() if found.status_code == 200 else None

    def runs(self, name: str) -> list[dict[str, Any]]:
        deployment = self.deployment(name)
        assert deployment is not None
        found = self.client.post("/flow_runs/filter", json={
            "deployments": {"id": {"any_": [deployment["id"]]}}, "sort": "EXPECTED_START_TIME_DESC", "limit": 200})
        assert found.status_code == 200, found.text
        return list(found.json())

    def late_run(self, name: str, minutes_ago: int) -> str:
        deployment = self.deployment(name)
        assert deployment is not None
        when = (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat()
        created = self.client.post(f"/deployments/{deployment['id']}/create_flow_run", json={
            "state": {"type": "SCHEDULED", "state_details": {"scheduled_time": when}}})
        assert created.status_code == 201, created.text
        return str(created.json()["id"])

    def run(self, name: str, parameters: dict[str, Any]) -> str:
        deployment = self.deployment(name)
        assert deployment is not None
        created = self.client.post(f"/deployments/{deployment['id']}/create_flow_run", json={"parameters": parameters})
        assert created.status_code == 201, created.text
        return str(created.json()["id"])

    def state(self, run_id: str) -> dict[str, Any]:
        return dict(self.client.get(f"/flow_runs/{run_id}").json())


def stop(started: Started, name: str) -> None:
    process = dict(started.processes)[name]
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=60)


def serve_until_before_a_sweep_slot(env: dict[str, str], started: Started, api: Api) -> datetime:
    """Start `coord serve` with the sweep due once a day at a minute soon to come (no other sweep run that
    day to compete with the catch-up), and return that slot once serve has registered it in time."""
    for _ in range(3):
        slot = (datetime.now(UTC) + timedelta(seconds=100)).replace(second=0, microsecond=0)
        local = slot.astimezone(DISTRICT_TZ)
        coord(env, "--as", "admin", "setting", "set", "schedule.sweep", f"{local.minute} {local.hour} * * *")
        # Delivery only on New Year's Day at midnight: no regular run competes with the late ones below.
        coord(env, "--as", "admin", "setting", "set", "schedule.deliver-notifications", "0 0 1 1 *")
        started.start("serve-1", [str(BIN / "coord"), "serve"], env)
        wait_until("coord serve did not register the sweep", lambda: api.deployment("sweep"), 90, started)
        time.sleep(2)
        if datetime.now(UTC) < slot - timedelta(seconds=5):
            return slot
        stop(started, "serve-1")  # too slow to start before the slot: try the next one
        started.processes = [(n, p) for n, p in started.processes if n != "serve-1"]
    pytest.fail("coord serve never started before a slot")


def test_a_restart_catches_up_the_missed_sweep_once_and_collapses_late_runs(
    tmp_path: Path, started: Started, new_database: Any,
) -> None:
    home = district_home(tmp_path)
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = coord_env(home, PREFECT_API_URL=api_url)
    # The Prefect server on PostgreSQL, as the README sets it up for a district: SQLite locks under this load.
    server_env = {**env, "PREFECT_HOME": str(tmp_path / "server-prefect"),
                  "PREFECT_SERVER_DATABASE_CONNECTION_URL": make_url(new_database()).set(
                      drivername="postgresql+asyncpg").render_as_string(hide_password=False)}
    started.start("server", [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port),
                             "--no-ui"], server_env)
    wait_until("the Prefect server did not answer", lambda: healthy(api_url), 90, started)
    api = Api(api_url)

    missed = serve_until_before_a_sweep_slot(env, started, api)
    stop(started, "serve-1")
    # While coord is down: six delivery runs fall late, as after a hard stop or an outage.
    burst = [api.late_run("deliver-notifications", minutes) for minutes in (30, 25, 20, 15, 10, 5)]
    time.sleep(max(0.0, (missed - datetime.now(UTC)).total_seconds()) + 3)

    started.start("serve-2", [str(BIN / "coord"), "serve"], env)

    def caught_up() -> list[dict[str, Any]]:
        return [r for r in api.runs("sweep") if "catch-up" in r["tags"] and r["state"]["type"] in FINAL]

    [catch_up] = wait_until("the missed sweep was not caught up", caught_up, 120, started)

    def settled() -> list[str] | None:
        states = [api.state(r)["state"]["type"] for r in burst]
        return states if all(s in FINAL for s in states) else None

    burst_states = wait_until("the late delivery runs did not settle", settled, 120, started)
    weekly = last_complete(Cadence.WEEKLY, datetime.now(DISTRICT_TZ).date()).name
    report_run = api.run("weekly-report", {"week": weekly})

    def reported() -> dict[str, Any] | None:
        run = api.state(report_run)
        return run if run["state"]["type"] in FINAL else None

    report = wait_until("the weekly report did not finish", reported, 120, started)
    log = (tmp_path / "serve-2.log").read_text(errors="replace")
    stop(started, "serve-2")

    today = datetime.now(DISTRICT_TZ).date().isoformat()
    assert catch_up["state"]["type"] == "COMPLETED" and catch_up["name"] == f"sweep-{today}", catch_up["state"]
    assert "coord" in catch_up["tags"] and "district:coord" in catch_up["tags"]
    assert len([r for r in api.runs("sweep") if "catch-up" in r["tags"]]) == 1, "once, not once per slot"
    assert "sweep：" in log and "现补跑一次" in log, log
    # One of the six late runs ran (the newest: nothing waits in a fresh install's outbox); five were collapsed.
    assert sorted(burst_states) == ["CANCELLED"] * 5 + ["COMPLETED"], burst_states
    assert api.state(burst[-1])["state"]["type"] == "COMPLETED"
    assert "collapsed" in api.state(burst[0])["state"]["message"]
    assert "deliver-notifications：6 次迟到的运行合并为一次" in log, log
    assert report["state"]["type"] == "COMPLETED" and report["name"] == f"周汇报-{weekly}", report["state"]
    # (On a publication morning the restart also catches up that publication: its files are there too.)
    assert {f"周汇报-{weekly}.docx", f"周汇报-{weekly}.md", f"周汇报-{weekly}.xlsx"} <= {
        p.name for p in (home / "reports").iterdir()}
