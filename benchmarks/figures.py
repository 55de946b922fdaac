"""The figures: one function each, `(context, backend) -> list[Measure]`, each with its same-run baseline.

Coord is imported inside the functions: the product changes while the suite runs elsewhere, and a
figure whose calls no longer fit must fail alone (the harness reports its error) without taking
the others down.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks import datasets, web
from benchmarks.datasets import (
    HANDLER,
    LEADER,
    NOW,
    REPORT_WEEK,
    SECRETARIAT,
    SOLVING_UNIT,
    SPECIALIST,
    TODAY,
)
from benchmarks.harness import ROOT, Context, Figure, Measure, Target, clock, median, ms, samples
from benchmarks.rawsql import RawWriter, sqlite_connection

ACTIONS = ("assign", "acknowledge", "progress")
OPEN_STATES = ("submitted", "assigned", "in_progress", "on_agenda", "resolution_submitted", "long_term")
QUEUE_PAGE = 100  # the raw leader's queue reads one page of this many rows


# ---- scratch databases -----------------------------------------------------------------------


@dataclass
class Scratch:
    """A fresh district on one back end: its URL, coord's engine, and a bare driver connection."""

    backend: str
    url: str
    engine: Any
    path: Path | None

    def raw(self) -> Any:
        if self.path is not None:
            return sqlite_connection(self.path)
        import psycopg

        return psycopg.connect(**datasets.psycopg_connect_args(self.url))


@contextmanager
def scratch(context: Context, backend: str, name: str) -> Iterator[Scratch]:
    from coordination.db import make_engine

    if backend == "sqlite":
        path = context.workdir / f"{name}.sqlite3"
        datasets.sqlite_district(path)
        engine = make_engine(f"sqlite:///{path}")
        try:
            yield Scratch(backend, f"sqlite:///{path}", engine, path)
        finally:
            engine.dispose()
        return
    if not context.postgres_url:
        raise RuntimeError("PostgreSQL needs COORD_BENCH_POSTGRES_URL or COORD_TEST_POSTGRES_URL")
    database = f"coord_bench_{name}_{os.getpid()}"
    url = datasets.postgres_database(context.postgres_url, database)
    engine = make_engine(url)
    try:
        datasets.district(engine)
        yield Scratch(backend, url, engine, None)
    finally:
        engine.dispose()
        datasets.drop_postgres_database(context.postgres_url, database)


def durability(scratch_db: Scratch, context: Context) -> str:
    if scratch_db.backend == "sqlite":
        return "SQLite WAL, synchronous=FULL (coord's pragmas)"
    from benchmarks.harness import postgres_server

    server = postgres_server(scratch_db.url)
    return (f"PostgreSQL {server.get('server_version')}, fsync={server.get('fsync')}, "
            f"synchronous_commit={server.get('synchronous_commit')}")


# ---- pairing ---------------------------------------------------------------------------------


class Steps:
    """One side of a pair: `step()` takes its next action."""

    def __init__(self, act: Callable[[int], None]) -> None:
        self.act = act
        self.done = 0

    def step(self) -> None:
        self.act(self.done)
        self.done += 1


def paired(coord: Steps, raw: Steps, *, chunk: int, rounds: int, warmup: int) -> dict[str, Any]:
    """Chunks of `chunk` actions, coord and raw alternating (ABBA…), `rounds` each; rates per chunk."""
    for side in (coord, raw):
        for _ in range(warmup):
            side.step()
    rates: dict[str, list[float]] = {"coord": [], "raw": []}
    for n in range(rounds):
        order = (("coord", coord), ("raw", raw)) if n % 2 == 0 else (("raw", raw), ("coord", coord))
        for name, side in order:
            seconds, _ = clock(lambda side=side: [side.step() for _ in range(chunk)])  # type: ignore[misc]
            rates[name].append(chunk / seconds)
    return rates


def _pair_measure(name: str, what: str, baseline: str, rates: dict[str, list[float]], *, target: Target | None,
                  details: dict[str, Any]) -> Measure:
    best_coord, best_raw = max(rates["coord"]), max(rates["raw"])
    return Measure(
        name=name, what=what, unit="actions/s" if name.startswith("transitions") else "raises/s",
        value=best_coord, baseline=baseline, baseline_value=best_raw, target=target, better="higher",
        details={**details, "coord_rates_per_chunk": [round(r, 1) for r in rates["coord"]],
                 "raw_rates_per_chunk": [round(r, 1) for r in rates["raw"]],
                 "coord_ms_per_action": round(1000 / best_coord, 2), "raw_ms_per_action": round(1000 / best_raw, 2)},
    )


# ---- 1 and 3: audited transitions ------------------------------------------------------------


def transitions(context: Context, backend: str) -> list[Measure]:
    from coordination.domain.enums import Action, Difficulty
    from coordination.domain.problem import ActionInput
    from coordination.services import issues
    from coordination.services.common import Caller
    from coordination.uow import UnitOfWork

    chunk, rounds, warmup = context.size(250, 30), context.size(3, 2), context.size(12, 3)
    per_side = (warmup + chunk * rounds) // 3 + 2
    plans = {
        "assign": (Caller(SECRETARIAT, NOW, "bench"), Action.ASSIGN,
                   ActionInput(unit=SOLVING_UNIT, difficulty=Difficulty.B)),
        "acknowledge": (Caller(HANDLER, NOW, "bench"), Action.ACKNOWLEDGE, ActionInput()),
        "progress": (Caller(HANDLER, NOW, "bench"), Action.PROGRESS, ActionInput(reason="已与市局对接，材料补正中")),
    }
    with scratch(context, backend, "transitions") as db:
        coord_ids = datasets.seed_submitted(db.engine, per_side, prefix="QC")
        raw_ids = datasets.seed_submitted(db.engine, per_side, prefix="QR")
        connection = db.raw()
        writer = RawWriter(connection, backend, NOW)

        def coord_act(k: int) -> None:
            caller, action, inputs = plans[ACTIONS[k % 3]]
            issues.act(UnitOfWork(db.engine), caller=caller, problem_id=coord_ids[k // 3], action=action,
                       inputs=inputs)

        def raw_act(k: int) -> None:
            writer.transition(raw_ids[k // 3], ACTIONS[k % 3])

        try:
            rates = paired(Steps(coord_act), Steps(raw_act), chunk=chunk, rounds=rounds, warmup=warmup)
        finally:
            connection.close()
        driver = "sqlite3" if backend == "sqlite" else "psycopg"
        return [_pair_measure(
            "transitions", "audited transitions/s (assign, acknowledge, progress; one commit each): "
            "coord's issues.act", f"raw {driver}: read row, versioned UPDATE, read chain head, INSERT event, COMMIT",
            rates, target=Target("ratio", ">=", 0.5) if backend == "sqlite" else None,
            details={"chunk": chunk, "rounds": rounds, "statistic": "best chunk of each side",
                     "durability": durability(db, context)})]


# ---- 2 and 3: raise ------------------------------------------------------------------------------


def raises(context: Context, backend: str) -> list[Measure]:
    from coordination.services import issues
    from coordination.services.common import Caller
    from coordination.uow import UnitOfWork

    chunk, rounds, warmup = context.size(250, 30), context.size(3, 2), context.size(12, 3)
    caller = Caller(SPECIALIST, NOW, "bench")
    with scratch(context, backend, "raise") as db:
        connection = db.raw()
        writer = RawWriter(connection, backend, NOW)

        def coord_raise(k: int) -> None:
            issues.raise_problem(UnitOfWork(db.engine), caller=caller, project=datasets.project_code(k % 20 + 1),
                                 title=f"二期用地指标第{k}批未落实", category="用地")

        def raw_raise(k: int) -> None:
            writer.raise_problem(TODAY.year, k)

        try:
            rates = paired(Steps(coord_raise), Steps(raw_raise), chunk=chunk, rounds=rounds, warmup=warmup)
        finally:
            connection.close()
        driver = "sqlite3" if backend == "sqlite" else "psycopg"
        return [_pair_measure(
            "raise", "raises/s (one commit each): coord's issues.raise_problem",
            f"raw {driver}: bump the year's number, INSERT problem, read chain head, INSERT event, COMMIT",
            rates, target=Target("ratio", ">=", 0.5) if backend == "sqlite" else None,
            details={"chunk": chunk, "rounds": rounds, "statistic": "best chunk of each side",
                     "durability": durability(db, context)})]


# ---- the large district: 100,000 open problems ---------------------------------------------------


@dataclass(frozen=True)
class OpenDistrict:
    path: Path
    built: datasets.Built

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"


def open_district(context: Context) -> OpenDistrict:
    """Built once per run and never written to: figures that write work on a copy."""
    problems = context.problems or context.size(100_000, 2_000)

    def build() -> OpenDistrict:
        context.log(f"  building a district with {problems:,} open problems…")
        path = context.workdir / f"open-{problems}.sqlite3"
        datasets.sqlite_district(path)
        return OpenDistrict(path, datasets.bulk_problems(path, problems, profile="open"))

    district: OpenDistrict = context.once(f"open_district_{problems}", build)
    return district


def _dataset_details(district: OpenDistrict) -> dict[str, Any]:
    built = district.built
    return {"problems": built.problems, "events": built.events, "by_state": built.by_state,
            "by_level": {str(k): v for k, v in sorted(built.by_level.items())}, "build_seconds": built.seconds}


@contextmanager
def fixed_clock() -> Iterator[None]:
    """COORD_NOW: what the CLI's clock reads (config.now), set to the dataset's day."""
    before = os.environ.get("COORD_NOW")
    os.environ["COORD_NOW"] = NOW.isoformat()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("COORD_NOW", None)
        else:
            os.environ["COORD_NOW"] = before


def _yellow_until(working_days: int = 3) -> str:
    """A yellow-light threshold for the raw SQL: TODAY plus a few weekdays.

    The raw query's cost does not depend on the exact date, so it does not borrow coord's calendar
    (whose API is changing).
    """
    day = TODAY
    while working_days:
        day += timedelta(days=1)
        working_days -= day.weekday() < 5
    return day.isoformat()


def _cli_default(command: str, option: str) -> Any:
    """The default of one option of a `coord` command, read from the CLI itself (None when absent)."""
    import typer.main

    from coordination.cli.main import app

    group = typer.main.get_command(app)
    found = getattr(group, "commands", {}).get(command)
    for param in getattr(found, "params", []):
        if param.name == option:
            return param.default
    return None


def _readonly(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    connection.execute("PRAGMA busy_timeout=30000")
    return connection


_OPEN_SQL = ", ".join(f"'{s}'" for s in OPEN_STATES)
_URGENT = "ORDER BY due_date IS NULL, due_date, level DESC, id"


def dashboard(context: Context, backend: str) -> list[Measure]:
    from coordination.cli.context import AppState

    district = open_district(context)
    runs = context.size(5, 2)
    with fixed_clock():
        try:
            from coordination.cli.setup import _dashboard_data  # exactly what `coord dashboard` computes

            app_state = AppState(db=district.url)

            def call() -> Any:
                return _dashboard_data(app_state)

            via = "coordination.cli.setup._dashboard_data (count_problems, count_lights, escalation_queue)"
        except ImportError:
            from coordination.services import issue_reads

            app_state = AppState(db=district.url)

            def call() -> Any:
                counts = issue_reads.count_problems(app_state.reader())
                lights = issue_reads.count_lights(app_state.reader(), today=TODAY)
                found: Any = issue_reads.escalation_queue(app_state.reader(), today=TODAY)
                return counts, lights, list(getattr(found, "items", found))[:10]

            via = "issue_reads.count_problems, count_lights, escalation_queue"
        first, _ = clock(call)
        coord = samples(call, runs)
    yellow = _yellow_until()
    connection = _readonly(district.path)

    def raw() -> None:
        connection.execute("SELECT state, count(*) FROM problem GROUP BY state").fetchall()
        connection.execute(
            "SELECT CASE WHEN due_date < ? THEN 'red' WHEN due_date <= ? THEN 'yellow' ELSE 'green' END AS light,"
            f" count(*) FROM problem WHERE state IN ({_OPEN_SQL}) AND due_date IS NOT NULL GROUP BY light",
            (TODAY.isoformat(), yellow)).fetchall()
        connection.execute(f"SELECT * FROM problem WHERE state IN ({_OPEN_SQL}) AND level >= 2 {_URGENT} LIMIT 10"
                           ).fetchall()

    raw()
    baseline = samples(raw, runs)
    connection.close()
    return [Measure(
        "dashboard", f"`coord dashboard` in process ({via}), median of {runs} after one warm-up", "s",
        median(coord), "raw sqlite3: counts by state, lights by CASE, the 10 most urgent escalated (ordered, LIMIT)",
        median(baseline), Target("value", "<=", 0.1),
        details={"first_call_s": round(first, 4), "coord_ms": ms(coord), "raw_ms": ms(baseline),
                 "dataset": _dataset_details(district)})]


def queue(context: Context, backend: str) -> list[Measure]:
    import inspect

    from coordination.db import make_engine
    from coordination.services import issue_reads
    from coordination.uow import UnitOfWork

    district = open_district(context)
    runs = context.size(5, 2)
    engine = make_engine(district.url)
    filters = issue_reads.QueueFilter(leader=LEADER)
    # `coord queue` shows one page when the service pages (limit/offset), everything otherwise.
    page = _cli_default("queue", "limit")
    paging = {"limit": page, "offset": 0} if page and "limit" in inspect.signature(
        issue_reads.escalation_queue).parameters else {}

    def call() -> Any:
        return issue_reads.escalation_queue(UnitOfWork(engine, write=False), today=TODAY, filters=filters, **paging)

    try:
        first, found = clock(call)
        coord = samples(call, runs)
    finally:
        engine.dispose()
    rows = getattr(found, "items", found)
    total = getattr(found, "total", len(rows))
    limit = int(page) if paging else QUEUE_PAGE
    connection = _readonly(district.path)

    def raw() -> list[Any]:
        return connection.execute(
            f"SELECT * FROM problem WHERE state IN ({_OPEN_SQL}) AND level >= 3 AND project IN "
            "(SELECT project FROM roster_entry WHERE part = 'leader' AND ref = ?) "
            f"{_URGENT} LIMIT {limit}", (LEADER,)).fetchall()

    raw()
    baseline = samples(raw, runs)
    connection.close()
    shown = f"one page of {page}" if paging else "every problem, unpaged"
    return [Measure(
        "queue", f"`coord queue --leader {LEADER}` in process (issue_reads.escalation_queue, {shown}), "
        f"median of {runs}", "s", median(coord),
        f"raw sqlite3: the leader's L3+ open problems, ordered by urgency, LIMIT {limit}",
        median(baseline), Target("value", "<=", 0.1),
        details={"rows_returned": len(rows), "queue_total": total, "paging": paging or None,
                 "first_call_s": round(first, 4), "coord_ms": ms(coord), "raw_ms": ms(baseline),
                 "dataset": _dataset_details(district)})]


# ---- 5: the weekly report, in a subprocess for its peak memory ----------------------------------


def _child(*args: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "benchmarks.child", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"child {args[0]} exited {done.returncode}: {done.stderr.strip()[-800:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def report(context: Context, backend: str) -> list[Measure]:
    district = open_district(context)
    runs = context.size(2, 1)
    budget = context.size(30, 30)  # seconds a report run may take before it is stopped and reported as such
    coord = _child("report", str(district.path), REPORT_WEEK, str(runs), str(budget))
    scan = _child("scan", str(district.path), str(runs))
    stopped = bool(coord.get("timed_out"))
    note = f" — STOPPED after {budget} s: the value is a lower bound" if stopped else ""
    details = {"week": REPORT_WEEK, "runs": runs, "timed_out": stopped, "report_child": coord, "scan_child": scan,
               "dataset": _dataset_details(district)}
    return [
        Measure("report_time", f"`coord report weekly --week {REPORT_WEEK}` (table format, the CLI in a "
                f"subprocess after its imports), best of {runs}{note}", "s",
                max(coord["seconds"]) if stopped else min(coord["seconds"]),
                "a full scan of the event table (count, max(at), sum(length(payload))) in the same kind of process",
                min(scan["seconds"]), Target("value", "<=", 1.5), details=details),
        Measure("report_memory", "peak RSS (VmHWM) of the process that printed the weekly report, "
                f"imports included{note}", "MB", coord["maxrss_mb"],
                "peak RSS of the process that imported the same modules and scanned the event table",
                scan["maxrss_mb"], Target("value", "<=", 150),
                details={"timed_out": stopped, "report_rss_after_imports_mb": coord["rss_after_imports_mb"],
                         "scan_rss_after_imports_mb": scan["rss_after_imports_mb"]}),
    ]


# ---- 6: the first-ever sweep ----------------------------------------------------------------------


def sweep(context: Context, backend: str) -> list[Measure]:
    from coordination.db import make_engine
    from coordination.services import sweep as sweeping
    from coordination.services.common import SYSTEM_HANDLE, Caller
    from coordination.uow import UnitOfWork

    district = open_district(context)
    path = datasets.copy_sqlite(district.path, context.workdir / "sweep.sqlite3")
    engine = make_engine(f"sqlite:///{path}")
    caller = Caller(SYSTEM_HANDLE, NOW, "bench", scheduled=True)
    try:
        seconds, result = clock(lambda: sweeping.sweep(UnitOfWork(engine), caller=caller))
    finally:
        engine.dispose()
    written = int(getattr(result, "events", 0) or 0)
    inserts = written or district.built.problems
    rows = _event_rows(inserts, district.built.problems)
    connection = sqlite_connection(path)

    def raw() -> None:
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(
            "INSERT INTO audit_event (stream_type, stream_id, seq, action, from_state, to_state, actor, at, origin,"
            " reason, payload, prev_hash, hash, level, lead_unit, due_date, on_time)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        connection.execute("COMMIT")

    baseline, _ = clock(raw)
    connection.close()
    summary = {"light_changes": len(getattr(result, "light_changes", [])),
               "reminders": len(getattr(result, "reminders", [])),
               "escalations": len(getattr(result, "escalations", [])), "events": written,
               "messages": getattr(result, "messages", None)}
    return [Measure(
        "sweep", "the first-ever sweep (sweep.sweep as the system actor) over every open problem", "s", seconds,
        f"raw sqlite3 executemany of {inserts:,} event inserts (as many as the sweep wrote) and COMMIT, "
        "on the same file", baseline, Target("value", "<=", 2.0),
        details={"result": summary, "dataset": _dataset_details(district)})]


def _event_rows(count: int, problems: int) -> list[tuple[Any, ...]]:
    """Event rows shaped like the sweep's light changes, on sequence numbers no problem has reached."""
    at = datasets.sqlite_moment(NOW)
    rows = []
    for n in range(count):
        pid = f"Q-2024-{n % problems + 1:06d}"
        payload = datasets.canonical({"changes": {"light": "green", "version": 1_000_000 + n},
                                      "previous_light": None})
        digest = datasets.chain_hash(str(n), {"n": n})
        rows.append(("problem", pid, 1_000_000 + n, "light_change", "in_progress", "in_progress", "system", at,
                     "bench", None, payload, digest, digest, 1, SOLVING_UNIT, "2024-07-01", None))
    return rows


# ---- 7: a decision on a 5,000-item agenda -----------------------------------------------------------


def decide(context: Context, backend: str) -> list[Measure]:
    from coordination.db import make_engine
    from coordination.domain.meetings import DecisionInput, MeetingKind, Outcome
    from coordination.services import meetings
    from coordination.services.common import Caller
    from coordination.uow import UnitOfWork

    items, runs = context.size(5_000, 200), context.size(3, 1)
    path = context.workdir / f"agenda-{items}.sqlite3"
    datasets.sqlite_district(path)
    built = datasets.bulk_problems(path, items, profile="on_agenda_l2", seed=5)
    engine = make_engine(f"sqlite:///{path}")
    secretariat = Caller(SECRETARIAT, NOW, "bench")
    decision = DecisionInput(outcome=Outcome.ASSIGN, text="由区自然资源和规划局牵头，一个月内落实用地指标",
                             unit=SOLVING_UNIT, due=TODAY + timedelta(days=30))
    try:
        planned, view = clock(lambda: meetings.plan_meeting(
            UnitOfWork(engine), caller=secretariat, kind=MeetingKind.TASK_FORCE, held_on=TODAY, chair=SECRETARIAT))
        meeting_id = str(view.id)
        meetings.start_meeting(UnitOfWork(engine), caller=secretariat, meeting_id=meeting_id)
    finally:
        engine.dispose()
    connection = sqlite_connection(path)
    agenda = [r[0] for r in connection.execute(
        "SELECT problem FROM agenda_item WHERE meeting = ? ORDER BY position", (meeting_id,))]
    if len(agenda) < 2 * runs:
        raise RuntimeError(f"the agenda holds {len(agenda)} problems, expected {items}")
    engine = make_engine(f"sqlite:///{path}")
    try:
        coord = [clock(lambda pid=pid: meetings.decide(  # type: ignore[misc]
            UnitOfWork(engine), caller=secretariat, meeting_id=meeting_id, problem_id=pid, decision=decision))[0]
            for pid in agenda[:runs]]
    finally:
        engine.dispose()
    at = datasets.sqlite_moment(NOW)

    def insert(pid: str) -> None:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "INSERT INTO decision (meeting, problem, outcome, text, lead_unit, co_units, due_date, recorded_by,"
            " recorded_at) VALUES (?, ?, 'assign', ?, ?, '[]', ?, ?, ?)",
            (meeting_id, pid, decision.text, SOLVING_UNIT, (TODAY + timedelta(days=30)).isoformat(), SECRETARIAT, at))
        connection.execute("COMMIT")

    others = agenda[-runs:]
    baseline = [clock(lambda pid=pid: insert(pid))[0] for pid in others]  # type: ignore[misc]
    connection.executemany("DELETE FROM decision WHERE meeting = ? AND problem = ?",
                           [(meeting_id, pid) for pid in others])
    connection.close()
    return [Measure(
        "decide", f"`coord meeting decide` on a {len(agenda):,}-item task-force agenda (meetings.decide), "
        f"median of {runs}", "s", median(coord),
        "raw sqlite3: INSERT one decision row and COMMIT (WAL, synchronous=FULL)", median(baseline),
        Target("value", "<=", 0.1),
        details={"agenda_items": len(agenda), "coord_ms": ms(coord), "raw_ms": ms(baseline),
                 "plan_meeting_s": round(planned, 3), "build_seconds": built.seconds})]


# ---- 8: cold start of the command line -----------------------------------------------------------


def cold_start(context: Context, backend: str) -> list[Measure]:
    pairs = context.size(10, 3)
    home = context.workdir / "cold-home"
    home.mkdir(parents=True, exist_ok=True)
    database = context.workdir / "demo.sqlite3"
    url = f"sqlite:///{database}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COORD_")}
    env["COORD_HOME"] = str(home)
    coord_bin = Path(sys.executable).parent / "coord"
    coord = [str(coord_bin)] if coord_bin.exists() else [
        sys.executable, "-c", "from coordination.cli.main import run; run()"]
    subprocess.run([*coord, "--db", url, "demo", "--json"], env=env, check=True, capture_output=True, timeout=300)
    command = [*coord, "--db", url, "issue", "list", "--json"]
    bare = [sys.executable, "-c", "import sqlmodel, typer, rich"]

    def timed(argv: list[str]) -> tuple[float, str]:
        seconds, done = clock(lambda: subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120))
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[-4:])} exited {done.returncode}: {done.stderr.strip()[-400:]}")
        return seconds, str(done.stdout)

    _, listed = timed(command)  # warm-up: byte-code caches written, files in the page cache
    timed(bare)
    problems = len(json.loads(listed))
    coord_s: list[float] = []
    bare_s: list[float] = []
    for n in range(pairs):
        order = ((command, coord_s), (bare, bare_s)) if n % 2 == 0 else ((bare, bare_s), (command, coord_s))
        for argv, into in order:
            into.append(timed(argv)[0])
    return [Measure(
        "cold_start", f"`coord issue list --json` as a new process on the demo database, median of {pairs}", "s",
        median(coord_s), 'a bare `python -c "import sqlmodel, typer, rich"`, paired runs, median',
        median(bare_s), Target("ratio", "<=", 1.2),
        details={"coord_ms": ms(coord_s), "bare_ms": ms(bare_s), "problems_listed": problems})]


def _orchestration(context: Context, backend: str) -> list[Measure]:
    from benchmarks.orchestration import orchestration

    return orchestration(context, backend)


FIGURES: tuple[Figure, ...] = (
    Figure("transitions", "audited transitions/s vs raw driver", transitions, ("sqlite", "postgresql")),
    Figure("raise", "raises/s vs raw driver", raises, ("sqlite", "postgresql")),
    Figure("dashboard", "dashboard over 100,000 open problems", dashboard),
    Figure("queue", "a leader's queue over 100,000 open problems", queue),
    Figure("report", "weekly report (table) over 100,000 open problems: time and peak memory", report),
    Figure("sweep", "first-ever sweep of 100,000 open problems", sweep),
    Figure("decide", "meeting decide on a 5,000-item agenda", decide),
    Figure("cold_start", "cold start of `coord issue list --json`", cold_start),
    *web.FIGURES,  # coord web: an action, a page and the list over HTTP vs in process (benchmarks/web.py)
    Figure("orchestration", "a deployed sweep run vs the same sweep in process", _orchestration),
)
