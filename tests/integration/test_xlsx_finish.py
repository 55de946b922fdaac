"""Every sheet coord writes is one an official keeps working in, read back with openpyxl: the header
frozen, an auto-filter over the table, widths from content, money in 万元 with thousands separators,
real percentages and dates, and A4 landscape printing one page wide with the header on every page.

The district (tests/conftest.py) has the provincial project DQ-2024-007; today is Monday 2024-06-03.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from coordination.domain.periods import Cadence, parse_period
from coordination.render import report as render
from coordination.render.xlsx import MAX_WIDTH, display_width, fit_width
from coordination.services import ledger, reports

LATER = datetime(2024, 7, 15, 2, 0, tzinfo=UTC)  # both report periods are over
PROJECT = {
    "项目编号": "DQ-2024-011", "项目名称": "新华镇污水处理厂提标改造工程", "项目级别": "区重点", "项目类别": "社会民生",
    "总投资（万元）": "1.2亿", "计划年度": 2024, "年度计划投资（万元）": "3,000", "计划开工日期": "2024-03-01",
    "实际开工日期": "2024/3/15", "是否入统": "是", "挂钩区领导": "陈副区长", "属地": "东区电池材料产业园",
    "牵头单位": "区发展和改革局", "项目专员": "李专员",
}
MONTHS = [{"项目编号": "DQ-2024-011", "月份": f"2024-0{m}", "当月完成投资（万元）": 1250.5 + m} for m in (3, 4, 5)]


def finished(sheet: Any, *, header_row: int, columns: int, rows: int, frozen: str = "A") -> None:
    """The settings every table sheet coord writes carries."""
    last = get_column_letter(columns)
    assert sheet.freeze_panes == f"{frozen}{header_row + 1}", sheet.title
    assert sheet.auto_filter.ref == f"A{header_row}:{last}{header_row + rows}", sheet.title
    printed(sheet)
    assert sheet.print_title_rows == f"${header_row}:${header_row}", sheet.title
    for position in range(1, columns + 1):
        assert 8 <= sheet.column_dimensions[get_column_letter(position)].width <= MAX_WIDTH, sheet.title


def printed(sheet: Any) -> None:
    setup = sheet.page_setup
    assert (int(setup.paperSize), setup.orientation) == (9, "landscape"), sheet.title  # A4
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), sheet.title
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True, sheet.title
    assert sheet.oddFooter.center.text == "&P / &N", sheet.title
    assert sheet.page_margins.left < 0.75 and sheet.page_margins.footer > 0, sheet.title


def headers(sheet: Any, row: int) -> list[Any]:
    return [c.value for c in sheet[row]]


def column_of(sheet: Any, row: int, header: str) -> str:
    return get_column_letter(headers(sheet, row).index(header) + 1)


def width(sheet: Any, letter: str) -> float:
    return float(sheet.column_dimensions[letter].width)


@pytest.fixture
def district_with_projects(district: Any, tmp_path: Path) -> Any:
    """The district with a second project, its annual plan and three months of progress imported from
    a filled-in template, and one assigned problem."""
    template = tmp_path / "template.xlsx"
    ledger.write_template(district.uow(), path=template)
    book = openpyxl.load_workbook(template)
    for title, rows in (("项目", [PROJECT]), ("投资进度", MONTHS)):
        sheet = book[title]
        names = headers(sheet, 1)
        for row in rows:
            sheet.append([row.get(name) for name in names])
    filled = tmp_path / "filled.xlsx"
    book.save(filled)
    caller = district.caller(district.secretariat, origin=ledger.import_origin(filled))
    assert ledger.import_ledger(district.uow(), caller=caller, path=filled).changed
    district.assign(district.raise_problem(title="二期用地指标未落实"))
    return district


def written_report(district: Any, cadence: Cadence, period: str, path: Path) -> tuple[dict[str, Any], Any]:
    data = reports.build(district.uow(), cadence=cadence, period=parse_period(cadence, period), now=LATER).to_json()
    return data, openpyxl.load_workbook(render.xlsx(render.document(data), path))


def test_every_report_sheet_is_finished_for_work_and_print(district_with_projects: Any, tmp_path: Path) -> None:
    for cadence, period in ((Cadence.WEEKLY, "2024-W23"), (Cadence.MONTHLY, "2024-06")):
        data, book = written_report(district_with_projects, cadence, period, tmp_path / f"{period}.xlsx")
        doc = render.document(data)
        printed(book.worksheets[0])  # the cover
        assert book.worksheets[0].print_title_rows is None
        for table, sheet in zip(doc.tables, book.worksheets[1:], strict=True):
            finished(sheet, header_row=2, columns=len(table.columns), rows=len(table.rows))
            assert sheet["A1"].value == table.title("zh") and sheet["A1"].font.b
            assert all(c.font.b and c.alignment.wrap_text for c in sheet[2]), "headers bold and wrapping"


def test_weekly_report_cells_are_typed_and_columns_fit_ids_and_dates(district_with_projects: Any,
                                                                       tmp_path: Path) -> None:
    data, book = written_report(district_with_projects, Cadence.WEEKLY, "2024-W23", tmp_path / "周汇报.xlsx")
    problem = data["problems"]["lists"]["new"][0]
    new = book["新增清单"]
    assert new["A3"].value == problem["id"]
    assert width(new, "A") >= display_width(problem["id"]) + 2
    due = column_of(new, 2, "办结期限")
    assert new[f"{due}3"].value == datetime.fromisoformat(problem["due_date"])
    assert new[f"{due}3"].number_format == "yyyy-mm-dd" and width(new, due) >= 12
    level = column_of(new, 2, "层级")
    assert new[f"{level}3"].value == 1 and new[f"{level}3"].data_type == "n"
    assert width(new, column_of(new, 2, "项目")) == fit_width("项目", [problem["project_name"]])

    overview = {figure.value: value for figure, value in book["总体"].iter_rows(min_row=3)}
    assert overview["新增问题"].value == 1 and overview["新增问题"].number_format == "General"
    # "0.0%" as the Markdown and Word reports show it: a real percentage here
    assert overview["办结率"].value == 0.0 and overview["办结率"].number_format == "0.0%"

    units = book["分责任单位"]
    rate = column_of(units, 2, "办结率")
    assert units[f"{rate}3"].number_format == "0.0%"
    assert 0 <= units[f"{rate}3"].value <= 1 or units[f"{rate}3"].value is None


def test_monthly_report_holds_wan_with_separators_and_real_percentages(district_with_projects: Any,
                                                                        tmp_path: Path) -> None:
    data, book = written_report(district_with_projects, Cadence.MONTHLY, "2024-06", tmp_path / "月分析.xlsx")
    projects = book["项目推进"]
    names = headers(projects, 2)
    assert "开工率" in names and "开工率（%）" not in names, "the cell shows its % sign"
    assert "总投资（万元）" in names and "差距（百分点）" in names
    everything = data["projects"]["all"]
    row = {name: cell for name, cell in zip(names, projects[3], strict=True)}
    assert row["分组"].value == "全部项目"
    assert row["总投资（万元）"].value == pytest.approx(float(everything["total_investment_wan"]))
    assert row["总投资（万元）"].number_format == "#,##0.00"
    assert row["年度计划（万元）"].number_format == "#,##0.00"
    assert row["开工率"].value == pytest.approx(float(everything["start_rate"]) / 100)
    assert 0 <= row["开工率"].value <= 1 and row["开工率"].number_format == "0.0%"
    assert row["完成率（%）".removesuffix("（%）")].number_format == "0.0%"
    money = column_of(projects, 2, "总投资（万元）")
    assert width(projects, money) >= len(f"{float(everything['total_investment_wan']):,.2f}") + 2

    trend = book["趋势"]
    closure = column_of(trend, 2, "办结率")
    assert all(c.number_format == "0.0%" for c in trend[closure][2:] if c.value is not None)


def test_the_ledger_export_is_finished_and_still_imports_unchanged(district_with_projects: Any,
                                                                     tmp_path: Path) -> None:
    district = district_with_projects
    path = tmp_path / "台账.xlsx"
    written = ledger.export_ledger(district.uow(), path=path, today=district.now.date())
    book = openpyxl.load_workbook(path)
    for title, count in (("项目", written.projects), ("投资进度", written.progress), ("问题", written.problems)):
        sheet = book[title]
        finished(sheet, header_row=1, columns=sheet.max_column, rows=count, frozen="B")
    for title in ("单位", "人员"):
        finished(book[title], header_row=1, columns=book[title].max_column, rows=book[title].max_row - 1)
    printed(book["说明"])

    projects = book["项目"]
    names = headers(projects, 1)
    row = next(r for r in projects.iter_rows(min_row=2) if r[0].value == "DQ-2024-011")
    cells = dict(zip(names, row, strict=True))
    assert cells["总投资（万元）"].value == 12000 and cells["总投资（万元）"].number_format == "#,##0.00"
    assert cells["年度计划投资（万元）"].value == 3000 and cells["年度计划投资（万元）"].number_format == "#,##0.00"
    assert cells["计划开工日期"].value == datetime(2024, 3, 1) and cells["计划开工日期"].number_format == "yyyy-mm-dd"
    assert width(projects, "A") >= display_width("DQ-2024-011") + 2
    assert width(projects, column_of(projects, 1, "项目名称")) >= display_width(PROJECT["项目名称"]) + 2
    progress = book["投资进度"]
    amount = column_of(progress, 1, "当月完成投资（万元）")
    assert {c.value for c in progress[amount][1:]} >= {1253.5, 1254.5, 1255.5}
    assert all(c.number_format == "#,##0.00" for c in progress[amount][1:])
    problems = book["问题"]
    due = column_of(problems, 1, "办结期限")
    assert isinstance(problems[f"{due}2"].value, datetime) and problems[f"{due}2"].number_format == "yyyy-mm-dd"
    assert width(problems, "A") >= display_width("Q-2024-0001") + 2

    caller = district.caller(district.secretariat, origin=ledger.import_origin(path))
    again = ledger.import_ledger(district.uow(), caller=caller, path=path)
    assert not again.changed and again.events == 0 and again.warnings == []


def test_the_template_is_finished_and_formats_what_is_typed_in(district: Any, tmp_path: Path) -> None:
    path = tmp_path / "模板.xlsx"
    ledger.write_template(district.uow(), path=path)
    book = openpyxl.load_workbook(path)
    for title in ("项目", "投资进度", "问题"):
        finished(book[title], header_row=1, columns=book[title].max_column, rows=0, frozen="B")
    printed(book["说明"])
    projects = book["项目"]
    assert projects.column_dimensions[column_of(projects, 1, "总投资（万元）")].number_format == "#,##0.00"
    assert projects.column_dimensions[column_of(projects, 1, "计划开工日期")].number_format == "yyyy-mm-dd"
    assert width(projects, column_of(projects, 1, "年度计划投资（万元）")) >= display_width("年度计划投资（万元）")


def test_widths_count_wide_characters_twice_and_stop_at_the_cap() -> None:
    assert display_width("Q-2024-0001") == 11 and display_width("用地指标") == 8 and display_width("（%）") == 5
    assert fit_width("编号", ["Q-2024-0001"]) == 13
    assert fit_width("总投资（万元）", [1234567.5], "money") == display_width("总投资（万元）") + 2
    assert fit_width("金额", [1234567891.5], "money") == len("1,234,567,891.50") + 2
    assert fit_width("问题", ["很长的问题标题" * 20]) == MAX_WIDTH
    assert fit_width("", []) == 8


def test_long_text_wraps_within_the_widest_column(tmp_path: Path) -> None:
    long_title = "项目二期用地指标未落实，影响12月开工，" * 4
    doc = render.Document("标题", "2024年6月", tables=[render.Table(
        "清单", "List", [render.Column("id", "编号", "ID"), render.Column("title", "问题", "Problem"),
                       render.Column("due", "办结期限", "Due", render.DATE)],
        [{"id": "Q-2024-0001", "title": long_title, "due": "2024-06-25"}, {"id": "Q-2024-0002"}], "清单")])
    sheet = openpyxl.load_workbook(render.xlsx(doc, tmp_path / "清单.xlsx"))["清单"]
    finished(sheet, header_row=2, columns=3, rows=2)
    assert width(sheet, "B") == MAX_WIDTH and sheet["B3"].alignment.wrap_text
    assert not sheet["A3"].alignment.wrap_text and width(sheet, "A") == display_width("Q-2024-0001") + 2
    assert sheet["C3"].value == datetime(2024, 6, 25) and sheet["C4"].value is None
