"""One pass over every audit event: each stream's hash chain recomputed, each stream handed whole to the
replays that read its type (services/audit_*.py), which then compare the tables with what they rebuilt.

The events are read once, in stream order, with plain SQL and no ORM (a district of 100,000 problems
holds some 300,000 events); each hash is recomputed from the stored fields in the canonical form the
write path hashed (services/writer.py), written here directly for speed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from json.encoder import encode_basestring
from typing import Any, NamedTuple, Protocol

from sqlalchemy import Connection

from coordination.domain.audit import GENESIS
from coordination.domain.audit_faults import Check, Findings
from coordination.services.audit_rows import streamed

_EVENTS = ("SELECT stream_type, stream_id, seq, action, from_state, to_state, actor, at, origin, reason, payload, "
           "level, lead_unit, due_date, on_time, prev_hash, hash FROM audit_event "
           "ORDER BY stream_type, stream_id, seq")
# writer.fields_json's text (HASHED_KEYS in order), as one format: the walk hashes every event ever written.
_FIELDS = ('{"action":%s,"actor":%s,"at":%s,"due_date":%s,"from_state":%s,"lead_unit":%s,"level":%s,'
           '"on_time":%s,"origin":%s,"payload":%s,"reason":%s,"seq":%d,"stream_id":%s,"stream_type":%s,'
           '"to_state":%s}')


class Event(NamedTuple):
    """One event as a replay reads it: its body is the parsed payload ({"changes": …, extras})."""

    seq: int
    action: str
    from_state: str | None
    to_state: str | None
    actor: str
    at: datetime
    reason: str | None
    body: dict[str, Any]

    @property
    def changes(self) -> dict[str, Any]:
        found = self.body.get("changes")
        return found if isinstance(found, dict) else {}


class Replay(Protocol):
    """Rebuilds one or more tables from the streams of `stream_types`, then compares them."""

    @property
    def stream_types(self) -> frozenset[str]:
        """The stream types it reads."""

    def stream(self, stream_type: str, stream_id: str, events: Sequence[Event]) -> None:
        """One whole stream, in sequence order."""

    def compare(self, connection: Connection, findings: Findings) -> None:
        """Read the tables and add a fault for every row that is not what the streams rebuilt."""


@dataclass
class ChainStats:
    streams: int = 0
    events: int = 0
    broken_streams: int = 0
    first_broken: tuple[str, int, str] | None = None  # "type:id", seq, why
    _at: dict[Any, tuple[str, datetime]] = field(default_factory=dict)

    def moment(self, raw: Any) -> tuple[str, datetime]:
        """A stored `at` as hashed (ISO text, aware UTC) and as a datetime; SQLite hands back text. None:
        the earliest moment (for an event whose `at` cannot be read)."""
        found = self._at.get(raw)
        if found is None:
            moment = datetime.fromisoformat(raw) if isinstance(raw, str) else raw
            if moment is None:
                moment = datetime.min
            if not isinstance(moment, datetime):
                raise TypeError(f"not a moment: {raw!r}")
            moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
            found = self._at[raw] = (moment.isoformat(), moment)
        return found


class _Quoted(dict[str | None, str]):
    """Values as JSON text, each quoted once: a hit is a plain dict lookup."""

    def __missing__(self, value: str | None) -> str:
        found = self[value] = "null" if value is None else encode_basestring(value)
        return found


def _day(value: Any) -> str:
    if value is None:
        return "null"
    return '"%s"' % (value if isinstance(value, str) else value.isoformat() if isinstance(value, date) else value)


def walk(connection: Connection, replays: Iterable[Replay], findings: Findings) -> ChainStats:
    """Check every chain (a fault per broken stream, at its first bad link) and feed every stream to the
    replays that read its type."""
    readers: dict[str, list[Replay]] = {}
    for replay in replays:
        for stream_type in replay.stream_types:
            readers.setdefault(stream_type, []).append(replay)
    stats = ChainStats()
    sha256, quote, loads = hashlib.sha256, encode_basestring, json.loads
    q = _Quoted()  # actors, actions, origins, states: few, often repeated
    current: tuple[str, str] | None = None
    prev_hash, expected, broken, reading = GENESIS, 1, False, False
    type_text = id_text = ""
    buffered: list[Event] = []

    def flush() -> None:
        if current is not None and buffered:
            for replay in readers.get(current[0], ()):
                try:
                    replay.stream(current[0], current[1], buffered)
                except (TypeError, ValueError, AttributeError, KeyError) as error:  # a payload coord never wrote
                    findings.add(Check.UNREADABLE, current[0], current[1], f"cannot be replayed: {error!r}")

    rows = streamed(connection, _EVENTS)
    for (stream_type, stream_id, seq, action, from_state, to_state, actor, at, origin, reason, payload, level,
         lead_unit, due_date, on_time, stored_prev, stored_hash) in rows:
        if current is None or stream_id != current[1] or stream_type != current[0]:
            flush()
            current, prev_hash, expected, broken, buffered = (stream_type, stream_id), GENESIS, 1, False, []
            type_text, id_text, reading = quote(str(stream_type)), quote(str(stream_id)), stream_type in readers
            stats.streams += 1
        stats.events += 1
        try:
            at_text, moment = stats.moment(at)
            fields = _FIELDS % (
                q[action], q[actor], quote(at_text), _day(due_date), q[from_state], q[lead_unit],
                "null" if level is None else str(level),
                "null" if on_time is None else ("true" if on_time else "false"), q[origin], quote(payload),
                "null" if reason is None else quote(reason), seq, id_text, type_text, q[to_state])
            why = None
            if broken:
                pass  # a stream's first bad link only
            elif seq != expected:
                why = f"expected seq {expected}"
            elif stored_prev != prev_hash:
                why = "prev_hash does not match"
            elif sha256((prev_hash + fields).encode("utf-8")).hexdigest() != stored_hash:
                why = "content does not match its hash"
            body = loads(payload) if reading else None
        except (TypeError, ValueError):  # a value of a type coord never writes (SQLite stores anything)
            why, body, moment = None if broken else "unreadable", None, stats.moment(None)[1]
        if why is not None:
            broken = True
            stats.broken_streams += 1
            if stats.first_broken is None:
                stats.first_broken = (f"{stream_type}:{stream_id}", seq, why)
            findings.add(Check.CHAIN, stream_type, stream_id, f"event {seq}: {why}")
        prev_hash, expected = stored_hash, (seq + 1 if isinstance(seq, int) else expected + 1)
        if reading:
            buffered.append(Event(seq, action, from_state, to_state, actor, moment, reason,
                                  body if isinstance(body, dict) else {}))
    flush()
    return stats
