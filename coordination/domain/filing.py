"""What each action does to a filing (备案): who may take it and which fields it changes.

Pure, like `domain/task.py`. The unit scope is the filing's window unit (`lead_unit`); adding one is
judged against the unit it is received for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from coordination.domain.errors import InvalidInput
from coordination.domain.filing_workflow import FILING_TRANSITIONS, FilingAction, FilingState
from coordination.domain.hygiene import NAME_MAX, clean_reason, required_text
from coordination.domain.labels import bilingual
from coordination.domain.workdays import WorkCalendar


@dataclass(frozen=True)
class FilingFacts:
    """The parts of a filing the rules look at (when adding: the unit it is received for)."""

    id: str
    state: FilingState | None
    lead_unit: str
    due_date: date | None = None


def _name(text: str, what_zh: str, what_en: str, option: str) -> str:
    return required_text(text, field_zh=what_zh, field_en=what_en, option=option, max_len=NAME_MAX)


def new_filing(*, project_name: str, enterprise: str, lead_unit: str, received_by: str, today: date,
               limit_days: int, calendar: WorkCalendar) -> dict[str, Any]:
    """The fields of a filing just received: due `limit_days` working days after today."""
    due = calendar.add_working_days(today, limit_days)
    return {
        "project_name": _name(project_name, "项目名称", "the project name", "--project-name"),
        "enterprise": _name(enterprise, "企业名称", "the enterprise", "--enterprise"),
        "state": FilingState.RECEIVED,
        "lead_unit": lead_unit,
        "received_by": received_by,
        "received_on": today,
        "due_date": due.day,
        "due_provisional": due.provisional,  # the official calendar of that year is not loaded yet
        "completed_on": None,
        "completed_on_time": None,
        "returned_on": None,
    }


def filing_changes(action: FilingAction, filing: FilingFacts, *, reason: str | None, today: date) -> dict[str, Any]:
    """The fields `action` changes: the state, the day, and whether a completion kept the time limit."""
    rule = FILING_TRANSITIONS[action]
    if clean_reason(reason) is None and rule.needs_reason:
        action_zh, action_en = bilingual(action)
        raise InvalidInput(f"“{action_zh}”需要填写理由（--reason）", f"{action_en} needs a reason (--reason)")
    assert rule.target is not None
    if action is FilingAction.COMPLETE:
        on_time = filing.due_date is None or today <= filing.due_date
        return {"state": rule.target, "completed_on": today, "completed_on_time": on_time}
    return {"state": rule.target, "returned_on": today}
