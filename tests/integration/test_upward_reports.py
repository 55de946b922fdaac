"""Upward reports (对上汇报) through the services on a real database: numbered by the year of the day
reported, listed and counted by week (revoked ones left out), refused input writing nothing, the audit
chain and replay, and who is told of a revocation."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from coordination.domain.errors import Conflict, InvalidInput, NotFound, NotPermitted, StaleVersion
from coordination.domain.periods import Cadence, period_containing
from coordination.domain.upward_report_workflow import UpwardReportState
from coordination.services import audit, upward_reports

S = UpwardReportState
TODAY = date(2024, 6, 3)  # the district's day: Monday of 2024-W23


def test_numbers_follow_the_year_of_the_day_reported(district: Any) -> None:
    d = district
    assert d.add_upward_report(on=date(2024, 5, 31)) == "HB-2024-0001"
    assert d.add_upward_report(on=date(2023, 12, 29), topic="2023年度重大项目推进总结") == "HB-2023-0001"
    assert d.add_upward_report(handle=d.handler, to_office="省发改委重点项目处") == "HB-2024-0002"
    row = d.upward_report_row("HB-2024-0002")
    assert (row["state"], row["reported_on"], row["recorded_on"], row["lead_unit"], row["recorded_by"],
            row["revoked_on"], row["version"]) == ("recorded", "2024-06-03", "2024-06-03", "ZRZY", d.handler, None, 1)
    events = d.upward_report_events("HB-2023-0001")
    assert [(e["action"], e["from_state"], e["to_state"], e["lead_unit"]) for e in events] == [
        ("add", None, "recorded", "ZRZY")]
    replayed, stored = upward_reports.replayed_upward_report(d.uow(), report_id="hb-2023-0001")
    assert replayed == stored and stored["topic"] == "2023年度重大项目推进总结"
    assert d.outbox() == []  # recording tells nobody
    assert audit.verify_chains(d.uow()).ok


def test_a_revoked_report_stays_but_counts_nowhere(district: Any) -> None:
    d = district
    kept = d.add_upward_report(on=date(2024, 5, 28))
    wrong = d.add_upward_report(on=date(2024, 5, 29))
    revoked = d.revoke_upward_report(d.unit_head, wrong, reason="与 HB-2024-0001 重复")
    assert (revoked.state, revoked.record["revoked_on"], revoked.record["version"]) == (S.REVOKED, "2024-06-03", 2)
    events = d.upward_report_events(wrong)
    assert [(e["action"], e["from_state"], e["to_state"], e["reason"]) for e in events] == [
        ("add", None, "recorded", None), ("revoke", "recorded", "revoked", "与 HB-2024-0001 重复")]
    replayed, stored = upward_reports.replayed_upward_report(d.uow(), report_id=wrong)
    assert replayed == stored
    assert [e.action for e in upward_reports.upward_report_history(d.uow(), report_id=wrong)] == ["add", "revoke"]
    assert [v.id for v in upward_reports.list_upward_reports(d.uow())] == [kept]
    listed = upward_reports.list_upward_reports(d.uow(), include_revoked=True)
    assert [(v.id, v.state) for v in listed] == [(kept, S.RECORDED), (wrong, S.REVOKED)]
    week = upward_reports.weekly_counts(d.uow(), year=2024, until=TODAY).weeks[21]
    assert (week.week, week.reports) == ("2024-W22", 1)
    shown = upward_reports.show_upward_report(d.uow(), report_id=wrong)
    assert shown.report.state is S.REVOKED and [e.seq for e in shown.timeline] == [1, 2]
    with pytest.raises(Conflict, match="当前为已撤销"):
        d.revoke_upward_report(d.secretariat, wrong)
    told = d.outbox()
    assert [(m["key"], m["kind"], m["unit"]) for m in told] == [(f"revoke:{wrong}:2", "closure", None)]
    assert told[0]["title"] == f"对上汇报撤销：{wrong}" and "与 HB-2024-0001 重复" in told[0]["body"]
    assert audit.verify_chains(d.uow()).ok


def test_weekly_counts_show_the_fewest_and_the_weeks_with_none(district: Any) -> None:
    d = district
    for day in (date(2024, 5, 6), date(2024, 5, 9), date(2024, 5, 21), date(2024, 5, 27), date(2024, 6, 2),
                date(2024, 6, 3)):
        d.add_upward_report(on=day)
    revoked = d.add_upward_report(on=date(2024, 5, 14))
    d.revoke_upward_report(d.secretariat, revoked)
    counts = upward_reports.weekly_counts(d.uow(), year=2024, until=TODAY)
    assert len(counts.weeks) == 23 and counts.weeks[0].week == "2024-W01"  # 2024 began on a Monday
    by_week = {w.week: (w.reports, w.complete) for w in counts.weeks}
    assert [by_week[f"2024-W{n}"] for n in (19, 20, 21, 22, 23)] == [
        (2, True), (0, True), (1, True), (2, True), (1, False)]  # W23 is under way
    assert (counts.total, counts.fewest) == (6, 0)
    assert "2024-W20" in counts.weeks_without and "2024-W23" not in counts.weeks_without
    assert len(counts.weeks_without) == 22 - 3
    earlier = upward_reports.weekly_counts(d.uow(), year=2024, until=date(2024, 5, 19))
    assert earlier.total == 2 and earlier.weeks[-1].week == "2024-W20"
    last_year = upward_reports.weekly_counts(d.uow(), year=2023, until=TODAY)
    # 2023 began on a Sunday: its first day is in 2022-W52, shown but not judged.
    assert [(w.week, w.complete) for w in (last_year.weeks[0], last_year.weeks[-1])] == [
        ("2022-W52", False), ("2023-W52", True)]
    assert (len(last_year.weeks), last_year.total, len(last_year.weeks_without)) == (53, 0, 52)
    for year in (1999, 2025):
        with pytest.raises(InvalidInput, match="--year"):
            upward_reports.weekly_counts(d.uow(), year=year, until=TODAY)


def test_lists_by_year_office_and_week(district: Any) -> None:
    d = district
    city = d.add_upward_report(on=date(2024, 5, 20), to_office="市发改委投资处")
    province = d.add_upward_report(on=date(2024, 5, 22), to_office="省发改委重点项目处")
    old = d.add_upward_report(on=date(2023, 5, 22), to_office="市发改委投资处")

    def ids(**filters: Any) -> list[str]:
        return [v.id for v in upward_reports.list_upward_reports(d.uow(), **filters)]

    assert ids() == [old, city, province]  # by the day reported
    assert ids(year=2024) == [city, province] and ids(year=2023) == [old]
    assert ids(to_office="市发改委") == [old, city] and ids(to_office="重点项目") == [province]
    assert ids(to_office="%") == []  # a wildcard is a character like any other
    assert ids(week=period_containing(Cadence.WEEKLY, date(2024, 5, 23))) == [city, province]
    assert ids(week=period_containing(Cadence.WEEKLY, date(2024, 5, 27))) == []


def test_refused_input_writes_nothing_and_takes_no_number(district: Any) -> None:
    d = district
    before = d.audit_count()
    later = datetime(2024, 6, 3, 15, 59, tzinfo=UTC)  # 23:59 in the district: still 3 June
    refusals: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"to_office": " "}, InvalidInput, "--to"),
        ({"topic": "事" * 201}, InvalidInput, "200"),
        ({"on": date(2024, 6, 4), "now": later}, InvalidInput, "不能晚于今天"),
        ({"on": date(1999, 12, 31)}, InvalidInput, "2000"),
        ({"unit": "NOPE"}, NotFound, "NOPE"),
        ({"handle": d.other_handler}, NotPermitted, "sun_jingban"),  # ZJJ's handler, for ZRZY
        ({"handle": d.leader}, NotPermitted, "chen_fuquzhang"),
    ]
    for inputs, error, message in refusals:
        with pytest.raises(error, match=message):
            d.add_upward_report(**inputs)
    assert d.audit_count() == before
    report_id = d.add_upward_report()
    assert report_id == "HB-2024-0001"  # no number was spent on a refusal
    row = d.upward_report_row(report_id)
    for handle, reason, version, error in [(d.secretariat, None, None, InvalidInput),
                                           (d.other_handler, "x", None, NotPermitted),
                                           (d.secretariat, "x", 2, StaleVersion)]:
        with pytest.raises(error):
            d.revoke_upward_report(handle, report_id, reason=reason, expected_version=version)
    with pytest.raises(NotFound, match="HB-2024-0099"):
        d.revoke_upward_report(d.secretariat, "HB-2024-0099")
    with pytest.raises(NotFound, match="HB-2024-0099"):
        upward_reports.show_upward_report(d.uow(), report_id="HB-2024-0099")
    assert d.upward_report_row(report_id) == row and d.audit_count() == before + 1
    assert d.outbox() == []
