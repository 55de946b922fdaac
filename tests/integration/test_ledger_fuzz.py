"""Hypothesis over what a ledger's cells may hold — text with control characters, bidi overrides and
zero-width marks, overlong text, huge numbers, far dates and times, formulas, error codes, wrong types,
blanks, empty rows, merged cells — in its four sheets, and over the XML of its rows: an import either
succeeds (and every chain holds) or is refused with the rows' issues (LedgerInvalid / LedgerNotPermitted,
or InvalidInput for the file), never anything else; and a refused import writes nothing.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

from coordination.domain.errors import InvalidInput
from coordination.domain.ledger import SHEETS, SheetSpec, ValueKind
from coordination.services import audit, ledger
from tests.integration.ledger_files import edit_sheet, snapshot

FUZZ = settings(max_examples=30, deadline=None, derandomize=True, print_blob=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

# Values a clerk would type, per kind of column: they carry the fuzz past the first check of a row.
PLAUSIBLE: dict[ValueKind, list[Any]] = {
    ValueKind.CODE: ["DQ-2024-007", "DQ-2024-099", "Q-2024-0001", "FAI", "P 1", 2024],
    ValueKind.TEXT: ["项目二期用地指标未落实", "东区电池材料产业园年产10万吨磷酸铁锂正极材料项目", "7.9", "合计"],
    ValueKind.MONEY: ["1.2亿", "3000万", 1200.5, "1,200", -5, 0],
    ValueKind.YEAR: [2024, "2024年", 1999, 2101],
    ValueKind.MONTH: ["2024-05", "2024年4月", date(2024, 5, 1), "2024-13", "2030-01"],
    ValueKind.DATE: [date(2024, 5, 28), "2024/3/15", "2025年6月", datetime(2024, 6, 1, 9, 30), "2024-02-30"],
    ValueKind.YES_NO: ["是", "否", "也许"],
    ValueKind.LEVEL: ["区重点", "省重点", "国家级"],
    ValueKind.KIND: ["产业", "社会民生", "基础设施", "其他"],
    ValueKind.CATEGORY: ["用地", "规划", "施工许可", "天气"],
    ValueKind.DIFFICULTY: ["A", "B", "C", "D", "a类"],
    ValueKind.STATE: ["已上报", "已交办", "已办结", "在办", "正在办理"],
    ValueKind.UNIT: ["区自然资源和规划局", "ZJJ", "FGJ", "DQY", "NOPE"],
    ValueKind.UNITS: ["区自然资源和规划局、ZJJ", "ZRZY,NOPE"],
    ValueKind.PERSON: ["李专员", "wang_mishu", "nobody"],
    ValueKind.PEOPLE: ["陈副区长", "李专员、陈副区长", "周区长"],
    ValueKind.INFO: ["L2", "红"],
}
ODD_CHARACTERS = list("ab中文 \t\n\r\x7f\x85\x9b\u202e\u202d\u2066\u2069\u200b\ufeff\u200d\u3000=#'\"<>&;_")
hostile = st.one_of(
    st.none(),
    st.text(st.sampled_from(ODD_CHARACTERS), max_size=24),
    st.sampled_from(["\x9b2J", "\x9d0;标题\x9c", "_x001B_[2J"]),  # 8-bit CSI and OSC: XML can carry them, ESC not
    st.integers(150, 12_000).map(lambda n: "长" * n),
    st.integers(-10**40, 10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(date(1900, 3, 1), date(9999, 12, 31)),
    st.datetimes(datetime(1900, 3, 1), datetime(9999, 12, 31)),
    st.times(),
    st.timedeltas(timedelta(days=-1000), timedelta(days=10**6)),
    st.booleans(),
    st.sampled_from(["=1/0", "=SUM(A1:A3)", '=HYPERLINK("http://x","x")', "=cmd|' /C calc'!A0", "=A1"]),
    st.sampled_from(["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"]),
    st.sampled_from(["", "  ", "-", "无", "n/a"]),
)


def cell(kind: ValueKind) -> st.SearchStrategy[Any]:
    return st.one_of(st.sampled_from(PLAUSIBLE[kind]), hostile, st.none())


# A row each sheet would take (a new project, a month, a problem, an indicator's month), for rows that
# differ from it in a cell or two.
VALID: dict[str, dict[str, Any]] = {
    "项目": {"code": "DQ-2024-101", "name": "新华镇污水处理厂提标改造工程", "level": "区重点", "leaders": "陈副区长",
             "locality": "东区电池材料产业园", "lead_unit": "区发展和改革局"},
    "投资进度": {"project": "DQ-2024-007", "month": "2024-05", "completed": "300"},
    "问题": {"project": "DQ-2024-007", "title": "二期用地指标尚未落实", "category": "用地"},
    "指标": {"code": "FAI", "month": "2024-05", "value": "7.9"},
}


@st.composite
def near_valid(draw: st.DrawFn, spec: SheetSpec) -> list[Any]:
    values = {c.key: VALID[spec.title].get(c.key) for c in spec.columns}
    if values.get("title"):
        values["title"] = f"{values['title']}{draw(st.integers(1, 99))}"
    for key in draw(st.lists(st.sampled_from([c.key for c in spec.columns]), max_size=1)):
        values[key] = draw(cell(spec.column(key).kind))
    return [values[c.key] for c in spec.columns]


def sheet_rows(spec: SheetSpec) -> st.SearchStrategy[list[list[Any]]]:
    anything = st.tuples(*(cell(c.kind) for c in spec.columns)).map(list)
    empty = st.just([None] * len(spec.columns))
    # Most sheets empty or nearly right, so that imports also succeed; the rest anything at all.
    return st.one_of(st.just([]), st.lists(near_valid(spec), min_size=1, max_size=2),
                     st.lists(st.one_of(near_valid(spec), anything, empty), max_size=3))


merge = st.tuples(st.integers(1, 6), st.integers(1, 6), st.integers(0, 2), st.integers(0, 1))  # row, col, +rows, +cols


@st.composite
def workbooks(draw: st.DrawFn) -> dict[str, Any]:
    return {"rows": {spec.title: draw(sheet_rows(spec)) for spec in SHEETS},
            "merges": {spec.title: draw(st.lists(merge, max_size=2)) for spec in SHEETS}}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ledger-fuzz") / "template.xlsx"
    ledger.write_template(None, path=path)
    return path


def write(template: Path, target: Path, drawn: dict[str, Any]) -> Path:
    book = openpyxl.load_workbook(template)
    for spec in SHEETS:
        sheet = book[spec.title]
        headers = [c.value for c in sheet[1]]
        order = {c.header: c for c in spec.columns}
        for values in drawn["rows"][spec.title]:
            by_header = {c.header: v for c, v in zip(spec.columns, values, strict=True)}
            sheet.append([by_header.get(h) if h in order else None for h in headers])
        for top, left, down, right in drawn["merges"][spec.title]:
            sheet.merge_cells(f"{get_column_letter(left)}{top}:{get_column_letter(left + right)}{top + down}")
    book.save(target)
    return target


def outcome(district: Any, path: Path) -> str:
    caller = district.caller(district.secretariat, origin=ledger.import_origin(path))
    try:
        result = ledger.import_ledger(district.uow(), caller=caller, path=path)
    except (ledger.LedgerInvalid, ledger.LedgerNotPermitted) as refused:
        assert refused.issues and all(isinstance(i, ledger.LedgerIssue) for i in refused.issues)
        return type(refused).__name__
    except InvalidInput:
        return "InvalidInput"
    assert audit.verify_chains(district.uow()).ok
    return "imported" if result.changed else "unchanged"


def test_any_cells_import_or_are_refused_and_a_refusal_writes_nothing(
        district: Any, databases: Any, district_template: str, template: Path, tmp_path: Path) -> None:
    pristine = snapshot(district.engine)  # the district as every example starts it

    @FUZZ
    @given(drawn=workbooks())
    def check(drawn: dict[str, Any]) -> None:
        district.engine.dispose()
        databases.copy(district_template, district.url)
        path = write(template, tmp_path / "fuzz.xlsx", drawn)
        said = outcome(district, path)
        event(said)
        if said not in ("imported",):
            assert snapshot(district.engine) == pristine

    check()


# ---- the XML of the rows ---------------------------------------------------------------------

CELL_TYPES = ["n", "s", "str", "inlineStr", "b", "e", "d", "x"]
xml_cells = st.lists(st.tuples(
    st.one_of(st.none(), st.sampled_from(["A", "B", "D", "E", "BH", "BI", "XFD", "ZZZ", "1", "a"])),
    st.sampled_from(CELL_TYPES),
    st.one_of(st.none(), st.integers(0, 5)),  # style
    st.sampled_from(["", "1", "-1", "1e308", "1e999", "nan", "2.5", "0", "99999999", "true", "2024-06-03T10:00:00",
                     "用地", "&amp;", "&#8238;", "&#27;", "<t>x</t>", "]]>"]),
), max_size=6)
xml_rows = st.lists(st.tuples(st.one_of(st.none(), st.sampled_from(["2", "3", "5", "3.0", "0", "-1", "x", "1048576",
                                                                   "1048577", "99999999999"])), xml_cells), max_size=4)


def row_xml(number: str | None, cells: list[tuple[str | None, str, int | None, str]]) -> bytes:
    parts = []
    for column, kind, style, value in cells:
        where = f' r="{column}{number or 2}"' if column else ""
        styled = f' s="{style}"' if style is not None else ""
        body = f"<is><t>{value}</t></is>" if kind == "inlineStr" else f"<v>{value}</v>"
        parts.append(f'<c{where} t="{kind}"{styled}>{body}</c>')
    numbered = f' r="{number}"' if number else ""
    return f"<row{numbered}>{''.join(parts)}</row>".encode()


@FUZZ
@given(rows=xml_rows)
def test_any_row_xml_is_read_or_refused_plainly(template: Path, tmp_path_factory: pytest.TempPathFactory,
                                                rows: Any) -> None:
    path = tmp_path_factory.mktemp("xml") / "rows.xlsx"
    shutil.copy(template, path)
    body = b"".join(row_xml(number, cells) for number, cells in rows)
    edit_sheet(path, "问题", lambda xml: xml.replace(b"</sheetData>", body + b"</sheetData>", 1))
    try:
        with ledger.open_workbook(path) as book:
            read = sum(1 for sheet in book.sheets for _ in sheet.rows)
            assert read <= len(rows)
            assert all(isinstance(i, ledger.LedgerIssue) for i in book.issues)
    except InvalidInput as refused:
        event(f"refused: {refused.en[:40]}")
