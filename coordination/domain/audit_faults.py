"""What `audit verify` finds: faults by check and table, the first of each kind named, the rest counted.

Pure: the services replay the audit events and read the tables; this module folds what they find into
one line per kind of fault (a broken chain, a version ahead of its events, a row the events never
wrote, events whose row is gone, a row that differs from its replay) and says how two records differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from coordination.domain.labels import label, register


class Check(StrEnum):
    """The kinds of fault, in the order they are listed."""

    CHAIN = "chain"  # a stream's hash chain does not link
    VERSION = "version"  # a row's version is not its stream's last sequence number
    UNRECORDED = "unrecorded"  # a row no event wrote (a row without a stream, an inserted fact)
    MISSING = "missing"  # events whose row is gone (a stream without a row, a deleted fact)
    DIFFERS = "differs"  # a row that is not the replay of its events
    UNREADABLE = "unreadable"  # events or rows holding what coord never writes (not JSON, not a date…)


register({
    Check.CHAIN: ("审计链断裂", "broken chain"),
    Check.VERSION: ("版本号与最后事件序号不符", "version differs from the last event's sequence"),
    Check.UNRECORDED: ("记录没有对应的审计事件", "row that no audit event recorded"),
    Check.MISSING: ("审计事件记载的记录不存在", "row recorded by audit events is missing"),
    Check.DIFFERS: ("记录与审计事件重放结果不符", "row differs from the replay of its events"),
    Check.UNREADABLE: ("审计事件或记录无法读取", "events or rows that cannot be read"),
})


@dataclass(frozen=True)
class Fault:
    """The first fault of one kind: the check, the table or stream, the row's key, what differs; `count`
    how many rows of that table failed the check."""

    check: Check
    where: str
    key: str
    what: str
    count: int = 1

    def to_json(self) -> dict[str, Any]:
        return {"check": self.check.value, "where": self.where, "key": self.key, "what": self.what,
                "count": self.count}

    def message(self, lang: str = "zh") -> str:
        """审计校验发现问题：problem Q-2026-0001：state: 'closed' ≠ 'assigned' (stored ≠ replay)（共 3 处）"""
        more = (f"（共 {self.count} 处）" if lang != "en" else f" ({self.count} in all)") if self.count > 1 else ""
        colon = ": " if lang == "en" else "："
        return f"{label(self.check, lang)}{colon}{self.where} {self.key}{colon}{self.what}{more}"


@dataclass
class Findings:
    """Collects faults as the replays find them; keeps the first of each (check, where) and counts all."""

    _first: dict[tuple[Check, str], Fault] = field(default_factory=dict)
    _counts: dict[tuple[Check, str], int] = field(default_factory=dict)

    def add(self, check: Check, where: str, key: object, what: str) -> None:
        kind = (check, where)
        self._counts[kind] = self._counts.get(kind, 0) + 1
        if kind not in self._first:
            self._first[kind] = Fault(check, where, str(key), what)

    def has(self, check: Check, where: str) -> bool:
        """Whether a fault of this kind is named already (a caller may skip working out what differs)."""
        return (check, where) in self._first

    def faults(self) -> list[Fault]:
        """One fault per kind, by check, then table or stream."""
        order = list(Check)
        return [Fault(f.check, f.where, f.key, f.what, self._counts[kind])
                for kind, f in sorted(self._first.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1]))]


MISSING_VALUE = "<不在事件中 / not in the events>"


def shown(value: Any) -> str:
    """A value as a fault line quotes it: short, on one line."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def differences(stored: Mapping[str, Any], replayed: Mapping[str, Any], names: Iterable[str] | None = None,
                *, limit: int = 3) -> str:
    """How a stored record differs from its replay: "state: 'closed' ≠ 'assigned' (replay)", the first few."""
    keys = list(names) if names is not None else sorted(set(stored) | set(replayed))
    found = [f"{k}: {shown(stored.get(k))} ≠ {shown(replayed.get(k, MISSING_VALUE))}"
             for k in keys if stored.get(k) != replayed.get(k, MISSING_VALUE)]
    more = f" (+{len(found) - limit})" if len(found) > limit else ""
    return "; ".join(found[:limit]) + more + (" (stored ≠ replay)" if found else "")


def compare_records(findings: Findings, where: str, stored: Mapping[Any, Mapping[str, Any]],
                    replayed: Mapping[Any, Mapping[str, Any]], *, key_text: Any = str) -> None:
    """A whole table against its replay, both keyed alike: rows no event wrote, rows the events wrote that
    are gone, rows that differ."""
    for key in sorted(stored.keys() - replayed.keys(), key=str):
        findings.add(Check.UNRECORDED, where, key_text(key), "no event records this row")
    for key in sorted(replayed.keys() - stored.keys(), key=str):
        findings.add(Check.MISSING, where, key_text(key), "the events record it, the table lacks it")
    for key in sorted(stored.keys() & replayed.keys(), key=str):
        if dict(stored[key]) != dict(replayed[key]):
            findings.add(Check.DIFFERS, where, key_text(key), differences(stored[key], replayed[key]))
