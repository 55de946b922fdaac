"""The annual summary fills every figure blank of the district's document, on a hand-built 2024.

The district of tests/conftest.py (its 磷酸铁锂 project registered 3 June 2024) gets, in 2024: the
project made an 产业类 省重点 of 35亿 started 20 March with a 12亿 plan, 3亿 done in May and 3亿 in
October, in production from 15 November; a 市重点 老旧小区改造 of 8亿 planned to start 1 May and not
started, with a 2亿 plan and 0.5亿 done in June; a 区重点 road of 5亿. Three problems raised, one struck
off; one 挂钩领导会办 with one decision and one 专班会商 without; one sweep and three progress entries.
Plan tasks, special plans and filings hold no records that year (none were added), nor do the kinds coord
does not store yet (funds, disbursements, indicators, upward reports): their blanks read 0 and the report
names them. The plan tasks' four blanks, and the five special-plan blanks with the filing blank, are
checked on hand-built 2025s of their own (below).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from docx import Document

from coordination.config import DISTRICT_TZ
from coordination.domain.annual_blanks import BLANKS
from coordination.domain.enums import Action, ProjectKind, ProjectLevel
from coordination.domain.investment import YearMonth
from coordination.domain.meetings import DecisionInput, MeetingKind, Outcome
from coordination.domain.periods import Cadence, parse_period
from coordination.render import gongwen
from coordination.render import report as render
from coordination.services import directory, meetings, projects, reports, sweep

ROAD = "JC-2024-015"
HOUSING = "CB-2024-003"
YI = 100_000_000
AFTER = datetime(2025, 1, 6, 2, tzinfo=UTC)  # the report is read after the year has ended

# Every blank's figure as the summary writes it (a kind without records: a plain 0).
EXPECTED = {
    "policy_measures": "0", "plan_tasks": "0", "task_towns": "0", "task_departments": "0",
    "projects": "3", "projects_investment": "48.00",
    "industry_projects": "1", "industry_investment": "35.00",
    "livelihood_projects": "1", "livelihood_investment": "8.00",
    "infrastructure_projects": "1", "infrastructure_investment": "5.00",
    "special_plans": "0", "plans_issued": "0", "plans_council": "0", "plans_expert": "0", "plans_led": "0",
    "completed_industry": "1",
    "indicator_first_month": "0", "indicator_last_month": "0", "fixed_asset_growth": "0",
    "services_revenue_growth": "0",
    "monitoring": "4", "problems_found": "3", "suggestions": "1", "weekly_reports": "0",
    "key_projects": "2", "key_projects_plan": "14.00",
    "provincial_projects": "1", "provincial_investment": "35.00", "provincial_plan": "12.00",
    "provincial_started": "1", "provincial_start_rate": "100.0", "provincial_done": "6.00",
    "provincial_completion": "50.0",
    "municipal_projects": "1", "municipal_investment": "8.00", "municipal_plan": "2.00",
    "municipal_started": "0", "municipal_start_rate": "0.0", "municipal_done": "0.50",
    "municipal_completion": "25.0",
    "leader_meetings": "1", "unit_head_meetings": "1", "problems_solved": "1",
    "guidance_fund_years": "0", "guidance_fund_total": "0", "filings": "0", "granted_funds": "0",
    "special_bonds": "0",
}
MISSING = ["tasks", "special_plans", "funds", "disbursements", "filings", "indicators", "upward_reports"]
MISSING_ZH = ("本年度尚无记录：重点任务、专项规划、资金争取、引导资金发放、项目备案、指标监测、对上汇报"
                 "（相关数字按0填写）。")


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime.combine(date(2024, month, day), time(hour), tzinfo=DISTRICT_TZ).astimezone(UTC)


def build_2024(d: Any) -> None:
    secretariat = d.caller(d.secretariat, at(6, 4))
    projects.update_project(d.uow(), caller=secretariat, code=d.project, wanted=projects.ProjectFields(
        kind=ProjectKind.INDUSTRY, total_investment_yuan=35 * YI, planned_start=date(2024, 3, 1),
        actual_start=date(2024, 3, 20)), annual_plan_yuan=12 * YI)
    admin = d.caller(d.admin, at(6, 4))
    for code, name, level, details in (
        (HOUSING, "城北片区老旧小区改造项目", ProjectLevel.MUNICIPAL, directory.InvestmentDetails(
            kind=ProjectKind.LIVELIHOOD, total_investment_yuan=8 * YI, planned_start=date(2024, 5, 1),
            plan_year=2024, annual_plan_yuan=2 * YI)),
        (ROAD, "东区电池材料产业园配套道路工程", ProjectLevel.DISTRICT, directory.InvestmentDetails(
            kind=ProjectKind.INFRASTRUCTURE, total_investment_yuan=5 * YI)),
    ):
        directory.add_project(d.uow(), caller=admin, code=code, name=name, level=level, locality=d.locality,
                              lead_unit=d.service_unit, leaders=[d.leader], helpers=[d.solving_unit],
                              specialists=[d.specialist], details=details)
    for code, month, yuan, when in ((d.project, YearMonth(2024, 5), 3 * YI, at(6, 4, 11)),
                                    (HOUSING, YearMonth(2024, 6), YI // 2, at(7, 3)),
                                    (d.project, YearMonth(2024, 10), 3 * YI, at(11, 5))):
        projects.record_progress(d.uow(), caller=d.caller(d.specialist, when), code=code, month=month,
                                 completed_yuan=yuan)
    projects.update_project(d.uow(), caller=d.caller(d.secretariat, at(11, 20)), code=d.project,
                            wanted=projects.ProjectFields(actual_production=date(2024, 11, 15)))

    solved = d.raise_problem(title="二期用地指标未落实", now=at(6, 4))
    d.assign(solved, now=at(6, 4, 11))
    d.act(d.handler, solved, Action.ACKNOWLEDGE, now=at(6, 4, 15))
    d.act(d.handler, solved, Action.RESOLVE, now=at(6, 6), reason="指标已下达")
    d.act(d.specialist, solved, Action.VERIFY, now=at(6, 7))
    decided = d.raise_problem(title="110kV 专线接入方案未批复", category="配套", now=at(6, 5))
    d.assign(decided, now=at(6, 5, 11))
    d.act(d.handler, decided, Action.ACKNOWLEDGE, now=at(6, 5, 15))
    d.act(d.handler, decided, Action.ESCALATE, now=at(6, 6), reason="需专班会商")
    d.act(d.secretariat, decided, Action.ESCALATE, now=at(6, 6, 11), reason="提请挂钩领导会办")
    d.raise_problem(title="企业未按期入统", category="入统", now=at(6, 6))

    leader = meetings.plan_meeting(d.uow(), caller=d.caller(d.leader, at(6, 6, 16)), kind=MeetingKind.LEADER,
                                   held_on=date(2024, 6, 7), chair=d.leader)
    meetings.start_meeting(d.uow(), caller=d.caller(d.leader, at(6, 7)), meeting_id=leader.id)
    meetings.decide(d.uow(), caller=d.caller(d.leader, at(6, 7)), meeting_id=leader.id, problem_id=decided,
                    decision=DecisionInput(Outcome.ASSIGN, "供电公司牵头，7月底前完成接入方案批复",
                                           unit=d.solving_unit, due=date(2024, 7, 31)))
    meetings.close_meeting(d.uow(), caller=d.caller(d.leader, at(6, 7, 11)), meeting_id=leader.id)
    task_force = meetings.plan_meeting(d.uow(), caller=d.caller(d.unit_head, at(6, 11)),
                                       kind=MeetingKind.TASK_FORCE, held_on=date(2024, 6, 12), chair=d.unit_head)
    meetings.start_meeting(d.uow(), caller=d.caller(d.unit_head, at(6, 12)), meeting_id=task_force.id)
    meetings.close_meeting(d.uow(), caller=d.caller(d.unit_head, at(6, 12, 11)), meeting_id=task_force.id)

    sweep.sweep(d.uow(), caller=d.caller(d.system, at(7, 1, 7)))


def annual(d: Any, year: str = "2024") -> dict[str, Any]:
    return reports.build(d.uow(), cadence=Cadence.ANNUAL, period=parse_period(Cadence.ANNUAL, year),
                         now=AFTER).to_json()


def test_every_blank_of_the_year_is_the_figure_known_in_advance(district: Any) -> None:
    build_2024(district)
    report = annual(district)
    blanks = {b["id"]: b for b in report["blanks"]}
    assert list(blanks) == list(EXPECTED)
    for blank_id, figure in EXPECTED.items():
        assert blanks[blank_id]["figure"] == figure, blank_id
    assert blanks["projects_investment"]["value"] == 48.0 and blanks["municipal_done"]["value"] == 0.5
    assert blanks["provincial_start_rate"]["value"] == 100.0 and blanks["problems_found"]["value"] == 3
    assert blanks["provincial_completion"]["method"] == "完成投资60000万元÷年度计划120000万元×100％＝50.0％"
    assert blanks["monitoring"]["method"] == "本年度巡查次数＋项目投资进度填报条数：1＋3＝4次"
    assert blanks["key_projects_plan"]["method"] == "省、市重点项目本年度计划投资合计140000万元，折合14.00亿元"
    assert blanks["leader_meetings"]["phrase"] == "提请区领导共会办【××××】次"
    assert blanks["leader_meetings"]["text"] == "提请区领导共会办1次"
    assert blanks["provincial_plan"]["phrase"] == "省重点××个，总投资×××亿，年度计划【×××】亿"
    assert blanks["provincial_plan"]["text"] == "省重点1个，总投资35.00亿，年度计划12.00亿"


def test_kinds_without_records_read_0_and_are_named(district: Any) -> None:
    build_2024(district)
    report = annual(district)
    assert [k["kind"] for k in report["missing_kinds"]] == MISSING
    for blank in report["blanks"]:
        stored = blank["kind"] not in MISSING
        assert blank["has_records"] is stored, blank["id"]
        if not stored:
            assert blank["value"] == 0 and blank["method"] == f"本年度尚无{blank['kind_label']}记录，按0计"
    # 19 blanks wait for kinds with no records that year; the other 31 come from problems, meetings, sweeps
    # and projects (省市重点工程项目 and their 年度计划 among them).
    assert sum(not b["has_records"] for b in report["blanks"]) == 19


def test_a_year_with_no_records_reads_0_everywhere_and_names_every_kind(district: Any) -> None:
    report = annual(district, "2023")
    assert all(b["value"] == 0 and not b["has_records"] for b in report["blanks"])
    assert len(report["missing_kinds"]) == 11 and report["missing_kinds"][0]["label"] == "问题"
    assert render.markdown(render.document(report)).rstrip().endswith("（相关数字按0填写）。")


def test_fifty_blanks_with_their_own_ids_each_phrase_in_the_summary(district: Any) -> None:
    build_2024(district)
    report = annual(district)
    assert len(BLANKS) == len(report["blanks"]) == 50
    assert len({b["id"] for b in report["blanks"]}) == 50
    summary = "".join(report["annual"]["paragraphs"])
    for blank in report["blanks"]:
        assert blank["text"] in summary, blank["id"]
        assert blank["phrase"].count("【") == 1 and blank["unit"]
    assert "已竣工投产东区电池材料产业园年产10万吨磷酸铁锂正极材料项目等产业化项目1个" in summary


def test_markdown_and_word_write_the_summary_with_every_blank_filled(district: Any, tmp_path: Path) -> None:
    build_2024(district)
    report = annual(district)
    doc = render.document(report)
    markdown = render.markdown(doc)
    word = Document(str(render.docx(doc, tmp_path / "年度总结.docx")))
    paragraphs = [p.text for p in word.paragraphs]
    body = "\n".join(paragraphs)
    for blank in report["blanks"]:
        assert blank["text"] in markdown, blank["id"]
        assert blank["text"] in body, blank["id"]
    body_md, _footer = markdown.split("\n---\n")  # the audit fingerprint's footer follows the body
    assert body_md.rstrip().splitlines()[-1] == MISSING_ZH
    # In Word the line closes the body, right before the issuing office and date.
    office = next(i for i, text in enumerate(paragraphs) if text.strip() == gongwen.DEFAULT_OFFICE)
    assert [t for t in paragraphs[:office] if t.strip()][-1] == MISSING_ZH
    table = next(t for t in word.tables if t.rows[0].cells[0].text == "原文表述")
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert len(rows) == 50
    assert {(r[0], r[1]) for r in rows} == {(b["phrase"], b["figure"]) for b in report["blanks"]}


# ---- plan tasks (重点任务): a hand-built 2025 ------------------------------------------------------
# The plan SSW-ZQ and the policy ZC-2025-1 (both registered 3 June 2024) get tasks from 2024 to 2026:
#   plan tasks counted in 2025 (in hand at some time in it): one added in 2024 and still in progress, one
#   added and completed in 2025, one added in 2025 whose co-units were widened in 2026, and eight more
#   added in May 2025: 11, written "10" (余项), led by or helped by ZRZY, FGJ (departments), DQY and XHZ
#   (towns, parks), and an enterprise (neither);
#   not counted: one completed in 2024 (ZJJ with KFQ), one added in 2026 (CZJ with KFQ), and the units
#   the 2026 adjustment brought (KFQ, ZJJ);
#   policy measures: three added in 2025 (one completed in it), one added in 2024, one in 2026: 3.
# Units met only in tasks not counted or in policy measures (ZJJ, KFQ, CZJ) never reach the towns or
# departments: those count the plan's decomposition.
POLICY = "ZC-2025-1"
LATER = datetime(2026, 3, 2, 2, tzinfo=UTC)  # the reports below are read in March 2026


def day(year: int, month: int, day_: int, hour: int = 10) -> datetime:
    return datetime.combine(date(year, month, day_), time(hour), tzinfo=DISTRICT_TZ).astimezone(UTC)


def build_tasks(d: Any) -> None:
    from coordination.domain.enums import UnitKind
    from coordination.domain.task_workflow import TaskAction as T

    admin = d.caller(d.admin)
    for code, name, kind in (("XHZ", "新华镇", UnitKind.LOCALITY), ("KFQ", "经济开发区", UnitKind.LOCALITY),
                             ("CZJ", "区财政局", UnitKind.DEPARTMENT),
                             ("HXXNY", "华芯新能源材料有限公司", UnitKind.ENTERPRISE)):
        directory.add_unit(d.uow(), caller=admin, code=code, name=name, kind=kind)
    d.add_plan()
    d.add_plan(POLICY, "关于促进制造业高质量发展的若干政策措施", kind="policy")

    done_2024 = d.add_task(title="完成产业园控制性详细规划修编", unit=d.other_unit, co_units=("KFQ",),
                           due=date(2024, 9, 30), now=day(2024, 6, 10))
    d.task_act(d.other_handler, done_2024, T.ACKNOWLEDGE, now=day(2024, 6, 11))
    d.task_act(d.other_handler, done_2024, T.RESOLVE, reason="修编成果已批复", now=day(2024, 8, 1))
    d.task_act(d.secretariat, done_2024, T.VERIFY, now=day(2024, 8, 2))
    carried = d.add_task(title="完成国土空间总体规划报批", co_units=(d.locality,), due=date(2025, 6, 30),
                         now=day(2024, 9, 2))
    d.task_act(d.handler, carried, T.ACKNOWLEDGE, now=day(2024, 9, 3))
    d.add_task(POLICY, title="设立制造业转型升级专项资金", unit="CZJ", due=date(2025, 3, 31), now=day(2024, 11, 4))

    done_2025 = d.add_task(title="新华镇镇区详细规划编制", co_units=("XHZ", "HXXNY"), due=date(2025, 9, 30),
                           now=day(2025, 3, 3))
    d.task_act(d.handler, done_2025, T.ACKNOWLEDGE, now=day(2025, 3, 4))
    d.task_act(d.handler, done_2025, T.RESOLVE, reason="规划已批复", now=day(2025, 8, 1))
    d.task_act(d.secretariat, done_2025, T.VERIFY, now=day(2025, 8, 4))
    widened = d.add_task(title="完成工业用地更新专项行动", co_units=(d.service_unit,), due=date(2026, 6, 30),
                         now=day(2025, 4, 1))
    d.task_act(d.secretariat, widened, T.ADJUST, reason="扩大行动范围", now=day(2026, 2, 2),
               co_units=(d.service_unit, "KFQ", d.other_unit, "HXXNY"))
    for index in range(8):
        lead = (d.solving_unit, d.locality, d.service_unit, "XHZ")[index % 4]
        d.add_task(title=f"重点任务分解第{index + 1}项", unit=lead, due=date(2025, 12, 31), now=day(2025, 5, 6))
    d.add_task(title="编制2026年政府投资计划", unit="CZJ", co_units=("KFQ",), due=date(2026, 6, 30),
               now=day(2026, 1, 12))

    kept = d.add_task(POLICY, title="优化工业项目审批流程", unit=d.other_unit, due=date(2025, 6, 30),
                      now=day(2025, 2, 10))
    d.add_task(POLICY, title="落实研发费用加计扣除", unit="CZJ", due=date(2025, 12, 31), now=day(2025, 2, 10))
    d.add_task(POLICY, title="支持企业技术改造", unit=d.service_unit, due=date(2025, 12, 31), now=day(2025, 2, 10))
    d.task_act(d.other_handler, kept, T.ACKNOWLEDGE, now=day(2025, 2, 11))
    d.task_act(d.other_handler, kept, T.RESOLVE, reason="审批时限压缩至15个工作日", now=day(2025, 6, 2))
    d.task_act(d.secretariat, kept, T.VERIFY, now=day(2025, 6, 3))
    d.add_task(POLICY, title="强化制造业人才支撑", unit=d.service_unit, due=date(2026, 12, 31), now=day(2026, 1, 12))


def task_report(d: Any, year: str, viewer: Any = None) -> dict[str, Any]:
    return reports.build(d.uow(), cadence=Cadence.ANNUAL, period=parse_period(Cadence.ANNUAL, year), now=LATER,
                         viewer=viewer).to_json()


def task_figures(report: dict[str, Any]) -> dict[str, str]:
    return {b["id"]: b["figure"] for b in report["blanks"] if b["kind"] == "tasks"}


def test_plan_tasks_fill_their_four_blanks_as_the_year_ended(district: Any) -> None:
    build_tasks(district)
    report = task_report(district, "2025")
    assert task_figures(report) == {"policy_measures": "3", "plan_tasks": "10", "task_towns": "2",
                                    "task_departments": "2"}
    blanks = {b["id"]: b for b in report["blanks"]}
    assert blanks["plan_tasks"]["method"] == "规划目标和重点任务分解出的具体工作共11项，按“余项”写作10"
    assert blanks["task_departments"]["text"] == "责任落实到2个镇、开发区和2个区直单位"
    assert all(blanks[i]["has_records"] for i in task_figures(report))
    assert "tasks" not in [k["kind"] for k in report["missing_kinds"]]
    assert "牵头制定促进全区服务业领域困难行业恢复发展3条政策举措" in report["annual"]["paragraph"]
    # 2024: the task completed that year counts in it, with its units; the measure added that year too.
    assert task_figures(task_report(district, "2024")) == {"policy_measures": "1", "plan_tasks": "2",
                                                           "task_towns": "2", "task_departments": "2"}


def test_a_scoped_report_counts_the_tasks_of_the_viewers_unit_as_the_year_ended(district: Any) -> None:
    from coordination.services.visibility import viewer_of

    build_tasks(district)
    with district.uow() as uow:
        outsider = viewer_of(uow.session, district.other_handler)  # 住建局: co-unit of one task only since 2026
        leader = viewer_of(uow.session, district.leader)  # no unit: sees no task
    assert task_figures(task_report(district, "2025", outsider)) == {
        "policy_measures": "1", "plan_tasks": "0", "task_towns": "0", "task_departments": "0"}
    assert "tasks" in [k["kind"] for k in task_report(district, "2025", leader)["missing_kinds"]]


def test_a_year_without_plan_tasks_names_them_missing(district: Any) -> None:
    build_tasks(district)
    report = task_report(district, "2023")
    assert "tasks" in [k["kind"] for k in report["missing_kinds"]]
    assert set(task_figures(report).values()) == {"0"}


# ---- special plans (专项规划) and filings (备案): a hand-built 2025 --------------------------------
# Special plans, 我委 being the 发改局 (FGJ, the secretariat's unit); each plan's stage at the end of 2025:
#   GH (FGJ): added January 2024, issued November 2024 — still counted in 2025 (在编及已印发): issued;
#   JT (ZRZY): added 2024, expert review 2024, 常务会 January 2025, issued April 2025: issued;
#   JY (FGJ): added 2025, expert review May, 常务会 October 2025: 常务会审议通过;
#   NY (FGJ): added 2025, expert review July 2025: 专家评审通过;
#   SL (ZRZY): added 2025, expert review December 2025, 常务会 January 2026 (after the year): 专家评审通过;
#   WS (FGJ): added September 2025, still drafting: counted in the total only;
#   XF (FGJ): added February 2026: not counted.
# 2025: 6 plans, 2 issued, 1 past 常务会, 2 past expert review; 我委牵头 4 (GH, JY, NY, WS), 2 past 常务会.
# Filings (受理 → 办结 or 退回), received at ZRZY's window unless said:
#   received 30 Dec 2024, completed 3 Jan 2025: a 2024 filing (not closed in 2024);
#   received 3 Mar 2025, completed 5 Mar: closed; received 2 Jun 2025, returned 4 Jun: not closed;
#   received 1 Aug 2025 at FGJ's window, completed 4 Aug: closed;
#   received 30 Dec 2025, completed 5 Jan 2026: not closed in 2025; received 12 Jan 2026: not counted.
# 2025: 4 received, 2 closed.


def build_plans_and_filings(d: Any) -> None:
    from coordination.domain.filing_workflow import FilingAction as F

    secretariat = d.secretariat
    for code, name, unit, added, stages in (
        ("GH", "国土空间生态修复专项规划", d.service_unit, day(2024, 1, 8), (day(2024, 5, 6), day(2024, 9, 2),
                                                                         day(2024, 11, 4))),
        ("JT", "综合交通专项规划", d.solving_unit, day(2024, 3, 4), (day(2024, 9, 9), day(2025, 1, 13),
                                                                 day(2025, 4, 7))),
        ("JY", "教育设施布局专项规划", d.service_unit, day(2025, 2, 3), (day(2025, 5, 12), day(2025, 10, 13))),
        ("NY", "能源发展专项规划", d.service_unit, day(2025, 3, 3), (day(2025, 7, 7),)),
        ("SL", "水利发展专项规划", d.solving_unit, day(2025, 6, 2), (day(2025, 12, 22), day(2026, 1, 19))),
        ("WS", "卫生健康设施布局专项规划", d.service_unit, day(2025, 9, 1), ()),
        ("XF", "消防专项规划", d.service_unit, day(2026, 2, 2), ()),
    ):
        d.add_special_plan(code, name, unit=unit, now=added)
        for index, when in enumerate(stages):
            d.special_plan_act(secretariat, code, document=f"{name}第{index + 1}环节文件", now=when)

    def filing(received: datetime, unit: str | None = None) -> str:
        return str(d.add_filing(project_name=f"{received.date()}受理的项目", unit=unit, now=received))

    d.filing_act(secretariat, filing(day(2024, 12, 30)), F.COMPLETE, now=day(2025, 1, 3))
    d.filing_act(secretariat, filing(day(2025, 3, 3)), F.COMPLETE, now=day(2025, 3, 5))
    d.filing_act(secretariat, filing(day(2025, 6, 2)), F.RETURN, reason="材料不全", now=day(2025, 6, 4))
    d.filing_act(secretariat, filing(day(2025, 8, 1), d.service_unit), F.COMPLETE, now=day(2025, 8, 4))
    d.filing_act(secretariat, filing(day(2025, 12, 30)), F.COMPLETE, now=day(2026, 1, 5))
    filing(day(2026, 1, 12))


PLAN_AND_FILING_BLANKS = ("special_plans", "plans_issued", "plans_council", "plans_expert", "plans_led", "filings")


def plan_and_filing_figures(report: dict[str, Any]) -> dict[str, str]:
    return {b["id"]: b["figure"] for b in report["blanks"] if b["id"] in PLAN_AND_FILING_BLANKS}


def test_special_plans_and_filings_fill_their_blanks_as_the_year_ended(district: Any) -> None:
    build_plans_and_filings(district)
    report = task_report(district, "2025")
    assert plan_and_filing_figures(report) == {"special_plans": "6", "plans_issued": "2", "plans_council": "1",
                                               "plans_expert": "2", "plans_led": "4", "filings": "4"}
    blanks = {b["id"]: b for b in report["blanks"]}
    assert blanks["plans_led"]["method"] == "本局牵头编制的专项规划4个，其中已通过区政府常务会审议2个"
    assert blanks["filings"]["method"] == "本年度窗口受理的企业投资项目备案，计4件"
    assert all(blanks[i]["has_records"] for i in PLAN_AND_FILING_BLANKS)
    missing = [k["kind"] for k in report["missing_kinds"]]
    assert "special_plans" not in missing and "filings" not in missing
    paragraph = report["annual"]["paragraph"]
    assert "我委牵头的4个专项规划中，2个已通过区政府常务会审议。" in paragraph
    assert "我局窗口共受理备案事项4件，办结率50.0％。" in paragraph
    # 2024: GH issued, JT past expert review, both in hand; the one filing received then was closed in 2025.
    earlier = task_report(district, "2024")
    assert plan_and_filing_figures(earlier) == {"special_plans": "2", "plans_issued": "1", "plans_council": "0",
                                                "plans_expert": "1", "plans_led": "1", "filings": "1"}
    assert "我局窗口共受理备案事项1件，办结率0.0％。" in earlier["annual"]["paragraph"]


def test_a_scoped_report_counts_the_plans_and_filings_of_the_viewers_unit(district: Any) -> None:
    from coordination.services.visibility import viewer_of

    build_plans_and_filings(district)
    with district.uow() as uow:
        land = viewer_of(uow.session, district.handler)  # 自然资源和规划局: leads JT and SL, its window 3 filings
        outsider = viewer_of(uow.session, district.other_handler)  # 住建局: neither
    assert plan_and_filing_figures(task_report(district, "2025", land)) == {
        "special_plans": "2", "plans_issued": "1", "plans_council": "0", "plans_expert": "1", "plans_led": "0",
        "filings": "3"}
    missing = [k["kind"] for k in task_report(district, "2025", outsider)["missing_kinds"]]
    assert "special_plans" in missing and "filings" in missing


def test_a_year_without_special_plans_or_filings_names_them_missing(district: Any) -> None:
    build_plans_and_filings(district)
    report = task_report(district, "2023")
    missing = [k["kind"] for k in report["missing_kinds"]]
    assert "special_plans" in missing and "filings" in missing
    assert set(plan_and_filing_figures(report).values()) == {"0"}
