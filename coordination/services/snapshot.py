"""The directory as of now — people and roles, units, projects and rosters, routing, the calendar — cached.

Every action needs who acts, the project's roster and the working-day calendar; reading them from
seven tables on every action cost more than the action itself. A process reads them once and keeps
them until their own audit streams move: one query reads the newest event (id and hash) of each
directory stream, and any change there, made by this process or another, rebuilds the snapshot
before it is used. The hash makes a restored or rolled-back database look different even where
event ids repeat.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import Any, cast

from sqlalchemy import Engine
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from coordination.domain.enums import Role
from coordination.domain.errors import NotFound, NotPermitted
from coordination.domain.notices import Recipients
from coordination.domain.problem import Actor, Roster
from coordination.domain.workdays import WorkCalendar, YearSchedule
from coordination.models import (
    CalendarYear,
    PersonRole,
    Project,
    RosterEntry,
    RoutingRule,
    Setting,
    Unit,
)

# Streams whose events change what a snapshot holds.
DIRECTORY_STREAMS = ("person", "unit", "project", "routing", "calendar", "setting")
OPEN_READS_KEY = "web.open_reads"  # a district setting the snapshot carries: who may read what

# A project's monthly progress and investment plan are in its stream but not in the directory: a month's
# figures for forty projects must not rebuild it forty times. Nor is a person's password (sign-in reads it).
_NOT_DIRECTORY = {"project": ("project_progress", "project_plan"), "person": ("password_set",)}
_STAMP_SQL = "SELECT " + ", ".join(
    f"(SELECT e.id || ':' || e.hash FROM audit_event e WHERE e.id = "
    f"(SELECT max(m.id) FROM audit_event m WHERE m.stream_type = '{stream}'"
    + "".join(f" AND m.action <> '{action}'" for action in _NOT_DIRECTORY.get(stream, ())) + "))"
    for stream in DIRECTORY_STREAMS)


@dataclass(frozen=True)
class PersonEntry:
    handle: str
    name: str
    unit: str | None
    active: bool
    roles: frozenset[Role]
    token_hash: str | None
    mobile: str | None = None


@dataclass(frozen=True)
class Directory:
    """People, units, projects with their rosters, routing and the calendar, as one consistent picture."""

    people: dict[str, PersonEntry]
    units: dict[str, tuple[str, bool]]  # code -> (name, active)
    project_names: dict[str, str]
    rosters: dict[str, Roster]
    calendar: WorkCalendar
    open_reads: bool = False  # every signed-in person reads every problem (setting web.open_reads)
    routes: dict[str, str] = field(default_factory=dict)  # category -> the unit the routing table proposes

    def person(self, handle: str) -> PersonEntry:
        """The person named by `handle`; unknown or inactive identities are not permitted."""
        person = self.people.get(handle)
        if person is None:
            raise NotPermitted(f"未知身份 {handle}：请用 --as 或 COORD_USER 指定在册人员",
                               f"unknown identity {handle}: set --as or COORD_USER to a registered person")
        if not person.active:
            raise NotPermitted(f"人员 {handle} 已停用", f"person {handle} is inactive")
        return person

    def actor(self, handle: str) -> Actor:
        person = self.person(handle)
        return Actor(handle=person.handle, unit=person.unit, roles=person.roles)

    def roster(self, project: str) -> Roster:
        roster = self.rosters.get(project)
        if roster is None:
            raise NotFound(f"项目 {project} 不存在", f"project {project} not found")
        return roster

    def active_unit(self, code: str) -> bool:
        unit = self.units.get(code)
        return unit is not None and unit[1]

    @cached_property
    def token_holders(self) -> dict[str, str]:
        """Active people by the SHA-256 of their access token (a digest, so a lookup leaks nothing)."""
        return {p.token_hash: p.handle for p in self.people.values() if p.token_hash and p.active}

    @cached_property
    def unit_names(self) -> dict[str, str]:
        return {code: name for code, (name, _active) in self.units.items()}

    def names_by_unit(self, role: Role) -> dict[str, list[str]]:
        """The active people holding `role`, by unit, in handle order: whom a unit's messages @."""
        found: dict[str, list[str]] = {}
        for handle in sorted(self.people):
            person = self.people[handle]
            if person.active and person.unit is not None and role in person.roles:
                found.setdefault(person.unit, []).append(person.name)
        return found

    @cached_property
    def recipients(self) -> Recipients:
        secretariat = [p.name for h, p in sorted(self.people.items()) if p.active and Role.SECRETARIAT in p.roles]
        return Recipients(
            handlers=self.names_by_unit(Role.HANDLER), heads=self.names_by_unit(Role.UNIT_HEAD),
            secretariat=secretariat, people={h: (p.name, p.unit) for h, p in self.people.items()},
            unit_names=self.unit_names,
            mobiles={p.name: p.mobile for p in self.people.values() if p.active and p.mobile},
        )


_PERSON = SQLModel.metadata.tables["person"]
_OVERRIDE = SQLModel.metadata.tables["calendar_override"]
_lock = threading.Lock()
_cache: dict[str, tuple[tuple[Any, ...], Directory]] = {}


_MEMO = "coord.directory"


def directory(session: Session) -> Directory:
    """The directory as the session's transaction sees it, rebuilt only when a directory stream moved.

    Checked once per transaction: the write path forgets the memo when the transaction itself writes
    a directory event.
    """
    memo = session.info.get(_MEMO)
    if memo is not None:
        return cast(Directory, memo)
    connection = session.connection()
    # Asked on every use case: straight on the driver's cursor, in the transaction the session holds
    # (a plain read of one row, a quarter of the cost of the same text through SQLAlchemy).
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(_STAMP_SQL)
        stamp = tuple(cursor.fetchone() or ())
    finally:
        cursor.close()
    where = connection.engine.url.render_as_string(hide_password=True)
    with _lock:
        cached = _cache.get(where)
    if cached is not None and cached[0] == stamp:
        session.info[_MEMO] = cached[1]
        return cached[1]
    if cached is None or len(cached[0]) != len(stamp):
        built = _build(session)
    else:  # only the parts whose stream moved: a new project does not re-read the people or the calendar
        moved_streams = [s for s, before, now in zip(DIRECTORY_STREAMS, cached[0], stamp, strict=True) if before != now]
        built = replace(cached[1], **{name: value for stream in moved_streams
                                      for name, value in _PARTS[stream](session).items()})
    with _lock:
        _cache[where] = (stamp, built)
    session.info[_MEMO] = built
    return built


def last_known(engine: Engine) -> Directory | None:
    """The directory this process built last for `engine`, without asking whether it moved since.

    For a first guess only (whose token is this?): whatever it answers is confirmed in the use case's
    own transaction, which checks the stamp.
    """
    with _lock:
        cached = _cache.get(engine.url.render_as_string(hide_password=True))
    return cached[1] if cached is not None else None


def moved(session: Session, stream_types: set[str]) -> None:
    """The transaction wrote events of these streams: re-read the directory when next asked."""
    if not stream_types.isdisjoint(DIRECTORY_STREAMS):
        session.info.pop(_MEMO, None)


def forget() -> None:
    """Drop every cached snapshot (a database restored under the same URL, tests)."""
    with _lock:
        _cache.clear()


def _build(session: Session) -> Directory:
    parts: dict[str, Any] = {}
    for stream in DIRECTORY_STREAMS:
        parts.update(_PARTS[stream](session))
    return Directory(**parts)


# Columns, not ORM objects: a part is re-read after every change of its stream, and people, units and
# rosters are hundreds of rows.

def _people(session: Session) -> dict[str, Any]:
    roles: dict[str, set[Role]] = {}
    for handle, role in session.exec(select(PersonRole.handle, PersonRole.role)).all():
        roles.setdefault(handle, set()).add(Role(role))
    return {"people": {
        handle: PersonEntry(handle, name, unit, active, frozenset(roles.get(handle, ())), token_hash, mobile)
        for handle, name, unit, active, token_hash, mobile in session.connection().execute(sa_select(
            _PERSON.c.handle, _PERSON.c.name, _PERSON.c.unit, _PERSON.c.active, _PERSON.c.token_hash,
            _PERSON.c.mobile)).all()
    }}


def _units(session: Session) -> dict[str, Any]:
    return {"units": {code: (name, active)
                      for code, name, active in session.exec(select(Unit.code, Unit.name, Unit.active))}}


def _projects(session: Session) -> dict[str, Any]:
    parts: dict[str, dict[str, set[str]]] = {}
    for project, part, ref in session.exec(select(RosterEntry.project, RosterEntry.part, RosterEntry.ref)).all():
        parts.setdefault(project, {}).setdefault(part, set()).add(ref)
    names: dict[str, str] = {}
    rosters: dict[str, Roster] = {}
    for code, name, locality, lead_unit in session.exec(
            select(Project.code, Project.name, Project.locality, Project.lead_unit).order_by(col(Project.code))).all():
        names[code] = name
        mine = parts.get(code, {})
        rosters[code] = Roster(project=code, leaders=frozenset(mine.get("leader", ())),
                               specialists=frozenset(mine.get("specialist", ())),
                               units=frozenset({locality, lead_unit, *mine.get("helper", ())}))
    return {"project_names": names, "rosters": rosters}


def _routes(session: Session) -> dict[str, Any]:
    return {"routes": {category: unit
                       for category, unit in session.exec(select(RoutingRule.category, RoutingRule.unit))}}


def _settings(session: Session) -> dict[str, Any]:
    open_reads = session.get(Setting, OPEN_READS_KEY)
    return {"open_reads": open_reads is not None and open_reads.value == "true"}


def _calendar(session: Session) -> WorkCalendar:
    from coordination.services.calendar import package_schedules

    schedules = dict(package_schedules())
    for year, holidays, workdays in session.exec(
            select(CalendarYear.year, CalendarYear.holidays, CalendarYear.workdays)).all():
        schedules[year] = YearSchedule(
            year,
            frozenset(date.fromisoformat(d) for d in json.loads(holidays)),
            frozenset(date.fromisoformat(d) for d in json.loads(workdays)),
            source="loaded",
        )
    overrides = {day: is_workday for day, is_workday in session.connection().execute(
        sa_select(_OVERRIDE.c.day, _OVERRIDE.c.is_workday)).all()}
    return WorkCalendar(schedules, overrides)


def _calendar_part(session: Session) -> dict[str, Any]:
    return {"calendar": _calendar(session)}


# What each directory stream's events change, re-read when that stream moves.
_PARTS: dict[str, Callable[[Session], dict[str, Any]]] = {
    "person": _people, "unit": _units, "project": _projects, "routing": _routes, "calendar": _calendar_part,
    "setting": _settings,
}
