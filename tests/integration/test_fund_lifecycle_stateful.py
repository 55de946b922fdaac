"""Random lives of a few fund applications: whatever anyone tries, with whatever inputs, as time passes, each
success is a move the transition table allows, each refusal changes nothing, the events rebuild each row,
versions count the events, stage days never run backwards and the chains hold."""

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
from coordination.domain.fund import StageInput
from coordination.domain.fund_workflow import FUND_TRANSITIONS, FundAction, FundSource, FundState, FundType
from coordination.services import audit, funds
from coordination.services.common import Caller
from coordination.uow import UnitOfWork

START = datetime(2024, 6, 3, 1, 30, tzinfo=UTC)  # Monday 3 June 2024, 09:30 in the district
HANDLES = ["admin", "wang_mishu", "li_zhuanyuan", "zhao_jingban", "qian_juzhang", "sun_jingban",
           "chen_fuquzhang", "zhou_quzhang", "system", "nobody"]
CODES = ["2024-01", "zj-2024-02", "2024-03", "资金", "2024-01"]  # an invalid one, and a repeat
UNITS = [None, "ZRZY", "ZJJ", "NOPE"]
PROJECTS = [None, "DQ-2024-007", "不存在的项目"]
# Weighted towards what works, so that lives get past their first stages; every kind of wrong input stays.
ACTORS = ["wang_mishu"] * 6 + ["zhao_jingban"] * 3 + HANDLES
REASONS = ["未入选年度计划"] * 4 + [None, "", "  "]
AMOUNTS = [123_456_789] * 4 + [None, 0, 1, 10**13, 10**13 + 1]
EVALUATIONS = ["绩效良好"] * 3 + [None, " "]
DAY_OFFSETS = [None] * 5 + [0, -3, -400, 1]  # days from today (the stage's --on); 1 is in the future
NEXT = {FundState.RESERVE: FundAction.PREPARE, FundState.PREPARING: FundAction.APPLY,
        FundState.APPLYING: FundAction.GRANT, FundState.GRANTED: FundAction.EVALUATE}
_DAYS = ("added_on", "prepared_on", "applied_on", "granted_on", "evaluated_on", "closed_on")


class FundLives(RuleBasedStateMachine):
    template: Path  # a built district, set by the test before running the machine

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="coord-fund-stateful-"))
        path = self.dir / "coord.sqlite3"
        shutil.copy(self.template, path)
        self.engine = make_engine(f"sqlite:///{path}")
        self.now = START
        self.codes: list[str] = []
        self.versions: dict[str, int] = {}
        self.states: dict[str, FundState] = {}

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.engine)

    def caller(self, handle: str) -> Caller:
        return Caller(handle, self.now, origin="hypothesis")

    def teardown(self) -> None:
        self.engine.dispose()
        shutil.rmtree(self.dir, ignore_errors=True)

    @initialize()
    def the_secretariat_adds_one(self) -> None:
        self.add("wang_mishu", "2024-01", "ZRZY", None)
        assert self.codes == ["ZJ-2024-01"]

    @precondition(lambda self: len(self.codes) < 3)
    @rule(handle=st.sampled_from(HANDLES), code=st.sampled_from(CODES), unit=st.sampled_from(UNITS),
          project=st.sampled_from(PROJECTS))
    def add(self, handle: str, code: str, unit: str | None, project: str | None) -> None:
        try:
            view = funds.add_fund(self.uow(), caller=self.caller(handle), code=code, name="东区污水处理厂扩建",
                                  source=FundSource.CENTRAL, fund_type=FundType.BUDGET, project=project, unit=unit)
        except CoordError as exc:
            event(f"add refused: {type(exc).__name__}")
            return
        assert view.state is FundState.RESERVE and view.code not in self.codes
        self.codes.append(view.code)
        self.versions[view.code] = 1
        self.states[view.code] = FundState.RESERVE

    @precondition(lambda self: bool(self.codes))
    @rule(data=st.data(), handle=st.sampled_from(ACTORS), action=st.sampled_from(list(FundAction)),
          reason=st.sampled_from(REASONS), amount=st.sampled_from(AMOUNTS), evaluation=st.sampled_from(EVALUATIONS),
          offset=st.sampled_from(DAY_OFFSETS), version_skew=st.sampled_from([None, None, 0, -1]),
          stray=st.sampled_from([False] * 9 + [True]))
    def anyone_tries_anything(self, data: st.DataObject, handle: str, action: FundAction, reason: str | None,
                              amount: int | None, evaluation: str | None, offset: int | None,
                              version_skew: int | None, stray: bool) -> None:
        code = data.draw(st.sampled_from(self.codes), label="fund")
        before = self.versions[code]
        expected = None if version_skew is None else before + version_skew
        today = self.caller(handle).today
        on = None if offset is None else today + timedelta(days=offset)
        # Each command gives its own inputs; now and then one that belongs to another (`stray`).
        inputs = StageInput(on=on, amount_yuan=amount if stray or action is FundAction.GRANT else None,
                            evaluation=evaluation if stray or action is FundAction.EVALUATE else None,
                            reason=reason)
        try:
            view = funds.act_on_fund(self.uow(), caller=self.caller(handle), code=code.lower(), action=action,
                                     inputs=inputs, expected_version=expected)
        except CoordError as exc:
            event(f"refused: {type(exc).__name__}")
            return
        event(f"{action.value} -> {view.state.value}")
        rule_ = FUND_TRANSITIONS[action]
        assert self.states[code] in rule_.sources and view.state is rule_.target
        assert expected in (None, before) and view.record["version"] == before + 1
        if action is FundAction.GRANT:
            assert amount is not None and view.record["granted_yuan"] == amount and 0 < amount <= 10**13
        self.versions[code] = before + 1
        self.states[code] = view.state

    @precondition(lambda self: any(state in NEXT for state in self.states.values()))
    @rule(data=st.data())
    def the_next_stage_is_recorded(self, data: st.DataObject) -> None:
        """The secretariat records an application's next stage, rightly: never refused."""
        code = data.draw(st.sampled_from([c for c in self.codes if self.states[c] in NEXT]), label="fund")
        action = NEXT[self.states[code]]
        inputs = StageInput(amount_yuan=123_456_789 if action is FundAction.GRANT else None,
                            evaluation="绩效良好" if action is FundAction.EVALUATE else None)
        view = funds.act_on_fund(self.uow(), caller=self.caller("wang_mishu"), code=code, action=action,
                                 inputs=inputs, expected_version=self.versions[code])
        assert view.state is FUND_TRANSITIONS[action].target
        self.versions[code] += 1
        self.states[code] = view.state

    @rule(days=st.integers(min_value=0, max_value=40))
    def time_passes(self, days: int) -> None:
        self.now += timedelta(days=days)

    @invariant()
    def replay_rebuilds_every_row_and_versions_count_events(self) -> None:
        with self.engine.connect() as conn:
            for code in self.codes:
                replayed, stored = funds.replayed_fund(self.uow(), code=code)
                assert replayed == stored, code
                events = conn.execute(text(
                    "SELECT count(*) FROM audit_event WHERE stream_type = 'fund' AND stream_id = :c"),
                    {"c": code}).scalar_one()
                assert stored["version"] == events == self.versions[code]
                assert stored["state"] == self.states[code].value

    @invariant()
    def stage_days_run_forward_and_never_past_today(self) -> None:
        for view in funds.list_funds(self.uow()):
            days = [date.fromisoformat(view.record[name]) for name in _DAYS if view.record[name]]
            assert days == sorted(days) and days[-1] <= self.caller("wang_mishu").today

    @invariant()
    def chains_hold(self) -> None:
        report = audit.verify_chains(self.uow())
        assert report.ok, report


def test_random_fund_lives_keep_the_table_replay_versions_and_chains(
    district_factory: Callable[..., Any], tmp_path: Path
) -> None:
    template = district_factory(tmp_path / "template.sqlite3", START)
    template.engine.dispose()
    FundLives.template = template.path
    run_state_machine_as_test(
        FundLives,
        settings=settings(max_examples=30, stateful_step_count=25, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]),
    )
    assert template.path.exists()  # the template is copied, never written
