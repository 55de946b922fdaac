"""The demo's history is a function of its seed and its `now`: two builds with the same seed and the same
clock hold the same problems, meetings, tasks and audit events (times and hashes included), another seed
lives another history. The clock here is early January, when the current year is a few days old: last
year is whole, and its annual summary still fills every blank, while the last complete week spans the
turn of the year.

Three builds of a year each (real SQLite files, each with its own audit key: checkpoints and the robot
messages' fingerprints are signed with it, so they are left out of the comparison).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from coordination import config
from coordination.db import make_engine, upgrade
from coordination.services.demo import build_demo
from coordination.services.snapshot import forget
from tests.cli.conftest import Cli
from tests.demo_builds import DB, shared_demo

pytestmark = pytest.mark.sqlite_only

NOW = "2026-01-06T10:00:00+08:00"  # a Tuesday, the year six days old
CONTENT = (
    "SELECT * FROM problem ORDER BY id",
    "SELECT stream_type, stream_id, seq, action, from_state, to_state, actor, at, origin, reason, payload, hash "
    "FROM audit_event ORDER BY id",
    "SELECT * FROM meeting ORDER BY id",
    "SELECT * FROM decision ORDER BY meeting, problem",
    "SELECT * FROM task ORDER BY id",
    "SELECT * FROM project_progress ORDER BY project, month",
    "SELECT key, kind, problem_id, unit, title FROM outbox ORDER BY id",
)


def _builder(seed: int) -> Callable[[Path], None]:
    def build(folder: Path) -> None:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("COORD_HOME", str(folder / "home"))  # its own audit key
            env.setenv("COORD_NOW", NOW)
            forget()
            engine = make_engine(f"sqlite:///{folder / DB}")
            try:
                upgrade(engine)
                result = build_demo(engine, now=config.now(), seed=seed, admin="admin")
            finally:
                engine.dispose()
                forget()
        assert result.first_day is not None and result.first_day.isoformat() == "2025-01-01"
    return build


def content(path: Path) -> list[list[tuple[Any, ...]]]:
    with sqlite3.connect(path) as connection:
        return [connection.execute(sql).fetchall() for sql in CONTENT]


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {name: shared_demo(tmp_path_factory, f"seed-{name}", _builder(seed)) / DB
            for name, seed in (("first", 7), ("again", 7), ("other", 8))}


def test_the_same_seed_and_clock_build_the_same_district(builds: dict[str, Path]) -> None:
    first, again = content(builds["first"]), content(builds["again"])
    assert [len(rows) for rows in first] == [len(rows) for rows in again]
    for sql, mine, theirs in zip(CONTENT, first, again, strict=True):
        assert mine == theirs, sql
    assert len(first[0]) > 120 and len(first[1]) > 2500


def test_another_seed_lives_another_history(builds: dict[str, Path]) -> None:
    first, other = content(builds["first"]), content(builds["other"])
    assert first[0] != other[0]  # other problems, raised by others, on other days
    titles = {row[2] for row in first[0]}
    assert {row[2] for row in other[0]} != titles or [r[1] for r in first[0]] != [r[1] for r in other[0]]


def test_early_in_january_last_year_is_whole_and_this_week_began_in_it(builds: dict[str, Path]) -> None:
    url = f"sqlite:///{builds['first']}"
    cli = Cli(CliRunner(), {"COORD_DATABASE_URL": url, "COORD_HOME": str(builds["first"].parent / "home"),
                            "COORD_NOW": NOW, "COORD_USER": "", "COORD_LANG": "", "COLUMNS": "160"}, url)
    annual = cli.json("report", "annual")
    assert annual["period"]["name"] == "2025" and annual["missing_kinds"] == []
    assert all(b["has_records"] and float(b["figure"]) > 0 for b in annual["blanks"])
    week = cli.json("report", "weekly")
    assert week["period"]["name"] == "2026-W01"
    assert week["problems"]["totals"]["new"] > 0 and week["problems"]["totals"]["closed"] > 0
    for cadence in ("monthly", "quarterly"):
        report = cli.json("report", cadence)
        assert report["problems"]["totals"]["closed"] > 0 and report["meetings"]["count"] > 0, cadence
    assert cli("audit", "verify").exit_code == 0
