"""Ledgers read in bounded memory: hostile workbooks imported by `coord ledger import` in a child process
whose address space is capped at 1 GB, so that a regression fails here instead of eating the machine;
and the caps (rows, errors, warnings, merged ranges, part sizes) each met with the message that names it.

Before the streaming reader, the 22 KB `xfd` workbook below (one cell at XFD20000) took 2.6 GB and a cell
at row 1048576 ended in MemoryError.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import text

from coordination.domain.errors import InvalidInput
from coordination.services import ledger, ledger_sheets
from coordination.services.ledger_reading import Issues
from tests.integration.ledger_files import (
    before_sheet_data_end,
    column_of,
    declare_dimension,
    edit_sheet,
    problem_book,
    snapshot,
)

LIMIT_MB = 1024
# The child imports each file in turn through the command line (Typer's runner, in-process), then says
# how much memory it ever held (VmHWM).
CHILD = r"""
import json, resource, sys
limit = int(sys.argv[1]) << 20
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from typer.testing import CliRunner
from coordination.cli.main import app
env = json.loads(sys.argv[2])
runner = CliRunner()
for path in sys.argv[3:]:
    result = runner.invoke(app, ["ledger", "import", path], env=env)
    unexpected = result.exception if not isinstance(result.exception, (SystemExit, type(None))) else None
    print(json.dumps({"file": path, "code": result.exit_code, "output": result.output,
                      "exception": repr(unexpected) if unexpected else None}), flush=True)
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
print(json.dumps({"peak_mb": peak // 1024}))
"""


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ledger-memory") / "template.xlsx"
    ledger.write_template(None, path=path)
    return path


def imported(district: Any, files: list[Path], home: Path) -> tuple[list[dict[str, Any]], int]:
    """Each file imported by the secretariat in a child capped at LIMIT_MB; (results, peak MB)."""
    env = {"COORD_DATABASE_URL": district.url, "COORD_HOME": str(home), "COORD_NOW": "2024-06-03T10:00:00+08:00",
           "COORD_USER": district.secretariat, "COORD_LANG": "", "COLUMNS": "160"}
    done = subprocess.run([sys.executable, "-c", CHILD, str(LIMIT_MB), json.dumps(env), *map(str, files)],
                          capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONHASHSEED": "0"})
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return lines[:-1], int(lines[-1]["peak_mb"])


def problem_count(district: Any) -> int:
    with district.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM problem")).scalar_one())


# ---- hostile workbooks, in a child with 1 GB ------------------------------------------------


def test_workbooks_that_declare_or_reach_far_import_in_little_memory(district: Any, template: Path,
                                                                     tmp_path: Path) -> None:
    # The 5 KB workbook of the issue: a 问题 sheet of two rows and one cell at XFD20000 (A1:XFD20000).
    xfd = tmp_path / "xfd.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "问题"
    sheet.append(["项目编号", "问题标题", "问题类别"])
    sheet.append(["DQ-2024-007", "声明 A1:XFD20000 的台账", "用地"])
    sheet["XFD20000"] = "远处的一格"
    book.save(xfd)
    # Every sheet of the template declares A1:XFD20000 without holding it.
    declared = declare_dimension(problem_book(template, tmp_path / "declared.xlsx", ["只是声明很大的台账"]),
                                 "A1:XFD20000")

    def far_note(book: Any) -> None:
        book.create_sheet("备忘")["A1048576"] = "最后一行"

    last_row_elsewhere = problem_book(template, tmp_path / "elsewhere.xlsx", ["备忘表最后一行有字"], far_note)
    # One row of half a million empty cells past the columns read.
    wide = edit_sheet(problem_book(template, tmp_path / "wide.xlsx", ["一行五十万个空单元格"]), "问题",
                      lambda xml: xml.replace(b"</row></sheetData>", b"<c/>" * 500_000 + b"</row></sheetData>"))
    before = problem_count(district)

    results, peak = imported(district, [xfd, declared, last_row_elsewhere, wide], tmp_path / "home")

    assert [(r["code"], r["exception"]) for r in results] == [(0, None)] * 4, results
    assert "第 60 列以后的内容未读取" in results[0]["output"]  # XFD20000 is said to be left unread
    assert "新增问题 1 个" in results[1]["output"] and "新增问题 1 个" in results[2]["output"]
    assert problem_count(district) == before + 4
    assert peak < 300, f"{peak} MB"


def test_workbooks_past_the_caps_are_refused_in_little_memory_and_write_nothing(district: Any, template: Path,
                                                                                tmp_path: Path) -> None:
    def at_last_row(book: Any) -> None:
        book["问题"][f"{column_of(book, '问题', '问题标题')}1048576"] = "第1048576行的问题"

    last_row = problem_book(template, tmp_path / "last-row.xlsx", ["正常的问题"], at_last_row)
    past_excel = edit_sheet(problem_book(template, tmp_path / "past-excel.xlsx", ["正常的问题"]), "问题",
                            before_sheet_data_end(b'<row r="2000000"><c r="D2000000" t="inlineStr"><is><t>'
                                                  b'\xe8\xb6\x8a\xe7\x95\x8c</t></is></c></row>'))
    laughs = b"".join(b'<!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;">' % (n, *[n - 1] * 10)
                      for n in range(1, 10))
    dtd = edit_sheet(problem_book(template, tmp_path / "dtd.xlsx", ["正常的问题"]), "问题",
                     lambda xml: b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY l0 "ha">' + laughs + b"]>"
                     + xml.replace(b"</sheetData>", b'<row r="9"><c r="D9" t="inlineStr"><is><t>&l9;</t></is></c>'
                                   b"</row></sheetData>", 1))
    merges = b"".join(b'<mergeCell ref="Z%d:AA%d"/>' % (n, n) for n in range(3, 10_005))
    many_merges = edit_sheet(problem_book(template, tmp_path / "merges.xlsx", ["正常的问题"]), "问题",
                             lambda xml: xml.replace(b"</sheetData>", b"</sheetData><mergeCells>" + merges
                                                     + b"</mergeCells>", 1))
    before = snapshot(district.engine)

    results, peak = imported(district, [last_row, past_excel, dtd, many_merges], tmp_path / "home")

    assert [(r["code"], r["exception"]) for r in results] == [(2, None)] * 4, results
    said = [r["output"] for r in results]
    assert "1048576" in said[0] and "项目编号和项目名称都为空" in said[0]
    assert "行号超过 Excel 的上限 1048576" in said[1]
    assert "无法读取" in said[2] and "XlsxError" in said[2]
    assert "合并单元格超过 10000 处" in said[3]
    assert all("未写入任何数据" in s for s in said)
    assert snapshot(district.engine) == before
    assert peak < 300, f"{peak} MB"


# ---- the caps, each named ---------------------------------------------------------------------


def run(district: Any, path: Path) -> ledger.ImportResult:
    caller = district.caller(district.secretariat, origin=ledger.import_origin(path))
    return ledger.import_ledger(district.uow(), caller=caller, path=path)


def test_more_rows_than_the_cap_are_refused_naming_it(district: Any, template: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ledger_sheets, "MAX_ROWS", 3)
    path = problem_book(template, tmp_path / "rows.xlsx", [f"第{n}个问题" for n in range(1, 6)])
    before = snapshot(district.engine)
    with pytest.raises(ledger.LedgerInvalid) as refused:
        run(district, path)
    errors = [i for i in refused.value.issues if not i.warning]
    assert [(i.sheet, i.row) for i in errors] == [("问题", 5)]
    assert "台账超过 3 行的上限" in errors[0].zh and "more than 3 rows" in errors[0].en
    assert snapshot(district.engine) == before


def test_reading_stops_after_the_error_cap(district: Any, template: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ledger_sheets, "MAX_ERRORS", 2)

    def bad_dates(book: Any) -> None:
        column = column_of(book, "问题", "上报日期")
        for row in range(2, 8):
            book["问题"][f"{column}{row}"] = "不是日期"

    path = problem_book(template, tmp_path / "errors.xlsx", [f"第{n}个问题" for n in range(1, 7)], bad_dates)
    with pytest.raises(ledger.LedgerInvalid) as refused:
        run(district, path)
    errors = [i for i in refused.value.issues if not i.warning]
    assert [i.row for i in errors] == [2, 3, 4]  # two bad dates, then: not read from row 4 on
    assert "错误已达 2 处" in errors[-1].zh


def test_warnings_past_their_cap_are_counted_not_kept(district: Any, template: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    first = run(district, problem_book(template, tmp_path / "first.xlsx", [f"第{n}个问题" for n in range(1, 6)]))
    monkeypatch.setattr(Issues, "MAX_WARNINGS", 2)

    def closed(book: Any) -> None:
        column = column_of(book, "问题", "状态")
        for row in range(2, 7):
            book["问题"][f"{column}{row}"] = "已办结"

    again = run(district, problem_book(template, tmp_path / "again.xlsx", [f"第{n}个问题" for n in range(1, 6)],
                                       closed))
    assert len(first.problems_raised) == 5 and again.events == 0
    assert [w.row for w in again.warnings] == [2, 3, None]  # two listed, then how many more
    assert again.warnings[-1].zh == "另有 3 条提示未列出"


def test_a_part_that_inflates_past_its_cap_is_refused_before_it_is_read(template: Path, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ledger_sheets, "MAX_PART_BYTES", 2048)  # the template's styles are bigger
    path = problem_book(template, tmp_path / "big.xlsx", ["一个问题"])
    with pytest.raises(InvalidInput) as refused, ledger.open_workbook(path):
        pass
    assert "解压后有" in refused.value.zh and "above the 0 MB cap" in refused.value.en


def test_overlapping_merged_ranges_stop_the_sheet(district: Any, template: Path, tmp_path: Path) -> None:
    merges = b"".join(b'<mergeCell ref="A3:A6"/>' for _ in range(61))  # Excel never overlaps ranges
    path = edit_sheet(problem_book(template, tmp_path / "overlap.xlsx", ["甲", "乙", "丙", "丁", "戊"]), "问题",
                      lambda xml: xml.replace(b"</sheetData>", b"</sheetData><mergeCells>" + merges
                                              + b"</mergeCells>", 1))
    with pytest.raises(ledger.LedgerInvalid) as refused:
        run(district, path)
    assert any("合并单元格互相重叠" in i.zh and i.row == 3 for i in refused.value.issues)
