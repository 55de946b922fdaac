"""`coord calendar …`: the official working-day calendar."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from coordination.cli.context import JsonOption, fail, state
from coordination.domain.errors import InvalidInput
from coordination.domain.parsing import DATE_FORMS, parse_day
from coordination.render import admin_screens, terminal

if TYPE_CHECKING:
    from rich.panel import Panel

    from coordination.services.calendar import YearView

app = typer.Typer(help="工作日历：法定节假日与调休 / the official working-day calendar.", no_args_is_help=True)


def _dates(text: str, option: str, today: date) -> list[date]:
    """Dates from "2027-01-01,2027-02-16..2027-02-22" (commas, spaces or 、; ranges with .., ~ or 至),
    each in any of the forms parse_day reads."""
    days: set[date] = set()
    for chunk in text.replace("，", ",").replace("、", ",").replace(" ", ",").split(","):
        chunk = chunk.strip()
        if not chunk:
            continue
        for separator in ("..", "~", "～", "至"):
            if separator in chunk:
                first_text, last_text = chunk.split(separator, 1)
                first = parse_day(first_text, today=today, option=option)
                last = parse_day(last_text, today=today, option=option)
                if last < first:
                    fail(f"{option} 中的日期范围倒置：{chunk}", f"{option}: the range {chunk} ends before it starts")
                days.update(first + timedelta(days=n) for n in range((last - first).days + 1))
                break
        else:
            days.add(parse_day(chunk, today=today, option=option))
    return sorted(days)


def _day(text: str, today: date) -> date:
    """One day, in any of the forms people write (a list or a range is refused: one day at a time)."""
    try:
        return parse_day(text, today=today, option="DATE")
    except InvalidInput:
        if len(text.replace("，", ",").replace("、", ",").split(",")) > 1 or ".." in text or "~" in text:
            fail("只能调整单独一天", "override one day at a time")
        raise


def _panel(view: YearView, lang: str) -> Panel:
    """The year's panel, with where its schedule came from in words instead of the code ("package")."""
    return terminal.year_panel({**view.to_json(), "source": admin_screens.calendar_source(view.source, lang)}, lang)


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
                              holidays=_dates(holidays, "--holidays", app_state.today()),
                              workdays=_dates(workdays, "--workdays", app_state.today()))
    if as_json:
        app_state.emit_json(view.to_json())
        return
    app_state.out.print(_panel(view, app_state.lang))
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
        app_state.out.print(_panel(view, app_state.lang))


@app.command()
def override(
    ctx: typer.Context,
    day: Annotated[str, typer.Argument(metavar="DATE", help=f"日期，如 {DATE_FORMS} / date")],
    workday: Annotated[bool, typer.Option("--workday/--off", help="设为上班日或休息日 / working day or day off")],
    reason: Annotated[str, typer.Option("--reason", help="原因 / reason")],
    as_json: bool = JsonOption,
) -> None:
    """本地调整某一天（管理员） / a local override of one day (admin)."""
    from coordination.services import calendar

    app_state = state(ctx)
    parsed = _day(day, app_state.today())
    view = calendar.set_override(app_state.uow(), caller=app_state.caller(), day=parsed, is_workday=workday,
                                 reason=reason)
    if as_json:
        app_state.emit_json(view.to_json())
    else:
        app_state.out.print(_panel(view, app_state.lang))
