"""Special plans (专项规划) on the item pages and the API, over services/special_plans.py.

The service takes no reader: this adapter reads the plan first, so that one outside the reader's sight is
404 before anything is written (a plan's lead unit never changes, so the read still holds at the write).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from coordination.domain.hygiene import DOCUMENT_MAX
from coordination.domain.labels import bilingual, word
from coordination.domain.special_plan_workflow import (
    SPECIAL_PLAN_WORKFLOW,
    SpecialPlanAction,
    SpecialPlanState,
)
from coordination.services import special_plans
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


def _list(identity: Identity, chosen: ItemFilter) -> list[dict[str, Any]]:
    no_lights("专项规划", "special plans", chosen.light)
    found = special_plans.list_special_plans(
        identity.reader(), state=SpecialPlanState(chosen.state) if chosen.state else None, unit=chosen.unit,
        open_only=chosen.open_only)
    return seen_only(identity, [view.to_json() for view in found])


def _show(identity: Identity, text: str) -> Shown:
    detail = special_plans.show_special_plan(identity.reader(), code=text)
    return by_authority(SPECIAL_PLANS, identity, detail.plan.to_json(), detail.timeline)


def _act(identity: Identity, text: str, action: StrEnum, given: ItemInput, expected: int | None) -> dict[str, Any]:
    code = seen_id(SPECIAL_PLANS, identity, special_plans.show_special_plan(identity.reader(), code=text).plan.record)
    return special_plans.act_on_special_plan(
        identity.writer(), caller=identity.caller, code=code, action=SpecialPlanAction(action),
        document=given.document, on=given.on, expected_version=expected).to_json()


_DAY = (FormField("on", FieldKind.DATE, "日期（不填为今天）", "Date (today if empty)"),)
_STAGES = (
    (SpecialPlanState.EXPERT_REVIEWED, "reviewed_on", "review_document"),
    (SpecialPlanState.DELIBERATED, "deliberated_on", "deliberation_document"),
    (SpecialPlanState.ISSUED, "issued_on", "issue_document"),
)

SPECIAL_PLANS = ItemKind(
    slug="special-plans", workflow=SPECIAL_PLAN_WORKFLOW, name_zh="专项规划", name_en="Special plans",
    title_key="name", unit_word="drafting_unit", due_word=None, has_lights=False, key="code",
    facts=(
        fact("drafting_unit", "lead_unit", "unit"),
        Fact(("我委牵头", "Led by our bureau"), "led_by_own_unit", "yes_no"),
        fact("registered_by", "added_by", "person"), Fact(("列入编制", "Added on"), "added_on", "day"),
        *(item for state, day, document in _STAGES for item in (
            Fact(bilingual(state), day, "day"),
            Fact((f"{bilingual(state)[0]}·{word('stage_document')}",
                  f"{bilingual(state)[1]}: {word('stage_document', 'en')}"), document))),
        fact("version", "version"),
    ),
    list_items=_list, show_item=_show, act=_act,
    reason=FormField("document", FieldKind.TEXT, word("stage_document"), word("stage_document", "en"),
                     required=True, max_length=DOCUMENT_MAX),
    note=None,
    extra={action.value: _DAY for action in (SpecialPlanAction.REVIEW, SpecialPlanAction.DELIBERATE,
                                             SpecialPlanAction.ISSUE)},
    reason_labels={SpecialPlanAction.REVIEW.value: ("专家评审意见或会议", "Review opinion or meeting"),
                   SpecialPlanAction.DELIBERATE.value: ("常务会议（届次）", "Executive meeting (session)"),
                   SpecialPlanAction.ISSUE.value: ("印发文号", "Issuing document number")},
    event_keys=tuple(fact("stage_on", day) for _state, day, _document in _STAGES),
)
