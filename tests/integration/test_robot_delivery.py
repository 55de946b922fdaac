"""Robots that cannot stall the queue: real HTTP robots on 127.0.0.1 that answer late, refuse one message,
or are not there at all, against real databases (SQLite and PostgreSQL).

A run tries each due message at most once; a failed message waits 1 min, 5 min, 30 min, then 2 h;
a slow or absent robot is asked once per run while the other robots' messages go; a run stops at its
time budget; two runs at once never send one message twice. Timeouts here are tenths of a second,
set through the district's settings as an admin would.
"""

from __future__ import annotations

import threading
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import select

from coordination.config import DISTRICT_TZ
from coordination.domain.delivery_policy import ALARM_KEY, BUDGET_KEY, TIMEOUT_KEY, DeliveryLimits
from coordination.domain.errors import InvalidInput
from coordination.domain.notices import Notice
from coordination.models import OutboxMessage
from coordination.services import outbox, outbox_delivery, settings
from tests.flows.robot import KEYWORD_REFUSED, Robot, closed_port_url, running

QUEUED = datetime.combine(date(2024, 6, 12), time(9), tzinfo=DISTRICT_TZ).astimezone(UTC)
TEN = QUEUED + timedelta(hours=1)


def queue(d: Any, *notices: Notice) -> None:
    with d.uow() as uow:
        for notice in notices:
            outbox.enqueue(uow.session, notice, caller=d.caller(d.system, QUEUED, origin="test"))
        uow.commit()


def notice(n: int, unit: str | None = None, words: str = "请即办理") -> Notice:
    return Notice(key=f"test:{n}", kind="reminder", title=f"督办通知 {n}", unit=unit,
                  body=f"#### 督办通知 {n}\n\n问题 Q-2024-{n:04d} 已超期，{words}。")


def add_robot(d: Any, url: str, *, name: str = "全区调度群", unit: str | None = None) -> None:
    outbox.add_webhook(d.uow(), caller=d.caller(d.admin), name=name, kind="dingtalk", url=url, unit=unit)


def setting(d: Any, key: str, value: str) -> None:
    settings.set_setting(d.uow(), caller=d.caller(d.admin), key=key, value=value)


def rows(d: Any) -> dict[str, dict[str, Any]]:
    """Each message's row by its key (times as aware UTC)."""
    with d.uow() as uow:
        found = uow.session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()  # type: ignore[arg-type]
        return {m.key: m.model_dump() for m in found}


def titles(robot: Robot) -> list[str]:
    return [body["markdown"]["title"] for body in robot.received]


def numbers(report_ids: list[int], d: Any) -> list[int]:
    """The notice numbers (test:N) of outbox ids."""
    by_id = {row["id"]: int(key.split(":")[1]) for key, row in rows(d).items()}
    return sorted(by_id[i] for i in report_ids)


def test_a_robot_slower_than_the_timeout_gets_each_message_at_most_once_a_run_and_the_others_still_go(
    district: Any,
) -> None:
    setting(district, TIMEOUT_KEY, "0.3")
    unit = district.solving_unit
    with running(Robot(delay_s=1.0)) as slow, running(Robot()) as district_group:
        add_robot(district, slow.url, name="自然资源局工作群", unit=unit)
        add_robot(district, district_group.url)
        queue(district, notice(1, unit), notice(2), notice(3, unit), notice(4), notice(5, unit), notice(6))

        started = clock.monotonic()
        first = outbox.deliver(district.uow(), now=TEN)
        first_took = clock.monotonic() - started
        slow_after_first = titles(slow)
        second = outbox.deliver(district.uow(), now=TEN)  # straight after: the timed-out message is not due

    # The slow robot took the first message (it answered after our timeout), and was not asked again in
    # that run; the district's robot got all of its messages in the same run.
    assert slow_after_first == ["督办通知 1"] and first_took < 2.0
    assert numbers(first.timed_out, district) == [1] and numbers(first.held, district) == [3, 5]
    assert numbers(first.delivered, district) == [2, 4, 6]
    assert numbers(second.timed_out, district) == [3] and numbers(second.held, district) == [5]
    assert second.delivered == [] and second.claimed == 2  # 1 waits its minute; 2, 4 and 6 are sent
    assert titles(slow) == ["督办通知 1", "督办通知 3"]  # never the same message twice in a run, nor straight after
    assert sorted(titles(district_group)) == ["督办通知 2", "督办通知 4", "督办通知 6"]
    timed_out = rows(district)["test:1"]
    assert timed_out["status"] == "pending" and timed_out["attempts"] == 1
    assert "可能已收到" in timed_out["last_error"] and "2024-06-12 10:01" in timed_out["last_error"]
    assert timed_out["next_attempt_at"] == TEN + timedelta(minutes=1)


def test_an_unreachable_robot_is_tried_with_growing_waits_and_never_twice_in_a_run(district: Any) -> None:
    add_robot(district, closed_port_url())
    queue(district, notice(1), notice(2), notice(3))

    moment, waits, first_requests = TEN, [], []
    for _ in range(5):
        report = outbox.deliver(district.uow(), now=moment)
        first_requests.append((len(report.retry_later), len(report.held)))
        again = outbox.deliver(district.uow(), now=moment)  # a second run at the same moment
        assert numbers(again.retry_later, district) != numbers(report.retry_later, district)
        row = rows(district)["test:1"]
        waits.append(row["next_attempt_at"] - row["last_attempt_at"])
        moment = row["next_attempt_at"]

    # Each run asks the robot once (the first due message); the others wait for a run it answers.
    assert first_requests == [(1, 2)] * 5
    assert waits == [timedelta(minutes=m) for m in (1, 5, 30, 120, 120)]
    assert rows(district)["test:1"]["attempts"] == 5
    assert "ConnectError" in rows(district)["test:1"]["last_error"]
    assert {r["status"] for r in rows(district).values()} == {"pending"}


def test_a_robot_refusing_one_message_still_gets_the_next_in_the_same_run(district: Any) -> None:
    answers = {"敏感词": KEYWORD_REFUSED, "触发故障": (500, {"errcode": 500, "errmsg": "internal error"})}
    with running(Robot(answers_for=answers)) as robot:
        add_robot(district, robot.url)
        queue(district, notice(1, words="敏感词"), notice(2), notice(3, words="触发故障"), notice(4))

        report = outbox.deliver(district.uow(), now=TEN, max_attempts=2)
        later = outbox.deliver(district.uow(), now=TEN + timedelta(minutes=1), max_attempts=2)

    assert numbers(report.delivered, district) == [2, 4] and numbers(report.retry_later, district) == [1, 3]
    assert report.held == [] and len(robot.requests) == 6
    assert numbers(later.failed, district) == [1]  # refused twice: parked for `coord outbox retry`
    assert numbers(later.retry_later, district) == [3]  # a server error is tried again after its wait
    assert titles(robot) == ["督办通知 2", "督办通知 4"]


def test_a_run_stops_at_its_time_budget_and_the_next_run_takes_the_rest(district: Any) -> None:
    setting(district, BUDGET_KEY, "0.4")
    with running(Robot(delay_s=0.15)) as robot:
        add_robot(district, robot.url)
        queue(district, *(notice(n) for n in range(1, 9)))

        first = outbox.deliver(district.uow(), now=TEN)
        left_rows = [r for r in rows(district).values() if r["status"] == "pending"]
        runs = [first]
        while len(runs) < 10 and sum(len(r.delivered) for r in runs) < 8:
            runs.append(outbox.deliver(district.uow(), now=TEN))

    assert first.delivered and first.left and len(first.delivered) + first.left == first.claimed == 8
    # What a run hands back was never tried: no attempt counted, no wait, no lease.
    assert all(r["attempts"] == 0 and r["lease_until"] is None and r["next_attempt_at"] is None
               for r in left_rows)
    assert sorted(titles(robot)) == sorted(f"督办通知 {n}" for n in range(1, 9))  # each exactly once
    assert len(robot.requests) == 8


def test_two_runs_at_once_never_send_a_message_twice(district: Any) -> None:
    with running(Robot(delay_s=0.02)) as robot:
        add_robot(district, robot.url)
        queue(district, *(notice(n) for n in range(1, 41)))
        reports: list[outbox.DeliveryReport] = []
        start = threading.Barrier(2)

        def run() -> None:
            start.wait()
            reports.append(outbox.deliver(district.uow(), now=TEN))

        runners = [threading.Thread(target=run) for _ in range(2)]
        for runner in runners:
            runner.start()
        for runner in runners:
            runner.join(timeout=60)

    assert len(reports) == 2 and sum(len(r.delivered) for r in reports) == 40
    assert sorted(titles(robot)) == sorted(f"督办通知 {n}" for n in range(1, 41)) and len(robot.requests) == 40


def test_a_message_leased_by_a_run_is_not_taken_by_another_even_if_both_chose_it(district: Any) -> None:
    queue(district, notice(1), notice(2))
    limits = DeliveryLimits()
    chosen = outbox_delivery.claim(district.uow(), now=TEN, limits=limits)
    # Another run that selected the same rows before this one's commit: its guarded UPDATE takes none.
    with district.uow() as uow:
        taken = outbox_delivery.take(uow.session, [c.id for c in chosen], now=TEN, limits=limits)
        uow.commit()
    with running(Robot()) as robot:
        add_robot(district, robot.url)
        during = outbox.deliver(district.uow(), now=TEN + timedelta(minutes=1))
        after = outbox.deliver(district.uow(), now=TEN + limits.lease + timedelta(seconds=1))

    assert [c.id for c in chosen] and taken == [] and during.claimed == 0
    assert len(after.delivered) == 2 and len(robot.received) == 2


def test_the_outbox_settings_are_checked_and_listed(district: Any) -> None:
    for key, bad in ((TIMEOUT_KEY, "abc"), (TIMEOUT_KEY, "0"), (TIMEOUT_KEY, "1e9"), (BUDGET_KEY, "-1"),
                     (ALARM_KEY, "1.5"), (ALARM_KEY, "NaN")):
        with pytest.raises(InvalidInput):
            setting(district, key, bad)
    setting(district, TIMEOUT_KEY, "2.50")
    current = settings.list_settings(district.uow())
    assert (current[TIMEOUT_KEY], current[BUDGET_KEY], current[ALARM_KEY]) == ("2.5", "120", "60")
    with district.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM setting WHERE key LIKE 'outbox.%'")).scalar_one() == 1
