"""`coord audit refusals`: who was turned away, from what, when and why — on the web and the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from coordination.cli.context import JsonOption, state

KINDS = "bad_token | bad_password | locked | not_permitted | csrf"


def refusals(
    ctx: typer.Context,
    handle: Annotated[str | None, typer.Option("--handle", help="只看此账号 / only this handle")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help=KINDS)] = None,
    since: Annotated[str | None, typer.Option("--since", help="自该日起（含） / from this day on, e.g. "
                                              "2024-10-08")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="最多条数 / at most this many")] = 100,
    as_json: bool = JsonOption,
) -> None:
    """被拒绝的操作：谁、何时、做什么、为何（管理员） / refused commands and requests: who, when, what, why (admin)."""
    from rich.table import Table
    from rich.text import Text

    from coordination.config import DISTRICT_TZ
    from coordination.domain.parsing import parse_day
    from coordination.services import access
    from coordination.services import refusals as service

    app_state = state(ctx)
    day = None if since is None else parse_day(since, today=app_state.today(), option="--since")
    rows = service.list_refusals(app_state.reader(), caller=app_state.caller(), limit=limit, handle=handle,
                                 kind=kind, since=day)
    if as_json:
        app_state.emit_json([row.to_json() for row in rows])
        return
    table = Table(title=app_state.t("拒绝记录（最新在前）", "Refusals (newest first)"))
    for zh, en in (("时间", "At"), ("类型", "Kind"), ("账号", "Handle"), ("操作", "What"), ("来源", "From"),
                   ("原因", "Why")):
        table.add_column(app_state.t(zh, en))
    for row in rows:
        label = access.REFUSAL_LABELS.get(access.RefusalKind(row.kind), (row.kind, row.kind))
        what = row.path if row.method == service.CLI_METHOD else f"{row.method} {row.path}"
        where = app_state.t("命令行", "CLI") if row.method == service.CLI_METHOD else app_state.t("网页", "web")
        # What people typed is shown as text, never read as markup.
        table.add_row(row.at.astimezone(DISTRICT_TZ).strftime("%Y-%m-%d %H:%M:%S"), app_state.t(*label),
                      Text(row.handle or "—"), Text(f"{where} {what}"), Text(row.remote or "—"), Text(row.detail))
    if not rows:
        table.caption = app_state.t("（无）", "(none)")
    app_state.out.print(table)
