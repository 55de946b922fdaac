"""A ledger workbook's (台账) rows and issues: Row (one row parsed per the template), Sheet and Book (what
ledger_sheets.py reads), parse_cell, and the issues found on the way (LedgerIssue), gathered into
LedgerInvalid / LedgerNotPermitted when the import refuses.

Checking rows against the database is the planners' work (ledger_projects.py, ledger_problems.py,
ledger_indicators.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from coordination.domain.enums import State, parse_category
from coordination.domain.errors import InvalidInput, NotPermitted
from coordination.domain.investment import (
    MoneyUnit,
    YearMonth,
    clean_text,
    is_blank,
    parse_date,
    parse_kind,
    parse_level,
    parse_money,
    parse_yes_no,
)
from coordination.domain.labels import bilingual
from coordination.domain.ledger import DIFFICULTY_WORDS, SheetSpec, ValueKind, split_refs

Progress = Callable[[str, int, int], None]  # stage, done, total
REFERENCE_SHEETS = frozenset({"说明", "填表说明", "单位", "人员", "readme"})
REPORT_EVERY = 500


# ---- issues --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerIssue:
    """One thing wrong (or worth knowing) about one cell, row or sheet of the workbook."""

    sheet: str
    row: int | None
    column: str | None  # the column's letter
    header: str | None  # the header as written in the file
    zh: str
    en: str
    warning: bool = False
    permission: bool = False

    def where(self) -> str:
        if self.row is None:
            return self.sheet
        return f"{self.sheet}!{self.column or ''}{self.row}"

    def message(self, lang: str = "zh") -> str:
        text = self.en if lang == "en" else self.zh
        if self.header:
            return f"{self.where()} ({self.header}): {text}" if lang == "en" else \
                f"{self.where()}（{self.header}）：{text}"
        return f"{self.where()}：{text}" if lang != "en" else f"{self.where()}: {text}"

    def to_json(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "header": self.header,
                "message": self.zh, "message_en": self.en, "severity": "warning" if self.warning else "error"}


class LedgerInvalid(InvalidInput):
    """The workbook has errors; nothing was written. Carries every issue found."""

    SHOWN = 30

    def __init__(self, file: str, issues: Sequence[LedgerIssue]) -> None:
        self.file = file
        self.issues = list(issues)
        errors = [i for i in self.issues if not i.warning]
        more = len(errors) - self.SHOWN
        zh_lines = [f"台账 {file} 有 {len(errors)} 处错误，未写入任何数据："] + [
            "  " + i.message("zh") for i in errors[: self.SHOWN]] + ([f"  ……另有 {more} 处"] if more > 0 else [])
        en_lines = [f"ledger {file} has {len(errors)} errors; nothing was written:"] + [
            "  " + i.message("en") for i in errors[: self.SHOWN]] + ([f"  … and {more} more"] if more > 0 else [])
        super().__init__("\n".join(zh_lines), "\n".join(en_lines))


class LedgerNotPermitted(NotPermitted):
    """Every error in the workbook is a permission the importer lacks; nothing was written."""

    def __init__(self, file: str, issues: Sequence[LedgerIssue]) -> None:
        self.file = file
        self.issues = list(issues)
        invalid = LedgerInvalid(file, issues)
        super().__init__(invalid.zh, invalid.en)


class Issues(list[LedgerIssue]):
    """The issues found so far: every error, and the first MAX_WARNINGS warnings (the others are counted), so
    that a ledger warning on each of 200,000 rows cannot fill the memory."""

    MAX_WARNINGS = 1_000

    def __init__(self) -> None:
        super().__init__()
        self.errors = 0
        self.warnings = 0  # listed or not

    def append(self, issue: LedgerIssue) -> None:
        if issue.warning:
            self.warnings += 1
            if self.warnings > self.MAX_WARNINGS:
                return
        else:
            self.errors += 1
        super().append(issue)

    @property
    def unlisted_warnings(self) -> int:
        return max(0, self.warnings - self.MAX_WARNINGS)


# ---- rows ------------------------------------------------------------------------------------


def letter(position: int) -> str:
    """The column letter of a 0-based position."""
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(position + 1))


@dataclass
class Row:
    sheet: str
    number: int  # the row's number in Excel
    values: dict[str, Any]  # column key → parsed value (None: blank)
    letters: dict[str, str]
    headers: dict[str, str]
    failed: set[str] = field(default_factory=set)  # keys whose cell could not be read (already reported)

    def issue(self, key: str | None, zh: str, en: str, *, warning: bool = False,
              permission: bool = False) -> LedgerIssue:
        return LedgerIssue(self.sheet, self.number, self.letters.get(key or ""), self.headers.get(key or ""),
                           zh, en, warning, permission)

    def get(self, key: str) -> Any:
        return self.values.get(key)


@dataclass
class Sheet:
    name: str
    spec: SheetSpec
    header_row: int
    rows: Iterator[Row]  # read as they are iterated, once, while the workbook is open (ledger_sheets.py)
    columns: list[str]  # the template columns found, in the file's order


@dataclass
class Book:
    file: str
    sheets: list[Sheet]
    ignored: list[str]
    issues: Issues
    row_count: int = 0  # the data rows read so far


_STATE_WORDS: dict[str, State] = {
    **{s.value: s for s in State}, **{bilingual(s)[0]: s for s in State}, **{bilingual(s)[1]: s for s in State},
    "已办结": State.CLOSED, "办结": State.CLOSED, "已解决": State.CLOSED, "销号": State.CLOSED,
    "未交办": State.SUBMITTED, "待交办": State.SUBMITTED, "正在办理": State.IN_PROGRESS,
}


def parse_cell(kind: ValueKind, value: Any, unit: MoneyUnit) -> Any:
    """A cell's value as its column's kind; InvalidInput (the row's issue) when it is not one."""
    if is_blank(value) or kind is ValueKind.INFO:
        return None
    match kind:
        case ValueKind.TEXT:
            return str(value).strip() if not isinstance(value, float) or not value.is_integer() else str(int(value))
        case ValueKind.CODE:
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            return clean_text(value)
        case ValueKind.MONEY:
            return parse_money(value, unit)
        case ValueKind.YEAR:
            text = clean_text(value).removesuffix("年")
            try:
                year = int(float(text))
            except ValueError:
                year = 0
            if not 2000 <= year <= 2100:
                raise InvalidInput(f"无法识别的年份“{clean_text(value)}”", f"not a year: '{clean_text(value)}'")
            return year
        case ValueKind.MONTH:
            return YearMonth.parse(value)
        case ValueKind.DATE:
            return parse_date(value)
        case ValueKind.YES_NO:
            return parse_yes_no(value)
        case ValueKind.LEVEL:
            return parse_level(value)
        case ValueKind.KIND:
            return parse_kind(value)
        case ValueKind.CATEGORY:
            try:
                return parse_category(clean_text(value))
            except ValueError:
                raise InvalidInput(f"未知问题类别“{clean_text(value)}”", f"unknown category '{clean_text(value)}'"
                                   ) from None
        case ValueKind.DIFFICULTY:
            text = clean_text(value)
            found = DIFFICULTY_WORDS.get(text) or DIFFICULTY_WORDS.get(text[:1])
            if found is None:
                raise InvalidInput(f"难度“{text}”无效（应为 A、B 或 C）", f"difficulty '{text}' is not A, B or C")
            return found
        case ValueKind.STATE:
            state = _STATE_WORDS.get(clean_text(value).lower()) or _STATE_WORDS.get(clean_text(value))
            if state is None:
                raise InvalidInput(f"无法识别的状态“{clean_text(value)}”", f"unknown state '{clean_text(value)}'")
            return state
        case ValueKind.UNIT | ValueKind.PERSON:
            return str(value).strip()
        case ValueKind.UNITS | ValueKind.PEOPLE:
            return split_refs(value) or None
    return value  # pragma: no cover

