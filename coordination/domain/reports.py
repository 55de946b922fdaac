"""Report arithmetic: the figures the reports define, computed from plain facts."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from operator import attrgetter
from typing import Any, Protocol, TypeVar

from coordination.domain.enums import FINISHED_STATES, OPEN_STATES, ProjectKind, ProjectLevel
from coordination.domain.investment import ProjectFacts, YearMonth
from coordination.domain.workdays import WorkCalendar

OPEN_VALUES = frozenset(s.value for s in OPEN_STATES)
FINISHED_VALUES = frozenset(s.value for s in FINISHED_STATES)


def rate(numerator: int, denominator: int) -> float | None:
    """A share rounded to 4 places; None when there is nothing to divide by."""
    return round(numerator / denominator, 4) if denominator else None


@dataclass
class Tally:
    """The counts behind the problem figures of one period, for one slice (all, a unit, a level …)."""

    new: int = 0
    closed: int = 0
    closed_on_time: int = 0
    in_hand_start: int = 0
    in_hand_end: int = 0
    overdue: int = 0
    escalations: int = 0
    escalated_problems: int = 0
    reopened: int = 0

    @property
    def closure_rate(self) -> float | None:
        """办结率: closed in P ÷ (in hand at the start of P + new in P)."""
        return rate(self.closed, self.in_hand_start + self.new)

    @property
    def on_time_rate(self) -> float | None:
        """按时办结率: of those closed in P, resolved on or before their due date at that moment."""
        return rate(self.closed_on_time, self.closed)

    def to_json(self) -> dict[str, int | float | None]:
        return {
            "new": self.new, "closed": self.closed, "closed_on_time": self.closed_on_time,
            "in_hand_start": self.in_hand_start, "in_hand_end": self.in_hand_end, "overdue": self.overdue,
            "escalations": self.escalations, "escalated_problems": self.escalated_problems,
            "reopened": self.reopened, "closure_rate": self.closure_rate, "on_time_rate": self.on_time_rate,
        }


@dataclass(frozen=True)
class Durations:
    """平均办结用时: working days from raise to strike-off, over the problems closed in P."""

    days: Sequence[int] = field(default_factory=tuple)

    @property
    def mean(self) -> float | None:
        return round(statistics.fmean(self.days), 1) if self.days else None

    @property
    def median(self) -> float | None:
        return float(statistics.median(self.days)) if self.days else None

    def to_json(self) -> dict[str, float | int | None]:
        return {"count": len(self.days), "mean": self.mean, "median": self.median}


class WorkingDayIndex:
    """Working days between any two dates of a range in O(1): a cumulative count per day."""

    def __init__(self, calendar: WorkCalendar, first: date, last: date) -> None:
        self.first = first
        self._cumulative: list[int] = []
        total = 0
        for offset in range((last - first).days + 1):
            total += calendar.is_workday(first + timedelta(days=offset))
            self._cumulative.append(total)

    def between(self, start: date, end: date) -> int:
        """Working days in (start, end], as WorkCalendar.working_days_between counts them."""
        return self._at(end) - self._at(start)

    def _at(self, day: date) -> int:
        offset = (day - self.first).days
        if offset < 0:
            return 0
        return self._cumulative[min(offset, len(self._cumulative) - 1)]


def is_overdue(due: date | None, last_day: date) -> bool:
    """超期 at the end of a period: in hand and its due date passed before the period's last day."""
    return due is not None and due < last_day


def durations(pairs: Iterable[tuple[date, date]], index: WorkingDayIndex) -> Durations:
    return Durations(tuple(index.between(raised, closed) for raised, closed in pairs))


def is_open(state: str | None) -> bool:
    return state in OPEN_VALUES


class Listed(Protocol):
    """What ordering a problem list reads of each line."""

    @property
    def id(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def level(self) -> int: ...
    @property
    def due_date(self) -> date | None: ...


ListedT = TypeVar("ListedT", bound=Listed)


def urgency(item: Listed, last_day: date) -> tuple[bool, bool, date, int, str]:
    """The order problem lists are read in: overdue first (in hand, due before the period's last day),
    then the earliest due date (none last), then the higher level, then the id."""
    overdue = is_open(item.state) and is_overdue(item.due_date, last_day)
    return (not overdue, item.due_date is None, item.due_date or date.max, -item.level, item.id)


def most_urgent_first(items: Iterable[ListedT], last_day: date) -> list[ListedT]:
    """`items` in `urgency` order, sorted in stable passes on single fields: a report sorts 100,000
    problems, and a tuple key per item would cost it three times as long."""
    ranked = sorted(items, key=attrgetter("id"))
    ranked.sort(key=attrgetter("level"), reverse=True)  # reverse keeps equal levels in id order
    dated = [item for item in ranked if item.due_date is not None]
    dated.sort(key=attrgetter("due_date"))
    overdue: list[ListedT] = []
    rest: list[ListedT] = []
    for item in dated:
        due = item.due_date
        (overdue if due is not None and due < last_day and item.state in OPEN_VALUES else rest).append(item)
    return overdue + rest + [item for item in ranked if item.due_date is None]


# ---- projects as of an instant ---------------------------------------------------------------

PROJECT_ADDED = "project_add"
PROJECT_UPDATED = "project_update"
PROJECT_ROSTER = "project_roster"
PROJECT_PLANNED = "project_plan"
PROJECT_PROGRESS = "project_progress"
PROJECT_ACTIONS = (PROJECT_ADDED, PROJECT_UPDATED, PROJECT_ROSTER, PROJECT_PLANNED, PROJECT_PROGRESS)
ROSTER_FIELDS = ("leaders", "helpers", "specialists")
# The row's defaults for the fields a `project_add` event leaves out (it records only those given).
_ADDED_DEFAULTS: Mapping[str, Any] = {
    "kind": None, "total_investment_yuan": None, "planned_start": None, "actual_start": None,
    "planned_completion": None, "actual_completion": None, "planned_production": None, "actual_production": None,
    "in_stats": False, "active": True,
}
_UNKNOWN = object()


@dataclass(frozen=True)
class ProjectRecord:
    """One project as its tables hold it: row columns and roster parts by name, plans by year, months."""

    code: str
    fields: Mapping[str, Any]  # columns, and leaders / helpers / specialists as sorted lists
    plans: Mapping[int, int]  # year → 元
    monthly: Mapping[str, int]  # "YYYY-MM" → 元

    @property
    def active(self) -> bool:
        return bool(self.fields.get("active", True))

    @property
    def leaders(self) -> tuple[str, ...]:
        return tuple(sorted(self.fields.get("leaders") or ()))


@dataclass(frozen=True)
class ProjectEvent:
    """One audited change of a project, as its event records it."""

    code: str
    seq: int
    action: str
    at: datetime
    changes: Mapping[str, Any]
    previous_yuan: int | None = None  # project_plan / project_progress: the amount it replaced


def projects_as_of(records: Iterable[ProjectRecord], events: Iterable[ProjectEvent],
                   before: datetime) -> list[ProjectRecord]:
    """The projects as they stood just before `before`: their rows with every later change undone.

    `events` must hold every event of each project that has one at or after `before` (others may be
    left out: a project changed by nothing since is exactly its row). A project added since did not
    exist yet. A field changed since takes the value its last earlier event gave it (or the row's
    default, when the project's `project_add` left it out); a plan year or month changed since takes
    the amount its first later change replaced, so rows written before any event are rewound too.
    """
    histories: dict[str, list[ProjectEvent]] = defaultdict(list)
    for event in events:
        histories[event.code].append(event)
    found: list[ProjectRecord] = []
    for record in records:
        history = sorted(histories.get(record.code, ()), key=lambda e: e.seq)
        later = [e for e in history if e.at >= before]
        if not later:
            found.append(record)
        elif all(e.action != PROJECT_ADDED for e in later):
            found.append(_rewound(record, [e for e in history if e.at < before], later))
    return found


def _rewound(record: ProjectRecord, earlier: list[ProjectEvent], later: list[ProjectEvent]) -> ProjectRecord:
    fields = dict(record.fields)
    added = any(e.action == PROJECT_ADDED for e in earlier)
    changed = {name for e in later if e.action in (PROJECT_UPDATED, PROJECT_ROSTER) for name in e.changes}
    for name in changed:
        value = _last_value(earlier, name, added)
        if value is not _UNKNOWN:  # a row written before any event: its earlier value is unknowable
            fields[name] = value
    plans: dict[int, int] = dict(record.plans)
    monthly: dict[str, int] = dict(record.monthly)
    replaced_years: set[int] = set()
    replaced_months: set[str] = set()
    for event in later:
        if event.action == PROJECT_PLANNED:
            year = int(event.changes["year"])
            if year not in replaced_years:
                replaced_years.add(year)
                _put(plans, year, event.previous_yuan)
        elif event.action == PROJECT_PROGRESS:
            month = str(event.changes["month"])
            if month not in replaced_months:
                replaced_months.add(month)
                _put(monthly, month, event.previous_yuan)
    return ProjectRecord(record.code, fields, plans, monthly)


def _last_value(earlier: list[ProjectEvent], name: str, added: bool) -> Any:
    for event in reversed(earlier):
        if event.action in (PROJECT_ADDED, PROJECT_UPDATED, PROJECT_ROSTER) and name in event.changes:
            return event.changes[name]
    return _ADDED_DEFAULTS.get(name, _UNKNOWN) if added else _UNKNOWN


def _put(amounts: dict[Any, int], key: Any, value: int | None) -> None:
    if value is None:
        amounts.pop(key, None)
    else:
        amounts[key] = value


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def project_facts(record: ProjectRecord) -> ProjectFacts:
    """What the investment figures read, from a project's record."""
    f = record.fields
    return ProjectFacts(
        code=record.code, level=ProjectLevel(f["level"]), kind=ProjectKind(f["kind"]) if f.get("kind") else None,
        locality=f.get("locality") or "", leaders=record.leaders, total_investment=f.get("total_investment_yuan"),
        annual_plans=dict(record.plans), monthly={YearMonth.parse(m): v for m, v in record.monthly.items()},
        planned_start=_day(f.get("planned_start")), actual_start=_day(f.get("actual_start")),
        actual_completion=_day(f.get("actual_completion")), actual_production=_day(f.get("actual_production")),
    )


def value_as_of(current: str | None, changes: Sequence[tuple[datetime, str | None]], before: datetime) -> str | None:
    """A setting's value just before `before`, from its value now and its changes (time, new value) in order."""
    if all(at < before for at, _ in changes):
        return current
    earlier = [value for at, value in changes if at < before]
    return earlier[-1] if earlier else None

