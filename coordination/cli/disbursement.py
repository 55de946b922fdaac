"""`coord fund disburse|disbursements|revoke-disbursement`: guidance-fund payments (引导资金发放) to enterprises,
in the fund group (cli/fund.py registers them)."""

from __future__ import annotations

from typing import Annotated

import typer

from coordination.cli.context import JsonOption, state
from coordination.domain.fund import amount_from_text
from coordination.domain.hygiene import AMOUNT_CEILING
from coordination.domain.parsing import DATE_FORMS, parse_day, parse_year
from coordination.render import funds as screens


def disburse(
    ctx: typer.Context,
    enterprise: Annotated[str, typer.Option("--enterprise", "-e", help="受资助企业名称 / the enterprise paid")],
    amount: Annotated[str, typer.Option(
        "--amount", help="发放金额，默认单位元，可写 300万 / amount paid (yuan; 万 and 亿 accepted)")],
    paid_on: Annotated[str, typer.Option("--date", help=f"发放日期，如 {DATE_FORMS} / the day it was paid")],
    unit: Annotated[str | None, typer.Option(
        "--unit", "-u", help="发放单位（默认本人所在单位） / paying unit (default: your own)")] = None,
    as_json: bool = JsonOption,
) -> None:
    """登记一笔引导资金发放 / record a guidance-fund payment."""
    from coordination.services import disbursements

    # Before anything is read or written; the service holds it to the setting amounts.max_yuan.
    yuan = amount_from_text(amount, what_zh="发放金额", cap=AMOUNT_CEILING)
    app_state = state(ctx)
    day = parse_day(paid_on, today=app_state.today(), option="--date")
    view = disbursements.add_disbursement(app_state.uow(), caller=app_state.caller(), enterprise=enterprise,
                                          amount_yuan=yuan, paid_on=day, unit=app_state.unit(unit))
    if as_json:
        app_state.emit_json(view.to_json())
        return
    app_state.out.print(screens.disbursements_table([view.to_json()], [], app_state.lang, app_state.name_book))
    app_state.note(app_state.t(f"已登记：{view.id}", f"recorded: {view.id}"))


def list_disbursements(
    ctx: typer.Context,
    year: Annotated[str | None, typer.Option("--year", help="发放年度，如 2026 / the year paid")] = None,
    enterprise: Annotated[str | None, typer.Option(
        "--enterprise", "-e", help="企业名称含此文字 / enterprise name containing")] = None,
    include_revoked: Annotated[bool, typer.Option("--all", help="含已撤销 / include revoked")] = False,
    as_json: bool = JsonOption,
) -> None:
    """引导资金发放清单，附各年度笔数、企业数与合计 / payments, with each year's totals."""
    from coordination.services import disbursements

    app_state = state(ctx)
    chosen = None if year is None else parse_year(year, today=app_state.today()).first.year
    reader = app_state.reader()
    rows = [v.to_json() for v in disbursements.list_disbursements(
        reader, year=chosen, enterprise=enterprise, include_revoked=include_revoked)]
    totals = [t.to_json() for t in disbursements.disbursement_totals(reader, year=chosen, enterprise=enterprise)]
    if as_json:
        app_state.emit_json({"disbursements": rows, "totals": totals})
    else:
        app_state.out.print(screens.disbursements_table(rows, totals, app_state.lang, app_state.name_book))


def revoke_disbursement(
    ctx: typer.Context,
    disbursement_id: Annotated[str, typer.Argument(metavar="ID", help="发放编号，如 FF-2026-0001 / number")],
    reason: Annotated[str | None, typer.Option("--reason", "-m", help="撤销理由（必填） / why (required)")] = None,
    version: Annotated[int | None, typer.Option("--version", help="你看到的版本号 / the version you saw")] = None,
    as_json: bool = JsonOption,
) -> None:
    """撤销误登记的一笔发放，须写明理由 / revoke a payment entered by mistake, with the reason."""
    from coordination.services import disbursements

    app_state = state(ctx)
    view = disbursements.revoke_disbursement(app_state.uow(), caller=app_state.caller(),
                                             disbursement_id=disbursement_id, reason=reason,
                                             expected_version=version)
    if as_json:
        app_state.emit_json(view.to_json())
        return
    app_state.out.print(screens.disbursements_table([view.to_json()], [], app_state.lang, app_state.name_book))
    app_state.note(app_state.t(f"已撤销：{view.id}", f"revoked: {view.id}"))


def register(app: typer.Typer) -> None:
    """The disbursement commands, under `coord fund`."""
    app.command("disburse")(disburse)
    app.command("disbursements")(list_disbursements)
    app.command("revoke-disbursement")(revoke_disbursement)
