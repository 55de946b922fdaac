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
from coordination.domain.labels import label

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
    doc = Document(report_title(report["cadence"], lang), report["period"]["label"] if zh else report["period"]["name"])
    problems = report["problems"]
    totals = problems["totals"]
    days = problems["days_to_close"]
    if report.get("annual"):
        doc.paragraphs.append(report["annual"]["paragraph"])
    doc.tables.append(Table("一、总体情况", "1. Overview", [
        Column("figure", "指标", "Figure"), Column("value", "数值", "Value", TEXT)], [
        {"figure": "新增问题" if zh else "New", "value": totals["new"]},
        {"figure": "办结销号" if zh else "Closed (struck off)", "value": totals["closed"]},
        {"figure": "期初在办" if zh else "In hand at start", "value": totals["in_hand_start"]},
        {"figure": "期末在办" if zh else "In hand at end", "value": totals["in_hand_end"]},
        {"figure": "超期" if zh else "Overdue", "value": totals["overdue"]},
        {"figure": "提级（次）" if zh else "Escalations", "value": totals["escalations"]},
        {"figure": "提级问题（个）" if zh else "Problems escalated", "value": totals["escalated_problems"]},
        {"figure": "重开（退回重办/回头看）" if zh else "Reopened", "value": totals["reopened"]},
        {"figure": "办结率" if zh else "Closure rate", "value": _percent(totals["closure_rate"])},
        {"figure": "按时办结率" if zh else "On-time rate", "value": _percent(totals["on_time_rate"])},
        {"figure": "平均办结用时（工作日）" if zh else "Mean working days to close", "value": days["mean"]},
        {"figure": "办结用时中位数（工作日）" if zh else "Median working days to close", "value": days["median"]},
        {"figure": "召开协调会议（次）" if zh else "Meetings held", "value": report["meetings"]["count"]},
        {"figure": "形成议定事项（条）" if zh else "Decisions made", "value": report["meetings"]["decisions"]},
    ], "总体" if zh else "Overview"))
    for key, title in (("by_unit", ("二、分责任单位", "2. By unit")),
                       ("by_category", ("三、分问题类别", "3. By category")),
                       ("by_level", ("四、分层级", "4. By level"))):
        doc.tables.append(Table(title[0], title[1], SLICE_COLUMNS, problems[key], title[0][2:] if zh else key))
    doc.tables.append(Table("五、协调会议", "5. Meetings", [
        Column("id", "会议", "Meeting"), Column("kind", "类型", "Kind"), Column("date", "日期", "Date", DATE),
        Column("chair_name", "主持", "Chair"), Column("minutes_number", "纪要编号", "Minutes"),
        Column("decisions", "议定事项", "Decisions", INT)], report["meetings"]["held"], "会议" if zh else "Meetings"))
    queue_rows = [{**row, "owner": queue["owner"], "owner_name": queue["owner_name"]}
                  for queue in report["queues"] for row in _brief_rows(queue["items"], lang)]
    doc.tables.append(Table("六、领导提级队列", "6. Leaders' queues",
                            [Column("owner_name", "队列", "Queue"), *BRIEF_COLUMNS], queue_rows,
                            "队列" if zh else "Queues", capped=True, group="owner",
                            counts={q["owner"]: q.get("count", len(q["items"])) for q in report["queues"]}))
    lists = problems["lists"]
    counts = problems.get("list_counts", {})
    for key, title, sheet in (("new", ("七、新增问题清单", "7. New problems"), "新增清单"),
                              ("in_hand", ("八、推进落实问题清单", "8. Problems in hand"), "推进清单"),
                              ("closed", ("九、已办结销号问题清单", "9. Problems struck off"), "销号清单")):
        doc.tables.append(Table(title[0], title[1], BRIEF_COLUMNS, _brief_rows(lists[key], lang),
                                sheet if zh else key, capped=True,
                                counts={"": counts.get(key, len(lists[key]))}))
    if report.get("trend"):
        doc.tables.append(Table("十、月度趋势", "10. Monthly trend", [
            Column("period", "月份", "Month"), Column("new", "新增", "New", INT),
            Column("closed", "办结销号", "Closed", INT), Column("escalations", "提级", "Escalations", INT),
            Column("in_hand_end", "月末在办", "In hand at month end", INT),
            Column("closure_rate", "办结率", "Closure rate", RATE)], report["trend"], "趋势" if zh else "Trend"))
    if report.get("ranking"):
        doc.tables.append(Table("十一、单位排名", "11. Unit ranking",
                                [Column("rank", "名次", "Rank", INT), *SLICE_COLUMNS], report["ranking"],
                                "排名" if zh else "Ranking"))
    projects = report.get("projects")
    if projects:
        groups = [{**g, "key_label": _group_label(g["key"], zh)}
                  for g in [projects["all"], *projects["by_level"], *projects["by_kind"]]]
        doc.tables.append(Table(f"十二、项目推进（截至{projects['as_of']}）",
                                f"12. Project progress ({projects['as_of']})",
                                GROUP_COLUMNS, groups, "项目推进" if zh else "Projects"))
    if report.get("dispatch"):
        rows = [{"leader_name": d["leader_name"], "projects": "、".join(p["name"] for p in d["projects"]),
                 "in_hand": d["in_hand"], "red": d["lights"]["red"], "yellow": d["lights"]["yellow"],
                 "green": d["lights"]["green"], "meetings": len(d["meetings"]),
                 "stuck": Ids([s["id"] for s in d["stuck_above_l3"]],
                              d.get("stuck_above_l3_count", len(d["stuck_above_l3"])))}
                for d in report["dispatch"]]
        doc.tables.append(Table("十三、挂钩领导调度", "13. Dispatch by linked leader", [
            Column("leader_name", "挂钩领导", "Leader"), Column("projects", "挂钩项目", "Projects"),
            Column("in_hand", "在办问题", "In hand", INT), Column("red", "红灯", "Red", INT),
            Column("yellow", "黄灯", "Yellow", INT), Column("green", "绿灯", "Green", INT),
            Column("meetings", "主持会办", "Meetings chaired", INT),
            Column("stuck", "L3以上未解决", "Stuck above L3", IDS)], rows, "调度" if zh else "Dispatch"))
    if report.get("annual"):
        annual = report["annual"]
        doc.tables.append(Table("年度数据（对应总结中的空白）", "Annual figures", [
            Column("figure", "指标", "Figure"), Column("value", "数值", "Value", INT)], [
            {"figure": "监测调度（次）", "value": annual["monitoring"]},
            {"figure": "发现突出问题（项）", "value": annual["problems_found"]},
            {"figure": "提出对策建议（条）", "value": annual["suggestions"]},
            {"figure": "提请区领导会办（次）", "value": annual["district_leader_meetings"]},
            {"figure": "帮办单位主要领导会办（次）", "value": annual["unit_head_meetings"]},
            {"figure": "解决实质性问题（个）", "value": annual["problems_solved"]},
        ], "年度" if zh else "Annual"))
    return doc


def _group_label(key: str | None, zh: bool) -> str:
    if key is None:
        return "全部项目" if zh else "all projects"
    names = _GROUP_KEYS.get(key)
    return (names[0] if zh else names[1]) if names else key


def _percent(value: float | None) -> str:
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
        return _percent(float(value))
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
    return "\n".join(lines).rstrip() + "\n"


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
    if isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT:
        return value[: EXCEL_CELL_LIMIT - 1] + "…"
    return value


_NUMBER_FORMATS = {RATE: "0.0%", PCT: "0.0%", DATE: "yyyy-mm-dd", WAN: "#,##0.00"}


def xlsx(doc: Document, path: Path, lang: str = "zh") -> Path:
    """One sheet per section, typed cells, percent and date formats, readable column widths.

    Written row by row (openpyxl's write-only mode): a list of 100,000 problems never sits in memory
    as a million cell objects.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    cover = book.create_sheet("封面" if lang != "en" else "Cover")
    cover.column_dimensions["A"].width = 100

    def styled(sheet: Any, value: Any, **style: Any) -> Any:
        cell = WriteOnlyCell(sheet, value=value)
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell

    cover.append([styled(cover, doc.title, font=Font(bold=True, size=16))])
    cover.append([doc.period])
    cover.append([])
    for paragraph in doc.paragraphs:
        cover.append([styled(cover, paragraph, alignment=Alignment(wrap_text=True))])
    used: set[str] = set()
    for table in doc.tables:
        name = table.sheet[:31]
        while name in used:
            name = name[:29] + str(len(used))
        used.add(name)
        sheet = book.create_sheet(name)
        for index, column in enumerate(table.columns, start=1):
            # The width fits the header and the first rows: measuring 100,000 cells would take longer
            # than writing them.
            widest = max([_width(column.header(lang))] + [_width(cell_text(r.get(column.key), column.kind))
                                                         for r in table.rows[:200]] + [6])
            sheet.column_dimensions[get_column_letter(index)].width = min(widest + 2, 60)
        sheet.freeze_panes = "A3"
        sheet.append([styled(sheet, table.title(lang), font=Font(bold=True, size=13))])
        bold = Font(bold=True)
        sheet.append([styled(sheet, c.header(lang), font=bold) for c in table.columns])
        formats = [_NUMBER_FORMATS.get(c.kind) for c in table.columns]
        for row in table.rows:
            values = [_typed(row.get(c.key), c.kind) for c in table.columns]
            sheet.append([styled(sheet, v, number_format=f) if f and v is not None else v
                          for v, f in zip(values, formats, strict=True)])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(str(path))
    return path


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def docx(doc: Document, path: Path, lang: str = "zh", cap: int | None = LIST_CAP) -> Path:
    """Laid out as an official report: title, period, paragraphs, then one table per section."""
    from docx import Document as Word
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    word = Word()
    normal = word.styles["Normal"]
    normal.font.name = "仿宋"
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")
    title = word.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(doc.title)
    run.bold = True
    run.font.size = Pt(20)
    period = word.add_paragraph(doc.period)
    period.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for paragraph in doc.paragraphs:
        word.add_paragraph(paragraph).paragraph_format.first_line_indent = Pt(24)
    for table in doc.tables:
        word.add_heading(table.title(lang), level=2)
        if not table.rows:
            word.add_paragraph("（无）" if lang != "en" else "(none)")
            continue
        grid = word.add_table(rows=1, cols=len(table.columns))
        grid.style = "Table Grid"
        for cell, column in zip(grid.rows[0].cells, table.columns, strict=True):
            cell.text = column.header(lang)
            for paragraph in cell.paragraphs:
                for header_run in paragraph.runs:
                    header_run.bold = True
        for row in table.visible(cap):
            cells = grid.add_row().cells
            for cell, text in zip(cells, table.cells(row, lang, cap), strict=True):
                cell.text = text
    path.parent.mkdir(parents=True, exist_ok=True)
    word.save(str(path))
    return path


def terminal(doc: Document, report: dict[str, Any], lang: str = "zh", cap: int | None = LIST_CAP) -> list[Any]:
    """Rich renderables: the tables, plus bar charts of unit closure rates and the monthly trend."""
    from rich import box
    from rich.panel import Panel
    from rich.table import Table as RichTable
    from rich.text import Text

    parts: list[Any] = [Text(doc.title, style="bold"), Text(doc.period, style="dim")]
    parts += [Panel(p) for p in doc.paragraphs]
    for table in doc.tables:
        rich = RichTable(title=table.title(lang), title_justify="left", header_style="bold", box=box.SIMPLE_HEAD)
        for column in table.columns:
            rich.add_column(column.header(lang), justify="right" if column.kind != TEXT and column.kind != DATE
                            else "left", overflow="fold")
        for row in table.visible(cap):
            rich.add_row(*table.cells(row, lang, cap), style="dim" if MORE in row else None)
        if not table.rows:
            rich.caption = "（无）" if lang != "en" else "(none)"
        parts.append(rich)
    units = [s for s in report["problems"]["by_unit"] if s["closure_rate"] is not None]
    if units:
        parts.append(_bars("各单位办结率" if lang != "en" else "Closure rate by unit",
                           [(s["name"], s["closure_rate"]) for s in units], percent=True))
    if report.get("trend"):
        parts.append(_bars("各月办结销号" if lang != "en" else "Closed per month",
                           [(t["period"], t["closed"]) for t in report["trend"]], percent=False))
    return parts


def _bars(title: str, values: list[tuple[str, float | int]], *, percent: bool) -> Any:
    from rich import box
    from rich.table import Table as RichTable

    chart = RichTable(title=title, title_justify="left", show_header=False, box=box.SIMPLE)
    chart.add_column(no_wrap=True)
    chart.add_column(no_wrap=True)
    chart.add_column(justify="right")
    top = max((float(v) for _, v in values), default=0) or 1
    for name, value in values:
        width = round(30 * float(value) / (1 if percent else top))
        shown = f"{float(value) * 100:.1f}%" if percent else str(value)
        chart.add_row(name, "[green]" + "█" * width + "[/]", shown)
    return chart


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
