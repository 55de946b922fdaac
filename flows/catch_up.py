"""What `coord serve` repairs at start, before it serves: missed slots and piles of late runs.

A clean stop of `prefect.serve` pauses the deployments and deletes their scheduled runs, so a slot that
passes while coord is down never runs; a hard stop leaves the runs scheduled, and they all fall due at
once on restart. At each start, for every deployment:

- late runs (scheduled in the past, never started) are collapsed: the newest is kept, the rest are
  Cancelled with the reason — a burst of late runs runs once;
- a catch-up deployment (`Schedule.catch_up`: sweep, reminders, meeting preparation, publications)
  whose latest slot passed while coord was down (the deployment existed before the slot, and no run
  started at or after it) gets one run now, tagged `catch-up` — once, not once per missed slot: the
  flows read coord's clock, so one sweep today does what the missed days' would have.

A deployment created at this start (a fresh install) has missed nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from coordination.domain.schedules import BY_NAME, last_slot

CATCH_UP_TAG = "catch-up"
STARTED = frozenset({"PENDING", "RUNNING", "COMPLETED", "FAILED", "CRASHED", "PAUSED", "CANCELLING"})
RUNS_READ, PAGE = 600, 200  # two days of five-minute runs: every late one after an outage
COLLAPSED = "合并：同一部署的迟到运行只保留最新一次 / collapsed: only the newest late run of a deployment runs"


@dataclass(frozen=True)
class RunFact:
    id: UUID
    state: str  # StateType value: SCHEDULED, RUNNING, COMPLETED, …
    expected: datetime


@dataclass
class Repair:
    deployment: str
    slot: datetime | None = None  # the missed slot a run now makes up for
    kept: UUID | None = None  # a late run kept (it runs as the catch-up)
    cancelled: list[UUID] = field(default_factory=list)
    create: bool = False

    @property
    def needed(self) -> bool:
        return bool(self.create or self.cancelled or self.kept)

    def to_json(self) -> dict[str, Any]:
        return {"deployment": self.deployment, "missed_slot": self.slot.isoformat() if self.slot else None,
                "catch_up": self.create or self.kept is not None, "collapsed": len(self.cancelled)}


def decide(name: str, cron: str | None, created: datetime, runs: Sequence[RunFact], now: datetime) -> Repair:
    """The repair one deployment needs at `now` (pure)."""
    repair = Repair(name)
    late = sorted((r for r in runs if r.state == "SCHEDULED" and r.expected <= now), key=lambda r: r.expected)
    if late:
        repair.kept = late[-1].id
        repair.cancelled = [r.id for r in late[:-1]]
    schedule = BY_NAME.get(name)
    if schedule is None or not schedule.catch_up or not cron:
        return repair
    slot = last_slot(cron, now)
    if created >= slot:
        return repair
    if repair.kept is not None:
        repair.slot = slot if late[-1].expected >= slot - timedelta(seconds=1) else None
        return repair
    if not any(r.state in STARTED and r.expected >= slot - timedelta(seconds=1) for r in runs):
        repair.slot, repair.create = slot, True
    return repair


def repair_all(client: Any, deployment_ids: Mapping[str, UUID], crons: Mapping[str, str], now: datetime,
               tags: Mapping[str, Sequence[str]]) -> list[Repair]:
    """Read each deployment's recent runs through `client` (Prefect's sync client), then collapse and catch
    up as `decide` says."""
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.client.schemas.sorting import FlowRunSort
    from prefect.states import Cancelled, Scheduled

    repairs = []
    for name, deployment_id in deployment_ids.items():
        deployment = client.read_deployment(deployment_id)
        cron = crons.get(name)
        runs: list[Any] = []
        while len(runs) < RUNS_READ:  # the server gives at most PAGE a request
            page = client.read_flow_runs(
                deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
                sort=FlowRunSort.EXPECTED_START_TIME_DESC, limit=PAGE, offset=len(runs))
            runs.extend(page)
            if len(page) < PAGE:
                break
        facts = [RunFact(r.id, r.state.type.value if r.state else "SCHEDULED", r.expected_start_time or now)
                 for r in runs]
        repair = decide(name, cron, deployment.created or now, facts, now)
        for run_id in repair.cancelled:
            client.set_flow_run_state(run_id, Cancelled(message=COLLAPSED), force=True)
        if repair.kept is not None and repair.slot is not None:
            client.update_flow_run(repair.kept, tags=[*tags.get(name, ()), CATCH_UP_TAG])
        if repair.create:
            client.create_flow_run_from_deployment(deployment_id, state=Scheduled(scheduled_time=now),
                                                   tags=[*tags.get(name, ()), CATCH_UP_TAG])
        repairs.append(repair)
    return repairs
