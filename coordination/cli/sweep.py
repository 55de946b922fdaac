"""`coord sweep`, `coord serve`, and the notification plumbing: `coord outbox`, `coord webhook`, `coord setting`.

Only `coord serve` imports Prefect, inside the command: every other command here stays fast.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.table import Table

from coordination.cli.context import AppState, JsonOption, state
from coordination.domain.errors import CoordError, InvalidInput
from coordination.render import admin_screens

if TYPE_CHECKING:
    from coordination.services.sweep import SweepResult

outbox_app = typer.Typer(help="待发通知（督办、交办、提级…） / the notification outbox.", no_args_is_help=True)
webhook_app = typer.Typer(help="钉钉、企业微信群机器人 / DingTalk and WeCom group robots.", no_args_is_help=True)
setting_app = typer.Typer(help="系统设置：巡查阈值、自动交办 / district settings.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("sweep")(sweep)
    app.command("serve")(serve)
    app.add_typer(outbox_app, name="outbox")
    app.add_typer(webhook_app, name="webhook")
    app.add_typer(setting_app, name="setting")


# ---- coord sweep ---------------------------------------------------------------------------


def sweep(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示变化，不写入 / show, change nothing")] = False,
    as_json: bool = JsonOption,
) -> None:
    """每日巡查：亮灯、红灯督办、超期自动提级 / the daily sweep: lights, reminders, escalation."""
    from coordination import config
    from coordination.services import sweep as sweep_service
    from coordination.services.common import scheduled_caller

    app_state = state(ctx)
    # Run as `system`; a named person (required when tokens are) must be an admin or the secretariat.
    requester = app_state.caller() if config.token_required() or config.current_user(app_state.user) else None
    origin = f"cli:{requester.handle}" if requester else "cli"
    result = sweep_service.sweep(app_state.uow(), caller=scheduled_caller(config.now(), origin),
                                 dry_run=dry_run, requested_by=requester)
    if as_json:
        app_state.emit_json(result.to_json())
        return
    app_state.out.print(_sweep_table(result, app_state))


def _sweep_table(result: SweepResult, app_state: AppState) -> Table:
    t = app_state.t
    heading = (t("巡查预演（未写入）", "Sweep preview (nothing written)") if result.dry_run
               else t("巡查完成", "Sweep done"))
    table = Table(title=f"{heading} {result.today}", box=box.SIMPLE_HEAD, header_style="bold")
    table.add_column(t("项目", "What"))
    table.add_column(t("数量", "Count"), justify="right")
    table.add_column(t("问题", "Problems"), overflow="fold")
    for light in ("green", "yellow", "red", "none"):
        ids = [c.problem_id for c in result.light_changes if (c.after or "none") == light]
        if ids:
            name = {"green": t("转绿灯", "turned green"), "yellow": t("转黄灯", "turned yellow"),
                    "red": t("转红灯", "turned red"), "none": t("熄灯（无期限）", "light cleared")}[light]
            table.add_row(name, str(len(ids)), _ids(ids))
    table.add_row(t("督办", "reminders"), str(len(result.reminders)), _ids(result.reminders))
    if result.task_reminders:
        table.add_row(t("重点任务督办（逾月未报进展）", "plan tasks reminded (no report for a month)"),
                      str(len(result.task_reminders)), _ids(result.task_reminders))
    table.add_row(t("自动提级", "escalations"), str(len(result.escalations)),
                  _ids([f"{e.problem_id}→L{e.to_level}" for e in result.escalations]))
    if result.refused:
        table.add_row(t("未能提级", "not escalated"), str(len(result.refused)), _ids(list(result.refused)))
    table.caption = t(f"审计事件 {result.events} 条，待发通知 {result.messages} 条，用时 {result.seconds:.2f} 秒",
                      f"{result.events} audit events, {result.messages} messages queued, {result.seconds:.2f} s")
    if not result.working_day:
        table.caption += t("（今天不是工作日）", " (today is not a working day)")
    return table


def _ids(ids: list[str], shown: int = 12) -> str:
    if not ids:
        return "—"
    more = f" …(+{len(ids) - shown})" if len(ids) > shown else ""
    return ", ".join(ids[:shown]) + more


# ---- coord serve ---------------------------------------------------------------------------


def serve(
    ctx: typer.Context,
    port: Annotated[int, typer.Option("--port", help="自启服务器的端口 / port of the server coord starts")] = 4200,
    list_only: Annotated[bool, typer.Option("--list", help="只列出部署与时间表 / list deployments and exit")] = False,
) -> None:
    """按时间表运行全部流程（Prefect） / run every deployment on its schedule with Prefect.

    Uses the Prefect server at PREFECT_API_URL, or starts one on 127.0.0.1 and stops it on exit.
    """
    app_state = state(ctx)
    _ = app_state.engine  # refuse early when coord's database is not initialised
    os.environ["COORD_DATABASE_URL"] = app_state.url  # the flow runs, in child processes, use this database
    if list_only:
        from flows.deployments import PLANS, TIMEZONE

        plans = [(plan.name, plan.cron, plan.what) for plan in PLANS]
        app_state.out.print(admin_screens.deployments_table(plans, TIMEZONE, app_state.lang))
        return
    server: subprocess.Popen[bytes] | None = None
    api_url = os.environ.get("PREFECT_API_URL") or _profile_api_url()
    if api_url:
        if not _healthy(api_url):
            raise CoordError(f"PREFECT_API_URL={api_url} 上的 Prefect 服务器无法连接；"
                             "请先启动它，或取消该设置让 coord 自启",
                             f"no Prefect server answers at PREFECT_API_URL={api_url}; start it, or unset it and "
                             "coord will start its own")
        app_state.note(app_state.t(f"使用 PREFECT_API_URL 指定的 Prefect 服务器：{api_url}",
                                   f"Using the Prefect server at PREFECT_API_URL: {api_url}"))
    else:
        chosen = port if _port_free(port) else _free_port()
        server, api_url = _start_server(chosen, app_state)
        app_state.note(app_state.t(
            f"未设置 PREFECT_API_URL：已在 127.0.0.1:{chosen} 启动 Prefect 服务器（界面 http://127.0.0.1:{chosen}），退出时停止",
            f"PREFECT_API_URL not set: started a Prefect server on 127.0.0.1:{chosen} "
            f"(UI http://127.0.0.1:{chosen}); it stops when coord serve exits"))
    os.environ["PREFECT_API_URL"] = api_url
    try:
        _serve(api_url)
    finally:
        if server is not None:
            _stop(server)
            app_state.note(app_state.t("Prefect 服务器已停止", "Prefect server stopped"))


def _serve(api_url: str) -> None:
    import prefect
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.deployments import deployments

    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        prefect.serve(*deployments())


def _profile_api_url() -> str | None:
    """PREFECT_API_URL from the active Prefect profile, read without importing Prefect (1 s)."""
    import tomllib
    from pathlib import Path

    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect")
    try:
        profiles = tomllib.loads((home / "profiles.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    active = os.environ.get("PREFECT_PROFILE") or profiles.get("active", "ephemeral")
    value = profiles.get("profiles", {}).get(active, {}).get("PREFECT_API_URL")
    return str(value) if value else None


def _healthy(api_url: str, timeout_s: float = 3.0) -> bool:
    import httpx

    try:
        return httpx.get(api_url.rstrip("/") + "/health", timeout=timeout_s).status_code == 200
    except httpx.HTTPError:
        return False


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_server(port: int, app_state: AppState, timeout_s: float = 90.0) -> tuple[subprocess.Popen[bytes], str]:
    from coordination import config

    home = config.data_dir() / "prefect"
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    log = (home / "server.log").open("ab")
    app_state.note(app_state.t(f"正在启动 Prefect 服务器（日志 {home / 'server.log'}）…",
                               f"Starting a Prefect server (log {home / 'server.log'})…"))
    # Its own session: Ctrl-C stops `serve` first, which pauses the schedules, then we stop the server.
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    api_url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CoordError(f"Prefect 服务器启动失败（退出码 {process.returncode}），见 {home / 'server.log'}",
                             f"the Prefect server exited with {process.returncode}; see {home / 'server.log'}")
        if _healthy(api_url, timeout_s=1.0):
            return process, api_url
        time.sleep(0.5)
    _stop(process)
    raise CoordError(f"Prefect 服务器 {timeout_s:.0f} 秒内未就绪，见 {home / 'server.log'}",
                     f"the Prefect server was not ready within {timeout_s:.0f} s; see {home / 'server.log'}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


# ---- coord outbox --------------------------------------------------------------------------


@outbox_app.command("list")
def outbox_list(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(
        "--status", help="待发送 | 已发送 | 发送失败 | 已过期（pending | delivered | failed | expired）")] = None,
    limit: Annotated[int, typer.Option("--limit", help="最多显示 / at most")] = 50,
    as_json: bool = JsonOption,
) -> None:
    """待发与已发通知 / messages in the outbox, newest first."""
    from coordination.services import outbox

    app_state = state(ctx)
    rows = [m.to_json() for m in outbox.list_messages(app_state.reader(), status=_message_status(status),
                                                      limit=limit)]
    if as_json:
        app_state.emit_json(rows)
        return
    print_outbox_alarm(app_state)
    app_state.out.print(admin_screens.outbox_table(rows, app_state.lang))


def print_outbox_alarm(app_state: AppState) -> None:
    """The alarm line of `coord outbox list` and `coord dashboard`, when messages wait past outbox.alarm_minutes."""
    from coordination import config
    from coordination.render.outbox_alarm import alarm_text
    from coordination.services.outbox_alarm import pending_alarm

    alarm = pending_alarm(app_state.reader(), now=config.now())
    if alarm is not None:
        app_state.out.print(alarm_text(alarm, app_state.lang))


def _message_status(text: str | None) -> str | None:
    """A message state by its key or its Chinese word (待发送 or pending)."""
    if text is None:
        return None
    typed = text.strip()
    for key, zh in admin_screens.MESSAGE_STATES.items():
        if typed.lower() == key or typed == zh:
            return key
    raise InvalidInput(f"状态无效：{text}（可选 待发送、已发送、发送失败、已过期）",
                       f"invalid status {text} (pending, delivered, failed, expired)")


@outbox_app.command("deliver")
def outbox_deliver(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", help="本次最多发送 / at most this many")] = 200,
    as_json: bool = JsonOption,
) -> None:
    """立即发送待发通知（不经 Prefect） / send pending messages now, without Prefect."""
    from coordination import config
    from coordination.services import outbox

    app_state = state(ctx)
    report = outbox.deliver(app_state.uow(), now=config.now(), limit=limit)
    if as_json:
        app_state.emit_json(report.to_json())
    else:
        app_state.out.print(app_state.t(
            f"已发送 {len(report.delivered)} 条；待重试 {len(report.retry_later)} 条"
            f"（其中超时 {len(report.timed_out)} 条）；机器人出错暂缓 {len(report.held)} 条；"
            f"留待下次 {report.left} 条；失败 {len(report.failed)} 条；无机器人 {len(report.no_webhook)} 条",
            f"delivered {len(report.delivered)}, retry later {len(report.retry_later)} ({len(report.timed_out)} "
            f"timed out), held for a failing robot {len(report.held)}, left for the next run {report.left}, "
            f"failed {len(report.failed)}, no webhook {len(report.no_webhook)}"))
    if not report.complete:
        raise typer.Exit(1)


@outbox_app.command("retry")
def outbox_retry(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """把发送失败的通知重新排队 / queue failed messages again."""
    from coordination.services import outbox

    app_state = state(ctx)
    count = outbox.retry_failed(app_state.uow(), caller=app_state.caller())
    if as_json:
        app_state.emit_json({"requeued": count})
    else:
        app_state.out.print(app_state.t(f"已重新排队 {count} 条", f"{count} messages queued again"))


# ---- coord webhook -------------------------------------------------------------------------


@webhook_app.command("add")
def webhook_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="名称 / name")],
    url: Annotated[str, typer.Option("--url", help="机器人 Webhook 地址 / webhook URL")],
    kind: Annotated[str, typer.Option("--kind", help="dingtalk | wecom")] = "dingtalk",
    secret: Annotated[str | None, typer.Option("--secret", help="钉钉加签密钥 SEC… / DingTalk signing secret")] = None,
    unit: Annotated[str | None, typer.Option("--unit", "-u", help="单位；不填为全区群 / unit; none: district")] = None,
    as_json: bool = JsonOption,
) -> None:
    """登记群机器人（管理员） / register a group robot (admin)."""
    from coordination.services import outbox

    app_state = state(ctx)
    view = outbox.add_webhook(app_state.uow(), caller=app_state.caller(), name=name, kind=kind, url=url,
                              secret=secret, unit=unit)
    _print_webhooks([view.to_json()], app_state, as_json)


@webhook_app.command("list")
def webhook_list(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """群机器人 / registered robots."""
    from coordination.services import outbox

    app_state = state(ctx)
    _print_webhooks([v.to_json() for v in outbox.list_webhooks(app_state.reader())], app_state, as_json)


def _print_webhooks(rows: list[dict[str, Any]], app_state: AppState, as_json: bool) -> None:
    if as_json:
        app_state.emit_json(rows if len(rows) != 1 else rows[0])
        return
    app_state.out.print(admin_screens.webhooks_table(rows, app_state.lang))


# ---- coord setting -------------------------------------------------------------------------


@setting_app.command("list")
def setting_list(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """全部设置及当前值 / every setting with the value in force."""
    from coordination.services import settings

    app_state = state(ctx)
    _print_settings(settings.list_settings(app_state.reader()), app_state, as_json)


@setting_app.command("set")
def setting_set(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="设置项 / key")],
    value: Annotated[str, typer.Argument(help="值 / value")],
    as_json: bool = JsonOption,
) -> None:
    """修改设置（管理员） / change a setting (admin)."""
    from coordination.services import settings

    app_state = state(ctx)
    _print_settings(settings.set_setting(app_state.uow(), caller=app_state.caller(), key=key, value=value),
                    app_state, as_json)


def _print_settings(values: dict[str, str], app_state: AppState, as_json: bool) -> None:
    from coordination.services.settings import KNOWN_KEYS

    if as_json:
        app_state.emit_json(values)
        return
    app_state.out.print(admin_screens.settings_table(values, KNOWN_KEYS, app_state.lang))
