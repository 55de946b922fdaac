"""The pure rules behind reports: projects as of an instant, settings as of an instant, list order."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from coordination.domain.enums import ProjectLevel
from coordination.domain.investment import YearMonth
from coordination.domain.reports import (
    ProjectEvent,
    ProjectRecord,
    most_urgent_first,
    project_facts,
    projects_as_of,
    urgency,
    value_as_of,
)

END_OF_OCTOBER = datetime(2024, 10, 31, 16, tzinfo=UTC)  # 1 November, 00:00 in the district
BEFORE = datetime(2024, 10, 8, 2, tzinfo=UTC)
AFTER = datetime(2024, 11, 5, 2, tzinfo=UTC)


def record(**fields: object) -> ProjectRecord:
    base: dict[str, object] = {"name": "东区电池材料产业园", "level": "provincial", "locality": "DQY",
                               "lead_unit": "FGJ", "leaders": ["chen"], "helpers": [], "specialists": [],
                               "kind": None, "planned_start": None, "actual_start": None, "in_stats": False,
                               "active": True}
    return ProjectRecord("P-001", base | fields, {2024: 120_000_000}, {"2024-08": 8_000_000, "2024-09": 9_000_000})


def event(seq: int, action: str, at: datetime, previous: int | None = None, **changes: object) -> ProjectEvent:
    return ProjectEvent("P-001", seq, action, at, changes, previous)


def test_a_project_changed_by_nothing_since_is_its_row() -> None:
    row = record()
    assert projects_as_of([row], [event(1, "project_add", BEFORE, name="东区电池材料产业园")], END_OF_OCTOBER) == [row]


def test_a_month_recorded_since_is_taken_back_and_a_corrected_one_gets_its_old_amount() -> None:
    row = record()
    events = [
        event(1, "project_add", BEFORE, name="东区电池材料产业园", level="provincial", leaders=["chen"]),
        event(2, "project_progress", AFTER, 9_500_000, month="2024-08", completed_yuan=8_000_000),
        event(3, "project_progress", AFTER, None, month="2024-09", completed_yuan=9_000_000),
        event(4, "project_plan", AFTER, 100_000_000, year=2024, planned_yuan=120_000_000),
    ]
    (then,) = projects_as_of([row], events, END_OF_OCTOBER)
    assert then.monthly == {"2024-08": 9_500_000} and then.plans == {2024: 100_000_000}


def test_fields_and_roster_changed_since_take_their_earlier_values_or_the_rows_defaults() -> None:
    row = record(name="新名称", actual_start="2024-11-01", leaders=["wu", "zhou"], kind="industry")
    events = [
        event(1, "project_add", BEFORE, name="东区电池材料产业园", level="provincial", leaders=["chen"]),
        event(2, "project_update", AFTER, name="新名称", actual_start="2024-11-01", kind="industry"),
        event(3, "project_roster", AFTER, leaders=["wu", "zhou"]),
    ]
    (then,) = projects_as_of([row], events, END_OF_OCTOBER)
    assert then.fields["name"] == "东区电池材料产业园" and then.leaders == ("chen",)
    assert then.fields["actual_start"] is None and then.fields["kind"] is None, "left out by project_add: default"
    facts = project_facts(then)
    assert facts.level is ProjectLevel.PROVINCIAL and facts.actual_start is None
    assert facts.monthly == {YearMonth(2024, 8): 8_000_000, YearMonth(2024, 9): 9_000_000}


def test_a_project_added_since_did_not_exist_and_one_written_before_any_event_keeps_what_is_unknowable() -> None:
    added_later = projects_as_of([record()], [event(1, "project_add", AFTER, name="x")], END_OF_OCTOBER)
    assert added_later == []
    # No project_add at all (rows written by hand): amounts rewind through previous_yuan; a field
    # changed since keeps its row value, since nothing says what it was.
    (then,) = projects_as_of([record(name="改名后")], [
        event(1, "project_update", AFTER, name="改名后"),
        event(2, "project_progress", AFTER, 7_000_000, month="2024-09", completed_yuan=9_000_000),
    ], END_OF_OCTOBER)
    assert then.fields["name"] == "改名后" and then.monthly["2024-09"] == 7_000_000


def test_a_setting_as_of_an_instant() -> None:
    changes = [(BEFORE, "15"), (AFTER, "5")]
    assert value_as_of("5", changes, END_OF_OCTOBER) == "15"
    assert value_as_of("5", changes[1:], END_OF_OCTOBER) is None, "set only since: the default then"
    assert value_as_of("5", changes, AFTER + timedelta(days=1)) == "5"


@dataclass(frozen=True)
class Line:
    id: str
    state: str
    level: int
    due_date: date | None


def test_lists_read_overdue_first_then_by_due_date_then_by_level() -> None:
    last = date(2024, 6, 23)
    lines = [Line("Q-5", "in_progress", 1, date(2024, 6, 30)), Line("Q-4", "on_agenda", 2, date(2024, 6, 30)),
             Line("Q-3", "closed", 1, date(2024, 6, 1)), Line("Q-2", "assigned", 1, date(2024, 6, 20)),
             Line("Q-1", "submitted", 1, None)]
    assert [x.id for x in most_urgent_first(lines, last)] == ["Q-2", "Q-3", "Q-4", "Q-5", "Q-1"]

    rng = random.Random(7)
    states = ["submitted", "in_progress", "on_agenda", "closed", "withdrawn"]
    many = [Line(f"Q-{n:04d}", rng.choice(states), rng.randint(1, 5),
                 None if rng.random() < 0.1 else last + timedelta(days=rng.randint(-20, 20))) for n in range(2000)]
    rng.shuffle(many)
    assert most_urgent_first(many, last) == sorted(many, key=lambda x: urgency(x, last))
