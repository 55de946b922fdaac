"""The write and read plumbing every kind of tracked item shares, over its workflow and its table.

A kind's service (filings.py, special_plans.py, funds.py, …) keeps its own rules and views; what is the
same for all of them lives here once: reading the row with its stream's head (locked for a write), the
yearly numbers, the version check, the one audited write (`create`, `change` — row, hash-chained event
and the policy's notices through services/writer.Journal, in the caller's transaction), the busy and
concurrent-change errors, the timeline and the replay that `audit verify` compares with the row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Select, Table, and_, bindparam, insert, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, SQLModel, col, select

from coordination.domain.audit import replay, to_json_value
from coordination.domain.errors import Conflict, NotFound, StaleVersion
from coordination.domain.notices import NoticeItem, Recipients
from coordination.domain.workflow import Workflow
from coordination.models import AuditEvent
from coordination.services.common import Caller
from coordination.services.issue_reads import EventView
from coordination.services.writer import EVENT, FactsAfter, Journal
from coordination.uow import UnitOfWork

SEQUENCE: Table = SQLModel.metadata.tables["sequence"]
BUSY = ("数据库正忙，本次操作未生效，请重试", "the database is busy; nothing was applied, try again")
# What a notice says of the item: (row after the event, action, seq, reason) -> the item as told.
Subject = Callable[[Any, str, int, str | None], NoticeItem]
_BUMP = (update(SEQUENCE).where(SEQUENCE.c.name == bindparam("n"), SEQUENCE.c.year == bindparam("y"))
         .values(last=SEQUENCE.c.last + 1).returning(SEQUENCE.c.last))


def _upper(_session: Session, text: str) -> str:
    return text.strip().upper()


@dataclass(frozen=True)
class Store:
    """One kind's table and stream: `key` is its primary key column (id or code); numbered kinds take
    yearly numbers PREFIX-2026-0001 from `next_number`, the others keep the code they are given.
    `resolve` turns what a person typed into the key (a special plan may be named by its name)."""

    workflow: Workflow
    model: type[SQLModel]
    key: str = "id"
    resolve: Callable[[Session, str], str] = field(default=_upper)

    @cached_property
    def table(self) -> Table:
        return SQLModel.metadata.tables[self.workflow.kind]

    @cached_property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.model.model_fields)

    @cached_property
    def _row_and_head(self) -> Select[Any]:
        # The row and the hash of its last event (seq == version) in one read.
        table, stream = self.table, self.workflow.kind
        return (sa_select(table, EVENT.c.hash.label("head_hash"))
                .select_from(table.outerjoin(EVENT, and_(
                    EVENT.c.stream_type == stream, EVENT.c.stream_id == table.c[self.key],
                    EVENT.c.seq == table.c.version)))
                .where(table.c[self.key] == bindparam("k")))

    @cached_property
    def _row_and_head_locked(self) -> Select[Any]:
        return self._row_and_head.with_for_update(of=self.table)

    def not_found(self, text: str) -> NotFound:
        return NotFound(f"{self.workflow.label_zh} {text} 不存在", f"{self.workflow.label_en} {text} not found")

    def row(self, session: Session, text: str, *, lock: bool = False) -> Any:
        """The stored row (with `head_hash`) of the item `text` names; NotFound otherwise."""
        found = session.connection().execute(self._row_and_head_locked if lock else self._row_and_head,
                                             {"k": self.resolve(session, text)}).first()
        if found is None:
            raise self.not_found(text)
        return found

    def exists(self, session: Session, key: str) -> bool:
        return session.get(self.model, key) is not None

    def next_number(self, session: Session, year: int) -> str:
        """The next yearly number, PREFIX-YYYY-NNNN; take it only once every check has passed."""
        connection = session.connection()
        series = self.workflow.kind
        bumped = connection.execute(_BUMP, {"n": series, "y": year}).scalar_one_or_none()
        if bumped is None:
            connection.execute(insert(SEQUENCE).values(name=series, year=year, last=1))
            bumped = 1
        return f"{self.workflow.id_prefix}-{year}-{bumped:04d}"

    def row_json(self, row: Any) -> dict[str, Any]:
        """The row in the JSON form its events' changes are written in (what replay rebuilds)."""
        return {name: to_json_value(getattr(row, name)) for name in self.columns}

    def check_version(self, row: Any, expected: int | None) -> None:
        if expected is not None and expected != row.version:
            item = getattr(row, self.key)
            raise StaleVersion(
                f"{self.workflow.label_zh} {item} 已更新到第 {row.version} 版（你看到的是第 {expected} 版），"
                "请刷新后重试",
                f"{item} is at version {row.version}, you saw {expected}; reload and try again")

    def events(self, session: Session, key: str) -> list[EventView]:
        found = session.exec(
            select(AuditEvent).where(AuditEvent.stream_type == self.workflow.kind, AuditEvent.stream_id == key)
            .order_by(col(AuditEvent.seq))).all()
        return [EventView(e.seq, e.action, e.from_state, e.to_state, e.actor, e.at, e.origin, e.reason,
                          json.loads(e.payload), e.hash) for e in found]

    def history(self, uow: UnitOfWork, text: str) -> list[EventView]:
        with uow:
            row = self.row(uow.session, text)
            return self.events(uow.session, getattr(row, self.key))

    def replayed(self, uow: UnitOfWork, text: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The row rebuilt from its events, beside the stored row (both in JSON form)."""
        with uow:
            row = self.row(uow.session, text)
            events = self.events(uow.session, getattr(row, self.key))
            return replay(e.payload["changes"] for e in events), self.row_json(row)

    # ---- the one write path -------------------------------------------------------------

    def create(self, session: Session, caller: Caller, recipients: Recipients | None, fields: Mapping[str, Any],
               *, action: Enum, facts: Callable[[Any], FactsAfter],
               subject: Subject | None = None,
               reason: str | None = None, extra: Mapping[str, Any] | None = None) -> Any:
        """Insert the item at version 1 with its first event; returns the row as written."""
        fields = {**fields, "version": 1}
        values = db_values(fields)
        key = str(values[self.key])
        journal = Journal(session, caller, self.workflow, recipients)
        journal.insert_row(self.table, values)
        journal.new_stream(self.workflow.kind, key)
        row = SimpleNamespace(**values)
        journal.event(self.workflow.kind, key, action.value, fields, seq=1, to_state=values.get("state"),
                      reason=reason, extra=extra, facts=facts(row),
                      subject=subject(row, action.value, 1, reason) if subject else None)
        journal.write()
        return row

    def change(self, session: Session, caller: Caller, recipients: Recipients | None, row: Any,
               changes: Mapping[str, Any], *, action: Enum, facts: Callable[[Any], FactsAfter],
               subject: Subject | None = None,
               reason: str | None = None, extra: Mapping[str, Any] | None = None) -> Any:
        """The versioned update of `row` (read with its head) and its event; returns the row after it."""
        version = row.version + 1
        changes = {**changes, "version": version}
        values = db_values(changes)
        key = str(getattr(row, self.key))
        journal = Journal(session, caller, self.workflow, recipients)
        journal.update_row(self.table, self.key, key, row.version, values)
        journal.known_head(self.workflow.kind, key, row.version, row.head_hash)
        after = SimpleNamespace(**{**dict(row._mapping), **values})
        journal.event(self.workflow.kind, key, action.value, changes, seq=version, from_state=row.state,
                      to_state=after.state, reason=reason, extra=extra, facts=facts(after),
                      subject=subject(after, action.value, version, reason) if subject else None)
        journal.write()
        return after

    @contextmanager
    def writing(self, uow: UnitOfWork, item: Callable[[], str]) -> Iterator[Session]:
        """One use case's transaction: commits at the end; a concurrent change or a busy database is a
        Conflict with nothing applied. `item` names the item for the message (known only inside)."""
        try:
            with uow:
                yield uow.session
                try:
                    uow.commit()
                except IntegrityError as exc:
                    name = item()
                    raise Conflict(f"{self.workflow.label_zh} {name} 同时被他人修改或已存在，本次操作未生效",
                                   f"{name} was changed concurrently or exists; nothing was applied") from exc
        except OperationalError as exc:
            raise Conflict(*BUSY) from exc


def db_values(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Enum members stored as their values."""
    return {k: v.value if isinstance(v, Enum) else v for k, v in changes.items()}
