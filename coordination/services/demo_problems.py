"""The demo's problems, each living its own life through the transition table, a step at a time.

A problem is raised by a project's specialist (sometimes by the town or park on its roster, or a linked
leader), assigned by the secretariat, signed for and worked on by the lead unit, resolved and checked by
whoever raised it. Its fate — on time, late, an extension asked for, disputed, escalated, explained, long
term, withdrawn — is drawn when it is raised; the morning sweep and the meetings may change its course,
and `Life` follows them (what each service returns says where the problem now stands).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from coordination.domain.enums import Action, Difficulty, ProjectLevel, State
from coordination.domain.problem import ActionInput
from coordination.services import issues
from coordination.services.demo_clock import Clock
from coordination.services.demo_district import (
    OWN_UNIT,
    PROJECTS,
    ROUTES,
    SECOND_SECRETARY,
    SECRETARIAT_HANDLE,
    SPECIALISTS,
    ProjectSpec,
    leaders_of,
    specialists_of,
    staff,
)
from coordination.services.demo_words import CATEGORIES, TITLES, WEIGHTS, note
from coordination.uow import UnitOfWork

FATES = ("on_time", "late", "stuck", "extension", "escalate", "dispute", "explain", "long_term", "withdraw")
FATE_WEIGHTS = (58, 10, 4, 8, 7, 3, 4, 3, 3)
_ROUTE = dict(ROUTES)
LAST_YEAR_SHARE = 0.55
_WRONG = ("ZJJ", "ZRZY", "FGJ", "STHJ", "JTJ")  # where a problem is first sent by mistake, then disputed


@dataclass
class Life:
    """One problem as the demo sees it: where it stands, and its drawn fate."""

    id: str
    project: ProjectSpec
    category: str
    raiser: str
    right_unit: str
    fate: str
    state: State = State.SUBMITTED
    level: int = 1
    unit: str | None = None
    due: date | None = None
    gen: int = 0  # bumped when its course changes: acts queued before are dropped
    reworked: bool = False
    reopened: bool = False

    def follow(self, record: dict[str, Any]) -> None:
        self.state, self.level = State(record["state"]), int(record["level"])
        self.unit = record.get("lead_unit")
        self.due = date.fromisoformat(record["due_date"]) if record.get("due_date") else None

    @property
    def by_specialist(self) -> bool:
        return self.raiser in SPECIALISTS


class ProblemDesk:
    """Raises the day's problems and carries each one's next step."""

    def __init__(self, clock: Clock, per_day: float) -> None:
        self.clock, self.rng, self.per_day = clock, clock.rng, per_day
        self.lives: dict[str, Life] = {}
        self._weights = tuple(4 if p.level is ProjectLevel.PROVINCIAL else 2 if p.level is ProjectLevel.MUNICIPAL
                              else 1 for p in PROJECTS)

    # ---- the day ----------------------------------------------------------------------------

    def on_day(self, day: date) -> None:
        if not self.clock.is_workday(day):
            return
        rate = self.per_day * (2.4 if day.weekday() == 0 else 0.75)  # the specialists' weekly lists arrive on Monday
        if day.year < self.clock.today.year:
            rate *= LAST_YEAR_SHARE  # last year stands for the annual report; this year is the office today
        count = int(rate) + (1 if self.rng.random() < rate - int(rate) else 0)
        for _ in range(count):
            moment = self.clock.office_hours(day, 9, 16)
            self.clock.push(moment, lambda: self._raise(day))

    def _raise(self, day: date) -> None:
        rng = self.rng
        index = rng.choices(range(len(PROJECTS)), weights=self._weights)[0]
        project = PROJECTS[index]
        who = rng.random()
        if who < 0.84:
            raiser = rng.choice(specialists_of(index))
        elif who < 0.95:
            raiser = staff(project.locality)[0]
        else:
            raiser = rng.choice(leaders_of(index))
        category = rng.choices(CATEGORIES, weights=WEIGHTS)[0]
        title, unit = rng.choice(TITLES[category][1])
        right = project.locality if unit == "locality" else unit or _ROUTE[category]
        if raiser not in SPECIALISTS and right == OWN_UNIT:  # only a specialist may check the bureau's own work
            category, title, right = "用地", "用地报批手续推进缓慢", "ZRZY"
        fate = rng.choices(FATES, weights=FATE_WEIGHTS)[0]
        moment = self._now()
        view = issues.raise_problem(UnitOfWork(self.clock.engine), caller=self.clock.caller(raiser, moment),
                                    project=project.code, title=title, category=category)
        life = Life(view.id, project, category, raiser, right, fate)
        self.lives[life.id] = life
        self._then(life, self.clock.later(day, rng.randint(0, 1), 9, 17), self._assign)

    # ---- acting -----------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.clock.running

    def act(self, life: Life, actor: str, action: Action, inputs: ActionInput | None = None) -> None:
        view = issues.act(UnitOfWork(self.clock.engine), caller=self.clock.caller(actor, self._now()),
                          problem_id=life.id, action=action, inputs=inputs or ActionInput())
        life.follow(view.record)
        if life.state is State.ON_AGENDA:
            life.gen += 1  # it waits for a meeting now

    def _then(self, life: Life, moment: datetime, step: Any) -> None:
        gen = life.gen

        def act() -> None:
            if life.gen == gen:
                step(life)
        self.clock.push(moment, act)

    def _today(self) -> date:
        return self.clock.day_of(self._now())

    def _handler(self, life: Life) -> str:
        people = staff(life.unit or life.right_unit)
        return people[0] if len(people) == 1 or self.rng.random() < 0.8 else people[-1]

    def _secretary(self) -> str:
        return SECRETARIAT_HANDLE if self.rng.random() < 0.75 else SECOND_SECRETARY

    # ---- the steps --------------------------------------------------------------------------

    def _assign(self, life: Life) -> None:
        rng = self.rng
        if life.fate == "explain":
            self.act(life, self._secretary(), Action.EXPLAIN, ActionInput(reason=note(rng, "explain")))
            return
        unit = life.right_unit
        if life.fate == "dispute" and life.state is State.SUBMITTED and life.unit is None:
            unit = rng.choice([u for u in _WRONG if u != life.right_unit])
        co = [u for u in life.project.helpers if u not in (unit, OWN_UNIT)]
        co_units = (rng.choice(co),) if co and rng.random() < 0.3 else ()
        difficulty = rng.choices((Difficulty.A, Difficulty.B, Difficulty.C), weights=(2, 5, 3))[0]
        routed = unit == _ROUTE[life.category] and not co_units
        self.act(life, self._secretary(), Action.ASSIGN,
                 ActionInput(unit=None if routed else unit, co_units=co_units, difficulty=difficulty))
        today = self._today()
        if unit != life.right_unit:
            self._then(life, self.clock.later(today, 1, 9, 11), self._dispute)
        else:
            self._then(life, self.clock.later(today, rng.choice((0, 1, 1, 2))), self._acknowledge)

    def _dispute(self, life: Life) -> None:
        self.act(life, self._handler(life), Action.DISPUTE, ActionInput(reason=note(self.rng, "dispute")))
        life.fate = "on_time"
        self._then(life, self.clock.later(self._today(), 1, 9, 12), self._assign)

    def _acknowledge(self, life: Life) -> None:
        self.act(life, self._handler(life), Action.ACKNOWLEDGE)
        self.work(life)

    def work(self, life: Life) -> None:
        """Plan the handling from today to the due date by the drawn fate."""
        rng, today = self.rng, self._today()
        left = max(self.clock.calendar.working_days_between(today, life.due), 1) if life.due else 10
        fate = life.fate
        if fate == "withdraw":
            self._then(life, self.clock.later(today, rng.randint(2, 6)), self._withdraw)
        elif fate == "escalate":
            self._then(life, self.clock.later(today, rng.randint(1, max(2, left // 2))), self._escalate)
        elif fate == "extension" and left >= 3:
            self._then(life, self.clock.later(today, left - rng.randint(1, 2)), self._request_extension)
        elif fate == "long_term":
            self._then(life, self.clock.later(today, max(1, left * 2 // 3)), self._long_term)
        elif fate == "stuck":
            self._progress_notes(life, today, left + 6)  # nothing more: the sweep's reminders, then its escalation
        else:
            finish = left + rng.randint(1, 8) if fate == "late" else rng.randint(max(1, left * 2 // 5), left)
            self._progress_notes(life, today, finish)
            self._then(life, self.clock.later(today, finish), self._resolve)

    def _progress_notes(self, life: Life, today: date, span: int) -> None:
        for _ in range(self.rng.choice((0, 1, 1, 2)) if span > 2 else 0):
            self._then(life, self.clock.later(today, self.rng.randint(1, span - 1)), self._progress)

    def _progress(self, life: Life) -> None:
        if life.state in (State.IN_PROGRESS, State.ASSIGNED):
            self.act(life, self._handler(life), Action.PROGRESS, ActionInput(reason=note(self.rng, "progress")))

    def _resolve(self, life: Life) -> None:
        self.act(life, self._handler(life), Action.RESOLVE, ActionInput(reason=note(self.rng, "resolve")))
        self._then(life, self.clock.later(self._today(), self.rng.randint(1, 3)), self._review)

    def _checker(self, life: Life) -> str:
        if life.by_specialist and (life.unit == OWN_UNIT or self.rng.random() < 0.8):
            return life.raiser
        return self._secretary()

    def _review(self, life: Life) -> None:
        rng, today = self.rng, self._today()
        if not life.reworked and rng.random() < 0.14:
            life.reworked = True
            self.act(life, self._checker(life), Action.REJECT, ActionInput(reason=note(rng, "reject")))
            self._then(life, self.clock.later(today, rng.randint(3, 8)), self._resolve)
            return
        self.act(life, self._checker(life), Action.VERIFY)
        if not life.reopened and rng.random() < 0.03:
            life.reopened = True
            self._then(life, self.clock.later(today, rng.randint(15, 40)), self._reopen)

    def _reopen(self, life: Life) -> None:
        self.act(life, SECRETARIAT_HANDLE, Action.REOPEN, ActionInput(reason=note(self.rng, "reopen")))
        life.fate = "on_time"
        self.work(life)

    def _withdraw(self, life: Life) -> None:
        actor = life.raiser if life.by_specialist else SECRETARIAT_HANDLE
        self.act(life, actor, Action.WITHDRAW, ActionInput(reason=note(self.rng, "withdraw")))

    def _escalate(self, life: Life) -> None:
        self.act(life, self._handler(life), Action.ESCALATE, ActionInput(reason=note(self.rng, "escalate")))

    def escalate_stubborn(self) -> bool:
        """The secretariat takes the most overdue problem at L1 to the week's consultation; False: none."""
        handling = [life for life in self.lives.values()
                    if life.state is State.IN_PROGRESS and life.level == 1 and life.due is not None]
        if not handling:
            return False
        life = min(handling, key=lambda x: (x.due, x.id))
        self.act(life, SECRETARIAT_HANDLE, Action.ESCALATE, ActionInput(reason=note(self.rng, "stubborn")))
        return True

    def _request_extension(self, life: Life) -> None:
        rng = self.rng
        self.act(life, self._handler(life), Action.REQUEST_EXTENSION,
                 ActionInput(reason=note(rng, "extension"), extension_days=rng.choice((5, 10, 15))))
        step = self._approve if rng.random() < 0.75 else self._refuse
        self._then(life, self.clock.later(self._today(), 1), step)

    def _approve(self, life: Life) -> None:
        self.act(life, self._secretary(), Action.APPROVE_EXTENSION)
        life.fate = "on_time"
        self.work(life)

    def _refuse(self, life: Life) -> None:
        self.act(life, SECRETARIAT_HANDLE, Action.ESCALATE, ActionInput(reason=note(self.rng, "refuse")))

    def _long_term(self, life: Life) -> None:
        rng = self.rng
        self.act(life, SECRETARIAT_HANDLE, Action.LONG_TERM, ActionInput(reason=note(rng, "long_term")))
        step = self._close_long if rng.random() < 0.5 else self._reopen
        self._then(life, self.clock.later(self._today(), rng.randint(30, 80)), step)

    def _close_long(self, life: Life) -> None:
        self.act(life, SECRETARIAT_HANDLE, Action.EXPLAIN, ActionInput(reason=note(self.rng, "close_long")))

    # ---- what others did to it -----------------------------------------------------------------

    def escalated(self, problem_id: str, level: int) -> None:
        """The sweep took it a rung up: it waits for the meeting of that rung."""
        life = self.lives.get(problem_id)
        if life is None:
            return
        life.state, life.level, life.gen = State.ON_AGENDA, level, life.gen + 1
        if level >= 5:  # no meeting sits above L4: reported to the city, the unit then solves it
            self._then(life, self.clock.later(self._today(), self.rng.randint(5, 10)), self._resolve)

    def waiting(self, level: int) -> list[Life]:
        return [life for life in self.lives.values() if life.state is State.ON_AGENDA and life.level == level]

    def decided(self, life: Life, record: dict[str, Any]) -> None:
        """A meeting's decision was applied: an assignment is worked on again, to its new due date."""
        life.follow(record)
        life.gen += 1
        if life.state is State.IN_PROGRESS:
            life.fate = "late" if self.rng.random() < 0.12 else "on_time"
            self.work(life)
