"""`coord queue`: what waits on each rung of the ladder, most urgent first."""

from __future__ import annotations

from typing import Annotated

import typer

from coordination.cli.context import JsonOption, state
from coordination.domain.labels import word
from coordination.domain.parsing import parse_level
from coordination.render import terminal


def register(app: typer.Typer) -> None:
    @app.command()
    def queue(
        ctx: typer.Context,
        leader: Annotated[str | None, typer.Option("--leader", help="挂钩领导账号或姓名 / linked leader")] = None,
        level: Annotated[str | None, typer.Option("--level", help="L2–L5（也可写 2、二级）")] = None,
        unit: Annotated[str | None, typer.Option("--unit", "-u", help="责任单位代码或简称 / lead unit")] = None,
        limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="每页条数 / problems per page")] = 20,
        page: Annotated[int, typer.Option("--page", "-p", min=1, help="第几页（从 1 起） / page, from 1")] = 1,
        as_json: bool = JsonOption,
    ) -> None:
        """提级问题队列（按紧急程度） / escalation queue ordered by urgency."""
        from coordination.services import issue_reads

        app_state = state(ctx)
        parsed = parse_level(level) if level is not None else None
        leader = app_state.person(leader)
        unit = app_state.unit(unit)
        found = issue_reads.escalation_queue(app_state.reader(), today=app_state.today(),
                                             filters=issue_reads.QueueFilter(leader=leader, level=parsed, unit=unit),
                                             limit=limit, offset=(page - 1) * limit)
        rows = [v.to_json() for v in found.items]
        if as_json:
            app_state.emit_json(rows)  # the page's problems, as before paging; the table says how many in all
            return
        book = app_state.name_book
        # The queue's scope by name: 陈副区长 L3 区住房和城乡建设局.
        scope = " ".join(x for x in (book.person(leader) if leader else None,
                                     terminal.level_short(parsed) if parsed else None,
                                     book.unit(unit) if unit else None) if x)
        table = terminal.problems_table(rows, app_state.lang, book,
                                        title=f"{word('queue', app_state.lang)} {scope}".strip())
        table.caption = app_state.t(f"第 {found.page} 页，共 {found.pages} 页，共 {found.total} 个问题",
                                    f"page {found.page} of {found.pages}, {found.total} problems in all")
        app_state.out.print(table)
