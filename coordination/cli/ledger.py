"""`coord ledger template|import|export FILE.xlsx`: the district's Excel ledgers (台账)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from coordination.cli.context import AppState, JsonOption, state
from coordination.domain.errors import CoordError

if TYPE_CHECKING:
    from coordination.services.ledger import Progress

app = typer.Typer(help="Excel 台账：模板、导入、导出 / Excel ledgers: template, import, export.", no_args_is_help=True)

FileArgument = Annotated[Path, typer.Argument(metavar="FILE.xlsx", help="台账文件 / the workbook")]
ForceOption = Annotated[bool, typer.Option("--force", help="覆盖已有文件 / overwrite an existing file")]
_BAR_FROM_ROWS = 1000  # smaller files finish before a bar is worth drawing


@app.command()
def template(ctx: typer.Context, file: FileArgument, force: ForceOption = False, as_json: bool = JsonOption) -> None:
    """生成空白台账模板（表头批注、下拉选项） / write an empty ledger template."""
    from coordination.services import ledger

    app_state = state(ctx)
    try:
        uow = app_state.reader()  # the registered units fill the drop-downs when a database exists
    except CoordError:
        uow = None
    result = ledger.write_template(uow, path=file, overwrite=force)
    if as_json:
        app_state.emit_json(result.to_json())
    else:
        app_state.out.print(app_state.t(f"已生成台账模板：{file}", f"template written: {file}"))


@app.command("import")
def import_(
    ctx: typer.Context,
    file: FileArgument,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查不写入 / check only, write nothing")] = False,
    as_json: bool = JsonOption,
) -> None:
    """导入台账：先检查整个文件，有错误则不写入任何数据 / import a ledger, all or nothing."""
    from coordination.render import investment
    from coordination.services import ledger

    app_state = state(ctx)
    caller = replace(app_state.caller(), origin=ledger.import_origin(file))
    with _ProgressBar(app_state, file) as progress:
        try:
            result = ledger.import_ledger(app_state.uow(), caller=caller, path=file, dry_run=dry_run,
                                          progress=progress)
        except (ledger.LedgerInvalid, ledger.LedgerNotPermitted) as invalid:
            if as_json:
                app_state.emit_json({"file": invalid.file, "ok": False,
                                     "errors": [i.to_json() for i in invalid.issues if not i.warning],
                                     "warnings": [i.to_json() for i in invalid.issues if i.warning]})
            raise
    data = result.to_json()
    if as_json:
        app_state.emit_json(data)
        return
    if data["warnings"]:
        app_state.err.print(investment.ledger_issues(data["warnings"], app_state.lang, title_key="ledger_warnings"))
    app_state.out.print(investment.import_summary(data, app_state.lang), highlight=False, soft_wrap=True)


@app.command()
def export(
    ctx: typer.Context,
    file: FileArgument,
    year: Annotated[int | None, typer.Option("--year", help="项目表的计划年度（默认今年） / plan year")] = None,
    force: ForceOption = False,
    as_json: bool = JsonOption,
) -> None:
    """按模板导出全部项目、投资进度和问题；原样再导入不会有变化 / export the ledger."""
    from coordination.services import ledger

    app_state = state(ctx)
    result = ledger.export_ledger(app_state.reader(), path=file, today=app_state.today(), year=year, overwrite=force)
    if as_json:
        app_state.emit_json(result.to_json())
        return
    app_state.out.print(app_state.t(
        f"已导出 {file}：项目 {result.projects} 个，月度投资 {result.progress} 条，问题 {result.problems} 个",
        f"exported {file}: {result.projects} projects, {result.progress} months of progress, "
        f"{result.problems} problems"), highlight=False, soft_wrap=True)


class _ProgressBar:
    """A progress bar on stderr for large files on a terminal; otherwise nothing."""

    def __init__(self, app_state: AppState, file: Path) -> None:
        self._state = app_state
        self._file = file
        self._bar: Any = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> Progress | None:
        if not self._state.err.is_terminal:
            return None
        return self._advance

    def _advance(self, stage: str, done: int, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        if self._bar is None:
            if total < _BAR_FROM_ROWS:
                return
            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=self._state.err, transient=True)
            self._bar.start()
        name = stage.split(":", 1)[0]
        if name not in self._tasks:
            described = {"read": self._state.t("读取", "reading"), "check": self._state.t("检查", "checking"),
                         "write": self._state.t("写入", "writing")}.get(name, name)
            self._tasks[name] = self._bar.add_task(f"{described} {self._file.name}", total=total)
        self._bar.update(self._tasks[name], completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
