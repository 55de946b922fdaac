"""Loading a year's official schedule: provisional due dates are recomputed, audited, never guessed."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import text

from coordination.domain.enums import Action, Difficulty
from coordination.domain.errors import InvalidInput, NotPermitted
from coordination.domain.workdays import parse_date_list
from coordination.services import audit, calendar, issue_reads

# A plausible 2027 schedule: New Year 1–3 Jan; Spring Festival Sat 6 – Sat 13 Feb, Sunday 14 Feb worked.
HOLIDAYS_2027 = parse_date_list("2027-01-01..2027-01-03, 2027-02-06..2027-02-13")
WORKDAYS_2027 = [date(2027, 2, 14)]
FLOW_ORIGIN = "flow-run:5b1f0c9e-calendar-2027"


def beijing(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour - 8, 0, tzinfo=UTC)


SUNDAY_BEFORE_CHRISTMAS = beijing(date(2026, 12, 20))
CHRISTMAS_FRIDAY = beijing(date(2026, 12, 25))
LOADED_ON = beijing(date(2026, 12, 28))


def _assigned(district: Any, title: str, difficulty: Difficulty, now: datetime) -> str:
    problem_id = district.raise_problem(title=title, now=now)
    district.assign(problem_id, difficulty=difficulty, now=now)
    return problem_id


def _load(district: Any, handle: str | None = None, **overrides: Any) -> calendar.YearView:
    arguments: dict[str, Any] = {"year": 2027, "holidays": HOLIDAYS_2027, "workdays": WORKDAYS_2027, **overrides}
    return calendar.load_year(district.uow(), caller=district.caller(handle or district.admin, LOADED_ON,
                                                                      origin=FLOW_ORIGIN), **arguments)


def _snapshot(district: Any) -> tuple[Any, ...]:
    with district.engine.connect() as conn:
        return tuple(conn.execute(text(f"SELECT * FROM {table} ORDER BY 1")).all()
                     for table in ("problem", "audit_event", "calendar_year"))


@pytest.fixture
def year_end(district: Any) -> dict[str, str]:
    """Four problems assigned just before New Year, while 2027 is not yet published."""
    return {
        "A": _assigned(district, "二期厂房用地规划条件未出具", Difficulty.A, SUNDAY_BEFORE_CHRISTMAS),
        "B": _assigned(district, "110千伏变电站选址未定", Difficulty.B, SUNDAY_BEFORE_CHRISTMAS),
        "C": _assigned(district, "施工临时用地审批", Difficulty.C, SUNDAY_BEFORE_CHRISTMAS),
        "festival": _assigned(district, "年产10万吨正极材料项目环评批复滞后", Difficulty.A, CHRISTMAS_FRIDAY),
    }


def test_due_dates_in_an_unpublished_year_are_provisional(district: Any, year_end: dict[str, str]) -> None:
    rows = {k: district.problem_row(v) for k, v in year_end.items()}
    assert {k: (r["due_date"], bool(r["due_provisional"])) for k, r in rows.items()} == {
        "A": ("2027-01-29", True),  # Friday 1 Jan 2027 counted as a weekday: a guess
        "B": ("2027-01-08", True),
        "C": ("2026-12-25", False),  # all within 2026, which the package knows
        "festival": ("2027-02-05", True),
    }
    assert calendar.show_year(district.uow(), year=2027).known is False


def test_loading_the_year_recomputes_every_provisional_due_date(district: Any, year_end: dict[str, str]) -> None:
    before = {k: district.problem_row(v) for k, v in year_end.items()}
    year = _load(district)
    assert year.known and year.source == "loaded"
    assert year.recomputed == sorted([year_end["A"], year_end["B"], year_end["festival"]])
    after = {k: district.problem_row(v) for k, v in year_end.items()}
    assert {k: (r["due_date"], bool(r["due_provisional"])) for k, r in after.items()} == {
        "A": ("2027-02-01", False),  # New Year's Day off pushes it one working day
        "B": ("2027-01-11", False),
        "C": ("2026-12-25", False),
        "festival": ("2027-02-14", False),  # past the Spring Festival, onto the Sunday made working
    }
    assert after["C"] == before["C"]
    for key in ("A", "B", "festival"):
        assert after[key]["version"] == before[key]["version"] + 1


def test_each_recomputed_problem_gets_exactly_one_event_with_the_callers_origin(
    district: Any, year_end: dict[str, str]
) -> None:
    old_due = {k: district.problem_row(v)["due_date"] for k, v in year_end.items()}
    _load(district)
    for key in ("A", "B", "festival"):
        recomputes = [e for e in district.events(year_end[key]) if e["action"] == Action.RECOMPUTE_DUE.value]
        assert len(recomputes) == 1, key
        event = recomputes[0]
        assert (event["actor"], event["origin"]) == (district.admin, FLOW_ORIGIN)
        assert event["reason"] == "法定节假日已发布，重算办结期限"
        payload = json.loads(event["payload"])
        assert payload["previous_due_date"] == old_due[key]
        assert payload["changes"]["due_provisional"] is False
        assert event["seq"] == district.problem_row(year_end[key])["version"]
    assert [e["action"] for e in district.events(year_end["C"])] == ["raise", "assign"]
    with district.engine.connect() as conn:
        loads = conn.execute(text("SELECT origin, actor FROM audit_event WHERE action = 'calendar_load'")).all()
    assert [tuple(r) for r in loads] == [(FLOW_ORIGIN, district.admin)]
    assert audit.verify_chains(district.uow()).ok
    for problem_id in year_end.values():
        replayed, stored = issue_reads.replayed(district.uow(), problem_id=problem_id)
        assert replayed == stored


def test_loading_the_same_year_again_recomputes_nothing_more(district: Any, year_end: dict[str, str]) -> None:
    _load(district)
    events = district.audit_count()
    again = _load(district)
    assert again.recomputed == []
    assert district.audit_count() == events + 1  # only the calendar's own "replaced" event
    with district.engine.connect() as conn:
        reasons = conn.execute(text("SELECT reason FROM audit_event WHERE action = 'calendar_load' ORDER BY seq")).all()
    assert [r[0] for r in reasons] == [None, "replaced"]


def test_an_extended_deadline_keeps_its_day_and_is_firmed_up(district: Any) -> None:
    problem_id = _assigned(district, "林地占用审批卡在省林业局", Difficulty.B, SUNDAY_BEFORE_CHRISTMAS)
    district.act(district.handler, problem_id, Action.REQUEST_EXTENSION, now=SUNDAY_BEFORE_CHRISTMAS,
                 reason="需省林业局现场核查", extension_days=5)
    extended = district.act(district.secretariat, problem_id, Action.APPROVE_EXTENSION, now=SUNDAY_BEFORE_CHRISTMAS)
    assert extended.record["due_provisional"] is True
    _load(district)
    row = district.problem_row(problem_id)
    assert (row["due_date"], bool(row["due_provisional"])) == (extended.record["due_date"], False)


def test_finished_problems_are_left_alone(district: Any) -> None:
    problem_id = _assigned(district, "企业自行放弃二期扩建", Difficulty.A, SUNDAY_BEFORE_CHRISTMAS)
    district.act(district.specialist, problem_id, Action.WITHDRAW, now=SUNDAY_BEFORE_CHRISTMAS,
                 reason="企业调整投资计划")
    before = district.problem_row(problem_id)
    assert _load(district).recomputed == []
    assert district.problem_row(problem_id) == before


def test_a_resolution_judged_against_a_provisional_due_date_is_rejudged(district: Any) -> None:
    # Due (provisionally) Friday 8 Jan 2027; resolved Monday 11 Jan, which was "late" only by the guess.
    problem_id = _assigned(district, "110千伏变电站选址未定", Difficulty.B, SUNDAY_BEFORE_CHRISTMAS)
    monday = beijing(date(2027, 1, 11))
    district.act(district.handler, problem_id, Action.ACKNOWLEDGE, now=SUNDAY_BEFORE_CHRISTMAS)
    resolved = district.act(district.handler, problem_id, Action.RESOLVE, now=monday, reason="选址方案已获批")
    assert resolved.record["resolved_on_time"] is False
    _load(district)
    row = district.problem_row(problem_id)
    assert (row["due_date"], row["resolved_on"]) == ("2027-01-11", "2027-01-11")
    assert bool(row["resolved_on_time"]) is True, "resolved on the official due date: on time"


def test_only_an_admin_may_load_the_calendar(district: Any, year_end: dict[str, str]) -> None:
    before = _snapshot(district)
    for handle in (district.secretariat, district.system, district.principal):
        with pytest.raises(NotPermitted):
            _load(district, handle)
    assert _snapshot(district) == before
    assert calendar.show_year(district.uow(), year=2027).known is False


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        pytest.param({"workdays": [date(2027, 2, 10)]}, "本来就是工作日", id="make-up-day-on-a-wednesday"),
        pytest.param({"holidays": [*HOLIDAYS_2027, date(2026, 12, 31)]}, "不属于 2027 年", id="holiday-in-2026"),
        pytest.param({"workdays": [date(2028, 1, 2)]}, "不属于 2027 年", id="make-up-day-in-2028"),
        pytest.param({"workdays": [date(2027, 2, 13)]}, "既是假日又是调休上班日", id="day-on-both-lists"),
        pytest.param({"holidays": []}, "至少需要一个法定节假日", id="no-holidays"),
        pytest.param({"year": 1999, "holidays": [date(1999, 10, 1)], "workdays": []}, "不在 2000–2100",
                     id="year-out-of-range"),
    ],
)
def test_invalid_schedules_are_refused_and_write_nothing(
    district: Any, year_end: dict[str, str], overrides: dict[str, Any], complaint: str
) -> None:
    before = _snapshot(district)
    with pytest.raises(InvalidInput, match=complaint):
        _load(district, **overrides)
    assert _snapshot(district) == before
    assert district.problem_row(year_end["A"])["due_provisional"]
