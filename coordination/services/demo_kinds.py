"""The demo district's other kinds of work through the year: special plans, filings, fund applications,
guidance-fund payments, indicators and reports to the city, each through its service on the day it happens.

Dates are (year offset, month, day) from the demo's current year (0; -1 is the last); `KindDesk` queues each
act on its working day, so every stage is an audited fact of the history (payments of the years before the
history are back-entered from the paper ledger when the district is set up).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from coordination.domain.filing_workflow import FilingAction
from coordination.domain.fund import StageInput
from coordination.domain.fund_workflow import FundAction, FundSource, FundType
from coordination.domain.special_plan_workflow import SpecialPlanAction
from coordination.services import disbursements, filings, funds, indicators, special_plans, upward_reports
from coordination.services.demo_clock import Clock
from coordination.services.demo_district import SECRETARIAT_HANDLE, staff
from coordination.uow import UnitOfWork

SECRETARIAT = SECRETARIAT_HANDLE
Day = tuple[int, int, int]  # (year offset, month, day)
_P = SpecialPlanAction
SPECIAL_PLANS: tuple[tuple[str, str, str, Day, tuple[tuple[SpecialPlanAction, Day, str], ...]], ...] = (
    ("ZX-ZHJT", "东区综合交通运输发展专项规划", "FGJ", (-1, 2, 20),
     ((_P.REVIEW, (-1, 5, 20), "专家评审意见"), (_P.DELIBERATE, (-1, 8, 14), "区政府第 21 次常务会议"),
      (_P.ISSUE, (-1, 10, 16), "东政发〔{y}〕12号"))),
    ("ZX-NY", "东区能源发展专项规划", "FGJ", (-1, 2, 20),
     ((_P.REVIEW, (-1, 6, 12), "专家评审意见"), (_P.DELIBERATE, (-1, 11, 20), "区政府第 27 次常务会议"))),
    ("ZX-CYY", "东区电池材料产业园发展规划", "DQY", (-1, 3, 6),
     ((_P.REVIEW, (-1, 7, 8), "专家评审意见"), (_P.DELIBERATE, (0, 1, 15), "区政府第 2 次常务会议"),
      (_P.ISSUE, (0, 3, 20), "东政发〔{y}〕5号"))),
    ("ZX-GTXF", "东区国土空间生态修复专项规划", "ZRZY", (-1, 3, 6), ((_P.REVIEW, (-1, 9, 12), "专家评审意见"),)),
    ("ZX-SW", "东区水务发展专项规划", "SWJ", (-1, 4, 10),
     ((_P.REVIEW, (0, 4, 10), "专家评审意见"), (_P.DELIBERATE, (0, 8, 20), "区政府第 16 次常务会议"))),
    ("ZX-STHJ", "东区生态环境保护专项规划", "STHJ", (-1, 5, 15), ((_P.REVIEW, (0, 6, 5), "专家评审意见"),)),
    ("ZX-ZF", "东区住房发展专项规划", "ZJJ", (-1, 6, 18), ()),
    ("ZX-SZJJ", "东区数字经济发展专项规划", "FGJ", (0, 3, 12), ((_P.REVIEW, (0, 9, 10), "专家评审意见"),)),
    ("ZX-WL", "东区现代物流业发展专项规划", "FGJ", (0, 4, 8), ()),
)

_A = FundAction
_Stage = tuple[FundAction, Day, dict[str, Any]]
# (number, name, source, type, project, applying unit, stages); the code is ZJ-<year>-<number>.
FUNDS: tuple[tuple[int, str, FundSource, FundType, str | None, str, tuple[_Stage, ...]], ...] = (
    (1, "污水处理厂提标改造中央预算内投资", FundSource.CENTRAL, FundType.BUDGET, "P-010", "SWJ",
     ((_A.PREPARE, (0, 3, 5), {}), (_A.APPLY, (0, 4, 16), {}),
      (_A.GRANT, (0, 7, 10), {"amount_yuan": 86_000_000, "document": "发改投资〔{y}〕1520号"}),
      (_A.EVALUATE, (1, 3, 20), {"evaluation": "资金使用规范，绩效目标完成"}))),
    (2, "电池材料产业园基础设施省级专项资金", FundSource.PROVINCIAL, FundType.SPECIAL, "P-001", "DQY",
     ((_A.PREPARE, (0, 3, 10), {}), (_A.APPLY, (0, 5, 8), {}),
      (_A.GRANT, (0, 8, 12), {"amount_yuan": 30_000_000, "document": "省发改委〔{y}〕88号"}),
      (_A.EVALUATE, (0, 12, 10), {"evaluation": "绩效目标基本完成"}))),
    (3, "城市更新专项债券", FundSource.MUNICIPAL, FundType.BOND, "P-012", "ZJJ",
     ((_A.PREPARE, (0, 2, 26), {}), (_A.APPLY, (0, 3, 20), {}),
      (_A.GRANT, (0, 6, 18), {"amount_yuan": 250_000_000, "document": "市财政局债券额度通知"}))),
    (4, "沿江快速路专项债券", FundSource.PROVINCIAL, FundType.BOND, "P-004", "JTJ",
     ((_A.PREPARE, (0, 3, 2), {}), (_A.APPLY, (0, 4, 1), {}),
      (_A.GRANT, (0, 9, 6), {"amount_yuan": 180_000_000, "document": "省财政厅债券额度通知"}))),
    (5, "冷链物流中心中央预算内投资", FundSource.CENTRAL, FundType.BUDGET, "P-011", "FGJ",
     ((_A.PREPARE, (0, 3, 12), {}), (_A.APPLY, (0, 5, 6), {}),
      (_A.REFUSE, (0, 8, 20), {"reason": "未通过国家发展改革委审核，明年再报"}))),
    (6, "智慧园区省级专项资金", FundSource.PROVINCIAL, FundType.SPECIAL, "P-020", "GXQ",
     ((_A.PREPARE, (0, 4, 9), {}), (_A.WITHDRAW, (0, 6, 3), {"reason": "项目建设内容调整，撤回申报"}))),
    (7, "电网配套工程市级专项资金", FundSource.MUNICIPAL, FundType.SPECIAL, "P-015", "GDGS",
     ((_A.PREPARE, (0, 5, 12), {}), (_A.APPLY, (0, 6, 10), {}),
      (_A.GRANT, (0, 10, 15), {"amount_yuan": 12_000_000, "document": "市发改委〔{y}〕203号"}))),
    (8, "老旧小区改造中央预算内投资", FundSource.CENTRAL, FundType.BUDGET, "P-021", "ZJJ",
     ((_A.PREPARE, (0, 10, 20), {}), (_A.APPLY, (0, 11, 18), {}))),
)

# Guidance-fund payments (enterprise, 元, year offset, month, day); before the history: back-entered.
DISBURSEMENTS: tuple[tuple[str, int, int, int, int], ...] = (
    ("东区新材料有限公司", 45_000_000, -4, 6, 10), ("华芯新能源材料有限公司", 38_000_000, -4, 9, 8),
    ("东区新材料有限公司", 52_000_000, -3, 5, 20), ("东区储能科技有限公司", 41_000_000, -3, 9, 26),
    ("东区汽配制造有限公司", 30_000_000, -2, 4, 18), ("华芯新能源材料有限公司", 60_000_000, -2, 10, 28),
    ("东区云计算有限公司", 25_000_000, -1, 4, 22), ("东区化工新材料有限公司", 36_000_000, -1, 7, 15),
    ("东区新材料有限公司", 48_000_000, -1, 11, 18), ("东区储能科技有限公司", 32_000_000, 0, 4, 20),
    ("东区物流发展有限公司", 20_000_000, 0, 7, 16), ("华芯新能源材料有限公司", 28_000_000, 0, 10, 22),
)

# (code, name, measure, target, cumulative figures from 1–2月 to 1–12月 of last year, then this year's)
INDICATORS: tuple[tuple[str, str, str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("FAI", "全区固定资产投资增速", "%", "8",
     ("3.8", "4.6", "5.2", "5.9", "6.4", "6.8", "6.6", "7.0", "7.3", "7.4", "7.6"),
     ("4.2", "5.1", "5.8", "6.3", "6.9", "7.2", "7.0", "7.4", "7.6", "7.5", "7.8")),
    ("SRV", "规上服务业营业收入增速", "%", "8",
     ("8.8", "8.5", "8.9", "9.2", "9.0", "9.1", "9.3", "9.0", "8.8", "8.9", "9.0"),
     ("9.6", "9.1", "8.8", "9.0", "9.3", "9.5", "9.4", "9.2", "9.0", "8.9", "9.1")),
    ("GYZJ", "规上工业增加值增速", "%", "7.5",
     ("6.5", "6.2", "6.0", "5.8", "6.1", "6.3", "6.2", "6.4", "6.6", "6.5", "6.7"),
     ("6.1", "6.0", "5.6", "5.2", "5.4", "5.9", "5.7", "5.5", "5.3", "5.6", "5.8")),
    ("NH", "单位地区生产总值能耗下降", "%", "3",
     ("1.8", "2.0", "2.3", "2.5", "2.7", "2.9", "3.0", "3.1", "3.1", "3.2", "3.2"),
     ("2.1", "2.4", "2.6", "2.9", "3.0", "3.1", "3.2", "3.2", "3.3", "3.3", "3.4")),
)
FILERS = ("东区新材料有限公司", "东区新能源有限公司", "华芯新能源材料有限公司", "东区物流发展有限公司",
          "东区化工新材料有限公司", "新华镇集体资产经营公司", "东区储能科技有限公司", "东区云计算有限公司",
          "东区汽配制造有限公司", "青山镇供销合作社", "东区城市发展有限公司")
FILED = ("年产5万吨锂电池隔膜项目", "分布式光伏发电项目", "电池回收利用中心建设项目", "智能仓储物流园项目",
         "年产2万吨电解液项目", "老旧厂房改造提升项目", "储能电站建设项目", "研发中心扩建项目", "屋顶光伏项目",
         "正极材料技改项目", "汽车零部件生产线项目", "数据中心项目", "冷链仓储项目", "智能制造升级改造项目")
WINDOW = "gao.jingban"  # the bureau's window that receives filings
TOPICS = ("重大项目推进情况", "固定资产投资运行情况", "专项债券项目储备", "重点问题协调进展")


class KindDesk:
    def __init__(self, clock: Clock, year: int) -> None:
        self.clock, self.rng, self.year = clock, clock.rng, year
        self._acts: dict[date, list[tuple[tuple[int, int], Callable[[], object]]]] = {}
        self._plan()

    def when(self, day: Day) -> date:
        offset, month, dom = day
        return self.clock.workday_on_or_after(date(self.year + offset, month, dom))

    def on(self, day: date, hour: tuple[int, int], act: Callable[[], object]) -> None:
        self._acts.setdefault(day, []).append((hour, act))

    def on_day(self, day: date) -> None:
        for (hour, minute), act in self._acts.pop(day, []):
            self.clock.push(self.clock.at(day, hour, minute), act)

    def _do(self, handle: str, call: Callable[..., Any], **kwargs: Any) -> Callable[[], object]:
        """An act: `call` through a fresh unit of work, by `handle`, at the moment it runs."""
        return lambda: call(UnitOfWork(self.clock.engine), caller=self.clock.caller(handle, self.clock.running),
                            **kwargs)

    def back_enter(self, moment: datetime) -> None:
        """At set-up: the indicators watched, and the guidance-fund payments of the years before (paper ledger)."""
        caller = self.clock.caller(SECRETARIAT, moment)
        for code, name, measure, target, _last, _this in INDICATORS:
            indicators.add_indicator(UnitOfWork(self.clock.engine), caller=caller, code=code, name=name,
                                     measure=measure, target=target, higher_is_better=True, lead_unit="TJJ")
        for enterprise, amount, offset, month, dom in DISBURSEMENTS:
            if offset < -1:
                disbursements.add_disbursement(UnitOfWork(self.clock.engine), caller=caller, enterprise=enterprise,
                                               amount_yuan=amount, paid_on=date(self.year + offset, month, dom))

    def _plan(self) -> None:
        for code, name, unit, added, stages in SPECIAL_PLANS:
            self.on(self.when(added), (10, 40), self._do(SECRETARIAT, special_plans.add_special_plan, code=code,
                                                          name=name, lead_unit=unit))
            for action, day, document in stages:
                self.on(self.when(day), (15, 0), self._do(
                    SECRETARIAT, special_plans.act_on_special_plan, code=code, action=action,
                    document=document.format(y=self.year + day[0])))
        for offset in (-1, 0):
            self._funds(offset)
            self._indicators(offset)
        for enterprise, amount, offset, month, dom in DISBURSEMENTS:
            if offset >= -1:
                self.on(self.when((offset, month, dom)), (16, 0), self._do(
                    SECRETARIAT, disbursements.add_disbursement, enterprise=enterprise, amount_yuan=amount,
                    paid_on=self.when((offset, month, dom))))
        self._filings()
        self._upward_reports()

    def _funds(self, offset: int) -> None:
        year = self.year + offset
        for number, name, source, fund_type, project, unit, stages in FUNDS:
            code = f"ZJ-{year}-{number:02d}"
            added = self.when((offset, 2, 12 + number))
            self.on(added, (11, 0), self._do(SECRETARIAT, funds.add_fund, code=code, name=name, source=source,
                                            fund_type=fund_type, project=project, unit=unit))
            for action, (later, month, dom), fields in stages:
                actor = staff(unit)[0] if action in (_A.PREPARE, _A.APPLY, _A.WITHDRAW) else SECRETARIAT
                inputs = StageInput(amount_yuan=fields.get("amount_yuan"), evaluation=fields.get("evaluation"),
                                    reason=fields.get("reason"),
                                    document=str(fields["document"]).format(y=year) if "document" in fields else None)
                self.on(self.when((offset + later, month, dom)), (15, 30), self._do(
                    actor, funds.act_on_fund, code=code, action=action, inputs=inputs))

    def _indicators(self, offset: int) -> None:
        """The statistics bureau reports each month's cumulative figure in the middle of the month after."""
        for code, _name, _measure, _target, last, this in INDICATORS:
            for month, value in enumerate(last if offset < 0 else this, start=2):
                reported = (offset + month // 12, month % 12 + 1, 15)
                self.on(self.when(reported), (10, 0), self._do(staff("TJJ")[0], indicators.record_value, code=code,
                                                               month=f"{self.year + offset}-{month:02d}", value=value))

    def _filings(self) -> None:
        """About one a week at the bureau's window, handled within the limit but for a few."""
        day, rng = date(self.year - 1, 1, 2), self.rng
        while day <= self.clock.today:
            day += timedelta(days=rng.randint(3, 9))
            if not self.clock.is_workday(day):
                continue
            project, enterprise = rng.choice(FILED), rng.choice(FILERS)
            self.on(day, (10, 30), partial(self._file, project, enterprise, day))

    def _file(self, project_name: str, enterprise: str, day: date) -> None:
        clock, rng = self.clock, self.rng
        view = filings.add_filing(UnitOfWork(clock.engine), caller=clock.caller(WINDOW, clock.running),
                                  project_name=project_name, enterprise=enterprise)
        returned = rng.random() < 0.08
        action, reason = (FilingAction.RETURN, "备案信息与营业执照不一致，请核实后重新提交") if returned else \
            (FilingAction.COMPLETE, None)
        clock.push(clock.later(day, rng.choice((1, 2, 2, 3, 4, 6))), lambda: filings.act_on_filing(
            UnitOfWork(clock.engine), caller=clock.caller(WINDOW, clock.running), filing_id=view.id, action=action,
            reason=reason))

    def _upward_reports(self) -> None:
        """Every week to the city's 发改委 (its Tuesday, or the week's first working day), a second in busy weeks;
        one entered twice by mistake and revoked."""
        monday = date(self.year - 1, 1, 1) - timedelta(days=date(self.year - 1, 1, 1).weekday())
        week = 0
        while monday <= self.clock.today:
            days = [monday + timedelta(days=n) for n in range(7)]
            working = [d for d in days if self.clock.is_workday(d)]
            tuesday = days[1] if days[1] in working else (working[0] if working else days[1])
            if tuesday.year >= self.year - 1:
                self._report(tuesday, "市发改委投资处", TOPICS[week % len(TOPICS)])
                if week % 4 == 1 and len(working) > 3:
                    self._report(working[3], "市发改委规划处", "专项规划编制进展", revoked=week == 5)
            week += 1
            monday += timedelta(days=7)

    def _report(self, day: date, office: str, topic: str, *, revoked: bool = False) -> None:
        def act() -> None:
            clock = self.clock
            view = upward_reports.add_upward_report(UnitOfWork(clock.engine), caller=clock.caller(
                SECRETARIAT, clock.running), to_office=office, topic=topic, reported_on=day)
            if revoked:
                upward_reports.revoke_upward_report(UnitOfWork(clock.engine), caller=clock.caller(
                    SECRETARIAT, clock.running), report_id=view.id, reason="重复登记")
        self.on(day, (16, 30), act)
