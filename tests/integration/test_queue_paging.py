"""The escalation queue is ordered, cut and counted in SQL: most urgent first, one page at a time."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from coordination.domain.enums import Action, Difficulty, Level
from coordination.domain.errors import InvalidInput
from coordination.services import issue_reads

TODAY = date(2024, 6, 3)  # the fixture's Monday


def escalated(district: Any, *, due: date, rungs: int, title: str) -> str:
    pid = district.raise_problem(title=title)
    district.act(district.secretariat, pid, Action.ASSIGN, unit=district.solving_unit, due=due,
                 difficulty=Difficulty.B)
    for rung in range(rungs):
        district.act(district.secretariat, pid, Action.ESCALATE, reason=f"第 {rung + 1} 次提级")
    return pid


@pytest.fixture
def queue(district: Any) -> dict[str, str]:
    """Escalated problems with due dates and levels in every order, one left at L1 and one without a due date."""
    made = {
        "late-l2": escalated(district, due=TODAY + timedelta(days=20), rungs=1, title="二十天后到期 L2"),
        "soon-l2": escalated(district, due=TODAY + timedelta(days=2), rungs=1, title="两天后到期 L2"),
        "soon-l3": escalated(district, due=TODAY + timedelta(days=2), rungs=2, title="两天后到期 L3"),
        "mid-l3": escalated(district, due=TODAY + timedelta(days=9), rungs=2, title="九天后到期 L3"),
        "no-due-l3": escalated(district, due=TODAY + timedelta(days=30), rungs=2, title="期限待定 L3"),
        "l1": escalated(district, due=TODAY + timedelta(days=1), rungs=0, title="尚在 L1"),
    }
    with district.engine.begin() as conn:  # a due date can only be cleared by hand: the rule has no action for it
        conn.execute(text("UPDATE problem SET due_date = NULL WHERE id = :id"), {"id": made["no-due-l3"]})
    return made


def test_the_queue_puts_problems_with_the_earliest_due_date_and_higher_level_first(
    district: Any, queue: dict[str, str]
) -> None:
    page = issue_reads.escalation_queue(district.uow(), today=TODAY)
    names = {pid: name for name, pid in queue.items()}
    assert [names[v.id] for v in page.items] == ["soon-l3", "soon-l2", "mid-l3", "late-l2", "no-due-l3"]
    assert page.items == sorted(page.items, key=issue_reads.urgency_key)  # the SQL order is the Python order
    assert (page.total, page.page, page.pages) == (5, 1, 1)


def test_pages_split_the_queue_without_gaps_or_overlaps(district: Any, queue: dict[str, str]) -> None:
    whole = [v.id for v in issue_reads.escalation_queue(district.uow(), today=TODAY, limit=None).items]
    pages = [issue_reads.escalation_queue(district.uow(), today=TODAY, limit=2, offset=offset)
             for offset in (0, 2, 4, 6)]
    assert [v.id for p in pages for v in p.items] == whole
    assert [len(p.items) for p in pages] == [2, 2, 1, 0]
    assert {p.total for p in pages} == {5}
    assert [(p.page, p.pages) for p in pages] == [(1, 3), (2, 3), (3, 3), (4, 3)]


def test_a_leaders_queue_counts_only_their_l3_problems(district: Any, queue: dict[str, str]) -> None:
    page = issue_reads.escalation_queue(district.uow(), today=TODAY, limit=1,
                                        filters=issue_reads.QueueFilter(leader=district.leader))
    assert [v.id for v in page.items] == [queue["soon-l3"]]
    assert page.total == 3
    other = issue_reads.escalation_queue(district.uow(), today=TODAY, filters=issue_reads.QueueFilter(leader="nobody"))
    assert (other.items, other.total) == ([], 0)
    by_level = issue_reads.escalation_queue(district.uow(), today=TODAY,
                                            filters=issue_reads.QueueFilter(level=Level.L2))
    assert {v.id for v in by_level.items} == {queue["late-l2"], queue["soon-l2"]}


def test_a_page_size_below_one_or_a_negative_offset_is_refused(district: Any) -> None:
    with pytest.raises(InvalidInput):
        issue_reads.escalation_queue(district.uow(), today=TODAY, limit=0)
    with pytest.raises(InvalidInput):
        issue_reads.escalation_queue(district.uow(), today=TODAY, offset=-1)
