"""`coord fund …`: fund applications (资金争取) from the reserve to the grant and its evaluation; the
guidance-fund disbursements (引导资金发放) are in the same group (cli/disbursement.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer

from coordination.cli import disbursement
from coordination.cli.context import AppState, JsonOption, state
from coordination.domain.fund import StageInput, amount_from_text
from coordination.domain.fund_workflow import FUND_WORKFLOW, FundAction, FundSource, FundState, FundType
from coordination.domain.hygiene import AMOUNT_CEILING
from coordination.domain.labels import label
from coordination.domain.parsing import (
    DATE_FORMS,
    accepted,
    parse_day,
    parse_fund_source,
    parse_fund_state,
    parse_fund_type,
)
from coordination.render import funds as screens
from coordination.render import terminal

app = typer.Typer(help="资金争取：入库、前期推进、审核申报、计划下达、绩效评估；引导资金发放 / fund applications "
                       "and guidance-fund disbursements.", no_args_is_help=True)

CodeArgument = Annotated[str, typer.Argument(metavar="CODE", help="代码（可省略 ZJ-），如 ZJ-2026-01 / code")]
OnOption = Annotated[str | None, typer.Option("--on", help=f"该环节日期（默认今天），如 {DATE_FORMS} / date")]
VersionOption = Annotated[int | None, typer.Option("--version", help="你看到的版本号 / the version you saw")]
NoteOption = Annotated[str | None, typer.Option("--reason", "--note", "-m", help="说明 / note")]
ReasonOption = Annotated[str | None, typer.Option("--reason", "-m", help="理由（必填） / reason (required)")]


def _print(app_state: AppState, data: dict[str, object], as_json: bool, message: str | None) -> None:
    if as_json:
        app_state.emit_json(data)
        return
    app_state.out.print(screens.fund_detail(data, app_state.lang, app_state.name_book))
    if message:
        app_state.note(message)


@app.command("add")
def add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="代码，如 2026-01（存为 ZJ-2026-01） / code")],
    name: Annotated[str, typer.Argument(help="名称，如 东区污水处理厂扩建中央预算内投资 / name")],
    source: Annotated[str, typer.Option("--source", help=f"资金来源 / source：{accepted(FundSource)}")],
    fund_type: Annotated[str, typer.Option("--type", help=f"资金类型 / type：{accepted(FundType)}")],
    project: Annotated[str | None, typer.Option("--project", "-p", help="所属项目代码或名称 / project")] = None,
    unit: Annotated[str | None, typer.Option(
        "--unit", "-u", help="申报单位（默认本人所在单位） / applying unit (default: your own)")] = None,
    as_json: bool = JsonOption,
) -> None:
    """资金争取项目入库（谋划储备） / put a fund application in the reserve."""
    from coordination.services import funds

    app_state = state(ctx)
    view = funds.add_fund(app_state.uow(), caller=app_state.caller(), code=code, name=name,
                          source=parse_fund_source(source), fund_type=parse_fund_type(fund_type), project=project,
                          unit=app_state.unit(unit))
    _print(app_state, view.to_json(), as_json, app_state.t(f"已入库：{view.code}", f"added: {view.code}"))


def _stage(ctx: typer.Context, action: FundAction, code: str, on: str | None, version: int | None, as_json: bool,
           inputs: StageInput) -> None:
    from coordination.services import funds

    app_state = state(ctx)
    day = None if on is None else parse_day(on, today=app_state.today(), option="--on")
    view = funds.act_on_fund(app_state.uow(), caller=app_state.caller(), code=code, action=action,
                             inputs=replace(inputs, on=day), expected_version=version)
    _print(app_state, view.to_json(), as_json, app_state.t(
        f"已记录“{label(action, 'zh')}”：{view.code} → {label(view.state, 'zh')}",
        f"{label(action, 'en')}: {view.code} → {label(view.state, 'en')}"))


@app.command("prepare")
def prepare(ctx: typer.Context, code: CodeArgument, on: OnOption = None, note: NoteOption = None,
            version: VersionOption = None, as_json: bool = JsonOption) -> None:
    """前期推进 / record that preparation has begun."""
    _stage(ctx, FundAction.PREPARE, code, on, version, as_json, StageInput(reason=note))


@app.command("apply")
def apply(ctx: typer.Context, code: CodeArgument, on: OnOption = None, note: NoteOption = None,
          version: VersionOption = None, as_json: bool = JsonOption) -> None:
    """审核申报 / record that the application was submitted for review."""
    _stage(ctx, FundAction.APPLY, code, on, version, as_json, StageInput(reason=note))


@app.command("grant")
def grant(
    ctx: typer.Context,
    code: CodeArgument,
    amount: Annotated[str, typer.Option(
        "--amount", help="下达金额，默认单位元，可写 3000万、1.2亿 / amount granted (yuan; 万 and 亿 accepted)")],
    document: Annotated[str | None, typer.Option("--document", "-d", help="下达文件 / the granting document")] = None,
    on: OnOption = None,
    note: NoteOption = None,
    version: VersionOption = None,
    as_json: bool = JsonOption,
) -> None:
    """计划下达（下达金额与文件） / record the grant, with its amount and document."""
    # Before anything is read or written; the service holds it to the setting amounts.max_yuan.
    yuan = amount_from_text(amount, what_zh="下达金额", cap=AMOUNT_CEILING)
    _stage(ctx, FundAction.GRANT, code, on, version, as_json,
           StageInput(amount_yuan=yuan, document=document, reason=note))


@app.command("evaluate")
def evaluate(
    ctx: typer.Context,
    code: CodeArgument,
    result: Annotated[str, typer.Option("--result", help="绩效评估结论 / the evaluation's conclusion")],
    on: OnOption = None,
    version: VersionOption = None,
    as_json: bool = JsonOption,
) -> None:
    """绩效评估 / record the performance evaluation."""
    _stage(ctx, FundAction.EVALUATE, code, on, version, as_json, StageInput(evaluation=result))


@app.command("refuse")
def refuse(ctx: typer.Context, code: CodeArgument, reason: ReasonOption = None, on: OnOption = None,
           version: VersionOption = None, as_json: bool = JsonOption) -> None:
    """未获批准，须写明理由 / record that the application was refused, with the reason."""
    _stage(ctx, FundAction.REFUSE, code, on, version, as_json, StageInput(reason=reason))


@app.command("withdraw")
def withdraw(ctx: typer.Context, code: CodeArgument, reason: ReasonOption = None, on: OnOption = None,
             version: VersionOption = None, as_json: bool = JsonOption) -> None:
    """撤回申请，须写明理由 / withdraw the application, with the reason."""
    _stage(ctx, FundAction.WITHDRAW, code, on, version, as_json, StageInput(reason=reason))


@app.command("list")
def list_(
    ctx: typer.Context,
    state_: Annotated[str | None, typer.Option("--state", help=f"状态 / state：{accepted(FundState)}")] = None,
    source: Annotated[str | None, typer.Option("--source", help=f"资金来源 / source：{accepted(FundSource)}")] = None,
    fund_type: Annotated[str | None, typer.Option("--type", help=f"资金类型 / type：{accepted(FundType)}")] = None,
    unit: Annotated[str | None, typer.Option("--unit", "-u", help="申报单位 / applying unit")] = None,
    project: Annotated[str | None, typer.Option("--project", "-p", help="所属项目 / project")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="只看在办（未评估、未终止） / open only")] = False,
    as_json: bool = JsonOption,
) -> None:
    """资金争取清单 / list fund applications."""
    from coordination.services import funds

    app_state = state(ctx)
    filters = funds.FundFilter(
        state=parse_fund_state(state_) if state_ else None, source=parse_fund_source(source) if source else None,
        fund_type=parse_fund_type(fund_type) if fund_type else None, unit=app_state.unit(unit),
        project=app_state.project(project), open_only=open_only)
    rows = [v.to_json() for v in funds.list_funds(app_state.reader(), filters=filters)]
    if as_json:
        app_state.emit_json(rows)
    else:
        app_state.out.print(screens.funds_table(rows, app_state.lang, app_state.name_book))


@app.command("show")
def show(ctx: typer.Context, code: CodeArgument, as_json: bool = JsonOption) -> None:
    """资金争取项目详情与完整经过 / a fund application with its stages and timeline."""
    from coordination.services import funds

    app_state = state(ctx)
    _print(app_state, funds.show_fund(app_state.reader(), code=code).to_json(), as_json, None)


@app.command("history")
def history(ctx: typer.Context, code: CodeArgument, as_json: bool = JsonOption) -> None:
    """审计事件（按顺序） / the fund application's audit events, oldest first."""
    from coordination.services import funds

    app_state = state(ctx)
    events = [e.to_json() for e in funds.fund_history(app_state.reader(), code=code)]
    if as_json:
        app_state.emit_json(events)
    else:
        app_state.out.print(terminal.timeline_table(events, app_state.lang, app_state.name_book, with_origin=True,
                                                    workflow=FUND_WORKFLOW))


disbursement.register(app)
