"""`system` is an actor only the scheduled jobs can be: the services refuse it to anyone else."""

from __future__ import annotations

from typing import Any

import pytest

from coordination.domain.enums import Action, Difficulty
from coordination.domain.errors import NotPermitted
from coordination.domain.problem import ActionInput
from coordination.services import issues, sweep
from coordination.services.common import SYSTEM_HANDLE, Caller


def test_a_caller_who_only_names_system_may_not_escalate(district: Any) -> None:
    problem = district.raise_problem()
    district.assign(problem, difficulty=Difficulty.C)
    posing = Caller(SYSTEM_HANDLE, district.now, "cli")
    with pytest.raises(NotPermitted) as refused:
        issues.act(district.uow(), caller=posing, problem_id=problem, action=Action.ESCALATE,
                   inputs=ActionInput(reason="冒用系统账号"))
    assert "定时任务" in refused.value.message("zh")
    assert district.problem_row(problem)["level"] == 1


def test_nobody_sweeps_as_system_but_a_scheduled_job(district: Any) -> None:
    with pytest.raises(NotPermitted):
        sweep.sweep(district.uow(), caller=Caller(SYSTEM_HANDLE, district.now, "cli"))
    ran = sweep.sweep(district.uow(), caller=Caller(SYSTEM_HANDLE, district.now, "flow-run:x", scheduled=True))
    assert ran.working_day


def test_the_scheduled_system_actor_escalates_through_the_table(district: Any) -> None:
    problem = district.raise_problem()
    district.assign(problem, difficulty=Difficulty.C)
    job = Caller(SYSTEM_HANDLE, district.now, "flow-run:x", scheduled=True)
    view = issues.act(district.uow(), caller=job, problem_id=problem, action=Action.ESCALATE,
                      inputs=ActionInput(reason="超期自动提级"))
    assert view.record["level"] == 2

