"""Upward reports (对上汇报) on the item pages and the API, over services/upward_reports.py.

A record of reports made: the service lists by year, office and week, so the state and unit filters are
applied here; nothing in it waits in 我的待办. The service takes no reader: this adapter reads the report
first, so that one outside the reader's sight is 404 before anything is written.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from coordination.domain.upward_report_workflow import (
    UPWARD_REPORT_WORKFLOW,
    UpwardReportAction,
    UpwardReportState,
)
from coordination.services import upward_reports
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
    no_lights("对上汇报", "upward reports", chosen.light)
    standing_only = chosen.open_only or chosen.state is UpwardReportState.RECORDED
    found = upward_reports.list_upward_reports(identity.reader(), include_revoked=not standing_only)
    rows = in_memory([view.to_json() for view in found], chosen, UPWARD_REPORT_WORKFLOW.open_states)
    return seen_only(identity, rows)


def _show(identity: Identity, text: str) -> Shown:
    detail = upward_reports.show_upward_report(identity.reader(), report_id=text)
    return by_authority(UPWARD_REPORTS, identity, detail.report.to_json(), detail.timeline)


def _act(identity: Identity, text: str, _action: StrEnum, given: ItemInput, expected: int | None
         ) -> dict[str, Any]:
    """撤销, a record's one action (the registry has refused any other key)."""
    number = seen_id(UPWARD_REPORTS, identity,
                     upward_reports.show_upward_report(identity.reader(), report_id=text).report.record)
    return upward_reports.revoke_upward_report(identity.writer(), caller=identity.caller, report_id=number,
                                               reason=given.reason, expected_version=expected).to_json()


_OFFICE = Fact(("汇报对象", "Reported to"), "to_office")
_ON = Fact(("汇报日期", "Reported on"), "reported_on", "day")

UPWARD_REPORTS = ItemKind(
    slug="upward-reports", workflow=UPWARD_REPORT_WORKFLOW, name_zh="对上汇报", name_en="Upward reports",
    title_key="topic", unit_word="upward_reporting_unit", due_word=None, has_lights=False,
    facts=(
        _OFFICE, _ON, fact("upward_reporting_unit", "lead_unit", "unit"),
        fact("registered_by", "recorded_by", "person"), Fact(("登记日期", "Recorded on"), "recorded_on", "day"),
        Fact(("撤销日期", "Revoked on"), "revoked_on", "day"), fact("version", "version"),
    ),
    list_items=_list, show_item=_show, act=_act, waiting=never_waits,
    reason_labels={UpwardReportAction.REVOKE.value: ("撤销理由（误登记的原因）", "Why it is revoked (the mistake)")},
    row_facts=(_OFFICE, _ON),
    open_word=("已登记", "Recorded"),
    hint=("汇报登记：计入每周汇报次数，不设期限、不亮灯",
          "A record of reports, counted by week: no due date, no light"),
)
