"""Who sees which problems: the one rule behind lists, pages, queues, dashboards and reports.

A handler or unit head sees the problems (and plan tasks) their unit leads or helps with; a specialist those of the
projects they serve and those they raised; a leader those of their linked projects; the secretariat,
the principal and admins see everything. Anyone sees what they raised. The setting `web.open_reads`
opens every problem to every signed-in person. A problem outside one's sight does not exist for them:
the server answers 404, never 403.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, false, or_
from sqlmodel import Session

from coordination.domain.enums import Role
from coordination.domain.errors import NotFound
from coordination.models import Problem, Task
from coordination.services.snapshot import Directory, directory

SEES_ALL = frozenset({Role.SECRETARIAT, Role.PRINCIPAL, Role.ADMIN, Role.SYSTEM})
UNIT_ROLES = frozenset({Role.HANDLER, Role.UNIT_HEAD})


@dataclass(frozen=True)
class Viewer:
    """What one person may read: everything, or their unit's, their projects' and their own problems."""

    handle: str
    sees_all: bool
    unit: str | None = None  # set when they see their unit's problems (lead or co-unit)
    projects: frozenset[str] = frozenset()

    def condition(self, columns: Any = None) -> ColumnElement[bool] | None:
        """The problems this viewer sees, in SQL over `columns` (default: the problem table); None: all."""
        if self.sees_all:
            return None
        c = columns if columns is not None else Problem.__table__.c  # type: ignore[attr-defined]
        parts: list[ColumnElement[bool]] = [c.raised_by == self.handle]
        if self.unit:
            # co_units is a JSON list of codes: the quoted code is a whole element.
            parts += [c.lead_unit == self.unit, c.co_units.contains(json.dumps(self.unit))]
        if self.projects:
            parts.append(c.project.in_(sorted(self.projects)))
        return or_(false(), *parts)

    def sees(self, record: Mapping[str, Any]) -> bool:
        """The same rule over a row already read (as `row_json` gives it)."""
        if self.sees_all or record.get("raised_by") == self.handle:
            return True
        if self.unit and (record.get("lead_unit") == self.unit or self.unit in _co_units(record)):
            return True
        return record.get("project") in self.projects

    def require(self, record: Mapping[str, Any]) -> None:
        if not self.sees(record):
            pid = record.get("id")
            raise NotFound(f"问题 {pid} 不存在", f"problem {pid} not found")

    def task_condition(self, columns: Any = None) -> ColumnElement[bool] | None:
        """The plan tasks this viewer sees, in SQL over `columns` (default: the task table); None: all.

        A unit's staff see the tasks their unit leads or helps with; tasks have no project, so a
        specialist's or a leader's projects bring none.
        """
        if self.sees_all:
            return None
        c = columns if columns is not None else Task.__table__.c  # type: ignore[attr-defined]
        if not self.unit:
            return false()
        return or_(c.lead_unit == self.unit, c.co_units.contains(json.dumps(self.unit)))

    def sees_task(self, record: Mapping[str, Any]) -> bool:
        """`task_condition` over a task already read (its row or its JSON form)."""
        return self.sees_all or (self.unit is not None and (
            record.get("lead_unit") == self.unit or self.unit in _co_units(record)))

    def sees_item(self, record: Mapping[str, Any]) -> bool:
        """The plan task's rule for every kind led by a unit (special plans, filings, fund applications…):
        a unit's staff see what their unit leads or helps with; those kinds have no project roster either."""
        return self.sees_task(record)

    def require_row(self, row: Any) -> None:
        """`require` over a problem row (its attributes), without turning the row into JSON first."""
        if not self.sees_all:
            self.require({"id": row.id, "raised_by": row.raised_by, "lead_unit": row.lead_unit,
                          "co_units": row.co_units, "project": row.project})


def _co_units(record: Mapping[str, Any]) -> list[str]:
    value = record.get("co_units") or []
    if isinstance(value, str):
        value = json.loads(value)
    return list(value)


def viewer_of(session: Session, handle: str) -> Viewer:
    """The viewer an active person is, as the transaction sees the directory (unknown or inactive: not permitted)."""
    return viewer_in(directory(session), handle)


def viewer_in(snapshot: Directory, handle: str) -> Viewer:
    """The viewer `handle` is in a directory snapshot."""
    person = snapshot.person(handle)
    if person.roles & SEES_ALL or snapshot.open_reads:
        return Viewer(handle, True)
    projects: set[str] = set()
    for code, roster in snapshot.rosters.items():
        if (Role.SPECIALIST in person.roles and handle in roster.specialists) or \
                (Role.LEADER in person.roles and handle in roster.leaders):
            projects.add(code)
    unit = person.unit if person.roles & UNIT_ROLES else None
    return Viewer(handle, False, unit, frozenset(projects))


def narrowed(query: Any, viewer: Viewer | None) -> Any:
    """`query` over Problem, limited to what `viewer` sees (None: the operator, who sees all)."""
    condition = viewer.condition() if viewer is not None else None
    return query if condition is None else query.where(condition)

