"""District settings an admin may change: the sweep's thresholds and intake's auto-assignment.

Each change is audited in the `setting` stream. Unknown keys are refused, so a typo never silently
leaves a threshold at its default.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import Session, SQLModel, select

from coordination.domain import delivery_policy, schedules
from coordination.domain.enums import Role, parse_category
from coordination.domain.errors import InvalidInput
from coordination.domain.filing_workflow import DEFAULT_LIMIT_DAYS
from coordination.domain.hygiene import AMOUNT_CEILING, DEFAULT_MAX_YUAN, SETTING_MAX, clean_text
from coordination.domain.investment import Thresholds
from coordination.domain.sweep import SETTING_KEYS, SweepSettings
from coordination.models import Setting
from coordination.services.common import Caller, load_actor, require_role
from coordination.services.driver import fetch
from coordination.services.snapshot import OPEN_READS_KEY
from coordination.services.writer import append_event
from coordination.uow import UnitOfWork

AUTO_ASSIGN_CATEGORIES = "intake.auto_assign_categories"  # "*" or a comma list of categories; empty: off
AUTO_ASSIGN_AS = "intake.auto_assign_as"  # the secretariat person on whose authority intake assigns
PROJECT_YELLOW = "projects.yellow_points"
PROJECT_RED = "projects.red_points"
REPORTS_FOLDER = "reports.folder"
OUTBOX_MAX_AGE = "outbox.max_age_hours"
DEFAULT_OUTBOX_MAX_AGE_HOURS = 168  # a week: older news is stale in a group chat
FILING_LIMIT = "filings.limit_days"  # working days from receipt to 办结 or 退回 (domain/filing_workflow.py)
WEB_BASE_URL = "web.base_url"
WEB_OPEN_READS = OPEN_READS_KEY
AMOUNT_MAX = "amounts.max_yuan"  # the plausibility cap of any amount a person or a ledger gives, in whole 元
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")

KNOWN_KEYS: dict[str, str] = {
    **{key: f"sweep: {name.replace('_', ' ')}" for key, name in SETTING_KEYS.items()},
    AUTO_ASSIGN_CATEGORIES: "intake: categories assigned at once to the routed unit (* for all, empty for none)",
    AUTO_ASSIGN_AS: "intake: handle of the secretariat person in whose name auto-assignments are made",
    PROJECT_YELLOW: "projects: points behind 序时进度 from which a project shows yellow (default 10)",
    PROJECT_RED: "projects: points behind 序时进度 beyond which a project shows red (default 30)",
    REPORTS_FOLDER: "reports: folder the scheduled report flows write their files to",
    OUTBOX_MAX_AGE: "outbox: hours after which an unsent message expires instead of being sent (default 168)",
    FILING_LIMIT: "filings: working days from receipt within which a filing is completed or returned (default 5)",
    WEB_BASE_URL: "web: the address people open coord web at (e.g. https://coord.example.gov.cn); robot "
                  "messages link to a problem's page under it",
    WEB_OPEN_READS: "web: true lets every signed-in person read every problem (default false: each sees "
                    "their unit's, projects' and own)",
    AMOUNT_MAX: f"amounts: the largest amount in yuan an entry may give; beyond it is a typing slip "
                f"(default {DEFAULT_MAX_YUAN}, at most {AMOUNT_CEILING})",
    **{key: en for key, (_, en) in delivery_policy.SETTING_MEANINGS.items()},
    **{schedules.SETTING_PREFIX + s.name: f"schedule: when `coord serve` asks {s.name} to run (cron, Asia/Shanghai)"
       for s in schedules.SCHEDULES if s.cron},
}


@dataclass(frozen=True)
class IntakeSettings:
    auto_assign_categories: frozenset[str] | None = None  # None: every category
    auto_assign_as: str | None = None

    def assigns(self, category: str) -> bool:
        if not self.auto_assign_as:
            return False
        return self.auto_assign_categories is None or category in self.auto_assign_categories


_SETTINGS = SQLModel.metadata.tables["setting"]
_ALL_SETTINGS = select(_SETTINGS.c.key, _SETTINGS.c.value)  # a few dozen rows: read whole, on every use case


def _values(session: Session) -> dict[str, str]:
    rows = fetch(session.connection(), _ALL_SETTINGS, {}, cache_key=("settings",))
    return {str(key): str(value) for key, value in rows if key in KNOWN_KEYS}


def sweep_settings(session: Session) -> SweepSettings:
    values = _values(session)
    overrides = {name: stored_count(values, key, 0) for key, name in SETTING_KEYS.items() if key in values}
    return SweepSettings(**overrides)


STORED_COUNT_MAX = 1_000_000  # days, hours, counts: beyond it a stored value is a slip (and timedelta overflows)


def stored_count(values: dict[str, str], key: str, default: int) -> int:
    """A positive whole-number setting as stored; a value that does not read (written past coord, by SQL or an
    older version) is refused with the way to fix it instead of ending the command in a traceback."""
    raw = values.get(key)
    if raw is None:
        return default
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= STORED_COUNT_MAX:
        raise InvalidInput(f"系统设置有误：数据库中 {key} 的值“{raw[:40]}”不是 1 至 {STORED_COUNT_MAX} 的整数；"
                           f"请管理员用 coord setting set {key} 重设",
                           f"a setting is wrong: {key} holds '{raw[:40]}' in the database, not a whole number from 1 "
                           f"to {STORED_COUNT_MAX}; an admin resets it with coord setting set {key}")
    return int(text)


def intake_settings(session: Session) -> IntakeSettings:
    values = _values(session)
    raw = values.get(AUTO_ASSIGN_CATEGORIES, "").strip()
    if not raw:
        return IntakeSettings(frozenset(), None)
    categories = None if raw == "*" else frozenset(parse_category(c) for c in raw.split(",") if c.strip())
    return IntakeSettings(categories, values.get(AUTO_ASSIGN_AS) or None)


def _validated(session: Session, key: str, value: str) -> str:
    value = clean_text(value, field_zh=f"设置 {key} 的值", field_en=f"the value of {key}", option=None,
                       max_len=SETTING_MAX)
    if key == AMOUNT_MAX:
        return str(_amount_cap(value))
    if key in SETTING_KEYS or key in (OUTBOX_MAX_AGE, FILING_LIMIT):
        if not value.isdigit() or int(value) < 1:
            raise InvalidInput(f"{key} 必须是正整数", f"{key} must be a positive integer")
        return str(int(value))
    if key == AUTO_ASSIGN_CATEGORIES and value not in ("", "*"):
        try:
            return ",".join(parse_category(c) for c in value.replace("，", ",").split(",") if c.strip())
        except ValueError as exc:
            raise InvalidInput(f"未知问题类别 {exc}", f"unknown category {exc}") from None
    if key in (PROJECT_YELLOW, PROJECT_RED):
        try:
            points = Decimal(value)
        except InvalidOperation:
            raise InvalidInput(f"{key} 必须是数字（百分点）", f"{key} must be a number of points") from None
        if not points.is_finite() or not 0 < points <= 100:  # NaN compares with nothing
            raise InvalidInput(f"{key} 必须在 0 到 100 之间", f"{key} must be between 0 and 100")
        return format(points.normalize(), "f")
    if key == WEB_BASE_URL:
        return _base_url(value)
    if key in delivery_policy.SETTING_MEANINGS:
        return delivery_policy.clean_setting(key, value)
    if key == WEB_OPEN_READS:
        lowered = value.lower()
        if lowered not in _TRUE + _FALSE:
            raise InvalidInput(f"{key} 只能是 true 或 false", f"{key} must be true or false")
        return "true" if lowered in _TRUE else "false"
    if key == REPORTS_FOLDER and not value:
        raise InvalidInput("报告目录不能为空", "the reports folder must not be empty")
    if key in schedules.SETTING_KEYS:
        return schedules.checked_cron(value)
    if key == AUTO_ASSIGN_AS and value:
        actor = load_actor(session, value)
        if Role.SECRETARIAT not in actor.roles:
            raise InvalidInput(f"{value} 不是专班办公室人员，不能以其名义交办",
                               f"{value} is not in the secretariat and cannot assign")
    return value


def _base_url(value: str) -> str:
    from urllib.parse import urlsplit

    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise InvalidInput(f"web.base_url 须是 http(s) 地址，如 https://coord.example.gov.cn（收到 {value}）",
                           f"web.base_url must be an http(s) address such as https://coord.example.gov.cn "
                           f"(got {value})")
    return value.rstrip("/")


def _amount_cap(value: str) -> int:
    from coordination.domain.investment import MoneyUnit, parse_money

    try:
        cap = parse_money(value, MoneyUnit.YUAN)
    except InvalidInput:
        cap = None
    if cap is None or not 1 <= cap <= AMOUNT_CEILING:
        raise InvalidInput(f"{AMOUNT_MAX} 须是 1 至 {AMOUNT_CEILING} 元之间的整数（可写 1000亿），收到“{value}”",
                           f"{AMOUNT_MAX} must be a whole number of yuan from 1 to {AMOUNT_CEILING} (got '{value}')")
    return cap


def amount_cap(session: Session) -> int:
    """The largest amount an entry may give (setting amounts.max_yuan); a stored value that no longer
    reads is refused with the way to fix it, never taken for the default."""
    stored = _values(session).get(AMOUNT_MAX)
    if stored is None:
        return DEFAULT_MAX_YUAN
    try:
        return _amount_cap(stored)
    except InvalidInput as error:
        raise InvalidInput(f"系统设置有误：{error.zh}；请管理员用 coord setting set {AMOUNT_MAX} 重设",
                           f"a setting is wrong: {error.en}; an admin resets it with coord setting set "
                           f"{AMOUNT_MAX}") from None


def web_base_url(session: Session) -> str | None:
    """Where coord web is reached, without a trailing slash; None when not set."""
    return _values(session).get(WEB_BASE_URL) or None


def set_setting(uow: UnitOfWork, *, caller: Caller, key: str, value: str) -> dict[str, str]:
    """Change one district setting (admin only); returns every setting now in force."""
    if key not in KNOWN_KEYS:
        raise InvalidInput(f"未知设置项 {key}（可选：{', '.join(KNOWN_KEYS)}）",
                           f"unknown setting {key} (known: {', '.join(KNOWN_KEYS)})")
    with uow:
        session = uow.session
        require_role(load_actor(session, caller.handle, caller), Role.ADMIN, zh="修改系统设置", en="change settings")
        cleaned = _validated(session, key, value)
        row = session.get(Setting, key) or Setting(key=key, value=cleaned)
        row.value = cleaned
        session.add(row)
        append_event(session, stream_type="setting", stream_id=key, action="setting_set", caller=caller,
                     changes={"value": cleaned})
        session.flush()
        current = _current(session)
        uow.commit()
        return current


def default_reports_folder() -> str:
    """Where the scheduled reports go unless reports.folder says otherwise: `reports` in coord's data directory."""
    from coordination import config

    return str(config.data_dir() / "reports")


def defaults() -> dict[str, str]:
    """Every known setting's default, as `setting list` shows it ("" where the default is none)."""
    sweep_defaults: dict[str, Any] = {f.name: f.default for f in fields(SweepSettings)}
    thresholds = Thresholds()
    shown = {key: str(sweep_defaults[name]) for key, name in SETTING_KEYS.items()}
    shown.update({AUTO_ASSIGN_CATEGORIES: "", AUTO_ASSIGN_AS: "", OUTBOX_MAX_AGE: str(DEFAULT_OUTBOX_MAX_AGE_HOURS),
                  FILING_LIMIT: str(DEFAULT_LIMIT_DAYS), WEB_BASE_URL: "", WEB_OPEN_READS: "false",
                  PROJECT_YELLOW: str(thresholds.yellow_points), PROJECT_RED: str(thresholds.red_points),
                  REPORTS_FOLDER: default_reports_folder(), AMOUNT_MAX: str(DEFAULT_MAX_YUAN)})
    shown.update(delivery_policy.DEFAULTS)
    shown.update({schedules.SETTING_PREFIX + s.name: s.cron for s in schedules.SCHEDULES if s.cron})
    return {key: shown[key] for key in KNOWN_KEYS}


def _current(session: Session) -> dict[str, str]:
    values = _values(session)
    return {key: values.get(key, default) for key, default in defaults().items()}


def schedule_crons(session: Session) -> dict[str, str]:
    """The cron of each scheduled deployment in force (schedule.<name>, else its default)."""
    return schedules.crons(_values(session))


def reports_folder(session: Session) -> str:
    """The folder the report flows write to (reports.folder, else the data directory's `reports`)."""
    return _values(session).get(REPORTS_FOLDER) or default_reports_folder()


def outbox_max_age(session: Session) -> timedelta:
    """How old an unsent message may grow before it expires (a robot registered late is not flooded)."""
    return timedelta(hours=stored_count(_values(session), OUTBOX_MAX_AGE, DEFAULT_OUTBOX_MAX_AGE_HOURS))


def delivery_limits(session: Session) -> delivery_policy.DeliveryLimits:
    """A delivery run's request timeout and time budget, and the outbox alarm's threshold."""
    return delivery_policy.DeliveryLimits.from_values(_values(session))


def filing_limit_days(session: Session) -> int:
    """The working days a filing has from receipt (setting filings.limit_days)."""
    return stored_count(_values(session), FILING_LIMIT, DEFAULT_LIMIT_DAYS)


def list_settings(uow: UnitOfWork) -> dict[str, str]:
    """Every known setting with the value in force (defaults included)."""
    with uow:
        return _current(uow.session)


@dataclass(frozen=True)
class SettingRow:
    key: str
    value: str  # in force
    default: str
    set: bool  # an admin chose the value (even when it equals the default)

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "default": self.default, "set": self.set}


def setting_rows(uow: UnitOfWork) -> list[SettingRow]:
    """Every known setting: the value in force, its default, and whether it was set."""
    with uow:
        values = _values(uow.session)
    return [SettingRow(key, values.get(key, default), default, key in values) for key, default in defaults().items()]
