"""`coord project …` and `coord route …`: projects with their 1+2+N roster, and the routing table."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from coordination.cli.context import AppState, JsonOption, fail, split_codes, state
from coordination.domain.enums import Light, ProjectKind, ProjectLevel
from coordination.domain.errors import InvalidInput
from coordination.domain.investment import Grouping, YearMonth, default_as_of, parse_date, parse_money
from coordination.domain.labels import word
from coordination.domain.parsing import (
    accepted,
    parse_grouping,
    parse_light,
    parse_project_kind,
    parse_project_level,
)
from coordination.render import terminal

if TYPE_CHECKING:
    from coordination.services.directory import InvestmentDetails

app = typer.Typer(help="重大项目与 1+2+N 名单 / projects and their 1+2+N roster.", no_args_is_help=True)
route_app = typer.Typer(help="分办表：问题类别 → 默认责任单位 / category routing table.", no_args_is_help=True)


def _many(values: list[str] | None) -> list[str]:
    return [code for value in values or [] for code in split_codes(value)]


KindOption = Annotated[str | None, typer.Option("--kind", help=f"项目类别 / kind：{accepted(ProjectKind)}")]
TotalOption = Annotated[str | None, typer.Option("--total", help="总投资，万元（也可写 3.2亿） / total, 10k yuan")]
PlanOption = Annotated[str | None, typer.Option("--annual-plan", help="年度计划投资，万元 / annual plan, 10k yuan")]
PlanYearOption = Annotated[int | None, typer.Option("--plan-year", help="年度计划所属年份（默认今年）")]
InStatsOption = Annotated[bool | None, typer.Option("--in-stats/--not-in-stats", help="是否入统 / in the statistics")]
MonthOption = Annotated[str | None, typer.Option("--month", help="截至月份 YYYY-MM（默认上月） / as of month")]
_DATES = ("planned_start", "actual_start", "planned_completion", "actual_completion", "planned_production",
          "actual_production")


def _amount(text: str | None, option: str) -> int | None:
    if text is None:
        return None
    try:
        return parse_money(text)
    except InvalidInput as error:
        fail(f"{option}：{error.zh}", f"{option}: {error.en}")


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return parse_date(text)
    except InvalidInput as error:
        fail(f"{option}：{error.zh}", f"{option}: {error.en}")


def _month(app_state: AppState, text: str | None) -> YearMonth:
    if text is None:
        return default_as_of(app_state.today())
    try:
        return YearMonth.parse(text)
    except InvalidInput as error:
        fail(f"--month：{error.zh}", f"--month: {error.en}")


def _dates(values: dict[str, str | None]) -> dict[str, date | None]:
    return {name: _day(values[name], "--" + name.replace("_", "-")) for name in _DATES}


def _details(kind: str | None, total: str | None, annual_plan: str | None, plan_year: int | None,
             in_stats: bool | None, dates: dict[str, str | None]) -> InvestmentDetails:
    from coordination.services.directory import InvestmentDetails

    return InvestmentDetails(kind=parse_project_kind(kind) if kind else None,
                             total_investment_yuan=_amount(total, "--total"), in_stats=bool(in_stats),
                             plan_year=plan_year, annual_plan_yuan=_amount(annual_plan, "--annual-plan"),
                             **_dates(dates))


def _date_option(name: str, help_text: str) -> Any:
    return typer.Option(f"--{name.replace('_', '-')}", help=help_text)


@app.command()
def add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="项目代码 / code")],
    name: Annotated[str, typer.Argument(help="项目名称 / name")],
    level: Annotated[str, typer.Option("--level", help=f"项目级别 / level：{accepted(ProjectLevel)}")],
    leader: Annotated[list[str], typer.Option("--leader", help="挂钩区领导账号或姓名，可重复 / linked leader")],
    locality: Annotated[str, typer.Option("--locality", help="属地镇/园区代码或简称 / locality unit")],
    lead_unit: Annotated[str, typer.Option("--lead-unit", help="牵头单位代码或简称 / lead department")],
    helpers: Annotated[str | None, typer.Option("--helpers", help="帮办单位 U1,U2 / helper units")] = None,
    specialist: Annotated[list[str] | None, typer.Option("--specialist", help="项目专员 / specialist")] = None,
    kind: KindOption = None,
    total: TotalOption = None,
    annual_plan: PlanOption = None,
    plan_year: PlanYearOption = None,
    planned_start: Annotated[str | None, _date_option("planned_start", "计划开工日期")] = None,
    actual_start: Annotated[str | None, _date_option("actual_start", "实际开工日期")] = None,
    planned_completion: Annotated[str | None, _date_option("planned_completion", "计划竣工日期")] = None,
    actual_completion: Annotated[str | None, _date_option("actual_completion", "实际竣工日期")] = None,
    planned_production: Annotated[str | None, _date_option("planned_production", "计划投产日期")] = None,
    actual_production: Annotated[str | None, _date_option("actual_production", "实际投产日期")] = None,
    in_stats: InStatsOption = None,
    as_json: bool = JsonOption,
) -> None:
    """登记重大项目 / register a major project."""
    from coordination.services import directory

    app_state = state(ctx)
    details = _details(kind, total, annual_plan, plan_year, in_stats, {
        "planned_start": planned_start, "actual_start": actual_start, "planned_completion": planned_completion,
        "actual_completion": actual_completion, "planned_production": planned_production,
        "actual_production": actual_production})
    names = app_state.names
    view = directory.add_project(app_state.uow(), caller=app_state.caller(), code=code, name=name,
                                 level=parse_project_level(level), locality=names.unit(locality),
                                 lead_unit=names.unit(lead_unit), leaders=names.people(_many(leader)),
                                 helpers=names.units(split_codes(helpers)),
                                 specialists=names.people(_many(specialist)), details=details)
    if as_json:
        app_state.emit_json(view.to_json())
    else:
        app_state.out.print(terminal.project_detail(view.to_json(), app_state.lang, app_state.name_book))


@app.command("list")
def list_(
    ctx: typer.Context,
    month: MonthOption = None,
    by: Annotated[str, typer.Option("--by", help=f"汇总方式 / summarise by：{accepted(Grouping)}")] = "all",
    level: Annotated[str | None, typer.Option(
        "--level", help=f"只看某级别 / one level only：{accepted(ProjectLevel)}")] = None,
    light: Annotated[str | None, typer.Option("--light", help=f"亮灯 / light：{accepted(Light)}（红、黄、绿）")] = None,
    as_json: bool = JsonOption,
) -> None:
    """项目清单：完成率、序时进度、差距、亮灯，以及开工率 / projects with their figures."""
    from coordination.render import investment
    from coordination.services import projects

    app_state = state(ctx)
    board = projects.board(app_state.reader(), as_of=_month(app_state, month), grouping=parse_grouping(by),
                           level=parse_project_level(level) if level else None,
                           light=parse_light(light) if light else None)
    if as_json:
        app_state.emit_json([p.to_json() for p in board.projects])
    else:
        app_state.out.print(investment.projects_board(board.to_json(), app_state.lang, app_state.name_book))


@app.command()
def portfolio(
    ctx: typer.Context,
    month: MonthOption = None,
    by: Annotated[str, typer.Option("--by", help=f"汇总方式 / summarise by：{accepted(Grouping)}")] = "level",
    as_json: bool = JsonOption,
) -> None:
    """开工率、完成率、序时进度：按级别、类别、属地或挂钩领导汇总 / portfolio figures by group."""
    from coordination.render import investment
    from coordination.services import projects

    app_state = state(ctx)
    board = projects.board(app_state.reader(), as_of=_month(app_state, month), grouping=parse_grouping(by))
    data = board.to_json()
    if as_json:
        app_state.emit_json({"as_of": data["as_of"], "grouping": data["grouping"],
                             "thresholds": data["thresholds"], "groups": data["groups"]})
    else:
        app_state.out.print(investment.portfolio_table(data["groups"], app_state.lang, app_state.name_book))


@app.command()
def progress(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="PROJECT")],
    month: Annotated[str | None, typer.Option("--month", help="月份 YYYY-MM / month")] = None,
    amount: Annotated[str | None, typer.Option("--amount", help="当月完成投资，万元（也可写 0.12亿） / "
                                                                 "investment completed in the month, 10k yuan")] = None,
    note: Annotated[str | None, typer.Option("--note", "-m", help="形象进度等说明 / note")] = None,
    as_json: bool = JsonOption,
) -> None:
    """填报某月完成投资（--month --amount）；不带 --amount 时查看 / record or show monthly investment."""
    from coordination.render import investment
    from coordination.services import projects

    app_state = state(ctx)
    code = app_state.names.project(code)
    if amount is None:
        data = projects.project_with_figures(app_state.reader(), code=code, as_of=_month(app_state, month)).to_json()
        if as_json:
            app_state.emit_json(data)
        else:
            app_state.out.print(investment.project_figures(data, app_state.lang))
        return
    if month is None:
        fail("填报投资进度需要 --month（如 2024-04）", "recording progress needs --month (e.g. 2024-04)")
    yuan = _amount(amount, "--amount")
    assert yuan is not None
    view = projects.record_progress(app_state.uow(), caller=app_state.caller(), code=code,
                                    month=_month(app_state, month), completed_yuan=yuan, note=note)
    if as_json:
        app_state.emit_json(view.to_json())
        return
    data = view.to_json()
    app_state.out.print(app_state.t(
        f"{view.project} {data['month']} 完成投资 {data['completed_wan']} 万元"
        + (f"（原为 {data['previous_wan']} 万元）" if view.previous_yuan is not None and view.changed else "")
        + ("" if view.changed else "（未变化）"),
        f"{view.project} {data['month']}: {data['completed_wan']} (10k yuan)"
        + (f", was {data['previous_wan']}" if view.previous_yuan is not None and view.changed else "")
        + ("" if view.changed else " (unchanged)")), highlight=False)


@app.command()
def update(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="PROJECT")],
    name: Annotated[str | None, typer.Option("--name", help="项目名称 / name")] = None,
    level: Annotated[str | None, typer.Option("--level", help=f"项目级别 / level：{accepted(ProjectLevel)}")] = None,
    kind: KindOption = None,
    total: TotalOption = None,
    annual_plan: PlanOption = None,
    plan_year: PlanYearOption = None,
    planned_start: Annotated[str | None, _date_option("planned_start", "计划开工日期")] = None,
    actual_start: Annotated[str | None, _date_option("actual_start", "实际开工日期")] = None,
    planned_completion: Annotated[str | None, _date_option("planned_completion", "计划竣工日期")] = None,
    actual_completion: Annotated[str | None, _date_option("actual_completion", "实际竣工日期")] = None,
    planned_production: Annotated[str | None, _date_option("planned_production", "计划投产日期")] = None,
    actual_production: Annotated[str | None, _date_option("actual_production", "实际投产日期")] = None,
    in_stats: InStatsOption = None,
    as_json: bool = JsonOption,
) -> None:
    """修改项目信息、投资计划、开竣工日期 / change a project's facts (only what differs is recorded)."""
    from coordination.services import projects

    app_state = state(ctx)
    code = app_state.names.project(code)
    dates = _dates({"planned_start": planned_start, "actual_start": actual_start,
                    "planned_completion": planned_completion, "actual_completion": actual_completion,
                    "planned_production": planned_production, "actual_production": actual_production})
    wanted = projects.ProjectFields(
        name=name.strip() if name and name.strip() else None,
        level=parse_project_level(level) if level else None, kind=parse_project_kind(kind) if kind else None,
        total_investment_yuan=_amount(total, "--total"), in_stats=in_stats,
        planned_start=dates["planned_start"], actual_start=dates["actual_start"],
        planned_completion=dates["planned_completion"], actual_completion=dates["actual_completion"],
        planned_production=dates["planned_production"], actual_production=dates["actual_production"])
    view = projects.update_project(app_state.uow(), caller=app_state.caller(), code=code, wanted=wanted,
                                   plan_year=plan_year, annual_plan_yuan=_amount(annual_plan, "--annual-plan"))
    if as_json:
        app_state.emit_json(view.to_json())
    else:
        app_state.out.print(terminal.project_detail(view.to_json(), app_state.lang, app_state.name_book))


@app.command()
def show(ctx: typer.Context, code: Annotated[str, typer.Argument()], as_json: bool = JsonOption) -> None:
    """项目详情、投资完成情况与在办问题 / a project with its figures and open problems."""
    from coordination.render import investment
    from coordination.services import issue_reads, projects

    app_state = state(ctx)
    code = app_state.names.project(code)
    view = projects.project_with_figures(app_state.reader(), code=code, as_of=default_as_of(app_state.today()))
    problems = issue_reads.list_problems(app_state.reader(), today=app_state.today(),
                                         filters=issue_reads.ProblemFilter(project=view.project.code, open_only=True))
    data = {**view.to_json(), "open_problems": len(problems), "problems": [p.to_json() for p in problems]}
    if as_json:
        app_state.emit_json(data)
        return
    app_state.out.print(terminal.project_detail(data, app_state.lang, app_state.name_book))
    app_state.out.print(investment.project_figures(data, app_state.lang))
    if problems:
        app_state.out.print(terminal.problems_table(data["problems"], app_state.lang, app_state.name_book,
                                                    title=word("open_problems", app_state.lang)))


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
    names = app_state.names
    code = names.project(code)
    if leaders is None and helpers is None and specialists is None:
        view = directory.get_project(app_state.reader(), code=code)
    else:
        view = directory.set_roster(
            app_state.uow(), caller=app_state.caller(), code=code,
            leaders=None if leaders is None else names.people(split_codes(leaders)),
            helpers=None if helpers is None else names.units(split_codes(helpers)),
            specialists=None if specialists is None else names.people(split_codes(specialists)))
    if as_json:
        app_state.emit_json(view.to_json())
    else:
        app_state.out.print(terminal.project_detail(view.to_json(), app_state.lang, app_state.name_book))


@route_app.command("set")
def route_set(
    ctx: typer.Context,
    category: Annotated[str, typer.Argument(help="问题类别 / category")],
    unit: Annotated[str, typer.Argument(help="默认责任单位代码或简称 / usual unit")],
    as_json: bool = JsonOption,
) -> None:
    """设置某类问题的默认责任单位（管理员） / set the usual unit of a category."""
    from coordination.services import directory

    app_state = state(ctx)
    result = directory.set_route(app_state.uow(), caller=app_state.caller(), category=category,
                                 unit=app_state.names.unit(unit))
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
