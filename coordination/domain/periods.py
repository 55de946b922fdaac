"""Report periods: ISO weeks, months, quarters and years in the district's calendar."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from coordination.domain.errors import InvalidInput
from coordination.domain.hygiene import check_year


class Cadence(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"


@dataclass(frozen=True)
class Period:
    """Calendar dates [first, last], both inclusive, named like 2024-W15, 2024-04, 2024Q2, 2024."""

    cadence: Cadence
    name: str
    first: date
    last: date

    def previous(self) -> Period:
        return period_containing(self.cadence, self.first - timedelta(days=1))

    def zh(self) -> str:
        match self.cadence:
            case Cadence.WEEKLY:
                year, week, _ = self.first.isocalendar()
                span = f"{self.first.month}月{self.first.day}日—{self.last.month}月{self.last.day}日"
                return f"{year}年第{week}周（{span}）"
            case Cadence.MONTHLY:
                return f"{self.first.year}年{self.first.month}月"
            case Cadence.QUARTERLY:
                return f"{self.first.year}年第{(self.first.month - 1) // 3 + 1}季度"
            case Cadence.ANNUAL:
                return f"{self.first.year}年"


def period_containing(cadence: Cadence, day: date) -> Period:
    match cadence:
        case Cadence.WEEKLY:
            year, week, weekday = day.isocalendar()
            first = day - timedelta(days=weekday - 1)
            return Period(cadence, f"{year}-W{week:02d}", first, first + timedelta(days=6))
        case Cadence.MONTHLY:
            first = day.replace(day=1)
            following = (first + timedelta(days=32)).replace(day=1)
            return Period(cadence, f"{day.year}-{day.month:02d}", first, following - timedelta(days=1))
        case Cadence.QUARTERLY:
            quarter = (day.month - 1) // 3 + 1
            first = date(day.year, 3 * quarter - 2, 1)
            following = date(day.year + 1, 1, 1) if quarter == 4 else date(day.year, 3 * quarter + 1, 1)
            return Period(cadence, f"{day.year}Q{quarter}", first, following - timedelta(days=1))
        case Cadence.ANNUAL:
            return Period(cadence, str(day.year), date(day.year, 1, 1), date(day.year, 12, 31))


def last_complete(cadence: Cadence, today: date) -> Period:
    """The most recent period that has fully ended before `today`."""
    return period_containing(cadence, today).previous()


_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})$")


def parse_period(cadence: Cadence, text: str) -> Period:
    """Parse 2024-W15 / 2024-04 / 2024Q2 / 2024 for the cadence asked for."""
    cleaned = text.strip()
    year = re.match(r"\d{4}", cleaned)
    if year:
        check_year(int(year[0]))  # 9999-12 would end in year 10000
    try:
        match cadence:
            case Cadence.WEEKLY:
                found = _WEEK.match(cleaned)
                if found:
                    monday = date.fromisocalendar(int(found[1]), int(found[2]), 1)
                    return period_containing(cadence, monday)
            case Cadence.MONTHLY:
                found = _MONTH.match(cleaned)
                if found:
                    return period_containing(cadence, date(int(found[1]), int(found[2]), 1))
            case Cadence.QUARTERLY:
                found = _QUARTER.match(cleaned)
                if found:
                    return period_containing(cadence, date(int(found[1]), 3 * int(found[2]) - 2, 1))
            case Cadence.ANNUAL:
                found = _YEAR.match(cleaned)
                if found:
                    return period_containing(cadence, date(int(found[1]), 1, 1))
    except ValueError:
        pass
    examples = {Cadence.WEEKLY: "2024-W15", Cadence.MONTHLY: "2024-04", Cadence.QUARTERLY: "2024Q2",
                Cadence.ANNUAL: "2024"}
    raise InvalidInput(f"无法识别的报告期 {text}（例如 {examples[cadence]}）",
                       f"unrecognised period {text} (e.g. {examples[cadence]})")


def trailing(period: Period, count: int) -> list[Period]:
    """`count` periods ending with `period`, oldest first."""
    periods = [period]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return list(reversed(periods))
