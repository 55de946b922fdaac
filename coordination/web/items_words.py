"""A kind's own words on the pages: its states and actions, and how its facts read, in the page's language."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from coordination.domain.investment import MoneyUnit, amount_text
from coordination.domain.labels import label
from coordination.domain.sweep import SweepAction
from coordination.web.items_kind import Fact, ItemKind
from coordination.web.pages_common import Words


def blank(value: Any) -> bool:
    """A value a page leaves out (a stage not reached, an empty list)."""
    return value is None or value == "" or value == []


class KindWords:
    """A kind's own labels (its states and actions) in the page's language."""

    def __init__(self, kind: ItemKind, lang: str) -> None:
        self.kind = kind
        self.lang = lang

    def state(self, value: str) -> str:
        return label(self.kind.workflow.states(value), self.lang)

    def action(self, value: str | StrEnum) -> str:
        for kind in (self.kind.workflow.actions, SweepAction):
            try:
                return label(kind(str(value)), self.lang)
            except ValueError:
                continue
        return str(value)

    def state_options(self) -> list[tuple[str, str]]:
        return [(s.value, label(s, self.lang)) for s in self.kind.workflow.states]

    def open_word(self) -> str:
        zh, en = self.kind.open_word
        return en if self.lang == "en" else zh

    def text(self, fact: Fact, value: Any, w: Words, record: Mapping[str, Any] | None = None) -> str:
        """How `value` reads as `fact` shows it (money in 万元, exact; a figure with its measure)."""
        if blank(value):
            return "—"
        show = fact.show
        if show == "unit":
            return w.unit(value)
        if show == "units":
            return w.t("、", ", ").join(w.unit(code) for code in value)
        if show == "person":
            return w.person(value)
        if show == "project":
            return w.project(value)
        if show == "day":
            return w.day(value)
        if show == "yes_no":
            return w.word("yes") if value else w.word("no")
        if show == "wan":
            return amount_text(int(value), MoneyUnit.WAN) or "—"
        if show == "label" and fact.enum is not None:
            return label(fact.enum(value), self.lang)
        if show == "figure":
            return f"{value}{(record or {}).get('measure') or ''}"
        if show == "light":
            return w.light(value)
        return str(value)

    def event_facts(self, payload: dict[str, Any], w: Words, record: Mapping[str, Any] | None = None) -> list[str]:
        """What an event changed that its kind names in a timeline (a new due date, co-units, a stage's day,
        a grant's amount), or what it carries besides its changes (an indicator's month and figure)."""
        changes = payload.get("changes", {})
        colon = w.t("：", ": ")
        facts = []
        for fact in self.kind.event_keys:
            value = changes.get(fact.key, payload.get(fact.key))
            if not value:
                continue
            facts.append(f"{w.t(*fact.label)}{colon}{self.text(fact, value, w, record)}")
        return facts
