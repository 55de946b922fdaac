"""Random lives of a few indicators: whatever anyone records, retargets or retires, as months pass, the
events rebuild each row and its month figures, versions count the events, the latest figure is the one of
the latest month recorded, a light shows only while watched with a figure, and the chains hold."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
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
from coordination.domain.indicator_workflow import IndicatorState
from coordination.services import audit, indicators
from coordination.services.common import Caller
from coordination.uow import UnitOfWork

START = datetime(2024, 6, 3, 1, 30, tzinfo=UTC)  # Monday 3 June 2024, 09:30 in the district
HANDLES = ["admin", "wang_mishu", "li_zhuanyuan", "zhao_jingban", "qian_juzhang", "sun_jingban",
           "chen_fuquzhang", "zhou_quzhang", "system", "nobody"]
CODES = ["FAI", "srv", "Q-2024-0001", " "]
UNITS = [None, "ZRZY", "ZJJ", "NOPE"]
MONTHS = ["2024-01", "2024-03", "2024-05", "2024-06", "2024-08", "2023-12", "2024-13"]
VALUES = ["7.9", "8.5", "-2.25", "10", "6", "NaN", "1e3", "0.00001"]
TARGETS = [None, "8", "9.5", "x"]
REASONS = [None, " ", "市统计局调整统计口径"]


class IndicatorLives(RuleBasedStateMachine):
    template: Path  # a built district, set by the test before running the machine

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="coord-indicator-stateful-"))
        path = self.dir / "coord.sqlite3"
        shutil.copy(self.template, path)
        self.engine = make_engine(f"sqlite:///{path}")
        self.now = START
        self.codes: list[str] = []
        self.versions: dict[str, int] = {}

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.engine)

    def caller(self, handle: str) -> Caller:
        return Caller(handle, self.now, origin="hypothesis")

    def teardown(self) -> None:
        self.engine.dispose()
        shutil.rmtree(self.dir, ignore_errors=True)

    @initialize()
    def the_secretariat_adds_one(self) -> None:
        self.add("wang_mishu", "FAI", "ZRZY")
        assert self.codes == ["FAI"]

    @rule(handle=st.sampled_from(HANDLES), code=st.sampled_from(CODES), unit=st.sampled_from(UNITS))
    def add(self, handle: str, code: str, unit: str | None) -> None:
        try:
            view = indicators.add_indicator(self.uow(), caller=self.caller(handle), code=code, name="累计增速",
                                            measure="%", target="8.5", lead_unit=unit)
        except CoordError as exc:
            event(f"add refused: {type(exc).__name__}")
            return
        assert view.state is IndicatorState.ACTIVE and view.light is None and view.code not in self.codes
        self.codes.append(view.code)
        self.versions[view.code] = 1

    def _changed(self, code: str, version: int) -> None:
        assert version == self.versions[code] + 1
        self.versions[code] = version

    @precondition(lambda self: bool(self.codes))
    @rule(data=st.data(), handle=st.sampled_from(HANDLES), month=st.sampled_from(MONTHS),
          value=st.sampled_from(VALUES), stale=st.booleans())
    def record(self, data: st.DataObject, handle: str, month: str, value: str, stale: bool) -> None:
        code = data.draw(st.sampled_from(self.codes), label="indicator")
        expected = self.versions[code] - 1 if stale else None
        try:
            view = indicators.record_value(self.uow(), caller=self.caller(handle), code=code.lower(), month=month,
                                           value=value, expected_version=expected)
        except CoordError as exc:
            event(f"record refused: {type(exc).__name__}")
            return
        event("recorded")
        assert not stale and view.state is IndicatorState.ACTIVE and view.light is not None
        self._changed(code, view.record["version"])

    @precondition(lambda self: bool(self.codes))
    @rule(data=st.data(), handle=st.sampled_from(HANDLES), new_target=st.sampled_from(TARGETS),
          reason=st.sampled_from(REASONS), retire=st.booleans())
    def adjust_or_retire(self, data: st.DataObject, handle: str, new_target: str | None, reason: str | None,
                         retire: bool) -> None:
        code = data.draw(st.sampled_from(self.codes), label="indicator")
        try:
            if retire:
                view = indicators.retire(self.uow(), caller=self.caller(handle), code=code, reason=reason)
            else:
                view = indicators.retarget(self.uow(), caller=self.caller(handle), code=code, target=new_target,
                                           reason=reason)
        except CoordError as exc:
            event(f"{'retire' if retire else 'retarget'} refused: {type(exc).__name__}")
            return
        event("retired" if retire else "retargeted")
        self._changed(code, view.record["version"])

    @rule(days=st.integers(min_value=0, max_value=70))
    def time_passes(self, days: int) -> None:
        self.now += timedelta(days=days)

    @invariant()
    def replay_rebuilds_rows_and_figures_and_versions_count_events(self) -> None:
        with self.engine.connect() as conn:
            for code in self.codes:
                replayed, stored = indicators.replayed_indicator(self.uow(), code=code)
                assert replayed == stored, code
                values_replayed, values_stored = indicators.replayed_values(self.uow(), code=code)
                assert values_replayed == values_stored, code
                events = conn.execute(text(
                    "SELECT count(*) FROM audit_event WHERE stream_type = 'indicator' AND stream_id = :c"),
                    {"c": code}).scalar_one()
                assert stored["version"] == events == self.versions[code]
                latest = max(values_stored, default=None)
                assert stored["latest_month"] == latest
                assert stored["latest_value"] == (values_stored[latest]["value"] if latest else None)

    @invariant()
    def lights_only_while_watched_with_a_figure(self) -> None:
        for view in indicators.list_indicators(self.uow()):
            watched = view.state is IndicatorState.ACTIVE and view.record["latest_value"] is not None
            assert (view.light is not None) == watched

    @invariant()
    def chains_hold(self) -> None:
        report = audit.verify_chains(self.uow())
        assert report.ok, report


def test_random_indicator_lives_keep_replay_versions_and_chains_consistent(
    district_factory: Callable[..., Any], tmp_path: Path
) -> None:
    template = district_factory(tmp_path / "template.sqlite3", START)
    template.engine.dispose()
    IndicatorLives.template = template.path
    run_state_machine_as_test(
        IndicatorLives,
        settings=settings(max_examples=30, stateful_step_count=25, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]),
    )
    assert template.path.exists()  # the template is copied, never written
