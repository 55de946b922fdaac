"""One light rule: every read path shows each problem the same light, whatever day it is.

Green; yellow with 3 or fewer working days left; red once the due date has passed; no light without a
due date or once the problem is finished. The expected light here is counted day by day on the
official calendar, independently of the threshold dates the code uses.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import text

from coordination.config import DISTRICT_TZ
from coordination.domain.enums import FINISHED_STATES, Action, Light, State
from coordination.domain.periods import Cadence, Period, period_containing
from coordination.domain.workdays import WorkCalendar
from coordination.services import issue_reads, reports, sweep
from coordination.services.calendar import package_schedules

CALENDAR = WorkCalendar(package_schedules())
ASSIGNED_ON = date(2024, 6, 3)  # the fixture's Monday

# Due dates on weekends, public holidays and 调休 make-up working days (2024: Dragon Boat Festival on
# Mon 10 June; National Day 1–7 October with make-up Sunday 29 September and Saturday 12 October).
DUE_DATES = {
    "fri-before-dragon-boat": date(2024, 6, 7),
    "saturday": date(2024, 6, 8),
    "sunday": date(2024, 6, 9),
    "dragon-boat-monday": date(2024, 6, 10),
    "tuesday-after-dragon-boat": date(2024, 6, 11),
    "thursday-after-dragon-boat": date(2024, 6, 13),
    "ordinary-saturday-before-national-day": date(2024, 9, 28),
    "make-up-sunday": date(2024, 9, 29),
    "eve-of-national-day": date(2024, 9, 30),
    "national-day": date(2024, 10, 1),
    "golden-week-friday": date(2024, 10, 4),
    "golden-week-last-monday": date(2024, 10, 7),
    "back-to-work-tuesday": date(2024, 10, 8),
    "friday-after-golden-week": date(2024, 10, 11),
    "make-up-saturday": date(2024, 10, 12),
    "sunday-after-make-up-saturday": date(2024, 10, 13),
    "monday-after-make-up-saturday": date(2024, 10, 14),
    "wednesday-after-make-up-saturday": date(2024, 10, 16),
}

# Weekdays, weekends, a holiday and make-up days; the Sundays close an ISO week and 30 September a
# month, so the weekly and monthly reports show their lights as of that very day.
TODAYS = (
    date(2024, 6, 4),  # Tuesday
    date(2024, 6, 9),  # Sunday before the Dragon Boat Festival
    date(2024, 9, 27),  # Friday before the make-up Sunday
    date(2024, 9, 29),  # make-up Sunday, end of week 39
    date(2024, 9, 30),  # eve of National Day, end of September
    date(2024, 10, 6),  # Sunday in the golden week
    date(2024, 10, 12),  # make-up Saturday
    date(2024, 10, 13),  # Sunday after it
)


def moment(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=DISTRICT_TZ).astimezone(UTC)


def expected_light(today: date, due: date | None, state: State) -> Light | None:
    """The rule itself, counted one day at a time."""
    if due is None or state in FINISHED_STATES:
        return None
    if due < today:
        return Light.RED
    left = sum(1 for n in range(1, (due - today).days + 1) if CALENDAR.is_workday(today + timedelta(days=n)))
    return Light.YELLOW if left <= 3 else Light.GREEN


def assigned(district: Any, due: date, title: str) -> str:
    pid = district.raise_problem(title=title, now=moment(ASSIGNED_ON))
    district.act(district.secretariat, pid, Action.ASSIGN, unit=district.solving_unit, due=due,
                 now=moment(ASSIGNED_ON))
    return pid


def report_periods(today: date) -> list[tuple[Cadence, Period]]:
    """The report periods that end on `today`: their lights are the lights of that day."""
    periods = [(cadence, period_containing(cadence, today)) for cadence in (Cadence.WEEKLY, Cadence.MONTHLY)]
    return [(cadence, period) for cadence, period in periods if period.last == today]


def stored_lights(district: Any) -> dict[str, str | None]:
    with district.engine.connect() as conn:
        return {pid: light for pid, light in conn.execute(text("SELECT id, light FROM problem"))}


# ---- the defect ----------------------------------------------------------------------------


def test_a_problem_due_on_saturday_is_yellow_on_tuesday_in_every_read_path(district: Any) -> None:
    # Tue 4 June 2024 → Sat 8 June: 5, 6, 7 June are working days, so 3 are left: yellow.
    today = date(2024, 6, 4)
    pid = assigned(district, date(2024, 6, 8), "周六到期的问题")

    assert issue_reads.show_problem(district.uow(), problem_id=pid, today=today).problem.light is Light.YELLOW
    yellow = issue_reads.list_problems(district.uow(), today=today,
                                       filters=issue_reads.ProblemFilter(light=Light.YELLOW))
    assert [v.id for v in yellow] == [pid]
    assert issue_reads.count_lights(district.uow(), today=today) == {"green": 0, "yellow": 1, "red": 0}
    sweep.sweep(district.uow(), caller=district.caller(district.system, moment(today, 7)))
    assert stored_lights(district)[pid] == Light.YELLOW.value


# ---- every read path, every day ------------------------------------------------------------


def test_every_read_path_shows_one_light_per_problem_on_every_day(district: Any) -> None:
    states: dict[str, State] = {}
    dues: dict[str, date | None] = {}
    for name, due in DUE_DATES.items():
        pid = assigned(district, due, f"期限在{name}的问题")
        states[pid], dues[pid] = State.ASSIGNED, due
    unassigned = district.raise_problem(title="尚未交办的问题", now=moment(ASSIGNED_ON))
    states[unassigned], dues[unassigned] = State.SUBMITTED, None
    withdrawn = assigned(district, date(2024, 6, 11), "已撤销的问题")
    district.act(district.secretariat, withdrawn, Action.WITHDRAW, reason="项目方自行解决", now=moment(ASSIGNED_ON))
    states[withdrawn], dues[withdrawn] = State.WITHDRAWN, date(2024, 6, 11)

    seen_lights: set[Light | None] = set()
    escalated: set[str] = set()  # the sweep escalates the long overdue: the queue has problems to show
    for today in TODAYS:
        expected = {pid: expected_light(today, dues[pid], states[pid]) for pid in states}
        seen_lights |= set(expected.values())
        where = f"on {today}"

        shown = {pid: issue_reads.show_problem(district.uow(), problem_id=pid, today=today).problem.light
                 for pid in states}
        assert shown == expected, where

        listed = {view.id: view.light for view in issue_reads.list_problems(district.uow(), today=today)}
        assert listed == expected, where

        filtered: dict[str, list[Light]] = {}
        for light in Light:
            for view in issue_reads.list_problems(district.uow(), today=today,
                                                  filters=issue_reads.ProblemFilter(light=light)):
                filtered.setdefault(view.id, []).append(light)
        assert filtered == {pid: [light] for pid, light in expected.items() if light is not None}, where

        tally = {light.value: sum(1 for x in expected.values() if x is light) for light in Light}
        assert issue_reads.count_lights(district.uow(), today=today) == tally, where

        queued = issue_reads.escalation_queue(district.uow(), today=today, limit=None).items
        assert {view.id: view.light for view in queued} == {view.id: expected[view.id] for view in queued}, where
        escalated |= {view.id for view in queued}

        sweep.sweep(district.uow(), caller=district.caller(district.system, moment(today, 7)))
        swept = stored_lights(district)
        assert {pid: swept[pid] for pid in states} == {
            pid: light.value if light else None for pid, light in expected.items()}, where

        for cadence, period in report_periods(today):
            report = reports.build(district.uow(), cadence=cadence, period=period)
            in_hand = {brief.id: brief.light for brief in report.problems.in_hand_list}
            assert in_hand == {pid: light for pid, light in expected.items() if states[pid] not in FINISHED_STATES}, \
                (where, cadence)
            assert report.problems.lights == {**tally, "none": 1}, (where, cadence)

    assert seen_lights == {Light.GREEN, Light.YELLOW, Light.RED, None}
    assert escalated
    # the reports were walked on the Sundays and at the end of September
    assert sum(len(report_periods(day)) for day in TODAYS) >= 5


def test_the_expected_lights_count_make_up_days_and_skip_holidays() -> None:
    # A guard on the oracle itself.
    assert expected_light(date(2024, 9, 30), date(2024, 10, 12), State.ASSIGNED) is Light.GREEN  # 8, 9, 10, 11, 12
    assert expected_light(date(2024, 9, 30), date(2024, 10, 11), State.ASSIGNED) is Light.GREEN  # 8, 9, 10, 11
    assert expected_light(date(2024, 9, 30), date(2024, 10, 10), State.ASSIGNED) is Light.YELLOW  # 8, 9, 10
    assert expected_light(date(2024, 9, 27), date(2024, 10, 8), State.ASSIGNED) is Light.YELLOW  # 29, 30, 8
    assert expected_light(date(2024, 9, 27), date(2024, 10, 9), State.ASSIGNED) is Light.GREEN
    today = date(2024, 10, 6)
    assert expected_light(today, None, State.ASSIGNED) is None
    assert expected_light(today, today, State.CLOSED) is None
    assert expected_light(today, today, State.IN_PROGRESS) is Light.YELLOW
    assert expected_light(today, today - timedelta(days=1), State.IN_PROGRESS) is Light.RED

