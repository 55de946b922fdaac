"""The demo's clock: the year is lived day by day, every act at its moment in the district's time, in order.

Each act is a callable queued at a moment; the clock runs them in time order (ties in the order they were
queued), so that audit events are written as the days pass and each morning's sweep and checkpoint sees
exactly what came before it. Nothing is ever queued before the moment being run.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Engine

from coordination.config import DISTRICT_TZ
from coordination.domain.workdays import WorkCalendar
from coordination.services.common import Caller

Act = Callable[[], object]
DayHook = Callable[[date], None]


@dataclass
class Clock:
    """The demo's days from `first` to today, the acts queued on them, and the one random source."""

    engine: Engine
    now: datetime  # the demo's "today", aware
    first: date
    calendar: WorkCalendar
    rng: random.Random
    _queue: list[tuple[datetime, int, Act]] = field(default_factory=list)
    _count: int = 0
    _running: datetime | None = None

    @property
    def today(self) -> date:
        return self.now.astimezone(DISTRICT_TZ).date()

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        """A moment of a district day, as the aware UTC time services record."""
        return datetime.combine(day, time(hour, minute), tzinfo=DISTRICT_TZ).astimezone(UTC)

    def day_of(self, moment: datetime) -> date:
        return moment.astimezone(DISTRICT_TZ).date()

    @property
    def running(self) -> datetime:
        """The moment of the act being run."""
        assert self._running is not None, "no act is running"
        return self._running

    def caller(self, handle: str, moment: datetime) -> Caller:
        return Caller(handle, moment, origin="demo")

    def is_workday(self, day: date) -> bool:
        return self.calendar.is_workday(day)

    def workday_after(self, day: date, n: int) -> date:
        """The n-th working day after `day` (n >= 1)."""
        return self.calendar.add_working_days(day, n).day

    def workday_on_or_after(self, day: date) -> date:
        while not self.calendar.is_workday(day):
            day += timedelta(days=1)
        return day

    def office_hours(self, day: date, earliest: int = 9, latest: int = 17) -> datetime:
        """A random moment of the working day, on the quarter hour."""
        return self.at(day, self.rng.randint(earliest, latest - 1), 15 * self.rng.randint(0, 3))

    def push(self, moment: datetime, act: Act) -> None:
        """Queue `act` at `moment`; an act past the demo's now is dropped (the future has not happened)."""
        if moment > self.now:
            return
        if self._running is not None and moment < self._running:
            raise AssertionError(f"an act was queued in the past: {moment} < {self._running}")
        heapq.heappush(self._queue, (moment, self._count, act))
        self._count += 1

    def later(self, day: date, working_days: int, earliest: int = 9, latest: int = 17) -> datetime:
        """A moment `working_days` after `day` (0: later the same day, if it is a working day)."""
        target = self.workday_after(day, working_days) if working_days > 0 else self.workday_on_or_after(day)
        moment = self.office_hours(target, earliest, latest)
        if self._running is not None and moment <= self._running:
            moment = self._running + timedelta(minutes=5)
        return moment

    def run(self, hooks: list[DayHook], progress: Callable[[int, int], None] | None = None) -> None:
        """Every day from the first to today: the day's hooks queue its acts, then they run in order."""
        days = (self.today - self.first).days + 1
        for offset in range(days):
            day = self.first + timedelta(days=offset)
            for hook in hooks:
                hook(day)
            end = self.at(day + timedelta(days=1), 0)
            while self._queue and self._queue[0][0] < end:
                moment, _n, act = heapq.heappop(self._queue)
                self._running = moment
                act()
            if progress is not None:
                progress(offset + 1, days)
