"""`coord audit verify`: walk every hash chain."""

from __future__ import annotations

import typer

from coordination.cli.context import JsonOption, state
from coordination.domain.labels import word

app = typer.Typer(help="审计：校验不可篡改的事件链 / the audit trail.", no_args_is_help=True)


@app.command()
def verify(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """校验全部审计链；断裂时指出第一处 / verify every chain, name the first broken link."""
    from coordination.services.audit import verify_chains

    app_state = state(ctx)
    report = verify_chains(app_state.reader())
    if as_json:
        app_state.emit_json(report.to_json())
    elif report.ok:
        app_state.out.print("[green]✔[/] " + word("audit_ok", app_state.lang).format(
            streams=report.streams, events=report.events))
    else:
        app_state.err.print("[bold red]✘[/] " + word("audit_broken", app_state.lang).format(
            stream=report.broken_stream, seq=report.broken_seq, why=report.why))
    if not report.ok:
        raise typer.Exit(1)
