"""Flows under Prefect's test harness: one throwaway Prefect server for the whole session.

Tuned as measured in MEASURED.md: the server's task-run recorder off (it holds the harness's SQLite
lock and stalls small flows about 2 s) and the flow-run heartbeat off (1 s joined at each run's end).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session", autouse=True)
def prefect_harness() -> Iterator[None]:
    from prefect.settings import (
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED,
        temporary_settings,
    )
    from prefect.testing.utilities import prefect_test_harness

    previous = os.environ.get("PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED")
    os.environ["PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED"] = "false"  # read by the server subprocess
    try:
        with temporary_settings(updates={PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED: False,
                                         PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}), \
                prefect_test_harness():
            yield
    finally:
        if previous is None:
            os.environ.pop("PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED", None)
        else:
            os.environ["PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED"] = previous
