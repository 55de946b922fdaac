"""Reading a ledger workbook in bounded memory: which sheets are ledger sheets, and their rows, one at a time.

The workbook is read by ledger_xlsx.py, which ignores the <dimension> a file declares (a 5 KB file may
claim A1:XFD20000) and keeps no more than MAX_COLUMNS values of a row. Here: reference lists are
skipped unread, other sheets are read no further than the rows where a header may be, and a ledger
sheet's rows are parsed only when a planner asks for them (nothing but the row in hand is held), up to
MAX_ROWS data rows in the workbook, MAX_ERRORS errors, and Excel's last row. The parts kept whole
(shared strings, styles) are refused, before anything is inflated, when the zip says they are too big.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Generator, Iterable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Any
from xml.parsers.expat import ExpatError

from coordination.domain.errors import InvalidInput, NotFound
from coordination.domain.hygiene import clean_cell
from coordination.domain.investment import MoneyUnit, clean_text, is_blank
from coordination.domain.ledger import (
    HEADER_SCAN_ROWS,
    HeaderMatch,
    find_header,
    is_note_row,
    is_total_row,
    spec_for_sheet_name,
)
from coordination.domain.ledger_kinds import EXPORT_ONLY_TITLES
from coordination.services.ledger_merges import Merges
from coordination.services.ledger_reading import (
    REFERENCE_SHEETS,
    REPORT_EVERY,
    Book,
    Issues,
    LedgerIssue,
    Progress,
    Row,
    Sheet,
    letter,
    parse_cell,
)
from coordination.services.ledger_xlsx import XlsxBook, XlsxSheet

MAX_ROWS = 200_000  # data rows in one workbook: a district's ledger holds thousands
MAX_COLUMNS = 60  # the template has 19; a ledger's own extra columns fit many times over
MAX_ERRORS = 1_000  # past this many errors the import is refused anyway: the rest is not read
MAX_MERGES = 10_000  # merged ranges in one sheet
EXCEL_ROWS = 1_048_576  # Excel's last row: a file claiming more is not an Excel file
MAX_PART_BYTES = 256 << 20  # a part kept whole (shared strings, styles, the workbook)
MAX_SHEET_BYTES = 2 << 30  # a worksheet, streamed: this bounds the time a hostile file can take
# What reading a damaged or forged file raises (zipfile: RuntimeError for an encrypted part,
# NotImplementedError for an unknown compression); anything else is a fault of coord's, not the file's.
_READ_FAULTS = (ValueError, KeyError, ExpatError, zipfile.BadZipFile, zlib.error, EOFError, OSError,
                NotImplementedError, RuntimeError)


def _check_parts(path: Path) -> None:
    """Refuse a workbook whose parts inflate past the caps, from the sizes its zip directory declares
    (zipfile never inflates a part past its declared size: a lying entry fails its CRC instead)."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: _open says what it is
    for part in parts:
        if not part.filename.endswith((".xml", ".rels")):
            continue  # pictures and the like: never read
        streamed = part.filename.startswith("xl/worksheets/")
        cap = MAX_SHEET_BYTES if streamed else MAX_PART_BYTES
        if part.file_size > cap:
            mb, cap_mb = part.file_size >> 20, cap >> 20
            raise InvalidInput(f"{path.name} 中的 {part.filename} 解压后有 {mb} MB，超过上限 {cap_mb} MB："
                               "这不像一份台账，请检查文件",
                               f"{path.name}: {part.filename} inflates to {mb} MB, above the {cap_mb} MB cap; this "
                               "is not a ledger, check the file")


def _open(path: Path) -> XlsxBook:
    if not path.exists():
        raise NotFound(f"文件 {path} 不存在", f"file {path} not found")
    if path.suffix.lower() == ".xls":
        raise InvalidInput(f"{path.name} 是旧版 Excel（.xls）文件：请在 Excel 中另存为 .xlsx 后再导入",
                           f"{path.name} is an old .xls workbook: save it as .xlsx in Excel, then import it")
    if path.is_dir():
        raise InvalidInput(f"{path} 是目录，不是 Excel 工作簿", f"{path} is a directory, not an Excel workbook")
    _check_parts(path)
    try:
        return XlsxBook(path)
    except _READ_FAULTS as exc:
        from coordination.services.workbook_files import refuse_unopenable_workbook

        refuse_unopenable_workbook(path)  # password-protected, or an old .xls renamed: said so
        raise InvalidInput(f"{path.name} 不是有效的 Excel 工作簿（.xlsx）：{type(exc).__name__}",
                           f"{path.name} is not a valid Excel workbook (.xlsx): {type(exc).__name__}") from None


@contextmanager
def open_workbook(path: Path, progress: Progress | None = None) -> Iterator[Book]:
    """The workbook's ledger sheets, found from their first rows; each sheet's rows are read as they are
    iterated, while the workbook is open. Reference lists and unrecognised sheets are not read further."""
    with _open(path) as xlsx:
        book = Book(path.name, [], [], Issues())
        for sheet in xlsx.sheets:
            _add_sheet(book, xlsx, sheet, progress)
        if not book.sheets and not book.issues:
            raise InvalidInput(
                f"{path.name} 中没有可识别的台账工作表：需要“项目”“投资进度”“问题”或“指标”表，表头用模板的列名"
                "（coord ledger template 可生成模板）",
                f"{path.name} has no ledger sheet coord recognises (项目, 投资进度, 问题 or 指标 with the template's "
                "headers; coord ledger template writes one)")
        yield book


def _cells(xlsx: XlsxBook, sheet: XlsxSheet, issues: Issues) -> Generator[tuple[int, tuple[Any, ...]], None, None]:
    """(number, values) of every row holding a value, MAX_COLUMNS wide; a fault in the file (not in what
    the caller does with a row) ends them with the sheet's issue."""
    number: int | None = None
    stream = xlsx.rows(sheet, MAX_COLUMNS)
    try:
        for number, cells in stream:
            yield number, cells
    except _READ_FAULTS as exc:
        issues.append(_unreadable(sheet.name, number, exc))
    finally:
        stream.close()


def _add_sheet(book: Book, xlsx: XlsxBook, sheet: XlsxSheet, progress: Progress | None) -> None:
    name = sheet.name
    # Reference lists, and the other kinds' sheets an export carries for reading: never imported.
    if clean_text(name).lower() in REFERENCE_SHEETS or clean_text(name) in EXPORT_ONLY_TITLES:
        book.ignored.append(name)
        return
    stream = _cells(xlsx, sheet, book.issues)
    head: list[tuple[Any, ...]] = [()] * HEADER_SCAN_ROWS
    errors = book.issues.errors
    try:
        later = False
        for number, cells in stream:
            if number > HEADER_SCAN_ROWS:
                later = not all(is_blank(v) for v in cells)
                break
            head[number - 1] = cells
        match = find_header(name, head)
        named = spec_for_sheet_name(name)
        if match is None and named is not None and (_has_values(head) or later or _has_values(c for _, c in stream)):
            book.issues.append(LedgerIssue(
                name, None, None, None,
                f"找不到“{named.title}”表的表头：前 10 行中没有一行含有模板的列名（如 项目编号、问题标题）",
                f"no header row found for the '{named.title}' sheet in its first 10 rows"))
            return
    finally:
        stream.close()
    if book.issues.errors > errors:
        return  # its first rows could not be read: the issue says so
    if match is None:
        book.ignored.append(name)
        return
    reader = _SheetReader(book, xlsx, sheet, match, progress)
    book.sheets.append(Sheet(name, match.spec, reader.header_row, reader.rows(), reader.columns))


def _has_values(rows: Iterable[tuple[Any, ...]]) -> bool:
    return any(not all(is_blank(v) for v in cells) for cells in rows)


def _unreadable(sheet: str, row: int | None, exc: BaseException) -> LedgerIssue:
    where = f"第 {row} 行附近" if row else "开头"
    return LedgerIssue(sheet, row, None, None, f"工作表在{where}无法读取（文件可能已损坏）：{type(exc).__name__}",
                       f"the sheet cannot be read {'near row ' + str(row) if row else 'from its start'} (is the "
                       f"file damaged?): {type(exc).__name__}")


class _SheetReader:
    """One ledger sheet's rows, parsed per the template as they are read."""

    def __init__(self, book: Book, xlsx: XlsxBook, sheet: XlsxSheet, match: HeaderMatch,
                 progress: Progress | None) -> None:
        self.book, self.xlsx, self.sheet, self.name, self.match = book, xlsx, sheet, sheet.name, match
        self.progress = progress
        self.header_row = match.row_index + 1
        self.columns = sorted(match.positions, key=match.positions.__getitem__)
        self.letters = {key: letter(pos) for key, pos in match.positions.items()}
        self.kinds = {key: match.spec.column(key).kind for key in match.positions}
        spec = match.spec
        for key, first, second in match.duplicates:
            book.issues.append(LedgerIssue(
                self.name, self.header_row, letter(second), None,
                f"“{spec.column(key).header}”列重复：{letter(first)} 列与 {letter(second)} 列",
                f"column '{spec.column(key).header}' appears twice: {letter(first)} and {letter(second)}"))

    def rows(self) -> Iterator[Row]:
        merges = self._merges()
        if merges is None:
            return
        stream = _cells(self.xlsx, self.sheet, self.book.issues)
        number = 0
        hint = min(self.sheet.declared_rows, MAX_ROWS)  # the declared height: only the progress bar's guess
        try:
            for count, (number, cells) in enumerate(stream, start=1):
                if self.progress and count % REPORT_EVERY == 0:
                    self.progress(f"read:{self.name}", number, max(hint, number))
                if number <= self.header_row:
                    continue
                if number > EXCEL_ROWS:
                    self._stop(number)
                    return
                if merges.pending:
                    cells = merges.fill(cells, number)
                    if merges.overlapping:
                        self._stop(number, overlapping=True)
                        return
                if cells.count(None) == len(cells):
                    continue  # (the cheap test first: a sheet may hold a million empty rows)
                if self.book.issues.errors >= MAX_ERRORS:
                    self._stop(number)
                    return
                row = self._row(cells, number)
                if row is None:
                    continue
                if self.book.row_count >= MAX_ROWS:
                    self._stop(number)
                    return
                self.book.row_count += 1
                yield row
        finally:
            stream.close()
        if self.sheet.first_wide_row is not None:
            self.book.issues.append(LedgerIssue(
                self.name, self.sheet.first_wide_row, letter(MAX_COLUMNS), None,
                f"第 {MAX_COLUMNS} 列以后的内容未读取（一张表最多读 {MAX_COLUMNS} 列）",
                f"cells after column {MAX_COLUMNS} were not read (at most {MAX_COLUMNS} per sheet)", warning=True))
        if self.progress:
            self.progress(f"read:{self.name}", number, number)

    def _stop(self, number: int, overlapping: bool = False) -> None:
        issues = self.book.issues
        if overlapping:
            zh, en = "合并单元格互相重叠：请取消合并后再导入", "merged ranges overlap: unmerge them, then import"
        elif number > EXCEL_ROWS:
            zh, en = f"行号超过 Excel 的上限 {EXCEL_ROWS}", f"row numbers past Excel's last row {EXCEL_ROWS}"
        elif issues.errors >= MAX_ERRORS:
            zh, en = (f"错误已达 {MAX_ERRORS} 处，从这一行起不再检查：请先改正以上错误",
                      f"{MAX_ERRORS} errors already: rows from here on were not checked; fix those first")
        else:
            zh, en = (f"台账超过 {MAX_ROWS} 行的上限，从这一行起未读取：请分成几个文件导入",
                      f"the ledger has more than {MAX_ROWS} rows (the cap); rows from here on were not read: split "
                      "it into several files")
        issues.append(LedgerIssue(self.name, number, None, None, zh, en))

    def _merges(self) -> Merges | None:
        """The sheet's merged ranges, scanned before its rows (they follow the rows in the file); None when
        there are too many, or they cannot be read: the sheet is not read."""
        try:
            ranges = self.xlsx.merged_ranges(self.sheet, MAX_MERGES)
        except _READ_FAULTS as exc:
            self.book.issues.append(_unreadable(self.name, None, exc))
            return None
        if ranges is None:
            self.book.issues.append(LedgerIssue(
                self.name, None, None, None, f"合并单元格超过 {MAX_MERGES} 处：请取消合并后再导入",
                f"more than {MAX_MERGES} merged ranges: unmerge them, then import"))
            return None
        return Merges(self.name, self.header_row, set(self.match.positions.values()), ranges, self.book.issues,
                      MAX_COLUMNS)

    def _row(self, cells: tuple[Any, ...], number: int) -> Row | None:
        match = self.match
        picked = {key: cells[pos] for key, pos in match.positions.items()}
        if all(is_blank(v) for v in picked.values()) or is_total_row(cells) or is_note_row(cells):
            return None
        row = Row(self.name, number, {}, self.letters, match.headers)
        for key, value in picked.items():
            try:
                parsed = parse_cell(self.kinds[key], value, match.units.get(key, MoneyUnit.WAN))
                # Text as typed by hand is cleaned; a parsed state, level or difficulty (a StrEnum) stays as it is.
                row.values[key] = parsed if isinstance(parsed, Enum) else clean_cell(key, match.headers.get(key, key),
                                                                                     parsed)
            except InvalidInput as error:
                row.values[key] = None
                row.failed.add(key)
                self.book.issues.append(row.issue(key, error.zh, error.en))
        return row
