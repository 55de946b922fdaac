"""Filings (备案) as a workflow definition: states, actions, who may do what, the time limit, who is told.

An enterprise files a project for the record (企业投资项目备案) at a window: the secretariat, or the unit
whose window it is, receives it (受理) — numbered B-2026-0001 — and must finish it within a number of
working days (the setting `filings.limit_days`, default 5): 办结 (the record is issued) or 退回 (the
filing is returned, with the reason the enterprise is told). Its light follows the one light rule of
`domain/lights.py` on its due date while it is being handled.

Everything here is data the kernel reads; the rules that apply it are in `domain/filing.py`.
"""

from __future__ import annotations

from enum import StrEnum

from coordination.domain.enums import Role
from coordination.domain.labels import register
from coordination.domain.notices import NoticeKind
from coordination.domain.transitions import Rule, Scope
from coordination.domain.workflow import Audience, NoticeRule, NoticeWording, Workflow


class FilingState(StrEnum):
    RECEIVED = "received"  # 已受理: being handled against its time limit
    COMPLETED = "completed"  # 已办结
    RETURNED = "returned"  # 已退回


class FilingAction(StrEnum):
    ADD = "add"  # 受理
    COMPLETE = "complete"  # 办结
    RETURN = "return"  # 退回


FILING_OPEN_STATES: frozenset[FilingState] = frozenset({FilingState.RECEIVED})
DEFAULT_LIMIT_DAYS = 5  # working days from receipt, unless the setting filings.limit_days says otherwise

register({
    FilingState.RECEIVED: ("已受理", "received"),
    FilingState.COMPLETED: ("已办结", "completed"),
    FilingState.RETURNED: ("已退回", "returned"),
    FilingAction.ADD: ("受理", "receive"),
    FilingAction.COMPLETE: ("办结", "complete"),
    FilingAction.RETURN: ("退回", "return"),
})

S = FilingState
R = Role
# The secretariat anywhere; a unit's own staff at their unit's window.
_WINDOW = {R.SECRETARIAT: Scope.ANY, R.HANDLER: Scope.LEAD_UNIT, R.UNIT_HEAD: Scope.LEAD_UNIT}
FilingRule = Rule[FilingAction, FilingState]

FILING_TRANSITIONS: dict[FilingAction, FilingRule] = {
    rule.action: rule
    for rule in (
        Rule(FilingAction.ADD, frozenset(), S.RECEIVED, dict(_WINDOW)),
        Rule(FilingAction.COMPLETE, frozenset({S.RECEIVED}), S.COMPLETED, dict(_WINDOW)),
        # The enterprise is told why: a return without a reason is refused.
        Rule(FilingAction.RETURN, frozenset({S.RECEIVED}), S.RETURNED, dict(_WINDOW), needs_reason=True),
    )
}

FILING_ACTIONS: tuple[FilingAction, ...] = tuple(a for a in FILING_TRANSITIONS if a is not FilingAction.ADD)

A = Audience
FILING_NOTICES: dict[str, NoticeRule] = {
    FilingAction.ADD.value: NoticeRule(NoticeKind.ASSIGNMENT, (A.LEAD_UNIT,), NoticeWording(
        "备案受理通知", "已受理，请在办理时限内办结或退回。", "项备案受理")),
    FilingAction.RETURN.value: NoticeRule(NoticeKind.REWORK, (A.SECRETARIAT,), NoticeWording(
        "备案退回", "已退回企业，请知悉退回理由。", "项备案退回")),
}

FILING_WORKFLOW = Workflow(
    kind="filing",
    label_zh="备案",
    label_en="filing",
    transitions=FILING_TRANSITIONS,
    notices=FILING_NOTICES,
    open_states=frozenset(s.value for s in FILING_OPEN_STATES),
    deadline_days={},  # one limit for every filing, from the setting filings.limit_days
    states=FilingState,
    actions=FilingAction,
    id_prefix="B",
    page="items/filings",
)
