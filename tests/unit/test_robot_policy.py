"""The rules for failing robots, without a database: the waits, the settings' bounds, which failures hold a
robot back for the rest of a run, and errors that never carry a robot's token."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coordination import delivery
from coordination.domain.delivery_policy import (
    ALARM_KEY,
    BUDGET_KEY,
    TIMEOUT_KEY,
    DeliveryLimits,
    clean_setting,
    retry_wait,
)
from coordination.domain.errors import InvalidInput


def test_the_waits_grow_then_stay_at_two_hours() -> None:
    assert [retry_wait(n) for n in range(1, 8)] == [timedelta(minutes=m) for m in (1, 5, 30, 120, 120, 120, 120)]


def test_a_lease_outlasts_the_run_and_its_last_request() -> None:
    limits = DeliveryLimits(timeout_s=10, budget_s=120)
    assert limits.lease > timedelta(seconds=120 + 2 * 10)


@pytest.mark.parametrize(("key", "value", "stored"), [
    (TIMEOUT_KEY, " 0.5 ", "0.5"), (TIMEOUT_KEY, "10.0", "10"), (BUDGET_KEY, "3600", "3600"), (ALARM_KEY, "90", "90"),
])
def test_settings_in_range_are_stored_plainly(key: str, value: str, stored: str) -> None:
    assert clean_setting(key, value) == stored


@pytest.mark.parametrize(("key", "value"), [
    (TIMEOUT_KEY, ""), (TIMEOUT_KEY, "0.05"), (TIMEOUT_KEY, "121"), (TIMEOUT_KEY, "inf"), (TIMEOUT_KEY, "十"),
    (BUDGET_KEY, "3601"), (BUDGET_KEY, "sNaN"), (ALARM_KEY, "0"), (ALARM_KEY, "30.5"), (ALARM_KEY, "10081"),
])
def test_settings_out_of_range_are_refused_in_both_languages(key: str, value: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        clean_setting(key, value)
    assert key in refused.value.zh and key in refused.value.en


@pytest.mark.parametrize(("status", "answer", "transient", "hold"), [
    (200, b'{"errcode": 0, "errmsg": "ok"}', False, False),
    (503, b'{"errcode": -1, "errmsg": "system busy"}', True, True),
    (429, b"", True, True),
    (502, b"bad gateway", True, True),
    (500, b"oops", True, False),  # one message may upset a robot: its next message is still tried
    (200, b'{"errcode": 130101, "errmsg": "send too fast"}', True, True),
    (200, b'{"errcode": 310000, "errmsg": "keywords not in content"}', False, False),
    (404, b"no such robot", False, False),
    (200, b"<html>", False, False),
])
def test_which_failures_hold_the_robot_back_for_the_rest_of_the_run(
    status: int, answer: bytes, transient: bool, hold: bool,
) -> None:
    outcome = delivery._classify(status, answer)
    assert (outcome.transient, outcome.hold_robot) == (transient, hold)
    assert outcome.ok == (status == 200 and b'"errcode": 0' in answer)


def test_errors_never_carry_the_robots_token_or_signature() -> None:
    error = delivery._scrub("InvalidURL: https://oapi.dingtalk.com/robot/send?access_token=abc123&timestamp=1&sign=xyz")
    assert "abc123" not in error and "xyz" not in error and "access_token=…" in error
