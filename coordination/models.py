"""SQLModel tables, together in one module. Times are aware UTC; dates are calendar dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Index, String, Text, UniqueConstraint
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
    mobile: str | None = Field(default=None, max_length=20)  # DingTalk messages @ it
    password_hash: str | None = Field(default=None, max_length=255)  # argon2id, for signing in to coord web


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
    # Investment. Money is whole 元 in integers: exact on every back end.
    kind: str | None = Field(default=None, max_length=20)  # industry | livelihood | infrastructure
    total_investment_yuan: int | None = Field(default=None, sa_type=BigInteger)
    planned_start: date | None = None
    actual_start: date | None = None
    planned_completion: date | None = None
    actual_completion: date | None = None
    planned_production: date | None = None
    actual_production: date | None = None
    in_stats: bool = False  # 入统: counted in the official fixed-asset investment statistics


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
        Index("ix_problem_state_level_project", "state", "level", "project"),  # a leader's queue, counted
        Index("ix_problem_lead_unit", "lead_unit"),
        Index("ix_problem_project", "project"),
        Index("ix_problem_state_due", "state", "due_date"),  # the lights, counted by due-date ranges
        Index("ix_problem_queue", "due_date", "level", "state", "project"),  # the queue, in due-date order
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
    # Written only by the daily sweep (always with an audit event): the light it last recorded,
    # the deadlines missed so far, and the due date it last escalated for (once per deadline).
    light: str | None = Field(default=None, max_length=10)
    missed_deadlines: int = 0
    escalated_due: date | None = None
    version: int = 1


class Plan(SQLModel, table=True):
    """A plan (规划) or a policy document (政策文件) whose measures are tracked as tasks."""

    code: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)  # plan | policy (task_workflow.PlanKind)
    added_by: str = Field(max_length=40)
    added_on: date
    version: int = 1


class Task(SQLModel, table=True):
    """A plan task (重点任务), tracked through the workflow of domain/task_workflow.py."""

    __table_args__ = (
        Index("ix_task_plan", "plan"),
        Index("ix_task_lead_unit", "lead_unit"),
        Index("ix_task_state_due", "state", "due_date"),  # lights, counted by due-date ranges
        Index("ix_task_state_progress", "state", "last_progress_on"),  # the sweep's monthly 督办
    )

    id: str = Field(primary_key=True, max_length=20)  # T-2026-0001
    plan: str = Field(foreign_key="plan.code", max_length=40)
    title: str = Field(max_length=200)
    detail: str | None = Field(default=None, sa_type=Text)
    state: str = Field(max_length=30)
    lead_unit: str = Field(foreign_key="unit.code", max_length=40)
    co_units: str = Field(default="[]", sa_type=Text)  # JSON list of unit codes
    added_by: str = Field(max_length=40)
    added_on: date
    due_date: date
    signed_on: date | None = None
    # The day its monthly window last began: signing, a progress report, a return.
    last_progress_on: date | None = None
    reminded_on: date | None = None  # the sweep's last 督办 (always with an audit event)
    submitted_by_unit: str | None = Field(default=None, max_length=40)
    submitted_on: date | None = None
    completed_on: date | None = None
    completed_on_time: bool | None = None
    adjust_count: int = 0
    return_count: int = 0
    version: int = 1


class SpecialPlan(SQLModel, table=True):
    """A special plan (专项规划), staged through the workflow of domain/special_plan_workflow.py."""

    __tablename__ = "special_plan"  # the workflow's kind, as a task's table is `task`
    __table_args__ = (
        Index("ix_special_plan_lead_unit", "lead_unit"),
        Index("ix_special_plan_state", "state"),
    )

    code: str = Field(primary_key=True, max_length=20)  # ZX-JT (a notice names it in 20)
    name: str = Field(max_length=200)
    state: str = Field(max_length=30)
    lead_unit: str = Field(foreign_key="unit.code", max_length=40)  # the unit that leads the drafting
    added_by: str = Field(max_length=40)
    added_on: date
    # Each stage's day and document (the review's opinion, the meeting's number, the issuing notice).
    reviewed_on: date | None = None
    review_document: str | None = Field(default=None, max_length=200)
    deliberated_on: date | None = None
    deliberation_document: str | None = Field(default=None, max_length=200)
    issued_on: date | None = None
    issue_document: str | None = Field(default=None, max_length=200)
    version: int = 1


class Filing(SQLModel, table=True):
    """A filing (备案), handled against its time limit through the workflow of domain/filing_workflow.py."""

    __table_args__ = (
        Index("ix_filing_lead_unit", "lead_unit"),
        Index("ix_filing_state_due", "state", "due_date"),  # lights, counted by due-date ranges
    )

    id: str = Field(primary_key=True, max_length=20)  # B-2026-0001
    project_name: str = Field(max_length=200)
    enterprise: str = Field(max_length=200)
    state: str = Field(max_length=30)
    lead_unit: str = Field(foreign_key="unit.code", max_length=40)  # the unit whose window handles it
    received_by: str = Field(max_length=40)
    received_on: date
    due_date: date
    due_provisional: bool = False  # the year's official calendar was not loaded when it was counted
    completed_on: date | None = None
    completed_on_time: bool | None = None
    returned_on: date | None = None
    version: int = 1


class Fund(SQLModel, table=True):
    """A fund application (资金争取), staged through the workflow of domain/fund_workflow.py."""

    __table_args__ = (
        Index("ix_fund_lead_unit", "lead_unit"),
        Index("ix_fund_state", "state"),
    )

    code: str = Field(primary_key=True, max_length=20)  # the district's own code (a notice names it in 20)
    name: str = Field(max_length=200)
    source: str = Field(max_length=20)  # central | provincial | municipal
    fund_type: str = Field(max_length=20)  # budget | special | bond
    project: str | None = Field(default=None, foreign_key="project.code", max_length=40)
    state: str = Field(max_length=30)
    lead_unit: str = Field(foreign_key="unit.code", max_length=40)  # the unit that applies
    added_by: str = Field(max_length=40)
    added_on: date
    prepared_on: date | None = None  # 前期推进
    applied_on: date | None = None  # 审核申报
    granted_on: date | None = None  # 计划下达
    granted_yuan: int | None = Field(default=None, sa_type=BigInteger)  # exact, whole 元
    grant_document: str | None = Field(default=None, max_length=200)
    evaluated_on: date | None = None  # 绩效评估
    evaluation: str | None = Field(default=None, max_length=200)
    closed_on: date | None = None  # refused or withdrawn
    version: int = 1


class Disbursement(SQLModel, table=True):
    """A guidance-fund payment to an enterprise (引导资金发放), recorded or revoked (disbursement_workflow.py)."""

    __table_args__ = (Index("ix_disbursement_paid_on", "paid_on"),)

    id: str = Field(primary_key=True, max_length=20)  # FF-2026-0001
    enterprise: str = Field(max_length=200)
    amount_yuan: int = Field(sa_type=BigInteger)  # exact, whole 元
    paid_on: date
    state: str = Field(max_length=30)
    lead_unit: str = Field(foreign_key="unit.code", max_length=40)  # the paying bureau
    recorded_by: str = Field(max_length=40)
    recorded_on: date
    revoked_on: date | None = None
    version: int = 1


class Indicator(SQLModel, table=True):
    """A monthly indicator (指标监测) watched against its target (domain/indicator_workflow.py).

    Figures are exact decimals kept as text ("8.5"): neither back end then rounds a percentage."""

    code: str = Field(primary_key=True, max_length=20)
    name: str = Field(max_length=200)
    measure: str = Field(max_length=20)  # the figure's unit: %, 亿元
    target: str = Field(max_length=30)
    tolerance: str = Field(max_length=30)  # how far behind is still yellow, in the figure's unit
    higher_is_better: bool = True
    state: str = Field(max_length=30)
    lead_unit: str = Field(foreign_key="unit.code", max_length=40)  # the unit that reports it
    added_by: str = Field(max_length=40)
    added_on: date
    latest_month: str | None = Field(default=None, max_length=7)  # YYYY-MM
    latest_value: str | None = Field(default=None, max_length=30)
    retired_on: date | None = None
    version: int = 1


class IndicatorValue(SQLModel, table=True):
    """One month's figure of an indicator; written only with the indicator's `record` event."""

    __tablename__ = "indicator_value"

    indicator: str = Field(primary_key=True, foreign_key="indicator.code", max_length=20)
    month: str = Field(primary_key=True, max_length=7)  # YYYY-MM
    value: str = Field(max_length=30)
    recorded_by: str = Field(max_length=40)
    recorded_at: datetime = Field(sa_type=UTCDateTime)


class UpwardReport(SQLModel, table=True):
    """A report made to the upper level (对上汇报), recorded or revoked (domain/upward_report_workflow.py)."""

    __tablename__ = "upward_report"
    __table_args__ = (Index("ix_upward_report_reported_on", "reported_on"),)

    id: str = Field(primary_key=True, max_length=20)  # HB-2026-0001
    to_office: str = Field(max_length=100)  # 市发改委投资处
    reported_on: date
    topic: str = Field(max_length=200)
    state: str = Field(max_length=30)
    lead_unit: str = Field(foreign_key="unit.code", max_length=40)  # the reporting unit
    recorded_by: str = Field(max_length=40)
    recorded_on: date
    revoked_on: date | None = None
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
        # Reports read "what happened between two instants" and "who was touched since": by type, then time.
        Index("ix_audit_type_at", "stream_type", "at"),
        Index("ix_audit_type_action_at", "stream_type", "action", "at"),
        # "Each problem's last event before T" scans this index alone, in stream order.
        Index("ix_audit_type_stream_at_seq", "stream_type", "stream_id", "at", "seq"),
        # The directory cache's stamp: the newest event of each directory stream, one seek each.
        Index("ix_audit_type_id", "stream_type", "id"),
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
    # For problem events, the problem's facts right after the event, so that reports can read any
    # past moment with plain SQL ("as of" the end of a period). Hashed like every other field.
    level: int | None = None
    lead_unit: str | None = Field(default=None, max_length=40)
    due_date: date | None = None
    on_time: bool | None = None


class AuditCheckpoint(SQLModel, table=True):
    """Append-only: every audit stream's head at a moment, signed (HMAC) with a key kept outside the database.

    See coordination/domain/checkpoint.py: the events covered are those with ids up to `last_event_id`
    but for `gaps`; `stream_types` holds each type's streams, events and heads digest.
    """

    __tablename__ = "audit_checkpoint"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})  # the number, signed too
    at: datetime = Field(sa_type=UTCDateTime)
    actor: str = Field(max_length=40)
    origin: str = Field(max_length=80)
    last_event_id: int = Field(sa_type=BigInteger)
    gaps: str = Field(sa_type=Text)  # JSON [[first, last], …]
    events: int = Field(sa_type=BigInteger)
    streams: int
    stream_types: str = Field(sa_type=Text)  # JSON {type: {streams, events, digest}}
    heads_digest: str = Field(sa_type=String(64))
    key_id: str = Field(max_length=16)  # which key signed it (never the key)
    previous_mac: str | None = Field(default=None, sa_type=String(64))
    mac: str = Field(sa_type=String(64))


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


class Meeting(SQLModel, table=True):
    """A coordination meeting: task-force 会商 (L2), leader's 会办 (L3), principal's 专题会 (L4)."""

    __table_args__ = (Index("ix_meeting_held_on", "held_on"),)

    id: str = Field(primary_key=True, max_length=20)  # M-2024-0007
    kind: str = Field(max_length=20)
    level: int
    held_on: date
    chair: str = Field(foreign_key="person.handle", max_length=40)
    state: str = Field(max_length=20)
    minutes_year: int | None = None
    minutes_number: int | None = None
    planned_by: str = Field(max_length=40)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 1


class AgendaItem(SQLModel, table=True):
    __tablename__ = "agenda_item"

    meeting: str = Field(primary_key=True, foreign_key="meeting.id", max_length=20)
    problem: str = Field(primary_key=True, foreign_key="problem.id", max_length=20)
    position: int


class Decision(SQLModel, table=True):
    """议定事项: what the meeting decided for one problem."""

    meeting: str = Field(primary_key=True, foreign_key="meeting.id", max_length=20)
    problem: str = Field(primary_key=True, foreign_key="problem.id", max_length=20)
    outcome: str = Field(max_length=20)
    text: str = Field(sa_type=Text)
    lead_unit: str | None = Field(default=None, max_length=40)
    co_units: str = Field(default="[]", sa_type=Text)
    due_date: date | None = None
    recorded_by: str = Field(max_length=40)
    recorded_at: datetime = Field(sa_type=UTCDateTime)


class Sequence(SQLModel, table=True):
    """Yearly counters other than problems': meeting ids, minutes numbers, task and filing ids."""

    name: str = Field(primary_key=True, max_length=20)
    year: int = Field(primary_key=True)
    last: int = 0


class Webhook(SQLModel, table=True):
    """A group robot (DingTalk or WeCom) that receives a unit's messages, or the district's."""

    name: str = Field(primary_key=True, max_length=40)
    kind: str = Field(max_length=20)  # dingtalk | wecom
    url: str = Field(sa_type=Text)
    secret: str | None = Field(default=None, sa_type=Text)  # DingTalk signing secret (加签)
    unit: str | None = Field(default=None, foreign_key="unit.code", max_length=40)  # None: the district group
    active: bool = True


class OutboxMessage(SQLModel, table=True):
    """A notification written in the transaction of the event that caused it; delivered later."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("key", name="uq_outbox_key"),
        Index("ix_outbox_status_id", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120)  # what caused it, e.g. remind:Q-2024-0042:7 (one message per cause)
    kind: str = Field(max_length=30)  # reminder | escalation | assignment | verification | meeting | report
    problem_id: str | None = Field(default=None, max_length=20)
    unit: str | None = Field(default=None, max_length=40)  # whose group receives it; None: the district's
    title: str = Field(max_length=200)
    body: str = Field(sa_type=Text)  # Markdown
    mentions: str = Field(default="[]", sa_type=Text)  # JSON list of names to @
    mobiles: str = Field(default="[]", sa_type=Text, sa_column_kwargs={"server_default": "[]"})  # their numbers
    created_at: datetime = Field(sa_type=UTCDateTime)
    origin: str = Field(max_length=80)
    status: str = Field(default="pending", max_length=20)  # pending | delivered | failed | expired
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)  # a delivery run holds it
    webhook: str | None = Field(default=None, max_length=40)  # where it went
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # the last try, whatever came of it
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # after a failure: not tried before


class ProjectPlan(SQLModel, table=True):
    """A project's planned investment for one year (年度计划投资), whole 元."""

    __tablename__ = "project_plan"

    project: str = Field(primary_key=True, foreign_key="project.code", max_length=40)
    year: int = Field(primary_key=True)
    planned_yuan: int = Field(sa_type=BigInteger)


class ProjectProgress(SQLModel, table=True):
    """Investment completed in one month (当月完成投资), whole 元; one row per project and month."""

    __tablename__ = "project_progress"

    project: str = Field(primary_key=True, foreign_key="project.code", max_length=40)
    month: str = Field(primary_key=True, max_length=7)  # YYYY-MM
    completed_yuan: int = Field(sa_type=BigInteger)
    note: str | None = Field(default=None, sa_type=Text)
    recorded_by: str = Field(max_length=40)
    recorded_at: datetime = Field(sa_type=UTCDateTime)


class WebSession(SQLModel, table=True):
    """A signed-in browser: the cookie holds a random key, the table only its SHA-256."""

    __tablename__ = "web_session"

    key_hash: str = Field(primary_key=True, max_length=64)
    handle: str = Field(foreign_key="person.handle", max_length=40, index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # signed out or revoked
    remote: str | None = Field(default=None, max_length=60)


class Refusal(SQLModel, table=True):
    """A request the server turned away: bad token or password, a locked account, not permitted, bad CSRF."""

    __table_args__ = (Index("ix_refusal_handle_kind_at", "handle", "kind", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    kind: str = Field(max_length=20)  # bad_token | bad_password | locked | not_permitted | csrf
    handle: str | None = Field(default=None, max_length=40)  # who was claimed or signed in
    method: str = Field(max_length=10)
    path: str = Field(max_length=300)
    remote: str | None = Field(default=None, max_length=60)
    detail: str = Field(default="", max_length=500)
