"""`coord ledger template|import|export` as the secretariat uses them, on real .xlsx files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.cli.conftest import Cli

# The district of tests/cli/conftest.py, built once per module through the command line and copied
# for each test (building it takes most of a second; copying a few milliseconds).
DISTRICT_STEPS: list[tuple[str, ...]] = [
    ("init",),
    ("unit", "add", "FGJ", "区发展和改革局", "--kind", "department"),
    ("unit", "add", "ZRZY", "区自然资源和规划局", "--kind", "department"),
    ("unit", "add", "ZJJ", "区住房和城乡建设局", "--kind", "department"),
    ("unit", "add", "DQY", "东区电池材料产业园", "--kind", "locality"),
    ("person", "add", "wang.mishu", "王秘书", "--unit", "FGJ", "--role", "secretariat"),
    ("person", "add", "li.zhuanyuan", "李专员", "--unit", "FGJ", "--role", "specialist"),
    ("person", "add", "zhao.jingban", "赵经办", "--unit", "ZRZY", "--role", "handler"),
    ("person", "add", "sun.juzhang", "孙局长", "--unit", "ZRZY", "--role", "unit_head"),
    ("person", "add", "qian.jingban", "钱经办", "--unit", "ZJJ", "--role", "handler"),
    ("person", "add", "chen.fuquzhang", "陈副区长", "--role", "leader"),
    ("project", "add", "P-001", "东区电池材料产业园一期", "--level", "provincial", "--leader", "chen.fuquzhang",
     "--locality", "DQY", "--lead-unit", "FGJ", "--helpers", "ZRZY,ZJJ", "--specialist", "li.zhuanyuan"),
    ("route", "set", "用地", "ZRZY"),
]


@pytest.fixture(scope="module")
def built_district(databases: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from typer.testing import CliRunner

    from tests.cli.conftest import MONDAY_MORNING

    base = tmp_path_factory.mktemp("district")
    url = databases.empty(base)
    builder = Cli(CliRunner(), {"COORD_DATABASE_URL": url, "COORD_HOME": str(base / "home"),
                                "COORD_NOW": MONDAY_MORNING, "COORD_USER": "", "COORD_LANG": ""}, url)
    for step in DISTRICT_STEPS:
        result = builder(*step, as_="admin")
        assert result.exit_code == 0, (step, result.output)
    yield url
    databases.drop(url)


@pytest.fixture
def district(cli: Cli, built_district: str, databases: Any) -> Cli:
    databases.copy(built_district, cli.url)
    return cli

PROBLEMS = [
    {"项目编号": "P-001", "问题标题": "二期用地指标尚未落实", "问题类别": "用地", "责任单位": "区自然资源和规划局",
     "难度": "B"},
    {"项目名称": "东区电池材料产业园一期", "问题标题": "35千伏供电专线接入滞后", "问题类别": "配套"},
]
MONTHS = [{"项目编号": "P-001", "月份": "2024-08", "当月完成投资（万元）": "1,200.5"},
          {"项目编号": "P-001", "月份": "2024年9月", "当月完成投资（万元）": "0.15亿"}]


def fill(template: Path, target: Path, sheets: dict[str, list[dict[str, Any]]]) -> Path:
    book = openpyxl.load_workbook(template)
    for title, rows in sheets.items():
        sheet = book[title]
        headers = [c.value for c in sheet[1]]
        for row in rows:
            sheet.append([row.get(h) for h in headers])
    book.save(target)
    return target


def template(cli: Cli, tmp_path: Path) -> Path:
    path = tmp_path / "模板.xlsx"
    result = cli("ledger", "template", str(path))
    assert result.exit_code == 0, result.output
    return path


def test_template_filled_imported_exported_and_imported_again_changes_nothing(district: Cli, tmp_path: Path) -> None:
    filled = fill(template(district, tmp_path), tmp_path / "东区台账.xlsx",
                  {"项目": [{"项目编号": "P-001", "项目类别": "产业", "总投资（万元）": "3.5亿", "计划年度": 2024,
                            "年度计划投资（万元）": 12000, "计划开工日期": "2024-03-01", "实际开工日期": "2024-03-20"}],
                   "投资进度": MONTHS, "问题": PROBLEMS})
    imported = district("ledger", "import", str(filled), as_="wang.mishu")
    assert imported.exit_code == 0, imported.output
    assert "已导入 东区台账.xlsx" in imported.stdout and "新增问题 2 个" in imported.stdout
    assert "交办 1 个" in imported.stdout and "来源 import:东区台账.xlsx" in imported.stdout

    history = district.json("issue", "history", "Q-2024-0001")
    assert [(e["action"], e["origin"]) for e in history] == [("raise", "import:东区台账.xlsx"),
                                                              ("assign", "import:东区台账.xlsx")]
    project = district.json("project", "show", "P-001")
    assert project["figures"]["done_ytd_wan"] == "2700.5" and project["total_investment_wan"] == "35000"

    exported = tmp_path / "导出.xlsx"
    result = district("ledger", "export", str(exported))
    assert result.exit_code == 0 and "问题 2 个" in result.stdout
    before = district.snapshot()
    again = district.json("ledger", "import", str(exported), as_="wang.mishu")
    assert again["changed"] is False and again["events"] == 0 and again["warnings"] == []
    assert district.snapshot() == before
    text = district("ledger", "import", str(exported), as_="wang.mishu")
    assert "没有需要写入的变化" in text.stdout
    assert district("audit", "verify").exit_code == 0


def test_a_broken_row_exits_2_names_sheet_row_and_column_and_writes_nothing(district: Cli, tmp_path: Path) -> None:
    broken = [*PROBLEMS, {"项目编号": "P-404", "问题标题": "施工许可办理超时", "问题类别": "施工许可"}]
    path = fill(template(district, tmp_path), tmp_path / "ledger.xlsx", {"问题": broken})
    before = district.snapshot()
    result = district("ledger", "import", str(path), as_="wang.mishu")
    assert result.exit_code == 2
    assert "有 1 处错误，未写入任何数据" in result.stderr
    assert "问题!B4（项目编号）：项目 P-404 不存在" in result.stderr
    assert "Traceback" not in result.output
    assert district.snapshot() == before


def test_errors_come_as_json_when_asked(district: Cli, tmp_path: Path) -> None:
    path = fill(template(district, tmp_path), tmp_path / "ledger.xlsx",
                {"投资进度": [{"项目编号": "P-001", "月份": "2024-08", "当月完成投资（万元）": "一千二"}]})
    result = district("ledger", "import", str(path), "--json", as_="wang.mishu")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert [(e["sheet"], e["row"], e["column"]) for e in data["errors"]] == [("投资进度", 2, "D")]
    assert "无法识别的金额" in data["errors"][0]["message"]


def test_english_messages_on_request(district: Cli, tmp_path: Path) -> None:
    path = fill(template(district, tmp_path), tmp_path / "ledger.xlsx",
                {"问题": [{"项目编号": "P-001", "问题标题": "x", "问题类别": "not-a-category"}]})
    result = district("ledger", "import", str(path), "--lang", "en", as_="wang.mishu")
    assert result.exit_code == 2
    assert "nothing was written" in result.stderr and "unknown category 'not-a-category'" in result.stderr


def test_a_file_that_is_not_a_workbook_exits_2_without_a_traceback(district: Cli, tmp_path: Path) -> None:
    path = tmp_path / "台账.xlsx"
    path.write_text("项目编号,问题标题\nP-001,用地\n", encoding="utf-8")
    result = district("ledger", "import", str(path), as_="wang.mishu")
    assert result.exit_code == 2 and "不是有效的 Excel 工作簿" in result.stderr
    assert "Traceback" not in result.output
    missing = district("ledger", "import", str(tmp_path / "nowhere.xlsx"), as_="wang.mishu")
    assert missing.exit_code == 3


def test_a_handler_may_not_import_and_gets_exit_4(district: Cli, tmp_path: Path) -> None:
    path = fill(template(district, tmp_path), tmp_path / "ledger.xlsx", {"问题": PROBLEMS})
    before = district.snapshot()
    result = district("ledger", "import", str(path), as_="qian.jingban")
    assert result.exit_code == 4 and "qian.jingban" in result.stderr
    assert district.snapshot() == before


def test_a_dry_run_reports_what_would_change_and_writes_nothing(district: Cli, tmp_path: Path) -> None:
    path = fill(template(district, tmp_path), tmp_path / "ledger.xlsx", {"问题": PROBLEMS})
    before = district.snapshot()
    result = district("ledger", "import", str(path), "--dry-run", as_="wang.mishu")
    assert result.exit_code == 0 and "试导入（未写入）" in result.stdout
    assert district.snapshot() == before


def test_warnings_go_to_stderr_and_the_import_proceeds(district: Cli, tmp_path: Path) -> None:
    rows = [*PROBLEMS, {"项目编号": "P-001", "问题标题": "临时用电已接通", "问题类别": "配套", "状态": "已销号"}]
    path = fill(template(district, tmp_path), tmp_path / "ledger.xlsx", {"问题": rows})
    result = district("ledger", "import", str(path), as_="wang.mishu")
    assert result.exit_code == 0 and "新增问题 2 个" in result.stdout
    assert "提示" in result.stderr and "已销号" in result.stderr


def test_template_needs_no_database_and_export_will_not_overwrite(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "空白台账.xlsx"
    result = cli("ledger", "template", str(path))
    assert result.exit_code == 0 and path.exists()
    assert openpyxl.load_workbook(path).sheetnames == ["说明", "项目", "投资进度", "问题", "指标", "单位", "人员"]
    again = cli("ledger", "template", str(path))
    assert again.exit_code == 2 and "--force" in again.stderr
    assert cli("ledger", "template", str(path), "--force").exit_code == 0
    wrong = cli("ledger", "template", str(tmp_path / "台账.xls"))
    assert wrong.exit_code == 2 and ".xlsx" in wrong.stderr
