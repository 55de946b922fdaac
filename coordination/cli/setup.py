"""`coord init`, `coord demo`, `coord dashboard` and `coord unit …`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.columns import Columns
from rich.panel import Panel
from rich.table import Table

from coordination import config
from coordination.cli.context import AppState, JsonOption, state
from coordination.domain.enums import Light, State, UnitKind
from coordination.domain.parsing import accepted, parse_unit_kind
from coordination.render import terminal

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from coordination.db import Migration

DASHBOARD_QUEUE = 10  # the most urgent escalated problems the dashboard lists

unit_app = typer.Typer(help="单位：部门、属地、企业 / units.", no_args_is_help=True)


def _shown(url: str) -> str:
    """A database URL fit to print: the password masked."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _prepare(app_state: AppState, *, reset: bool = False, demo: bool = False) -> Migration:
    """Create the schema, or upgrade it to the newest revision (the migrations in coordination/migrations).
    init and demo may make a new database file; the demo never touches a database that holds other data."""
    from coordination.db import drop_schema, make_engine, upgrade

    engine = make_engine(app_state.url, create=True)  # the real URL; what is shown hides the password (_shown)
    try:
        if demo:
            _refuse_other_data(engine, app_state, reset=reset)
        if reset:
            drop_schema(engine)
        migration = upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    app_state.__dict__["engine"] = engine
    return migration


def _refuse_other_data(engine: Engine, app_state: AppState, *, reset: bool) -> None:
    """`demo` (with or without --reset) only builds or rebuilds a demo: a district's own data is never
    replaced by it, nor its schema upgraded as a side effect of the refusal."""
    from coordination.db import schema_exists
    from coordination.domain.errors import Conflict
    from coordination.services.demo import existing_demo

    if not schema_exists(engine) or existing_demo(engine) is not False:
        return
    shown = _shown(app_state.url)
    if reset:
        raise Conflict(f"数据库 {shown} 存有正式数据，不是演示库：--reset 只重建演示库，未做任何改动；"
                       "演示请用 --db 指定一个新的数据库文件",
                       f"the database {shown} holds a district's own data, not the demo: --reset rebuilds only a "
                       "demo database, nothing was changed; give the demo a new database with --db")
    raise Conflict(f"数据库 {shown} 中已有数据，未建演示区：演示请用 --db 指定一个新的数据库文件"
                   "（--reset 只重建演示库）",
                   f"the database {shown} already holds data; no demo was built: give the demo a new database "
                   "with --db (--reset rebuilds only a demo database)")


def register(app: typer.Typer) -> None:
    @app.command()
    def init(
        ctx: typer.Context,
        admin: Annotated[str, typer.Option("--admin", help="首位管理员账号 / first admin handle")] = "admin",
        admin_name: Annotated[str, typer.Option("--admin-name", help="管理员姓名")] = "系统管理员",
        as_json: bool = JsonOption,
    ) -> None:
        """创建或升级数据库 / create or upgrade the database."""
        from coordination.services import directory
        from coordination.services.common import SYSTEM_HANDLE, Caller

        app_state = state(ctx)
        migration = _prepare(app_state)
        result = directory.bootstrap(app_state.uow(), caller=Caller(SYSTEM_HANDLE, config.now(), origin="init"),
                                     admin_handle=admin, admin_name=admin_name)
        data = {"database": _shown(app_state.url), **result.to_json(), "schema": migration.to_json()}
        if as_json:
            app_state.emit_json(data)
            return
        if migration.before is not None and migration.changed:
            app_state.out.print(app_state.t(f"数据库结构已从 {migration.before} 升级到 {migration.after}",
                                            f"schema upgraded from {migration.before} to {migration.after}"))
        shown = _shown(app_state.url)
        app_state.out.print(app_state.t(f"数据库已就绪：{shown}", f"database ready: {shown}"))
        if result.created_admin:
            app_state.out.print(app_state.t(
                f"已创建管理员 {result.created_admin}：用 --as {result.created_admin} 添加单位、人员和项目",
                f"created admin {result.created_admin}: use --as {result.created_admin} to add units, people"))

    @app.command()
    def demo(
        ctx: typer.Context,
        reset: Annotated[bool, typer.Option("--reset", help="清空数据库后重建 / wipe and rebuild")] = False,
        seed: Annotated[int, typer.Option("--seed", help="随机种子 / random seed")] = 2024,
        as_json: bool = JsonOption,
    ) -> None:
        """建立演示区（一年多的历史），并把专班办公室设为默认身份 / build the demo district and its year."""
        from coordination.services import demo as demo_service

        app_state = state(ctx)
        _prepare(app_state, reset=reset, demo=True)
        engine = app_state.engine
        if not reset and demo_service.existing_demo(engine):
            result = demo_service.DemoResult(0, 0, 0, 0, demo_service.SECRETARIAT_HANDLE, True)
            app_state.note(app_state.t("演示区已存在（用 --reset 重建）",
                                       "the demo district exists (--reset rebuilds)"))
        else:
            with _days_progress(app_state, hidden=as_json) as progress:
                result = demo_service.build_demo(engine, now=config.now(), seed=seed, admin="admin",
                                                 progress=progress)
        path = config.write_config({"user": result.secretariat})
        if as_json:
            app_state.emit_json({**result.to_json(), "database": _shown(app_state.url), "config": str(path)})
            return
        if not result.already_built:
            app_state.out.print(app_state.t(
                f"演示区已建成：{result.units} 个单位、{result.people} 名人员、{result.projects} 个项目、"
                f"{result.problems} 个问题、{result.meetings} 次会议、{result.events} 条审计事件"
                f"（自 {result.first_day} 起）。数据库：{_shown(app_state.url)}",
                f"demo district built: {result.units} units, {result.people} people, {result.projects} projects, "
                f"{result.problems} problems, {result.meetings} meetings, {result.events} audit events "
                f"(since {result.first_day}). Database: {_shown(app_state.url)}"))
        app_state.out.print(app_state.t(
            f"已在 {path} 中把默认身份设为专班办公室 {result.secretariat}（可用 --as 或 COORD_USER 改变）",
            f"default identity set to the secretariat {result.secretariat} in {path} (override with --as)"))
        _dashboard(app_state)
        roles = {"secretariat": ("专班办公室", "the secretariat"), "handler": ("经办人", "a handler"),
                 "leader": ("挂钩区领导", "a leader")}
        tries = "、".join(f"{roles[k][0]} {v}" for k, v in result.try_as.items())
        tries_en = ", ".join(f"{roles[k][1]} {v}" for k, v in result.try_as.items())
        app_state.out.print(app_state.t(
            f"网页（coord web）：每位演示人员的密码均为 {result.password}，可试用 {tries}",
            f"coord web: every demo person's password is {result.password}; try {tries_en}"))

    @app.command()
    def dashboard(ctx: typer.Context, as_json: bool = JsonOption) -> None:
        """一屏总览：状态、亮灯、提级队列 / one-screen overview."""
        app_state = state(ctx)
        if as_json:
            app_state.emit_json(_dashboard_data(app_state))
        else:
            _dashboard(app_state)


@contextmanager
def _days_progress(app_state: AppState, *, hidden: bool) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr over the days of the demo's history (nothing shown with --json)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn(app_state.t("建设演示区（按日推演）", "building the demo, day by day")), BarColumn(),
                   MofNCompleteColumn(), TimeElapsedColumn(), console=app_state.err, transient=True,
                   disable=hidden)
    task = bar.add_task("days", total=None)

    def advance(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        yield advance


def _dashboard_data(app_state: AppState) -> dict[str, object]:
    from coordination.services import issue_reads

    return issue_reads.overview(app_state.reader(), today=app_state.today(), queue_limit=DASHBOARD_QUEUE)


def _dashboard(app_state: AppState) -> None:
    from coordination.cli.sweep import print_outbox_alarm

    data = _dashboard_data(app_state)
    lang = app_state.lang
    print_outbox_alarm(app_state)  # first: messages not reaching the groups is news
    by_state: dict[str, int] = data["by_state"]  # type: ignore[assignment]
    lights: dict[str, int] = data["lights"]  # type: ignore[assignment]
    states = Table.grid(padding=(0, 2))
    for value in State:
        states.add_row(terminal.state_text(value.value, lang), str(by_state.get(value.value, 0)))
    light_grid = Table.grid(padding=(0, 2))
    for light in Light:
        light_grid.add_row(terminal.light_text(light.value, lang), str(lights[light.value]))
    app_state.out.print(Columns([
        Panel(states, title=app_state.t("问题状态", "Problems by state")),
        Panel(light_grid, title=app_state.t(f"在办亮灯（{data['today']}）", f"Lights ({data['today']})")),
    ]))
    queue_rows: list[dict[str, object]] = data["queue"]  # type: ignore[assignment]
    table = terminal.problems_table(queue_rows, lang, app_state.name_book,
                                    title=app_state.t("提级问题队列", "Escalation queue"))
    total = data["queue_total"]
    if queue_rows:
        table.caption = app_state.t(f"最紧急的 {len(queue_rows)} 个，共 {total} 个（coord queue 翻页查看）",
                                    f"the {len(queue_rows)} most urgent of {total} (coord queue pages through all)")
    app_state.out.print(table)


@unit_app.command("add")
def unit_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="单位代码 / code")],
    name: Annotated[str, typer.Argument(help="单位名称 / name")],
    kind: Annotated[str, typer.Option("--kind", help=f"单位类型 / kind：{accepted(UnitKind)}")],
    as_json: bool = JsonOption,
) -> None:
    """添加单位（管理员） / add a unit (admin)."""
    from coordination.services import directory

    app_state = state(ctx)
    view = directory.add_unit(app_state.uow(), caller=app_state.caller(), code=code, name=name,
                                kind=parse_unit_kind(kind))
    if as_json:
        app_state.emit_json(view.to_json())
    else:
        app_state.out.print(terminal.units_table([view.to_json()], app_state.lang))


@unit_app.command("list")
def unit_list(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """单位清单 / list units."""
    from coordination.services import directory

    app_state = state(ctx)
    rows = [u.to_json() for u in directory.list_units(app_state.reader())]
    if as_json:
        app_state.emit_json(rows)
    else:
        app_state.out.print(terminal.units_table(rows, app_state.lang))

