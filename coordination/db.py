"""Engines (SQLite with WAL and synchronous=FULL by default, PostgreSQL when asked) and migrations.

The schema is made and upgraded by the Alembic revisions in `coordination/migrations`, configured
here in code (no alembic.ini): `upgrade(engine)` is what `coord init` and `coord db upgrade` run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from coordination import models  # noqa: F401  (registers the tables)

if TYPE_CHECKING:
    from alembic.config import Config

WRITE_OPTION = "coord_write"
MIGRATIONS = "coordination:migrations"
# The first revision: the schema every coord database had before migrations existed (made by
# create_all). Such a database is stamped with it, then upgraded like any other.
BASELINE_REVISION = "0001"
_PG_MIGRATION_LOCK = 0x636F6F7264  # "coord": one migrating process at a time per PostgreSQL database


def _prepare_sqlite(engine: Engine, busy_timeout_s: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN so that writers can take the lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")  # an official record must survive a power cut
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A writer takes the write lock at BEGIN: two writers queue instead of failing on upgrade.
        # Straight on the driver: every use case begins here, and the statement needs none of SQLAlchemy's work.
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.connection.dbapi_connection.execute(  # type: ignore[union-attr]
            "BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str, *, busy_timeout_s: float | None = None, create: bool = True) -> Engine:
    """An engine on `url`. A SQLite file that does not exist yet is made only when `create` (and its folder
    with it); an unusable path, URL or driver is refused plainly (coordination/db_faults.py)."""
    from coordination import config
    from coordination.db_faults import check_sqlite_file, parsed_url

    parsed = parsed_url(url)
    if parsed.get_backend_name() == "sqlite":
        timeout = config.sqlite_busy_timeout() if busy_timeout_s is None else busy_timeout_s
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            path = Path(parsed.database)
            check_sqlite_file(path, create=create)
            if create:
                path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": timeout})
        _prepare_sqlite(engine, timeout)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def open_database(url: str) -> Engine:
    """An engine on a database whose schema this coord can use; a clear error otherwise. Never creates a file."""
    from coordination.db_faults import explain, shown
    from coordination.domain.errors import InvalidInput

    engine = make_engine(url, create=False)
    try:
        revision = stored_revision(engine)
        initialised = revision is not None or schema_exists(engine)
    except Exception as exc:  # the first connection: an unreachable server, a damaged file…
        engine.dispose()
        fault = explain(exc, url)
        if fault is None:
            raise
        raise fault from exc
    if revision == HEAD_REVISION:
        return engine
    engine.dispose()
    if not initialised:
        raise InvalidInput(
            f"数据库 {shown(url)} 尚未初始化：请先运行 coord init（或 coord demo）",
            f"database {shown(url)} is not initialised: run coord init (or coord demo) first",
        )
    raise InvalidInput(
        f"数据库结构版本为 {revision or '（迁移前）'}，本版 coord 需要 {HEAD_REVISION}：请先运行 coord db upgrade",
        f"the database schema is at {revision or '(pre-migration)'}, this coord needs {HEAD_REVISION}: "
        "run coord db upgrade",
    )


def create_schema(engine: Engine) -> None:
    """Create or upgrade the schema to the newest revision (the migrations, never create_all)."""
    upgrade(engine)


# The newest migration; a test keeps it equal to the migrations' head. Commands compare the
# database's revision with it in one cheap query, without importing Alembic.
HEAD_REVISION = "0011"


def schema_exists(engine: Engine) -> bool:
    return inspect(engine).has_table("audit_event")


def stored_revision(engine: Engine) -> str | None:
    """The revision recorded in the database; None when it has no schema or predates migrations."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def drop_schema(engine: Engine) -> None:
    SQLModel.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


# ---- migrations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Migration:
    """What an upgrade did: the revision before (None: an empty database) and after."""

    before: str | None
    after: str | None
    baseline_stamped: bool = False  # a database made before migrations existed

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def to_json(self) -> dict[str, Any]:
        return {"before": self.before, "after": self.after, "changed": self.changed,
                "baseline_stamped": self.baseline_stamped}


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration in code; env.py migrates `connection` inside its transaction."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "coordination/migrations has no revision"
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None when it was never migrated."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """One write transaction for a whole upgrade (both back ends run DDL transactionally).

    SQLite: foreign keys are off while tables are rebuilt (Alembic's batch mode copies them) and
    checked before commit. PostgreSQL: an advisory lock makes concurrent upgrades wait their turn.
    """
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        raw = connection.connection.driver_connection if sqlite else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")  # outside any transaction, where SQLite honours it
        try:
            with connection.execution_options(**{WRITE_OPTION: True}).begin():
                if engine.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the migration left rows without their parents: {broken[:5]}")
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def upgrade(engine: Engine, revision: str = "head") -> Migration:
    """Bring the database to `revision` (the newest by default); an empty database gets the whole schema."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    with _migrating(engine) as connection:
        before = MigrationContext.configure(connection).get_current_revision()
        config = alembic_config(connection)
        legacy = before is None and inspect(connection).has_table("audit_event")
        if legacy:
            command.stamp(config, BASELINE_REVISION)
        command.upgrade(config, revision)
        after = MigrationContext.configure(connection).get_current_revision()
    return Migration(before, after, legacy)
