"""Robot messages about one problem end with a link to its page once `web.base_url` is set.

Deliveries go to real HTTP robots on 127.0.0.1 (tests/flows/robot.py); the setting is changed the way an
admin changes it, through the settings service. The link is added as a message is sent, so a message
queued before the setting was made links too.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from coordination import delivery
from coordination.config import DISTRICT_TZ
from coordination.domain.errors import InvalidInput
from coordination.domain.notices import Notice
from coordination.services import outbox
from coordination.services.settings import WEB_BASE_URL, set_setting
from tests.flows.robot import Robot, running

BASE_URL = "https://coord.example.gov.cn"


def local(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=DISTRICT_TZ).astimezone(UTC)


NOW = local(date(2024, 6, 3), 11)  # the district fixture's day, an hour after it was built


def set_base_url(d: Any, value: str) -> dict[str, str]:
    return set_setting(d.uow(), caller=d.caller(d.admin), key=WEB_BASE_URL, value=value)


def add_robot(d: Any, url: str, *, kind: str = "dingtalk", unit: str | None = None,
              name: str = "自然资源局工作群") -> None:
    outbox.add_webhook(d.uow(), caller=d.caller(d.admin), name=name, kind=kind, url=url, unit=unit)


def deliver(d: Any) -> outbox.DeliveryReport:
    return outbox.deliver(d.uow(), now=NOW)


def assigned_problem(d: Any) -> str:
    """A problem assigned to the solving unit: its 交办 notice waits in the outbox for that unit's group."""
    problem_id = d.raise_problem()
    d.assign(problem_id)
    return problem_id


def text_of(body: dict[str, Any]) -> str:
    markdown = body["markdown"]
    return str(markdown.get("text") or markdown.get("content"))


def test_without_the_setting_a_problems_message_carries_no_link(district: Any) -> None:
    problem_id = assigned_problem(district)
    with running(Robot()) as robot:
        add_robot(district, robot.url, unit=district.solving_unit)
        report = deliver(district)

    assert len(report.delivered) == 1
    [body] = robot.received
    assert problem_id in text_of(body)
    assert "/problems/" not in text_of(body) and delivery.LINK_TEXT not in text_of(body)


def test_a_dingtalk_message_about_a_problem_ends_with_the_link_to_its_page(district: Any) -> None:
    problem_id = assigned_problem(district)
    set_base_url(district, BASE_URL + "/")  # stored without the trailing slash
    with running(Robot()) as robot:
        add_robot(district, robot.url, unit=district.solving_unit)
        deliver(district)

    [body] = robot.received
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["text"].endswith(f"\n\n[查看问题]({BASE_URL}/problems/{problem_id})")
    assert body["markdown"]["text"].count("/problems/") == 1


def test_a_wecom_message_about_a_problem_ends_with_the_link_too(district: Any) -> None:
    problem_id = assigned_problem(district)
    set_base_url(district, BASE_URL)
    with running(Robot()) as robot:
        add_robot(district, robot.url.replace("access_token", "key"), kind="wecom", unit=district.solving_unit)
        deliver(district)

    [body] = robot.received
    assert body["markdown"]["content"].endswith(f"\n\n[查看问题]({BASE_URL}/problems/{problem_id})")


def test_a_message_queued_before_the_setting_is_linked_when_it_is_sent(district: Any) -> None:
    problem_id = assigned_problem(district)  # queued now, while web.base_url is unset
    with running(Robot()) as robot:
        set_base_url(district, "http://10.12.0.8:8080")  # then the admin sets it, before any robot takes it
        add_robot(district, robot.url, unit=district.solving_unit)
        deliver(district)

    [body] = robot.received
    assert body["markdown"]["text"].endswith(f"[查看问题](http://10.12.0.8:8080/problems/{problem_id})")


def test_the_numbers_dingtalk_ats_stay_in_the_text_and_the_link_stays_last(district: Any) -> None:
    from coordination.domain.enums import Role
    from coordination.services import directory

    directory.add_person(district.uow(), caller=district.caller(district.admin), handle="zhou_jingban",
                         name="周经办（自然资源和规划局）", unit=district.solving_unit, roles=[Role.HANDLER],
                         mobile="13800138000")
    problem_id = assigned_problem(district)
    set_base_url(district, BASE_URL)
    with running(Robot()) as robot:
        add_robot(district, robot.url, unit=district.solving_unit)
        deliver(district)

    [body] = robot.received
    text = body["markdown"]["text"]
    assert body["at"]["atMobiles"] == ["13800138000"]
    assert "@13800138000" in text and text.index("@13800138000") < text.index("[查看问题]")
    assert text.endswith(f"[查看问题]({BASE_URL}/problems/{problem_id})")


def test_a_message_about_no_one_problem_gets_no_link(district: Any) -> None:
    set_base_url(district, BASE_URL)
    with district.uow() as uow:
        outbox.enqueue(uow.session, Notice(key="report:weekly:2024-23", kind="report", title="周汇报",
                                           body="#### 本周重点项目问题协调情况\n\n新增 3 项，办结 2 项。"),
                       caller=district.caller(district.system, NOW, origin="test"))
        uow.commit()
    with running(Robot()) as robot:
        add_robot(district, robot.url, name="全区调度群")
        deliver(district)

    [body] = robot.received
    assert body["markdown"]["text"] == "#### 本周重点项目问题协调情况\n\n新增 3 项，办结 2 项。"


def test_clearing_the_setting_removes_the_link_again(district: Any) -> None:
    assigned_problem(district)
    set_base_url(district, BASE_URL)
    assert set_base_url(district, "")[WEB_BASE_URL] == ""
    with running(Robot()) as robot:
        add_robot(district, robot.url, unit=district.solving_unit)
        deliver(district)

    [body] = robot.received
    assert "/problems/" not in body["markdown"]["text"]


def test_a_base_url_that_is_not_an_http_address_is_refused(district: Any) -> None:
    for bad in ("coord.example.gov.cn", "ftp://coord.example.gov.cn", "https://coord.example.gov.cn/?a=1"):
        with pytest.raises(InvalidInput):
            set_base_url(district, bad)


# ---- the payload alone -------------------------------------------------------------------------


def test_a_long_message_is_clipped_before_the_link_so_the_link_always_arrives_whole() -> None:
    link = f"{BASE_URL}/problems/Q-2024-0042"
    message = delivery.Message("督办通知", "问题说明。" * 2000, link=link)
    for kind in delivery.RobotKind:
        body = delivery.payload(kind, message)["markdown"]
        text = body.get("text") or body["content"]
        assert text.endswith(f"\n\n[查看问题]({link})")
        assert len(text.encode("utf-8")) <= delivery.MAX_MARKDOWN_BYTES


def test_the_link_is_a_markdown_link_to_the_problems_page() -> None:
    link = f"{BASE_URL}/problems/Q-2024-0042"
    assert delivery.link_line(link) == f"[查看问题]({link})"
    assert outbox.problem_link(None, "Q-2024-0042") is None and outbox.problem_link(BASE_URL, None) is None
    assert outbox.problem_link(BASE_URL, "Q-2024-0042") == link


def test_a_task_or_a_filing_links_to_its_page_in_coord_web() -> None:
    task, filing = outbox.problem_link(BASE_URL, "T-2024-0003"), outbox.problem_link(BASE_URL, "B-2024-0001")
    assert (task, filing) == (f"{BASE_URL}/items/tasks/T-2024-0003", f"{BASE_URL}/items/filings/B-2024-0001")
    assert outbox.problem_link(BASE_URL, "ZX-JT") == f"{BASE_URL}/items/special-plans/ZX-JT"
    assert delivery.link_line(str(filing)) == f"[查看详情]({filing})"
