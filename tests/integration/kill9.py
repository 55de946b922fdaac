"""What tests/integration/test_kill9.py needs to kill `coord` mid-transaction and judge what is left.

- `Watch`: is a `coord` process inside its write transaction right now? On SQLite, a probe asks for
  the write lock without waiting (coord's writers take it at BEGIN IMMEDIATE and hold it to COMMIT);
  on PostgreSQL, a server process on the case's database holds a transaction id (it has written or
  locked rows). Polled every few milliseconds, it says when to send SIGKILL.
- `snapshot`: every table's rows, digested per table, without what a killed transaction may
  legitimately leave behind on PostgreSQL — surrogate ids drawn from sequences (never rolled back) and
  the checkpoint fields that record them — so that "nothing happened" and "everything happened" are
  equalities with the state before the command and after an uninterrupted run.
- `run`: a real `coord` process, killed (SIGKILL) a given time after its write transaction is first
  seen, or on SQLite once its write-ahead log grows; `timed`: how long an uninterrupted run's write
  transaction stays open, watched from a thread. `event_ids_drawn`: on PostgreSQL, proof that a killed
  transaction had written events (their ids were drawn, then rolled back).
- `seed_lives`: many problems with their whole hash-chained lives (benchmarks/datasets.py), written
  with SQLAlchemy Core on either back end in one transaction.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel

from benchmarks import datasets
from coordination.db import make_engine
from coordination.models import AuditEvent, Problem, ProblemSequence

COORD = Path(sys.executable).with_name("coord")
POLL_S = 0.002
WAL_HEADER = 32  # bytes; pages follow it, each in a frame, the commit's last frame marked as such
# Filled from a sequence, which a rolled-back transaction on PostgreSQL still advances: the next run's
# rows get other numbers. The checkpoint signs its last event id and the gaps below it.
VOLATILE = {"audit_event": {"id"}, "outbox": {"id"},
            "audit_checkpoint": {"last_event_id", "gaps", "mac", "previous_mac"}}
# The sweep's robot messages end with its checkpoint's fingerprint, which signs those ids too.
_FINGERPRINT = re.compile(r"[0-9A-F]{4}(?:-[0-9A-F]{4}){3}")
FINGERPRINTED = {"outbox"}
# Requests turned away are a log of their own (a refused re-run may add one), not a command's effect.
NOT_EFFECTS = {"refusal"}
_DATES = ("raised_on", "assigned_on", "due_date", "resolved_on")
T = TypeVar("T")


# ---- the database's state ------------------------------------------------------------------------


def snapshot(url: str) -> dict[str, str]:
    """Table → digest of its rows (sorted, volatile columns left out) and their number. Plain SQL: the
    driver's values, without the ORM's conversions, are enough to compare a database with itself."""
    engine = make_engine(url)
    digests: dict[str, str] = {}
    try:
        with engine.connect() as connection:
            quote = connection.dialect.identifier_preparer.quote
            for table in SQLModel.metadata.sorted_tables:
                if table.name in NOT_EFFECTS:
                    continue
                names = ", ".join(quote(c.name) for c in table.columns
                                  if c.name not in VOLATILE.get(table.name, set()))
                rows = [repr(tuple(row)) for row in connection.exec_driver_sql(
                    f"SELECT {names} FROM {quote(table.name)}")]
                if table.name in FINGERPRINTED:
                    rows = [_FINGERPRINT.sub("FINGERPRINT", row) for row in rows]
                digest = hashlib.sha256("\n".join(sorted(rows)).encode()).hexdigest()[:16]
                digests[table.name] = f"{len(rows)}:{digest}"
    finally:
        engine.dispose()
    return digests


def differs(found: dict[str, str], expected: dict[str, str]) -> list[str]:
    return sorted(name for name in expected if found.get(name) != expected[name])


def event_ids_drawn(url: str) -> int:
    """PostgreSQL: how far the audit events' id sequence has gone (a rolled-back insert still draws
    from it, so it shows that a killed transaction had written events); SQLite: 0."""
    engine = make_engine(url)
    try:
        if engine.dialect.name != "postgresql":
            return 0
        with engine.connect() as connection:
            name = connection.execute(text("SELECT pg_get_serial_sequence('audit_event', 'id')")).scalar_one()
            last, called = connection.execute(text(f"SELECT last_value, is_called FROM {name}")).one()
            return int(last) if called else 0
    finally:
        engine.dispose()


def integrity(url: str) -> str:
    """SQLite's own check of the file after the kill ("ok"); PostgreSQL recovers by itself."""
    database = make_url(url).database
    if make_url(url).get_backend_name() != "sqlite" or not database:
        return "ok"
    connection = sqlite3.connect(database)
    try:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        connection.close()


# ---- is the process inside its write transaction? -----------------------------------------------


class Watch:
    """Polls one database for a writer inside its transaction (see the module's docstring)."""

    def __init__(self, url: str, admin_url: str | None) -> None:
        parsed = make_url(url)
        self.sqlite = parsed.get_backend_name() == "sqlite"
        self.path = Path(parsed.database or "")
        self.database = parsed.database
        self._probe: sqlite3.Connection | None = None
        self._admin: Engine | None = None
        if self.sqlite:
            self._probe = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        else:
            assert admin_url, "PostgreSQL needs the server's admin URL"
            admin = make_url(admin_url)
            if admin.drivername == "postgresql":
                admin = admin.set(drivername="postgresql+psycopg")
            self._admin = create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=NullPool)
            self._connection = self._admin.connect()

    def writing(self) -> bool:
        if self._probe is not None:
            try:
                self._probe.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:  # database is locked: a writer is inside its transaction
                return True
            self._probe.execute("ROLLBACK")
            return False
        found = self._connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = :name AND backend_xid IS NOT NULL"),
            {"name": self.database}).scalar_one()
        return bool(found)

    def wal_bytes(self) -> int:
        """Bytes in SQLite's write-ahead log: a transaction's pages go there at COMMIT (or earlier, when
        they no longer fit in the page cache)."""
        wal = self.path.with_name(self.path.name + "-wal")
        return wal.stat().st_size if self.sqlite and wal.exists() else 0

    def close(self) -> None:
        if self._probe is not None:
            self._probe.close()
        if self._admin is not None:
            self._connection.close()
            self._admin.dispose()


@dataclass
class Run:
    """One `coord` process: when its write transaction was first seen, whether it was killed."""

    returncode: int
    stdout: str
    stderr: str
    began: float | None  # seconds after start: the write transaction first seen
    killed: bool = False
    wal_growth: int = 0  # SQLite: bytes the log had grown by, since the start, at the kill


def environment(url: str, home: Path, now: str, user: str | None) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith("COORD_") or k == "COORD_AUDIT_KEY"}
    return {**kept, "COORD_DATABASE_URL": url, "COORD_HOME": str(home), "COORD_NOW": now,
            "COORD_USER": user or "", "COORD_LANG": "", "COLUMNS": "160"}


def run(args: list[str], env: dict[str, str], watch: Watch, *, kill_after: float | None = None,
        kill_on_log: bool = False, timeout_s: float = 120.0) -> Run:
    """Start `coord ARGS`; with `kill_after`, SIGKILL it that many seconds after its write transaction
    is first seen; with `kill_on_log` (SQLite), as soon as the write-ahead log grows once it is: pages of
    the transaction are being written, the commit record last. Output goes to files, so a full pipe
    never stalls the process."""
    home = Path(env["COORD_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    out, err = home / "stdout.txt", home / "stderr.txt"
    wal_before = watch.wal_bytes()
    began: float | None = None
    growth = 0
    with out.open("w") as stdout, err.open("w") as stderr:
        started = time.monotonic()
        process = subprocess.Popen([str(COORD), *args], env=env, stdout=stdout, stderr=stderr)
        deadline = started + timeout_s
        killed = False
        while process.poll() is None and time.monotonic() < deadline:
            inside = watch.writing()
            moment = time.monotonic() - started
            if inside and began is None:
                began = moment
            grown = watch.wal_bytes() - wal_before if kill_on_log else 0
            if began is not None and (grown > WAL_HEADER or (kill_after is not None and moment >= began + kill_after)):
                growth = watch.wal_bytes() - wal_before
                os.kill(process.pid, signal.SIGKILL)
                killed = True
                break
            time.sleep(POLL_S)
        if process.poll() is None and not killed:
            process.kill()
        process.wait()
    return Run(process.returncode, out.read_text(), err.read_text(), began, killed, growth)


def timed(url: str, admin_url: str | None, work: Callable[[], T]) -> tuple[T, float]:
    """Do `work` (a command run in this process) while a thread watches the database; the result and
    how long the write transaction was open, from first seen to last seen."""
    seen: list[float] = []
    stop = threading.Event()
    failures: list[BaseException] = []

    def poll() -> None:
        try:
            watch = Watch(url, admin_url)  # in this thread: a SQLite connection stays in its own
            try:
                while not stop.is_set():
                    if watch.writing():
                        seen.append(time.monotonic())
                    time.sleep(POLL_S)
            finally:
                watch.close()
        except BaseException as exc:  # handed to the test's thread
            failures.append(exc)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    try:
        result = work()
    finally:
        stop.set()
        watcher.join()
    if failures:
        raise failures[0]
    assert len(seen) > 1, "the write transaction was never seen: too short to kill inside"
    return result, seen[-1] - seen[0]


# ---- a district with many problems, quickly ------------------------------------------------------


def seed_lives(engine: Engine, count: int, *, profile: str, seed: int = 14) -> None:
    """`count` problems Q-2024-000001… with their lives (profile "open" or "on_agenda_l2"), and the
    year's problem numbers taken, in one transaction."""
    rng = random.Random(seed)
    defaults = datasets.problem_defaults()
    rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for n in range(1, count + 1):
        life = datasets.live(n, rng, profile, defaults)
        row = {**life.row, "co_units": json.dumps(life.row["co_units"], ensure_ascii=False)}
        rows.append({k: date.fromisoformat(v) if k in _DATES and isinstance(v, str) else v for k, v in row.items()})
        events.extend({**e, "due_date": date.fromisoformat(e["due_date"]) if e["due_date"] else None}
                      for e in life.events)
    with engine.begin() as connection:
        connection.execute(insert(Problem.__table__), rows)  # type: ignore[attr-defined]
        connection.execute(insert(AuditEvent.__table__), events)  # type: ignore[attr-defined]
        connection.execute(insert(ProblemSequence.__table__).values(year=2024, last=count))  # type: ignore[attr-defined]
