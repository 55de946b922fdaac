"""The schedule rules, pure: when each deployment acts on the official calendar, the district's own crons,
and what `coord serve` repairs at start (late runs collapsed, a missed slot caught up once)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import uuid4

import pytest

from coordination.domain.errors import InvalidInput
from coordination.domain.periods import Cadence
from coordination.domain.schedules import BY_NAME, ZONE, checked_cron, crons, last_slot, next_run, publication_period
from coordination.domain.workdays import WorkCalendar
from coordination.services.calendar import package_schedules
from flows.catch_up import RunFact, decide

CALENDAR = WorkCalendar(package_schedules())


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


def test_a_publication_waits_for_the_first_working_morning_after_its_period() -> None:
    # 2026: New Year's Day to the 3rd off, Sunday the 4th a working day (调休).
    assert [publication_period(Cadence.MONTHLY, date(2026, 1, d), CALENDAR) is not None for d in range(1, 6)] == [
        False, False, False, True, True]
    assert next_run(BY_NAME["monthly-analysis"], "0 9 1-15 * *", at("2025-12-31 12:00"), CALENDAR) == \
        at("2026-01-04 09:00")
    # National Day 2026 (1–7 October, Saturday the 10th worked): Q3's 季调度 comes on Thursday the 8th.
    assert next_run(BY_NAME["quarterly-dispatch"], "0 9 1-15 1,4,7,10 *", at("2026-09-30 12:00"), CALENDAR) == \
        at("2026-10-08 09:00")
    # 端午 2024 fell on Monday 10 June: that week's 周汇报 came on Tuesday.
    assert next_run(BY_NAME["weekly-report"], "30 8 * * *", at("2024-06-08 12:00"), CALENDAR) == \
        at("2024-06-11 08:30")


def test_the_sweep_acts_on_working_days_and_delivery_whenever_asked() -> None:
    assert next_run(BY_NAME["sweep"], "30 7 * * *", at("2026-01-01 06:00"), CALENDAR) == at("2026-01-04 07:30")
    assert next_run(BY_NAME["deliver-notifications"], "*/5 * * * *", at("2026-01-01 06:01"), CALENDAR) == \
        at("2026-01-01 06:05")
    assert last_slot("30 7 * * *", at("2026-12-01 07:30")) == at("2026-12-01 07:30")
    assert last_slot("30 7 * * *", at("2026-12-01 07:29")) == at("2026-11-30 07:30")


def test_the_districts_crons_are_checked_and_win_over_the_defaults() -> None:
    assert checked_cron("  0   8 * * 1-5 ") == "0 8 * * 1-5"
    for wrong in ("30 7 * *", "61 7 * * *", "every morning", "30 7 * * * *"):
        with pytest.raises(InvalidInput):
            checked_cron(wrong)
    chosen = crons({"schedule.sweep": "0 8 * * *"})
    assert chosen["sweep"] == "0 8 * * *" and chosen["weekly-report"] == "30 8 * * *" and "intake" not in chosen


def run(state: str, expected: datetime) -> RunFact:
    return RunFact(uuid4(), state, expected)


NOW = at("2026-12-01 10:00")
CREATED = at("2026-11-01 09:00")


def test_a_slot_missed_while_coord_was_down_is_caught_up_once() -> None:
    yesterday = run("COMPLETED", at("2026-11-30 07:30"))

    missed = decide("sweep", "30 7 * * *", CREATED, [yesterday], NOW)
    ran = decide("sweep", "30 7 * * *", CREATED, [yesterday, run("COMPLETED", at("2026-12-01 07:30"))], NOW)
    down_for_days = decide("sweep", "30 7 * * *", CREATED, [run("COMPLETED", at("2026-11-20 07:30"))], NOW)

    assert (missed.create, missed.slot) == (True, at("2026-12-01 07:30"))
    assert not ran.needed
    assert (down_for_days.create, down_for_days.slot) == (True, at("2026-12-01 07:30"))  # once, not ten times


def test_a_fresh_install_and_an_on_demand_deployment_miss_nothing() -> None:
    assert not decide("sweep", "30 7 * * *", NOW - timedelta(minutes=1), [], NOW).needed
    assert not decide("intake", None, CREATED, [], NOW).needed
    assert not decide("deliver-notifications", "*/5 * * * *", CREATED, [], NOW).needed  # the next is minutes away


def test_late_runs_collapse_into_the_newest_which_is_the_catch_up() -> None:
    late = [run("SCHEDULED", NOW - timedelta(minutes=5 * n)) for n in range(1, 7)]
    future = run("SCHEDULED", NOW + timedelta(minutes=5))

    delivery = decide("deliver-notifications", "*/5 * * * *", CREATED, [*late, future], NOW)
    sweep = decide("sweep", "30 7 * * *", CREATED, [run("SCHEDULED", at("2026-12-01 07:30")),
                                                    run("SCHEDULED", at("2026-11-30 07:30"))], NOW)

    assert delivery.kept == late[0].id and set(delivery.cancelled) == {r.id for r in late[1:]}
    assert future.id not in delivery.cancelled and not delivery.create
    assert sweep.slot == at("2026-12-01 07:30") and not sweep.create and len(sweep.cancelled) == 1
