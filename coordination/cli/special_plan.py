"""`coord special-plan …`: special plans (专项规划) from drafting to issue, each stage with its day and document."""

from __future__ import annotations

from typing import Annotated

import typer

from coordination.cli.context import AppState, JsonOption, state
from coordination.domain.labels import label
from coordination.domain.parsing import DATE_FORMS, accepted, parse_day, parse_special_plan_state
from coordination.domain.special_plan_workflow import SPECIAL_PLAN_WORKFLOW, SpecialPlanState
from coordination.render import special_plans as screens
from coordination.render import terminal

app = typer.Typer(help="专项规划：列入编制、专家评审、常务会审议、印发实施 / special plans through their stages.",
                  no_args_is_help=True)

CodeArgument = Annotated[str, typer.Argument(metavar="CODE", help="代码（可省略 ZX-）或名称 / code or name")]


def _print(app_state: AppState, data: dict[str, object], as_json: bool, message: str | None) -> None:
    if as_json:
        app_state.emit_json(data)
        return
    app_state.out.print(screens.special_plan_detail(data, app_state.lang, app_state.name_book))
    if message:
        app_state.note(message)


@app.command("add")
def add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="代码，如 JT（存为 ZX-JT） / code")],
    name: Annotated[str, typer.Argument(help="名称，如 综合交通专项规划 / name")],
    unit: Annotated[str, typer.Option("--unit", "-u", help="编制牵头单位代码或简称 / the drafting unit")],
    as_json: bool = JsonOption,
) -> None:
    """列入专项规划编制（编制中） / put a special plan on the drafting list."""
    from coordination.services import special_plans

    app_state = state(ctx)
    lead = app_state.names.unit(unit)
    view = special_plans.add_special_plan(app_state.uow(), caller=app_state.caller(), code=code, name=name,
                                          lead_unit=lead)
    _print(app_state, view.to_json(), as_json,
           app_state.t(f"已列入编制：{view.code}", f"added: {view.code}"))


@app.command("advance")
def advance(
    ctx: typer.Context,
    code: CodeArgument,
    document: Annotated[str | None, typer.Option(
        "--document", "--reason", "-m", help="文件或会议，如 区政府第 12 次常务会议 / the document or meeting")] = None,
    on: Annotated[str | None, typer.Option("--date", help=f"该环节日期（默认今天），如 {DATE_FORMS} / date")] = None,
    version: Annotated[int | None, typer.Option("--version", help="你看到的版本号 / the version you saw")] = None,
    as_json: bool = JsonOption,
) -> None:
    """记录下一环节（专家评审通过 → 常务会审议通过 → 印发实施） / record the next stage."""
    from coordination.services import special_plans

    app_state = state(ctx)
    day = None if on is None else parse_day(on, today=app_state.today(), option="--date")
    view = special_plans.act_on_special_plan(app_state.uow(), caller=app_state.caller(), code=code,
                                             document=document, on=day, expected_version=version)
    _print(app_state, view.to_json(), as_json,
           app_state.t(f"已记录：{view.code} → {label(view.state, 'zh')}",
                       f"recorded: {view.code} → {label(view.state, 'en')}"))


@app.command("list")
def list_(
    ctx: typer.Context,
    state_: Annotated[str | None, typer.Option(
        "--state", help=f"环节 / stage：{accepted(SpecialPlanState)}")] = None,
    unit: Annotated[str | None, typer.Option("--unit", "-u", help="编制牵头单位 / drafting unit")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="只看未印发 / not yet issued")] = False,
    own_only: Annotated[bool, typer.Option(
        "--own", help="只看我委（专班办公室所在单位）牵头的 / led by our bureau")] = False,
    as_json: bool = JsonOption,
) -> None:
    """专项规划清单 / list special plans."""
    from coordination.services import special_plans

    app_state = state(ctx)
    rows = [v.to_json() for v in special_plans.list_special_plans(
        app_state.reader(), state=parse_special_plan_state(state_) if state_ else None,
        unit=app_state.unit(unit), open_only=open_only, own_only=own_only)]
    if as_json:
        app_state.emit_json(rows)
    else:
        app_state.out.print(screens.special_plans_table(rows, app_state.lang, app_state.name_book))


@app.command("show")
def show(ctx: typer.Context, code: CodeArgument, as_json: bool = JsonOption) -> None:
    """专项规划详情与完整经过 / a special plan with its stages and timeline."""
    from coordination.services import special_plans

    app_state = state(ctx)
    _print(app_state, special_plans.show_special_plan(app_state.reader(), code=code).to_json(), as_json, None)


@app.command("history")
def history(ctx: typer.Context, code: CodeArgument, as_json: bool = JsonOption) -> None:
    """审计事件（按顺序） / the special plan's audit events, oldest first."""
    from coordination.services import special_plans

    app_state = state(ctx)
    events = [e.to_json() for e in special_plans.special_plan_history(app_state.reader(), code=code)]
    if as_json:
        app_state.emit_json(events)
    else:
        app_state.out.print(terminal.timeline_table(events, app_state.lang, app_state.name_book, with_origin=True,
                                                    workflow=SPECIAL_PLAN_WORKFLOW))
