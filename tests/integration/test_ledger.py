"""Excel ledgers through the services, with real .xlsx files (openpyxl) and a real SQLite file.

The district (tests/conftest.py) has 区发展和改革局 (FGJ), 区自然资源和规划局 (ZRZY), 区住房和城乡建设局
(ZJJ), 东区电池材料产业园 (DQY), and the provincial project DQ-2024-007; today is Monday 2024-06-03.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import text

from coordination.domain.enums import Action
from coordination.domain.errors import InvalidInput, NotFound, NotPermitted
from coordination.services import audit, issue_reads, ledger
from coordination.services.ledger import ImportResult, LedgerInvalid

Rows = list[dict[str, Any]]

NEW_PROJECT = {
    "项目编号": "DQ-2024-011", "项目名称": "新华镇污水处理厂提标改造工程", "项目级别": "区重点", "项目类别": "社会民生",
    "总投资（万元）": "1.2亿", "计划年度": 2024, "年度计划投资（万元）": "3,000", "计划开工日期": "2024-03-01",
    "实际开工日期": "2024/3/15", "计划竣工日期": "2025年6月", "是否入统": "是", "挂钩区领导": "陈副区长",
    "属地": "东区电池材料产业园", "牵头单位": "区发展和改革局", "帮办单位": "区自然资源和规划局、ZJJ",
    "项目专员": "李专员",
}
MONTHS: Rows = [{"项目编号": "DQ-2024-011", "月份": f"2024-0{m}", "当月完成投资（万元）": 250 + m} for m in (3, 4, 5)]
PROBLEMS: Rows = [
    {"项目编号": "DQ-2024-011", "问题标题": "污水管网接入点未确定，影响二期施工", "问题类别": "规划",
     "责任单位": "区自然资源和规划局", "难度": "C", "上报人": "李专员", "上报日期": "2024-05-28"},
    {"项目名称": "东区电池材料产业园年产10万吨磷酸铁锂正极材料项目", "问题标题": "35千伏供电专线接入滞后",
     "问题类别": "配套", "详细情况": "供电公司排期至9月，企业要求7月通电"},
    {"项目编号": "DQ-2024-007", "问题标题": "施工许可证办理材料反复退回", "问题类别": "施工许可",
     "责任单位": "ZJJ", "配合单位": "ZRZY", "难度": "B", "交办日期": "2024-05-31", "办结期限": "2024-06-28"},
]


# ---- helpers -------------------------------------------------------------------------------


@pytest.fixture
def template(district: Any, tmp_path: Path) -> Path:
    path = tmp_path / "template.xlsx"
    ledger.write_template(district.uow(), path=path)
    return path


def fill(template: Path, target: Path, sheets: dict[str, Rows]) -> Path:
    """The template with `sheets` appended under its headers, as a secretariat clerk would."""
    book = openpyxl.load_workbook(template)
    for title, rows in sheets.items():
        sheet = book[title]
        headers = [c.value for c in sheet[1]]
        unknown = {k for r in rows for k in r} - set(headers)
        assert not unknown, f"not in the template: {unknown}"
        for row in rows:
            sheet.append([row.get(h) for h in headers])
    book.save(target)
    return target


def workbook(target: Path, sheets: dict[str, list[list[Any]]], merges: dict[str, list[str]] | None = None) -> Path:
    """A workbook written from scratch, the way district offices make their own."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for ref in (merges or {}).get(title, []):
            sheet.merge_cells(ref)
    book.save(target)
    return target


def run(district: Any, path: Path, who: str | None = None, **options: Any) -> ImportResult:
    caller = district.caller(who or district.secretariat, origin=ledger.import_origin(path))
    return ledger.import_ledger(district.uow(), caller=caller, path=path, **options)


def snapshot(district: Any) -> dict[str, list[tuple[Any, ...]]]:
    tables = ("project", "roster_entry", "project_plan", "project_progress", "problem", "problem_sequence",
              "audit_event")
    with district.engine.connect() as conn:
        return {t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1, 2"))] for t in tables}


def export(district: Any, path: Path) -> Path:
    ledger.export_ledger(district.uow(), path=path, today=district.now.date())
    return path


# ---- the round trip ------------------------------------------------------------------------


def test_a_filled_template_imports_and_its_export_imports_again_without_change(
    district: Any, template: Path, tmp_path: Path
) -> None:
    filled = fill(template, tmp_path / "东区台账.xlsx", {"项目": [NEW_PROJECT], "投资进度": MONTHS, "问题": PROBLEMS})
    first = run(district, filled)
    assert first.projects_created == ["DQ-2024-011"]
    assert first.progress_changed == 3 and first.plans_changed == 1
    assert first.problems_raised == ["Q-2024-0001", "Q-2024-0002", "Q-2024-0003"]
    assert first.problems_assigned == ["Q-2024-0001", "Q-2024-0003"]
    assert first.warnings == []
    assert first.origin == "import:东区台账.xlsx"

    exported = export(district, tmp_path / "export.xlsx")
    before = snapshot(district)
    again = run(district, exported)
    assert again.events == 0 and not again.changed and again.warnings == []
    assert again.unchanged_rows == 1 + 1 + 3 + 3  # two projects, three months, three problems
    assert snapshot(district) == before
    # the export of the re-imported data is the same workbook, cell for cell
    second = export(district, tmp_path / "export-2.xlsx")
    assert _cells(second) == _cells(exported)


def _cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(path)
    return {name: [tuple(r) for r in book[name].iter_rows(values_only=True)] for name in ("项目", "投资进度", "问题")}


def test_importing_the_same_file_twice_changes_nothing(district: Any, template: Path, tmp_path: Path) -> None:
    filled = fill(template, tmp_path / "ledger.xlsx", {"项目": [NEW_PROJECT], "投资进度": MONTHS, "问题": PROBLEMS})
    run(district, filled)
    before = snapshot(district)
    again = run(district, filled)
    assert again.events == 0 and again.problems_raised == [] and again.projects_created == []
    assert snapshot(district) == before


def test_imported_rows_carry_every_field_exactly(district: Any, template: Path, tmp_path: Path) -> None:
    run(district, fill(template, tmp_path / "ledger.xlsx", {"项目": [NEW_PROJECT], "投资进度": MONTHS}))
    with district.engine.connect() as conn:
        project = conn.execute(text("SELECT * FROM project WHERE code = 'DQ-2024-011'")).mappings().one()
        plan = conn.execute(text("SELECT year, planned_yuan FROM project_plan")).all()
        months = conn.execute(text("SELECT month, completed_yuan FROM project_progress ORDER BY month")).all()
        roster = conn.execute(text("SELECT part, ref FROM roster_entry WHERE project = 'DQ-2024-011' "
                                   "ORDER BY part, ref")).all()
    assert project["total_investment_yuan"] == 120_000_000 and project["kind"] == "livelihood"
    assert project["level"] == "district" and project["in_stats"] == 1
    assert tuple(str(project[c]) for c in ("planned_start", "actual_start", "planned_completion")) == (
        "2024-03-01", "2024-03-15", "2025-06-01")  # str: text on SQLite, dates on PostgreSQL
    assert (project["locality"], project["lead_unit"]) == ("DQY", "FGJ")
    assert plan == [(2024, 30_000_000)]
    assert months == [("2024-03", 2_530_000), ("2024-04", 2_540_000), ("2024-05", 2_550_000)]
    assert roster == [("helper", "ZJJ"), ("helper", "ZRZY"), ("leader", district.leader),
                      ("specialist", district.specialist)]


def test_an_updated_ledger_changes_and_audits_only_what_differs(
    district: Any, template: Path, tmp_path: Path
) -> None:
    run(district, fill(template, tmp_path / "may.xlsx", {"项目": [NEW_PROJECT], "投资进度": MONTHS}))
    updated_project = {**NEW_PROJECT, "总投资（万元）": "1.35亿", "实际开工日期": "2024-03-15"}
    updated_months = [*MONTHS[:2], {**MONTHS[2], "当月完成投资（万元）": 300}]
    june = fill(template, tmp_path / "june.xlsx", {"项目": [updated_project], "投资进度": updated_months})
    result = run(district, june)
    assert result.projects_updated == ["DQ-2024-011"] and result.progress_changed == 1
    assert result.events == 2 and result.unchanged_rows == 2
    with district.engine.connect() as conn:
        events = conn.execute(text("SELECT action, payload FROM audit_event WHERE origin = 'import:june.xlsx' "
                                   "ORDER BY id")).all()
    assert [(a, json.loads(p)) for a, p in events] == [
        ("project_update", {"changes": {"total_investment_yuan": 135_000_000}}),
        ("project_progress", {"changes": {"month": "2024-05", "completed_yuan": 3_000_000, "note": None},
                              "previous_yuan": 2_550_000}),
    ]
    assert audit.verify_chains(district.uow()).ok


def test_a_blank_cell_never_erases(district: Any, template: Path, tmp_path: Path) -> None:
    run(district, fill(template, tmp_path / "full.xlsx", {"项目": [NEW_PROJECT]}))
    sparse = fill(template, tmp_path / "sparse.xlsx", {"项目": [{"项目编号": "DQ-2024-011", "项目名称": None}]})
    before = snapshot(district)
    assert run(district, sparse).events == 0
    assert snapshot(district) == before


# ---- problems ------------------------------------------------------------------------------


def test_new_problems_are_raised_and_assigned_under_the_transition_tables_rules(
    district: Any, template: Path, tmp_path: Path
) -> None:
    first = district.raise_problem(title="二期用地指标未落实")  # Q-2024-0001, raised by hand
    result = run(district, fill(template, tmp_path / "ledger.xlsx", {"项目": [NEW_PROJECT], "问题": PROBLEMS}))
    assert result.problems_raised == ["Q-2024-0002", "Q-2024-0003", "Q-2024-0004"]
    assert district.raise_problem(title="环评批复滞后") == "Q-2024-0005"  # the sequence goes on
    land = district.problem_row("Q-2024-0002")
    assert land["state"] == "assigned" and land["lead_unit"] == "ZRZY" and land["difficulty"] == "C"
    assert land["raised_by"] == district.specialist and land["raised_on"] == "2024-05-28"
    assert land["assigned_on"] == "2024-06-03" and land["due_date"] == "2024-06-11"  # 5 working days, 端午 on 10 June
    permit = district.problem_row("Q-2024-0004")
    assert (permit["lead_unit"], permit["co_units"], permit["due_date"]) == ("ZJJ", '["ZRZY"]', "2024-06-28")
    power = district.problem_row("Q-2024-0003")
    assert power["state"] == "submitted" and power["raised_by"] == district.secretariat
    for problem_id in ["Q-2024-0002", "Q-2024-0003", "Q-2024-0004", first]:
        rebuilt, stored = issue_reads.replayed(district.uow(), problem_id=problem_id)
        assert rebuilt == stored
    events = district.events("Q-2024-0002")
    assert [(e["seq"], e["action"], e["from_state"], e["to_state"]) for e in events] == [
        (1, "raise", None, "submitted"), (2, "assign", "submitted", "assigned")]
    assert {e["origin"] for e in events} == {"import:ledger.xlsx"}
    assert audit.verify_chains(district.uow()).ok
    # and the imported problem lives on through the ordinary use cases
    acked = district.act(district.handler, "Q-2024-0002", Action.ACKNOWLEDGE)
    assert acked.state.value == "in_progress"


def test_a_submitted_problem_named_with_a_lead_unit_is_assigned_others_only_warn(
    district: Any, template: Path, tmp_path: Path
) -> None:
    waiting = district.raise_problem(title="二期用地指标未落实")
    handled = district.raise_problem(title="林地占用审批卡在省厅", category="林地")
    district.assign(handled)
    district.act(district.handler, handled, Action.ACKNOWLEDGE)
    rows = [{"问题编号": waiting, "项目编号": district.project, "问题标题": "二期用地指标未落实", "责任单位": "ZRZY",
             "难度": "A"},
            {"问题编号": handled.lower(), "项目编号": district.project, "问题标题": "林地占用审批卡在省厅",
             "状态": "已交办", "责任单位": "区住房和城乡建设局"}]
    before = district.problem_row(handled)
    result = run(district, fill(template, tmp_path / "ledger.xlsx", {"问题": rows}))
    assert result.problems_assigned == [waiting] and result.problems_raised == []
    assert district.problem_row(waiting)["state"] == "assigned"
    assert district.problem_row(waiting)["due_date"] == "2024-07-16"  # 30 working days (端午 on 10 June)
    assert district.problem_row(handled) == before
    assert [(w.row, w.column, w.warning) for w in result.warnings] == [(3, "L", True), (3, "G", True)]
    assert "办理中" in result.warnings[0].zh and "已交办" in result.warnings[0].zh
    rebuilt, stored = issue_reads.replayed(district.uow(), problem_id=waiting)
    assert rebuilt == stored
    assert audit.verify_chains(district.uow()).ok


def test_finished_problems_of_an_old_ledger_are_left_out_with_a_warning(
    district: Any, template: Path, tmp_path: Path
) -> None:
    rows = [{"项目编号": district.project, "问题标题": "临时用电已接通", "问题类别": "配套", "状态": "已销号"},
            {"项目编号": district.project, "问题标题": "环评批复待省厅审查", "问题类别": "环评", "状态": "办理中",
             "责任单位": "ZRZY"}]
    result = run(district, fill(template, tmp_path / "old.xlsx", {"问题": rows}))
    assert result.problems_raised == ["Q-2024-0001"] and result.problems_assigned == ["Q-2024-0001"]
    assert district.problem_row("Q-2024-0001")["state"] == "assigned"
    assert [w.row for w in result.warnings] == [2, 3]
    assert "已销号" in result.warnings[0].zh and "已交办" in result.warnings[1].zh


def test_a_handler_may_not_import_problems_and_nothing_is_written(
    district: Any, template: Path, tmp_path: Path
) -> None:
    other_project = {**PROBLEMS[1], "问题标题": "另一个问题"}
    path = fill(template, tmp_path / "ledger.xlsx", {"问题": [other_project]})
    before = snapshot(district)
    with pytest.raises(NotPermitted) as refused:
        run(district, path, who=district.other_handler)
    assert "问题!" in refused.value.zh and district.other_handler in refused.value.zh
    assert snapshot(district) == before


def test_a_dry_run_checks_everything_and_writes_nothing(district: Any, template: Path, tmp_path: Path) -> None:
    path = fill(template, tmp_path / "ledger.xlsx", {"项目": [NEW_PROJECT], "投资进度": MONTHS, "问题": PROBLEMS})
    before = snapshot(district)
    result = run(district, path, dry_run=True)
    assert result.dry_run and result.projects_created == ["DQ-2024-011"] and len(result.problems_raised) == 3
    assert snapshot(district) == before


# ---- bad rows and bad files ----------------------------------------------------------------


def test_a_broken_row_writes_nothing_and_every_error_names_sheet_row_and_column(
    district: Any, template: Path, tmp_path: Path
) -> None:
    broken = [*PROBLEMS[:2], {"项目编号": "DQ-2024-007", "问题标题": "临时用地审批", "问题类别": "用地皮",
                              "办结期限": "下周五"}]
    bad_month = [{**MONTHS[0], "当月完成投资（万元）": "约300万"}]
    path = fill(template, tmp_path / "ledger.xlsx", {"项目": [NEW_PROJECT], "投资进度": bad_month, "问题": broken})
    before = snapshot(district)
    with pytest.raises(LedgerInvalid) as invalid:
        run(district, path)
    assert snapshot(district) == before
    where = sorted((i.sheet, i.row, i.column) for i in invalid.value.issues if not i.warning)
    assert where == [("投资进度", 2, "D"), ("问题", 4, "E"), ("问题", 4, "K")]
    message = invalid.value.zh
    assert "有 3 处错误，未写入任何数据" in message
    assert "问题!E4（问题类别）：未知问题类别“用地皮”" in message
    assert "问题!K4（办结期限）：无法识别的日期“下周五”" in message
    assert "投资进度!D2（当月完成投资（万元））：无法识别的金额“约300万”" in message


def test_numbers_stored_as_text_and_dates_as_serials_or_text_are_read(
    district: Any, template: Path, tmp_path: Path
) -> None:
    project = {**NEW_PROJECT, "总投资（万元）": "12,000", "年度计划投资（万元）": 3000.5,
               "计划开工日期": 45352, "实际开工日期": datetime(2024, 3, 15), "计划竣工日期": "2025.6.30"}
    run(district, fill(template, tmp_path / "ledger.xlsx", {"项目": [project]}))
    with district.engine.connect() as conn:
        row = conn.execute(text("SELECT total_investment_yuan, planned_start, actual_start, planned_completion "
                                "FROM project WHERE code = 'DQ-2024-011'")).one()
        plan = conn.execute(text("SELECT planned_yuan FROM project_plan")).scalar_one()
    assert (row[0], *map(str, row[1:])) == (120_000_000, "2024-03-01", "2024-03-15", "2025-06-30")
    assert plan == 30_005_000


def test_duplicate_project_codes_are_refused_naming_both_rows(
    district: Any, template: Path, tmp_path: Path
) -> None:
    twin = {**NEW_PROJECT, "项目名称": "新华镇污水处理厂（二期）"}
    path = fill(template, tmp_path / "ledger.xlsx", {"项目": [NEW_PROJECT, twin]})
    before = snapshot(district)
    with pytest.raises(LedgerInvalid) as invalid:
        run(district, path)
    assert "项目!A3（项目编号）：项目编号 DQ-2024-011 与第 2 行重复" in invalid.value.zh
    assert snapshot(district) == before


def test_a_new_project_missing_its_roster_is_refused(district: Any, template: Path, tmp_path: Path) -> None:
    bare = {"项目编号": "DQ-2024-012", "项目名称": "东区人才公寓", "项目级别": "区重点"}
    with pytest.raises(LedgerInvalid) as invalid:
        run(district, fill(template, tmp_path / "ledger.xlsx", {"项目": [bare]}))
    assert "新项目 DQ-2024-012 缺少：挂钩区领导、属地、牵头单位" in invalid.value.zh


def test_unknown_units_and_people_are_named(district: Any, template: Path, tmp_path: Path) -> None:
    project = {**NEW_PROJECT, "帮办单位": "区水务局、ZRZY", "挂钩区领导": "刘副区长",
               "项目专员": "赵经办（自然资源和规划局）"}
    with pytest.raises(LedgerInvalid) as invalid:
        run(district, fill(template, tmp_path / "ledger.xlsx", {"项目": [project]}))
    message = invalid.value.zh
    assert "单位“区水务局”未登记" in message and "人员“刘副区长”未登记" in message
    assert "赵经办（自然资源和规划局） 不是项目专员" in message


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("ledger.xlsx", b"project,title\nP-001,land\n", "不是有效的 Excel 工作簿"),
    ("ledger.xlsx", b"", "不是有效的 Excel 工作簿"),
    ("ledger.xls", b"\xd0\xcf\x11\xe0", "另存为 .xlsx"),
    ("ledger.csv", b"project,title\n", "不是有效的 Excel 工作簿"),
])
def test_a_file_that_is_not_a_workbook_is_refused_cleanly(
    district: Any, tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InvalidInput) as refused:
        run(district, path)
    assert expected in refused.value.zh


def test_a_missing_file_is_not_found(district: Any, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        run(district, tmp_path / "nowhere.xlsx")


def test_an_empty_workbook_is_refused_cleanly(district: Any, tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(InvalidInput) as refused:
        run(district, path)
    assert "没有可识别的台账工作表" in refused.value.zh


def test_the_unfilled_template_imports_as_nothing(district: Any, template: Path) -> None:
    result = run(district, template)
    assert result.rows == 0 and result.events == 0


def test_merged_header_cells_are_refused_naming_the_range(district: Any, tmp_path: Path) -> None:
    path = workbook(tmp_path / "merged.xlsx", {"项目": [
        ["项目编号", "项目名称", "计划投资", None, "挂钩区领导"],
        [None, None, "总投资", "年度计划投资", None],
        ["DQ-2024-007", "东区电池材料产业园", 35000, 8000, "陈副区长"],
    ]}, merges={"项目": ["C1:D1", "A1:A2"]})
    with pytest.raises(LedgerInvalid) as invalid:
        run(district, path)
    assert "表头有合并单元格 C1:D1" in invalid.value.zh and "A1:A2" in invalid.value.zh


def test_ledgers_of_their_own_making_are_understood(district: Any, tmp_path: Path) -> None:
    """A title row, 序号, common header variants, a project name merged down its problems, a 合计 row."""
    path = workbook(tmp_path / "2024年东区问题台账.xlsx", {"2024年问题台账": [
        ["2024年东区重大项目问题台账（截至6月3日）"],
        ["序号", "项目", "存在问题", "问题类型", "主办单位", "完成时限", "备注"],
        [1, "东区电池材料产业园年产10万吨磷酸铁锂正极材料项目", "二期用地指标未落实", "用地", "区自然资源和规划局",
         "2024-07-31", "企业催办"],
        [2, None, "临时用电未接通", "配套", None, None, None],
        ["合计", None, None, None, None, None, None],
        ["注：完成时限以交办单为准"],
    ]}, merges={"2024年问题台账": ["A1:G1", "B3:B4"]})
    result = run(district, path)
    assert result.sheets == {"2024年问题台账": "problems"}
    assert result.problems_raised == ["Q-2024-0001", "Q-2024-0002"]
    assert result.problems_assigned == ["Q-2024-0001"]
    land, power = district.problem_row("Q-2024-0001"), district.problem_row("Q-2024-0002")
    assert (land["project"], land["lead_unit"], land["due_date"]) == (district.project, "ZRZY", "2024-07-31")
    assert (power["project"], power["state"]) == (district.project, "submitted")


def test_a_problem_id_that_coord_never_gave_is_refused(district: Any, template: Path, tmp_path: Path) -> None:
    rows = [{**PROBLEMS[1], "问题编号": "Q-2024-0999"}]
    with pytest.raises(LedgerInvalid) as invalid:
        run(district, fill(template, tmp_path / "ledger.xlsx", {"问题": rows}))
    assert "问题 Q-2024-0999 不存在：新问题请把问题编号留空" in invalid.value.zh


def test_a_due_date_before_the_assignment_is_refused(district: Any, template: Path, tmp_path: Path) -> None:
    rows = [{**PROBLEMS[2], "交办日期": "2024-05-31", "办结期限": "2024-05-20"}]
    with pytest.raises(LedgerInvalid) as invalid:
        run(district, fill(template, tmp_path / "ledger.xlsx", {"问题": rows}))
    assert "办结期限 2024-05-20 须晚于交办日期 2024-05-31" in invalid.value.zh


def test_the_template_offers_drop_down_lists_and_header_notes(district: Any, template: Path) -> None:
    book = openpyxl.load_workbook(template)
    assert book.sheetnames == ["说明", "项目", "投资进度", "问题", "指标", "单位", "人员"]
    projects = book["项目"]
    assert projects["A1"].value == "项目编号" and "唯一编号" in projects["A1"].comment.text
    lists = {str(v.sqref)[0]: v.formula1 for v in projects.data_validations.dataValidation}
    assert lists["C"] == '"省重点,市重点,区重点"' and lists["D"] == '"产业,社会民生,基础设施"'
    assert lists["Q"].startswith("'单位'!$B$2")
    problems = book["问题"]
    categories = [v.formula1 for v in problems.data_validations.dataValidation if "用地" in v.formula1]
    assert categories and "政策兑现" in categories[0]
    assert [r[1] for r in book["单位"].iter_rows(min_row=2, values_only=True)] == [
        "东区电池材料产业园", "区发展和改革局", "区住房和城乡建设局", "区自然资源和规划局"]  # by code


def test_export_names_units_and_people_as_people_read_them(district: Any, tmp_path: Path) -> None:
    problem_id = district.raise_problem(title="二期用地指标未落实")
    district.assign(problem_id, co_units=("ZJJ",))
    book = openpyxl.load_workbook(export(district, tmp_path / "out.xlsx"))
    project = dict(zip([c.value for c in book["项目"][1]], next(book["项目"].iter_rows(min_row=2, values_only=True)),
                       strict=True))
    assert project["挂钩区领导"] == "陈副区长" and project["属地"] == "东区电池材料产业园"
    assert project["项目级别"] == "省重点" and project["是否入统"] == "否"
    problem = dict(zip([c.value for c in book["问题"][1]], next(book["问题"].iter_rows(min_row=2, values_only=True)),
                       strict=True))
    assert problem["问题编号"] == problem_id and problem["状态"] == "已交办"
    assert problem["责任单位"] == "区自然资源和规划局" and problem["配合单位"] == "区住房和城乡建设局"
    assert problem["办结期限"] == datetime(2024, 6, 25) and problem["层级"] == "L1"  # B: 15 working days


def test_export_refuses_to_overwrite_without_force(district: Any, tmp_path: Path) -> None:
    path = export(district, tmp_path / "out.xlsx")
    with pytest.raises(InvalidInput, match="已存在"):
        ledger.export_ledger(district.uow(), path=path, today=date(2024, 6, 3))
    ledger.export_ledger(district.uow(), path=path, today=date(2024, 6, 3), overwrite=True)
