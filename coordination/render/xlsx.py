"""The ledger workbook (台账): the template's sheets with header notes and drop-down lists, filled
with whatever rows it is given (none for the empty template). Never touches the database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from coordination.domain.enums import CATEGORIES, Difficulty, ProjectKind, ProjectLevel, State
from coordination.domain.labels import label
from coordination.domain.ledger import PROBLEMS, PROGRESS, PROJECTS, Choices, SheetSpec, ValueKind

UNIT_SHEET = "单位"
PEOPLE_SHEET = "人员"
GUIDE_SHEET = "说明"
_LIST_ROWS = 500  # rows of the 单位 sheet a drop-down reaches, so units added by hand are offered too

GUIDE: tuple[str, ...] = (
    "coord 台账模板",
    "",
    "本工作簿有三张数据表：项目、投资进度、问题。表名和列名请保持模板写法"
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
    "",
    "单位、人员两张表列出 coord 中已登记的单位和人员，供下拉选择和查阅，导入时不读取。",
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


def _sheet(workbook: Any, spec: SheetSpec, rows: Sequence[dict[str, Any]], has_units: bool) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet = workbook.create_sheet(spec.title)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="center")
    for position, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=position, value=column.header)
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
        if column.note:
            comment = Comment(column.note, "coord")
            comment.width, comment.height = 260, 110
            cell.comment = comment
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = column.width
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
    sheet.freeze_panes = "B2"
    for row in rows:
        sheet.append([_cell(row.get(column.key)) for column in spec.columns])
    date_columns = [i for i, c in enumerate(spec.columns, start=1) if c.kind is ValueKind.DATE]
    for index in date_columns:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.number_format = "yyyy-mm-dd"


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value) or None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date | int | str) or value is None:
        return value
    return value  # Decimal amounts are written as numbers


def ledger_workbook(book: LedgerBook) -> Any:
    """An openpyxl Workbook: 说明, 项目, 投资进度, 问题, and the 单位 / 人员 reference lists."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    guide = workbook.active
    guide.title = GUIDE_SHEET
    guide.column_dimensions["A"].width = 120
    for line in (*GUIDE, *book.extra_guide):
        guide.append([line])
    guide["A1"].font = Font(bold=True, size=14)
    for spec, rows in ((PROJECTS, book.projects), (PROGRESS, book.progress), (PROBLEMS, book.problems)):
        _sheet(workbook, spec, rows, bool(book.units))
    units = workbook.create_sheet(UNIT_SHEET)
    units.append(["单位代码", "单位名称", "类型"])
    for unit in book.units:
        units.append(list(unit))
    people = workbook.create_sheet(PEOPLE_SHEET)
    people.append(["账号", "姓名", "单位", "角色"])
    for person in book.people:
        people.append(list(person))
    for sheet, widths in ((units, (14, 30, 14)), (people, (18, 16, 14, 30))):
        for letter, width in zip("ABCD", widths, strict=False):
            sheet.column_dimensions[letter].width = width
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    workbook.active = 1  # open on 项目
    return workbook


def save_workbook(workbook: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
