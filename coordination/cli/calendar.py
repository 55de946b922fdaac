"""`coord calendar …`: the official working-day calendar."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from coordination.cli.context import JsonOption, fail, state
from coordination.domain.workdays import parse_date_list
from coordination.render import terminal

app = typer.Typer(help="工作日历：法定节假日与调休 / the official working-day calendar.", no_args_is_help=True)


def _dates(text: str, option: str) -> list[date]:
    try:
        return parse_date_list(text)
    except ValueError as exc:
        fail(f"{option} 中的日期无效：{exc}", f"invalid date in {option}: {exc}")


@app.command()
def load(
    ctx: typer.Context,
    year: Annotated[int, typer.Argument(help="年份 / year")],
    holidays: Annotated[str, typer.Option("--holidays", help="放假日期，如 2027-01-01,2027-02-06..2027-02-13")],
    workdays: Annotated[str, typer.Option("--workdays", help="调休上班日（周末），如 2027-02-14")] = "",
    as_json: bool = JsonOption,
) -> None:
    """加载国务院公布的某年放假安排，并重算暂定期限 / load a year's official schedule."""
    from coordination.services import calendar

    app_state = state(ctx)
    view = calendar.load_year(app_state.uow(), caller=app_state.caller(), year=year,
                              holidays=_dates(holidays, "--holidays"), workdays=_dates(workdays, "--workdays"))
    if as_json:
        app_state.emit_json(view.to_json())
        return
    app_state.out.print(terminal.year_panel(view.to_json(), app_state.lang))
    app_state.note(app_state.t(f"已加载 {year} 年放假安排，重算了 {len(view.recomputed)} 个问题的办结期限",
                               f"loaded {year}; recomputed {len(view.recomputed)} due dates"))


@app.command()
def show(
    ctx: typer.Context,
    year: Annotated[int, typer.Argument(help="年份 / year")],
    as_json: bool = JsonOption,
) -> None:
    """显示某年的放假与调休安排 / show a year's schedule."""
    from coordination.services import calendar

    app_state = state(ctx)
    view = calendar.show_year(app_state.reader(), year=year)
    if as_json:
        app_state.emit_json(view.to_json())
    else:
        app_state.out.print(terminal.year_panel(view.to_json(), app_state.lang))


@app.command()
def override(
    ctx: typer.Context,
    day: Annotated[str, typer.Argument(help="日期 YYYY-MM-DD")],
    workday: Annotated[bool, typer.Option("--workday/--off", help="设为上班日或休息日 / working day or day off")],
    reason: Annotated[str, typer.Option("--reason", help="原因 / reason")],
    as_json: bool = JsonOption,
) -> None:
    """本地调整某一天（管理员） / a local override of one day (admin)."""
    from coordination.services import calendar

    app_state = state(ctx)
    parsed = _dates(day, "DATE")
    if len(parsed) != 1:
        fail("只能调整单独一天", "override one day at a time")
    view = calendar.set_override(app_state.uow(), caller=app_state.caller(), day=parsed[0], is_workday=workday,
                                 reason=reason)
    if as_json:
        app_state.emit_json(view.to_json())
    else:
        app_state.out.print(terminal.year_panel(view.to_json(), app_state.lang))
