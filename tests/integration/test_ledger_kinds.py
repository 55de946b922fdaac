"""The ledger export's reading sheets (重点任务, 专项规划, 项目备案, 资金争取, 引导资金发放, 对上汇报), read back
with openpyxl from a district holding items of every kind: headers, one row per item (revoked payments and
reports left out), number formats, the sheets' finishing; and the round trip: an export imports again with
no change and no warning, the reading sheets skipped.

The district (tests/conftest.py) is built once for the module and copied for each test; the items belong
to 区自然资源和规划局 (ZRZY); today is Monday 2024-06-03.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from sqlalchemy import text

from coordination.domain.filing_workflow import FilingAction
from coordination.domain.fund_workflow import FundAction
from coordination.domain.ledger_kinds import EXPORT_ONLY_TITLES, READING_SHEETS
from coordination.domain.special_plan_workflow import SpecialPlanAction
from coordination.render.xlsx import MAX_WIDTH
from coordination.services import ledger

GRANTED_YUAN = 12_345_678  # 1,234.5678 万元: a grant not a round number of 万元
PAID_YUAN = 1_234_567


@pytest.fixture(scope="module")
def stocked(district_factory: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The district with one item of each kind (two filings: one done on time, one still open), a problem,
    an indicator's month, and a revoked payment and report that the export leaves out."""
    d = district_factory(tmp_path_factory.mktemp("stocked") / "coord.sqlite3")
    s = d.secretariat
    d.assign(d.raise_problem())
    d.add_plan()
    d.extra["task"] = d.add_task(co_units=(d.other_unit,))
    plan = d.extra["special_plan"] = d.add_special_plan(now=d.now - timedelta(days=28))  # 2024-05-06
    d.special_plan_act(s, plan, SpecialPlanAction.REVIEW, document="专家评审意见（2024）3号", on=date(2024, 5, 20))
    done = d.extra["filing_done"] = d.add_filing(now=d.now - timedelta(days=3))
    d.filing_act(d.handler, done, FilingAction.COMPLETE)
    d.extra["filing_open"] = d.add_filing(project_name="东区光伏组件扩产项目", enterprise="东区光能科技有限公司")
    fund = d.extra["fund"] = d.add_fund(project=d.project, now=d.now - timedelta(days=123))  # 2024-02-01
    d.fund_act(s, fund, FundAction.PREPARE, on=date(2024, 3, 1))
    d.fund_act(s, fund, FundAction.APPLY, on=date(2024, 4, 10))
    d.fund_act(s, fund, FundAction.GRANT, on=date(2024, 5, 20), amount_yuan=GRANTED_YUAN,
               document="发改投资〔2024〕88号")
    d.extra["paid"] = d.add_disbursement(amount_yuan=PAID_YUAN, paid_on=date(2024, 5, 31))
    d.revoke_disbursement(s, d.add_disbursement(enterprise="误录企业"))
    d.extra["report"] = d.add_upward_report(on=date(2024, 5, 30))
    d.revoke_upward_report(s, d.add_upward_report(topic="误录事项"))
    d.indicator_record(d.handler, d.add_indicator(), "2024-05", "7.9")
    return d


@pytest.fixture
def district(stocked: Any, tmp_path: Path) -> Any:
    return stocked.copy_to(tmp_path / "coord.sqlite3")


def export(district: Any, path: Path) -> Path:
    ledger.export_ledger(district.uow(), path=path, today=district.now.date())
    return path


def table(book: Any, title: str) -> list[dict[str, Any]]:
    rows = list(book[title].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def headers(book: Any, title: str) -> list[Any]:
    return [c.value for c in book[title][1]]


def test_each_kind_has_its_sheet_with_its_headers_and_one_row_per_item(district: Any, tmp_path: Path) -> None:
    written = ledger.export_ledger(district.uow(), path=tmp_path / "台账.xlsx", today=district.now.date())
    assert written.readings == {"重点任务": 1, "专项规划": 1, "项目备案": 2, "资金争取": 1, "引导资金发放": 1,
                                "对上汇报": 1}
    assert written.to_json()["readings"] == written.readings
    book = openpyxl.load_workbook(tmp_path / "台账.xlsx")
    assert book.sheetnames == ["说明", "项目", "投资进度", "问题", "指标", "重点任务", "专项规划", "项目备案",
                               "资金争取", "引导资金发放", "对上汇报", "单位", "人员"]
    for sheet in READING_SHEETS:
        assert headers(book, sheet.title) == [c.header for c in sheet.columns]

    task = district.extra["task"]
    assert table(book, "重点任务") == [{
        "任务编号": task, "规划/文件": "“十四五”规划中期评估任务分解", "任务": "完成国土空间总体规划报批",
        "牵头单位": "区自然资源和规划局", "配合单位": "区住房和城乡建设局", "状态": "已分解",
        "完成期限": datetime(2024, 9, 1), "亮灯": "绿灯"}]
    plan = district.extra["special_plan"]
    assert table(book, "专项规划") == [{
        "规划代码": plan, "规划名称": "综合交通专项规划", "编制牵头单位": "区自然资源和规划局", "阶段": "专家评审通过",
        "立项编制日期": datetime(2024, 5, 6), "专家评审日期": datetime(2024, 5, 20),
        "专家评审文件": "专家评审意见（2024）3号", "常务会审议日期": None, "常务会审议会议": None, "印发日期": None,
        "印发文件": None}]
    done, still_open = table(book, "项目备案")
    assert (done["备案编号"], done["状态"], done["是否按时"], done["亮灯"]) == (
        district.extra["filing_done"], "已办结", "是", None)
    assert done["受理日期"] == datetime(2024, 5, 31) and done["办结/退回日期"] == datetime(2024, 6, 3)
    assert (still_open["备案编号"], still_open["项目名称"], still_open["企业"], still_open["受理单位"]) == (
        district.extra["filing_open"], "东区光伏组件扩产项目", "东区光能科技有限公司", "区自然资源和规划局")
    assert (still_open["状态"], still_open["是否按时"], still_open["办结/退回日期"]) == ("已受理", None, None)
    assert isinstance(still_open["办理时限"], datetime) and still_open["亮灯"] in {"绿灯", "黄灯"}
    [fund] = table(book, "资金争取")
    assert fund == {
        "编号": district.extra["fund"], "名称": "东区污水处理厂扩建中央预算内投资", "资金来源": "中央",
        "资金类型": "预算内投资", "项目编号": district.project, "项目名称": district.project_name,
        "申报单位": "区自然资源和规划局", "阶段": "计划下达", "入库日期": datetime(2024, 2, 1),
        "前期推进日期": datetime(2024, 3, 1), "审核申报日期": datetime(2024, 4, 10),
        "计划下达日期": datetime(2024, 5, 20), "绩效评估日期": None, "终止日期": None,
        "下达金额（万元）": pytest.approx(1234.5678), "下达金额（元）": GRANTED_YUAN,
        "下达文件": "发改投资〔2024〕88号"}
    assert table(book, "引导资金发放") == [{
        "发放编号": district.extra["paid"], "企业": "东区新材料有限公司", "金额（万元）": pytest.approx(123.4567),
        "金额（元）": PAID_YUAN, "发放日期": datetime(2024, 5, 31), "发放单位": "区自然资源和规划局"}]
    assert table(book, "对上汇报") == [{
        "汇报编号": district.extra["report"], "汇报对象": "市发改委投资处", "汇报日期": datetime(2024, 5, 30),
        "汇报事项": "东区电池材料产业园项目推进情况", "汇报单位": "区自然资源和规划局"}]
    guide = [row[0] for row in book["说明"].iter_rows(values_only=True)]
    assert any(line and "重点任务" in line and "导入时不读取" in line for line in guide)


def test_the_reading_sheets_are_finished_and_keep_the_exact_yuan(district: Any, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(export(district, tmp_path / "台账.xlsx"))
    for spec in READING_SHEETS:
        sheet = book[spec.title]
        last = get_column_letter(len(spec.columns))
        assert sheet.freeze_panes == "B2" and sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}", spec.title
        assert sheet.print_title_rows == "$1:$1" and sheet.page_setup.orientation == "landscape", spec.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True, spec.title
        assert all(c.font.b for c in sheet[1]), spec.title
        for position, column in enumerate(spec.columns, start=1):
            assert column.width <= sheet.column_dimensions[get_column_letter(position)].width <= MAX_WIDTH
    funds = book["资金争取"]
    cells = dict(zip(headers(book, "资金争取"), funds[2], strict=True))
    assert cells["下达金额（万元）"].number_format == "#,##0.00##"  # every 元 shows: 1,234.5678
    assert Decimal(str(cells["下达金额（万元）"].value)) * 10_000 == cells["下达金额（元）"].value == GRANTED_YUAN
    assert cells["下达金额（元）"].number_format == "#,##0"
    assert cells["计划下达日期"].number_format == "yyyy-mm-dd"


def snapshot(district: Any) -> dict[str, list[tuple[Any, ...]]]:
    tables = ("project", "problem", "task", "special_plan", "filing", "fund", "disbursement", "upward_report",
              "indicator_value", "audit_event", "outbox")
    with district.engine.connect() as conn:
        return {t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1"))] for t in tables}


def test_an_export_with_every_kind_imports_again_unchanged_and_skips_the_reading_sheets(
    district: Any, tmp_path: Path
) -> None:
    exported = export(district, tmp_path / "台账.xlsx")
    before = snapshot(district)
    caller = district.caller(district.secretariat, origin=ledger.import_origin(exported))
    again = ledger.import_ledger(district.uow(), caller=caller, path=exported)
    assert again.events == 0 and not again.changed and again.warnings == []
    assert set(again.sheets) == {"项目", "投资进度", "问题", "指标"}
    assert set(again.ignored_sheets) == {"说明", "单位", "人员", *EXPORT_ONLY_TITLES}
    assert snapshot(district) == before
    # the same workbook again, sheet for sheet and cell for cell
    second = export(district, tmp_path / "台账-2.xlsx")
    assert _cells(second) == _cells(exported)


def _cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(path)
    return {sheet.title: [tuple(r) for r in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


def test_a_reading_sheet_is_skipped_even_where_its_headers_would_pass_for_a_project_sheet(
    district: Any, tmp_path: Path
) -> None:
    # 牵头单位 and 配合单位 make a header row the 项目 sheet's: read as one, the task would be a project
    # without a code. By its title it is skipped instead.
    book = openpyxl.Workbook()
    book.active.title = "重点任务"
    book.active.append(["任务编号", "任务", "牵头单位", "配合单位"])
    book.active.append(["T-2024-0009", "完成规划报批", "区自然资源和规划局", "ZJJ"])
    progress = book.create_sheet("投资进度")
    progress.append(["项目编号", "月份", "当月完成投资（万元）"])
    progress.append([district.project, "2024-05", 120])
    path = tmp_path / "自制台账.xlsx"
    book.save(path)
    result = ledger.import_ledger(district.uow(), caller=district.caller(district.secretariat), path=path)
    assert result.ignored_sheets == ["重点任务"] and result.sheets == {"投资进度": "progress"}
    assert result.progress_changed == 1 and result.projects_created == []
