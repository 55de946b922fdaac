"""`coord audit verify`: walk every hash chain and check the signed checkpoints; `coord audit checkpoint`."""

from __future__ import annotations

import typer
from rich.markup import escape

from coordination.cli import refusals as refusal_log
from coordination.cli.context import JsonOption, state
from coordination.domain.labels import word

app = typer.Typer(help="审计：校验不可篡改的事件链 / the audit trail.", no_args_is_help=True)
app.command("refusals")(refusal_log.refusals)  # coordination/cli/refusals.py


@app.command()
def verify(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """校验全部审计链、版本号与事件重放，指出每类问题的第一处 / verify every chain, every version and every
    table against the replay of its events; name the first fault of each kind."""
    from coordination.services.audit import verify as verify_all
    from coordination.services.checkpoints import check

    app_state = state(ctx)
    audited = verify_all(app_state.reader())  # services/audit.py (A2): chains, versions, replays
    report = audited.chains
    anchors = check(app_state.reader())
    if as_json:
        app_state.emit_json({**audited.to_json(), "ok": audited.ok and anchors.ok,
                             "checkpoints": anchors.to_json()})
    else:
        if audited.ok:
            app_state.out.print("[green]✔[/] " + word("audit_ok", app_state.lang).format(
                streams=report.streams, events=report.events))
        elif not report.ok:
            app_state.err.print("[bold red]✘[/] " + word("audit_broken", app_state.lang).format(
                stream=report.broken_stream, seq=report.broken_seq, why=report.why))
        for found in audited.faults:  # one line per kind of fault: its first row, how many in all
            app_state.err.print("[bold red]✘[/] " + escape(found.message(app_state.lang)))
        for fault in anchors.faults:
            app_state.err.print("[bold red]✘[/] " + escape(fault.message(app_state.lang)))
        for note in anchors.notes:
            app_state.out.print("[dim]•[/] " + escape(note.message(app_state.lang)))
    if not (audited.ok and anchors.ok):
        raise typer.Exit(1)


@app.command()
def checkpoint(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """写入审计检查点：以本区密钥签署每条链的链头 / sign every chain's head now (admins; the sweep does daily)."""
    from coordination.services import checkpoints

    app_state = state(ctx)
    view = checkpoints.checkpoint(app_state.uow(), caller=app_state.caller())
    if as_json:
        app_state.emit_json(view.to_json())
        return
    app_state.out.print("[green]✔[/] " + app_state.t(
        f"已写入审计检查点 #{view.number}：{view.streams} 条链，{view.events} 个事件。",
        f"Audit checkpoint #{view.number} written: {view.streams} chains, {view.events} events."))
    app_state.out.print(escape(view.line(app_state.lang)))
