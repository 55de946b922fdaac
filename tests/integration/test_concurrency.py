"""Two OS processes acting on one problem in one SQLite file at the same instant: one wins, one conflicts."""

from __future__ import annotations

import multiprocessing as mp
import queue
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from coordination.domain.enums import Action, Role
from coordination.services import audit

NOW = datetime(2024, 6, 3, 2, 0, tzinfo=UTC)
ROUNDS = 4


def _contender(tasks: Any, results: Any, barrier: Any) -> None:
    """A worker process: for each task, open the database, wait for the other one, act."""
    from coordination.db import make_engine
    from coordination.domain.errors import Conflict, CoordError
    from coordination.domain.problem import ActionInput
    from coordination.services import issues
    from coordination.services.common import Caller
    from coordination.uow import UnitOfWork

    engines: dict[str, Any] = {}
    while (task := tasks.get()) is not None:
        engine = engines.get(task["url"]) or engines.setdefault(task["url"], make_engine(task["url"]))
        with engine.connect():  # connect before the barrier so both start from the same line
            pass
        barrier.wait(timeout=30)
        try:
            view = issues.act(
                UnitOfWork(engine), caller=Caller(task["handle"], datetime.fromisoformat(task["now"])),
                problem_id=task["problem_id"], action=Action(task["action"]),
                inputs=ActionInput(reason=task.get("reason")), expected_version=task.get("expected_version"),
            )
            results.put((task["handle"], "ok", view.version))
        except CoordError as exc:
            # A stale version is a conflict too (the server answers it with 412 rather than 409).
            kind = "Conflict" if isinstance(exc, Conflict) else type(exc).__name__
            results.put((task["handle"], kind, exc.message("en")))
        except Exception as exc:  # anything else is a failure the test must see
            results.put((task["handle"], f"unexpected {type(exc).__name__}", str(exc)))
    for engine in engines.values():
        engine.dispose()


class Pair:
    """Two long-lived spawned processes that start each task together at a barrier."""

    def __init__(self) -> None:
        ctx = mp.get_context("spawn")
        self.results = ctx.Queue()
        self.barrier = ctx.Barrier(2)
        self.tasks = [ctx.Queue(), ctx.Queue()]
        self.procs = [ctx.Process(target=_contender, args=(q, self.results, self.barrier), daemon=True)
                      for q in self.tasks]
        for proc in self.procs:
            proc.start()

    def race(self, first: dict[str, Any], second: dict[str, Any]) -> list[tuple[str, str, Any]]:
        for q, task in zip(self.tasks, (first, second), strict=True):
            q.put(task)
        try:
            return [self.results.get(timeout=60) for _ in range(2)]
        except queue.Empty:
            pytest.fail("a contender did not answer within 60 s")

    def close(self) -> None:
        for q in self.tasks:
            q.put(None)
        for proc in self.procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    contenders = Pair()
    yield contenders
    contenders.close()


def _task(district: Any, handle: str, problem_id: str, action: Action, **extra: Any) -> dict[str, Any]:
    return {"url": district.url, "handle": handle, "now": NOW.isoformat(),
            "problem_id": problem_id, "action": action.value, **extra}


def _one_wins(outcomes: list[tuple[str, str, Any]]) -> tuple[str, str]:
    kinds = sorted(kind for _, kind, _ in outcomes)
    assert kinds == ["Conflict", "ok"], outcomes
    winner = next(h for h, kind, _ in outcomes if kind == "ok")
    loser_message = next(m for _, kind, m in outcomes if kind == "Conflict")
    return winner, loser_message


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_handler_and_unit_head_acknowledge_at_once_and_only_one_signs(pair: Pair, district: Any,
                                                                       round_: int) -> None:
    problem_id = district.raise_problem(title=f"第{round_ + 1}批次用地报批材料退回补正", now=NOW)
    district.assign(problem_id, now=NOW)
    events = district.audit_count()
    outcomes = pair.race(_task(district, district.handler, problem_id, Action.ACKNOWLEDGE),
                         _task(district, district.unit_head, problem_id, Action.ACKNOWLEDGE))
    winner, message = _one_wins(outcomes)
    assert "while in progress" in message or "busy" in message
    assert district.audit_count() == events + 1
    row = district.problem_row(problem_id)
    assert (row["state"], row["version"]) == ("in_progress", 3)
    assert district.events(problem_id)[-1]["actor"] == winner
    assert audit.verify_chains(district.uow()).ok


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_secretariat_and_specialist_verify_at_once_and_only_one_strikes_off(pair: Pair, district: Any,
                                                                           round_: int) -> None:
    problem_id = district.raise_problem(title=f"10千伏临时用电第{round_ + 1}回路未接通", category="配套", now=NOW)
    district.assign(problem_id, now=NOW)
    district.act(district.handler, problem_id, Action.ACKNOWLEDGE, now=NOW)
    district.act(district.handler, problem_id, Action.RESOLVE, reason="供电公司已送电", now=NOW)
    events = district.audit_count()
    outcomes = pair.race(_task(district, district.secretariat, problem_id, Action.VERIFY),
                         _task(district, district.specialist, problem_id, Action.VERIFY))
    winner, _ = _one_wins(outcomes)
    assert district.audit_count() == events + 1
    assert district.problem_row(problem_id)["state"] == "closed"
    assert [e["action"] for e in district.events(problem_id)].count("verify") == 1
    assert district.events(problem_id)[-1]["actor"] == winner
    assert audit.verify_chains(district.uow()).ok


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_progress_notes_written_against_the_same_version_only_one_lands(pair: Pair, district: Any,
                                                                            round_: int) -> None:
    problem_id = district.raise_problem(title="园区污水管网接驳方案未定", category="配套", now=NOW)
    seen = district.assign(problem_id, now=NOW).version
    events = district.audit_count()
    outcomes = pair.race(
        _task(district, district.by_role(Role.HANDLER), problem_id, Action.PROGRESS, expected_version=seen,
              reason="已与水务集团对接，管网走向初定"),
        _task(district, district.by_role(Role.SECRETARIAT), problem_id, Action.PROGRESS, expected_version=seen,
              reason=f"第{round_ + 1}次专班调度：要求本周内明确方案"),
    )
    winner, message = _one_wins(outcomes)
    assert f"you saw {seen}" in message or "busy" in message or "changed" in message
    assert district.audit_count() == events + 1
    assert district.problem_row(problem_id)["version"] == seen + 1
    assert district.events(problem_id)[-1]["actor"] == winner
    replayed = district.events(problem_id)
    assert [e["seq"] for e in replayed] == list(range(1, seen + 2))
    assert audit.verify_chains(district.uow()).ok


def test_without_expected_version_both_progress_notes_land_in_order(pair: Pair, district: Any) -> None:
    # Progress notes do not change the state: two at once are both kept, one after the other.
    problem_id = district.raise_problem(title="园区道路红线调整", category="规划", now=NOW)
    district.assign(problem_id, now=NOW)
    events = district.audit_count()
    outcomes = pair.race(
        _task(district, district.handler, problem_id, Action.PROGRESS, reason="红线调整方案已报规委会"),
        _task(district, district.secretariat, problem_id, Action.PROGRESS, reason="专班已督促规委会上会"),
    )
    assert sorted(kind for _, kind, _ in outcomes) == ["ok", "ok"], outcomes
    assert sorted(v for _, _, v in outcomes) == [3, 4]
    assert district.audit_count() == events + 2
    assert audit.verify_chains(district.uow()).ok
