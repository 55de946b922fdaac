"""Where coord finds its database, its user, its clock and its language."""

from __future__ import annotations

import os
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from coordination.domain.errors import InvalidInput
from coordination.domain.hygiene import check_clock

DISTRICT_TZ = ZoneInfo("Asia/Shanghai")


def data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(os.environ.get("COORD_HOME") or user_data_dir("coord", appauthor=False))


def config_file() -> Path:
    from platformdirs import user_config_dir

    home = os.environ.get("COORD_HOME")
    return Path(home) / "config.toml" if home else Path(user_config_dir("coord", appauthor=False)) / "config.toml"


def database_url(option: str | None = None) -> str:
    """`--db` beats COORD_DATABASE_URL beats the file under the user's data directory."""
    raw = option or os.environ.get("COORD_DATABASE_URL")
    if not raw:
        return f"sqlite:///{data_dir() / 'coord.sqlite3'}"
    if "://" in raw:
        return raw
    return f"sqlite:///{Path(raw).expanduser().resolve()}"


def read_config() -> dict[str, str]:
    path = config_file()
    if not path.exists():
        return {}
    try:
        loaded = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InvalidInput(f"配置文件 {path} 不是 UTF-8 编码：请用 UTF-8 重新保存，或删除它（coord demo 会重写）",
                           f"config file {path} is not UTF-8: save it again as UTF-8, or delete it "
                           "(coord demo writes a new one)") from None
    except (tomllib.TOMLDecodeError, OSError) as exc:
        raise InvalidInput(f"配置文件 {path} 无法读取：{exc}", f"cannot read config file {path}: {exc}") from exc
    return {str(k): str(v) for k, v in loaded.items() if isinstance(v, str | int | bool)}


def write_config(values: dict[str, str]) -> Path:
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    merged = read_config() | values
    lines = [f'{key} = "{value}"' for key, value in sorted(merged.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def current_user(option: str | None = None) -> str | None:
    return option or os.environ.get("COORD_USER") or read_config().get("user")


def current_lang(option: str | None = None) -> str:
    lang = (option or os.environ.get("COORD_LANG") or "zh").lower()
    if lang not in ("zh", "en"):
        raise InvalidInput(f"不支持的语言 {lang}（可选 zh、en）", f"unsupported language {lang} (zh or en)")
    return lang


def token_required() -> bool:
    return os.environ.get("COORD_REQUIRE_TOKEN", "").strip().lower() in ("1", "true", "yes", "on")


def parse_now(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"COORD_NOW 不是 ISO 8601 时间：{text}", f"COORD_NOW is not ISO 8601: {text}") from exc
    if moment.tzinfo is None:
        raise InvalidInput(f"COORD_NOW 需要带时区偏移，例如 {text}+08:00",
                           f"COORD_NOW needs an offset, e.g. {text}+08:00")
    return check_clock(moment, variable="COORD_NOW").astimezone(UTC)  # 0001-01-01 would not even convert


def now() -> datetime:
    """The clock: COORD_NOW when set (replay and tests), the real time otherwise; aware UTC."""
    fixed = os.environ.get("COORD_NOW")
    return parse_now(fixed) if fixed else check_clock(datetime.now(UTC))


MAX_BUSY_TIMEOUT_S = 3600.0


def sqlite_busy_timeout() -> float:
    """Seconds a SQLite writer waits for the lock (COORD_SQLITE_BUSY_TIMEOUT, default 30); read when used,
    so that a bad value is reported as such instead of failing the import of coord."""
    raw = os.environ.get("COORD_SQLITE_BUSY_TIMEOUT", "").strip()
    if not raw:
        return 30.0
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= MAX_BUSY_TIMEOUT_S:  # NaN fails this too
        raise InvalidInput(f"COORD_SQLITE_BUSY_TIMEOUT 须是 0 到 {MAX_BUSY_TIMEOUT_S:.0f} 之间的秒数"
                           f"（收到 {raw[:40]!r}）",
                           f"COORD_SQLITE_BUSY_TIMEOUT must be a number of seconds from 0 to "
                           f"{MAX_BUSY_TIMEOUT_S:.0f} (got {raw[:40]!r})")
    return seconds
