"""The baselines written by hand: coord's statements for one change, on a bare DB-API connection.

A transition is what coord needs to record it: read the problem row (FOR UPDATE on PostgreSQL, as
coord does), the versioned UPDATE, read the head of the problem's event chain, INSERT the
hash-chained audit event, COMMIT. A raise: bump the year's problem number, INSERT the problem, read
the (empty) chain head, INSERT its first event, COMMIT. No ORM, no authorization, no notices: the
floor coord's services are compared with. SQLite runs with coord's pragmas (WAL, synchronous=FULL).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.datasets import GENESIS, HANDLER, SECRETARIAT, SOLVING_UNIT, SPECIALIST, canonical, chain_hash

EVENT_INSERT = (
    "INSERT INTO audit_event (stream_type, stream_id, seq, action, from_state, to_state, actor, at, origin, reason,"
    " payload, prev_hash, hash, level, lead_unit, due_date, on_time)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
PROBLEM_COLUMNS = ("id", "project", "title", "detail", "category", "state", "level", "difficulty", "lead_unit",
                   "co_units", "raised_by", "raised_on", "assigned_on", "due_date", "due_provisional",
                   "pending_extension_days", "extension_count", "reopen_count", "resolved_by_unit", "resolved_on",
                   "resolved_on_time", "closed_on", "light", "missed_deadlines", "escalated_due", "version")


def sqlite_connection(path: Path) -> sqlite3.Connection:
    """The stdlib driver with coord's pragmas; transactions are begun by hand (BEGIN IMMEDIATE)."""
    connection = sqlite3.connect(path, isolation_level=None, timeout=30)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=30000"):
        connection.execute(f"PRAGMA {pragma}")
    return connection


class RawWriter:
    """Hand-written writes on a sqlite3 or psycopg connection; `dialect` is "sqlite" or "postgresql"."""

    def __init__(self, connection: Any, dialect: str, now: datetime, origin: str = "raw") -> None:
        self.connection = connection
        self.dialect = dialect
        self.now = now
        self.today = (now.astimezone(UTC) + timedelta(hours=8)).date()
        self.origin = origin
        self.sqlite = dialect == "sqlite"
        self.cursor = connection.cursor()
        self._at_hashed = now.isoformat()
        # How each driver takes an aware UTC datetime: SQLite keeps coord's naive UTC text.
        self._at_stored: Any = (now.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
                                if self.sqlite else now)

    def _sql(self, statement: str) -> str:
        return statement if self.sqlite else statement.replace("?", "%s")

    def _execute(self, statement: str, params: tuple[Any, ...] = ()) -> Any:
        return self.cursor.execute(self._sql(statement), params)

    def _begin(self) -> None:
        if self.sqlite:
            self.cursor.execute("BEGIN IMMEDIATE")  # psycopg opens its transaction by itself

    def _commit(self) -> None:
        if self.sqlite:
            self.cursor.execute("COMMIT")
        else:
            self.connection.commit()

    def _iso(self, value: Any) -> Any:
        return value.isoformat() if hasattr(value, "isoformat") else value

    def _chain_head(self, pid: str) -> str:
        self._execute("SELECT seq, hash FROM audit_event WHERE stream_type = 'problem' AND stream_id = ?"
                      " ORDER BY seq DESC LIMIT 1", (pid,))
        head = self.cursor.fetchone()
        return str(head[1]) if head else GENESIS

    def _event(self, pid: str, seq: int, action: str, actor: str, from_state: str | None, to_state: str,
               changes: dict[str, Any], reason: str | None, facts: dict[str, Any]) -> None:
        prev = self._chain_head(pid)
        fields = {"stream_type": "problem", "stream_id": pid, "seq": seq, "action": action,
                  "from_state": from_state, "to_state": to_state, "actor": actor, "at": self._at_hashed,
                  "origin": self.origin, "reason": reason, "payload": canonical({"changes": changes}),
                  "level": facts["level"], "lead_unit": facts["lead_unit"],
                  "due_date": self._iso(facts["due_date"]), "on_time": facts["resolved_on_time"]}
        digest = chain_hash(prev, fields)
        self._execute(EVENT_INSERT, (
            "problem", pid, seq, action, from_state, to_state, actor, self._at_stored, self.origin, reason,
            fields["payload"], prev, digest, facts["level"], facts["lead_unit"], fields["due_date"],
            facts["resolved_on_time"]))

    def transition(self, pid: str, action: str) -> None:
        """assign (to the solving unit, difficulty B), acknowledge or progress, in one transaction."""
        self._begin()
        self._execute("SELECT * FROM problem WHERE id = ?" + ("" if self.sqlite else " FOR UPDATE"), (pid,))
        names = [d[0] for d in self.cursor.description]
        row = dict(zip(names, self.cursor.fetchone(), strict=True))
        changes: dict[str, Any]
        actor, reason = HANDLER, None
        if action == "assign":
            actor = SECRETARIAT
            changes = {"state": "assigned", "lead_unit": SOLVING_UNIT, "co_units": [], "difficulty": "B",
                       "assigned_on": self.today.isoformat(),
                       "due_date": (self.today + timedelta(days=21)).isoformat(), "due_provisional": False}
        elif action == "acknowledge":
            changes = {"state": "in_progress"}
        else:
            changes, reason = {}, "已与市局对接，材料补正中"
        version = int(row["version"])
        changes["version"] = version + 1
        stored = {k: canonical(v) if k == "co_units" else v for k, v in changes.items()}
        assignments = ", ".join(f"{name} = ?" for name in stored)
        self._execute(f"UPDATE problem SET {assignments} WHERE id = ? AND version = ?",
                      (*stored.values(), pid, version))
        if self.cursor.rowcount != 1:
            raise RuntimeError(f"{pid} changed underneath the raw writer")
        from_state = str(row["state"])
        row.update(changes)
        self._event(pid, version + 1, action, actor, from_state, str(row["state"]), changes, reason, row)
        self._commit()

    def raise_problem(self, year: int, n: int) -> str:
        """Raise problem `n` of the pool on project P-(n mod 20 + 1), numbered from the year's sequence."""
        self._begin()
        self._execute("UPDATE problem_sequence SET last = last + 1 WHERE year = ? RETURNING last", (year,))
        bumped = self.cursor.fetchone()
        if bumped is None:
            self._execute("INSERT INTO problem_sequence (year, last) VALUES (?, 1)", (year,))
            bumped = (1,)
        pid = f"Q-{year}-{int(bumped[0]):04d}"
        fields: dict[str, Any] = {
            "id": pid, "project": f"P-{n % 20 + 1:03d}", "title": f"二期用地指标第{n}批未落实", "detail": None,
            "category": "用地", "state": "submitted", "level": 1, "difficulty": None, "lead_unit": None,
            "co_units": [], "raised_by": SPECIALIST, "raised_on": self.today.isoformat(), "assigned_on": None,
            "due_date": None, "due_provisional": False, "pending_extension_days": None, "extension_count": 0,
            "reopen_count": 0, "resolved_by_unit": None, "resolved_on": None, "resolved_on_time": None,
            "closed_on": None, "light": None, "missed_deadlines": 0, "escalated_due": None, "version": 1,
        }
        values = tuple(canonical(fields[c]) if c == "co_units" else fields[c] for c in PROBLEM_COLUMNS)
        self._execute(f"INSERT INTO problem ({', '.join(PROBLEM_COLUMNS)}) "
                      f"VALUES ({', '.join('?' * len(PROBLEM_COLUMNS))})", values)
        self._event(pid, 1, "raise", SPECIALIST, None, "submitted", fields, None, fields)
        self._commit()
        return pid

