"""The ledger's own .xlsx reader reads what openpyxl's read-only, data-only reading reads: every kind of
value, in workbooks as openpyxl writes them, as Excel writes them (shared strings, rich text with a
phonetic run), with prefixed namespaces, and in the 1904 date system; and it keeps no more than the
columns asked for, whatever a row holds or a sheet declares."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from coordination.services.ledger_xlsx import XlsxBook, XlsxError
from tests.integration.ledger_files import declare_dimension, edit_sheet, rewrite, shared_strings

WIDTH = 12
# openpyxl warns of the date-styled 3e20 below as it reads it (and reads it as #VALUE!, as ours does).
pytestmark = pytest.mark.filterwarnings("ignore:Cell .* is marked as a date:UserWarning")


def every_kind(path: Path, *, mac: bool = False) -> Path:
    book = openpyxl.Workbook()
    if mac:
        book.epoch = CALENDAR_MAC_1904
    values = book.active
    values.title = "值"
    values.append(["文本", "  前后有空格  ", "=SUM(1,2)", "#N/A", "#DIV/0!", True, False, None, 0, "多行\n文本"])
    values.append([1, -2, 3.5, 1e-7, 12345678901234567890, 1.5e300, -0.0, 10**30])
    values.append([date(2024, 6, 3), datetime(2024, 6, 3, 10, 30), time(8, 15), timedelta(days=1, hours=2),
                   date(1900, 1, 1), date(9999, 12, 31)])
    styled = [(45000, 'yyyy"年"m"月"d"日"'), (0.5, "0.00%"), (1.25, "[h]:mm:ss"), (45000.5, "m/d/yy h:mm"),
              (3e20, "yyyy-mm-dd"), (12.5, "#,##0.00")]
    for column, (value, number_format) in enumerate(styled, start=1):
        cell = values.cell(row=5, column=column, value=value)
        cell.number_format = number_format
    values.cell(row=7, column=1, value=CellRichText([TextBlock(InlineFont(b=True), "粗"), "体文字"]))
    values.cell(row=7, column=WIDTH + 5, value="列外")
    values.merge_cells("A9:B10")
    values["A9"] = "合并"
    other = book.create_sheet("第二张")
    other["C1048576"] = "最后一行"
    book.save(path)
    return path


def read_by_openpyxl(path: Path) -> dict[str, list[tuple[int, tuple[Any, ...]]]]:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    found: dict[str, list[tuple[int, tuple[Any, ...]]]] = {}
    for sheet in book.worksheets:
        sheet.reset_dimensions()
        rows = sheet.iter_rows(min_row=1, max_col=WIDTH, values_only=True)
        found[sheet.title] = [(n, tuple(r)) for n, r in enumerate(rows, start=1) if any(v is not None for v in r)]
    book.close()
    return found


def read_by_ours(path: Path) -> dict[str, list[tuple[int, tuple[Any, ...]]]]:
    with XlsxBook(path) as book:
        return {sheet.name: list(book.rows(sheet, WIDTH)) for sheet in book.sheets}


@pytest.mark.parametrize("mac", [False, True], ids=["1900", "1904"])
def test_values_are_what_openpyxl_reads(tmp_path: Path, mac: bool) -> None:
    path = every_kind(tmp_path / "kinds.xlsx", mac=mac)
    ours = read_by_ours(path)
    assert ours == read_by_openpyxl(path)
    first = dict(ours["值"])
    assert first[1][:4] == ("文本", "  前后有空格  ", None, "#N/A")  # a formula without a stored result: empty
    assert first[5][0] == datetime(2023, 3, 15) if not mac else first[5][0] == datetime(2027, 3, 16)
    assert first[5][4] == "#VALUE!"  # a date style on a number no date has, as openpyxl says it
    assert ours["第二张"] == [(1048576, (None, None, "最后一行", *[None] * (WIDTH - 3)))]


def test_excel_style_shared_strings_and_prefixed_tags_read_the_same(tmp_path: Path) -> None:
    path = shared_strings(every_kind(tmp_path / "excel.xlsx"))

    def prefixed(xml: bytes) -> bytes:
        return re.sub(rb"<(/?)(?=[A-Za-z])", rb"<\1x:", xml).replace(b'xmlns="', b'xmlns:x="', 1)

    edit_sheet(path, "值", prefixed)
    ours = read_by_ours(path)
    assert ours == read_by_openpyxl(path)
    assert dict(ours["值"])[1][0] == "文本"  # two runs joined, the phonetic run (ふりがな) left out


def test_a_row_keeps_only_the_columns_asked_for_and_says_more_were_there(tmp_path: Path) -> None:
    path = declare_dimension(every_kind(tmp_path / "kinds.xlsx"), "A1:XFD20000")
    with XlsxBook(path) as book:
        sheet = book.sheets[0]
        rows = list(book.rows(sheet, 3))
        assert {len(values) for _, values in rows} == {3}
        assert sheet.first_wide_row == 1 and sheet.declared_rows == 20000


def test_text_stops_one_past_excels_cell_limit(tmp_path: Path) -> None:
    path = tmp_path / "long.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = "短"
    book.save(path)
    long_cell = ('<c r="A1" t="inlineStr"><is><t>' + "长" * 40_000 + "</t></is></c>").encode()  # openpyxl would cut it
    edit_sheet(path, "Sheet", lambda xml: re.sub(rb'<c r="A1".*?</c>', long_cell, xml, count=1, flags=re.S))
    with XlsxBook(path) as opened:
        [(_, values)] = list(opened.rows(opened.sheets[0], 1))
    assert len(values[0]) == 32_768


@pytest.mark.parametrize("row", [b'<row r="0">', b'<row r="abc">', b'<row r="2.5">'])
def test_a_row_number_that_is_no_row_number_is_an_error(tmp_path: Path, row: bytes) -> None:
    path = every_kind(tmp_path / "kinds.xlsx")
    edit_sheet(path, "值", lambda xml: xml.replace(b'<row r="2">', row, 1))
    with XlsxBook(path) as book, pytest.raises(XlsxError):
        list(book.rows(book.sheets[0], WIDTH))


def test_rows_out_of_order_and_dtds_are_errors(tmp_path: Path) -> None:
    path = every_kind(tmp_path / "kinds.xlsx")
    edit_sheet(path, "值", lambda xml: xml.replace(b'<row r="3">', b'<row r="1">', 1))
    with XlsxBook(path) as book, pytest.raises(XlsxError, match="after row"):
        list(book.rows(book.sheets[0], WIDTH))
    rewrite(path, lambda name, xml: b'<!DOCTYPE x [<!ENTITY a "b">]>' + xml if name == "xl/workbook.xml" else xml)
    with pytest.raises(XlsxError, match="DTD"):
        XlsxBook(path)
