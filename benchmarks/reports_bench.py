"""How long the weekly and monthly reports take over a million audit events on SQLite.

Builds a district file with 100,000 problems whose lives (raise, assign, acknowledge, progress,
escalate, resolve, reject, verify …) add up to about 1,000,000 problem events spread over 2024,
then times `reports.build` for a week and a month in the middle of it. A full scan of the event
table (`SELECT count(*), max(at) …`) is timed in the same run as the baseline, and the ratios are
printed with the figures, as JSON.

    .venv/bin/python benchmarks/reports_bench.py [--problems 100000] [--path /tmp/reports-bench.sqlite3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from coordination.db import create_schema, make_engine
from coordination.domain.periods import Cadence, parse_period
from coordination.services import reports
from coordination.uow import UnitOfWork

UNITS = ["ZRZY", "ZJJ", "STHJ", "GDGS", "SWJ", "CZJ", "TJJ", "LYJ"]
CATEGORIES = ["用地", "规划", "环评", "施工许可", "配套", "资金", "入统", "征地拆迁"]
START = datetime(2024, 1, 2, 1, 0, tzinfo=UTC)


class Life:
    """One problem's events, each with the facts it leaves behind, as the services record them."""

    def __init__(self, pid: str, raised: datetime, due: date, rows: list[tuple[object, ...]]) -> None:
        self.pid, self.at, self.due, self.rows = pid, raised, due, rows
        self.seq, self.level, self.state = 0, 1, "submitted"
        self.lead: str | None = None
        self.on_time: bool | None = None

    def add(self, action: str, to_state: str, hours: float) -> None:
        self.seq += 1
        self.at += timedelta(hours=hours)
        # The text SQLAlchemy stores for a naive UTC DateTime on SQLite.
        stamp = self.at.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
        self.rows.append((self.pid, self.seq, action, None if self.seq == 1 else self.state, to_state, stamp,
                          self.level, self.lead, self.due.isoformat() if self.lead else None, self.on_time))
        self.state = to_state


def build(path: Path, problems: int, seed: int) -> int:
    if path.exists():
        path.unlink()
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO unit (code, name, kind, active) VALUES "
                          "('FGJ', '区发展和改革局', 'department', 1), ('DQY', '东区产业园', 'locality', 1)"))
        for code in UNITS:
            conn.execute(text("INSERT INTO unit (code, name, kind, active) VALUES (:c, :c, 'department', 1)"),
                         {"c": code})
        conn.execute(text("INSERT INTO project (code, name, level, locality, lead_unit, active, in_stats) "
                          "VALUES ('P-001', '东区电池材料产业园', 'provincial', 'DQY', 'FGJ', 1, 0)"))
    engine.dispose()
    rng = random.Random(seed)
    problem_rows: list[tuple[object, ...]] = []
    event_rows: list[tuple[object, ...]] = []
    for n in range(1, problems + 1):
        raised = START + timedelta(minutes=rng.randrange(0, 340 * 24 * 60))
        due = (raised + timedelta(days=rng.choice((7, 21, 42)))).date()
        life = Life(f"Q-2024-{n:06d}", raised, due, event_rows)
        life.add("raise", "submitted", 0)
        life.lead = rng.choice(UNITS)
        life.add("assign", "assigned", rng.uniform(2, 30))
        life.add("acknowledge", "in_progress", rng.uniform(2, 30))
        for _ in range(rng.randint(2, 6)):
            life.add("progress", life.state, rng.uniform(24, 120))
        if rng.random() < 0.3:
            life.level += 1
            life.add("escalate", "on_agenda", rng.uniform(24, 200))
        if rng.random() < 0.85:
            life.on_time = rng.random() < 0.7
            life.add("resolve", "resolution_submitted", rng.uniform(24, 300))
            if rng.random() < 0.1:
                life.on_time = None
                life.add("reject", "in_progress", rng.uniform(5, 50))
                life.on_time = rng.random() < 0.5
                life.add("resolve", "resolution_submitted", rng.uniform(24, 100))
            life.add("verify", "closed", rng.uniform(5, 60))
        problem_rows.append((life.pid, "P-001", f"问题 {n}", rng.choice(CATEGORIES), life.state, life.level,
                             life.lead, raised.date().isoformat(), due.isoformat(), life.seq))
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.executemany(
        "INSERT INTO problem (id, project, title, category, state, level, lead_unit, raised_by, raised_on, due_date,"
        " version, co_units, due_provisional, extension_count, reopen_count, missed_deadlines)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, 'li', ?, ?, ?, '[]', 0, 0, 0, 0)", problem_rows)
    connection.executemany(
        "INSERT INTO audit_event (stream_type, stream_id, seq, action, from_state, to_state, actor, at, origin,"
        " payload, prev_hash, hash, level, lead_unit, due_date, on_time)"
        " VALUES ('problem', ?, ?, ?, ?, ?, 'bench', ?, 'bench', '{}', '', '', ?, ?, ?, ?)", event_rows)
    connection.commit()
    connection.close()
    return len(event_rows)


def timed(runs: int, fn: object) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--problems", type=int, default=100_000)
    parser.add_argument("--path", type=Path, default=Path("/tmp/coord-reports-bench.sqlite3"))
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    events = build(args.path, args.problems, args.seed)
    seeding = time.perf_counter() - started
    engine = make_engine(f"sqlite:///{args.path}")

    def scan() -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT count(*), max(at), sum(level) FROM audit_event")).one()

    def report(cadence: Cadence, name: str) -> float:
        period = parse_period(cadence, name)
        return timed(args.runs, lambda: reports.build(UnitOfWork(engine, write=False), cadence=cadence,
                                                      period=period))

    baseline = timed(args.runs, scan)
    # The report people read (last week, last month: recent history) and one from the middle of the year.
    figures: dict[str, float] = {
        "weekly_recent_2024-W49": report(Cadence.WEEKLY, "2024-W49"),
        "monthly_recent_2024-11": report(Cadence.MONTHLY, "2024-11"),
        "weekly_midyear_2024-W26": report(Cadence.WEEKLY, "2024-W26"),
        "monthly_midyear_2024-06": report(Cadence.MONTHLY, "2024-06"),
    }
    totals = reports.build(UnitOfWork(engine, write=False), cadence=Cadence.WEEKLY,
                           period=parse_period(Cadence.WEEKLY, "2024-W49")).to_json()["problems"]["totals"]
    print(json.dumps({
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "problems": args.problems, "events": events, "seed_seconds": round(seeding, 1),
        "baseline_full_scan_seconds": round(baseline, 3),
        "seconds": {k: round(v, 3) for k, v in figures.items()},
        "ratio_to_full_scan": {k: round(v / baseline, 1) for k, v in figures.items()},
        "weekly_recent_totals": totals,
    }, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
