"""The outbox and its delivery to group robots: real HTTP servers on 127.0.0.1, started by each test."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from coordination import delivery
from coordination.config import DISTRICT_TZ
from coordination.domain.delivery_policy import DeliveryLimits
from coordination.domain.enums import Action, Difficulty
from coordination.domain.errors import NotPermitted
from coordination.domain.notices import Notice
from coordination.services import outbox, outbox_delivery, sweep
from coordination.uow import UnitOfWork
from tests.flows.robot import BUSY, KEYWORD_REFUSED, OK, Robot, closed_port_url, running

SECRET = "SEC0123456789abcdef"


def local(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=DISTRICT_TZ).astimezone(UTC)


def queue(d: Any, *notices: Notice) -> None:
    with d.uow() as uow:
        for notice in notices:
            outbox.enqueue(uow.session, notice, caller=d.caller(d.system, local(date(2024, 6, 12), 9), origin="test"))
        uow.commit()


def notice(n: int, unit: str | None = None) -> Notice:
    return Notice(key=f"test:{n}", kind="reminder", title=f"督办通知 {n}", unit=unit,
                  body=f"#### 督办通知\n\n问题 Q-2024-{n:04d} 已超期，请即办理。")


def deliver(d: Any, **options: Any) -> outbox.DeliveryReport:
    options.setdefault("now", local(date(2024, 6, 12), 10))
    return outbox.deliver(d.uow(), **options)


def statuses(d: Any) -> dict[str, str]:
    with d.engine.connect() as conn:
        return dict(conn.execute(text("SELECT key, status FROM outbox ORDER BY id")).all())


def add_robot(d: Any, url: str, *, name: str = "全区调度群", kind: str = "dingtalk", secret: str | None = None,
              unit: str | None = None) -> None:
    outbox.add_webhook(d.uow(), caller=d.caller(d.admin), name=name, kind=kind, url=url, secret=secret, unit=unit)


# ---- sending -------------------------------------------------------------------------------


def test_a_signed_dingtalk_robot_receives_the_markdown_message(district: Any) -> None:
    with running(Robot(secret=SECRET)) as robot:
        add_robot(district, robot.url, secret=SECRET)
        queue(district, notice(1))

        report = deliver(district)

    assert report.to_json()["delivered"] == 1
    [body] = robot.received
    assert body["msgtype"] == "markdown" and body["markdown"]["title"] == "督办通知 1"
    assert "Q-2024-0001" in body["markdown"]["text"]
    assert "&timestamp=" in robot.requests[0] and "&sign=" in robot.requests[0]
    assert statuses(district) == {"test:1": "delivered"}


def test_a_wecom_robot_receives_markdown_content(district: Any) -> None:
    with running(Robot()) as robot:
        add_robot(district, robot.url.replace("access_token", "key"), kind="wecom")
        queue(district, notice(2))
        deliver(district)

    assert robot.received == [{"msgtype": "markdown", "markdown": {"content": notice(2).body}}]


def test_a_busy_robot_is_asked_once_per_run_and_gets_the_message_after_the_wait(district: Any) -> None:
    ten = local(date(2024, 6, 12), 10)
    with running(Robot(script=[BUSY])) as robot:
        add_robot(district, robot.url)
        queue(district, notice(3))

        busy = deliver(district, now=ten)
        again = deliver(district, now=ten)  # within the minute's wait: not tried
        later = deliver(district, now=ten + timedelta(minutes=1))

    assert busy.retry_later and not busy.complete and again.claimed == 0
    assert later.delivered and later.complete
    assert len(robot.requests) == 2 and len(robot.received) == 1


def test_a_robot_that_is_down_leaves_messages_pending_and_a_later_run_delivers_each_exactly_once(
    district: Any,
) -> None:
    add_robot(district, closed_port_url())
    queue(district, *(notice(n) for n in range(1, 6)))
    ten = local(date(2024, 6, 12), 10)

    down = deliver(district, now=ten)  # the first message finds the robot down; the others are not tried

    assert not down.complete and (len(down.retry_later), len(down.held)) == (1, 4)
    assert set(statuses(district).values()) == {"pending"}
    with running(Robot(script=[BUSY])) as robot:  # back, but still shaky at first
        add_robot(district, robot.url)
        first = deliver(district, now=ten)  # the busy answer to the second holds back the robot's others
        second = deliver(district, now=ten)  # the first two wait; the rest go
        third = deliver(district, now=ten + timedelta(minutes=5))
        fourth = deliver(district, now=ten + timedelta(minutes=5))

    assert (len(first.delivered), len(first.held)) == (0, 3) and len(second.delivered) == 3
    assert len(third.delivered) == 2 and fourth.claimed == 0
    assert sorted(robot.texts()) == sorted(notice(n).body for n in range(1, 6))
    assert set(statuses(district).values()) == {"delivered"}


def test_a_refused_message_is_parked_as_failed_after_max_attempts_and_can_be_queued_again(district: Any) -> None:
    with running(Robot(default=KEYWORD_REFUSED)) as robot:
        add_robot(district, robot.url)
        queue(district, notice(4))
        reports = [deliver(district, max_attempts=3, now=local(date(2024, 6, 12), 10 + 3 * n)) for n in range(4)]
        assert [len(r.failed) for r in reports] == [0, 0, 1, 0]
        assert statuses(district) == {"test:4": "failed"}

        robot.default = OK
        assert outbox.retry_failed(district.uow(), caller=district.caller(district.secretariat)) == 1
        deliver(district)

    assert statuses(district) == {"test:4": "delivered"} and len(robot.received) == 1


def test_messages_go_to_their_units_robot_else_to_the_districts(district: Any) -> None:
    with running(Robot()) as district_group, running(Robot()) as land_bureau:
        add_robot(district, district_group.url)
        add_robot(district, land_bureau.url, name="自然资源局工作群", unit=district.solving_unit)
        queue(district, notice(1, unit=district.solving_unit), notice(2, unit=district.other_unit), notice(3))
        deliver(district)

    assert land_bureau.texts() == [notice(1).body]
    assert district_group.texts() == [notice(2).body, notice(3).body]


def test_without_any_robot_messages_wait_in_the_outbox(district: Any) -> None:
    queue(district, notice(5))

    report = deliver(district)

    assert report.no_webhook and statuses(district) == {"test:5": "pending"}


def test_a_message_held_by_a_running_delivery_is_not_claimed_by_another(district: Any) -> None:
    queue(district, notice(6))
    now = local(date(2024, 6, 12), 10)
    limits = DeliveryLimits()  # a lease of the run's budget, two timeouts and a minute: 3 min 20 s
    first = outbox_delivery.claim(district.uow(), now=now, limits=limits)
    second = outbox_delivery.claim(district.uow(), now=now + timedelta(minutes=1), limits=limits)
    after_lease = outbox_delivery.claim(district.uow(), now=now + timedelta(minutes=4), limits=limits)

    assert [c.id for c in first] == [c.id for c in after_lease] and second == []


def test_dingtalk_signature_matches_the_documented_algorithm() -> None:
    url = delivery.signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc", "SECtest", 1700000000000)
    assert url == ("https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1700000000000"
                   "&sign=aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g%3D")


# ---- writing -------------------------------------------------------------------------------


def test_an_assignment_writes_its_notice_in_the_same_commit(district: Any) -> None:
    problem_id = district.raise_problem()
    from coordination.domain.problem import ActionInput
    from coordination.services import issues

    issues.act(UnitOfWork(district.engine), caller=district.caller(district.secretariat),
               problem_id=problem_id, action=Action.ASSIGN,
               inputs=ActionInput(unit=district.solving_unit, difficulty=Difficulty.C))

    with district.engine.connect() as conn:
        [row] = conn.execute(text("SELECT key, kind, unit, mentions, origin FROM outbox")).all()
    assert tuple(row) == (f"assign:{problem_id}:2", "assignment", district.solving_unit,
                          '["赵经办（自然资源和规划局）"]', "cli")


def test_a_refused_action_leaves_no_notice(district: Any) -> None:
    problem_id = district.raise_problem()
    from coordination.domain.problem import ActionInput
    from coordination.services import issues

    with pytest.raises(NotPermitted):
        issues.act(UnitOfWork(district.engine), caller=district.caller(district.handler),
                   problem_id=problem_id, action=Action.ASSIGN, inputs=ActionInput(unit=district.solving_unit))
    assert statuses(district) == {}


def test_the_sweeps_reminders_are_delivered_by_the_next_run(district: Any) -> None:
    problem_id = district.raise_problem(now=local(date(2024, 6, 3)))
    district.act(district.secretariat, problem_id, Action.ASSIGN, now=local(date(2024, 6, 3)),
                 unit=district.solving_unit, difficulty=Difficulty.C)
    sweep.sweep(district.uow(), caller=district.caller(district.system, local(date(2024, 6, 12), 7)))
    with running(Robot()) as robot:
        add_robot(district, robot.url, name="自然资源局工作群", unit=district.solving_unit)
        deliver(district, now=local(date(2024, 6, 6), 10))  # a robot that was there: the 交办 notice goes out
        deliver(district)

    assignment, reminder = robot.texts()  # the 交办 notice queued at assignment, then the 督办 reminder
    assert "交办" in assignment and problem_id in assignment
    assert problem_id in reminder and "@钱局长（自然资源和规划局）" in reminder


def test_only_an_admin_registers_robots_and_the_token_never_shows(district: Any) -> None:
    with pytest.raises(NotPermitted):
        outbox.add_webhook(district.uow(), caller=district.caller(district.secretariat), name="x", kind="wecom",
                           url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdef123456")
    view = outbox.add_webhook(district.uow(), caller=district.caller(district.admin), name="全区调度群", kind="wecom",
                              url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdef123456")
    assert view.to_json()["url"] == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcd…"
    with district.engine.connect() as conn:
        payload = conn.execute(text("SELECT payload FROM audit_event WHERE stream_type = 'webhook'")).scalar_one()
    assert "abcdef123456" not in payload


# ---- who is @-ed, and what is too old to send -------------------------------------------------


def test_a_dingtalk_message_ats_the_mobile_numbers_of_the_people_it_mentions(district: Any) -> None:
    from coordination.domain.enums import Role
    from coordination.services import directory

    directory.add_person(district.uow(), caller=district.caller(district.admin), handle="zhou_jingban",
                         name="周经办（自然资源和规划局）", unit=district.solving_unit, roles=[Role.HANDLER],
                         mobile="138 0013 8000")
    problem_id = district.raise_problem(now=local(date(2024, 6, 12), 8))
    district.assign(problem_id, now=local(date(2024, 6, 12), 9))
    with running(Robot()) as robot:
        add_robot(district, robot.url, name="自然资源局工作群", unit=district.solving_unit)
        deliver(district)
    [body] = robot.received
    assert body["at"]["atMobiles"] == ["13800138000"]
    assert body["markdown"]["text"].endswith("@13800138000")
    assert "@周经办（自然资源和规划局）" in body["markdown"]["text"]


def test_a_robot_registered_late_is_not_flooded_with_old_messages(district: Any) -> None:
    with district.uow() as uow:
        outbox.enqueue(uow.session, notice(1), caller=district.caller(district.system, local(date(2024, 5, 20)),
                                                                       origin="test"))
        outbox.enqueue(uow.session, notice(2), caller=district.caller(district.system, local(date(2024, 6, 11)),
                                                                       origin="test"))
        uow.commit()
    with running(Robot()) as robot:
        add_robot(district, robot.url)
        report = deliver(district)
    assert report.expired == 1 and report.to_json()["delivered"] == 1
    assert statuses(district) == {"test:1": "expired", "test:2": "delivered"}
    assert [b["markdown"]["title"] for b in robot.received] == ["督办通知 2"]


def test_a_mobile_number_that_is_not_one_is_refused(district: Any) -> None:
    from coordination.domain.enums import Role
    from coordination.domain.errors import InvalidInput
    from coordination.services import directory

    with pytest.raises(InvalidInput):
        directory.add_person(district.uow(), caller=district.caller(district.admin), handle="wu_jingban",
                             name="吴经办", unit=district.solving_unit, roles=[Role.HANDLER], mobile="12345")


def test_a_person_records_their_own_mobile_and_the_next_notice_carries_it(district: Any) -> None:
    from coordination.services import directory

    directory.set_person_mobile(district.uow(), caller=district.caller(district.handler), handle=district.handler,
                                mobile="139-0000-1111")
    with pytest.raises(NotPermitted):
        directory.set_person_mobile(district.uow(), caller=district.caller(district.handler),
                                    handle=district.unit_head, mobile="13900002222")
    district.assign(district.raise_problem())
    with district.engine.connect() as conn:
        [mobiles] = conn.execute(text("SELECT mobiles FROM outbox WHERE kind = 'assignment'")).scalars().all()
    assert mobiles == '["13900001111"]'
    removed = directory.set_person_mobile(district.uow(), caller=district.caller(district.admin),
                                          handle=district.handler, mobile=None)
    assert removed.mobile is None
