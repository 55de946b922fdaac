"""Who may take an action on an item of a kind without project rosters, read from its transition table.

Problems and plan tasks judge their own scopes (rosters, co-units, the resolving unit); every other
kind — special plans, filings, fund applications, disbursements, indicators, upward reports — reaches
only as far as ANY or its lead unit, and is judged here, in the same order of checks as a problem:
a role that ever takes the action (else not permitted), the state (else conflict), the scope (else not
permitted).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from coordination.domain.enums import Role
from coordination.domain.errors import Conflict, InvalidInput, NotPermitted
from coordination.domain.hygiene import clean_reason
from coordination.domain.labels import bilingual
from coordination.domain.problem import Actor
from coordination.domain.transitions import Scope
from coordination.domain.workflow import Workflow


@dataclass(frozen=True)
class ItemFacts:
    """What the authority looks at: the item's number, state (None: being added) and lead unit."""

    id: str
    state: StrEnum | None
    lead_unit: str | None


def authorize(workflow: Workflow, action: StrEnum, actor: Actor, item: ItemFacts) -> Role:
    """The role under which `actor` may take `action` on `item` (state None: adding one for `lead_unit`)."""
    rule = workflow.transitions[action]
    action_zh, action_en = bilingual(action)
    adding = item.state is None
    subject_zh = workflow.label_zh if adding else f"{workflow.label_zh} {item.id}"
    subject_en = f"a {workflow.label_en}" if adding else item.id
    eligible = [role for role in rule.roles if role in actor.roles]
    if not eligible:
        raise NotPermitted(f"{actor.handle} 的角色不能对{subject_zh} 执行“{action_zh}”",
                           f"{actor.handle} has no role that may {action_en} {subject_en}")
    if not rule.allows_from(item.state):
        assert item.state is not None
        state_zh, state_en = bilingual(item.state)
        raise Conflict(f"{workflow.label_zh} {item.id} 当前为{state_zh}，不能{action_zh}",
                       f"cannot {action_en} {item.id} while {state_en}")
    for role in eligible:
        scope: Scope = rule.roles[role]
        if scope is Scope.ANY or (scope is Scope.LEAD_UNIT and item.lead_unit is not None
                                  and actor.unit == item.lead_unit):
            return Role(role)
    raise NotPermitted(f"{actor.handle} 不是{subject_zh}牵头单位 {item.lead_unit} 的人员，不能{action_zh}",
                       f"{actor.handle} is not of {item.lead_unit}, the unit of {subject_en}, "
                       f"and may not {action_en}")


def available(workflow: Workflow, actor: Actor, item: ItemFacts, *, creating: StrEnum) -> list[StrEnum]:
    """The actions `actor` may take on `item` now, in the table's order (what a page offers)."""
    found: list[StrEnum] = []
    for action, rule in workflow.transitions.items():
        if action == creating or rule.taken_by is not None:
            continue
        try:
            authorize(workflow, action, actor, item)
        except (NotPermitted, Conflict):
            continue
        found.append(action)
    return found


def required_reason(workflow: Workflow, action: StrEnum, reason: str | None, option: str = "--reason") -> str | None:
    """The cleaned reason, refused when the action's rule needs one and none is given."""
    cleaned = clean_reason(reason, option)
    if workflow.transitions[action].needs_reason and cleaned is None:
        action_zh, action_en = bilingual(action)
        raise InvalidInput(f"“{action_zh}”需要填写理由（{option}）", f"{action_en} needs a reason ({option})")
    return cleaned
