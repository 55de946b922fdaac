"""`coord demo --reset` rebuilds a demo database and nothing else: a district's own data is refused before
anything is dropped, upgraded or written (its config file included)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from coordination.services.demo import DEMO_MARKER
from tests.cli.conftest import Cli


def _execute(cli: Cli, sql: str, **params: str) -> list[tuple[object, ...]]:
    from coordination.db import make_engine

    engine = make_engine(cli.url)
    try:
        with engine.begin() as connection:
            found = connection.execute(text(sql), params)
            return [tuple(r) for r in found] if found.returns_rows else []
    finally:
        engine.dispose()


def test_reset_refuses_a_database_that_is_not_a_demo(district: Cli) -> None:
    before = district.snapshot()
    people = _execute(district, "SELECT * FROM person ORDER BY handle")
    for line in (("demo", "--reset"), ("--lang", "en", "demo", "--reset", "--seed", "7"), ("demo",)):
        result = district(*line)
        assert result.exit_code == 5, result.output
        assert "--reset" in result.stderr and "--db" in result.stderr and "Traceback" not in result.output
    assert "nothing was changed" in district("--lang", "en", "demo", "--reset").stderr
    assert district.snapshot() == before and _execute(district, "SELECT * FROM person ORDER BY handle") == people
    assert not (Path(district.env["COORD_HOME"]) / "config.toml").exists()  # the default identity is left alone


@pytest.mark.sqlite_only
def test_reset_rebuilds_a_demo_database(district: Cli) -> None:
    _execute(district, "INSERT INTO setting (key, value) VALUES (:key, '2024')", key=DEMO_MARKER)
    result = district("demo", "--reset", "--seed", "7")
    assert result.exit_code == 0, result.output
    assert _execute(district, "SELECT value FROM setting WHERE key = :key", key=DEMO_MARKER) == [("7",)]
    assert len(_execute(district, "SELECT id FROM problem")) >= 8  # the demo's stories, built anew
    assert district("audit", "verify").exit_code == 0
