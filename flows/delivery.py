"""Empty the outbox: send pending notifications to the group robots."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task

from coordination import config
from coordination.services import outbox
from coordination.uow import UnitOfWork
from flows._runtime import database


class DeliveryIncomplete(Exception):
    """Some robots were unreachable; their messages stay pending (raised so that Prefect retries)."""


@task(name="send-batch", retries=2, retry_delay_seconds=[10, 60])
def send_batch(db: str | None, limit: int, backoff_s: list[float]) -> dict[str, Any]:
    """One batch through the webhooks: the only unreliable I/O here, so the only task with retries."""
    with database(db) as engine:
        report = outbox.deliver(UnitOfWork(engine), now=config.now(), limit=limit, backoff_s=backoff_s)
    if not report.complete:
        raise DeliveryIncomplete(f"{len(report.retry_later)} messages wait for unreachable robots: "
                                 f"{sorted(set(report.errors.values()))[:3]}")
    return report.to_json()


@flow(name="deliver-notifications")
def deliver_notifications(
    db: str | None = None, limit: int = 200, retries: int = 2, retry_delay_s: float = 10.0,
    backoff_s: list[float] | None = None,
) -> dict[str, Any]:
    """Send up to `limit` pending messages; what cannot be delivered now stays for the next run."""
    attempt = send_batch.with_options(retries=retries, retry_delay_seconds=retry_delay_s)
    report = attempt(db, limit, [0.5, 2.0] if backoff_s is None else backoff_s)
    get_run_logger().info("delivered %s of %s claimed messages", report["delivered"], report["claimed"])
    return report
