"""How a failed command ends: the error said plainly in the user's language with its exit code, the
database's password masked, a refusal written to the refusal log, a traceback only with --debug."""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from contextvars import ContextVar

import typer

from coordination.cli.context import AppState
from coordination.domain.errors import CoordError, NotPermitted

# The command line of the invocation under way (set by the root group), for the refusal log.
COMMAND_LINE: ContextVar[tuple[str, ...]] = ContextVar("coord_command_line", default=())

# Options that belong to the root (cli/main.py moves them to the front of the line).
GLOBAL_WITH_VALUE = ("--db", "--as", "--lang")
GLOBAL_FLAGS = ("--debug",)
# Options whose value may be a secret (a robot's URL carries its access token).
_SECRET_OPTIONS = ("--url", "--secret", "--password", "--token")
_COMMAND_MAX = 300
_MASK = "***"
_PLAIN_WORD = re.compile(r"[\w@%+=:,./-]+")  # \w: Chinese words need no quotes either


def _quoted(word: str) -> str:
    return word if _PLAIN_WORD.fullmatch(word) else shlex.quote(word)


def language(app_state: AppState) -> str:
    """--lang, else COORD_LANG, else Chinese; an invalid choice must not hide the error being reported."""
    try:
        return app_state.lang
    except CoordError:
        return "zh"


def _url(app_state: AppState) -> str | None:
    try:
        return app_state.url
    except CoordError:
        return None


def explained(error: Exception, app_state: AppState) -> CoordError | None:
    """The error as coord reports it: a database fault found in its chain (a read-only file behind a
    "busy" conflict, an unreachable server behind anything), else the error itself when it is coord's."""
    from coordination.db_faults import explain

    fault = explain(error, _url(app_state))
    if fault is not None:
        return fault
    return error if isinstance(error, CoordError) else None


def report(error: Exception, app_state: AppState) -> typer.Exit:
    """Print `error` for a person and return the exit to raise (the caller re-raises under --debug)."""
    from coordination.db_faults import scrub

    url = _url(app_state)
    lang = language(app_state)
    known = explained(error, app_state)
    if known is None:
        app_state.err.print("[bold red]内部错误 / unexpected error:[/] ", end="", highlight=False)
        app_state.err.print(f"{scrub(f'{type(error).__name__}: {error}', url)}\n"
                            "加 --debug 查看详细信息 / add --debug for the traceback", highlight=False, markup=False)
        return typer.Exit(1)
    if isinstance(known, NotPermitted):
        record_refusal(app_state, known)
    prefix = "error:" if lang == "en" else "错误："
    app_state.err.print(f"[bold red]{prefix}[/] ", end="", highlight=False)
    app_state.err.print(scrub(known.message(lang), url), highlight=False, markup=False)
    return typer.Exit(known.exit_code)


def record_refusal(app_state: AppState, error: NotPermitted) -> None:
    """Write the refusal to the log in its own transaction, after the refused one rolled back. Best effort:
    a database that cannot be opened or written keeps the refusal's own message on screen."""
    from coordination import config
    from coordination.services import refusals
    from coordination.uow import UnitOfWork

    try:
        handle = config.current_user(app_state.user)
    except CoordError:
        handle = app_state.user
    try:
        refusals.record_cli(UnitOfWork(app_state.engine), now=refusals.clock(), error=error, handle=handle,
                            command=described(COMMAND_LINE.get()))
    except Exception as failure:  # never let the log hide the refusal itself
        if app_state.debug:
            app_state.note(f"refusal not logged: {type(failure).__name__}: {failure}")


def described(line: Sequence[str]) -> str:
    """The command as typed, without the global options, secrets masked, at most 300 characters."""
    words: list[str] = []
    items = list(line)
    index = 0
    while index < len(items):
        item = items[index]
        name = item.split("=", 1)[0]
        if name in GLOBAL_WITH_VALUE or item in GLOBAL_FLAGS:
            index += 1 if "=" in item or item in GLOBAL_FLAGS else 2
            continue
        if name in _SECRET_OPTIONS:
            words.append(f"{name}={_MASK}" if "=" in item else name)
            if "=" not in item and index + 1 < len(items):
                words.append(_MASK)
                index += 1
        else:
            words.append(_quoted(item))
        index += 1
    text = " ".join(words)
    return text if len(text) <= _COMMAND_MAX else text[:_COMMAND_MAX - 1] + "…"
