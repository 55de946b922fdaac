"""`coord db upgrade|current|backup|restore`: the database itself, on SQLite or PostgreSQL.

These commands act on the database named by --db / COORD_DATABASE_URL and need no coord identity:
whoever can reach the database file or hold its credentials can copy it anyway.
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
    engine = make_engine(app_state.url)
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


@app.command()
def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="备份文件 / backup file")],
    force: bool = ForceOption,
    as_json: bool = JsonOption,
) -> None:
    """从备份还原（目标库已有数据时需 --force），并升级到当前版本 / restore a backup, then upgrade it."""
    from coordination.services import backup as service

    app_state = state(ctx)
    done = service.restore(app_state.url, file, replace=force)
    if as_json:
        app_state.emit_json({"database": _shown(app_state), **done.to_json()})
        return
    app_state.out.print(app_state.t(f"已从 {done.file} 还原到 {_shown(app_state)}（结构版本 {done.revision}）",
                                    f"restored {done.file} into {_shown(app_state)} (revision {done.revision})"))
    if done.revision != done.revision_in_backup:
        app_state.note(app_state.t(f"备份为旧版本 {done.revision_in_backup}，已升级",
                                   f"the backup was at {done.revision_in_backup}; upgraded"))
    app_state.note(app_state.t("建议运行 coord audit verify 校验审计链", "check it with coord audit verify"))
