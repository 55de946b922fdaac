"""What runs when: the deployments `coord serve` serves, their default crons, and the working-day rules.

Cron cannot know the official calendar (调休 Saturdays, the Spring Festival), so a cron here says when a
deployment is *asked*; the flow itself decides whether the day is one it acts on:

- `WORKING`: the sweep and the verification reminders act on working days only;
- `PUBLICATION`: a report is published on the first working day on or after the day its period ends
  (周汇报 on Monday, 月分析 on the 1st, 季调度 on a quarter's first day), once; its cron asks every morning
  of the window, so 1 January waits for the next working morning;
- `ANY`: delivery and meeting preparation run whenever asked.

Pure: no database, no Prefect. `flows.deployments` builds the Prefect deployments from `SCHEDULES`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from itertools import islice
from zoneinfo import ZoneInfo

from cronsim import CronSim, CronSimError

from coordination.domain.errors import InvalidInput
from coordination.domain.periods import Cadence, Period, last_complete
from coordination.domain.workdays import WorkCalendar

TIMEZONE = "Asia/Shanghai"
ZONE = ZoneInfo(TIMEZONE)
SETTING_PREFIX = "schedule."


class Acts(StrEnum):
    ANY = "any"
    WORKING = "working"
    PUBLICATION = "publication"


@dataclass(frozen=True)
class Schedule:
    name: str  # the deployment's name, and its flow's
    cron: str | None  # None: on demand only
    zh: str
    en: str
    acts: Acts = Acts.ANY
    cadence: Cadence | None = None  # publications only
    catch_up: bool = False  # a slot missed while coord was down runs once at the next start
    single: bool = False  # never two runs at once (concurrency limit 1, later ones cancelled)


SCHEDULES: tuple[Schedule, ...] = (
    Schedule("sweep", "30 7 * * *", "每个工作日 07:30：亮灯、督办、超期自动提级",
             "07:30 each working day: lights, 督办, automatic escalation", Acts.WORKING, catch_up=True, single=True),
    Schedule("verification-reminders", "0 8 * * *", "每个工作日 08:00：催办等待销号的办结申请",
             "08:00 each working day: chase resolutions waiting for verification", Acts.WORKING, catch_up=True,
             single=True),
    Schedule("deliver-notifications", "*/5 * * * *", "每 5 分钟：发送待发通知", "every 5 minutes: empty the outbox",
             single=True),
    Schedule("intake", None, "按需运行：批量上报问题并分办", "on demand: raise and route a batch of problems"),
    Schedule("coordination-cycle", None, "按需运行：以子流程跑完一天的推进节奏",
             "on demand: one day of the rhythm, as sub-flows", single=True),
    Schedule("meeting-prep", "0 16 * * 2", "每周二 16:00：安排周三的专班会商，发送会议通知",
             "Tuesdays 16:00: plan Wednesday's 专班会商, send 会议通知", catch_up=True, single=True),
    Schedule("weekly-report", "30 8 * * *", "周一 08:30（遇节假日顺延）：上周的周汇报",
             "Mondays 08:30, or the next working morning: last week's 周汇报", Acts.PUBLICATION, Cadence.WEEKLY,
             catch_up=True, single=True),
    Schedule("monthly-analysis", "0 9 1-15 * *", "每月 1 日 09:00（遇节假日顺延）：上月的月分析",
             "the 1st, 09:00, or the next working morning: last month's 月分析", Acts.PUBLICATION, Cadence.MONTHLY,
             catch_up=True, single=True),
    Schedule("quarterly-dispatch", "0 9 1-15 1,4,7,10 *", "每季度首日 09:00（遇节假日顺延）：上季度的季调度",
             "a quarter's first day, 09:00, or the next working morning: 季调度", Acts.PUBLICATION,
             Cadence.QUARTERLY, catch_up=True, single=True),
    Schedule("import-ledger", None, "按需运行：导入 Excel 台账（参数 path、imported_by）",
             "on demand: import an Excel ledger (path, imported_by)"),
)
BY_NAME: Mapping[str, Schedule] = {s.name: s for s in SCHEDULES}
SETTING_KEYS: tuple[str, ...] = tuple(SETTING_PREFIX + s.name for s in SCHEDULES if s.cron)


def checked_cron(text: str) -> str:
    """A five-field cron, as Prefect reads it; anything else is refused with the reason."""
    cleaned = " ".join(text.split())
    if len(cleaned.split(" ")) != 5:
        raise InvalidInput(f"时间表须为 5 段 cron（分 时 日 月 周），如 “30 7 * * *”：{text!r}",
                           f"a schedule is a five-field cron (minute hour day month weekday), e.g. '30 7 * * *': "
                           f"{text!r}")
    try:
        CronSim(cleaned, datetime(2026, 1, 1, tzinfo=ZONE))
    except CronSimError as error:
        raise InvalidInput(f"无效的 cron 时间表 {text!r}：{error}", f"invalid cron {text!r}: {error}") from None
    return cleaned


def crons(stored: Mapping[str, str]) -> dict[str, str]:
    """Each scheduled deployment's cron: the district's setting `schedule.<name>`, else the default."""
    return {s.name: stored.get(SETTING_PREFIX + s.name) or s.cron for s in SCHEDULES if s.cron}


def slots(cron: str, after: datetime) -> Iterator[datetime]:
    """The moments `cron` fires after `after`, in Shanghai time."""
    return iter(CronSim(cron, after.astimezone(ZONE)))


def last_slot(cron: str, now: datetime) -> datetime:
    """The latest moment at or before `now` that `cron` fired."""
    return next(iter(CronSim(cron, now.astimezone(ZONE) + timedelta(seconds=1), reverse=True)))


def publication_period(cadence: Cadence, today: date, calendar: WorkCalendar) -> Period | None:
    """The period a scheduled publication publishes `today`: the last complete one, once its publication
    day (the first working day on or after the day after it ends) has come; None on a non-working day or
    before that day."""
    period = last_complete(cadence, today)
    if not calendar.is_workday(today) or today < first_working_day(period.last + timedelta(days=1), calendar):
        return None
    return period


def first_working_day(day: date, calendar: WorkCalendar) -> date:
    while not calendar.is_workday(day):
        day += timedelta(days=1)
    return day


def acts_on(schedule: Schedule, moment: datetime, calendar: WorkCalendar) -> bool:
    """Whether a run asked at `moment` does its work (and does not only note that it has none today)."""
    day = moment.astimezone(ZONE).date()
    if schedule.acts is Acts.WORKING:
        return calendar.is_workday(day)
    if schedule.acts is Acts.PUBLICATION and schedule.cadence is not None:
        period = publication_period(schedule.cadence, day, calendar)
        # The first working day after the period ends is the day; later mornings only catch up.
        return period is not None and first_working_day(period.last + timedelta(days=1), calendar) == day
    return True


def next_run(schedule: Schedule, cron: str, now: datetime, calendar: WorkCalendar,
             horizon: int = 2000) -> datetime | None:
    """The next moment a run of `schedule` will act, looking at most `horizon` cron slots ahead."""
    for moment in islice(slots(cron, now), horizon):
        if acts_on(schedule, moment, calendar):
            return moment
    return None
