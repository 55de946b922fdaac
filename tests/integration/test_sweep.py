"""The daily sweep through the real service on real SQLite files: lights, 督办, automatic escalation.

Dates are real district days. 2024-06-10 is the Dragon Boat Festival; the Spring Festival 2024 ran
10–17 Feb with Sunday 4 Feb and Sunday 18 Feb made working days; National Day 2024 ran 1–7 Oct with
Sunday 29 Sep and Saturday 12 Oct made working days.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from sqlalchemy import text

from coordination.config import DISTRICT_TZ
from coordination.domain.enums import Action, Difficulty, Light, State
from coordination.domain.errors import NotPermitted
from coordination.services import audit, issue_reads, sweep
from coordination.services.sweep import SweepResult

ORIGIN = "flow-run:test-sweep"


def local(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=DISTRICT_TZ).astimezone(UTC)


def run_sweep(d: Any, day: date, **options: Any) -> SweepResult:
    return sweep.sweep(d.uow(), caller=d.caller(d.system, local(day, 7), origin=ORIGIN), **options)


def assigned(d: Any, *, on: date, due: date | None = None, difficulty: Difficulty = Difficulty.C,
             acknowledge: bool = True, title: str = "二期用地指标未落实，影响厂房开工") -> str:
    problem_id: str = d.raise_problem(title=title, now=local(on))
    d.act(d.secretariat, problem_id, Action.ASSIGN, now=local(on), unit=d.solving_unit, difficulty=difficulty,
          due=due)
    if acknowledge:
        d.act(d.handler, problem_id, Action.ACKNOWLEDGE, now=local(on, 10))
    return problem_id


def sweep_events(d: Any, problem_id: str) -> list[dict[str, Any]]:
    return [e for e in d.events(problem_id) if e["origin"] == ORIGIN]


def outbox(d: Any) -> list[dict[str, Any]]:
    """The messages the sweep queued (the 交办 notices of the set-up's assignments left out)."""
    with d.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM outbox WHERE kind != 'assignment' ORDER BY id")).mappings()
        return [dict(r) for r in rows]


def snapshot(d: Any) -> tuple[list[Any], int, int]:
    with d.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM problem ORDER BY id")).all()
        events = conn.execute(text("SELECT count(*) FROM audit_event")).scalar_one()
        messages = conn.execute(text("SELECT count(*) FROM outbox")).scalar_one()
    return list(rows), int(events), int(messages)


# ---- lights --------------------------------------------------------------------------------


def test_a_c_class_problem_turns_green_then_yellow_then_red_one_event_per_change(district: Any) -> None:
    # Assigned Monday 3 June with 5 working days: due Tuesday 11 June (the 10th is the Dragon Boat Festival).
    problem_id = assigned(district, on=date(2024, 6, 3))
    assert district.problem_row(problem_id)["due_date"] == "2024-06-11"

    lights = {}
    for day in (date(2024, 6, 3), date(2024, 6, 5), date(2024, 6, 11), date(2024, 6, 12)):
        run_sweep(district, day)
        lights[day] = district.problem_row(problem_id)["light"]

    assert lights == {date(2024, 6, 3): "green", date(2024, 6, 5): "yellow", date(2024, 6, 11): "yellow",
                      date(2024, 6, 12): "red"}
    changes = [(e["action"], json.loads(e["payload"])["changes"].get("light")) for e in sweep_events(district,
                                                                                                       problem_id)]
    assert changes == [("light_change", "green"), ("light_change", "yellow"), ("light_change", "red"),
                       ("remind", None)]


def test_turning_red_reminds_the_lead_unit_and_its_head(district: Any) -> None:
    problem_id = assigned(district, on=date(2024, 6, 3))

    result = run_sweep(district, date(2024, 6, 12))

    assert result.reminders == [problem_id]
    remind = sweep_events(district, problem_id)[-1]
    payload = json.loads(remind["payload"])
    assert remind["action"] == "remind" and remind["actor"] == "system"
    assert payload["unit"] == district.solving_unit and payload["to"] == ["钱局长（自然资源和规划局）"]
    [message] = outbox(district)
    assert message["key"] == payload["notice"] == f"sweep:2024-06-12:1:remind:{district.solving_unit}"
    assert message["kind"] == "reminder" and message["unit"] == district.solving_unit
    assert message["status"] == "pending" and message["origin"] == ORIGIN
    assert problem_id in message["body"] and "区自然资源和规划局" in message["body"] and "@钱局长" in message["body"]


def test_one_reminder_per_lead_unit_lists_every_problem_that_turned_red(district: Any) -> None:
    land = [assigned(district, on=date(2024, 6, 3), title=f"用地问题{n}") for n in range(3)]
    district.raise_problem(title="施工许可证办理材料反复退回", now=local(date(2024, 6, 3)))
    permit = district.raise_problem(title="消防验收材料退回", category="施工许可", now=local(date(2024, 6, 3)))
    district.act(district.secretariat, permit, Action.ASSIGN, now=local(date(2024, 6, 3)), unit=district.other_unit,
                 difficulty=Difficulty.C)

    result = run_sweep(district, date(2024, 6, 12))

    assert sorted(result.reminders) == sorted([*land, permit])
    messages = {m["unit"]: m for m in outbox(district)}
    assert set(messages) == {district.solving_unit, district.other_unit}
    assert all(problem_id in messages[district.solving_unit]["body"] for problem_id in land)
    assert "3 项问题超期" in messages[district.solving_unit]["title"]
    assert permit in messages[district.other_unit]["body"] and messages[district.other_unit]["mentions"] == "[]"


def test_a_second_sweep_on_the_same_day_changes_nothing(district: Any) -> None:
    for start in (date(2024, 5, 6), date(2024, 5, 20), date(2024, 6, 3)):
        assigned(district, on=start)
    run_sweep(district, date(2024, 6, 12))
    before = snapshot(district)

    again = run_sweep(district, date(2024, 6, 12))

    assert again.events == 0 and again.light_changes == [] and again.escalations == []
    assert snapshot(district) == before


def test_dry_run_reports_what_the_real_run_then_does_and_writes_nothing(district: Any) -> None:
    for start in (date(2024, 5, 6), date(2024, 6, 3)):
        assigned(district, on=start)
    before = snapshot(district)

    preview = run_sweep(district, date(2024, 6, 12), dry_run=True)
    assert snapshot(district) == before

    real = run_sweep(district, date(2024, 6, 12))
    # Only the real run signs an audit checkpoint.
    assert preview.to_json() | {"dry_run": False, "seconds": 0} == real.to_json() | {"seconds": 0, "checkpoint": None}
    assert real.events > 0 and real.checkpoint is not None and preview.checkpoint is None


def test_a_resolution_waiting_for_verification_turns_red_without_a_reminder(district: Any) -> None:
    problem_id = assigned(district, on=date(2024, 6, 3))
    district.act(district.handler, problem_id, Action.RESOLVE, now=local(date(2024, 6, 5)), reason="用地指标已下达")

    result = run_sweep(district, date(2024, 7, 1))

    assert [c.after for c in result.light_changes] == ["red"]
    assert result.reminders == [] and result.escalations == []


def test_finished_problems_keep_their_last_light_and_are_not_swept(district: Any) -> None:
    problem_id = assigned(district, on=date(2024, 6, 3))
    run_sweep(district, date(2024, 6, 3))
    district.act(district.handler, problem_id, Action.RESOLVE, now=local(date(2024, 6, 4)), reason="用地指标已下达")
    district.act(district.specialist, problem_id, Action.VERIFY, now=local(date(2024, 6, 5)))

    result = run_sweep(district, date(2024, 7, 1))

    assert result.light_changes == [] and district.problem_row(problem_id)["light"] == "green"


def test_a_problem_without_a_due_date_has_no_light(district: Any) -> None:
    district.raise_problem(now=local(date(2024, 6, 3)))

    result = run_sweep(district, date(2024, 6, 12))

    assert result.light_changes == []


# ---- escalation ----------------------------------------------------------------------------


def test_more_than_ten_working_days_overdue_rises_one_rung_and_only_once(district: Any) -> None:
    problem_id = assigned(district, on=date(2024, 6, 3))  # due 11 June
    run_sweep(district, date(2024, 6, 12))  # red, 1 working day overdue

    tenth = run_sweep(district, date(2024, 6, 25))  # 10 working days overdue: not yet
    eleventh = run_sweep(district, date(2024, 6, 26))  # 11: one rung up
    later = [run_sweep(district, day) for day in (date(2024, 6, 27), date(2024, 7, 15), date(2024, 9, 2))]

    assert tenth.escalations == []
    assert [(e.problem_id, e.from_level, e.to_level, e.why) for e in eleventh.escalations] == [
        (problem_id, 1, 2, "overdue")]
    assert all(r.escalations == [] for r in later)
    row = district.problem_row(problem_id)
    assert (row["level"], row["state"], row["escalated_due"]) == (2, "on_agenda", "2024-06-11")
    escalate = sweep_events(district, problem_id)[-1]
    assert (escalate["action"], escalate["from_state"], escalate["to_state"]) == ("escalate", "in_progress",
                                                                                 "on_agenda")
    assert escalate["reason"] == "超过办结期限 10 个工作日仍未办结，系统自动提级"
    assert [m["kind"] for m in outbox(district)] == ["reminder", "escalation"]


def test_missing_a_second_deadline_escalates_at_once(district: Any) -> None:
    problem_id = assigned(district, on=date(2024, 6, 3))  # due 11 June
    run_sweep(district, date(2024, 6, 12))  # first deadline missed
    district.act(district.handler, problem_id, Action.REQUEST_EXTENSION, now=local(date(2024, 6, 12)),
                 reason="需市局批复用地指标", extension_days=10)
    district.act(district.secretariat, problem_id, Action.APPROVE_EXTENSION, now=local(date(2024, 6, 13)))
    assert district.problem_row(problem_id)["due_date"] == "2024-06-25"
    assert [c.after for c in run_sweep(district, date(2024, 6, 13)).light_changes] == ["green"]

    result = run_sweep(district, date(2024, 6, 26))  # the extended deadline passes too

    assert [(e.to_level, e.why) for e in result.escalations] == [(2, "missed_deadlines")]
    actions = [(e["seq"], e["action"]) for e in district.events(problem_id)][-3:]
    version = district.problem_row(problem_id)["version"]
    assert actions == [(version - 2, "light_change"), (version - 1, "remind"), (version, "escalate")]
    assert district.problem_row(problem_id)["missed_deadlines"] == 2


def test_a_problem_at_the_top_of_the_ladder_is_not_escalated_further(district: Any) -> None:
    problem_id = assigned(district, on=date(2024, 6, 3))
    for rung in range(4):
        district.act(district.secretariat, problem_id, Action.ESCALATE, now=local(date(2024, 6, 4), 10 + rung),
                     reason="需更高层级协调用地指标")
    assert district.problem_row(problem_id)["level"] == 5

    result = run_sweep(district, date(2024, 7, 15))

    assert result.escalations == [] and result.refused == {}
    assert district.problem_row(problem_id)["light"] == "red"


def test_only_the_system_actor_sweeps(district: Any) -> None:
    with pytest.raises(NotPermitted):
        sweep.sweep(district.uow(), caller=district.caller(district.secretariat, local(date(2024, 6, 12))))


# ---- the record ----------------------------------------------------------------------------


def test_sweep_events_replay_to_the_row_carry_their_origin_and_keep_every_chain_intact(district: Any) -> None:
    ids = [assigned(district, on=start, title=f"用地问题{n}") for n, start in
           enumerate((date(2024, 5, 6), date(2024, 5, 20), date(2024, 6, 3)))]
    for day in (date(2024, 5, 27), date(2024, 6, 5), date(2024, 6, 12), date(2024, 6, 26), date(2024, 7, 10)):
        run_sweep(district, day)

    for problem_id in ids:
        rebuilt, stored = issue_reads.replayed(district.uow(), problem_id=problem_id)
        assert rebuilt == stored
        assert all(e["origin"] == ORIGIN and e["actor"] == "system" for e in sweep_events(district, problem_id))
        assert sweep_events(district, problem_id)
    assert audit.verify_chains(district.uow()).ok


def test_each_sweep_day_is_recorded_once_as_a_monitoring_run(district: Any) -> None:
    assigned(district, on=date(2024, 6, 3))
    for day in (date(2024, 6, 3), date(2024, 6, 3), date(2024, 6, 4), date(2024, 6, 5), date(2024, 6, 5)):
        run_sweep(district, day)

    with district.engine.connect() as conn:
        runs = conn.execute(text("SELECT stream_id, seq FROM audit_event WHERE stream_type = 'sweep' "
                                 "ORDER BY stream_id, seq")).all()
    # 4 June changed nothing but is still a day the district was monitored; 5 June turned yellow.
    assert [tuple(r) for r in runs] == [("2024-06-03", 1), ("2024-06-04", 1), ("2024-06-05", 1)]


# ---- holidays ------------------------------------------------------------------------------


def test_the_spring_festival_make_up_sunday_counts_toward_the_yellow_light(district: Any) -> None:
    problem_id = assigned(district, on=date(2024, 1, 22), due=date(2024, 2, 20))

    run_sweep(district, date(2024, 2, 8))  # left: 9 Feb, Sun 18 Feb (make-up), 19, 20 -> 4 working days
    on_thursday = district.problem_row(problem_id)["light"]
    run_sweep(district, date(2024, 2, 9))  # left: 18, 19, 20 -> 3
    on_new_years_eve = district.problem_row(problem_id)["light"]

    assert (on_thursday, on_new_years_eve) == ("green", "yellow")


def test_overdue_working_days_skip_the_spring_festival(district: Any) -> None:
    problem_id = assigned(district, on=date(2024, 1, 15), due=date(2024, 2, 1))
    results = {day: run_sweep(district, day, only_on_working_days=True) for day in (
        date(2024, 2, 2), date(2024, 2, 12), date(2024, 2, 16), date(2024, 2, 18), date(2024, 2, 20),
        date(2024, 2, 21))}

    # On weekdays alone 16 Feb would be 11 days overdue; the holiday makes it 7 working days, and the
    # eleventh working day after 1 Feb is Wednesday 21 Feb (Sunday 4 and Sunday 18 Feb count).
    assert not results[date(2024, 2, 12)].working_day and results[date(2024, 2, 12)].events == 0
    assert results[date(2024, 2, 18)].working_day
    assert [day for day, r in results.items() if r.escalations] == [date(2024, 2, 21)]
    assert district.problem_row(problem_id)["level"] == 2


def test_national_day_holidays_and_make_up_days(district: Any) -> None:
    yellow_id = assigned(district, on=date(2024, 9, 2), due=date(2024, 10, 8), title="110kV 专线接入方案未批复")
    red_id = assigned(district, on=date(2024, 9, 2), due=date(2024, 9, 30), title="施工许可证办理材料反复退回")

    run_sweep(district, date(2024, 9, 26))
    before = district.problem_row(yellow_id)["light"]  # 27 Sep, Sun 29 Sep, 30 Sep, 8 Oct: 4 left
    run_sweep(district, date(2024, 9, 27))
    after = district.problem_row(yellow_id)["light"]  # 29 Sep, 30 Sep, 8 Oct: 3 left
    holiday = run_sweep(district, date(2024, 10, 1), only_on_working_days=True)
    back = run_sweep(district, date(2024, 10, 8), only_on_working_days=True)
    make_up_saturday = run_sweep(district, date(2024, 10, 12), only_on_working_days=True)
    sunday = run_sweep(district, date(2024, 10, 13), only_on_working_days=True)

    assert (before, after) == ("green", "yellow")
    assert not holiday.working_day and holiday.events == 0
    assert {c.problem_id: c.after for c in back.light_changes} == {red_id: "red"}
    assert make_up_saturday.working_day and {c.problem_id for c in make_up_saturday.light_changes} == {yellow_id}
    assert not sunday.working_day
    assert Light(district.problem_row(yellow_id)["light"]) is Light.RED


# ---- chasing verification ------------------------------------------------------------------


def test_a_resolution_waiting_more_than_two_working_days_is_chased_then_every_two_more(district: Any) -> None:
    problem_id = assigned(district, on=date(2024, 5, 27), difficulty=Difficulty.B)
    district.act(district.handler, problem_id, Action.RESOLVE, now=local(date(2024, 6, 3)), reason="用地指标已下达")

    def chase(day: date) -> list[str]:
        return sweep.chase_verifications(district.uow(), caller=district.caller(district.system, local(day, 8),
                                                                                origin=ORIGIN)).chased

    chased = [(day, chase(day)) for day in (date(2024, 6, 5), date(2024, 6, 6), date(2024, 6, 6), date(2024, 6, 7),
                                           date(2024, 6, 11), date(2024, 6, 12))]

    # Resolved Monday 3 June: 2 working days waited on the 5th; chased on the 6th; again on the 12th,
    # two working days after the 6th with the Dragon Boat Festival (10 June) in between.
    assert [day for day, ids in chased if ids] == [date(2024, 6, 6), date(2024, 6, 12)]
    chases = [e for e in district.events(problem_id) if e["action"] == "chase_verification"]
    assert [json.loads(e["payload"])["waited_working_days"] for e in chases] == [3, 6]
    messages = [m for m in outbox(district) if m["kind"] == "verification"]
    assert len(messages) == 2 and "李专员" in messages[0]["body"] and "王秘书（重点办）" in messages[0]["body"]
    assert district.problem_row(problem_id)["state"] == State.RESOLUTION_SUBMITTED.value
    assert issue_reads.replayed(district.uow(), problem_id=problem_id)[0] == issue_reads.replayed(
        district.uow(), problem_id=problem_id)[1]
