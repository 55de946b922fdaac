"""Working days on the official Chinese calendar, with 调休 make-up days and local overrides.

A year is *known* when its official schedule is at hand (from the calendar package or loaded by an
admin). Counting across a year that is not known falls back to Monday–Friday and marks the result
provisional, so that nobody mistakes a guess for the official schedule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta


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

    def add_working_days(self, start: date, count: int) -> DueDate:
        """The day on which the `count`-th working day after `start` falls."""
        if count < 0:
            raise ValueError("count must not be negative")
        day = start
        provisional = False
        remaining = count
        while remaining:
            day += timedelta(days=1)
            provisional |= not self.knows(day.year)
            if self.is_workday(day):
                remaining -= 1
        return DueDate(day, provisional)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end lies before start."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for offset in range(1, (end - start).days + 1)
                   if self.is_workday(start + timedelta(days=offset)))

    def unknown_years(self, days: Iterable[date]) -> set[int]:
        return {d.year for d in days if not self.knows(d.year)}


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
