"""Working days on the official calendar, checked against the State Council's real schedules."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coordination.domain.sweep import working_day_back
from coordination.domain.workdays import DueDate, WorkCalendar, YearSchedule, parse_date_list
from coordination.services.calendar import package_schedules


@pytest.fixture(scope="module")
def official() -> WorkCalendar:
    return WorkCalendar(package_schedules())


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


# ---- the package data is what we think it is -----------------------------------------------


@pytest.mark.parametrize(
    ("year", "first_off", "last_off", "make_up"),
    [
        pytest.param(2024, date(2024, 10, 1), date(2024, 10, 7), {date(2024, 9, 29), date(2024, 10, 12)},
                     id="national-day-2024"),
        pytest.param(2024, date(2024, 2, 10), date(2024, 2, 17), {date(2024, 2, 4), date(2024, 2, 18)},
                     id="spring-festival-2024"),
        pytest.param(2025, date(2025, 1, 28), date(2025, 2, 4), {date(2025, 1, 26), date(2025, 2, 8)},
                     id="spring-festival-2025"),
    ],
)
def test_package_carries_the_official_holiday_and_its_make_up_days(
    year: int, first_off: date, last_off: date, make_up: set[date]
) -> None:
    schedule = package_schedules()[year]
    assert set(_days(first_off, last_off)) <= schedule.holidays
    assert make_up <= schedule.workdays
    assert all(d.weekday() >= 5 for d in make_up), "make-up days fall on a weekend"


def test_package_schedules_hold_only_weekend_make_up_days() -> None:
    for schedule in package_schedules().values():
        assert all(d.weekday() >= 5 for d in schedule.workdays)
        assert not schedule.holidays & schedule.workdays


# ---- is_workday ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        pytest.param(date(2024, 10, 1), False, id="national-day-tuesday-off"),
        pytest.param(date(2024, 10, 7), False, id="national-day-last-monday-off"),
        pytest.param(date(2024, 10, 8), True, id="back-to-work-tuesday"),
        pytest.param(date(2024, 9, 29), True, id="sunday-made-working-before-national-day"),
        pytest.param(date(2024, 10, 12), True, id="saturday-made-working-after-national-day"),
        pytest.param(date(2024, 10, 13), False, id="ordinary-sunday"),
        pytest.param(date(2024, 2, 12), False, id="spring-festival-2024-monday-off"),
        pytest.param(date(2024, 2, 4), True, id="sunday-made-working-before-spring-festival-2024"),
        pytest.param(date(2024, 2, 18), True, id="sunday-made-working-after-spring-festival-2024"),
        pytest.param(date(2025, 1, 28), False, id="chuxi-eve-2025-tuesday-off"),
        pytest.param(date(2025, 2, 4), False, id="spring-festival-2025-last-tuesday-off"),
        pytest.param(date(2025, 1, 26), True, id="sunday-made-working-2025"),
        pytest.param(date(2025, 2, 8), True, id="saturday-made-working-2025"),
        pytest.param(date(2025, 2, 5), True, id="back-to-work-wednesday-2025"),
    ],
)
def test_official_calendar_knows_holidays_and_make_up_days(
    official: WorkCalendar, day: date, working: bool
) -> None:
    assert official.is_workday(day) is working


# ---- add_working_days ----------------------------------------------------------------------


def test_five_working_days_from_the_eve_of_national_day_skip_the_golden_week(official: WorkCalendar) -> None:
    # Mon 30 Sep 2024 + 5: 8, 9, 10, 11 Oct and the make-up Saturday 12 Oct.
    due = official.add_working_days(date(2024, 9, 30), 5)
    assert due.day == date(2024, 10, 12)
    assert due.provisional is False


def test_make_up_sunday_before_national_day_counts_as_a_working_day(official: WorkCalendar) -> None:
    # Fri 27 Sep 2024 + 1 is the make-up Sunday 29 Sep, not Monday 30 Sep.
    assert official.add_working_days(date(2024, 9, 27), 1).day == date(2024, 9, 29)


def test_fifteen_working_days_across_spring_festival_2024(official: WorkCalendar) -> None:
    # Thu 1 Feb 2024: 2, 4 (Sunday made working), 5, 6, 7, 8, 9 → 7 days; 10–17 off;
    # 18 (Sunday made working), 19, 20, 21, 22, 23 → 13; 26, 27 → 15.
    due = official.add_working_days(date(2024, 2, 1), 15)
    assert due.day == date(2024, 2, 27)
    assert official.working_days_between(date(2024, 2, 1), due.day) == 15


def test_five_working_days_across_spring_festival_2025(official: WorkCalendar) -> None:
    # Fri 24 Jan 2025: Sunday 26 and Mon 27 work, 28 Jan–4 Feb off, then 5, 6, 7 Feb.
    assert official.add_working_days(date(2025, 1, 24), 5).day == date(2025, 2, 7)
    # ... and the make-up Saturday 8 Feb is the sixth.
    assert official.add_working_days(date(2025, 1, 24), 6).day == date(2025, 2, 8)


def test_zero_working_days_is_the_start_day_itself(official: WorkCalendar) -> None:
    assert official.add_working_days(date(2024, 10, 1), 0).day == date(2024, 10, 1)


def test_negative_working_days_are_refused(official: WorkCalendar) -> None:
    with pytest.raises(ValueError):
        official.add_working_days(date(2024, 6, 3), -1)


# ---- working_days_between ------------------------------------------------------------------


def test_the_national_day_week_holds_no_working_days(official: WorkCalendar) -> None:
    assert official.working_days_between(date(2024, 9, 30), date(2024, 10, 7)) == 0
    assert official.working_days_between(date(2024, 9, 30), date(2024, 10, 8)) == 1


def test_working_days_between_counts_the_end_not_the_start(official: WorkCalendar) -> None:
    # Mon 3 Jun 2024 → Fri 7 Jun 2024: 4, 5, 6, 7.
    assert official.working_days_between(date(2024, 6, 3), date(2024, 6, 7)) == 4
    assert official.working_days_between(date(2024, 6, 3), date(2024, 6, 3)) == 0


def test_working_days_between_is_negative_backwards(official: WorkCalendar) -> None:
    # (Fri 27 Sep, Sat 12 Oct 2024]: 29 Sep, 30 Sep, 8, 9, 10, 11, 12 Oct.
    assert official.working_days_between(date(2024, 9, 27), date(2024, 10, 12)) == 7
    assert official.working_days_between(date(2024, 10, 12), date(2024, 9, 27)) == -7


def test_working_days_between_agrees_with_add_working_days(official: WorkCalendar) -> None:
    for start in _days(date(2025, 1, 20), date(2025, 2, 10)):
        for count in (1, 3, 5, 15):
            assert official.working_days_between(start, official.add_working_days(start, count).day) == count


# ---- years not yet published ---------------------------------------------------------------


def test_2027_is_not_in_the_package() -> None:
    assert 2027 not in package_schedules()
    assert 2026 in package_schedules()


def test_a_due_date_in_an_unpublished_year_is_provisional(official: WorkCalendar) -> None:
    due = official.add_working_days(date(2026, 12, 21), 15)
    assert due.provisional is True
    assert due.day.year == 2027
    assert official.unknown_years([due.day, date(2026, 12, 21)]) == {2027}


def test_an_unpublished_year_falls_back_to_monday_to_friday(official: WorkCalendar) -> None:
    # 1 Jan 2027 is a Friday: without the schedule it counts as a working day.
    assert official.is_workday(date(2027, 1, 1)) is True
    assert official.is_workday(date(2027, 1, 2)) is False
    # Thu 31 Dec 2026 + 1 → Fri 1 Jan 2027 (a guess, so provisional).
    assert official.add_working_days(date(2026, 12, 31), 1).day == date(2027, 1, 1)


def test_counting_within_a_known_year_is_not_provisional(official: WorkCalendar) -> None:
    assert official.add_working_days(date(2026, 12, 1), 15).provisional is False


def test_a_loaded_schedule_firms_up_the_year() -> None:
    schedule_2027 = YearSchedule(2027, frozenset({date(2027, 1, 1)}), frozenset(), source="loaded")
    calendar = WorkCalendar({**package_schedules(), 2027: schedule_2027})
    due = calendar.add_working_days(date(2026, 12, 31), 1)
    assert due == type(due)(date(2027, 1, 4), False)


def test_year_schedule_refuses_dates_outside_its_year_or_on_both_lists() -> None:
    with pytest.raises(ValueError, match="outside 2027"):
        YearSchedule(2027, frozenset({date(2026, 12, 31)}), frozenset())
    with pytest.raises(ValueError, match="both"):
        YearSchedule(2027, frozenset({date(2027, 2, 6)}), frozenset({date(2027, 2, 6)}))


# ---- overrides -----------------------------------------------------------------------------


def test_a_local_day_off_beats_the_official_calendar(official: WorkCalendar) -> None:
    # The district gives Wednesday 5 Jun 2024 off (e.g. a typhoon day).
    local = WorkCalendar(package_schedules(), {date(2024, 6, 5): False})
    assert local.is_workday(date(2024, 6, 5)) is False
    assert official.add_working_days(date(2024, 6, 3), 3).day == date(2024, 6, 6)
    assert local.add_working_days(date(2024, 6, 3), 3).day == date(2024, 6, 7)


def test_a_local_working_day_beats_an_official_holiday() -> None:
    local = WorkCalendar(package_schedules(), {date(2024, 10, 2): True})
    assert local.is_workday(date(2024, 10, 2)) is True
    assert local.add_working_days(date(2024, 9, 30), 1).day == date(2024, 10, 2)


# ---- the arithmetic equals counting day by day ----------------------------------------------


def add_day_by_day(calendar: WorkCalendar, start: date, count: int) -> DueDate:
    """The definition: step one day at a time, provisional once a step lands in an unknown year."""
    day, provisional, remaining = start, False, count
    while remaining:
        day += timedelta(days=1)
        provisional |= not calendar.knows(day.year)
        if calendar.is_workday(day):
            remaining -= 1
    return DueDate(day, provisional)


def between_day_by_day(calendar: WorkCalendar, start: date, end: date) -> int:
    if end < start:
        return -between_day_by_day(calendar, end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if calendar.is_workday(start + timedelta(days=n)))


def back_day_by_day(calendar: WorkCalendar, today: date, n: int) -> date:
    day, found = today, 0
    while True:
        if calendar.is_workday(day):
            found += 1
            if found == n:
                return day
        day -= timedelta(days=1)


def days_of(year: int) -> st.SearchStrategy[date]:
    return st.dates(date(year, 1, 1), date(year, 12, 31))


@st.composite
def year_schedules(draw: st.DrawFn, year: int) -> YearSchedule:
    """A schedule like the State Council's: runs of days off, weekend days made working (调休)."""
    holidays: set[date] = set()
    for first in draw(st.lists(days_of(year), max_size=6)):
        holidays |= {d for d in (first + timedelta(days=n) for n in range(draw(st.integers(1, 8))))
                     if d.year == year}
    weekends = [d for d in draw(st.lists(days_of(year), max_size=12)) if d.weekday() >= 5]
    return YearSchedule(year, frozenset(holidays), frozenset(weekends) - holidays, source="loaded")


@st.composite
def calendars(draw: st.DrawFn) -> WorkCalendar:
    """Known and unknown years over 2023–2028 (real or made-up schedules), with local overrides."""
    official = package_schedules()
    schedules: dict[int, YearSchedule] = {}
    for year in range(2023, 2029):
        kind = draw(st.sampled_from(["official", "made-up", "unknown"]))
        if kind == "official" and year in official:
            schedules[year] = official[year]
        elif kind != "unknown":
            schedules[year] = draw(year_schedules(year))
    overrides = draw(st.dictionaries(st.dates(date(2022, 12, 1), date(2029, 1, 31)), st.booleans(), max_size=15))
    return WorkCalendar(schedules, overrides)


SPAN = st.dates(date(2022, 12, 1), date(2029, 1, 31))


@settings(max_examples=300, deadline=None)
@given(calendar=calendars(), start=SPAN, end=SPAN)
def test_working_days_between_equals_counting_day_by_day(calendar: WorkCalendar, start: date, end: date) -> None:
    assert calendar.working_days_between(start, end) == between_day_by_day(calendar, start, end)


@settings(max_examples=300, deadline=None)
@given(calendar=calendars(), start=SPAN, count=st.one_of(st.integers(0, 10), st.integers(0, 1600)))
def test_add_working_days_equals_stepping_day_by_day(calendar: WorkCalendar, start: date, count: int) -> None:
    assert calendar.add_working_days(start, count) == add_day_by_day(calendar, start, count)


@settings(max_examples=300, deadline=None)
@given(calendar=calendars(), today=st.dates(date(2023, 1, 1), date(2029, 1, 31)), n=st.integers(1, 40))
def test_working_day_back_equals_stepping_back_day_by_day(calendar: WorkCalendar, today: date, n: int) -> None:
    assert working_day_back(calendar, today, n) == back_day_by_day(calendar, today, n)


@settings(max_examples=100, deadline=None)
@given(calendar=calendars(), start=SPAN, count=st.integers(1, 1600))
def test_working_days_between_undoes_add_working_days(calendar: WorkCalendar, start: date, count: int) -> None:
    due = calendar.add_working_days(start, count)
    assert calendar.working_days_between(start, due.day) == count
    assert calendar.is_workday(due.day)


def test_the_arithmetic_reaches_the_last_representable_day_at_once(official: WorkCalendar) -> None:
    local = WorkCalendar(package_schedules(), {date(9999, 12, 30): False, date(2024, 6, 5): False})
    started = time.perf_counter()
    total = local.working_days_between(date(2024, 1, 1), date(9999, 12, 31))
    last = local.add_working_days(date(2024, 1, 1), total)
    back = local.working_day_back(date(9999, 12, 31), total)
    assert time.perf_counter() - started < 0.05
    assert last == DueDate(date(9999, 12, 31), True)  # a Friday, and years past the package are guesses
    assert back == date(2024, 1, 2)  # 1 Jan 2024 is New Year's Day
    assert local.working_days_between(date(9999, 12, 31), date(2024, 1, 1)) == -total
    with pytest.raises(OverflowError):
        local.add_working_days(date(9999, 12, 31), 1)
    with pytest.raises(OverflowError):
        local.working_day_back(date(1, 1, 3), 5)


def test_a_calendar_without_any_schedule_counts_monday_to_friday() -> None:
    plain = WorkCalendar()
    assert plain.working_days_between(date(2024, 6, 3), date(2024, 6, 10)) == 5
    assert plain.add_working_days(date(2024, 6, 7), 1) == DueDate(date(2024, 6, 10), True)
    assert plain.add_working_days(date(2024, 6, 7), 0) == DueDate(date(2024, 6, 7), False)


# ---- parse_date_list -----------------------------------------------------------------------


def test_parse_date_list_reads_ranges_and_single_days() -> None:
    days = parse_date_list("2027-01-01,2027-02-06..2027-02-08")
    assert days == [date(2027, 1, 1), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)]


def test_parse_date_list_accepts_chinese_separators_and_tilde_ranges() -> None:
    days = parse_date_list("2027-10-01～2027-10-03、2027-09-26，2027-10-09 2027-10-02~2027-10-02")
    assert days == [date(2027, 9, 26), date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3), date(2027, 10, 9)]


def test_parse_date_list_of_nothing_is_empty() -> None:
    assert parse_date_list("  ,, ") == []


@pytest.mark.parametrize("text", ["2027-02-08..2027-02-06", "2027-13-01", "明年春节"])
def test_parse_date_list_refuses_bad_input(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date_list(text)
