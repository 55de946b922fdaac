"""Each flow run for real under Prefect's test harness, on a seeded district database."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from sqlalchemy import text

from coordination.config import DISTRICT_TZ
from coordination.domain.enums import Action, Difficulty
from coordination.domain.notices import Notice
from coordination.services import outbox, settings
from coordination.services.intake import IntakeItem
from flows.cycle import IntakeBatch, coordination_cycle
from flows.delivery import deliver_notifications, report_of
from flows.deployments import deployments
from flows.intake import intake
from flows.sweep import sweep, verification_reminders
from tests.flows.robot import BUSY, Robot, closed_port_url, running


def local(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=DISTRICT_TZ).astimezone(UTC)


def url(d: Any) -> str:
    return d.url


def assigned(d: Any, *, on: date, difficulty: Difficulty, title: str) -> str:
    problem_id: str = d.raise_problem(title=title, now=local(on))
    d.act(d.secretariat, problem_id, Action.ASSIGN, now=local(on), unit=d.solving_unit, difficulty=difficulty)
    d.act(d.handler, problem_id, Action.ACKNOWLEDGE, now=local(on, 10))
    return problem_id


def events_by_origin(d: Any, origin: str) -> list[dict[str, Any]]:
    with d.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM audit_event WHERE origin = :o ORDER BY id"), {"o": origin})
        return [dict(r) for r in rows.mappings()]


def table(d: Any, sql: str) -> list[tuple[Any, ...]]:
    with d.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql)).all()]


def run_id(state: Any) -> str:
    return f"flow-run:{state.state_details.flow_run_id}"


def test_a_sweep_flow_run_turns_lights_reminds_and_escalates_under_its_own_run_id(
    district: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    long_overdue = assigned(district, on=date(2024, 6, 3), difficulty=Difficulty.C, title="二期用地指标未落实")
    overdue = assigned(district, on=date(2024, 6, 17), difficulty=Difficulty.C, title="110kV 专线接入方案未批复")
    near = assigned(district, on=date(2024, 6, 21), difficulty=Difficulty.C, title="施工许可证办理材料反复退回")
    far = assigned(district, on=date(2024, 6, 24), difficulty=Difficulty.B, title="厂区规划条件需调整容积率")
    monkeypatch.setenv("COORD_NOW", "2024-06-26T07:30:00+08:00")

    state = sweep(db=url(district), return_state=True)
    result = state.result()

    assert result["lights"] == {"red": 2, "yellow": 1, "green": 1}
    assert result["turned"] == {"red": [long_overdue, overdue], "yellow": [near], "green": [far]}
    assert state.name == "Completed" and not result["capped"]
    assert result["reminders"] == [long_overdue, overdue]
    assert result["escalations"] == [{"id": long_overdue, "from_level": 1, "to_level": 2, "why": "overdue"}]
    caused = events_by_origin(district, run_id(state))
    assert [(e["stream_id"], e["action"]) for e in caused if e["stream_type"] == "problem"] == [
        (long_overdue, "light_change"), (long_overdue, "remind"), (long_overdue, "escalate"),
        (overdue, "light_change"), (overdue, "remind"), (near, "light_change"), (far, "light_change")]
    # One 督办单 for the lead unit listing both red problems, one report of the escalation.
    # (The assignments made while seeding queued their own 交办 notices, from the cli.)
    assert table(district, "SELECT kind, unit, origin FROM outbox WHERE origin LIKE 'flow-run:%' ORDER BY id") == [
        ("reminder", district.solving_unit, run_id(state)), ("escalation", None, run_id(state))]

    before = table(district, "SELECT * FROM problem ORDER BY id"), table(district, "SELECT count(*) FROM outbox")
    again = sweep(db=url(district), return_state=True)

    assert again.result()["events"] == 0 and events_by_origin(district, run_id(again)) == []
    assert (table(district, "SELECT * FROM problem ORDER BY id"), table(district, "SELECT count(*) FROM outbox")) \
        == before


def test_the_scheduled_sweep_rests_on_national_day_unless_forced(
    district: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    assigned(district, on=date(2024, 9, 20), difficulty=Difficulty.C, title="尾水排放标准与环评批复不一致")
    monkeypatch.setenv("COORD_NOW", "2024-10-01T07:30:00+08:00")

    resting = sweep(db=url(district))
    forced = sweep(db=url(district), force=True)

    assert (resting["working_day"], resting["events"]) == (False, 0)
    assert forced["lights"] == {"red": 1}


def test_verification_reminders_chase_a_resolution_waiting_three_working_days(
    district: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem_id = assigned(district, on=date(2024, 5, 27), difficulty=Difficulty.B, title="二期用地指标未落实")
    district.act(district.handler, problem_id, Action.RESOLVE, now=local(date(2024, 6, 3)), reason="用地指标已下达")
    monkeypatch.setenv("COORD_NOW", "2024-06-06T08:00:00+08:00")

    state = verification_reminders(db=url(district), return_state=True)

    assert state.result()["chased"] == [problem_id]
    [event] = events_by_origin(district, run_id(state))
    assert event["action"] == "chase_verification" and json.loads(event["payload"])["waited_working_days"] == 3


def _queue(d: Any, count: int) -> None:
    with d.uow() as uow:
        for n in range(1, count + 1):
            outbox.enqueue(uow.session, Notice(key=f"test:{n}", kind="reminder", title=f"督办通知 {n}",
                                               body=f"问题 Q-2024-{n:04d} 已超期"), caller=d.caller(d.system))
        uow.commit()


def _add_robot(d: Any, robot_url: str) -> None:
    outbox.add_webhook(d.uow(), caller=d.caller(d.admin), name="全区调度群", kind="dingtalk", url=robot_url)


def test_delivery_with_a_robot_down_leaves_messages_pending_and_a_later_run_delivers_each_once(
    district: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COORD_NOW", "2024-06-03T10:05:00+08:00")  # minutes after the messages were queued
    _queue(district, 4)
    _add_robot(district, closed_port_url())

    down = deliver_notifications(db=url(district), retries=0, return_state=True)

    # A run that delivered nothing is red, saying why; the first message waits a minute, the others were
    # not tried, and nothing is lost.
    report = report_of(down)
    assert down.is_failed() and (report["retry_later"], report["held"]) == (1, 3)
    assert "4 条因机器人出错等待重试" in (down.message or "")
    assert table(district, "SELECT DISTINCT status FROM outbox") == [("pending",)]
    monkeypatch.setenv("COORD_NOW", "2024-06-03T10:10:00+08:00")  # the next run, five minutes on
    with running(Robot()) as robot:
        _add_robot(district, robot.url)
        back = deliver_notifications(db=url(district), retries=0, return_state=True)
        idle = deliver_notifications(db=url(district), retries=0)

    assert back.is_completed() and back.result()["delivered"] == 4 and idle["claimed"] == 0
    assert sorted(robot.texts()) == [f"问题 Q-2024-{n:04d} 已超期" for n in range(1, 5)]


def test_the_delivery_tasks_retries_never_ask_a_failing_robot_again_in_the_same_run(
    district: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COORD_NOW", "2024-06-03T10:05:00+08:00")
    _queue(district, 2)
    with running(Robot(script=[BUSY, BUSY])) as robot:
        _add_robot(district, robot.url)
        state = deliver_notifications(db=url(district), retries=1, return_state=True)
        report = report_of(state)

    # One request: the busy answer holds the robot's other message back until the next run.
    assert (report["retry_later"], report["held"], report["delivered"]) == (1, 1, 0)
    assert len(robot.requests) == 1 and robot.received == []


def test_intake_raises_a_weekly_list_and_routes_each_problem(district: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = district.caller(district.admin)
    settings.set_setting(district.uow(), caller=admin, key="intake.auto_assign_as", value=district.secretariat)
    settings.set_setting(district.uow(), caller=admin, key="intake.auto_assign_categories", value="用地")
    monkeypatch.setenv("COORD_NOW", "2024-06-03T16:00:00+08:00")
    weekly = [
        IntakeItem(district.project, "二期用地指标未落实，影响厂房开工", "land"),
        IntakeItem(district.project, "施工许可证办理材料反复退回", "施工许可"),
        IntakeItem(district.project, "提标改造专项资金拨付滞后", "资金"),
        IntakeItem("NO-SUCH-PROJECT", "项目不存在", "其他"),
    ]

    state = intake(district.specialist, weekly, db=url(district), return_state=True)
    outcomes = state.result()

    assert [(o["status"], o["unit"]) for o in outcomes] == [
        ("assigned", district.solving_unit), ("queued", district.other_unit), ("queued", None), ("refused", None)]
    caused = events_by_origin(district, run_id(state))
    assert [(e["action"], e["actor"]) for e in caused if e["stream_type"] == "problem"] == [
        ("raise", district.specialist), ("assign", district.secretariat), ("raise", district.specialist),
        ("raise", district.specialist)]
    assert table(district, "SELECT kind, unit, origin FROM outbox") == [
        ("assignment", district.solving_unit, run_id(state))]

    rerun = intake(district.specialist, weekly[:3], db=url(district))
    assert [o["status"] for o in rerun] == ["duplicate", "duplicate", "duplicate"]


def test_the_coordination_cycle_runs_its_stages_as_sub_flows(district: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assigned(district, on=date(2024, 6, 3), difficulty=Difficulty.C, title="二期用地指标未落实")
    monkeypatch.setenv("COORD_NOW", "2024-06-12T07:30:00+08:00")
    batch = IntakeBatch(district.specialist, [IntakeItem(district.project, "35千伏专线接入迟迟未批", "配套")])

    state = coordination_cycle(db=url(district), intake_batches=[batch], delivery_retries=0, return_state=True)
    results = state.result(raise_on_failure=False)

    assert results["intake"][0][0]["status"] == "queued"
    assert results["sweep"]["reminders"] and results["verification_reminders"]["chased"] == []
    # No robot registered yet: the sweep's reminder waits in the outbox; the 交办 notice of nine days ago
    # is past the week a message may wait, so it expires instead of reaching a robot registered later.
    # The delivery did not do its job, so its run is red and so is the cycle's, naming it.
    delivery = results["delivery"]
    assert delivery["state"] == "FAILED" and delivery["result"]["no_webhook"] == 1
    assert delivery["result"]["expired"] == 1
    assert state.is_failed() and "deliver-notifications" in (state.message or "")
    origins = {o for (o,) in table(district, "SELECT DISTINCT origin FROM audit_event WHERE origin LIKE 'flow-run:%'")}
    assert len(origins) == 2 and run_id(state) not in origins  # intake's run and the sweep's run, not the cycle's


def test_the_deployments_carry_their_cron_schedules_in_shanghai_time() -> None:
    built = {d.name: d for d in deployments()}

    crons = {name: [(s.schedule.cron, s.schedule.timezone) for s in d.schedules] for name, d in built.items()}
    assert crons == {
        "sweep": [("30 7 * * *", "Asia/Shanghai")],
        "verification-reminders": [("0 8 * * *", "Asia/Shanghai")],
        "deliver-notifications": [("*/5 * * * *", "Asia/Shanghai")],
        "intake": [],
        "coordination-cycle": [],
        "meeting-prep": [("0 16 * * 2", "Asia/Shanghai")],
        # Publications are asked every morning of their window; the flow publishes on the first working day.
        "weekly-report": [("30 8 * * *", "Asia/Shanghai")],
        "monthly-analysis": [("0 9 1-15 * *", "Asia/Shanghai")],
        "quarterly-dispatch": [("0 9 1-15 1,4,7,10 *", "Asia/Shanghai")],
        "import-ledger": [],
    }
    assert built["sweep"].entrypoint == "flows.sweep.sweep"
    one_at_a_time = {name for name, d in built.items() if d.concurrency_limit == 1}
    assert one_at_a_time == {"sweep", "verification-reminders", "deliver-notifications", "coordination-cycle",
                             "meeting-prep", "weekly-report", "monthly-analysis", "quarterly-dispatch"}
    assert built["sweep"].concurrency_options is not None
    assert built["sweep"].concurrency_options.collision_strategy == "CANCEL_NEW"


def test_the_districts_schedule_settings_move_the_deployments_and_the_district_tags_them() -> None:
    built = {d.name: d for d in deployments({"sweep": "0 8 * * *"}, district="dongqu")}

    assert built["sweep"].schedules[0].schedule.cron == "0 8 * * *"
    assert built["sweep"].tags == ["coord", "district:dongqu"]
    assert built["weekly-report"].tags == ["coord", "district:dongqu", "publication"]
