"""`coord filing …`: filings (备案) received at a window and completed or returned within the time limit."""

from __future__ import annotations

from typing import Annotated

import typer

from coordination.cli.context import AppState, JsonOption, state
from coordination.domain.enums import Light
from coordination.domain.filing_workflow import FILING_WORKFLOW, FilingAction, FilingState
from coordination.domain.labels import label
from coordination.domain.parsing import accepted, parse_filing_state, parse_light
from coordination.render import filings as screens
from coordination.render import terminal

app = typer.Typer(help="备案：受理、办结、退回（限时办理，亮灯） / filings, handled within a time limit.",
                  no_args_is_help=True)

IdArgument = Annotated[str, typer.Argument(metavar="ID", help="备案编号，如 B-2026-0001 / filing number")]
VersionOption = Annotated[int | None, typer.Option("--version", help="你看到的版本号 / the version you saw")]


def _print(app_state: AppState, data: dict[str, object], as_json: bool, message: str | None) -> None:
    if as_json:
        app_state.emit_json(data)
        return
    app_state.out.print(screens.filing_detail(data, app_state.lang, app_state.name_book))
    if message:
        app_state.note(message)


@app.command("add")
def add(
    ctx: typer.Context,
    project_name: Annotated[str, typer.Option("--project-name", "-p", help="项目名称 / project name")],
    enterprise: Annotated[str, typer.Option("--enterprise", "-e", help="企业名称 / enterprise")],
    unit: Annotated[str | None, typer.Option(
        "--unit", "-u", help="受理单位（默认本人所在单位） / receiving unit (default: your own)")] = None,
    as_json: bool = JsonOption,
) -> None:
    """受理一件备案 / receive a filing."""
    from coordination.services import filings

    app_state = state(ctx)
    view = filings.add_filing(app_state.uow(), caller=app_state.caller(), project_name=project_name,
                              enterprise=enterprise, unit=app_state.unit(unit))
    due = view.record["due_date"]
    _print(app_state, view.to_json(), as_json,
           app_state.t(f"已受理：{view.id}，办理时限 {due}", f"received: {view.id}, due {due}"))


def _act(ctx: typer.Context, action: FilingAction, filing_id: str, reason: str | None, version: int | None,
         as_json: bool) -> None:
    from coordination.services import filings

    app_state = state(ctx)
    view = filings.act_on_filing(app_state.uow(), caller=app_state.caller(), filing_id=filing_id, action=action,
                                 reason=reason, expected_version=version)
    _print(app_state, view.to_json(), as_json, app_state.t(
        f"已{label(action, 'zh')}：{view.id} → {label(view.state, 'zh')}",
        f"{label(action, 'en')}: {view.id} → {label(view.state, 'en')}"))


@app.command("complete")
def complete(
    ctx: typer.Context,
    filing_id: IdArgument,
    note: Annotated[str | None, typer.Option("--note", "-m", help="说明 / note")] = None,
    version: VersionOption = None,
    as_json: bool = JsonOption,
) -> None:
    """办结（出具备案证明） / complete the filing."""
    _act(ctx, FilingAction.COMPLETE, filing_id, note, version, as_json)


@app.command("return")
def return_(
    ctx: typer.Context,
    filing_id: IdArgument,
    reason: Annotated[str | None, typer.Option("--reason", "-m", help="退回理由 / why it is returned")] = None,
    version: VersionOption = None,
    as_json: bool = JsonOption,
) -> None:
    """退回企业，须写明理由 / return the filing, with a reason."""
    _act(ctx, FilingAction.RETURN, filing_id, reason, version, as_json)


@app.command("list")
def list_(
    ctx: typer.Context,
    state_: Annotated[str | None, typer.Option("--state", help=f"状态 / state：{accepted(FilingState)}")] = None,
    unit: Annotated[str | None, typer.Option("--unit", "-u", help="受理单位 / receiving unit")] = None,
    light: Annotated[str | None, typer.Option("--light", help=f"亮灯 / light：{accepted(Light)}（红、黄、绿）")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="只看办理中 / being handled only")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100000)] = 500,
    as_json: bool = JsonOption,
) -> None:
    """备案清单 / list filings."""
    from coordination.services import filings

    app_state = state(ctx)
    filters = filings.FilingFilter(state=parse_filing_state(state_) if state_ else None, unit=app_state.unit(unit),
                                   light=parse_light(light) if light else None, open_only=open_only, limit=limit)
    rows = [v.to_json() for v in filings.list_filings(app_state.reader(), today=app_state.today(), filters=filters)]
    if as_json:
        app_state.emit_json(rows)
    else:
        app_state.out.print(screens.filings_table(rows, app_state.lang, app_state.name_book))


@app.command("show")
def show(ctx: typer.Context, filing_id: IdArgument, as_json: bool = JsonOption) -> None:
    """备案详情与完整经过 / a filing with its timeline."""
    from coordination.services import filings

    app_state = state(ctx)
    detail = filings.show_filing(app_state.reader(), filing_id=filing_id, today=app_state.today())
    _print(app_state, detail.to_json(), as_json, None)


@app.command("history")
def history(ctx: typer.Context, filing_id: IdArgument, as_json: bool = JsonOption) -> None:
    """审计事件（按顺序） / the filing's audit events, oldest first."""
    from coordination.services import filings

    app_state = state(ctx)
    events = [e.to_json() for e in filings.filing_history(app_state.reader(), filing_id=filing_id)]
    if as_json:
        app_state.emit_json(events)
    else:
        app_state.out.print(terminal.timeline_table(events, app_state.lang, app_state.name_book, with_origin=True,
                                                    workflow=FILING_WORKFLOW))
