"""Beyond one machine, for real: a Prefect server, a process work pool, a worker, the deployed sweep.

Starts `prefect server start` on 127.0.0.1 (its own PREFECT_HOME in tmp, its own database on the same
PostgreSQL server, as README "Running for a whole city" sets it up), creates a process work pool, registers
coord's deployments with `flows.deployments.deploy`, starts `prefect worker start`, triggers the sweep
deployment through the REST API and waits for the run. Then it reads, in coord's PostgreSQL database, the
audit events the run caused: each carries the run's id as its origin.

Runs with `pytest --scaleout` (CI passes it), always on PostgreSQL. The server and the worker are ended
whatever happens.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from datetime import time as clock
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from coordination.config import DISTRICT_TZ
from coordination.domain.enums import Action, Difficulty

pytestmark = pytest.mark.scaleout

BIN = Path(sys.executable).parent
POOL = "coord-scaleout"
SWEEP_DAY = "2024-06-26T07:30:00+08:00"  # a Wednesday: 11 working days after a 5-day deadline of 11 June
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def local(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, clock(hour), tzinfo=DISTRICT_TZ).astimezone(UTC)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Started:
    """Processes this test started, each in its own process group, ended at the end."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.processes: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append((name, process))
        return process

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        for _, process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _, process in reversed(self.processes):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def wait_until(what: str, check: Any, timeout: float, started: Started) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    logs = "\n".join(f"--- {name}\n{started.log(name)}" for name, _ in started.processes)
    pytest.fail(f"{what} within {timeout:.0f} s\n{logs}")


def healthy(api: str) -> bool:
    try:
        return httpx.get(f"{api}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_a_worker_runs_the_deployed_sweep_and_its_events_land_in_postgresql(
    district: Any, new_database: Any, tmp_path: Path, started: Started,
) -> None:
    assert district.backend == "postgresql"
    overdue = []
    for n, title in enumerate(("二期用地指标未落实", "110kV 专线接入方案未批复", "施工许可证办理材料反复退回")):
        problem_id = district.raise_problem(title=title, now=local(date(2024, 6, 3)))
        district.assign(problem_id, difficulty=Difficulty.C, now=local(date(2024, 6, 3), 10 + n))  # due 11 June
        district.act(district.handler, problem_id, Action.ACKNOWLEDGE, now=local(date(2024, 6, 4)))
        overdue.append(problem_id)
    district.engine.dispose()

    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    prefect_database = new_database()  # the Prefect server's own database, beside coord's
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "COORD_"))}
    env.update({
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": make_url(prefect_database).set(
            drivername="postgresql+asyncpg").render_as_string(hide_password=False),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",  # only the run this test asks for
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_WORKER_PREFETCH_SECONDS": "2",
        "COORD_DATABASE_URL": district.url,  # what a worker machine sets: the shared database
        "COORD_NOW": SWEEP_DAY,
        "COORD_HOME": str(tmp_path / "coord-home"),
    })
    started.start("server", [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port),
                             "--no-ui", "--no-scheduler"], env)
    wait_until("the Prefect server did not answer", lambda: healthy(api), 90, started)

    subprocess.run([str(BIN / "prefect"), "work-pool", "create", POOL, "--type", "process"], env=env, check=True,
                   capture_output=True, timeout=60)
    deployed = subprocess.run([sys.executable, "-c", f"from flows.deployments import deploy; deploy({POOL!r})"],
                              env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert deployed.returncode == 0, deployed.stdout[-2000:] + deployed.stderr[-4000:]
    started.start("worker", [str(BIN / "prefect"), "worker", "start", "--pool", POOL, "--type", "process"], env)

    with httpx.Client(base_url=api, timeout=10) as client:
        deployment = client.get("/deployments/name/sweep/sweep")
        assert deployment.status_code == 200, deployment.text
        created = client.post(f"/deployments/{deployment.json()['id']}/create_flow_run",
                              json={"parameters": {"db": district.url}})
        assert created.status_code == 201, created.text
        run_id = created.json()["id"]

        def finished() -> dict[str, Any] | None:
            run = client.get(f"/flow_runs/{run_id}").json()
            return run if (run.get("state") or {}).get("type") in FINAL else None

        run = wait_until("the sweep run did not finish", finished, 120, started)
    assert run["state"]["type"] == "COMPLETED", (run["state"], started.log("worker"))

    with district.engine.connect() as connection:
        everything = connection.execute(text(
            "SELECT stream_type, stream_id, action, actor FROM audit_event WHERE origin = :origin "
            "ORDER BY stream_type, stream_id, seq"), {"origin": f"flow-run:{run_id}"}).all()
    events = [(stream_id, action, actor) for kind, stream_id, action, actor in everything if kind == "problem"]
    assert [(kind, stream_id) for kind, stream_id, _, _ in everything if kind != "problem"] == [
        ("sweep", "2024-06-26")]  # the run's own record of the day
    touched = {stream_id for stream_id, _, _ in events}
    assert touched == set(overdue)
    assert {actor for _, _, actor in events} == {"system"}
    for problem_id in overdue:  # red, reminded (督办), and more than 10 working days overdue: one rung up
        assert [a for s, a, _ in events if s == problem_id] == ["light_change", "remind", "escalate"]
    rows = district.problem_row(overdue[0])
    assert (rows["light"], rows["level"], rows["state"]) == ("red", 2, "on_agenda")
    from coordination.db import make_engine
    from coordination.services import audit

    assert audit.verify_chains(district.uow()).ok
    prefect_engine = make_engine(prefect_database)
    try:
        with prefect_engine.connect() as connection:  # the server kept its flow runs in PostgreSQL too
            assert connection.execute(text("SELECT count(*) FROM flow_run WHERE id = :id"),
                                      {"id": run_id}).scalar_one() == 1
    finally:
        prefect_engine.dispose()
