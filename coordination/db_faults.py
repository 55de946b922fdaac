"""What can be wrong with the database a command is pointed at, said plainly (exit 2), password masked.

Checked before anything is opened where that is possible (the URL, the SQLite file), and recognised in
the driver's error otherwise (a server that does not answer, a database that does not exist, a file
that turns out read-only or damaged only when it is used).
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from coordination.domain.errors import CoordError, InvalidInput

SQLITE_MAGIC = b"SQLite format 3\x00"
BACKENDS = ("sqlite", "postgresql")
# The pip package each driver comes from, to name in the message when it is missing.
DRIVER_PACKAGES = {"psycopg": "psycopg[binary]", "psycopg2": "psycopg2-binary", "pg8000": "pg8000",
                   "asyncpg": "asyncpg", "pysqlite": "(Python's own sqlite3)"}


def shown(url: str | URL) -> str:
    """A database URL fit to print: the password masked."""
    try:
        return (url if isinstance(url, URL) else make_url(url)).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL: show no part that could hold a password
        return _scrub_any_password(str(url))


def _scrub_any_password(text: str) -> str:
    return re.sub(r"(://[^:/@\s]*:)\S*@", r"\1***@", text)  # up to the last @: a password may hold one


def scrub(text: str, url: str | None) -> str:
    """`text` with the URL's password (if any) replaced by ***, wherever it appears."""
    if url:
        try:
            password = make_url(url).password
        except Exception:
            password = None
        if password:
            text = text.replace(str(password), "***")
    return _scrub_any_password(text)


def parsed_url(url: str) -> URL:
    """The URL, refused plainly when it cannot be parsed, names another database, or lacks its driver."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy's ArgumentError, or ValueError for a port that is not a number
        raise InvalidInput(
            f"数据库地址无法解析：{shown(url)}（{type(exc).__name__}）：请检查 --db 或 COORD_DATABASE_URL，"
            "形如 postgresql://用户@主机:5432/库名 或 SQLite 文件路径",
            f"the database URL cannot be parsed: {shown(url)} ({type(exc).__name__}): check --db or "
            "COORD_DATABASE_URL, e.g. postgresql://user@host:5432/name or a SQLite file path") from None
    backend = parsed.get_backend_name()
    if backend not in BACKENDS:
        raise InvalidInput(
            f"不支持的数据库类型 {backend}（{shown(parsed)}）：coord 只支持 sqlite:/// 与 postgresql://，"
            "请检查 --db 或 COORD_DATABASE_URL",
            f"unsupported database kind {backend} ({shown(parsed)}): coord uses sqlite:/// or postgresql:// "
            "only; check --db or COORD_DATABASE_URL")
    if backend == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    _check_driver(parsed)
    return parsed


def _check_driver(parsed: URL) -> None:
    from sqlalchemy.exc import NoSuchModuleError

    driver = parsed.get_driver_name()
    sqlite = parsed.get_backend_name() == "sqlite"
    plain = "sqlite:///（Python 自带的 sqlite3）" if sqlite else "postgresql://（psycopg）"
    plain_en = "sqlite:/// (Python's own sqlite3)" if sqlite else "postgresql:// (psycopg)"
    try:
        parsed.get_dialect().import_dbapi()
    except NoSuchModuleError:
        raise InvalidInput(f"未知的数据库驱动 {driver}（{shown(parsed)}）：请改用 {plain}",
                           f"unknown database driver {driver} ({shown(parsed)}): use {plain_en}") from None
    except ImportError as exc:
        package = DRIVER_PACKAGES.get(driver, driver)
        raise InvalidInput(f"缺少数据库驱动 {driver}（{type(exc).__name__}）：请安装 {package}，或改用 {plain}",
                           f"the database driver {driver} is not installed ({type(exc).__name__}): install "
                           f"{package}, or use {plain_en}") from None


def check_sqlite_file(path: Path, *, create: bool) -> None:
    """Refuse, before SQLite touches it, a path that cannot be coord's database file.

    A missing file is created only by the commands that make a database (`create`); reading one
    would otherwise leave an empty file (and its folders) behind.
    """
    if path.is_dir():
        raise InvalidInput(f"{path} 是一个文件夹，不是数据库文件：--db 请指向 SQLite 文件，如 {path / 'coord.sqlite3'}",
                           f"{path} is a folder, not a database file: point --db at a SQLite file such as "
                           f"{path / 'coord.sqlite3'}")
    if not path.exists():
        if create:
            return
        raise InvalidInput(
            f"数据库 {path} 尚未初始化（文件不存在）：请先运行 coord init（或 coord demo），"
            "或检查 --db / COORD_DATABASE_URL",
            f"database {path} is not initialised (no such file): run coord init (or coord demo) first, or check "
            "--db / COORD_DATABASE_URL")
    try:
        with path.open("rb") as handle:
            head = handle.read(100)
        size = path.stat().st_size
    except OSError as exc:
        raise InvalidInput(
            f"无法读取数据库文件 {path}（{exc.strerror or type(exc).__name__}）："
            "请让运行 coord 的账号能读写该文件及其文件夹",
            f"cannot read the database file {path} ({exc.strerror or type(exc).__name__}): let the account "
            "that runs coord read and write it and its folder") from None
    if not head:
        return  # an empty file is an empty database
    if not (head.startswith(SQLITE_MAGIC) or SQLITE_MAGIC.startswith(head)):
        raise InvalidInput(
            f"{path} 不是 SQLite 数据库文件：请检查 --db / COORD_DATABASE_URL 是否指向 coord 的数据库",
            f"{path} is not a SQLite database file: check that --db / COORD_DATABASE_URL names coord's database")
    if len(head) < 100:  # not even the header: a damaged file is otherwise found when SQLite reads it
        raise InvalidInput(
            f"数据库文件 {path} 不完整（只有 {size} 字节），可能被截断或复制中断：请用 coord db restore 从备份还原",
            f"the database file {path} is incomplete (only {size} bytes): it was cut short or copied partly; "
            "restore it from a backup with coord db restore")


def explain(error: BaseException, url: str | None) -> CoordError | None:
    """A plain fault for a database error anywhere in `error`'s chain; None when it is none of these."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        fault = _fault(current, url)
        if fault is not None:
            return fault
        current = current.__cause__ or current.__context__
    return None


def _from_driver(error: BaseException) -> bool:
    """SQLAlchemy's wrapper or the driver's own error: only their words are read (never a message that
    could quote what a person typed)."""
    import sqlite3

    from sqlalchemy.exc import DBAPIError

    return isinstance(error, DBAPIError | sqlite3.Error) or type(error).__module__.startswith("psycopg")


def _fault(error: BaseException, url: str | None) -> CoordError | None:
    if not _from_driver(error):
        return None
    orig = getattr(error, "orig", None)  # SQLAlchemy's wrapper around the driver's error
    inner = orig if isinstance(orig, BaseException) else error
    message = str(inner)
    code = str(getattr(inner, "sqlite_errorname", ""))
    where = shown(url) if url else ""
    if code.startswith("SQLITE_READONLY") or "readonly database" in message or "read-only transaction" in message:
        return InvalidInput(
            f"数据库 {where} 是只读的，本次操作未生效：请让运行 coord 的账号能写该数据库（SQLite：文件及其所在文件夹）",
            f"the database {where} is read-only; nothing was applied: let the account that runs coord write it "
            "(SQLite: the file and its folder)")
    if code == "SQLITE_CORRUPT" or "database disk image is malformed" in message:
        return InvalidInput(f"数据库 {where} 已损坏（可能被截断）：请用 coord db restore 从备份还原",
                            f"the database {where} is damaged (perhaps cut short): restore it from a backup with "
                            "coord db restore")
    if code == "SQLITE_NOTADB" or "file is not a database" in message:
        return InvalidInput(f"{where} 不是 SQLite 数据库：请检查 --db / COORD_DATABASE_URL",
                            f"{where} is not a SQLite database: check --db / COORD_DATABASE_URL")
    if code == "SQLITE_CANTOPEN" or "unable to open database file" in message:
        return InvalidInput(f"无法打开数据库 {where}：请检查路径，并让运行 coord 的账号能读写该文件及其文件夹",
                            f"cannot open the database {where}: check the path, and let the account that runs "
                            "coord read and write the file and its folder")
    return _postgres_fault(message, url, where)


def _postgres_fault(message: str, url: str | None, where: str) -> CoordError | None:
    missing = re.search(r'database "([^"]+)" does not exist', message)
    if missing:
        name = missing.group(1)
        return InvalidInput(f"PostgreSQL 服务器上没有数据库 {name}（{where}）："
                            f"请先建库（createdb {name}）或改正地址中的库名",
                            f"the PostgreSQL server has no database {name} ({where}): create it (createdb {name}) "
                            "or correct the name in the URL")
    if "password authentication failed" in message or re.search(r'role "[^"]+" does not exist', message):
        return InvalidInput(f"PostgreSQL 拒绝了登录（{where}）：请检查地址中的用户名和密码",
                            f"PostgreSQL refused the sign-in ({where}): check the user and password in the URL")
    if any(words in message for words in ("connection failed", "connection is bad", "connection to server",
                                          "could not connect", "Connection refused", "timeout expired",
                                          "could not translate host name")):
        first = scrub(message.strip().splitlines()[0], url)[:200] if message.strip() else ""
        return InvalidInput(f"连不上 PostgreSQL 服务器（{where}）：请确认服务器在运行、主机和端口正确（{first}）",
                            f"cannot reach the PostgreSQL server ({where}): check that it runs and that the host "
                            f"and port are right ({first})")
    return None
