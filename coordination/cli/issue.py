"""`coord issue …`: raise a problem and take it through its life."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

import typer

from coordination.cli.context import AppState, JsonOption, StrictOption, fail, state
from coordination.domain.enums import Action, Difficulty, Light, State
from coordination.domain.labels import label
from coordination.domain.parsing import (
    DATE_FORMS,
    accepted,
    parse_day,
    parse_difficulty,
    parse_level,
    parse_light,
    parse_state,
)
from coordination.domain.problem import ActionInput
from coordination.domain.workdays import ChosenDate
from coordination.render import terminal

app = typer.Typer(help="问题：上报、交办、签收、提级、办结、销号 / problems through their life.", no_args_is_help=True)

ReasonOption = Annotated[str | None, typer.Option("--reason", "--note", "-m", help="说明 / reason or note")]
VersionOption = Annotated[int | None, typer.Option(
    "--version", help="你看到的版本号；若已被他人修改则拒绝 / the version you saw")]


def _parse_date(app_state: AppState, text: str | None, option: str) -> date | None:
    return None if text is None else parse_day(text, today=app_state.today(), option=option)


def _print_problem(app_state: AppState, data: dict[str, object], as_json: bool, message: str | None) -> None:
    if as_json:
        app_state.emit_json(data)
        return
    app_state.out.print(terminal.problem_detail(data, app_state.lang, app_state.name_book))
    if message:
        app_state.note(message)


def _act(ctx: typer.Context, action: Action, problem_id: str, inputs: ActionInput, version: int | None,
         as_json: bool) -> None:
    from coordination.services import issues

    app_state = state(ctx)
    view = issues.act(app_state.uow(), caller=app_state.caller(), problem_id=problem_id, action=action,
                      inputs=inputs, expected_version=version)
    done = app_state.t(f"已{label(action, 'zh')}：{view.id} → {label(view.state, 'zh')}",
                       f"{label(action, 'en')}: {view.id} → {label(view.state, 'en')}")
    _print_problem(app_state, view.to_json(), as_json, done)


@app.command("raise")
def raise_(
    ctx: typer.Context,
    project: Annotated[str, typer.Option("--project", "-p", help="项目代码或名称 / project code or name")],
    title: Annotated[str, typer.Option("--title", "-t", help="问题标题 / title")],
    category: Annotated[str, typer.Option("--category", "-c", help="类别，如 用地、环评 / category")],
    detail: Annotated[str | None, typer.Option("--detail", "-d", help="详细描述 / detail")] = None,
    as_json: bool = JsonOption,
) -> None:
    """上报问题 / raise a problem on a project."""
    from coordination.services import issues

    app_state = state(ctx)
    code = app_state.names.project(project)
    view = issues.raise_problem(app_state.uow(), caller=app_state.caller(), project=code, title=title,
                                category=category, detail=detail)
    _print_problem(app_state, view.to_json(), as_json,
                   app_state.t(f"已上报：{view.id}", f"raised: {view.id}"))


@app.command()
def assign(
    ctx: typer.Context,
    problem_id: Annotated[str, typer.Argument(metavar="ID")],
    unit: Annotated[str | None, typer.Option(
        "--unit", "-u", help="责任单位代码或简称；省略时按分办表 / lead unit")] = None,
    co_units: Annotated[str | None, typer.Option("--co-units", help="配合单位 U1,U2 / co-units")] = None,
    difficulty: Annotated[str, typer.Option(
        "--difficulty", help=f"难度 A=30 B=15 C=5 个工作日：{accepted(Difficulty)}")] = "B",
    due: Annotated[str | None, typer.Option("--due", help=f"指定办结期限，如 {DATE_FORMS} / explicit due date")] = None,
    reason: ReasonOption = None,
    version: VersionOption = None,
    strict: bool = StrictOption,
    as_json: bool = JsonOption,
) -> None:
    """交办问题给责任单位 / assign a problem to its lead unit."""
    app_state = state(ctx)
    inputs = ActionInput(reason=reason, unit=app_state.unit(unit) if unit and unit.strip() else None,
                         co_units=tuple(app_state.units(co_units)), difficulty=parse_difficulty(difficulty),
                         due=_parse_date(app_state, due, "--due"))
    day_off = app_state.check_chosen_date(inputs.due, ChosenDate.DUE, strict=strict)
    _act(ctx, Action.ASSIGN, problem_id, inputs, version, as_json)
    app_state.warn_chosen_date(day_off)


def _simple(action: Action, help_text: str) -> Callable[..., None]:
    def command(
        ctx: typer.Context,
        problem_id: Annotated[str, typer.Argument(metavar="ID")],
        reason: ReasonOption = None,
        version: VersionOption = None,
        as_json: bool = JsonOption,
    ) -> None:
        _act(ctx, action, problem_id, ActionInput(reason=reason), version, as_json)

    command.__doc__ = help_text
    return command


for _name, _action, _help in (
    ("ack", Action.ACKNOWLEDGE, "签收 / acknowledge an assignment."),
    ("dispute", Action.DISPUTE, "交办有误，1 个工作日内退回 / dispute a wrong assignment."),
    ("progress", Action.PROGRESS, "报告进展 / add a progress note."),
    ("escalate", Action.ESCALATE, "提级 / raise the problem one rung up the ladder."),
    ("resolve", Action.RESOLVE, "申请办结 / submit the resolution for verification."),
    ("verify", Action.VERIFY, "核实销号 / verify and strike off."),
    ("reject", Action.REJECT, "退回重办 / reject the resolution."),
    ("explain", Action.EXPLAIN, "解释办结 / close as explained."),
    ("long-term", Action.LONG_TERM, "转持续跟进 / make long-term, reviewed monthly."),
    ("withdraw", Action.WITHDRAW, "撤销 / withdraw the problem."),
    ("reopen", Action.REOPEN, "回头看重新打开 / reopen on a look-back check."),
):
    app.command(_name)(_simple(_action, _help))


@app.command()
def extend(
    ctx: typer.Context,
    problem_id: Annotated[str, typer.Argument(metavar="ID")],
    days: Annotated[int | None, typer.Option("--days", help="申请延长的工作日数 / working days requested")] = None,
    approve: Annotated[bool, typer.Option("--approve", help="批准待批的延期申请 / approve the request")] = False,
    reason: ReasonOption = None,
    version: VersionOption = None,
    as_json: bool = JsonOption,
) -> None:
    """申请延期（--days N），或由专班批准（--approve） / request or approve an extension."""
    if approve and days is not None:
        fail("--approve 与 --days 不能同时使用", "use either --approve or --days, not both")
    action = Action.APPROVE_EXTENSION if approve else Action.REQUEST_EXTENSION
    _act(ctx, action, problem_id, ActionInput(reason=reason, extension_days=days), version, as_json)


@app.command("list")
def list_(
    ctx: typer.Context,
    state_: Annotated[str | None, typer.Option("--state", help=f"状态 / state：{accepted(State)}")] = None,
    project: Annotated[str | None, typer.Option("--project", "-p", help="项目代码或名称 / project")] = None,
    unit: Annotated[str | None, typer.Option("--unit", "-u", help="责任单位代码或简称 / lead unit")] = None,
    level: Annotated[str | None, typer.Option("--level", help="L1–L5（也可写 2、二级）")] = None,
    category: Annotated[str | None, typer.Option("--category", "-c")] = None,
    light: Annotated[str | None, typer.Option("--light", help=f"亮灯 / light：{accepted(Light)}（红、黄、绿）")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="只看在办 / open problems only")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100000)] = 500,
    as_json: bool = JsonOption,
) -> None:
    """问题清单 / list problems."""
    from coordination.services import issue_reads

    app_state = state(ctx)
    filters = issue_reads.ProblemFilter(state=parse_state(state_) if state_ else None,
                                        project=app_state.project(project), unit=app_state.unit(unit),
                                        level=parse_level(level) if level else None, category=category,
                                        light=parse_light(light) if light else None, open_only=open_only, limit=limit)
    views = issue_reads.list_problems(app_state.reader(), today=app_state.today(), filters=filters)
    rows = [v.to_json() for v in views]
    if as_json:
        app_state.emit_json(rows)
    else:
        app_state.out.print(terminal.problems_table(rows, app_state.lang, app_state.name_book))


@app.command()
def show(
    ctx: typer.Context,
    problem_id: Annotated[str, typer.Argument(metavar="ID")],
    as_json: bool = JsonOption,
) -> None:
    """问题详情与完整处理经过 / a problem with its full timeline."""
    from coordination.services import issue_reads

    app_state = state(ctx)
    detail = issue_reads.show_problem(app_state.reader(), problem_id=problem_id, today=app_state.today())
    _print_problem(app_state, detail.to_json(), as_json, None)


@app.command()
def history(
    ctx: typer.Context,
    problem_id: Annotated[str, typer.Argument(metavar="ID")],
    as_json: bool = JsonOption,
) -> None:
    """审计事件（按顺序） / the problem's audit events, oldest first."""
    from coordination.services import issue_reads

    app_state = state(ctx)
    events = [e.to_json() for e in issue_reads.history(app_state.reader(), problem_id=problem_id)]
    if as_json:
        app_state.emit_json(events)
    else:
        app_state.out.print(terminal.timeline_table(events, app_state.lang, app_state.name_book, with_origin=True))
