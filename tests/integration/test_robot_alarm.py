"""Messages pending past `outbox.alarm_minutes` raise an alarm: in the service, `coord dashboard` and
`coord outbox list` (the web dashboard's is in tests/web/test_robot_alarm_web.py).

The robot is a closed port on 127.0.0.1 (nothing listens: connection refused), the clock is moved with
the `now` of each call and COORD_NOW for the command line.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from coordination.cli.main import app
from coordination.config import DISTRICT_TZ
from coordination.domain.delivery_policy import ALARM_KEY
from coordination.domain.notices import Notice
from coordination.services import outbox, settings
from coordination.services.outbox_alarm import pending_alarm
from tests.flows.robot import closed_port_url

QUEUED = datetime.combine(date(2024, 6, 12), time(9), tzinfo=DISTRICT_TZ).astimezone(UTC)


def queue(d: Any, *notices: Notice, at: datetime = QUEUED) -> None:
    with d.uow() as uow:
        for notice in notices:
            outbox.enqueue(uow.session, notice, caller=d.caller(d.system, at, origin="test"))
        uow.commit()


def notice(n: int, unit: str | None = None) -> Notice:
    return Notice(key=f"test:{n}", kind="reminder", title=f"督办通知 {n}", unit=unit,
                  body=f"问题 Q-2024-{n:04d} 已超期，请即办理。")


def broken_district(d: Any) -> None:
    """The district's robot is down; one message for it waits since 09:00, tried at 09:05 and refused."""
    outbox.add_webhook(d.uow(), caller=d.caller(d.admin), name="全区调度群", kind="dingtalk",
                       url=closed_port_url())
    queue(d, notice(1))
    outbox.deliver(d.uow(), now=QUEUED + timedelta(minutes=5))


def test_the_alarm_rises_after_the_threshold_and_names_the_robot_and_the_error(district: Any) -> None:
    broken_district(district)
    queue(district, notice(2, unit=district.other_unit), at=QUEUED + timedelta(minutes=10))  # never tried

    quiet = pending_alarm(district.uow(), now=QUEUED + timedelta(minutes=59))
    one = pending_alarm(district.uow(), now=QUEUED + timedelta(minutes=61))
    both = pending_alarm(district.uow(), now=QUEUED + timedelta(minutes=71))

    assert quiet is None
    assert one is not None and (one.count, one.oldest, one.robots, one.without_robot) == (
        1, QUEUED, ("全区调度群",), 0)
    assert one.last_error is not None and "ConnectError" in one.last_error and one.threshold_minutes == 60
    # The second waits for the district's robot too (no robot of its own unit), though never tried yet.
    assert both is not None and (both.count, both.robots) == (2, ("全区调度群",))


def test_the_threshold_is_a_setting_and_messages_without_a_robot_are_counted(district: Any) -> None:
    settings.set_setting(district.uow(), caller=district.caller(district.admin), key=ALARM_KEY, value="30")
    queue(district, notice(1))

    alarm = pending_alarm(district.uow(), now=QUEUED + timedelta(minutes=31))

    assert alarm is not None and (alarm.count, alarm.robots, alarm.without_robot) == (1, (), 1)
    assert alarm.threshold_minutes == 30 and alarm.last_error is None
    week_on = QUEUED + timedelta(days=8)
    still_pending = pending_alarm(district.uow(), now=week_on)
    outbox.deliver(district.uow(), now=week_on)  # past outbox.max_age_hours: expired, no longer pending
    assert still_pending is not None and pending_alarm(district.uow(), now=week_on) is None


@pytest.fixture
def coord(district: Any, tmp_path: Any) -> Any:
    runner = CliRunner()

    def invoke(*args: str, now: datetime, lang: str = "zh") -> Result:
        env = {"COORD_DATABASE_URL": district.url, "COORD_HOME": str(tmp_path / "home"), "COORD_USER": "",
               "COORD_LANG": lang, "COLUMNS": "200", "COORD_NOW": now.isoformat()}
        return runner.invoke(app, [*args, "--as", district.secretariat], env=env)

    return invoke


def test_coord_dashboard_and_outbox_list_show_the_alarm_once_the_threshold_is_past(
    district: Any, coord: Any,
) -> None:
    broken_district(district)
    before, after = QUEUED + timedelta(minutes=30), QUEUED + timedelta(minutes=61)

    calm = coord("dashboard", now=before)
    alarmed = coord("dashboard", now=after)
    english = coord("dashboard", now=after, lang="en")
    listed = coord("outbox", "list", now=after)

    assert calm.exit_code == 0 and "通知积压告警" not in calm.stdout, calm.output
    assert alarmed.exit_code == 0, alarmed.output
    line = next(row for row in alarmed.stdout.splitlines() if "通知积压告警" in row)
    assert "1 条通知待发超过 60 分钟" in line and "2024-06-12 09:00" in line and "全区调度群" in line
    assert "ConnectError" in alarmed.stdout
    assert "Outbox alarm: 1 messages pending for over 60 minutes" in english.stdout
    assert listed.exit_code == 0 and "通知积压告警" in listed.stdout
