"""A workflow definition: one kind of tracked work, declared as data.

The kernel — the write path, the audit chain, lights, the sweep and the notice policy — reads a
definition instead of knowing the kind: its table and audit stream, its states, its transition
table (who may do what from which state), its deadline rule and who is told of each action. The
problem's life is the first definition (`domain/problem_workflow.py`), plan tasks (重点任务) the second
(`domain/task_workflow.py`), special plans (专项规划) the third (`domain/special_plan_workflow.py`),
filings (备案) the fourth (`domain/filing_workflow.py`); the next kinds (fund applications…) each take a
file of their own. `domain/kinds.py` lists them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Audience(StrEnum):
    """Who a notice goes to, judged against the item: a unit's group robot and the people it @s."""

    LEAD_UNIT = "lead_unit"  # the lead unit's group, @ its handlers
    LEAD_UNIT_HEADS = "lead_unit_heads"  # the lead unit's group, @ its head
    CO_UNITS = "co_units"  # each co-unit's group, @ its handlers
    SECRETARIAT = "secretariat"  # the district's group, @ the secretariat
    RAISER = "raiser"  # the raiser's unit group, @ the raiser
    DISTRICT = "district"  # the district's group, nobody in particular


@dataclass(frozen=True)
class NoticeWording:
    """What a kind's message says, when the notice kind's usual words (written for problems) do not fit."""

    title: str  # 督办通知
    ask: str  # what the message asks of its readers, after "以下{noun}"
    counted: str  # what a digest's title counts: "项任务超过一个月未报送进展"


@dataclass(frozen=True)
class NoticeRule:
    """What kind of notice an action sends, and to whom."""

    kind: str  # a NoticeKind: assignment, escalation, reminder, decision, …
    audiences: tuple[Audience, ...]
    wording: NoticeWording | None = None  # None: the notice kind's own words (notices._POLICY_TEXT)


@dataclass(frozen=True)
class Workflow:
    """One kind of tracked work: everything the kernel needs to write, audit, judge and tell."""

    kind: str  # the audit stream type and the item table's name
    label_zh: str  # 问题
    label_en: str  # problem
    transitions: Mapping[Any, Any]  # action -> transitions.Rule
    notices: Mapping[str, NoticeRule]  # action (or scheduled action) -> who is told
    open_states: frozenset[str]
    deadline_days: Mapping[str, int]  # difficulty (or the kind's own grade) -> working days; empty: dates named
    states: type[StrEnum]  # the kind's states, in the order its tables list them (labels: domain/labels.py)
    actions: type[StrEnum]  # the kind's actions (the transition table's keys)
    id_prefix: str  # Q-2026-0001, T-2026-0001
    page: str | None = None  # where coord web shows one item (/problems/Q-…); None: no page yet

    @property
    def finished_states(self) -> frozenset[str]:
        return frozenset(s.value for s in self.states) - self.open_states

    def owns(self, item_id: str) -> bool:
        """Whether `item_id` is one of this kind's numbers (Q-…, T-…)."""
        return item_id.strip().upper().startswith(f"{self.id_prefix}-")

    def notice_rule(self, action: str) -> NoticeRule | None:
        return self.notices.get(str(action))

    def stale_message(self, item_id: str) -> tuple[str, str]:
        return (f"{self.label_zh} {item_id} 已被他人修改，请刷新后重试",
                f"{self.label_en} {item_id} was changed by someone else; reload and try again")
