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
from prefect.client.schemas.objects import State
from prefect.states import Completed, Failed

from coordination.services.intake import IntakeItem
from flows._runtime import today
from flows.delivery import Undelivered, deliver_notifications
from flows.intake import intake
from flows.sweep import sweep, verification_reminders


@dataclass
class IntakeBatch:
    raised_by: str
    items: list[IntakeItem] = field(default_factory=list)


def _cycle_name() -> str:
    return f"coordination-cycle-{today().isoformat()}"


@flow(name="coordination-cycle", flow_run_name=_cycle_name, timeout_seconds=1800)
def coordination_cycle(
    db: str | None = None,
    intake_batches: list[IntakeBatch] | None = None,
    force: bool = False,
    deliver: bool = True,
    delivery_retries: int = 2,
) -> State[dict[str, Any]]:
    """Run one day of the district's rhythm: intake, sweep, verification reminders, delivery.

    Each stage runs even when an earlier one failed (the sweep does not wait on a robot); the cycle then
    ends Failed naming the stages that did, so a red child is a red parent.
    """
    results: dict[str, Any] = {"intake": []}
    failed: list[str] = []

    def stage(name: str, child: State[Any]) -> Any:
        if child.is_completed():
            return child.result()
        failed.append(f"{name}: {child.message or child.name}")
        outcome = child.result(raise_on_failure=False)
        return {"state": child.type.value, "message": child.message,
                "result": outcome.report if isinstance(outcome, Undelivered) else None}

    for batch in intake_batches or []:
        results["intake"].append(stage("intake", intake(batch.raised_by, batch.items, db=db, return_state=True)))
    results["sweep"] = stage("sweep", sweep(db=db, force=force, return_state=True))
    results["verification_reminders"] = stage("verification-reminders",
                                              verification_reminders(db=db, force=force, return_state=True))
    if deliver:
        results["delivery"] = stage("deliver-notifications",
                                    deliver_notifications(db=db, retries=delivery_retries, return_state=True))
    if failed:
        return Failed(message="子流程未完成 / sub-flows not completed: " + "; ".join(failed), data=results)
    return Completed(data=results)
