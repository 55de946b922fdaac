"""Backing up and restoring coord's database, online, on either back end.

SQLite: the sqlite3 online backup API copies a consistent snapshot while others keep working; the
backup is itself an SQLite file (journal mode DELETE, one self-contained file). PostgreSQL: `pg_dump`
in its custom format and `pg_restore` in one transaction, found on PATH, in COORD_PG_BIN, or under
/usr/lib/postgresql/*/bin (the newest); pg_dump must be as new as the server or newer.

A restore replaces a target that holds coord data only for one of its admins who typed its name back
(services/restore_guard.py), then brings the copy to this coord's schema revision (an older backup is
upgraded) and records the replacement as an event of the restored database.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

from coordination.domain.errors import CoordError, InvalidInput
from coordination.services import restore_guard as guard
from coordination.services.common import Caller

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


@dataclass(frozen=True)
class BackupResult:
    file: Path
    backend: str
    bytes: int
    revision: str | None
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return {"file": str(self.file), "backend": self.backend, "bytes": self.bytes, "revision": self.revision,
                "seconds": round(self.seconds, 3)}


@dataclass(frozen=True)
class RestoreResult:
    file: Path
    backend: str
    revision_in_backup: str | None
    revision: str | None
    replaced: bool
    seconds: float
    sha256: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"file": str(self.file), "backend": self.backend, "revision_in_backup": self.revision_in_backup,
                "revision": self.revision, "upgraded": self.revision != self.revision_in_backup,
                "replaced": self.replaced, "sha256": self.sha256, "seconds": round(self.seconds, 3)}


def backend_of(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise InvalidInput(f"不支持的数据库 {name}（仅支持 SQLite 与 PostgreSQL）",
                           f"unsupported database {name} (SQLite and PostgreSQL only)")
    return name


def backup(url: str, target: Path, *, overwrite: bool = False) -> BackupResult:
    """Write a consistent copy of the database at `url` to `target`."""
    started = time.perf_counter()
    backend = backend_of(url)
    target = target.expanduser().resolve()
    if target.exists() and not overwrite:
        raise InvalidInput(f"备份文件 {target} 已存在（用 --force 覆盖）", f"{target} exists (--force overwrites it)")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if backend == "sqlite":
            revision = _sqlite_backup(_sqlite_path(url), partial)
        else:
            revision = _revision(url)
            _run_pg("pg_dump", url, ["--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"])
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(target, backend, target.stat().st_size, revision, time.perf_counter() - started)


def checked_source(url: str, source: Path) -> Path:
    """The backup file, refused unless it is a backup of the target's kind."""
    backend = backend_of(url)
    source = source.expanduser().resolve()
    if not source.is_file():
        raise InvalidInput(f"备份文件 {source} 不存在", f"backup file {source} not found")
    magic = _head(source)
    expected = SQLITE_MAGIC if backend == "sqlite" else PGDUMP_MAGIC
    if not magic.startswith(expected):
        kind = "SQLite" if backend == "sqlite" else "pg_dump (custom format)"
        raise InvalidInput(f"{source} 不是 {kind} 备份，无法还原到 {backend} 数据库",
                           f"{source} is not a {kind} backup: it cannot be restored into a {backend} database")
    return source


def restore(url: str, source: Path, *, caller: Caller | None = None,
            confirmed_name: str | None = None) -> RestoreResult:
    """Restore the backup in `source` into the database at `url`, then upgrade it to this coord's schema.

    A target holding coord data is replaced only for its admin (`caller`) with its name typed back
    (`confirmed_name`); the replacement is then recorded in the restored database's `database` stream.
    """
    from coordination.db import make_engine, upgrade

    started = time.perf_counter()
    backend = backend_of(url)
    source = checked_source(url, source)
    target = guard.inspect_target(url)
    guard.check_replacing(target, caller)
    guard.check_confirmation(target, confirmed_name)
    holds_data = target.holds_data
    checksum = guard.sha256_of(source)
    if backend == "sqlite":
        _sqlite_restore(source, _sqlite_path(url))
    else:
        args = ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
        if holds_data:
            args += ["--clean", "--if-exists"]
        _run_pg("pg_restore", url, [*args, str(source)])
    engine = make_engine(url)
    try:
        before = _current(engine)
        migration = upgrade(engine)
    finally:
        engine.dispose()
    if holds_data and caller is not None:
        guard.record_restore(url, caller, {"backup_file": str(source), "sha256": checksum,
                                           "bytes": source.stat().st_size, "revision_in_backup": before,
                                           "revision": migration.after, "replaced_events": target.events})
    return RestoreResult(source, backend, before, migration.after, holds_data, time.perf_counter() - started,
                         checksum)


# ---- SQLite --------------------------------------------------------------------------------


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise InvalidInput("内存数据库无法备份或还原", "an in-memory database cannot be backed up or restored")
    return Path(database)


def _sqlite_backup(path: Path, target: Path) -> str | None:
    if not path.exists():
        raise InvalidInput(f"数据库文件 {path} 不存在", f"database file {path} not found")
    source = sqlite3.connect(path, timeout=30)  # reads only (read-only mode would need the WAL index to exist)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # one step: a consistent snapshot, writers wait at most for the copy
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            ok = copy.execute("PRAGMA integrity_check").fetchone()
            if ok is None or ok[0] != "ok":
                raise CoordError(f"备份校验失败：{ok}", f"the backup failed its integrity check: {ok}")
            return _sqlite_revision(copy)
        finally:
            copy.close()
    finally:
        source.close()


def _sqlite_restore(source: Path, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    backup_file = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        ok = backup_file.execute("PRAGMA integrity_check").fetchone()
        if ok is None or ok[0] != "ok":
            raise InvalidInput(f"备份文件 {source} 已损坏：{ok}", f"the backup {source} is damaged: {ok}")
        target = sqlite3.connect(path, timeout=30)
        try:
            backup_file.backup(target)  # replaces every page of the target, under its write lock
            target.execute("PRAGMA journal_mode=WAL")
        finally:
            target.close()
    finally:
        backup_file.close()


def _sqlite_revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    return str(row[0]) if row else None


# ---- PostgreSQL ----------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """The path of pg_dump or pg_restore: COORD_PG_BIN, then PATH, then the newest Debian install."""
    configured = os.environ.get("COORD_PG_BIN")
    if configured and (Path(configured) / name).exists():
        return str(Path(configured) / name)
    found = shutil.which(name)
    if found:
        return found
    installed = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                       key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if installed:
        return str(installed[-1])
    raise CoordError(f"找不到 {name}：请安装 PostgreSQL 客户端（postgresql-client，版本不低于服务器）"
                     "，或设置 COORD_PG_BIN",
                     f"{name} not found: install the PostgreSQL client (postgresql-client, as new as the server) "
                     "or set COORD_PG_BIN")


def libpq_args(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string for `url`, and the environment that carries its password."""
    from psycopg.conninfo import make_conninfo

    parsed: URL = make_url(url)
    params: dict[str, Any] = {"host": parsed.host, "port": parsed.port, "user": parsed.username,
                              "dbname": parsed.database}
    for key, value in parsed.query.items():
        params[key] = value if isinstance(value, str) else value[-1]
    env = {}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return make_conninfo(**{k: str(v) for k, v in params.items() if v not in (None, "")}), env


def _run_pg(tool: str, url: str, args: list[str]) -> None:
    conninfo, env = libpq_args(url)
    command = [pg_tool(tool), *args, f"--dbname={conninfo}"]
    done = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip()
        raise CoordError(f"{tool} 失败（退出码 {done.returncode}）：{detail}",
                         f"{tool} failed (exit {done.returncode}): {detail}")


def _revision(url: str) -> str | None:
    from coordination.db import make_engine

    engine = make_engine(url)
    try:
        return _current(engine)
    finally:
        engine.dispose()


def _current(engine: Any) -> str | None:
    from coordination.db import current_revision

    return current_revision(engine)


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(16)


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
