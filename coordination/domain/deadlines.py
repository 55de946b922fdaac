"""Due dates from difficulty, and the traffic light of a deadline."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from coordination.domain.enums import Difficulty, Light
from coordination.domain.workdays import DueDate, WorkCalendar

DEFAULT_DIFFICULTY_DAYS: Mapping[Difficulty, int] = {
    Difficulty.A: 30,
    Difficulty.B: 15,
    Difficulty.C: 5,
}
YELLOW_WITHIN_WORKING_DAYS = 3


def due_for(
    difficulty: Difficulty,
    assigned_on: date,
    calendar: WorkCalendar,
    days: Mapping[Difficulty, int] = DEFAULT_DIFFICULTY_DAYS,
) -> DueDate:
    return calendar.add_working_days(assigned_on, days[difficulty])


def light_for(today: date, due: date | None, calendar: WorkCalendar) -> Light:
    """Green; yellow with 3 or fewer working days left; red once the due date has passed."""
    if due is None:
        return Light.GREEN
    if today > due:
        return Light.RED
    if calendar.working_days_between(today, due) <= YELLOW_WITHIN_WORKING_DAYS:
        return Light.YELLOW
    return Light.GREEN
