"""Empty the outbox: send pending notifications to the group robots.

A robot that fails is not retried here: its message waits (1 min, 5 min, 30 min, 2 h) and a later
run, five minutes on, takes it if it is due. Retrying the task at once would only ask the same robot
again; the task retries only when the run itself broke (the database was unreachable, say), and the
lease keeps those retries from sending what the broken attempt may already have sent.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task

from coordination import config
from coordination.services import outbox
from coordination.uow import UnitOfWork
from flows._runtime import database


@task(name="send-batch", retries=2, retry_delay_seconds=[10, 60])
def send_batch(db: str | None, limit: int) -> dict[str, Any]:
    """One run through the webhooks: each due message tried at most once, within the run's time budget."""
    with database(db) as engine:
        report = outbox.deliver(UnitOfWork(engine), now=config.now(), limit=limit)
    if not report.complete:
        get_run_logger().warning(
            "%s messages wait for failing robots (%s timed out), %s left for the next run: %s",
            len(report.retry_later) + len(report.held), len(report.timed_out), report.left,
            sorted(set(report.errors.values()))[:3])
    return report.to_json()


@flow(name="deliver-notifications")
def deliver_notifications(
    db: str | None = None, limit: int = 200, retries: int = 2, retry_delay_s: float = 10.0,
) -> dict[str, Any]:
    """Send up to `limit` due messages; what cannot be delivered now waits for a later run."""
    attempt = send_batch.with_options(retries=retries, retry_delay_seconds=retry_delay_s)
    report = attempt(db, limit)
    get_run_logger().info("delivered %s of %s claimed messages", report["delivered"], report["claimed"])
    return report
