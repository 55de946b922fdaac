"""The daily sweep and the chasing of resolutions that wait for verification.

Both are idempotent (a second run the same day writes nothing), so a run that broke on a transient error
(the database restarting, a lock) is retried twice, a minute apart; a run stuck past its timeout fails
instead of holding the deployment's one slot for the day.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from coordination.services import sweep as sweep_service
from coordination.services.sweep import SweepResult
from coordination.uow import UnitOfWork
from flows._runtime import caller, database, tags, today

RETRIES, RETRY_DELAY_S, TIMEOUT_S = 2, 60, 900
ARTIFACT_CAP = 30  # ids shown per line of the summary artifact; the audit holds them all
CATCH_UP = "catch-up"


def _sweep_name() -> str:
    return f"sweep-{today().isoformat()}"


def _reminders_name() -> str:
    return f"verification-reminders-{today().isoformat()}"


def note_catch_up(what: str) -> None:
    """Say in the run's log that this run makes up for a slot missed while coord was down."""
    if CATCH_UP in tags():
        get_run_logger().info("补跑：%s 的定时运行在 coord 停止期间错过，现补跑一次 / catch-up run for a missed slot",
                              what)


@flow(name="sweep", log_prints=False, flow_run_name=_sweep_name, retries=RETRIES, retry_delay_seconds=RETRY_DELAY_S,
      timeout_seconds=TIMEOUT_S)
def sweep(db: str | None = None, dry_run: bool = False, force: bool = False) -> dict[str, Any]:
    """Turn lights, remind (督办) on red, escalate the long overdue. Skips non-working days unless `force`.

    Returns the counts and at most 50 ids of each list; the run's artifact `sweep-summary` shows them.
    """
    note_catch_up("巡查")
    with database(db) as engine:
        result = sweep_service.sweep(UnitOfWork(engine), caller=caller(), dry_run=dry_run,
                                     only_on_working_days=not force)
    logger = get_run_logger()
    if not result.working_day and not force:
        logger.info("%s 不是工作日，不巡查 / %s is not a working day: nothing to sweep", result.today, result.today)
    else:
        logger.info("swept %s: lights %s, %d reminders, %d task reminders, %d escalations, %d events",
                    result.today, result.lights(), len(result.reminders), len(result.task_reminders),
                    len(result.escalations), result.events)
    create_markdown_artifact(markdown=summary_markdown(result), key="sweep-summary",
                             description=f"巡查 {result.today}")
    return result.summary()


_LIGHTS = {"red": "转红灯", "yellow": "转黄灯", "green": "转绿灯", "none": "熄灯（无期限）"}


def summary_markdown(result: SweepResult, cap: int = ARTIFACT_CAP) -> str:
    """The sweep's artifact: what turned, who was reminded, what went up a level — ids capped per line."""
    def ids(items: list[str]) -> str:
        more = f" …另 {len(items) - cap} 个" if len(items) > cap else ""
        return (", ".join(items[:cap]) + more) if items else "—"

    heading = f"# 巡查 {result.today}" + ("（预演，未写入）" if result.dry_run else "")
    if not result.working_day and not result.events:
        return f"{heading}\n\n非工作日，未巡查。\n"
    turned: dict[str, list[str]] = {}
    for change in result.light_changes:
        turned.setdefault(change.after or "none", []).append(change.problem_id)
    lines = [heading, "", "| 事项 | 数量 | 编号 |", "|---|---:|---|"]
    lines += [f"| {_LIGHTS[light]} | {len(turned[light])} | {ids(turned[light])} |" for light in _LIGHTS
              if light in turned]
    lines.append(f"| 督办 | {len(result.reminders)} | {ids(result.reminders)} |")
    if result.task_reminders:
        lines.append(f"| 重点任务督办 | {len(result.task_reminders)} | {ids(result.task_reminders)} |")
    lines.append(f"| 自动提级 | {len(result.escalations)} | "
                 f"{ids([f'{e.problem_id}→L{e.to_level}' for e in result.escalations])} |")
    if result.refused:
        lines.append(f"| 未能提级 | {len(result.refused)} | {ids(list(result.refused))} |")
    lines += ["", f"审计事件 {result.events} 条，待发通知 {result.messages} 条，用时 {result.seconds:.2f} 秒。"]
    return "\n".join(lines) + "\n"


@flow(name="verification-reminders", flow_run_name=_reminders_name, retries=RETRIES,
      retry_delay_seconds=RETRY_DELAY_S, timeout_seconds=TIMEOUT_S)
def verification_reminders(db: str | None = None, dry_run: bool = False, force: bool = False) -> dict[str, Any]:
    """Chase problems left in `resolution_submitted` for more than N working days (default 2)."""
    note_catch_up("催办销号")
    with database(db) as engine:
        result = sweep_service.chase_verifications(UnitOfWork(engine), caller=caller(), dry_run=dry_run,
                                                   only_on_working_days=not force)
    get_run_logger().info("chased %d resolutions waiting for verification", len(result.chased))
    return result.to_json()
