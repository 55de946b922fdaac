"""Random lives of a few filings: whatever anyone tries, as time passes, the events rebuild each row,
versions count the events, a finished filing has no light and the chains hold."""

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
from coordination.domain.filing_workflow import FilingAction, FilingState
from coordination.services import audit, filings
from coordination.services.common import Caller
from coordination.uow import UnitOfWork

START = datetime(2024, 6, 3, 1, 30, tzinfo=UTC)  # Monday 3 June 2024, 09:30 in the district
HANDLES = ["admin", "wang_mishu", "li_zhuanyuan", "zhao_jingban", "qian_juzhang", "sun_jingban",
           "chen_fuquzhang", "zhou_quzhang", "system", "nobody"]
NAMES = ["年产5万吨锂电池隔膜项目", "分布式光伏发电项目", " "]
UNITS = [None, "ZRZY", "ZJJ", "FGJ", "NOPE"]
REASONS = [None, "", "  ", "备案信息与营业执照不一致"]


class FilingLives(RuleBasedStateMachine):
    template: Path  # a built district, set by the test before running the machine

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="coord-filing-stateful-"))
        path = self.dir / "coord.sqlite3"
        shutil.copy(self.template, path)
        self.engine = make_engine(f"sqlite:///{path}")
        self.now = START
        self.ids: list[str] = []
        self.versions: dict[str, int] = {}

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.engine)

    def caller(self, handle: str) -> Caller:
        return Caller(handle, self.now, origin="hypothesis")

    def teardown(self) -> None:
        self.engine.dispose()
        shutil.rmtree(self.dir, ignore_errors=True)

    @initialize()
    def the_secretariat_receives_one(self) -> None:
        self.receive("wang_mishu", NAMES[0], "ZRZY")
        assert self.ids == ["B-2024-0001"]

    @precondition(lambda self: len(self.ids) < 4)
    @rule(handle=st.sampled_from(HANDLES), name=st.sampled_from(NAMES), unit=st.sampled_from(UNITS))
    def receive(self, handle: str, name: str, unit: str | None) -> None:
        try:
            view = filings.add_filing(self.uow(), caller=self.caller(handle), project_name=name,
                                      enterprise="东区新材料有限公司", unit=unit)
        except CoordError as exc:
            event(f"add refused: {type(exc).__name__}")
            return
        assert view.state is FilingState.RECEIVED and view.light is not None
        self.ids.append(view.id)
        self.versions[view.id] = 1

    @precondition(lambda self: bool(self.ids))
    @rule(data=st.data(), handle=st.sampled_from(HANDLES), action=st.sampled_from(list(FilingAction)),
          reason=st.sampled_from(REASONS), version_skew=st.sampled_from([None, None, 0, -1]))
    def anyone_tries_anything(self, data: st.DataObject, handle: str, action: FilingAction, reason: str | None,
                              version_skew: int | None) -> None:
        filing_id = data.draw(st.sampled_from(self.ids), label="filing")
        before = self.versions[filing_id]
        expected = None if version_skew is None else before + version_skew
        try:
            view = filings.act_on_filing(self.uow(), caller=self.caller(handle), filing_id=filing_id.lower(),
                                         action=action, reason=reason, expected_version=expected)
        except CoordError as exc:
            event(f"refused: {type(exc).__name__}")
            return
        event(f"{action.value} -> {view.state.value}")
        assert expected in (None, before) and view.record["version"] == before + 1
        assert view.light is None  # finished: no light
        self.versions[filing_id] = before + 1

    @rule(days=st.integers(min_value=0, max_value=12))
    def time_passes(self, days: int) -> None:
        self.now += timedelta(days=days)

    @invariant()
    def replay_rebuilds_every_row_and_versions_count_events(self) -> None:
        with self.engine.connect() as conn:
            for filing_id in self.ids:
                replayed, stored = filings.replayed_filing(self.uow(), filing_id=filing_id)
                assert replayed == stored, filing_id
                events = conn.execute(text(
                    "SELECT count(*) FROM audit_event WHERE stream_type = 'filing' AND stream_id = :id"),
                    {"id": filing_id}).scalar_one()
                assert stored["version"] == events == self.versions[filing_id]

    @invariant()
    def lights_only_while_received(self) -> None:
        for view in filings.list_filings(self.uow(), today=self.now.date()):
            assert (view.light is not None) == (view.state is FilingState.RECEIVED)

    @invariant()
    def chains_hold(self) -> None:
        report = audit.verify_chains(self.uow())
        assert report.ok, report


def test_random_filing_lives_keep_replay_versions_and_chains_consistent(
    district_factory: Callable[..., Any], tmp_path: Path
) -> None:
    template = district_factory(tmp_path / "template.sqlite3", START)
    template.engine.dispose()
    FilingLives.template = template.path
    run_state_machine_as_test(
        FilingLives,
        settings=settings(max_examples=30, stateful_step_count=25, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]),
    )
    assert template.path.exists()  # the template is copied, never written
