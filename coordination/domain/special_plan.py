"""What each action does to a special plan (专项规划): who may take it and which fields it changes.

Pure, like `domain/task.py`. Every stage is recorded by the secretariat with the day it passed (not in
the future, not before the stage before it) and its document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from coordination.domain.errors import InvalidInput
from coordination.domain.hygiene import DOCUMENT_MAX, NAME_MAX, check_day, optional_text, required_text
from coordination.domain.labels import bilingual
from coordination.domain.special_plan_workflow import (
    SPECIAL_PLAN_TRANSITIONS,
    SpecialPlanAction,
    SpecialPlanState,
)

CODE_PREFIX = "ZX-"

# Where each stage's day and document are kept.
STAGE_COLUMNS: dict[SpecialPlanAction, tuple[str, str]] = {
    SpecialPlanAction.REVIEW: ("reviewed_on", "review_document"),
    SpecialPlanAction.DELIBERATE: ("deliberated_on", "deliberation_document"),
    SpecialPlanAction.ISSUE: ("issued_on", "issue_document"),
}


@dataclass(frozen=True)
class SpecialPlanFacts:
    """The parts of a special plan's row the rules look at."""

    code: str
    state: SpecialPlanState
    lead_unit: str
    last_stage_on: date


CODE_MAX = 20  # a notice names its item in 20 characters (outbox.problem_id), as Q-2026-0001 does
_CODE = re.compile(r"^ZX-[A-Z0-9][A-Z0-9_.\-]*$")


def special_plan_code(text: str) -> str:
    """The stored code: the district's own code under the ZX- prefix (ZX-JT for JT), upper case."""
    code = text.strip().upper()
    code = code if code.startswith(CODE_PREFIX) else CODE_PREFIX + code
    if not _CODE.match(code) or len(code) > CODE_MAX:
        raise InvalidInput(f"专项规划代码“{text}”无效：只能用字母、数字、-、_、.，连同 ZX- 最长 {CODE_MAX} 位",
                           f"invalid special plan code '{text}': letters, digits, - _ . only, "
                           f"at most {CODE_MAX} with ZX-")
    return code


def new_special_plan(*, code: str, name: str, lead_unit: str, added_by: str, today: date) -> dict[str, Any]:
    """The fields of a special plan just added: 编制中."""
    cleaned = required_text(name, field_zh="专项规划名称", field_en="the special plan's name", option=None,
                            max_len=NAME_MAX)
    return {
        "code": code, "name": cleaned, "state": SpecialPlanState.DRAFTING, "lead_unit": lead_unit,
        "added_by": added_by, "added_on": today,
        "reviewed_on": None, "review_document": None, "deliberated_on": None, "deliberation_document": None,
        "issued_on": None, "issue_document": None,
    }


def stage_changes(action: SpecialPlanAction, plan: SpecialPlanFacts, *, document: str | None, on: date | None,
                  today: date) -> dict[str, Any]:
    """The fields a stage changes: the state, the day it passed and its document."""
    rule = SPECIAL_PLAN_TRANSITIONS[action]
    action_zh, action_en = bilingual(action)
    text = optional_text(document, field_zh="文件说明", field_en="the document", option="--document",
                         max_len=DOCUMENT_MAX) or ""
    if rule.needs_reason and not text:
        raise InvalidInput(f"“{action_zh}”需要写明文件或会议（--document）",
                           f"{action_en} needs its document or meeting (--document)")
    day = check_day(on or today, option="--date")
    if day > today:
        raise InvalidInput(f"{action_zh}日期 {day} 不能晚于今天 {today}",
                           f"the date {day} cannot be after today {today}")
    if day < plan.last_stage_on:
        # Stages pass in order: a later stage cannot be dated before the one it follows.
        raise InvalidInput(f"{action_zh}日期 {day} 不能早于上一环节日期 {plan.last_stage_on}",
                           f"the date {day} cannot be before the previous stage's {plan.last_stage_on}")
    assert rule.target is not None
    day_column, document_column = STAGE_COLUMNS[action]
    return {"state": rule.target, day_column: day, document_column: text}
