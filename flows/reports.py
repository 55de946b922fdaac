"""Scheduled reports: 周汇报, 月分析, 季调度 — files in the reports folder, an artifact, a notice.

A scheduled run (no period given) publishes the last complete period on its publication day: the first
working day on or after the day the period ends (the official calendar decides, as for the sweep), so
1 January waits for the next working morning. The cron asks every morning of the window; a run on a
day off, before the day, or after the period was published says so and writes nothing. A run that
comes later (after coord was down) publishes what was missed, once. A period given by hand is
published whatever the day, again if asked.

Publishing is idempotent enough to retry (files are rewritten whole; the notice is deduplicated), so
a run that broke is retried twice, two minutes apart.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from coordination.domain.errors import CoordError
from coordination.domain.periods import Cadence, Period, last_complete, parse_period
from coordination.domain.schedules import publication_period
from coordination.services import publishing
from coordination.services.calendar import work_calendar
from coordination.uow import UnitOfWork
from flows._runtime import caller, database, parameter, today
from flows.sweep import note_catch_up

RETRIES, RETRY_DELAY_S, TIMEOUT_S = 2, 120, 1800


def _period(cadence: Cadence, given: str | None) -> Period:
    return parse_period(cadence, given) if given else last_complete(cadence, today())


def _name(cadence: Cadence, option: str) -> str:
    """周汇报-2026-W48: the report's name and the period it covers (given, or the last complete one)."""
    try:
        return f"{publishing.FILE_NAMES[cadence]}-{_period(cadence, parameter(option)).name}"
    except CoordError:  # a period that does not parse fails the run itself, with the reason
        return f"{publishing.FILE_NAMES[cadence]}-{parameter(option)}"


def _publish(cadence: Cadence, db: str | None, period: str | None, folder: str | None) -> dict[str, Any]:
    logger = get_run_logger()
    note_catch_up(publishing.FILE_NAMES[cadence])
    with database(db) as engine:
        person = caller()
        if period:
            chosen = parse_period(cadence, period)
        else:
            with UnitOfWork(engine, write=False) as uow:
                due = publication_period(cadence, person.today, work_calendar(uow.session))
            if due is None:
                nominal = last_complete(cadence, person.today)
                logger.info("%s 不是 %s 的发布日（发布日为其后第一个工作日），今日不发布 / not a publication day",
                            person.today, nominal.name)
                return {"cadence": cadence.value, "period": nominal.name, "published": False,
                        "reason": "not a publication day"}
            if publishing.already_published(UnitOfWork(engine, write=False), cadence, due):
                logger.info("%s %s 已发布，不再重复 / already published", publishing.FILE_NAMES[cadence], due.name)
                return {"cadence": cadence.value, "period": due.name, "published": False,
                        "reason": "already published"}
            chosen = due
        target = publishing.reports_folder(UnitOfWork(engine, write=False), folder)
        published = publishing.publish(UnitOfWork(engine), caller=person, cadence=cadence, period=chosen,
                                       folder=target)
    create_markdown_artifact(markdown=published.markdown, key=f"{cadence.value}-report",
                             description=f"{publishing.FILE_NAMES[cadence]} {chosen.name}")
    logger.info("published %s %s: %s", cadence.value, chosen.name, ", ".join(str(f) for f in published.files))
    return {**published.to_json(), "published": True}


def _weekly_name() -> str:
    return _name(Cadence.WEEKLY, "week")


def _monthly_name() -> str:
    return _name(Cadence.MONTHLY, "month")


def _quarterly_name() -> str:
    return _name(Cadence.QUARTERLY, "quarter")


@flow(name="weekly-report", flow_run_name=_weekly_name, retries=RETRIES, retry_delay_seconds=RETRY_DELAY_S,
      timeout_seconds=TIMEOUT_S)
def weekly_report(db: str | None = None, week: str | None = None, folder: str | None = None) -> dict[str, Any]:
    """周汇报 of the last complete week on its publication day (or of `week`, e.g. 2024-W15, at once)."""
    return _publish(Cadence.WEEKLY, db, week, folder)


@flow(name="monthly-analysis", flow_run_name=_monthly_name, retries=RETRIES, retry_delay_seconds=RETRY_DELAY_S,
      timeout_seconds=TIMEOUT_S)
def monthly_analysis(db: str | None = None, month: str | None = None, folder: str | None = None) -> dict[str, Any]:
    """月分析 of the last complete month on its publication day (or of `month`, e.g. 2024-04, at once)."""
    return _publish(Cadence.MONTHLY, db, month, folder)


@flow(name="quarterly-dispatch", flow_run_name=_quarterly_name, retries=RETRIES, retry_delay_seconds=RETRY_DELAY_S,
      timeout_seconds=TIMEOUT_S)
def quarterly_dispatch(db: str | None = None, quarter: str | None = None,
                       folder: str | None = None) -> dict[str, Any]:
    """季调度 of the last complete quarter on its publication day (or of `quarter`, e.g. 2024Q2, at once)."""
    return _publish(Cadence.QUARTERLY, db, quarter, folder)
