"""The deployments `coord serve` serves, with their schedules (cron, Asia/Shanghai)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from prefect.schedules import Cron
from prefect.types.entrypoint import EntrypointType

from flows.cycle import coordination_cycle
from flows.delivery import deliver_notifications
from flows.intake import intake
from flows.sweep import sweep, verification_reminders

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Plan:
    name: str
    flow: Any
    cron: str | None  # None: run on demand (prefect deployment run NAME/NAME -p ...)
    what: str


# The sweep fires every day at 07:30 and itself skips days the official calendar makes non-working:
# cron cannot know 调休 Saturdays or the Spring Festival, coord's calendar does.
PLANS: tuple[Plan, ...] = (
    Plan("sweep", sweep, "30 7 * * *", "07:30 each working day: lights, 督办, automatic escalation"),
    Plan("verification-reminders", verification_reminders, "0 8 * * *",
         "08:00 each working day: chase resolutions waiting for verification"),
    Plan("deliver-notifications", deliver_notifications, "*/5 * * * *", "every 5 minutes: empty the outbox"),
    Plan("intake", intake, None, "on demand: raise and route a batch of problems"),
    Plan("coordination-cycle", coordination_cycle, None, "on demand: one day of the rhythm, as sub-flows"),
)


def deployments() -> list[RunnerDeployment]:
    """One deployment per plan, named after its flow."""
    built = []
    for plan in PLANS:
        schedules = [Cron(plan.cron, timezone=TIMEZONE)] if plan.cron else None
        # Module entrypoints (flows.sweep.sweep): runs load the installed package, whatever the cwd.
        built.append(plan.flow.to_deployment(name=plan.name, schedules=schedules, description=plan.what,
                                             entrypoint_type=EntrypointType.MODULE_PATH))
    return built


def deploy(work_pool: str) -> list[Any]:
    """Register every deployment with a work pool on the server at PREFECT_API_URL; workers run them.

    The entrypoints are module paths (`flows.sweep.sweep`): each worker machine has coord installed,
    so no image or remote code storage is needed.
    """
    ids = []
    for plan in PLANS:
        schedules = [Cron(plan.cron, timezone=TIMEZONE)] if plan.cron else None
        ids.append(plan.flow.deploy(name=plan.name, work_pool_name=work_pool, schedules=schedules,
                                    description=plan.what, entrypoint_type=EntrypointType.MODULE_PATH,
                                    print_next_steps=False, ignore_warnings=True))
    return ids
