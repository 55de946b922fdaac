"""The root of `coord`: global options, error-to-exit-code mapping, command groups."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from coordination.cli import (
    audit,
    calendar,
    db,
    filing,
    fund,
    indicator,
    issue,
    ledger,
    meeting,
    people,
    plan,
    project,
    queue,
    report,
    report_up,
    serve,
    setup,
    special_plan,
    sweep,
    web,
    zh_click,
)
from coordination.cli.context import AppState, state
from coordination.cli.faults import COMMAND_LINE, GLOBAL_FLAGS, GLOBAL_WITH_VALUE
from coordination.cli.faults import report as report_error
from coordination.domain.hygiene import check_arguments


def hoist_global_options(args: Sequence[str]) -> list[str]:
    """Move --db/--as/--lang/--debug to the front so they work anywhere on the line."""
    front: list[str] = []
    rest: list[str] = []
    items = list(args)
    index = 0
    while index < len(items):
        item = items[index]
        if item == "--":
            rest.extend(items[index:])
            break
        name = item.split("=", 1)[0]
        if name in GLOBAL_WITH_VALUE:  # the root's options, which people naturally type after the command
            if "=" in item:
                front.append(item)
            elif index + 1 < len(items):
                front.extend(items[index:index + 2])
                index += 1
            else:
                rest.append(item)
        elif item in GLOBAL_FLAGS:
            front.append(item)
        else:
            rest.append(item)
        index += 1
    return front + rest


class CoordGroup(TyperGroup):
    """Maps coord's errors to exit codes, keeps tracebacks for --debug, and has Typer and Click speak
    --lang/COORD_LANG too (coordination.cli.zh_click)."""

    def main(self, args: Sequence[str] | None = None, *pos: Any, **kwargs: Any) -> Any:
        line = hoist_global_options(sys.argv[1:] if args is None else args)
        typed = COMMAND_LINE.set(tuple(line))  # for the refusal log
        try:
            # Typer draws help and usage errors while Click parses, before the root callback has read --lang:
            # the language of Typer's and Click's own words is taken from the line (and COORD_LANG) instead.
            with zh_click.speaking(zh_click.language(line)):
                return super().main(line, *pos, **kwargs)
        finally:
            COMMAND_LINE.reset(typed)

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        with zh_click.chinese_errors():  # a bad root option, a missing value for --db
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Any) -> Any:  # typer's own click context, not part of its public API
        try:
            with zh_click.chinese_errors():  # every subcommand is parsed in here
                check_arguments(COMMAND_LINE.get())  # bytes that are not UTF-8 reach no lookup, no message
                return super().invoke(ctx)
        except (typer.Exit, typer.Abort, TyperException):
            raise
        except Exception as error:  # coord's errors, database faults, and the last line of defence
            app_state = state(ctx)
            if app_state.debug:
                raise
            raise report_error(error, app_state) from None


app = typer.Typer(
    cls=CoordGroup,
    name="coord",
    help="1+2+N 重大项目问题协调推进引擎 / the 1+2+N coordination engine.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option("--db", help="数据库地址或 SQLite 文件 / database URL or SQLite file "
                                           "(COORD_DATABASE_URL)")] = None,
    as_: Annotated[str | None, typer.Option("--as", help="操作人账号 / acting person (COORD_USER)")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="zh | en (COORD_LANG)")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="出错时显示完整信息 / show tracebacks")] = False,
) -> None:
    """1+2+N 重大项目问题协调推进引擎。"""
    ctx.obj = AppState(db=db, user=as_, lang_option=lang, debug=debug)
    if not ctx.resilient_parsing:
        ctx.obj.preflight()  # before any command runs: a bad option or variable writes nothing


setup.register(app)
app.add_typer(setup.unit_app, name="unit")
app.add_typer(people.app, name="person")
app.add_typer(project.app, name="project")
app.add_typer(project.route_app, name="route")
app.add_typer(issue.app, name="issue")
app.add_typer(plan.plan_app, name="plan")
app.add_typer(plan.task_app, name="task")
app.add_typer(special_plan.app, name="special-plan")
app.add_typer(filing.app, name="filing")
app.add_typer(fund.app, name="fund")
app.add_typer(indicator.app, name="indicator")
queue.register(app)
sweep.register(app)
serve.register(app)
app.add_typer(meeting.app, name="meeting")
app.add_typer(report.app, name="report")
app.add_typer(report_up.app, name="report-up")
app.add_typer(calendar.app, name="calendar")
app.add_typer(audit.app, name="audit")
app.add_typer(ledger.app, name="ledger")
app.add_typer(db.app, name="db")
app.add_typer(web.app, name="web")


def run() -> None:
    app()
