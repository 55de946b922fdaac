"""Fresh databases for the tests, on SQLite or PostgreSQL: one per test, from a template built once.

`pytest --backend sqlite|postgresql|both` picks the back ends (default sqlite, or COORD_TEST_BACKEND).
PostgreSQL needs COORD_TEST_POSTGRES_URL: a superuser's URL to any database of a server the tests may
create and drop databases on (`eval "$(bash .ci/postgres.sh start)"` starts a throwaway one).

- SQLite: a migrated template file, copied into the test's tmp_path (a few milliseconds).
- PostgreSQL: `CREATE DATABASE … TEMPLATE` a migrated template database (about 30 ms), dropped after
  the test with `DROP DATABASE … WITH (FORCE)`; every name carries this process id, so several runs
  can share one server.
"""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from coordination.db import make_engine, upgrade

BACKENDS = ("sqlite", "postgresql")
POSTGRES_URL_VARIABLE = "COORD_TEST_POSTGRES_URL"


class Databases(Protocol):
    name: str

    def migrated(self, where: Path) -> str:
        """A new database with the whole schema (and nothing else); its URL."""

    def empty(self, where: Path) -> str:
        """A new database without any table (what `coord init` starts from); its URL."""

    def copy(self, source: str, target: str) -> None:
        """Make `target` an exact copy of `source` (no connection to either may be open)."""

    def drop(self, url: str) -> None: ...

    def close(self) -> None: ...


class SqliteDatabases:
    name = "sqlite"

    def __init__(self, base: Path) -> None:
        self.template = base / "template.sqlite3"
        engine = make_engine(f"sqlite:///{self.template}")
        try:
            upgrade(engine)
        finally:
            engine.dispose()  # the last connection folds the WAL back into the file

    def migrated(self, where: Path) -> str:
        where.mkdir(parents=True, exist_ok=True)
        path = where / "coord.sqlite3"
        shutil.copy(self.template, path)
        return f"sqlite:///{path}"

    def empty(self, where: Path) -> str:
        where.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{where / 'empty.sqlite3'}"

    def copy(self, source: str, target: str) -> None:
        source_path, target_path = _path(source), _path(target)
        for suffix in ("", "-wal"):
            origin = source_path.with_name(source_path.name + suffix)
            copied = target_path.with_name(target_path.name + suffix)
            if origin.exists():
                shutil.copy(origin, copied)
            else:
                copied.unlink(missing_ok=True)
        target_path.with_name(target_path.name + "-shm").unlink(missing_ok=True)

    def drop(self, url: str) -> None:
        pass  # the file goes with the test's tmp_path

    def close(self) -> None:
        pass


class PostgresDatabases:
    name = "postgresql"

    def __init__(self, admin_url: str) -> None:
        parsed = make_url(admin_url)
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        self.base = parsed
        self.admin: Engine = create_engine(parsed, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.prefix = f"coord_t{os.getpid()}_"
        self.counter = itertools.count(1)
        with self.admin.connect() as connection:
            version = int(connection.execute(text("SHOW server_version_num")).scalar_one())
            stale = connection.execute(text("SELECT datname FROM pg_database WHERE starts_with(datname, :p)"),
                                       {"p": self.prefix}).scalars().all()
            for name in stale:  # left by an earlier run that had the same process id
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.strategy = " STRATEGY WAL_LOG" if version >= 150000 else ""  # no checkpoint (FILE_COPY takes two)
        self.template = self.prefix + "template"
        self._create(self.template, "template0")
        engine = make_engine(self.url(self.template))
        try:
            upgrade(engine)
        finally:
            engine.dispose()

    def url(self, database: str) -> str:
        return self.base.set(database=database).render_as_string(hide_password=False)

    def _create(self, name: str, template: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{self.strategy}'))

    def _new(self, template: str) -> str:
        name = f"{self.prefix}{next(self.counter)}"
        self._create(name, template)
        return self.url(name)

    def migrated(self, where: Path) -> str:
        return self._new(self.template)

    def empty(self, where: Path) -> str:
        return self._new("template0")

    def copy(self, source: str, target: str) -> None:
        source_name, target_name = make_url(source).database, make_url(target).database
        assert source_name and target_name
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{target_name}" WITH (FORCE)'))
            # A template must have no session: end those that commands run in-process left in their pools.
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": source_name})
        self._create(target_name, source_name)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        with self.admin.connect() as connection:
            names = connection.execute(text("SELECT datname FROM pg_database WHERE starts_with(datname, :p)"),
                                       {"p": self.prefix}).scalars().all()
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


def postgres_admin_url() -> str | None:
    return os.environ.get(POSTGRES_URL_VARIABLE) or None


def open_databases(backend: str, base: Path) -> Databases:
    if backend == "sqlite":
        return SqliteDatabases(base)
    admin_url = postgres_admin_url()
    if not admin_url:
        raise RuntimeError(f"--backend postgresql needs {POSTGRES_URL_VARIABLE} "
                           '(eval "$(bash .ci/postgres.sh start)" starts a throwaway server)')
    return PostgresDatabases(admin_url)


def _path(url: str) -> Path:
    database = make_url(url).database
    assert database, url
    return Path(database)
