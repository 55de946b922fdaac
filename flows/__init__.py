"""Prefect flows: thin orchestration over coord's services, and their schedules.

Flows: `intake`, `sweep`, `verification-reminders`, `deliver-notifications` and
`coordination-cycle` (one day of the district's rhythm as sub-flows; see `flows.cycle`). Each flow
calls services; the only task with retries wraps the webhook I/O. Every audit event a flow run causes
carries `flow-run:<id>` as its origin.

On one machine
--------------
`coord serve` serves every deployment of `flows.deployments` with `prefect.serve`; the schedules and
their working-day rules are `coordination.domain.schedules`. Schedules fire only against a real Prefect
server: `coord serve` uses the one at PREFECT_API_URL, or starts its own on 127.0.0.1 and stops it on
exit, and says which. At start it checks the configuration (`services.readiness`), collapses late runs
and catches up a slot missed while it was down (`flows.catch_up`).

Beyond one machine (a Prefect server with a work pool and workers)
-----------------------------------------------------------------
1. Run a Prefect server on PostgreSQL (14.9+; Redis too for several server replicas):
   `PREFECT_API_DATABASE_CONNECTION_URL=postgresql+asyncpg://… prefect server start --host 0.0.0.0`.
2. Move coord's own database to PostgreSQL as well (`COORD_DATABASE_URL=postgresql://…`): workers on
   several machines cannot share an SQLite file.
3. Create a process work pool: `prefect work-pool create coord --type process`.
4. Register the deployments against it from a checkout of this repository (same code the workers run):
   `python -c "from flows.deployments import deploy; deploy('coord')"` — or, equivalently, with
   `prefect deploy` and a prefect.yaml naming each flow's entrypoint (`flows/sweep.py:sweep`, …) with
   the crons in `coordination.domain.schedules.SCHEDULES` and `timezone: Asia/Shanghai`. `deploy` registers module
   entrypoints (`flows.sweep.sweep`), so workers need coord installed but no image or code storage.
5. On each worker machine: install coord (`pip install -e .`), set PREFECT_API_URL to the server and
   COORD_DATABASE_URL to the shared database, then `prefect worker start --pool coord`.
Leave the flow-run heartbeat on in deployed workers (it feeds zombie-run detection); it is turned off
only in tests. Idempotency does not depend on Prefect: the sweep selects by date thresholds and writes
nothing on a second run the same day; delivery claims messages with a lease in coord's database.
"""
