"""Indicators (指标监测) as a workflow definition: states, actions, who may do what, who is told.

The district watches a few monthly figures against their targets — the cumulative growth of fixed-asset
investment, of the services sector's revenue — each reported by one unit (`lead_unit`). The secretariat
adds an indicator under a code of its own (FAI, SRV), adjusts its target (调整目标, with the reason) and
stops watching it (停止监测, with the reason); the reporting unit's staff record each month's figure
(填报), which leaves the state as it is. The figure's light (green at or beyond the target, yellow
behind by no more than the tolerance, red further behind) is judged in `domain/indicator.py`.

Everything here is data the kernel reads, and the one rule of when a record tells anyone.
"""

from __future__ import annotations

from enum import StrEnum

from coordination.domain.enums import Light, Role
from coordination.domain.labels import register
from coordination.domain.notices import NoticeKind
from coordination.domain.transitions import Rule, Scope
from coordination.domain.workflow import Audience, NoticeRule, NoticeWording, Workflow


class IndicatorState(StrEnum):
    ACTIVE = "active"  # 监测中
    RETIRED = "retired"  # 停止监测


class IndicatorAction(StrEnum):
    ADD = "add"  # 新增
    RECORD = "record"  # 填报: one month's figure; the state is unchanged
    RETARGET = "retarget"  # 调整目标
    RETIRE = "retire"  # 停止监测


INDICATOR_OPEN_STATES: frozenset[IndicatorState] = frozenset({IndicatorState.ACTIVE})

register({
    IndicatorState.ACTIVE: ("监测中", "monitored"),
    IndicatorState.RETIRED: ("停止监测", "retired"),
    IndicatorAction.ADD: ("新增", "add"),
    IndicatorAction.RECORD: ("填报", "record"),
    IndicatorAction.RETARGET: ("调整目标", "retarget"),
    IndicatorAction.RETIRE: ("停止监测", "retire"),
})

S = IndicatorState
A_ = IndicatorAction
R = Role
_SECRETARIAT = {R.SECRETARIAT: Scope.ANY}
# The secretariat anywhere; the reporting unit's own staff for their own figures.
_REPORTERS = {R.SECRETARIAT: Scope.ANY, R.HANDLER: Scope.LEAD_UNIT, R.UNIT_HEAD: Scope.LEAD_UNIT}
IndicatorRule = Rule[IndicatorAction, IndicatorState]

INDICATOR_TRANSITIONS: dict[IndicatorAction, IndicatorRule] = {
    rule.action: rule
    for rule in (
        Rule(A_.ADD, frozenset(), S.ACTIVE, dict(_SECRETARIAT)),
        Rule(A_.RECORD, frozenset({S.ACTIVE}), None, dict(_REPORTERS)),
        # A target moved after the year began changes every light after it: the record says why.
        Rule(A_.RETARGET, frozenset({S.ACTIVE}), None, dict(_SECRETARIAT), needs_reason=True),
        Rule(A_.RETIRE, frozenset({S.ACTIVE}), S.RETIRED, dict(_SECRETARIAT), needs_reason=True),
    )
}

# Actions taken on an existing indicator (everything but adding it).
INDICATOR_ACTIONS: tuple[IndicatorAction, ...] = tuple(a for a in INDICATOR_TRANSITIONS if a is not A_.ADD)

A = Audience
INDICATOR_NOTICES: dict[str, NoticeRule] = {
    A_.RETARGET.value: NoticeRule(NoticeKind.ADJUSTMENT, (A.LEAD_UNIT,), NoticeWording(
        "指标目标调整", "目标已调整，请按新目标组织填报和分析。", "项指标目标调整")),
    # Told only when the record turns the light red (`record_tells`), never for every monthly figure.
    A_.RECORD.value: NoticeRule(NoticeKind.REMINDER, (A.LEAD_UNIT, A.SECRETARIAT), NoticeWording(
        "指标预警", "最新数据亮红灯（落后目标超过容差），请分析原因并提出措施。", "项指标亮红灯")),
}


def record_tells(before: Light | None, after: Light | None) -> bool:
    """Whether a record is told: only when it turns the light red (a red month after a red month, or a
    correction of an earlier month, which leaves the latest figure alone, tells nobody again)."""
    return after is Light.RED and before is not Light.RED


INDICATOR_WORKFLOW = Workflow(
    kind="indicator",
    label_zh="指标",
    label_en="indicator",
    transitions=INDICATOR_TRANSITIONS,
    notices=INDICATOR_NOTICES,
    open_states=frozenset(s.value for s in INDICATOR_OPEN_STATES),
    deadline_days={},  # no time limit: a figure is judged against its target, not a due date
    states=IndicatorState,
    actions=IndicatorAction,
    id_prefix="ZB",  # codes are the district's own (FAI, SRV), kept as given
    page="items/indicators",  # outbox links find a kind by its number (workflow_of): codes like FAI get none
)
