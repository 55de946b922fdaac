"""Tables that fit the terminal: ids, dates and figures are never cut; titles and names wrap instead.

Rich shrinks every column of a table wider than the terminal, `no_wrap` or not, so "480000" became
"480…" and "Q-2026-0003" became "Q-2026-00". Here the width of each column is decided when the
table learns the terminal's width: a column of ids, dates or figures gets its widest cell, labels
keep their words, and titles and names share what is left, wrapped between characters but never
inside a number, an id or a date. A table that cannot fit so first folds the columns marked for
narrow terminals into another column (or leaves them out, saying so), and at last becomes a list of
records, one block per row, where nothing is left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Literal

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from coordination.domain.hygiene import visible
from coordination.render.safe import visible_text

GUTTER = 2  # cells between two columns: Rich's blank separator and one cell of padding
INDENT = 2  # a record's lines under its first
NARROWEST = 8  # a column of names or titles is never narrower (4 Chinese characters) unless its cells are
MAX_HEADER_LINES = 2
SHORT_HEADER = 4  # cells of a header never split

# An unbreakable run of Latin text: an id, a date, a figure, a word (1,200.5 keeps its comma).
_RUN = r"[0-9A-Za-z](?:[0-9A-Za-z_.:/%+\-#@'’]|,(?=[0-9]))*"
_TOKEN = re.compile(rf"\s+|〔[0-9]+〕[0-9]+号|{_RUN}|.", re.S)
# Chinese line-breaking courtesy: no line starts with a closing mark, none ends with an opening one.
_NO_BREAK_BEFORE = frozenset("，。、；：？！）》」』”’〕】%…,.;:!?)]}")
_NO_BREAK_AFTER = frozenset("（《「『“‘〔【([{")
EMPTY = frozenset({"", "—"})

Cell = str | Text
Justify = Literal["left", "right"]


class Fit(Enum):
    WHOLE = "whole"  # ids, dates, figures, lights: never broken, the column is as wide as its widest cell
    WORDS = "words"  # labels such as states: broken only between words (a Chinese label stays whole)
    FLEX = "flex"  # titles, names, notes: wrap between characters, never inside a number, id or date


class Place(Enum):
    """Where a cell goes when the table becomes records."""

    HEAD = "head"  # on the record's first line, without its header
    LINE = "line"  # a line of its own, without its header
    PAIR = "pair"  # "header value", packed with the other pairs
    HIDE = "hide"  # not in records


@dataclass(frozen=True)
class Col:
    header: str
    fit: Fit = Fit.FLEX
    justify: Justify = "left"
    least: int = NARROWEST  # a FLEX column's narrowest width when its cells are wider
    place: Place = Place.PAIR
    # From which narrowing step the column leaves the table (None: it stays); leaving, its cells join
    # the host column's as one more line when `merge`, else the caption says it was left out.
    narrow: int | None = None
    merge: bool = True
    host: bool = False
    style: str | None = None


def text_of(cell: Cell) -> Text:
    """The cell as Text, never markup; a control, escape or bidi character an old record holds is shown
    escaped (\\x1b, <U+202E>), and measured so."""
    return visible_text(cell.copy()) if isinstance(cell, Text) else Text(visible(cell))


def width_of(text: Text | str) -> int:
    plain = text.plain if isinstance(text, Text) else text
    return max((cell_len(line) for line in plain.split("\n")), default=0)


def _pieces(plain: str, words_only: bool) -> list[tuple[int, int, bool]]:
    """The line's unbreakable pieces as (start, end, is_space)."""
    pieces: list[tuple[int, int, bool]] = []
    for match in _TOKEN.finditer(plain):
        start, end = match.span()
        space = match.group().isspace()
        if pieces and not space and not pieces[-1][2]:
            previous = pieces[-1]
            if words_only or plain[start] in _NO_BREAK_BEFORE or plain[previous[1] - 1] in _NO_BREAK_AFTER:
                pieces[-1] = (previous[0], end, False)
                continue
        pieces.append((start, end, space))
    return pieces


def longest_piece(text: Text | str, *, words_only: bool = False) -> int:
    plain = text.plain if isinstance(text, Text) else text
    return max((cell_len(plain[start:end]) for line in plain.split("\n")
                for start, end, space in _pieces(line, words_only) if not space), default=0)


def _fold(plain: str, start: int, end: int, width: int) -> list[tuple[int, int]]:
    """A piece wider than the line, cut by characters (only free text gets here: a column is never
    narrower than its longest id, date or figure)."""
    spans: list[tuple[int, int]] = []
    begin, used = start, 0
    for index in range(start, end):
        size = cell_len(plain[index])
        if used + size > width and index > begin:
            spans.append((begin, index))
            begin, used = index, 0
        used += size
    spans.append((begin, end))
    return spans


def _wrap_line(line: Text, width: int, words_only: bool) -> list[Text]:
    plain = line.plain
    spans: list[tuple[int, int]] = []
    start = end = used = 0
    open_line = False
    for piece_start, piece_end, space in _pieces(plain, words_only):
        if space:
            continue
        size = cell_len(plain[piece_start:piece_end])
        if open_line:
            gap = cell_len(plain[end:piece_start])
            if used + gap + size <= width:
                end, used = piece_end, used + gap + size
                continue
            spans.append((start, end))
        if size <= width:
            start, end, used, open_line = piece_start, piece_end, size, True
            continue
        *full, (start, end) = _fold(plain, piece_start, piece_end, width)
        spans += full
        used, open_line = cell_len(plain[start:end]), True
    if open_line:
        spans.append((start, end))
    return [line[a:b] for a, b in spans] or [line[0:0]]


def wrap(text: Text, width: int, *, words_only: bool = False) -> list[Text]:
    """`text` in lines of at most `width` cells, styles kept, broken only where a reader allows."""
    lines: list[Text] = []
    for line in text.split("\n", allow_blank=True):
        lines += _wrap_line(line, max(width, 1), words_only)
    return lines


def wrapped(text: Text, width: int, *, words_only: bool = False) -> Text:
    return Text("\n").join(wrap(text, width, words_only=words_only))


def flat(text: Text) -> Text:
    """A multi-line cell on one line, for a record."""
    return Text(" ").join(text.split("\n"))


_UNIT_PART = re.compile(r"\s*(?=[（(])")  # 总投资（万元）: the unit in brackets may go to a line of its own


def _header_parts(header: str) -> list[str] | None:
    """A header with a bracketed unit, as its name and its unit; None when it has none."""
    parts = [part for part in _UNIT_PART.split(header, maxsplit=1) if part]
    return parts if len(parts) == 2 else None


def _header_least(header: str, content: int) -> int:
    """The narrowest width at which the header takes at most two lines (and the cells fit): a unit in
    brackets goes under the name, a header of two Chinese characters (层级, 亮灯) is never split."""
    parts = _header_parts(header)
    if parts is not None:
        return max(content, *(width_of(part) for part in parts))
    width = max(content, min(width_of(header), SHORT_HEADER), 1)
    header_text = Text(header)
    while width < width_of(header) and len(wrap(header_text, width)) > MAX_HEADER_LINES:
        width += 1
    return max(width, longest_piece(header))


def header_lines(header: str, width: int) -> Text:
    if width_of(header) <= width:
        return Text(header)
    parts = _header_parts(header)
    if parts is not None and all(width_of(part) <= width for part in parts):
        return Text("\n".join(parts))
    # Balanced: as many lines as at `width`, but as even as they can be (序时 / 进度%, not 序时进 / 度%).
    count = len(wrap(Text(header), width))
    floor = max(longest_piece(header), 1)  # never a word cut in two
    while width > floor and len(wrap(Text(header), width - 1)) == count:
        width -= 1
    return wrapped(Text(header), width)


@dataclass
class _Layout:
    columns: list[Col]
    rows: list[list[Text]]
    left_out: list[str]
    host: int | None = None  # the column the left columns joined, and what joined it in each row
    extras: list[tuple[Text, list[Text]]] | None = None  # (the host's own cell, the joining cells)
    under: list[str] | None = None  # the joining columns' headers, under the host's


class Fitted:
    """A table that is as wide as the terminal allows, or a list of records when it cannot be."""

    def __init__(self, columns: Sequence[Col], rows: Iterable[Sequence[Cell]], *, title: str | None = None,
                 caption: str | Text | None = None, show_header: bool = True, empty: str | None = None,
                 spaced: bool = True, lang: str = "zh", note_rows: frozenset[int] = frozenset()) -> None:
        self.columns = list(columns)
        self.rows = [[self._styled(col, text_of(cell)) for col, cell in zip(self.columns, row, strict=True)]
                     for row in rows]
        self.title = title
        self.caption = caption
        self.show_header = show_header
        self.empty = empty
        self.spaced = spaced  # a blank line between records
        self.lang = lang
        self.note_rows = note_rows  # rows that say something of the list ("另有 3 个"): one line in records
        self.notes: list[str] = []  # lines after the caption, such as what a mark in the cells means

    @staticmethod
    def _styled(col: Col, text: Text) -> Text:
        if col.style:
            text.stylize_before(col.style)
        return text

    # -- layouts ---------------------------------------------------------------------------------------

    def layouts(self) -> Iterator[_Layout]:
        """The whole table, then one layout per narrowing step."""
        steps = sorted({col.narrow for col in self.columns if col.narrow is not None})
        yield _Layout(self.columns, self.rows, [])
        for step in steps:
            yield self._narrowed(step)

    def _narrowed(self, step: int) -> _Layout:
        kept = [i for i, col in enumerate(self.columns) if col.narrow is None or col.narrow > step]
        leaving = [i for i, col in enumerate(self.columns) if i not in kept]
        host = next((i for i in kept if self.columns[i].host), None)
        merged = [i for i in leaving if self.columns[i].merge and host is not None]
        left_out = [self.columns[i].header.replace("\n", "") for i in leaving if i not in merged]
        rows: list[list[Text]] = []
        extras: list[tuple[Text, list[Text]]] = []
        for row in self.rows:
            cells = list(row)
            extra: list[Text] = []
            if host is not None and merged:
                extra = [self._merged_cell(self.columns[i], row[i]) for i in merged]
                extra = [cell for cell in extra if cell.plain.strip() not in EMPTY]
                if extra:
                    # Measured as one line; drawn by `pack`, which keeps each item whole where it fits.
                    cells[host] = Text("\n").join([row[host], Text(" · ").join(extra)])
            rows.append([cells[i] for i in kept])
            extras.append((row[host] if host is not None else Text(""), extra))
        if host is None or not merged:
            return _Layout([self.columns[i] for i in kept], rows, left_out)
        under = [self.columns[i].header.replace("\n", "") for i in merged]
        return _Layout([self.columns[i] for i in kept], rows, left_out, kept.index(host), extras, under)

    @staticmethod
    def _merged_cell(col: Col, cell: Text) -> Text:
        """Names and labels speak for themselves; a figure keeps its header."""
        shown = flat(cell)
        if col.fit is Fit.WHOLE and shown.plain.strip() not in EMPTY:
            shown = Text.assemble(col.header.replace("\n", ""), " ", shown)
        shown.stylize_before("dim")
        return shown

    def _bounds(self, layout: _Layout) -> tuple[list[int], list[int], list[int]]:
        """Each column's narrowest width, its cells' natural width and its header's natural width."""
        least: list[int] = []
        natural: list[int] = []
        header_natural: list[int] = []
        for index, col in enumerate(layout.columns):
            cells = [row[index] for row in layout.rows]
            content = max((width_of(cell) for cell in cells), default=0)
            if col.fit is Fit.WHOLE:
                narrowest = content
            elif col.fit is Fit.WORDS:
                narrowest = max((longest_piece(cell, words_only=True) for cell in cells), default=0)
            else:
                protected = max((longest_piece(cell) for cell in cells), default=0)
                narrowest = min(content, max(col.least, protected))
            if self.show_header and col.header:
                narrowest = max(_header_least(part, narrowest) for part in col.header.split("\n"))
            least.append(max(narrowest, 1))
            natural.append(max(content, narrowest))
            header_natural.append(max(width_of(col.header), natural[-1]))
        return least, natural, header_natural

    def _allocate(self, layout: _Layout, width: int) -> list[int] | None:
        """Column widths within `width`, or None when the layout cannot fit."""
        least, natural, header_natural = self._bounds(layout)
        if not self.show_header:
            header_natural = natural
        budget = width - sum(least) - GUTTER * (len(least) - 1)
        if budget < 0:
            return None
        widths = list(least)
        cols = layout.columns
        budget = _grow(widths, natural, [i for i, c in enumerate(cols) if c.fit is not Fit.WHOLE], budget)
        # Then headers on one line as far as the width allows: first those a split would cut mid-phrase
        # (a bracketed unit reads well on a line of its own), the cheapest first.
        for i in sorted(range(len(cols)), key=lambda i: (_header_parts(cols[i].header) is not None,
                                                         header_natural[i] - widths[i])):
            spread = header_natural[i] - widths[i]
            if 0 < spread <= budget:
                widths[i] += spread
                budget -= spread
        return widths

    # -- rendering -------------------------------------------------------------------------------------

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        if self.rows:
            for layout in self.layouts():
                widths = self._allocate(layout, width)
                if widths is not None:
                    yield self._table(layout, widths)
                    return
            yield from self._records(width)
            return
        widths = self._allocate(_Layout(self.columns, [], []), width)
        if widths is not None:
            yield self._table(_Layout(self.columns, [], []), widths)
        else:
            yield from self._records(width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        least, _natural, header_natural = self._bounds(_Layout(self.columns, self.rows, []))
        full = sum(header_natural if self.show_header else _natural) + GUTTER * (len(least) - 1)
        return Measurement(min(full, 20), full).clamp(max_width=options.max_width)

    def _caption(self, left_out: list[str]) -> Text | None:
        parts: list[Text] = []
        if not self.rows and self.empty:
            parts.append(Text(self.empty))
        if self.caption:
            parts.append(text_of(self.caption))
        parts += [Text(note) for note in self.notes]
        if left_out:
            parts.append(Text(f"left out at this width: {', '.join(left_out)}" if self.lang == "en"
                              else f"略去：{'、'.join(left_out)}（加宽终端可见）"))
        return Text("\n").join(parts) if parts else None

    def _table(self, layout: _Layout, widths: list[int]) -> Table:
        # Text, not markup: a title may hold a name with brackets in it.
        title = Text(visible(self.title)) if self.title is not None else None
        table = Table(title=title, caption=self._caption(layout.left_out), box=box.SIMPLE_HEAD,
                      show_edge=False, pad_edge=False, padding=(0, 1, 0, 0), show_header=self.show_header,
                      header_style="bold", title_justify="left", title_style="bold", caption_justify="left",
                      caption_style="dim")
        for index, (col, col_width) in enumerate(zip(layout.columns, widths, strict=True)):
            header = Text("\n").join(header_lines(part, col_width) for part in col.header.split("\n"))
            if index == layout.host and layout.under:
                under = pack([Text(name) for name in layout.under], col_width, first_indent=0, indent=0,
                             separator=Text(" · "))
                header = Text("\n").join([header, *under])
            table.add_column(header, width=col_width, justify=col.justify, overflow="fold", no_wrap=False)
        for number, row in enumerate(layout.rows):
            cells = [cell if col.fit is Fit.WHOLE else wrapped(cell, col_width, words_only=col.fit is Fit.WORDS)
                     for col, col_width, cell in zip(layout.columns, widths, row, strict=True)]
            if layout.host is not None and layout.extras is not None and layout.extras[number][1]:
                host_width = widths[layout.host]
                main, extra = layout.extras[number]
                lines = [*wrap(main, host_width), *pack(extra, host_width, first_indent=0, indent=0,
                                                         separator=Text(" · ", style="dim"))]
                cells[layout.host] = Text("\n").join(lines)
            table.add_row(*cells, style="dim" if number in self.note_rows else None)
        return table

    def _records(self, width: int) -> Iterator[Text]:
        if self.title:
            yield Text(visible(self.title), style="bold")
        for number, row in enumerate(self.rows):
            if self.spaced and number:
                yield Text("")
            if number in self.note_rows:
                note = Text("  ").join(cell for cell in row if cell.plain.strip() not in EMPTY)
                note.stylize_before("dim")
                yield Text("\n").join(wrap(note, width))
            else:
                yield Text("\n").join(self._record(row, width))
        caption = self._caption([])
        if caption is not None:
            caption.stylize_before("dim")
            yield caption

    def _record(self, row: list[Text], width: int) -> list[Text]:
        head: list[Text] = []
        lines: list[Text] = []
        pairs: list[Text] = []
        for col, cell in zip(self.columns, row, strict=True):
            shown = flat(cell)
            if col.place is Place.HIDE or (col.place is not Place.PAIR and shown.plain.strip() in EMPTY):
                continue
            if col.place is Place.HEAD:
                head.append(shown)
            elif col.place is Place.LINE:
                lines.append(shown)
            else:
                pairs.append(Text.assemble((col.header.replace("\n", ""), "dim"), " ", shown))
        out = pack(head, width, first_indent=0, indent=INDENT)
        for line in lines:
            out += [Text(" " * INDENT) + part for part in wrap(line, width - INDENT)]
        return out + pack(pairs, width, first_indent=INDENT, indent=INDENT)


def _grow(widths: list[int], targets: list[int], indices: list[int], budget: int) -> int:
    """Widen `indices` towards their targets, each in proportion to what it lacks; what is left over."""
    lacking = {i: targets[i] - widths[i] for i in indices if targets[i] > widths[i]}
    total = sum(lacking.values())
    if not total or budget <= 0:
        return budget
    if total <= budget:
        for i, lack in lacking.items():
            widths[i] += lack
        return budget - total
    given = {i: lack * budget // total for i, lack in lacking.items()}
    rest = budget - sum(given.values())
    for i in sorted(lacking, key=lambda i: lacking[i] - given[i], reverse=True)[:rest]:
        given[i] += 1
    for i, extra in given.items():
        widths[i] += extra
    return 0


def pack(items: Sequence[Text], width: int, *, first_indent: int, indent: int,
         separator: Text | None = None) -> list[Text]:
    """Items side by side (two cells apart, or `separator`), each kept whole on a line when it fits one."""
    gap_text = separator if separator is not None else Text("  ")
    gap = cell_len(gap_text.plain)
    out: list[Text] = []
    current: Text | None = None
    used = 0
    for item in items:
        size = width_of(item)
        if current is not None and used + gap + size <= width:
            current.append_text(gap_text)
            current.append_text(item)
            used += gap + size
            continue
        if current is not None:
            out.append(current)
        margin = first_indent if not out else indent
        parts = wrap(item, width - margin)
        out += [Text(" " * margin) + part for part in parts[:-1]]
        current = Text(" " * margin) + parts[-1]
        used = cell_len(current.plain)
    if current is not None:
        out.append(current)
    return out


def fields(pairs: Sequence[tuple[str, Cell]]) -> Fitted:
    """Label and value, one pair a line: the labels keep their words, the values wrap."""
    return Fitted([Col("", Fit.WHOLE, place=Place.HEAD, style="bold"), Col("", Fit.FLEX, least=12, place=Place.LINE)],
                  pairs, show_header=False, spaced=False)
