"""Audit checkpoints: every stream's head at a moment, summed up in one digest and signed with a key
that is never stored in the database.

A checkpoint covers the events whose ids are at or below `last_event_id`, except the ids listed in
`gaps` (ids it did not see: rolled back, or written by a transaction still open at that moment).
For each stream type it records how many streams and events there were and one digest over each
stream's last (seq, hash); `heads_digest` sums those up and the MAC (HMAC-SHA256) signs it all,
chained to the MAC of the checkpoint before. Pure: no database, no files.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

# An event written after a checkpoint yet dated more than this before it was not written when it
# says: in-flight transactions at the checkpoint's moment are far younger.
BACKDATING_TOLERANCE = timedelta(hours=1)
_KEY_ID_LABEL = b"coord audit key id"

Range = tuple[int, int]  # first and last id, both included


@dataclass(frozen=True)
class TypeSummary:
    """One stream type's part of a checkpoint."""

    streams: int
    events: int
    digest: str  # sha256 over "stream_id<TAB>seq<TAB>hash" lines, sorted by stream id

    def to_json(self) -> dict[str, Any]:
        return {"streams": self.streams, "events": self.events, "digest": self.digest}


def summarise(heads: Iterable[tuple[str, str, int, str, int]]) -> dict[str, TypeSummary]:
    """Per stream type: (stream_type, stream_id, last seq, last hash, events in the stream) → summary."""
    lines: dict[str, list[tuple[str, int, str]]] = {}
    events: dict[str, int] = {}
    for stream_type, stream_id, seq, hash_, count in heads:
        lines.setdefault(stream_type, []).append((stream_id, int(seq), hash_))
        events[stream_type] = events.get(stream_type, 0) + int(count)
    summaries: dict[str, TypeSummary] = {}
    for stream_type in sorted(lines):
        streams = sorted(lines[stream_type])
        digest = hashlib.sha256()
        for stream_id, seq, hash_ in streams:
            digest.update(f"{stream_id}\t{seq}\t{hash_}\n".encode())
        summaries[stream_type] = TypeSummary(len(streams), events[stream_type], digest.hexdigest())
    return summaries


def types_json(types: Mapping[str, TypeSummary]) -> str:
    return _canonical({name: summary.to_json() for name, summary in types.items()})


def parse_types(text: str) -> dict[str, TypeSummary]:
    loaded = json.loads(text)
    return {str(name): TypeSummary(int(v["streams"]), int(v["events"]), str(v["digest"]))
            for name, v in loaded.items()}


def heads_digest(types: Mapping[str, TypeSummary]) -> str:
    return hashlib.sha256(types_json(types).encode()).hexdigest()


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# ---- ids seen and not seen ----------------------------------------------------------------------


def gaps_after(previous_last: int, previous_gaps: Sequence[Range], seen: Iterable[int]) -> tuple[int, list[Range]]:
    """The new `last_event_id` and gaps, from the ids seen above the previous last id or in its gaps."""
    present = sorted(set(seen))
    last = max(present[-1] if present else previous_last, previous_last)
    ranges = [*_without(previous_gaps, [i for i in present if i <= previous_last]),
              *_without([(previous_last + 1, last)] if last > previous_last else [],
                        [i for i in present if i > previous_last])]
    return last, merge(ranges)


def _without(ranges: Sequence[Range], ids: Sequence[int]) -> list[Range]:
    """`ranges` less the sorted `ids` (by range arithmetic: a range may span a billion ids)."""
    left: list[Range] = []
    index = 0
    for first, end in sorted(ranges):
        start = first
        while index < len(ids) and ids[index] < first:
            index += 1
        while index < len(ids) and ids[index] <= end:
            if ids[index] > start:
                left.append((start, ids[index] - 1))
            start = ids[index] + 1
            index += 1
        if start <= end:
            left.append((start, end))
    return left


def merge(ranges: Iterable[Range]) -> list[Range]:
    merged: list[Range] = []
    for first, end in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((first, end))
    return merged


def parse_gaps(text: str) -> list[Range]:
    return [(int(a), int(b)) for a, b in json.loads(text)]


# ---- signing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Body:
    """What a checkpoint's MAC signs."""

    number: int
    at: datetime
    actor: str
    origin: str
    last_event_id: int
    gaps: list[Range]
    events: int
    streams: int
    heads_digest: str
    key_id: str
    previous_mac: str | None

    def text(self) -> str:
        return _canonical({
            "number": self.number, "at": self.at.isoformat(), "actor": self.actor, "origin": self.origin,
            "last_event_id": self.last_event_id, "gaps": [list(r) for r in self.gaps], "events": self.events,
            "streams": self.streams, "heads_digest": self.heads_digest, "key_id": self.key_id,
            "previous_mac": self.previous_mac,
        })

    def mac(self, key: bytes) -> str:
        return hmac.new(key, self.text().encode(), hashlib.sha256).hexdigest()


def key_id(key: bytes) -> str:
    """Names a key without revealing it: which key signed a checkpoint."""
    return hmac.new(key, _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]


def fingerprint(mac: str) -> str:
    """The first 16 hex digits of a MAC in four groups: 3F2A-9C01-77D4-E0B8 (to read out and compare)."""
    head = mac[:16].upper()
    return "-".join(head[i:i + 4] for i in range(0, 16, 4))


def same_mac(expected: str, stored: str) -> bool:
    return hmac.compare_digest(expected.encode(), stored.encode())


def stamp_line(stamp: Mapping[str, Any], lang: str, tz: tzinfo) -> str:
    """The line reports and robot messages carry: 审计检验码 3F2A-9C01-77D4-E0B8（检查点 #12，2024-06-12 09:00）."""
    moment = datetime.fromisoformat(str(stamp["at"])).astimezone(tz)
    if lang == "en":
        return f"Audit fingerprint {stamp['fingerprint']} (checkpoint #{stamp['number']}, {moment:%Y-%m-%d %H:%M})"
    return f"审计检验码 {stamp['fingerprint']}（检查点 #{stamp['number']}，{moment:%Y-%m-%d %H:%M}）"


# ---- what verify finds --------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """One thing verify found wrong; `kind` is stable, the messages say it for people."""

    kind: str
    zh: str
    en: str
    detail: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.zh, "message_en": self.en, **self.detail}


def compare(number: int, recorded: Mapping[str, TypeSummary], now: Mapping[str, TypeSummary]) -> list[Fault]:
    """Faults of the history a checkpoint anchored: its stream types then against the same ids now."""
    faults: list[Fault] = []
    for name in sorted(set(recorded) | set(now)):
        then = recorded.get(name, TypeSummary(0, 0, ""))
        current = now.get(name, TypeSummary(0, 0, ""))
        if then == current:
            continue
        where_zh = f"检查点 #{number} 锚定的 {name} 记录"
        where_en = f"the {name} records anchored by checkpoint #{number}"
        detail = {"checkpoint": number, "stream_type": name, "then": then.to_json(), "now": current.to_json()}
        if current.streams < then.streams:
            faults.append(Fault("stream_deleted", f"{where_zh}少了 {then.streams - current.streams} 条链（整条删除）",
                                f"{where_en}: {then.streams - current.streams} whole stream(s) deleted", detail))
        elif current.events < then.events:
            faults.append(Fault("events_deleted", f"{where_zh}少了 {then.events - current.events} 个事件",
                                f"{where_en}: {then.events - current.events} event(s) deleted", detail))
        elif current.events > then.events or current.streams > then.streams:
            faults.append(Fault("events_inserted",
                                f"{where_zh}多了 {current.events - then.events} 个事件（插入到检查点之前）",
                                f"{where_en}: {current.events - then.events} event(s) inserted before the checkpoint",
                                detail))
        else:
            faults.append(Fault("heads_rewritten", f"{where_zh}链头哈希已变：事件被改写后重新计算了哈希",
                                f"{where_en}: the stream heads' hashes changed: events rewritten and re-hashed",
                                detail))
    return faults
