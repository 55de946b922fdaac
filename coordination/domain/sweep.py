"""The daily sweep's rules: lights and escalation as date thresholds, reminders.

The sweep runs in SQL over every open problem, so its rules are turned into a few dates computed
once per day: a problem's light (the one rule of `lights`) and whether it escalates then only depend
on how its due date compares with them. `escalation_due` is the per-problem form of the escalation
rule, used to check the set-based sweep against the domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from coordination.domain.enums import Action, Level, Light, State
from coordination.domain.lights import LightThresholds
from coordination.domain.transitions import TRANSITIONS
from coordination.domain.workdays import WorkCalendar

# States in which a unit is handling the problem: reminders and escalations apply only here. They are
# the states the transition table lets anyone (the system too) escalate from, read from the table.
HANDLING_STATES: frozenset[State] = TRANSITIONS[Action.ESCALATE].sources


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
    task_progress_days: int = 30  # a plan task in hand without a progress report this long gets a 督办


SETTING_KEYS: dict[str, str] = {
    "sweep.escalate_after_overdue_working_days": "escalate_after_overdue_working_days",
    "sweep.escalate_after_missed_deadlines": "escalate_after_missed_deadlines",
    "sweep.chase_verification_after_working_days": "chase_verification_after_working_days",
    "sweep.task_progress_days": "task_progress_days",
}


def working_day_back(calendar: WorkCalendar, today: date, n: int) -> date:
    """The n-th most recent working day on or before `today` (n >= 1)."""
    return calendar.working_day_back(today, n)


@dataclass(frozen=True)
class Thresholds:
    """The dates that decide every problem's light and escalation on `today`.

    light    by `lights` (red before today, yellow before the 4th working day after it)
    escalate when due <  escalate_before        (more than N working days overdue)
    """

    today: date
    lights: LightThresholds
    escalate_before: date
    chase_before: date  # a resolution submitted before this day has waited more than N working days

    @classmethod
    def on(cls, today: date, calendar: WorkCalendar, settings: SweepSettings | None = None) -> Thresholds:
        settings = settings or SweepSettings()
        # working_days_between(due, today) > N  <=>  due is before the (N+1)-th working day back
        escalate_before = working_day_back(calendar, today, settings.escalate_after_overdue_working_days + 1)
        chase_before = working_day_back(calendar, today, settings.chase_verification_after_working_days + 1)
        return cls(today, LightThresholds.on(today, calendar), escalate_before, chase_before)

    def light(self, due: date | None) -> Light | None:
        """The light of an open problem due on `due` (the sweep reads open problems only)."""
        return self.lights.light(due)


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
