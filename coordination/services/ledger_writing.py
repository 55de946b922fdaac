"""Writing a checked import plan in the import's transaction: projects, annual plans, months of progress,
then the new problems (numbered as raise_problem numbers them) and assignments with their audit events.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

from sqlalchemy import insert, update
from sqlmodel import Session

from coordination.domain.enums import Action, State
from coordination.models import Problem, ProblemSequence, Project, ProjectPlan, ProjectProgress
from coordination.services import directory, problem_changes, projects
from coordination.services.common import Caller
from coordination.services.ledger_names import ImportPlan, NewProblem
from coordination.services.ledger_reading import REPORT_EVERY, Progress
from coordination.services.writer import FactsAfter, Journal

ASSIGN_REASON = "据台账交办"
WRITE_EVERY = 1_000  # new problems queued between writes
_PROBLEM_DEFAULTS = {name: f.get_default(call_default_factory=True)
                     for name, f in Problem.model_fields.items() if not f.is_required()}


def write_plan(
    session: Session, caller: Caller, work: ImportPlan, progress: Progress | None
) -> tuple[list[str], list[str], int]:
    """Write the plan through the one write path: projects, plans, progress, then problems and their events.

    Assignments tell their units exactly as `issue assign` does, one message per unit for the import.
    """
    for new in work.new_projects:
        directory.create_project(session, caller=caller, code=new.code, name=new.name, level=new.level,
                                 locality=new.locality, lead_unit=new.lead_unit, leaders=new.leaders,
                                 helpers=new.helpers, specialists=new.specialists, details=new.details)
    session.flush()
    journal = problem_changes.journal_for(session, caller)
    for code, (_row, changes) in work.project_changes.items():
        project = session.get(Project, code)
        assert project is not None
        projects.apply_changes(session, project, changes)
        journal.event(projects.PROJECT_STREAM, code, "project_update", changes)
    for code, year, planned, previous in work.plans:
        plan_row = session.get(ProjectPlan, (code, year)) or ProjectPlan(project=code, year=year, planned_yuan=planned)
        plan_row.planned_yuan = planned
        session.add(plan_row)
        journal.event(projects.PROJECT_STREAM, code, "project_plan", {"year": year, "planned_yuan": planned},
                      extra={"previous_yuan": previous})
    for code, month, amount, note, previous in work.progress:
        row = session.get(ProjectProgress, (code, str(month)))
        if row is None:
            row = ProjectProgress(project=code, month=str(month), completed_yuan=amount, note=note,
                                  recorded_by=caller.handle, recorded_at=caller.now)
        else:
            row.completed_yuan, row.recorded_by, row.recorded_at = amount, caller.handle, caller.now
            row.note = note if note is not None else row.note
        session.add(row)
        journal.event(projects.PROJECT_STREAM, code, "project_progress",
                      {"month": str(month), "completed_yuan": amount, "note": row.note},
                      extra={"previous_yuan": previous})
    session.flush()
    raised, written = _raise_all(session, caller, work.new_problems, journal, progress)
    assigned = [pid for pid, item in zip(raised, work.new_problems, strict=True) if item.assign is not None]
    for assignment in work.assignments:
        problem_changes.record_change(journal, assignment.problem, Action.ASSIGN, assignment.changes,
                                      reason=ASSIGN_REASON)
        assigned.append(assignment.problem.id)
    return raised, assigned, written + journal.write() + len(work.new_projects)


_SEQUENCE = ProblemSequence.__table__  # type: ignore[attr-defined]


def _raise_all(session: Session, caller: Caller, new: list[NewProblem], journal: Journal,
               progress: Progress | None) -> tuple[list[str], int]:
    """Number the new problems as raise_problem would (Q-<year>-<n>) and write them with their events, a
    part at a time (in the one transaction; the notices wait for the last part): the ids, the events written."""
    if not new:
        return [], 0
    year = caller.today.year
    bumped = session.connection().execute(
        update(_SEQUENCE).where(_SEQUENCE.c.year == year).values(last=_SEQUENCE.c.last + len(new))
        .returning(_SEQUENCE.c.last)).scalar_one_or_none()
    if bumped is None:
        session.connection().execute(insert(_SEQUENCE).values(year=year, last=len(new)))
        bumped = len(new)
    first = bumped - len(new) + 1
    ids: list[str] = []
    written = 0
    for offset, item in enumerate(new):
        problem_id = f"Q-{year}-{first + offset:04d}"
        ids.append(problem_id)
        fields = {"id": problem_id, **item.fields(), "version": 1}
        journal.new_stream(problem_changes.PROBLEM_STREAM, problem_id)
        journal.event(problem_changes.PROBLEM_STREAM, problem_id, Action.RAISE.value, fields, seq=1,
                      to_state=State.SUBMITTED.value, facts=FactsAfter(1, None, None, None))
        values = {**_PROBLEM_DEFAULTS, **problem_changes.db_values(fields)}
        journal.insert_row(problem_changes.PROBLEM_TABLE, values)
        if item.assign is not None:  # assigned as `issue assign` would: the journal updates the new row after it
            problem_changes.record_change(journal, cast(Problem, SimpleNamespace(**values)), Action.ASSIGN,
                                          item.assign, reason=ASSIGN_REASON)
        if (offset + 1) % WRITE_EVERY == 0:
            written += journal.write(notices=False)  # rows, events: what is queued stays small
        if progress and (offset + 1) % REPORT_EVERY == 0:
            progress("write", offset + 1, len(new))
    if progress:
        progress("write", len(new), len(new))
    return ids, written
