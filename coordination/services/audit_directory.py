"""The directory and the projects against their streams (services/directory.py, services/projects.py).

- `unit` streams rebuild the unit table; `routing` streams the routing table (category -> unit);
- `person` streams rebuild each person (name, unit, active, mobile), their roles (person_role), whether
  they hold a password and an access token — and, for tokens issued since the events carry it, the
  token hash's fingerprint, so that a hash nulled or swapped in the table differs from its replay;
- `project` streams rebuild each project's columns, its 1+2+N roster (roster_entry), its annual plans
  (project_plan) and its months of progress (project_progress, with who recorded them and when).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection
from sqlmodel import SQLModel

from coordination.domain.audit import to_json_value
from coordination.domain.audit_faults import Findings, compare_records
from coordination.models import Project
from coordination.services.audit_rows import read_table
from coordination.services.audit_walk import Event
from coordination.services.common import token_fingerprint

_TABLES = SQLModel.metadata.tables
Rows = dict[Any, dict[str, Any]]  # a table by its key, each row in the form its events record it
ROSTER_PARTS = {"leaders": "leader", "helpers": "helper", "specialists": "specialist"}
_PROJECT_COLUMNS = tuple(name for name in Project.model_fields if name != "code")
_PROJECT_DEFAULTS = {name: to_json_value(info.get_default(call_default_factory=True))
                     for name, info in Project.model_fields.items() if not info.is_required()}


def fold(events: Sequence[Event]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for event in events:
        record.update(event.changes)
    return record


@dataclass
class UnitReplay:
    stream_types: frozenset[str] = frozenset({"unit", "routing"})
    units: dict[str, dict[str, Any]] = field(default_factory=dict)
    routes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def stream(self, stream_type: str, stream_id: str, events: Sequence[Event]) -> None:
        record = fold(events)
        if stream_type == "unit":
            self.units[stream_id] = {"name": record.get("name"), "kind": record.get("kind"),
                                     "active": record.get("active", True)}
        else:
            self.routes[stream_id] = {"unit": record.get("unit")}

    def compare(self, connection: Connection, findings: Findings) -> None:
        stored = {r["code"]: {"name": r["name"], "kind": r["kind"], "active": r["active"]}
                  for r in read_table(connection, _TABLES["unit"])}
        compare_records(findings, "unit", stored, self.units)
        routes = {r["category"]: {"unit": r["unit"]} for r in read_table(connection, _TABLES["routing_rule"])}
        compare_records(findings, "routing_rule", routes, self.routes)


@dataclass
class PersonReplay:
    stream_types: frozenset[str] = frozenset({"person"})
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    roles: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def stream(self, stream_type: str, stream_id: str, events: Sequence[Event]) -> None:
        person: dict[str, Any] = {"name": None, "unit": None, "active": True, "mobile": None, "token": None,
                                  "password": None}
        roles: list[str] = []
        for event in events:
            changes = event.changes
            for name in ("name", "unit", "active", "mobile"):
                if name in changes:
                    person[name] = changes[name]
            if "roles" in changes:
                roles = list(changes["roles"])
            if event.action == "token_create":  # events before fingerprints: only that one was issued
                person["token"] = changes.get("fingerprint") or "issued"
            elif event.action == "token_revoke":
                person["token"] = None
            elif event.action == "password_set":
                person["password"] = "set"
        self.people[stream_id] = person
        for role in roles:
            self.roles[stream_id, role] = {}

    def compare(self, connection: Connection, findings: Findings) -> None:
        stored: dict[str, dict[str, Any]] = {}
        for row in read_table(connection, _TABLES["person"]):
            digest, replayed = row["token_hash"], self.people.get(row["handle"], {})
            token = None if digest is None else "issued" if replayed.get("token") == "issued" else \
                token_fingerprint(digest)
            stored[row["handle"]] = {"name": row["name"], "unit": row["unit"], "active": row["active"],
                                     "mobile": row["mobile"], "token": token,
                                     "password": "set" if row["password_hash"] else None}
        compare_records(findings, "person", stored, self.people)
        roles: Rows = {(r["handle"], r["role"]): {} for r in read_table(connection, _TABLES["person_role"])}
        compare_records(findings, "person_role", roles, self.roles, key_text="/".join)


@dataclass
class ProjectReplay:
    stream_types: frozenset[str] = frozenset({"project"})
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    roster: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    plans: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    progress: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def stream(self, stream_type: str, stream_id: str, events: Sequence[Event]) -> None:
        record: dict[str, Any] = {}
        for event in events:
            changes = event.changes
            if event.action == "project_plan":
                self.plans[stream_id, str(changes.get("year"))] = {"planned_yuan": changes.get("planned_yuan")}
            elif event.action == "project_progress":
                self.progress[stream_id, str(changes.get("month"))] = {
                    "completed_yuan": changes.get("completed_yuan"), "note": changes.get("note"),
                    "recorded_by": event.actor, "recorded_at": event.at.isoformat()}
            else:  # project_add, project_update, project_roster
                record.update(changes)
        self.projects[stream_id] = {name: record.get(name, _PROJECT_DEFAULTS.get(name)) for name in _PROJECT_COLUMNS}
        for name, part in ROSTER_PARTS.items():
            for ref in record.get(name) or []:
                self.roster[stream_id, part, ref] = {}

    def compare(self, connection: Connection, findings: Findings) -> None:
        stored = {r["code"]: {name: r[name] for name in _PROJECT_COLUMNS}
                  for r in read_table(connection, _TABLES["project"])}
        compare_records(findings, "project", stored, self.projects)
        roster: Rows = {(r["project"], r["part"], r["ref"]): {}
                        for r in read_table(connection, _TABLES["roster_entry"])}
        compare_records(findings, "roster_entry", roster, self.roster, key_text="/".join)
        plans = {(r["project"], str(r["year"])): {"planned_yuan": r["planned_yuan"]}
                 for r in read_table(connection, _TABLES["project_plan"])}
        compare_records(findings, "project_plan", plans, self.plans, key_text="/".join)
        progress = {(r["project"], r["month"]): {name: r[name] for name in ("completed_yuan", "note", "recorded_by",
                                                                            "recorded_at")}
                    for r in read_table(connection, _TABLES["project_progress"])}
        compare_records(findings, "project_progress", progress, self.progress, key_text="/".join)


def directory_replays() -> list[UnitReplay | PersonReplay | ProjectReplay]:
    return [UnitReplay(), PersonReplay(), ProjectReplay()]
