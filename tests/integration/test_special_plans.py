"""Special plans (专项规划) through the services on a real database: their life from drafting to issue, who
may record a stage, each stage's day and document, the audit chain, who is told, and 我委牵头."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from coordination.domain.errors import Conflict, InvalidInput, NotFound, NotPermitted, StaleVersion
from coordination.domain.special_plan_workflow import SpecialPlanAction, SpecialPlanState
from coordination.services import audit, special_plans

A = SpecialPlanAction
S = SpecialPlanState


def at(day: date, hour: int = 10) -> datetime:
    """`hour` o'clock in the district (UTC+8) on `day`, as an aware UTC moment."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=hour - 8)


def test_a_special_plan_passes_its_stages_from_drafting_to_issue(district: Any) -> None:
    d = district
    code = d.add_special_plan("jt", now=at(date(2024, 3, 1)))
    assert code == "ZX-JT"
    row = d.special_plan_row(code)
    assert (row["state"], row["lead_unit"], row["added_on"], row["version"]) == ("drafting", "ZRZY", "2024-03-01", 1)

    reviewed = d.special_plan_act(d.secretariat, "JT", document="综合交通专项规划专家评审意见",
                                  on=date(2024, 5, 10), now=at(date(2024, 5, 13)))
    assert reviewed.state is S.EXPERT_REVIEWED
    assert (reviewed.record["reviewed_on"], reviewed.record["review_document"]) == (
        "2024-05-10", "综合交通专项规划专家评审意见")
    d.special_plan_act(d.secretariat, "综合交通专项规划", A.DELIBERATE, document="区政府第 12 次常务会议",
                       on=date(2024, 5, 28))
    issued = d.special_plan_act(d.secretariat, "zx-jt", document="区政府办公室关于印发综合交通专项规划的通知")
    assert issued.state is S.ISSUED
    assert (issued.record["issued_on"], issued.record["deliberated_on"], issued.record["version"]) == (
        "2024-06-03", "2024-05-28", 4)

    events = d.special_plan_events(code)
    assert [(e["action"], e["from_state"], e["to_state"]) for e in events] == [
        ("add", None, "drafting"), ("review", "drafting", "expert_reviewed"),
        ("deliberate", "expert_reviewed", "deliberated"), ("issue", "deliberated", "issued")]
    assert events[2]["reason"] == "区政府第 12 次常务会议" and events[-1]["lead_unit"] == "ZRZY"
    assert all(e["level"] is None and e["due_date"] is None for e in events)
    replayed, stored = special_plans.replayed_special_plan(d.uow(), code=code)
    assert replayed == stored
    assert audit.verify_chains(d.uow()).ok
    detail = special_plans.show_special_plan(d.uow(), code="JT")
    assert [e.action for e in detail.timeline] == ["add", "review", "deliberate", "issue"]
    assert [e.action for e in special_plans.special_plan_history(d.uow(), code=code)] == [
        "add", "review", "deliberate", "issue"]

    with pytest.raises(Conflict, match="当前为印发实施"):
        d.special_plan_act(d.secretariat, code, document="再印发一次")
    with pytest.raises(NotPermitted):  # the role is checked before the state, as everywhere
        d.special_plan_act(d.handler, code, document="再印发一次")
    assert audit.verify_chains(d.uow()).ok


def test_each_stage_tells_the_drafting_unit(district: Any) -> None:
    d = district
    code = d.add_special_plan()
    d.special_plan_act(d.secretariat, code, document="专家评审意见")
    d.special_plan_act(d.secretariat, code, document="区政府第 12 次常务会议")
    d.special_plan_act(d.secretariat, code, document="印发通知")
    told = [(m["key"], m["kind"], m["unit"]) for m in d.outbox()]
    assert told == [
        (f"add:{code}:1", "assignment", "ZRZY"), (f"review:{code}:2", "stage", "ZRZY"),
        (f"deliberate:{code}:3", "stage", "ZRZY"), (f"issue:{code}:4", "stage", "ZRZY"),
        (f"issue:{code}:4:district", "stage", None),
    ]
    added = d.outbox()[0]
    assert added["title"] == f"专项规划编制通知：{code}"
    assert "以下专项规划已列入专项规划编制计划" in added["body"] and "综合交通专项规划" in added["body"]
    assert "赵经办（自然资源和规划局）" in json.loads(added["mentions"])
    assert "区政府第 12 次常务会议" in d.outbox()[2]["body"]


def test_a_stage_needs_its_document_and_a_day_in_order(district: Any) -> None:
    d = district
    code = d.add_special_plan(now=at(date(2024, 3, 1)))
    before = d.audit_count()
    with pytest.raises(InvalidInput, match="--document"):
        d.special_plan_act(d.secretariat, code, document="  ")
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        d.special_plan_act(d.secretariat, code, document="意见", on=date(2024, 6, 4))
    with pytest.raises(InvalidInput, match="不能早于上一环节日期 2024-03-01"):
        d.special_plan_act(d.secretariat, code, document="意见", on=date(2024, 2, 28))
    with pytest.raises(StaleVersion):
        d.special_plan_act(d.secretariat, code, document="意见", expected_version=2)
    assert d.audit_count() == before and d.special_plan_row(code)["version"] == 1


def test_adding_is_checked_before_anything_is_written(district: Any) -> None:
    d = district
    d.add_special_plan()
    before = d.audit_count()
    with pytest.raises(Conflict, match="ZX-JT 已存在"):
        d.add_special_plan("zx-jt", "另一个交通规划")
    with pytest.raises(NotFound):
        d.add_special_plan("JY", "教育设施布局专项规划", unit="NOPE")
    with pytest.raises(InvalidInput, match="名称不能为空"):
        d.add_special_plan("JY", "  ")
    with pytest.raises(InvalidInput, match="专项规划代码"):
        d.add_special_plan("教育", "教育设施布局专项规划")
    with pytest.raises(NotFound, match="专项规划"):
        special_plans.show_special_plan(d.uow(), code="SL")
    assert d.audit_count() == before


def test_our_bureau_leads_the_plans_the_secretariats_unit_drafts(district: Any) -> None:
    d = district
    d.add_special_plan("JT", "综合交通专项规划")  # ZRZY
    d.add_special_plan("FZ", "国民经济和社会发展专项规划", unit=d.service_unit)  # FGJ, home of the secretariat
    d.special_plan_act(d.secretariat, "FZ", document="专家评审意见")
    listed = special_plans.list_special_plans(d.uow())
    assert [(v.code, v.led_by_own_unit) for v in listed] == [("ZX-FZ", True), ("ZX-JT", False)]
    assert [v.code for v in special_plans.list_special_plans(d.uow(), own_only=True)] == ["ZX-FZ"]
    assert [v.code for v in special_plans.list_special_plans(d.uow(), state=S.DRAFTING)] == ["ZX-JT"]
    assert [v.code for v in special_plans.list_special_plans(d.uow(), unit="ZRZY", open_only=True)] == ["ZX-JT"]
    assert special_plans.show_special_plan(d.uow(), code="FZ").to_json()["led_by_own_unit"] is True
