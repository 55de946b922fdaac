"""The annual summary's figures: for each kind of record, its counts for the year (as of the year's
end, scoped to the report's viewer), and the 50 blanks of the district's summary filled from them.

`reports.build` calls `fill_annual` for an annual report; everything else of a report is in reports.py.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, and_, case, func, or_, select
from sqlmodel import SQLModel

from coordination.domain import annual_blanks as blanks
from coordination.domain.annual_blanks import Counts, Number, RecordKind, YearRecords
from coordination.domain.enums import ProjectKind, ProjectLevel, UnitKind
from coordination.domain.indicator import ANNUAL_INDICATORS
from coordination.domain.investment import Grouping, YearMonth, portfolio
from coordination.domain.meetings import MeetingKind
from coordination.domain.periods import Period
from coordination.domain.reports import project_facts
from coordination.domain.task_workflow import TASK_WORKFLOW, PlanKind, TaskAction
from coordination.services.report_facts import instant, names_by
from coordination.services.reports import Report, _Context

EVENT: Table = SQLModel.metadata.tables["audit_event"]
UNIT: Table = SQLModel.metadata.tables["unit"]
PLAN: Table = SQLModel.metadata.tables["project_plan"]
TASK: Table = SQLModel.metadata.tables["task"]
TASK_PLAN: Table = SQLModel.metadata.tables["plan"]  # a plan task's 规划 or 政策文件 (PLAN is a project's)
SPECIAL_PLAN: Table = SQLModel.metadata.tables["special_plan"]
FILING: Table = SQLModel.metadata.tables["filing"]
FUND: Table = SQLModel.metadata.tables["fund"]
DISBURSEMENT: Table = SQLModel.metadata.tables["disbursement"]
INDICATOR_VALUE: Table = SQLModel.metadata.tables["indicator_value"]
UPWARD_REPORT: Table = SQLModel.metadata.tables["upward_report"]
FIXED_ASSET_CODE = next(code for code, key in ANNUAL_INDICATORS.items() if key == "fixed_asset_investment_growth")


def fill_annual(context: _Context, report: Report, period: Period) -> None:
    """The annual summary: its figures, its 50 blanks filled from the year's records (`period` is the
    year as computed: up to today in a year still running), and the summary's paragraphs."""
    counts = {kind: source(context, report, period) for kind, source in _SOURCES.items()}
    records = YearRecords(period.first.year, period.last, counts, _completed_industry(context, period)[1])
    figures = blanks.fill(records)
    by_id = {f.blank.id: f for f in figures}
    meetings = counts[RecordKind.MEETINGS] or {}
    monitoring = counts[RecordKind.MONITORING] or {}
    paragraphs = blanks.summary(records, figures)
    report.annual = {
        "problems_found": report.problems.total.new,
        "monitoring": int(by_id["monitoring"].value),
        "monitoring_sweeps": int(monitoring.get("sweeps", 0)),
        "monitoring_progress_records": int(monitoring.get("progress_records", 0)),
        "suggestions": int(meetings.get("decisions", 0)),
        "district_leader_meetings": int(by_id["leader_meetings"].value),
        "unit_head_meetings": int(by_id["unit_head_meetings"].value),
        "problems_solved": report.problems.total.closed,
        "projects": report.projects,
        "completed_industry_projects": list(records.completed_industry_names),
        "paragraphs": paragraphs,
        "paragraph": "".join(paragraphs),
    }
    report.blanks = [blanks.blank_json(f, by_id) for f in figures]
    report.missing_kinds = [{"kind": kind.value, "label": blanks.KIND_LABELS[kind][0],
                             "label_en": blanks.KIND_LABELS[kind][1]} for kind in blanks.missing_kinds(records)]


# ---- the year's counts of each kind the annual summary's blanks read ---------------------------
# One function per kind, returning the keys `domain.annual_blanks.INPUTS` names for it, or None when the
# kind holds no records for the year. A kind coord does not store yet returns None: when its table
# lands, its query goes here and nothing else changes.


def _problem_counts(context: _Context, report: Report, period: Period) -> Counts | None:
    """Problems raised and struck off in the year, as the report counts them (scoped to its viewer)."""
    total = report.problems.total
    if not (total.new or total.closed or total.in_hand_start or total.in_hand_end):
        return None
    return {"raised": total.new, "closed": total.closed}


def _monitoring_counts(context: _Context, report: Report, period: Period) -> Counts | None:
    """Sweep runs and project progress entries recorded in the year."""
    start, end = instant(period.first), instant(period.last + timedelta(days=1))
    e = EVENT.c
    sweeps = int(context.connection.execute(
        select(func.count()).where(e.stream_type == "sweep", e.at >= start, e.at < end)).scalar_one())
    progress = int(context.connection.execute(
        select(func.count()).where(e.stream_type == "project", e.action == "project_progress",
                                   e.at >= start, e.at < end)).scalar_one())
    return {"sweeps": sweeps, "progress_records": progress} if sweeps or progress else None


def _meeting_counts(context: _Context, report: Report, period: Period) -> Counts | None:
    """Meetings closed and held in the year, by kind, and the decisions they made."""
    if not report.meetings:
        return None
    held = Counter(line.kind for line in report.meetings)
    return {"leader_meetings": held[MeetingKind.LEADER.value], "principal_meetings": held[MeetingKind.PRINCIPAL.value],
            "task_force_meetings": held[MeetingKind.TASK_FORCE.value],
            "decisions": sum(line.decisions for line in report.meetings)}


def _project_counts(context: _Context, report: Report, period: Period) -> Counts | None:
    """The projects in force at the year's end, by kind and by level, with the year's plan and progress
    (the same figures as the report's project section)."""
    facts = [project_facts(r) for r in context.records if r.active]
    if not facts:
        return None
    as_of = YearMonth(period.last.year, period.last.month)
    everything = portfolio(facts, as_of)[0]
    counts: dict[str, Number] = {"projects": everything.projects, "investment": everything.total_investment,
                                 "completed_industry": _completed_industry(context, period)[0]}
    kinds = {g.key: g for g in portfolio(facts, as_of, Grouping.KIND)}
    for kind in ProjectKind:
        group = kinds.get(kind.value)
        counts[f"{kind.value}_projects"] = group.projects if group else 0
        counts[f"{kind.value}_investment"] = group.total_investment if group else 0
    levels = {g.key: g for g in portfolio(facts, as_of, Grouping.LEVEL)}
    for level in (ProjectLevel.PROVINCIAL, ProjectLevel.MUNICIPAL):
        group = levels.get(level.value)
        for part, value in (("projects", group.projects if group else 0),
                            ("investment", group.total_investment if group else 0),
                            ("plan", group.annual_plan if group else 0),
                            ("planned_to_start", group.planned_to_start if group else 0),
                            ("started", group.started if group else 0), ("done", group.done_ytd if group else 0)):
            counts[f"{level.value}_{part}"] = value
    return counts


def _completed_industry(context: _Context, period: Period) -> tuple[int, list[str]]:
    """产业类 projects completed or put into production in the year by its last day: how many, and their
    names in code order."""
    names = [context.projects.get(f.code, f.code)
             for f in (project_facts(r) for r in context.records if r.active)
             if f.kind is ProjectKind.INDUSTRY and any(
                 d is not None and d.year == period.last.year and d <= period.last
                 for d in (f.actual_completion, f.actual_production))]
    return len(names), names


def _task_counts(context: _Context, report: Report, period: Period) -> Counts | None:
    """重点任务: a policy's measures and a plan's tasks, with the towns and departments they fall to.

    A plan's tasks count when in hand at some time in the year: added by its last day and not completed
    before its first. A task completed in the year counts (the work was done then); one completed in
    an earlier year was that year's work; a task is never withdrawn (its workflow has no such step).
    A policy's measures count when added in the year: the document says 牵头制定, that year's act.
    Towns (镇、开发区: units of kind locality) and departments (区直单位) are the distinct lead and
    co-units of the counted plan tasks, with co-units as they stood at the year's end. With a viewer,
    the tasks their unit led or helped with at the year's end.
    """
    t, p = TASK.c, TASK_PLAN.c
    rows = context.connection.execute(
        select(t.id, p.kind, t.lead_unit, t.co_units)
        .select_from(TASK.join(TASK_PLAN, p.code == t.plan))
        .where(t.added_on <= period.last, or_(t.completed_on.is_(None), t.completed_on >= period.first),
               or_(p.kind != PlanKind.POLICY.value, t.added_on >= period.first))
    ).all()
    if not rows:
        return None
    rewound = _co_units_before(context.connection, context.end)
    unit_kinds = names_by(context.connection, UNIT, "code", "kind")
    viewer = context.viewer
    plan_tasks = policy_measures = 0
    units: set[str] = set()
    for task_id, kind, lead_unit, co_units in rows:
        record = {"lead_unit": lead_unit, "co_units": rewound.get(task_id, json.loads(co_units))}
        if viewer is not None and not viewer.sees_task(record):
            continue
        if kind == PlanKind.POLICY.value:
            policy_measures += 1
        else:
            plan_tasks += 1
            units.update([lead_unit, *record["co_units"]])
    if not (plan_tasks or policy_measures):
        return None
    kinds = Counter(unit_kinds.get(unit) for unit in units)
    return {"policy_measures": policy_measures, "plan_tasks": plan_tasks,
            "towns": kinds[UnitKind.LOCALITY.value], "departments": kinds[UnitKind.DEPARTMENT.value]}


def _co_units_before(connection: Connection, before: datetime) -> dict[str, list[str]]:
    """The co-units, just before `before`, of the tasks adjusted since (only an adjustment changes them):
    each such task's events before it replayed. The other tasks' rows are as they were then."""
    e = EVENT.c
    stream = TASK_WORKFLOW.kind
    adjusted = select(e.stream_id).where(e.stream_type == stream, e.action == TaskAction.ADJUST.value,
                                         e.at >= before)
    units: dict[str, list[str]] = {}
    for task_id, payload in connection.execute(
            select(e.stream_id, e.payload).where(e.stream_type == stream, e.stream_id.in_(adjusted), e.at < before)
            .order_by(e.stream_id, e.seq)):
        changed = json.loads(payload).get("changes", {}).get("co_units")
        if changed is not None:
            units[task_id] = list(changed)
    return units


def _special_plan_counts(context: _Context, report: Report, period: Period) -> Counts | None:
    """专项规划 by the stage reached at the year's end, and those the bureau leads.

    Every plan added by the year's last day counts (in drafting or issued, as the blank reads: 在编及已
    印发), plans issued in an earlier year among them. Its stage at the year's end is the last stage
    whose day (reviewed_on, deliberated_on, issued_on) is on or before that day, so a stage passed after
    the year never raises it; each plan counts in one stage only (已印发 is not also 常务会审议通过).
    我委牵头: led by the district's own bureau (`special_plans.own_units`); of them, those past 常务会
    (审议通过 or issued). With a viewer, the plans their unit leads.
    """
    s, last = SPECIAL_PLAN.c, period.last
    rows = context.connection.execute(
        select(s.lead_unit, s.reviewed_on, s.deliberated_on, s.issued_on).where(s.added_on <= last)).all()
    viewer = context.viewer
    counts: Counter[str] = Counter()
    for lead_unit, reviewed_on, deliberated_on, issued_on in rows:
        if viewer is not None and not viewer.sees_task({"lead_unit": lead_unit}):
            continue
        counts["plans"] += 1
        passed_council = False
        if issued_on is not None and issued_on <= last:
            counts["issued"] += 1
            passed_council = True
        elif deliberated_on is not None and deliberated_on <= last:
            counts["council_approved"] += 1
            passed_council = True
        elif reviewed_on is not None and reviewed_on <= last:
            counts["expert_reviewed"] += 1
        if lead_unit in context.own_units:
            counts["led_by_bureau"] += 1
            counts["led_council_approved"] += passed_council
    if not counts["plans"]:
        return None
    return {key: counts[key] for key in ("plans", "issued", "council_approved", "expert_reviewed",
                                         "led_by_bureau", "led_council_approved")}


def _scoped(context: _Context, query: Any, lead_unit: Any) -> Any:
    """A viewer who does not see everything counts their own unit's records (None: they see none)."""
    viewer = context.viewer
    if viewer is None or viewer.sees_all:
        return query
    if viewer.unit is None:
        return None
    return query.where(lead_unit == viewer.unit)


def _fund_counts(context: _Context, report: Report, period: Period) -> Counts | None:
    """资金争取: what was granted (计划下达) in the year, in 元 — central, provincial and municipal budget and
    special funds together, special-bond quota apart. A grant later withdrawn or refused is not counted.
    The kind holds records for the year when any application was in hand in it (added by its end and not
    closed or evaluated before it began). With a viewer, the applications of their unit."""
    f, first, last = FUND.c, period.first, period.last
    in_year = and_(f.granted_on.is_not(None), f.granted_on >= first, f.granted_on <= last,
                   f.state.not_in(["refused", "withdrawn"]))
    bond = f.fund_type == "bond"
    query = select(
        func.count(),
        func.coalesce(func.sum(case((and_(in_year, ~bond), f.granted_yuan), else_=0)), 0),
        func.coalesce(func.sum(case((and_(in_year, bond), f.granted_yuan), else_=0)), 0),
    ).where(f.added_on <= last, or_(f.closed_on.is_(None), f.closed_on >= first),
            or_(f.evaluated_on.is_(None), f.evaluated_on >= first))
    query = _scoped(context, query, f.lead_unit)
    if query is None:
        return None
    in_hand, granted, bonds = context.connection.execute(query).one()
    if not in_hand:
        return None
    return {"granted_funds": int(granted), "special_bonds": int(bonds)}


def _disbursement_counts(context: _Context, report: Report, period: Period) -> Counts | None:
    """产业发展引导资金 paid to enterprises: the run of consecutive years with payments that ends in this one,
    and what was paid in that run up to the report's last day (a revoked entry is not a payment). None when
    nothing was paid this year. With a viewer, their unit's payments."""
    d = DISBURSEMENT.c
    query = (select(d.paid_on, d.amount_yuan)
             .where(d.state == "recorded", d.paid_on <= period.last))
    query = _scoped(context, query, d.lead_unit)
    if query is None:
        return None
    paid: Counter[int] = Counter()
    for paid_on, amount in context.connection.execute(query).all():
        paid[paid_on.year] += int(amount)
    year = period.last.year
    if not paid[year]:
        return None
    run = 0
    while paid[year - run]:
        run += 1
    return {"consecutive_years": run, "disbursed_total": sum(paid[year - k] for k in range(run))}


def _indicator_counts(context: _Context, report: Report, period: Period) -> Counts | None:
    """指标监测: the months the year's cumulative figures span (from the first month any of the two summary
    indicators has a figure to the latest month of 固定资产投资), and each one's figure in its latest month.
    The codes are `domain.indicator.ANNUAL_INDICATORS` (FAI, SRV). District statistics: every reader sees them.
    A summary indicator without a figure this year is left out, and its blank says so."""
    v = INDICATOR_VALUE.c
    year = period.last.year
    months = (f"{year}-01", f"{year}-{period.last.month:02d}")
    rows = context.connection.execute(
        select(v.indicator, v.month, v.value)
        .where(v.indicator.in_(sorted(ANNUAL_INDICATORS)), v.month >= months[0], v.month <= months[1])
        .order_by(v.month)).all()
    latest: dict[str, tuple[str, str]] = {}
    for code, month, value in rows:
        latest[code] = (month, value)  # ordered by month: the last one stays
    if not latest:
        return None
    counts: dict[str, Number] = {"first_month": min(int(m[5:]) for _c, m, _v in rows)}
    anchor = latest.get(FIXED_ASSET_CODE) or max(latest.values())
    counts["last_month"] = int(anchor[0][5:])
    for code, key in ANNUAL_INDICATORS.items():
        if code in latest:
            counts[key] = Decimal(latest[code][1])
    return counts


def _upward_report_counts(context: _Context, report: Report, period: Period) -> Counts | None:
    """对上汇报: reports made in the year (not revoked), and the fewest in any week of it — every ISO week
    whose Monday to Sunday lies within the year up to the report's last day, so a week with none counts 0.
    With a viewer, their unit's reports."""
    u = UPWARD_REPORT.c
    query = (select(u.reported_on).where(u.state == "recorded", u.reported_on >= period.first,
                                          u.reported_on <= period.last))
    query = _scoped(context, query, u.lead_unit)
    if query is None:
        return None
    days = [row[0] for row in context.connection.execute(query).all()]
    if not days:
        return None
    per_week = Counter(day.isocalendar()[:2] for day in days)
    monday = period.first + timedelta(days=(7 - period.first.weekday()) % 7)
    weeks = []
    while monday + timedelta(days=6) <= period.last:
        weeks.append(per_week[monday.isocalendar()[:2]])
        monday += timedelta(days=7)
    return {"reports": len(days), "fewest_per_week": min(weeks) if weeks else len(days)}


def _filing_counts(context: _Context, report: Report, period: Period) -> Counts | None:
    """项目备案 received (受理) in the year and how many of them were closed (办结) by its last day: a
    filing returned (退回) or still being handled is accepted but not closed, and one closed after the
    year is not closed in it. With a viewer, the filings their unit's window received.
    """
    f = FILING.c
    closed = and_(f.completed_on.is_not(None), f.completed_on <= period.last)
    query = (select(func.count(), func.coalesce(func.sum(case((closed, 1), else_=0)), 0))
             .where(f.received_on >= period.first, f.received_on <= period.last))
    viewer = context.viewer
    if viewer is not None and not viewer.sees_all:
        if viewer.unit is None:
            return None
        query = query.where(f.lead_unit == viewer.unit)
    accepted, done = context.connection.execute(query).one()
    if not accepted:
        return None
    return {"accepted": int(accepted), "closed": int(done)}


_SOURCES: dict[RecordKind, Callable[[_Context, Report, Period], Counts | None]] = {
    RecordKind.PROBLEMS: _problem_counts,
    RecordKind.MONITORING: _monitoring_counts,
    RecordKind.MEETINGS: _meeting_counts,
    RecordKind.PROJECTS: _project_counts,
    RecordKind.TASKS: _task_counts,
    RecordKind.SPECIAL_PLANS: _special_plan_counts,
    RecordKind.FUNDS: _fund_counts,
    RecordKind.DISBURSEMENTS: _disbursement_counts,
    RecordKind.FILINGS: _filing_counts,
    RecordKind.INDICATORS: _indicator_counts,
    RecordKind.UPWARD_REPORTS: _upward_report_counts,
}
