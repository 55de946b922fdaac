"""The administration screens in the terminal: the outbox, the robots, the settings, and where a year's
calendar came from (the scheduled deployments are `render/serve_screens.py`).

Pure renderers (no database, no Prefect): each takes the rows the command already has, and the language.
Codes the user types (setting keys, webhook names, cron lines, `--status pending`) stay as they are;
headers, states, kinds and yes/no are words of the screen's language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from coordination.domain.delivery_policy import SETTING_MEANINGS as SETTING_MEANINGS_OF_DELIVERY
from coordination.domain.labels import word
from coordination.domain.notices import NoticeKind
from coordination.domain.schedules import SCHEDULES, SETTING_PREFIX

_HEADERS: dict[str, tuple[str, str]] = {
    "id": ("编号", "ID"),
    "kind": ("类型", "Kind"),
    "problem": ("问题", "Problem"),
    "unit": ("单位", "Unit"),
    "title": ("标题", "Title"),
    "status": ("状态", "Status"),
    "attempts": ("发送次数", "Attempts"),
    "last_error": ("最近错误", "Last error"),
    "name": ("名称", "Name"),
    "url": ("地址", "URL"),
    "signed": ("加签", "Signed"),
    "active": ("在用", "Active"),
    "key": ("设置项", "Key"),
    "value": ("当前值", "Value"),
    "meaning": ("含义", "Meaning"),
    "default": ("默认值", "Default"),
}

# The outbox's message kinds (coordination.domain.notices.NoticeKind) and states (services.outbox).
_MESSAGE_KINDS: dict[str, str] = {
    NoticeKind.REMINDER: "督办",
    NoticeKind.ESCALATION: "提级",
    NoticeKind.ASSIGNMENT: "交办",
    NoticeKind.VERIFICATION: "催办销号",
    NoticeKind.MEETING: "会议通知",
    NoticeKind.REPORT: "汇报",
    NoticeKind.DECISION: "会议议定",
    NoticeKind.EXTENSION_REQUEST: "延期申请",
    NoticeKind.EXTENSION_APPROVED: "延期批复",
    NoticeKind.RESOLUTION: "申请办结",
    NoticeKind.REWORK: "退回重办",
    NoticeKind.CLOSURE: "销号",
    NoticeKind.ADJUSTMENT: "任务调整",
    NoticeKind.STAGE: "阶段进展",
}
MESSAGE_STATES: dict[str, str] = {
    "pending": "待发送",
    "delivered": "已发送",
    "failed": "发送失败",
    "expired": "已过期",
}
_ROBOT_KINDS: dict[str, tuple[str, str]] = {
    "dingtalk": ("钉钉", "DingTalk"),
    "wecom": ("企业微信", "WeCom"),
}

# What each setting means (services.settings.KNOWN_KEYS holds the English; a test keeps the keys equal).
SETTING_MEANINGS: dict[str, str] = {
    "sweep.escalate_after_overdue_working_days": "巡查：超过办结期限多少个工作日后自动提级（默认 10）",
    "sweep.escalate_after_missed_deadlines": "巡查：第几次超过办结期限时自动提级（默认 2）",
    "sweep.chase_verification_after_working_days": "巡查：申请办结后多少个工作日仍未销号即催办（默认 2）",
    "sweep.task_progress_days": "巡查：推进中的重点任务多少天未报送进展即督办（默认 30）",
    "intake.auto_assign_categories": "受理：上报后立即交办给分办表所列单位的问题类别（* 为全部，空为不自动交办）",
    "intake.auto_assign_as": "受理：以哪位专班办公室人员的名义自动交办（账号）",
    "projects.yellow_points": "项目：落后序时进度多少个百分点起亮黄灯（默认 10）",
    "projects.red_points": "项目：落后序时进度超过多少个百分点亮红灯（默认 30）",
    "reports.folder": "报告：定时生成的报告文件存放的文件夹",
    "outbox.max_age_hours": "通知：超过多少小时仍未发出的通知作废，不再发送（默认 168）",
    "filings.limit_days": "备案：受理后多少个工作日内办结或退回（默认 5）",
    "web.base_url": "网页：coord web 的访问地址（如 https://coord.example.gov.cn），机器人消息据此链接到问题页面",
    "web.open_reads": "网页：true 表示登录者都能查看全部问题（默认 false：只看本单位、所挂项目和本人的）",
    "amounts.max_yuan": "金额：任何录入金额的上限（元），超过视为单位填错（默认 10 万亿元）",
    **{key: zh for key, (zh, _) in SETTING_MEANINGS_OF_DELIVERY.items()},
    **{SETTING_PREFIX + s.name: f"时间表：coord serve 何时运行 {s.name}（cron，北京时间）"
       for s in SCHEDULES if s.cron},
}


_CALENDAR_SOURCES: dict[str, tuple[str, str]] = {
    "package": ("国务院放假安排（chinese-calendar 软件包内置）",
                "State Council schedule (built into the chinese-calendar package)"),
    "loaded": ("国务院放假安排（管理员加载）", "State Council schedule (loaded by an admin)"),
}


def _header(key: str, lang: str, **values: str) -> str:
    zh, en = _HEADERS[key]
    return (en if lang == "en" else zh).format(**values)


def _table(keys: Sequence[str], lang: str, **values: str) -> Table:
    table = Table(box=box.SIMPLE_HEAD, header_style="bold")
    for key in keys:
        table.add_column(_header(key, lang, **values), overflow="fold")
    return table


def _district(lang: str) -> str:
    return "district" if lang == "en" else "全区"


def message_kind(kind: str, lang: str) -> str:
    return kind if lang == "en" else _MESSAGE_KINDS.get(kind, kind)


def message_state(status: str, lang: str) -> str:
    return status if lang == "en" else MESSAGE_STATES.get(status, status)


def outbox_table(rows: Sequence[Mapping[str, Any]], lang: str) -> Table:
    """`coord outbox list`: rows are MessageView.to_json(); a message without a unit goes to the district's group."""
    table = _table(("id", "kind", "problem", "unit", "title", "status", "attempts", "last_error"), lang)
    for row in rows:
        table.add_row(str(row["id"]), message_kind(row["kind"], lang), row["problem_id"] or "—",
                      row["unit"] or _district(lang), Text(row["title"]), message_state(row["status"], lang),
                      str(row["attempts"]), Text(row["last_error"] or ""))  # Text: a title is never markup
    if not rows:
        table.caption = word("none", lang)
    return table


def webhooks_table(rows: Sequence[Mapping[str, Any]], lang: str) -> Table:
    """`coord webhook list|add`: rows are WebhookView.to_json() (the URL's token already cut short)."""
    table = _table(("name", "kind", "unit", "url", "signed", "active"), lang)
    for row in rows:
        zh, en = _ROBOT_KINDS.get(row["kind"], (row["kind"], row["kind"]))
        table.add_row(Text(row["name"]), en if lang == "en" else zh, row["unit"] or _district(lang), Text(row["url"]),
                      word("yes" if row["signed"] else "no", lang), word("yes" if row["active"] else "no", lang))
    if not rows:
        table.caption = word("none", lang)
    return table


def settings_table(rows: Sequence[tuple[str, str, str, bool]], english_meanings: Mapping[str, str],
                   lang: str) -> Table:
    """`coord setting list|set`: (key, value in force, default, set by an admin) per setting. The key whole, as
    typed in `coord setting set KEY VALUE`, with the value; below them the meaning and the default. A value an
    admin set is bold."""
    table = Table(box=box.SIMPLE_HEAD, header_style="bold")
    table.add_column(f"{_header('key', lang)} / {_header('meaning', lang)}", overflow="fold",
                     min_width=max((len(row[0]) for row in rows), default=10))
    table.add_column(f"{_header('value', lang)} / {_header('default', lang)}", overflow="fold")
    for key, value, default, chosen in rows:
        meaning = english_meanings.get(key, "") if lang == "en" else SETTING_MEANINGS.get(key, "")
        table.add_row(key, Text(value or "—", style="bold" if chosen else ""))
        table.add_row(Text(f"  {meaning}", style="dim"), Text(default or "—", style="dim"), end_section=True)
    return table


def calendar_source(source: str | None, lang: str) -> str | None:
    """Where a year's schedule came from ("package", "loaded"), in words; None when the year is not known."""
    if source is None:
        return None
    zh, en = _CALENDAR_SOURCES.get(source, (source, source))
    return en if lang == "en" else zh
