"""The demo's plan tasks (重点任务): last year's 十四五 mid-term decomposition and a policy document of
measures, this year's annual work plan and another policy, each task signed for, reported on every month or
so (the sweep's 督办 catches the silent ones), asked to be completed, checked by the secretariat, and
now and then returned or adjusted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial

from coordination.domain.task import TaskInput
from coordination.domain.task_workflow import PlanKind, TaskAction, TaskState
from coordination.services import plans, tasks
from coordination.services.demo_clock import Clock
from coordination.services.demo_district import SECOND_SECRETARY, SECRETARIAT_HANDLE, staff
from coordination.uow import UnitOfWork

# (code suffix, name, kind, year offset, month added, tasks as (title, lead unit, co-units, month due))
_Tasks = tuple[tuple[str, str, tuple[str, ...], int], ...]
PLANS: tuple[tuple[str, str, PlanKind, int, int, _Tasks], ...] = (
    ("SSW-ZQPG", "“十四五”规划中期评估重点任务分解", PlanKind.PLAN, -1, 2, (
        ("推进东区电池材料产业园扩区调规", "ZRZY", ("DQY",), 10), ("实施新华镇污水管网全覆盖工程", "SWJ", ("XHZ",), 9),
        ("建成东区220kV输变电工程", "GDGS", ("DQY",), 11), ("完成城镇老旧小区改造年度任务", "ZJJ", ("XHZ", "HBJD"), 11),
        ("推进长江岸线生态修复", "STHJ", ("LYJ", "QSZ"), 12), ("落实制造业企业增值税留抵退税", "CZJ", (), 8),
        ("建设青山镇农产品冷链物流中心", "QSZ", ("ZJJ",), 12), ("建成产业园标准厂房三期", "DQY", ("ZRZY", "ZJJ"), 12),
        ("开展规上工业企业培育入统专项行动", "TJJ", ("DQY", "GXQ"), 11), ("完成全区森林资源年度监测", "LYJ", (), 10),
        ("编制国土空间生态修复规划", "ZRZY", ("LYJ",), 9), ("推进农村生活污水治理提质增效", "SWJ", ("XHZ", "QSZ"), 12),
        ("实施沿江快速路东延工程征迁", "HBJD", ("ZRZY", "JTJ"), 12), ("建设高新区科创孵化中心", "GXQ", ("ZJJ",), 12),
    )),
    ("ZC-FWY", "关于促进服务业领域困难行业恢复发展的若干政策措施", PlanKind.POLICY, -1, 3, (
        ("落实服务业小微企业房租减免", "CZJ", ("HBJD",), 9), ("加大普惠金融支持力度", "CZJ", (), 10),
        ("开展稳岗返还和技能培训补贴", "RSJ", (), 9), ("支持文旅企业纾困发展", "HBJD", ("CZJ",), 11),
        ("降低服务业企业用电成本", "GDGS", (), 8), ("优化服务业企业统计入库", "TJJ", (), 10),
        ("支持物流企业降本增效", "LGWL", ("JTJ",), 11), ("加快服务业项目审批", "ZJJ", ("ZRZY",), 9),
    )),
    ("ND-ZDGZ", "年度重点工作任务分解", PlanKind.PLAN, 0, 2, (
        ("建成东区人民医院新院区主体工程", "ZJJ", ("HBJD",), 11),
        ("推进高新区集成电路封测基地开工", "GXQ", ("ZRZY",), 9), ("完成东区第二水厂扩建", "SWJ", ("XHZ",), 10),
        ("推进临港多式联运物流枢纽前期工作", "LGWL", ("JTJ", "ZRZY"), 12),
        ("实施湖滨片区城市更新", "HBJD", ("ZJJ",), 12), ("开展全域土地综合整治", "ZRZY", ("QSZ", "XHZ"), 12),
        ("推进新能源汽车零部件产业园建设", "DQY", ("RSJ",), 11), ("完成年度造林绿化任务", "LYJ", ("QSZ",), 6),
        ("开展重点流域水环境综合治理", "STHJ", ("SWJ",), 10), ("建成东区数据中心一期", "GXQ", ("GDGS",), 12),
    )),
    ("ZC-ZZY", "关于促进制造业高质量发展的若干政策措施", PlanKind.POLICY, 0, 3, (
        ("设立制造业高质量发展专项资金", "CZJ", (), 9), ("保障制造业项目用地供给", "ZRZY", (), 10),
        ("开辟重大制造业项目环评审批绿色通道", "STHJ", (), 8), ("降低工业企业用电成本", "GDGS", (), 11),
        ("推行工业项目“拿地即开工”", "ZJJ", ("ZRZY",), 9), ("实施规上工业企业“小升规”奖励", "TJJ", ("CZJ",), 12),
    )),
)
_PROGRESS = ("已完成年度目标的三成", "主体工作已过半", "已完成方案编制并报审", "已召开推进会，明确时间节点",
             "已完成阶段性任务", "正在组织实施，进度符合预期")


@dataclass
class TaskLife:
    id: str
    lead: str
    due: date
    state: TaskState = TaskState.DECOMPOSED
    returned: bool = False


class TaskDesk:
    def __init__(self, clock: Clock, year: int) -> None:
        self.clock, self.rng, self.year = clock, clock.rng, year
        self.lives: list[TaskLife] = []

    def on_day(self, day: date) -> None:
        clock = self.clock
        for suffix, name, kind, offset, month, items in PLANS:
            if day == clock.workday_on_or_after(date(self.year + offset, month, 10)):
                clock.push(clock.at(day, 10, 0), partial(self._add, suffix, name, kind, offset, items))

    def _add(self, code: str, name: str, kind: PlanKind, offset: int, items: _Tasks) -> None:
        clock, year = self.clock, self.year + offset
        secretariat = clock.caller(SECRETARIAT_HANDLE, clock.running)
        plans.add_plan(UnitOfWork(clock.engine), caller=secretariat, code=f"{code}-{year}", name=name, kind=kind)
        today = clock.day_of(clock.running)
        for title, lead, co_units, month in items:
            due = clock.workday_on_or_after(date(year, month, 25))
            view = tasks.add_task(UnitOfWork(clock.engine), caller=secretariat, plan=f"{code}-{year}", title=title,
                                  lead_unit=lead, due=due, co_units=co_units)
            life = TaskLife(view.id, lead, due)
            self.lives.append(life)
            self._then(clock.later(today, self.rng.randint(1, 5)), life, self._acknowledge)

    def _then(self, moment: datetime, life: TaskLife, step: Callable[[TaskLife], None]) -> None:
        self.clock.push(moment, lambda: step(life))

    def _act(self, life: TaskLife, actor: str, action: TaskAction, inputs: TaskInput | None = None) -> None:
        view = tasks.act_on_task(UnitOfWork(self.clock.engine), caller=self.clock.caller(actor, self.clock.running),
                                 task_id=life.id, action=action, inputs=inputs)
        life.state = TaskState(view.record["state"])
        life.due = date.fromisoformat(view.record["due_date"])

    def _acknowledge(self, life: TaskLife) -> None:
        self._act(life, staff(life.lead)[0], TaskAction.ACKNOWLEDGE)
        self._next_report(life)

    def _next_report(self, life: TaskLife) -> None:
        """Another report in three to seven weeks; once the due date is near, the completion is asked for."""
        clock, rng = self.clock, self.rng
        today = clock.day_of(clock.running)
        gap = rng.randint(15, 35)
        left = clock.calendar.working_days_between(today, life.due)
        if left <= gap:
            finish = max(1, left - rng.randint(0, 5)) if rng.random() < 0.85 else left + rng.randint(2, 10)
            self._then(clock.later(today, finish), life, self._resolve)
        else:
            self._then(clock.later(today, gap), life, self._report)

    def _report(self, life: TaskLife) -> None:
        if self.rng.random() < 0.08 and life.state is TaskState.IN_PROGRESS:
            due = self.clock.calendar.add_working_days(life.due, self.rng.randint(20, 40)).day
            self._act(life, SECRETARIAT_HANDLE, TaskAction.ADJUST,
                      TaskInput(reason="受要素保障影响，经专班同意调整完成时限", due=due))
        self._act(life, staff(life.lead)[0], TaskAction.PROGRESS, TaskInput(reason=self.rng.choice(_PROGRESS)))
        self._next_report(life)

    def _resolve(self, life: TaskLife) -> None:
        self._act(life, staff(life.lead)[0], TaskAction.RESOLVE, TaskInput(reason="已完成任务目标，申请确认完成"))
        self._then(self.clock.later(self.clock.day_of(self.clock.running), self.rng.randint(1, 4)), life,
                   self._verify)

    def _verify(self, life: TaskLife) -> None:
        checker = SECRETARIAT_HANDLE if self.rng.random() < 0.7 else SECOND_SECRETARY
        if not life.returned and self.rng.random() < 0.15:
            life.returned = True
            self._act(life, checker, TaskAction.REJECT, TaskInput(reason="佐证材料不全，请补充后再申请"))
            self._then(self.clock.later(self.clock.day_of(self.clock.running), self.rng.randint(5, 12)), life,
                       self._resolve)
            return
        self._act(life, checker, TaskAction.VERIFY)
