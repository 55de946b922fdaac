"""Districts and large databases for the benchmarks, built quickly.

`district(engine)` registers units, people and projects through coord's own services (as
tests/conftest.py does). `bulk_problems(path, …)` then writes many problems with their whole,
hash-chained lives straight into a SQLite file with the stdlib sqlite3 module (coord's services
would take hours for 100,000 problems). `seed_submitted(engine, …)` writes a few hundred freshly
raised problems through SQLAlchemy Core, on either back end. `postgres_database` makes a scratch
PostgreSQL database (also used by concurrency_bench.py).
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic_core import PydanticUndefined
from sqlalchemy import Engine, insert

# Wednesday 2024-06-12, 10:00 in the district (Asia/Shanghai): "now" for every benchmark dataset.
NOW = datetime(2024, 6, 12, 2, 0, tzinfo=UTC)
TODAY = date(2024, 6, 12)
# Lives start from here and stop before NOW, so that the week before (2024-W23) is full of events.
HISTORY_START = datetime(2024, 1, 2, 1, 0, tzinfo=UTC)
HISTORY_END = datetime(2024, 6, 11, 10, 0, tzinfo=UTC)
REPORT_WEEK = "2024-W23"  # 3–9 June 2024: the last complete week before NOW

GENESIS = "0" * 64
ADMIN, SECRETARIAT, SPECIALIST = "admin", "wang_mishu", "li_zhuanyuan"
HANDLER, UNIT_HEAD = "zhao_jingban", "qian_juzhang"
LEADER, OTHER_LEADER, PRINCIPAL = "chen_fuquzhang", "liu_fuquzhang", "zhou_quzhang"
SOLVING_UNIT = "ZRZY"  # the handler's unit: the transitions benchmark assigns to it

DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("FGJ", "区发展和改革局"), ("ZRZY", "区自然资源和规划局"), ("ZJJ", "区住房和城乡建设局"),
    ("STHJ", "市生态环境局东区分局"), ("GDGS", "国网东区供电公司"), ("SWJ", "区水务局"),
    ("CZJ", "区财政局"), ("TJJ", "区统计局"), ("LYJ", "区林业局"),
)
LOCALITY = ("DQY", "东区电池材料产业园")
LEAD_UNITS = tuple(code for code, _ in DEPARTMENTS if code != "FGJ")
PROJECTS = 20
LEADER_PROJECTS = 5  # the linked leader's share: P-001 … P-005
CATEGORIES = ("用地", "规划", "环评", "施工许可", "配套", "资金", "入统", "征地拆迁")



def _encoder() -> Callable[[Any], str]:
    """coord's canonical JSON encoder (sorted keys, no spaces, UTF-8 kept); its C core built once.

    json.JSONEncoder.encode builds a new C encoder on every call: over the ~500,000 events of the
    large dataset that costs seconds.
    """
    slow: Callable[[Any], str] = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
    try:
        from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
    except ImportError:
        return slow
    if c_make_encoder is None:
        return slow

    def refuse(value: Any) -> Any:
        raise TypeError(f"not JSON: {value!r}")

    core = c_make_encoder(None, refuse, encode_basestring, None, ":", ",", True, False, True)

    def encode(value: Any) -> str:
        chunks: tuple[str, ...] = core(value, 0)
        return "".join(chunks)

    return encode


_ENCODE = _encoder()


def project_code(n: int) -> str:
    return f"P-{n:03d}"


def canonical(value: Any) -> str:
    """coord's canonical JSON (sorted keys, no spaces, UTF-8) for values already in JSON form."""
    return _ENCODE(value)


def chain_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """The hash coord chains its events with: sha256 over the previous hash and the canonical fields."""
    return hashlib.sha256((prev_hash + _ENCODE(fields)).encode("utf-8")).hexdigest()


def sqlite_moment(moment: datetime) -> str:
    """How coord stores an aware UTC datetime on SQLite: naive UTC text with microseconds."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def local_day(moment: datetime) -> date:
    return (moment.astimezone(UTC) + timedelta(hours=8)).date()


# ---- a district, through the services ----------------------------------------------------------


def district(engine: Engine, *, projects: int = PROJECTS) -> None:
    """Create the schema (coord's migrations) and register a district through coord's services."""
    from coordination.db import create_schema
    from coordination.domain.enums import ProjectLevel, Role, UnitKind
    from coordination.services import directory
    from coordination.services.common import SYSTEM_HANDLE, Caller
    from coordination.uow import UnitOfWork

    create_schema(engine)
    setup = Caller(SYSTEM_HANDLE, HISTORY_START, "bench", scheduled=True)
    directory.bootstrap(UnitOfWork(engine), caller=setup, admin_handle=ADMIN, admin_name="系统管理员")
    admin = Caller(ADMIN, HISTORY_START, "bench")
    for code, name in DEPARTMENTS:
        directory.add_unit(UnitOfWork(engine), caller=admin, code=code, name=name, kind=UnitKind.DEPARTMENT)
    directory.add_unit(UnitOfWork(engine), caller=admin, code=LOCALITY[0], name=LOCALITY[1], kind=UnitKind.LOCALITY)
    for handle, name, unit, role in (
        (SECRETARIAT, "王秘书（重点办）", "FGJ", Role.SECRETARIAT),
        (SPECIALIST, "李专员", "FGJ", Role.SPECIALIST),
        (HANDLER, "赵经办", SOLVING_UNIT, Role.HANDLER),
        (UNIT_HEAD, "钱局长", SOLVING_UNIT, Role.UNIT_HEAD),
        (LEADER, "陈副区长", None, Role.LEADER),
        (OTHER_LEADER, "刘副区长", None, Role.LEADER),
        (PRINCIPAL, "周区长", None, Role.PRINCIPAL),
    ):
        directory.add_person(UnitOfWork(engine), caller=admin, handle=handle, name=name, unit=unit, roles=[role])
    helpers = [code for code, _ in DEPARTMENTS if code != "FGJ"]
    for n in range(1, projects + 1):
        directory.add_project(
            UnitOfWork(engine), caller=admin, code=project_code(n), name=f"东区重大项目{n:03d}",
            level=ProjectLevel.PROVINCIAL, locality=LOCALITY[0], lead_unit="FGJ",
            leaders=[LEADER if n <= LEADER_PROJECTS else OTHER_LEADER], helpers=helpers, specialists=[SPECIALIST])
    directory.set_route(UnitOfWork(engine), caller=admin, category="用地", unit=SOLVING_UNIT)


def sqlite_district(path: Path) -> None:
    """A fresh SQLite file holding the district (the engine is disposed, the WAL folded in)."""
    from coordination.db import make_engine

    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    try:
        district(engine)
    finally:
        engine.dispose()


# ---- problems with their lives -----------------------------------------------------------------


def problem_defaults() -> dict[str, Any]:
    """Each problem column's default in coord's model, so that rows stay complete as the model grows."""
    from coordination.models import Problem

    defaults: dict[str, Any] = {}
    for name, info in Problem.model_fields.items():
        default = info.default
        defaults[name] = None if default is PydanticUndefined else default
    return defaults


@dataclass
class Life:
    """One problem's row and its events, as coord's services would have recorded them.

    Events are kept in JSON form (the hashed fields) with their chain; `rows(sqlite=…)` turns them into
    what the audit table stores.
    """

    pid: str
    row: dict[str, Any]
    at: datetime
    events: list[dict[str, Any]] = field(default_factory=list)
    last_hash: str = GENESIS

    def add(self, action: str, actor: str, changes: dict[str, Any], *, to_state: str | None = None,
            reason: str | None = None, hours: float = 0.0) -> bool:
        """Append one event `hours` after the last; False (nothing added) once past HISTORY_END."""
        at = self.at + timedelta(hours=hours)
        if self.events and at > HISTORY_END:
            return False
        self.at = at
        from_state = self.row["state"] if self.events else None
        self.row.update(changes)
        self.row["version"] = len(self.events) + 1
        fields = {
            "stream_type": "problem", "stream_id": self.pid, "seq": self.row["version"], "action": action,
            "from_state": from_state, "to_state": to_state or self.row["state"], "actor": actor,
            "at": at.isoformat(), "origin": "bench", "reason": reason,
            "payload": canonical({"changes": {**changes, "version": self.row["version"]}}),
            "level": self.row["level"], "lead_unit": self.row["lead_unit"], "due_date": self.row["due_date"],
            "on_time": self.row["resolved_on_time"],
        }
        prev, self.last_hash = self.last_hash, chain_hash(self.last_hash, fields)
        self.events.append({**fields, "at": at, "prev_hash": prev, "hash": self.last_hash})
        return True


EVENT_COLUMNS = ("stream_type", "stream_id", "seq", "action", "from_state", "to_state", "actor", "at", "origin",
                 "reason", "payload", "prev_hash", "hash", "level", "lead_unit", "due_date", "on_time")


def raised_life(n: int, pid: str, raised: datetime, defaults: dict[str, Any]) -> Life:
    """A problem just raised on project P-(n mod 20 + 1): its row and its `raise` event."""
    fields = {**defaults, "id": pid, "project": project_code(n % PROJECTS + 1),
              "title": f"第{n}号问题：二期用地指标尚未落实", "category": CATEGORIES[n % len(CATEGORIES)],
              "state": "submitted", "level": 1, "raised_by": SPECIALIST, "raised_on": local_day(raised).isoformat(),
              "co_units": [], "lead_unit": None, "due_date": None, "resolved_on_time": None, "light": None}
    life = Life(pid, dict(fields), raised)
    life.add("raise", SPECIALIST, fields, to_state="submitted")
    return life


def live(n: int, rng: random.Random, profile: str, defaults: dict[str, Any]) -> Life:
    """Problem number `n` and its events.

    profile "open": a district's open problems in every open state — submitted, assigned, in progress
    (with progress notes), escalated to L2–L4 (on the agenda), resolution submitted — due dates spread
    around TODAY; "on_agenda_l2": escalated once, waiting for the task-force meeting.
    """
    if profile == "on_agenda_l2":
        raised = HISTORY_END - timedelta(days=rng.uniform(20, 120))
    else:
        raised = HISTORY_START + (HISTORY_END - HISTORY_START) * rng.random()
    life = raised_life(n, f"Q-2024-{n:06d}", raised, defaults)
    if profile == "open" and rng.random() < 0.08:
        return life
    assigned_on = local_day(life.at + timedelta(hours=2))
    due = max(assigned_on + timedelta(days=3), TODAY + timedelta(days=rng.randint(-40, 60)))
    if not life.add("assign", SECRETARIAT, {
            "state": "assigned", "lead_unit": rng.choice(LEAD_UNITS), "co_units": [], "difficulty": rng.choice("ABC"),
            "assigned_on": assigned_on.isoformat(), "due_date": due.isoformat(), "due_provisional": False},
            hours=rng.uniform(2, 48)):
        return life
    if profile == "open" and rng.random() < 0.08:
        return life
    if not life.add("acknowledge", HANDLER, {"state": "in_progress"}, hours=rng.uniform(2, 48)):
        return life
    if profile == "on_agenda_l2":
        life.add("escalate", SECRETARIAT, {"state": "on_agenda", "level": 2}, reason="专班会商", hours=24)
        return life
    for _ in range(rng.randint(0, 3)):
        if not life.add("progress", HANDLER, {}, reason="已与市局对接，材料补正中", hours=rng.uniform(24, 120)):
            return life
    if rng.random() < 0.25:
        for level in (2, 3, 4):
            if not life.add("escalate", SECRETARIAT, {"state": "on_agenda", "level": level},
                            reason=f"提级至 L{level}", hours=rng.uniform(24, 200)):
                return life
            if rng.random() > (0.4 if level == 2 else 0.25):
                break
    if rng.random() < 0.12:
        day = local_day(life.at + timedelta(hours=30))
        life.add("resolve", HANDLER, {"state": "resolution_submitted", "resolved_by_unit": life.row["lead_unit"],
                                      "resolved_on": day.isoformat(),
                                      "resolved_on_time": day.isoformat() <= life.row["due_date"]}, hours=30)
    return life


def _problem_row(life: Life, columns: list[str]) -> tuple[Any, ...]:
    row = life.row
    return tuple(json.dumps(row[c], ensure_ascii=False) if c == "co_units" and isinstance(row[c], list)
                 else row.get(c) for c in columns)


def _event_row(event: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(sqlite_moment(event["at"]) if c == "at" else event[c] for c in EVENT_COLUMNS)


@dataclass(frozen=True)
class Built:
    problems: int
    events: int
    seconds: float
    by_state: dict[str, int]
    by_level: dict[int, int]


def bulk_problems(path: Path, problems: int, *, profile: str = "open", seed: int = 2024,
                  batch: int = 5_000) -> Built:
    """Write `problems` problems and their hash-chained events into the district's SQLite file."""
    import time

    started = time.perf_counter()
    rng = random.Random(seed)
    defaults = problem_defaults()
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")  # building, not measuring: nothing here is timed
    connection.execute("PRAGMA cache_size=-262144")  # 256 MiB: the event indexes stay in memory while they grow
    columns = [r[1] for r in connection.execute("PRAGMA table_info(problem)")]
    missing = [c for c in columns if c not in defaults]
    if missing:
        raise RuntimeError(f"problem columns the benchmark does not know: {missing}")
    insert_problem = f"INSERT INTO problem ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    insert_event = (f"INSERT INTO audit_event ({', '.join(EVENT_COLUMNS)}) "
                    f"VALUES ({', '.join('?' * len(EVENT_COLUMNS))})")
    events = 0
    by_state: dict[str, int] = {}
    by_level: dict[int, int] = {}
    for first in range(1, problems + 1, batch):
        problem_rows: list[tuple[Any, ...]] = []
        event_rows: list[tuple[Any, ...]] = []
        for n in range(first, min(first + batch, problems + 1)):
            life = live(n, rng, profile, defaults)
            problem_rows.append(_problem_row(life, columns))
            event_rows.extend(_event_row(e) for e in life.events)
            by_state[life.row["state"]] = by_state.get(life.row["state"], 0) + 1
            by_level[life.row["level"]] = by_level.get(life.row["level"], 0) + 1
        connection.execute("BEGIN")
        connection.executemany(insert_problem, problem_rows)
        connection.executemany(insert_event, event_rows)
        connection.execute("COMMIT")
        events += len(event_rows)
    connection.execute("INSERT INTO problem_sequence (year, last) VALUES (2024, ?) "
                       "ON CONFLICT (year) DO UPDATE SET last = excluded.last", (problems,))
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return Built(problems, events, round(time.perf_counter() - started, 2), by_state, by_level)


def seed_submitted(engine: Engine, count: int, *, prefix: str) -> list[str]:
    """`count` freshly raised problems (state submitted, one raise event each), through SQLAlchemy Core.

    Works on either back end; ids are `{prefix}-000001` … so that several pools can live side by side.
    """
    from coordination.models import AuditEvent, Problem

    defaults = problem_defaults()
    rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for n in range(1, count + 1):
        life = raised_life(n, f"{prefix}-{n:06d}", NOW - timedelta(hours=1), defaults)
        rows.append({**life.row, "co_units": "[]", "raised_on": TODAY})
        events.extend(life.events)
    with engine.begin() as connection:
        connection.execute(insert(Problem.__table__), rows)  # type: ignore[attr-defined]
        connection.execute(insert(AuditEvent.__table__), events)  # type: ignore[attr-defined]
    return [r["id"] for r in rows]


def copy_sqlite(source: Path, target: Path) -> Path:
    """A byte copy of a SQLite file whose connections are all closed (its WAL folded in)."""
    import shutil

    for leftover in (target, target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


# ---- PostgreSQL scratch databases ----------------------------------------------------------------


def postgres_database(admin_url: str, name: str) -> str:
    """(Re)create database `name` on the server of `admin_url` (a superuser URL); its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    admin = create_engine(_psycopg(admin_url), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
    admin.dispose()
    return make_url(_psycopg(admin_url)).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(admin_url: str, name: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    admin = create_engine(_psycopg(admin_url), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _psycopg(url: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def psycopg_connect_args(url: str) -> dict[str, Any]:
    """Keyword arguments for psycopg.connect from a SQLAlchemy URL (host may sit in the query string)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    args: dict[str, Any] = parsed.translate_connect_args(username="user", database="dbname")
    args.update({k: v for k, v in parsed.query.items() if isinstance(v, str)})
    return args
