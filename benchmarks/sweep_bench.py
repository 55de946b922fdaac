"""How long the daily sweep takes over many open problems on SQLite; prints the figures as JSON.

    .venv/bin/python benchmarks/sweep_bench.py [--problems 100000] [--db /tmp/sweep-bench.sqlite3]

Seeds a district whose open problems are all `in_progress` at L1 with due dates spread over the
60 calendar days before and after the sweep day (each with its raise event, hash-chained), then
times, on the same file:
  first   the first sweep ever: every light goes from none to a colour (the worst case: one event
          per problem, plus reminders and escalations for the overdue);
  again   the same day once more (idempotent: selects nothing, writes nothing);
  next    the next working day (the everyday case: only the lights that really change).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from coordination.db import create_schema, make_engine
from coordination.domain.audit import GENESIS, canonical, event_hash
from coordination.domain.enums import ProjectLevel, Role, UnitKind
from coordination.models import AuditEvent, Problem
from coordination.services import audit, directory, sweep
from coordination.services.common import SYSTEM_HANDLE, Caller
from coordination.uow import UnitOfWork

SWEEP_DAY = date(2024, 6, 12)  # a Wednesday
NEXT_DAY = date(2024, 6, 13)
ADMIN = "admin"


def _at(day: date, hour: int = 7) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 30, tzinfo=UTC) - timedelta(hours=8)


def seed(path: Path, problems: int, rng: random.Random) -> Any:
    if path.exists():
        path.unlink()
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    setup = Caller(SYSTEM_HANDLE, _at(date(2024, 1, 2)), "bench", scheduled=True)
    directory.bootstrap(UnitOfWork(engine), caller=setup, admin_handle=ADMIN, admin_name="管理员")
    admin = Caller(ADMIN, setup.now, "bench")
    for code, name in (("FGJ", "区发展和改革局"), ("ZRZY", "区自然资源和规划局"), ("DQY", "东区电池材料产业园")):
        kind = UnitKind.LOCALITY if code == "DQY" else UnitKind.DEPARTMENT
        directory.add_unit(UnitOfWork(engine), caller=admin, code=code, name=name, kind=kind)
    directory.add_person(UnitOfWork(engine), caller=admin, handle="qian", name="钱局长", unit="ZRZY",
                         roles=[Role.UNIT_HEAD])
    directory.add_person(UnitOfWork(engine), caller=admin, handle="chen", name="陈副区长", unit=None,
                         roles=[Role.LEADER])
    directory.add_project(UnitOfWork(engine), caller=admin, code="P-001", name="东区电池材料产业园一期",
                          level=ProjectLevel.PROVINCIAL, locality="DQY", lead_unit="FGJ", leaders=["chen"],
                          helpers=["ZRZY"], specialists=[])

    rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    raised_at = _at(date(2024, 3, 1), 10)
    for n in range(1, problems + 1):
        due = SWEEP_DAY + timedelta(days=rng.randint(-60, 60))
        fields = {
            "id": f"Q-2024-{n:06d}", "project": "P-001", "title": f"用地问题 {n}", "detail": None, "category": "用地",
            "state": "in_progress", "level": 1, "difficulty": "B", "lead_unit": "ZRZY", "co_units": "[]",
            "raised_by": ADMIN, "raised_on": date(2024, 3, 1), "assigned_on": date(2024, 3, 1), "due_date": due,
            "due_provisional": False, "pending_extension_days": None, "extension_count": 0, "reopen_count": 0,
            "resolved_by_unit": None, "resolved_on": None, "resolved_on_time": None, "closed_on": None,
            "light": None, "missed_deadlines": 0, "escalated_due": None, "version": 1,
        }
        rows.append(fields)
        hashed = {"stream_type": "problem", "stream_id": fields["id"], "seq": 1, "action": "raise",
                  "from_state": None, "to_state": "in_progress", "actor": ADMIN, "at": raised_at.isoformat(),
                  "origin": "bench", "reason": None, "level": None, "lead_unit": None, "due_date": None,
                  "on_time": None,
                  "payload": canonical({"changes": {**fields, "co_units": []}})}
        events.append({**hashed, "at": raised_at, "prev_hash": GENESIS, "hash": event_hash(GENESIS, hashed)})
    with engine.begin() as conn:
        conn.execute(insert(Problem.__table__), rows)  # type: ignore[attr-defined]
        conn.execute(insert(AuditEvent.__table__), events)  # type: ignore[attr-defined]
    return engine


def timed(engine: Any, day: date) -> dict[str, Any]:
    caller = Caller(SYSTEM_HANDLE, _at(day), "bench", scheduled=True)
    started = time.perf_counter()
    result = sweep.sweep(UnitOfWork(engine), caller=caller)
    seconds = time.perf_counter() - started
    return {"day": day.isoformat(), "seconds": round(seconds, 3), "light_changes": len(result.light_changes),
            "lights": result.lights(), "reminders": len(result.reminders), "escalations": len(result.escalations),
            "events": result.events, "messages": result.messages}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--problems", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/coord-sweep-bench.sqlite3"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--verify", action="store_true", help="also walk every hash chain afterwards")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    engine = seed(args.db, args.problems, random.Random(args.seed))
    seeded = time.perf_counter() - started
    figures: dict[str, Any] = {
        "problems": args.problems, "database": "sqlite (WAL, synchronous=FULL)", "seed_seconds": round(seeded, 2),
        "first": timed(engine, SWEEP_DAY), "again": timed(engine, SWEEP_DAY), "next": timed(engine, NEXT_DAY),
    }
    if args.verify:
        report = audit.verify_chains(UnitOfWork(engine, write=False))
        figures["chains_ok"] = report.ok
        figures["events_verified"] = report.events
    engine.dispose()
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
