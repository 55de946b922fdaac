"""Plan tasks (重点任务) as a workflow definition: states, actions, who may do what, and who is told.

A plan (a 规划 such as the 十四五 mid-term decomposition) or a policy document (政策文件, whose measures
are tasks) is split into tasks, each led by one unit (helped by co-units) against a date the
secretariat names. Life: 已分解 → 推进中 (the lead unit signs for it) → 申请完成 → 已完成 (verified by
the secretariat, never by the unit that asked), with 调整 (new wording, co-units or date, by the
secretariat, with a reason) and 退回 (the completion is not accepted, with a reason). A task in hand
without a progress report for a month gets a 督办 from the daily sweep; its light follows the one
light rule of `domain/lights.py` on its due date.

Everything here is data the kernel reads; the rules that apply it are in `domain/task.py`.
"""

from __future__ import annotations

from enum import StrEnum

from coordination.domain.enums import Role
from coordination.domain.labels import register
from coordination.domain.notices import NoticeKind
from coordination.domain.sweep import SweepAction
from coordination.domain.transitions import Guard, Rule, Scope
from coordination.domain.workflow import Audience, NoticeRule, NoticeWording, Workflow


class PlanKind(StrEnum):
    """What a plan is: the annual report counts a policy document's measures apart from a plan's tasks."""

    PLAN = "plan"  # 规划: a plan decomposed into tasks
    POLICY = "policy"  # 政策文件: a policy document whose measures are tasks


class TaskState(StrEnum):
    DECOMPOSED = "decomposed"  # 已分解: added, waiting for the lead unit to sign
    IN_PROGRESS = "in_progress"  # 推进中
    COMPLETION_SUBMITTED = "completion_submitted"  # 申请完成: waiting for the secretariat
    COMPLETED = "completed"  # 已完成


class TaskAction(StrEnum):
    """The same English verbs as a problem's where the act is the same (签收, 进展, 申请, 核实, 退回)."""

    ADD = "add"  # 分解下达
    ACKNOWLEDGE = "acknowledge"  # 签收
    PROGRESS = "progress"  # 报送进展
    RESOLVE = "resolve"  # 申请完成
    VERIFY = "verify"  # 确认完成
    REJECT = "reject"  # 退回
    ADJUST = "adjust"  # 调整


TASK_OPEN_STATES: frozenset[TaskState] = frozenset(
    {TaskState.DECOMPOSED, TaskState.IN_PROGRESS, TaskState.COMPLETION_SUBMITTED})

register({
    PlanKind.PLAN: ("规划", "plan"),
    PlanKind.POLICY: ("政策文件", "policy document"),
    TaskState.DECOMPOSED: ("已分解", "decomposed"),
    TaskState.IN_PROGRESS: ("推进中", "in progress"),
    TaskState.COMPLETION_SUBMITTED: ("申请完成", "completion submitted"),
    TaskState.COMPLETED: ("已完成", "completed"),
    TaskAction.ADD: ("分解下达", "add"),
    TaskAction.ACKNOWLEDGE: ("签收", "acknowledge"),
    TaskAction.PROGRESS: ("报送进展", "report progress"),
    TaskAction.RESOLVE: ("申请完成", "submit for completion"),
    TaskAction.VERIFY: ("确认完成", "verify completion"),
    TaskAction.REJECT: ("退回", "return"),
    TaskAction.ADJUST: ("调整", "adjust"),
})

S = TaskState
R = Role
_LEAD_STAFF = {R.HANDLER: Scope.LEAD_UNIT, R.UNIT_HEAD: Scope.LEAD_UNIT}
TaskRule = Rule[TaskAction, TaskState]

TASK_TRANSITIONS: dict[TaskAction, TaskRule] = {
    rule.action: rule
    for rule in (
        Rule(TaskAction.ADD, frozenset(), S.DECOMPOSED, {R.SECRETARIAT: Scope.ANY}),
        Rule(TaskAction.ACKNOWLEDGE, frozenset({S.DECOMPOSED}), S.IN_PROGRESS, dict(_LEAD_STAFF)),
        Rule(
            # A co-unit's report counts too: the task moved, whoever moved it.
            TaskAction.PROGRESS, frozenset({S.IN_PROGRESS}), None,
            {R.HANDLER: Scope.LEAD_OR_CO_UNIT, R.UNIT_HEAD: Scope.LEAD_OR_CO_UNIT, R.SECRETARIAT: Scope.ANY},
            needs_reason=True,
        ),
        Rule(TaskAction.RESOLVE, frozenset({S.IN_PROGRESS}), S.COMPLETION_SUBMITTED, dict(_LEAD_STAFF),
             needs_reason=True),
        Rule(TaskAction.VERIFY, frozenset({S.COMPLETION_SUBMITTED}), S.COMPLETED, {R.SECRETARIAT: Scope.ANY},
             guards=(Guard.NOT_RESOLVING_UNIT,)),
        Rule(TaskAction.REJECT, frozenset({S.COMPLETION_SUBMITTED}), S.IN_PROGRESS, {R.SECRETARIAT: Scope.ANY},
             guards=(Guard.NOT_RESOLVING_UNIT,), needs_reason=True),
        Rule(
            # Re-scoped or re-dated before completion is asked for; the lead unit stays (a new unit would
            # be a new task, signed anew).
            TaskAction.ADJUST, frozenset({S.DECOMPOSED, S.IN_PROGRESS}), None, {R.SECRETARIAT: Scope.ANY},
            needs_reason=True,
        ),
    )
}

# Actions a person takes on an existing task from the command line (everything but adding it).
TASK_ACTIONS: tuple[TaskAction, ...] = tuple(a for a in TASK_TRANSITIONS if a is not TaskAction.ADD)

A = Audience
TASK_NOTICES: dict[str, NoticeRule] = {
    TaskAction.ADD.value: NoticeRule(NoticeKind.ASSIGNMENT, (A.LEAD_UNIT, A.CO_UNITS), NoticeWording(
        "任务下达通知", "已分解下达，请牵头单位签收并按月报送进展，配合单位协同推进。", "项任务下达")),
    SweepAction.REMIND.value: NoticeRule(NoticeKind.REMINDER, (A.LEAD_UNIT_HEADS,), NoticeWording(
        "督办通知", "已超过一个月未报送进展，请即推进并在系统中报送进展。", "项任务未按月报送进展")),
    TaskAction.RESOLVE.value: NoticeRule(NoticeKind.RESOLUTION, (A.SECRETARIAT,), NoticeWording(
        "申请完成", "牵头单位已申请完成，请核实后确认完成或退回。", "项任务申请完成")),
    TaskAction.REJECT.value: NoticeRule(NoticeKind.REWORK, (A.LEAD_UNIT,), NoticeWording(
        "任务退回", "完成申请未通过核实，已退回，请继续推进。", "项任务退回")),
    TaskAction.VERIFY.value: NoticeRule(NoticeKind.CLOSURE, (A.LEAD_UNIT,), NoticeWording(
        "任务完成确认", "已核实确认完成。", "项任务确认完成")),
    TaskAction.ADJUST.value: NoticeRule(NoticeKind.ADJUSTMENT, (A.LEAD_UNIT, A.CO_UNITS), NoticeWording(
        "任务调整通知", "已由专班办公室调整，请按调整后的内容和期限推进。", "项任务调整")),
}

TASK_WORKFLOW = Workflow(
    kind="task",
    label_zh="任务",
    label_en="task",
    transitions=TASK_TRANSITIONS,
    notices=TASK_NOTICES,
    open_states=frozenset(s.value for s in TASK_OPEN_STATES),
    deadline_days={},  # no grades: the secretariat names each task's date
    states=TaskState,
    actions=TaskAction,
    id_prefix="T",
    page="items/tasks",  # coord web: web/items_tasks.py
)

PLAN_STREAM = "plan"  # a plan's own events (added); its tasks each have their stream
