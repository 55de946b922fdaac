"""Shared fixtures: a real SQLite file per test and a small district that looks like a real one.

The district has the 发改局 (home of the secretariat and the project specialist), the 自然资源和规划局
that solves land problems, the 住建局 that is not on the project's roster, and the 东区电池材料产业园 as
the locality. Tests reach everything through the `District` the fixtures return (or the `district_factory`
fixture for module-scoped set-ups), never by importing this module, so tests/cli can share them.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from coordination.db import create_schema, make_engine
from coordination.domain.enums import Action, Difficulty, ProjectLevel, Role, UnitKind
from coordination.domain.problem import ActionInput
from coordination.services import directory, issues
from coordination.services.common import SYSTEM_HANDLE, Caller
from coordination.uow import UnitOfWork

# Monday 2024-06-03, 10:00 in the district (Asia/Shanghai): a plain working day in a known year.
DEFAULT_NOW = datetime(2024, 6, 3, 2, 0, tzinfo=UTC)
DB_NAME = "coord.sqlite3"


@dataclass
class District:
    """One district's database with the handles of the people in it."""

    engine: Engine
    path: Path
    now: datetime
    project: str = "DQ-2024-007"
    project_name: str = "东区电池材料产业园年产10万吨磷酸铁锂正极材料项目"
    # units
    service_unit: str = "FGJ"  # 区发展和改革局: lead/service department of the project
    solving_unit: str = "ZRZY"  # 区自然资源和规划局: helper unit, usual lead unit of land problems
    other_unit: str = "ZJJ"  # 区住房和城乡建设局: not on this project's roster
    locality: str = "DQY"  # 东区电池材料产业园
    # people
    admin: str = "admin"
    secretariat: str = "wang_mishu"
    specialist: str = "li_zhuanyuan"
    handler: str = "zhao_jingban"
    unit_head: str = "qian_juzhang"
    other_handler: str = "sun_jingban"
    leader: str = "chen_fuquzhang"
    principal: str = "zhou_quzhang"
    system: str = SYSTEM_HANDLE
    extra: dict[str, Any] = field(default_factory=dict)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.engine)

    def caller(self, handle: str, now: datetime | None = None, origin: str = "cli") -> Caller:
        return make_caller(handle, now or self.now, origin)

    def by_role(self, role: Role) -> str:
        """The in-scope person holding exactly `role` (lead-unit staff, linked leader, raiser)."""
        return {
            Role.SPECIALIST: self.specialist,
            Role.SECRETARIAT: self.secretariat,
            Role.HANDLER: self.handler,
            Role.UNIT_HEAD: self.unit_head,
            Role.LEADER: self.leader,
            Role.PRINCIPAL: self.principal,
            Role.ADMIN: self.admin,
            Role.SYSTEM: self.system,
        }[role]

    # ---- use cases, spelled short -----------------------------------------------------------

    def raise_problem(self, handle: str | None = None, *, title: str = "项目二期用地指标未落实，影响12月开工",
                      category: str = "用地", now: datetime | None = None) -> str:
        view = issues.raise_problem(self.uow(), caller=self.caller(handle or self.specialist, now),
                                    project=self.project, title=title, category=category)
        return view.id

    def act(self, handle: str, problem_id: str, action: Action, *, now: datetime | None = None,
            expected_version: int | None = None, **inputs: Any) -> issues.ProblemView:
        return issues.act(self.uow(), caller=self.caller(handle, now), problem_id=problem_id, action=action,
                          inputs=ActionInput(**inputs), expected_version=expected_version)

    def assign(self, problem_id: str, *, difficulty: Difficulty = Difficulty.B, unit: str | None = None,
               co_units: tuple[str, ...] = (), now: datetime | None = None) -> issues.ProblemView:
        return self.act(self.secretariat, problem_id, Action.ASSIGN, now=now, unit=unit or self.solving_unit,
                        co_units=co_units, difficulty=difficulty)

    # ---- raw reads, independent of the services ----------------------------------------------

    def audit_count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM audit_event")).scalar_one())

    def problem_row(self, problem_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(text("SELECT * FROM problem WHERE id = :id"), {"id": problem_id}).mappings().one()
            return dict(row)

    def events(self, problem_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT * FROM audit_event WHERE stream_type = 'problem' AND stream_id = :id ORDER BY seq"),
                {"id": problem_id},
            ).mappings().all()
            return [dict(r) for r in rows]

    def copy_to(self, path: Path) -> District:
        """A District on a byte copy of this database (the engine is disposed first)."""
        self.engine.dispose()  # closing the last connection folds the WAL into the main file
        shutil.copy(self.path, path)
        wal = self.path.with_name(self.path.name + "-wal")
        if wal.exists():  # another connection still open somewhere: take its log along
            shutil.copy(wal, path.with_name(path.name + "-wal"))
        return District(**{**self.__dict__, "engine": open_engine(path), "path": path, "extra": dict(self.extra)})


def make_caller(handle: str, now: datetime = DEFAULT_NOW, origin: str = "cli") -> Caller:
    """A caller at a fixed, aware UTC moment."""
    assert now.tzinfo is not None, "Caller.now must be aware"
    return Caller(handle, now.astimezone(UTC), origin)


def open_engine(path: Path) -> Engine:
    return make_engine(f"sqlite:///{path}")


def build_district(path: Path, now: datetime = DEFAULT_NOW) -> District:
    """Create the schema in a new SQLite file and register the district through the services."""
    engine = open_engine(path)
    create_schema(engine)
    d = District(engine=engine, path=path, now=now)

    def uow() -> UnitOfWork:
        return UnitOfWork(engine)

    directory.bootstrap(uow(), caller=make_caller(SYSTEM_HANDLE, now), admin_handle=d.admin,
                        admin_name="系统管理员刘工")
    admin = make_caller(d.admin, now)
    for code, name, kind in (
        (d.service_unit, "区发展和改革局", UnitKind.DEPARTMENT),
        (d.solving_unit, "区自然资源和规划局", UnitKind.DEPARTMENT),
        (d.other_unit, "区住房和城乡建设局", UnitKind.DEPARTMENT),
        (d.locality, "东区电池材料产业园", UnitKind.LOCALITY),
    ):
        directory.add_unit(uow(), caller=admin, code=code, name=name, kind=kind)
    for handle, name, unit, role in (
        (d.secretariat, "王秘书（重点办）", d.service_unit, Role.SECRETARIAT),
        (d.specialist, "李专员", d.service_unit, Role.SPECIALIST),
        (d.handler, "赵经办（自然资源和规划局）", d.solving_unit, Role.HANDLER),
        (d.unit_head, "钱局长（自然资源和规划局）", d.solving_unit, Role.UNIT_HEAD),
        (d.other_handler, "孙经办（住建局）", d.other_unit, Role.HANDLER),
        (d.leader, "陈副区长", None, Role.LEADER),
        (d.principal, "周区长", None, Role.PRINCIPAL),
    ):
        directory.add_person(uow(), caller=admin, handle=handle, name=name, unit=unit, roles=[role])
    directory.add_project(
        uow(), caller=admin, code=d.project, name=d.project_name, level=ProjectLevel.PROVINCIAL,
        locality=d.locality, lead_unit=d.service_unit, leaders=[d.leader], helpers=[d.solving_unit],
        specialists=[d.specialist],
    )
    directory.set_route(uow(), caller=admin, category="用地", unit=d.solving_unit)
    directory.set_route(uow(), caller=admin, category="施工许可", unit=d.other_unit)
    return d


@pytest.fixture(scope="session")
def district_factory() -> Callable[..., District]:
    """`district_factory(path, now=...)`: a fresh district in the SQLite file at `path`."""
    return build_district


@pytest.fixture
def district(tmp_path: Path) -> Iterator[District]:
    """A fresh district of our own, on a real SQLite file in this test's tmp_path."""
    d = build_district(tmp_path / DB_NAME)
    yield d
    d.engine.dispose()


@pytest.fixture
def caller() -> Callable[..., Caller]:
    """`caller(handle, now=DEFAULT_NOW, origin="cli")`."""
    return make_caller
