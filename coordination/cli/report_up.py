"""`coord report-up …`: upward reports (对上汇报) recorded, revoked, listed and counted by week."""

from __future__ import annotations

from typing import Annotated

import typer

from coordination.cli.context import AppState, JsonOption, state
from coordination.domain.parsing import DATE_FORMS, PERIOD_FORMS, parse_day, parse_week, parse_year
from coordination.domain.periods import Cadence
from coordination.domain.upward_report_workflow import UPWARD_REPORT_WORKFLOW
from coordination.render import terminal
from coordination.render import upward_reports as screens

app = typer.Typer(help="对上汇报：登记、撤销、按周统计 / upward reports: record, revoke, count by week.",
                  no_args_is_help=True)

IdArgument = Annotated[str, typer.Argument(metavar="ID", help="汇报编号，如 HB-2026-0001 / report number")]
YearOption = Annotated[str | None, typer.Option(
    "--year", help=f"年份，如 {PERIOD_FORMS[Cadence.ANNUAL]}（默认今年） / year (default: this year)")]


def _print(app_state: AppState, data: dict[str, object], as_json: bool, message: str | None) -> None:
    if as_json:
        app_state.emit_json(data)
        return
    app_state.out.print(screens.upward_report_detail(data, app_state.lang, app_state.name_book))
    if message:
        app_state.note(message)


def _year(app_state: AppState, text: str | None) -> int | None:
    return None if text is None else parse_year(text, today=app_state.today()).first.year


@app.command("add")
def add(
    ctx: typer.Context,
    to_office: Annotated[str, typer.Option("--to", help="汇报对象，如 市发改委投资处 / the office reported to")],
    on: Annotated[str, typer.Option("--date", help=f"汇报日期，如 {DATE_FORMS} / the day reported")],
    topic: Annotated[str, typer.Option("--topic", "-t", help="汇报事项 / what was reported")],
    unit: Annotated[str | None, typer.Option(
        "--unit", "-u", help="汇报单位（默认本人所在单位） / reporting unit (default: your own)")] = None,
    as_json: bool = JsonOption,
) -> None:
    """登记一次对上汇报 / record a report made to an upper office."""
    from coordination.services import upward_reports

    app_state = state(ctx)
    day = parse_day(on, today=app_state.today(), option="--date")
    view = upward_reports.add_upward_report(app_state.uow(), caller=app_state.caller(), to_office=to_office,
                                            topic=topic, reported_on=day, unit=app_state.unit(unit))
    _print(app_state, view.to_json(), as_json,
           app_state.t(f"已登记：{view.id}（{day}）", f"recorded: {view.id} ({day})"))


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    report_id: IdArgument,
    reason: Annotated[str | None, typer.Option("--reason", "-m", help="撤销理由 / why it is revoked")] = None,
    version: Annotated[int | None, typer.Option("--version", help="你看到的版本号 / the version you saw")] = None,
    as_json: bool = JsonOption,
) -> None:
    """撤销登记（不再计入每周次数），须写明理由 / revoke a record, with a reason."""
    from coordination.services import upward_reports

    app_state = state(ctx)
    view = upward_reports.revoke_upward_report(app_state.uow(), caller=app_state.caller(), report_id=report_id,
                                               reason=reason, expected_version=version)
    _print(app_state, view.to_json(), as_json, app_state.t(f"已撤销：{view.id}", f"revoked: {view.id}"))


@app.command("list")
def list_(
    ctx: typer.Context,
    year: YearOption = None,
    to_office: Annotated[str | None, typer.Option("--to", help="汇报对象（或其中几个字） / office (or part)")] = None,
    week: Annotated[str | None, typer.Option(
        "--week", help=f"周，如 {PERIOD_FORMS[Cadence.WEEKLY]} / ISO week")] = None,
    include_revoked: Annotated[bool, typer.Option("--all", help="含已撤销 / include revoked")] = False,
    as_json: bool = JsonOption,
) -> None:
    """对上汇报清单（按日期） / list upward reports by day."""
    from coordination.services import upward_reports

    app_state = state(ctx)
    period = None if week is None else parse_week(week, today=app_state.today())
    views = upward_reports.list_upward_reports(app_state.reader(), year=_year(app_state, year), to_office=to_office,
                                               week=period, include_revoked=include_revoked)
    rows = [v.to_json() for v in views]
    if as_json:
        app_state.emit_json(rows)
    else:
        app_state.out.print(screens.upward_reports_table(rows, app_state.lang, app_state.name_book))


@app.command("show")
def show(ctx: typer.Context, report_id: IdArgument, as_json: bool = JsonOption) -> None:
    """对上汇报详情与完整经过 / a report with its timeline."""
    from coordination.services import upward_reports

    app_state = state(ctx)
    detail = upward_reports.show_upward_report(app_state.reader(), report_id=report_id)
    _print(app_state, detail.to_json(), as_json, None)


@app.command("history")
def history(ctx: typer.Context, report_id: IdArgument, as_json: bool = JsonOption) -> None:
    """审计事件（按顺序） / the report's audit events, oldest first."""
    from coordination.services import upward_reports

    app_state = state(ctx)
    events = [e.to_json() for e in upward_reports.upward_report_history(app_state.reader(), report_id=report_id)]
    if as_json:
        app_state.emit_json(events)
    else:
        app_state.out.print(terminal.timeline_table(events, app_state.lang, app_state.name_book, with_origin=True,
                                                    workflow=UPWARD_REPORT_WORKFLOW))


@app.command("weeks")
def weeks(ctx: typer.Context, year: YearOption = None, as_json: bool = JsonOption) -> None:
    """每周汇报次数、整周最少次数、无汇报的周（截至今天） / reports per week of the year, to today."""
    from coordination.services import upward_reports

    app_state = state(ctx)
    today = app_state.today()
    counts = upward_reports.weekly_counts(app_state.reader(), year=_year(app_state, year) or today.year,
                                          until=today)
    if as_json:
        app_state.emit_json(counts.to_json())
    else:
        app_state.out.print(screens.weeks_table(counts.to_json(), app_state.lang))
