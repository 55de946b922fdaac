"""Filings (备案) on the item pages and the API, over services/filings.py.

The service takes no reader: this adapter reads the filing first, so that one outside the reader's sight
is 404 before anything is written (a filing's window unit never changes, so the read holds at the write).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from coordination.domain.filing_workflow import FILING_WORKFLOW, FilingAction, FilingState
from coordination.services import filings
from coordination.web.auth import Identity
from coordination.web.items_kind import (
    Fact,
    ItemFilter,
    ItemInput,
    ItemKind,
    Shown,
    by_authority,
    fact,
    seen_id,
    seen_only,
)

EVERY = 100_000  # the lists page in memory, after the reader's sight is applied


def _list(identity: Identity, chosen: ItemFilter) -> list[dict[str, Any]]:
    filters = filings.FilingFilter(state=FilingState(chosen.state) if chosen.state else None, unit=chosen.unit,
                                   light=chosen.light, open_only=chosen.open_only, limit=EVERY)
    found = filings.list_filings(identity.reader(), today=identity.caller.today, filters=filters)
    return seen_only(identity, [view.to_json() for view in found])


def _show(identity: Identity, text: str) -> Shown:
    detail = filings.show_filing(identity.reader(), filing_id=text, today=identity.caller.today)
    return by_authority(FILINGS, identity, detail.filing.to_json(), detail.timeline)


def _act(identity: Identity, text: str, action: StrEnum, given: ItemInput, expected: int | None) -> dict[str, Any]:
    filing_id = seen_id(FILINGS, identity, filings.show_filing(identity.reader(), filing_id=text,
                                                               today=identity.caller.today).filing.record)
    return filings.act_on_filing(identity.writer(), caller=identity.caller, filing_id=filing_id,
                                 action=FilingAction(action), reason=given.reason,
                                 expected_version=expected).to_json()


FILINGS = ItemKind(
    slug="filings", workflow=FILING_WORKFLOW, name_zh="备案", name_en="Filings", title_key="project_name",
    unit_word="receiving_unit", due_word="filing_due", has_lights=True,
    facts=(
        fact("enterprise", "enterprise"), fact("receiving_unit", "lead_unit", "unit"),
        fact("received_by", "received_by", "person"), Fact(("受理日期", "Received on"), "received_on", "day"),
        fact("filing_due", "due_date", "day"), fact("working_days_left", "working_days_left", "days_left"),
        fact("completed_on", "completed_on", "day"), Fact(("按期办结", "On time"), "completed_on_time", "yes_no"),
        fact("returned_on", "returned_on", "day"), fact("version", "version"),
    ),
    list_items=_list, show_item=_show, act=_act,
    reason_labels={FilingAction.RETURN.value: ("退回理由（将告知企业）", "Why it is returned (the enterprise is told)")
                   },
)
