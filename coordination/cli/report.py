"""`coord report weekly|monthly|quarterly|annual`: 周汇报、月分析、季调度、年度总结."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from coordination.cli.context import AppState, JsonOption, fail, state
from coordination.domain.parsing import PERIOD_FORMS, parse_report_period
from coordination.domain.periods import Cadence, Period, last_complete

app = typer.Typer(help="报告：周汇报、月分析、季调度、年度总结 / reports.", no_args_is_help=True)

FORMATS = ("table", "md", "json", "xlsx", "docx")
FormatOption = Annotated[str, typer.Option("--format", "-f", help="table | md | json | xlsx | docx")]
OutOption = Annotated[Path | None, typer.Option("--out", "-o", help="输出文件 / output file")]


_OPTIONS = {Cadence.WEEKLY: "--week", Cadence.MONTHLY: "--month", Cadence.QUARTERLY: "--quarter",
            Cadence.ANNUAL: "--year"}


def _period(app_state: AppState, cadence: Cadence, text: str | None) -> Period:
    if not text:
        return last_complete(cadence, app_state.today())
    return parse_report_period(cadence, text, today=app_state.today(), option=_OPTIONS[cadence])


def _run(ctx: typer.Context, cadence: Cadence, period_text: str | None, format_: str, out: Path | None,
         as_json: bool) -> None:
    from coordination.render import report as render
    from coordination.services import reports

    app_state = state(ctx)
    if as_json:
        format_ = "json"
    if format_ not in FORMATS:
        fail(f"不支持的格式 {format_}（可选 {'、'.join(FORMATS)}）", f"unsupported format {format_}")
    if format_ in ("xlsx", "docx") and out is None:
        fail(f"{format_} 格式需要 --out 指定输出文件", f"--format {format_} needs --out FILE")
    period = _period(app_state, cadence, period_text)
    report = reports.build(app_state.reader(), cadence=cadence, period=period)
    if format_ == "json":
        # Written as it is encoded, one problem at a time: never the whole document in memory.
        chunks = render.json_chunks(report.json_stream())
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            with out.open("w", encoding="utf-8") as stream:
                stream.writelines(chunks)
        else:
            sys.stdout.writelines(chunks)
            sys.stdout.write("\n")
        title = render.report_title(cadence.value, app_state.lang)
    else:
        # Excel holds every line; the other formats show each problem list's first lines only, so
        # only those are turned into rows.
        cap = render.LIST_CAP
        data = report.to_json(head=None if format_ == "xlsx" else cap)
        doc = render.document(data, app_state.lang)
        title = doc.title
        if format_ == "md":
            text = render.markdown(doc, app_state.lang, cap)
            if out is not None:
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(text, encoding="utf-8")
            else:
                app_state.out.print(text, soft_wrap=True, markup=False, highlight=False)
        elif format_ == "xlsx":
            assert out is not None
            render.xlsx(doc, out, app_state.lang)
        elif format_ == "docx":
            assert out is not None
            render.docx(doc, out, app_state.lang, cap)
        else:
            from coordination.render import terminal_report

            for part in terminal_report.screens(doc, data, app_state.lang, cap):
                app_state.out.print(part)
    if out is not None:
        app_state.note(app_state.t(f"{title}（{period.name}）已写入 {out}", f"{title} ({period.name}) → {out}"))


@app.command()
def weekly(
    ctx: typer.Context,
    week: Annotated[str | None, typer.Option(
        "--week", help=f"如 {PERIOD_FORMS[Cadence.WEEKLY]}；默认上一个完整周")] = None,
    format_: FormatOption = "table", out: OutOption = None, as_json: bool = JsonOption,
) -> None:
    """周汇报 / the weekly report."""
    _run(ctx, Cadence.WEEKLY, week, format_, out, as_json)


@app.command()
def monthly(
    ctx: typer.Context,
    month: Annotated[str | None, typer.Option(
        "--month", help=f"如 {PERIOD_FORMS[Cadence.MONTHLY]}；默认上一个完整月")] = None,
    format_: FormatOption = "table", out: OutOption = None, as_json: bool = JsonOption,
) -> None:
    """月分析 / the monthly analysis."""
    _run(ctx, Cadence.MONTHLY, month, format_, out, as_json)


@app.command()
def quarterly(
    ctx: typer.Context,
    quarter: Annotated[str | None, typer.Option(
        "--quarter", help=f"如 {PERIOD_FORMS[Cadence.QUARTERLY]}；默认上一个完整季度")] = None,
    format_: FormatOption = "table", out: OutOption = None, as_json: bool = JsonOption,
) -> None:
    """季调度 / the quarterly dispatch."""
    _run(ctx, Cadence.QUARTERLY, quarter, format_, out, as_json)


@app.command()
def annual(
    ctx: typer.Context,
    year: Annotated[str | None, typer.Option("--year", help=f"如 {PERIOD_FORMS[Cadence.ANNUAL]}；默认上一年")] = None,
    format_: FormatOption = "table", out: OutOption = None, as_json: bool = JsonOption,
) -> None:
    """年度总结数据（填写总结中的“××”） / the annual figures."""
    _run(ctx, Cadence.ANNUAL, year, format_, out, as_json)
