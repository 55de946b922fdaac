"""The demo district: a year and more of its life, lived day by day through the services.

The history runs from 1 January of last year to `now`, so that last year's annual summary, this year's
reports and the last complete week, month and quarter all have their facts. Every morning's sweep runs at
07:30 on each working day; problems, meetings, plan tasks, projects and the other kinds act in between,
each act by the person the transition table lets take it, at its moment (services/demo_clock.py). The
same seed and the same `now` give the same district; each person signs in to `coord web` with the one
demo password.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, event, func
from sqlmodel import select

from coordination.config import DISTRICT_TZ
from coordination.domain.errors import Conflict
from coordination.models import AuditEvent, Meeting, Problem, Setting, Unit
from coordination.services import access, checkpoints, directory, outbox, sweep
from coordination.services.calendar import work_calendar
from coordination.services.common import SYSTEM_HANDLE, Caller, scheduled_caller
from coordination.services.demo_clock import Clock
from coordination.services.demo_district import (
    PEOPLE,
    PROJECTS,
    ROUTES,
    SECRETARIAT_HANDLE,
    UNITS,
)
from coordination.services.demo_kinds import KindDesk
from coordination.services.demo_meetings import MeetingDesk
from coordination.services.demo_problems import ProblemDesk
from coordination.services.demo_projects import ProjectDesk
from coordination.services.demo_tasks import TaskDesk
from coordination.uow import UnitOfWork

__all__ = ["DEMO_MARKER", "DEMO_PASSWORD", "SECRETARIAT_HANDLE", "TRY_AS", "DemoResult", "build_demo",
           "existing_demo"]

DEMO_MARKER = "demo_seed"
DEMO_PASSWORD = "coord-demo"  # every demo person's password for `coord web` (documented, demo only)
TRY_AS = {"secretariat": SECRETARIAT_HANDLE, "handler": "zhao.jingban", "leader": "chen.fuquzhang"}
PROBLEMS_PER_WORKING_DAY = 1.2  # this year's; last year's are fewer: about 400 in all, more on Mondays

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class DemoResult:
    units: int
    people: int
    projects: int
    problems: int
    secretariat: str
    already_built: bool
    meetings: int = 0
    events: int = 0
    first_day: date | None = None
    try_as: dict[str, str] = field(default_factory=lambda: dict(TRY_AS))
    password: str = DEMO_PASSWORD

    def to_json(self) -> dict[str, Any]:
        return {"units": self.units, "people": self.people, "projects": self.projects, "problems": self.problems,
                "meetings": self.meetings, "events": self.events, "secretariat": self.secretariat,
                "already_built": self.already_built,
                "first_day": self.first_day.isoformat() if self.first_day else None,
                "web": {"password": self.password, "try_as": self.try_as}}


def existing_demo(engine: Engine) -> bool | None:
    """True when the database holds the demo, False when it holds other data, None when empty."""
    with UnitOfWork(engine, write=False) as uow:
        if uow.session.get(Setting, DEMO_MARKER) is not None:
            return True
        units = uow.session.exec(select(func.count()).select_from(Unit)).one()
        return False if units else None


@contextmanager
def _build_engine(engine: Engine) -> Any:
    """The engine the build writes through: on SQLite its own, holding the file alone with its rollback
    journal in memory and no fsync at commit (a demo is rebuilt, never recovered: measured some 15 % faster).
    The build never opens a second connection; at the end the file is back in WAL mode, unlocked."""
    if engine.dialect.name != "sqlite":
        yield engine
        return
    from coordination.db import make_engine

    engine.dispose()  # the build holds the file alone: its journal can then live in memory
    fast = make_engine(engine.url.render_as_string(hide_password=False), create=False)

    @event.listens_for(fast, "connect")
    def _unsynced(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=MEMORY", "synchronous=OFF", "locking_mode=EXCLUSIVE", "cache_size=-65536",
                       "temp_store=MEMORY"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    try:
        yield fast
    finally:
        raw = fast.raw_connection()  # outside any transaction (the driver's autocommit), as the mode needs
        try:
            cursor = raw.cursor()
            cursor.execute("PRAGMA locking_mode=NORMAL")
            cursor.execute("PRAGMA journal_mode=WAL")  # back to the durable mode every other connection uses
            cursor.close()
        finally:
            raw.close()
        fast.dispose()


def build_demo(engine: Engine, *, now: datetime, seed: int, admin: str,
               progress: Progress | None = None) -> DemoResult:
    """Build the demo district and its history, ending at `now` (`progress`: days lived, days in all)."""
    if existing_demo(engine) is not None:
        raise Conflict("数据库中已有数据；请用 --reset 重建演示区，或用 --db 指定新的数据库",
                       "the database already holds data; use --reset or another --db")
    hashes = _hashing()
    with _build_engine(engine) as fast:
        with UnitOfWork(fast, write=False) as uow:
            calendar = work_calendar(uow.session)
        today_year = now.astimezone(DISTRICT_TZ).year
        clock = Clock(fast, now, date(today_year - 1, 1, 1), calendar, random.Random(seed))
        set_up = clock.at(clock.first - timedelta(days=4), 10)
        _directory(clock, set_up, admin)
        projects = ProjectDesk(clock, today_year)
        projects.register(set_up + timedelta(minutes=30))
        kinds = KindDesk(clock, today_year)
        kinds.back_enter(set_up + timedelta(minutes=45))
        problems = ProblemDesk(clock, PROBLEMS_PER_WORKING_DAY)
        meetings = MeetingDesk(clock, problems)
        tasks = TaskDesk(clock, today_year)

        def morning_sweep(day: date) -> None:
            if clock.is_workday(day):
                clock.push(clock.at(day, 7, 30), lambda: _sweep(clock, problems))

        clock.run([morning_sweep, kinds.on_day, projects.on_day, tasks.on_day, meetings.on_day, problems.on_day],
                  progress)
        _passwords(clock, admin, hashes.result())
        # What the five-minute delivery runs would have done meanwhile: expire the notices older than
        # outbox.max_age_hours. The demo has no group robot, so this week's wait for one (the alarm says so).
        outbox.deliver(UnitOfWork(fast), now=now, limit=0)
        checkpoints.checkpoint(UnitOfWork(fast), caller=clock.caller(admin, now))  # today's anchor: the whole year
        with UnitOfWork(fast) as uow:
            session = uow.session
            session.add(Setting(key=DEMO_MARKER, value=str(seed)))
            counts = [session.exec(select(func.count()).select_from(model)).one()
                      for model in (Problem, Meeting, AuditEvent)]
            uow.commit()
    return DemoResult(len(UNITS), len(PEOPLE), len(PROJECTS), counts[0], SECRETARIAT_HANDLE, False,
                      meetings=counts[1], events=counts[2], first_day=clock.first)


def _directory(clock: Clock, moment: datetime, admin: str) -> None:
    """The built-in actor and the admin, then the units, the people and the routing table, as set up."""
    engine = clock.engine
    directory.bootstrap(UnitOfWork(engine), caller=Caller(SYSTEM_HANDLE, moment, origin="demo", scheduled=True),
                        admin_handle=admin, admin_name="系统管理员")
    setup = clock.caller(admin, moment + timedelta(minutes=1))
    for code, name, kind in UNITS:
        directory.add_unit(UnitOfWork(engine), caller=setup, code=code, name=name, kind=kind)
    for handle, name, unit, roles in PEOPLE:
        directory.add_person(UnitOfWork(engine), caller=setup, handle=handle, name=name, unit=unit, roles=list(roles))
    for category, unit in ROUTES:
        directory.set_route(UnitOfWork(engine), caller=setup, category=category, unit=unit)


def _sweep(clock: Clock, problems: ProblemDesk) -> None:
    """The morning sweep as the scheduler runs it; the problems it escalated now wait for their meeting."""
    day = clock.running.astimezone(DISTRICT_TZ).date()
    # Anchored on a quarter's first working day (a district's sweep anchors daily; a checkpoint re-reads every
    # stream's head, and two years of them would cost most of the build) and on the last day.
    quarter_opens = day.month % 3 == 1 and clock.workday_on_or_after(day.replace(day=1)) == day
    result = sweep.sweep(UnitOfWork(clock.engine), caller=scheduled_caller(clock.running, "demo"),
                         anchor=quarter_opens or day >= clock.now.astimezone(DISTRICT_TZ).date())
    for escalation in result.escalations:
        problems.escalated(escalation.problem_id, escalation.to_level)


def _hashing() -> Future[list[str]]:
    """Each demo person's hash of the demo password, made on another thread (and core) while the year is lived."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-passwords")
    made = pool.submit(lambda: [access.hash_password(DEMO_PASSWORD) for _person in PEOPLE])
    pool.shutdown(wait=False)
    return made


def _passwords(clock: Clock, admin: str, hashes: list[str]) -> None:
    """The one demo password for every demo person, set by the admin as the demo opens."""
    caller = clock.caller(admin, clock.now)
    for (handle, _name, _unit, _roles), hashed in zip(PEOPLE, hashes, strict=True):
        access.store_password(UnitOfWork(clock.engine), caller=caller, handle=handle, hashed=hashed)
