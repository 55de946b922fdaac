"""Special plans (专项规划) as a workflow definition: stages, actions, who may record them, who is told.

A special plan (a district's 专项规划, such as the 综合交通 or 教育设施布局 plan) is drafted by one lead
unit — some by the development bureau itself. Its life is a line of stages: 编制中 → 专家评审通过 →
常务会审议通过 → 印发实施. The secretariat records each stage as it happens, with the day and the
document that carries it (the review's opinion, the meeting's number, the issuing notice): the stage's
document is the action's required reason. There is no deadline and no light: a plan's stages are dated
by the meetings that pass them, not by a time limit.

Everything here is data the kernel reads; the rules that apply it are in `domain/special_plan.py`.
"""

from __future__ import annotations

from enum import StrEnum

from coordination.domain.enums import Role
from coordination.domain.labels import register
from coordination.domain.notices import NoticeKind
from coordination.domain.transitions import Rule, Scope
from coordination.domain.workflow import Audience, NoticeRule, NoticeWording, Workflow


class SpecialPlanState(StrEnum):
    DRAFTING = "drafting"  # 编制中
    EXPERT_REVIEWED = "expert_reviewed"  # 专家评审通过
    DELIBERATED = "deliberated"  # 常务会审议通过
    ISSUED = "issued"  # 印发实施


class SpecialPlanAction(StrEnum):
    """One action per stage: a stage's target is fixed, so `advance` picks the action of the next one."""

    ADD = "add"  # 立项编制
    REVIEW = "review"  # 专家评审通过
    DELIBERATE = "deliberate"  # 常务会审议通过
    ISSUE = "issue"  # 印发实施


SPECIAL_PLAN_OPEN_STATES: frozenset[SpecialPlanState] = frozenset(
    {SpecialPlanState.DRAFTING, SpecialPlanState.EXPERT_REVIEWED, SpecialPlanState.DELIBERATED})

register({
    SpecialPlanState.DRAFTING: ("编制中", "drafting"),
    SpecialPlanState.EXPERT_REVIEWED: ("专家评审通过", "passed expert review"),
    SpecialPlanState.DELIBERATED: ("常务会审议通过", "passed the executive meeting"),
    SpecialPlanState.ISSUED: ("印发实施", "issued"),
    SpecialPlanAction.ADD: ("立项编制", "add"),
    SpecialPlanAction.REVIEW: ("专家评审通过", "record expert review"),
    SpecialPlanAction.DELIBERATE: ("常务会审议通过", "record executive meeting"),
    SpecialPlanAction.ISSUE: ("印发实施", "record issue"),
})

S = SpecialPlanState
A_ = SpecialPlanAction
_SECRETARIAT = {Role.SECRETARIAT: Scope.ANY}
SpecialPlanRule = Rule[SpecialPlanAction, SpecialPlanState]

SPECIAL_PLAN_TRANSITIONS: dict[SpecialPlanAction, SpecialPlanRule] = {
    rule.action: rule
    for rule in (
        Rule(A_.ADD, frozenset(), S.DRAFTING, dict(_SECRETARIAT)),
        # Each stage is recorded with its document (the reason), so the record says what passed it.
        Rule(A_.REVIEW, frozenset({S.DRAFTING}), S.EXPERT_REVIEWED, dict(_SECRETARIAT), needs_reason=True),
        Rule(A_.DELIBERATE, frozenset({S.EXPERT_REVIEWED}), S.DELIBERATED, dict(_SECRETARIAT), needs_reason=True),
        Rule(A_.ISSUE, frozenset({S.DELIBERATED}), S.ISSUED, dict(_SECRETARIAT), needs_reason=True),
    )
}

# Actions a person takes on an existing special plan (everything but adding it), in the order of its stages.
SPECIAL_PLAN_ACTIONS: tuple[SpecialPlanAction, ...] = tuple(
    a for a in SPECIAL_PLAN_TRANSITIONS if a is not SpecialPlanAction.ADD)

# The stage action that leaves each state (what `coord special-plan advance` takes).
NEXT_STAGE: dict[SpecialPlanState, SpecialPlanAction] = {
    next(iter(rule.sources)): action for action, rule in SPECIAL_PLAN_TRANSITIONS.items() if rule.sources}

A = Audience
SPECIAL_PLAN_NOTICES: dict[str, NoticeRule] = {
    A_.ADD.value: NoticeRule(NoticeKind.ASSIGNMENT, (A.LEAD_UNIT,), NoticeWording(
        "专项规划编制通知", "已列入专项规划编制计划，请牵头单位组织编制。", "项专项规划列入编制")),
    A_.REVIEW.value: NoticeRule(NoticeKind.STAGE, (A.LEAD_UNIT,), NoticeWording(
        "专项规划进度", "已通过专家评审，请按评审意见修改完善后提请区政府常务会议审议。", "项专项规划通过专家评审")),
    A_.DELIBERATE.value: NoticeRule(NoticeKind.STAGE, (A.LEAD_UNIT,), NoticeWording(
        "专项规划进度", "已经区政府常务会议审议通过，请按会议意见修改后印发。", "项专项规划审议通过")),
    A_.ISSUE.value: NoticeRule(NoticeKind.STAGE, (A.LEAD_UNIT, A.DISTRICT), NoticeWording(
        "专项规划印发", "已印发实施。", "项专项规划印发实施")),
}

SPECIAL_PLAN_WORKFLOW = Workflow(
    kind="special_plan",
    label_zh="专项规划",
    label_en="special plan",
    transitions=SPECIAL_PLAN_TRANSITIONS,
    notices=SPECIAL_PLAN_NOTICES,
    open_states=frozenset(s.value for s in SPECIAL_PLAN_OPEN_STATES),
    deadline_days={},  # no time limit: each stage is dated by the meeting that passes it
    states=SpecialPlanState,
    actions=SpecialPlanAction,
    id_prefix="ZX",  # codes are kept as ZX-…, so a message's number says its kind
    page="items/special-plans",
)
