"""The deployments `coord serve` serves, with their schedules (cron, Asia/Shanghai)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from prefect.schedules import Cron
from prefect.types.entrypoint import EntrypointType

from flows.cycle import coordination_cycle
from flows.delivery import deliver_notifications
from flows.intake import intake
from flows.ledger import import_ledger
from flows.meetings import meeting_prep
from flows.reports import monthly_analysis, quarterly_dispatch, weekly_report
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
    Plan("meeting-prep", meeting_prep, "0 16 * * 2", "Tuesdays 16:00: plan Wednesday's 专班会商, send 会议通知"),
    Plan("weekly-report", weekly_report, "30 8 * * 1", "Mondays 08:30: last week's 周汇报"),
    Plan("monthly-analysis", monthly_analysis, "0 9 1 * *", "the 1st, 09:00: last month's 月分析"),
    Plan("quarterly-dispatch", quarterly_dispatch, "0 9 1 1,4,7,10 *", "a quarter's first day, 09:00: 季调度"),
    Plan("import-ledger", import_ledger, None, "on demand: import an Excel ledger (path, imported_by)"),
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
