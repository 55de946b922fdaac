"""`coord db restore` over a database that holds data: one of its admins, its name typed back (or
`--yes-replace NAME`), and the replacement recorded as an event of the restored database; `--force` alone
no longer replaces anything. Every refusal leaves the data and its history as they were."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import text
from typer.testing import CliRunner, Result

from coordination.cli.main import app
from coordination.config import DISTRICT_TZ
from coordination.services.restore_guard import DATABASE_STREAM, target_name


def at(day: int, hour: int = 10) -> datetime:
    return datetime.combine(date(2024, 6, day), time(hour), tzinfo=DISTRICT_TZ).astimezone(UTC)


def coord(url: str, tmp_path: Path, *args: str, as_: str | None = None, typed: str | None = None) -> Result:
    env = {"COORD_DATABASE_URL": url, "COORD_HOME": str(tmp_path / "home"), "COORD_NOW": "2024-06-17T09:00:00+08:00",
           "COORD_USER": "", "COORD_LANG": "en", "COLUMNS": "160"}
    return CliRunner().invoke(app, [*args, *(("--as", as_) if as_ else ())], env=env, input=typed)


def rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    from coordination.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(r) for r in connection.execute(text(sql))]
    finally:
        engine.dispose()


def test_restore_over_data_is_guarded_and_recorded(district: Any, tmp_path: Path) -> None:
    first = district.raise_problem(now=at(3))
    backup_file = tmp_path / "coord.backup"
    assert coord(district.url, tmp_path, "db", "backup", str(backup_file)).exit_code == 0
    district.raise_problem(title="第二个问题", now=at(4))
    district.engine.dispose()
    url, name, restore = district.url, target_name(district.url), ("db", "restore", str(backup_file))
    history = rows(url, "SELECT * FROM audit_event ORDER BY id")
    problems = rows(url, "SELECT * FROM problem ORDER BY id")

    attempts = [
        (coord(url, tmp_path, *restore), 4, "--as"),  # nobody named
        (coord(url, tmp_path, *restore, as_=district.secretariat), 4, "replace the database"),  # not an admin
        (coord(url, tmp_path, *restore, as_=district.admin), 5, f"--yes-replace {name}"),  # nobody answered
        (coord(url, tmp_path, *restore, as_=district.admin, typed="live\n"), 2, "nothing restored"),  # mistyped
        (coord(url, tmp_path, *restore, "--force", as_=district.admin), 5, "--force alone no longer"),
        (coord(url, tmp_path, *restore, "--yes-replace", "other", as_=district.admin), 2, "is not the target"),
    ]
    for result, code, phrase in attempts:
        assert result.exit_code == code, result.output
        assert phrase in result.output and "Traceback" not in result.output
        assert rows(url, "SELECT * FROM audit_event ORDER BY id") == history  # nothing restored, nothing recorded
        assert rows(url, "SELECT * FROM problem ORDER BY id") == problems
    assert "deprecated" in attempts[4][0].stderr
    refused = rows(url, "SELECT handle, method, path FROM refusal ORDER BY id")
    assert refused == [(None, "CLI", f"db restore {backup_file}"),
                       (district.secretariat, "CLI", f"db restore {backup_file}")]

    done = coord(url, tmp_path, *restore, "--json", as_=district.admin, typed=f"{name}\n")
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout[done.stdout.index("{"):])  # the test runner echoes the typed name first
    assert result["replaced"] is True and "Type its name" in done.stderr
    assert rows(url, "SELECT id FROM problem") == [(first,)]

    [(actor, action, seq, payload)] = rows(url, "SELECT actor, action, seq, payload FROM audit_event "
                                                f"WHERE stream_type = '{DATABASE_STREAM}'")
    changes = json.loads(payload)["changes"]
    checksum = hashlib.sha256(backup_file.read_bytes()).hexdigest()
    assert (actor, action, seq) == (district.admin, "restore", 1)
    assert changes["backup_file"] == str(backup_file.resolve()) and changes["sha256"] == checksum == result["sha256"]
    assert changes["bytes"] == backup_file.stat().st_size and changes["replaced_events"] == len(history)
    verified = coord(url, tmp_path, "audit", "verify", "--json")
    assert verified.exit_code == 0 and json.loads(verified.stdout)["ok"], verified.output

    # Confirmed on the line: the backup predates the first replacement, so this record is the copy's first.
    again = coord(url, tmp_path, *restore, "--yes-replace", name, as_=district.admin)
    assert again.exit_code == 0, again.output
    assert rows(url, f"SELECT seq FROM audit_event WHERE stream_type = '{DATABASE_STREAM}' ORDER BY seq") == [(1,)]


def test_restore_into_an_empty_database_needs_no_one(district: Any, new_database: Any, tmp_path: Path) -> None:
    district.raise_problem(now=at(3))
    backup_file = tmp_path / "coord.backup"
    assert coord(district.url, tmp_path, "db", "backup", str(backup_file)).exit_code == 0
    copy = new_database()
    done = coord(copy, tmp_path, "db", "restore", str(backup_file), "--json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["replaced"] is False
    assert rows(copy, f"SELECT count(*) FROM audit_event WHERE stream_type = '{DATABASE_STREAM}'") == [(0,)]
