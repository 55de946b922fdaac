"""The demo's meetings: the weekly task-force consultation (专班会商) deciding what waits at L2, the linked
leaders' 会办 for L3 and the principal's 专题会 for L4, each planned, opened, decided and closed through
the meetings service, its decisions applied to the problems when the minutes close.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from typing import Any

from coordination.domain.enums import State
from coordination.domain.meetings import DecisionInput, MeetingKind, Outcome
from coordination.services import meetings
from coordination.services.demo_clock import Clock
from coordination.services.demo_district import OWN_UNIT, PRINCIPAL, PROJECTS, SECRETARIAT_HANDLE, UNITS, leaders_of
from coordination.services.demo_problems import Life, ProblemDesk
from coordination.services.demo_words import DECISIONS
from coordination.uow import UnitOfWork

THURSDAY = 3
_NAMES = {code: name for code, name, _kind in UNITS}
_INDEX = {p.code: i for i, p in enumerate(PROJECTS)}
# What each kind of meeting decides, with weights: a leader cannot strike a problem off (the table gives
# explaining to the secretariat and the principal only), and the principal's meeting is the last rung.
_OUTCOMES: dict[MeetingKind, tuple[tuple[Outcome, ...], tuple[int, ...]]] = {
    MeetingKind.TASK_FORCE: ((Outcome.ASSIGN, Outcome.ESCALATE, Outcome.EXPLAIN), (70, 20, 10)),
    MeetingKind.LEADER: ((Outcome.ASSIGN, Outcome.ESCALATE), (80, 20)),
    MeetingKind.PRINCIPAL: ((Outcome.ASSIGN, Outcome.EXPLAIN), (85, 15)),
}


class MeetingDesk:
    def __init__(self, clock: Clock, desk: ProblemDesk) -> None:
        self.clock, self.desk, self.rng = clock, desk, clock.rng
        self.held: list[str] = []  # meeting ids, in the order they were planned
        self._decisions: dict[str, DecisionInput] = {}  # recorded, applied when the minutes close

    def on_day(self, day: date) -> None:
        clock = self.clock
        if not clock.is_workday(day):
            return
        following = clock.workday_after(day, 1)
        if following == self._consultation_day(following):
            clock.push(clock.at(day, 15, 0), lambda: self._task_force(day, following))
        if day.weekday() == 0:
            clock.push(clock.at(day, 16, 0), lambda: self._leaders(day))

    def _consultation_day(self, day: date) -> date | None:
        """The week's consultation: its Thursday, or the first working day after it in the same week."""
        thursday = day - timedelta(days=day.weekday() - THURSDAY)
        held = self.clock.workday_on_or_after(thursday)
        return held if held.isocalendar()[:2] == thursday.isocalendar()[:2] else None

    def _task_force(self, day: date, held_on: date) -> None:
        if not self.desk.waiting(2) and not self.desk.escalate_stubborn():
            return
        self._plan(MeetingKind.TASK_FORCE, SECRETARIAT_HANDLE, day, held_on, (9, 30))

    def _leaders(self, day: date) -> None:
        claimed: set[str] = set()
        for chair in sorted({leaders_of(_INDEX[life.project.code])[0] for life in self.desk.waiting(3)}):
            if any(chair in leaders_of(_INDEX[life.project.code]) and life.id not in claimed
                   for life in self.desk.waiting(3)):
                claimed.update(self._plan(MeetingKind.LEADER, chair, day, self.clock.workday_after(day, 1), (15, 0)))
        if self.desk.waiting(4):
            self._plan(MeetingKind.PRINCIPAL, PRINCIPAL, day, self.clock.workday_after(day, 2), (10, 0))

    def _plan(self, kind: MeetingKind, chair: str, day: date, held_on: date, start: tuple[int, int]) -> list[str]:
        clock = self.clock
        view = meetings.plan_meeting(UnitOfWork(clock.engine), caller=clock.caller(SECRETARIAT_HANDLE, clock.running),
                                     kind=kind, held_on=held_on, chair=chair, notify=True)
        self.held.append(view.id)
        agenda = [str(item.problem["id"]) for item in view.agenda]
        opening = clock.at(held_on, *start)
        clock.push(opening, lambda: self._open(view.id))
        for n, problem_id in enumerate(agenda, start=1):
            clock.push(opening + timedelta(minutes=5 * n), partial(self._decide, view.id, kind, held_on, problem_id))
        clock.push(opening + timedelta(minutes=5 * len(agenda) + 20), lambda: self._close(view.id, kind))
        return agenda

    def _caller(self) -> Any:
        return self.clock.caller(SECRETARIAT_HANDLE, self.clock.running)

    def _open(self, meeting_id: str) -> None:
        meetings.start_meeting(UnitOfWork(self.clock.engine), caller=self._caller(), meeting_id=meeting_id)

    def _decide(self, meeting_id: str, kind: MeetingKind, held_on: date, problem_id: str) -> None:
        rng, life = self.rng, self.desk.lives[problem_id]
        options, weights = _OUTCOMES[kind]
        outcome = rng.choices(options, weights=weights)[0]
        if outcome is Outcome.ESCALATE and life.level >= 4:
            outcome = Outcome.ASSIGN
        if outcome is Outcome.ASSIGN:
            unit = life.unit or life.right_unit
            if unit == OWN_UNIT and not life.by_specialist:
                unit = life.right_unit if life.right_unit != OWN_UNIT else "ZRZY"
            helpers = [u for u in life.project.helpers if u != unit]
            co_units = tuple(rng.sample(helpers, min(len(helpers), rng.randint(1, 2))))
            text = rng.choice(DECISIONS["assign"]).format(
                unit=_NAMES[unit], co="、".join(_NAMES[u] for u in co_units) or "相关单位")
            due = self.clock.calendar.add_working_days(held_on, rng.randint(10, 20)).day
            decision = DecisionInput(outcome, text, unit=unit, co_units=co_units, due=due)
        else:
            decision = DecisionInput(outcome, rng.choice(DECISIONS[outcome.value]))
        meetings.decide(UnitOfWork(self.clock.engine), caller=self._caller(), meeting_id=meeting_id,
                        problem_id=problem_id, decision=decision)
        self._decisions[problem_id] = decision

    def _close(self, meeting_id: str, kind: MeetingKind) -> None:
        view = meetings.close_meeting(UnitOfWork(self.clock.engine), caller=self._caller(), meeting_id=meeting_id)
        for problem_id in view.applied:
            life = self.desk.lives[problem_id]
            decision = self._decisions.pop(problem_id)
            self.desk.decided(life, _after(life, decision))


def _after(life: Life, decision: DecisionInput) -> dict[str, Any]:
    """The problem's standing once the decision applied (what the transition table makes of it)."""
    if decision.outcome is Outcome.ASSIGN:
        assert decision.due is not None
        return {"state": State.IN_PROGRESS.value, "level": life.level, "lead_unit": decision.unit,
                "due_date": decision.due.isoformat()}
    if decision.outcome is Outcome.ESCALATE:
        return {"state": State.ON_AGENDA.value, "level": life.level + 1, "lead_unit": life.unit,
                "due_date": life.due.isoformat() if life.due else None}
    return {"state": State.CLOSED_EXPLAINED.value, "level": life.level, "lead_unit": life.unit,
            "due_date": life.due.isoformat() if life.due else None}
