"""The demo district: real-looking units, people, projects, problems and plan tasks at every stage of life."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Engine, func
from sqlmodel import col, select

from coordination.config import DISTRICT_TZ
from coordination.domain.enums import Action, Difficulty, ProjectKind, ProjectLevel, Role, UnitKind
from coordination.domain.errors import Conflict
from coordination.domain.investment import YearMonth
from coordination.domain.meetings import DecisionInput, MeetingKind, Outcome
from coordination.domain.problem import ActionInput
from coordination.domain.task import TaskInput
from coordination.domain.task_workflow import PlanKind, TaskAction
from coordination.models import Problem, Setting, Unit
from coordination.services import directory, issues, meetings, plans, projects, sweep, tasks
from coordination.services.calendar import work_calendar
from coordination.services.common import Caller, scheduled_caller
from coordination.services.demo_kinds import build_kinds
from coordination.uow import UnitOfWork

SECRETARIAT_HANDLE = "wang.mishu"
DEMO_MARKER = "demo_seed"

UNITS: tuple[tuple[str, str, UnitKind], ...] = (
    ("FGJ", "区发展和改革局", UnitKind.DEPARTMENT),
    ("ZRZY", "区自然资源和规划局", UnitKind.DEPARTMENT),
    ("ZJJ", "区住房和城乡建设局", UnitKind.DEPARTMENT),
    ("STHJ", "市生态环境局东区分局", UnitKind.DEPARTMENT),
    ("GDGS", "国网东区供电公司", UnitKind.DEPARTMENT),
    ("SWJ", "区水务局", UnitKind.DEPARTMENT),
    ("CZJ", "区财政局", UnitKind.DEPARTMENT),
    ("TJJ", "区统计局", UnitKind.DEPARTMENT),
    ("LYJ", "区林业局", UnitKind.DEPARTMENT),
    ("DQY", "东区电池材料产业园", UnitKind.LOCALITY),
    ("XHZ", "新华镇", UnitKind.LOCALITY),
    ("HXXNY", "华芯新能源材料有限公司", UnitKind.ENTERPRISE),
)

PEOPLE: tuple[tuple[str, str, str | None, tuple[Role, ...]], ...] = (
    (SECRETARIAT_HANDLE, "王秘书", "FGJ", (Role.SECRETARIAT,)),
    ("li.zhuanyuan", "李专员", "FGJ", (Role.SPECIALIST,)),
    ("he.zhuanyuan", "何专员", "DQY", (Role.SPECIALIST,)),
    ("zhao.jingban", "赵经办", "ZRZY", (Role.HANDLER,)),
    ("sun.juzhang", "孙局长", "ZRZY", (Role.UNIT_HEAD,)),
    ("qian.jingban", "钱经办", "ZJJ", (Role.HANDLER,)),
    ("zhou.jingban", "周经办", "STHJ", (Role.HANDLER,)),
    ("wu.jingban", "吴经办", "GDGS", (Role.HANDLER,)),
    ("zheng.jingban", "郑经办", "SWJ", (Role.HANDLER,)),
    ("feng.jingban", "冯经办", "CZJ", (Role.HANDLER,)),
    ("tang.jingban", "唐经办", "DQY", (Role.HANDLER,)),  # the park and the town sign for the tasks they lead
    ("xu.jingban", "许经办", "XHZ", (Role.HANDLER,)),
    ("chen.fuquzhang", "陈副区长", None, (Role.LEADER,)),
    ("liu.fuquzhang", "刘副区长", None, (Role.LEADER,)),
    ("zhou.quzhang", "周区长", None, (Role.PRINCIPAL,)),
)

PROJECTS: tuple[dict[str, Any], ...] = (
    {"code": "P-001", "name": "东区电池材料产业园一期", "level": ProjectLevel.PROVINCIAL, "locality": "DQY",
     "lead_unit": "FGJ", "leaders": ["chen.fuquzhang"], "helpers": ["ZRZY", "ZJJ", "GDGS", "STHJ"],
     "specialists": ["li.zhuanyuan"]},
    {"code": "P-002", "name": "新华镇污水处理厂提标改造", "level": ProjectLevel.DISTRICT, "locality": "XHZ",
     "lead_unit": "SWJ", "leaders": ["liu.fuquzhang"], "helpers": ["STHJ", "CZJ", "ZRZY"],
     "specialists": ["he.zhuanyuan"]},
    {"code": "P-003", "name": "华芯智能装备制造基地", "level": ProjectLevel.MUNICIPAL, "locality": "DQY",
     "lead_unit": "FGJ", "leaders": ["chen.fuquzhang", "liu.fuquzhang"], "helpers": ["ZRZY", "ZJJ", "GDGS"],
     "specialists": ["li.zhuanyuan", "he.zhuanyuan"]},
)

ROUTES: dict[str, str] = {
    "用地": "ZRZY", "规划": "ZRZY", "征地拆迁": "ZRZY", "林地": "LYJ", "环评": "STHJ", "施工许可": "ZJJ",
    "配套": "GDGS", "资金": "CZJ", "入统": "TJJ", "立项": "FGJ", "能评": "FGJ", "政策兑现": "FGJ",
}

# Each story: project, raiser, title, category, then (working-day offset, actor, action, input) steps.
Step = tuple[int, str, Action, ActionInput]
STORIES: tuple[tuple[str, str, str, str, tuple[Step, ...]], ...] = (
    ("P-001", "li.zhuanyuan", "二期用地指标尚未落实，影响厂房开工", "用地", (
        (1, SECRETARIAT_HANDLE, Action.ASSIGN, ActionInput(unit="ZRZY", difficulty=Difficulty.B)),
        (2, "zhao.jingban", Action.ACKNOWLEDGE, ActionInput()),
        (6, "zhao.jingban", Action.PROGRESS, ActionInput(reason="已向市局申报用地指标，等待批复")),
        (14, "zhao.jingban", Action.RESOLVE, ActionInput(reason="市局已下达用地指标 120 亩")),
        (15, "li.zhuanyuan", Action.VERIFY, ActionInput()),
    )),
    ("P-001", "li.zhuanyuan", "110kV 专线接入方案未批复", "配套", (
        (1, SECRETARIAT_HANDLE, Action.ASSIGN, ActionInput(unit="GDGS", difficulty=Difficulty.C)),
        (2, "wu.jingban", Action.ACKNOWLEDGE, ActionInput()),
        (9, "wu.jingban", Action.ESCALATE, ActionInput(reason="涉及跨区线路走廊，需专班会商")),
    )),
    ("P-001", "li.zhuanyuan", "施工许可证办理材料反复退回", "施工许可", (
        (1, SECRETARIAT_HANDLE, Action.ASSIGN, ActionInput(unit="ZJJ", difficulty=Difficulty.C)),
        (2, "qian.jingban", Action.ACKNOWLEDGE, ActionInput()),
        (5, "qian.jingban", Action.RESOLVE, ActionInput(reason="已一次性告知补正材料")),
        (6, "li.zhuanyuan", Action.REJECT, ActionInput(reason="企业反映仍未受理，请重办")),
    )),
    ("P-002", "he.zhuanyuan", "提标改造专项资金拨付滞后", "资金", (
        (1, SECRETARIAT_HANDLE, Action.ASSIGN, ActionInput(unit="CZJ", difficulty=Difficulty.B)),
        (2, "feng.jingban", Action.ACKNOWLEDGE, ActionInput()),
        (4, "feng.jingban", Action.REQUEST_EXTENSION, ActionInput(reason="待区政府常务会审议预算调整",
                                                                  extension_days=10)),
        (5, SECRETARIAT_HANDLE, Action.APPROVE_EXTENSION, ActionInput()),
    )),
    ("P-002", "he.zhuanyuan", "尾水排放标准与环评批复不一致", "环评", (
        (1, SECRETARIAT_HANDLE, Action.ASSIGN, ActionInput(unit="STHJ", difficulty=Difficulty.A)),
        (3, "zhou.jingban", Action.ACKNOWLEDGE, ActionInput()),
        (8, "zhou.jingban", Action.ESCALATE, ActionInput(reason="需调整排放标准，提请专班会商")),
        (12, SECRETARIAT_HANDLE, Action.ESCALATE, ActionInput(reason="会商未能解决，提请挂钩领导会办")),
    )),
    ("P-003", "he.zhuanyuan", "厂区规划条件需调整容积率", "规划", (
        (1, SECRETARIAT_HANDLE, Action.ASSIGN, ActionInput(unit="ZRZY", difficulty=Difficulty.A)),
        (2, "sun.juzhang", Action.ACKNOWLEDGE, ActionInput()),
    )),
    ("P-003", "li.zhuanyuan", "企业未按期入统", "入统", ()),
    ("P-003", "li.zhuanyuan", "园区道路与厂区出入口衔接", "配套", (
        (1, SECRETARIAT_HANDLE, Action.EXPLAIN, ActionInput(reason="属企业自建内容，已向企业解释政策")),
    )),
    ("P-001", "li.zhuanyuan", "高压线迁改需跨年度实施", "征地拆迁", (
        (1, SECRETARIAT_HANDLE, Action.ASSIGN, ActionInput(unit="ZRZY", difficulty=Difficulty.A)),
        (2, "zhao.jingban", Action.ACKNOWLEDGE, ActionInput()),
        (6, SECRETARIAT_HANDLE, Action.LONG_TERM, ActionInput(reason="迁改纳入明年电网规划，按月跟踪")),
    )),
)


class TaskStep(NamedTuple):
    """One act on a plan task: its day in the history, who, what, why (and, adjusting, the new due date
    in working days from today)."""

    day: int
    actor: str
    action: TaskAction
    reason: str | None = None
    due_in: int | None = None


class TaskStory(NamedTuple):
    """A plan task: added on `day` by the secretariat, due `due_in` working days from today (negative:
    already passed, the red light), then its steps."""

    title: str
    lead: str
    co_units: tuple[str, ...]
    due_in: int
    steps: tuple[TaskStep, ...] = ()
    day: int = 2


_T, _S = TaskAction, SECRETARIAT_HANDLE
# The plan's decomposition, at every state: signed and reported on, asked to be completed, completed,
# returned once, adjusted once, one overdue (red), one due within three working days (yellow), two
# waiting to be signed, and one signed but silent for a month (the morning sweep's 督办).
PLAN_CODE, PLAN_NAME = "SSW-ZQPG", "“十四五”规划中期评估重点任务分解"
PLAN_TASKS: tuple[TaskStory, ...] = (
    TaskStory("推进东区电池材料产业园扩区调规", "ZRZY", ("DQY",), 60, (
        TaskStep(3, "zhao.jingban", _T.ACKNOWLEDGE),
        TaskStep(12, "zhao.jingban", _T.PROGRESS, "扩区方案已报市自然资源和规划局预审"),
        TaskStep(26, "zhao.jingban", _T.PROGRESS, "已完成用地报批材料组卷"))),
    TaskStory("实施新华镇污水管网全覆盖工程", "SWJ", ("XHZ",), 25, (
        TaskStep(4, "zheng.jingban", _T.ACKNOWLEDGE),
        TaskStep(14, "zheng.jingban", _T.PROGRESS, "主管网已铺设 6.2 公里"),
        TaskStep(28, "zheng.jingban", _T.RESOLVE, "管网全部通水，已完成竣工验收"),
        TaskStep(30, _S, _T.VERIFY))),
    TaskStory("建成东区 220kV 输变电工程", "GDGS", ("DQY",), 30, (
        TaskStep(3, "wu.jingban", _T.ACKNOWLEDGE),
        TaskStep(13, "wu.jingban", _T.PROGRESS, "主变安装完成，进入调试"),
        TaskStep(38, "wu.jingban", _T.RESOLVE, "已送电投运"))),
    TaskStory("完成城镇老旧小区改造年度任务", "ZJJ", ("XHZ",), 20, (
        TaskStep(3, "qian.jingban", _T.ACKNOWLEDGE),
        TaskStep(20, "qian.jingban", _T.RESOLVE, "12 个小区改造全部完工"),
        TaskStep(22, _S, _T.REJECT, "竣工验收资料不全，请补齐后再申请"),
        TaskStep(33, "qian.jingban", _T.PROGRESS, "已补齐 9 个小区的验收资料"))),
    TaskStory("推进长江岸线生态修复", "STHJ", ("LYJ",), -5, (
        TaskStep(5, "zhou.jingban", _T.ACKNOWLEDGE),
        TaskStep(18, _S, _T.ADJUST, "受汛期影响施工，经专班同意顺延", 40),
        TaskStep(27, "zhou.jingban", _T.PROGRESS, "已完成岸线整治 3.5 公里"))),
    TaskStory("落实制造业企业增值税留抵退税", "CZJ", (), -8, (
        TaskStep(4, "feng.jingban", _T.ACKNOWLEDGE),
        TaskStep(10, "feng.jingban", _T.PROGRESS, "已办理退税 1.3 亿元，尚有 12 户待审核"))),
    TaskStory("建设新华镇农产品冷链物流中心", "XHZ", ("FGJ",), 2, (
        TaskStep(6, "xu.jingban", _T.ACKNOWLEDGE),
        TaskStep(20, "xu.jingban", _T.PROGRESS, "主体结构封顶"))),
    TaskStory("建成产业园标准厂房三期", "DQY", ("ZRZY", "ZJJ"), 90, (
        TaskStep(5, "tang.jingban", _T.ACKNOWLEDGE),
        TaskStep(25, "tang.jingban", _T.PROGRESS, "6 栋厂房完成桩基施工"))),
    TaskStory("开展规上工业企业培育入统专项行动", "TJJ", ("DQY", "XHZ"), 50, day=35),
    TaskStory("完成全区森林资源年度监测", "LYJ", (), 45, day=36),
    TaskStory("编制国土空间生态修复规划", "ZRZY", ("FGJ", "LYJ"), 40, (
        TaskStep(3, "sun.juzhang", _T.ACKNOWLEDGE),
        TaskStep(16, "sun.juzhang", _T.RESOLVE, "规划成果已通过专家评审"),
        TaskStep(17, _S, _T.VERIFY))),
    TaskStory("推进农村生活污水治理提质增效", "SWJ", ("XHZ",), 55, (
        TaskStep(7, "zheng.jingban", _T.ACKNOWLEDGE),)),
)
POLICY_CODE, POLICY_NAME = "ZC-ZZY", "关于促进制造业高质量发展的若干政策措施"
POLICY_MEASURES: tuple[TaskStory, ...] = tuple(story._replace(day=21) for story in (
    TaskStory("设立制造业高质量发展专项资金", "CZJ", ("FGJ",), 70, (
        TaskStep(22, "feng.jingban", _T.ACKNOWLEDGE),
        TaskStep(30, "feng.jingban", _T.PROGRESS, "专项资金管理办法已报区政府审定"))),
    TaskStory("保障制造业项目用地供给", "ZRZY", (), 60, (
        TaskStep(22, "zhao.jingban", _T.ACKNOWLEDGE),
        TaskStep(34, "zhao.jingban", _T.RESOLVE, "已出台工业用地“标准地”出让实施细则"),
        TaskStep(35, _S, _T.VERIFY))),
    TaskStory("开辟重大制造业项目环评审批绿色通道", "STHJ", (), 50, (
        TaskStep(23, "zhou.jingban", _T.ACKNOWLEDGE),
        TaskStep(38, "zhou.jingban", _T.RESOLVE, "绿色通道已运行，平均审批时限压缩至 20 个工作日"))),
    TaskStory("降低工业企业用电成本", "GDGS", ("FGJ",), 65, (
        TaskStep(24, "wu.jingban", _T.ACKNOWLEDGE),)),
    TaskStory("推行工业项目“拿地即开工”", "ZJJ", ("ZRZY",), 45, (
        TaskStep(23, "qian.jingban", _T.ACKNOWLEDGE),
        TaskStep(31, "qian.jingban", _T.PROGRESS, "已有 2 个项目实现拿地即开工"))),
    TaskStory("实施规上工业企业“小升规”奖励", "TJJ", ("CZJ",), 80),
    TaskStory("支持园区建设标准厂房和产业链配套", "DQY", (), 75, (
        TaskStep(25, "tang.jingban", _T.ACKNOWLEDGE),)),
    TaskStory("支持镇域特色产业集群发展", "XHZ", (), 75, (
        TaskStep(26, "xu.jingban", _T.ACKNOWLEDGE),)),
))

@dataclass(frozen=True)
class DemoResult:
    units: int
    people: int
    projects: int
    problems: int
    secretariat: str
    already_built: bool

    def to_json(self) -> dict[str, Any]:
        return {"units": self.units, "people": self.people, "projects": self.projects, "problems": self.problems,
                "secretariat": self.secretariat, "already_built": self.already_built}


def existing_demo(engine: Engine) -> bool | None:
    """True when the database holds the demo, False when it holds other data, None when empty."""
    with UnitOfWork(engine, write=False) as uow:
        if uow.session.get(Setting, DEMO_MARKER) is not None:
            return True
        units = uow.session.exec(select(func.count()).select_from(Unit)).one()
        return False if units else None


def build_demo(engine: Engine, *, now: datetime, seed: int, admin: str) -> DemoResult:
    """Build the demo district with histories spread over the last weeks, ending at `now`."""
    if existing_demo(engine) is not None:
        raise Conflict("数据库中已有数据；请用 --reset 重建演示区，或用 --db 指定新的数据库",
                       "the database already holds data; use --reset or another --db")
    rng = random.Random(seed)
    start = now.astimezone(DISTRICT_TZ).date() - timedelta(days=42 + rng.randint(0, 7))

    def at(day_offset: int, minute: int = 0) -> datetime:
        local = datetime.combine(start + timedelta(days=day_offset), time(9, 30), tzinfo=DISTRICT_TZ)
        return (local + timedelta(minutes=minute)).astimezone(now.tzinfo)

    setup = Caller(admin, at(0), origin="demo")
    for code, name, kind in UNITS:
        directory.add_unit(UnitOfWork(engine), caller=setup, code=code, name=name, kind=kind)
    for handle, name, unit, roles in PEOPLE:
        directory.add_person(UnitOfWork(engine), caller=setup, handle=handle, name=name, unit=unit, roles=list(roles))
    year = now.astimezone(DISTRICT_TZ).year
    for spec in PROJECTS:
        directory.add_project(UnitOfWork(engine), caller=setup, **spec,
                              details=_investment(spec["code"], year))
    for category, unit in ROUTES.items():
        directory.set_route(UnitOfWork(engine), caller=setup, category=category, unit=unit)

    for index, (project, raiser, title, category, steps) in enumerate(STORIES):
        raised_day = 1 + index * 2 + rng.randint(0, 2)
        view = issues.raise_problem(UnitOfWork(engine), caller=Caller(raiser, at(raised_day), origin="demo"),
                                    project=project, title=title, category=category)
        for minute, (offset, actor, action, inputs) in enumerate(steps, start=1):
            moment = at(raised_day + _calendar_days(offset), minute)
            if moment > now:
                break
            issues.act(UnitOfWork(engine), caller=Caller(actor, moment, origin="demo"), problem_id=view.id,
                       action=action, inputs=inputs)

    _progress(engine, now, rng)
    _meeting(engine, start, at)
    _plan_tasks(engine, now, at)
    build_kinds(engine, now, at, _calendar_days)
    # This morning's sweep: lights, 督办 reminders, automatic escalation.
    sweep.sweep(UnitOfWork(engine), caller=scheduled_caller(now, "demo"))

    with UnitOfWork(engine) as uow:
        uow.session.add(Setting(key=DEMO_MARKER, value=str(seed)))
        problems = uow.session.exec(select(func.count()).select_from(Problem)).one()
        uow.commit()
    return DemoResult(len(UNITS), len(PEOPLE), len(PROJECTS), problems, SECRETARIAT_HANDLE, False)


YI = 100_000_000  # 元 in one 亿元


def _investment(code: str, year: int) -> directory.InvestmentDetails:
    """Each project's plan: an industrial park, a sewage works, a factory base."""
    kinds = {"P-001": (ProjectKind.INDUSTRY, 48 * YI, 12 * YI, date(year, 3, 1), date(year, 3, 18)),
             "P-002": (ProjectKind.INFRASTRUCTURE, 3 * YI, 2 * YI, date(year, 5, 1), date(year, 6, 10)),
             "P-003": (ProjectKind.INDUSTRY, 26 * YI, 8 * YI, date(year, 9, 1), None)}
    kind, total, annual, planned_start, actual_start = kinds[code]
    return directory.InvestmentDetails(kind=kind, total_investment_yuan=total, planned_start=planned_start,
                                       actual_start=actual_start, in_stats=actual_start is not None,
                                       plan_year=year, annual_plan_yuan=annual)


def _progress(engine: Engine, now: datetime, rng: random.Random) -> None:
    """Monthly completed investment, January to last month, recorded by the secretariat."""
    today = now.astimezone(DISTRICT_TZ).date()
    recorder = Caller(SECRETARIAT_HANDLE, now, origin="demo")
    monthly = {"P-001": 85_000_000, "P-002": 14_000_000, "P-003": 30_000_000}
    first_month = {"P-001": 3, "P-002": 6, "P-003": 10}
    for code, amount in monthly.items():
        for month in range(first_month[code], today.month):
            done = int(amount * rng.uniform(0.6, 1.2)) // 10_000 * 10_000
            projects.record_progress(UnitOfWork(engine), caller=recorder, code=code,
                                     month=YearMonth(today.year, month), completed_yuan=done)


def _meeting(engine: Engine, start: date, at: Callable[..., datetime]) -> None:
    """Last week's task-force consultation decided one escalated problem."""
    with UnitOfWork(engine, write=False) as uow:
        waiting = uow.session.exec(select(Problem.id).where(Problem.state == "on_agenda", Problem.level == 2)
                                   .order_by(col(Problem.id))).all()
    if not waiting:
        return
    day = 34
    chair = Caller(SECRETARIAT_HANDLE, at(day - 1), origin="demo")
    held_on = at(day).astimezone(DISTRICT_TZ).date()
    meeting = meetings.plan_meeting(UnitOfWork(engine), caller=chair, kind=MeetingKind.TASK_FORCE,
                                    held_on=held_on, chair=SECRETARIAT_HANDLE)
    chair = Caller(SECRETARIAT_HANDLE, at(day), origin="demo")
    meetings.start_meeting(UnitOfWork(engine), caller=chair, meeting_id=meeting.id)
    for problem_id in waiting:
        meetings.decide(UnitOfWork(engine), caller=chair, meeting_id=meeting.id, problem_id=problem_id,
                        decision=DecisionInput(Outcome.ASSIGN, "供电公司牵头，产业园配合，两周内完成线路走廊协调",
                                               unit="GDGS", co_units=("DQY",), due=held_on + timedelta(days=14)))
    meetings.close_meeting(UnitOfWork(engine), caller=chair, meeting_id=meeting.id)


def _plan_tasks(engine: Engine, now: datetime, at: Callable[..., datetime]) -> None:
    """The plan's decomposition and the policy's measures, through the services like every other record."""
    today = now.astimezone(DISTRICT_TZ).date()
    every = (*PLAN_TASKS, *POLICY_MEASURES)
    offsets = {s.due_in for s in every} | {step.due_in for s in every for step in s.steps if step.due_in is not None}
    # Due dates count working days from today, so that the lights come out the same on any day.
    with UnitOfWork(engine, write=False) as uow:
        calendar = work_calendar(uow.session)
        due = {n: calendar.add_working_days(today, n).day if n >= 0 else calendar.working_day_back(today, -n)
               for n in offsets}
    for code, name, kind, group, added_day in ((PLAN_CODE, PLAN_NAME, PlanKind.PLAN, PLAN_TASKS, 1),
                                               (POLICY_CODE, POLICY_NAME, PlanKind.POLICY, POLICY_MEASURES, 20)):
        secretariat = Caller(SECRETARIAT_HANDLE, at(added_day), origin="demo")
        plans.add_plan(UnitOfWork(engine), caller=secretariat, code=code, name=name, kind=kind)
        for story in group:
            adder = Caller(SECRETARIAT_HANDLE, at(story.day, 5), origin="demo")
            view = tasks.add_task(UnitOfWork(engine), caller=adder, plan=code, title=story.title,
                                  lead_unit=story.lead, due=due[story.due_in], co_units=story.co_units)
            for minute, step in enumerate(story.steps, start=10):
                moment = at(step.day, minute)
                if moment > now:
                    break
                inputs = TaskInput(reason=step.reason, due=None if step.due_in is None else due[step.due_in])
                tasks.act_on_task(UnitOfWork(engine), caller=Caller(step.actor, moment, origin="demo"),
                                  task_id=view.id, action=step.action, inputs=inputs)


def _calendar_days(working_days: int) -> int:
    """Roughly spread working-day offsets over calendar days (weekends in between)."""
    return working_days + (working_days // 5) * 2
