"""The light computed in SQL (dashboard counts, `issue list --light`) agrees with the domain's rule."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from coordination.domain.enums import Action, Light
from coordination.services import issue_reads

TODAY = date(2024, 6, 3)  # the fixture's Monday


def test_sql_lights_match_the_rule_on_every_problem(district: Any) -> None:
    # Due dates around the Dragon Boat Festival (Mon 10 June) give green, yellow and red alike.
    for offset in (1, 3, 5, 8, 10, 20):
        pid = district.raise_problem(title=f"期限 {offset} 天的问题")
        district.act(district.secretariat, pid, Action.ASSIGN, unit=district.solving_unit,
                     due=TODAY + timedelta(days=offset))
    unassigned = district.raise_problem(title="尚未交办的问题")
    later = TODAY + timedelta(days=9)  # a week on: some deadlines have passed

    for day in (TODAY, later):
        views = issue_reads.list_problems(district.uow(), today=day)
        by_rule = {light.value: sum(1 for v in views if v.light is light) for light in Light}
        assert issue_reads.count_lights(district.uow(), today=day) == by_rule
        for light in Light:
            filtered = issue_reads.list_problems(district.uow(), today=day,
                                                 filters=issue_reads.ProblemFilter(light=light))
            assert sorted(v.id for v in filtered) == sorted(v.id for v in views if v.light is light)
    assert sum(issue_reads.count_lights(district.uow(), today=later).values()) == 6
    assert unassigned not in {v.id for v in issue_reads.list_problems(
        district.uow(), today=later, filters=issue_reads.ProblemFilter(light=Light.GREEN))}
    assert issue_reads.count_lights(district.uow(), today=later)["red"] >= 1
