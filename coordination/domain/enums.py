"""The vocabulary of the mechanism: states, actions, roles, levels, difficulty, lights."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class State(StrEnum):
    SUBMITTED = "submitted"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    ON_AGENDA = "on_agenda"
    RESOLUTION_SUBMITTED = "resolution_submitted"
    CLOSED = "closed"
    CLOSED_EXPLAINED = "closed_explained"
    LONG_TERM = "long_term"
    WITHDRAWN = "withdrawn"


# A problem "in hand" is any state but these.
FINISHED_STATES: frozenset[State] = frozenset({State.CLOSED, State.CLOSED_EXPLAINED, State.WITHDRAWN})
OPEN_STATES: frozenset[State] = frozenset(State) - FINISHED_STATES


class Action(StrEnum):
    RAISE = "raise"
    ASSIGN = "assign"
    ACKNOWLEDGE = "acknowledge"
    DISPUTE = "dispute"
    PROGRESS = "progress"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    ESCALATE = "escalate"
    RESOLVE = "resolve"
    VERIFY = "verify"
    REJECT = "reject"
    EXPLAIN = "explain"
    LONG_TERM = "long_term"
    WITHDRAW = "withdraw"
    REOPEN = "reopen"
    RECOMPUTE_DUE = "recompute_due"
    DECIDE = "decide"  # a meeting's decision (议定事项), applied when the minutes close


class Role(StrEnum):
    SPECIALIST = "specialist"
    SECRETARIAT = "secretariat"
    HANDLER = "handler"
    UNIT_HEAD = "unit_head"
    LEADER = "leader"
    PRINCIPAL = "principal"
    ADMIN = "admin"
    SYSTEM = "system"


class Level(IntEnum):
    """Rungs of the escalation ladder."""

    L1 = 1  # the handling unit
    L2 = 2  # unit head / task force (专班会商)
    L3 = 3  # linked district leader's 会办
    L4 = 4  # principal leader / 常务会
    L5 = 5  # reported to the city

    @classmethod
    def parse(cls, text: str) -> Level:
        cleaned = text.strip().upper().removeprefix("L")
        if cleaned.isdigit() and 1 <= int(cleaned) <= 5:
            return cls(int(cleaned))
        raise ValueError(text)


class Difficulty(StrEnum):
    A = "A"
    B = "B"
    C = "C"


class Light(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


class UnitKind(StrEnum):
    DEPARTMENT = "department"
    LOCALITY = "locality"
    ENTERPRISE = "enterprise"


class ProjectLevel(StrEnum):
    PROVINCIAL = "provincial"
    MUNICIPAL = "municipal"
    DISTRICT = "district"


class ProjectKind(StrEnum):
    """The three kinds the district's annual summary counts (产业 / 社会民生 / 基础设施)."""

    INDUSTRY = "industry"
    LIVELIHOOD = "livelihood"
    INFRASTRUCTURE = "infrastructure"


# Categories of problems: Chinese keys, English aliases accepted on input.
CATEGORIES: tuple[str, ...] = (
    "立项", "用地", "规划", "林地", "环评", "能评", "施工许可", "征地拆迁",
    "配套", "资金", "入统", "安全", "文物", "用工", "政策兑现", "其他",
)
CATEGORY_ALIASES: dict[str, str] = {
    "approval": "立项", "land": "用地", "planning": "规划", "forest": "林地",
    "environment": "环评", "eia": "环评", "energy": "能评", "permit": "施工许可",
    "construction-permit": "施工许可", "demolition": "征地拆迁", "utilities": "配套",
    "funding": "资金", "statistics": "入统", "safety": "安全", "heritage": "文物",
    "labour": "用工", "labor": "用工", "policy": "政策兑现", "other": "其他",
}


def parse_category(text: str) -> str:
    """Return the Chinese key of a category given its key or English alias."""
    cleaned = text.strip()
    if cleaned in CATEGORIES:
        return cleaned
    alias = CATEGORY_ALIASES.get(cleaned.lower())
    if alias is None:
        raise ValueError(text)
    return alias
