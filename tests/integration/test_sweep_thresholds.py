"""The sweep's date thresholds agree with the per-problem rules, on every day of a year with holidays."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from coordination.domain.enums import Level, Light, State
from coordination.domain.sweep import (
    SweepSettings,
    Thresholds,
    escalation_due,
    overdue_working_days,
    working_day_back,
)
from coordination.domain.workdays import WorkCalendar
from coordination.services.calendar import package_schedules

CALENDAR = WorkCalendar(package_schedules())
YEAR_2024 = [date(2024, 1, 1) + timedelta(days=n) for n in range(366)]


@pytest.mark.parametrize("month", range(1, 13))
def test_threshold_lights_match_the_working_days_left_on_every_day(month: int) -> None:
    for today in (d for d in YEAR_2024 if d.month == month):
        thresholds = Thresholds.on(today, CALENDAR)
        for offset in range(-15, 25):
            due = today + timedelta(days=offset)
            left = CALENDAR.working_days_between(today, due)
            expected = Light.RED if due < today else Light.YELLOW if left <= 3 else Light.GREEN
            assert thresholds.light(due) == expected, (today, due)
        assert thresholds.light(None) is None


@pytest.mark.parametrize("overdue_days", [1, 2, 10])
def test_escalate_before_marks_exactly_more_than_n_working_days_overdue(overdue_days: int) -> None:
    settings = SweepSettings(escalate_after_overdue_working_days=overdue_days)
    for today in YEAR_2024[::3]:
        thresholds = Thresholds.on(today, CALENDAR, settings)
        for offset in range(1, 40):
            due = today - timedelta(days=offset)
            expected = overdue_working_days(today, due, CALENDAR) > overdue_days
            assert (due < thresholds.escalate_before) == expected, (today, due)


def test_working_day_back_counts_today_when_it_is_a_working_day() -> None:
    assert working_day_back(CALENDAR, date(2024, 2, 18), 1) == date(2024, 2, 18)  # make-up Sunday
    assert working_day_back(CALENDAR, date(2024, 2, 18), 2) == date(2024, 2, 9)  # across the Spring Festival
    assert working_day_back(CALENDAR, date(2024, 10, 5), 1) == date(2024, 9, 30)  # National Day


def test_escalation_happens_once_per_deadline_and_only_while_a_unit_handles_it() -> None:
    today = date(2024, 7, 1)
    thresholds = Thresholds.on(today, CALENDAR)
    due = date(2024, 6, 3)
    common = {"level": 1, "due": due, "missed_deadlines": 1, "thresholds": thresholds}
    assert escalation_due(state=State.IN_PROGRESS, escalated_due=None, **common) == "overdue"
    assert escalation_due(state=State.IN_PROGRESS, escalated_due=due, **common) is None
    assert escalation_due(state=State.RESOLUTION_SUBMITTED, escalated_due=None, **common) is None
    assert escalation_due(state=State.ON_AGENDA, escalated_due=None, **{**common, "level": int(Level.L5)}) is None
