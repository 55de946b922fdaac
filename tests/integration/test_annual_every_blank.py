"""A hand-built 2024 in which every one of the summary's 50 blanks has records, each figure known in advance.

Problems, projects and meetings are the year of test_annual_blanks.py (built through the services and
checked there in detail); every other kind is entered through the command line, as the secretariat and
the units would, against the same database. The annual report is then read through the command line
as JSON, Markdown and Word, blank by blank.

The year of the other kinds, and the figures it gives:
- plan tasks: the plan SSW-ZQ gets 12 tasks led by ZRZY, FGJ, DQY and XHZ (with ZJJ helping one): "10"
  (written down to its ten: 余项); towns/parks DQY, XHZ: 2; departments ZRZY, FGJ, ZJJ: 3. The policy
  ZC-2024-1 gets 4 measures: 4.
- special plans: 5 added; at the year's end 2 issued (one led by FGJ), 1 past 常务会 (FGJ), 1 past expert
  review, 1 drafting (FGJ): 5, 2, 1, 1; 我委 (FGJ) leads 3.
- funds: central budget 1.2亿 and provincial special funds 3000万 granted (1.50 亿元), special bonds 2亿
  (2.00), one refused and one withdrawn after applying (not counted), one granted in 2025 (not counted).
- disbursements: paid in 2020, 2022, 2023 and 2024 (one 2024 entry revoked): the run 2022–2024, 3 years,
  1.1亿 + 0.8亿 + 1.25亿 = 3.15亿, written "超3.15亿" (down, never above what was paid).
- filings: 6 received in 2024 (one received in 2023 not counted): 6.
- indicators: FAI from February (1–2月) to November, latest 6.8; SRV from March, latest 9.1: "2－11月".
- upward reports: one to 市发改委 every week of 2024 from the week of 1 January to the week of 23
  December (52 complete weeks), a second in eleven of them, one of those revoked: 62 reports, fewest 1.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from docx import Document
from typer.testing import CliRunner, Result

from coordination.cli.main import app
from tests.integration.test_annual_blanks import build_2024

EXPECTED = {
    "policy_measures": "4", "plan_tasks": "10", "task_towns": "2", "task_departments": "3",
    "projects": "3", "projects_investment": "48.00",
    "industry_projects": "1", "industry_investment": "35.00",
    "livelihood_projects": "1", "livelihood_investment": "8.00",
    "infrastructure_projects": "1", "infrastructure_investment": "5.00",
    "special_plans": "5", "plans_issued": "2", "plans_council": "1", "plans_expert": "1", "plans_led": "3",
    "completed_industry": "1",
    "indicator_first_month": "2", "indicator_last_month": "11", "fixed_asset_growth": "6.8",
    "services_revenue_growth": "9.1",
    "monitoring": "4", "problems_found": "3", "suggestions": "1", "weekly_reports": "1",
    "key_projects": "2", "key_projects_plan": "14.00",
    "provincial_projects": "1", "provincial_investment": "35.00", "provincial_plan": "12.00",
    "provincial_started": "1", "provincial_start_rate": "100.0", "provincial_done": "6.00",
    "provincial_completion": "50.0",
    "municipal_projects": "1", "municipal_investment": "8.00", "municipal_plan": "2.00",
    "municipal_started": "0", "municipal_start_rate": "0.0", "municipal_done": "0.50",
    "municipal_completion": "25.0",
    "leader_meetings": "1", "unit_head_meetings": "1", "problems_solved": "1",
    "guidance_fund_years": "3", "guidance_fund_total": "3.15", "filings": "6", "granted_funds": "1.50",
    "special_bonds": "2.00",
}
SECRETARIAT = "wang_mishu"


class Command:
    """The command line against the district's database, at a moment of the district's day."""

    def __init__(self, url: str, home: Path) -> None:
        self.runner = CliRunner()
        self.env = {"COORD_DATABASE_URL": url, "COORD_HOME": str(home), "COORD_USER": "", "COORD_LANG": "",
                    "COLUMNS": "160"}

    def __call__(self, *args: str, on: str, as_: str = SECRETARIAT) -> Result:
        result = self.runner.invoke(app, [*args, "--as", as_],
                                    env={**self.env, "COORD_NOW": f"{on}T10:00:00+08:00"})
        assert result.exit_code == 0, (args, result.output)
        return result

    def json(self, *args: str, on: str, as_: str = SECRETARIAT) -> Any:
        return json.loads(self(*args, "--json", on=on, as_=as_).stdout)


def build_other_kinds(run: Command) -> None:
    run("unit", "add", "XHZ", "新华镇", "--kind", "locality", on="2024-01-02", as_="admin")
    _tasks(run)
    _special_plans(run)
    _funds(run)
    _disbursements(run)
    _filings(run)
    _indicators(run)
    _upward_reports(run)


def _tasks(run: Command) -> None:
    run("plan", "add", "SSW-ZQ", "“十四五”规划中期评估任务分解", on="2024-02-01")
    run("plan", "add", "ZC-2024-1", "关于促进制造业高质量发展的若干政策措施", "--kind", "policy", on="2024-02-01")
    leads = ("ZRZY", "FGJ", "DQY", "XHZ")
    for index in range(12):
        extra = ("--co-units", "ZJJ") if index == 0 else ()
        run("task", "add", "--plan", "SSW-ZQ", "--title", f"重点任务分解第{index + 1}项", "--unit", leads[index % 4],
            "--due", "2024-12-31", *extra, on="2024-03-04")
    for title in ("设立制造业转型升级专项资金", "优化工业项目审批流程", "落实研发费用加计扣除", "支持企业技术改造"):
        run("task", "add", "--plan", "ZC-2024-1", "--title", title, "--unit", "FGJ", "--due", "2024-12-31",
            on="2024-04-01")


def _special_plans(run: Command) -> None:
    stages = {  # code: (lead unit, stages passed in 2024)
        "JT": ("FGJ", 3), "NY": ("FGJ", 2), "CYY": ("DQY", 3), "GT": ("ZRZY", 1), "SZ": ("FGJ", 0)}
    for code, (unit, passed) in stages.items():
        run("special-plan", "add", code, f"东区{code}专项规划", "--unit", unit, on="2024-03-01")
        for step, day in zip(range(passed), ("2024-05-06", "2024-07-01", "2024-09-02"), strict=False):
            run("special-plan", "advance", code, "--document", f"第{step + 1}环节文件", on=day)


def _funds(run: Command) -> None:
    granted = (("2024-01", "污水处理厂扩建中央预算内投资", "central", "budget", "1.2亿"),
               ("2024-02", "产业园基础设施省级专项资金", "provincial", "special", "3000万"),
               ("2024-03", "城市更新专项债券", "municipal", "bond", "2亿"))
    for code, name, source, kind, amount in granted:
        run("fund", "add", code, name, "--source", source, "--type", kind, on="2024-02-05")
        run("fund", "prepare", code, on="2024-03-04")
        run("fund", "apply", code, on="2024-04-01")
        run("fund", "grant", code, "--amount", amount, "--document", "下达文件", on="2024-06-03")
    run("fund", "evaluate", "2024-01", "--result", "绩效良好", on="2024-12-02")
    run("fund", "add", "2024-04", "冷链物流中央预算内投资", "--source", "central", "--type", "budget", on="2024-02-05")
    run("fund", "prepare", "2024-04", on="2024-03-04")
    run("fund", "apply", "2024-04", on="2024-04-01")
    run("fund", "refuse", "2024-04", "--reason", "未通过国家发改委审核", on="2024-07-01")
    run("fund", "add", "2024-05", "智慧园区省级专项资金", "--source", "provincial", "--type", "special",
        on="2024-02-05")
    run("fund", "withdraw", "2024-05", "--reason", "项目调整，撤回申报", on="2024-05-06")
    run("fund", "add", "2024-06", "老旧小区改造中央预算内投资", "--source", "central", "--type", "budget",
        on="2024-10-08")
    run("fund", "prepare", "2024-06", on="2024-11-04")


def _disbursements(run: Command) -> None:
    for enterprise, amount, day in (("东区新材料有限公司", "5000万", "2020-06-01"),
                                    ("东区新材料有限公司", "6000万", "2022-05-10"),
                                    ("华芯新能源材料有限公司", "5000万", "2022-09-01"),
                                    ("东区储能科技有限公司", "8000万", "2023-06-15"),
                                    ("东区新材料有限公司", "7500万", "2024-04-10"),
                                    ("东区汽配制造有限公司", "5000万", "2024-08-20")):
        run("fund", "disburse", "--enterprise", enterprise, "--amount", amount, "--date", day, on="2024-09-02")
    wrong = run.json("fund", "disburse", "--enterprise", "录入错误公司", "--amount", "1亿", "--date", "2024-09-01",
                     on="2024-09-02")
    run("fund", "revoke-disbursement", wrong["id"], "--reason", "重复录入", on="2024-09-03")


def _filings(run: Command) -> None:
    run("filing", "add", "-p", "2023年受理的项目", "-e", "东区新材料有限公司", "--unit", "FGJ", on="2023-12-28")
    for index, day in enumerate(("2024-01-08", "2024-03-11", "2024-05-13", "2024-07-08", "2024-09-09", "2024-12-23")):
        added = run.json("filing", "add", "-p", f"备案项目{index + 1}", "-e", "东区某有限公司", "--unit", "FGJ", on=day)
        if index < 5:
            run("filing", "complete", added["id"], on=day)


def _indicators(run: Command) -> None:
    run("indicator", "add", "FAI", "全区固定资产投资增速", "--unit", "%", "--target", "8", on="2024-02-01")
    run("indicator", "add", "SRV", "规上服务业营业收入增速", "--unit", "%", "--target", "8", on="2024-02-01")
    for code, month, value in (("FAI", 2, "5.1"), ("FAI", 6, "6.2"), ("FAI", 11, "6.8"), ("SRV", 3, "8.4"),
                               ("SRV", 10, "9.1")):
        run("indicator", "record", code, "--month", f"2024-{month:02d}", "--value", value,
            on=f"2024-{month + 1:02d}-10")


def _upward_reports(run: Command) -> None:
    monday = date(2024, 1, 1)
    for week in range(52):
        day = monday + timedelta(weeks=week, days=1)
        run("report-up", "add", "--to", "市发改委投资处", "--date", day.isoformat(), "--topic", "重大项目推进情况",
            on=day.isoformat())
        if week % 5 == 0:
            later = (day + timedelta(days=2)).isoformat()
            again = run.json("report-up", "add", "--to", "市发改委规划处", "--date", later, "--topic", "规划编制情况",
                             on=later)
            if week == 10:
                run("report-up", "revoke", again["id"], "--reason", "误录", on=later)


def test_every_blank_of_the_year_is_the_figure_known_in_advance_in_json_markdown_and_word(
        district: Any, tmp_path: Path) -> None:
    # One year built per back end (some 200 commands): the three readings share it.
    build_2024(district)
    year = Command(district.url, tmp_path / "home")
    build_other_kinds(year)

    report = year.json("report", "annual", "--year", "2024", on="2025-01-06")
    figures = {b["id"]: b["figure"] for b in report["blanks"]}
    assert len(figures) == 50
    assert figures == EXPECTED
    assert all(b["has_records"] for b in report["blanks"])
    assert report["missing_kinds"] == []
    methods = {b["id"]: b["method"] for b in report["blanks"]}
    assert "3" in methods["guidance_fund_years"] and "向下取" in methods["guidance_fund_total"]
    # 52 weekly reports and 11 second ones, one of them revoked.
    assert methods["weekly_reports"] == "本年度向市发改委对口处室汇报62次，各周中汇报最少的一周为1次"

    markdown_file, word_file = tmp_path / "年度总结.md", tmp_path / "年度总结.docx"
    year("report", "annual", "--year", "2024", "--format", "md", "--out", str(markdown_file), on="2025-01-06")
    year("report", "annual", "--year", "2024", "--format", "docx", "--out", str(word_file), on="2025-01-06")
    markdown = markdown_file.read_text(encoding="utf-8")
    word = Document(str(word_file))
    body = "\n".join(p.text for p in word.paragraphs)
    for blank in report["blanks"]:
        assert blank["text"] in markdown, blank["id"]
        assert blank["text"] in body, blank["id"]
    assert "本年度尚无记录" not in markdown and "本年度尚无记录" not in body
    assert "连续3年累计发放资金超3.15亿元" in body and "2－11月，全区固定资产投资增速6.8％" in body
    table = next(t for t in word.tables if t.rows[0].cells[0].text == "原文表述")
    assert {(r.cells[0].text, r.cells[1].text) for r in table.rows[1:]} == {
        (b["phrase"], b["figure"]) for b in report["blanks"]}
