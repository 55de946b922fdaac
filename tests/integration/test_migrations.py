"""The Alembic migrations make exactly the models' schema, on every back end, and upgrade what exists.

This is the guard for model changes: after adding a column, `python -m coordination.migrations revision
"…"` writes the next revision, and the first test here fails until the migrations and the models agree.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session, SQLModel
from typer.testing import CliRunner

from coordination.cli.main import app
from coordination.db import (
    BASELINE_REVISION,
    alembic_config,
    current_revision,
    head_revision,
    make_engine,
    upgrade,
)
from coordination.services import audit
from coordination.services.common import SYSTEM_HANDLE, Caller
from coordination.services.writer import Journal
from coordination.uow import UnitOfWork

VERSIONS = Path(__file__).resolve().parents[2] / "coordination" / "migrations" / "versions"
NOW = "2024-06-03T10:00:00+08:00"


def differences(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, SQLModel.metadata))


@pytest.fixture
def engine(empty_database_url: str) -> Any:
    made = make_engine(empty_database_url)
    yield made
    made.dispose()


def bootstrap_as_the_baseline_did(engine: Engine) -> None:
    """What the first release's `coord init` left: the system actor and an admin, each audited.

    Written with plain SQL for the rows, because today's models have columns the baseline lacks; the
    events go through today's write path, whose columns the baseline already had.
    """
    with Session(engine) as session:
        for handle, name, role in (("system", "系统（定时任务）", "system"), ("admin", "管理员", "admin")):
            session.execute(text("INSERT INTO person (handle, name, unit, active) VALUES (:h, :n, NULL, :a)"),
                            {"h": handle, "n": name, "a": True})
            session.execute(text("INSERT INTO person_role (handle, role) VALUES (:h, :r)"), {"h": handle, "r": role})
            journal = Journal(session, Caller(SYSTEM_HANDLE, _now(), "init"))
            journal.event("person", handle, "person_add", {"name": name, "unit": None, "roles": [role]})
            journal.write()
        session.commit()


def coord(url: str, tmp_path: Path, *args: str) -> Any:
    env = {"COORD_DATABASE_URL": url, "COORD_HOME": str(tmp_path / "home"), "COORD_NOW": NOW, "COORD_USER": "",
           "COORD_LANG": "en"}
    result = CliRunner().invoke(app, [*args, "--json"], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_migrated_schema_equals_the_models(engine: Engine) -> None:
    done = upgrade(engine)
    assert (done.before, done.after, done.baseline_stamped) == (None, head_revision(), False)
    assert differences(engine) == [], "run: python -m coordination.migrations revision 'what changed'"
    tables = set(inspect(engine).get_table_names())
    assert tables == set(SQLModel.metadata.tables) | {"alembic_version"}


def test_upgrading_again_changes_nothing(engine: Engine) -> None:
    upgrade(engine)
    again = upgrade(engine)
    assert (again.before, again.after, again.changed) == (head_revision(), head_revision(), False)


def test_downgrading_to_nothing_and_back_gives_the_same_schema(engine: Engine) -> None:
    upgrade(engine)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert differences(engine) == []


def test_init_creates_the_schema_and_upgrades_an_older_database(empty_database_url: str, tmp_path: Path) -> None:
    engine = make_engine(empty_database_url)
    try:
        upgrade(engine, BASELINE_REVISION)  # a database made by the first release with migrations
        bootstrap_as_the_baseline_did(engine)
    finally:
        engine.dispose()
    data = coord(empty_database_url, tmp_path, "init")
    assert data["schema"]["before"] == BASELINE_REVISION
    assert data["schema"]["after"] == head_revision()
    engine = make_engine(empty_database_url)
    try:
        assert differences(engine) == []
        assert audit.verify_chains(UnitOfWork(engine, write=False)).ok
    finally:
        engine.dispose()


def test_a_database_made_before_migrations_is_stamped_then_upgraded(engine: Engine, tmp_path: Path) -> None:
    # Before the migrations, create_all made the baseline's tables and nothing recorded a revision.
    upgrade(engine, BASELINE_REVISION)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
    bootstrap_as_the_baseline_did(engine)
    assert current_revision(engine) is None
    data = coord(engine.url.render_as_string(hide_password=False), tmp_path, "init")
    assert data["schema"] == {"before": None, "after": head_revision(), "changed": True, "baseline_stamped": True}
    assert data["created_admin"] is None  # the admin made before is still there
    assert differences(engine) == []
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM person WHERE handle = 'admin'")).scalar_one() == 1


def test_db_current_and_db_upgrade_on_the_command_line(empty_database_url: str, tmp_path: Path) -> None:
    before = coord(empty_database_url, tmp_path, "db", "current")
    assert (before["revision"], before["up_to_date"]) == (None, False)
    done = coord(empty_database_url, tmp_path, "db", "upgrade")
    assert (done["before"], done["after"], done["changed"]) == (None, head_revision(), True)
    after = coord(empty_database_url, tmp_path, "db", "current")
    assert (after["revision"], after["head"], after["up_to_date"]) == (head_revision(), head_revision(), True)


def test_two_processes_upgrading_an_empty_database_at_once_both_succeed(empty_database_url: str,
                                                                          tmp_path: Path) -> None:
    env = {"COORD_DATABASE_URL": empty_database_url, "COORD_HOME": str(tmp_path / "home")}
    command_line = [str(Path(sys.executable).with_name("coord")), "db", "upgrade", "--json"]
    runs = [subprocess.Popen(command_line, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = [r.communicate(timeout=120) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs
    befores = sorted((json.loads(out)["before"] or "") for out, _ in outputs)
    assert befores == ["", head_revision()]  # one made the schema, the other found it made


def test_the_revisions_form_one_numbered_line() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1, "several heads: merge them (alembic merge) or renumber"
    revisions = list(reversed(list(script.walk_revisions())))
    assert [r.revision for r in revisions] == [f"{n:04d}" for n in range(1, len(revisions) + 1)]
    assert revisions[0].revision == BASELINE_REVISION
    files = sorted(p.name for p in VERSIONS.glob("*.py") if p.name != "__init__.py")
    assert [re.match(r"(\d{4})_", f).group(1) for f in files] == [r.revision for r in revisions]  # type: ignore[union-attr]


def _now() -> Any:
    from coordination.config import parse_now

    return parse_now(NOW)


def test_the_head_the_commands_expect_is_the_migrations_head() -> None:
    from coordination.db import HEAD_REVISION

    assert head_revision() == HEAD_REVISION, "set coordination.db.HEAD_REVISION to the new migration's id"


def test_commands_on_an_older_schema_say_to_upgrade(empty_database_url: str, tmp_path: Path) -> None:
    engine = make_engine(empty_database_url)
    try:
        upgrade(engine, BASELINE_REVISION)
        bootstrap_as_the_baseline_did(engine)
    finally:
        engine.dispose()
    env = {"COORD_DATABASE_URL": empty_database_url, "COORD_HOME": str(tmp_path / "home"), "COORD_NOW": NOW,
           "COORD_USER": "admin"}
    refused = CliRunner().invoke(app, ["issue", "list"], env=env)
    assert refused.exit_code == 2
    assert "coord db upgrade" in refused.stderr and BASELINE_REVISION in refused.stderr
    coord(empty_database_url, tmp_path, "db", "upgrade")
    assert CliRunner().invoke(app, ["issue", "list"], env=env).exit_code == 0
