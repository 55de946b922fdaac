"""The daily sweep and the chasing of resolutions that wait for verification."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger

from coordination.services import sweep as sweep_service
from coordination.uow import UnitOfWork
from flows._runtime import caller, database


@flow(name="sweep", log_prints=False)
def sweep(db: str | None = None, dry_run: bool = False, force: bool = False) -> dict[str, Any]:
    """Turn lights, remind (督办) on red, escalate the long overdue. Skips non-working days unless `force`."""
    with database(db) as engine:
        result = sweep_service.sweep(UnitOfWork(engine), caller=caller(), dry_run=dry_run,
                                     only_on_working_days=not force)
    logger = get_run_logger()
    if not result.working_day and not force:
        logger.info("%s is not a working day: nothing to sweep", result.today)
    else:
        logger.info("swept %s: lights %s, %d reminders, %d task reminders, %d escalations, %d events",
                    result.today, result.lights(), len(result.reminders), len(result.task_reminders),
                    len(result.escalations), result.events)
    return result.to_json()


@flow(name="verification-reminders")
def verification_reminders(db: str | None = None, dry_run: bool = False, force: bool = False) -> dict[str, Any]:
    """Chase problems left in `resolution_submitted` for more than N working days (default 2)."""
    with database(db) as engine:
        result = sweep_service.chase_verifications(UnitOfWork(engine), caller=caller(), dry_run=dry_run,
                                                   only_on_working_days=not force)
    get_run_logger().info("chased %d resolutions waiting for verification", len(result.chased))
    return result.to_json()
