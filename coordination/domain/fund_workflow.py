"""Fund applications (资金争取) as a workflow definition: stages, actions, who may do what, who is told.

A unit seeks money from above — central budget investment (中央预算内投资), provincial or municipal
special funds (专项资金), special bonds (专项债券) — for a project of its own. The application is put in
the reserve (谋划储备, coded ZJ-…), prepared (前期推进), submitted for review (审核申报), and then either
granted (计划下达, with the amount and the document that grants it) and at last evaluated (绩效评估),
or refused (未获批准). The applying unit may give up at any stage before the grant (撤回). The applying
unit's staff move their own application along; whether it was granted or refused, and how its
evaluation came out, is recorded by the secretariat. There is no time limit and no light.

Everything here is data the kernel reads; the rules that apply it are in `domain/fund.py`.
"""

from __future__ import annotations

from enum import StrEnum

from coordination.domain.enums import Role
from coordination.domain.labels import register
from coordination.domain.notices import NoticeKind
from coordination.domain.transitions import Rule, Scope
from coordination.domain.workflow import Audience, NoticeRule, NoticeWording, Workflow


class FundState(StrEnum):
    RESERVE = "reserve"  # 谋划储备
    PREPARING = "preparing"  # 前期推进
    APPLYING = "applying"  # 审核申报
    GRANTED = "granted"  # 计划下达: open until its performance is evaluated
    EVALUATED = "evaluated"  # 绩效评估
    REFUSED = "refused"  # 未获批准
    WITHDRAWN = "withdrawn"  # 已撤回


class FundAction(StrEnum):
    ADD = "add"  # 入库
    PREPARE = "prepare"  # 前期推进
    APPLY = "apply"  # 审核申报
    GRANT = "grant"  # 计划下达
    EVALUATE = "evaluate"  # 绩效评估
    REFUSE = "refuse"  # 未获批准
    WITHDRAW = "withdraw"  # 撤回


class FundSource(StrEnum):
    CENTRAL = "central"  # 中央
    PROVINCIAL = "provincial"  # 省级
    MUNICIPAL = "municipal"  # 市级


class FundType(StrEnum):
    BUDGET = "budget"  # 预算内投资
    SPECIAL = "special"  # 专项资金
    BOND = "bond"  # 专项债券


FUND_OPEN_STATES: frozenset[FundState] = frozenset(
    {FundState.RESERVE, FundState.PREPARING, FundState.APPLYING, FundState.GRANTED})

register({
    FundState.RESERVE: ("谋划储备", "in the reserve"),
    FundState.PREPARING: ("前期推进", "preparing"),
    FundState.APPLYING: ("审核申报", "applied"),
    FundState.GRANTED: ("计划下达", "granted"),
    FundState.EVALUATED: ("绩效评估", "evaluated"),
    FundState.REFUSED: ("未获批准", "refused"),
    FundState.WITHDRAWN: ("已撤回", "withdrawn"),
    FundAction.ADD: ("入库", "add to the reserve"),
    FundAction.PREPARE: ("前期推进", "prepare"),
    FundAction.APPLY: ("审核申报", "apply"),
    FundAction.GRANT: ("计划下达", "grant"),
    FundAction.EVALUATE: ("绩效评估", "evaluate"),
    FundAction.REFUSE: ("未获批准", "refuse"),
    FundAction.WITHDRAW: ("撤回", "withdraw"),
    FundSource.CENTRAL: ("中央", "central"),
    FundSource.PROVINCIAL: ("省级", "provincial"),
    FundSource.MUNICIPAL: ("市级", "municipal"),
    FundType.BUDGET: ("预算内投资", "budget investment"),
    FundType.SPECIAL: ("专项资金", "special fund"),
    FundType.BOND: ("专项债券", "special bond"),
})

S = FundState
A_ = FundAction
R = Role
# The secretariat for any unit; the applying unit's own staff for their own application.
_APPLICANT = {R.SECRETARIAT: Scope.ANY, R.HANDLER: Scope.LEAD_UNIT, R.UNIT_HEAD: Scope.LEAD_UNIT}
_SECRETARIAT = {R.SECRETARIAT: Scope.ANY}
FundRule = Rule[FundAction, FundState]

FUND_TRANSITIONS: dict[FundAction, FundRule] = {
    rule.action: rule
    for rule in (
        Rule(A_.ADD, frozenset(), S.RESERVE, dict(_APPLICANT)),
        Rule(A_.PREPARE, frozenset({S.RESERVE}), S.PREPARING, dict(_APPLICANT)),
        Rule(A_.APPLY, frozenset({S.PREPARING}), S.APPLYING, dict(_APPLICANT)),
        # What came back from above is the secretariat's record, never the applicant's own.
        Rule(A_.GRANT, frozenset({S.APPLYING}), S.GRANTED, dict(_SECRETARIAT)),
        Rule(A_.EVALUATE, frozenset({S.GRANTED}), S.EVALUATED, dict(_SECRETARIAT)),
        Rule(A_.REFUSE, frozenset({S.APPLYING}), S.REFUSED, dict(_SECRETARIAT), needs_reason=True),
        # Money granted is accounted for by its evaluation: only an application not yet granted is withdrawn.
        Rule(A_.WITHDRAW, frozenset({S.RESERVE, S.PREPARING, S.APPLYING}), S.WITHDRAWN, dict(_APPLICANT),
             needs_reason=True),
    )
}

# Actions a person takes on an existing application (everything but adding it), in the order of its stages.
FUND_ACTIONS: tuple[FundAction, ...] = tuple(a for a in FUND_TRANSITIONS if a is not FundAction.ADD)

A = Audience
FUND_NOTICES: dict[str, NoticeRule] = {
    A_.ADD.value: NoticeRule(NoticeKind.ASSIGNMENT, (A.LEAD_UNIT,), NoticeWording(
        "资金争取入库通知", "已列入资金争取储备库，请申报单位抓紧推进前期工作，按时审核申报。", "项资金争取入库")),
    A_.GRANT.value: NoticeRule(NoticeKind.STAGE, (A.LEAD_UNIT, A.DISTRICT), NoticeWording(
        "资金计划下达", "资金计划已下达，请申报单位加快资金支出和项目实施，做好绩效评估准备。", "项资金计划下达")),
    A_.REFUSE.value: NoticeRule(NoticeKind.STAGE, (A.LEAD_UNIT,), NoticeWording(
        "资金申报未获批准", "未获上级批准，请申报单位知悉理由，研究完善后再行申报。", "项资金申报未获批准")),
}

FUND_WORKFLOW = Workflow(
    kind="fund",
    label_zh="资金争取项目",
    label_en="fund application",
    transitions=FUND_TRANSITIONS,
    notices=FUND_NOTICES,
    open_states=frozenset(s.value for s in FUND_OPEN_STATES),
    deadline_days={},  # no time limit: each stage is dated when it happens
    states=FundState,
    actions=FundAction,
    id_prefix="ZJ",  # codes are kept as ZJ-…, so a message's number says its kind
    page="items/funds",
)
