"""The demo district's other kinds of work: special plans, filings, fund applications, guidance-fund
payments, indicators and reports to the city, through their services.

Each record is written by the service a person would use, at the moment the story says, so that every
stage is an audited fact; `services/demo.py` calls `build_kinds` after the problems and plan tasks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine

from coordination.config import DISTRICT_TZ
from coordination.domain.filing_workflow import FilingAction
from coordination.domain.fund import StageInput
from coordination.domain.fund_workflow import FundAction, FundSource, FundType
from coordination.domain.special_plan_workflow import SpecialPlanAction
from coordination.services import disbursements, filings, funds, indicators, special_plans, upward_reports
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
    """The other kinds as the last weeks left them; nothing dated after `now`."""
    _special_plans(engine, now, at)
    _filings(engine, now, at, working_days)
    _funds(engine, now, at)
    _disbursements(engine, now, at)
    _indicators(engine, now, at)
    _upward_reports(engine, now, at)


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


# (code, name, source, type, project, applying unit, stages as (action, day, StageInput fields))
_A = FundAction
FUNDS: tuple[tuple[str, str, FundSource, FundType, str | None, str,
                   tuple[tuple[FundAction, int, dict[str, Any]], ...]], ...] = (
    ("ZJ-2026-01", "新华镇污水处理厂提标改造中央预算内投资", FundSource.CENTRAL, FundType.BUDGET, "P-002", "SWJ",
     ((_A.PREPARE, 3, {}), (_A.APPLY, 8, {}),
      (_A.GRANT, 20, {"amount_yuan": 86_000_000, "document": "发改投资〔2026〕1520号"}))),
    ("ZJ-2026-02", "电池材料产业园基础设施省级专项资金", FundSource.PROVINCIAL, FundType.SPECIAL, "P-001", "DQY",
     ((_A.PREPARE, 4, {}), (_A.APPLY, 10, {}),
      (_A.GRANT, 25, {"amount_yuan": 30_000_000, "document": "省发改委〔2026〕88号"}),
      (_A.EVALUATE, 38, {"evaluation": "资金使用规范，绩效目标完成"}))),
    ("ZJ-2026-03", "城市更新专项债券", FundSource.MUNICIPAL, FundType.BOND, None, "ZJJ",
     ((_A.PREPARE, 5, {}), (_A.APPLY, 12, {}),
      (_A.GRANT, 30, {"amount_yuan": 250_000_000, "document": "市财政局债券额度通知"}))),
    ("ZJ-2026-04", "冷链物流中心中央预算内投资", FundSource.CENTRAL, FundType.BUDGET, None, "FGJ",
     ((_A.PREPARE, 6, {}), (_A.APPLY, 14, {}), (_A.REFUSE, 33, {"reason": "未通过国家发展改革委审核，明年再报"}))),
    ("ZJ-2026-05", "智慧园区省级专项资金", FundSource.PROVINCIAL, FundType.SPECIAL, "P-003", "DQY",
     ((_A.PREPARE, 9, {}), (_A.WITHDRAW, 22, {"reason": "项目建设内容调整，撤回申报"}))),
    ("ZJ-2026-06", "老旧小区改造中央预算内投资", FundSource.CENTRAL, FundType.BUDGET, None, "ZJJ",
     ((_A.PREPARE, 18, {}), (_A.APPLY, 35, {}))),
    ("ZJ-2026-07", "电网配套工程市级专项资金", FundSource.MUNICIPAL, FundType.SPECIAL, None, "GDGS", ()),
)

# Guidance-fund payments of the last four years (back-entered from the paper ledger), 元.
DISBURSEMENTS: tuple[tuple[str, int, int, int], ...] = (  # (enterprise, amount, years ago, day of that year)
    ("东区新材料有限公司", 45_000_000, 3, 160), ("华芯新能源材料有限公司", 38_000_000, 3, 250),
    ("东区新材料有限公司", 52_000_000, 2, 140), ("东区储能科技有限公司", 41_000_000, 2, 270),
    ("东区汽配制造有限公司", 30_000_000, 2, 300), ("华芯新能源材料有限公司", 60_000_000, 1, 120),
    ("东区云计算有限公司", 25_000_000, 1, 200), ("东区化工新材料有限公司", 36_000_000, 1, 310),
    ("东区新材料有限公司", 48_000_000, 0, 100), ("东区储能科技有限公司", 32_000_000, 0, 180),
    ("东区物流发展有限公司", 20_000_000, 0, 260),
)

# (code, name, measure, target, higher is better, monthly cumulative figures from February)
INDICATORS: tuple[tuple[str, str, str, str, bool, tuple[str, ...]], ...] = (
    ("FAI", "全区固定资产投资增速", "%", "8", True,
     ("4.2", "5.1", "5.8", "6.3", "6.9", "7.2", "7.0", "7.4", "7.6", "7.5", "7.8")),
    ("SRV", "规上服务业营业收入增速", "%", "8", True,
     ("9.6", "9.1", "8.8", "9.0", "9.3", "9.5", "9.4", "9.2", "9.0", "8.9", "9.1")),
    ("GYZJ", "规上工业增加值增速", "%", "7.5", True,
     ("6.1", "6.0", "5.6", "5.2", "5.4", "5.9", "5.7", "5.5", "5.3", "5.6", "5.8")),
    ("NH", "单位地区生产总值能耗下降", "%", "3", True,
     ("2.1", "2.4", "2.6", "2.9", "3.0", "3.1", "3.2", "3.2", "3.3", "3.3", "3.4")),
)


def _funds(engine: Engine, now: datetime, at: At) -> None:
    for code, name, source, fund_type, project, unit, stages in FUNDS:
        funds.add_fund(UnitOfWork(engine), caller=Caller(SECRETARIAT, at(2, 20), origin="demo"), code=code, name=name,
                       source=source, fund_type=fund_type, project=project, unit=unit)
        for action, day, fields in stages:
            moment = at(day, 25)
            if moment > now:
                break
            funds.act_on_fund(UnitOfWork(engine), caller=Caller(SECRETARIAT, moment, origin="demo"), code=code,
                              action=action, inputs=StageInput(**fields))


def _disbursements(engine: Engine, now: datetime, at: At) -> None:
    year = now.astimezone(DISTRICT_TZ).year
    today = now.astimezone(DISTRICT_TZ).date()
    recorder = Caller(SECRETARIAT, min(at(2, 30), now), origin="demo")
    for enterprise, amount, years_ago, day_of_year in DISBURSEMENTS:
        paid_on = date(year - years_ago, 1, 1) + timedelta(days=day_of_year)
        if paid_on > recorder.today or paid_on > today:
            continue
        disbursements.add_disbursement(UnitOfWork(engine), caller=recorder, enterprise=enterprise, amount_yuan=amount,
                                       paid_on=paid_on)


def _indicators(engine: Engine, now: datetime, at: At) -> None:
    """The statistics bureau's monthly figures, cumulative from 1–2月, up to last month."""
    today = now.astimezone(DISTRICT_TZ).date()
    adder = Caller(SECRETARIAT, min(at(1, 15), now), origin="demo")
    reporter = Caller(SECRETARIAT, now, origin="demo")  # the year's figures so far, entered as the demo opens
    for code, name, measure, target, higher, figures in INDICATORS:
        indicators.add_indicator(UnitOfWork(engine), caller=adder, code=code, name=name, measure=measure,
                                 target=target, higher_is_better=higher, lead_unit="TJJ")
        for month, value in enumerate(figures, start=2):
            if month >= today.month:
                break
            indicators.record_value(UnitOfWork(engine), caller=reporter, code=code,
                                    month=f"{today.year}-{month:02d}", value=value)


def _upward_reports(engine: Engine, now: datetime, at: At) -> None:
    """One report a week to the city's 发改委 since January (Tuesdays), a second in busy weeks."""
    today = now.astimezone(DISTRICT_TZ).date()
    recorder = Caller(SECRETARIAT, now, origin="demo")
    tuesday = date(today.year, 1, 1) + timedelta(days=(1 - date(today.year, 1, 1).weekday()) % 7)
    topics = ("重大项目推进情况", "固定资产投资运行情况", "专项债券项目储备", "重点问题协调进展")
    week = 0
    while tuesday <= today:
        weekly = (tuesday, "市发改委投资处", topics[week % len(topics)])
        reports = [weekly] + ([(tuesday + timedelta(days=2), "市发改委规划处", "专项规划编制进展")]
                                 if week % 4 == 1 and tuesday + timedelta(days=2) <= today else [])
        for day, office, topic in reports:
            upward_reports.add_upward_report(UnitOfWork(engine), caller=recorder, to_office=office, topic=topic,
                                             reported_on=day)
        tuesday += timedelta(days=7)
        week += 1
