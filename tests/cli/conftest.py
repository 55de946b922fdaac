"""A district built through the command line itself, in a fresh database per test (SQLite or PostgreSQL).

The database starts empty: the district's first step is `coord init`, which runs the migrations.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner, Result

from coordination.cli.main import app
from tests.backends import Databases

MONDAY_MORNING = "2024-10-08T09:00:00+08:00"  # the first working day after National Day 2024


@dataclass
class Cli:
    runner: CliRunner
    env: dict[str, str]
    url: str  # the database (COORD_DATABASE_URL)

    @property
    def db_path(self) -> Path:
        """The SQLite file (SQLite only)."""
        from sqlalchemy.engine import make_url

        database = make_url(self.url).database
        assert self.url.startswith("sqlite") and database, "db_path is for SQLite: mark the test sqlite_only"
        return Path(database)

    def __call__(self, *args: str, as_: str | None = None, now: str | None = None) -> Result:
        env = dict(self.env)
        if now:
            env["COORD_NOW"] = now
        argv = [*args, *(("--as", as_) if as_ else ())]
        return self.runner.invoke(app, argv, env=env)

    def json(self, *args: str, as_: str | None = None, now: str | None = None) -> Any:
        result = self(*args, "--json", as_=as_, now=now)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def snapshot(self) -> tuple[list[tuple[Any, ...]], ...]:
        """Every problem and plan task row and every audit event, to prove a refused command wrote nothing."""
        from coordination.db import make_engine

        engine = make_engine(self.url)
        try:
            with engine.connect() as connection:
                problems = [tuple(r) for r in connection.execute(text("SELECT * FROM problem ORDER BY id"))]
                tasks = [tuple(r) for r in connection.execute(text("SELECT * FROM task ORDER BY id"))]
                events = [tuple(r) for r in connection.execute(text("SELECT * FROM audit_event ORDER BY id"))]
        finally:
            engine.dispose()
        return problems, tasks, events


def _environment(url: str, home: Path) -> dict[str, str]:
    return {
        "COORD_DATABASE_URL": url,
        "COORD_HOME": str(home),
        "COORD_NOW": MONDAY_MORNING,
        "COORD_USER": "",
        "COORD_LANG": "",
        "COLUMNS": "160",
    }


@pytest.fixture
def cli(tmp_path: Path, empty_database_url: str) -> Cli:
    return Cli(CliRunner(), _environment(empty_database_url, tmp_path / "home"), empty_database_url)


DISTRICT_STEPS: tuple[tuple[str, ...], ...] = (
    ("init",),
    ("unit", "add", "FGJ", "区发展和改革局", "--kind", "department"),
    ("unit", "add", "ZRZY", "区自然资源和规划局", "--kind", "department"),
    ("unit", "add", "ZJJ", "区住房和城乡建设局", "--kind", "department"),
    ("unit", "add", "DQY", "东区电池材料产业园", "--kind", "locality"),
    ("person", "add", "wang.mishu", "王秘书", "--unit", "FGJ", "--role", "secretariat"),
    ("person", "add", "li.zhuanyuan", "李专员", "--unit", "FGJ", "--role", "specialist"),
    ("person", "add", "zhao.jingban", "赵经办", "--unit", "ZRZY", "--role", "handler"),
    ("person", "add", "sun.juzhang", "孙局长", "--unit", "ZRZY", "--role", "unit_head"),
    ("person", "add", "qian.jingban", "钱经办", "--unit", "ZJJ", "--role", "handler"),
    ("person", "add", "chen.fuquzhang", "陈副区长", "--role", "leader"),
    ("project", "add", "P-001", "东区电池材料产业园一期", "--level", "provincial", "--leader", "chen.fuquzhang",
     "--locality", "DQY", "--lead-unit", "FGJ", "--helpers", "ZRZY,ZJJ", "--specialist", "li.zhuanyuan"),
    ("route", "set", "用地", "ZRZY"),
)


@pytest.fixture(scope="session")
def district_template(databases: Databases, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The district built once per back end through the command line; each test gets a copy of it.

    Building it takes fourteen commands (the first runs every migration): seconds per test on a busy
    machine, where copying the database takes milliseconds.
    """
    where = tmp_path_factory.mktemp(f"cli-district-{databases.name}")
    url = databases.empty(where)
    builder = Cli(CliRunner(), _environment(url, where / "home"), url)
    for step in DISTRICT_STEPS:
        result = builder(*step, as_="admin")
        assert result.exit_code == 0, (step, result.output)
    return builder.url


@pytest.fixture
def district(cli: Cli, databases: Databases, district_template: str) -> Cli:
    """东区: the development bureau's secretariat, two departments, a park, one provincial project."""
    databases.copy(district_template, cli.url)
    return cli


RaiseProblem = Callable[..., dict[str, Any]]


@pytest.fixture
def raised(district: Cli) -> dict[str, Any]:
    data: dict[str, Any] = district.json("issue", "raise", "--project", "P-001", "--title", "二期用地指标尚未落实",
                                         "--category", "用地", as_="li.zhuanyuan")
    return data
