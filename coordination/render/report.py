"""One document model for every report format: the report's JSON turned into titled tables.

Markdown, the terminal, Excel and Word all render this same model, so every format holds the very
figures the JSON output holds. Problem lists are long (a district may have 100,000 problems in
hand): where people read them (terminal, Markdown, Word) each shows its `LIST_CAP` most urgent
lines and says how many more there are; Excel and JSON hold them all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from coordination.domain.enums import Light, State
from coordination.domain.hygiene import visible
from coordination.domain.labels import label
from coordination.domain.meetings import chinese_ordinal
from coordination.render.annual import blank_rows, closing_line

# Column kinds: how a value is shown and typed in a spreadsheet.
INT, RATE, PCT, WAN, DATE, TEXT, IDS = "int", "rate", "pct", "wan", "date", "text", "ids"

LIST_CAP = 20  # lines of each problem list shown in the terminal, Markdown and Word
MORE = "_more"  # the key of the line that says how many lines a capped list leaves out
EXCEL_CELL_LIMIT = 32_767  # characters Excel holds in one cell


def more_text(count: int, lang: str) -> str:
    return f"{count} more" if lang == "en" else f"另有 {count} 个"


@dataclass(frozen=True)
class Ids:
    """Problem ids in one cell, and how many there are in all (`ids` may hold only the first few)."""

    ids: list[str]
    count: int


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    kind: str = TEXT

    def header(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


@dataclass
class Table:
    title_zh: str
    title_en: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    sheet: str  # a short name for the Excel sheet
    capped: bool = False  # a problem list: the formats people read show only its first rows
    group: str | None = None  # the key whose values split the rows into lists capped one by one
    # Lines in each list (by the group's value; "" when there is no group), where `rows` may hold
    # only the first lines of each.
    counts: dict[str, int] = field(default_factory=dict)

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_zh

    def visible(self, cap: int | None) -> list[dict[str, Any]]:
        """The rows a format showing at most `cap` lines per list shows: each cut list is followed by
        a row holding `MORE` (how many lines are left out) and the group's own values."""
        if cap is None or not self.capped:
            return self.rows
        lists: dict[str, list[dict[str, Any]]] = {}
        for row in self.rows:
            lists.setdefault(str(row.get(self.group, "")) if self.group else "", []).append(row)
        shown: list[dict[str, Any]] = []
        for key, rows in lists.items():
            shown += rows[:cap]
            left_out = self.counts.get(key, len(rows)) - min(cap, len(rows))
            if left_out > 0:
                marker: dict[str, Any] = {MORE: left_out}
                if self.group:
                    marker |= {k: v for k, v in rows[0].items() if k in _GROUP_KEYS_SHOWN}
                shown.append(marker)
        return shown

    def cells(self, row: dict[str, Any], lang: str, cap: int | None) -> list[str]:
        """The text of each cell of a shown row; a `MORE` row says how many lines are left out in the
        first column the group does not fill."""
        if MORE not in row:
            return [cell_text(row.get(c.key), c.kind, cap, lang) for c in self.columns]
        cells = [str(row[c.key]) if c.key in row else "" for c in self.columns]
        first_free = next((i for i, c in enumerate(self.columns) if c.key not in row), 0)
        cells[first_free] = more_text(row[MORE], lang)
        return cells


@dataclass
class Document:
    title: str
    period: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    # What Word's opening paragraph and signature cite: the cadence, the period's figures and the
    # instant the report is as of.
    cadence: str = ""
    figures: dict[str, Any] = field(default_factory=dict)
    as_of: str | None = None
    closing: list[str] = field(default_factory=list)  # lines after the last table (the body's last words)
    footer: str | None = None  # the latest audit checkpoint's fingerprint, so that paper holds a copy


_TITLES = {
    "weekly": ("重大项目问题协调推进周汇报", "Weekly report on major-project problems"),
    "monthly": ("重大项目问题协调推进月分析", "Monthly analysis"),
    "quarterly": ("重大项目季调度", "Quarterly dispatch"),
    "annual": ("重大项目推进年度情况", "Annual summary"),
}

SLICE_COLUMNS = [
    Column("name", "名称", "Name"),
    Column("new", "新增", "New", INT),
    Column("closed", "办结销号", "Closed", INT),
    Column("in_hand_start", "期初在办", "In hand (start)", INT),
    Column("in_hand_end", "期末在办", "In hand (end)", INT),
    Column("overdue", "超期", "Overdue", INT),
    Column("escalations", "提级次数", "Escalations", INT),
    Column("closure_rate", "办结率", "Closure rate", RATE),
    Column("on_time_rate", "按时办结率", "On-time rate", RATE),
]

BRIEF_COLUMNS = [
    Column("id", "编号", "ID"),
    Column("project_name", "项目", "Project"),
    Column("title", "问题", "Problem"),
    Column("category", "类别", "Category"),
    Column("state_label", "状态", "State"),
    Column("level", "层级", "Level", INT),
    Column("lead_unit_name", "责任单位", "Lead unit"),
    Column("due_date", "办结期限", "Due", DATE),
    Column("light_label", "亮灯", "Light"),
]

GROUP_COLUMNS = [
    Column("key_label", "分组", "Group"),
    Column("projects", "项目数", "Projects", INT),
    Column("total_investment_wan", "总投资（万元）", "Total investment (10k yuan)", WAN),
    Column("planned_to_start", "计划开工", "Planned to start", INT),
    Column("started", "已开工", "Started", INT),
    Column("start_rate", "开工率（%）", "Start rate (%)", PCT),
    Column("annual_plan_wan", "年度计划（万元）", "Annual plan (10k yuan)", WAN),
    Column("done_ytd_wan", "完成投资（万元）", "Completed (10k yuan)", WAN),
    Column("completion_rate", "完成率（%）", "Completion rate (%)", PCT),
    Column("target", "序时进度（%）", "Time target (%)", PCT),
    Column("gap", "差距（百分点）", "Gap (points)", PCT),
]

BLANK_COLUMNS = [
    Column("phrase", "原文表述", "Phrase in the summary"),
    Column("value", "数值", "Figure"),
    Column("unit", "单位", "Unit"),
    Column("method", "计算方法", "How it was computed"),
]

_GROUP_KEYS_SHOWN = frozenset({"owner", "owner_name"})  # what a queue's "N more" line repeats

_GROUP_KEYS = {"provincial": ("省重点", "provincial"), "municipal": ("市重点", "municipal"),
               "district": ("区重点", "district"), "industry": ("产业类", "industry"),
               "livelihood": ("社会民生类", "livelihood"), "infrastructure": ("基础设施类", "infrastructure")}


def _brief_rows(items: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    rows = []
    for item in items:
        light = item.get("light")
        rows.append({**item, "state_label": label(State(item["state"]), lang),
                     "light_label": label(Light(light), lang) if light else "—",
                     "lead_unit_name": item.get("lead_unit_name") or item.get("lead_unit") or "—"})
    return rows


def report_title(cadence: str, lang: str = "zh") -> str:
    title_zh, title_en = _TITLES[cadence]
    return title_en if lang == "en" else title_zh


def document(report: dict[str, Any], lang: str = "zh") -> Document:
    """The report as titled tables, in the order an official report reads."""
    zh = lang != "en"
    period = report["period"]
    subtitle = period["label"] if zh else period.get("label_en", period["name"])
    doc = Document(report_title(report["cadence"], lang), subtitle)
    problems = report["problems"]
    totals = problems["totals"]
    days = problems["days_to_close"]
    doc.cadence, doc.as_of = report["cadence"], report.get("as_of")
    if report.get("checkpoint"):
        from coordination.config import DISTRICT_TZ
        from coordination.domain.checkpoint import stamp_line

        doc.footer = stamp_line(report["checkpoint"], lang, DISTRICT_TZ)
    doc.figures = {**totals, "meetings": report["meetings"]["count"], "decisions": report["meetings"]["decisions"],
                   "queued": sum(q.get("count", len(q["items"])) for q in report["queues"])}
    if report.get("annual"):  # the summary's paragraphs, every blank filled
        doc.paragraphs += report["annual"]["paragraphs"]
    doc.tables.append(Table("总体情况", "Overview", [
        Column("figure", "指标", "Figure"), Column("value", "数值", "Value", TEXT)], [
        {"figure": "新增问题" if zh else "New", "value": totals["new"]},
        {"figure": "办结销号" if zh else "Closed (struck off)", "value": totals["closed"]},
        {"figure": "期初在办" if zh else "In hand at start", "value": totals["in_hand_start"]},
        {"figure": "期末在办" if zh else "In hand at end", "value": totals["in_hand_end"]},
        {"figure": "超期" if zh else "Overdue", "value": totals["overdue"]},
        {"figure": "提级（次）" if zh else "Escalations", "value": totals["escalations"]},
        {"figure": "提级问题（个）" if zh else "Problems escalated", "value": totals["escalated_problems"]},
        {"figure": "重开（退回重办/回头看）" if zh else "Reopened", "value": totals["reopened"]},
        {"figure": "办结率" if zh else "Closure rate", "value": percent_text(totals["closure_rate"])},
        {"figure": "按时办结率" if zh else "On-time rate", "value": percent_text(totals["on_time_rate"])},
        {"figure": "平均办结用时（工作日）" if zh else "Mean working days to close", "value": days["mean"]},
        {"figure": "办结用时中位数（工作日）" if zh else "Median working days to close", "value": days["median"]},
        {"figure": "召开协调会议（次）" if zh else "Meetings held", "value": report["meetings"]["count"]},
        {"figure": "形成议定事项（条）" if zh else "Decisions made", "value": report["meetings"]["decisions"]},
    ], "总体" if zh else "Overview"))
    for key, title in (("by_unit", ("分责任单位", "By unit")),
                       ("by_category", ("分问题类别", "By category")),
                       ("by_level", ("分层级", "By level"))):
        doc.tables.append(Table(title[0], title[1], SLICE_COLUMNS, problems[key], title[0] if zh else key))
    doc.tables.append(Table("协调会议", "Meetings", [
        Column("id", "会议", "Meeting"), Column("kind", "类型", "Kind"), Column("date", "日期", "Date", DATE),
        Column("chair_name", "主持", "Chair"), Column("minutes_number", "纪要编号", "Minutes"),
        Column("decisions", "议定事项", "Decisions", INT)], report["meetings"]["held"], "会议" if zh else "Meetings"))
    queue_rows = [{**row, "owner": queue["owner"], "owner_name": queue["owner_name"]}
                  for queue in report["queues"] for row in _brief_rows(queue["items"], lang)]
    doc.tables.append(Table("领导提级队列", "Leaders' queues",
                            [Column("owner_name", "队列", "Queue"), *BRIEF_COLUMNS], queue_rows,
                            "队列" if zh else "Queues", capped=True, group="owner",
                            counts={q["owner"]: q.get("count", len(q["items"])) for q in report["queues"]}))
    lists = problems["lists"]
    counts = problems.get("list_counts", {})
    for key, title, sheet in (("new", ("新增问题清单", "New problems"), "新增清单"),
                              ("in_hand", ("推进落实问题清单", "Problems in hand"), "推进清单"),
                              ("closed", ("已办结销号问题清单", "Problems struck off"), "销号清单")):
        doc.tables.append(Table(title[0], title[1], BRIEF_COLUMNS, _brief_rows(lists[key], lang),
                                sheet if zh else key, capped=True,
                                counts={"": counts.get(key, len(lists[key]))}))
    if report.get("trend"):
        doc.tables.append(Table("月度趋势", "Monthly trend", [
            Column("period", "月份", "Month"), Column("new", "新增", "New", INT),
            Column("closed", "办结销号", "Closed", INT), Column("escalations", "提级", "Escalations", INT),
            Column("in_hand_end", "月末在办", "In hand at month end", INT),
            Column("closure_rate", "办结率", "Closure rate", RATE)], report["trend"], "趋势" if zh else "Trend"))
    if "ranking" in report:  # every report past the weekly has its ranking, "（无）" when no unit has work
        doc.tables.append(Table("单位排名", "Unit ranking",
                                [Column("rank", "名次", "Rank", INT), *SLICE_COLUMNS], report["ranking"],
                                "排名" if zh else "Ranking"))
    projects = report.get("projects")
    if projects:
        groups = [{**g, "key_label": _group_label(g.get("grouping"), g["key"], zh)}
                  for g in [projects["all"], *projects["by_level"], *projects["by_kind"]]]
        doc.tables.append(Table(f"项目推进（截至{projects['as_of']}）",
                                f"Project progress ({projects['as_of']})",
                                GROUP_COLUMNS, groups, "项目推进" if zh else "Projects"))
    if "dispatch" in report:
        rows = [{"leader_name": d["leader_name"], "projects": "、".join(p["name"] for p in d["projects"]),
                 "in_hand": d["in_hand"], "red": d["lights"]["red"], "yellow": d["lights"]["yellow"],
                 "green": d["lights"]["green"], "meetings": len(d["meetings"]),
                 "stuck": Ids([s["id"] for s in d["stuck_above_l3"]],
                              d.get("stuck_above_l3_count", len(d["stuck_above_l3"])))}
                for d in report["dispatch"]]
        doc.tables.append(Table("挂钩领导调度", "Dispatch by linked leader", [
            Column("leader_name", "挂钩领导", "Leader"), Column("projects", "挂钩项目", "Projects"),
            Column("in_hand", "在办问题", "In hand", INT), Column("red", "红灯", "Red", INT),
            Column("yellow", "黄灯", "Yellow", INT), Column("green", "绿灯", "Green", INT),
            Column("meetings", "主持会办", "Meetings chaired", INT),
            Column("stuck", "L3以上未解决", "Stuck above L3", IDS)], rows, "调度" if zh else "Dispatch"))
    if report.get("indicators"):  # a monthly analysis, in a district that watches indicators
        from coordination.render.indicator_section import indicator_table

        doc.tables.append(indicator_table(report["indicators"], lang))
    number_sections(doc.tables)
    if report.get("annual"):  # every blank's figure and how, after the numbered sections
        doc.tables.append(Table("年度数据（对应总结中的空白）", "Annual figures (the summary's blanks)",
                                BLANK_COLUMNS, blank_rows(report.get("blanks", [])), "年度" if zh else "Annual"))
        if line := closing_line(report.get("missing_kinds", []), lang):
            doc.closing.append(line)
    return doc


def _group_label(grouping: str | None, key: str | None, zh: bool) -> str:
    """A group's name; no key is the whole portfolio, or, within a grouping, projects it has no value for."""
    if key is None:
        if grouping in (None, "all"):
            return "全部项目" if zh else "all projects"
        return "未分类" if zh else "unclassified"
    names = _GROUP_KEYS.get(key)
    return (names[0] if zh else names[1]) if names else key


def number_sections(tables: list[Table]) -> None:
    """Number the sections in the order they stand (一、二、… / 1. 2. …), so that a section one report
    leaves out leaves no gap in the numbering of the next."""
    for number, table in enumerate(tables, start=1):
        table.title_zh = f"{chinese_ordinal(number)}、{table.title_zh}"
        table.title_en = f"{number}. {table.title_en}"


def percent_text(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def cell_text(value: Any, kind: str, cap: int | None = None, lang: str = "zh") -> str:
    if isinstance(value, Ids):
        shown = value.ids if cap is None else value.ids[:cap]
        left_out = value.count - len(shown)
        text = "、".join(shown) or "—"
        return f"{text}（{more_text(left_out, lang)}）" if left_out > 0 else text
    if value is None or value == "":
        return "—"
    if kind == RATE:
        return percent_text(float(value))
    return str(value)


def markdown(doc: Document, lang: str = "zh", cap: int | None = LIST_CAP) -> str:
    lines = [f"# {doc.title}", "", f"**{doc.period}**", ""]
    lines += [f"{p}\n" for p in doc.paragraphs]
    for table in doc.tables:
        lines += [f"## {table.title(lang)}", ""]
        if not table.rows:
            lines += ["（无）" if lang != "en" else "(none)", ""]
            continue
        lines.append("| " + " | ".join(c.header(lang) for c in table.columns) + " |")
        lines.append("|" + "|".join("---:" if c.kind in (INT, RATE, PCT, WAN) else "---" for c in table.columns) + "|")
        for row in table.visible(cap):
            cells = [cell.replace("|", "｜") for cell in table.cells(row, lang, cap)]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    lines += [f"{line}\n" for line in doc.closing]
    if doc.footer:
        lines += ["---", "", f"{doc.footer}\n"]
    return visible("\n".join(lines).rstrip()) + "\n"  # a file someone may `cat`


def _typed(value: Any, kind: str) -> Any:
    """The value as a spreadsheet should hold it: numbers as numbers, dates as dates."""
    if value is None or value == "":
        return None
    if kind == INT:
        return int(value)
    if kind == RATE:
        return float(value)
    if kind == PCT:
        return float(Decimal(str(value)) / 100)
    if kind == WAN:
        return float(Decimal(str(value)))
    if kind == DATE:
        return date.fromisoformat(str(value))
    if isinstance(value, Ids):
        value = "、".join(value.ids) or None
    if isinstance(value, str):
        value = visible(value)  # an old record's control character would stop openpyxl: shown escaped
    if isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT:
        return value[: EXCEL_CELL_LIMIT - 1] + "…"
    return value


_NUMBER_FORMATS = {RATE: "0.0%", PCT: "0.0%", DATE: "yyyy-mm-dd", WAN: "#,##0.00"}


def xlsx(doc: Document, path: Path, lang: str = "zh") -> Path:
    """One sheet per section: its title, then the table with typed cells (万元 with thousands
    separators, real percentages, real dates), finished by `render.xlsx.finish_sheet` (header frozen,
    filter, widths from content, A4 landscape printing with the header repeated).

    Written row by row (openpyxl's write-only mode): a list of 100,000 problems never sits in memory
    as a million cell objects.
    """
    from decimal import InvalidOperation

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    from coordination.render import xlsx as sheets

    kinds = {RATE: sheets.PERCENT, PCT: sheets.PERCENT, WAN: sheets.MONEY, DATE: sheets.DATE}
    book = Workbook(write_only=True)
    cover = book.create_sheet("封面" if lang != "en" else "Cover")
    cover.column_dimensions["A"].width = 100
    sheets.print_setup(cover)

    def styled(sheet: Any, value: Any, **style: Any) -> Any:
        cell = WriteOnlyCell(sheet, value=visible(value) if isinstance(value, str) else value)
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell

    def typed(value: Any, kind: str) -> tuple[Any, str]:
        """The cell's value and the kind of `render.xlsx` its format follows."""
        if kind == TEXT and isinstance(value, str) and value.endswith("%"):  # 总体's "25.0%"
            try:
                return float(Decimal(value[:-1]) / 100), sheets.PERCENT
            except InvalidOperation:
                pass
        return _typed(value, kind), kinds.get(kind, sheets.TEXT)

    def header(column: Column) -> str:
        text = column.header(lang)  # a percentage shows its % sign: "开工率（%）" is 开工率
        return text.removesuffix("（%）").removesuffix(" (%)") if column.kind == PCT else text

    cover.append([styled(cover, doc.title, font=Font(bold=True, size=16))])
    cover.append([doc.period])
    cover.append([])
    for paragraph in [*doc.paragraphs, *doc.closing]:
        cover.append([styled(cover, paragraph, alignment=Alignment(wrap_text=True, vertical="top"))])
    if doc.footer:
        cover.append([])
        cover.append([doc.footer])
    wrap = Alignment(wrap_text=True, vertical="top")
    head = sheets.header_style()
    used: set[str] = set()
    for table in doc.tables:
        name = table.sheet[:31]
        while name in used:
            name = name[:29] + str(len(used))
        used.add(name)
        sheet = book.create_sheet(name)
        widths = []
        for column in table.columns:
            sample = [typed(r.get(column.key), column.kind) for r in table.rows[: sheets.WIDTH_SAMPLE]]
            widths.append(sheets.fit_width(header(column), [value for value, _ in sample],
                                           kinds.get(column.kind, sheets.TEXT)))
        # Long text wraps within the widest column allowed rather than running under its neighbours.
        wrapped = [width >= sheets.MAX_WIDTH and column.kind in (TEXT, IDS)
                   for width, column in zip(widths, table.columns, strict=True)]
        sheets.finish_sheet(sheet, header_row=2, widths=widths, last_row=len(table.rows) + 2)
        sheet.append([styled(sheet, table.title(lang), font=Font(bold=True, size=13))])
        sheet.append([styled(sheet, header(c), **head) for c in table.columns])
        for row in table.rows:
            cells = []
            for column, wraps in zip(table.columns, wrapped, strict=True):
                value, kind = typed(row.get(column.key), column.kind)
                fmt = sheets.number_format(kind)
                if value is not None and fmt:
                    cells.append(styled(sheet, value, number_format=fmt))
                elif value is not None and wraps:
                    cells.append(styled(sheet, value, alignment=wrap))
                else:
                    cells.append(value)
            sheet.append(cells)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(str(path))
    return path


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def docx(doc: Document, path: Path, lang: str = "zh", cap: int | None = LIST_CAP) -> Path:
    """The report as a Word 公文 (render/report_word.py; python-docx loads only when Word is asked for)."""
    from coordination.render.report_word import docx as word_document

    return word_document(doc, path, lang, cap)


_COMPACT = json.JSONEncoder(ensure_ascii=False)  # one item of a lazy list: one line, encoded in C


def json_chunks(value: Any, indent: int = 2) -> Iterator[str]:
    """`value` as JSON text, in pieces to write as they come: laid out as `json.dumps(value,
    ensure_ascii=False, indent=indent)` lays it out, except that an iterator (a long list produced
    lazily, such as `Report.json_stream()` gives) becomes an array with one compact item per line.
    The document is never held whole in memory."""
    yield from _chunks(value, 0, indent)


def _chunks(value: Any, depth: int, indent: int) -> Iterator[str]:
    inner = "\n" + " " * (indent * (depth + 1))
    outer = "\n" + " " * (indent * depth)
    if isinstance(value, dict):
        if not value:
            yield "{}"
            return
        opening = "{"
        for key, item in value.items():
            yield f"{opening}{inner}{json.dumps(str(key), ensure_ascii=False)}: "
            opening = ","
            yield from _chunks(item, depth + 1, indent)
        yield outer + "}"
    elif isinstance(value, list | tuple):
        if not value:
            yield "[]"
            return
        opening = "["
        for item in value:
            yield opening + inner
            opening = ","
            yield from _chunks(item, depth + 1, indent)
        yield outer + "]"
    elif isinstance(value, Iterator):
        opening = "["
        for item in value:
            yield opening + inner + _COMPACT.encode(item)
            opening = ","
        yield "[]" if opening == "[" else outer + "]"
    else:
        yield json.dumps(value, ensure_ascii=False)
