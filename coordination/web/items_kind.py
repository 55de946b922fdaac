"""What the item pages and the item API know of one kind of tracked work: an adapter over its service.

A kind (plan tasks, special plans, filings, fund applications, …) joins coord web with one `ItemKind` in
web/items.py: its workflow, its URL slug, three calls into its service (list, show, act) and the fields its
actions take. Which fields an action's form shows comes from the transition table (`Rule.needs_reason`)
plus the kind's own extras (a stage's day, a task's new due date, a grant's amount); the service still
judges every value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from enum import StrEnum
from typing import Any

from coordination.domain.authority import ItemFacts, available
from coordination.domain.enums import Light
from coordination.domain.errors import InvalidInput, NotFound
from coordination.domain.labels import bilingual, word
from coordination.domain.problem import Actor
from coordination.domain.workflow import Workflow
from coordination.services.issue_reads import EventView
from coordination.services.snapshot import directory
from coordination.web.auth import Identity

TEXT_MAX = 2000  # the longest reason or detail a form or a body takes


class FieldKind(StrEnum):
    TEXT = "text"  # one line
    LONG_TEXT = "long_text"
    DATE = "date"
    UNITS = "units"  # a set of unit codes (checkboxes on the page, a list in JSON)
    AMOUNT = "amount"  # money as typed: 元, or 万/亿 written out (3000万, 1.2亿)
    MONTH = "month"  # YYYY-MM


@dataclass(frozen=True)
class FormField:
    """One value an action takes: the same key in the page's form and in the API's JSON body."""

    name: str  # one of ItemInput's fields
    kind: FieldKind
    zh: str
    en: str
    required: bool = False
    current: str | None = None  # the record's key the form starts from (an adjustment names what changes)
    max_length: int = TEXT_MAX


@dataclass(frozen=True)
class ItemInput:
    """Everything any kind's action may take; each kind reads the fields its action's form declares."""

    reason: str | None = None
    document: str | None = None  # a special plan stage's document or meeting
    on: date | None = None  # the day a stage passed (default: today)
    title: str | None = None
    detail: str | None = None
    due_date: date | None = None
    co_units: tuple[str, ...] | None = None  # None: unchanged; (): none
    amount: str | None = None  # a fund grant's amount as typed (the adapter reads it as whole 元)
    result: str | None = None  # a fund evaluation's conclusion
    month: str | None = None  # an indicator's month
    value: str | None = None  # its figure, exact as typed
    target: str | None = None  # an indicator's new target …
    tolerance: str | None = None  # … and tolerance

    def given(self) -> set[str]:
        return {f.name for f in fields(self) if getattr(self, f.name) is not None}


INPUT_NAMES: tuple[str, ...] = tuple(f.name for f in fields(ItemInput))


@dataclass(frozen=True)
class ItemFilter:
    state: StrEnum | None = None
    unit: str | None = None  # the lead unit
    light: Light | None = None
    open_only: bool = False


@dataclass(frozen=True)
class Shown:
    """One item as its reader sees it: its record (the CLI's `show --json`), timeline and what they may do."""

    record: dict[str, Any]
    timeline: list[EventView]
    actions: list[StrEnum]

    @property
    def version(self) -> int:
        return int(self.record["version"])

    def to_json(self) -> dict[str, Any]:
        return {**self.record, "timeline": [e.to_json() for e in self.timeline],
                "actions": [a.value for a in self.actions]}


@dataclass(frozen=True)
class Fact:
    """One line of an item's page: its label (Chinese, English) and how the record's value reads."""

    label: tuple[str, str]
    key: str
    # text | long | unit | units | person | project | day | yes_no | days_left | wan (元 shown in 万元) |
    # label (`enum`'s label) | figure (with the record's measure) | light
    show: str = "text"
    enum: type[StrEnum] | None = None


@dataclass(frozen=True)
class ItemTable:
    """A list the record holds, shown as a table on the item's page (an indicator's months)."""

    label: tuple[str, str]
    key: str
    columns: tuple[Fact, ...]


def fact(word_key: str, key: str, show: str = "text") -> Fact:
    """A fact labelled by a domain/labels.py word."""
    return Fact((word(word_key, "zh"), word(word_key, "en")), key, show)


Lister = Callable[[Identity, ItemFilter], list[dict[str, Any]]]
Shower = Callable[[Identity, str], Shown]
Doer = Callable[[Identity, str, StrEnum, ItemInput, int | None], dict[str, Any]]
Offerer = Callable[[Actor, dict[str, Any]], list[StrEnum]]
# Whether an item waits for this person in 我的待办, from what they are offered on it and today.
Waiting = Callable[[Actor, Sequence[StrEnum], dict[str, Any], date], bool]

# The reason a transition-table rule asks for, and the note an action without one may still carry.
REASON = FormField("reason", FieldKind.LONG_TEXT, "说明理由", "Reason", required=True)
NOTE = FormField("reason", FieldKind.LONG_TEXT, "说明（可选）", "Note (optional)")


@dataclass(frozen=True)
class ItemKind:
    """One kind of tracked work as the pages and the API show it."""

    slug: str  # /items/<slug>, /api/items/<slug>
    workflow: Workflow
    name_zh: str  # the list's title
    name_en: str
    title_key: str  # the record's key that names an item
    unit_word: str  # what the kind calls its lead unit (a labels word)
    due_word: str | None  # what it calls its due date; None: it has none
    has_lights: bool
    facts: tuple[Fact, ...]
    list_items: Lister  # every matching item the reader sees, as `coord … list --json` rows
    show_item: Shower  # NotFound unless the reader sees it
    act: Doer  # NotFound unless the reader sees it; then the service's own checks
    key: str = "id"  # the record's key (a special plan's is its code)
    reason: FormField = REASON
    note: FormField | None = NOTE  # None: the kind's actions take no note beyond a required reason
    extra: Mapping[str, tuple[FormField, ...]] = field(default_factory=dict)  # action -> further fields
    reason_labels: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # action -> its reason's label
    event_keys: tuple[Fact, ...] = ()  # what a timeline names of an event: its changes' keys (or its own)
    offered: Offerer | None = None  # what one may do to an item read; None: the generic authority's answer
    row_facts: tuple[Fact, ...] = ()  # shown in a list's row beside the state and the unit
    tables: tuple[ItemTable, ...] = ()
    waiting: Waiting | None = None  # None: it waits when an action that moves it is offered
    open_word: tuple[str, str] = ("在办", "In hand")  # what the kind calls its open items
    hint: tuple[str, str] | None = None  # the index card's line for a kind without lights

    @property
    def creating(self) -> StrEnum:
        """The action that adds an item (its rule has no source state): never taken from a page."""
        found: StrEnum = next(a for a, rule in self.workflow.transitions.items() if not rule.sources)
        return found

    @property
    def actions(self) -> tuple[StrEnum, ...]:
        """The actions a person takes on an existing item, in the table's order."""
        return tuple(a for a, rule in self.workflow.transitions.items()
                     if rule.sources and rule.taken_by is None)

    def action(self, text: str) -> StrEnum:
        """The action `text` names; anything else is an unknown resource (404), as for problems."""
        for action in self.actions:
            if action.value == text:
                return action
        names = "、".join(a.value for a in self.actions)
        raise NotFound(f"{self.workflow.label_zh}没有“{text}”这项操作（可选 {names}）",
                       f"no action {text} on a {self.workflow.label_en} (one of {', '.join(self.actions)})")

    def state(self, text: str | None) -> StrEnum | None:
        if text is None or not text.strip():
            return None
        try:
            return self.workflow.states(text.strip())
        except ValueError:
            values = [s.value for s in self.workflow.states]
            raise InvalidInput(f"未知状态 {text}（可选 {'、'.join(values)}）",
                               f"unknown state {text} (one of {', '.join(values)})") from None

    def fields(self, action: StrEnum) -> tuple[FormField, ...]:
        """What `action`'s form asks for: the kind's extras, then the reason its rule needs (or a note)."""
        rule = self.workflow.transitions[action]
        said = self.note
        if rule.needs_reason:
            zh, en = self.reason_labels.get(action.value, (self.reason.zh, self.reason.en))
            said = FormField(self.reason.name, self.reason.kind, zh, en, required=True,
                             max_length=self.reason.max_length)
        return (*self.extra.get(action.value, ()), *((said,) if said is not None else ()))

    def accepted(self, action: StrEnum, given: ItemInput) -> ItemInput:
        """`given`, refused (400) when it names a value `action` does not take — nothing is silently dropped."""
        allowed = {f.name for f in self.fields(action)}
        stray = sorted(given.given() - allowed)
        if stray:
            takes = "、".join(sorted(allowed)) or "无"
            raise InvalidInput(f"“{bilingual(action)[0]}”不接受字段 {'、'.join(stray)}（可填 {takes}）",
                               f"{action.value} does not take {', '.join(stray)} "
                               f"(it takes {', '.join(sorted(allowed)) or 'nothing'})")
        return given

    def item_id(self, record: dict[str, Any]) -> str:
        return str(record[self.key])

    def offers(self, actor: Actor, record: dict[str, Any]) -> list[StrEnum]:
        """The actions `actor` may take on the item `record` is now, in the table's order."""
        if self.offered is not None:
            return self.offered(actor, record)
        facts = ItemFacts(self.item_id(record), self.workflow.states(record["state"]), record.get("lead_unit"))
        return available(self.workflow, actor, facts, creating=self.creating)

    def waits_for(self, actor: Actor, record: dict[str, Any], today: date) -> bool:
        """Whether the item belongs in `actor`'s 我的待办 now."""
        offered = self.offers(actor, record)
        if self.waiting is not None:
            return self.waiting(actor, offered, record, today)
        return any(self.workflow.transitions[action].changes_state for action in offered)


def require_seen(kind: ItemKind, viewer_sees: bool, text: str) -> None:
    """An item outside one's sight does not exist for them: 404, never 403."""
    if not viewer_sees:
        raise NotFound(f"{kind.workflow.label_zh} {text} 不存在", f"{kind.workflow.label_en} {text} not found")


def actor_of(identity: Identity) -> Actor:
    """The reader as the transition table judges them, from the directory as a read sees it now."""
    with identity.reader() as uow:
        return directory(uow.session).actor(identity.handle)


def seen_id(kind: ItemKind, identity: Identity, record: dict[str, Any]) -> str:
    """The item's key once the reader is known to see it (a service without a reader: read, then judged here)."""
    require_seen(kind, identity.viewer.sees_item(record), kind.item_id(record))
    return kind.item_id(record)


def by_authority(kind: ItemKind, identity: Identity, record: dict[str, Any], timeline: list[EventView]) -> Shown:
    """An item of a kind on the generic authority (domain/authority.py): seen, and what its reader may do."""
    seen_id(kind, identity, record)
    return Shown(record, timeline, kind.offers(actor_of(identity), record))


def seen_only(identity: Identity, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [row for row in rows if identity.viewer.sees_item(row)]


def no_lights(kind_zh: str, kind_en: str, light: Light | None) -> None:
    if light is not None:
        raise InvalidInput(f"{kind_zh}不亮灯，不能按亮灯筛选", f"{kind_en} have no lights to filter by")


def never_waits(_actor: Actor, _offered: Sequence[StrEnum], _record: dict[str, Any], _today: date) -> bool:
    """A ledger's records (payments made, reports given) ask nobody to act: none waits in 我的待办."""
    return False


def in_memory(rows: list[dict[str, Any]], chosen: ItemFilter, open_states: frozenset[str]) -> list[dict[str, Any]]:
    """The filter applied to rows a service lists without it (its state, lead unit, open only)."""
    return [row for row in rows
            if (chosen.state is None or row["state"] == chosen.state.value)
            and (chosen.unit is None or row.get("lead_unit") == chosen.unit)
            and (not chosen.open_only or row["state"] in open_states)]
