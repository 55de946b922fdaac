"""The working-day calendar: the package's official years, years loaded by an admin, overrides."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from sqlmodel import Session, col, select

from coordination.domain.enums import Role
from coordination.domain.errors import InvalidInput
from coordination.domain.hygiene import check_day, clean_reason
from coordination.domain.workdays import ChosenDate, NonWorkingDay, WorkCalendar, YearSchedule, non_working_day
from coordination.models import CalendarOverride, CalendarYear, Problem
from coordination.services.common import Caller, load_actor, require_role
from coordination.services.snapshot import directory
from coordination.services.writer import append_event
from coordination.uow import UnitOfWork


@cache
def package_schedules() -> dict[int, YearSchedule]:
    """Every year the chinese-calendar package knows, as official schedules."""
    from chinese_calendar import constants

    years: dict[int, tuple[set[date], set[date]]] = {}
    for day in constants.holidays:
        years.setdefault(day.year, (set(), set()))[0].add(day)
    for day in constants.workdays:
        if day.weekday() >= 5:  # the package lists only make-up days here, but be strict
            years.setdefault(day.year, (set(), set()))[1].add(day)
    return {
        year: YearSchedule(year, frozenset(off), frozenset(on), source="package")
        for year, (off, on) in years.items()
    }


def work_calendar(session: Session) -> WorkCalendar:
    """The working-day calendar as the session sees it (cached with the directory)."""
    return directory(session).calendar


@dataclass(frozen=True)
class YearView:
    year: int
    known: bool
    source: str | None
    holidays: list[date]
    workdays: list[date]
    overrides: dict[date, bool]
    working_days: int
    recomputed: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "year": self.year,
            "known": self.known,
            "source": self.source,
            "holidays": [d.isoformat() for d in self.holidays],
            "workdays": [d.isoformat() for d in self.workdays],
            "overrides": {d.isoformat(): v for d, v in sorted(self.overrides.items())},
            "working_days": self.working_days,
            "recomputed": self.recomputed,
        }


def _year_view(calendar: WorkCalendar, year: int, recomputed: list[str] | None = None) -> YearView:
    schedule = calendar.schedules.get(year)
    first, last = date(year, 1, 1), date(year, 12, 31)
    return YearView(
        year=year,
        known=schedule is not None,
        source=schedule.source if schedule else None,
        holidays=sorted(schedule.holidays) if schedule else [],
        workdays=sorted(schedule.workdays) if schedule else [],
        overrides={d: v for d, v in calendar.overrides.items() if d.year == year},
        working_days=calendar.working_days_between(first, last) + int(calendar.is_workday(first)),
        recomputed=recomputed or [],
    )


def show_year(uow: UnitOfWork, *, year: int) -> YearView:
    """The official schedule in force for `year`, or that it is not loaded yet."""
    with uow:
        return _year_view(work_calendar(uow.session), year)


def load_year(
    uow: UnitOfWork, *, caller: Caller, year: int, holidays: list[date], workdays: list[date]
) -> YearView:
    """Store the State Council's schedule for `year` and firm up every provisional due date."""
    from coordination.services.issues import recompute_due_dates

    if not 2000 <= year <= 2100:
        raise InvalidInput(f"年份 {year} 不在 2000–2100 之间", f"year {year} is outside 2000–2100")
    stray = [d for d in (*holidays, *workdays) if d.year != year]
    if stray:
        raise InvalidInput(f"日期 {stray[0]} 不属于 {year} 年", f"date {stray[0]} is not in {year}")
    weekday_workdays = [d for d in workdays if d.weekday() < 5]
    if weekday_workdays:
        raise InvalidInput(f"调休上班日 {weekday_workdays[0]} 本来就是工作日（应为周六或周日）",
                           f"make-up working day {weekday_workdays[0]} is already a weekday")
    both = sorted(set(holidays) & set(workdays))
    if both:
        raise InvalidInput(f"{both[0]} 不能既是假日又是调休上班日",
                           f"{both[0]} cannot be both a holiday and a working day")
    if not holidays:
        raise InvalidInput("至少需要一个法定节假日（--holidays）", "at least one holiday is needed (--holidays)")
    with uow:
        session = uow.session
        actor = load_actor(session, caller.handle, caller)
        require_role(actor, Role.ADMIN, zh="加载法定节假日", en="load the official calendar")
        existing = session.get(CalendarYear, year)
        record = existing or CalendarYear(year=year, holidays="[]", workdays="[]",
                                          loaded_by=caller.handle, loaded_at=caller.now)
        record.holidays = json.dumps([d.isoformat() for d in sorted(set(holidays))])
        record.workdays = json.dumps([d.isoformat() for d in sorted(set(workdays))])
        record.loaded_by, record.loaded_at = caller.handle, caller.now
        session.add(record)
        append_event(
            session, stream_type="calendar", stream_id=str(year), action="calendar_load", caller=caller,
            changes={"holidays": sorted(set(holidays)), "workdays": sorted(set(workdays))},
            reason="replaced" if existing else None,
        )
        session.flush()
        calendar = work_calendar(session)
        recomputed = recompute_due_dates(session, caller=caller, actor=actor, calendar=calendar)
        uow.commit()
        return _year_view(calendar, year, recomputed)


def set_override(uow: UnitOfWork, *, caller: Caller, day: date, is_workday: bool, reason: str) -> YearView:
    """A local exception to the official calendar (e.g. a district-wide day off)."""
    check_day(day, option="DATE")
    cleaned = clean_reason(reason)
    if cleaned is None:
        raise InvalidInput("本地调整需要说明原因（--reason）", "an override needs a reason (--reason)")
    reason = cleaned
    with uow:
        session = uow.session
        actor = load_actor(session, caller.handle, caller)
        require_role(actor, Role.ADMIN, zh="调整工作日历", en="change the calendar")
        override = session.get(CalendarOverride, day) or CalendarOverride(day=day, is_workday=is_workday,
                                                                          reason=reason)
        override.is_workday, override.reason = is_workday, reason
        session.add(override)
        append_event(session, stream_type="calendar", stream_id=str(day.year), action="calendar_override",
                     caller=caller, changes={"day": day, "is_workday": is_workday}, reason=reason)
        uow.commit()
        return _year_view(work_calendar(session), day.year)


def non_working_day_of(uow: UnitOfWork, day: date, chosen: ChosenDate, *,
                       earliest: date | None = None) -> NonWorkingDay | None:
    """Whether a date someone chose falls on a day off, on the calendar in force (official schedule and
    the district's overrides): read before the write that would save it."""
    with uow:
        return non_working_day(work_calendar(uow.session), day, chosen, earliest=earliest)


def provisional_problem_ids(session: Session) -> list[str]:
    return list(session.exec(select(Problem.id).where(col(Problem.due_provisional).is_(True))).all())

