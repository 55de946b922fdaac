"""The problem's life as a workflow definition: the transition table and, beside it, who is told."""

from __future__ import annotations

from coordination.domain.deadlines import DEFAULT_DIFFICULTY_DAYS
from coordination.domain.enums import OPEN_STATES, Action, State
from coordination.domain.notices import NoticeKind
from coordination.domain.sweep import SweepAction
from coordination.domain.transitions import TRANSITIONS
from coordination.domain.workflow import Audience, NoticeRule, Workflow

A = Audience

# For each action, which notice goes to whom. The single action, the ledger import and a meeting's
# close all read this; bulk writers batch the messages per receiving group.
PROBLEM_NOTICES: dict[str, NoticeRule] = {
    Action.ASSIGN.value: NoticeRule(NoticeKind.ASSIGNMENT, (A.LEAD_UNIT, A.CO_UNITS)),  # 交办
    Action.ESCALATE.value: NoticeRule(NoticeKind.ESCALATION, (A.DISTRICT,)),  # 提级
    SweepAction.REMIND.value: NoticeRule(NoticeKind.REMINDER, (A.LEAD_UNIT_HEADS,)),  # 督办
    Action.DECIDE.value: NoticeRule(NoticeKind.DECISION, (A.LEAD_UNIT, A.CO_UNITS)),  # 会议议定
    Action.REQUEST_EXTENSION.value: NoticeRule(NoticeKind.EXTENSION_REQUEST, (A.SECRETARIAT,)),  # 延期申请
    Action.APPROVE_EXTENSION.value: NoticeRule(NoticeKind.EXTENSION_APPROVED, (A.LEAD_UNIT,)),  # 延期批复
    Action.RESOLVE.value: NoticeRule(NoticeKind.RESOLUTION, (A.SECRETARIAT, A.RAISER)),  # 申请办结
    Action.REJECT.value: NoticeRule(NoticeKind.REWORK, (A.LEAD_UNIT,)),  # 退回重办
    Action.VERIFY.value: NoticeRule(NoticeKind.CLOSURE, (A.RAISER,)),  # 销号
}

PROBLEM_WORKFLOW = Workflow(
    kind="problem",
    label_zh="问题",
    label_en="problem",
    transitions=TRANSITIONS,
    notices=PROBLEM_NOTICES,
    open_states=frozenset(s.value for s in OPEN_STATES),
    deadline_days={d.value: days for d, days in DEFAULT_DIFFICULTY_DAYS.items()},
    states=State,
    actions=Action,
    id_prefix="Q",
    page="problems",
)
