"""The traffic light of a problem's deadline: the one rule every read path and the sweep use.

green   more than 3 working days left
yellow  3 or fewer working days left (the due date itself is still yellow)
red     the due date has passed
none    no due date, or the problem is finished

The rule is turned into two dates computed once per day, so that a problem's light only depends on
how its due date compares with them: in Python (`LightThresholds.light`) and in SQL (the services'
light expression over the same two dates).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from coordination.domain.enums import FINISHED_STATES, Light, State
from coordination.domain.workdays import WorkCalendar

YELLOW_WITHIN_WORKING_DAYS = 3


@dataclass(frozen=True)
class LightThresholds:
    """The dates that decide every light on `today`.

    red     when due <  red_before           (red_before is today)
    yellow  when due <  yellow_before        (the 4th working day after today)
    green   otherwise
    """

    red_before: date
    yellow_before: date

    @classmethod
    def on(cls, today: date, calendar: WorkCalendar) -> LightThresholds:
        # working_days_between(today, due) <= 3  <=>  due comes before the 4th working day after today
        fourth = calendar.add_working_days(today, YELLOW_WITHIN_WORKING_DAYS + 1).day
        return cls(red_before=today, yellow_before=fourth)

    def light(self, due: date | None, state: State | str | None = None) -> Light | None:
        """The light of a problem due on `due` (in `state`, when known) on the thresholds' day."""
        if due is None or (state is not None and State(state) in FINISHED_STATES):
            return None
        if due < self.red_before:
            return Light.RED
        if due < self.yellow_before:
            return Light.YELLOW
        return Light.GREEN
