"""Indicators (指标监测) through the services on a real database: added, recorded month by month, an earlier
month corrected, the light, retargeted and retired; refusals write nothing; the events rebuild the row and
the month figures; who is told; the figures of a year; the monthly analysis's section "as of" its month."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from coordination.domain.enums import Light
from coordination.domain.errors import Conflict, InvalidInput, NotFound, NotPermitted, StaleVersion
from coordination.domain.indicator_workflow import IndicatorAction, IndicatorState
from coordination.domain.periods import Cadence, parse_period
from coordination.services import audit, indicators, reports

A = IndicatorAction


def at(day: date, hour: int = 10) -> datetime:
    """`hour` o'clock in the district (UTC+8) on `day`, as an aware UTC moment."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=hour - 8)


def replay_holds(d: Any, code: str) -> None:
    replayed, stored = indicators.replayed_indicator(d.uow(), code=code)
    assert replayed == stored
    values_replayed, values_stored = indicators.replayed_values(d.uow(), code=code)
    assert values_replayed == values_stored
    assert {m: v["value"] for m, v in values_stored.items()} == d.indicator_values(code)


def test_figures_are_recorded_corrected_and_judged_against_the_target(district: Any) -> None:
    d = district
    code = d.add_indicator("fai")  # reported by ZRZY, the code upper-cased
    row = d.indicator_row(code)
    assert (code, row["state"], row["target"], row["tolerance"], row["higher_is_better"], row["latest_month"]) == (
        "FAI", "active", "8.5", "1", 1, None)
    assert indicators.list_indicators(d.uow())[0].light is None  # no figure yet
    d.indicator_record(d.handler, code, "2024-03", "7.2")
    d.indicator_record(d.unit_head, code, "2024年4月", "7.60")
    view = d.indicator_record(d.handler, code, "2024-05", "7.9")
    assert (view.record["latest_month"], view.record["latest_value"], view.light) == ("2024-05", "7.9", Light.YELLOW)
    corrected = d.indicator_record(d.secretariat, code, "2024-03", "7.3")  # a correction of an earlier month
    assert (corrected.record["latest_month"], corrected.record["latest_value"], corrected.record["version"]) == (
        "2024-05", "7.9", 5)
    assert d.indicator_values(code) == {"2024-03": "7.3", "2024-04": "7.6", "2024-05": "7.9"}
    events = d.stream_events("indicator", code)
    assert [(e["action"], e["from_state"], e["to_state"]) for e in events] == [
        ("add", None, "active"), *[("record", "active", "active")] * 4]
    assert json.loads(events[-1]["payload"])["previous_value"] == "7.2"
    detail = indicators.show_indicator(d.uow(), code="fai")
    assert [(p.month, p.value, p.change, p.light) for p in detail.months] == [
        ("2024-03", "7.3", None, Light.RED), ("2024-04", "7.6", "0.3", Light.YELLOW),
        ("2024-05", "7.9", "0.3", Light.YELLOW)]
    assert [e.action for e in indicators.indicator_history(d.uow(), code="FAI")] == ["add", *["record"] * 4]
    replay_holds(d, code)
    assert audit.verify_chains(d.uow()).ok


def test_retargeting_moves_the_light_and_retiring_puts_it_out(district: Any) -> None:
    d = district
    code = d.add_indicator(target="8.5", tolerance="0.5")
    d.indicator_record(d.handler, code, "2024-05", "7.9")
    assert indicators.show_indicator(d.uow(), code=code).indicator.light is Light.RED
    view = d.indicator_act(d.secretariat, code, A.RETARGET, target="8", reason="市里下达年度目标调整为 8%")
    assert (view.record["target"], view.record["tolerance"], view.light) == ("8", "0.5", Light.YELLOW)
    assert d.stream_events("indicator", code)[-1]["reason"] == "市里下达年度目标调整为 8%"
    retired = d.indicator_act(d.secretariat, code, A.RETIRE, reason="不再列入考核")
    assert (retired.state, retired.record["retired_on"], retired.light) == (IndicatorState.RETIRED, "2024-06-03", None)
    assert indicators.list_indicators(d.uow(), state=IndicatorState.ACTIVE) == []
    assert [v.code for v in indicators.list_indicators(d.uow(), state=IndicatorState.RETIRED)] == [code]
    assert indicators.indicator_months(d.uow(), 2024) == []  # no longer watched
    replay_holds(d, code)


def test_a_lower_is_better_indicator_is_green_below_its_target(district: Any) -> None:
    d = district
    code = d.add_indicator("NH", "规上工业单位增加值能耗增速", target="2", higher_is_better=False)
    assert d.indicator_record(d.handler, code, "2024-05", "1.5").light is Light.GREEN
    assert d.indicator_record(d.handler, code, "2024-05", "3.5").light is Light.RED
    assert [v.code for v in indicators.list_indicators(d.uow(), light=Light.RED)] == [code]


def test_bad_input_and_refusals_write_nothing(district: Any) -> None:
    d = district
    code = d.add_indicator()
    d.indicator_record(d.handler, code, "2024-05", "7.9")
    before, values = d.audit_count(), d.indicator_values(code)
    row = d.indicator_row(code)
    for month, value, error, why in (
        ("2024-07", "7.9", InvalidInput, "尚未到来"), ("2024-05", "NaN", InvalidInput, "不是有效数字"),
        ("2024-05", "7.90", InvalidInput, "未改变"), ("2024-04", "7.12345", InvalidInput, "小数超过 4 位"),
        ("2024-04", "1e13", InvalidInput, "不是有效数字"), ("2024-13", "7", InvalidInput, "无法识别的月份"),
    ):
        with pytest.raises(error, match=why):
            d.indicator_record(d.handler, code, month, value)
    with pytest.raises(NotPermitted):
        d.indicator_record(d.other_handler, code, "2024-04", "7.6")
    with pytest.raises(StaleVersion):
        d.indicator_record(d.handler, code, "2024-04", "7.6", expected_version=1)
    with pytest.raises(NotFound, match="指标 GDP 不存在"):
        d.indicator_record(d.handler, "GDP", "2024-04", "7.6")
    with pytest.raises(Conflict, match="已存在"):
        d.add_indicator()
    with pytest.raises(InvalidInput, match="目标值"):
        d.add_indicator("SRV", target="八点五")
    with pytest.raises(NotFound):
        d.add_indicator("SRV", unit="NOPE")
    with pytest.raises(NotPermitted):
        d.add_indicator("SRV", handle=d.handler)
    with pytest.raises(InvalidInput, match="均未改变"):
        d.indicator_act(d.secretariat, code, A.RETARGET, target="8.50")
    assert (d.audit_count(), d.indicator_values(code), d.indicator_row(code)) == (before, values, row)


def test_the_lead_unit_defaults_to_the_adders_own(district: Any) -> None:
    from coordination.services import indicators as service

    view = service.add_indicator(district.uow(), caller=district.caller(district.secretariat), code="SRV",
                                 name="规上服务业营业收入累计同比增速", measure="%", target="10")
    assert view.record["lead_unit"] == district.service_unit  # the secretariat's own 发改局


def test_retargets_and_records_turning_red_are_told(district: Any) -> None:
    d = district
    code = d.add_indicator()
    d.indicator_record(d.handler, code, "2024-04", "8")  # yellow: nobody told
    assert d.outbox() == []
    d.indicator_record(d.handler, code, "2024-05", "7.2")  # turns red: the unit and the secretariat
    d.indicator_record(d.handler, code, "2024-03", "6")  # a correction of an earlier month: still red, silent
    d.indicator_act(d.secretariat, code, A.RETARGET, target="7")
    told = [(m["key"], m["kind"], m["unit"]) for m in d.outbox()]
    assert told == [(f"record:{code}:3", "reminder", "ZRZY"), (f"record:{code}:3:district", "reminder", None),
                    (f"retarget:{code}:5", "adjustment", "ZRZY")]
    red = d.outbox()[0]
    assert red["title"] == f"指标预警：{code}" and "2024-05 为 7.2%，目标 8.5%" in red["body"]
    assert "赵经办（自然资源和规划局）" in json.loads(red["mentions"])
    assert "目标 8.5% → 7%" in d.outbox()[2]["body"]


def test_the_figures_of_a_year_are_what_the_annual_report_reads(district: Any) -> None:
    d = district
    fai = d.add_indicator()
    srv = d.add_indicator("SRV", "规上服务业营业收入累计同比增速", target="10", unit=d.service_unit)
    d.indicator_record(d.secretariat, fai, "2023-12", "6.5")
    d.indicator_record(d.handler, fai, "2024-01", "7")
    d.indicator_record(d.secretariat, srv, "2024-02", "11.25")
    found = {i.code: i for i in indicators.indicator_months(d.uow(), 2024)}
    assert {code: i.values for code, i in found.items()} == {"FAI": {"2024-01": "7"}, "SRV": {"2024-02": "11.25"}}
    assert found["SRV"].to_json()["lead_unit"] == "FGJ"


def test_the_monthly_analysis_shows_each_indicator_as_of_its_month(district: Any) -> None:
    d = district
    code = d.add_indicator(now=at(date(2024, 3, 1)))
    d.indicator_record(d.handler, code, "2024-03", "7.2", now=at(date(2024, 4, 8)))
    d.indicator_record(d.handler, code, "2024-04", "7.6", now=at(date(2024, 5, 8)))
    d.add_indicator("SRV", "规上服务业营业收入累计同比增速", target="10", now=at(date(2024, 5, 20)))

    def section(month: str) -> list[dict[str, Any]]:
        data = reports.build(d.uow(), cadence=Cadence.MONTHLY, period=parse_period(Cadence.MONTHLY, month),
                             now=at(date(2024, 6, 3))).to_json()
        return list(data["indicators"])

    april = section("2024-04")  # the April figure came on 8 May: April's report, as of 1 May, lacks it
    assert [(i["code"], i["value"], i["light"], i["trend_text"]) for i in april] == [("FAI", None, None, "7.2")]
    may = section("2024-05")
    assert [(i["code"], i["value"], i["trend_text"]) for i in may] == [("FAI", None, "7.2 → 7.6"), ("SRV", None, "")]
    d.indicator_record(d.handler, code, "2024-05", "7.9", now=at(date(2024, 6, 3)))
    d.indicator_act(d.secretariat, code, A.RETARGET, target="9", now=at(date(2024, 6, 3)))
    assert section("2024-05") == may  # later records never change a report
    june = section("2024-06")  # running: as of now
    assert june[0]["value"] is None and june[0]["target"] == "9" and june[0]["trend"][-1]["light"] == "red"
    weekly = reports.build(d.uow(), cadence=Cadence.WEEKLY, period=parse_period(Cadence.WEEKLY, "2024-W22"),
                           now=at(date(2024, 6, 3))).to_json()
    assert "indicators" not in weekly
