"""Writing ledgers: the empty template (with the registered units and people when a database is at hand)
and the export of everything coord holds in the template's form, so that importing it changes nothing.

The export also carries sheets for the other kinds of tracked work (ledger_kinds.py) for people to read;
the import skips them (domain/ledger.py EXPORT_ONLY_SHEETS).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from coordination.domain.enums import Level, ProjectKind, ProjectLevel, Role, State, UnitKind
from coordination.domain.errors import InvalidInput
from coordination.domain.investment import amount_decimal
from coordination.domain.labels import label
from coordination.models import Person, PersonRole, Problem, ProjectPlan, ProjectProgress, Unit
from coordination.services import issues, projects
from coordination.services.calendar import work_calendar
from coordination.services.ledger_indicators import export_indicator_rows
from coordination.services.ledger_kinds import reading_rows
from coordination.services.ledger_names import LedgerNames
from coordination.uow import UnitOfWork


@dataclass(frozen=True)
class WrittenLedger:
    file: str
    projects: int
    progress: int
    problems: int
    year: int | None
    indicators: int = 0  # months of indicators (the 指标 sheet)
    readings: dict[str, int] = field(default_factory=dict)  # reading sheet's title → its rows (export only)

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "projects": self.projects, "progress": self.progress, "problems": self.problems,
                "year": self.year, "indicators": self.indicators, "readings": self.readings}


def _target(path: Path, overwrite: bool) -> None:
    if path.suffix.lower() != ".xlsx":
        raise InvalidInput(f"台账文件须以 .xlsx 结尾：{path.name}", f"the ledger file must end in .xlsx: {path.name}")
    if path.exists() and not overwrite:
        raise InvalidInput(f"文件 {path} 已存在：加 --force 覆盖", f"{path} exists: add --force to overwrite it")


def _reference_lists(session: Session) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str, str]]]:
    units = [(u.code, u.name, label(UnitKind(u.kind)))
             for u in session.exec(select(Unit).where(col(Unit.active).is_(True)).order_by(col(Unit.code))).all()]
    roles: dict[str, list[str]] = {}
    for handle, role in session.exec(select(PersonRole.handle, PersonRole.role)).all():
        roles.setdefault(handle, []).append(label(Role(role)))
    people = [(p.handle, p.name, p.unit or "", "、".join(sorted(roles.get(p.handle, []))))
              for p in session.exec(select(Person).where(col(Person.active).is_(True), Person.handle != "system")
                                    .order_by(col(Person.handle))).all()]
    return units, people


def write_template(uow: UnitOfWork | None, *, path: Path, overwrite: bool = False) -> WrittenLedger:
    """An empty ledger: header notes, drop-down lists, and the registered units and people when a
    database is at hand (`uow`)."""
    from coordination.render.xlsx import LedgerBook, ledger_workbook, save_workbook

    _target(path, overwrite)
    units: list[tuple[str, str, str]] = []
    people: list[tuple[str, str, str, str]] = []
    if uow is not None:
        with uow:
            units, people = _reference_lists(uow.session)
    save_workbook(ledger_workbook(LedgerBook(units=units, people=people)), path)
    return WrittenLedger(path.name, 0, 0, 0, None)


def export_ledger(
    uow: UnitOfWork, *, path: Path, today: date, year: int | None = None, overwrite: bool = False
) -> WrittenLedger:
    """Every project (with the annual plan of `year`), every month of progress and every problem,
    in the template's form: importing the file again changes nothing. The other kinds of tracked work
    follow in their reading sheets, which the import skips."""
    from coordination.render.xlsx import LedgerBook, ledger_workbook, save_workbook

    _target(path, overwrite)
    year = year or today.year
    with uow:
        session = uow.session
        names = LedgerNames(session)
        plans = {(p.project, p.year): p.planned_yuan for p in session.exec(select(ProjectPlan)).all()}
        project_rows = []
        for project in sorted(names.projects.values(), key=lambda p: p.code):
            roster = projects.roster_of(session, project.code)
            planned = plans.get((project.code, year))
            project_rows.append({
                "code": project.code, "name": project.name, "level": label(ProjectLevel(project.level)),
                "kind": label(ProjectKind(project.kind)) if project.kind else None,
                "total_investment": _wan(project.total_investment_yuan),
                "plan_year": year if planned is not None else None, "annual_plan": _wan(planned),
                **{name: getattr(project, name) for name in (
                    "planned_start", "actual_start", "planned_completion", "actual_completion",
                    "planned_production", "actual_production")},
                "in_stats": "是" if project.in_stats else "否",
                "leaders": [names.person_ref(h) for h in roster["leaders"]],
                "locality": names.unit_ref(project.locality), "lead_unit": names.unit_ref(project.lead_unit),
                "helpers": [names.unit_ref(u) for u in roster["helpers"]],
                "specialists": [names.person_ref(h) for h in roster["specialists"]],
            })
        progress_rows = [
            {"project": p.project, "project_name": names.project_ref(p.project), "month": p.month,
             "completed": _wan(p.completed_yuan), "note": p.note}
            for p in session.exec(select(ProjectProgress).order_by(col(ProjectProgress.project),
                                                                   col(ProjectProgress.month))).all()]
        calendar = work_calendar(session)
        problem_rows = []
        for row in session.exec(select(Problem).order_by(col(Problem.id))).all():
            light = issues.view_of(row, calendar, today).light
            problem_rows.append({
                "id": row.id, "project": row.project, "project_name": names.project_ref(row.project),
                "title": row.title, "category": row.category, "detail": row.detail,
                "lead_unit": names.unit_ref(row.lead_unit) if row.lead_unit else None,
                "co_units": [names.unit_ref(u) for u in json.loads(row.co_units)], "difficulty": row.difficulty,
                "assigned_on": row.assigned_on, "due_date": row.due_date, "state": label(State(row.state)),
                "raised_by": names.person_ref(row.raised_by), "raised_on": row.raised_on,
                "level": label(Level(row.level)).split(" ")[0], "light": label(light) if light else None,
            })
        units, people = _reference_lists(session)
        indicator_rows = export_indicator_rows(session)
        unit_refs = {code: names.unit_ref(code) for code in names.units}
        project_names = {code: names.project_ref(code) for code in names.projects}
    readings = reading_rows(uow, today=today, units=unit_refs, project_names=project_names)
    book = LedgerBook(projects=project_rows, progress=progress_rows, problems=problem_rows, units=units, people=people,
                      indicators=indicator_rows, readings=readings,
                      extra_guide=("", f"导出日期 {today}；项目表的年度计划投资为 {year} 年。"))
    save_workbook(ledger_workbook(book), path)
    return WrittenLedger(path.name, len(project_rows), len(progress_rows), len(problem_rows), year, len(indicator_rows),
                         {sheet.title: len(rows) for sheet, rows in readings})


def _wan(yuan: int | None) -> Any:
    return None if yuan is None else amount_decimal(yuan)
