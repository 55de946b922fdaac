"""The daily sweep's rules: lights as date thresholds, reminders, automatic escalation.

The sweep runs in SQL over every open problem, so the per-problem rule of `deadlines.light_for` is
turned here into a few dates computed once per day: a problem's light then only depends on how its
due date compares with them. `light_on` and `escalation_due` are the per-problem forms of the same
rules, used to check the set-based sweep against the domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from coordination.domain.deadlines import YELLOW_WITHIN_WORKING_DAYS, light_for
from coordination.domain.enums import Level, Light, State
from coordination.domain.workdays import WorkCalendar

# States in which a unit is handling the problem: reminders and escalations apply only here
# (the transition table lets the system escalate from exactly these states).
HANDLING_STATES: frozenset[State] = frozenset({State.ASSIGNED, State.IN_PROGRESS, State.ON_AGENDA})


class SweepAction(StrEnum):
    """Audit actions the scheduled jobs record outside the transition table: no state changes."""

    LIGHT_CHANGE = "light_change"
    REMIND = "remind"  # 督办: the lead unit and its head are told the problem is overdue
    CHASE_VERIFICATION = "chase_verification"  # 催办销号: a resolution waits too long for checking


@dataclass(frozen=True)
class SweepSettings:
    """Thresholds a district may tune (Setting rows `sweep.*`)."""

    escalate_after_overdue_working_days: int = 10
    escalate_after_missed_deadlines: int = 2
    chase_verification_after_working_days: int = 2


SETTING_KEYS: dict[str, str] = {
    "sweep.escalate_after_overdue_working_days": "escalate_after_overdue_working_days",
    "sweep.escalate_after_missed_deadlines": "escalate_after_missed_deadlines",
    "sweep.chase_verification_after_working_days": "chase_verification_after_working_days",
}


def working_day_back(calendar: WorkCalendar, today: date, n: int) -> date:
    """The n-th most recent working day on or before `today` (n >= 1)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    day = today
    found = 0
    while True:
        if calendar.is_workday(day):
            found += 1
            if found == n:
                return day
        day -= timedelta(days=1)


@dataclass(frozen=True)
class Thresholds:
    """The dates that decide every problem's light and escalation on `today`.

    red      when due <  today
    yellow   when today <= due <= yellow_until  (3 or fewer working days left)
    green    when due >  yellow_until
    escalate when due <  escalate_before        (more than N working days overdue)
    """

    today: date
    yellow_until: date
    escalate_before: date
    chase_before: date  # a resolution submitted before this day has waited more than N working days

    @classmethod
    def on(cls, today: date, calendar: WorkCalendar, settings: SweepSettings | None = None) -> Thresholds:
        settings = settings or SweepSettings()
        # working_days_between(today, due) <= 3  <=>  due is before the 4th working day after today
        fourth = calendar.add_working_days(today, YELLOW_WITHIN_WORKING_DAYS + 1).day
        # working_days_between(due, today) > N  <=>  due is before the (N+1)-th working day back
        escalate_before = working_day_back(calendar, today, settings.escalate_after_overdue_working_days + 1)
        chase_before = working_day_back(calendar, today, settings.chase_verification_after_working_days + 1)
        return cls(today, fourth - timedelta(days=1), escalate_before, chase_before)

    def light(self, due: date | None) -> Light | None:
        if due is None:
            return None
        if due < self.today:
            return Light.RED
        if due <= self.yellow_until:
            return Light.YELLOW
        return Light.GREEN


def light_on(today: date, due: date | None, calendar: WorkCalendar) -> Light | None:
    """The per-problem rule the thresholds must agree with (no due date: no light)."""
    return None if due is None else light_for(today, due, calendar)


def escalation_due(
    *,
    state: State,
    level: int,
    due: date | None,
    missed_deadlines: int,
    escalated_due: date | None,
    thresholds: Thresholds,
    settings: SweepSettings | None = None,
) -> str | None:
    """Why the sweep escalates this problem today ("overdue" or "missed_deadlines"), or None.

    At most once per deadline: `escalated_due` remembers the due date the sweep last escalated for,
    so a problem that stays overdue rises one rung, not one rung a day. `missed_deadlines` counts
    the deadlines already missed, this one included.
    """
    settings = settings or SweepSettings()
    if state not in HANDLING_STATES or level >= Level.L5 or due is None or due >= thresholds.today:
        return None
    if escalated_due == due:
        return None
    if due < thresholds.escalate_before:
        return "overdue"
    if missed_deadlines >= settings.escalate_after_missed_deadlines:
        return "missed_deadlines"
    return None


def overdue_working_days(today: date, due: date, calendar: WorkCalendar) -> int:
    """Working days past the due date (0 while it has not passed): the per-problem form of the rule."""
    return max(calendar.working_days_between(due, today), 0)


ESCALATION_REASONS: dict[str, tuple[str, str]] = {
    "overdue": ("超过办结期限 {days} 个工作日仍未办结，系统自动提级",
                "more than {days} working days overdue: escalated automatically"),
    "missed_deadlines": ("已 {count} 次超过办结期限，系统自动提级",
                         "missed {count} deadlines: escalated automatically"),
}


def escalation_reason(why: str, settings: SweepSettings) -> str:
    zh, _en = ESCALATION_REASONS[why]
    return zh.format(days=settings.escalate_after_overdue_working_days,
                     count=settings.escalate_after_missed_deadlines)
