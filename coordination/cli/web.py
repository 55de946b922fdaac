"""`coord web`: serve the API and the pages, and read the server's refusal log."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from coordination.cli.context import JsonOption, state

app = typer.Typer(help="网页与 API 服务 / the web server (API and pages).")


@app.callback(invoke_without_command=True)
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="监听地址 / address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="端口 / port")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="工作进程数 / worker processes")] = 1,
    proxied: Annotated[bool, typer.Option(
        "--behind-proxy", help="在反向代理（HTTPS）之后：信任其 X-Forwarded-* 头，Cookie 标记 Secure / "
        "behind a reverse proxy that terminates HTTPS")] = False,
) -> None:
    """启动网页与 API 服务（FastAPI + uvicorn） / serve the API under /api and the pages."""
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from coordination.db import open_database

    app_state = state(ctx)
    open_database(app_state.url).dispose()  # a missing or old schema is reported here, before serving
    # Workers are separate processes: they find the database and the cookie policy in the environment.
    os.environ["COORD_DATABASE_URL"] = app_state.url
    if proxied:
        os.environ["COORD_WEB_SECURE_COOKIES"] = "1"
    app_state.note(app_state.t(f"coord web 在 http://{host}:{port}/ 提供服务（Ctrl+C 停止）",
                               f"coord web serving at http://{host}:{port}/ (Ctrl+C stops)"))
    uvicorn.run("coordination.web.app:create_app", factory=True, host=host, port=port, workers=workers,
                proxy_headers=proxied, forwarded_allow_ips="*" if proxied else None,
                log_level="info", access_log=False)


@app.command()
def refusals(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", min=1, help="最多条数 / at most this many")] = 50,
    handle: Annotated[str | None, typer.Option("--handle", help="只看此人 / only this person")] = None,
    kind: Annotated[str | None, typer.Option(
        "--kind", help="bad_token | bad_password | locked | not_permitted | csrf")] = None,
    as_json: bool = JsonOption,
) -> None:
    """服务拒绝的请求：令牌无效、密码错误、账号锁定、无权操作（管理员） / requests the server refused (admin)."""
    from rich.table import Table

    from coordination.config import DISTRICT_TZ
    from coordination.services import access

    app_state = state(ctx)
    rows = access.list_refusals(app_state.reader(), caller=app_state.caller(), limit=limit, handle=handle,
                                kind=kind)
    if as_json:
        app_state.emit_json([r.to_json() for r in rows])
        return
    table = Table(title=app_state.t("拒绝记录（最新在前）", "Refused requests (newest first)"))
    for zh, en in (("时间", "At"), ("类型", "Kind"), ("账号", "Handle"), ("请求", "Request"), ("来源", "From"),
                   ("说明", "Detail")):
        table.add_column(app_state.t(zh, en))
    for row in rows:
        label = access.REFUSAL_LABELS.get(access.RefusalKind(row.kind), (row.kind, row.kind))
        table.add_row(row.at.astimezone(DISTRICT_TZ).strftime("%Y-%m-%d %H:%M:%S"), app_state.t(*label),
                      row.handle or "—", f"{row.method} {row.path}", row.remote or "—", row.detail)
    app_state.out.print(table)
