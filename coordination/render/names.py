"""Codes to names for the terminal: people, units and projects are read by name, not by code.

Renderers never read the database: the command hands over a `NameBook` built from the directory it
already holds. The JSON output keeps the codes; only what a person reads on the terminal changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from coordination.domain.enums import Role
from coordination.domain.labels import label

# The scheduled jobs act as the built-in `system` actor, whose handle is its role: not a person in the directory.
SYSTEM_HANDLE = Role.SYSTEM.value


@dataclass(frozen=True)
class NameBook:
    units: Mapping[str, str] = field(default_factory=dict)  # code -> name
    projects: Mapping[str, str] = field(default_factory=dict)  # code -> name
    people: Mapping[str, str] = field(default_factory=dict)  # handle -> name
    lang: str = "zh"

    def unit(self, code: str | None) -> str:
        return self.units.get(code, code) if code else "—"

    def unit_list(self, codes: Iterable[str] | None) -> str:
        return "、".join(self.unit(code) for code in codes or []) or "—"

    def project(self, code: str | None) -> str:
        return self.projects.get(code, code) if code else "—"

    def person(self, handle: str | None) -> str:
        if not handle:
            return "—"
        if handle == SYSTEM_HANDLE and handle not in self.people:
            return label(Role.SYSTEM, self.lang)
        return self.people.get(handle, handle)

    def person_list(self, handles: Iterable[str] | None) -> str:
        return "、".join(self.person(handle) for handle in handles or []) or "—"
