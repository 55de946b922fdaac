"""The demo district's other kinds of work: special plans and filings, through their services.

Each record is written by the service a person would use, at the moment the story says, so that every
stage is an audited fact; `services/demo.py` calls `build_kinds` after the problems and plan tasks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time

from sqlalchemy import Engine

from coordination.config import DISTRICT_TZ
from coordination.domain.filing_workflow import FilingAction
from coordination.domain.special_plan_workflow import SpecialPlanAction
from coordination.services import filings, special_plans
from coordination.services.calendar import work_calendar
from coordination.services.common import Caller
from coordination.uow import UnitOfWork

SECRETARIAT = "wang.mishu"
At = Callable[..., datetime]

# (code, name, lead unit, day added, stages passed as (action, day, document))
_P = SpecialPlanAction
SPECIAL_PLANS: tuple[tuple[str, str, str, int, tuple[tuple[SpecialPlanAction, int, str], ...]], ...] = (
    ("ZX-ZHJT", "东区综合交通运输发展专项规划", "FGJ", 1,
     ((_P.REVIEW, 6, "专家评审意见（东发改〔2026〕31号）"), (_P.DELIBERATE, 15, "区政府第 21 次常务会议"),
      (_P.ISSUE, 24, "东政发〔2026〕12号"))),
    ("ZX-NY", "东区能源发展专项规划", "FGJ", 1,
     ((_P.REVIEW, 8, "专家评审意见"), (_P.DELIBERATE, 15, "区政府第 21 次常务会议"))),
    ("ZX-CYY", "东区电池材料产业园发展规划", "DQY", 2,
     ((_P.REVIEW, 10, "专家评审意见"), (_P.DELIBERATE, 29, "区政府第 23 次常务会议"),
      (_P.ISSUE, 36, "东政发〔2026〕15号"))),
    ("ZX-GTKJ", "东区国土空间总体规划（专项）", "ZRZY", 2, ((_P.REVIEW, 20, "专家评审意见"),)),
    ("ZX-SW", "东区水务发展专项规划", "SWJ", 3, ((_P.REVIEW, 27, "专家评审意见"),)),
    ("ZX-STHJ", "东区生态环境保护专项规划", "STHJ", 4, ()),
    ("ZX-ZF", "东区住房发展专项规划", "ZJJ", 5, ()),
    ("ZX-SZJJ", "东区数字经济发展专项规划", "FGJ", 9, ()),
)

# (project, enterprise, receiving window's person, day received, outcome: action and working days later)
_F = FilingAction
FILINGS: tuple[tuple[str, str, str, int, tuple[FilingAction, int]], ...] = (
    ("年产5万吨锂电池隔膜项目", "东区新材料有限公司", SECRETARIAT, 1, (_F.COMPLETE, 2)),
    ("分布式光伏发电项目（二期）", "东区新能源有限公司", SECRETARIAT, 3, (_F.COMPLETE, 4)),
    ("电池回收利用中心建设项目", "华芯新能源材料有限公司", SECRETARIAT, 6, (_F.RETURN, 1)),
    ("智能仓储物流园项目", "东区物流发展有限公司", SECRETARIAT, 8, (_F.COMPLETE, 3)),
    ("年产2万吨电解液项目", "东区化工新材料有限公司", SECRETARIAT, 10, (_F.COMPLETE, 5)),
    ("老旧厂房改造提升项目", "新华镇集体资产经营公司", "zhao.jingban", 13, (_F.COMPLETE, 1)),
    ("新华镇农产品冷链中心项目", "新华镇供销合作社", SECRETARIAT, 16, (_F.COMPLETE, 7)),  # past its limit
    ("储能电站建设项目", "东区储能科技有限公司", SECRETARIAT, 20, (_F.COMPLETE, 2)),
    ("研发中心扩建项目", "华芯新能源材料有限公司", SECRETARIAT, 24, (_F.COMPLETE, 3)),
    ("屋顶光伏项目", "东区电池材料产业园运营公司", "zhao.jingban", 27, (_F.RETURN, 2)),
    ("正极材料技改项目", "东区新材料有限公司", SECRETARIAT, 31, (_F.COMPLETE, 4)),
)
# Still being handled, received this many working days before today: one past its limit, one near it, one new.
OPEN_FILINGS: tuple[tuple[str, str, str, int], ...] = (
    ("汽车零部件生产线项目", "东区汽配制造有限公司", SECRETARIAT, 7),
    ("城市更新示范项目", "东区城市发展有限公司", "zhao.jingban", 4),
    ("数据中心项目", "东区云计算有限公司", SECRETARIAT, 1),
)


def build_kinds(engine: Engine, now: datetime, at: At, working_days: Callable[[int], int]) -> None:
    """Special plans and filings as the last weeks left them; nothing dated after `now`."""
    _special_plans(engine, now, at)
    _filings(engine, now, at, working_days)


def _special_plans(engine: Engine, now: datetime, at: At) -> None:
    for code, name, unit, added, stages in SPECIAL_PLANS:
        if at(added) > now:
            continue
        special_plans.add_special_plan(UnitOfWork(engine), caller=Caller(SECRETARIAT, at(added, 40), origin="demo"),
                                       code=code, name=name, lead_unit=unit)
        for action, day, document in stages:
            moment = at(day, 45)
            if moment > now:
                break
            special_plans.act_on_special_plan(UnitOfWork(engine), caller=Caller(SECRETARIAT, moment, origin="demo"),
                                              code=code, action=action, document=document)


def _filings(engine: Engine, now: datetime, at: At, working_days: Callable[[int], int]) -> None:
    for project_name, enterprise, receiver, day, (action, after) in FILINGS:
        if at(day) > now:
            continue
        view = filings.add_filing(UnitOfWork(engine), caller=Caller(receiver, at(day, 50), origin="demo"),
                                  project_name=project_name, enterprise=enterprise)
        moment = at(day + working_days(after), 55)
        if moment > now:
            continue
        reason = "备案信息与营业执照不一致，请核实后重新提交" if action is FilingAction.RETURN else None
        filings.act_on_filing(UnitOfWork(engine), caller=Caller(receiver, moment, origin="demo"), filing_id=view.id,
                              action=action, reason=reason)
    # The open ones are dated back from today in working days, so their lights read the same on any day.
    today = now.astimezone(DISTRICT_TZ).date()
    with UnitOfWork(engine, write=False) as uow:
        calendar = work_calendar(uow.session)
    for project_name, enterprise, receiver, back in OPEN_FILINGS:
        received = datetime.combine(calendar.working_day_back(today, back + 1), time(10), tzinfo=DISTRICT_TZ)
        filings.add_filing(UnitOfWork(engine), caller=Caller(receiver, min(received, now), origin="demo"),
                           project_name=project_name, enterprise=enterprise)
