"""A small .xlsx reader for ledgers, in bounded memory: the sheets' names, the shared strings, which cell
styles are dates, and each sheet's rows streamed through expat.

openpyxl, even read-only, pads rows to the <dimension> a file declares, builds every cell of a row before
dropping those past the columns asked for, parses a sheet whole on opening when it declares no dimension,
and builds every <mergeCell> and hyperlink after the data: a few KB of hostile XML can ask for gigabytes.
Here a row holds at most `width` values, a cell's text stops at Excel's own 32,767 characters, a DTD is
refused, and nothing but the rows is kept. Values are what openpyxl's data-only reading gives: numbers,
dates and times (by the cell's style), booleans, text, and error codes (#N/A) as text.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from coordination.services.ledger_xlsx_parts import (
    CELL_CHARS,
    XlsxError,
    date_styles,
    local,
    parse,
    relationships,
    shared_strings,
    workbook_sheets,
)

_CHUNK = 1 << 20
_OVERLAP = 4096  # a mergeCell element cut by a chunk's end is found whole in the next
_LAST_ROW = re.compile(r"([0-9]{1,7})$")
_COLUMN = re.compile(r"\$?([A-Za-z]{1,3})\$?[0-9]*$")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?"')


@dataclass
class XlsxSheet:
    name: str
    path: str  # the part inside the zip
    declared_rows: int = 0  # from its <dimension>, once read: a guess for progress bars, nothing else
    first_wide_row: int | None = None  # the first row seen with a value past the columns read


def _column(ref: str) -> int:
    found = _COLUMN.match(ref)
    if found is None:
        raise XlsxError(f"not a cell reference: {ref[:20]!r}")
    number = 0
    for char in found[1].upper():
        number = number * 26 + ord(char) - 64
    return number


def _whole_number(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        try:
            value = float(text)  # "3.0", as some writers put it
        except ValueError:
            value = float("nan")
        if not value.is_integer():
            raise XlsxError(f"not a row number: {text[:20]!r}") from None
        number = int(value)
    if number < 1:
        raise XlsxError(f"not a row number: {text[:20]!r}")
    return number


class XlsxBook:
    """An open workbook: its worksheets in order, and their rows on demand. Close it (or use `with`)."""

    def __init__(self, path: Path) -> None:
        self.archive = zipfile.ZipFile(path)
        try:
            self._load()
        except BaseException:
            self.archive.close()
            raise

    def __enter__(self) -> XlsxBook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.archive.close()

    def _open(self, part: str) -> IO[bytes]:
        try:
            return self.archive.open(part)
        except KeyError:
            raise XlsxError(f"the workbook lacks its part {part[:80]}") from None

    def _load(self) -> None:
        from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH

        office = [path for kind, path in relationships(self._open, "").values() if kind == "officeDocument"]
        if not office:
            raise XlsxError("no workbook part")
        related = relationships(self._open, office[0])
        listed, flags = workbook_sheets(self._open, office[0])
        self.sheets = [XlsxSheet(name, related[rid][1]) for name, rid in listed
                       if related.get(rid, ("", ""))[0] == "worksheet"]
        self.epoch = MAC_EPOCH if flags.get("date1904", "").lower() in ("1", "true") else WINDOWS_EPOCH
        parts = {kind: path for kind, path in related.values()}
        self.strings = shared_strings(self._open, parts["sharedStrings"]) if "sharedStrings" in parts else []
        self.dates, self.durations = date_styles(self._open, parts["styles"]) if "styles" in parts else (set(), set())

    def value(self, kind: str, style: int, text: str, inline: list[str] | None) -> Any:
        """A cell's value as openpyxl's data-only reading gives it (a formula gives its last result)."""
        if kind == "inlineStr":
            return None if inline is None else "".join(inline)
        if not text:
            return None
        if kind == "n":
            try:
                number: int | float = float(text) if any(c in text for c in ".eE") else int(text)
            except ValueError:
                return text
            if style in self.dates:
                from openpyxl.utils.datetime import from_excel

                try:
                    return from_excel(number, self.epoch, timedelta=style in self.durations)
                except (OverflowError, ValueError):
                    return "#VALUE!"  # as openpyxl: a date style on a number no date has
            return number
        if kind == "s":
            try:
                return self.strings[int(text)]
            except (IndexError, ValueError):
                raise XlsxError(f"shared string {text[:20]!r} does not exist") from None
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "d":
            from openpyxl.utils.datetime import from_ISO8601

            try:
                return from_ISO8601(text)
            except ValueError:
                return text
        return text  # str, e (#N/A, #DIV/0!) and anything else: the text

    def rows(self, sheet: XlsxSheet, width: int) -> Generator[tuple[int, tuple[Any, ...]], None, None]:
        """(row number, the row's first `width` values) of each row holding a value, in the file's order."""
        reader = _RowReader(self, sheet, width)
        with self._open(sheet.path) as source:
            for _ in parse(source, reader.start, reader.end, reader.text):
                if reader.ready:
                    ready, reader.ready = reader.ready, []
                    yield from ready

    def merged_ranges(self, sheet: XlsxSheet, cap: int) -> list[tuple[int, int, int, int]] | None:
        """(min_row, min_col, max_row, max_col), 1-based, scanned from the sheet's XML in bounded chunks;
        None past `cap` ranges."""
        ranges: list[tuple[int, int, int, int]] = []
        tail = b""
        with self._open(sheet.path) as source:
            while block := source.read(_CHUNK):
                data = tail + block
                end = 0
                for found in _MERGE.finditer(data):
                    first_col, first_row, last_col, last_row = (g.decode("ascii") if g else "" for g in found.groups())
                    min_col, min_row = _column(first_col), int(first_row)
                    max_col, max_row = (_column(last_col), int(last_row)) if last_col else (min_col, min_row)
                    ranges.append((min(min_row, max_row), min(min_col, max_col), max(min_row, max_row),
                                   max(min_col, max_col)))
                    if len(ranges) > cap:
                        return None
                    end = found.end()
                tail = data[max(end, len(data) - _OVERLAP):]
        return ranges


class _RowReader:
    """expat's handlers for a worksheet: collects each row's values, at most `width` of them."""

    def __init__(self, book: XlsxBook, sheet: XlsxSheet, width: int) -> None:
        self.book, self.sheet, self.width = book, sheet, width
        self.ready: list[tuple[int, tuple[Any, ...]]] = []
        self.number = 0  # the current (or last) row's number
        self.cells: list[Any] | None = None  # the current row's values
        self.column = 0
        self.cell: tuple[int, str, int] | None = None  # column, type, style of the cell being read
        self.value: list[str] = []
        self.inline: list[str] | None = None
        self.into: list[str] | None = None  # where character data goes now
        self.size = 0
        self.phonetic = 0
        self.beyond = False  # inside a cell past the columns read

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        name = local(tag)
        if name == "c":
            ref = attrs.get("r")
            self.column = _column(ref) if ref else self.column + 1
            if self.cells is not None and self.column <= self.width:
                self.cell = (self.column, attrs.get("t", "n"), int(attrs.get("s") or 0))
                self.value, self.inline, self.size = [], None, 0
            else:
                self.beyond = self.cells is not None
        elif name == "row":
            ref = attrs.get("r")
            number = _whole_number(ref) if ref else self.number + 1
            if number <= self.number:
                raise XlsxError(f"row {number} comes after row {self.number}")
            self.number, self.cells, self.column = number, [None] * self.width, 0
        elif self.cell is not None:
            if name == "v":
                self.into = self.value
            elif name == "is":
                self.inline = []
            elif name == "rPh":
                self.phonetic += 1
            elif name == "t" and self.inline is not None and not self.phonetic:
                self.into = self.inline
        elif self.beyond and name in ("v", "is") and self.sheet.first_wide_row is None:
            self.sheet.first_wide_row = self.number  # (a cell past them that holds something, not a styled blank)
        elif name == "dimension":
            found = _LAST_ROW.search(attrs.get("ref", ""))
            self.sheet.declared_rows = int(found[1]) if found else 0

    def end(self, tag: str) -> None:
        name = local(tag)
        if name in ("v", "t"):
            self.into = None
        elif name == "rPh" and self.phonetic:
            self.phonetic -= 1
        elif name == "c":
            if self.cell is not None and self.cells is not None:
                column, kind, style = self.cell
                self.cells[column - 1] = self.book.value(kind, style, "".join(self.value), self.inline)
            self.cell, self.beyond = None, False
        elif name == "row" and self.cells is not None:
            if self.cells.count(None) < self.width:
                self.ready.append((self.number, tuple(self.cells)))
            self.cells = None

    def text(self, data: str) -> None:
        if self.into is not None and self.size <= CELL_CHARS:
            self.into.append(data[:CELL_CHARS + 1 - self.size])
            self.size += len(data)
