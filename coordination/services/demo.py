"""The demo district: real-looking units, people, projects and problems at every stage of life."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import col, select

from coordination.config import DISTRICT_TZ
from coordination.domain.enums import Action, Difficulty, ProjectKind, ProjectLevel, Role, UnitKind
from coordination.domain.errors import Conflict
from coordination.domain.investment import YearMonth
from coordination.domain.meetings import DecisionInput, MeetingKind, Outcome
from coordination.domain.problem import ActionInput
from coordination.models import Problem, Setting, Unit
from coordination.services import directory, issues, meetings, projects, sweep
from coordination.services.common import Caller, scheduled_caller
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


def _calendar_days(working_days: int) -> int:
    """Roughly spread working-day offsets over calendar days (weekends in between)."""
    return working_days + (working_days // 5) * 2
