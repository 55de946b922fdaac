"""The key that signs audit checkpoints: never in the database, never printed.

COORD_AUDIT_KEY (at least 32 characters) when set, else the file `audit.key` in coord's data
directory (COORD_HOME), 64 hex digits, made with mode 0600 the first time a checkpoint needs it.
Every machine that writes or checks checkpoints of one district needs the same key.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from coordination.config import data_dir
from coordination.domain.errors import InvalidInput

KEY_ENV = "COORD_AUDIT_KEY"
KEY_FILE = "audit.key"
MIN_KEY_CHARS = 32


def key_path() -> Path:
    return data_dir() / KEY_FILE


def where() -> str:
    """Where the key is looked for, for messages (never the key itself)."""
    return KEY_ENV if os.environ.get(KEY_ENV, "").strip() else str(key_path())


def read_key() -> bytes | None:
    """The key, or None when there is none yet; a key that is there but unusable is refused plainly."""
    raw = os.environ.get(KEY_ENV, "").strip()
    if raw:
        if len(raw) < MIN_KEY_CHARS:
            raise InvalidInput(f"{KEY_ENV} 太短：审计密钥至少 {MIN_KEY_CHARS} 个字符",
                               f"{KEY_ENV} is too short: the audit key needs at least {MIN_KEY_CHARS} characters")
        return raw.encode("utf-8")
    path = key_path()
    try:
        content = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"审计密钥文件 {path} 无法读取：{type(exc).__name__}",
                           f"cannot read the audit key file {path}: {type(exc).__name__}") from None
    try:
        key = bytes.fromhex(content)
    except ValueError:
        key = b""
    if len(key) < MIN_KEY_CHARS // 2:
        raise InvalidInput(f"审计密钥文件 {path} 已损坏（应为 64 位十六进制数）",
                           f"the audit key file {path} is damaged (64 hex digits expected)")
    return key


def create_key() -> bytes:
    """A new random key in the key file, readable by its owner only; a key made meanwhile wins."""
    path = key_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_bytes(32)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        found = read_key()
        assert found is not None
        return found
    except OSError as exc:
        raise InvalidInput(f"无法创建审计密钥文件 {path}：{exc.strerror}",
                           f"cannot create the audit key file {path}: {exc.strerror}") from None
    with os.fdopen(handle, "w", encoding="ascii") as out:
        out.write(key.hex() + "\n")
        out.flush()
        os.fsync(out.fileno())
    return key
