"""Intake: raise a batch of problems and route each to the unit the routing table proposes."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger

from coordination.services import intake as intake_service
from coordination.services.intake import IntakeItem
from coordination.uow import UnitOfWork
from flows._runtime import caller, database, parameter, today


def _intake_name() -> str:
    return f"intake-{parameter('raised_by')}-{today().isoformat()}"


@flow(name="intake", flow_run_name=_intake_name, timeout_seconds=600)
def intake(raised_by: str, items: list[IntakeItem], db: str | None = None) -> list[dict[str, Any]]:
    """Raise `items` (e.g. a specialist's weekly list) as `raised_by`; auto-assign where switched on."""
    with database(db) as engine:
        outcomes = intake_service.intake(UnitOfWork(engine), caller=caller(raised_by), items=items)
    tally: dict[str, int] = {}
    for outcome in outcomes:
        tally[outcome.status] = tally.get(outcome.status, 0) + 1
    get_run_logger().info("intake of %d items by %s: %s", len(items), raised_by, tally)
    return [o.to_json() for o in outcomes]
