"""The outbox alarm as one sentence, for `coord dashboard`, `coord outbox list` and the web dashboard."""

from __future__ import annotations

from rich.text import Text

from coordination.config import DISTRICT_TZ
from coordination.domain.delivery_policy import PendingAlarm

_ERROR_SHOWN = 160  # characters of the last error: enough to say what broke


def _clipped(error: str) -> str:
    one_line = " ".join(error.split())
    return one_line if len(one_line) <= _ERROR_SHOWN else one_line[: _ERROR_SHOWN - 1] + "…"


def alarm_sentence(alarm: PendingAlarm, lang: str) -> str:
    """How many messages wait past the threshold, the oldest, the robots involved, the last error."""
    oldest = alarm.oldest.astimezone(DISTRICT_TZ).strftime("%Y-%m-%d %H:%M")
    robots = "、".join(alarm.robots) if lang != "en" else ", ".join(alarm.robots)
    if lang == "en":
        parts = [f"{alarm.count} messages pending for over {alarm.threshold_minutes} minutes, "
                 f"the oldest queued {oldest}"]
        if robots:
            parts.append(f"robots: {robots}")
        if alarm.without_robot:
            parts.append(f"{alarm.without_robot} with no robot for their group (coord webhook add)")
        if alarm.last_error:
            parts.append(f"last error: {_clipped(alarm.last_error)}")
        return "Outbox alarm: " + "; ".join(parts)
    parts = [f"{alarm.count} 条通知待发超过 {alarm.threshold_minutes} 分钟，最早一条 {oldest} 入队"]
    if robots:
        parts.append(f"涉及机器人：{robots}")
    if alarm.without_robot:
        parts.append(f"其中 {alarm.without_robot} 条所在群未配置机器人（coord webhook add）")
    if alarm.last_error:
        parts.append(f"最近错误：{_clipped(alarm.last_error)}")
    return "通知积压告警：" + "；".join(parts)


def alarm_text(alarm: PendingAlarm, lang: str) -> Text:
    """The sentence for the terminal: plain text (never Rich markup, whatever an error says), in red."""
    return Text("⚠ " + alarm_sentence(alarm, lang), style="bold red")
