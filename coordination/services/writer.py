"""The one write path: a change to a tracked item, its audit event and its notices, in one transaction.

A `Journal` collects what one use case writes — new item rows, versioned updates, hash-chained
events and the notices the workflow's policy calls for — and writes it in the caller's transaction,
one statement per kind of row run with the driver's executemany. A single action and a sweep over
100,000 problems take the same path; only the number of rows differs. `append_event` is the same
journal for the streams that are not versioned items (people, units, projects, settings…).

Nothing else in coord inserts audit events or bumps a version: tests/unit/test_one_write_path.py
keeps it so.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date
from functools import partial
from json.encoder import encode_basestring
from typing import Any, NamedTuple

from sqlalchemy import Connection, Table, bindparam, insert, select, update
from sqlmodel import Session, SQLModel

from coordination.domain.audit import GENESIS, canonical_plain, to_json_value
from coordination.domain.errors import Conflict, StaleVersion
from coordination.domain.notices import Notice, NoticeItem, ProblemBrief, Recipients, policy_notices
from coordination.domain.workflow import Workflow
from coordination.services.common import Caller
from coordination.services.driver import executemany, fetch
from coordination.services.snapshot import moved

EVENT: Table = SQLModel.metadata.tables["audit_event"]
OUTBOX: Table = SQLModel.metadata.tables["outbox"]

_HEAD_AT = (select(EVENT.c.hash)
            .where(EVENT.c.stream_type == bindparam("t"), EVENT.c.stream_id == bindparam("i"),
                   EVENT.c.seq == bindparam("s")))
_HEAD_LAST = (select(EVENT.c.seq, EVENT.c.hash)
              .where(EVENT.c.stream_type == bindparam("t"), EVENT.c.stream_id == bindparam("i"))
              .order_by(EVENT.c.seq.desc()).limit(1))
_KEYS_CHUNK = 100  # outbox keys checked per statement (one compiled statement per count up to it)


class FactsAfter(NamedTuple):
    """An item's level, lead unit, due date and on-time flag right after an event (what reports read)."""

    level: int | None  # None: a kind without an escalation ladder (plan tasks)
    lead_unit: str | None
    due_date: date | None
    on_time: bool | None


def hashed_fields(event: Any) -> dict[str, Any]:
    """The fields an event's hash covers, in plain JSON form, from a stored event (audit verify)."""
    return {
        "stream_type": event.stream_type, "stream_id": event.stream_id, "seq": event.seq,
        "action": event.action, "from_state": event.from_state, "to_state": event.to_state,
        "actor": event.actor, "at": event.at.isoformat(), "origin": event.origin, "reason": event.reason,
        "payload": event.payload, "level": event.level, "lead_unit": event.lead_unit,
        "due_date": event.due_date.isoformat() if event.due_date else None, "on_time": event.on_time,
    }


# The hashed fields in the order canonical JSON sorts them: every event has exactly these keys.
HASHED_KEYS = ("action", "actor", "at", "due_date", "from_state", "lead_unit", "level", "on_time", "origin",
               "payload", "reason", "seq", "stream_id", "stream_type", "to_state")


def _json_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    return encode_basestring(value)


def fields_json(fields: Mapping[str, Any]) -> str:
    """`canonical_plain(fields)` for an event's hashed fields (all scalars), without the general encoder.

    The sweep hashes 100,000 events at a time; this is the same text, written directly.
    """
    return "{" + ",".join(f'"{key}":{_json_scalar(fields[key])}' for key in HASHED_KEYS) + "}"


def _digest(prev_hash: str, fields: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + fields_json(fields)).encode("utf-8")).hexdigest()


@dataclass
class _Update:
    table: Table
    key: str  # the key column's name
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Journal:
    """Everything one use case writes, chained and batched; `write()` runs it in the session's transaction.

    `workflow` names the tracked kind whose items this journal changes (its table, stream and notice
    policy); `recipients` is the directory the notices are addressed from (needed only when an event
    carries a `subject`). Sweeps pass `batch_key` and `always_digest` so that each group gets one
    message per run.
    """

    session: Session
    caller: Caller
    workflow: Workflow | None = None
    recipients: Recipients | None = None
    batch_key: str | None = None
    always_digest: bool = False
    events: list[dict[str, Any]] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    _heads: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)
    _inserts: dict[str, tuple[Table, list[dict[str, Any]]]] = field(default_factory=dict)
    _updates: dict[tuple[str, tuple[str, ...]], _Update] = field(default_factory=dict)
    _told: dict[str, list[NoticeItem]] = field(default_factory=dict)
    _at: str = field(init=False, default="")

    def __post_init__(self) -> None:
        # Every event of a journal happens at the caller's moment, hashed as stored: in UTC, whatever the
        # caller's clock zone (a district-time moment would hash "+08:00" and never verify).
        self._at = self.caller.now.astimezone(UTC).isoformat()

    # ---- the chain ----------------------------------------------------------------------

    def known_head(self, stream_type: str, stream_id: str, seq: int, hash_: str) -> None:
        """The caller already read the stream's last event (e.g. joined to the item's row)."""
        self._heads[stream_type, stream_id] = (seq, hash_)

    def new_stream(self, stream_type: str, stream_id: str) -> None:
        self._heads[stream_type, stream_id] = (0, GENESIS)

    def _head(self, stream_type: str, stream_id: str, seq: int | None) -> tuple[int, str]:
        key = (stream_type, stream_id)
        head = self._heads.get(key)
        if head is None:
            connection = self.session.connection()
            if seq is not None:  # a versioned item: its last event's seq is the version it had
                found = fetch(connection, _HEAD_AT, {"t": stream_type, "i": stream_id, "s": seq - 1},
                              cache_key=("head_at",))
                head = (seq - 1, str(found[0][0])) if found else None
            if head is None:
                last = fetch(connection, _HEAD_LAST, {"t": stream_type, "i": stream_id}, cache_key=("head_last",))
                head = (int(last[0][0]), str(last[0][1])) if last else (0, GENESIS)
        return head

    def event(
        self,
        stream_type: str,
        stream_id: str,
        action: str,
        changes: Mapping[str, Any],
        *,
        seq: int | None = None,
        from_state: str | None = None,
        to_state: str | None = None,
        reason: str | None = None,
        extra: Mapping[str, Any] | None = None,
        facts: FactsAfter | None = None,
        subject: NoticeItem | None = None,
        plain: bool = False,
    ) -> int:
        """Chain one event after its stream's head; returns its seq.

        `plain`: `changes` and `extra` hold JSON values already (the sweep's 100,000 events skip the
        conversion). `subject`: the item as the workflow's notice policy reads it, when this action
        tells someone.
        """
        prev_seq, prev_hash = self._head(stream_type, stream_id, seq)
        next_seq = prev_seq + 1
        if seq is not None and seq != next_seq:
            raise Conflict(f"{stream_id} 的审计链不连续（第 {prev_seq} 条之后是第 {seq} 条），本次操作未生效",
                           f"{stream_id}: event {seq} does not follow {prev_seq}; nothing was applied")
        body: dict[str, Any] = {"changes": changes, **(extra or {})}
        payload = canonical_plain(body if plain else to_json_value(body))
        due = facts.due_date if facts else None
        fields = {
            "stream_type": stream_type, "stream_id": stream_id, "seq": next_seq, "action": str(action),
            "from_state": from_state, "to_state": to_state, "actor": self.caller.handle,
            "at": self._at, "origin": self.caller.origin, "reason": reason, "payload": payload,
            "level": facts.level if facts else None, "lead_unit": facts.lead_unit if facts else None,
            "due_date": due.isoformat() if due else None, "on_time": facts.on_time if facts else None,
        }
        digest = _digest(prev_hash, fields)
        self.events.append({**fields, "at": self.caller.now.astimezone(UTC), "due_date": due, "prev_hash": prev_hash,
                            "hash": digest})
        self._heads[stream_type, stream_id] = (next_seq, digest)
        if subject is not None and self.workflow is not None and self.workflow.notice_rule(str(action)):
            self._told.setdefault(str(action), []).append(subject)
        return next_seq

    # ---- rows ---------------------------------------------------------------------------

    def insert_row(self, table: Table, values: dict[str, Any]) -> None:
        self._inserts.setdefault(table.name, (table, []))[1].append(values)

    def update_row(self, table: Table, key: str, key_value: Any, old_version: int, values: dict[str, Any]) -> None:
        """A versioned update: applied only if the row is still at `old_version`; bumps it by one or more."""
        columns = tuple(sorted(values))
        batch = self._updates.setdefault((table.name, columns), _Update(table, key))
        batch.rows.append({**{f"b_{c}": values[c] for c in columns}, "b_key": key_value, "b_old": old_version})

    def notify(self, notices: Iterable[Notice]) -> None:
        """Notices outside the policy (a meeting's call, a published report), in the same commit."""
        self.notices.extend(notices)

    # ---- writing ------------------------------------------------------------------------

    def policy_notices(self) -> list[Notice]:
        if self.workflow is None or not self._told:
            return []
        assert self.recipients is not None, "a journal that tells needs its recipients"
        found: list[Notice] = []
        for action, items in self._told.items():
            rule = self.workflow.notice_rule(action)
            assert rule is not None
            found.extend(policy_notices(rule, items, self.recipients, batch_key=self.batch_key,
                                        always_digest=self.always_digest, noun=self.workflow.label_zh))
        return found

    def write(self, *, notices: bool = True) -> int:
        """Write rows, updates, events and notices; Conflict (nothing kept) if an item moved meanwhile.

        `notices=False` writes what is queued so far and keeps the notices for a later write: a large
        import writes in parts, and each unit's digest still lists every part."""
        if not notices:
            told, kept = self._told, self.notices
            self._told, self.notices = {}, []
            written = self.write()
            self._told, self.notices = told, kept
            return written
        self.session.flush()  # rows a use case added through the ORM go first: events and snapshots see them
        connection = self.session.connection()
        for table, rows in self._inserts.values():
            if rows:
                executemany(connection, partial(insert, table), rows, cache_key=("insert", table.name))
        for (_name, columns), batch in self._updates.items():
            self._write_updates(connection, batch, columns)
        if self.events:
            executemany(connection, lambda: insert(EVENT), self.events, cache_key=("insert", EVENT.name))
            moved(self.session, {e["stream_type"] for e in self.events})
        queued = self.notices + self.policy_notices()
        if queued:
            queue_notices(connection, queued, self.caller)
        written = len(self.events)
        self.events, self.notices = [], []
        self._inserts, self._updates, self._told = {}, {}, {}
        return written

    def _write_updates(self, connection: Connection, batch: _Update, columns: tuple[str, ...]) -> None:
        table = batch.table
        def statement() -> Any:
            return (update(table)
                    .where(table.c[batch.key] == bindparam("b_key"), table.c.version == bindparam("b_old"))
                    .values({c: bindparam(f"b_{c}") for c in columns}))

        changed = executemany(connection, statement, batch.rows, cache_key=("update", table.name, batch.key))
        if len(batch.rows) > 1 and not connection.dialect.supports_sane_multi_rowcount:
            return
        if changed != len(batch.rows):
            label = self.workflow.stale_message(str(batch.rows[0]["b_key"])) if self.workflow and \
                len(batch.rows) == 1 else ("数据在写入期间被他人修改，本次操作未生效，请重试",
                                           "records changed meanwhile; nothing was applied, try again")
            raise StaleVersion(*label)


def queue_notices(connection: Connection, notices: Sequence[Notice], caller: Caller) -> None:
    """Queue notices, one per cause: a cause already in the outbox (a retried run) is not queued twice."""
    unique = list({n.key: n for n in notices}.values())
    existing: set[str] = set()
    for start in range(0, len(unique), _KEYS_CHUNK):
        keys = [n.key for n in unique[start:start + _KEYS_CHUNK]]
        found = fetch(connection, partial(_existing_keys, len(keys)), {f"k{i}": k for i, k in enumerate(keys)},
                      cache_key=("outbox_keys", len(keys)))
        existing.update(str(row[0]) for row in found)
    rows = [notice_row(n, caller) for n in unique if n.key not in existing]
    if rows:
        executemany(connection, lambda: insert(OUTBOX), rows, cache_key=("insert", OUTBOX.name))


def _existing_keys(count: int) -> Any:
    return select(OUTBOX.c.key).where(OUTBOX.c.key.in_([bindparam(f"k{i}") for i in range(count)]))


def notice_row(notice: Notice, caller: Caller) -> dict[str, Any]:
    return {
        "key": notice.key, "kind": notice.kind, "problem_id": notice.problem_id, "unit": notice.unit,
        "title": notice.title[:200], "body": notice.body,
        "mentions": json.dumps(list(notice.mentions), ensure_ascii=False),
        "mobiles": json.dumps(list(notice.mobiles)),
        "created_at": caller.now, "origin": caller.origin, "status": "pending", "attempts": 0,
    }


def append_event(
    session: Session,
    *,
    stream_type: str,
    stream_id: str,
    action: str,
    caller: Caller,
    changes: dict[str, Any],
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Append one hash-chained event to a stream that is not a versioned item (people, units, settings…)."""
    journal = Journal(session, caller)
    journal.event(stream_type, stream_id, action, changes, from_state=from_state, to_state=to_state, reason=reason,
                  extra=extra)
    journal.write()


def brief_of(row: Any, project_names: Mapping[str, str], unit_names: Mapping[str, str]) -> ProblemBrief:
    """What a notice says about an item row (problem columns)."""
    return ProblemBrief(id=row.id, title=row.title, project_name=project_names.get(row.project, row.project),
                        lead_unit=row.lead_unit, lead_unit_name=unit_names.get(row.lead_unit or ""),
                        due_date=row.due_date, level=row.level)
