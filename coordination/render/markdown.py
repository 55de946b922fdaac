"""Markdown renderings."""

from __future__ import annotations

from collections.abc import Callable

from coordination.domain.disbursement_workflow import DISBURSEMENT_WORKFLOW
from coordination.domain.filing_workflow import FILING_WORKFLOW
from coordination.domain.fund_workflow import FUND_WORKFLOW
from coordination.domain.indicator_workflow import INDICATOR_WORKFLOW
from coordination.domain.labels import label
from coordination.domain.problem_workflow import PROBLEM_WORKFLOW
from coordination.domain.special_plan_workflow import SPECIAL_PLAN_WORKFLOW
from coordination.domain.sweep import SweepAction
from coordination.domain.task_workflow import TASK_WORKFLOW
from coordination.domain.upward_report_workflow import UPWARD_REPORT_WORKFLOW
from coordination.domain.workflow import Audience, Workflow


def state_list(workflow: Workflow = PROBLEM_WORKFLOW) -> str:
    """A kind's states as the README lists them: `key` 标签 · …"""
    return " · ".join(f"`{s.value}` {label(s)}" for s in workflow.states)


def transition_table(workflow: Workflow = PROBLEM_WORKFLOW) -> str:
    """A kind's transition table as Markdown: the README shows exactly this (a test keeps them equal)."""
    order = list(workflow.states)
    lines = [
        "| action | 操作 | from | to | who (scope) |",
        "|---|---|---|---|---|",
    ]
    for action, rule in workflow.transitions.items():
        sources = "—" if not rule.sources else ", ".join(
            f"`{s.value}`" for s in sorted(rule.sources, key=order.index))
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


_AUDIENCE = {
    Audience.LEAD_UNIT: "the lead unit's group, @ its handlers",
    Audience.LEAD_UNIT_HEADS: "the lead unit's group, @ its head",
    Audience.CO_UNITS: "each co-unit's group, @ its handlers",
    Audience.SECRETARIAT: "the district's group, @ the secretariat",
    Audience.RAISER: "the raiser's unit group, @ the raiser",
    Audience.DISTRICT: "the district's group",
}
_SCHEDULED = {SweepAction.REMIND.value: "督办 (sweep)"}


def notice_table(workflow: Workflow = PROBLEM_WORKFLOW) -> str:
    """Who is told of each action (the workflow's notice policy) as Markdown, for the README."""
    lines = ["| action | 操作 | notice | to |", "|---|---|---|---|"]
    for action, rule in workflow.notices.items():
        zh = _SCHEDULED.get(action) or label(workflow.actions(action))
        lines.append(f"| `{action}` | {zh} | `{rule.kind}` | {'; '.join(_AUDIENCE[a] for a in rule.audiences)} |")
    return "\n".join(lines)


# Each kind's tables under its own markers (a marker missing from the README is left alone).
GENERATED: dict[str, Callable[[], str]] = {
    "transition-table": transition_table, "notice-table": notice_table,
    "task-states": lambda: state_list(TASK_WORKFLOW),
    "task-transition-table": lambda: transition_table(TASK_WORKFLOW),
    "task-notice-table": lambda: notice_table(TASK_WORKFLOW),
    "special-plan-states": lambda: state_list(SPECIAL_PLAN_WORKFLOW),
    "special-plan-transition-table": lambda: transition_table(SPECIAL_PLAN_WORKFLOW),
    "special-plan-notice-table": lambda: notice_table(SPECIAL_PLAN_WORKFLOW),
    "filing-states": lambda: state_list(FILING_WORKFLOW),
    "filing-transition-table": lambda: transition_table(FILING_WORKFLOW),
    "filing-notice-table": lambda: notice_table(FILING_WORKFLOW),
    "fund-states": lambda: state_list(FUND_WORKFLOW),
    "fund-transition-table": lambda: transition_table(FUND_WORKFLOW),
    "fund-notice-table": lambda: notice_table(FUND_WORKFLOW),
    "disbursement-states": lambda: state_list(DISBURSEMENT_WORKFLOW),
    "disbursement-transition-table": lambda: transition_table(DISBURSEMENT_WORKFLOW),
    "upward-report-states": lambda: state_list(UPWARD_REPORT_WORKFLOW),
    "upward-report-transition-table": lambda: transition_table(UPWARD_REPORT_WORKFLOW),
    "upward-report-notice-table": lambda: notice_table(UPWARD_REPORT_WORKFLOW),
    "indicator-states": lambda: state_list(INDICATOR_WORKFLOW),
    "indicator-transition-table": lambda: transition_table(INDICATOR_WORKFLOW),
    "indicator-notice-table": lambda: notice_table(INDICATOR_WORKFLOW),
}


def update_readme(path: str = "README.md") -> None:
    """Rewrite the README's generated tables (transitions, who is told) from the code."""
    from pathlib import Path

    readme = Path(path)
    text = readme.read_text(encoding="utf-8")
    for name, make in GENERATED.items():
        start_mark, end_mark = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        if start_mark not in text:
            continue
        head, rest = text.split(start_mark, 1)
        _, tail = rest.split(end_mark, 1)
        text = f"{head}{start_mark}\n{make()}\n{end_mark}{tail}"
    readme.write_text(text, encoding="utf-8")
