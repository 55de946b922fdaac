"""What recording and revoking a guidance-fund disbursement (引导资金发放) write, and a year's totals.

Pure, like `domain/filing.py`. The unit scope is the paying unit (`lead_unit`). A payment is recorded
once made: the enterprise paid, the exact amount in whole 元 and the day, not in the future.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from coordination.domain.disbursement_workflow import (
    DISBURSEMENT_TRANSITIONS,
    DisbursementAction,
    DisbursementState,
)
from coordination.domain.errors import InvalidInput
from coordination.domain.fund import MAX_YUAN, whole_yuan
from coordination.domain.hygiene import NAME_MAX, required_text

ENTERPRISE_MAX = NAME_MAX
EARLIEST = date(2000, 1, 1)  # no payment reaches back further than the district's own records


def check_paid_on(day: date, today: date) -> date:
    """A payment is recorded once made: not on a day still to come, nor before 2000."""
    if day > today:
        raise InvalidInput(f"发放日期 {day} 不能晚于今天 {today}（--date）",
                           f"the payment's date {day} cannot be after today {today} (--date)")
    if day < EARLIEST:
        raise InvalidInput(f"发放日期 {day} 不能早于 {EARLIEST}（--date）",
                           f"the payment's date {day} cannot be before {EARLIEST} (--date)")
    return day


def new_disbursement(*, enterprise: str, amount_yuan: int, paid_on: date, lead_unit: str, recorded_by: str,
                     today: date, cap: int = MAX_YUAN) -> dict[str, Any]:
    """The fields of a payment just recorded (its number is taken by the service, after every check);
    `cap`: the setting amounts.max_yuan."""
    name = required_text(enterprise, field_zh="企业名称", field_en="the enterprise", option="--enterprise",
                         max_len=ENTERPRISE_MAX)
    return {
        "enterprise": name,
        "amount_yuan": whole_yuan(amount_yuan, what_zh="发放金额", cap=cap),
        "paid_on": check_paid_on(paid_on, today),
        "state": DisbursementState.RECORDED,
        "lead_unit": lead_unit,
        "recorded_by": recorded_by,
        "recorded_on": today,
        "revoked_on": None,
    }


def revoke_changes(today: date) -> dict[str, Any]:
    """The fields a revocation changes (its reason is the event's, checked by `authority.required_reason`)."""
    target = DISBURSEMENT_TRANSITIONS[DisbursementAction.REVOKE].target
    assert target is not None
    return {"state": target, "revoked_on": today}


@dataclass(frozen=True)
class YearTotal:
    """One year's payments still standing: how many, to how many enterprises, and how much in 元."""

    year: int
    count: int
    enterprises: int
    total_yuan: int

    def to_json(self) -> dict[str, Any]:
        return {"year": self.year, "count": self.count, "enterprises": self.enterprises,
                "total_yuan": self.total_yuan}
