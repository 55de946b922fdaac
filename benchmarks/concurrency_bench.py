"""Many processes acting on the same few problems at once, on SQLite and PostgreSQL; prints figures as JSON.

    .venv/bin/python benchmarks/concurrency_bench.py [--workers 8] [--actions 500] [--problems 6]
        [--backend sqlite|postgresql|both] [--postgres-url URL]

PostgreSQL: a superuser URL (--postgres-url, else COORD_TEST_POSTGRES_URL; `eval "$(bash .ci/postgres.sh
start)"` starts a throwaway server); the benchmark creates its own database there and drops it after.
SQLite: a file in a temporary directory (WAL, synchronous=FULL, busy timeout 30 s).

Each worker process waits at a barrier, then takes `--actions` actions, each on a problem picked at
random among `--problems` (all `in_progress`): mostly progress notes (进展), some racing state changes
(the handler resolves one that is in progress, the secretariat sends one back when it waits for
verification). Before each action it reads the problem's version and state and acts with that
`expected_version`, as a person working from a screen does. A loser gets a Conflict (exit code 5 on the
command line): the problem changed since it was read, or the action no longer fits its state.

Then it checks what must hold: every problem's version equals its number of events; each problem's
events are numbered 1..n with no gap and no duplicate; every hash chain verifies; successes + conflicts
equal attempts; the events written equal the successes and so do the versions gained (lost updates = 0).
`actions_per_s` counts attempts (committed or refused) per second of wall time from the barrier.
The process exits 1 when any of these checks fails.

Measured (2 cores; 8 × 500 on 6 problems; PostgreSQL 15 with default durability; the whole JSON is in
benchmarks/concurrency_results.json): SQLite 324 attempts/s, 3,764 committed, 236 conflicts;
PostgreSQL 363 attempts/s, 1,933 committed, 2,067 conflicts; on both 0 lost updates, 0 duplicate
events, 0 unexpected errors, every chain valid.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import queue
import random
import re
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the `benchmarks` package (shared helpers) importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NOW = datetime(2024, 6, 4, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in the district
SECRETARIAT, SPECIALIST, HANDLER, LEADER = "wang_mishu", "li_zhuanyuan", "zhao_jingban", "chen_fuquzhang"
ADMIN = "admin"
TRANSITION_SHARE = 0.2


# ---- the district -------------------------------------------------------------------------------


def seed_district(url: str, problems: int) -> list[str]:
    """A district with `problems` problems, all assigned to 自然资源和规划局 and in progress."""
    from coordination.db import create_schema, make_engine
    from coordination.domain.enums import Action, Difficulty, ProjectLevel, Role, UnitKind
    from coordination.domain.problem import ActionInput
    from coordination.services import directory, issues
    from coordination.services.common import SYSTEM_HANDLE, Caller
    from coordination.uow import UnitOfWork

    engine = make_engine(url)
    try:
        create_schema(engine)

        def uow() -> UnitOfWork:
            return UnitOfWork(engine)

        def as_(handle: str) -> Caller:
            return Caller(handle, NOW, "bench")

        directory.bootstrap(uow(), caller=as_(SYSTEM_HANDLE), admin_handle=ADMIN, admin_name="管理员")
        for code, name, kind in (("FGJ", "区发展和改革局", UnitKind.DEPARTMENT),
                                 ("ZRZY", "区自然资源和规划局", UnitKind.DEPARTMENT),
                                 ("DQY", "东区电池材料产业园", UnitKind.LOCALITY)):
            directory.add_unit(uow(), caller=as_(ADMIN), code=code, name=name, kind=kind)
        for handle, name, unit, role in ((SECRETARIAT, "王秘书", "FGJ", Role.SECRETARIAT),
                                         (SPECIALIST, "李专员", "FGJ", Role.SPECIALIST),
                                         (HANDLER, "赵经办", "ZRZY", Role.HANDLER),
                                         (LEADER, "陈副区长", None, Role.LEADER)):
            directory.add_person(uow(), caller=as_(ADMIN), handle=handle, name=name, unit=unit, roles=[role])
        directory.add_project(uow(), caller=as_(ADMIN), code="P-001", name="东区电池材料产业园一期",
                              level=ProjectLevel.PROVINCIAL, locality="DQY", lead_unit="FGJ", leaders=[LEADER],
                              helpers=["ZRZY"], specialists=[SPECIALIST])
        ids = []
        for n in range(problems):
            view = issues.raise_problem(uow(), caller=as_(SPECIALIST), project="P-001",
                                        title=f"二期用地指标第{n + 1}批未落实", category="用地")
            issues.act(uow(), caller=as_(SECRETARIAT), problem_id=view.id, action=Action.ASSIGN,
                       inputs=ActionInput(unit="ZRZY", difficulty=Difficulty.A))
            issues.act(uow(), caller=as_(HANDLER), problem_id=view.id, action=Action.ACKNOWLEDGE)
            ids.append(view.id)
        return ids
    finally:
        engine.dispose()


# ---- one worker process -------------------------------------------------------------------------


def _shape(message: str) -> str:
    """A conflict message with its numbers taken out, to count the kinds of refusal."""
    return re.sub(r"\b\d+\b", "N", re.sub(r"Q-\d{4}-\d+", "Q-…", message))


def worker(index: int, url: str, problem_ids: list[str], actions: int, seed: int, barrier: Any,
           results: Any) -> None:
    """Take `actions` actions, each read-then-act with the version just read; report the outcomes."""
    from sqlalchemy import bindparam, select

    from coordination.db import make_engine
    from coordination.domain.enums import Action
    from coordination.domain.errors import Conflict, CoordError
    from coordination.domain.problem import ActionInput
    from coordination.models import Problem
    from coordination.services import issues
    from coordination.services.common import Caller
    from coordination.uow import UnitOfWork

    rng = random.Random(seed * 1000 + index)
    engine = make_engine(url)
    table = Problem.__table__  # type: ignore[attr-defined]
    read = select(table.c.state, table.c.version).where(table.c.id == bindparam("pid"))
    ok: Counter[str] = Counter()
    ok_by_problem: Counter[str] = Counter()
    conflicts: Counter[str] = Counter()
    errors: list[str] = []
    with engine.connect():  # the first connection before the barrier, so that all start together
        pass
    barrier.wait(timeout=120)
    started = time.perf_counter()
    for n in range(actions):
        problem_id = rng.choice(problem_ids)
        with engine.connect() as connection:
            state, version = connection.execute(read, {"pid": problem_id}).one()
        if rng.random() < TRANSITION_SHARE:
            if state == "in_progress":
                action, handle, reason = Action.RESOLVE, HANDLER, f"第{index}组第{n}次：指标已下达"
            else:
                action, handle, reason = Action.REJECT, SECRETARIAT, f"第{index}组第{n}次：批文未到，退回重办"
        else:
            action = Action.PROGRESS
            handle = rng.choice((HANDLER, SECRETARIAT))
            reason = f"第{index}组第{n}次进展：已与市局对接"
        try:
            issues.act(UnitOfWork(engine), caller=Caller(handle, NOW, f"worker-{index}"), problem_id=problem_id,
                       action=action, inputs=ActionInput(reason=reason), expected_version=version)
            ok[action.value] += 1
            ok_by_problem[problem_id] += 1
        except Conflict as exc:
            conflicts[_shape(exc.message("en"))] += 1
        except CoordError as exc:
            errors.append(f"{type(exc).__name__}: {exc.message('en')}")
        except Exception as exc:  # anything else is a failure the caller must see
            errors.append(f"unexpected {type(exc).__name__}: {exc}")
    seconds = time.perf_counter() - started
    engine.dispose()
    results.put({"worker": index, "attempts": actions, "ok": dict(ok), "ok_by_problem": dict(ok_by_problem),
                 "conflicts": dict(conflicts), "errors": errors, "seconds": seconds})


# ---- a run and its checks -----------------------------------------------------------------------


def run(url: str, *, workers: int, actions: int, problems: int, seed: int = 7) -> dict[str, Any]:
    """Seed a district at `url`, race `workers` processes over it, check it; the figures as a dict."""
    from coordination.db import make_engine

    problem_ids = seed_district(url, problems)
    engine = make_engine(url)
    try:
        before = _state(engine, problem_ids)
    finally:
        engine.dispose()
    context = mp.get_context("spawn")
    barrier = context.Barrier(workers + 1)
    results = context.Queue()
    processes = [context.Process(target=worker, args=(i, url, problem_ids, actions, seed, barrier, results),
                                 daemon=True) for i in range(workers)]
    for process in processes:
        process.start()
    outcomes: list[dict[str, Any]] = []
    try:
        barrier.wait(timeout=180)
        started = time.perf_counter()
        for _ in processes:
            outcomes.append(results.get(timeout=600))
        wall = time.perf_counter() - started
    except (queue.Empty, Exception) as exc:
        raise RuntimeError(f"a worker did not finish: {exc!r}") from exc
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    engine = make_engine(url)
    try:
        return _figures(engine, url, problem_ids, before, outcomes, wall, workers, actions)
    finally:
        engine.dispose()


def _state(engine: Any, problem_ids: list[str]) -> dict[str, Any]:
    from sqlalchemy import text

    with engine.connect() as connection:
        versions = dict(connection.execute(text("SELECT id, version FROM problem")).all())
        events = int(connection.execute(text("SELECT count(*) FROM audit_event")).scalar_one())
    return {"versions": {p: int(versions[p]) for p in problem_ids}, "events": events}


def _figures(engine: Any, url: str, problem_ids: list[str], before: dict[str, Any], outcomes: list[dict[str, Any]],
             wall: float, workers: int, actions: int) -> dict[str, Any]:
    from sqlalchemy import text

    from coordination.services import audit
    from coordination.uow import UnitOfWork

    after = _state(engine, problem_ids)
    with engine.connect() as connection:
        seqs: dict[str, list[int]] = {p: [] for p in problem_ids}
        for stream_id, seq in connection.execute(text(
                "SELECT stream_id, seq FROM audit_event WHERE stream_type = 'problem' ORDER BY stream_id, seq")):
            seqs.setdefault(stream_id, []).append(int(seq))
        duplicates = int(connection.execute(text(
            "SELECT count(*) FROM (SELECT stream_type, stream_id, seq FROM audit_event "
            "GROUP BY stream_type, stream_id, seq HAVING count(*) > 1) AS d")).scalar_one())
    chains = audit.verify_chains(UnitOfWork(engine, write=False))
    attempts = sum(o["attempts"] for o in outcomes)
    successes = sum(sum(o["ok"].values()) for o in outcomes)
    conflicts = sum(sum(o["conflicts"].values()) for o in outcomes)
    errors = [e for o in outcomes for e in o["errors"]]
    ok_by_problem: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    by_action: Counter[str] = Counter()
    for o in outcomes:
        ok_by_problem.update(o["ok_by_problem"])
        kinds.update(o["conflicts"])
        by_action.update(o["ok"])
    gained = {p: after["versions"][p] - before["versions"][p] for p in problem_ids}
    return {
        "backend": engine.dialect.name,
        "workers": workers,
        "actions_per_worker": actions,
        "problems": len(problem_ids),
        "attempts": attempts,
        "committed": successes,
        "conflicts": conflicts,
        "errors": len(errors),
        "error_samples": errors[:5],
        "seconds": round(wall, 3),
        "actions_per_s": round(attempts / wall, 1),
        "committed_per_s": round(successes / wall, 1),
        "committed_by_action": dict(by_action),
        "conflict_kinds": dict(kinds.most_common()),
        "lost_updates": successes - sum(gained.values()),
        "lost_updates_by_problem": {p: ok_by_problem[p] - gained[p] for p in problem_ids
                                    if ok_by_problem[p] != gained[p]},
        "events_written": after["events"] - before["events"],
        "duplicate_events": duplicates,
        "version_equals_events": all(after["versions"][p] == len(seqs[p]) for p in problem_ids),
        "seq_without_gaps": all(seqs[p] == list(range(1, len(seqs[p]) + 1)) for p in problem_ids),
        "chains_ok": chains.ok,
        "chain_events": chains.events,
        "accounted": attempts == successes + conflicts + len(errors),
    }


# ---- databases for the script -------------------------------------------------------------------


def _postgres_database(admin_url: str, name: str) -> str:
    from benchmarks.datasets import postgres_database

    return postgres_database(admin_url, name)


def _drop_postgres_database(admin_url: str, name: str) -> None:
    from benchmarks.datasets import drop_postgres_database

    drop_postgres_database(admin_url, name)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--actions", type=int, default=500, help="actions per worker")
    parser.add_argument("--problems", type=int, default=6)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default=os.environ.get("COORD_TEST_POSTGRES_URL"))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    figures: dict[str, Any] = {"cpus": os.cpu_count()}
    for backend in backends:
        if backend == "sqlite":
            with tempfile.TemporaryDirectory(prefix="coord-concurrency-") as scratch:
                url = f"sqlite:///{Path(scratch) / 'coord.sqlite3'}"
                figures["sqlite"] = run(url, workers=args.workers, actions=args.actions, problems=args.problems,
                                        seed=args.seed)
        else:
            if not args.postgres_url:
                parser.error("postgresql needs --postgres-url or COORD_TEST_POSTGRES_URL")
            name = f"coord_bench_{os.getpid()}"
            url = _postgres_database(args.postgres_url, name)
            try:
                figures["postgresql"] = run(url, workers=args.workers, actions=args.actions,
                                            problems=args.problems, seed=args.seed)
            finally:
                _drop_postgres_database(args.postgres_url, name)
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    bad = [b for b in backends if figures[b]["lost_updates"] or figures[b]["errors"] or not figures[b]["chains_ok"]
           or figures[b]["duplicate_events"] or not figures[b]["version_equals_events"]]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
