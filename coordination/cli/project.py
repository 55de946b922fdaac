"""`coord project …` and `coord route …`: projects with their 1+2+N roster, and the routing table."""

from __future__ import annotations

from typing import Annotated

import typer

from coordination.cli.context import JsonOption, split_codes, state
from coordination.domain.enums import ProjectLevel
from coordination.render import terminal

app = typer.Typer(help="重大项目与 1+2+N 名单 / projects and their 1+2+N roster.", no_args_is_help=True)
route_app = typer.Typer(help="分办表：问题类别 → 默认责任单位 / category routing table.", no_args_is_help=True)


def _many(values: list[str] | None) -> list[str]:
    return [code for value in values or [] for code in split_codes(value)]


@app.command()
def add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="项目代码 / code")],
    name: Annotated[str, typer.Argument(help="项目名称 / name")],
    level: Annotated[ProjectLevel, typer.Option("--level", help="provincial | municipal | district")],
    leader: Annotated[list[str], typer.Option("--leader", help="挂钩区领导，可重复 / linked leader")],
    locality: Annotated[str, typer.Option("--locality", help="属地镇/园区 / locality unit")],
    lead_unit: Annotated[str, typer.Option("--lead-unit", help="牵头单位 / lead department")],
    helpers: Annotated[str | None, typer.Option("--helpers", help="帮办单位 U1,U2 / helper units")] = None,
    specialist: Annotated[list[str] | None, typer.Option("--specialist", help="项目专员 / specialist")] = None,
    as_json: bool = JsonOption,
) -> None:
    """登记重大项目 / register a major project."""
    from coordination.services import directory

    app_state = state(ctx)
    view = directory.add_project(app_state.uow(), caller=app_state.caller(), code=code, name=name, level=level,
                                 locality=locality, lead_unit=lead_unit, leaders=_many(leader),
                                 helpers=split_codes(helpers), specialists=_many(specialist))
    if as_json:
        app_state.emit_json(view.to_json())
    else:
        app_state.out.print(terminal.project_detail(view.to_json(), app_state.lang))


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """项目清单 / list projects."""
    from coordination.services import directory

    app_state = state(ctx)
    rows = [p.to_json() for p in directory.list_projects(app_state.reader())]
    if as_json:
        app_state.emit_json(rows)
    else:
        app_state.out.print(terminal.projects_table(rows, app_state.lang))


@app.command()
def show(ctx: typer.Context, code: Annotated[str, typer.Argument()], as_json: bool = JsonOption) -> None:
    """项目详情与在办问题 / a project with its open problems."""
    from coordination.services import directory, issues

    app_state = state(ctx)
    view = directory.get_project(app_state.reader(), code=code)
    problems = issues.list_problems(app_state.reader(), today=app_state.today(),
                                    filters=issues.ProblemFilter(project=code, open_only=True))
    data = {**view.to_json(), "open_problems": len(problems), "problems": [p.to_json() for p in problems]}
    if as_json:
        app_state.emit_json(data)
        return
    app_state.out.print(terminal.project_detail(data, app_state.lang))
    if problems:
        app_state.out.print(terminal.problems_table(data["problems"], app_state.lang))


@app.command()
def roster(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument()],
    leaders: Annotated[str | None, typer.Option("--leaders", help="替换挂钩领导 H1,H2")] = None,
    helpers: Annotated[str | None, typer.Option("--helpers", help="替换帮办单位 U1,U2")] = None,
    specialists: Annotated[str | None, typer.Option("--specialists", help="替换项目专员 H1,H2")] = None,
    as_json: bool = JsonOption,
) -> None:
    """查看或调整 1+2+N 名单 / show or change the roster."""
    from coordination.services import directory

    app_state = state(ctx)
    if leaders is None and helpers is None and specialists is None:
        view = directory.get_project(app_state.reader(), code=code)
    else:
        view = directory.set_roster(
            app_state.uow(), caller=app_state.caller(), code=code,
            leaders=None if leaders is None else split_codes(leaders),
            helpers=None if helpers is None else split_codes(helpers),
            specialists=None if specialists is None else split_codes(specialists))
    if as_json:
        app_state.emit_json(view.to_json())
    else:
        app_state.out.print(terminal.project_detail(view.to_json(), app_state.lang))


@route_app.command("set")
def route_set(
    ctx: typer.Context,
    category: Annotated[str, typer.Argument(help="问题类别 / category")],
    unit: Annotated[str, typer.Argument(help="默认责任单位 / usual unit")],
    as_json: bool = JsonOption,
) -> None:
    """设置某类问题的默认责任单位（管理员） / set the usual unit of a category."""
    from coordination.services import directory

    app_state = state(ctx)
    result = directory.set_route(app_state.uow(), caller=app_state.caller(), category=category, unit=unit)
    if as_json:
        app_state.emit_json(result)
    else:
        app_state.out.print(f"{result['category']} → {result['unit']}")


@route_app.command("list")
def route_list(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """分办表 / the routing table."""
    from rich.table import Table

    from coordination.services import directory

    app_state = state(ctx)
    routes = directory.list_routes(app_state.reader())
    if as_json:
        app_state.emit_json(routes)
        return
    table = Table(header_style="bold")
    table.add_column(app_state.t("类别", "Category"))
    table.add_column(app_state.t("默认责任单位", "Usual unit"))
    for category, unit in sorted(routes.items()):
        table.add_row(category, unit)
    app_state.out.print(table)
