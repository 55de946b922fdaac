"""Reports never project the future: a running period is computed as of now and says so; a future one is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from coordination.domain.enums import Action
from coordination.domain.errors import InvalidInput
from coordination.domain.periods import Cadence, parse_period
from coordination.services import reports


def test_a_running_week_is_computed_as_of_now_and_labelled(district: Any) -> None:
    d = district
    pid = d.raise_problem()
    d.assign(pid)
    d.act(d.handler, pid, Action.ACKNOWLEDGE)
    now = d.now + timedelta(hours=1)  # Monday 2024-06-03 11:00 in the district
    week = parse_period(Cadence.WEEKLY, "2024-W23")
    data = reports.build(d.uow(), cadence=Cadence.WEEKLY, period=week, now=now).to_json()
    assert data["period"]["complete"] is False
    assert data["as_of"] == now.isoformat()
    assert "截至6月3日 11:00" in data["period"]["label"] and "as of 2024-06-03 11:00" in data["period"]["label_en"]
    assert data["period"]["last"] == "2024-06-09", "the period keeps its name and bounds"
    assert data["problems"]["totals"]["new"] == 1
    assert data["problems"]["totals"]["overdue"] == 0, "nothing is overdue today, whatever the week's end holds"


def test_a_period_that_has_not_begun_is_refused(district: Any) -> None:
    with pytest.raises(InvalidInput, match="尚未开始"):
        reports.build(district.uow(), cadence=Cadence.WEEKLY, period=parse_period(Cadence.WEEKLY, "2024-W24"),
                      now=district.now)
    with pytest.raises(InvalidInput, match="尚未开始"):
        reports.build(district.uow(), cadence=Cadence.ANNUAL, period=parse_period(Cadence.ANNUAL, "2025"),
                      now=district.now)


def test_a_finished_period_is_as_of_its_end(district: Any) -> None:
    week = parse_period(Cadence.WEEKLY, "2024-W22")
    data = reports.build(district.uow(), cadence=Cadence.WEEKLY, period=week, now=district.now).to_json()
    assert data["period"]["complete"] is True
    assert data["as_of"] == datetime(2024, 6, 2, 16, 0, tzinfo=UTC).isoformat()  # Monday 00:00 in the district
    assert "截至" not in data["period"]["label"]
