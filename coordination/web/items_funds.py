"""Fund applications (资金争取) on the item pages and the API, over services/funds.py.

The service takes no reader: this adapter reads the application first, so that one outside the reader's
sight is 404 before anything is written (an application's applying unit never changes). A grant's amount
is typed as the command line takes it — 元, or 3000万, 1.2亿 — and shown in 万元, exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import Any

from coordination.domain.fund import StageInput, amount_from_text
from coordination.domain.fund_workflow import FUND_WORKFLOW, FundAction, FundSource, FundState, FundType
from coordination.domain.hygiene import AMOUNT_CEILING, DOCUMENT_MAX
from coordination.domain.problem import Actor
from coordination.services import funds
from coordination.web.auth import Identity
from coordination.web.items_kind import (
    Fact,
    FieldKind,
    FormField,
    ItemFilter,
    ItemInput,
    ItemKind,
    Shown,
    by_authority,
    fact,
    no_lights,
    seen_id,
    seen_only,
)

A = FundAction


def _list(identity: Identity, chosen: ItemFilter) -> list[dict[str, Any]]:
    no_lights("资金争取项目", "fund applications", chosen.light)
    filters = funds.FundFilter(state=FundState(chosen.state) if chosen.state else None, unit=chosen.unit,
                               open_only=chosen.open_only)
    return seen_only(identity, [view.to_json() for view in funds.list_funds(identity.reader(), filters=filters)])


def _show(identity: Identity, text: str) -> Shown:
    detail = funds.show_fund(identity.reader(), code=text)
    return by_authority(FUNDS, identity, detail.fund.to_json(), detail.timeline)


def _act(identity: Identity, text: str, action: StrEnum, given: ItemInput, expected: int | None) -> dict[str, Any]:
    code = seen_id(FUNDS, identity, funds.show_fund(identity.reader(), code=text).fund.record)
    # Read before anything is written; the service holds it to the setting amounts.max_yuan (as for the CLI).
    amount = (None if given.amount is None
              else amount_from_text(given.amount, what_zh="下达金额", option="amount", cap=AMOUNT_CEILING))
    inputs = StageInput(on=given.on, amount_yuan=amount, document=given.document, evaluation=given.result,
                        reason=given.reason)
    return funds.act_on_fund(identity.writer(), caller=identity.caller, code=code, action=FundAction(action),
                             inputs=inputs, expected_version=expected).to_json()


def _waiting(actor: Actor, offered: Sequence[StrEnum], record: dict[str, Any], _today: date) -> bool:
    """The applying unit's staff move their own application along (前期推进, 审核申报); what comes back from
    above (计划下达, 绩效评估) waits for the secretariat. Giving up (撤回, 未获批准) is never a to-do."""
    waits: set[StrEnum] = {A.GRANT, A.EVALUATE}
    if actor.unit is not None and actor.unit == record.get("lead_unit"):
        waits |= {A.PREPARE, A.APPLY}
    return any(action in waits for action in offered)


_DAY = FormField("on", FieldKind.DATE, "日期（不填为今天）", "Date (today if empty)")
_GRANT = (
    FormField("amount", FieldKind.AMOUNT, "下达金额（元，可写 3000万、1.2亿）",
              "Amount granted (yuan; 3000万 or 1.2亿 accepted)", required=True, max_length=40),
    FormField("document", FieldKind.TEXT, "下达文件", "Granting document", max_length=DOCUMENT_MAX),
    _DAY,
)
_EVALUATE = (FormField("result", FieldKind.LONG_TEXT, "绩效评估结论", "The evaluation's conclusion", required=True,
                       max_length=DOCUMENT_MAX), _DAY)
_WAN = Fact(("下达金额（万元）", "Granted (10k yuan)"), "granted_yuan", "wan")

FUNDS = ItemKind(
    slug="funds", workflow=FUND_WORKFLOW, name_zh="资金争取", name_en="Fund applications", title_key="name",
    unit_word="applying_unit", due_word=None, has_lights=False, key="code",
    facts=(
        fact("applying_unit", "lead_unit", "unit"),
        Fact(("资金来源", "Source"), "source", "label", FundSource),
        Fact(("资金类型", "Type"), "fund_type", "label", FundType),
        Fact(("所属项目", "Project"), "project", "project"),
        Fact(("入库人", "Added by"), "added_by", "person"), Fact(("入库日期", "Added on"), "added_on", "day"),
        Fact(("前期推进", "Prepared on"), "prepared_on", "day"), Fact(("审核申报", "Applied on"), "applied_on", "day"),
        Fact(("计划下达", "Granted on"), "granted_on", "day"), _WAN,
        Fact(("下达文件", "Granting document"), "grant_document"),
        Fact(("绩效评估", "Evaluated on"), "evaluated_on", "day"),
        Fact(("评估结论", "Evaluation"), "evaluation", "long"),
        Fact(("终止日期", "Closed on"), "closed_on", "day"), fact("version", "version"),
    ),
    list_items=_list, show_item=_show, act=_act, waiting=_waiting,
    extra={A.PREPARE.value: (_DAY,), A.APPLY.value: (_DAY,), A.GRANT.value: _GRANT, A.EVALUATE.value: _EVALUATE,
           A.REFUSE.value: (_DAY,), A.WITHDRAW.value: (_DAY,)},
    reason_labels={A.REFUSE.value: ("未获批准的理由", "Why it was refused"),
                   A.WITHDRAW.value: ("撤回理由", "Why it is withdrawn")},
    event_keys=(
        *(fact("stage_on", day, "day") for day in ("prepared_on", "applied_on", "granted_on", "evaluated_on",
                                                   "closed_on")),
        _WAN,
    ),
    row_facts=(Fact(("资金来源", "Source"), "source", "label", FundSource),
               Fact(("资金类型", "Type"), "fund_type", "label", FundType), _WAN),
)
