"""`coord sweep` and the notification plumbing: `coord outbox`, `coord webhook`, `coord setting`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.table import Table

from coordination.cli.context import AppState, JsonOption, state
from coordination.domain.errors import InvalidInput
from coordination.render import admin_screens

if TYPE_CHECKING:
    from coordination.services.settings import SettingRow
    from coordination.services.sweep import SweepResult

outbox_app = typer.Typer(help="待发通知（督办、交办、提级…） / the notification outbox.", no_args_is_help=True)
webhook_app = typer.Typer(help="钉钉、企业微信群机器人 / DingTalk and WeCom group robots.", no_args_is_help=True)
setting_app = typer.Typer(help="系统设置：巡查阈值、自动交办 / district settings.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("sweep")(sweep)
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
    _print_settings(settings.setting_rows(app_state.reader()), app_state, as_json)


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
    settings.set_setting(app_state.uow(), caller=app_state.caller(), key=key, value=value)
    _print_settings(settings.setting_rows(app_state.reader()), app_state, as_json)


def _print_settings(rows: list[SettingRow], app_state: AppState, as_json: bool) -> None:
    from coordination.services.settings import KNOWN_KEYS

    if as_json:
        app_state.emit_json({row.key: row.to_json() for row in rows})
        return
    shown = [(row.key, row.value, row.default, row.set) for row in rows]
    app_state.out.print(admin_screens.settings_table(shown, KNOWN_KEYS, app_state.lang))
