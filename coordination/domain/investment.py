"""Investment figures: money without float error, months, 开工率, 完成率, 序时进度 and the project light.

Money is held as whole 元 (int): exact, summable in SQL, and fine enough for any ledger, which states
amounts in 万元 or 亿元 with a few decimals. Rates and gaps are Decimal percentages.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from coordination.domain.enums import Light, ProjectKind, ProjectLevel
from coordination.domain.errors import InvalidInput
from coordination.domain.hygiene import AMOUNT_CEILING, FIRST_DAY, LAST_DAY

YUAN_PER_WAN = 10_000
YUAN_PER_YI = 100_000_000
_HUNDRED = Decimal(100)
_BLANKS = frozenset({"", "-", "—", "--", "——", "/", "无", "n/a", "na", "none"})


class MoneyUnit(StrEnum):
    YUAN = "元"
    WAN = "万元"
    YI = "亿元"

    @property
    def yuan(self) -> int:
        return {MoneyUnit.YUAN: 1, MoneyUnit.WAN: YUAN_PER_WAN, MoneyUnit.YI: YUAN_PER_YI}[self]


_SUFFIXES: tuple[tuple[str, MoneyUnit], ...] = (
    ("亿元", MoneyUnit.YI), ("亿", MoneyUnit.YI), ("万元", MoneyUnit.WAN), ("万", MoneyUnit.WAN),
    ("元", MoneyUnit.YUAN),
)


def clean_text(value: object) -> str:
    """Text as a person meant it: full-width forms folded (NFKC), surrounding blanks dropped."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and clean_text(value).lower() in _BLANKS)


def _decimal(value: object) -> Decimal:
    if isinstance(value, bool):
        raise InvalidOperation
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))  # the shortest text that round-trips: 1200.1, not 1200.0999…
    if isinstance(value, Decimal):
        return value
    raise InvalidOperation


def parse_money(value: object, unit: MoneyUnit = MoneyUnit.WAN) -> int | None:
    """Whole 元 from 1200.5, "1,200.5", "3.2亿", "3200万元"; `unit` applies when the text names none.

    Blank cells give None. Amounts finer than 1 元 are rounded half up.
    """
    if is_blank(value):
        return None
    if isinstance(value, str):
        text = clean_text(value).replace(",", "").replace(" ", "").replace("'", "")
        for suffix, named in _SUFFIXES:
            if text.endswith(suffix):
                text, unit = text[: -len(suffix)], named
                break
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise InvalidInput(f"无法识别的金额“{clean_text(value)}”（应如 1200.5、1,200.5、3.2亿、3200万）",
                               f"not an amount: '{clean_text(value)}' (e.g. 1200.5, 1,200.5, 3.2亿, 3200万)"
                               ) from None
    else:
        try:
            number = _decimal(value)
        except InvalidOperation:
            raise InvalidInput(f"无法识别的金额“{value}”", f"not an amount: '{value}'") from None
    if not number.is_finite():
        raise InvalidInput(f"无法识别的金额“{value}”", f"not an amount: '{value}'")
    if number < 0:
        raise InvalidInput(f"金额不能为负数：{clean_text(value)}", f"an amount cannot be negative: {value}")
    if number > Decimal(AMOUNT_CEILING) / unit.yuan:  # 1e30 is a number, not an amount: refused before it overflows
        shown = clean_text(value)
        shown = shown if len(shown) <= 30 else shown[:30] + "…"
        raise InvalidInput(f"金额“{shown}”过大（超过 {AMOUNT_CEILING} 元），请核对单位",
                           f"the amount '{shown}' is too large (above {AMOUNT_CEILING} yuan); check the unit")
    return int((number * unit.yuan).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def amount_text(yuan: int | None, unit: MoneyUnit = MoneyUnit.WAN) -> str | None:
    """1200.5 for 12,005,000 元 in 万元: exact, no trailing zeros, never an exponent."""
    if yuan is None:
        return None
    value = (Decimal(yuan) / unit.yuan).normalize()
    return format(value, "f")


def amount_decimal(yuan: int, unit: MoneyUnit = MoneyUnit.WAN) -> Decimal:
    return Decimal(yuan) / unit.yuan


# ---- dates and months ----------------------------------------------------------------------

_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 once Excel's phantom 1900-02-29 is skipped
_PLAUSIBLE = (FIRST_DAY, LAST_DAY)
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?|月)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")


def _plausible(day: date, raw: object) -> date:
    if not _PLAUSIBLE[0] <= day <= _PLAUSIBLE[1]:
        raise InvalidInput(f"日期“{raw}”不在合理范围（1950–2100）内", f"date '{raw}' is out of range (1950–2100)")
    return day


def excel_serial_date(serial: float) -> date:
    """The day an Excel (1900 system) serial number stands for; a time of day is dropped."""
    try:
        return _EXCEL_EPOCH + timedelta(days=int(serial))
    except (OverflowError, ValueError):  # 1e20, inf, nan: no day at all
        raise InvalidInput(f"无法识别的日期“{serial}”", f"not a date: '{serial}'") from None


def parse_date(value: object) -> date | None:
    """A calendar day from a date cell, an Excel serial (45383), or text such as 2024-04-01,
    2024/4/1, 2024.4.1, 2024年4月1日, 20240401. A month alone (2024年4月, 2024-04) means its first day."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return _plausible(value.date(), value)
    if isinstance(value, date):
        return _plausible(value, value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value < 1:
            raise InvalidInput(f"无法识别的日期“{value}”", f"not a date: '{value}'")
        return _plausible(excel_serial_date(value), value)
    text = clean_text(value)
    head = re.split(r"[ T]", text, maxsplit=1)[0] if re.match(r"^\d{4}-\d{2}-\d{2}[ T]", text) else text
    try:
        if re.fullmatch(r"\d{5}(\.\d+)?", head):
            return _plausible(excel_serial_date(float(head)), value)
        found = _DATE_TEXT.match(head) or _COMPACT.match(head)
        if found:
            year, month, day = int(found[1]), int(found[2]), int(found[3] or 1)
            return _plausible(date(year, month, day), value)
    except ValueError:
        pass
    raise InvalidInput(f"无法识别的日期“{text}”（应如 2024-04-01、2024/4/1、2024年4月1日）",
                       f"not a date: '{text}' (e.g. 2024-04-01, 2024/4/1, 2024年4月1日)")


@dataclass(frozen=True, order=True)
class YearMonth:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not FIRST_DAY.year <= self.year <= LAST_DAY.year:
            raise ValueError(f"{self.year}-{self.month}")

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @classmethod
    def of(cls, day: date) -> YearMonth:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, value: object) -> YearMonth:
        """2024-04, 2024/4, 2024.04, 2024年4月, 202404, or any date in the month."""
        text = clean_text(value)
        found = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?", text) or re.fullmatch(r"(\d{4})(\d{2})", text)
        try:
            if isinstance(value, date | datetime):  # (a cell's date: 1949 is out of range, said as below)
                return cls.of(value)
            if found:
                return cls(int(found[1]), int(found[2]))
            day = parse_date(value)
            if day is not None:
                return cls.of(day)
        except (ValueError, InvalidInput):
            pass
        raise InvalidInput(f"无法识别的月份“{text}”（应如 2024-04 或 2024年4月）",
                           f"not a month: '{text}' (e.g. 2024-04)")

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        following = self.next()
        return date(following.year, following.month, 1) - timedelta(days=1)

    def next(self) -> YearMonth:
        return YearMonth(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> YearMonth:
        return YearMonth(self.year - (self.month == 1), (self.month - 2) % 12 + 1)


def default_as_of(today: date) -> YearMonth:
    """The last complete month: figures are reported after a month closes (1–9月 in early October)."""
    return YearMonth.of(today).previous()


# ---- other ledger values -------------------------------------------------------------------

_YES = frozenset({"是", "已入统", "入统", "已", "y", "yes", "true", "1", "√", "✓", "✔", "有"})
_NO = frozenset({"否", "未入统", "未", "n", "no", "false", "0", "×", "✗", "无"})


def parse_yes_no(value: object) -> bool | None:
    if value is None or (isinstance(value, str) and not clean_text(value)):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = clean_text(value).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise InvalidInput(f"无法识别“{clean_text(value)}”（应为 是 或 否）", f"'{clean_text(value)}' is not yes or no")


_LEVELS: dict[str, ProjectLevel] = {
    **{k: ProjectLevel.PROVINCIAL for k in ("省重点", "省级", "省", "省重点项目", "provincial")},
    **{k: ProjectLevel.MUNICIPAL for k in ("市重点", "市级", "市", "市重点项目", "municipal")},
    **{k: ProjectLevel.DISTRICT for k in ("区重点", "区级", "区", "区重点项目", "县重点", "县级", "district")},
}
_KINDS: dict[str, ProjectKind] = {
    **{k: ProjectKind.INDUSTRY for k in ("产业", "产业类", "产业项目", "工业", "industry", "industrial")},
    **{k: ProjectKind.LIVELIHOOD for k in ("社会民生", "社会民生类", "民生", "社会事业", "livelihood", "social")},
    **{k: ProjectKind.INFRASTRUCTURE for k in ("基础设施", "基础设施类", "基建", "基础设施项目", "infrastructure")},
}


def parse_level(value: object) -> ProjectLevel:
    found = _LEVELS.get(clean_text(value).lower())
    if found is None:
        raise InvalidInput(f"无法识别的项目级别“{clean_text(value)}”（应为 省重点、市重点 或 区重点）",
                           f"unknown project level '{clean_text(value)}' (省重点, 市重点 or 区重点)")
    return found


def parse_kind(value: object) -> ProjectKind:
    found = _KINDS.get(clean_text(value).lower())
    if found is None:
        raise InvalidInput(f"无法识别的项目类别“{clean_text(value)}”（应为 产业、社会民生 或 基础设施）",
                           f"unknown project kind '{clean_text(value)}' (产业, 社会民生 or 基础设施)")
    return found


# ---- figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    """How many points behind 序时进度 a project turns yellow, and beyond how many it turns red."""

    yellow_points: Decimal = Decimal(10)
    red_points: Decimal = Decimal(30)

    def __post_init__(self) -> None:
        if not Decimal(0) <= self.yellow_points <= self.red_points:
            raise InvalidInput("亮灯阈值应满足 0 ≤ 黄灯 ≤ 红灯", "thresholds need 0 ≤ yellow ≤ red")


def time_target(as_of: YearMonth) -> Decimal:
    """序时进度: the share of the year gone by at the end of `as_of`, in percent (April: 33.3)."""
    return Decimal(as_of.month) * _HUNDRED / 12


def rate(part: int, whole: int) -> Decimal | None:
    return None if whole <= 0 else Decimal(part) * _HUNDRED / Decimal(whole)


def light_for_gap(gap: Decimal | None, thresholds: Thresholds) -> Light | None:
    """Yellow from `yellow_points` to `red_points` behind the target; red beyond; green otherwise."""
    if gap is None:
        return None
    if gap > thresholds.red_points:
        return Light.RED
    if gap >= thresholds.yellow_points:
        return Light.YELLOW
    return Light.GREEN


def percent_text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), "f")


class StartStatus(StrEnum):
    STARTED = "started"  # 已开工
    LATE = "late"  # 计划已到、尚未开工
    PENDING = "pending"  # 未到计划开工时间


@dataclass(frozen=True)
class ProjectFacts:
    """What the figures of one project are computed from."""

    code: str
    level: ProjectLevel
    kind: ProjectKind | None = None
    locality: str = ""
    leaders: tuple[str, ...] = ()
    total_investment: int | None = None  # 元
    annual_plans: Mapping[int, int] = field(default_factory=dict)  # year → 元
    monthly: Mapping[YearMonth, int] = field(default_factory=dict)  # month → 元 completed in it
    planned_start: date | None = None
    actual_start: date | None = None
    actual_completion: date | None = None
    actual_production: date | None = None


@dataclass(frozen=True)
class ProjectFigures:
    code: str
    as_of: YearMonth
    annual_plan: int | None  # 元
    done_month: int  # 元 completed in the as-of month
    done_ytd: int  # 元 completed from January to the as-of month
    done_total: int  # 元 completed in every recorded month up to the as-of month
    completion_rate: Decimal | None  # 完成率, percent
    target: Decimal  # 序时进度, percent
    gap: Decimal | None  # points behind the target (negative: ahead)
    light: Light | None
    start: StartStatus


def start_status(facts: ProjectFacts, as_of: YearMonth) -> StartStatus:
    end = as_of.last_day
    if facts.actual_start is not None and facts.actual_start <= end:
        return StartStatus.STARTED
    if facts.planned_start is not None and facts.planned_start <= end:
        return StartStatus.LATE
    return StartStatus.PENDING


def project_figures(facts: ProjectFacts, as_of: YearMonth, thresholds: Thresholds | None = None) -> ProjectFigures:
    """完成率 = completed January..as_of ÷ the year's plan; the gap is 序时进度 minus 完成率."""
    thresholds = thresholds or Thresholds()
    plan = facts.annual_plans.get(as_of.year)
    done_ytd = sum(v for m, v in facts.monthly.items() if m.year == as_of.year and m <= as_of)
    done_total = sum(v for m, v in facts.monthly.items() if m <= as_of)
    completion = rate(done_ytd, plan) if plan is not None else None
    target = time_target(as_of)
    gap = None if completion is None else target - completion
    return ProjectFigures(
        code=facts.code, as_of=as_of, annual_plan=plan, done_month=facts.monthly.get(as_of, 0),
        done_ytd=done_ytd, done_total=done_total, completion_rate=completion, target=target, gap=gap,
        light=light_for_gap(gap, thresholds), start=start_status(facts, as_of),
    )


class Grouping(StrEnum):
    ALL = "all"
    LEVEL = "level"
    KIND = "kind"
    LOCALITY = "locality"
    LEADER = "leader"


@dataclass(frozen=True)
class GroupFigures:
    """The figures of a set of projects (a level, a kind, a locality, a leader's, or all)."""

    grouping: Grouping
    key: str | None  # the level/kind value, unit code or leader handle; None: all, or kind unknown
    projects: int
    total_investment: int  # 元
    planned_to_start: int  # planned to start in the year, by the end of the as-of month
    started: int  # of those, started by then
    start_rate: Decimal | None  # 开工率
    annual_plan: int  # 元, over projects with a plan for the year
    done_ytd: int  # 元, over the same projects
    completion_rate: Decimal | None  # 完成率
    target: Decimal
    gap: Decimal | None
    light: Light | None
    completed_in_year: int  # 竣工 in the year, by the end of the as-of month
    produced_in_year: int  # 投产 likewise
    lights: Mapping[Light, int]  # how many projects show each light


def _group_keys(facts: ProjectFacts, grouping: Grouping) -> Sequence[str | None]:
    match grouping:
        case Grouping.ALL:
            return [None]
        case Grouping.LEVEL:
            return [facts.level.value]
        case Grouping.KIND:
            return [facts.kind.value if facts.kind else None]
        case Grouping.LOCALITY:
            return [facts.locality]
        case Grouping.LEADER:
            return list(facts.leaders) or [None]


def _in_year_by(day: date | None, as_of: YearMonth) -> bool:
    return day is not None and as_of.year == day.year and day <= as_of.last_day


def group_figures(
    grouping: Grouping, key: str | None, projects: Iterable[ProjectFacts], as_of: YearMonth,
    thresholds: Thresholds | None = None,
) -> GroupFigures:
    """开工率 = started ÷ planned to start in the year up to the as-of month's end;
    完成率 = Σ completed this year ÷ Σ annual plans (projects with a plan); light from the gap."""
    thresholds = thresholds or Thresholds()
    members = list(projects)
    figures = [project_figures(p, as_of, thresholds) for p in members]
    planned = [p for p in members if _in_year_by(p.planned_start, as_of)]
    started = [p for p in planned if start_status(p, as_of) is StartStatus.STARTED]
    with_plan = [f for f in figures if f.annual_plan is not None]
    plan_total = sum(f.annual_plan or 0 for f in with_plan)
    done = sum(f.done_ytd for f in with_plan)
    completion = rate(done, plan_total) if with_plan else None
    target = time_target(as_of)
    gap = None if completion is None else target - completion
    lights: dict[Light, int] = {light: 0 for light in Light}
    for figure in figures:
        if figure.light is not None:
            lights[figure.light] += 1
    return GroupFigures(
        grouping=grouping, key=key, projects=len(members),
        total_investment=sum(p.total_investment or 0 for p in members),
        planned_to_start=len(planned), started=len(started), start_rate=rate(len(started), len(planned)),
        annual_plan=plan_total, done_ytd=done, completion_rate=completion, target=target, gap=gap,
        light=light_for_gap(gap, thresholds),
        completed_in_year=sum(1 for p in members if _in_year_by(p.actual_completion, as_of)),
        produced_in_year=sum(1 for p in members if _in_year_by(p.actual_production, as_of)),
        lights=lights,
    )


def portfolio(
    projects: Sequence[ProjectFacts], as_of: YearMonth, grouping: Grouping = Grouping.ALL,
    thresholds: Thresholds | None = None,
) -> list[GroupFigures]:
    """The figures per group, groups in a stable order (a project with two leaders counts for both)."""
    groups: dict[str | None, list[ProjectFacts]] = {}
    for project in projects:
        for key in _group_keys(project, grouping):
            groups.setdefault(key, []).append(project)
    order = {level.value: n for n, level in enumerate(ProjectLevel)} | {k.value: n for n, k in enumerate(ProjectKind)}
    keys = sorted(groups, key=lambda k: (k is None, order.get(k or "", 99), k or ""))
    if grouping is Grouping.ALL and not keys:
        keys = [None]
    return [group_figures(grouping, key, groups.get(key, []), as_of, thresholds) for key in keys]
