"""The figure blanks of the district's annual summary, and how each is filled from a year's records.

The document coord grew from — a district 发改局's 全年工作总结 — hides its figures behind runs of "×".
Fifty of those runs are figures: a month range "×－×月" is two blanks, a percentage is one, and runs
that hide a name (a project, a town, a province: "×××改扩建工程", "×省", "×××区") are not figures.
Each blank keeps the document's own phrase, the unit it is counted in, the kind of record it counts
and a rule from that kind's counts for the year to the figure and a sentence saying how.

A kind with no records for the year gives 0 for each of its blanks, and is named in the list of kinds
with no records: a figure is never guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum

from coordination.domain.investment import YUAN_PER_WAN, YUAN_PER_YI, rate

Number = int | Decimal
Counts = Mapping[str, Number]


class RecordKind(StrEnum):
    """The kinds of record the blanks count, in the order the report names them."""

    PROBLEMS = "problems"
    MONITORING = "monitoring"
    MEETINGS = "meetings"
    PROJECTS = "projects"
    TASKS = "tasks"
    SPECIAL_PLANS = "special_plans"
    FUNDS = "funds"
    DISBURSEMENTS = "disbursements"
    FILINGS = "filings"
    INDICATORS = "indicators"
    UPWARD_REPORTS = "upward_reports"


KIND_LABELS: Mapping[RecordKind, tuple[str, str]] = {
    RecordKind.PROBLEMS: ("问题", "problems"),
    RecordKind.MONITORING: ("监测调度", "monitoring (sweeps and progress records)"),
    RecordKind.MEETINGS: ("协调会议", "coordination meetings"),
    RecordKind.PROJECTS: ("重点项目", "major projects"),
    RecordKind.TASKS: ("重点任务", "plan tasks"),
    RecordKind.SPECIAL_PLANS: ("专项规划", "special plans"),
    RecordKind.FUNDS: ("资金争取", "fund applications"),
    RecordKind.DISBURSEMENTS: ("引导资金发放", "guidance-fund disbursements"),
    RecordKind.FILINGS: ("项目备案", "project filings"),
    RecordKind.INDICATORS: ("指标监测", "monthly indicators"),
    RecordKind.UPWARD_REPORTS: ("对上汇报", "reports to the upper level"),
}

_LEVELS = ("provincial", "municipal")
_KINDS = ("industry", "livelihood", "infrastructure")

# What the counts of each kind hold: the query that reads a kind for a year returns exactly these keys
# (money in whole 元, percentages as Decimal percent), or None when the kind has no records that year.
INPUTS: Mapping[RecordKind, frozenset[str]] = {
    RecordKind.PROBLEMS: frozenset({"raised", "closed"}),
    RecordKind.MONITORING: frozenset({"sweeps", "progress_records"}),
    RecordKind.MEETINGS: frozenset({"leader_meetings", "principal_meetings", "task_force_meetings", "decisions"}),
    RecordKind.PROJECTS: frozenset(
        {"projects", "investment", "completed_industry"}
        | {f"{k}_{part}" for k in _KINDS for part in ("projects", "investment")}
        | {f"{level}_{part}" for level in _LEVELS
           for part in ("projects", "investment", "plan", "planned_to_start", "started", "done")}),
    # measures of the policies the bureau drew up; tasks of the plan's decomposition and the towns or
    # development zones and the district departments they fall to
    RecordKind.TASKS: frozenset({"policy_measures", "plan_tasks", "towns", "departments"}),
    # plans by the stage reached at the year's end; those the bureau leads, and of them those past 常务会
    RecordKind.SPECIAL_PLANS: frozenset({"plans", "issued", "council_approved", "expert_reviewed", "led_by_bureau",
                                         "led_council_approved"}),
    # funds granted (计划下达) from central, provincial and municipal budgets; special-bond quota won
    RecordKind.FUNDS: frozenset({"granted_funds", "special_bonds"}),
    # consecutive years of guidance-fund payments up to this one, and what they paid in all
    RecordKind.DISBURSEMENTS: frozenset({"consecutive_years", "disbursed_total"}),
    RecordKind.FILINGS: frozenset({"accepted", "closed"}),
    # the months the year's cumulative figures span, and the latest cumulative growth of each indicator
    # (an indicator with no figure this year is left out of the counts)
    RecordKind.INDICATORS: frozenset({"first_month", "last_month", "fixed_asset_investment_growth",
                                      "services_revenue_growth"}),
    # reports made to the municipal 发改委 in the year, and the fewest made in any week of it
    RecordKind.UPWARD_REPORTS: frozenset({"reports", "fewest_per_week"}),
}

MONEY_UNITS = frozenset({"亿元"})
PERCENT_UNIT = "％"
_CENT = Decimal("0.01")
_TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Computed:
    """A blank's figure, and how it was computed (one Chinese sentence with the numbers in it)."""

    value: Decimal
    method: str


Rule = Callable[[Counts], Computed]


@dataclass(frozen=True)
class Blank:
    """One figure blank: `phrase` is the document's words around it, each blank in them written as
    `{its id}`; `mark` is the run of "×" the document writes for it."""

    id: str
    phrase: str
    mark: str
    unit: str
    kind: RecordKind
    rule: Rule


@dataclass(frozen=True)
class YearRecords:
    """What the blanks are filled from: each kind's counts for the year (None: no records of that kind)."""

    year: int
    through: date  # the last day counted: 31 December, or today in a year still running
    counts: Mapping[RecordKind, Counts | None]
    completed_industry_names: Sequence[str] = field(default_factory=tuple)  # named in the sentence


# ---- how figures are written -------------------------------------------------------------------


def yi(yuan: Number, rounding: str = ROUND_HALF_UP) -> Decimal:
    """元 → 亿元 with two decimals."""
    return (Decimal(yuan) / YUAN_PER_YI).quantize(_CENT, rounding=rounding)


def wan_text(yuan: Number) -> str:
    """元 → 万元, exact, without trailing zeros."""
    return format((Decimal(yuan) / YUAN_PER_WAN).normalize(), "f")


def percent(value: Decimal | None) -> Decimal:
    """A percentage to one decimal (as `investment.percent_text` rounds it); none is 0."""
    return Decimal(0).quantize(_TENTH) if value is None else value.quantize(_TENTH, rounding=ROUND_HALF_UP)


def figure_text(value: Decimal, unit: str) -> str:
    if unit in MONEY_UNITS:
        return format(value.quantize(_CENT), "f")
    if unit == PERCENT_UNIT:
        return format(value.quantize(_TENTH), "f")
    return str(int(value))


def json_value(value: Decimal, unit: str) -> int | float:
    """The figure as a JSON number: whole for counts, as written for amounts and percentages."""
    return float(figure_text(value, unit)) if unit in MONEY_UNITS or unit == PERCENT_UNIT else int(value)


# ---- rules -----------------------------------------------------------------------------------


def _count(key: str, what: str, unit: str) -> Rule:
    def rule(counts: Counts) -> Computed:
        number = int(counts[key])
        return Computed(Decimal(number), f"{what}，计{number}{unit}")
    return rule


def _sum(keys: Sequence[str], what: str, unit: str) -> Rule:
    def rule(counts: Counts) -> Computed:
        parts = [int(counts[k]) for k in keys]
        total = sum(parts)
        return Computed(Decimal(total), f"{what}：{'＋'.join(map(str, parts))}＝{total}{unit}")
    return rule


def _money(keys: Sequence[str], what: str) -> Rule:
    def rule(counts: Counts) -> Computed:
        total = sum(int(counts[k]) for k in keys)
        value = yi(total)
        return Computed(value, f"{what}合计{wan_text(total)}万元，折合{figure_text(value, '亿元')}亿元")
    return rule


def _rate(part_key: str, whole_key: str, part: str, whole: str, *, money: bool = False) -> Rule:
    """part ÷ whole × 100, rounded to one decimal as the project tables round it."""
    def rule(counts: Counts) -> Computed:
        numerator, denominator = int(counts[part_key]), int(counts[whole_key])
        value = percent(rate(numerator, denominator))

        def shown(amount: int) -> str:
            return f"{wan_text(amount)}万元" if money else f"{amount}个"
        if denominator <= 0:
            return Computed(value, f"{whole}为0，无从计算，按0计")
        return Computed(value, f"{part}{shown(numerator)}÷{whole}{shown(denominator)}×100％＝{value}％")
    return rule


def _policy_measures(counts: Counts) -> Computed:
    number = int(counts["policy_measures"])
    return Computed(Decimal(number), f"本年度牵头制定的政策文件分解出的政策举措，计{number}条")


def _plan_tasks(counts: Counts) -> Computed:
    number = int(counts["plan_tasks"])
    # "×××余项" reads "more than": from ten on, the count is written down to its ten.
    written = number // 10 * 10 if number >= 10 else number
    note = f"，按“余项”写作{written}" if written != number else ""
    return Computed(Decimal(written), f"规划目标和重点任务分解出的具体工作共{number}项{note}")


def _guidance_total(counts: Counts) -> Computed:
    total = int(counts["disbursed_total"])
    value = yi(total, ROUND_DOWN)  # "超…亿元": never written above what was paid
    return Computed(value, f"连续各年累计发放引导资金{wan_text(total)}万元，向下取至{figure_text(value, '亿元')}亿元")


def _growth(key: str, what: str) -> Rule:
    def rule(counts: Counts) -> Computed:
        if key not in counts:  # the other summary indicator has figures this year, this one none
            return Computed(Decimal(0), f"{what}本年度尚未填报，按0计")
        value = percent(Decimal(counts[key]))
        return Computed(value, f"{what}：截至{int(counts['last_month'])}月的累计同比增速{value}％")
    return rule


def _month(key: str, what: str) -> Rule:
    def rule(counts: Counts) -> Computed:
        month = int(counts[key])
        return Computed(Decimal(month), f"{what}为{month}月")
    return rule


def _led_plans(counts: Counts) -> Computed:
    led, passed = int(counts["led_by_bureau"]), int(counts["led_council_approved"])
    return Computed(Decimal(led), f"本局牵头编制的专项规划{led}个，其中已通过区政府常务会审议{passed}个")


def _fewest_per_week(counts: Counts) -> Computed:
    fewest, reports = int(counts["fewest_per_week"]), int(counts["reports"])
    return Computed(Decimal(fewest),
                    f"本年度向市发改委对口处室汇报{reports}次，各周中汇报最少的一周为{fewest}次")


def _level_blanks(level: str, zh: str, started: str) -> list[Blank]:
    """省重点 / 市重点: the same seven blanks; 市重点 says 开复工 where 省重点 says 开工."""
    p = f"{level}_"
    head = f"{zh}{{{p}projects}}个"
    invest = f"{head}，总投资{{{p}investment}}亿"
    rate_phrase = f"{started}率{{{p}start_rate}}％"
    done = f"{rate_phrase}，完成投资{{{p}done}}亿"
    marks = ("××", "×××", "×××", "××", "×××", "×××", "××××") if level == "provincial" else (
        "××××", "×××", "×××", "××", "×××", "×××", "×××")
    rules: list[tuple[str, str, str, Rule]] = [
        (f"{p}projects", head, "个", _count(f"{level}_projects", f"年末{zh}项目", "个")),
        (f"{p}investment", invest, "亿元", _money([f"{level}_investment"], f"{zh}项目总投资")),
        (f"{p}plan", f"{invest}，年度计划{{{p}plan}}亿", "亿元",
         _money([f"{level}_plan"], f"{zh}项目本年度计划投资")),
        (f"{p}started", f"已{started}{{{p}started}}个", "个",
         _count(f"{level}_started", f"{zh}项目中计划年内开工且已开工的", "个")),
        (f"{p}start_rate", rate_phrase, PERCENT_UNIT,
         _rate(f"{level}_started", f"{level}_planned_to_start", "已开工", f"{zh}计划年内开工项目")),
        (f"{p}done", done, "亿元", _money([f"{level}_done"], f"{zh}项目本年度完成投资（有年度计划的项目）")),
        (f"{p}completion", f"{done}，完成率{{{p}completion}}％", PERCENT_UNIT,
         _rate(f"{level}_done", f"{level}_plan", "完成投资", "年度计划", money=True)),
    ]
    return [Blank(i, phrase, mark, unit, RecordKind.PROJECTS, rule)
            for (i, phrase, unit, rule), mark in zip(rules, marks, strict=True)]


def _kind_blanks(kind: str, zh: str, marks: tuple[str, str]) -> list[Blank]:
    head = f"{zh}项目{{{kind}_projects}}个"
    return [
        Blank(f"{kind}_projects", head, marks[0], "个", RecordKind.PROJECTS,
              _count(f"{kind}_projects", f"年末在库的{zh}项目", "个")),
        Blank(f"{kind}_investment", f"{head}，总投资{{{kind}_investment}}亿元", marks[1], "亿元",
              RecordKind.PROJECTS, _money([f"{kind}_investment"], f"{zh}项目总投资")),
    ]


_T, _SP, _PR = RecordKind.TASKS, RecordKind.SPECIAL_PLANS, RecordKind.PROJECTS  # short, for the table below
_IND, _FU = RecordKind.INDICATORS, RecordKind.FUNDS
_RANGE = "{indicator_first_month}－{indicator_last_month}月，全区固定资产投资增速"
_FUND = "连续{guidance_fund_years}年累计发放资金超{guidance_fund_total}亿元"

# In the document's order.
BLANKS: tuple[Blank, ...] = (
    Blank("policy_measures", "牵头制定促进全区服务业领域困难行业恢复发展{policy_measures}条政策举措", "××", "条",
          _T, _policy_measures),
    Blank("plan_tasks", "将《规划》所确定的目标和重点任务细化分解为{plan_tasks}余项具体工作", "×××", "项",
          _T, _plan_tasks),
    Blank("task_towns", "责任落实到{task_towns}个镇、开发区", "××", "个", _T,
          _count("towns", "承担分解任务的镇、开发区", "个")),
    Blank("task_departments", "责任落实到{task_towns}个镇、开发区和{task_departments}个区直单位", "××", "个", _T,
          _count("departments", "承担分解任务的区直单位", "个")),
    Blank("projects", "共实施续建、新建项目{projects}个", "×××", "个", _PR,
          _count("projects", "年末在库的重点项目（续建、新建）", "个")),
    Blank("projects_investment", "共实施续建、新建项目{projects}个，总投资{projects_investment}亿元", "××", "亿元", _PR,
          _money(["investment"], "年末在库重点项目总投资")),
    *_kind_blanks("industry", "产业类", ("××", "×××")),
    *_kind_blanks("livelihood", "社会民生类", ("××", "××")),
    *_kind_blanks("infrastructure", "基础设施类", ("××", "×××")),
    Blank("special_plans", "有序推进{special_plans}个专项规划印发实施", "×××", "个", _SP,
          _count("plans", "年末在编及已印发的专项规划", "个")),
    Blank("plans_issued", "其中，{plans_issued}个规划已印发实施", "×××", "个", _SP,
          _count("issued", "年末处于“印发实施”阶段的专项规划", "个")),
    Blank("plans_council", "{plans_council}个规划通过区政府常务会审议", "×××", "个", _SP,
          _count("council_approved", "年末处于“常务会审议通过”阶段（尚未印发）的专项规划", "个")),
    Blank("plans_expert", "{plans_expert}个规划通过专家评审", "×××", "个", _SP,
          _count("expert_reviewed", "年末处于“专家评审通过”阶段（尚未上会）的专项规划", "个")),
    Blank("plans_led", "我委牵头的{plans_led}个专项规划", "×××", "个", _SP, _led_plans),
    Blank("completed_industry", "产业化项目{completed_industry}个", "×××", "个", _PR,
          _count("completed_industry", "本年度竣工或投产的产业类项目", "个")),
    Blank("indicator_first_month", _RANGE, "×", "月", _IND, _month("first_month", "本年度累计指标的起始月份")),
    Blank("indicator_last_month", _RANGE, "×", "月", _IND, _month("last_month", "本年度已有数据的最近月份")),
    Blank("fixed_asset_growth", "全区固定资产投资增速{fixed_asset_growth}％", "×", PERCENT_UNIT, _IND,
          _growth("fixed_asset_investment_growth", "固定资产投资")),
    Blank("services_revenue_growth", "规上服务业营业收入同比增长{services_revenue_growth}％", "×", PERCENT_UNIT, _IND,
          _growth("services_revenue_growth", "规上服务业营业收入")),
    Blank("monitoring", "重点企业的监测调度{monitoring}次", "×××", "次", RecordKind.MONITORING,
          _sum(["sweeps", "progress_records"], "本年度巡查次数＋项目投资进度填报条数", "次")),
    Blank("problems_found", "存在的突出问题{problems_found}项", "××", "项", RecordKind.PROBLEMS,
          _count("raised", "本年度上报的问题", "项")),
    Blank("suggestions", "科学有效提出对策建议{suggestions}条", "×××", "条", RecordKind.MEETINGS,
          _count("decisions", "本年度已闭会的协调会议形成的议定事项", "条")),
    Blank("weekly_reports", "坚持每周至少到市发改委对应处室汇报{weekly_reports}次", "××", "次",
          RecordKind.UPWARD_REPORTS, _fewest_per_week),
    Blank("key_projects", "省市重点工程项目{key_projects}个", "×××", "个", _PR,
          _sum(["provincial_projects", "municipal_projects"], "年末省重点项目＋市重点项目", "个")),
    Blank("key_projects_plan", "省市重点工程项目{key_projects}个，年度计划{key_projects_plan}亿", "××××", "亿元", _PR,
          _money(["provincial_plan", "municipal_plan"], "省、市重点项目本年度计划投资")),
    *_level_blanks("provincial", "省重点", "开工"),
    *_level_blanks("municipal", "市重点", "开复工"),
    Blank("leader_meetings", "提请区领导共会办{leader_meetings}次", "××××", "次", RecordKind.MEETINGS,
          _sum(["leader_meetings", "principal_meetings"], "本年度已闭会的挂钩领导会办＋主要领导/常务会", "次")),
    Blank("unit_head_meetings", "推动帮办单位主要领导会办{unit_head_meetings}次", "×××", "次", RecordKind.MEETINGS,
          _count("task_force_meetings", "本年度已闭会的专班会商（责任单位主要领导层级）", "次")),
    Blank("problems_solved", "解决实质性问题{problems_solved}个", "××××", "个", RecordKind.PROBLEMS,
          _count("closed", "本年度核实销号的问题（同一问题重复销号计一次）", "个")),
    Blank("guidance_fund_years", _FUND, "××", "年", RecordKind.DISBURSEMENTS,
          _count("consecutive_years", "截至本年度连续发放产业发展引导资金的年数", "年")),
    Blank("guidance_fund_total", _FUND, "×××", "亿元", RecordKind.DISBURSEMENTS, _guidance_total),
    Blank("filings", "窗口共受理备案事项{filings}件", "×××", "件", RecordKind.FILINGS,
          _count("accepted", "本年度窗口受理的企业投资项目备案", "件")),
    Blank("granted_funds", "下达中央及省、市资金{granted_funds}亿元", "××", "亿元", _FU,
          _money(["granted_funds"], "本年度计划下达的中央及省、市资金")),
    Blank("special_bonds", "争取专项债券额度{special_bonds}亿元", "×××", "亿元", _FU,
          _money(["special_bonds"], "本年度争取到的专项债券额度")),
)

BY_ID: Mapping[str, Blank] = {blank.id: blank for blank in BLANKS}


# ---- filling ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A filled blank."""

    blank: Blank
    value: Decimal
    method: str
    has_records: bool

    @property
    def text(self) -> str:
        # Without records the figure is a plain 0: "0.00亿元" would read as a measured amount.
        return figure_text(self.value, self.blank.unit) if self.has_records else "0"


def seed_phrase(blank: Blank) -> str:
    """The document's phrase with this blank marked 【××】 and any other blank in it as the document has it."""
    return blank.phrase.format_map({b.id: (f"【{b.mark}】" if b.id == blank.id else b.mark)
                                    for b in BLANKS if f"{{{b.id}}}" in blank.phrase})


def filled_phrase(blank: Blank, figures: Mapping[str, Figure]) -> str:
    """The phrase with every blank in it filled: what the written summary says."""
    return blank.phrase.format_map({i: f.text for i, f in figures.items()})


def fill(records: YearRecords) -> list[Figure]:
    """Every blank's figure from the year's records; a kind with no records gives 0."""
    figures = []
    for blank in BLANKS:
        counts = records.counts.get(blank.kind)
        if counts is None:
            zh = KIND_LABELS[blank.kind][0]
            figures.append(Figure(blank, Decimal(0), f"本年度尚无{zh}记录，按0计", False))
            continue
        computed = blank.rule(counts)
        figures.append(Figure(blank, computed.value, computed.method, True))
    return figures


def missing_kinds(records: YearRecords) -> list[RecordKind]:
    """The kinds that hold no records for the year, in the report's order."""
    return [kind for kind in RecordKind if records.counts.get(kind) is None]


def blank_json(figure: Figure, figures: Mapping[str, Figure]) -> dict[str, object]:
    blank = figure.blank
    zh, en = KIND_LABELS[blank.kind]
    return {"id": blank.id, "phrase": seed_phrase(blank), "text": filled_phrase(blank, figures),
            "value": json_value(figure.value, blank.unit) if figure.has_records else 0, "figure": figure.text,
            "unit": blank.unit,
            "method": figure.method, "kind": blank.kind.value, "kind_label": zh, "kind_label_en": en,
            "has_records": figure.has_records}


# ---- the written summary ---------------------------------------------------------------------


def _through(records: YearRecords) -> str:
    last = records.through
    return "截至年底" if (last.month, last.day) == (12, 31) else f"截至{last.month}月{last.day}日"


def _completed_names(names: Sequence[str]) -> str:
    return "、".join(names[:3]) + "等" if names else ""


def summary(records: YearRecords, figures: Sequence[Figure]) -> list[str]:
    """The document's paragraphs of the year's work, each blank filled, in the document's words.

    Claims coord cannot check (rankings against other districts, "涉及企业达上百家") are left out, and
    where the document asserts what a figure may not bear out ("全部通过", "办结率100％") the
    sentence follows the records.
    """
    f = {figure.blank.id: figure.text for figure in figures}
    plans = records.counts.get(RecordKind.SPECIAL_PLANS) or {}
    led, led_passed = int(plans.get("led_by_bureau", 0)), int(plans.get("led_council_approved", 0))
    led_sentence = (f"我委牵头的{f['plans_led']}个专项规划全部通过区政府常务会审议。" if led and led_passed >= led
                    else f"我委牵头的{f['plans_led']}个专项规划中，{led_passed}个已通过区政府常务会审议。")
    filings = records.counts.get(RecordKind.FILINGS) or {}
    accepted = int(filings.get("accepted", 0))
    closure = rate(int(filings.get("closed", 0)), accepted)
    filing_rate = f"，办结率{percent(closure)}％" if accepted else ""
    first = (
        f"{records.year}年，牵头制定促进全区服务业领域困难行业恢复发展{f['policy_measures']}条政策举措。"
        f"将《规划》所确定的目标和重点任务细化分解为{f['plan_tasks']}余项具体工作，"
        f"责任落实到{f['task_towns']}个镇、开发区和{f['task_departments']}个区直单位。"
        f"共实施续建、新建项目{f['projects']}个，总投资{f['projects_investment']}亿元。其中："
        f"产业类项目{f['industry_projects']}个，总投资{f['industry_investment']}亿元，"
        f"社会民生类项目{f['livelihood_projects']}个，总投资{f['livelihood_investment']}亿元，"
        f"基础设施类项目{f['infrastructure_projects']}个，总投资{f['infrastructure_investment']}亿元。"
        f"有序推进{f['special_plans']}个专项规划印发实施，其中，{f['plans_issued']}个规划已印发实施，"
        f"{f['plans_council']}个规划通过区政府常务会审议，{f['plans_expert']}个规划通过专家评审。{led_sentence}"
        f"{_through(records)}，已竣工投产{_completed_names(records.completed_industry_names)}"
        f"产业化项目{f['completed_industry']}个。"
        f"{f['indicator_first_month']}－{f['indicator_last_month']}月，全区固定资产投资增速{f['fixed_asset_growth']}％；"
        f"规上服务业营业收入同比增长{f['services_revenue_growth']}％。"
    )
    level_sentences = "".join(
        f"{zh}{f[f'{p}_projects']}个，总投资{f[f'{p}_investment']}亿，年度计划{f[f'{p}_plan']}亿，"
        f"已{started}{f[f'{p}_started']}个，{started}率{f[f'{p}_start_rate']}％，"
        f"完成投资{f[f'{p}_done']}亿，完成率{f[f'{p}_completion']}％。"
        for p, zh, started in (("provincial", "省重点", "开工"), ("municipal", "市重点", "开复工")))
    second = (
        f"强化对重点项目、重点企业的监测调度{f['monitoring']}次，及时发现项目推进中存在的突出问题"
        f"{f['problems_found']}项，科学有效提出对策建议{f['suggestions']}条。"
        f"坚持每周至少到市发改委对应处室汇报{f['weekly_reports']}次。"
        f"全区省市重点工程项目{f['key_projects']}个，年度计划{f['key_projects_plan']}亿。其中：{level_sentences}"
    )
    third = (
        f"完善重大产业项目“1＋2＋N”推进机制，提请区领导共会办{f['leader_meetings']}次，"
        f"推动帮办单位主要领导会办{f['unit_head_meetings']}次，解决实质性问题{f['problems_solved']}个。"
        f"充分发挥产业发展引导资金的撬动作用，连续{f['guidance_fund_years']}年累计发放资金超"
        f"{f['guidance_fund_total']}亿元。"
    )
    fourth = (
        f"我局窗口共受理备案事项{f['filings']}件{filing_rate}。"
        f"共协调对接国家、省、市发改委下达中央及省、市资金{f['granted_funds']}亿元，"
        f"争取专项债券额度{f['special_bonds']}亿元。"
    )
    return [first, second, third, fourth]
