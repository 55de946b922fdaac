"""Guidance-fund disbursements (引导资金发放) on the item pages and the API, over services/disbursements.py.

A ledger of payments made: the service lists by year and enterprise, so the state and unit filters are
applied here; nothing in it waits in 我的待办. The service takes no reader: this adapter reads the payment
first, so that one outside the reader's sight is 404 before anything is written.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from coordination.domain.disbursement_workflow import (
    DISBURSEMENT_WORKFLOW,
    DisbursementAction,
    DisbursementState,
)
from coordination.services import disbursements
from coordination.web.auth import Identity
from coordination.web.items_kind import (
    Fact,
    ItemFilter,
    ItemInput,
    ItemKind,
    Shown,
    by_authority,
    fact,
    in_memory,
    never_waits,
    no_lights,
    seen_id,
    seen_only,
)


def _list(identity: Identity, chosen: ItemFilter) -> list[dict[str, Any]]:
    no_lights("引导资金发放", "disbursements", chosen.light)
    standing_only = chosen.open_only or chosen.state is DisbursementState.RECORDED
    found = disbursements.list_disbursements(identity.reader(), include_revoked=not standing_only)
    rows = in_memory([view.to_json() for view in found], chosen, DISBURSEMENT_WORKFLOW.open_states)
    return seen_only(identity, rows)


def _show(identity: Identity, text: str) -> Shown:
    detail = disbursements.show_disbursement(identity.reader(), disbursement_id=text)
    return by_authority(DISBURSEMENTS, identity, detail.disbursement.to_json(), detail.timeline)


def _act(identity: Identity, text: str, _action: StrEnum, given: ItemInput, expected: int | None
         ) -> dict[str, Any]:
    """撤销, a record's one action (the registry has refused any other key)."""
    number = seen_id(DISBURSEMENTS, identity,
                     disbursements.show_disbursement(identity.reader(), disbursement_id=text).disbursement.record)
    return disbursements.revoke_disbursement(identity.writer(), caller=identity.caller, disbursement_id=number,
                                             reason=given.reason, expected_version=expected).to_json()


_AMOUNT = Fact(("发放金额（万元）", "Amount (10k yuan)"), "amount_yuan", "wan")
_PAID_ON = Fact(("发放日期", "Paid on"), "paid_on", "day")

DISBURSEMENTS = ItemKind(
    slug="disbursements", workflow=DISBURSEMENT_WORKFLOW, name_zh="引导资金发放",
    name_en="Guidance-fund disbursements", title_key="enterprise", unit_word="paying_unit", due_word=None,
    has_lights=False,
    facts=(
        fact("enterprise", "enterprise"), _AMOUNT, _PAID_ON, fact("paying_unit", "lead_unit", "unit"),
        fact("registered_by", "recorded_by", "person"), Fact(("登记日期", "Recorded on"), "recorded_on", "day"),
        Fact(("撤销日期", "Revoked on"), "revoked_on", "day"), fact("version", "version"),
    ),
    list_items=_list, show_item=_show, act=_act, waiting=never_waits,
    reason_labels={DisbursementAction.REVOKE.value: ("撤销理由（误登记的原因）", "Why it is revoked (the mistake)")},
    row_facts=(_AMOUNT, _PAID_ON),
    open_word=("已登记", "Recorded"),
    hint=("发放台账：不设期限、不亮灯，误登记的可撤销",
          "A ledger of payments: no due date, no light; a mistake is revoked"),
)
