"""Random lives of a few upward reports: whatever anyone records or revokes, as time passes, the events
rebuild each row, versions count the events, numbers follow the year of the day reported without gaps,
the weekly counts are the recorded reports and the chains hold."""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
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
from coordination.domain.upward_report_workflow import UpwardReportState
from coordination.services import audit, upward_reports
from coordination.services.common import Caller
from coordination.uow import UnitOfWork

START = datetime(2024, 12, 23, 1, 30, tzinfo=UTC)  # Monday 23 December 2024, 09:30 in the district
HANDLES = ["admin", "wang_mishu", "li_zhuanyuan", "zhao_jingban", "qian_juzhang", "sun_jingban",
           "chen_fuquzhang", "zhou_quzhang", "system", "nobody"]
OFFICES = ["市发改委投资处", "省发改委重点项目处", " "]
UNITS = [None, "ZRZY", "ZJJ", "FGJ", "NOPE"]
REASONS = [None, "", "  ", "误登记，重复录入", "汇报日期填错"]
REVOKERS = [*HANDLES, "wang_mishu", "qian_juzhang", "wang_mishu", "qian_juzhang"]  # those who may, more often


class ReportLives(RuleBasedStateMachine):
    template: Path  # a built district, set by the test before running the machine

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="coord-upward-report-stateful-"))
        path = self.dir / "coord.sqlite3"
        shutil.copy(self.template, path)
        self.engine = make_engine(f"sqlite:///{path}")
        self.now = START
        self.days: dict[str, date] = {}  # number -> the day reported
        self.revoked: set[str] = set()
        self.versions: dict[str, int] = {}

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.engine)

    def caller(self, handle: str) -> Caller:
        return Caller(handle, self.now, origin="hypothesis")

    @property
    def today(self) -> date:
        return (self.now + timedelta(hours=8)).date()

    def teardown(self) -> None:
        self.engine.dispose()
        shutil.rmtree(self.dir, ignore_errors=True)

    @initialize()
    def the_secretariat_records_one(self) -> None:
        self.record("wang_mishu", OFFICES[0], "ZRZY", 0)
        assert list(self.days) == ["HB-2024-0001"]

    @precondition(lambda self: len(self.days) < 6)
    @rule(handle=st.sampled_from(HANDLES), office=st.sampled_from(OFFICES), unit=st.sampled_from(UNITS),
          days_ago=st.sampled_from([0, 1, 6, 30, -1]))
    def record(self, handle: str, office: str, unit: str | None, days_ago: int) -> None:
        day = self.today - timedelta(days=days_ago)
        try:
            view = upward_reports.add_upward_report(self.uow(), caller=self.caller(handle), to_office=office,
                                                    topic="重大项目推进情况", reported_on=day, unit=unit)
        except CoordError as exc:
            event(f"add refused: {type(exc).__name__}")
            return
        assert days_ago >= 0 and view.state is UpwardReportState.RECORDED
        same_year = sum(1 for d in self.days.values() if d.year == day.year)
        assert view.id == f"HB-{day.year}-{same_year + 1:04d}"  # no gap: a refusal takes no number
        self.days[view.id] = day
        self.versions[view.id] = 1

    @precondition(lambda self: bool(self.days))
    @rule(data=st.data(), handle=st.sampled_from(REVOKERS), reason=st.sampled_from(REASONS),
          version_skew=st.sampled_from([None, None, 0, -1]))
    def anyone_tries_to_revoke(self, data: st.DataObject, handle: str, reason: str | None,
                               version_skew: int | None) -> None:
        report_id = data.draw(st.sampled_from(sorted(self.days)), label="report")
        before = self.versions[report_id]
        expected = None if version_skew is None else before + version_skew
        try:
            view = upward_reports.revoke_upward_report(self.uow(), caller=self.caller(handle),
                                                       report_id=report_id.lower(), reason=reason,
                                                       expected_version=expected)
        except CoordError as exc:
            event(f"revoke refused: {type(exc).__name__}")
            return
        event("revoked")
        assert report_id not in self.revoked and expected in (None, before)
        assert view.state is UpwardReportState.REVOKED and view.record["version"] == before + 1
        self.revoked.add(report_id)
        self.versions[report_id] = before + 1

    @rule(days=st.integers(min_value=0, max_value=9))
    def time_passes(self, days: int) -> None:
        self.now += timedelta(days=days)

    @invariant()
    def replay_rebuilds_every_row_and_versions_count_events(self) -> None:
        with self.engine.connect() as conn:
            for report_id in self.days:
                replayed, stored = upward_reports.replayed_upward_report(self.uow(), report_id=report_id)
                assert replayed == stored, report_id
                events = conn.execute(text(
                    "SELECT count(*) FROM audit_event WHERE stream_type = 'upward_report' AND stream_id = :id"),
                    {"id": report_id}).scalar_one()
                assert stored["version"] == events == self.versions[report_id]

    @invariant()
    def weeks_count_the_recorded_reports(self) -> None:
        for year in {d.year for d in self.days.values()}:
            counts = upward_reports.weekly_counts(self.uow(), year=year, until=self.today)
            kept = Counter(d for i, d in self.days.items() if d.year == year and i not in self.revoked)
            assert counts.total == sum(kept.values())
            listed = upward_reports.list_upward_reports(self.uow(), year=year)
            assert sorted(v.id for v in listed) == sorted(i for i, d in self.days.items()
                                                          if d.year == year and i not in self.revoked)

    @invariant()
    def chains_hold(self) -> None:
        report = audit.verify_chains(self.uow())
        assert report.ok, report


def test_random_upward_report_lives_keep_numbers_counts_and_chains_consistent(
    district_factory: Callable[..., Any], tmp_path: Path
) -> None:
    template = district_factory(tmp_path / "template.sqlite3", START)
    template.engine.dispose()
    ReportLives.template = template.path
    run_state_machine_as_test(
        ReportLives,
        settings=settings(max_examples=30, stateful_step_count=25, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]),
    )
    assert template.path.exists()  # the template is copied, never written
