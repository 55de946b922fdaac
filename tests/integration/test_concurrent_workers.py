"""Eight processes acting on the same few problems at once: nothing lost, nothing doubled, every chain whole.

The workload is benchmarks/concurrency_bench.py's (8 workers × 100 actions here; the benchmark runs
8 × 500): progress notes and racing resolve/reject, each with the version read just before. It runs on
every back end under test: SQLite queues writers (BEGIN IMMEDIATE, busy timeout), PostgreSQL locks the
problem's row; either way each loser gets a Conflict that says what happened.
"""

from __future__ import annotations

import re

from benchmarks.concurrency_bench import run

WORKERS, ACTIONS, PROBLEMS = 8, 100, 6
CLEAR_MESSAGES = (
    re.compile(r"^Q-… is at version N, you saw N; reload and try again$"),
    re.compile(r"^Q-… was changed by someone else; reload and try again$"),
    re.compile(r"^Q-… was changed concurrently; nothing was applied$"),
    re.compile(r"not allowed"),
)


def test_eight_workers_lose_no_update_and_keep_every_chain(database_url: str) -> None:
    figures = run(database_url, workers=WORKERS, actions=ACTIONS, problems=PROBLEMS)

    assert figures["errors"] == 0, figures["error_samples"]  # every refusal is a Conflict
    assert figures["attempts"] == WORKERS * ACTIONS
    assert figures["accounted"], figures  # successes + conflicts == attempts
    assert figures["committed"] > WORKERS * ACTIONS // 4, figures  # real work was done, not only refusals
    assert figures["lost_updates"] == 0, figures["lost_updates_by_problem"]
    assert figures["events_written"] == figures["committed"]  # one event per change, none doubled
    assert figures["duplicate_events"] == 0
    assert figures["version_equals_events"] and figures["seq_without_gaps"]
    assert figures["chains_ok"]
    for kind in figures["conflict_kinds"]:
        assert any(pattern.search(kind) for pattern in CLEAR_MESSAGES), kind
