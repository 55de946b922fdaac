"""The versioned kinds against their streams: problems, tasks, special plans, filings, funds, disbursements,
indicators, upward reports (domain/kinds.py) and plans.

Every row must have a stream and every stream a row; a row's version is its stream's last sequence
number; and the row is the fold of its events' `changes` (what Store.replayed and issue_reads.replayed show
for one item) — here for all of them at once: the walk hands each stream over, which leaves only its last
sequence number and a digest of the rebuilt row; then the table is read once and each row's digest
compared. Only the first differing row of a table is replayed again to say what differs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter
from typing import Any

from sqlalchemy import Column, Connection, Table, select
from sqlmodel import SQLModel

from coordination import models
from coordination.domain.audit import to_json_value
from coordination.domain.audit_faults import MISSING_VALUE, Check, Findings, differences
from coordination.domain.kinds import WORKFLOWS
from coordination.domain.task_workflow import PLAN_STREAM
from coordination.services.audit_rows import Convert, event_form, json_or_text, select_columns, streamed
from coordination.services.audit_walk import Event
from coordination.services.writer import EVENT

JSON_COLUMNS = frozenset({"co_units"})  # JSON text in the row, a list in the events


def _digest(values: tuple[Any, ...]) -> bytes:
    # repr tells True from 1 and "1" from 1, as a row must; the digest keeps 100,000 rows' worth small
    return hashlib.blake2b(repr(values).encode("utf-8"), digest_size=16).digest()


def _converter(column: Column[Any], parsed: dict[str, Any]) -> Convert | None:
    """How a raw stored value becomes the value the events record (None: as it is); JSON lists parsed once
    per distinct text."""
    if column.name not in JSON_COLUMNS:
        return event_form(column)

    def from_json(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        found = parsed.get(value)
        if found is None:
            found = parsed[value] = json_or_text(value)
        return list(found) if isinstance(found, list) else found
    return from_json


@dataclass
class ItemReplay:
    """One versioned table and its stream type."""

    stream_type: str
    table: Table
    heads: dict[str, tuple[int, bytes]] = field(default_factory=dict)  # stream id -> (last seq, row digest)

    @property
    def stream_types(self) -> frozenset[str]:
        return frozenset({self.stream_type})

    @cached_property
    def key(self) -> Column[Any]:
        (column,) = self.table.primary_key.columns
        return column

    @cached_property
    def compared(self) -> tuple[str, ...]:
        """Every column but the version, which is checked against the last sequence number instead."""
        return tuple(c.name for c in self.table.columns if c.name != "version")

    @cached_property
    def defaults(self) -> dict[str, Any]:
        """What a column holds when no event set it (a column added after the item's first events)."""
        model: type[SQLModel] = next(cls for cls in vars(models).values() if isinstance(cls, type)
                                     and issubclass(cls, SQLModel) and getattr(cls, "__table__", None) is self.table)
        found: dict[str, Any] = {}
        for name, info in model.model_fields.items():
            if not info.is_required():
                found[name] = to_json_value(info.get_default(call_default_factory=True))
        return found

    @cached_property
    def _start(self) -> dict[str, Any]:
        """Each compared column as it is before any event: its default, or missing."""
        return {name: self.defaults.get(name, MISSING_VALUE) for name in self.compared}

    @cached_property
    def _pick(self) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
        return itemgetter(*self.compared)  # every table has several columns: a tuple

    def rebuilt(self, changes: Iterable[Any]) -> tuple[Any, ...]:
        record = dict(self._start)
        for change in changes:
            record.update(change if isinstance(change, dict) else {})
        return self._pick(record)

    def stream(self, stream_type: str, stream_id: str, events: Sequence[Event]) -> None:
        self.heads[stream_id] = (events[-1].seq, _digest(self.rebuilt(e.changes for e in events)))

    def compare(self, connection: Connection, findings: Findings) -> None:
        """The table read once, raw (no per-value type processing: 100,000 rows), each row converted to the
        events' form where it differs from it (booleans, dates, JSON lists)."""
        where, heads, parsed = self.stream_type, dict(self.heads), dict[str, Any]()
        key_at = self.compared.index(self.key.name)
        converters = [(n, convert) for n, name in enumerate(self.compared)
                      if (convert := _converter(self.table.c[name], parsed)) is not None]
        ordered = select_columns(self.table, ("version", *self.compared), self.key.name)  # first fault: lowest key
        for version, *stored in streamed(connection, ordered):
            key = str(stored[key_at])
            head = heads.pop(key, None)
            if head is None:
                findings.add(Check.UNRECORDED, where, key, "the row has no audit events")
                continue
            last_seq, digest = head
            if version != last_seq:
                findings.add(Check.VERSION, where, key, f"version {version}, last event {last_seq}")
            for n, convert in converters:
                stored[n] = convert(stored[n])
            if _digest(tuple(stored)) != digest:
                what = "" if findings.has(Check.DIFFERS, where) else differences(
                    dict(zip(self.compared, stored, strict=True)), self._replayed(connection, key), self.compared)
                findings.add(Check.DIFFERS, where, key, what)
        for key in sorted(heads):
            findings.add(Check.MISSING, where, key, f"{heads[key][0]} events, no row")

    def _replayed(self, connection: Connection, key: str) -> dict[str, Any]:
        """One stream rebuilt again, to say what differs (the first differing row of a table only)."""
        e = EVENT.c
        payloads = connection.execute(select(e.payload).where(e.stream_type == self.stream_type, e.stream_id == key)
                                      .order_by(e.seq)).scalars()
        bodies = (json_or_text(p) for p in payloads)  # a payload that is not JSON replays as no change
        return dict(zip(self.compared, self.rebuilt(b.get("changes") if isinstance(b, dict) else None for b in bodies),
                        strict=True))


def item_replays() -> list[ItemReplay]:
    """One per versioned kind, and plans."""
    tables = SQLModel.metadata.tables
    return [*(ItemReplay(w.kind, tables[w.kind]) for w in WORKFLOWS), ItemReplay(PLAN_STREAM, tables["plan"])]
