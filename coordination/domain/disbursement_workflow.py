"""Guidance-fund disbursements (引导资金发放) as a workflow definition: states, actions, who may do what.

The district pays its guidance funds (产业引导资金) to enterprises; each payment is recorded (登记) —
numbered FF-2026-0001 by the year it was paid — with the enterprise, the exact amount in 元 and the day.
A record entered by mistake is revoked (撤销, with a reason): it no longer counts in the year's totals,
but it stays, with its number and its history. Nobody is told: it is a ledger, not a request.

Everything here is data the kernel reads; the rules that apply it are in `domain/disbursement.py`.
"""

from __future__ import annotations

from enum import StrEnum

from coordination.domain.enums import Role
from coordination.domain.labels import register
from coordination.domain.transitions import Rule, Scope
from coordination.domain.workflow import NoticeRule, Workflow


class DisbursementState(StrEnum):
    RECORDED = "recorded"  # 已登记: counts in its year
    REVOKED = "revoked"  # 已撤销: kept, counted nowhere


class DisbursementAction(StrEnum):
    ADD = "add"  # 登记
    REVOKE = "revoke"  # 撤销


# A recorded payment stands and may still be revoked; a revoked one is final.
DISBURSEMENT_OPEN_STATES: frozenset[DisbursementState] = frozenset({DisbursementState.RECORDED})

register({
    DisbursementState.RECORDED: ("已登记", "recorded"),
    DisbursementState.REVOKED: ("已撤销", "revoked"),
    DisbursementAction.ADD: ("登记", "record"),
    DisbursementAction.REVOKE: ("撤销", "revoke"),
})

S = DisbursementState
R = Role
DisbursementRule = Rule[DisbursementAction, DisbursementState]

DISBURSEMENT_TRANSITIONS: dict[DisbursementAction, DisbursementRule] = {
    rule.action: rule
    for rule in (
        # The secretariat for any unit; the paying unit's own staff for their own payments.
        Rule(DisbursementAction.ADD, frozenset(), S.RECORDED,
             {R.SECRETARIAT: Scope.ANY, R.HANDLER: Scope.LEAD_UNIT, R.UNIT_HEAD: Scope.LEAD_UNIT}),
        # Striking a payment off the totals is the secretariat's call, with the reason it was a mistake.
        Rule(DisbursementAction.REVOKE, frozenset({S.RECORDED}), S.REVOKED, {R.SECRETARIAT: Scope.ANY},
             needs_reason=True),
    )
}

DISBURSEMENT_ACTIONS: tuple[DisbursementAction, ...] = tuple(
    a for a in DISBURSEMENT_TRANSITIONS if a is not DisbursementAction.ADD)

DISBURSEMENT_NOTICES: dict[str, NoticeRule] = {}  # a ledger of payments made: nobody is asked to act

DISBURSEMENT_WORKFLOW = Workflow(
    kind="disbursement",
    label_zh="引导资金发放",
    label_en="guidance-fund disbursement",
    transitions=DISBURSEMENT_TRANSITIONS,
    notices=DISBURSEMENT_NOTICES,
    open_states=frozenset(s.value for s in DISBURSEMENT_OPEN_STATES),
    deadline_days={},  # a record of a payment made: no time limit, no light
    states=DisbursementState,
    actions=DisbursementAction,
    id_prefix="FF",
    page="items/disbursements",
)
