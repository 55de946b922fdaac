"""Project investment: fields, annual plans, monthly progress, and the figures built from them.

The ledger import changes projects through the same functions (`changes_for`, `apply_changes`,
`set_plan`, `set_progress`), so a change made by hand and one made by a ledger are audited alike.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Table, bindparam, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from coordination.domain.audit import to_json_value
from coordination.domain.enums import Light, ProjectKind, ProjectLevel, Role
from coordination.domain.errors import InvalidInput, NotFound, NotPermitted
from coordination.domain.hygiene import TEXT_MAX, check_amount, optional_text
from coordination.domain.investment import (
    GroupFigures,
    Grouping,
    ProjectFacts,
    ProjectFigures,
    Thresholds,
    YearMonth,
    amount_text,
    percent_text,
    portfolio,
    project_figures,
)
from coordination.models import Project, ProjectPlan, ProjectProgress, RosterEntry, Setting
from coordination.services import directory, settings, snapshot
from coordination.services.common import Caller, load_actor, require_role
from coordination.services.driver import fetch
from coordination.services.writer import Journal, append_event
from coordination.uow import UnitOfWork

PROJECT_STREAM = "project"
YELLOW_KEY = settings.PROJECT_YELLOW
RED_KEY = settings.PROJECT_RED
PROGRESS_TABLE: Table = SQLModel.metadata.tables["project_progress"]


# ---- settings ------------------------------------------------------------------------------


def thresholds(session: Session) -> Thresholds:
    """The project light's thresholds: settings `projects.yellow_points` and `projects.red_points`."""
    values = {s.key: s.value for s in session.exec(select(Setting).where(col(Setting.key).in_([YELLOW_KEY, RED_KEY])))}
    try:
        return Thresholds(Decimal(values.get(YELLOW_KEY, "10")), Decimal(values.get(RED_KEY, "30")))
    except (InvalidOperation, InvalidInput):
        return Thresholds()


# ---- changing a project --------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectFields:
    """Values to give a project; None leaves a field as it is (a blank ledger cell never erases)."""

    name: str | None = None
    level: ProjectLevel | None = None
    kind: ProjectKind | None = None
    total_investment_yuan: int | None = None
    planned_start: date | None = None
    actual_start: date | None = None
    planned_completion: date | None = None
    actual_completion: date | None = None
    planned_production: date | None = None
    actual_production: date | None = None
    in_stats: bool | None = None
    locality: str | None = None
    lead_unit: str | None = None
    leaders: tuple[str, ...] | None = None
    helpers: tuple[str, ...] | None = None
    specialists: tuple[str, ...] | None = None


ROSTER_PARTS = {"leaders": "leader", "helpers": "helper", "specialists": "specialist"}
_COLUMN_FIELDS = tuple(f.name for f in fields(ProjectFields) if f.name not in ROSTER_PARTS)


def roster_of(session: Session, code: str) -> dict[str, list[str]]:
    entries = session.exec(select(RosterEntry).where(RosterEntry.project == code)).all()
    found: dict[str, list[str]] = {name: [] for name in ROSTER_PARTS}
    by_part = {part: name for name, part in ROSTER_PARTS.items()}
    for entry in entries:
        found[by_part[entry.part]].append(entry.ref)
    return {name: sorted(refs) for name, refs in found.items()}


def changes_for(project: Project, roster: dict[str, list[str]], wanted: ProjectFields) -> dict[str, Any]:
    """The fields that would change, in the JSON form an audit event records."""
    changes: dict[str, Any] = {}
    for name in _COLUMN_FIELDS:
        value = getattr(wanted, name)
        if value is None:
            continue
        current = getattr(project, name)
        new = value.value if isinstance(value, ProjectLevel | ProjectKind) else value
        if current != new:
            changes[name] = to_json_value(new)
    for name in ROSTER_PARTS:
        refs = getattr(wanted, name)
        if refs is not None and sorted(set(refs)) != roster.get(name, []):
            changes[name] = sorted(set(refs))
    return changes


def apply_changes(session: Session, project: Project, changes: dict[str, Any]) -> None:
    """Write `changes` (as made by `changes_for`) to the row and its roster; the caller audits."""
    for name, value in changes.items():
        if name in ROSTER_PARTS:
            part = ROSTER_PARTS[name]
            for entry in session.exec(select(RosterEntry).where(RosterEntry.project == project.code,
                                                                RosterEntry.part == part)).all():
                session.delete(entry)
            session.flush()
            for ref in value:
                session.add(RosterEntry(project=project.code, part=part, ref=ref))
        elif name in ("planned_start", "actual_start", "planned_completion", "actual_completion",
                      "planned_production", "actual_production"):
            setattr(project, name, date.fromisoformat(value))
        else:
            setattr(project, name, value)
    session.add(project)


def check_dates(code: str, values: dict[str, date | None]) -> None:
    """Completion and production cannot come before the start they follow."""
    start = values.get("actual_start")
    for name, zh in (("actual_completion", "实际竣工"), ("actual_production", "实际投产")):
        day = values.get(name)
        if day is not None and start is not None and day < start:
            raise InvalidInput(f"项目 {code} 的{zh}日期 {day} 早于实际开工日期 {start}",
                               f"project {code}: {name.replace('_', ' ')} {day} is before its actual start {start}")


def checked_fields(session: Session, wanted: ProjectFields, *, plan_year: int | None = None,
                   annual_plan_yuan: int | None = None) -> ProjectFields:
    """`wanted` with its name cleaned, its amounts within the setting amounts.max_yuan and its plan's year
    within range; InvalidInput otherwise (the ledger's rows pass here too, before anything is written)."""
    directory.check_investment(session, total_yuan=wanted.total_investment_yuan, plan_yuan=annual_plan_yuan,
                               plan_year=plan_year)
    if wanted.name is None:
        return wanted
    return replace(wanted, name=directory.need_name(wanted.name, "项目", "project"))


def _may_change_projects(session: Session, caller: Caller) -> None:
    require_role(load_actor(session, caller.handle, caller), Role.ADMIN, Role.SECRETARIAT,
                 zh="修改项目", en="change projects")


def update_project(
    uow: UnitOfWork, *, caller: Caller, code: str, wanted: ProjectFields,
    plan_year: int | None = None, annual_plan_yuan: int | None = None,
) -> directory.ProjectView:
    """Change a project's fields, roster or annual plan; only what differs is written and audited."""
    with uow:
        session = uow.session
        _may_change_projects(session, caller)
        wanted = checked_fields(session, wanted, plan_year=plan_year, annual_plan_yuan=annual_plan_yuan)
        project = _project(session, code)
        roster = roster_of(session, project.code)
        changes = changes_for(project, roster, wanted)
        if any(k in changes for k in ("locality", "lead_unit", *ROSTER_PARTS)):
            leaders = list(wanted.leaders if wanted.leaders is not None else roster["leaders"])
            if not leaders:
                raise InvalidInput("项目至少需要一位挂钩区领导", "a project needs a linked leader")
            directory.check_roster(
                session, locality=wanted.locality or project.locality, lead_unit=wanted.lead_unit or project.lead_unit,
                helpers=list(wanted.helpers if wanted.helpers is not None else roster["helpers"]), leaders=leaders,
                specialists=list(wanted.specialists if wanted.specialists is not None else roster["specialists"]))
        merged = {n: getattr(wanted, n) or getattr(project, n) for n in ("actual_start", "actual_completion",
                                                                        "actual_production")}
        check_dates(project.code, merged)
        if changes:
            apply_changes(session, project, changes)
            append_event(session, stream_type=PROJECT_STREAM, stream_id=project.code, action="project_update",
                         caller=caller, changes=changes)
            session.flush()  # the session does not autoflush: the next event must see this one
        if annual_plan_yuan is not None:
            set_plan(session, caller=caller, code=project.code, year=plan_year or caller.today.year,
                     planned_yuan=annual_plan_yuan)
        session.flush()
        view = directory.project_view(session, project)
        uow.commit()
        return view


def set_plan(session: Session, *, caller: Caller, code: str, year: int, planned_yuan: int) -> bool:
    """Set a year's planned investment in the caller's transaction; False when it was already so."""
    plan = session.get(ProjectPlan, (code, year))
    if plan is not None and plan.planned_yuan == planned_yuan:
        return False
    previous = plan.planned_yuan if plan is not None else None
    plan = plan or ProjectPlan(project=code, year=year, planned_yuan=planned_yuan)
    plan.planned_yuan = planned_yuan
    session.add(plan)
    append_event(session, stream_type=PROJECT_STREAM, stream_id=code, action="project_plan", caller=caller,
                 changes={"year": year, "planned_yuan": planned_yuan}, extra={"previous_yuan": previous})
    session.flush()
    return True


# ---- monthly progress ----------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressView:
    project: str
    month: YearMonth
    completed_yuan: int
    previous_yuan: int | None
    note: str | None
    changed: bool

    def to_json(self) -> dict[str, Any]:
        return {"project": self.project, "month": str(self.month), "completed_wan": amount_text(self.completed_yuan),
                "previous_wan": amount_text(self.previous_yuan), "note": self.note, "changed": self.changed}


# A month's figure as it stands, and its replacement: prebuilt, as a month's entry for forty projects runs
# them forty times (the ORM's identity map and flush cost more than the statements).
_PROGRESS_AT = (sa_select(PROGRESS_TABLE.c.completed_yuan, PROGRESS_TABLE.c.note)
                .where(PROGRESS_TABLE.c.project == bindparam("p"), PROGRESS_TABLE.c.month == bindparam("m")))
_PROGRESS_REPLACE = (update(PROGRESS_TABLE)
                     .where(PROGRESS_TABLE.c.project == bindparam("b_p"), PROGRESS_TABLE.c.month == bindparam("b_m"))
                     .values(completed_yuan=bindparam("b_yuan"), note=bindparam("b_note"),
                             recorded_by=bindparam("b_by"), recorded_at=bindparam("b_at")))


def set_progress(
    session: Session, *, caller: Caller, code: str, month: YearMonth, completed_yuan: int, note: str | None
) -> ProgressView:
    """Record a month's completed investment in the caller's transaction; a re-entry replaces it.

    Written through Core, not the ORM: a caller holding the month's row as an ORM object would not see it change.
    """
    connection = session.connection()
    key = str(month)
    found = fetch(connection, _PROGRESS_AT, {"p": code, "m": key}, cache_key=("project_progress_at",))
    previous = int(found[0][0]) if found else None
    if found:
        stored_note: str | None = found[0][1]
        if previous == completed_yuan and (note is None or note == stored_note):
            return ProgressView(code, month, completed_yuan, previous, stored_note, changed=False)
        note = note if note is not None else stored_note
    journal = Journal(session, caller)
    if found:
        connection.execute(_PROGRESS_REPLACE, {"b_p": code, "b_m": key, "b_yuan": completed_yuan, "b_note": note,
                                               "b_by": caller.handle, "b_at": caller.now})
    else:  # written with the event, before it
        journal.insert_row(PROGRESS_TABLE, {"project": code, "month": key, "completed_yuan": completed_yuan,
                                            "note": note, "recorded_by": caller.handle, "recorded_at": caller.now})
    journal.event(PROJECT_STREAM, code, "project_progress", {"month": key, "completed_yuan": completed_yuan,
                                                             "note": note}, extra={"previous_yuan": previous})
    journal.write()
    return ProgressView(code, month, completed_yuan, previous, note, changed=True)


def progress_note(note: str | None) -> str | None:
    """A month's note (形象进度), cleaned: several lines allowed."""
    return optional_text(note, field_zh="进度说明", field_en="the note", option="--note", max_len=TEXT_MAX,
                         multiline=True)


def may_record_progress(session: Session, caller: Caller, code: str) -> None:
    """The secretariat, or a specialist on the project's roster."""
    actor = load_actor(session, caller.handle, caller)
    if Role.SECRETARIAT in actor.roles:
        return
    roster = snapshot.directory(session).rosters.get(code)  # the roster as the transaction sees it
    if Role.SPECIALIST in actor.roles and roster is not None and caller.handle in roster.specialists:
        return
    raise NotPermitted(f"{caller.handle} 不是项目 {code} 的专员或专班办公室人员，不能填报投资进度",
                       f"{caller.handle} is neither a specialist of {code} nor in the secretariat "
                       "and may not record its progress")


def record_progress(
    uow: UnitOfWork, *, caller: Caller, code: str, month: YearMonth, completed_yuan: int, note: str | None = None
) -> ProgressView:
    """Record the investment a project completed in one month (当月完成投资)."""
    if month > YearMonth.of(caller.today):
        raise InvalidInput(f"月份 {month} 尚未到来", f"month {month} has not begun yet")
    note = progress_note(note)
    with uow:
        session = uow.session
        code = _known_code(session, code)
        may_record_progress(session, caller, code)
        check_amount(completed_yuan, cap=settings.amount_cap(session), field_zh="当月完成投资",
                     field_en="the month's investment", option="--amount")
        view = set_progress(session, caller=caller, code=code, month=month, completed_yuan=completed_yuan,
                            note=note)
        uow.commit()
        return view


# ---- figures -------------------------------------------------------------------------------


def _project(session: Session, code: str) -> Project:
    project = session.get(Project, code.strip())
    if project is None:
        raise NotFound(f"项目 {code} 不存在", f"project {code} not found")
    return project


def _known_code(session: Session, code: str) -> str:
    """`_project`'s check without reading the row: the directory snapshot, checked against the database's
    project stream in this transaction, lists every project (a project is only ever added with its event)."""
    stored = code.strip()
    if stored not in snapshot.directory(session).project_names:
        raise NotFound(f"项目 {code} 不存在", f"project {code} not found")
    return stored


def load_facts(session: Session, *, codes: list[str] | None = None, active_only: bool = True) -> list[ProjectFacts]:
    """Every project's facts for the figures, read in four queries."""
    query = select(Project).order_by(col(Project.code))
    if codes is not None:
        query = query.where(col(Project.code).in_(codes))
    if active_only:
        query = query.where(col(Project.active).is_(True))
    projects = session.exec(query).all()
    leaders: dict[str, list[str]] = defaultdict(list)
    for entry in session.exec(select(RosterEntry).where(RosterEntry.part == "leader")).all():
        leaders[entry.project].append(entry.ref)
    plans: dict[str, dict[int, int]] = defaultdict(dict)
    for plan in session.exec(select(ProjectPlan)).all():
        plans[plan.project][plan.year] = plan.planned_yuan
    monthly: dict[str, dict[YearMonth, int]] = defaultdict(dict)
    for progress in session.exec(select(ProjectProgress)).all():
        monthly[progress.project][YearMonth.parse(progress.month)] = progress.completed_yuan
    return [
        ProjectFacts(
            code=p.code, level=ProjectLevel(p.level), kind=ProjectKind(p.kind) if p.kind else None,
            locality=p.locality, leaders=tuple(sorted(leaders[p.code])), total_investment=p.total_investment_yuan,
            annual_plans=plans[p.code], monthly=monthly[p.code], planned_start=p.planned_start,
            actual_start=p.actual_start, actual_completion=p.actual_completion,
            actual_production=p.actual_production,
        )
        for p in projects
    ]


def figures_json(figures: ProjectFigures) -> dict[str, Any]:
    return {
        "as_of": str(figures.as_of), "annual_plan_wan": amount_text(figures.annual_plan),
        "done_month_wan": amount_text(figures.done_month), "done_ytd_wan": amount_text(figures.done_ytd),
        "done_total_wan": amount_text(figures.done_total), "completion_rate": percent_text(figures.completion_rate),
        "target": percent_text(figures.target), "gap": percent_text(figures.gap),
        "light": figures.light.value if figures.light else None, "start": figures.start.value,
    }


def group_json(group: GroupFigures) -> dict[str, Any]:
    return {
        "grouping": group.grouping.value, "key": group.key, "projects": group.projects,
        "total_investment_wan": amount_text(group.total_investment), "planned_to_start": group.planned_to_start,
        "started": group.started, "start_rate": percent_text(group.start_rate),
        "annual_plan_wan": amount_text(group.annual_plan), "done_ytd_wan": amount_text(group.done_ytd),
        "completion_rate": percent_text(group.completion_rate), "target": percent_text(group.target),
        "gap": percent_text(group.gap), "light": group.light.value if group.light else None,
        "completed_in_year": group.completed_in_year, "produced_in_year": group.produced_in_year,
        "lights": {light.value: group.lights.get(light, 0) for light in Light},
    }


@dataclass(frozen=True)
class ProjectWithFigures:
    project: directory.ProjectView
    figures: ProjectFigures
    months: list[tuple[YearMonth, int]]

    def to_json(self) -> dict[str, Any]:
        return {**self.project.to_json(), "figures": figures_json(self.figures),
                "months": [{"month": str(m), "completed_wan": amount_text(v)} for m, v in self.months]}


@dataclass(frozen=True)
class ProjectBoard:
    """Projects with their figures at the end of a month, and the portfolio summed by a grouping."""

    as_of: YearMonth
    grouping: Grouping
    thresholds: Thresholds
    projects: list[ProjectWithFigures]
    groups: list[GroupFigures]

    def to_json(self) -> dict[str, Any]:
        return {"as_of": str(self.as_of), "grouping": self.grouping.value,
                "thresholds": {"yellow_points": str(self.thresholds.yellow_points),
                               "red_points": str(self.thresholds.red_points)},
                "projects": [p.to_json() for p in self.projects], "groups": [group_json(g) for g in self.groups]}


def board(
    uow: UnitOfWork, *, as_of: YearMonth, grouping: Grouping = Grouping.ALL, codes: list[str] | None = None,
    light: Light | None = None, level: ProjectLevel | None = None,
) -> ProjectBoard:
    """Every active project's 完成率, gap to 序时进度 and light, and the 开工率/完成率 of each group."""
    with uow:
        session = uow.session
        limits = thresholds(session)
        facts = [f for f in load_facts(session, codes=codes) if level is None or f.level is level]
        views = {f.code: directory.project_view(session, _project(session, f.code)) for f in facts}
        rows = []
        for fact in facts:
            figures = project_figures(fact, as_of, limits)
            if light is not None and figures.light is not light:
                continue
            months = sorted((m, v) for m, v in fact.monthly.items() if m.year == as_of.year and m <= as_of)
            rows.append(ProjectWithFigures(views[fact.code], figures, months))
        return ProjectBoard(as_of, grouping, limits, rows, portfolio(facts, as_of, grouping, limits))


def project_with_figures(uow: UnitOfWork, *, code: str, as_of: YearMonth) -> ProjectWithFigures:
    """One project with its figures and the months recorded in the as-of year."""
    with uow:
        session = uow.session
        project = _project(session, code)
        facts = load_facts(session, codes=[project.code], active_only=False)[0]
        months = sorted((m, v) for m, v in facts.monthly.items() if m.year == as_of.year)
        return ProjectWithFigures(directory.project_view(session, project),
                                  project_figures(facts, as_of, thresholds(session)), months)
