"""How the outbox treats robots that fail: the waits between tries, the limits of one run, the alarm.

A message that could not be sent waits before its next try, longer after each try (1 min, 5 min,
30 min, then every 2 h), instead of being sent again in the same run: a robot that answers late may
well have received it. One run tries each due message at most once, gives each request a timeout and
stops taking messages when its time budget is spent, so one slow robot never holds up the others.
Messages still pending after `alarm_minutes` raise an alarm on the dashboards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from coordination.domain.errors import InvalidInput

RETRY_WAITS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))

TIMEOUT_KEY = "outbox.timeout_seconds"
BUDGET_KEY = "outbox.run_budget_seconds"
ALARM_KEY = "outbox.alarm_minutes"
DEFAULT_TIMEOUT_S = Decimal(10)
DEFAULT_BUDGET_S = Decimal(120)  # runs start every 5 minutes: a run ends well before the next
DEFAULT_ALARM_MINUTES = 60
# The bounds of each setting (a timeout of a day would hold a run, a budget of a week every lease).
_LIMITS: dict[str, tuple[Decimal, Decimal]] = {
    TIMEOUT_KEY: (Decimal("0.1"), Decimal(120)),
    BUDGET_KEY: (Decimal("0.1"), Decimal(3600)),
    ALARM_KEY: (Decimal(1), Decimal(7 * 24 * 60)),
}
SETTING_MEANINGS: dict[str, tuple[str, str]] = {
    TIMEOUT_KEY: ("通知：向机器人发送一条消息最多等待多少秒（默认 10）",
                  "outbox: seconds one request to a robot may take (default 10)"),
    BUDGET_KEY: ("通知：一次发送最多用时多少秒，余下的留给下一次（默认 120）",
                 "outbox: seconds one delivery run may spend before leaving the rest to the next (default 120)"),
    ALARM_KEY: ("通知：待发超过多少分钟即在总览中告警（默认 60）",
                "outbox: minutes a message may wait before the dashboards raise an alarm (default 60)"),
}
DEFAULTS: dict[str, str] = {TIMEOUT_KEY: str(DEFAULT_TIMEOUT_S), BUDGET_KEY: str(DEFAULT_BUDGET_S),
                            ALARM_KEY: str(DEFAULT_ALARM_MINUTES)}


def retry_wait(attempts: int) -> timedelta:
    """The wait after the `attempts`-th try failed (1-based): 1 min, 5 min, 30 min, then 2 h each time."""
    return RETRY_WAITS[min(max(attempts, 1), len(RETRY_WAITS)) - 1]


def clean_setting(key: str, value: str) -> str:
    """The value of an outbox setting as stored, or InvalidInput naming the allowed range."""
    low, high = _LIMITS[key]
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        number = Decimal("NaN")
    whole = key == ALARM_KEY
    if not number.is_finite() or not low <= number <= high or (whole and number != number.to_integral_value()):
        kind_zh, kind_en = ("整数", "a whole number") if whole else ("数", "a number")
        raise InvalidInput(f"{key} 须是 {low} 到 {high} 之间的{kind_zh}（收到 {value}）",
                           f"{key} must be {kind_en} from {low} to {high} (got {value})")
    return str(int(number)) if whole else format(number.normalize(), "f")


@dataclass(frozen=True)
class DeliveryLimits:
    """The district's settings for one delivery run."""

    timeout_s: float = float(DEFAULT_TIMEOUT_S)
    budget_s: float = float(DEFAULT_BUDGET_S)
    alarm_minutes: int = DEFAULT_ALARM_MINUTES

    @classmethod
    def from_values(cls, values: dict[str, str]) -> DeliveryLimits:
        """From stored settings (absent keys: the defaults)."""
        return cls(float(values.get(TIMEOUT_KEY, DEFAULT_TIMEOUT_S)), float(values.get(BUDGET_KEY, DEFAULT_BUDGET_S)),
                   int(values.get(ALARM_KEY, DEFAULT_ALARM_MINUTES)))

    @property
    def lease(self) -> timedelta:
        """How long a run holds what it claims: past its budget and one last request, so no other run
        takes a message this one may still be sending."""
        return timedelta(seconds=self.budget_s + 2 * self.timeout_s + 60)

    @property
    def alarm_after(self) -> timedelta:
        return timedelta(minutes=self.alarm_minutes)


@dataclass(frozen=True)
class PendingAlarm:
    """Messages pending longer than the alarm threshold: how many, since when, for which robots, why."""

    count: int
    oldest: datetime
    robots: tuple[str, ...]  # the robots they wait for; empty when no robot serves their group
    without_robot: int  # how many have no robot to go to
    last_error: str | None  # the newest failure among them
    threshold_minutes: int

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "oldest": self.oldest.isoformat(), "robots": list(self.robots),
                "without_robot": self.without_robot, "last_error": self.last_error,
                "threshold_minutes": self.threshold_minutes}
