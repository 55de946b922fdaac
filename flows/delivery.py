"""Empty the outbox: send pending notifications to the group robots.

A robot that fails is not retried here: its message waits (1 min, 5 min, 30 min, 2 h) and a later
run, five minutes on, takes it if it is due. Retrying the task at once would only ask the same robot
again; the task retries only when the run itself broke (the database was unreachable, say), 10 s then
60 s later, and the lease keeps those retries from sending what the broken attempt may already have sent.

A run that leaves due messages undelivered (no robot for their group, a robot failing or refusing)
ends Failed, with the counts in its message: a run that did not do its job is red, not green with a
log line. What it did deliver stays delivered; its result is the report either way.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task
from prefect.client.schemas.objects import State
from prefect.states import Completed, Failed

from coordination import config
from coordination.services import outbox
from coordination.uow import UnitOfWork
from flows._runtime import database

TIMEOUT_S = 240  # within the five minutes before the next run


class Undelivered(Exception):
    """What a Failed delivery run holds: why in words, and the run's report (the counts)."""

    def __init__(self, message: str, report: dict[str, Any]) -> None:
        super().__init__(message, report)  # both in args: it pickles whole
        self.report = report

    def __str__(self) -> str:
        return str(self.args[0])


def report_of(state: State[Any]) -> dict[str, Any]:
    """A finished delivery run's report, whether it delivered everything or not."""
    outcome: Any = state.result(raise_on_failure=False)
    return outcome.report if isinstance(outcome, Undelivered) else dict(outcome)


def _delivery_name() -> str:
    return f"deliver-{config.now().astimezone(config.DISTRICT_TZ):%Y-%m-%dT%H:%M}"


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


def undelivered(report: dict[str, Any]) -> str | None:
    """Why a run did not do its job, in words; None when every claimed message went out (or waits only for
    the next run's time budget)."""
    parts = []
    if report["no_webhook"]:
        parts.append(f"{report['no_webhook']} 条没有可用的群机器人（coord webhook add）")
    if report["retry_later"] or report["held"]:
        parts.append(f"{report['retry_later'] + report['held']} 条因机器人出错等待重试")
    if report["failed"]:
        parts.append(f"{report['failed']} 条被机器人拒绝，已停发")
    if not parts:
        return None
    return (f"已送达 {report['delivered']} 条，未送达：" + "；".join(parts) +
            f" / delivered {report['delivered']} of {report['claimed']}")


@flow(name="deliver-notifications", flow_run_name=_delivery_name, timeout_seconds=TIMEOUT_S)
def deliver_notifications(db: str | None = None, limit: int = 200, retries: int = 2) -> State[dict[str, Any]]:
    """Send up to `limit` due messages; what cannot be delivered now waits for a later run, and the run
    ends Failed saying how many and why."""
    report = send_batch.with_options(retries=retries)(db, limit)
    message = undelivered(report)
    if message:
        get_run_logger().error("%s", message)
        return Failed(message=message, data=Undelivered(message, report))
    get_run_logger().info("delivered %s of %s claimed messages", report["delivered"], report["claimed"])
    return Completed(message=f"已送达 {report['delivered']} 条 / delivered {report['delivered']}", data=report)
