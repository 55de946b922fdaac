"""The district's weekly rhythm, run as sub-flows.

The 1+2+N rhythm of a district, as coord runs it (times in Asia/Shanghai; "working day" means the
official calendar, 调休 Saturdays included and holidays excluded):

| when | stage | flow |
|---|---|---|
| each working day 07:30 | lights, 督办 on red, automatic escalation | `sweep` |
| each working day 08:00 | chase resolutions waiting for verification | `verification-reminders` |
| every 5 minutes | send what the stages above (and people) queued | `deliver-notifications` |
| Monday, as lists arrive | specialists' weekly lists raised and routed | `intake` |
| Tuesday (task force 会商, L2) | agenda from problems waiting at L2 | meeting preparation (a later issue) |
| Friday | weekly report (周汇报) published to the district group | reports (a later issue) |

`coordination-cycle` runs one day of that rhythm in order — the intake batches it is given, then the
sweep, the verification reminders and a delivery — each as a sub-flow with its own flow-run id, so
every audit event names the run that caused it. It is the catch-up and demonstration path (after an
outage, or on a fresh install); day to day, the separate deployments run on their own schedules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prefect import flow

from coordination.services.intake import IntakeItem
from flows.delivery import deliver_notifications
from flows.intake import intake
from flows.sweep import sweep, verification_reminders


@dataclass
class IntakeBatch:
    raised_by: str
    items: list[IntakeItem] = field(default_factory=list)


@flow(name="coordination-cycle")
def coordination_cycle(
    db: str | None = None,
    intake_batches: list[IntakeBatch] | None = None,
    force: bool = False,
    deliver: bool = True,
    delivery_retries: int = 2,
) -> dict[str, Any]:
    """Run one day of the district's rhythm: intake, sweep, verification reminders, delivery."""
    results: dict[str, Any] = {"intake": []}
    for batch in intake_batches or []:
        results["intake"].append(intake(batch.raised_by, batch.items, db=db))
    results["sweep"] = sweep(db=db, force=force)
    results["verification_reminders"] = verification_reminders(db=db, force=force)
    if deliver:
        outcome = deliver_notifications(db=db, retries=delivery_retries, return_state=True)
        results["delivery"] = outcome.result(raise_on_failure=False) if outcome.is_completed() else {
            "state": outcome.type.value, "message": outcome.message}
    return results
