"""Shared fixtures: a fresh real database per test and a small district that looks like a real one.

Back ends: `pytest --backend sqlite|postgresql|both` (default sqlite, or COORD_TEST_BACKEND). Every test
that uses a database (through `district`, `database_url`, the CLI's `cli`, …) runs once per chosen back
end, with the back end in its id (`test_x[postgresql]`); tests marked `sqlite_only` run on SQLite only.
PostgreSQL needs COORD_TEST_POSTGRES_URL (see tests/backends.py); when it is asked for without one, the
run stops at once with an error: it never silently skips.

The district has the 发改局 (home of the secretariat and the project specialist), the 自然资源和规划局
that solves land problems, the 住建局 that is not on the project's roster, and the 东区电池材料产业园 as
the locality. Tests reach everything through the `District` the fixtures return (or the `district_factory`
fixture for module-scoped set-ups), never by importing this module, so tests/cli can share them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
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
from tests.backends import BACKENDS, POSTGRES_URL_VARIABLE, Databases, open_databases, postgres_admin_url
from tests.cli_command import build_commands_once

# Monday 2024-06-03, 10:00 in the district (Asia/Shanghai): a plain working day in a known year.
DEFAULT_NOW = datetime(2024, 6, 3, 2, 0, tzinfo=UTC)
DB_NAME = "coord.sqlite3"


@dataclass
class District:
    """One district's database with the handles of the people in it."""

    engine: Engine
    path: Path | None  # the SQLite file; None on PostgreSQL
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

    @property
    def url(self) -> str:
        """The database URL, for other processes and the command line (either back end)."""
        return self.engine.url.render_as_string(hide_password=False)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

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

    # ---- plan tasks (重点任务) -------------------------------------------------------------------

    def add_plan(self, code: str = "SSW-ZQ", name: str = "“十四五”规划中期评估任务分解", *,
                 kind: str = "plan") -> str:
        from coordination.domain.task_workflow import PlanKind
        from coordination.services import plans

        return plans.add_plan(self.uow(), caller=self.caller(self.secretariat), code=code, name=name,
                              kind=PlanKind(kind)).code

    def add_task(self, plan: str = "SSW-ZQ", *, title: str = "完成国土空间总体规划报批",
                 unit: str | None = None, co_units: tuple[str, ...] = (), due: date | None = None,
                 handle: str | None = None, now: datetime | None = None) -> str:
        from datetime import timedelta

        from coordination.services import tasks

        caller = self.caller(handle or self.secretariat, now)
        view = tasks.add_task(self.uow(), caller=caller, plan=plan, title=title, lead_unit=unit or self.solving_unit,
                              co_units=co_units, due=due or caller.today + timedelta(days=90))
        return view.id

    def task_act(self, handle: str, task_id: str, action: Any, *, now: datetime | None = None,
                 expected_version: int | None = None, **inputs: Any) -> Any:
        from coordination.domain.task import TaskInput
        from coordination.services import tasks

        return tasks.act_on_task(self.uow(), caller=self.caller(handle, now), task_id=task_id, action=action,
                                 inputs=TaskInput(**inputs), expected_version=expected_version)

    # ---- special plans (专项规划) ----------------------------------------------------------------

    def add_special_plan(self, code: str = "JT", name: str = "综合交通专项规划", *, unit: str | None = None,
                         handle: str | None = None, now: datetime | None = None) -> str:
        from coordination.services import special_plans

        return special_plans.add_special_plan(self.uow(), caller=self.caller(handle or self.secretariat, now),
                                              code=code, name=name, lead_unit=unit or self.solving_unit).code

    def special_plan_act(self, handle: str, code: str, action: Any = None, *, now: datetime | None = None,
                         expected_version: int | None = None, document: str | None = None,
                         on: date | None = None) -> Any:
        from coordination.services import special_plans

        return special_plans.act_on_special_plan(self.uow(), caller=self.caller(handle, now), code=code,
                                                 action=action, document=document, on=on,
                                                 expected_version=expected_version)

    # ---- filings (备案) ---------------------------------------------------------------------------

    def add_filing(self, *, project_name: str = "年产5万吨锂电池隔膜项目", enterprise: str = "东区新材料有限公司",
                   unit: str | None = None, handle: str | None = None, now: datetime | None = None) -> str:
        from coordination.services import filings

        return filings.add_filing(self.uow(), caller=self.caller(handle or self.secretariat, now),
                                  project_name=project_name, enterprise=enterprise,
                                  unit=unit or self.solving_unit).id

    def filing_act(self, handle: str, filing_id: str, action: Any, *, now: datetime | None = None,
                   reason: str | None = None, expected_version: int | None = None) -> Any:
        from coordination.services import filings

        return filings.act_on_filing(self.uow(), caller=self.caller(handle, now), filing_id=filing_id,
                                     action=action, reason=reason, expected_version=expected_version)

    # ---- upward reports (对上汇报) ----------------------------------------------------------------

    def add_upward_report(self, *, to_office: str = "市发改委投资处", topic: str = "东区电池材料产业园项目推进情况",
                          on: date | None = None, unit: str | None = None, handle: str | None = None,
                          now: datetime | None = None) -> str:
        """Record a report ZRZY (by default) made on `on` (default: the caller's day); returns its number."""
        from coordination.services import upward_reports

        caller = self.caller(handle or self.secretariat, now)
        return upward_reports.add_upward_report(self.uow(), caller=caller, to_office=to_office, topic=topic,
                                                reported_on=on or caller.today, unit=unit or self.solving_unit).id

    def revoke_upward_report(self, handle: str, report_id: str, *, reason: str | None = "误登记，重复录入",
                             now: datetime | None = None, expected_version: int | None = None) -> Any:
        from coordination.services import upward_reports

        return upward_reports.revoke_upward_report(self.uow(), caller=self.caller(handle, now), report_id=report_id,
                                                   reason=reason, expected_version=expected_version)

    def upward_report_row(self, report_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(text("SELECT * FROM upward_report WHERE id = :id"), {"id": report_id}).mappings().one()
            return raw_row(row)

    def upward_report_events(self, report_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT * FROM audit_event WHERE stream_type = 'upward_report' AND stream_id = :id ORDER BY seq"),
                {"id": report_id},
            ).mappings().all()
            return [raw_row(r) for r in rows]

    # ---- fund applications (资金争取) and disbursements (引导资金发放) ---------------------------------

    def add_fund(self, code: str = "2024-01", name: str = "东区污水处理厂扩建中央预算内投资", *,
                 source: str = "central", fund_type: str = "budget", project: str | None = None,
                 unit: str | None = None, handle: str | None = None, now: datetime | None = None) -> str:
        """Put an application of ZRZY's (by default) in the reserve; returns its code (ZJ-2024-01)."""
        from coordination.domain.fund_workflow import FundSource, FundType
        from coordination.services import funds

        return funds.add_fund(self.uow(), caller=self.caller(handle or self.secretariat, now), code=code, name=name,
                              source=FundSource(source), fund_type=FundType(fund_type), project=project,
                              unit=unit or self.solving_unit).code

    def fund_act(self, handle: str, code: str, action: Any, *, now: datetime | None = None,
                 expected_version: int | None = None, **inputs: Any) -> Any:
        from coordination.domain.fund import StageInput
        from coordination.services import funds

        return funds.act_on_fund(self.uow(), caller=self.caller(handle, now), code=code, action=action,
                                 inputs=StageInput(**inputs), expected_version=expected_version)

    def add_disbursement(self, *, enterprise: str = "东区新材料有限公司", amount_yuan: int = 1_000_000,
                         paid_on: date | None = None, unit: str | None = None, handle: str | None = None,
                         now: datetime | None = None) -> str:
        """Record a payment by ZRZY (by default) on `paid_on` (default: the caller's day); returns its number."""
        from coordination.services import disbursements

        caller = self.caller(handle or self.secretariat, now)
        return disbursements.add_disbursement(self.uow(), caller=caller, enterprise=enterprise,
                                              amount_yuan=amount_yuan, paid_on=paid_on or caller.today,
                                              unit=unit or self.solving_unit).id

    def revoke_disbursement(self, handle: str, disbursement_id: str, *, reason: str | None = "误登记，重复录入",
                            now: datetime | None = None, expected_version: int | None = None) -> Any:
        from coordination.services import disbursements

        return disbursements.revoke_disbursement(self.uow(), caller=self.caller(handle, now),
                                                 disbursement_id=disbursement_id, reason=reason,
                                                 expected_version=expected_version)

    def fund_row(self, code: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return raw_row(conn.execute(text("SELECT * FROM fund WHERE code = :c"), {"c": code}).mappings().one())

    def disbursement_row(self, disbursement_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(text("SELECT * FROM disbursement WHERE id = :id"), {"id": disbursement_id})
            return raw_row(row.mappings().one())

    def stream_events(self, kind: str, key: str) -> list[dict[str, Any]]:
        """The audit events of one item of any kind, by its stream (fund, disbursement, …) and key."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT * FROM audit_event WHERE stream_type = :k AND stream_id = :id ORDER BY seq"),
                {"k": kind, "id": key},
            ).mappings().all()
            return [raw_row(r) for r in rows]

    # ---- indicators (指标监测) ---------------------------------------------------------------------

    def add_indicator(self, code: str = "FAI", name: str = "固定资产投资累计增速", *, measure: str = "%",
                      target: str = "8.5", tolerance: str | None = None, higher_is_better: bool = True,
                      unit: str | None = None, handle: str | None = None, now: datetime | None = None) -> str:
        """Watch an indicator ZRZY (by default) reports; returns its code."""
        from coordination.services import indicators

        return indicators.add_indicator(self.uow(), caller=self.caller(handle or self.secretariat, now), code=code,
                                        name=name, measure=measure, target=target, tolerance=tolerance,
                                        higher_is_better=higher_is_better, lead_unit=unit or self.solving_unit).code

    def indicator_record(self, handle: str, code: str, month: str, value: str, *, now: datetime | None = None,
                         expected_version: int | None = None) -> Any:
        from coordination.services import indicators

        return indicators.record_value(self.uow(), caller=self.caller(handle, now), code=code, month=month,
                                       value=value, expected_version=expected_version)

    def indicator_act(self, handle: str, code: str, action: Any, *, now: datetime | None = None,
                      reason: str | None = "市统计局反馈口径调整", target: str | None = None,
                      tolerance: str | None = None, expected_version: int | None = None) -> Any:
        """retarget or retire (IndicatorAction); `record` goes through `indicator_record`."""
        from coordination.domain.indicator_workflow import IndicatorAction
        from coordination.services import indicators

        caller = self.caller(handle, now)
        if action is IndicatorAction.RETARGET:
            return indicators.retarget(self.uow(), caller=caller, code=code, target=target, tolerance=tolerance,
                                       reason=reason, expected_version=expected_version)
        assert action is IndicatorAction.RETIRE, action
        return indicators.retire(self.uow(), caller=caller, code=code, reason=reason,
                                 expected_version=expected_version)

    def indicator_row(self, code: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return raw_row(conn.execute(text("SELECT * FROM indicator WHERE code = :c"), {"c": code}).mappings().one())

    def indicator_values(self, code: str) -> dict[str, str]:
        """The stored figures of an indicator, month -> value."""
        with self.engine.connect() as conn:
            rows = conn.execute(text("SELECT month, value FROM indicator_value WHERE indicator = :c ORDER BY month"),
                                {"c": code}).all()
            return {month: value for month, value in rows}

    # ---- raw reads, independent of the services ----------------------------------------------

    def task_row(self, task_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(text("SELECT * FROM task WHERE id = :id"), {"id": task_id}).mappings().one()
            return raw_row(row)

    def task_events(self, task_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT * FROM audit_event WHERE stream_type = 'task' AND stream_id = :id ORDER BY seq"),
                {"id": task_id},
            ).mappings().all()
            return [raw_row(r) for r in rows]

    def special_plan_row(self, code: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(text("SELECT * FROM special_plan WHERE code = :c"), {"c": code}).mappings().one()
            return raw_row(row)

    def special_plan_events(self, code: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT * FROM audit_event WHERE stream_type = 'special_plan' AND stream_id = :c ORDER BY seq"),
                {"c": code},
            ).mappings().all()
            return [raw_row(r) for r in rows]

    def filing_row(self, filing_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(text("SELECT * FROM filing WHERE id = :id"), {"id": filing_id}).mappings().one()
            return raw_row(row)

    def filing_events(self, filing_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT * FROM audit_event WHERE stream_type = 'filing' AND stream_id = :id ORDER BY seq"),
                {"id": filing_id},
            ).mappings().all()
            return [raw_row(r) for r in rows]

    def outbox(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [raw_row(r) for r in conn.execute(text("SELECT * FROM outbox ORDER BY id")).mappings().all()]

    def audit_count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM audit_event")).scalar_one())

    def problem_row(self, problem_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(text("SELECT * FROM problem WHERE id = :id"), {"id": problem_id}).mappings().one()
            return raw_row(row)

    def events(self, problem_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT * FROM audit_event WHERE stream_type = 'problem' AND stream_id = :id ORDER BY seq"),
                {"id": problem_id},
            ).mappings().all()
            return [raw_row(r) for r in rows]

    def copy_to(self, path: Path) -> District:
        """A District on a byte copy of this SQLite database (the engine is disposed first)."""
        assert self.path is not None, "copy_to copies SQLite files: mark the test sqlite_only"
        self.engine.dispose()  # closing the last connection folds the WAL into the main file
        shutil.copy(self.path, path)
        wal = self.path.with_name(self.path.name + "-wal")
        if wal.exists():  # another connection still open somewhere: take its log along
            shutil.copy(wal, path.with_name(path.name + "-wal"))
        return District(**{**self.__dict__, "engine": open_engine(path), "path": path, "extra": dict(self.extra)})


def raw_value(value: Any) -> Any:
    """A value read with plain SQL, in SQLite's stored form whatever the back end: dates and times as text."""
    if isinstance(value, datetime):
        value = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def raw_row(row: Any) -> dict[str, Any]:
    return {key: raw_value(value) for key, value in dict(row).items()}


def make_caller(handle: str, now: datetime = DEFAULT_NOW, origin: str = "cli") -> Caller:
    """A caller at a fixed, aware UTC moment."""
    assert now.tzinfo is not None, "Caller.now must be aware"
    # Tests that act as `system` stand for the scheduled jobs, the only callers that may be it.
    return Caller(handle, now.astimezone(UTC), origin, scheduled=handle == SYSTEM_HANDLE)


def open_engine(path: Path) -> Engine:
    return make_engine(f"sqlite:///{path}")


def build_district(where: Path | str, now: datetime = DEFAULT_NOW) -> District:
    """Register the district through the services in a database: a SQLite file's path, or any URL.

    The schema comes from the migrations: `create_schema` upgrades the database to the newest revision
    (a no-op on a database the `databases` fixture already migrated).
    """
    engine = open_engine(where) if isinstance(where, Path) else make_engine(where)
    create_schema(engine)
    path = where if isinstance(where, Path) else (Path(engine.url.database) if engine.dialect.name == "sqlite"
                                                   and engine.url.database else None)
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
    """`district_factory(path, now=...)`: a fresh district in the SQLite file at `path` (file-copy tests)."""
    return build_district


@pytest.fixture(scope="session")
def district_template(databases: Databases, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The district built once per back end; each test's `district` is a copy (milliseconds, where
    building it is some twenty writes)."""
    url = databases.migrated(tmp_path_factory.mktemp(f"district-{databases.name}"))
    build_district(url).engine.dispose()
    return url


@pytest.fixture
def district(database_url: str, databases: Databases, district_template: str) -> Iterator[District]:
    """A fresh district of our own, in a fresh database of the back end under test."""
    databases.copy(district_template, database_url)
    engine = make_engine(database_url)
    path = Path(engine.url.database) if engine.dialect.name == "sqlite" and engine.url.database else None
    d = District(engine=engine, path=path, now=DEFAULT_NOW)
    yield d
    d.engine.dispose()


# ---- back ends -------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend", choices=("sqlite", "postgresql", "both"), default=os.environ.get("COORD_TEST_BACKEND", "sqlite"),
        help="database back end(s) for the tests that use one: sqlite (default), postgresql or both; "
             f"postgresql needs {POSTGRES_URL_VARIABLE}")
    parser.addoption("--scaleout", action="store_true", default=False,
                     help="also run the scale-out tests (a Prefect server, a work pool and a worker; PostgreSQL)")


def selected_backends(config: pytest.Config) -> tuple[str, ...]:
    chosen = str(config.getoption("--backend"))
    return BACKENDS if chosen == "both" else (chosen,)


def pytest_configure(config: pytest.Config) -> None:
    build_commands_once()
    # Sweeps sign audit checkpoints: with one test key, no test writes a key file into the real home.
    os.environ.setdefault("COORD_AUDIT_KEY", "coord-test-audit-key-0123456789abcdef")
    config.addinivalue_line("markers", "sqlite_only: runs on SQLite only (it copies database files, …)")
    config.addinivalue_line("markers", "postgresql_only: runs on PostgreSQL only")
    config.addinivalue_line("markers", "scaleout: a Prefect server, work pool and worker (run with --scaleout)")
    wants_postgres = "postgresql" in selected_backends(config) or config.getoption("--scaleout")
    if wants_postgres and not postgres_admin_url():
        raise pytest.UsageError(
            f"PostgreSQL tests were asked for (--backend {config.getoption('--backend')}"
            f"{' --scaleout' if config.getoption('--scaleout') else ''}) but {POSTGRES_URL_VARIABLE} is not set; "
            'start a throwaway server with: eval "$(bash .ci/postgres.sh start)"')


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    backends = list(selected_backends(metafunc.config))
    if metafunc.definition.get_closest_marker("sqlite_only"):
        backends = ["sqlite"]
    elif metafunc.definition.get_closest_marker("postgresql_only") or metafunc.definition.get_closest_marker(
            "scaleout"):
        backends = ["postgresql"]
    # Session scope: one template per back end, and the tests of one back end run together.
    metafunc.parametrize("backend", backends, indirect=True, scope="session")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the scale-out tests unless --scaleout, and tests for a back end that was not chosen."""
    chosen = selected_backends(config)

    def wanted(item: pytest.Item) -> bool:
        if item.get_closest_marker("scaleout"):
            return bool(config.getoption("--scaleout"))
        if item.get_closest_marker("sqlite_only"):
            return "sqlite" in chosen
        if item.get_closest_marker("postgresql_only"):
            return "postgresql" in chosen
        return True

    dropped = [item for item in items if not wanted(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if wanted(item)]
    # The scale-out tests mostly wait (a Prefect server starting, a cron slot passing): run them first, so
    # that a worker waits while the others work, instead of the whole run waiting for them at its end.
    # Then the longest modules (xdist --dist loadscope hands out whole modules in this order): a long one
    # handed out last would leave the other workers idle while it runs.
    def order(item: pytest.Item) -> tuple[int, int]:
        if item.get_closest_marker("scaleout"):
            return 0, 0
        module = item.nodeid.split("::", 1)[0]
        return 1, LONGEST_MODULES.index(module) if module in LONGEST_MODULES else len(LONGEST_MODULES)

    items.sort(key=order)


# The modules that took longest in a whole run (seconds of test time on 2 cores, December 2026), longest first.
LONGEST_MODULES = (
    "tests/integration/test_kill9.py",  # 63
    "tests/cli/test_cli_fuzz.py",  # 57
    "tests/cli/test_terminal_widths.py",  # 52
    "tests/cli/test_cli_chinese_input.py",  # 41
    "tests/integration/test_transition_table.py",  # 34
    "tests/integration/test_ledger_memory.py",  # 30
    "tests/flows/test_flows.py",  # 29
    "tests/flows/test_orchestration.py",  # 29
    "tests/web/test_role_matrix.py",  # 28
    "tests/integration/test_outbox.py",  # 26
    "tests/integration/test_audit_anchor.py",  # 25
    "tests/integration/test_sweep.py",  # 25
    "tests/cli/test_cli_system_actor.py",  # 24
    "tests/integration/test_concurrency.py",  # 21
    "tests/integration/test_robot_delivery.py",  # 21
    "tests/cli/test_cli_hygiene.py",  # 20
    "tests/integration/test_calendar_service.py",  # 19
    "tests/integration/test_demo_year.py",  # 18
    "tests/cli/test_cli_demo_year.py",  # 18
    "tests/integration/test_ledger_fuzz.py",  # 18
    "tests/docs/test_readme_tour.py",  # 18
    "tests/browser/test_browser.py",  # 17
)


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    """The back end under test: "sqlite" or "postgresql" (parametrized by --backend)."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def databases(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    """Makes fresh databases of the back end under test (see tests/backends.py)."""
    opened = open_databases(backend, tmp_path_factory.mktemp(f"{backend}-template"))
    yield opened
    opened.close()


@pytest.fixture
def database_url(databases: Databases, tmp_path: Path) -> Iterator[str]:
    """A fresh database with the whole schema (migrated), dropped after the test."""
    url = databases.migrated(tmp_path)
    yield url
    databases.drop(url)


@pytest.fixture
def empty_database_url(databases: Databases, tmp_path: Path) -> Iterator[str]:
    """A fresh database without any table, dropped after the test."""
    url = databases.empty(tmp_path)
    yield url
    databases.drop(url)


@pytest.fixture
def new_database(databases: Databases, tmp_path: Path) -> Iterator[Callable[..., str]]:
    """`new_database(migrated=False)`: one more fresh database (empty unless asked), dropped after the test."""
    made: list[str] = []

    def make(migrated: bool = False) -> str:
        where = tmp_path / f"database-{len(made) + 1}"
        url = databases.migrated(where) if migrated else databases.empty(where)
        made.append(url)
        return url

    yield make
    for url in made:
        databases.drop(url)


@pytest.fixture
def caller() -> Callable[..., Caller]:
    """`caller(handle, now=DEFAULT_NOW, origin="cli")`."""
    return make_caller
