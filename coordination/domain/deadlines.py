"""Due dates from difficulty (the light of a deadline is in `lights`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from coordination.domain.enums import Difficulty
from coordination.domain.workdays import DueDate, WorkCalendar

DEFAULT_DIFFICULTY_DAYS: Mapping[Difficulty, int] = {
    Difficulty.A: 30,
    Difficulty.B: 15,
    Difficulty.C: 5,
}


def due_for(
    difficulty: Difficulty,
    assigned_on: date,
    calendar: WorkCalendar,
    days: Mapping[Difficulty, int] = DEFAULT_DIFFICULTY_DAYS,
) -> DueDate:
    return calendar.add_working_days(assigned_on, days[difficulty])

