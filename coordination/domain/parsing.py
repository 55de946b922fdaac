"""One parser per kind of input: Chinese first, English keys too, and a Chinese error listing what is accepted.

Pure: no database. Enum values are read from their English key or their Chinese label (labels.py),
case-insensitively and whatever the width of the characters (全角 Ｌ２ reads as L2), with the short
Chinese forms people type (红 for 红灯, C类 for C, 二级 for L2). Dates are read in the forms the
district writes them (2024-10-08, 2024/10/8, 2024.10.8, 2024年10月8日, 10月8日), and report periods
as weeks, months, quarters and years, in Chinese or in the ISO forms.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from enum import Enum
from typing import TypeVar

from coordination.domain.enums import Difficulty, Level, Light, ProjectKind, ProjectLevel, Role, State, UnitKind
from coordination.domain.errors import InvalidInput
from coordination.domain.filing_workflow import FilingState
from coordination.domain.hygiene import check_day
from coordination.domain.indicator_workflow import IndicatorState
from coordination.domain.investment import Grouping
from coordination.domain.labels import bilingual
from coordination.domain.meetings import MeetingKind, MeetingState, kind_label, meeting_state_label
from coordination.domain.periods import Cadence, Period, parse_period, period_containing
from coordination.domain.special_plan_workflow import SpecialPlanState
from coordination.domain.task_workflow import PlanKind, TaskState

E = TypeVar("E", bound=Enum)

CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def normalise(text: str) -> str:
    """Full-width to half-width, no spaces, lower case: the form every lookup compares."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


# Short forms, beyond the English key, the enum name and the two labels, that each value accepts.
_ALIAS_LIST: tuple[tuple[Enum, tuple[str, ...]], ...] = (
    (Light.RED, ("红", "红灯", "r")),
    (Light.YELLOW, ("黄", "黄灯", "y")),
    (Light.GREEN, ("绿", "绿灯", "g")),
    (Difficulty.A, ("A类", "A 类", "30", "30个工作日")),
    (Difficulty.B, ("B类", "B 类", "15", "15个工作日")),
    (Difficulty.C, ("C类", "C 类", "5", "5个工作日")),
    (Level.L1, ("L1", "1", "一级", "责任单位")),
    (Level.L2, ("L2", "2", "二级", "专班会商", "专班")),
    (Level.L3, ("L3", "3", "三级", "挂钩领导会办", "会办")),
    (Level.L4, ("L4", "4", "四级", "主要领导", "常务会", "主要领导/常务会")),
    (Level.L5, ("L5", "5", "五级", "报市级", "市级")),
    (State.SUBMITTED, ("上报",)),
    (State.ASSIGNED, ("交办",)),
    (State.IN_PROGRESS, ("in-progress", "办理")),
    (State.ON_AGENDA, ("on-agenda", "会办")),
    (State.RESOLUTION_SUBMITTED, ("resolution-submitted", "待销号")),
    (State.CLOSED, ("销号",)),
    (State.CLOSED_EXPLAINED, ("closed-explained", "解释")),
    (State.LONG_TERM, ("long-term", "持续")),
    (State.WITHDRAWN, ("撤销",)),
    (UnitKind.DEPARTMENT, ("部门", "dept")),
    (UnitKind.LOCALITY, ("属地", "镇", "园区", "镇/园区", "属地镇", "属地园区")),
    (UnitKind.ENTERPRISE, ("企业",)),
    (ProjectLevel.PROVINCIAL, ("省", "省级", "省重点项目")),
    (ProjectLevel.MUNICIPAL, ("市", "市级", "市重点项目")),
    (ProjectLevel.DISTRICT, ("区", "区级", "区重点项目")),
    (ProjectKind.INDUSTRY, ("产业项目", "工业")),
    (ProjectKind.LIVELIHOOD, ("民生", "社会民生项目", "社会事业")),
    (ProjectKind.INFRASTRUCTURE, ("基建", "基础设施项目")),
    (MeetingKind.TASK_FORCE, ("task_force", "taskforce", "专班会商", "会商", "专班", "L2")),
    (MeetingKind.LEADER, ("挂钩领导会办", "会办", "会办会", "L3")),
    (MeetingKind.PRINCIPAL, ("主要领导专题会", "专题会", "常务会", "L4")),
    (Grouping.ALL, ("全部", "总计", "合计")),
    (Grouping.LEVEL, ("级别", "按级别")),
    (Grouping.KIND, ("类别", "按类别")),
    (Grouping.LOCALITY, ("属地", "按属地")),
    (Grouping.LEADER, ("挂钩领导", "领导", "按挂钩领导")),
    (Role.SPECIALIST, ("专员",)),
    (Role.SECRETARIAT, ("专班办", "办公室")),
    (Role.HANDLER, ("经办人", "经办")),
    (Role.UNIT_HEAD, ("unit-head", "单位主要领导", "局长")),
    (Role.LEADER, ("区领导", "挂钩领导", "领导")),
    (Role.PRINCIPAL, ("主要区领导",)),
    (Role.ADMIN, ("管理员",)),
    (TaskState.DECOMPOSED, ("分解", "待签收")),
    (TaskState.IN_PROGRESS, ("in-progress", "推进")),
    (TaskState.COMPLETION_SUBMITTED, ("completion-submitted", "待确认")),
    (TaskState.COMPLETED, ("完成",)),
    (PlanKind.PLAN, ("规划文件", "计划")),
    (PlanKind.POLICY, ("政策", "文件", "policy-document")),
    (SpecialPlanState.DRAFTING, ("编制",)),
    (SpecialPlanState.EXPERT_REVIEWED, ("expert-reviewed", "专家评审", "评审通过")),
    (SpecialPlanState.DELIBERATED, ("常务会", "审议通过")),
    (SpecialPlanState.ISSUED, ("印发",)),
    (FilingState.RECEIVED, ("受理", "办理中")),
    (FilingState.COMPLETED, ("办结",)),
    (FilingState.RETURNED, ("退回",)),
)
# StrEnum members equal their strings (UnitKind.LOCALITY == Grouping.LOCALITY): key by the enum too.
_ALIASES: dict[tuple[type[Enum], Enum], tuple[str, ...]] = {(type(v), v): names for v, names in _ALIAS_LIST}

# What each enum is called in messages.
_WHAT: dict[type[Enum], tuple[str, str]] = {
    State: ("状态", "state"),
    Light: ("亮灯", "light"),
    Level: ("层级", "level"),
    Difficulty: ("难度", "difficulty"),
    UnitKind: ("单位类型", "unit kind"),
    ProjectLevel: ("项目级别", "project level"),
    ProjectKind: ("项目类别", "project kind"),
    MeetingKind: ("会议类型", "meeting kind"),
    MeetingState: ("会议状态", "meeting state"),
    Grouping: ("汇总方式", "grouping"),
    Role: ("角色", "role"),
    TaskState: ("任务状态", "task state"),
    PlanKind: ("规划类型", "plan kind"),
    SpecialPlanState: ("专项规划环节", "special plan stage"),
    FilingState: ("备案状态", "filing state"),
}

_GROUPING_ZH = {Grouping.ALL: "全部", Grouping.LEVEL: "按级别", Grouping.KIND: "按类别",
                Grouping.LOCALITY: "按属地", Grouping.LEADER: "按挂钩领导"}


def zh_label(value: Enum) -> str:
    """The Chinese label of any enum the parsers know (meeting kinds and states keep theirs in meetings.py)."""
    if isinstance(value, MeetingKind):
        return kind_label(value, "zh")
    if isinstance(value, MeetingState):
        return meeting_state_label(value, "zh")
    if isinstance(value, Grouping):
        return _GROUPING_ZH[value]
    return bilingual(value)[0]


def _names(value: Enum) -> Iterable[str]:
    yield str(value.value)
    yield value.name
    yield zh_label(value)
    if isinstance(value, MeetingKind):
        yield kind_label(value, "en")
    elif not isinstance(value, MeetingState | Grouping):
        yield bilingual(value)[1]
    yield from _ALIASES.get((type(value), value), ())


def _table(enum_type: type[E]) -> dict[str, E]:
    table: dict[str, E] = {}
    for value in enum_type:
        for name in _names(value):
            table.setdefault(normalise(name), value)  # the first value to claim an alias keeps it
    # The English keys and the labels win over any short form another value claimed first.
    for value in enum_type:
        table[normalise(str(value.value))] = value
        table[normalise(zh_label(value))] = value
    return table


def accepted(enum_type: type[Enum]) -> str:
    """What --help and the error messages show: 中文（english）, for every value."""
    return " | ".join(f"{zh_label(v)}（{v.value}）" for v in enum_type)


def parse_choice(enum_type: type[E], text: str, *, option: str | None = None) -> E:
    """The value of `enum_type` named by `text`: its English key, its Chinese label or a short form."""
    found = _table(enum_type).get(normalise(text))
    if found is not None:
        return found
    zh_what, en_what = _WHAT.get(enum_type, ("取值", "value"))
    prefix = f"{option}：" if option else ""
    en_prefix = f"{option}: " if option else ""
    choices_zh = "、".join(f"{zh_label(v)}（{v.value}）" for v in enum_type)
    choices_en = ", ".join(str(v.value) for v in enum_type)
    raise InvalidInput(f"{prefix}无法识别的{zh_what}“{text}”；可用：{choices_zh}",
                       f"{en_prefix}unknown {en_what} '{text}'; use one of: {choices_en}")


def parse_state(text: str, *, option: str | None = "--state") -> State:
    return parse_choice(State, text, option=option)


def parse_light(text: str, *, option: str | None = "--light") -> Light:
    return parse_choice(Light, text, option=option)


def parse_level(text: str, *, option: str | None = "--level") -> Level:
    return parse_choice(Level, text, option=option)


def parse_difficulty(text: str, *, option: str | None = "--difficulty") -> Difficulty:
    return parse_choice(Difficulty, text, option=option)


def parse_unit_kind(text: str, *, option: str | None = "--kind") -> UnitKind:
    return parse_choice(UnitKind, text, option=option)


def parse_project_level(text: str, *, option: str | None = "--level") -> ProjectLevel:
    return parse_choice(ProjectLevel, text, option=option)


def parse_project_kind(text: str, *, option: str | None = "--kind") -> ProjectKind:
    return parse_choice(ProjectKind, text, option=option)


def parse_meeting_kind(text: str, *, option: str | None = "--kind") -> MeetingKind:
    return parse_choice(MeetingKind, text, option=option)


def parse_meeting_state(text: str, *, option: str | None = "--state") -> MeetingState:
    return parse_choice(MeetingState, text, option=option)


def parse_grouping(text: str, *, option: str | None = "--by") -> Grouping:
    return parse_choice(Grouping, text, option=option)


def parse_role(text: str, *, option: str | None = "--role") -> Role:
    return parse_choice(Role, text, option=option)


def parse_task_state(text: str, *, option: str | None = "--state") -> TaskState:
    return parse_choice(TaskState, text, option=option)


def parse_special_plan_state(text: str, *, option: str | None = "--state") -> SpecialPlanState:
    return parse_choice(SpecialPlanState, text, option=option)


def parse_filing_state(text: str, *, option: str | None = "--state") -> FilingState:
    return parse_choice(FilingState, text, option=option)


def parse_plan_kind(text: str, *, option: str | None = "--kind") -> PlanKind:
    return parse_choice(PlanKind, text, option=option)


# ---- dates ---------------------------------------------------------------------------------------

DATE_FORMS = "2024-10-08、2024/10/8、2024.10.8、2024年10月8日、10月8日"
_FULL_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_CHINESE_DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号]?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")


def _date_or_none(text: str, today: date | None) -> date | None:
    cleaned = normalise(text)
    try:
        found = _FULL_DATE.fullmatch(cleaned) or _COMPACT_DATE.fullmatch(cleaned)
        if found:
            return date(int(found[1]), int(found[2]), int(found[3]))
        found = _CHINESE_DATE.fullmatch(cleaned)
        if found:
            if found[1]:
                return date(int(found[1]), int(found[2]), int(found[3]))
            if today is not None:
                return date(today.year, int(found[2]), int(found[3]))
    except ValueError:
        return None
    return None


def parse_day(text: str, *, today: date | None = None, option: str | None = None) -> date:
    """A calendar day: 2024-10-08, 2024/10/8, 2024.10.8, 20241008, 2024年10月8日, or 10月8日 (in `today`'s year),
    within 1950–2100."""
    found = _date_or_none(text, today)
    if found is not None:
        return check_day(found, option=option)
    prefix = f"{option}：" if option else ""
    en_prefix = f"{option}: " if option else ""
    forms = DATE_FORMS if today is not None else DATE_FORMS.replace("、10月8日", "")
    raise InvalidInput(f"{prefix}日期格式无效：“{text}”；可写作 {forms}",
                       f"{en_prefix}not a date: '{text}' (use 2024-10-08, 2024/10/8 or 2024年10月8日)")


# ---- report periods -----------------------------------------------------------------------------

PERIOD_FORMS: dict[Cadence, str] = {
    Cadence.WEEKLY: f"2026-W48、2026年第48周，或该周任一天（{DATE_FORMS}）",
    Cadence.MONTHLY: "2026-10、2026/10、2026.10、2026年10月、10月（今年）",
    Cadence.QUARTERLY: "2026Q3、2026-Q3、2026年第三季度、2026年三季度",
    Cadence.ANNUAL: "2026、2026年",
}
_EN_FORMS: dict[Cadence, str] = {
    Cadence.WEEKLY: "2026-W48 or any date in the week",
    Cadence.MONTHLY: "2026-10, 2026/10 or 2026年10月",
    Cadence.QUARTERLY: "2026Q3 or 2026年第三季度",
    Cadence.ANNUAL: "2026",
}
_WEEK = re.compile(r"(\d{4})-?w(\d{1,2})|(\d{4})年第(\d{1,2})周")
_MONTH = re.compile(r"(?:(\d{4})[-/.年])?(\d{1,2})月?")
_QUARTER = re.compile(r"(\d{4})[-年]?(?:q([1-4])|第?([1-4一二三四])季度?)")
_YEAR = re.compile(r"(\d{4})年?")


def _number(text: str) -> int:
    return CHINESE_DIGITS[text] if text in CHINESE_DIGITS else int(text)


def _iso_period_text(cadence: Cadence, cleaned: str, today: date | None) -> str | None:
    """The text rewritten in the form periods.parse_period reads, or None."""
    match cadence:
        case Cadence.WEEKLY:
            found = _WEEK.fullmatch(cleaned)
            if found:
                year, week = (found[1], found[2]) if found[1] else (found[3], found[4])
                return f"{year}-W{int(week):02d}"
        case Cadence.MONTHLY:
            found = _MONTH.fullmatch(cleaned)
            if found and (found[1] or (today is not None and cleaned.endswith("月"))):
                year = int(found[1]) if found[1] else today.year if today else 0
                return f"{year:04d}-{int(found[2]):02d}"
        case Cadence.QUARTERLY:
            found = _QUARTER.fullmatch(cleaned)
            if found:
                return f"{found[1]}Q{_number(found[2] or found[3])}"
        case Cadence.ANNUAL:
            found = _YEAR.fullmatch(cleaned)
            if found:
                return found[1]
    return None


def parse_report_period(cadence: Cadence, text: str, *, today: date | None = None,
                        option: str | None = None) -> Period:
    """A report period: the ISO forms (2026-W48, 2026-10, 2026Q3, 2026), their Chinese forms, or a date in it."""
    cleaned = normalise(text)
    iso = _iso_period_text(cadence, cleaned, today)
    if iso is not None:
        try:
            return parse_period(cadence, iso)
        except InvalidInput:
            pass
    else:
        day = _date_or_none(cleaned, today)
        if day is not None:
            return period_containing(cadence, check_day(day, option=option))
    prefix = f"{option}：" if option else ""
    en_prefix = f"{option}: " if option else ""
    raise InvalidInput(f"{prefix}无法识别的报告期“{text}”；可写作 {PERIOD_FORMS[cadence]}",
                       f"{en_prefix}unrecognised period '{text}' (use {_EN_FORMS[cadence]})")


def parse_week(text: str, *, today: date | None = None, option: str | None = "--week") -> Period:
    return parse_report_period(Cadence.WEEKLY, text, today=today, option=option)


def parse_month(text: str, *, today: date | None = None, option: str | None = "--month") -> Period:
    return parse_report_period(Cadence.MONTHLY, text, today=today, option=option)


def parse_quarter(text: str, *, today: date | None = None, option: str | None = "--quarter") -> Period:
    return parse_report_period(Cadence.QUARTERLY, text, today=today, option=option)


def parse_year(text: str, *, today: date | None = None, option: str | None = "--year") -> Period:
    return parse_report_period(Cadence.ANNUAL, text, today=today, option=option)


# ---- fund applications (资金争取) ------------------------------------------------------------------
# Kept in one section of their own at the end (the import too), so kinds added side by side don't collide.
from coordination.domain.fund_workflow import FundSource, FundState, FundType  # noqa: E402

_WHAT.update({FundState: ("资金争取状态", "fund application state"), FundSource: ("资金来源", "fund source"),
              FundType: ("资金类型", "fund type")})
_ALIASES.update({(type(v), v): names for v, names in (
    (FundState.RESERVE, ("储备", "谋划", "入库")),
    (FundState.PREPARING, ("前期",)),
    (FundState.APPLYING, ("申报", "已申报")),
    (FundState.GRANTED, ("下达", "已下达")),
    (FundState.EVALUATED, ("评估", "已评估")),
    (FundState.REFUSED, ("未批准", "不予批准")),
    (FundState.WITHDRAWN, ("撤回",)),
    (FundSource.CENTRAL, ("中央资金", "国家")),
    (FundSource.PROVINCIAL, ("省", "省级资金")),
    (FundSource.MUNICIPAL, ("市", "市级资金")),
    (FundType.BUDGET, ("预算内", "中央预算内", "中央预算内投资")),
    (FundType.SPECIAL, ("专项",)),
    (FundType.BOND, ("专项债", "债券")),
)})


def parse_fund_state(text: str, *, option: str | None = "--state") -> FundState:
    return parse_choice(FundState, text, option=option)


def parse_fund_source(text: str, *, option: str | None = "--source") -> FundSource:
    return parse_choice(FundSource, text, option=option)


def parse_fund_type(text: str, *, option: str | None = "--type") -> FundType:
    return parse_choice(FundType, text, option=option)


# ---- indicators (指标监测) ---------------------------------------------------------------------------

_WHAT[IndicatorState] = ("指标状态", "indicator state")


def parse_indicator_state(text: str, *, option: str | None = "--state") -> IndicatorState:
    return parse_choice(IndicatorState, text, option=option)
