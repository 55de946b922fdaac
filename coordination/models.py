"""SQLModel tables, together in one module. Times are aware UTC; dates are calendar dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import DateTime, Index, String, Text, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every back end (SQLite keeps no offset of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Unit(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=100)
    kind: str = Field(max_length=20)
    active: bool = True


class Person(SQLModel, table=True):
    handle: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=60)
    unit: str | None = Field(default=None, foreign_key="unit.code", max_length=40)
    active: bool = True
    token_hash: str | None = Field(default=None, max_length=64)


class PersonRole(SQLModel, table=True):
    __tablename__ = "person_role"

    handle: str = Field(primary_key=True, foreign_key="person.handle", max_length=40)
    role: str = Field(primary_key=True, max_length=20)


class Project(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=200)
    level: str = Field(max_length=20)
    locality: str = Field(foreign_key="unit.code", max_length=40)
    lead_unit: str = Field(foreign_key="unit.code", max_length=40)
    active: bool = True


class RosterEntry(SQLModel, table=True):
    """One member of a project's 1+2+N beyond its locality and lead unit."""

    __tablename__ = "roster_entry"

    project: str = Field(primary_key=True, foreign_key="project.code", max_length=40)
    part: str = Field(primary_key=True, max_length=20)  # leader | specialist | helper
    ref: str = Field(primary_key=True, max_length=40)  # a person's handle or a unit's code


class RoutingRule(SQLModel, table=True):
    """Category → the unit that usually solves it; proposes the lead unit at assignment."""

    __tablename__ = "routing_rule"

    category: str = Field(primary_key=True, max_length=20)
    unit: str = Field(foreign_key="unit.code", max_length=40)


class Problem(SQLModel, table=True):
    __table_args__ = (
        Index("ix_problem_state_level", "state", "level"),
        Index("ix_problem_lead_unit", "lead_unit"),
        Index("ix_problem_project", "project"),
    )

    id: str = Field(primary_key=True, max_length=20)
    project: str = Field(foreign_key="project.code", max_length=40)
    title: str = Field(max_length=200)
    detail: str | None = Field(default=None, sa_type=Text)
    category: str = Field(max_length=20)
    state: str = Field(max_length=30)
    level: int = 1
    difficulty: str | None = Field(default=None, max_length=1)
    lead_unit: str | None = Field(default=None, max_length=40)
    co_units: str = Field(default="[]", sa_type=Text)  # JSON list of unit codes
    raised_by: str = Field(max_length=40)
    raised_on: date
    assigned_on: date | None = None
    due_date: date | None = None
    due_provisional: bool = False
    pending_extension_days: int | None = None
    extension_count: int = 0
    reopen_count: int = 0
    resolved_by_unit: str | None = Field(default=None, max_length=40)
    resolved_on: date | None = None
    resolved_on_time: bool | None = None
    closed_on: date | None = None
    version: int = 1


class ProblemSequence(SQLModel, table=True):
    """The last number given to a problem in a year: Q-2024-0042."""

    __tablename__ = "problem_sequence"

    year: int = Field(primary_key=True)
    last: int = 0


class AuditEvent(SQLModel, table=True):
    """Append-only: one row per change, hash-chained within its stream."""

    __tablename__ = "audit_event"
    __table_args__ = (
        UniqueConstraint("stream_type", "stream_id", "seq", name="uq_audit_stream_seq"),
        Index("ix_audit_at", "at"),
        Index("ix_audit_action_at", "action", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    stream_type: str = Field(max_length=20)  # problem | unit | person | project | calendar | routing
    stream_id: str = Field(max_length=60)
    seq: int
    action: str = Field(max_length=30)
    from_state: str | None = Field(default=None, max_length=30)
    to_state: str | None = Field(default=None, max_length=30)
    actor: str = Field(max_length=40)
    at: datetime = Field(sa_type=UTCDateTime)
    origin: str = Field(max_length=80)
    reason: str | None = Field(default=None, sa_type=Text)
    payload: str = Field(sa_type=Text)  # canonical JSON: {"changes": {...}, ...}
    prev_hash: str = Field(sa_type=String(64))
    hash: str = Field(sa_type=String(64))


class CalendarYear(SQLModel, table=True):
    """An official schedule loaded by an admin for a year the calendar package lacks."""

    __tablename__ = "calendar_year"

    year: int = Field(primary_key=True)
    holidays: str = Field(sa_type=Text)  # JSON list of ISO dates
    workdays: str = Field(sa_type=Text)
    loaded_by: str = Field(max_length=40)
    loaded_at: datetime = Field(sa_type=UTCDateTime)


class CalendarOverride(SQLModel, table=True):
    """A local exception to the official calendar, set by an admin."""

    __tablename__ = "calendar_override"

    day: date = Field(primary_key=True)
    is_workday: bool
    reason: str = Field(sa_type=Text)


class Setting(SQLModel, table=True):
    """District settings an admin may change (and markers such as the demo's seed)."""

    key: str = Field(primary_key=True, max_length=60)
    value: str = Field(sa_type=Text)
