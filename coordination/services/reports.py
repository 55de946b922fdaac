"""Reports from the audit events, "as of" the end of their period: later events never change them.

Every figure comes from set-based queries: one query reads each problem's facts after its last event
before an instant (state, level, lead unit, due date, as the events record them), another reads the
events of the period; Python only tallies the rows those queries return.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Connection, case, func, select

from coordination.config import DISTRICT_TZ
from coordination.config import now as clock
from coordination.domain.enums import Action, Level, Light
from coordination.domain.errors import InvalidInput
from coordination.domain.investment import Grouping, YearMonth, portfolio
from coordination.domain.lights import LightThresholds
from coordination.domain.meetings import MeetingKind, MeetingState, minutes_number
from coordination.domain.periods import Cadence, Period, trailing
from coordination.domain.reports import (
    OPEN_VALUES,
    Durations,
    Tally,
    WorkingDayIndex,
    is_overdue,
    most_urgent_first,
    project_facts,
    rate,
)
from coordination.domain.workdays import WorkCalendar
from coordination.services.calendar import work_calendar
from coordination.services.checkpoints import latest_stamp
from coordination.services.report_facts import (
    DECISION,
    EVENT,
    MEETING,
    PERSON,
    PROBLEM,
    PROJECT,
    UNIT,
    Happening,
    happenings,
    instant,
    local_day,
    names_by,
    open_at_start_among_touched,
    open_count,
    project_records,
    project_thresholds,
    snapshot,
    touched_between,
)
from coordination.services.snapshot import directory
from coordination.services.special_plans import own_units
from coordination.services.visibility import Viewer
from coordination.uow import UnitOfWork

UNASSIGNED = "—"


# ---- report models ---------------------------------------------------------------------------


class Brief(NamedTuple):
    """One line of the three lists and of the queues (a tuple: a report may hold 100,000 of them)."""

    id: str
    project: str
    project_name: str
    title: str
    category: str
    state: str
    level: int
    lead_unit: str | None
    lead_unit_name: str | None
    due_date: date | None
    light: Light | None
    raised_on: date
    closed_on: date | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "project": self.project, "project_name": self.project_name, "title": self.title,
            "category": self.category, "state": self.state, "level": self.level, "lead_unit": self.lead_unit,
            "lead_unit_name": self.lead_unit_name, "due_date": self.due_date.isoformat() if self.due_date else None,
            "light": self.light.value if self.light else None, "raised_on": self.raised_on.isoformat(),
            "closed_on": self.closed_on.isoformat() if self.closed_on else None,
        }


# How a report's problem lists become JSON: every item (the default), only the first few (for the
# formats that show a capped list), or lazily, one item at a time (for JSON streamed to a file).
ListJson = Callable[[Sequence[Brief]], Any]


def full_list(items: Sequence[Brief]) -> list[dict[str, Any]]:
    return [b.to_json() for b in items]


def head_of_list(head: int) -> ListJson:
    return lambda items: [b.to_json() for b in items[:head]]


def lazy_list(items: Sequence[Brief]) -> Iterator[dict[str, Any]]:
    return (b.to_json() for b in items)


@dataclass(frozen=True)
class Slice:
    key: str
    name: str
    tally: Tally

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name, **self.tally.to_json()}


@dataclass
class ProblemSection:
    """The problem figures of one period."""

    total: Tally
    by_unit: list[Slice]
    by_category: list[Slice]
    by_level: list[Slice]
    durations: Durations
    lights: dict[str, int]
    new_list: list[Brief]
    in_hand_list: list[Brief]
    closed_list: list[Brief]

    def to_json(self, lists: ListJson = full_list) -> dict[str, Any]:
        return {
            "totals": self.total.to_json(),
            "days_to_close": self.durations.to_json(),
            "lights": self.lights,
            "by_unit": [s.to_json() for s in self.by_unit],
            "by_category": [s.to_json() for s in self.by_category],
            "by_level": [s.to_json() for s in self.by_level],
            "list_counts": {"new": len(self.new_list), "in_hand": len(self.in_hand_list),
                            "closed": len(self.closed_list)},
            "lists": {
                "new": lists(self.new_list),
                "in_hand": lists(self.in_hand_list),
                "closed": lists(self.closed_list),
            },
        }


@dataclass(frozen=True)
class MeetingLine:
    id: str
    kind: str
    held_on: date
    chair: str
    chair_name: str
    minutes_number: str | None
    decisions: int

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "date": self.held_on.isoformat(), "chair": self.chair,
                "chair_name": self.chair_name, "minutes_number": self.minutes_number, "decisions": self.decisions}


@dataclass(frozen=True)
class Queue:
    owner: str  # a leader's handle, or "task-force"
    owner_name: str
    from_level: int
    items: list[Brief]

    def to_json(self, lists: ListJson = full_list) -> dict[str, Any]:
        return {"owner": self.owner, "owner_name": self.owner_name, "from_level": self.from_level,
                "count": len(self.items), "items": lists(self.items)}


@dataclass(frozen=True)
class Dispatch:
    """季调度 for one linked leader: their projects, problems by light and level, meetings, what is stuck."""

    leader: str
    leader_name: str
    projects: list[dict[str, str]]
    in_hand: int
    lights: dict[str, int]
    levels: dict[str, int]
    meetings: list[dict[str, Any]]
    stuck_above_l3: list[Brief]

    def to_json(self, lists: ListJson = full_list) -> dict[str, Any]:
        return {"leader": self.leader, "leader_name": self.leader_name, "projects": self.projects,
                "in_hand": self.in_hand, "lights": self.lights, "levels": self.levels, "meetings": self.meetings,
                "stuck_above_l3_count": len(self.stuck_above_l3), "stuck_above_l3": lists(self.stuck_above_l3)}


@dataclass
class Report:
    """One report: its period, when it was computed "as of", and its sections as plain data."""

    cadence: Cadence
    period: Period
    as_of: datetime
    problems: ProblemSection
    meetings: list[MeetingLine]
    queues: list[Queue]
    trend: list[dict[str, Any]] = field(default_factory=list)
    ranking: list[dict[str, Any]] = field(default_factory=list)
    projects: dict[str, Any] | None = None
    dispatch: list[Dispatch] = field(default_factory=list)
    annual: dict[str, Any] | None = None
    # The annual summary's figure blanks, each filled, and the kinds that hold no records that year.
    blanks: list[dict[str, Any]] = field(default_factory=list)
    missing_kinds: list[dict[str, str]] = field(default_factory=list)
    running: bool = False  # the period has not ended: computed as of `as_of`
    indicators: list[dict[str, Any]] = field(default_factory=list)  # 指标监测 (monthly only)
    checkpoint: dict[str, Any] | None = None  # the latest audit checkpoint when made: {number, at, fingerprint}

    def to_json(self, head: int | None = None) -> dict[str, Any]:
        """The report as plain JSON values; with `head`, each problem list holds only its first items
        (the formats that show capped lists need no more), its full length still in the counts."""
        return self._json(full_list if head is None else head_of_list(head))

    def json_stream(self) -> dict[str, Any]:
        """The report with its problem lists as iterators, for `render.report.json_chunks` to write
        one problem at a time instead of holding the whole document in memory."""
        return self._json(lazy_list)

    def _json(self, lists: ListJson) -> dict[str, Any]:
        label, label_en = self.period.zh(), self.period.name
        if self.running:
            moment = self.as_of.astimezone(DISTRICT_TZ)
            label += f"（截至{moment.month}月{moment.day}日 {moment:%H:%M}，报告期未结束）"
            label_en += f" (as of {moment:%Y-%m-%d %H:%M}; the period has not ended)"
        data: dict[str, Any] = {
            "cadence": self.cadence.value,
            "period": {"name": self.period.name, "first": self.period.first.isoformat(),
                       "last": self.period.last.isoformat(), "label": label, "label_en": label_en,
                       "complete": not self.running},
            "as_of": self.as_of.isoformat(),
            "problems": self.problems.to_json(lists),
            "meetings": {"held": [m.to_json() for m in self.meetings],
                         "count": len(self.meetings),
                         "decisions": sum(m.decisions for m in self.meetings)},
            "queues": [q.to_json(lists) for q in self.queues],
            "checkpoint": self.checkpoint,
        }
        if self.cadence in (Cadence.MONTHLY, Cadence.QUARTERLY, Cadence.ANNUAL):
            data["trend"] = self.trend
            data["ranking"] = self.ranking
            data["projects"] = self.projects
        if self.cadence is Cadence.MONTHLY:
            data["indicators"] = self.indicators
        if self.cadence is Cadence.QUARTERLY:
            data["dispatch"] = [d.to_json(lists) for d in self.dispatch]
        if self.cadence is Cadence.ANNUAL:
            data["annual"] = self.annual
            data["blanks"] = self.blanks
            data["missing_kinds"] = self.missing_kinds
        return data


# ---- computing -------------------------------------------------------------------------------


class _Context:
    """Names read once per report, and the projects with their rosters as they stood at its end."""

    def __init__(self, connection: Connection, calendar: WorkCalendar, end: datetime,
                 viewer: Viewer | None = None, own_units: frozenset[str] = frozenset()) -> None:
        self.connection = connection
        self.own_units = own_units  # the district's own bureau (我委): the secretariat's unit(s)
        self.calendar = calendar
        self.end = end
        # A viewer who does not see every problem gets a report of the problems they see: their ids,
        # read once (a unit's or a project's problems are few), and the same rule as SQL for counts.
        condition = viewer.condition(PROBLEM.c) if viewer is not None else None
        self.scope: Any = None if condition is None else select(PROBLEM.c.id).where(condition)
        self.visible: frozenset[str] | None = None if self.scope is None else frozenset(
            pid for (pid,) in connection.execute(self.scope))
        self.viewer = viewer  # plan tasks are scoped by their units as they stood at the end
        self.units = names_by(connection, UNIT, "code", "name")
        self.people = names_by(connection, PERSON, "handle", "name")
        self.records = project_records(connection, end)
        self.projects = names_by(connection, PROJECT, "code", "name") | {
            r.code: str(r.fields["name"]) for r in self.records}
        self._same: dict[Any, Any] = {}

    def linked(self) -> dict[str, list[str]]:
        """Each linked leader's projects (the roster in force at the report's end), in code order."""
        linked: dict[str, list[str]] = defaultdict(list)
        for record in self.records:
            for leader in record.leaders:
                linked[leader].append(record.code)
        return linked

    def brief(self, pid: str, state: str, level: int, unit: str | None, due: date | None, project: str, title: str,
              category: str, raised_on: date, light: Light | None) -> Brief:
        # Each row brings its own copy of values most rows share (states, codes, dates): keeping
        # one of each saves a third of a big report's memory.
        same = self._same.setdefault
        return Brief(pid, same(project, project), self.projects.get(project, project), title,
                     same(category, category), same(state, state), level, same(unit, unit),
                     self.units.get(unit) if unit else None, same(due, due), light, same(raised_on, raised_on))


def _problem_section(context: _Context, period: Period) -> ProblemSection:
    connection, calendar = context.connection, context.calendar
    start, end = instant(period.first), instant(period.last + timedelta(days=1))
    # A problem open at the start that nothing touched during the period is still open, and the same,
    # at its end: only the problems touched during it are read as they stood at the start.
    visible = context.visible
    touched = {pid for (pid,) in connection.execute(touched_between(start, end).distinct())
               if visible is None or pid in visible}
    events = [e for e in happenings(connection, start, end) if visible is None or e.pid in visible]
    lights_on_last_day = LightThresholds.on(period.last, calendar)

    total = Tally()
    by_unit: dict[str, Tally] = defaultdict(Tally)
    by_category: dict[str, Tally] = defaultdict(Tally)
    by_level: dict[int, Tally] = defaultdict(Tally)

    def slices(unit: str | None, category: str, level: int) -> tuple[Tally, ...]:
        return (total, by_unit[unit or UNASSIGNED], by_category[category], by_level[level])

    # One line per problem, read once; the in-hand ones are counted per (unit, category, level) and
    # the tallies filled from those counts, not touched once per problem.
    at_end: dict[str, Brief] = {}  # the problems this period's events refer to: all touched during it
    in_hand: list[Brief] = []
    held: Counter[tuple[str | None, str, int]] = Counter()
    held_at_start: Counter[tuple[str | None, str, int]] = Counter()
    overdue: Counter[tuple[str | None, str, int]] = Counter()
    lit: Counter[Light | None] = Counter()
    make_brief, last_day = context.brief, period.last
    for pid, state, level, unit, due, project, title, category, raised_on in snapshot(connection, end, since=start):
        if visible is not None and pid not in visible:
            continue
        if state in OPEN_VALUES:
            light = lights_on_last_day.light(due)
            lit[light] += 1
            key = (unit, category, level)
            held[key] += 1
            if is_overdue(due, last_day):
                overdue[key] += 1
            if pid not in touched:
                held_at_start[key] += 1
            line = make_brief(pid, state, level, unit, due, project, title, category, raised_on, light)
            in_hand.append(line)
        else:
            line = make_brief(pid, state, level, unit, due, project, title, category, raised_on, None)
        if pid in touched:
            at_end[pid] = line
    lights = {light.value: lit[light] for light in Light} | {"none": lit[None]}
    for (unit, category, level), count in held.items():
        for tally in slices(unit, category, level):
            tally.in_hand_end += count
            tally.overdue += overdue[unit, category, level]
    for pid, unit, level in open_at_start_among_touched(connection, start, end):
        if visible is not None and pid not in visible:
            continue
        held_at_start[unit, at_end[pid].category, level] += 1
    for (unit, category, level), count in held_at_start.items():
        for tally in slices(unit, category, level):
            tally.in_hand_start += count

    new_list: list[Brief] = []
    last_verify: dict[str, Happening] = {}
    escalated: dict[int, set[str]] = defaultdict(set)  # id(tally) → problem ids, for distinct counts
    tallies_by_id: dict[int, Tally] = {}
    for event in events:
        brief = at_end[event.pid]
        if event.action == Action.RAISE.value:
            for tally in slices(brief.lead_unit, brief.category, brief.level):
                tally.new += 1
            new_list.append(brief)
        elif event.action == Action.VERIFY.value:
            last_verify[event.pid] = event
        elif event.action == Action.ESCALATE.value:
            for tally in slices(event.lead_unit, brief.category, event.level):
                tally.escalations += 1
                escalated[id(tally)].add(event.pid)
                tallies_by_id[id(tally)] = tally
        else:  # reject, reopen
            for tally in slices(event.lead_unit, brief.category, event.level):
                tally.reopened += 1
    for tally_id, pids in escalated.items():
        tallies_by_id[tally_id].escalated_problems = len(pids)

    closed_list: list[Brief] = []
    closings: list[tuple[date, date]] = []
    for pid, event in sorted(last_verify.items()):
        closed_on = local_day(event.at)
        brief = at_end[pid]
        for tally in slices(event.lead_unit, brief.category, event.level):
            tally.closed += 1
            tally.closed_on_time += bool(event.on_time)
        closed_list.append(brief._replace(closed_on=closed_on))
        closings.append((brief.raised_on, closed_on))
    del at_end

    first_raised = min((raised for raised, _ in closings), default=period.first)
    index = WorkingDayIndex(calendar, first_raised, period.last)
    return ProblemSection(
        total=total,
        by_unit=[Slice(k, context.units.get(k, "未交办" if k == UNASSIGNED else k), t)
                 for k, t in sorted(by_unit.items())],
        by_category=[Slice(k, k, t) for k, t in sorted(by_category.items())],
        by_level=[Slice(f"L{k}", f"L{k}", t) for k, t in sorted(by_level.items())],
        durations=Durations(tuple(index.between(raised, closed) for raised, closed in closings)),
        lights=lights,
        # Every list reads most urgent first, so that formats which show only its head show those.
        new_list=most_urgent_first(new_list, period.last),
        in_hand_list=most_urgent_first(in_hand, period.last),
        closed_list=most_urgent_first(closed_list, period.last),
    )


def _meetings(context: _Context, period: Period) -> list[MeetingLine]:
    m, d = MEETING.c, DECISION.c
    decisions = (select(d.meeting, func.count().label("n")).group_by(d.meeting).subquery("decided"))
    rows = context.connection.execute(
        select(m.id, m.kind, m.held_on, m.chair, m.minutes_year, m.minutes_number, decisions.c.n)
        .outerjoin(decisions, decisions.c.meeting == m.id)
        .where(m.state == MeetingState.CLOSED.value, m.held_on >= period.first, m.held_on <= period.last)
        .order_by(m.held_on, m.id)
    )
    return [MeetingLine(mid, kind, held_on, chair, context.people.get(chair, chair),
                        minutes_number(MeetingKind(kind), year, number) if year and number else None, n or 0)
            for mid, kind, held_on, chair, year, number, n in rows]


def _queues(context: _Context, in_hand: list[Brief]) -> list[Queue]:
    """The task force's L2 queue, each linked leader's L3+ queue, the principal's L4+ queue."""
    escalated = [b for b in in_hand if b.level >= Level.L2]
    queues = [Queue("task-force", "专班", 2, [b for b in escalated if b.level == Level.L2])]
    linked = context.linked()
    for leader in sorted(linked):
        projects = set(linked[leader])
        items = [b for b in escalated if b.level >= Level.L3 and b.project in projects]
        queues.append(Queue(leader, context.people.get(leader, leader), 3, items))
    queues.append(Queue("principal", "区主要领导", 4, [b for b in escalated if b.level >= Level.L4]))
    return queues


def _trend(context: _Context, period: Period, months: int = 6) -> list[dict[str, Any]]:
    """New, closed, escalated and in hand at each month end, over the last months (oldest first).

    One query buckets the window's events by month in SQL (CASE over the month boundaries, which
    both back ends run); the open count at the window's start is counted in SQL too.
    """
    periods = trailing(period if period.cadence is Cadence.MONTHLY else _month_of(period.last), months)
    bounds = [instant(p.first) for p in periods] + [instant(periods[-1].last + timedelta(days=1))]
    e = EVENT.c
    bucket = case(*((e.at < bound, index) for index, bound in enumerate(bounds[1:])), else_=len(periods))
    was_open = case((e.from_state.in_(OPEN_VALUES), 1), else_=0)
    is_open = case((e.to_state.in_(OPEN_VALUES), 1), else_=0)
    counted = (Action.RAISE.value, Action.VERIFY.value, Action.ESCALATE.value, Action.EXPLAIN.value,
               Action.WITHDRAW.value, Action.REOPEN.value)
    rows = context.connection.execute(
        select(bucket.label("bucket"), e.action, func.count(), func.count(e.stream_id.distinct()),
               func.sum(is_open - was_open))
        .where(e.stream_type == "problem", e.action.in_(counted), e.at >= bounds[0], e.at < bounds[-1],
               *(() if context.scope is None else (e.stream_id.in_(context.scope),)))
        .group_by(bucket, e.action)
    ).all()
    per_month: list[dict[str, int]] = [defaultdict(int) for _ in periods]
    for index, action, events, problems, delta in rows:
        month = per_month[index]
        month[action] += problems if action == Action.VERIFY.value else events
        month["delta"] += int(delta or 0)
    in_hand = open_count(context.connection, bounds[0], scope=context.scope)
    trend: list[dict[str, Any]] = []
    for p, month in zip(periods, per_month, strict=True):
        start_hand = in_hand
        in_hand += month["delta"]
        new, closed = month[Action.RAISE.value], month[Action.VERIFY.value]
        trend.append({"period": p.name, "new": new, "closed": closed, "escalations": month[Action.ESCALATE.value],
                      "in_hand_start": start_hand, "in_hand_end": in_hand,
                      "closure_rate": rate(closed, start_hand + new)})
    return trend


def _month_of(day: date) -> Period:
    from coordination.domain.periods import period_containing

    return period_containing(Cadence.MONTHLY, day)


def _ranking(section: ProblemSection) -> list[dict[str, Any]]:
    """Units ranked by closure rate, then on-time rate, then the number closed."""
    ranked = [s for s in section.by_unit if s.key != UNASSIGNED and (s.tally.closed or s.tally.in_hand_end
                                                                    or s.tally.new or s.tally.in_hand_start)]
    ranked.sort(key=lambda s: (-(s.tally.closure_rate or 0), -(s.tally.on_time_rate or 0), -s.tally.closed, s.key))
    return [{"rank": i, **s.to_json()} for i, s in enumerate(ranked, start=1)]


def build(uow: UnitOfWork, *, cadence: Cadence, period: Period, viewer: Viewer | None = None,
          now: datetime | None = None) -> Report:
    """Compute one report for `period`, as of the period's last instant.

    A period still running is computed as of `now` (default: the clock) and says so; one that has not
    begun is refused: a report never projects the future. With a `viewer`, the problems in it are
    those they see (the district's report when they see all).
    """
    now = now or clock()
    today = local_day(now)
    if period.first > today:
        raise InvalidInput(f"报告期 {period.zh()} 尚未开始（今天是 {today.isoformat()}）",
                           f"the period {period.name} has not begun (today is {today.isoformat()})")
    running = period.last >= today
    # A running period is computed up to today; the report keeps its full name and says "as of".
    computed = replace(period, last=today) if running else period
    as_of = now if running else instant(period.last + timedelta(days=1))
    with uow:
        connection = uow.session.connection()
        context = _Context(connection, work_calendar(uow.session), instant(computed.last + timedelta(days=1)),
                           viewer, own_units(directory(uow.session)))
        section = _problem_section(context, computed)
        report = Report(
            cadence=cadence, period=period, as_of=as_of, problems=section,
            meetings=_meetings(context, computed), queues=_queues(context, section.in_hand_list),
            running=running, checkpoint=latest_stamp(connection),
        )
        period = computed
        if cadence is not Cadence.WEEKLY:
            report.trend = _trend(context, period, months=12 if cadence is Cadence.ANNUAL else 6)
            report.ranking = _ranking(section)
            report.projects = _projects(context, period)
        if cadence is Cadence.MONTHLY:
            from coordination.services.indicators import monthly_section

            report.indicators = monthly_section(connection, month=YearMonth(period.last.year, period.last.month),
                                                end=context.end, unit_names=context.units)
        if cadence is Cadence.QUARTERLY:
            report.dispatch = _dispatch(context, report)
        if cadence is Cadence.ANNUAL:
            from coordination.services.annual_counts import fill_annual

            fill_annual(context, report, period)
        return report


def _projects(context: _Context, period: Period) -> dict[str, Any]:
    """Investment progress at the period's last month: the portfolio, by level and by kind.

    Read from the projects, plans, months and thresholds as recorded by the period's end.
    """
    from coordination.services.projects import group_json

    as_of = YearMonth(period.last.year, period.last.month)
    facts = [project_facts(r) for r in context.records if r.active]
    limits = project_thresholds(context.connection, context.end)
    return {
        "as_of": str(as_of),
        "all": group_json(portfolio(facts, as_of, Grouping.ALL, limits)[0]),
        "by_level": [group_json(g) for g in portfolio(facts, as_of, Grouping.LEVEL, limits)],
        "by_kind": [group_json(g) for g in portfolio(facts, as_of, Grouping.KIND, limits)],
        "completed_or_produced": sum(
            1 for f in facts
            if any(d is not None and period.last.year == d.year and d <= period.last
                   for d in (f.actual_completion, f.actual_production))),
    }


def _dispatch(context: _Context, report: Report) -> list[Dispatch]:
    """季调度: per linked leader, their projects, problems by light and level, meetings, what is stuck."""
    linked = context.linked()
    views: list[Dispatch] = []
    for leader in sorted(linked):
        projects = set(linked[leader])
        mine = [b for b in report.problems.in_hand_list if b.project in projects]
        lights = Counter(b.light for b in mine)
        levels = Counter(b.level for b in mine)
        views.append(Dispatch(
            leader=leader, leader_name=context.people.get(leader, leader),
            projects=[{"code": c, "name": context.projects.get(c, c)} for c in sorted(projects)],
            in_hand=len(mine), lights={light.value: lights[light] for light in Light},
            levels={f"L{level}": levels[level] for level in range(1, 6)},
            meetings=[m.to_json() for m in report.meetings if m.chair == leader],
            stuck_above_l3=[b for b in mine if b.level > Level.L3],
        ))
    return views
