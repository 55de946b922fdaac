"""Meetings, their agendas and their decisions (议定事项) against the `meeting` streams (services/meetings.py).

A meeting's plan event holds its kind, date, chair and first agenda; `agenda_add`/`agenda_drop` change
the agenda (an added problem goes last); `decision_record` holds a decision's whole text, units and due
date (recorded by the event's actor at its moment); `meeting_start` and `meeting_close` its state, the
close its minutes number and moment. Each event is one version of the meeting row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection
from sqlmodel import SQLModel

from coordination.domain.audit_faults import Check, Findings, compare_records
from coordination.domain.meetings import MeetingKind, minutes_number
from coordination.services.audit_rows import json_or_text, read_table
from coordination.services.audit_walk import Event

MEETING_STREAM = "meeting"
_TABLES = SQLModel.metadata.tables


def _level(kind: Any) -> int | None:
    try:
        return int(MeetingKind(kind).level)
    except ValueError:
        return None


@dataclass
class MeetingReplay:
    stream_types: frozenset[str] = frozenset({MEETING_STREAM})
    meetings: dict[str, dict[str, Any]] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    agenda: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    decisions: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def stream(self, stream_type: str, stream_id: str, events: Sequence[Event]) -> None:
        meeting: dict[str, Any] = {"kind": None, "level": None, "held_on": None, "chair": None, "state": None,
                                   "planned_by": None, "minutes": None, "closed_at": None}
        positions: dict[str, int] = {}
        for event in events:
            changes = event.changes
            if event.action == "meeting_plan":
                meeting.update(kind=changes.get("kind"), level=_level(changes.get("kind")),
                               held_on=changes.get("date"), chair=changes.get("chair"), planned_by=event.actor)
                positions = {problem: n for n, problem in enumerate(changes.get("agenda") or [], start=1)}
            elif event.action == "agenda_add":
                positions[changes.get("problem", "")] = max(positions.values(), default=0) + 1
            elif event.action == "agenda_drop":
                positions.pop(changes.get("problem", ""), None)
            elif event.action == "decision_record":
                self.decisions[stream_id, changes.get("problem", "")] = {
                    "outcome": changes.get("outcome"), "text": changes.get("text"),
                    "lead_unit": changes.get("lead_unit"), "co_units": changes.get("co_units"),
                    "due_date": changes.get("due_date"), "recorded_by": event.actor,
                    "recorded_at": event.at.isoformat()}
            if event.action == "meeting_close":
                meeting.update(minutes=changes.get("minutes_number"), closed_at=event.at.isoformat())
            if "state" in changes:
                meeting["state"] = changes["state"]
        self.meetings[stream_id] = meeting
        self.versions[stream_id] = events[-1].seq
        for problem, position in positions.items():
            self.agenda[stream_id, problem] = {"position": position}

    def compare(self, connection: Connection, findings: Findings) -> None:
        stored: dict[str, dict[str, Any]] = {}
        for row in read_table(connection, _TABLES["meeting"]):
            year, number = row["minutes_year"], row["minutes_number"]
            minutes = minutes_number(MeetingKind(row["kind"]), year, number) \
                if year and number and _level(row["kind"]) else (f"{year}/{number}" if year or number else None)
            stored[row["id"]] = {"kind": row["kind"], "level": row["level"], "held_on": row["held_on"],
                                 "chair": row["chair"], "state": row["state"], "planned_by": row["planned_by"],
                                 "minutes": minutes, "closed_at": row["closed_at"]}
            last = self.versions.get(row["id"])
            if last is not None and row["version"] != last:
                findings.add(Check.VERSION, "meeting", row["id"], f"version {row['version']}, last event {last}")
        compare_records(findings, "meeting", stored, self.meetings)
        agenda = {(r["meeting"], r["problem"]): {"position": r["position"]}
                  for r in read_table(connection, _TABLES["agenda_item"])}
        compare_records(findings, "agenda_item", agenda, self.agenda, key_text="/".join)
        decisions = {(r["meeting"], r["problem"]): {
            "outcome": r["outcome"], "text": r["text"], "lead_unit": r["lead_unit"],
            "co_units": json_or_text(r["co_units"]), "due_date": r["due_date"], "recorded_by": r["recorded_by"],
            "recorded_at": r["recorded_at"]} for r in read_table(connection, _TABLES["decision"])}
        compare_records(findings, "decision", decisions, self.decisions, key_text="/".join)
