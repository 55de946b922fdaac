"""`coord person …`: people and their roles."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from coordination.cli.context import AppState, JsonOption, state
from coordination.domain.enums import Role
from coordination.domain.parsing import accepted, parse_role
from coordination.render import terminal

app = typer.Typer(help="人员与角色 / people and roles.", no_args_is_help=True)


@app.command()
def add(
    ctx: typer.Context,
    handle: Annotated[str, typer.Argument(help="账号 / handle")],
    name: Annotated[str, typer.Argument(help="姓名 / name")],
    role: Annotated[list[str], typer.Option(
        "--role", "-r", help=f"角色，可重复 / role (repeatable)：{accepted(Role)}")],
    unit: Annotated[str | None, typer.Option("--unit", "-u", help="所属单位代码或简称 / unit")] = None,
    mobile: Annotated[str | None, typer.Option("--mobile", help="手机号，钉钉群消息 @ 此号 / mobile number")] = None,
    as_json: bool = JsonOption,
) -> None:
    """添加人员（管理员） / add a person (admin)."""
    from coordination.services import directory

    app_state = state(ctx)
    view = directory.add_person(app_state.uow(), caller=app_state.caller(), handle=handle, name=name,
                                unit=app_state.unit(unit), roles=[parse_role(r) for r in role], mobile=mobile)
    _show(app_state, view.to_json(), as_json)


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """人员名单 / list people."""
    from coordination.services import directory

    app_state = state(ctx)
    rows = [p.to_json() for p in directory.list_people(app_state.reader())]
    if as_json:
        app_state.emit_json(rows)
    else:
        app_state.out.print(terminal.people_table(rows, app_state.lang, app_state.name_book))


def _show(app_state: AppState, person: dict[str, Any], as_json: bool) -> None:
    if as_json:
        app_state.emit_json(person)
    else:
        app_state.out.print(terminal.people_table([person], app_state.lang, app_state.name_book))


def _set_active(ctx: typer.Context, handle: str, active: bool, as_json: bool) -> None:
    from coordination.services import directory

    app_state = state(ctx)
    view = directory.set_person_active(app_state.uow(), caller=app_state.caller(), handle=handle, active=active)
    _show(app_state, view.to_json(), as_json)


@app.command()
def deactivate(ctx: typer.Context, handle: Annotated[str, typer.Argument()], as_json: bool = JsonOption) -> None:
    """停用人员（历史保留） / deactivate a person; their history stays."""
    _set_active(ctx, handle, False, as_json)


@app.command()
def activate(ctx: typer.Context, handle: Annotated[str, typer.Argument()], as_json: bool = JsonOption) -> None:
    """重新启用人员 / re-activate a person."""
    _set_active(ctx, handle, True, as_json)


@app.command()
def mobile(
    ctx: typer.Context,
    handle: Annotated[str, typer.Argument(help="账号 / handle")],
    number: Annotated[str | None, typer.Argument(help="手机号；省略则删除 / mobile number; omit to remove")] = None,
    as_json: bool = JsonOption,
) -> None:
    """设置钉钉群消息 @ 的手机号（管理员或本人） / set the mobile number robots @ (admin, or the person)."""
    from coordination.services import directory

    app_state = state(ctx)
    view = directory.set_person_mobile(app_state.uow(), caller=app_state.caller(), handle=handle, mobile=number)
    _show(app_state, view.to_json(), as_json)


@app.command()
def password(
    ctx: typer.Context,
    handle: Annotated[str, typer.Argument(help="人员账号 / handle")],
    as_json: bool = JsonOption,
) -> None:
    """设置登录网页的密码（管理员或本人；非终端时从标准输入读取） / set the password for coord web.

    At a terminal it is asked twice, hidden; otherwise the first line of standard input is the password
    (e.g. `printf '%s\\n' "$PASSWORD" | coord person password li.zhuanyuan`).
    """
    import sys

    from coordination.services import access

    app_state = state(ctx)
    caller = app_state.caller()
    if sys.stdin.isatty():
        secret = typer.prompt(app_state.t("新密码", "New password"), hide_input=True,
                              confirmation_prompt=app_state.t("再输入一次", "Repeat it"))
    else:
        secret = sys.stdin.readline().rstrip("\r\n")
    view = access.set_password(app_state.uow(), caller=caller, handle=handle, password=secret)
    if as_json:
        app_state.emit_json({**view.to_json(), "password": "set"})
    else:
        app_state.note(app_state.t(f"已设置 {handle} 的登录密码", f"password set for {handle}"))


@app.command()
def signout(ctx: typer.Context, handle: Annotated[str, typer.Argument(help="人员账号 / handle")]) -> None:
    """让此人在所有浏览器上退出登录（管理员或本人） / end every web session of a person."""
    from coordination.services import access

    app_state = state(ctx)
    ended = access.end_sessions(app_state.uow(), caller=app_state.caller(), handle=handle)
    app_state.note(app_state.t(f"已结束 {handle} 的 {ended} 个登录会话", f"ended {ended} sessions of {handle}"))


token_app = typer.Typer(help="个人访问令牌：调用 coord web 的 API（Authorization: Bearer） / personal access tokens "
                        "for the web API.",
                        no_args_is_help=True)
app.add_typer(token_app, name="token")


@token_app.command("create")
def token_create(ctx: typer.Context, handle: Annotated[str, typer.Argument()], as_json: bool = JsonOption) -> None:
    """创建令牌，最后一行输出令牌（只显示一次） / create a token; printed once, on the last line."""
    from coordination.services import directory

    app_state = state(ctx)
    token = directory.create_token(app_state.uow(), caller=app_state.caller(), handle=handle)
    if as_json:
        app_state.emit_json({"handle": handle, "token": token})
        return
    app_state.note(app_state.t(f"已为 {handle} 创建令牌；请妥善保存，设为 COORD_TOKEN 使用：",
                               f"token created for {handle}; keep it safe and use it as COORD_TOKEN:"))
    app_state.out.print(token, highlight=False, soft_wrap=True)


@token_app.command("revoke")
def token_revoke(ctx: typer.Context, handle: Annotated[str, typer.Argument()], as_json: bool = JsonOption) -> None:
    """吊销令牌 / revoke a token."""
    from coordination.services import directory

    app_state = state(ctx)
    view = directory.revoke_token(app_state.uow(), caller=app_state.caller(), handle=handle)
    if as_json:
        app_state.emit_json(view.to_json())
    else:
        app_state.note(app_state.t(f"已吊销 {handle} 的令牌", f"token of {handle} revoked"))
