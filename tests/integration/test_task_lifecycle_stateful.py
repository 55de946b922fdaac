"""Random lives of a few plan tasks: whatever anyone tries, and however often the sweep runs, the events
rebuild each task's row, versions count the events and the chains hold (the problem's machine is in
test_lifecycle_stateful.py)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import text

from coordination.db import make_engine
from coordination.domain.enums import Role
from coordination.domain.errors import CoordError
from coordination.domain.task import TaskInput
from coordination.domain.task_workflow import TASK_ACTIONS, TASK_TRANSITIONS, TaskAction, TaskState
from coordination.services import audit, sweep, tasks
from coordination.services.common import Caller
from coordination.uow import UnitOfWork

START = datetime(2024, 6, 3, 1, 30, tzinfo=UTC)  # Monday 3 June 2024, 09:30 in the district
HANDLES = ["admin", "wang_mishu", "li_zhuanyuan", "zhao_jingban", "qian_juzhang", "sun_jingban",
           "chen_fuquzhang", "zhou_quzhang", "system", "nobody"]
TITLES = ["完成国土空间总体规划报批", "推进老旧小区改造", "建立民间投资项目库", "   "]
REASONS = [None, "", "  ", "已报省厅审查", "佐证材料不全，退回补充", "省厅审查时间延后"]
UNITS = ["ZRZY", "ZJJ", "DQY", "FGJ", "NOPE"]
CO_UNITS: list[tuple[str, ...] | None] = [None, (), ("DQY",), ("ZJJ",), ("ZRZY",), ("NOPE",)]
# Everyone holding a role of the table (a task led by ZRZY or ZJJ is in one of the handlers' reach).
ENTITLED: dict[Role, list[str]] = {
    Role.SECRETARIAT: ["wang_mishu"], Role.HANDLER: ["zhao_jingban", "sun_jingban"],
    Role.UNIT_HEAD: ["qian_juzhang"],
}


class TaskLives(RuleBasedStateMachine):
    template: Path  # a built district with a plan, set by the test before running the machine

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="coord-task-stateful-"))
        path = self.dir / "coord.sqlite3"
        shutil.copy(self.template, path)
        self.engine = make_engine(f"sqlite:///{path}")
        self.now = START
        self.ids: list[str] = []
        self.versions: dict[str, int] = {}

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.engine)

    def caller(self, handle: str, *, scheduled: bool = False) -> Caller:
        return Caller(handle, self.now, origin="hypothesis", scheduled=scheduled)

    def teardown(self) -> None:
        self.engine.dispose()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _state(self, task_id: str) -> TaskState:
        with self.engine.connect() as conn:
            return TaskState(conn.execute(text("SELECT state FROM task WHERE id = :id"), {"id": task_id})
                             .scalar_one())

    def _act(self, task_id: str, action: TaskAction, handle: str, inputs: TaskInput,
             expected_version: int | None = None) -> None:
        before = self.versions[task_id]
        try:
            view = tasks.act_on_task(self.uow(), caller=self.caller(handle), task_id=task_id, action=action,
                                     inputs=inputs, expected_version=expected_version)
        except CoordError as exc:
            event(f"refused: {type(exc).__name__}")
            return
        event(f"{action.value} -> {view.state.value}")
        assert expected_version in (None, before), "a stale expected_version must never be applied"
        assert view.version == before + 1
        self.versions[task_id] = view.version

    # ---- rules ------------------------------------------------------------------------------

    @initialize(title=st.sampled_from(TITLES[:3]), co_units=st.sampled_from([(), ("DQY",)]))
    def the_secretariat_decomposes_a_task(self, title: str, co_units: tuple[str, ...]) -> None:
        self.add_task("wang_mishu", title, "ZRZY", co_units, 90)
        assert self._state(self.ids[-1]) is TaskState.DECOMPOSED

    @precondition(lambda self: len(self.ids) < 4)
    @rule(handle=st.sampled_from(HANDLES), title=st.sampled_from(TITLES), unit=st.sampled_from(UNITS),
          co_units=st.sampled_from([(), ("DQY",), ("ZJJ",), ("ZRZY",)]),
          due_in=st.sampled_from([-1, 0, 1, 45, 90]))
    def add_task(self, handle: str, title: str, unit: str, co_units: tuple[str, ...], due_in: int) -> None:
        try:
            view = tasks.add_task(self.uow(), caller=self.caller(handle), plan="SSW-ZQ", title=title,
                                  lead_unit=unit, co_units=co_units, due=self.now.date() + timedelta(days=due_in))
        except CoordError:
            return
        assert view.state is TaskState.DECOMPOSED and view.version == 1
        self.ids.append(view.id)
        self.versions[view.id] = 1

    @precondition(lambda self: bool(self.ids))
    @rule(data=st.data(), reason=st.sampled_from(REASONS[3:]), due_in=st.sampled_from([None, 30, 120]),
          co_units=st.sampled_from(CO_UNITS[:4]), title=st.sampled_from([None, *TITLES[:3]]))
    def someone_entitled_acts(self, data: st.DataObject, reason: str, due_in: int | None,
                              co_units: tuple[str, ...] | None, title: str | None) -> None:
        """Mostly well-formed: an action the task's state allows, by a holder of a role it names."""
        task_id = data.draw(st.sampled_from(self.ids), label="task")
        state = self._state(task_id)
        possible = [a for a in TASK_ACTIONS if state in TASK_TRANSITIONS[a].sources] or list(TASK_ACTIONS)
        action = data.draw(st.sampled_from(possible), label="action")
        role = data.draw(st.sampled_from(sorted(TASK_TRANSITIONS[action].roles)), label="role")
        handle = data.draw(st.sampled_from(ENTITLED[role]), label="handle")
        due = None if due_in is None else self.now.date() + timedelta(days=due_in)
        self._act(task_id, action, handle, TaskInput(reason=reason, due=due, co_units=co_units, title=title))

    @precondition(lambda self: bool(self.ids))
    @rule(
        data=st.data(),
        action=st.sampled_from(list(TaskAction)),  # ADD included: act_on_task refuses it
        handle=st.sampled_from(HANDLES),
        reason=st.sampled_from(REASONS),
        due_in=st.sampled_from([None, -5, 0, 30]),
        co_units=st.sampled_from(CO_UNITS),
        title=st.sampled_from([None, *TITLES]),
        version_skew=st.sampled_from([None, 0, -1]),
    )
    def anyone_tries_anything(self, data: st.DataObject, action: TaskAction, handle: str, reason: str | None,
                              due_in: int | None, co_units: tuple[str, ...] | None, title: str | None,
                              version_skew: int | None) -> None:
        task_id = data.draw(st.sampled_from(self.ids), label="task")
        expected = None if version_skew is None else self.versions[task_id] + version_skew
        due = None if due_in is None else self.now.date() + timedelta(days=due_in)
        self._act(task_id, action, handle, TaskInput(reason=reason, due=due, co_units=co_units, title=title),
                  expected_version=expected)

    @rule(days=st.integers(min_value=0, max_value=20), hours=st.integers(min_value=0, max_value=23))
    def time_passes(self, days: int, hours: int) -> None:
        self.now += timedelta(days=days, hours=hours)

    @rule()
    def the_sweep_runs(self) -> None:
        result = sweep.sweep(self.uow(), caller=self.caller("system", scheduled=True))
        for task_id in result.task_reminders:
            event("reminded")
            self.versions[task_id] += 1

    # ---- invariants -------------------------------------------------------------------------

    @invariant()
    def replay_rebuilds_every_row(self) -> None:
        for task_id in self.ids:
            replayed, stored = tasks.replayed_task(self.uow(), task_id=task_id)
            assert replayed == stored, task_id

    @invariant()
    def versions_match_the_event_count_and_reminders_stay_a_month_apart(self) -> None:
        with self.engine.connect() as conn:
            for task_id in self.ids:
                version = conn.execute(text("SELECT version FROM task WHERE id = :id"), {"id": task_id}).scalar_one()
                events = conn.execute(text(
                    "SELECT count(*) FROM audit_event WHERE stream_type = 'task' AND stream_id = :id"),
                    {"id": task_id}).scalar_one()
                assert version == events == self.versions[task_id]
                reminded = [date.fromisoformat(str(day)[:10]) for day in conn.execute(text(
                    "SELECT at FROM audit_event WHERE stream_type = 'task' AND stream_id = :id AND action = 'remind' "
                    "ORDER BY seq"), {"id": task_id}).scalars()]
                assert all((b - a).days >= 29 for a, b in pairwise(reminded)), reminded

    @invariant()
    def chains_hold(self) -> None:
        report = audit.verify_chains(self.uow())
        assert report.ok, report


def test_random_task_lives_keep_replay_versions_and_chains_consistent(
    district_factory: Callable[..., Any], tmp_path: Path
) -> None:
    template = district_factory(tmp_path / "template.sqlite3", START)
    template.add_plan()
    template.engine.dispose()
    TaskLives.template = template.path
    run_state_machine_as_test(
        TaskLives,
        settings=settings(max_examples=30, stateful_step_count=30, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]),
    )
    assert template.path.exists()  # the template is copied, never written
