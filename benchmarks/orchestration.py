"""What orchestration costs: a sweep run through `coord serve` and a Prefect server, from the run's creation
to its completion, beside the same sweep called directly in process.

A real Prefect server (its own SQLite, a scratch PREFECT_HOME) and `coord serve` (the runner, polling every
second instead of Prefect's default ten, so the figure is the machinery and not the poll) serve the district
of the other figures. Each sample creates a sweep run through the REST API and waits for it to complete;
the baseline calls `services.sweep.sweep` on the same database. The sweep has already run that day, so
both sides do the same work: read every open problem, find nothing to change. The details split the
deployed time into pickup (created → running: the poll and a fresh Python process) and execution.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.harness import Context, Measure, clock, median

FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(what: str, check: Any, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise RuntimeError(f"{what} within {timeout:.0f} s")


def _healthy(client: Any) -> bool:
    import httpx

    try:
        return bool(client.get("/health").status_code == 200)
    except httpx.HTTPError:
        return False


def orchestration(context: Context, backend: str) -> list[Measure]:
    import httpx

    from benchmarks.datasets import NOW
    from benchmarks.figures import scratch
    from coordination.services import sweep as sweep_service
    from coordination.services.common import scheduled_caller
    from coordination.uow import UnitOfWork

    runs = context.size(7, 2)
    with scratch(context, backend, "orchestration") as db:
        def direct() -> None:
            sweep_service.sweep(UnitOfWork(db.engine), caller=scheduled_caller(NOW, "bench"),
                                only_on_working_days=False)

        direct()  # the day's sweep: what follows finds nothing to change, on both sides
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "COORD_"))}
        env.update({"PREFECT_HOME": str(context.workdir / "prefect-home"),
                    "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
                    "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_SERVER_UI_ENABLED": "false",
                    "PREFECT_RUNNER_POLL_FREQUENCY": "1", "COORD_HOME": str(context.workdir / "coord-home"),
                    "COORD_DATABASE_URL": db.url, "COORD_NOW": NOW.isoformat()})
        logs = (context.workdir / "orchestration-server.log").open("wb"), \
            (context.workdir / "orchestration-serve.log").open("wb")
        server = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port",
                                   str(port), "--no-ui"], env=env, stdout=logs[0], stderr=subprocess.STDOUT,
                                  start_new_session=True)
        serve: subprocess.Popen[bytes] | None = None
        try:
            with httpx.Client(base_url=env["PREFECT_API_URL"], timeout=15) as api:
                _wait("the Prefect server did not answer", lambda: _healthy(api), 120)
                serve = subprocess.Popen([str(BIN / "coord"), "serve"], env=env, stdout=logs[1],
                                         stderr=subprocess.STDOUT, start_new_session=True)
                deployment = _wait("coord serve did not register the sweep", lambda: (
                    found.json() if (found := api.get("/deployments/name/sweep/sweep")).status_code == 200
                    else None), 120)
                deployed, pickup, execution = [], [], []
                for _ in range(runs + 1):  # the first warms the runner's imports
                    started = time.perf_counter()
                    run_id = api.post(f"/deployments/{deployment['id']}/create_flow_run",
                                      json={"parameters": {"force": True}}).json()["id"]
                    run = _wait("the sweep run did not finish", lambda run_id=run_id: (
                        found if (found := api.get(f"/flow_runs/{run_id}").json())["state"]["type"] in FINAL
                        else None), 120)
                    seconds = time.perf_counter() - started
                    if run["state"]["type"] != "COMPLETED":
                        raise RuntimeError(f"the sweep run ended {run['state']['type']}: {run['state']['message']}")
                    created, began = _instant(run["created"]), _instant(run["start_time"])
                    deployed.append(seconds)
                    pickup.append((began - created).total_seconds())
                    execution.append(float(run["total_run_time"]))
                deployed, pickup, execution = deployed[1:], pickup[1:], execution[1:]
        finally:
            for process in (serve, server):
                if process is not None and process.poll() is None:
                    os.killpg(process.pid, signal.SIGTERM)
                    try:
                        process.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        os.killpg(process.pid, signal.SIGKILL)
            for log in logs:
                log.close()
        baseline = [clock(direct)[0] for _ in range(runs)]
    return [Measure(
        name="orchestration_sweep", what="a deployed sweep run, created → completed (coord serve, Prefect server)",
        unit="s", value=median(deployed), baseline="the same sweep called in process",
        baseline_value=median(baseline), details={
            "runs": runs, "deployed_s": [round(s, 3) for s in deployed], "direct_s": [round(s, 4) for s in baseline],
            "pickup_s_median": round(median(pickup), 3), "execution_s_median": round(median(execution), 3),
            "runner_poll_seconds": 1,
            "note": "pickup is the runner's poll plus a fresh Python process importing coord and Prefect; with "
                    "Prefect's default 10-second poll a run starts up to 10 s after it is due"})]


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
