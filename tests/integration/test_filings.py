"""Filings (备案) through the services on a real database: received, completed or returned within the
working-day limit, who may do what, the lights, the audit chain and who is told."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from coordination.domain.enums import Light
from coordination.domain.errors import Conflict, InvalidInput, NotFound, NotPermitted, StaleVersion
from coordination.domain.filing_workflow import FilingAction, FilingState
from coordination.services import audit, filings, settings

A = FilingAction
S = FilingState


def at(day: date, hour: int = 10) -> datetime:
    """`hour` o'clock in the district (UTC+8) on `day`, as an aware UTC moment."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=hour - 8)


def test_a_filing_is_received_and_completed_within_five_working_days(district: Any) -> None:
    d = district
    filing_id = d.add_filing()  # Monday 3 June 2024
    assert filing_id == "B-2024-0001"
    row = d.filing_row(filing_id)
    # Five working days, across the 端午 holiday on Monday 10 June.
    assert (row["state"], row["lead_unit"], row["received_on"], row["due_date"], row["version"]) == (
        "received", "ZRZY", "2024-06-03", "2024-06-11", 1)
    done = d.filing_act(d.handler, filing_id, A.COMPLETE, now=at(date(2024, 6, 7)))
    assert done.state is S.COMPLETED and done.light is None
    assert (done.record["completed_on"], done.record["completed_on_time"], done.record["version"]) == (
        "2024-06-07", True, 2)
    events = d.filing_events(filing_id)
    assert [(e["action"], e["from_state"], e["to_state"]) for e in events] == [
        ("add", None, "received"), ("complete", "received", "completed")]
    assert events[-1]["due_date"] == "2024-06-11" and bool(events[-1]["on_time"]) and events[-1]["level"] is None
    replayed, stored = filings.replayed_filing(d.uow(), filing_id=filing_id)
    assert replayed == stored
    assert audit.verify_chains(d.uow()).ok
    assert [e.action for e in filings.filing_history(d.uow(), filing_id="b-2024-0001")] == ["add", "complete"]
    with pytest.raises(Conflict, match="当前为已办结"):
        d.filing_act(d.secretariat, filing_id, A.RETURN, reason="再退回")


def test_a_late_completion_and_a_return_with_its_reason(district: Any) -> None:
    d = district
    late = d.add_filing()
    returned = d.add_filing(project_name="分布式光伏发电项目")
    assert returned == "B-2024-0002"
    assert d.filing_act(d.unit_head, late, A.COMPLETE, now=at(date(2024, 6, 12))).record["completed_on_time"] is False
    with pytest.raises(InvalidInput, match="--reason"):
        d.filing_act(d.secretariat, returned, A.RETURN)
    back = d.filing_act(d.secretariat, returned, A.RETURN, reason="备案信息与营业执照不一致")
    assert (back.state, back.record["returned_on"]) == (S.RETURNED, "2024-06-03")
    assert d.filing_events(returned)[-1]["reason"] == "备案信息与营业执照不一致"
    assert audit.verify_chains(d.uow()).ok


def test_lights_follow_the_one_rule_on_the_due_date(district: Any) -> None:
    d = district
    filing_id = d.add_filing()  # due Tuesday 11 June
    light_on = {day: filings.show_filing(d.uow(), filing_id=filing_id, today=day).filing.light
                for day in (date(2024, 6, 3), date(2024, 6, 5), date(2024, 6, 11), date(2024, 6, 12))}
    assert light_on == {date(2024, 6, 3): Light.GREEN, date(2024, 6, 5): Light.YELLOW,
                        date(2024, 6, 11): Light.YELLOW, date(2024, 6, 12): Light.RED}
    listed = filings.list_filings(d.uow(), today=date(2024, 6, 12), filters=filings.FilingFilter(light=Light.RED))
    assert [v.id for v in listed] == [filing_id] and listed[0].working_days_left == -1
    assert filings.list_filings(d.uow(), today=date(2024, 6, 3), filters=filings.FilingFilter(light=Light.RED)) == []
    d.filing_act(d.secretariat, filing_id, A.COMPLETE, now=at(date(2024, 6, 12)))
    assert filings.list_filings(d.uow(), today=date(2024, 6, 12), filters=filings.FilingFilter(light=Light.RED)) == []
    assert filings.list_filings(d.uow(), today=date(2024, 6, 12), filters=filings.FilingFilter(open_only=True)) == []


def test_the_limit_is_a_setting(district: Any) -> None:
    d = district
    settings.set_setting(d.uow(), caller=d.caller(d.admin), key="filings.limit_days", value="10")
    assert settings.list_settings(d.uow())["filings.limit_days"] == "10"
    filing_id = d.add_filing()
    assert d.filing_row(filing_id)["due_date"] == "2024-06-18"  # ten working days, the 端午 Monday skipped
    with pytest.raises(InvalidInput, match="正整数"):
        settings.set_setting(d.uow(), caller=d.caller(d.admin), key="filings.limit_days", value="0")


def test_a_window_unit_handles_only_its_own_filings(district: Any) -> None:
    d = district
    own = d.add_filing(handle=d.handler, unit=None)  # the handler's unit is the default: ZRZY
    assert d.filing_row(own)["lead_unit"] == "ZRZY"
    before = d.audit_count()
    with pytest.raises(NotPermitted):
        d.add_filing(handle=d.handler, unit=d.other_unit)
    other = d.add_filing(unit=d.other_unit)
    with pytest.raises(NotPermitted):
        d.filing_act(d.handler, other, A.COMPLETE)
    with pytest.raises(StaleVersion):
        d.filing_act(d.secretariat, other, A.COMPLETE, expected_version=2)
    with pytest.raises(NotFound):
        d.add_filing(unit="NOPE")
    with pytest.raises(InvalidInput, match="--project-name"):
        d.add_filing(project_name=" ")
    with pytest.raises(NotFound, match="B-2024-0099"):
        filings.show_filing(d.uow(), filing_id="B-2024-0099", today=date(2024, 6, 3))
    assert d.audit_count() == before + 1  # only the secretariat's filing for ZJJ
    assert [v.id for v in filings.list_filings(d.uow(), today=date(2024, 6, 3),
                                               filters=filings.FilingFilter(unit="ZJJ"))] == [other]


def test_receiving_tells_the_window_unit_and_a_return_the_secretariat(district: Any) -> None:
    d = district
    filing_id = d.add_filing()
    d.filing_act(d.handler, filing_id, A.RETURN, reason="材料不全")
    told = [(m["key"], m["kind"], m["unit"]) for m in d.outbox()]
    assert told == [(f"add:{filing_id}:1", "assignment", "ZRZY"), (f"return:{filing_id}:2", "rework", None)]
    added = d.outbox()[0]
    assert added["title"] == f"备案受理通知：{filing_id}"
    assert "以下备案已受理" in added["body"] and "东区新材料有限公司" in added["body"]
    assert "赵经办（自然资源和规划局）" in json.loads(added["mentions"])


def test_an_event_written_on_a_district_clock_still_verifies(district: Any) -> None:
    """The hash covers the moment as stored (UTC): a caller whose clock reads +08:00 must not break the chain."""
    from coordination.config import DISTRICT_TZ

    local = at(date(2024, 6, 4)).astimezone(DISTRICT_TZ)
    filing_id = district.add_filing(now=local)
    district.filing_act(district.secretariat, filing_id, A.COMPLETE, now=at(date(2024, 6, 5)).astimezone(DISTRICT_TZ))
    report = audit.verify_chains(district.uow())
    assert report.ok, report.why
    assert district.filing_events(filing_id)[0]["at"].startswith("2024-06-04 02:00")
