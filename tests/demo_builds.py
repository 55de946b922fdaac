"""Demo districts for the tests, built once per test run even across xdist workers.

A demo lives a year and more of history (tens of seconds): the first worker that asks for a build makes it
under a file lock in the run's shared temporary directory; every worker then reads its own copy of the
SQLite file and of the home directory that holds the audit key its checkpoints were signed with.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

DB = "demo.sqlite3"


def shared_demo(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """A private copy of the demo `name`; `build(folder)` makes `folder/demo.sqlite3` and `folder/home`.

    Returns the folder of the copy (its database and its home)."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # this run's, shared by its workers
    built = root / f"shared-demo-{name}"
    with (root / f"shared-demo-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (built / DB).exists():
            making = root / f"shared-demo-{name}.making"
            shutil.rmtree(making, ignore_errors=True)
            making.mkdir()
            build(making)
            making.rename(built)
    mine = tmp_path_factory.mktemp(name)
    for entry in built.iterdir():
        target = mine / entry.name
        if entry.is_dir():
            shutil.copytree(entry, target)
        else:
            shutil.copy(entry, target)
    return mine


YEAR_NOW = "2026-11-30T10:00:00+08:00"  # a Monday late in the year: the history runs from 1 January 2025


def year_environment(folder: Path) -> dict[str, str]:
    return {"COORD_DATABASE_URL": f"sqlite:///{folder / DB}", "COORD_HOME": str(folder / "home"),
            "COORD_NOW": YEAR_NOW, "COORD_USER": "", "COORD_LANG": "", "COLUMNS": "160"}


def _build_year(folder: Path) -> None:
    from typer.testing import CliRunner

    from tests.cli.conftest import Cli

    env = year_environment(folder)
    made = Cli(CliRunner(), env, env["COORD_DATABASE_URL"]).json("demo")
    assert made["already_built"] is False and made["first_day"] == "2025-01-01", made


def year_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of a private copy of `coord demo` (default seed) built at YEAR_NOW."""
    return shared_demo(tmp_path_factory, "year", _build_year)
