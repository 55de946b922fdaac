"""The `coord` command tree built once per test process.

Typer's test runner rebuilds the whole Click command tree from the functions' annotations on every
invoke — a third of a second on these machines, most of the time of a test that runs many commands.
The tree does not change once the modules are imported, so the runner is given one built per app.
"""

from __future__ import annotations

import click
import typer.main
import typer.testing

_BUILT: dict[int, tuple[typer.Typer, click.Command]] = {}


def built_command(app: typer.Typer) -> click.Command:
    found = _BUILT.get(id(app))
    if found is None or found[0] is not app:
        found = _BUILT[id(app)] = (app, typer.main.get_command(app))
    return found[1]


def build_commands_once() -> None:
    typer.testing._get_command = built_command  # the runner's own lookup, by name
