"""Settings, group robots, the official calendar and indicator figures against their streams.

- `setting` streams: each key's value (services/settings.py). The demo's seed marker is the one row
  written without an event (services/demo.py): it is not a fact of the district.
- `webhook` streams: each robot's kind, unit, whether it signs and is active, and its URL as the event
  records it (redacted: the access token is never audited whole).
- `calendar` streams (one per year): the loaded schedule (holidays, working days, who loaded it, when) and
  each local override (working or not, and why).
- `indicator` streams: each month's figure (indicator_value) from its `record` event, with who and when.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection
from sqlmodel import SQLModel

from coordination.domain.audit_faults import Findings, compare_records
from coordination.domain.indicator_workflow import INDICATOR_WORKFLOW, IndicatorAction
from coordination.services.audit_directory import fold
from coordination.services.audit_rows import json_or_text, read_table
from coordination.services.audit_walk import Event, Replay

_TABLES = SQLModel.metadata.tables


@dataclass
class SettingReplay:
    stream_types: frozenset[str] = frozenset({"setting", "webhook"})
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    webhooks: dict[str, dict[str, Any]] = field(default_factory=dict)

    def stream(self, stream_type: str, stream_id: str, events: Sequence[Event]) -> None:
        record = fold(events)
        if stream_type == "setting":
            self.settings[stream_id] = {"value": record.get("value")}
        else:
            self.webhooks[stream_id] = {name: record.get(name) for name in ("kind", "url", "unit", "signed", "active")}

    def compare(self, connection: Connection, findings: Findings) -> None:
        from coordination.services.demo import DEMO_MARKER
        from coordination.services.outbox import _redacted

        stored = {r["key"]: {"value": r["value"]} for r in read_table(connection, _TABLES["setting"])
                  if r["key"] != DEMO_MARKER or r["key"] in self.settings}
        compare_records(findings, "setting", stored, self.settings)
        hooks = {r["name"]: {"kind": r["kind"], "url": _redacted(r["url"]), "unit": r["unit"],
                             "signed": bool(r["secret"]), "active": r["active"]}
                 for r in read_table(connection, _TABLES["webhook"])}
        compare_records(findings, "webhook", hooks, self.webhooks)


@dataclass
class CalendarReplay:
    stream_types: frozenset[str] = frozenset({"calendar"})
    years: dict[str, dict[str, Any]] = field(default_factory=dict)
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)

    def stream(self, stream_type: str, stream_id: str, events: Sequence[Event]) -> None:
        for event in events:
            changes = event.changes
            if event.action == "calendar_load":
                self.years[stream_id] = {"holidays": changes.get("holidays"), "workdays": changes.get("workdays"),
                                         "loaded_by": event.actor, "loaded_at": event.at.isoformat()}
            elif event.action == "calendar_override":
                self.overrides[str(changes.get("day"))] = {"is_workday": changes.get("is_workday"),
                                                          "reason": event.reason}

    def compare(self, connection: Connection, findings: Findings) -> None:
        years = {str(r["year"]): {"holidays": json_or_text(r["holidays"]),
                                  "workdays": json_or_text(r["workdays"]),
                                  "loaded_by": r["loaded_by"], "loaded_at": r["loaded_at"]}
                 for r in read_table(connection, _TABLES["calendar_year"])}
        compare_records(findings, "calendar_year", years, self.years)
        overrides = {r["day"]: {"is_workday": r["is_workday"], "reason": r["reason"]}
                     for r in read_table(connection, _TABLES["calendar_override"])}
        compare_records(findings, "calendar_override", overrides, self.overrides)


@dataclass
class IndicatorValueReplay:
    stream_types: frozenset[str] = frozenset({INDICATOR_WORKFLOW.kind})
    values: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def stream(self, stream_type: str, stream_id: str, events: Sequence[Event]) -> None:
        for event in events:
            if event.action == IndicatorAction.RECORD.value:
                self.values[stream_id, str(event.body.get("month"))] = {
                    "value": event.body.get("value"), "recorded_by": event.actor, "recorded_at": event.at.isoformat()}

    def compare(self, connection: Connection, findings: Findings) -> None:
        stored = {(r["indicator"], r["month"]): {"value": r["value"], "recorded_by": r["recorded_by"],
                                                 "recorded_at": r["recorded_at"]}
                  for r in read_table(connection, _TABLES["indicator_value"])}
        compare_records(findings, "indicator_value", stored, self.values, key_text="/".join)


def record_replays() -> list[Replay]:
    from coordination.services.audit_outbox import OutboxReplay

    return [SettingReplay(), CalendarReplay(), IndicatorValueReplay(), OutboxReplay()]
