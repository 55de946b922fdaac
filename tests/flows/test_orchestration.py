"""Runs an operator can read and trust, under Prefect's test harness: names from the date or period, the
sweep's summary artifact, small results, publications on the official calendar's working days, reports
with no setting made, and a red child making a red parent."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

from coordination.config import DISTRICT_TZ
from coordination.domain.enums import Action, Difficulty
from flows.cycle import coordination_cycle
from flows.reports import monthly_analysis, weekly_report
from flows.sweep import sweep
from tests.demo_builds import year_demo


def local(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=DISTRICT_TZ).astimezone(UTC)


def red_problems(d: Any, count: int, on: date) -> list[str]:
    ids = []
    for n in range(count):
        problem_id: str = d.raise_problem(title=f"用地指标未落实（第 {n + 1} 宗）", now=local(on))
        d.act(d.secretariat, problem_id, Action.ASSIGN, now=local(on), unit=d.solving_unit, difficulty=Difficulty.C)
        d.act(d.handler, problem_id, Action.ACKNOWLEDGE, now=local(on, 10))
        ids.append(problem_id)
    return ids


def test_a_sweep_run_is_named_by_its_day_returns_little_and_leaves_a_capped_summary_artifact(
    district: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = red_problems(district, 55, date(2024, 6, 3))
    monkeypatch.setenv("COORD_NOW", "2024-06-26T07:30:00+08:00")

    state = sweep(db=district.url, return_state=True)
    result = state.result()

    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
        summary = ArtifactFilter(key=ArtifactFilterKey(any_=["sweep-summary"]))
        [artifact] = [a for a in client.read_artifacts(artifact_filter=summary) if a.flow_run_id == run.id]
    assert run.name == "sweep-2024-06-26"
    # 55 lights turned red: the result carries the counts and 50 ids, the artifact 30 ids and how many more.
    assert result["lights"] == {"red": 55} and len(result["turned"]["red"]) == 50 and result["capped"]
    assert result["counts"]["reminders"] == 55 and len(result["reminders"]) == 50
    assert len(str(result)) < 10_000
    assert artifact.type == "markdown" and artifact.flow_run_id == run.id
    assert "| 转红灯 | 55 |" in artifact.data and ids[0] in artifact.data and "…另 25 个" in artifact.data
    assert ids[-1] not in artifact.data  # capped: the audit has them all


def test_the_fresh_demos_weekly_report_needs_no_setting_and_goes_to_the_data_directory(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
) -> None:
    demo = year_demo(tmp_path_factory)  # `coord demo` as built at 2026-11-30, nothing set since
    monkeypatch.setenv("COORD_HOME", str(demo / "home"))
    monkeypatch.setenv("COORD_NOW", "2026-11-30T10:00:00+08:00")

    state = weekly_report(db=f"sqlite:///{demo / 'demo.sqlite3'}", week="2026-W48", return_state=True)

    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
    assert state.is_completed() and run.name == "周汇报-2026-W48"
    assert sorted(p.name for p in (demo / "home" / "reports").iterdir()) == [
        "周汇报-2026-W48.docx", "周汇报-2026-W48.md", "周汇报-2026-W48.xlsx"]
    scheduled = weekly_report(db=f"sqlite:///{demo / 'demo.sqlite3'}")  # Monday: W48's day, published already
    assert (scheduled["period"], scheduled["published"], scheduled["reason"]) == (
        "2026-W48", False, "already published")


def test_the_monthly_analysis_waits_out_new_years_day_for_the_next_working_morning(
    district: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    # 2026: 1–3 January are the holiday and Sunday 4 January is a working day (调休).
    monkeypatch.setenv("COORD_HOME", str(tmp_path))
    outcomes = {}
    for day in ("2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04", "2026-01-05"):
        monkeypatch.setenv("COORD_NOW", f"{day}T09:00:00+08:00")
        outcomes[day] = monthly_analysis(db=district.url)

    assert {day: (o["period"], o["published"]) for day, o in outcomes.items()} == {
        "2026-01-01": ("2025-12", False), "2026-01-02": ("2025-12", False), "2026-01-03": ("2025-12", False),
        "2026-01-04": ("2025-12", True), "2026-01-05": ("2025-12", False)}
    assert outcomes["2026-01-05"]["reason"] == "already published"
    by_hand = monthly_analysis(db=district.url, month="2025-11")  # a period given by hand: at once
    assert by_hand["published"] and by_hand["period"] == "2025-11"


def test_a_failed_child_fails_the_parent_and_the_other_stages_still_run(
    district: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    red_problems(district, 1, date(2024, 6, 3))
    monkeypatch.setenv("COORD_NOW", "2024-06-12T07:30:00+08:00")

    state = coordination_cycle(db=district.url, delivery_retries=0, return_state=True)

    results = state.result(raise_on_failure=False)
    assert state.is_failed() and "deliver-notifications" in (state.message or "")
    assert results["sweep"]["lights"] == {"red": 1} and results["delivery"]["state"] == "FAILED"
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
    assert run.name == "coordination-cycle-2024-06-12" and run.state is not None and run.state.is_failed()
