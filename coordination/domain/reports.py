"""Report arithmetic: the figures of DESIGN.md section 7, computed from plain facts."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from coordination.domain.enums import FINISHED_STATES, OPEN_STATES, Light
from coordination.domain.workdays import WorkCalendar

OPEN_VALUES = frozenset(s.value for s in OPEN_STATES)
FINISHED_VALUES = frozenset(s.value for s in FINISHED_STATES)


def rate(numerator: int, denominator: int) -> float | None:
    """A share rounded to 4 places; None when there is nothing to divide by."""
    return round(numerator / denominator, 4) if denominator else None


@dataclass
class Tally:
    """The counts behind the problem figures of one period, for one slice (all, a unit, a level …)."""

    new: int = 0
    closed: int = 0
    closed_on_time: int = 0
    in_hand_start: int = 0
    in_hand_end: int = 0
    overdue: int = 0
    escalations: int = 0
    escalated_problems: int = 0
    reopened: int = 0

    @property
    def closure_rate(self) -> float | None:
        """办结率: closed in P ÷ (in hand at the start of P + new in P)."""
        return rate(self.closed, self.in_hand_start + self.new)

    @property
    def on_time_rate(self) -> float | None:
        """按时办结率: of those closed in P, resolved on or before their due date at that moment."""
        return rate(self.closed_on_time, self.closed)

    def to_json(self) -> dict[str, int | float | None]:
        return {
            "new": self.new, "closed": self.closed, "closed_on_time": self.closed_on_time,
            "in_hand_start": self.in_hand_start, "in_hand_end": self.in_hand_end, "overdue": self.overdue,
            "escalations": self.escalations, "escalated_problems": self.escalated_problems,
            "reopened": self.reopened, "closure_rate": self.closure_rate, "on_time_rate": self.on_time_rate,
        }


@dataclass(frozen=True)
class Durations:
    """平均办结用时: working days from raise to strike-off, over the problems closed in P."""

    days: Sequence[int] = field(default_factory=tuple)

    @property
    def mean(self) -> float | None:
        return round(statistics.fmean(self.days), 1) if self.days else None

    @property
    def median(self) -> float | None:
        return float(statistics.median(self.days)) if self.days else None

    def to_json(self) -> dict[str, float | int | None]:
        return {"count": len(self.days), "mean": self.mean, "median": self.median}


class WorkingDayIndex:
    """Working days between any two dates of a range in O(1): a cumulative count per day."""

    def __init__(self, calendar: WorkCalendar, first: date, last: date) -> None:
        self.first = first
        self._cumulative: list[int] = []
        total = 0
        for offset in range((last - first).days + 1):
            total += calendar.is_workday(first + timedelta(days=offset))
            self._cumulative.append(total)

    def between(self, start: date, end: date) -> int:
        """Working days in (start, end], as WorkCalendar.working_days_between counts them."""
        return self._at(end) - self._at(start)

    def _at(self, day: date) -> int:
        offset = (day - self.first).days
        if offset < 0:
            return 0
        return self._cumulative[min(offset, len(self._cumulative) - 1)]


def light_on(day: date, due: date | None, yellow_until: date) -> Light | None:
    """The light on `day`, given the date 3 working days ahead (the yellow threshold)."""
    if due is None:
        return None
    if due < day:
        return Light.RED
    if due <= yellow_until:
        return Light.YELLOW
    return Light.GREEN


def is_overdue(due: date | None, last_day: date) -> bool:
    """超期 at the end of a period: in hand and its due date passed before the period's last day."""
    return due is not None and due < last_day


def durations(pairs: Iterable[tuple[date, date]], index: WorkingDayIndex) -> Durations:
    return Durations(tuple(index.between(raised, closed) for raised, closed in pairs))


def is_open(state: str | None) -> bool:
    return state in OPEN_VALUES

