"""`coord db backup` and `coord db restore`: a restored copy verifies and reports exactly like the original.

SQLite goes through the sqlite3 online backup API, PostgreSQL through pg_dump/pg_restore (custom format).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner, Result

from coordination.cli.main import app
from coordination.config import DISTRICT_TZ
from coordination.domain.enums import Action, Difficulty
from coordination.services import sweep
from coordination.services.common import SYSTEM_HANDLE, Caller


def at(day: int, hour: int = 10) -> datetime:
    return datetime.combine(date(2024, 6, day), time(hour), tzinfo=DISTRICT_TZ).astimezone(UTC)


def coord(url: str, tmp_path: Path, *args: str, as_: str | None = None) -> Result:
    env = {"COORD_DATABASE_URL": url, "COORD_HOME": str(tmp_path / "home"), "COORD_NOW": "2024-06-17T09:00:00+08:00",
           "COORD_USER": "", "COORD_LANG": "en", "COLUMNS": "160"}
    return CliRunner().invoke(app, ["--lang", "en", *args, *(("--as", as_) if as_ else ())], env=env)


def coord_json(url: str, tmp_path: Path, *args: str, as_: str | None = None) -> Any:
    result = coord(url, tmp_path, *args, "--json", as_=as_)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def a_week_of_work(d: Any) -> None:
    """Two weeks in June 2024: problems solved, escalated, still open; a sweep that turned lights."""
    solved = d.raise_problem(title="二期用地指标未落实", now=at(3))
    d.assign(solved, difficulty=Difficulty.C, now=at(3, 11))
    d.act(d.handler, solved, Action.ACKNOWLEDGE, now=at(4))
    d.act(d.handler, solved, Action.PROGRESS, reason="已与市局对接", now=at(4, 15))
    d.act(d.handler, solved, Action.RESOLVE, reason="指标已下达", now=at(5))
    d.act(d.specialist, solved, Action.VERIFY, now=at(6))
    stuck = d.raise_problem(title="110kV 专线接入方案未批复", category="配套", now=at(4))
    d.assign(stuck, difficulty=Difficulty.C, now=at(4, 11))
    d.act(d.handler, stuck, Action.ACKNOWLEDGE, now=at(4, 15))
    d.act(d.handler, stuck, Action.ESCALATE, reason="需专班会商", now=at(5))
    late = d.raise_problem(title="施工许可证办理材料反复退回", category="施工许可", now=at(5))
    d.assign(late, difficulty=Difficulty.C, now=at(5, 11))
    sweep.sweep(d.uow(), caller=Caller(SYSTEM_HANDLE, at(14, 7), "flow-run:test", scheduled=True))
    d.raise_problem(title="企业未按期入统", category="入统", now=at(14, 9))


def everything(url: str, tmp_path: Path, secretariat: str) -> dict[str, Any]:
    """What must be identical between an original and its restored copy."""
    return {
        "weekly": coord_json(url, tmp_path, "report", "weekly", "--week", "2024-W23", "--format", "json",
                             as_=secretariat),
        "week_24": coord_json(url, tmp_path, "report", "weekly", "--week", "2024-W24", "--format", "json",
                              as_=secretariat),
        "problems": coord_json(url, tmp_path, "issue", "list", as_=secretariat),
        "audit": coord_json(url, tmp_path, "audit", "verify"),
        "events": rows(url, "SELECT * FROM audit_event ORDER BY id"),
        "outbox": rows(url, "SELECT * FROM outbox ORDER BY id"),
    }


def rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    from coordination.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(r) for r in connection.execute(text(sql))]
    finally:
        engine.dispose()


def test_a_restored_copy_verifies_and_reports_exactly_like_the_original(
    district: Any, new_database: Any, tmp_path: Path,
) -> None:
    a_week_of_work(district)
    district.engine.dispose()
    original = everything(district.url, tmp_path, district.secretariat)
    assert original["audit"]["ok"] and original["audit"]["events"] > 20
    assert original["weekly"] and original["problems"]

    backup_file = tmp_path / "coord.backup"
    made = coord_json(district.url, tmp_path, "db", "backup", str(backup_file))
    assert made["backend"] == district.backend and made["bytes"] == backup_file.stat().st_size > 0

    copy = new_database()
    restored = coord_json(copy, tmp_path, "db", "restore", str(backup_file))
    assert (restored["replaced"], restored["revision"]) == (False, made["revision"])
    assert everything(copy, tmp_path, district.secretariat) == original


def test_the_backup_is_online_and_leaves_out_what_is_not_committed(
    district: Any, new_database: Any, tmp_path: Path,
) -> None:
    district.raise_problem(now=at(3))
    backup_file = tmp_path / "coord.backup"
    with district.engine.connect() as writer:
        writer.execute(text("INSERT INTO setting (key, value) VALUES ('uncommitted', 'x')"))  # holds a write lock
        result = coord(district.url, tmp_path, "db", "backup", str(backup_file))
        assert result.exit_code == 0, result.output
        writer.rollback()
    copy = new_database()
    assert coord(copy, tmp_path, "db", "restore", str(backup_file)).exit_code == 0
    assert rows(copy, "SELECT key FROM setting WHERE key = 'uncommitted'") == []
    assert rows(copy, "SELECT id FROM problem") == rows(district.url, "SELECT id FROM problem")


def test_restore_refuses_a_database_with_data_unless_confirmed(district: Any, tmp_path: Path,
                                                               new_database: Any) -> None:
    from coordination.services.restore_guard import target_name

    first = district.raise_problem(now=at(3))
    backup_file = tmp_path / "coord.backup"
    assert coord(district.url, tmp_path, "db", "backup", str(backup_file)).exit_code == 0
    district.raise_problem(title="第二个问题", now=at(4))
    district.engine.dispose()

    refused = coord(district.url, tmp_path, "db", "restore", str(backup_file), "--force", as_=district.admin)
    assert refused.exit_code == 5, refused.output  # --force alone no longer replaces (tests/*/test_guarded*.py)
    assert "--yes-replace" in refused.output
    assert len(rows(district.url, "SELECT id FROM problem")) == 2  # nothing was touched

    forced = coord_json(district.url, tmp_path, "db", "restore", str(backup_file), "--yes-replace",
                        target_name(district.url), as_=district.admin)
    assert forced["replaced"] is True
    assert rows(district.url, "SELECT id FROM problem") == [(first,)]
    assert coord_json(district.url, tmp_path, "audit", "verify")["ok"]


def test_backup_refuses_to_overwrite_and_restore_refuses_a_foreign_file(district: Any, tmp_path: Path,
                                                                        new_database: Any) -> None:
    existing = tmp_path / "coord.backup"
    existing.write_text("an older backup\n")
    refused = coord(district.url, tmp_path, "db", "backup", str(existing))
    assert refused.exit_code == 2, refused.output
    assert existing.read_text() == "an older backup\n"
    assert coord(district.url, tmp_path, "db", "backup", str(existing), "--force").exit_code == 0

    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("just some text, longer than sixteen bytes\n")
    wrong = coord(new_database(), tmp_path, "db", "restore", str(not_a_backup))
    assert wrong.exit_code == 2, wrong.output
    assert "is not a" in wrong.output


@pytest.mark.postgresql_only
def test_pg_dump_is_found_or_named_in_a_clear_message(backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from coordination.domain.errors import CoordError
    from coordination.services.backup import pg_tool

    assert Path(pg_tool("pg_dump")).name == "pg_dump"
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("COORD_PG_BIN", raising=False)
    monkeypatch.setattr("coordination.services.backup.Path.glob", lambda self, pattern: iter(()))
    with pytest.raises(CoordError, match="postgresql-client"):
        pg_tool("pg_dump")
