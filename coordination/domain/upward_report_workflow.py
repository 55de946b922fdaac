"""Upward reports (对上汇报) as a workflow definition: states, actions, who may do what, who is told.

A unit reports to an office above the district (市发改委投资处, 省发改委…) and records it (登记) —
numbered HB-2026-0001 by the year of the day it reported — so the year can show how often it reported
each week (the annual report's "每周至少汇报××次"). A record made by mistake is revoked (撤销, with a
reason); it then no longer counts, but it stays, with its number and its history.

Everything here is data the kernel reads; the rules that apply it are in `domain/upward_report.py`.
"""

from __future__ import annotations

from enum import StrEnum

from coordination.domain.enums import Role
from coordination.domain.labels import register
from coordination.domain.notices import NoticeKind
from coordination.domain.transitions import Rule, Scope
from coordination.domain.workflow import Audience, NoticeRule, NoticeWording, Workflow


class UpwardReportState(StrEnum):
    RECORDED = "recorded"  # 已登记: counts in its week
    REVOKED = "revoked"  # 已撤销: kept, counted nowhere


class UpwardReportAction(StrEnum):
    ADD = "add"  # 登记
    REVOKE = "revoke"  # 撤销


# A recorded report stands and may still be revoked; a revoked one is final.
UPWARD_REPORT_OPEN_STATES: frozenset[UpwardReportState] = frozenset({UpwardReportState.RECORDED})

register({
    UpwardReportState.RECORDED: ("已登记", "recorded"),
    UpwardReportState.REVOKED: ("已撤销", "revoked"),
    UpwardReportAction.ADD: ("登记", "record"),
    UpwardReportAction.REVOKE: ("撤销", "revoke"),
})

S = UpwardReportState
R = Role
UpwardReportRule = Rule[UpwardReportAction, UpwardReportState]

UPWARD_REPORT_TRANSITIONS: dict[UpwardReportAction, UpwardReportRule] = {
    rule.action: rule
    for rule in (
        # The secretariat for any unit; a unit's own staff for their own unit's reports.
        Rule(UpwardReportAction.ADD, frozenset(), S.RECORDED,
             {R.SECRETARIAT: Scope.ANY, R.HANDLER: Scope.LEAD_UNIT, R.UNIT_HEAD: Scope.LEAD_UNIT}),
        # Striking a record off the count is the secretariat's or the unit head's call, never a handler's.
        Rule(UpwardReportAction.REVOKE, frozenset({S.RECORDED}), S.REVOKED,
             {R.SECRETARIAT: Scope.ANY, R.UNIT_HEAD: Scope.LEAD_UNIT}, needs_reason=True),
    )
}

UPWARD_REPORT_ACTIONS: tuple[UpwardReportAction, ...] = tuple(
    a for a in UPWARD_REPORT_TRANSITIONS if a is not UpwardReportAction.ADD)

# Recording tells nobody (it is the unit's own record); a revocation tells the secretariat, who counts them.
UPWARD_REPORT_NOTICES: dict[str, NoticeRule] = {
    UpwardReportAction.REVOKE.value: NoticeRule(NoticeKind.CLOSURE, (Audience.SECRETARIAT,), NoticeWording(
        "对上汇报撤销", "已撤销登记，不再计入每周汇报次数，请知悉撤销理由。", "项对上汇报撤销")),
}

UPWARD_REPORT_WORKFLOW = Workflow(
    kind="upward_report",
    label_zh="对上汇报",
    label_en="upward report",
    transitions=UPWARD_REPORT_TRANSITIONS,
    notices=UPWARD_REPORT_NOTICES,
    open_states=frozenset(s.value for s in UPWARD_REPORT_OPEN_STATES),
    deadline_days={},  # a record of something done: no time limit, no light
    states=UpwardReportState,
    actions=UpwardReportAction,
    id_prefix="HB",
    page="items/upward-reports",
)
