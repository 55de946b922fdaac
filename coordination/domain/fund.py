"""What each action does to a fund application (资金争取): its code, the fields of a new one, and each stage.

Pure, like `domain/special_plan.py`. Every stage keeps its day (today unless named; not in the future,
not before the stage before it); a grant keeps the amount granted, in whole 元, and the document that
grants it; an evaluation its conclusion; a refusal or a withdrawal the day it closed (its reason is the
event's). The unit scope is the applying unit (`lead_unit`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from coordination.domain.authority import required_reason
from coordination.domain.errors import InvalidInput
from coordination.domain.fund_workflow import (
    FUND_TRANSITIONS,
    FUND_WORKFLOW,
    FundAction,
    FundSource,
    FundState,
    FundType,
)
from coordination.domain.hygiene import (
    DEFAULT_MAX_YUAN,
    DOCUMENT_MAX,
    NAME_MAX,
    check_amount,
    check_day,
    clean_reason,
    optional_text,
    required_text,
)
from coordination.domain.investment import MoneyUnit, amount_text, parse_money
from coordination.domain.labels import bilingual

CODE_PREFIX = "ZJ-"
CODE_MAX = 20  # a notice names its item in 20 characters (outbox.problem_id), as Q-2026-0001 does
TEXT_MAX = DOCUMENT_MAX  # a grant's document, an evaluation's conclusion
# 10 万亿元: beyond any grant or payment a district records, and sums of them stay far inside BIGINT
# (the default of the setting amounts.max_yuan, which the services pass as `cap`).
MAX_YUAN = DEFAULT_MAX_YUAN
_CODE = re.compile(r"^ZJ-[A-Z0-9][A-Z0-9_.\-]*$")

# Where each stage's day is kept.
STAGE_DAYS: dict[FundAction, str] = {
    FundAction.PREPARE: "prepared_on",
    FundAction.APPLY: "applied_on",
    FundAction.GRANT: "granted_on",
    FundAction.EVALUATE: "evaluated_on",
    FundAction.REFUSE: "closed_on",
    FundAction.WITHDRAW: "closed_on",
}


@dataclass(frozen=True)
class FundFacts:
    """The parts of a fund application's row the rules look at."""

    code: str
    state: FundState
    lead_unit: str
    last_stage_on: date


@dataclass(frozen=True)
class StageInput:
    """What a person gives with a stage; each action reads only its own."""

    on: date | None = None  # the stage's day (default today)
    amount_yuan: int | None = None  # grant: the amount granted
    document: str | None = None  # grant: the document that grants it (下达文件)
    evaluation: str | None = None  # evaluate: the conclusion
    reason: str | None = None  # refuse and withdraw: why (required); any other stage: a note


def fund_key(text: str) -> str:
    """The stored form of a code as typed (upper case, under ZJ-), for looking one up."""
    code = text.strip().upper()
    return code if code.startswith(CODE_PREFIX) else CODE_PREFIX + code


def fund_code(text: str) -> str:
    """The code a new application is kept under: the district's own code under ZJ- (ZJ-2026-01)."""
    code = fund_key(text)
    if not _CODE.match(code) or len(code) > CODE_MAX:
        raise InvalidInput(f"资金争取项目代码“{text}”无效：只能用字母、数字、-、_、.，连同 ZJ- 最长 {CODE_MAX} 位",
                           f"invalid fund code '{text}': letters, digits, - _ . only, at most {CODE_MAX} with ZJ-")
    return code


def whole_yuan(amount: int, *, what_zh: str = "金额", option: str = "--amount", cap: int = MAX_YUAN) -> int:
    """An amount in whole 元: more than nothing, and at most `cap` (the setting amounts.max_yuan)."""
    if amount <= 0:
        raise InvalidInput(f"{what_zh}须大于 0（{option}）", f"{option} must be more than 0")
    return check_amount(amount, cap=cap, field_zh=what_zh, option=option)


def amount_from_text(text: str, *, what_zh: str = "金额", option: str = "--amount", cap: int = MAX_YUAN) -> int:
    """Whole 元 from what a person typed: 元 unless the text names 万 or 亿 (3000万, 1.2亿)."""
    yuan = parse_money(text, MoneyUnit.YUAN)
    if yuan is None:
        raise InvalidInput(f"请填写{what_zh}（{option}）", f"give the amount ({option})")
    return whole_yuan(yuan, what_zh=what_zh, option=option, cap=cap)


def wan_text(yuan: int | None) -> str:
    """An amount in 万元 as the screens show it (exact, no trailing zeros); — when there is none."""
    return amount_text(yuan, MoneyUnit.WAN) or "—"


_TEXT_EN = {"--document": "the granting document", "--result": "the evaluation"}


def _text(text: str | None, what_zh: str, option: str, *, required: bool) -> str | None:
    if required:
        return required_text(text, field_zh=what_zh, field_en=_TEXT_EN[option], option=option, max_len=TEXT_MAX)
    return optional_text(text, field_zh=what_zh, field_en=_TEXT_EN[option], option=option, max_len=TEXT_MAX)


def new_fund(*, code: str, name: str, source: FundSource, fund_type: FundType, project: str | None,
             lead_unit: str, added_by: str, today: date) -> dict[str, Any]:
    """The fields of an application just put in the reserve (谋划储备)."""
    cleaned = required_text(name, field_zh="资金争取项目名称", field_en="the fund application's name", option=None,
                            max_len=NAME_MAX)
    return {
        "code": code, "name": cleaned, "source": source, "fund_type": fund_type, "project": project,
        "state": FundState.RESERVE, "lead_unit": lead_unit, "added_by": added_by, "added_on": today,
        "prepared_on": None, "applied_on": None, "granted_on": None, "granted_yuan": None, "grant_document": None,
        "evaluated_on": None, "evaluation": None, "closed_on": None,
    }


def _only_for(action: FundAction, given: object, owner: FundAction, option: str) -> None:
    if given is not None and action is not owner:
        owner_zh, owner_en = bilingual(owner)
        raise InvalidInput(f"只有“{owner_zh}”可填写 {option}", f"{option} goes only with {owner_en}")


def stage_day(action: FundAction, fund: FundFacts, on: date | None, today: date) -> date:
    """The stage's day: today unless named; never in the future, never before the stage it follows."""
    action_zh, _ = bilingual(action)
    day = check_day(on or today, option="--on")
    if day > today:
        raise InvalidInput(f"{action_zh}日期 {day} 不能晚于今天 {today}（--on）",
                           f"the date {day} cannot be after today {today} (--on)")
    if day < fund.last_stage_on:
        raise InvalidInput(f"{action_zh}日期 {day} 不能早于上一环节日期 {fund.last_stage_on}（--on）",
                           f"the date {day} cannot be before the previous stage's {fund.last_stage_on} (--on)")
    return day


def stage_changes(action: FundAction, fund: FundFacts, inputs: StageInput, *, today: date,
                  cap: int = MAX_YUAN) -> dict[str, Any]:
    """The fields a stage changes: the state, its day, and a grant's amount and document or an evaluation."""
    if action is FundAction.ADD:
        raise InvalidInput("资金争取项目入库请用 coord fund add", "add a fund application with coord fund add")
    _only_for(action, inputs.amount_yuan, FundAction.GRANT, "--amount")
    _only_for(action, inputs.document, FundAction.GRANT, "--document")
    _only_for(action, inputs.evaluation, FundAction.EVALUATE, "--result")
    required_reason(FUND_WORKFLOW, action, inputs.reason)
    changes: dict[str, Any] = {}
    if action is FundAction.GRANT:
        if inputs.amount_yuan is None:
            raise InvalidInput("“计划下达”需要填写下达金额（--amount）", "a grant needs the amount granted (--amount)")
        changes["granted_yuan"] = whole_yuan(inputs.amount_yuan, what_zh="下达金额", cap=cap)
        changes["grant_document"] = _text(inputs.document, "下达文件", "--document", required=False)
    elif action is FundAction.EVALUATE:
        changes["evaluation"] = _text(inputs.evaluation, "绩效评估结论", "--result", required=True)
    target = FUND_TRANSITIONS[action].target
    assert target is not None
    return {"state": target, STAGE_DAYS[action]: stage_day(action, fund, inputs.on, today), **changes}


def event_reason(action: FundAction, inputs: StageInput) -> str | None:
    """What the stage's event says: the person's reason or note, else a grant's document or the evaluation."""
    cleaned = clean_reason(inputs.reason)
    if cleaned is None and action is FundAction.GRANT:
        return _text(inputs.document, "下达文件", "--document", required=False)
    if cleaned is None and action is FundAction.EVALUATE:
        return _text(inputs.evaluation, "绩效评估结论", "--result", required=False)
    return cleaned
