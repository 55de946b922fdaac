"""The demo's forty projects through the year: registered with their plans, each January's new annual plan,
starts and completions on the day they happen, and every month's completed investment (当月完成投资)
reported by the secretariat in the first week of the month after.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial

from coordination.domain.enums import ProjectKind
from coordination.domain.investment import YearMonth
from coordination.services import directory, projects
from coordination.services.demo_clock import Clock
from coordination.services.demo_district import PROJECTS, SECRETARIAT_HANDLE, ProjectSpec, leaders_of, specialists_of
from coordination.services.projects import ProjectFields
from coordination.uow import UnitOfWork

WAN = 10_000
_SEASON = (0.5, 0.45, 0.7, 0.95, 1.05, 1.1, 1.0, 0.95, 1.05, 1.15, 1.2, 1.3)  # by month: 春节, then the autumn rush


def _share(spec: ProjectSpec, offset: int) -> float:
    """The part of the total planned for the year `offset` (0 this year, -1 the last): none once done."""
    if spec.done is not None and spec.done[0] < offset:
        return 0.0
    if spec.start[0] > offset:
        return 0.0
    return {(-2, -1): 0.35, (-2, 0): 0.3, (-1, -1): 0.25, (-1, 0): 0.35}.get((spec.start[0], offset), 0.25)


def annual_plan(spec: ProjectSpec, offset: int) -> int | None:
    share = _share(spec, offset)
    return int(spec.total_wan * share) // 100 * 100 * WAN if share else None


class ProjectDesk:
    def __init__(self, clock: Clock, year: int) -> None:
        self.clock, self.rng, self.year = clock, clock.rng, year  # `year`: the demo's current year
        self.started: dict[str, date] = {}
        self.completed: dict[str, date] = {}
        self._plans: dict[tuple[str, int], int] = {}

    def register(self, moment: datetime) -> None:
        """Every project as the secretariat registers it before the history begins; those already under
        way are entered with their start (back-entered from the ledger)."""
        caller = self.clock.caller(SECRETARIAT_HANDLE, moment)
        for index, spec in enumerate(PROJECTS):
            began = date(self.year - 2, spec.start[1], 15) if spec.start[0] == -2 else None
            if began is not None:
                self.started[spec.code] = began
            plan = annual_plan(spec, -1)
            details = directory.InvestmentDetails(
                kind=spec.kind, total_investment_yuan=spec.total_wan * WAN, planned_start=spec.planned_start(self.year),
                actual_start=began, planned_completion=spec.planned_completion(self.year),
                planned_production=spec.planned_completion(self.year) if spec.kind is ProjectKind.INDUSTRY else None,
                in_stats=began is not None, plan_year=self.year - 1 if plan else None, annual_plan_yuan=plan)
            directory.add_project(UnitOfWork(self.clock.engine), caller=caller, code=spec.code, name=spec.name,
                                  level=spec.level, locality=spec.locality, lead_unit=spec.lead_unit,
                                  leaders=leaders_of(index), helpers=list(spec.helpers),
                                  specialists=specialists_of(index), details=details)
            if plan:
                self._plans[spec.code, self.year - 1] = plan

    def on_day(self, day: date) -> None:
        clock = self.clock
        if not clock.is_workday(day):
            return
        if day.year == self.year and day == clock.workday_on_or_after(date(self.year, 1, 4)):
            clock.push(clock.at(day, 10, 0), self._new_plans)
        if day == self._reporting_day(day):
            clock.push(clock.at(day, 14, 0), lambda: self._progress(day))
        for spec in PROJECTS:
            if self._starts_on(spec) == day:
                clock.push(clock.office_hours(day), partial(self._start, spec, day))
            if spec.done is not None and clock.workday_on_or_after(date(self.year + spec.done[0], spec.done[1], 20)) \
                    == day:
                clock.push(clock.office_hours(day), partial(self._complete, spec, day))

    def _reporting_day(self, day: date) -> date:
        """The fifth working day of the month: last month's figures are in by then."""
        return self.clock.calendar.add_working_days(date(day.year, day.month, 1) - timedelta(days=1), 5).day

    def _starts_on(self, spec: ProjectSpec) -> date | None:
        if spec.start[0] == -2 or spec.slips < 0:
            return None
        planned = spec.planned_start(self.year)
        month = planned.month - 1 + spec.slips
        return self.clock.workday_on_or_after(date(planned.year + month // 12, month % 12 + 1, 12))

    def _new_plans(self) -> None:
        """This year's annual plans (年度计划), as the district's plan is issued."""
        for spec in PROJECTS:
            plan = annual_plan(spec, 0)
            if plan:
                self._plans[spec.code, self.year] = plan
                projects.update_project(UnitOfWork(self.clock.engine), caller=self.clock.caller(
                    SECRETARIAT_HANDLE, self.clock.running), code=spec.code, wanted=ProjectFields(),
                    plan_year=self.year, annual_plan_yuan=plan)

    def _start(self, spec: ProjectSpec, day: date) -> None:
        self.started[spec.code] = day
        projects.update_project(UnitOfWork(self.clock.engine), caller=self.clock.caller(
            SECRETARIAT_HANDLE, self.clock.running), code=spec.code,
            wanted=ProjectFields(actual_start=day, in_stats=True))

    def _complete(self, spec: ProjectSpec, day: date) -> None:
        self.completed[spec.code] = day
        production = day if spec.kind is ProjectKind.INDUSTRY else None
        projects.update_project(UnitOfWork(self.clock.engine), caller=self.clock.caller(
            SECRETARIAT_HANDLE, self.clock.running), code=spec.code,
            wanted=ProjectFields(actual_completion=day, actual_production=production))

    def _progress(self, day: date) -> None:
        """Last month's completed investment of every project then under construction."""
        first = date(day.year, day.month, 1)
        last_day = first - timedelta(days=1)
        month = YearMonth(last_day.year, last_day.month)
        for spec in PROJECTS:
            began, done = self.started.get(spec.code), self.completed.get(spec.code)
            plan = self._plans.get((spec.code, month.year))
            ended = done is not None and done < last_day.replace(day=1)
            if began is None or began > last_day or plan is None or ended:
                continue
            amount = int(plan / 11 * _SEASON[month.month - 1] * self.rng.uniform(0.7, 1.25)) // (10 * WAN) * 10 * WAN
            if amount <= 0:
                continue
            projects.record_progress(UnitOfWork(self.clock.engine), caller=self.clock.caller(
                SECRETARIAT_HANDLE, self.clock.running), code=spec.code, month=month, completed_yuan=amount)
