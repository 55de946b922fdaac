"""`coord db upgrade|current|backup|restore`: the database itself, on SQLite or PostgreSQL.

These commands act on the database named by --db / COORD_DATABASE_URL and need no coord identity
(whoever can reach the database file or hold its credentials can copy it anyway), except a restore
over data: that replaces a district's record and needs one of its admins and its name typed back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url

from coordination.cli.context import AppState, JsonOption, state

app = typer.Typer(help="数据库：升级、备份、还原 / the database: upgrade, back up, restore.", no_args_is_help=True)

ForceOption = typer.Option(False, "--force", help="覆盖已有文件或数据 / replace an existing file or data")


def _shown(app_state: AppState) -> str:
    return make_url(app_state.url).render_as_string(hide_password=True)


@app.command()
def upgrade(
    ctx: typer.Context,
    revision: Annotated[str, typer.Option("--revision", help="目标版本 / target revision")] = "head",
    as_json: bool = JsonOption,
) -> None:
    """把数据库结构升级到最新版本（空库则新建） / migrate the schema to the newest revision."""
    from coordination.db import make_engine
    from coordination.db import upgrade as migrate

    app_state = state(ctx)
    engine = make_engine(app_state.url)
    try:
        done = migrate(engine, revision)
    finally:
        engine.dispose()
    if as_json:
        app_state.emit_json({"database": _shown(app_state), **done.to_json()})
    elif done.changed:
        app_state.out.print(app_state.t(f"数据库已从 {done.before or '空库'} 升级到 {done.after}：{_shown(app_state)}",
                                        f"database upgraded from {done.before or 'empty'} to {done.after}: "
                                        f"{_shown(app_state)}"))
    else:
        app_state.out.print(app_state.t(f"数据库已是最新版本 {done.after}", f"database already at {done.after}"))


@app.command()
def current(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """数据库当前的结构版本 / the schema revision the database is at."""
    from coordination.db import current_revision, head_revision, make_engine

    app_state = state(ctx)
    revision = None
    if not _missing_sqlite_file(app_state.url):  # a read: it never creates the file
        engine = make_engine(app_state.url, create=False)
        try:
            revision = current_revision(engine)
        finally:
            engine.dispose()
    head = head_revision()
    data = {"database": _shown(app_state), "revision": revision, "head": head, "up_to_date": revision == head}
    if as_json:
        app_state.emit_json(data)
        return
    if revision == head:
        app_state.out.print(app_state.t(f"{revision}（最新）", f"{revision} (head)"))
    else:
        app_state.out.print(app_state.t(f"{revision or '未初始化'}，最新为 {head}：请运行 coord db upgrade",
                                        f"{revision or 'not initialised'}, head is {head}: run coord db upgrade"))


@app.command()
def backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="备份文件 / backup file")],
    force: bool = ForceOption,
    as_json: bool = JsonOption,
) -> None:
    """在线备份：SQLite 用其备份接口，PostgreSQL 用 pg_dump / online backup (SQLite API, pg_dump)."""
    from coordination.services import backup as service

    app_state = state(ctx)
    done = service.backup(app_state.url, file, overwrite=force)
    if as_json:
        app_state.emit_json({"database": _shown(app_state), **done.to_json()})
    else:
        app_state.out.print(app_state.t(
            f"已备份到 {done.file}（{done.bytes:,} 字节，结构版本 {done.revision}，{done.seconds:.1f} 秒）",
            f"backed up to {done.file} ({done.bytes:,} bytes, revision {done.revision}, {done.seconds:.1f} s)"))


def _missing_sqlite_file(url: str) -> bool:
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and bool(parsed.database) and not Path(parsed.database or "").exists()


@app.command()
def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="备份文件 / backup file")],
    yes_replace: Annotated[str | None, typer.Option(
        "--yes-replace", metavar="NAME", help="目标库已有数据时，以库名确认替换（不再提示） / replace a database that "
        "holds data, confirmed by its name (no prompt)")] = None,
    force: Annotated[bool, typer.Option("--force", hidden=True, help="已停用：请用 --yes-replace NAME / deprecated: "
                                        "use --yes-replace NAME")] = False,
    as_json: bool = JsonOption,
) -> None:
    """从备份还原并升级到当前版本；目标库已有数据时须管理员输入库名确认 / restore a backup, then upgrade it; over
    data only for an admin who types the database's name back."""
    from coordination.services import backup as service
    from coordination.services import restore_guard as guard

    app_state = state(ctx)
    if force:
        app_state.note(app_state.t("--force 已停用：替换已有数据须输入库名确认，或用 --yes-replace 库名",
                                   "--force is deprecated: replacing data needs the database's name typed back, "
                                   "or --yes-replace NAME"))
    source = service.checked_source(app_state.url, file)
    target = guard.inspect_target(app_state.url)
    caller = app_state.caller() if target.holds_data else None
    guard.check_replacing(target, caller)  # before asking: a person who may not replace it is not asked
    confirmed = yes_replace
    if target.holds_data and confirmed is None:
        confirmed = _ask_name(app_state, target.name, target.events)
    done = service.restore(app_state.url, source, caller=caller, confirmed_name=confirmed)
    if as_json:
        app_state.emit_json({"database": _shown(app_state), **done.to_json()})
        return
    app_state.out.print(app_state.t(f"已从 {done.file} 还原到 {_shown(app_state)}（结构版本 {done.revision}）",
                                    f"restored {done.file} into {_shown(app_state)} (revision {done.revision})"))
    if done.revision != done.revision_in_backup:
        app_state.note(app_state.t(f"备份为旧版本 {done.revision_in_backup}，已升级",
                                   f"the backup was at {done.revision_in_backup}; upgraded"))
    if done.replaced:
        app_state.note(app_state.t(f"已在还原后的数据库中记下本次替换（备份 SHA-256 {done.sha256[:16]}…）",
                                   f"the replacement is recorded in the restored database (backup SHA-256 "
                                   f"{done.sha256[:16]}…)"))
    app_state.note(app_state.t("建议运行 coord audit verify 校验审计链", "check it with coord audit verify"))


def _ask_name(app_state: AppState, name: str, events: int) -> str | None:
    """The database's name, typed back at a prompt (on stderr: stdout keeps the result); None when nobody
    can answer (no terminal, no input)."""
    try:
        typed: str = typer.prompt(app_state.t(
            f"目标数据库 {name} 已有数据（{events:,} 条审计事件），还原将替换全部数据与历史。确认请输入库名 {name}",
            f"the target database {name} holds data ({events:,} audit events); the restore replaces all of it and "
            f"its history. Type its name, {name}, to confirm"), default="", show_default=False, err=True)
    except (typer.Abort, EOFError):
        return None
    return typed.strip() or None
