"""Working days on the official Chinese calendar, with 调休 make-up days and local overrides.

A year is *known* when its official schedule is at hand (from the calendar package or loaded by an
admin). Counting across a year that is not known falls back to Monday–Friday and marks the result
provisional, so that nobody mistakes a guess for the official schedule.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property, lru_cache


@dataclass(frozen=True)
class YearSchedule:
    """The State Council's schedule for one year."""

    year: int
    holidays: frozenset[date]  # official days off (weekdays among them are what matters)
    workdays: frozenset[date]  # weekend days made working days (调休)
    source: str = "package"

    def __post_init__(self) -> None:
        stray = [d for d in (*self.holidays, *self.workdays) if d.year != self.year]
        if stray:
            raise ValueError(f"dates outside {self.year}: {sorted(stray)[:3]}")
        both = self.holidays & self.workdays
        if both:
            raise ValueError(f"dates both holiday and workday: {sorted(both)[:3]}")


@dataclass(frozen=True)
class DueDate:
    day: date
    provisional: bool


@dataclass(frozen=True)
class WorkCalendar:
    """Working days, counted in O(log n) of the few days that differ from Monday–Friday.

    The schedules and overrides are read once, on first use, into a `_DayIndex` shared by equal
    calendars: treat a calendar as immutable once it has counted (`work_calendar` builds a fresh
    one per session).
    """

    schedules: Mapping[int, YearSchedule] = field(default_factory=dict)
    overrides: Mapping[date, bool] = field(default_factory=dict)  # True: working day

    def knows(self, year: int) -> bool:
        return year in self.schedules

    def is_workday(self, day: date) -> bool:
        override = self.overrides.get(day)
        if override is not None:
            return override
        schedule = self.schedules.get(day.year)
        if schedule is not None:
            if day in schedule.workdays:
                return True
            if day in schedule.holidays:
                return False
        return day.weekday() < 5

    @cached_property
    def _index(self) -> _DayIndex:
        return _shared_index(frozenset(self.schedules.items()), frozenset(self.overrides.items()))

    def add_working_days(self, start: date, count: int) -> DueDate:
        """The day on which the `count`-th working day after `start` falls."""
        if count < 0:
            raise ValueError("count must not be negative")
        if count == 0:
            return DueDate(start, False)
        index = self._index
        day = index.first_reaching(index.count(start.toordinal()) + count)
        return DueDate(day, not index.all_known(start.toordinal() + 1, day))

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end lies before start."""
        index = self._index
        return index.count(end.toordinal()) - index.count(start.toordinal())

    def working_day_back(self, day: date, n: int) -> date:
        """The n-th most recent working day on or before `day` (n >= 1)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        index = self._index
        target = index.count(day.toordinal()) - n + 1
        if target < 1:
            raise OverflowError("date value out of range")
        return index.first_reaching(target)

    def unknown_years(self, days: Iterable[date]) -> set[int]:
        return {d.year for d in days if not self.knows(d.year)}


def _weekdays_through(ordinal: int) -> int:
    """Monday–Friday days among ordinals 1..ordinal (ordinal 1, 0001-01-01, is a Monday)."""
    weeks, rest = divmod(ordinal, 7)
    return 5 * weeks + min(rest, 5)


def _first_ordinal_with_weekdays(n: int) -> int:
    """The smallest ordinal o >= 1 with _weekdays_through(o) >= n."""
    if n <= 1:
        return 1
    weeks, rest = divmod(n - 1, 5)
    return 7 * weeks + rest + 1


@lru_cache(maxsize=16)
def _shared_index(schedules: frozenset[tuple[int, YearSchedule]], overrides: frozenset[tuple[date, bool]]) -> _DayIndex:
    """One index per distinct calendar: the services rebuild the same calendar for every session."""
    return _DayIndex(WorkCalendar(dict(schedules), dict(overrides)))


class _DayIndex:
    """count(o): working days among ordinals 1..o, as Monday–Friday plus a step per exceptional day.

    Exceptional days are the official holidays on weekdays, the 调休 make-up weekend days and the
    overrides that change a day; between two of them the count is plain weekday arithmetic.
    """

    def __init__(self, calendar: WorkCalendar) -> None:
        candidates: set[date] = set(calendar.overrides)
        for schedule in calendar.schedules.values():
            candidates |= schedule.holidays | schedule.workdays
        self.days: list[int] = []  # ordinals of the exceptional days, ascending
        self.shift: list[int] = []  # working days gained (+) or lost (-) through each of them
        self.reached: list[int] = []  # count() on each of them, non-decreasing
        shift = 0
        for day in sorted(candidates):
            delta = int(calendar.is_workday(day)) - int(day.weekday() < 5)
            if delta:
                ordinal = day.toordinal()
                shift += delta
                self.days.append(ordinal)
                self.shift.append(shift)
                self.reached.append(_weekdays_through(ordinal) + shift)
        self.known_years = sorted(calendar.schedules)

    def count(self, ordinal: int) -> int:
        passed = bisect_right(self.days, ordinal)
        return _weekdays_through(ordinal) + (self.shift[passed - 1] if passed else 0)

    def first_reaching(self, target: int) -> date:
        """The first day whose count reaches `target` (>= 1): a working day, since counts rise by one."""
        at = bisect_left(self.reached, target)  # the first exceptional day that reaches it, if any
        shift, after = (self.shift[at - 1], self.days[at - 1] + 1) if at else (0, 1)
        ordinal = max(after, _first_ordinal_with_weekdays(target - shift))
        if at < len(self.days) and ordinal >= self.days[at]:
            ordinal = self.days[at]
        if ordinal > _MAX_ORDINAL:
            raise OverflowError("date value out of range")
        return date.fromordinal(ordinal)

    def all_known(self, first: int, last: date) -> bool:
        """Whether every year from ordinal `first` to `last` has its official schedule."""
        low, high = date.fromordinal(first).year, last.year
        return bisect_right(self.known_years, high) - bisect_left(self.known_years, low) == high - low + 1


_MAX_ORDINAL = date.max.toordinal()


def parse_date_list(text: str) -> list[date]:
    """Dates from "2027-01-01,2027-02-16..2027-02-22" (commas, spaces or 、; ranges with .. or ~)."""
    days: list[date] = []
    for chunk in text.replace("，", ",").replace("、", ",").replace(" ", ",").split(","):
        chunk = chunk.strip()
        if not chunk:
            continue
        for separator in ("..", "~", "～"):
            if separator in chunk:
                first_text, last_text = chunk.split(separator, 1)
                first, last = date.fromisoformat(first_text.strip()), date.fromisoformat(last_text.strip())
                if last < first:
                    raise ValueError(f"range ends before it starts: {chunk}")
                days.extend(first + timedelta(days=n) for n in range((last - first).days + 1))
                break
        else:
            days.append(date.fromisoformat(chunk))
    return sorted(set(days))
