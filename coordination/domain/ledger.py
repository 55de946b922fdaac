"""The Excel ledger (台账) template: its sheets and columns, and tolerant matching of real headers.

Pure: works on the values of cells, never on files. The services read and write the workbooks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from coordination.domain.enums import CATEGORIES, Difficulty
from coordination.domain.investment import MoneyUnit, clean_text


class ValueKind(StrEnum):
    CODE = "code"
    TEXT = "text"
    MONEY = "money"
    YEAR = "year"
    MONTH = "month"
    DATE = "date"
    YES_NO = "yes_no"
    LEVEL = "level"
    KIND = "kind"
    CATEGORY = "category"
    DIFFICULTY = "difficulty"
    STATE = "state"
    UNIT = "unit"
    UNITS = "units"
    PERSON = "person"
    PEOPLE = "people"
    INFO = "info"  # written on export for people to read; ignored on import


class Choices(StrEnum):
    """Drop-down lists the template puts on a column."""

    LEVELS = "levels"
    KINDS = "kinds"
    CATEGORIES = "categories"
    DIFFICULTIES = "difficulties"
    YES_NO = "yes_no"
    STATES = "states"
    UNITS = "units"


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the template's header
    kind: ValueKind
    aliases: tuple[str, ...] = ()
    note: str = ""  # the header's comment in the template
    width: int = 14
    choices: Choices | None = None
    unit: MoneyUnit | None = None  # money columns: the unit the template's header names


@dataclass(frozen=True)
class SheetSpec:
    key: str  # projects | progress | problems
    title: str  # the template's sheet name
    names: tuple[str, ...]  # sheet names that announce this sheet
    columns: tuple[Column, ...]
    needs_all: tuple[str, ...]  # column keys a header row must have to be this sheet
    needs_one: tuple[str, ...] = ()  # …and at least one of these

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


PROJECTS = SheetSpec(
    key="projects",
    title="项目",
    names=("项目", "项目台账", "项目清单", "重点项目", "项目信息", "项目表", "projects"),
    needs_all=(),
    needs_one=("level", "kind", "total_investment", "annual_plan", "planned_start", "leaders", "lead_unit"),
    columns=(
        Column("code", "项目编号", ValueKind.CODE, ("项目代码", "项目编码", "编号", "代码"),
               "必填。项目的唯一编号，如 P-001（字母、数字、-、_、.）；再次导入时按编号更新，不会重复登记。", 12),
        Column("name", "项目名称", ValueKind.TEXT, ("项目", "名称", "项目全称"), "新项目必填。", 36),
        Column("level", "项目级别", ValueKind.LEVEL, ("级别", "项目层级", "重点级别", "项目等级", "层级"),
               "新项目必填：省重点、市重点 或 区重点。", 10, Choices.LEVELS),
        Column("kind", "项目类别", ValueKind.KIND, ("项目类型", "类别", "类型", "行业类别", "项目分类"),
               "产业、社会民生 或 基础设施。", 10, Choices.KINDS),
        Column("total_investment", "总投资（万元）", ValueKind.MONEY, ("总投资", "计划总投资", "项目总投资"),
               "单位万元，可写 1,200.5；单元格里写“3.2亿”“3200万”也能识别。", 14, unit=MoneyUnit.WAN),
        Column("plan_year", "计划年度", ValueKind.YEAR, ("年度", "年份", "计划年份"),
               "年度计划投资所属的年份，如 2024；留空按导入当年。", 10),
        Column("annual_plan", "年度计划投资（万元）", ValueKind.MONEY,
               ("年度计划投资", "年度计划", "本年计划投资", "年度投资计划", "计划投资", "年计划投资"),
               "单位万元。完成率 = 年内累计完成投资 ÷ 年度计划投资。", 16, unit=MoneyUnit.WAN),
        Column("planned_start", "计划开工日期", ValueKind.DATE, ("计划开工", "计划开工时间"),
               "日期，如 2024-03-01；只写到月（2024年3月）按当月1日。", 13),
        Column("actual_start", "实际开工日期", ValueKind.DATE, ("实际开工", "实际开工时间", "开工日期", "开工时间"),
               "已开工的填写；开工率 = 已开工 ÷ 年内计划开工。", 13),
        Column("planned_completion", "计划竣工日期", ValueKind.DATE, ("计划竣工", "计划竣工时间", "计划完工日期"),
               "", 13),
        Column("actual_completion", "实际竣工日期", ValueKind.DATE,
               ("实际竣工", "实际竣工时间", "竣工日期", "竣工时间"), "", 13),
        Column("planned_production", "计划投产日期", ValueKind.DATE, ("计划投产", "计划投产时间"), "", 13),
        Column("actual_production", "实际投产日期", ValueKind.DATE,
               ("实际投产", "实际投产时间", "投产日期", "投产时间"), "", 13),
        Column("in_stats", "是否入统", ValueKind.YES_NO, ("入统", "入统情况", "入统状态", "已入统"),
               "是 或 否。", 10, Choices.YES_NO),
        Column("leaders", "挂钩区领导", ValueKind.PEOPLE, ("挂钩领导", "区领导", "包抓领导", "联系领导", "挂钩区领导1"),
               "“1”：新项目必填。写账号或姓名，多人用、分隔；须已登记为区领导。", 14),
        Column("locality", "属地", ValueKind.UNIT,
               ("属地镇/园区", "属地镇街", "属地单位", "所在镇街", "所在园区", "属地镇(园区)", "属地镇园区"),
               "“2”之一：新项目必填。属地镇/园区的单位代码或全称。", 18, Choices.UNITS),
        Column("lead_unit", "牵头单位", ValueKind.UNIT,
               ("责任单位", "主办单位", "牵头部门", "服务单位", "牵头服务单位"),
               "“2”之一：新项目必填。牵头/服务部门的单位代码或全称。", 18, Choices.UNITS),
        Column("helpers", "帮办单位", ValueKind.UNITS, ("配合单位", "协办单位", "帮办部门"),
               "“N”：单位代码或全称，多个用、分隔。", 30),
        Column("specialists", "项目专员", ValueKind.PEOPLE, ("服务专员", "专员", "项目服务专员"),
               "账号或姓名，多人用、分隔；须已登记为项目专员。", 14),
    ),
)

PROGRESS = SheetSpec(
    key="progress",
    title="投资进度",
    names=("投资进度", "月度投资", "投资完成", "月度进度", "投资完成情况", "月度完成投资", "progress"),
    needs_all=("month", "completed"),
    needs_one=("project", "project_name"),
    columns=(
        Column("project", "项目编号", ValueKind.CODE, ("项目代码", "项目编码", "编号"),
               "项目编号；也可只填项目名称。", 12),
        Column("project_name", "项目名称", ValueKind.TEXT, ("项目", "所属项目"), "编号为空时按名称找项目。", 36),
        Column("month", "月份", ValueKind.MONTH, ("统计月份", "年月", "月度", "所属月份"),
               "必填，如 2024-04 或 2024年4月。同一项目同一月份只能有一行。", 10),
        Column("completed", "当月完成投资（万元）", ValueKind.MONEY,
               ("当月完成投资", "本月完成投资", "月度完成投资", "完成投资"),
               "必填。该月完成的投资（不是累计），单位万元。", 18, unit=MoneyUnit.WAN),
        Column("note", "备注", ValueKind.TEXT, ("说明", "进展情况", "形象进度"), "", 40),
    ),
)

PROBLEMS = SheetSpec(
    key="problems",
    title="问题",
    names=("问题", "问题台账", "问题清单", "问题表", "存在问题", "problems"),
    needs_all=("title",),
    needs_one=("project", "project_name"),
    columns=(
        Column("id", "问题编号", ValueKind.CODE, ("问题ID", "问题代码"),
               "新问题留空，导入时由系统编号（如 Q-2024-0042）；已有问题保留编号，再次导入不会重复。", 14),
        Column("project", "项目编号", ValueKind.CODE, ("项目代码", "项目编码"), "项目编号；也可只填项目名称。", 12),
        Column("project_name", "项目名称", ValueKind.TEXT, ("项目", "所属项目"), "编号为空时按名称找项目。", 30),
        Column("title", "问题标题", ValueKind.TEXT,
               ("问题", "问题描述", "存在问题", "存在的问题", "问题名称", "标题", "问题内容"),
               "必填，200 字以内。无问题编号时，同一项目下按标题识别同一个问题。", 40),
        Column("category", "问题类别", ValueKind.CATEGORY, ("类别", "问题类型", "问题分类", "类型"),
               "新问题必填：" + "、".join(CATEGORIES) + "。", 10, Choices.CATEGORIES),
        Column("detail", "详细情况", ValueKind.TEXT, ("详情", "问题详情", "具体情况", "情况说明"), "", 40),
        Column("lead_unit", "责任单位", ValueKind.UNIT,
               ("牵头单位", "主办单位", "交办单位", "责任部门", "牵头责任单位"),
               "填写即视为已交办：导入时交办给该单位（单位代码或全称）。", 18, Choices.UNITS),
        Column("co_units", "配合单位", ValueKind.UNITS, ("协办单位", "配合部门", "帮办单位"), "多个用、分隔。", 24),
        Column("difficulty", "难度", ValueKind.DIFFICULTY, ("难度等级", "难度分类", "问题难度"),
               "A（30个工作日）、B（15个）或 C（5个）；留空按 B。", 8, Choices.DIFFICULTIES),
        Column("assigned_on", "交办日期", ValueKind.DATE, ("交办时间",), "留空按导入当天。", 12),
        Column("due_date", "办结期限", ValueKind.DATE, ("完成时限", "办结时限", "期限", "要求完成时间", "办结时间要求"),
               "须晚于交办日期；留空按难度以工作日推算。", 12),
        Column("state", "状态", ValueKind.STATE, ("办理状态", "当前状态", "问题状态"),
               "已上报 或 已交办；已销号、已撤销、解释办结的旧问题不导入（给出提示）。", 10, Choices.STATES),
        Column("raised_by", "上报人", ValueKind.PERSON, ("提出人", "上报人员", "反映人"),
               "账号或姓名；留空为导入人。", 12),
        Column("raised_on", "上报日期", ValueKind.DATE, ("提出时间", "上报时间", "发现时间", "提出日期"),
               "留空按导入当天。", 12),
        Column("level", "层级", ValueKind.INFO, ("提级层级",), "导出时填写，导入时不读。", 8),
        Column("light", "亮灯", ValueKind.INFO, ("亮灯情况",), "导出时填写，导入时不读。", 8),
    ),
)

INDICATORS = SheetSpec(
    key="indicators",
    title="指标",
    names=("指标", "指标监测", "指标数据", "月度指标", "indicators"),
    needs_all=("code", "month", "value"),
    columns=(
        Column("code", "指标代码", ValueKind.CODE, ("指标编号", "指标编码"),
               "必填。已登记的指标代码，如 FAI（coord indicator list 可查）。", 12),
        Column("name", "指标名称", ValueKind.INFO, ("指标",), "导出时填写，导入时不读。", 30),
        Column("month", "月份", ValueKind.MONTH, ("统计月份", "年月", "所属月份"),
               "必填，如 2024-04 或 2024年4月。同一指标同一月份只能有一行。", 10),
        Column("value", "数值", ValueKind.TEXT, ("指标值", "当月数值", "累计数值"),
               "必填。该月数值，如 7.9 或 -2.25（最多 4 位小数，单位见指标）。", 12),
    ),
)

SHEETS: tuple[SheetSpec, ...] = (PROJECTS, PROGRESS, PROBLEMS, INDICATORS)
HEADER_SCAN_ROWS = 10
TOTAL_WORDS = frozenset({"合计", "总计", "小计", "汇总"})
NOTE_PREFIXES = ("注", "备注", "说明", "填表", "制表", "审核")
DIFFICULTY_WORDS: dict[str, Difficulty] = {
    word: d for d in Difficulty for word in (d.value, d.value.lower(), f"{d.value}类", f"{d.value.lower()}类")
}

_UNIT_IN_HEADER = re.compile(r"[(\[【]?(亿元|万元|元)[)\]】]?$")
_BRACKETS = re.compile(r"[(\[【][^)\]】]*[)\]】]")


def normalize_header(text: object) -> tuple[str, MoneyUnit | None]:
    """The bare name of a header and the money unit it states: "总投资（亿元）" → ("总投资", 亿元)."""
    cleaned = re.sub(r"\s+", "", clean_text(text)).strip("*:：")
    unit: MoneyUnit | None = None
    found = _UNIT_IN_HEADER.search(cleaned)
    if found:
        unit = MoneyUnit(found[1])
        cleaned = cleaned[: found.start()]
    cleaned = _BRACKETS.sub("", cleaned).strip("*:：")
    return cleaned, unit


def _lookup(spec: SheetSpec) -> dict[str, Column]:
    table: dict[str, Column] = {}
    for column in spec.columns:
        for name in (column.header, *column.aliases):
            table.setdefault(normalize_header(name)[0], column)
    return table


_LOOKUPS: dict[str, dict[str, Column]] = {spec.key: _lookup(spec) for spec in SHEETS}


@dataclass(frozen=True)
class HeaderMatch:
    """Where each of a sheet's columns sits in a header row (0-based positions)."""

    spec: SheetSpec
    row_index: int  # 0-based index of the header row among the rows scanned
    positions: dict[str, int]  # column key → position
    units: dict[str, MoneyUnit]  # money column key → unit stated in its header
    headers: dict[str, str]  # column key → the header as written
    duplicates: tuple[tuple[str, int, int], ...]  # (key, first position, second position)
    ignored: tuple[str, ...]  # headers that match no column

    @property
    def score(self) -> int:
        # A sheet's defining columns weigh more: 问题标题 makes a problem sheet, 月份 a progress sheet.
        return len(self.positions) + 2 * len(self.spec.needs_all)


def match_header(spec: SheetSpec, cells: Sequence[object], row_index: int = 0) -> HeaderMatch | None:
    """Read one row as `spec`'s header; None when it lacks the columns that make the sheet."""
    lookup = _LOOKUPS[spec.key]
    positions: dict[str, int] = {}
    units: dict[str, MoneyUnit] = {}
    headers: dict[str, str] = {}
    duplicates: list[tuple[str, int, int]] = []
    ignored: list[str] = []
    for position, cell in enumerate(cells):
        if cell is None or not clean_text(cell):
            continue
        name, unit = normalize_header(cell)
        column = lookup.get(name)
        if column is None:
            ignored.append(clean_text(cell))
            continue
        if column.key in positions:
            duplicates.append((column.key, positions[column.key], position))
            continue
        positions[column.key] = position
        headers[column.key] = str(cell).strip()  # as written, for messages
        if column.kind is ValueKind.MONEY:
            units[column.key] = unit or column.unit or MoneyUnit.WAN
    if not all(key in positions for key in spec.needs_all):
        return None
    if spec.needs_one and not any(key in positions for key in spec.needs_one):
        return None
    if len(positions) < 2:
        return None
    return HeaderMatch(spec, row_index, positions, units, headers, tuple(duplicates), tuple(ignored))


def spec_for_sheet_name(name: str) -> SheetSpec | None:
    cleaned = re.sub(r"\s+", "", clean_text(name)).lower()
    cleaned = re.sub(r"^\d{4}年?", "", cleaned)  # "2024年问题台账"
    for spec in SHEETS:
        if cleaned in spec.names:
            return spec
    return None


def find_header(sheet_name: str, rows: Sequence[Sequence[object]]) -> HeaderMatch | None:
    """The best header among the first rows: a sheet named like a template sheet is read only as
    that sheet; any other sheet as whichever template sheet its headers fit best."""
    named = spec_for_sheet_name(sheet_name)
    candidates = (named,) if named else SHEETS
    best: HeaderMatch | None = None
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        for spec in candidates:
            found = match_header(spec, row, index)
            if found is not None and (best is None or found.score > best.score):
                best = found
    return best


def is_total_row(cells: Sequence[object]) -> bool:
    """合计/小计 rows summarise the rows above; they are not records."""
    filled = [clean_text(c) for c in cells if c is not None and clean_text(c)]
    return bool(filled) and re.sub(r"\s+", "", filled[0]) in TOTAL_WORDS


def is_note_row(cells: Sequence[object]) -> bool:
    """A lone remark under the table ("注：…", "填表人：…")."""
    filled = [clean_text(c) for c in cells if c is not None and clean_text(c)]
    return len(filled) == 1 and filled[0].startswith(NOTE_PREFIXES)


def split_refs(value: object) -> list[str]:
    """"陈副区长、刘副区长" / "ZRZY,ZJJ" / one per line → the names, in order, without repeats."""
    if value is None:
        return []
    parts = re.split(r"[,，、;；\n]+", str(value).strip())  # names are kept as written; matching folds them
    seen: list[str] = []
    for part in (p.strip() for p in parts):
        if part and part not in seen:
            seen.append(part)
    return seen
