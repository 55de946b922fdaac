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
from enum import StrEnum
from functools import cached_property, lru_cache

from coordination.domain.errors import InvalidInput


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


# ---- dates people choose: a due date or a meeting's date on a day off ---------------------------

_WEEKDAYS_ZH = "一二三四五六日"
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class ChosenDate(StrEnum):
    """What a date typed by someone is for: each is meant to fall on a working day."""

    DUE = "due"  # a problem's or a decision's 办结期限
    MEETING = "meeting"  # the day a meeting is held

    def words(self) -> tuple[str, str]:
        return {ChosenDate.DUE: ("办结期限", "due date"), ChosenDate.MEETING: ("会议日期", "meeting date")}[self]


class DayOff(StrEnum):
    """Why a day is not a working day."""

    WEEKEND = "weekend"
    HOLIDAY = "holiday"  # the State Council's holiday (a weekend day inside one counts as holiday)
    LOCAL = "local"  # the district's own override


@dataclass(frozen=True)
class NonWorkingDay:
    """A chosen date that falls on a day off, with the nearest working days either side to suggest."""

    day: date
    chosen: ChosenDate
    why: DayOff
    provisional: bool  # the year's official schedule is not out yet: judged on Monday–Friday
    before: date | None  # the working day before it, unless that is too early to choose
    after: date

    def _what(self) -> tuple[str, str]:
        """办结期限 2026-12-06 是星期日（非工作日） / due date 2026-12-06 is a Sunday (not a working day)."""
        subject_zh, subject_en = self.chosen.words()
        weekday = self.day.weekday()
        why_zh = {DayOff.WEEKEND: "非工作日", DayOff.HOLIDAY: "法定节假日，非工作日",
                  DayOff.LOCAL: "本区调整为休息日，非工作日"}[self.why]
        why_en = {DayOff.WEEKEND: "not a working day", DayOff.HOLIDAY: "an official holiday",
                  DayOff.LOCAL: "a local day off"}[self.why]
        zh = f"{subject_zh} {self.day.isoformat()} 是星期{_WEEKDAYS_ZH[weekday]}（{why_zh}）"
        en = f"{subject_en} {self.day.isoformat()} is a {_WEEKDAYS_EN[weekday]} ({why_en})"
        if self.provisional:
            zh += f"，{self.day.year} 年法定节假日安排尚未公布，暂按周一至周五判断"
            en += f"; {self.day.year}'s official holidays are not published yet, so Monday–Friday is assumed"
        return zh, en

    def _suggestion(self) -> tuple[str, str]:
        days = [d for d in (self.before, self.after) if d is not None]
        zh = "或 ".join(f"{d.isoformat()}（星期{_WEEKDAYS_ZH[d.weekday()]}）" for d in days)
        en = " or ".join(f"{d.isoformat()} ({_WEEKDAYS_EN[d.weekday()]})" for d in days)
        return zh, en

    def warning(self, *, strict_option: str | None = None) -> tuple[str, str]:
        """What to say when the date is saved as given; `strict_option` names the switch that refuses it."""
        zh, en = self._what()
        zh, en = f"提示：{zh}，仍按此日期保存", f"note: {en}; saved as given"
        if strict_option:
            zh, en = f"{zh}；加 {strict_option} 则拒绝", f"{en} (add {strict_option} to refuse it)"
        return zh, en

    def refusal(self, *, strict_option: str | None = None) -> InvalidInput:
        """The error that refuses the date (under `strict_option`): nothing is saved, and the nearest
        working days are named."""
        zh, en = self._what()
        near_zh, near_en = self._suggestion()
        under_zh, under_en = (f"按 {strict_option} ", f" ({strict_option})") if strict_option else ("", "")
        return InvalidInput(f"{zh}，{under_zh}未保存：请改为工作日，如 {near_zh}",
                            f"{en}; nothing was saved{under_en}: choose a working day, such as {near_en}")


def non_working_day(calendar: WorkCalendar, day: date, chosen: ChosenDate, *,
                    earliest: date | None = None) -> NonWorkingDay | None:
    """None when `day` is a working day on `calendar` (the official schedule with the district's
    overrides); else why it is not, with the working days either side (the one before only when it is
    not earlier than `earliest`, the first day the date may take)."""
    if calendar.is_workday(day):
        return None
    schedule = calendar.schedules.get(day.year)
    if day in calendar.overrides:
        why = DayOff.LOCAL
    elif schedule is not None and day in schedule.holidays:
        why = DayOff.HOLIDAY
    else:
        why = DayOff.WEEKEND
    before = calendar.working_day_back(day, 1)
    return NonWorkingDay(day=day, chosen=chosen, why=why, provisional=not calendar.knows(day.year),
                         before=before if earliest is None or before >= earliest else None,
                         after=calendar.add_working_days(day, 1).day)
