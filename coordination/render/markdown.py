"""Markdown renderings."""

from __future__ import annotations

from coordination.domain.enums import State
from coordination.domain.labels import label
from coordination.domain.transitions import TRANSITIONS

_ORDER = list(State)


def transition_table() -> str:
    """The transition table as Markdown: the README shows exactly this (a test keeps them equal)."""
    lines = [
        "| action | 操作 | from | to | who (scope) |",
        "|---|---|---|---|---|",
    ]
    for action, rule in TRANSITIONS.items():
        sources = "—" if not rule.sources else ", ".join(
            f"`{s.value}`" for s in sorted(rule.sources, key=_ORDER.index))
        target = f"`{rule.target.value}`" if rule.target else "(unchanged)"
        who = ", ".join(f"{role.value} ({scope.value})" for role, scope in rule.roles.items())
        extras = [guard.value for guard in rule.guards]
        if rule.needs_reason:
            extras.append("reason required")
        if rule.taken_by == "meeting":
            extras.append("only by closing a meeting's minutes")
        elif rule.taken_by == "calendar":
            extras.append("only when a year's calendar is loaded")
        if extras:
            who += "; " + ", ".join(extras)
        lines.append(f"| `{action.value}` | {label(action)} | {sources} | {target} | {who} |")
    return "\n".join(lines)


def update_readme(path: str = "README.md") -> None:
    """Rewrite the README's transition table from the code."""
    from pathlib import Path

    readme = Path(path)
    text = readme.read_text(encoding="utf-8")
    start_mark, end_mark = "<!-- transition-table:start -->", "<!-- transition-table:end -->"
    head, rest = text.split(start_mark, 1)
    _, tail = rest.split(end_mark, 1)
    readme.write_text(f"{head}{start_mark}\n{transition_table()}\n{end_mark}{tail}", encoding="utf-8")
