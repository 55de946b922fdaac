"""Random lives of a few special plans: whatever anyone tries, the events rebuild each row, versions count
the events, stage days never go backwards and the chains hold (the task's machine is in
test_task_lifecycle_stateful.py)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
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
from coordination.domain.errors import CoordError
from coordination.domain.special_plan_workflow import SpecialPlanAction, SpecialPlanState
from coordination.services import audit, special_plans
from coordination.services.common import Caller
from coordination.uow import UnitOfWork

START = datetime(2024, 6, 3, 1, 30, tzinfo=UTC)  # Monday 3 June 2024, 09:30 in the district
HANDLES = ["admin", "wang_mishu", "li_zhuanyuan", "zhao_jingban", "qian_juzhang", "chen_fuquzhang",
           "zhou_quzhang", "system", "nobody"]
CODES = ["JT", "zx-jy", "SL", "  "]
NAMES = ["综合交通专项规划", "教育设施布局专项规划", "水利发展专项规划", " "]
UNITS = ["ZRZY", "FGJ", "ZJJ", "NOPE"]
DOCUMENTS = [None, "", "  ", "专家评审意见", "区政府第 12 次常务会议", "关于印发的通知"]
ACTIONS: list[SpecialPlanAction | None] = [None, *SpecialPlanAction]  # None: the next stage; ADD is refused


class SpecialPlanLives(RuleBasedStateMachine):
    template: Path  # a built district, set by the test before running the machine

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="coord-special-plan-stateful-"))
        path = self.dir / "coord.sqlite3"
        shutil.copy(self.template, path)
        self.engine = make_engine(f"sqlite:///{path}")
        self.now = START
        self.codes: list[str] = []
        self.versions: dict[str, int] = {}

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.engine)

    def teardown(self) -> None:
        self.engine.dispose()
        shutil.rmtree(self.dir, ignore_errors=True)

    @initialize()
    def the_secretariat_adds_one(self) -> None:
        self.add("wang_mishu", "JT", NAMES[0], "ZRZY")
        assert self.codes == ["ZX-JT"]

    @precondition(lambda self: len(self.codes) < 3)
    @rule(handle=st.sampled_from(HANDLES), code=st.sampled_from(CODES), name=st.sampled_from(NAMES),
          unit=st.sampled_from(UNITS))
    def add(self, handle: str, code: str, name: str, unit: str) -> None:
        try:
            view = special_plans.add_special_plan(self.uow(), caller=Caller(handle, self.now, origin="hypothesis"),
                                                  code=code, name=name, lead_unit=unit)
        except CoordError as exc:
            event(f"add refused: {type(exc).__name__}")
            return
        assert view.state is SpecialPlanState.DRAFTING and view.code not in self.codes
        self.codes.append(view.code)
        self.versions[view.code] = 1

    @precondition(lambda self: bool(self.codes))
    @rule(data=st.data(), handle=st.sampled_from(HANDLES), action=st.sampled_from(ACTIONS),
          document=st.sampled_from(DOCUMENTS), days_ago=st.sampled_from([None, -1, 0, 3, 400]),
          version_skew=st.sampled_from([None, None, 0, -1]))
    def anyone_records_a_stage(self, data: st.DataObject, handle: str, action: SpecialPlanAction | None,
                               document: str | None, days_ago: int | None, version_skew: int | None) -> None:
        code = data.draw(st.sampled_from(self.codes), label="plan")
        before = self.versions[code]
        on = None if days_ago is None else self.now.date() - timedelta(days=days_ago)
        expected = None if version_skew is None else before + version_skew
        try:
            view = special_plans.act_on_special_plan(
                self.uow(), caller=Caller(handle, self.now, origin="hypothesis"), code=code.lower(),
                action=action, document=document, on=on, expected_version=expected)
        except CoordError as exc:
            event(f"refused: {type(exc).__name__}")
            return
        event(f"-> {view.state.value}")
        assert expected in (None, before), "a stale expected_version must never be applied"
        assert view.record["version"] == before + 1
        self.versions[code] = before + 1

    @rule(days=st.integers(min_value=0, max_value=60))
    def time_passes(self, days: int) -> None:
        self.now += timedelta(days=days)

    @invariant()
    def replay_rebuilds_every_row_and_versions_count_events(self) -> None:
        with self.engine.connect() as conn:
            for code in self.codes:
                replayed, stored = special_plans.replayed_special_plan(self.uow(), code=code)
                assert replayed == stored, code
                events = conn.execute(text(
                    "SELECT count(*) FROM audit_event WHERE stream_type = 'special_plan' AND stream_id = :c"),
                    {"c": code}).scalar_one()
                assert stored["version"] == events == self.versions[code]
                days = [stored[k] for k in ("added_on", "reviewed_on", "deliberated_on", "issued_on")]
                passed = [date.fromisoformat(d) for d in days if d is not None]
                assert passed == sorted(passed) and len(passed) == events, stored

    @invariant()
    def chains_hold(self) -> None:
        report = audit.verify_chains(self.uow())
        assert report.ok, report


def test_random_special_plan_lives_keep_replay_versions_and_chains_consistent(
    district_factory: Callable[..., Any], tmp_path: Path
) -> None:
    template = district_factory(tmp_path / "template.sqlite3", START)
    template.engine.dispose()
    SpecialPlanLives.template = template.path
    run_state_machine_as_test(
        SpecialPlanLives,
        settings=settings(max_examples=30, stateful_step_count=25, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]),
    )
    assert template.path.exists()  # the template is copied, never written
