"""The Excel ledger (台账): an empty template, import, and export back to the same template.

Import reads the whole workbook, checks every row against the template and the database, and writes
nothing unless the whole file is valid; then it writes everything in one transaction, each change
with its audit event (origin `import:<file>`, or the flow run's id). Rows are matched on natural keys
(项目编号; 项目+月份; 问题编号, else 项目+问题标题), so importing the same file twice changes nothing and
an updated ledger changes only what differs.

What a ledger may change: projects (any field, roster, annual plan), monthly progress, new problems
(raised, and assigned when a 责任单位 is named), and the assignment of a problem still `submitted`.
It never moves an existing problem through its life: where the ledger's state, unit or deadline
differs from coord's, the import reports a warning and leaves the problem alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError

from coordination.domain.errors import Conflict
from coordination.domain.ledger import INDICATORS, PROBLEMS, PROGRESS, PROJECTS
from coordination.services.common import Caller, load_actor
from coordination.services.ledger_export import WrittenLedger, export_ledger, write_template
from coordination.services.ledger_indicators import plan_indicator_rows, write_indicator_rows
from coordination.services.ledger_problems import ProblemRows
from coordination.services.ledger_projects import ProjectRows
from coordination.services.ledger_reading import (
    REFERENCE_SHEETS,
    Book,
    LedgerInvalid,
    LedgerIssue,
    LedgerNotPermitted,
    Progress,
)
from coordination.services.ledger_sheets import open_workbook
from coordination.services.ledger_writing import ASSIGN_REASON, write_plan
from coordination.uow import UnitOfWork

# The modules behind this one, by responsibility: ledger_sheets (reading the workbook in bounded memory),
# ledger_reading (rows, cells and issues),
# ledger_names (the directory, the plan, name resolving), ledger_projects / ledger_problems /
# ledger_indicators (checking each sheet's rows), ledger_writing (the plan's writes), ledger_export
# (template and export, with ledger_kinds' sheets). What callers use is importable from here.
__all__ = [
    "ASSIGN_REASON",
    "REFERENCE_SHEETS",
    "ImportResult",
    "LedgerInvalid",
    "LedgerIssue",
    "LedgerNotPermitted",
    "Progress",
    "WrittenLedger",
    "export_ledger",
    "import_ledger",
    "import_origin",
    "open_workbook",
    "write_template",
]


def import_origin(path: Path) -> str:
    """The origin the audit events of a command-line import carry: `import:<file name>`."""
    return f"import:{path.name}"[:80]


@dataclass(frozen=True)
class ImportResult:
    file: str
    origin: str
    dry_run: bool
    sheets: dict[str, str]  # sheet name → projects | progress | problems
    ignored_sheets: list[str]
    rows: int
    projects_created: list[str]
    projects_updated: list[str]
    plans_changed: int
    progress_changed: int
    problems_raised: list[str]
    problems_assigned: list[str]
    unchanged_rows: int
    events: int
    warnings: list[LedgerIssue]
    indicator_values: int = 0  # months of indicators recorded from the 指标 sheet

    @property
    def changed(self) -> bool:
        return self.events > 0

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "origin": self.origin, "dry_run": self.dry_run, "changed": self.changed,
                "sheets": self.sheets, "ignored_sheets": self.ignored_sheets, "rows": self.rows,
                "projects_created": self.projects_created, "projects_updated": self.projects_updated,
                "plans_changed": self.plans_changed, "progress_changed": self.progress_changed,
                "problems_raised": self.problems_raised, "problems_assigned": self.problems_assigned,
                "unchanged_rows": self.unchanged_rows, "events": self.events,
                "warnings": [w.to_json() for w in self.warnings], "indicator_values": self.indicator_values}


class _Planner(ProjectRows, ProblemRows):
    """Checks every row against the database and works out what the import would change."""


def import_ledger(
    uow: UnitOfWork,
    *,
    caller: Caller,
    path: Path,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import projects, monthly progress and problems from a ledger workbook, all or nothing.

    Every bad row is reported (sheet, row, column, reason) in one LedgerInvalid and nothing is
    written; otherwise everything is written in one transaction, audited with `caller.origin`.
    """
    with open_workbook(path, progress) as book:  # rows are read as the planners check them
        return _import(uow, caller, book, dry_run, progress)


def _import(uow: UnitOfWork, caller: Caller, book: Book, dry_run: bool, progress: Progress | None) -> ImportResult:
    with uow:
        session = uow.session
        actor = load_actor(session, caller.handle, caller)
        planner = _Planner(session, caller, actor, book, progress)
        for sheet in book.sheets:
            if sheet.spec is PROJECTS:
                planner.projects(sheet)
        for sheet in book.sheets:
            if sheet.spec is PROGRESS:
                planner.progress(sheet)
        planner.problems([s for s in book.sheets if s.spec is PROBLEMS])
        indicator_plan = plan_indicator_rows(session, caller, actor, (r for s in book.sheets if s.spec is INDICATORS
                                                                      for r in s.rows), planner.issues)
        errors = [i for i in planner.issues if not i.warning]
        if errors:
            if all(i.permission for i in errors):
                raise LedgerNotPermitted(book.file, planner.issues)
            raise LedgerInvalid(book.file, planner.issues)
        work = planner.plan
        raised: list[str] = []
        assigned: list[str] = []
        count = 0
        if not dry_run:
            raised, assigned, count = write_plan(session, caller, work, progress)
            count += write_indicator_rows(session, caller, actor, indicator_plan)
            try:
                uow.commit()
            except IntegrityError as exc:
                raise Conflict("导入时数据被他人同时修改，本次导入未生效，请重试",
                               "the data changed during the import; nothing was applied, try again") from exc
        else:
            count = (len(work.new_projects) + len(work.project_changes) + len(work.plans) + len(work.progress)
                     + sum(2 if n.assign else 1 for n in work.new_problems) + len(work.assignments)
                     + len(indicator_plan.values))
            raised = [f"(new:{n.sheet}!{n.number})" for n in work.new_problems]
            assigned = [a.problem.id for a in work.assignments]
        return ImportResult(
            file=book.file, origin=caller.origin, dry_run=dry_run,
            sheets={s.name: s.spec.key for s in book.sheets}, ignored_sheets=book.ignored, rows=book.row_count,
            projects_created=[n.code for n in work.new_projects], projects_updated=sorted(work.project_changes),
            plans_changed=len(work.plans), progress_changed=len(work.progress), problems_raised=raised,
            problems_assigned=assigned, unchanged_rows=work.unchanged + indicator_plan.unchanged, events=count,
            warnings=_warnings(book), indicator_values=len(indicator_plan.values),
        )


def _warnings(book: Book) -> list[LedgerIssue]:
    listed = [i for i in book.issues if i.warning]
    more = book.issues.unlisted_warnings
    if more:
        listed.append(LedgerIssue(book.file, None, None, None, f"另有 {more} 条提示未列出",
                                  f"{more} more warnings not listed", warning=True))
    return listed
