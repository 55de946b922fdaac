"""The deployments `coord serve` serves, built from `coordination.domain.schedules` (cron, Asia/Shanghai).

Each deployment that must never overlap itself (the sweep, the reminders, delivery, meeting preparation,
the publications) has a concurrency limit of one whose collision strategy cancels the newcomer: a burst
of late runs (after an outage) runs once, the rest end Cancelled. Every run carries the deployment's tags:
`coord`, `district:<name>` and the deployment's own (`publication` for the reports).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.schedules import Cron
from prefect.types.entrypoint import EntrypointType

from coordination.domain.schedules import SCHEDULES, TIMEZONE, Acts, Schedule
from flows.cycle import coordination_cycle
from flows.delivery import deliver_notifications
from flows.intake import intake
from flows.ledger import import_ledger
from flows.meetings import meeting_prep
from flows.reports import monthly_analysis, quarterly_dispatch, weekly_report
from flows.sweep import sweep, verification_reminders

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

__all__ = ["FLOWS", "TIMEZONE", "deploy", "deployment_tags", "deployments"]

FLOWS: Mapping[str, Any] = {
    "sweep": sweep, "verification-reminders": verification_reminders, "deliver-notifications": deliver_notifications,
    "intake": intake, "coordination-cycle": coordination_cycle, "meeting-prep": meeting_prep,
    "weekly-report": weekly_report, "monthly-analysis": monthly_analysis, "quarterly-dispatch": quarterly_dispatch,
    "import-ledger": import_ledger,
}
ONE_AT_A_TIME = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)


def deployment_tags(schedule: Schedule, district: str | None) -> list[str]:
    tags = ["coord"] + ([f"district:{district}"] if district else [])
    return tags + (["publication"] if schedule.acts is Acts.PUBLICATION else [])


def _options(schedule: Schedule, crons: Mapping[str, str], district: str | None) -> dict[str, Any]:
    cron = crons.get(schedule.name, schedule.cron) if schedule.cron else None
    return {"name": schedule.name, "description": schedule.en, "tags": deployment_tags(schedule, district),
            "schedules": [Cron(cron, timezone=TIMEZONE)] if cron else None,
            "concurrency_limit": ONE_AT_A_TIME if schedule.single else None,
            # Module entrypoints (flows.sweep.sweep): runs load the installed package, whatever the cwd.
            "entrypoint_type": EntrypointType.MODULE_PATH}


def deployments(crons: Mapping[str, str] | None = None, district: str | None = None) -> list[RunnerDeployment]:
    """One deployment per schedule, named after its flow; `crons` (the district's schedule.* settings) win."""
    return [FLOWS[s.name].to_deployment(**_options(s, crons or {}, district)) for s in SCHEDULES]


def deploy(work_pool: str, crons: Mapping[str, str] | None = None, district: str | None = None) -> list[Any]:
    """Register every deployment with a work pool on the server at PREFECT_API_URL; workers run them.

    The entrypoints are module paths (`flows.sweep.sweep`): each worker machine has coord installed,
    so no image or remote code storage is needed.
    """
    return [FLOWS[s.name].deploy(work_pool_name=work_pool, print_next_steps=False, ignore_warnings=True,
                                 **_options(s, crons or {}, district)) for s in SCHEDULES]


def names(selected: Sequence[str] | None = None) -> list[str]:
    return [s.name for s in SCHEDULES if selected is None or s.name in selected]
