"""What recording and revoking an upward report (对上汇报) write, and how a year's reports count by week.

Pure, like `domain/filing.py`. The unit scope is the reporting unit (`lead_unit`). The weekly count is
the rule the annual report's "每周至少汇报××次" reads: the ISO weeks (Monday to Sunday) of the year,
each counting the reports made on its days within the year; only a complete week — all seven days in
the year and over by the day counted to — judges the fewest, so neither a week split by New Year nor
the week still under way shows a shortfall it may not have.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from coordination.domain.errors import InvalidInput
from coordination.domain.hygiene import OFFICE_MAX, TITLE_MAX, required_text
from coordination.domain.periods import Cadence, period_containing
from coordination.domain.upward_report_workflow import UPWARD_REPORT_TRANSITIONS, UpwardReportAction, UpwardReportState

TO_OFFICE_MAX = OFFICE_MAX
TOPIC_MAX = TITLE_MAX
EARLIEST = date(2000, 1, 1)  # no record reaches back further than the district's own


def _text(text: str, what_zh: str, what_en: str, option: str, most: int) -> str:
    return required_text(text, field_zh=what_zh, field_en=what_en, option=option, max_len=most)


def check_reported_on(day: date, today: date) -> date:
    """A report is recorded once made: not on a day still to come, nor before 2000."""
    if day > today:
        raise InvalidInput(f"汇报日期 {day} 不能晚于今天 {today}（--date）",
                           f"the report's date {day} cannot be after today {today} (--date)")
    if day < EARLIEST:
        raise InvalidInput(f"汇报日期 {day} 不能早于 {EARLIEST}（--date）",
                           f"the report's date {day} cannot be before {EARLIEST} (--date)")
    return day


def new_upward_report(*, to_office: str, topic: str, reported_on: date, lead_unit: str, recorded_by: str,
                      today: date) -> dict[str, Any]:
    """The fields of a report just recorded (its number is taken by the service, after every check)."""
    return {
        "to_office": _text(to_office, "汇报对象", "the office", "--to", TO_OFFICE_MAX),
        "reported_on": check_reported_on(reported_on, today),
        "topic": _text(topic, "汇报事项", "the topic", "--topic", TOPIC_MAX),
        "state": UpwardReportState.RECORDED,
        "lead_unit": lead_unit,
        "recorded_by": recorded_by,
        "recorded_on": today,
        "revoked_on": None,
    }


def revoke_changes(today: date) -> dict[str, Any]:
    """The fields a revocation changes (its reason is the event's, checked by `authority.required_reason`)."""
    target = UPWARD_REPORT_TRANSITIONS[UpwardReportAction.REVOKE].target
    assert target is not None
    return {"state": target, "revoked_on": today}


def check_year(year: int, until: date) -> int:
    """A year whose weeks can be counted: from 2000 to the year of `until`."""
    if not EARLIEST.year <= year <= until.year:
        raise InvalidInput(f"年份 {year} 须在 {EARLIEST.year} 至 {until.year} 之间（--year）",
                           f"the year {year} must be from {EARLIEST.year} to {until.year} (--year)")
    return year


@dataclass(frozen=True)
class WeekCount:
    """One ISO week of the year: its name (2026-W48), its Monday and Sunday, its reports, and whether it
    is complete (all seven days in the year, and over)."""

    week: str
    first: date
    last: date
    reports: int
    complete: bool

    def to_json(self) -> dict[str, Any]:
        return {"week": self.week, "first": self.first.isoformat(), "last": self.last.isoformat(),
                "reports": self.reports, "complete": self.complete}


@dataclass(frozen=True)
class WeeklyCounts:
    year: int
    until: date
    weeks: tuple[WeekCount, ...]

    @property
    def total(self) -> int:
        return sum(w.reports for w in self.weeks)

    @property
    def fewest(self) -> int | None:
        """The fewest reports in any complete week; None before the year's first complete week is over."""
        complete = [w.reports for w in self.weeks if w.complete]
        return min(complete) if complete else None

    @property
    def weeks_without(self) -> tuple[str, ...]:
        """The complete weeks with no report."""
        return tuple(w.week for w in self.weeks if w.complete and w.reports == 0)

    def to_json(self) -> dict[str, Any]:
        return {"year": self.year, "until": self.until.isoformat(), "total": self.total, "fewest": self.fewest,
                "weeks_without": list(self.weeks_without), "weeks": [w.to_json() for w in self.weeks]}


def count_weeks(days: Iterable[date], *, year: int, until: date) -> WeeklyCounts:
    """The reports made on `days` counted by ISO week, for every week of `year` begun by `until`."""
    start, end = date(year, 1, 1), min(date(year, 12, 31), until)
    per_week = Counter(period_containing(Cadence.WEEKLY, d).name for d in days if start <= d <= end)
    weeks: list[WeekCount] = []
    monday = period_containing(Cadence.WEEKLY, start).first
    while start <= end and monday <= end:
        week = period_containing(Cadence.WEEKLY, monday)
        complete = week.first >= start and week.last <= end
        weeks.append(WeekCount(week.name, week.first, week.last, per_week[week.name], complete))
        monday += timedelta(days=7)
    return WeeklyCounts(year, until, tuple(weeks))
