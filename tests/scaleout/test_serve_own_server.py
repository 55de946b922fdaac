"""`coord serve` with no PREFECT_API_URL: it starts a Prefect server on 127.0.0.1, prints the `export
PREFECT_API_URL=…` line another shell needs, warns about what is missing without refusing, and stops the
server with itself. Runs with `pytest --scaleout`, in CI."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.scaleout.test_prefect_scaleout import BIN, Started, free_port, healthy, wait_until
from tests.scaleout.test_serve import coord_env, district_home

pytestmark = pytest.mark.scaleout


def test_a_server_coord_starts_itself_prints_the_line_to_export(tmp_path: Path, started: Started) -> None:
    home = district_home(tmp_path)
    port = free_port()
    serve = started.start("serve", [str(BIN / "coord"), "serve", "--port", str(port)], coord_env(home))
    api_url = f"http://127.0.0.1:{port}/api"

    wait_until("coord serve did not print the export line",
               lambda: f"export PREFECT_API_URL={api_url}" in started.log("serve"), 120, started)
    wait_until("the deployments were not served", lambda: "being served" in started.log("serve"), 60, started)
    listed = subprocess.run([str(BIN / "prefect"), "deployment", "ls"], capture_output=True, text=True, timeout=60,
                            env={**coord_env(home), "PREFECT_API_URL": api_url})
    os.killpg(serve.pid, signal.SIGTERM)
    serve.wait(timeout=60)

    assert listed.returncode == 0 and "sweep/sweep" in listed.stdout.replace("\n", ""), listed.stdout + listed.stderr
    # No group robot: a warning, not a refusal.
    assert "deliver-notifications（提醒）" in (tmp_path / "serve.log").read_text(errors="replace")
    wait_until("the server coord started did not stop with it", lambda: not healthy(api_url), 30, started)
