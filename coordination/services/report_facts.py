"""What reports read from the audit events, "as of" an instant: each problem's facts after its last event
before it, the events of a period, open counts, and projects with their rosters and thresholds.

Set-based queries only; services/reports.py tallies what they return into a report.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple, cast

from sqlalchemy import ColumnElement, Connection, Table, and_, func, or_, select
from sqlmodel import SQLModel

from coordination.config import DISTRICT_TZ
from coordination.domain.enums import Action
from coordination.domain.errors import InvalidInput
from coordination.domain.investment import Thresholds
from coordination.domain.reports import (
    OPEN_VALUES,
    PROJECT_ACTIONS,
    ROSTER_FIELDS,
    ProjectEvent,
    ProjectRecord,
    projects_as_of,
    value_as_of,
)
from coordination.services.settings import PROJECT_RED, PROJECT_YELLOW

EVENT: Table = SQLModel.metadata.tables["audit_event"]
PROBLEM: Table = SQLModel.metadata.tables["problem"]
MEETING: Table = SQLModel.metadata.tables["meeting"]
DECISION: Table = SQLModel.metadata.tables["decision"]
PERSON: Table = SQLModel.metadata.tables["person"]
UNIT: Table = SQLModel.metadata.tables["unit"]
PROJECT: Table = SQLModel.metadata.tables["project"]
ROSTER: Table = SQLModel.metadata.tables["roster_entry"]
PLAN: Table = SQLModel.metadata.tables["project_plan"]
PROGRESS: Table = SQLModel.metadata.tables["project_progress"]
SETTING: Table = SQLModel.metadata.tables["setting"]
COUNTED_ACTIONS = (Action.RAISE, Action.VERIFY, Action.ESCALATE, Action.REJECT, Action.REOPEN)


def instant(day: date) -> datetime:
    """The first instant of a district calendar day, in UTC."""
    return datetime.combine(day, time(0), tzinfo=DISTRICT_TZ).astimezone(UTC)


def local_day(moment: datetime) -> date:
    return moment.astimezone(DISTRICT_TZ).date()


# ---- facts read from the events --------------------------------------------------------------


class Facts(NamedTuple):
    """A problem after its last event before some instant, with what never changes about it."""

    pid: str
    state: str
    level: int
    lead_unit: str | None
    due_date: date | None
    project: str
    title: str
    category: str
    raised_on: date


def touched_between(since: datetime, until: datetime | None = None) -> Any:
    """Problems with an event at or after `since` (and before `until`): read through the `at` index."""
    e = EVENT.c
    query = select(e.stream_id).where(e.stream_type == "problem", e.at >= since)
    return query.where(e.at < until) if until is not None else query


def _last_before(before: datetime) -> Any:
    """Per problem, the sequence number of its last event strictly before `before`.

    Chosen by how much happened since: a recent instant reads the few problems touched since
    (through the time index) and takes the others from their rows; an older one scans the
    (stream, time, sequence) index once, without touching the event table.
    """
    e = EVENT.c
    return (select(e.stream_id.label("pid"), func.max(e.seq).label("seq"))
            .where(e.stream_type == "problem", e.at < before).group_by(e.stream_id).subquery("last_before"))


def _recent(connection: Connection, before: datetime) -> bool:
    """True when few events (a fifth or less) happened at or after `before`."""
    e = EVENT.c
    since = connection.execute(select(func.count()).where(e.stream_type == "problem", e.at >= before)).scalar_one()
    total = connection.execute(select(func.count()).select_from(PROBLEM)).scalar_one()
    return int(since) <= max(1000, int(total) * 2)  # about two events per problem: recent enough


def snapshot(connection: Connection, before: datetime, *, since: datetime | None = None) -> Iterable[Facts]:
    """Problems' facts after their last event strictly before `before`, read one row at a time
    (rows with the fields of `Facts`, in its order).

    Every problem open at `before` is included, and, when `since` is given, every problem with an
    event in [since, before).
    """
    # In batches, through a server-side cursor where the back end has one: never all rows at once.
    query = _snapshot_query(connection, before, since).execution_options(yield_per=5000)
    return cast(Iterable[Facts], connection.execute(query))


def open_at_start_among_touched(connection: Connection, start: datetime,
                                end: datetime) -> list[tuple[str, str | None, int]]:
    """The problems with an event in [start, end) that were open at `start` (id, lead unit, level),
    each as the event before its first one in [start, end) left it.

    Rows, not counts: grouped in SQL, SQLite would read every problem event to join them.
    """
    e = EVENT.c
    prior = EVENT.alias("prior")
    first = (select(e.stream_id.label("pid"), func.min(e.seq).label("seq"))
             .where(e.stream_type == "problem", e.at >= start, e.at < end).group_by(e.stream_id).subquery("first"))
    rows = connection.execute(
        select(first.c.pid, prior.c.lead_unit, func.coalesce(prior.c.level, 1))
        .select_from(first.join(prior, and_(prior.c.stream_type == "problem", prior.c.stream_id == first.c.pid,
                                            prior.c.seq == first.c.seq - 1)))
        .where(prior.c.to_state.in_(OPEN_VALUES)))
    return [(pid, unit, level) for pid, unit, level in rows]


def _mostly_open(connection: Connection) -> bool:
    """True when more than half the problems are open (two index-only counts)."""
    p = PROBLEM.c
    total = connection.execute(select(func.count()).select_from(PROBLEM)).scalar_one()
    open_ = connection.execute(select(func.count()).where(p.state.in_(OPEN_VALUES))).scalar_one()
    return int(open_) * 2 > int(total)


def _snapshot_query(connection: Connection, before: datetime, since: datetime | None) -> Any:
    p = PROBLEM.c
    prior = EVENT.alias("prior")
    wanted_events: ColumnElement[bool] = prior.c.to_state.in_(OPEN_VALUES)
    if since is not None:
        wanted_events = or_(wanted_events, prior.c.stream_id.in_(touched_between(since, before)))
    names = Facts._fields
    columns = [c.label(n) for c, n in zip((prior.c.stream_id, prior.c.to_state, func.coalesce(prior.c.level, 1),
                                            prior.c.lead_unit, prior.c.due_date, p.project, p.title, p.category,
                                            p.raised_on),
                                           names, strict=True)]
    if _recent(connection, before):
        # Untouched since `before`: the row is what its last event left. Touched: the event before the
        # first later one. When most problems are open, the state test is kept from using its index:
        # reading the table in order beats looking most of its rows up one by one.
        state = p.state.concat("") if _mostly_open(connection) else p.state
        wanted: ColumnElement[bool] = state.in_(OPEN_VALUES)
        if since is not None:
            wanted = or_(wanted, p.id.in_(touched_between(since, before)))
        from_rows = select(*(c.label(n) for c, n in zip(
            (p.id, p.state, func.coalesce(p.level, 1), p.lead_unit, p.due_date, p.project, p.title, p.category,
             p.raised_on),
            names, strict=True))).where(p.id.not_in(touched_between(before)), wanted)
        first_later = _first_later(before)
        from_events = (
            select(*columns)
            .select_from(first_later.join(prior, and_(prior.c.stream_type == "problem",
                                                      prior.c.stream_id == first_later.c.pid,
                                                      prior.c.seq == first_later.c.seq - 1))
                         .join(PROBLEM, p.id == first_later.c.pid))
            .where(wanted_events)
        )
        query: Any = from_rows.union_all(from_events)
    else:
        last = _last_before(before)
        query = (select(*columns)
                 .select_from(last.join(prior, and_(prior.c.stream_type == "problem", prior.c.stream_id == last.c.pid,
                                                    prior.c.seq == last.c.seq))
                              .join(PROBLEM, p.id == last.c.pid))
                 .where(wanted_events))
    return query


def _first_later(before: datetime) -> Any:
    e = EVENT.c
    return (select(e.stream_id.label("pid"), func.min(e.seq).label("seq"))
            .where(e.stream_type == "problem", e.at >= before).group_by(e.stream_id).subquery("first_later"))


def open_count(connection: Connection, before: datetime, *, scope: Any = None) -> int:
    """How many problems were open at `before`, counted in SQL (`scope`: a select of the ids to count)."""
    p = PROBLEM.c
    prior = EVENT.alias("prior")
    within: tuple[ColumnElement[bool], ...] = () if scope is None else (prior.c.stream_id.in_(scope),)
    if not _recent(connection, before):
        last = _last_before(before)
        return int(connection.execute(
            select(func.count()).select_from(last.join(prior, and_(
                prior.c.stream_type == "problem", prior.c.stream_id == last.c.pid, prior.c.seq == last.c.seq)))
            .where(prior.c.to_state.in_(OPEN_VALUES), *within)).scalar_one())
    untouched = connection.execute(
        select(func.count()).select_from(PROBLEM).where(p.state.in_(OPEN_VALUES), p.id.not_in(touched_between(before)),
                                                        *(() if scope is None else (p.id.in_(scope),)))
    ).scalar_one()
    first_later = _first_later(before)
    touched = connection.execute(
        select(func.count()).select_from(first_later.join(prior, and_(
            prior.c.stream_type == "problem", prior.c.stream_id == first_later.c.pid,
            prior.c.seq == first_later.c.seq - 1)))
        .where(prior.c.to_state.in_(OPEN_VALUES), *within)
    ).scalar_one()
    return int(untouched) + int(touched)


@dataclass(frozen=True)
class Happening:
    """One counted event of the period, with the problem's facts right after it."""

    pid: str
    action: str
    seq: int
    at: datetime
    level: int
    lead_unit: str | None
    on_time: bool | None


def happenings(connection: Connection, start: datetime, end: datetime,
               actions: Iterable[Action] = COUNTED_ACTIONS) -> list[Happening]:
    e = EVENT.c
    rows = connection.execute(
        select(e.stream_id, e.action, e.seq, e.at, e.level, e.lead_unit, e.on_time)
        .where(e.stream_type == "problem", e.action.in_([a.value for a in actions]), e.at >= start, e.at < end)
    )
    found = [Happening(pid, action, seq, _aware(at), level or 1, unit, on_time)
             for pid, action, seq, at, level, unit, on_time in rows]
    return sorted(found, key=lambda h: (h.pid, h.seq))


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def names_by(connection: Connection, table: Table, key: str, value: str) -> dict[str, str]:
    return {k: v for k, v in connection.execute(select(table.c[key], table.c[value]))}


def project_records(connection: Connection, before: datetime) -> list[ProjectRecord]:
    """Every project as it stood just before `before`: its rows, rewound through the events since.

    Only the projects changed since are rewound, from their own events; the others are their rows.
    """
    columns = [c for c in PROJECT.c if c.name != "code"]
    fields: dict[str, dict[str, Any]] = {}
    for row in connection.execute(select(PROJECT).order_by(PROJECT.c.code)).mappings():
        fields[row["code"]] = {c.name: row[c.name] for c in columns} | {part: [] for part in ROSTER_FIELDS}
    parts = {"leader": "leaders", "helper": "helpers", "specialist": "specialists"}
    r = ROSTER.c
    for project, part, ref in connection.execute(select(r.project, r.part, r.ref).order_by(r.project, r.part, r.ref)):
        if project in fields and part in parts:
            fields[project][parts[part]].append(ref)
    plans: dict[str, dict[int, int]] = defaultdict(dict)
    for project, year, planned in connection.execute(select(PLAN.c.project, PLAN.c.year, PLAN.c.planned_yuan)):
        plans[project][int(year)] = int(planned)
    monthly: dict[str, dict[str, int]] = defaultdict(dict)
    for project, month, done in connection.execute(
            select(PROGRESS.c.project, PROGRESS.c.month, PROGRESS.c.completed_yuan)):
        monthly[project][month] = int(done)
    records = [ProjectRecord(code, values, plans[code], monthly[code]) for code, values in fields.items()]
    e = EVENT.c
    changed_since = select(e.stream_id).where(e.stream_type == "project", e.at >= before)
    rows = connection.execute(
        select(e.stream_id, e.seq, e.action, e.at, e.payload)
        .where(e.stream_type == "project", e.action.in_(PROJECT_ACTIONS), e.stream_id.in_(changed_since)))
    events = []
    for code, seq, action, at, payload in rows:
        body = json.loads(payload)
        events.append(ProjectEvent(code, seq, action, _aware(at), body.get("changes", {}), body.get("previous_yuan")))
    return projects_as_of(records, events, before)


def project_thresholds(connection: Connection, before: datetime) -> Thresholds:
    """The project light's thresholds in force just before `before` (settings are audited too)."""
    s, e = SETTING.c, EVENT.c
    keys = (PROJECT_YELLOW, PROJECT_RED)
    current = {k: v for k, v in connection.execute(select(s.key, s.value).where(s.key.in_(keys)))}
    changes: dict[str, list[tuple[datetime, str | None]]] = defaultdict(list)
    for key, at, payload in connection.execute(
            select(e.stream_id, e.at, e.payload)
            .where(e.stream_type == "setting", e.stream_id.in_(keys)).order_by(e.stream_id, e.seq)):
        changes[key].append((_aware(at), json.loads(payload).get("changes", {}).get("value")))
    values = {k: value_as_of(current.get(k), changes[k], before) for k in keys}
    try:
        return Thresholds(Decimal(values[PROJECT_YELLOW] or "10"), Decimal(values[PROJECT_RED] or "30"))
    except (InvalidOperation, InvalidInput):
        return Thresholds()
