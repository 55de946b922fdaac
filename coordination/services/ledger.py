"""The Excel ledger (台账): an empty template, import, and export back to the same template.

Import reads the whole workbook, checks every row against the template and the database, and writes
nothing unless the whole file is valid; then it writes everything in one transaction, each change
with its audit event (origin `import:<file>`, or the flow run's id). Rows are matched on natural keys
(项目编号; 项目+月份; 问题编号, else 项目+问题标题), so importing the same file twice changes nothing and
an updated ledger changes only what differs.

What a ledger may change: projects (any field, roster, annual plan), monthly progress, new problems
(raised, and assigned when a 责任单位 is named), and the assignment of a problem still `submitted`.
It never moves an existing problem through its life: where the ledger's state, unit or deadline
differs from coord's, the import reports a warning and leaves the problem alone.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import insert, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from coordination.domain.enums import (
    FINISHED_STATES,
    Action,
    Difficulty,
    Level,
    ProjectKind,
    ProjectLevel,
    Role,
    State,
    UnitKind,
    parse_category,
)
from coordination.domain.errors import Conflict, CoordError, InvalidInput, NotFound, NotPermitted
from coordination.domain.investment import (
    MoneyUnit,
    YearMonth,
    amount_decimal,
    clean_text,
    is_blank,
    parse_date,
    parse_kind,
    parse_level,
    parse_money,
    parse_yes_no,
)
from coordination.domain.labels import bilingual, label
from coordination.domain.ledger import (
    DIFFICULTY_WORDS,
    INDICATORS,
    PROBLEMS,
    PROGRESS,
    PROJECTS,
    HeaderMatch,
    SheetSpec,
    ValueKind,
    find_header,
    is_note_row,
    is_total_row,
    spec_for_sheet_name,
    split_refs,
)
from coordination.domain.problem import ActionInput, Actor, ProblemFacts, Roster, authorize, new_problem, plan
from coordination.models import (
    AuditEvent,
    Person,
    PersonRole,
    Problem,
    ProblemSequence,
    Project,
    ProjectPlan,
    ProjectProgress,
    RoutingRule,
    Unit,
)
from coordination.services import directory, issues, problem_changes, projects
from coordination.services.calendar import work_calendar
from coordination.services.common import Caller, load_actor
from coordination.services.ledger_indicators import export_indicator_rows, plan_indicator_rows, write_indicator_rows
from coordination.services.writer import FactsAfter, Journal
from coordination.uow import UnitOfWork

Progress = Callable[[str, int, int], None]  # stage, done, total
REFERENCE_SHEETS = frozenset({"说明", "填表说明", "单位", "人员", "readme"})
ASSIGN_REASON = "据台账交办"
_PROBLEM_TABLE = Problem.__table__  # type: ignore[attr-defined]
_EVENT_TABLE = AuditEvent.__table__  # type: ignore[attr-defined]
_PROBLEM_DEFAULTS = {name: f.get_default(call_default_factory=True)
                     for name, f in Problem.model_fields.items() if not f.is_required()}
_COORD_ID = re.compile(r"^Q-\d{4}-\d{4,}$")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")
_REPORT_EVERY = 500


def import_origin(path: Path) -> str:
    """The origin the audit events of a command-line import carry: `import:<file name>`."""
    return f"import:{path.name}"[:80]


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


# ---- reading the workbook ------------------------------------------------------------------


@dataclass
class _Row:
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
class _Sheet:
    name: str
    spec: SheetSpec
    header_row: int
    rows: list[_Row]
    columns: list[str]  # the template columns found, in the file's order


@dataclass
class _Book:
    file: str
    sheets: list[_Sheet]
    ignored: list[str]
    issues: list[LedgerIssue]

    @property
    def row_count(self) -> int:
        return sum(len(s.rows) for s in self.sheets)


def _letter(position: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(position + 1))


def _open(path: Path) -> Any:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    if not path.exists():
        raise NotFound(f"文件 {path} 不存在", f"file {path} not found")
    if path.suffix.lower() == ".xls":
        raise InvalidInput(f"{path.name} 是旧版 Excel（.xls）文件：请在 Excel 中另存为 .xlsx 后再导入",
                           f"{path.name} is an old .xls workbook: save it as .xlsx in Excel, then import it")
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError) as exc:
        raise InvalidInput(f"{path.name} 不是有效的 Excel 工作簿（.xlsx）：{type(exc).__name__}",
                           f"{path.name} is not a valid Excel workbook (.xlsx): {type(exc).__name__}") from None


def _merged_ranges(sheet: Any) -> list[tuple[int, int, int, int]]:
    """(min_row, min_col, max_row, max_col), 1-based: read-only sheets do not parse <mergeCells>."""
    from openpyxl.worksheet.cell_range import CellRange

    source = sheet._get_source()
    try:
        data = source.read()
    finally:
        source.close()
    ranges = []
    for ref in re.findall(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"', data):
        cells = CellRange(ref.decode("ascii"))
        ranges.append((cells.min_row, cells.min_col, cells.max_row, cells.max_col))
    return ranges


def read_workbook(path: Path, progress: Progress | None = None) -> _Book:
    """Every recognised sheet's rows, parsed per the template; problems found so far as issues."""
    book = _open(path)
    found = _Book(path.name, [], [], [])
    try:
        for sheet in book.worksheets:
            name = str(sheet.title)
            if clean_text(name).lower() in REFERENCE_SHEETS:
                found.ignored.append(name)
                continue
            total = int(sheet.max_row or 0)
            raw: list[list[Any]] = []
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                raw.append(list(values))
                if progress and number % _REPORT_EVERY == 0:
                    progress(f"read:{name}", number, max(total, number))
            if progress:
                progress(f"read:{name}", len(raw), len(raw))
            match = find_header(name, raw)
            if match is None:
                if any(any(not is_blank(v) for v in r) for r in raw) and _named_like_template(name):
                    spec_title = _named_like_template(name)
                    found.issues.append(LedgerIssue(
                        name, None, None, None,
                        f"找不到“{spec_title}”表的表头：前 10 行中没有一行含有模板的列名（如 项目编号、问题标题）",
                        f"no header row found for the '{spec_title}' sheet in its first 10 rows"))
                else:
                    found.ignored.append(name)
                continue
            found.sheets.append(_read_sheet(name, raw, match, _merged_ranges(sheet), found.issues))
    finally:
        book.close()
    if not found.sheets and not found.issues:
        raise InvalidInput(
            f"{path.name} 中没有可识别的台账工作表：需要“项目”“投资进度”“问题”或“指标”表，表头用模板的列名"
            "（coord ledger template 可生成模板）",
            f"{path.name} has no ledger sheet coord recognises (项目, 投资进度, 问题 or 指标 with the template's "
            "headers; coord ledger template writes one)")
    return found


def _named_like_template(name: str) -> str | None:
    spec = spec_for_sheet_name(name)
    return spec.title if spec else None


def _read_sheet(name: str, raw: list[list[Any]], match: HeaderMatch, merges: list[tuple[int, int, int, int]],
                issues: list[LedgerIssue]) -> _Sheet:
    header_row = match.row_index + 1
    spec = match.spec
    for key, first, second in match.duplicates:
        issues.append(LedgerIssue(name, header_row, _letter(second), None,
                                  f"“{spec.column(key).header}”列重复：{_letter(first)} 列与 {_letter(second)} 列",
                                  f"column '{spec.column(key).header}' appears twice: {_letter(first)} and "
                                  f"{_letter(second)}"))
    known = set(match.positions.values())
    for min_row, min_col, max_row, max_col in merges:
        if max_row < header_row:
            continue  # a title above the table
        ref = f"{_letter(min_col - 1)}{min_row}:{_letter(max_col - 1)}{max_row}"
        if min_row <= header_row:
            issues.append(LedgerIssue(name, header_row, _letter(min_col - 1), None,
                                      f"表头有合并单元格 {ref}：请取消合并，每列只保留一行表头",
                                      f"merged header cells {ref}: unmerge them, one header cell per column"))
            continue
        covered = {c - 1 for c in range(min_col, max_col + 1)} & known
        span = range(min_row - 1, min(max_row, len(raw)))
        if len(covered) > 1 and not all(is_total_row(raw[r]) for r in span):
            issues.append(LedgerIssue(name, min_row, _letter(min_col - 1), None,
                                      f"合并单元格 {ref} 跨了多列：请取消合并",
                                      f"merged cells {ref} span several columns: unmerge them"))
            continue
        # A value merged down a column (a project name over its problems) belongs to every row.
        top = raw[min_row - 1][min_col - 1] if min_col - 1 < len(raw[min_row - 1]) else None
        for r in span:
            cells = raw[r]
            if len(cells) < min_col:
                cells.extend([None] * (min_col - len(cells)))
            cells[min_col - 1] = top
    rows: list[_Row] = []
    letters = {key: _letter(pos) for key, pos in match.positions.items()}
    kinds = {key: spec.column(key).kind for key in match.positions}
    for index in range(header_row, len(raw)):
        cells = raw[index]
        picked = {key: (cells[pos] if pos < len(cells) else None) for key, pos in match.positions.items()}
        if all(is_blank(v) for v in picked.values()) or is_total_row(cells) or is_note_row(cells):
            continue
        row = _Row(name, index + 1, {}, letters, match.headers)
        for key, value in picked.items():
            try:
                row.values[key] = _parse(kinds[key], value, match.units.get(key, MoneyUnit.WAN))
            except InvalidInput as error:
                row.values[key] = None
                row.failed.add(key)
                issues.append(row.issue(key, error.zh, error.en))
        rows.append(row)
    ordered = sorted(match.positions, key=match.positions.__getitem__)
    return _Sheet(name, spec, header_row, rows, ordered)


_STATE_WORDS: dict[str, State] = {
    **{s.value: s for s in State}, **{bilingual(s)[0]: s for s in State}, **{bilingual(s)[1]: s for s in State},
    "已办结": State.CLOSED, "办结": State.CLOSED, "已解决": State.CLOSED, "销号": State.CLOSED,
    "未交办": State.SUBMITTED, "待交办": State.SUBMITTED, "正在办理": State.IN_PROGRESS,
}


def _parse(kind: ValueKind, value: Any, unit: MoneyUnit) -> Any:
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


# ---- the directory, as the ledger names it -------------------------------------------------


class _Directory:
    """Units and people by code/handle and by name; projects by code and by name."""

    def __init__(self, session: Session) -> None:
        self.units = {u.code: u for u in session.exec(select(Unit)).all()}
        self.people = {p.handle: p for p in session.exec(select(Person)).all()}
        self.roles: dict[str, set[str]] = {}
        for handle, role in session.exec(select(PersonRole.handle, PersonRole.role)).all():
            self.roles.setdefault(handle, set()).add(role)
        self.unit_names = _by_name((u.name, u.code) for u in self.units.values())
        self.person_names = _by_name((p.name, p.handle) for p in self.people.values())
        self.projects = {p.code: p for p in session.exec(select(Project)).all()}
        self.project_names = _by_name((p.name, p.code) for p in self.projects.values())

    def unit_ref(self, code: str) -> str:
        """How the ledger names a unit: its full name when that name is unique, else its code."""
        unit = self.units.get(code)
        if unit is None:
            return code
        return unit.name if self.unit_names.get(_key(unit.name)) == [code] and unit.name not in self.units else code

    def person_ref(self, handle: str) -> str:
        person = self.people.get(handle)
        if person is None:
            return handle
        unique = self.person_names.get(_key(person.name)) == [handle] and person.name not in self.people
        return person.name if unique else handle

    def project_ref(self, code: str) -> str:
        project = self.projects.get(code)
        return project.name if project is not None else code


def _key(name: str) -> str:
    return re.sub(r"\s+", "", clean_text(name))


def _by_name(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, code in pairs:
        found.setdefault(_key(name), []).append(code)
    return found


# ---- the plan of an import -----------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    file: str
    origin: str
    dry_run: bool
    sheets: dict[str, str]  # sheet name → projects | progress | problems
    ignored_sheets: list[str]
    rows: int
    projects_created: list[str]
    projects_updated: list[str]
    plans_changed: int
    progress_changed: int
    problems_raised: list[str]
    problems_assigned: list[str]
    unchanged_rows: int
    events: int
    warnings: list[LedgerIssue]
    indicator_values: int = 0  # months of indicators recorded from the 指标 sheet

    @property
    def changed(self) -> bool:
        return self.events > 0

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "origin": self.origin, "dry_run": self.dry_run, "changed": self.changed,
                "sheets": self.sheets, "ignored_sheets": self.ignored_sheets, "rows": self.rows,
                "projects_created": self.projects_created, "projects_updated": self.projects_updated,
                "plans_changed": self.plans_changed, "progress_changed": self.progress_changed,
                "problems_raised": self.problems_raised, "problems_assigned": self.problems_assigned,
                "unchanged_rows": self.unchanged_rows, "events": self.events,
                "warnings": [w.to_json() for w in self.warnings], "indicator_values": self.indicator_values}


@dataclass
class _NewProject:
    row: _Row
    code: str
    name: str
    level: ProjectLevel
    locality: str
    lead_unit: str
    leaders: list[str]
    helpers: list[str]
    specialists: list[str]
    details: directory.InvestmentDetails


@dataclass
class _NewProblem:
    row: _Row
    fields: dict[str, Any]  # as new_problem made them
    assign: dict[str, Any] | None  # as plan(ASSIGN) made them


@dataclass
class _Assignment:
    row: _Row
    problem: Problem
    changes: dict[str, Any]


@dataclass
class _Plan:
    new_projects: list[_NewProject] = field(default_factory=list)
    project_changes: dict[str, tuple[_Row, dict[str, Any]]] = field(default_factory=dict)
    plans: list[tuple[str, int, int, int | None]] = field(default_factory=list)  # code, year, 元, previous
    progress: list[tuple[str, YearMonth, int, str | None, int | None]] = field(default_factory=list)  # …, previous
    new_problems: list[_NewProblem] = field(default_factory=list)
    assignments: list[_Assignment] = field(default_factory=list)
    unchanged: int = 0


class _Planner:
    """Checks every row against the database and works out what the import would change."""

    def __init__(self, session: Session, caller: Caller, actor: Actor, book: _Book,
                 progress: Progress | None = None) -> None:
        self.progress_cb = progress
        self.session = session
        self.caller = caller
        self.actor = actor
        self.book = book
        self.issues: list[LedgerIssue] = list(book.issues)
        self.dir = _Directory(session)
        self.plan = _Plan()
        self.file_projects: dict[str, _NewProject] = {}
        self.rosters: dict[str, Roster] = {}
        self.calendar = work_calendar(session)
        self.today = caller.today

    # ---- resolving names ---------------------------------------------------------------------

    def unit(self, row: _Row, key: str, ref: str | None) -> str | None:
        if ref is None:
            return None
        if ref in self.dir.units:
            code = ref
        else:
            codes = self.dir.unit_names.get(_key(ref), [])
            if len(codes) > 1:
                self.issues.append(row.issue(key, f"单位名称“{ref}”对应多个单位（{'、'.join(codes)}），请写单位代码",
                                             f"unit name '{ref}' matches several units ({', '.join(codes)}); "
                                             "use the code"))
                return None
            if not codes:
                self.issues.append(row.issue(key, f"单位“{ref}”未登记：请先用 coord unit add 登记，"
                                                  "或改写为已登记的单位代码/全称",
                                             f"unit '{ref}' is not registered: add it with coord unit add, or use "
                                             "a registered code or full name"))
                return None
            code = codes[0]
        if not self.dir.units[code].active:
            self.issues.append(row.issue(key, f"单位 {ref} 已停用", f"unit {ref} is inactive"))
            return None
        return code

    def units(self, row: _Row, key: str, refs: list[str] | None) -> list[str] | None:
        if refs is None:
            return None
        codes = [self.unit(row, key, r) for r in refs]
        return None if any(c is None for c in codes) else sorted({c for c in codes if c})

    def person(self, row: _Row, key: str, ref: str | None, roles: set[str] | None = None,
               role_zh: str = "") -> str | None:
        if ref is None:
            return None
        if ref in self.dir.people:
            handle = ref
        else:
            handles = self.dir.person_names.get(_key(ref), [])
            if roles is not None and len(handles) > 1:
                handles = [h for h in handles if self.dir.roles.get(h, set()) & roles] or handles
            if len(handles) > 1:
                self.issues.append(row.issue(key, f"姓名“{ref}”对应多人（{'、'.join(handles)}），请写账号",
                                             f"name '{ref}' matches several people ({', '.join(handles)}); "
                                             "use the handle"))
                return None
            if not handles:
                self.issues.append(row.issue(key, f"人员“{ref}”未登记：请先用 coord person add 登记，或写账号",
                                             f"person '{ref}' is not registered: add them with coord person add, "
                                             "or use the handle"))
                return None
            handle = handles[0]
        if not self.dir.people[handle].active:
            self.issues.append(row.issue(key, f"人员 {ref} 已停用", f"person {ref} is inactive"))
            return None
        if roles is not None and not self.dir.roles.get(handle, set()) & roles:
            self.issues.append(row.issue(key, f"{ref} 不是{role_zh}，不能列入项目名单",
                                         f"{ref} does not hold the role needed on the roster here"))
            return None
        return handle

    def people(self, row: _Row, key: str, refs: list[str] | None, roles: set[str], role_zh: str) -> list[str] | None:
        if refs is None:
            return None
        handles = [self.person(row, key, r, roles, role_zh) for r in refs]
        return None if any(h is None for h in handles) else sorted({h for h in handles if h})

    def project_code(self, row: _Row) -> str | None:
        code, name = row.get("project"), row.get("project_name")
        if code:
            if code in self.dir.projects or code in self.file_projects:
                return str(code)
            self.issues.append(row.issue("project", f"项目 {code} 不存在（项目表中也没有）",
                                         f"project {code} does not exist (nor in the 项目 sheet)"))
            return None
        if name:
            codes = self.dir.project_names.get(_key(name), []) + [
                c for c, p in self.file_projects.items() if _key(p.name) == _key(name) and c not in self.dir.projects]
            if len(codes) == 1:
                return codes[0]
            zh = f"项目名称“{name}”对应多个项目（{'、'.join(codes)}），请填写项目编号" if codes else \
                f"项目“{name}”不存在：请填写项目编号，或先在项目表中登记"
            en = f"project name '{name}' matches several projects; give the code" if codes else \
                f"project '{name}' not found: give its code or add it in the 项目 sheet"
            self.issues.append(row.issue("project_name", zh, en))
            return None
        self.issues.append(row.issue("project", "项目编号和项目名称都为空", "neither project code nor name given"))
        return None

    # ---- projects ----------------------------------------------------------------------------

    def projects(self, sheet: _Sheet) -> None:
        seen: dict[str, int] = {}
        may_change = bool(self.actor.roles & {Role.ADMIN, Role.SECRETARIAT})
        for row in sheet.rows:
            code = row.get("code")
            if code is None and row.get("name"):
                matches = self.dir.project_names.get(_key(row.get("name")), [])
                code = matches[0] if len(matches) == 1 else None
            if code is None:
                self.issues.append(row.issue("code", "项目编号不能为空", "the project code is empty"))
                continue
            if not _CODE.match(code):
                self.issues.append(row.issue("code", f"项目编号“{code}”无效：只能用字母、数字、-、_、.，最长 40 位",
                                             f"invalid project code '{code}': letters, digits, - _ . only"))
                continue
            if code in seen:
                self.issues.append(row.issue("code", f"项目编号 {code} 与第 {seen[code]} 行重复",
                                             f"project code {code} repeats row {seen[code]}"))
                continue
            seen[code] = row.number
            errors_before = len(self.issues)
            leaders = self.people(row, "leaders", row.get("leaders"), {Role.LEADER.value, Role.PRINCIPAL.value},
                                  "区领导")
            specialists = self.people(row, "specialists", row.get("specialists"), {Role.SPECIALIST.value}, "项目专员")
            locality = self.unit(row, "locality", row.get("locality"))
            lead_unit = self.unit(row, "lead_unit", row.get("lead_unit"))
            helpers = self.units(row, "helpers", row.get("helpers"))
            wanted = projects.ProjectFields(
                name=row.get("name"), level=row.get("level"), kind=row.get("kind"),
                total_investment_yuan=row.get("total_investment"), planned_start=row.get("planned_start"),
                actual_start=row.get("actual_start"), planned_completion=row.get("planned_completion"),
                actual_completion=row.get("actual_completion"), planned_production=row.get("planned_production"),
                actual_production=row.get("actual_production"), in_stats=row.get("in_stats"),
                locality=locality, lead_unit=lead_unit,
                leaders=tuple(leaders) if leaders is not None else None,
                helpers=tuple(helpers) if helpers is not None else None,
                specialists=tuple(specialists) if specialists is not None else None)
            if len(self.issues) > errors_before:
                continue
            existing = self.dir.projects.get(code)
            dates = {n: getattr(wanted, n) or (getattr(existing, n) if existing else None)
                     for n in ("actual_start", "actual_completion", "actual_production")}
            try:
                projects.check_dates(code, dates)
            except InvalidInput as error:
                self.issues.append(row.issue("actual_completion", error.zh, error.en))
                continue
            annual = row.get("annual_plan")
            year = row.get("plan_year") or self.today.year
            if existing is None:
                missing = [sheet.spec.column(k).header for k, v in (
                    ("name", wanted.name), ("level", wanted.level), ("leaders", wanted.leaders),
                    ("locality", wanted.locality), ("lead_unit", wanted.lead_unit)) if not v]
                if missing:
                    self.issues.append(row.issue(None, f"新项目 {code} 缺少：{'、'.join(missing)}",
                                                 f"new project {code} lacks: {', '.join(missing)}"))
                    continue
                if not may_change:
                    self.issues.append(row.issue(None, f"{self.actor.handle} 无权登记项目 {code}",
                                                 f"{self.actor.handle} may not register projects", permission=True))
                    continue
                assert wanted.name and wanted.level and wanted.locality and wanted.lead_unit and wanted.leaders
                details = directory.InvestmentDetails(
                    kind=wanted.kind, total_investment_yuan=wanted.total_investment_yuan,
                    planned_start=wanted.planned_start, actual_start=wanted.actual_start,
                    planned_completion=wanted.planned_completion, actual_completion=wanted.actual_completion,
                    planned_production=wanted.planned_production, actual_production=wanted.actual_production,
                    in_stats=bool(wanted.in_stats))
                new = _NewProject(row, code, wanted.name, wanted.level, wanted.locality, wanted.lead_unit,
                                  list(wanted.leaders), list(wanted.helpers or ()), list(wanted.specialists or ()),
                                  details)
                self.plan.new_projects.append(new)
                self.file_projects[code] = new
                self.rosters[code] = Roster(code, frozenset(new.leaders), frozenset(new.specialists),
                                            frozenset({new.locality, new.lead_unit, *new.helpers}))
                if annual is not None:
                    self.plan.plans.append((code, year, annual, None))
                continue
            changes = projects.changes_for(existing, projects.roster_of(self.session, code), wanted)
            plan_row = self.session.get(ProjectPlan, (code, year)) if annual is not None else None
            plan_changes = annual is not None and (plan_row is None or plan_row.planned_yuan != annual)
            if (changes or plan_changes) and not may_change:
                self.issues.append(row.issue(None, f"{self.actor.handle} 无权修改项目 {code}",
                                             f"{self.actor.handle} may not change projects", permission=True))
                continue
            if changes:
                self.plan.project_changes[code] = (row, changes)
            if plan_changes:
                assert annual is not None
                self.plan.plans.append((code, year, annual, plan_row.planned_yuan if plan_row else None))
            if not changes and not plan_changes:
                self.plan.unchanged += 1

    # ---- monthly progress --------------------------------------------------------------------

    def progress(self, sheet: _Sheet) -> None:
        seen: dict[tuple[str, YearMonth], int] = {}
        this_month = YearMonth.of(self.today)
        existing = {(p.project, p.month): p for p in self.session.exec(select(ProjectProgress)).all()}
        allowed: dict[str, bool] = {}
        for row in sheet.rows:
            code = self.project_code(row)
            month, amount = row.get("month"), row.get("completed")
            if month is None and "month" not in row.failed:
                self.issues.append(row.issue("month", "月份不能为空", "the month is empty"))
            if amount is None and "completed" not in row.failed:
                self.issues.append(row.issue("completed", "当月完成投资不能为空", "the month's investment is empty"))
            if code is None or month is None or amount is None:
                continue
            if month > this_month:
                self.issues.append(row.issue("month", f"月份 {month} 尚未到来", f"month {month} has not begun"))
                continue
            if (code, month) in seen:
                self.issues.append(row.issue("month", f"项目 {code} 的 {month} 与第 {seen[code, month]} 行重复",
                                             f"{code} {month} repeats row {seen[code, month]}"))
                continue
            seen[code, month] = row.number
            note = row.get("note")
            current = existing.get((code, str(month)))
            if current is not None and current.completed_yuan == amount and (note is None or note == current.note):
                self.plan.unchanged += 1
                continue
            if code not in allowed:
                allowed[code] = self._may_record(code)
            if not allowed[code]:
                self.issues.append(row.issue(None, f"{self.actor.handle} 不是项目 {code} 的专员或专班办公室人员，"
                                                   "不能填报投资进度",
                                             f"{self.actor.handle} may not record progress of {code}",
                                             permission=True))
                continue
            self.plan.progress.append((code, month, amount, note, current.completed_yuan if current else None))

    def _may_record(self, code: str) -> bool:
        if self.actor.roles & {Role.SECRETARIAT, Role.ADMIN}:
            return True
        roster = self._roster(code)
        return Role.SPECIALIST in self.actor.roles and self.actor.handle in roster.specialists

    def _roster(self, code: str) -> Roster:
        if code not in self.rosters:
            self.rosters[code] = problem_changes.load_roster(self.session, code)
        return self.rosters[code]

    # ---- problems ----------------------------------------------------------------------------

    def problems(self, sheets: list[_Sheet]) -> None:
        rows = [r for s in sheets for r in s.rows]
        if not rows:
            return
        table = _PROBLEM_TABLE
        query = sa_select(table.c.id, table.c.project, table.c.title, table.c.state, table.c.lead_unit,
                          table.c.co_units, table.c.category, table.c.detail, table.c.due_date, table.c.difficulty)
        by_id: dict[str, Any] = {}
        by_title: dict[tuple[str, str], list[Any]] = {}
        for found in self.session.connection().execute(query).mappings():
            by_id[found["id"]] = found
            by_title.setdefault((found["project"], found["title"]), []).append(found)
        seen_ids: dict[str, int] = {}
        seen_titles: dict[tuple[str, str], int] = {}
        routes = {r.category: r.unit for r in self.session.exec(select(RoutingRule)).all()}
        for number, row in enumerate(rows, start=1):
            if self.progress_cb and number % _REPORT_EVERY == 0:
                self.progress_cb("check", number, len(rows))
            self._problem(row, by_id, by_title, seen_ids, seen_titles, routes)


    def _problem(self, row: _Row, by_id: dict[str, Any], by_title: dict[tuple[str, str], list[Any]],
                 seen_ids: dict[str, int], seen_titles: dict[tuple[str, str], int], routes: dict[str, str]) -> None:
        errors_before = len(self.issues)
        code = self.project_code(row)
        title = row.get("title")
        if title is None:
            self.issues.append(row.issue("title", "问题标题不能为空", "the problem title is empty"))
        problem_id: str | None = str(row.get("id")).upper() if row.get("id") else None
        if problem_id is not None and not _COORD_ID.match(problem_id):
            self.issues.append(row.issue("id", f"“{row.get('id')}”不是 coord 的问题编号（如 Q-2024-0042），"
                                               "已按项目和标题识别",
                                         f"'{row.get('id')}' is not a coord id (like Q-2024-0042); matched on "
                                         "project and title instead", warning=True))
            problem_id = None
        lead = self.unit(row, "lead_unit", row.get("lead_unit"))
        co_units = self.units(row, "co_units", row.get("co_units")) or []
        raiser = self.person(row, "raised_by", row.get("raised_by"))
        if code is None or title is None or len(self.issues) > errors_before:
            return
        key = (code, title)
        if problem_id is not None:
            if problem_id in seen_ids:
                self.issues.append(row.issue("id", f"问题编号 {problem_id} 与第 {seen_ids[problem_id]} 行重复",
                                             f"problem {problem_id} repeats row {seen_ids[problem_id]}"))
                return
            seen_ids[problem_id] = row.number
            existing = by_id.get(problem_id)
            if existing is None:
                self.issues.append(row.issue("id", f"问题 {problem_id} 不存在：新问题请把问题编号留空",
                                             f"problem {problem_id} does not exist: leave the id empty for a new one"))
                return
            if existing["project"] != code:
                owner = existing["project"]
                self.issues.append(row.issue("project", f"问题 {problem_id} 属于项目 {owner}，不是 {code}",
                                             f"{problem_id} belongs to {existing['project']}, not {code}"))
                return
        else:
            if key in seen_titles:
                self.issues.append(row.issue("title", f"项目 {code} 下的问题“{title}”与第 {seen_titles[key]} 行重复",
                                             f"problem '{title}' of {code} repeats row {seen_titles[key]}"))
                return
            seen_titles[key] = row.number
            twins = by_title.get(key, [])
            if len(twins) > 1:
                twin_ids = "、".join(t["id"] for t in twins)
                self.issues.append(row.issue("title", f"项目 {code} 下有多个同名问题（{twin_ids}），"
                                                      "请填写问题编号",
                                             f"{code} has several problems titled '{title}'; give the id"))
                return
            existing = twins[0] if twins else None
        if existing is not None:
            self._existing(row, existing, lead, co_units)
        else:
            self._new(row, code, title, lead, co_units, raiser, routes)

    def _assign(self, row: _Row, facts: ProblemFacts, roster: Roster, lead: str, co_units: list[str],
                since: date) -> dict[str, Any] | None:
        assigned_on = row.get("assigned_on") or self.today
        due = row.get("due_date")
        if assigned_on > self.today:
            self.issues.append(row.issue("assigned_on", f"交办日期 {assigned_on} 晚于今天",
                                         f"assigned {assigned_on}: in the future"))
            return None
        if assigned_on < since:
            self.issues.append(row.issue("assigned_on", f"交办日期 {assigned_on} 早于上报日期 {since}",
                                         f"assigned {assigned_on} before it was raised {since}"))
            return None
        if due is not None and due <= assigned_on:
            self.issues.append(row.issue("due_date", f"办结期限 {due} 须晚于交办日期 {assigned_on}",
                                         f"due date {due} must be after the assignment {assigned_on}"))
            return None
        try:
            authorize(Action.ASSIGN, self.actor, facts, roster)
            inputs = ActionInput(unit=lead, co_units=tuple(co_units), difficulty=row.get("difficulty") or Difficulty.B,
                                 due=due)
            return plan(Action.ASSIGN, self.actor, facts, inputs, today=assigned_on, calendar=self.calendar)
        except NotPermitted as error:
            self.issues.append(row.issue(None, error.zh, error.en, permission=True))
        except CoordError as error:
            self.issues.append(row.issue("lead_unit", error.zh, error.en))
        return None

    def _new(self, row: _Row, code: str, title: str, lead: str | None, co_units: list[str], raiser: str | None,
             routes: dict[str, str]) -> None:
        category, state = row.get("category"), row.get("state")
        if category is None:
            if "category" not in row.failed:
                self.issues.append(row.issue("category", "新问题的问题类别不能为空", "a new problem needs a category"))
            return
        if state in FINISHED_STATES:
            self.issues.append(row.issue("state", f"状态为{label(state)}的问题不导入：coord 只接收在办问题",
                                         f"not imported: a {label(state, 'en')} problem is history, not work in hand",
                                         warning=True))
            return
        wants_assign = lead is not None or (state is not None and state is not State.SUBMITTED)
        if wants_assign and lead is None:
            lead = routes.get(category)
            if lead is None:
                self.issues.append(row.issue("lead_unit", f"状态为{label(state)}的问题须填写责任单位"
                                                          f"（分办表中“{category}”没有默认单位）",
                                             f"a {label(state, 'en')} problem needs a lead unit", ))
                return
        if state is not None and state not in (State.SUBMITTED, State.ASSIGNED):
            self.issues.append(row.issue("state", f"以“已交办”导入（台账为{label(state)}）："
                                                  "签收、办理等请在 coord 中进行",
                                         f"imported as assigned (the ledger says {label(state, 'en')}): the unit "
                                         "acknowledges it in coord", warning=True))
        roster = self._roster(code)
        # A problem assigned on a day was raised by then, even when the ledger kept no 上报日期.
        raised_on = row.get("raised_on") or (row.get("assigned_on") if wants_assign else None) or self.today
        if raised_on > self.today:
            self.issues.append(row.issue("raised_on", f"上报日期 {raised_on} 晚于今天",
                                         f"raised {raised_on}: in the future"))
            return
        raised_by = raiser or self.actor.handle
        try:
            authorize(Action.RAISE, self.actor, None, roster)
            fields = new_problem(project=code, title=title, category=category, detail=row.get("detail"),
                                 raised_by=raised_by, today=raised_on)
        except NotPermitted as error:
            self.issues.append(row.issue(None, error.zh, error.en, permission=True))
            return
        except CoordError as error:
            self.issues.append(row.issue("title", error.zh, error.en))
            return
        assign = None
        if wants_assign and lead is not None:
            facts = ProblemFacts(id=f"{row.sheet}!{row.number}", state=State.SUBMITTED, raised_by=raised_by)
            assign = self._assign(row, facts, roster, lead, co_units, raised_on)
            if assign is None:
                return
        self.plan.new_problems.append(_NewProblem(row, fields, assign))

    def _existing(self, row: _Row, existing: Any, lead: str | None, co_units: list[str]) -> None:
        state = State(existing["state"])
        if lead is not None and state is State.SUBMITTED:
            problem = self.session.get(Problem, existing["id"])
            assert problem is not None
            facts = _facts(problem)
            changes = self._assign(row, facts, self._roster(problem.project), lead, co_units, problem.raised_on)
            if changes is not None:
                self.plan.assignments.append(_Assignment(row, problem, changes))
            return
        differences: list[tuple[str, str, str]] = []
        ledger_state = row.get("state")
        if ledger_state is not None and ledger_state is not state:
            differences.append(("state", label(ledger_state), label(state)))
        if lead is not None and lead != existing["lead_unit"]:
            differences.append(("lead_unit", self.dir.unit_ref(lead), self.dir.unit_ref(existing["lead_unit"] or "")))
        if row.get("co_units") is not None and co_units != sorted(json.loads(existing["co_units"])):
            differences.append(("co_units", "、".join(co_units), "、".join(json.loads(existing["co_units"]))))
        for key in ("category", "detail", "title", "due_date", "difficulty"):
            value = row.get(key)
            current = existing[key]
            if key == "difficulty" and value is not None:
                value = value.value
            if value is not None and value != current:
                differences.append((key, str(value), str(current if current is not None else "—")))
        for key, ledger_value, coord_value in differences:
            self.issues.append(row.issue(key, f"与 coord 不一致，未修改：台账为“{ledger_value}”，"
                                              f"coord 为“{coord_value}”",
                                         f"differs from coord, left unchanged: ledger '{ledger_value}', "
                                         f"coord '{coord_value}'", warning=True))
        self.plan.unchanged += 1


# ---- writing -------------------------------------------------------------------------------


def _facts(row: Problem) -> ProblemFacts:
    return ProblemFacts(
        id=row.id, state=State(row.state), level=row.level, lead_unit=row.lead_unit,
        co_units=tuple(json.loads(row.co_units)), raised_by=row.raised_by, resolved_by_unit=row.resolved_by_unit,
        assigned_on=row.assigned_on, due_date=row.due_date, due_provisional=row.due_provisional,
        difficulty=Difficulty(row.difficulty) if row.difficulty else None,
        pending_extension_days=row.pending_extension_days, extension_count=row.extension_count,
        reopen_count=row.reopen_count,
    )


def _write(
    session: Session, caller: Caller, work: _Plan, progress: Progress | None
) -> tuple[list[str], list[str], int]:
    """Write the plan through the one write path: projects, plans, progress, then problems and their events.

    Assignments tell their units exactly as `issue assign` does, one message per unit for the import.
    """
    for new in work.new_projects:
        directory.create_project(session, caller=caller, code=new.code, name=new.name, level=new.level,
                                 locality=new.locality, lead_unit=new.lead_unit, leaders=new.leaders,
                                 helpers=new.helpers, specialists=new.specialists, details=new.details)
    session.flush()
    journal = problem_changes.journal_for(session, caller)
    for code, (_row, changes) in work.project_changes.items():
        project = session.get(Project, code)
        assert project is not None
        projects.apply_changes(session, project, changes)
        journal.event(projects.PROJECT_STREAM, code, "project_update", changes)
    for code, year, planned, previous in work.plans:
        plan_row = session.get(ProjectPlan, (code, year)) or ProjectPlan(project=code, year=year, planned_yuan=planned)
        plan_row.planned_yuan = planned
        session.add(plan_row)
        journal.event(projects.PROJECT_STREAM, code, "project_plan", {"year": year, "planned_yuan": planned},
                      extra={"previous_yuan": previous})
    for code, month, amount, note, previous in work.progress:
        row = session.get(ProjectProgress, (code, str(month)))
        if row is None:
            row = ProjectProgress(project=code, month=str(month), completed_yuan=amount, note=note,
                                  recorded_by=caller.handle, recorded_at=caller.now)
        else:
            row.completed_yuan, row.recorded_by, row.recorded_at = amount, caller.handle, caller.now
            row.note = note if note is not None else row.note
        session.add(row)
        journal.event(projects.PROJECT_STREAM, code, "project_progress",
                      {"month": str(month), "completed_yuan": amount, "note": row.note},
                      extra={"previous_yuan": previous})
    session.flush()
    raised = _raise_all(session, caller, work.new_problems, journal, progress)
    assigned = [pid for pid, item in zip(raised, work.new_problems, strict=True) if item.assign is not None]
    for assignment in work.assignments:
        problem_changes.record_change(journal, assignment.problem, Action.ASSIGN, assignment.changes,
                                      reason=ASSIGN_REASON)
        assigned.append(assignment.problem.id)
    count = len(journal.events) + len(work.new_projects)
    journal.write()
    return raised, assigned, count


_SEQUENCE = ProblemSequence.__table__  # type: ignore[attr-defined]


def _raise_all(session: Session, caller: Caller, new: list[_NewProblem], journal: Journal,
               progress: Progress | None) -> list[str]:
    """Number the new problems as raise_problem would (Q-<year>-<n>) and queue them with their events."""
    if not new:
        return []
    year = caller.today.year
    bumped = session.connection().execute(
        update(_SEQUENCE).where(_SEQUENCE.c.year == year).values(last=_SEQUENCE.c.last + len(new))
        .returning(_SEQUENCE.c.last)).scalar_one_or_none()
    if bumped is None:
        session.connection().execute(insert(_SEQUENCE).values(year=year, last=len(new)))
        bumped = len(new)
    first = bumped - len(new) + 1
    ids: list[str] = []
    for offset, item in enumerate(new):
        problem_id = f"Q-{year}-{first + offset:04d}"
        ids.append(problem_id)
        fields = {"id": problem_id, **item.fields, "version": 1}
        journal.new_stream(problem_changes.PROBLEM_STREAM, problem_id)
        journal.event(problem_changes.PROBLEM_STREAM, problem_id, Action.RAISE.value, fields, seq=1,
                      to_state=State.SUBMITTED.value, facts=FactsAfter(1, None, None, None))
        values = {**_PROBLEM_DEFAULTS, **problem_changes.db_values(fields)}
        journal.insert_row(problem_changes.PROBLEM_TABLE, values)
        if item.assign is not None:  # assigned as `issue assign` would: the journal updates the new row after it
            problem_changes.record_change(journal, cast(Problem, SimpleNamespace(**values)), Action.ASSIGN, item.assign,
                                 reason=ASSIGN_REASON)
        if progress and (offset + 1) % _REPORT_EVERY == 0:
            progress("write", offset + 1, len(new))
    if progress:
        progress("write", len(new), len(new))
    return ids


# ---- use cases -----------------------------------------------------------------------------


def import_ledger(
    uow: UnitOfWork,
    *,
    caller: Caller,
    path: Path,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import projects, monthly progress and problems from a ledger workbook, all or nothing.

    Every bad row is reported (sheet, row, column, reason) in one LedgerInvalid and nothing is
    written; otherwise everything is written in one transaction, audited with `caller.origin`.
    """
    book = read_workbook(path, progress)
    with uow:
        session = uow.session
        actor = load_actor(session, caller.handle, caller)
        planner = _Planner(session, caller, actor, book, progress)
        for sheet in book.sheets:
            if sheet.spec is PROJECTS:
                planner.projects(sheet)
        for sheet in book.sheets:
            if sheet.spec is PROGRESS:
                planner.progress(sheet)
        planner.problems([s for s in book.sheets if s.spec is PROBLEMS])
        indicator_plan = plan_indicator_rows(session, caller, actor, [r for s in book.sheets if s.spec is INDICATORS
                                                                      for r in s.rows], planner.issues)
        errors = [i for i in planner.issues if not i.warning]
        if errors:
            if all(i.permission for i in errors):
                raise LedgerNotPermitted(book.file, planner.issues)
            raise LedgerInvalid(book.file, planner.issues)
        work = planner.plan
        raised: list[str] = []
        assigned: list[str] = []
        count = 0
        if not dry_run:
            raised, assigned, count = _write(session, caller, work, progress)
            count += write_indicator_rows(session, caller, actor, indicator_plan)
            try:
                uow.commit()
            except IntegrityError as exc:
                raise Conflict("导入时数据被他人同时修改，本次导入未生效，请重试",
                               "the data changed during the import; nothing was applied, try again") from exc
        else:
            count = (len(work.new_projects) + len(work.project_changes) + len(work.plans) + len(work.progress)
                     + sum(2 if n.assign else 1 for n in work.new_problems) + len(work.assignments)
                     + len(indicator_plan.values))
            raised = [f"(new:{n.row.sheet}!{n.row.number})" for n in work.new_problems]
            assigned = [a.problem.id for a in work.assignments]
        return ImportResult(
            file=book.file, origin=caller.origin, dry_run=dry_run,
            sheets={s.name: s.spec.key for s in book.sheets}, ignored_sheets=book.ignored, rows=book.row_count,
            projects_created=[n.code for n in work.new_projects], projects_updated=sorted(work.project_changes),
            plans_changed=len(work.plans), progress_changed=len(work.progress), problems_raised=raised,
            problems_assigned=assigned, unchanged_rows=work.unchanged + indicator_plan.unchanged, events=count,
            warnings=[i for i in planner.issues if i.warning], indicator_values=len(indicator_plan.values),
        )


# ---- export and template -------------------------------------------------------------------


@dataclass(frozen=True)
class WrittenLedger:
    file: str
    projects: int
    progress: int
    problems: int
    year: int | None
    indicators: int = 0  # months of indicators (the 指标 sheet)

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "projects": self.projects, "progress": self.progress, "problems": self.problems,
                "year": self.year, "indicators": self.indicators}


def _target(path: Path, overwrite: bool) -> None:
    if path.suffix.lower() != ".xlsx":
        raise InvalidInput(f"台账文件须以 .xlsx 结尾：{path.name}", f"the ledger file must end in .xlsx: {path.name}")
    if path.exists() and not overwrite:
        raise InvalidInput(f"文件 {path} 已存在：加 --force 覆盖", f"{path} exists: add --force to overwrite it")


def _reference_lists(session: Session) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str, str]]]:
    units = [(u.code, u.name, label(UnitKind(u.kind)))
             for u in session.exec(select(Unit).where(col(Unit.active).is_(True)).order_by(col(Unit.code))).all()]
    roles: dict[str, list[str]] = {}
    for handle, role in session.exec(select(PersonRole.handle, PersonRole.role)).all():
        roles.setdefault(handle, []).append(label(Role(role)))
    people = [(p.handle, p.name, p.unit or "", "、".join(sorted(roles.get(p.handle, []))))
              for p in session.exec(select(Person).where(col(Person.active).is_(True), Person.handle != "system")
                                    .order_by(col(Person.handle))).all()]
    return units, people


def write_template(uow: UnitOfWork | None, *, path: Path, overwrite: bool = False) -> WrittenLedger:
    """An empty ledger: header notes, drop-down lists, and the registered units and people when a
    database is at hand (`uow`)."""
    from coordination.render.xlsx import LedgerBook, ledger_workbook, save_workbook

    _target(path, overwrite)
    units: list[tuple[str, str, str]] = []
    people: list[tuple[str, str, str, str]] = []
    if uow is not None:
        with uow:
            units, people = _reference_lists(uow.session)
    save_workbook(ledger_workbook(LedgerBook(units=units, people=people)), path)
    return WrittenLedger(path.name, 0, 0, 0, None)


def export_ledger(
    uow: UnitOfWork, *, path: Path, today: date, year: int | None = None, overwrite: bool = False
) -> WrittenLedger:
    """Every project (with the annual plan of `year`), every month of progress and every problem,
    in the template's form: importing the file again changes nothing."""
    from coordination.render.xlsx import LedgerBook, ledger_workbook, save_workbook

    _target(path, overwrite)
    year = year or today.year
    with uow:
        session = uow.session
        names = _Directory(session)
        plans = {(p.project, p.year): p.planned_yuan for p in session.exec(select(ProjectPlan)).all()}
        project_rows = []
        for project in sorted(names.projects.values(), key=lambda p: p.code):
            roster = projects.roster_of(session, project.code)
            planned = plans.get((project.code, year))
            project_rows.append({
                "code": project.code, "name": project.name, "level": label(ProjectLevel(project.level)),
                "kind": label(ProjectKind(project.kind)) if project.kind else None,
                "total_investment": _wan(project.total_investment_yuan),
                "plan_year": year if planned is not None else None, "annual_plan": _wan(planned),
                **{name: getattr(project, name) for name in (
                    "planned_start", "actual_start", "planned_completion", "actual_completion",
                    "planned_production", "actual_production")},
                "in_stats": "是" if project.in_stats else "否",
                "leaders": [names.person_ref(h) for h in roster["leaders"]],
                "locality": names.unit_ref(project.locality), "lead_unit": names.unit_ref(project.lead_unit),
                "helpers": [names.unit_ref(u) for u in roster["helpers"]],
                "specialists": [names.person_ref(h) for h in roster["specialists"]],
            })
        progress_rows = [
            {"project": p.project, "project_name": names.project_ref(p.project), "month": p.month,
             "completed": _wan(p.completed_yuan), "note": p.note}
            for p in session.exec(select(ProjectProgress).order_by(col(ProjectProgress.project),
                                                                   col(ProjectProgress.month))).all()]
        calendar = work_calendar(session)
        problem_rows = []
        for row in session.exec(select(Problem).order_by(col(Problem.id))).all():
            light = issues.view_of(row, calendar, today).light
            problem_rows.append({
                "id": row.id, "project": row.project, "project_name": names.project_ref(row.project),
                "title": row.title, "category": row.category, "detail": row.detail,
                "lead_unit": names.unit_ref(row.lead_unit) if row.lead_unit else None,
                "co_units": [names.unit_ref(u) for u in json.loads(row.co_units)], "difficulty": row.difficulty,
                "assigned_on": row.assigned_on, "due_date": row.due_date, "state": label(State(row.state)),
                "raised_by": names.person_ref(row.raised_by), "raised_on": row.raised_on,
                "level": label(Level(row.level)).split(" ")[0], "light": label(light) if light else None,
            })
        units, people = _reference_lists(session)
        indicator_rows = export_indicator_rows(session)
    book = LedgerBook(projects=project_rows, progress=progress_rows, problems=problem_rows, units=units, people=people,
                      indicators=indicator_rows,
                      extra_guide=("", f"导出日期 {today}；项目表的年度计划投资为 {year} 年。"))
    save_workbook(ledger_workbook(book), path)
    return WrittenLedger(path.name, len(project_rows), len(progress_rows), len(problem_rows), year, len(indicator_rows))


def _wan(yuan: int | None) -> Any:
    return None if yuan is None else amount_decimal(yuan)
