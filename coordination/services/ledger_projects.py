"""Planning the 项目 and 投资进度 sheets of an import: what each row would create or change, checked
against the database and the importer's permissions; every problem found is an issue, nothing is written.

A project row is matched on 项目编号 (or a unique 项目名称); blank cells change nothing. A month of progress
is matched on 项目+月份 and recorded only by the secretariat, an admin or the project's own specialist.
"""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import select

from coordination.domain.enums import Role
from coordination.domain.errors import InvalidInput
from coordination.domain.hygiene import check_amount
from coordination.domain.investment import YearMonth
from coordination.domain.problem import Roster
from coordination.models import ProjectPlan, ProjectProgress
from coordination.services import directory, projects, settings
from coordination.services.ledger_names import NewProject, RowChecker, name_key
from coordination.services.ledger_reading import Sheet

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")


class ProjectRows(RowChecker):
    """The 项目 and 投资进度 sheets' checks."""

    _cap: int | None = None  # the setting amounts.max_yuan, read once


    def projects(self, sheet: Sheet) -> None:
        seen: dict[str, int] = {}
        may_change = bool(self.actor.roles & {Role.ADMIN, Role.SECRETARIAT})
        for row in sheet.rows:
            code = row.get("code")
            if code is None and row.get("name"):
                matches = self.dir.project_names.get(name_key(row.get("name")), [])
                code = matches[0] if len(matches) == 1 else None
            if code is None:
                self.issues.append(row.issue("code", "项目编号不能为空", "the project code is empty"))
                continue
            if not _CODE.match(code):
                self.issues.append(row.issue("code", f"项目编号“{code}”无效：只能用字母、数字、-、_、.，最长 40 位",
                                             f"invalid project code '{code}': letters, digits, - _ . only"))
                continue
            if code in seen:
                self.issues.append(row.issue("code", f"项目编号 {code} 与第 {seen[code]} 行重复",
                                             f"project code {code} repeats row {seen[code]}"))
                continue
            seen[code] = row.number
            errors_before = self.issues.errors
            leaders = self.people(row, "leaders", row.get("leaders"), {Role.LEADER.value, Role.PRINCIPAL.value},
                                  "区领导")
            specialists = self.people(row, "specialists", row.get("specialists"), {Role.SPECIALIST.value}, "项目专员")
            locality = self.unit(row, "locality", row.get("locality"))
            lead_unit = self.unit(row, "lead_unit", row.get("lead_unit"))
            helpers = self.units(row, "helpers", row.get("helpers"))
            wanted = projects.ProjectFields(
                name=row.get("name"), level=row.get("level"), kind=row.get("kind"),
                total_investment_yuan=row.get("total_investment"), planned_start=row.get("planned_start"),
                actual_start=row.get("actual_start"), planned_completion=row.get("planned_completion"),
                actual_completion=row.get("actual_completion"), planned_production=row.get("planned_production"),
                actual_production=row.get("actual_production"), in_stats=row.get("in_stats"),
                locality=locality, lead_unit=lead_unit,
                leaders=tuple(leaders) if leaders is not None else None,
                helpers=tuple(helpers) if helpers is not None else None,
                specialists=tuple(specialists) if specialists is not None else None)
            self._within_cap(row, ("total_investment", "annual_plan"))
            if self.issues.errors > errors_before:
                continue
            existing = self.dir.projects.get(code)
            dates = {n: getattr(wanted, n) or (getattr(existing, n) if existing else None)
                     for n in ("actual_start", "actual_completion", "actual_production")}
            try:
                projects.check_dates(code, dates)
            except InvalidInput as error:
                self.issues.append(row.issue("actual_completion", error.zh, error.en))
                continue
            annual = row.get("annual_plan")
            year = row.get("plan_year") or self.today.year
            if existing is None:
                missing = [sheet.spec.column(k).header for k, v in (
                    ("name", wanted.name), ("level", wanted.level), ("leaders", wanted.leaders),
                    ("locality", wanted.locality), ("lead_unit", wanted.lead_unit)) if not v]
                if missing:
                    self.issues.append(row.issue(None, f"新项目 {code} 缺少：{'、'.join(missing)}",
                                                 f"new project {code} lacks: {', '.join(missing)}"))
                    continue
                if not may_change:
                    self.issues.append(row.issue(None, f"{self.actor.handle} 无权登记项目 {code}",
                                                 f"{self.actor.handle} may not register projects", permission=True))
                    continue
                assert wanted.name and wanted.level and wanted.locality and wanted.lead_unit and wanted.leaders
                details = directory.InvestmentDetails(
                    kind=wanted.kind, total_investment_yuan=wanted.total_investment_yuan,
                    planned_start=wanted.planned_start, actual_start=wanted.actual_start,
                    planned_completion=wanted.planned_completion, actual_completion=wanted.actual_completion,
                    planned_production=wanted.planned_production, actual_production=wanted.actual_production,
                    in_stats=bool(wanted.in_stats))
                new = NewProject(row, code, wanted.name, wanted.level, wanted.locality, wanted.lead_unit,
                                  list(wanted.leaders), list(wanted.helpers or ()), list(wanted.specialists or ()),
                                  details)
                self.plan.new_projects.append(new)
                self.file_projects[code] = new
                self.rosters[code] = Roster(code, frozenset(new.leaders), frozenset(new.specialists),
                                            frozenset({new.locality, new.lead_unit, *new.helpers}))
                if annual is not None:
                    self.plan.plans.append((code, year, annual, None))
                continue
            changes = projects.changes_for(existing, projects.roster_of(self.session, code), wanted)
            plan_row = self.session.get(ProjectPlan, (code, year)) if annual is not None else None
            plan_changes = annual is not None and (plan_row is None or plan_row.planned_yuan != annual)
            if (changes or plan_changes) and not may_change:
                self.issues.append(row.issue(None, f"{self.actor.handle} 无权修改项目 {code}",
                                             f"{self.actor.handle} may not change projects", permission=True))
                continue
            if changes:
                self.plan.project_changes[code] = (row, changes)
            if plan_changes:
                assert annual is not None
                self.plan.plans.append((code, year, annual, plan_row.planned_yuan if plan_row else None))
            if not changes and not plan_changes:
                self.plan.unchanged += 1

    # ---- monthly progress --------------------------------------------------------------------

    def progress(self, sheet: Sheet) -> None:
        seen: dict[tuple[str, YearMonth], int] = {}
        this_month = YearMonth.of(self.today)
        existing = {(p.project, p.month): p for p in self.session.exec(select(ProjectProgress)).all()}
        allowed: dict[str, bool] = {}
        for row in sheet.rows:
            code = self.project_code(row)
            month, amount = row.get("month"), row.get("completed")
            if month is None and "month" not in row.failed:
                self.issues.append(row.issue("month", "月份不能为空", "the month is empty"))
            if amount is None and "completed" not in row.failed:
                self.issues.append(row.issue("completed", "当月完成投资不能为空", "the month's investment is empty"))
            if code is None or month is None or amount is None or self._within_cap(row, ("completed",)):
                continue
            if month > this_month:
                self.issues.append(row.issue("month", f"月份 {month} 尚未到来", f"month {month} has not begun"))
                continue
            if (code, month) in seen:
                self.issues.append(row.issue("month", f"项目 {code} 的 {month} 与第 {seen[code, month]} 行重复",
                                             f"{code} {month} repeats row {seen[code, month]}"))
                continue
            seen[code, month] = row.number
            note = row.get("note")
            current = existing.get((code, str(month)))
            if current is not None and current.completed_yuan == amount and (note is None or note == current.note):
                self.plan.unchanged += 1
                continue
            if code not in allowed:
                allowed[code] = self._may_record(code)
            if not allowed[code]:
                self.issues.append(row.issue(None, f"{self.actor.handle} 不是项目 {code} 的专员或专班办公室人员，"
                                                   "不能填报投资进度",
                                             f"{self.actor.handle} may not record progress of {code}",
                                             permission=True))
                continue
            self.plan.progress.append((code, month, amount, note, current.completed_yuan if current else None))

    def _within_cap(self, row: Any, keys: tuple[str, ...]) -> bool:
        """Whether an amount is above the setting amounts.max_yuan (a typing slip): each is the row's issue."""
        if self._cap is None:
            self._cap = settings.amount_cap(self.session)
        cap, above = self._cap, False
        for key in keys:
            if row.get(key) is not None:
                try:
                    check_amount(row.get(key), cap=cap, field_zh=row.headers.get(key, key), field_en=key)
                except InvalidInput as error:
                    self.issues.append(row.issue(key, error.zh, error.en))
                    above = True
        return above

    def _may_record(self, code: str) -> bool:
        if self.actor.roles & {Role.SECRETARIAT, Role.ADMIN}:
            return True
        roster = self._roster(code)
        return Role.SPECIALIST in self.actor.roles and self.actor.handle in roster.specialists

