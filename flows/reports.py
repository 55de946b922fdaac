"""Scheduled reports: 周汇报, 月分析, 季调度 — files in the reports folder, an artifact, a notice."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from coordination.domain.periods import Cadence, last_complete, parse_period
from coordination.services import publishing
from coordination.uow import UnitOfWork
from flows._runtime import caller, database


def _publish(cadence: Cadence, db: str | None, period: str | None, folder: str | None) -> dict[str, Any]:
    with database(db) as engine:
        person = caller()
        chosen = parse_period(cadence, period) if period else last_complete(cadence, person.today)
        target = publishing.reports_folder(UnitOfWork(engine, write=False), folder)
        published = publishing.publish(UnitOfWork(engine), caller=person, cadence=cadence, period=chosen,
                                       folder=target)
    create_markdown_artifact(markdown=published.markdown, key=f"{cadence.value}-report",
                             description=f"{publishing.FILE_NAMES[cadence]} {chosen.name}")
    get_run_logger().info("published %s %s: %s", cadence.value, chosen.name,
                          ", ".join(str(f) for f in published.files))
    return published.to_json()


@flow(name="weekly-report")
def weekly_report(db: str | None = None, week: str | None = None, folder: str | None = None) -> dict[str, Any]:
    """周汇报 of the last complete week (or `week`, e.g. 2024-W15)."""
    return _publish(Cadence.WEEKLY, db, week, folder)


@flow(name="monthly-analysis")
def monthly_analysis(db: str | None = None, month: str | None = None, folder: str | None = None) -> dict[str, Any]:
    """月分析 of the last complete month (or `month`, e.g. 2024-04)."""
    return _publish(Cadence.MONTHLY, db, month, folder)


@flow(name="quarterly-dispatch")
def quarterly_dispatch(db: str | None = None, quarter: str | None = None,
                       folder: str | None = None) -> dict[str, Any]:
    """季调度 of the last complete quarter (or `quarter`, e.g. 2024Q2)."""
    return _publish(Cadence.QUARTERLY, db, quarter, folder)
