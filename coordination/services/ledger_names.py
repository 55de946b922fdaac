"""What an import knows and plans: the directory as the ledger names it, the plan of the changes, and
RowChecker, the state every planner shares (issues, plan, rosters) with its name resolving.

Units and people are written by code/handle or by name; a name must be unique (else the code is asked
for), registered and active. ProjectRows (ledger_projects.py) and ProblemRows (ledger_problems.py) build
on RowChecker; services/ledger.py joins them into the import's planner.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, select

from coordination.domain.enums import ProjectLevel
from coordination.domain.investment import YearMonth, clean_text
from coordination.domain.problem import Actor, Roster, new_problem
from coordination.models import Person, PersonRole, Problem, Project, Unit
from coordination.services import directory, problem_changes
from coordination.services.calendar import work_calendar
from coordination.services.common import Caller
from coordination.services.ledger_reading import Book, Issues, Progress, Row


class LedgerNames:
    """Units and people by code/handle and by name; projects by code and by name."""

    def __init__(self, session: Session) -> None:
        self.units = {u.code: u for u in session.exec(select(Unit)).all()}
        self.people = {p.handle: p for p in session.exec(select(Person)).all()}
        self.roles: dict[str, set[str]] = {}
        for handle, role in session.exec(select(PersonRole.handle, PersonRole.role)).all():
            self.roles.setdefault(handle, set()).add(role)
        self.unit_names = by_name((u.name, u.code) for u in self.units.values())
        self.person_names = by_name((p.name, p.handle) for p in self.people.values())
        self.projects = {p.code: p for p in session.exec(select(Project)).all()}
        self.project_names = by_name((p.name, p.code) for p in self.projects.values())

    def unit_ref(self, code: str) -> str:
        """How the ledger names a unit: its full name when that name is unique, else its code."""
        unit = self.units.get(code)
        if unit is None:
            return code
        return unit.name if self.unit_names.get(name_key(unit.name)) == [code] and unit.name not in self.units else code

    def person_ref(self, handle: str) -> str:
        person = self.people.get(handle)
        if person is None:
            return handle
        unique = self.person_names.get(name_key(person.name)) == [handle] and person.name not in self.people
        return person.name if unique else handle

    def project_ref(self, code: str) -> str:
        project = self.projects.get(code)
        return project.name if project is not None else code


def name_key(name: str) -> str:
    return re.sub(r"\s+", "", clean_text(name))


def by_name(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, code in pairs:
        found.setdefault(name_key(name), []).append(code)
    return found


# ---- the plan of an import -----------------------------------------------------------------


@dataclass
class NewProject:
    row: Row
    code: str
    name: str
    level: ProjectLevel
    locality: str
    lead_unit: str
    leaders: list[str]
    helpers: list[str]
    specialists: list[str]
    details: directory.InvestmentDetails


@dataclass(slots=True)
class NewProblem:
    """A problem the import raises, held small (an import may raise 200,000): new_problem's inputs as
    checked, its fields made again when written."""

    sheet: str
    number: int  # the row
    project: str
    title: str
    category: str
    detail: str | None
    raised_by: str
    raised_on: date
    assign: dict[str, Any] | None  # as plan(ASSIGN) made them

    def fields(self) -> dict[str, Any]:
        return new_problem(project=self.project, title=self.title, category=self.category, detail=self.detail,
                           raised_by=self.raised_by, today=self.raised_on)


@dataclass
class Assignment:
    row: Row
    problem: Problem
    changes: dict[str, Any]


@dataclass
class ImportPlan:
    new_projects: list[NewProject] = field(default_factory=list)
    project_changes: dict[str, tuple[Row, dict[str, Any]]] = field(default_factory=dict)
    plans: list[tuple[str, int, int, int | None]] = field(default_factory=list)  # code, year, 元, previous
    progress: list[tuple[str, YearMonth, int, str | None, int | None]] = field(default_factory=list)  # …, previous
    new_problems: list[NewProblem] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    unchanged: int = 0


class RowChecker:
    """The state an import's planners share, and how they resolve the names a row gives."""

    def __init__(self, session: Session, caller: Caller, actor: Actor, book: Book,
                 progress: Progress | None = None) -> None:
        self.progress_cb = progress
        self.session = session
        self.caller = caller
        self.actor = actor
        self.book = book
        self.issues: Issues = book.issues  # the reader's too: rows are read as they are checked
        self.dir = LedgerNames(session)
        self.plan = ImportPlan()
        self.file_projects: dict[str, NewProject] = {}
        self.rosters: dict[str, Roster] = {}
        self.calendar = work_calendar(session)
        self.today = caller.today

    # ---- resolving names ---------------------------------------------------------------------

    def unit(self, row: Row, key: str, ref: str | None) -> str | None:
        if ref is None:
            return None
        if ref in self.dir.units:
            code = ref
        else:
            codes = self.dir.unit_names.get(name_key(ref), [])
            if len(codes) > 1:
                self.issues.append(row.issue(key, f"单位名称“{ref}”对应多个单位（{'、'.join(codes)}），请写单位代码",
                                             f"unit name '{ref}' matches several units ({', '.join(codes)}); "
                                             "use the code"))
                return None
            if not codes:
                self.issues.append(row.issue(key, f"单位“{ref}”未登记：请先用 coord unit add 登记，"
                                                  "或改写为已登记的单位代码/全称",
                                             f"unit '{ref}' is not registered: add it with coord unit add, or use "
                                             "a registered code or full name"))
                return None
            code = codes[0]
        if not self.dir.units[code].active:
            self.issues.append(row.issue(key, f"单位 {ref} 已停用", f"unit {ref} is inactive"))
            return None
        return code

    def units(self, row: Row, key: str, refs: list[str] | None) -> list[str] | None:
        if refs is None:
            return None
        codes = [self.unit(row, key, r) for r in refs]
        return None if any(c is None for c in codes) else sorted({c for c in codes if c})

    def person(self, row: Row, key: str, ref: str | None, roles: set[str] | None = None,
               role_zh: str = "") -> str | None:
        if ref is None:
            return None
        if ref in self.dir.people:
            handle = ref
        else:
            handles = self.dir.person_names.get(name_key(ref), [])
            if roles is not None and len(handles) > 1:
                handles = [h for h in handles if self.dir.roles.get(h, set()) & roles] or handles
            if len(handles) > 1:
                self.issues.append(row.issue(key, f"姓名“{ref}”对应多人（{'、'.join(handles)}），请写账号",
                                             f"name '{ref}' matches several people ({', '.join(handles)}); "
                                             "use the handle"))
                return None
            if not handles:
                self.issues.append(row.issue(key, f"人员“{ref}”未登记：请先用 coord person add 登记，或写账号",
                                             f"person '{ref}' is not registered: add them with coord person add, "
                                             "or use the handle"))
                return None
            handle = handles[0]
        if not self.dir.people[handle].active:
            self.issues.append(row.issue(key, f"人员 {ref} 已停用", f"person {ref} is inactive"))
            return None
        if roles is not None and not self.dir.roles.get(handle, set()) & roles:
            self.issues.append(row.issue(key, f"{ref} 不是{role_zh}，不能列入项目名单",
                                         f"{ref} does not hold the role needed on the roster here"))
            return None
        return handle

    def people(self, row: Row, key: str, refs: list[str] | None, roles: set[str], role_zh: str) -> list[str] | None:
        if refs is None:
            return None
        handles = [self.person(row, key, r, roles, role_zh) for r in refs]
        return None if any(h is None for h in handles) else sorted({h for h in handles if h})

    def project_code(self, row: Row) -> str | None:
        code, name = row.get("project"), row.get("project_name")
        if code:
            if code in self.dir.projects or code in self.file_projects:
                return str(code)
            self.issues.append(row.issue("project", f"项目 {code} 不存在（项目表中也没有）",
                                         f"project {code} does not exist (nor in the 项目 sheet)"))
            return None
        if name:
            wanted = name_key(name)
            codes = self.dir.project_names.get(wanted, []) + [
                c for c, p in self.file_projects.items() if name_key(p.name) == wanted and c not in self.dir.projects]
            if len(codes) == 1:
                return codes[0]
            zh = f"项目名称“{name}”对应多个项目（{'、'.join(codes)}），请填写项目编号" if codes else \
                f"项目“{name}”不存在：请填写项目编号，或先在项目表中登记"
            en = f"project name '{name}' matches several projects; give the code" if codes else \
                f"project '{name}' not found: give its code or add it in the 项目 sheet"
            self.issues.append(row.issue("project_name", zh, en))
            return None
        self.issues.append(row.issue("project", "项目编号和项目名称都为空", "neither project code nor name given"))
        return None

    def _roster(self, code: str) -> Roster:
        if code not in self.rosters:
            self.rosters[code] = problem_changes.load_roster(self.session, code)
        return self.rosters[code]

