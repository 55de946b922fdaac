"""A report on the terminal: the document model's tables, fitted to the terminal's width.

The same `Document` feeds Markdown, Excel and Word (coordination/render/report.py); here each of its
tables becomes a `Fitted` table, so ids, dates and figures are never cut, levels read L1–L5 and
lights carry their dot and word. Problem lists fold the project, the lead unit and the category
under the title when the terminal is narrower, and become records at 60 columns.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.panel import Panel
from rich.text import Text

from coordination.domain.meetings import MeetingKind, kind_label
from coordination.render.fit import Cell, Col, Fit, Fitted, Place
from coordination.render.report import DATE, IDS, INT, LIST_CAP, MORE, PCT, RATE, WAN, Column, Document, Table
from coordination.render.terminal import level_short, light_text, none_text, state_text

_FIGURES = frozenset({INT, RATE, PCT, WAN})
_FOLDED = {"project_name": 12, "lead_unit_name": 10}  # narrower, these go under the problem's title
_MEETING_KINDS = frozenset(kind.value for kind in MeetingKind)
BAR_MOST = 30  # cells of the longest bar
BAR_LEAST = 6


def _col(column: Column, lang: str, first: bool) -> Col:
    header = column.header(lang)
    key, kind = column.key, column.kind
    if key == "id":
        return Col(header, Fit.WHOLE, place=Place.HEAD, style="bold")
    if key in ("level", "light_label"):
        return Col(header, Fit.WHOLE, place=Place.HEAD)
    if key == "state_label":
        return Col(header, Fit.WORDS, place=Place.HEAD)
    if key == "category":
        return Col(header, Fit.WORDS, narrow=1)
    if key == "title":
        return Col(header, least=20, place=Place.LINE, host=True)
    if key in _FOLDED:
        return Col(header, least=_FOLDED[key], narrow=1)
    if kind in _FIGURES or key == "value":
        return Col(header, Fit.WHOLE, justify="right", place=Place.HEAD if first else Place.PAIR)
    if kind == DATE or key in ("period", "minutes_number", "kind"):
        return Col(header, Fit.WHOLE if key != "kind" else Fit.WORDS, place=Place.HEAD if first else Place.PAIR)
    if kind == IDS:
        return Col(header, least=11)  # ids one by one, each whole
    return Col(header, least=8, place=Place.HEAD if first else Place.PAIR, style="bold" if first else None)


def _cells(table: Table, row: dict[str, Any], lang: str, cap: int | None) -> list[Cell]:
    texts = table.cells(row, lang, cap)
    if MORE in row:
        return list(texts)
    cells: list[Cell] = []
    for column, text in zip(table.columns, texts, strict=True):
        if column.key == "level" and isinstance(row.get("level"), int):
            cells.append(level_short(row["level"]))
        elif column.key == "light_label" and "light" in row:
            cells.append(light_text(row.get("light"), lang))
        elif column.key == "state_label" and row.get("state"):
            cells.append(state_text(row["state"], lang))
        elif column.key == "kind" and row.get("kind") in _MEETING_KINDS:
            cells.append(kind_label(MeetingKind(row["kind"]), lang))
        else:
            cells.append(text)
    return cells


def fitted(table: Table, lang: str, cap: int | None = LIST_CAP) -> Fitted:
    # A record starts with the problem's id where there is one, else with the row's first cell.
    keyed = any(column.key == "id" for column in table.columns)
    columns = [_col(column, lang, index == 0 and not keyed) for index, column in enumerate(table.columns)]
    shown = table.visible(cap)
    rows = [_cells(table, row, lang, cap) for row in shown]
    notes = frozenset(index for index, row in enumerate(shown) if MORE in row)
    return Fitted(columns, rows, title=table.title(lang), empty=none_text(lang), lang=lang, note_rows=notes,
                  spaced=any(column.key == "title" for column in table.columns))


class Bars:
    """A bar chart whose bars shrink with the terminal; the names wrap, the figures stay whole."""

    def __init__(self, title: str, values: list[tuple[str, float | int]], *, percent: bool) -> None:
        self.title = title
        self.values = values
        self.percent = percent

    def _shown(self, value: float | int) -> str:
        return f"{float(value) * 100:.1f}%" if self.percent else str(value)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        figures = [self._shown(value) for _, value in self.values]
        names = max((cell_len(name) for name, _ in self.values), default=0)
        figure_width = max((cell_len(figure) for figure in figures), default=0)
        # What is left beside a name (up to 16 cells) and the figure, within BAR_LEAST..BAR_MOST.
        room = options.max_width - min(names, 16) - figure_width - 4
        bar_most = max(BAR_LEAST, min(BAR_MOST, room))
        top = max((float(v) for _, v in self.values), default=0) or 1
        rows: list[list[Cell]] = []
        for (name, value), figure in zip(self.values, figures, strict=True):
            length = round(bar_most * float(value) / (1 if self.percent else top))
            rows.append([name, Text("█" * length, style="green") if length else Text(""), figure])
        columns = [Col("", least=8, place=Place.HEAD), Col("", Fit.WHOLE, place=Place.HEAD),
                   Col("", Fit.WHOLE, justify="right", place=Place.HEAD)]
        yield Fitted(columns, rows, title=self.title, show_header=False, spaced=False)


def screens(doc: Document, report: dict[str, Any], lang: str = "zh",
            cap: int | None = LIST_CAP) -> list[RenderableType]:
    """The report's title and period, its paragraphs, its tables, then two bar charts: the units'
    closure rates and the problems closed each month."""
    parts: list[RenderableType] = [Text(doc.title, style="bold"), Text(doc.period, style="dim")]
    parts += [Panel(Text(paragraph)) for paragraph in doc.paragraphs]  # text, not markup: it names units
    for table in doc.tables:
        parts += [Text(""), fitted(table, lang, cap)]
    units = [s for s in report["problems"]["by_unit"] if s["closure_rate"] is not None]
    if units:
        parts += [Text(""), Bars("各单位办结率" if lang != "en" else "Closure rate by unit",
                                 [(s["name"], s["closure_rate"]) for s in units], percent=True)]
    if report.get("trend"):
        parts += [Text(""), Bars("各月办结销号" if lang != "en" else "Closed per month",
                                 [(t["period"], t["closed"]) for t in report["trend"]], percent=False)]
    parts += [Text(""), *(Text(line) for line in doc.closing)] if doc.closing else []
    parts += [Text(""), Text(doc.footer, style="dim")] if doc.footer else []
    return parts
