"""Excel workbooks coord writes, and how every one of their sheets is finished.

`finish_sheet` is the one place that makes a table sheet one an official keeps working in: header
frozen, auto-filter over the table, column widths from content, A4 landscape printing fit to one
page wide with the header repeated and page numbers in the footer. `number_format` and `fit_width`
are what the writers use for cell formats and widths. The ledger workbook (台账) follows: the
template's sheets with header notes and drop-down lists, filled with whatever rows it is given (none
for the empty template). Never touches the database."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from coordination.domain.enums import CATEGORIES, Difficulty, ProjectKind, ProjectLevel, State
from coordination.domain.hygiene import visible
from coordination.domain.labels import label
from coordination.domain.ledger import INDICATORS, PROBLEMS, PROGRESS, PROJECTS, Choices, SheetSpec, ValueKind
from coordination.domain.ledger_kinds import GUIDE_LINE, ReadingSheet, Shown

# Cell formats by what a column holds. Money is always in 万元 (the header says so).
MONEY, PERCENT, DATE, INTEGER, TEXT = "money", "percent", "date", "int", "text"
EXACT_WAN, YUAN = "exact_wan", "yuan"  # 万元 showing every 元 (up to four decimals); whole 元
NUMBER_FORMATS: dict[str, str] = {MONEY: "#,##0.00", PERCENT: "0.0%", DATE: "yyyy-mm-dd", INTEGER: "0",
                                  EXACT_WAN: "#,##0.00##", YUAN: "#,##0"}

MIN_WIDTH = 8  # characters (an ASCII character is 1, a CJK character 2)
MAX_WIDTH = 50  # wider content and titles wrap within this
WIDTH_PADDING = 2
WIDTH_SAMPLE = 200  # rows measured: measuring 100,000 cells would take longer than writing them
A4 = 9  # openpyxl's Worksheet.PAPERSIZE_A4; write-only sheets lack the constant


def number_format(kind: str) -> str | None:
    """The number format of a column holding `kind` (MONEY, PERCENT, DATE, INTEGER); None for text."""
    return NUMBER_FORMATS.get(kind)


def display_width(text: str) -> int:
    """Columns `text` takes on screen: East-Asian wide and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def shown(value: Any, kind: str = TEXT) -> str:
    """The text a cell holding `value` shows under `number_format(kind)`."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        if kind == MONEY:
            return f"{float(value):,.2f}"
        if kind == EXACT_WAN:
            text = f"{Decimal(value):,.4f}"
            return text[:-2] + text[-2:].rstrip("0")
        if kind == YUAN:
            return f"{int(value):,}"
        if kind == PERCENT:
            return f"{float(value) * 100:.1f}%"
    return str(value)


def fit_width(header: str, values: Iterable[Any], kind: str = TEXT, minimum: float = MIN_WIDTH) -> float:
    """A column's width from its header and (the first `WIDTH_SAMPLE` of) its values, with a little
    padding, at most `MAX_WIDTH`: longer titles and text wrap."""
    widest = display_width(header)
    for count, value in enumerate(values):
        if count >= WIDTH_SAMPLE:
            break
        text = value if isinstance(value, str) else shown(value, kind)
        widest = max(widest, max((display_width(line) for line in text.splitlines()), default=0))
    return float(min(max(widest + WIDTH_PADDING, minimum), MAX_WIDTH))


def header_style() -> dict[str, Any]:
    """The header cells' font, fill and alignment (wrapping within the column's width)."""
    from openpyxl.styles import Alignment, Font, PatternFill

    return {"font": Font(bold=True), "fill": PatternFill("solid", fgColor="DDEBF7"),
            "alignment": Alignment(wrap_text=True, vertical="center")}


def print_setup(sheet: Any, *, title_row: int | None = None) -> None:
    """A4 landscape, one page wide (as many pages tall as it takes), reasonable margins, page
    numbers in the footer and, with `title_row`, that row repeated on every printed page."""
    from openpyxl.worksheet.page import PageMargins

    sheet.page_setup.paperSize = A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "&P / &N"
    if title_row is not None:
        sheet.print_title_rows = f"{title_row}:{title_row}"


def finish_sheet(sheet: Any, *, header_row: int, widths: Sequence[float], last_row: int,
                 frozen_columns: int = 0) -> None:
    """Make a table sheet (its header on `header_row`, columns A… with `widths`, data down to
    `last_row`) one an official keeps working in: panes frozen below the header (and right of the
    first `frozen_columns` columns), an auto-filter over the table, the column widths, and
    `print_setup` repeating the header on every page.

    Works on write-only sheets too: call it there before appending the first row (the frozen panes,
    the widths and fit-to-page are written at the top of the sheet)."""
    from openpyxl.utils import get_column_letter

    for position, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.freeze_panes = f"{get_column_letter(frozen_columns + 1)}{header_row + 1}"
    if widths:
        sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(widths))}{max(last_row, header_row)}"
    print_setup(sheet, title_row=header_row)


UNIT_SHEET = "单位"
PEOPLE_SHEET = "人员"
GUIDE_SHEET = "说明"
_LIST_ROWS = 500  # rows of the 单位 sheet a drop-down reaches, so units added by hand are offered too

GUIDE: tuple[str, ...] = (
    "coord 台账模板",
    "",
    "本工作簿有四张数据表：项目、投资进度、问题、指标。表名和列名请保持模板写法"
    "（常见写法如“项目”“主办单位”也能识别）；",
    "不需要的列可以删除，多出的列（如 序号、备注）导入时忽略。表头只占一行，不要合并表头单元格。",
    "",
    "项目：每个项目一行，按“项目编号”识别。再次导入时只更新有变化的字段；空白单元格表示“不修改”，不会清空已有数据。",
    "  金额单位为万元，可写 1,200.5；单元格中写“3.2亿”“3200万”也能识别。日期写 2024-03-01、2024/3/1 或 2024年3月1日。",
    "  挂钩区领导、属地、牵头单位、帮办单位、项目专员即项目的“1+2+N”名单，写账号/单位代码或全称，多个用、分隔。",
    "投资进度：每个项目每个月一行（当月完成投资，不是累计），按“项目编号+月份”识别，再次导入时覆盖该月数据。",
    "问题：每个问题一行。新问题“问题编号”留空，导入后由系统编号（如 Q-2024-0042）；导出的台账保留编号。",
    "  无编号时，同一项目下按“问题标题”识别，重复导入不会重复登记。",
    "  填写“责任单位”即交办给该单位（难度留空按 B 类，办结期限留空按工作日推算）。",
    "  已在 coord 中的问题：仍为“已上报”且台账填了责任单位的，导入时交办；其余不一致（状态、单位、期限等）"
    "只提示、不修改——问题的办理只在 coord 中进行。",
    "  已销号、已撤销、解释办结的旧问题不导入。",
    "指标：每个指标每个月一行（指标代码、月份、数值），按“指标代码+月份”识别；数值与 coord 中相同的行不变，"
    "不同的即填报（以前月份即更正），与 coord indicator record 同样校验、留痕。指标须先在 coord 中登记。",
    "",
    "单位、人员两张表列出 coord 中已登记的单位和人员，供下拉选择和查阅，导入时不读取。",
    GUIDE_LINE,
    "台账中出现的单位和人员必须先在 coord 中登记（coord unit add、coord person add）。",
    "",
    "导入：coord ledger import 文件.xlsx（先检查整个文件，有任何错误则一行也不写入，"
    "并列出每个错误的表、行、列和原因）。",
    "导出：coord ledger export 文件.xlsx（导出的文件原样再导入，不会产生任何变化）。",
)


@dataclass(frozen=True)
class LedgerBook:
    """The rows to put in each sheet: one dict per row, keyed by the template's column keys."""

    projects: Sequence[dict[str, Any]] = ()
    progress: Sequence[dict[str, Any]] = ()
    problems: Sequence[dict[str, Any]] = ()
    indicators: Sequence[dict[str, Any]] = ()  # months of indicators (指标)
    readings: Sequence[tuple[ReadingSheet, Sequence[dict[str, Any]]]] = ()  # the export's other kinds, to read
    units: Sequence[tuple[str, str, str]] = ()  # code, name, kind
    people: Sequence[tuple[str, str, str, str]] = ()  # handle, name, unit, roles
    title: str = "coord 台账"
    extra_guide: Sequence[str] = field(default_factory=tuple)


def _choices(choices: Choices) -> list[str]:
    match choices:
        case Choices.LEVELS:
            return [label(level) for level in ProjectLevel]
        case Choices.KINDS:
            return [label(kind) for kind in ProjectKind]
        case Choices.CATEGORIES:
            return list(CATEGORIES)
        case Choices.DIFFICULTIES:
            return [d.value for d in Difficulty]
        case Choices.YES_NO:
            return ["是", "否"]
        case Choices.STATES:
            return [label(state) for state in State]
        case Choices.UNITS:
            return []


_LEDGER_KINDS = {ValueKind.MONEY: MONEY, ValueKind.DATE: DATE, ValueKind.YEAR: INTEGER}


def _sheet(workbook: Any, spec: SheetSpec, rows: Sequence[dict[str, Any]], has_units: bool) -> None:
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet = workbook.create_sheet(spec.title)
    style = header_style()
    for position, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=position, value=column.header)
        cell.font, cell.fill, cell.alignment = style["font"], style["fill"], style["alignment"]
        if column.note:
            comment = Comment(column.note, "coord")
            comment.width, comment.height = 260, 110
            cell.comment = comment
        letter = get_column_letter(position)
        if column.choices is Choices.UNITS:
            if not has_units:
                continue
            formula = f"'{UNIT_SHEET}'!$B$2:$B${_LIST_ROWS + 1}"
        elif column.choices is not None:
            formula = '"' + ",".join(_choices(column.choices)) + '"'
        else:
            continue
        # A warning, not a stop: the import accepts codes and common variants the list does not show.
        validation = DataValidation(type="list", formula1=formula, allow_blank=True, errorStyle="warning",
                                    showErrorMessage=True, error="不在列表中：导入时会再核对",
                                    errorTitle=column.header)
        validation.add(f"{letter}2:{letter}1048576")
        sheet.add_data_validation(validation)
    for row in rows:
        sheet.append([_cell(row.get(column.key)) for column in spec.columns])
    widths = []
    for position, column in enumerate(spec.columns, start=1):
        kind = _LEDGER_KINDS.get(column.kind, TEXT)
        values = [_cell(row.get(column.key)) for row in rows[:WIDTH_SAMPLE]]
        # The template's own width is the least: it leaves room to type in an empty template.
        widths.append(fit_width(column.header, values, kind, minimum=column.width))
        fmt = number_format(kind)
        if fmt is None:
            continue
        # On the column too, so that rows typed into the sheet show the same way.
        sheet.column_dimensions[get_column_letter(position)].number_format = fmt
        for (cell,) in sheet.iter_rows(min_row=2, min_col=position, max_col=position):
            if cell.value is not None:
                cell.number_format = fmt
    finish_sheet(sheet, header_row=1, widths=widths, last_row=len(rows) + 1, frozen_columns=1)


_READING_KINDS = {Shown.TEXT: TEXT, Shown.DATE: DATE, Shown.WAN: EXACT_WAN, Shown.YUAN: YUAN}


def _reading_sheet(workbook: Any, spec: ReadingSheet, rows: Sequence[dict[str, Any]]) -> None:
    """A sheet of one kind of tracked work for people to read: the header, the rows, formats and widths."""
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(spec.title)
    style = header_style()
    sheet.append([column.header for column in spec.columns])
    for cell in sheet[1]:
        cell.font, cell.fill, cell.alignment = style["font"], style["fill"], style["alignment"]
    kinds = [_READING_KINDS[column.shown] for column in spec.columns]
    for row in rows:
        sheet.append([_cell(row.get(column.key)) for column in spec.columns])
    widths = []
    for position, (column, kind) in enumerate(zip(spec.columns, kinds, strict=True), start=1):
        values = [_cell(row.get(column.key)) for row in rows[:WIDTH_SAMPLE]]
        widths.append(fit_width(column.header, values, kind, minimum=column.width))
        fmt = number_format(kind)
        if fmt is None:
            continue
        sheet.column_dimensions[get_column_letter(position)].number_format = fmt
        for (cell,) in sheet.iter_rows(min_row=2, min_col=position, max_col=position):
            if cell.value is not None:
                cell.number_format = fmt
    finish_sheet(sheet, header_row=1, widths=widths, last_row=len(rows) + 1, frozen_columns=1)


def _reference_sheet(workbook: Any, title: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    sheet = workbook.create_sheet(title)
    style = header_style()
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font, cell.fill, cell.alignment = style["font"], style["fill"], style["alignment"]
    for row in rows:
        sheet.append([_cell(value) for value in row])
    widths = [fit_width(header, (row[i] for row in rows)) for i, header in enumerate(headers)]
    finish_sheet(sheet, header_row=1, widths=widths, last_row=len(rows) + 1)


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return visible("、".join(str(v) for v in value)) or None
    if isinstance(value, str):
        return visible(value)  # an old record's control character would stop openpyxl: shown escaped instead
    if isinstance(value, datetime):
        return value.date()
    return value  # dates, whole 元, and Decimal amounts are written as they are


def ledger_workbook(book: LedgerBook) -> Any:
    """An openpyxl Workbook: 说明, 项目, 投资进度, 问题, 指标, the reading sheets of the other kinds (an
    export's), and the 单位 / 人员 reference lists."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    guide = workbook.active
    guide.title = GUIDE_SHEET
    guide.column_dimensions["A"].width = 110  # what an A4 landscape page holds; longer lines wrap
    wrap = Alignment(wrap_text=True, vertical="top")
    for line in (*GUIDE, *book.extra_guide):
        guide.append([line])
        guide.cell(row=guide.max_row, column=1).alignment = wrap
    guide["A1"].font = Font(bold=True, size=14)
    print_setup(guide)
    for spec, rows in ((PROJECTS, book.projects), (PROGRESS, book.progress), (PROBLEMS, book.problems),
                       (INDICATORS, book.indicators)):
        _sheet(workbook, spec, rows, bool(book.units))
    for reading, rows in book.readings:
        _reading_sheet(workbook, reading, rows)
    _reference_sheet(workbook, UNIT_SHEET, ("单位代码", "单位名称", "类型"), book.units)
    _reference_sheet(workbook, PEOPLE_SHEET, ("账号", "姓名", "单位", "角色"), book.people)
    workbook.active = 1  # open on 项目
    return workbook


def save_workbook(workbook: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
