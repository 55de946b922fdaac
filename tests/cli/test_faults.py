"""Faults around a command, through the real command line: each one ends in exit 2 with a plain message that
names what to fix — never "unexpected", never a traceback — writes nothing, creates no file, and never shows
the PostgreSQL password.

Files are real (a directory, a text file, a truncated copy, a file the process may not read or write); the
process that may not read or write runs without the capability that lets root ignore file permissions.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sqlite3
import stat
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from coordination.cli.main import app
from tests.backends import postgres_admin_url
from tests.cli.conftest import MONDAY_MORNING, Cli

COORD = Path(sys.executable).with_name("coord")
PASSWORD = "Sup3r-Secret-pw"
RAISE = ("issue", "raise", "--project", "P-001", "--title", "二期用地指标尚未落实", "--category", "用地")


def plain(output: str) -> None:
    """What no fault may print."""
    for never in ("Traceback", "unexpected error", "内部错误", PASSWORD):
        assert never not in output, output


def refused(result: Result | subprocess.CompletedProcess[str], *phrases: str) -> str:
    """Exit 2, a plain message holding every phrase; the message."""
    if isinstance(result, subprocess.CompletedProcess):
        code, output, error = result.returncode, result.stdout + result.stderr, result.stderr
    else:
        code, output, error = result.exit_code, result.output, result.stderr
    assert code == 2, output
    plain(output)
    for phrase in phrases:
        assert phrase in error, error
    return error


def environment(home: Path, **extra: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), "COORD_HOME": str(home), "COORD_NOW": MONDAY_MORNING,
            "COLUMNS": "160", **extra}


def run(args: list[str], env: dict[str, str], *, bound_by_permissions: bool = False
        ) -> subprocess.CompletedProcess[str]:
    """`coord` in a process of its own; `bound_by_permissions`: as root, without CAP_DAC_OVERRIDE, so that a
    file's mode binds it as it binds everyone else."""
    prefix: list[str] = []
    if bound_by_permissions and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("root without setpriv cannot be kept from a file")
        prefix = [setpriv, "--inh-caps=-dac_override,-dac_read_search",
                  "--bounding-set=-dac_override,-dac_read_search"]
    return subprocess.run([*prefix, str(COORD), *args], env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def invoke(args: list[str], home: Path, **env: str) -> Result:
    return CliRunner().invoke(app, args, env={"COORD_HOME": str(home), "COORD_NOW": MONDAY_MORNING,
                                              "COORD_USER": "", "COORD_LANG": "", "COORD_DATABASE_URL": "",
                                              "COLUMNS": "160", **env})


def quiet_copy(district: Cli, target: Path) -> Path:
    """A consistent copy of the district's SQLite file at `target`, in WAL mode as coord leaves its files."""
    target.parent.mkdir(parents=True, exist_ok=True)
    source, copy = sqlite3.connect(district.db_path), sqlite3.connect(target)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=WAL")
    finally:
        copy.close()  # the last connection folds its log into the file
        source.close()
    return target


# ---- the environment and the global options, checked before anything is written ---------------------


@pytest.mark.parametrize(("variable", "value", "phrase"), [
    ("COORD_LANG", "fr", "fr"),
    ("COORD_NOW", "next tuesday", "COORD_NOW"),
    ("COORD_SQLITE_BUSY_TIMEOUT", "abc", "COORD_SQLITE_BUSY_TIMEOUT"),
    ("COORD_REQUIRE_TOKEN", "maybe", "COORD_REQUIRE_TOKEN"),
    ("COORD_DATABASE_URL", "mysql://coord@localhost/coord", "mysql"),
])
def test_a_bad_variable_refuses_the_command_before_it_writes(district: Cli, variable: str, value: str,
                                                              phrase: str) -> None:
    before = district.snapshot()
    result = district.runner.invoke(app, [*RAISE, "--as", "li.zhuanyuan"], env={**district.env, variable: value})
    refused(result, phrase)
    assert district.snapshot() == before  # run twice or ten times: no problem was raised


def test_a_bad_global_option_refuses_the_command_before_it_writes(district: Cli) -> None:
    before = district.snapshot()
    refused(district(*RAISE, "--lang", "fr", as_="li.zhuanyuan"), "fr")
    assert district.snapshot() == before


def test_a_bad_busy_timeout_leaves_help_alone_and_refuses_commands_plainly(tmp_path: Path) -> None:
    env = environment(tmp_path / "home", COORD_SQLITE_BUSY_TIMEOUT="abc",
                      COORD_DATABASE_URL=f"sqlite:///{tmp_path / 'coord.sqlite3'}")
    shown = run(["--help"], env)
    assert shown.returncode == 0 and "coord" in shown.stdout
    plain(shown.stdout + shown.stderr)
    refused(invoke(["unit", "list"], tmp_path / "home", **env), "COORD_SQLITE_BUSY_TIMEOUT", "abc")
    assert list(tmp_path.iterdir()) == []  # not even the home folder


def test_a_config_file_that_is_not_utf8(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_bytes('user = "王秘书"\n'.encode("gbk"))
    database = tmp_path / "coord.sqlite3"
    result = invoke(["--db", str(database), "unit", "list", "--as", "admin"], home)
    refused(result, "config.toml", "UTF-8")
    assert not database.exists()


# ---- the database URL -----------------------------------------------------------------------------


def test_an_unknown_url_scheme(tmp_path: Path) -> None:
    result = invoke(["--lang", "en", "--db", f"mysql://coord:{PASSWORD}@localhost/coord", "unit", "list"], tmp_path)
    refused(result, "unsupported database kind mysql", "sqlite:///", "postgresql://", "coord:***@")


def test_an_unparsable_url(tmp_path: Path) -> None:
    result = invoke(["--lang", "en", "--db", f"postgresql://coord:{PASSWORD}@db:fivefour/coord", "unit", "list"],
                    tmp_path)
    refused(result, "cannot be parsed", "COORD_DATABASE_URL")


def test_a_missing_driver(tmp_path: Path) -> None:
    if importlib.util.find_spec("pg8000") is not None:
        pytest.skip("pg8000 is installed here")
    result = invoke(["--lang", "en", "--db", f"postgresql+pg8000://coord:{PASSWORD}@localhost/coord", "unit",
                     "list"], tmp_path)
    refused(result, "driver pg8000 is not installed", "install pg8000", "postgresql://")


# ---- the SQLite file ------------------------------------------------------------------------------


def test_a_folder_as_the_database(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    refused(invoke(["--lang", "en", "--db", str(folder), "unit", "list"], tmp_path / "home"), "is a folder",
            str(folder / "coord.sqlite3"))
    refused(invoke(["--lang", "en", "--db", str(folder), "init"], tmp_path / "home"), "is a folder")
    assert list(folder.iterdir()) == []


def test_a_file_that_is_not_sqlite(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("会议纪要：二期用地指标尚未落实，请自然资源局跟进。\n" * 10, encoding="utf-8")
    before = notes.read_bytes()
    refused(invoke(["--lang", "en", "--db", str(notes), "unit", "list"], tmp_path / "home"),
            "is not a SQLite database file")
    refused(invoke(["--lang", "en", "--db", str(notes), "init"], tmp_path / "home"), "is not a SQLite")
    assert notes.read_bytes() == before


@pytest.mark.sqlite_only
def test_a_truncated_database_file(district: Cli, tmp_path: Path) -> None:
    copy = quiet_copy(district, tmp_path / "cut" / "coord.sqlite3")
    with copy.open("r+b") as handle:
        handle.truncate(5000)  # the header and a page: the rest of the schema is gone
    refused(invoke(["--lang", "en", "--db", str(copy), "issue", "list", "--as", "wang.mishu"], tmp_path / "h"),
            "damaged", "coord db restore")
    with copy.open("r+b") as handle:
        handle.truncate(60)  # not even the header
    refused(invoke(["--lang", "en", "--db", str(copy), "issue", "list", "--as", "wang.mishu"], tmp_path / "h"),
            "incomplete", "coord db restore")


@pytest.fixture
def denied(tmp_path: Path) -> Iterator[list[Path]]:
    """Paths whose modes a test takes away; given back afterwards so that pytest can clean up."""
    paths: list[Path] = []
    yield paths
    for path in paths:
        path.chmod(stat.S_IRWXU)


@pytest.mark.sqlite_only
def test_an_unreadable_database_file(district: Cli, tmp_path: Path, denied: list[Path]) -> None:
    copy = quiet_copy(district, tmp_path / "locked" / "coord.sqlite3")
    copy.chmod(0)
    denied.append(copy)
    result = run(["--lang", "en", "--db", str(copy), "unit", "list", "--as", "admin"],
                 environment(tmp_path / "home"), bound_by_permissions=True)
    refused(result, "cannot read the database file", "Permission denied")


@pytest.mark.sqlite_only
def test_a_read_only_database_reads_and_refuses_writes_as_read_only(district: Cli, tmp_path: Path,
                                                                     denied: list[Path]) -> None:
    copy = quiet_copy(district, tmp_path / "archive" / "coord.sqlite3")
    copy.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    denied.append(copy)
    env = environment(tmp_path / "home", COORD_DATABASE_URL=f"sqlite:///{copy}")
    listed = run(["unit", "list", "--as", "admin"], env, bound_by_permissions=True)
    assert listed.returncode == 0 and "区发展和改革局" in listed.stdout, listed.stderr
    raised = run(["--lang", "en", *RAISE, "--as", "li.zhuanyuan"], env, bound_by_permissions=True)
    error = refused(raised, "read-only", "nothing was applied")
    assert "busy" not in error
    copy.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert Cli(district.runner, district.env, f"sqlite:///{copy}").snapshot()[0] == []  # no problem was raised


@pytest.mark.sqlite_only
def test_a_database_in_a_read_only_folder(district: Cli, tmp_path: Path, denied: list[Path]) -> None:
    folder = tmp_path / "shelf"
    quiet_copy(district, folder / "coord.sqlite3")
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
    denied.append(folder)
    result = run(["--lang", "en", "--db", str(folder / "coord.sqlite3"), "unit", "list", "--as", "admin"],
                 environment(tmp_path / "home"), bound_by_permissions=True)
    refused(result, "read-only", "its folder")


# ---- reads never create files -----------------------------------------------------------------------


@pytest.mark.parametrize("command", [
    ("issue", "list", "--as", "wang.mishu"), ("unit", "list"), ("dashboard",), ("audit", "verify"),
    ("audit", "refusals", "--as", "admin"), ("web", "refusals", "--as", "admin"),
])
def test_a_read_on_a_new_path_creates_nothing(tmp_path: Path, command: tuple[str, ...]) -> None:
    where = tmp_path / "not" / "yet"
    refused(invoke(["--db", str(where / "coord.sqlite3"), *command], tmp_path / "home"), "coord init")
    assert not (tmp_path / "not").exists()


def test_db_current_on_a_new_path_answers_without_creating(tmp_path: Path) -> None:
    database = tmp_path / "new" / "coord.sqlite3"
    result = invoke(["--db", str(database), "db", "current", "--json"], tmp_path / "home")
    assert result.exit_code == 0, result.output
    assert '"revision": null' in result.stdout
    assert not database.parent.exists()


# ---- settings and files the commands read -------------------------------------------------------


def test_a_malformed_setting_in_the_database_names_the_setting_and_the_fix(district: Cli) -> None:
    from coordination.db import make_engine

    key = "sweep.escalate_after_overdue_working_days"
    engine = make_engine(district.url)
    try:
        with engine.begin() as connection:  # written past coord: by hand, or by an older version
            connection.execute(text("INSERT INTO setting (key, value) VALUES (:key, 'three')"), {"key": key})
    finally:
        engine.dispose()
    before = district.snapshot()
    refused(district("--lang", "en", "sweep"), key, "three", f"coord setting set {key}")
    assert district.snapshot() == before
    assert district("setting", "set", key, "3", as_="admin").exit_code == 0
    assert district("sweep").exit_code == 0


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (version 3, 512-byte sectors) holding `streams`, each padded to whole
    sectors of at least 4096 bytes (no mini stream): what a password-protected .xlsx is on disk."""
    end, free, fat_sector = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    fat = [fat_sector, end]  # sector 0: the FAT, sector 1: the directory
    data = b""
    entries = [("Root Entry", 5, end, 0, 1, free)]
    for index, (name, content) in enumerate(streams.items(), start=1):
        body = content.ljust(max(4096, -(-len(content) // 512) * 512), b"\0")
        start, count = len(fat), len(body) // 512
        fat += [*range(start + 1, start + count), end]
        right = index + 1 if index < len(streams) else free
        entries.append((name, 2, start, len(content), free, right))
        data += body
    directory = b""
    for name, kind, start, size, child, right in entries:
        encoded = (name + "\0").encode("utf-16-le")
        directory += (encoded.ljust(64, b"\0") + struct.pack("<HBB3I", len(encoded), kind, 1, free, right, child)
                      + b"\0" * 36 + struct.pack("<IQ", start, size))
    directory = directory.ljust(512, b"\0")
    header = (bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 16
              + struct.pack("<HHHHH6xIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)
    table = struct.pack(f"<{len(fat)}I", *fat).ljust(512, b"\xff")
    return header + table + directory + data


def test_a_password_protected_workbook_says_so(district: Cli, tmp_path: Path) -> None:
    protected = tmp_path / "台账.xlsx"
    protected.write_bytes(compound_file({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00" + os.urandom(200),
                                         "EncryptedPackage": os.urandom(6000)}))
    before = district.snapshot()
    result = district("ledger", "import", str(protected), as_="wang.mishu")
    refused(result, "密码", "清空密码")
    assert district.snapshot() == before
    old = tmp_path / "旧台账.xlsx"
    old.write_bytes(compound_file({"Workbook": os.urandom(5000)}))  # an .xls saved under an .xlsx name
    refused(district("ledger", "import", str(old), as_="wang.mishu"), "旧版 Excel", ".xlsx")


# ---- PostgreSQL: a real server, reached wrongly ---------------------------------------------------------


def _with_password(url: str, **changes: object) -> str:
    return make_url(url).set(password=PASSWORD, **changes).render_as_string(hide_password=False)


@pytest.mark.postgresql_only
def test_an_unreachable_postgresql_server(backend: str, tmp_path: Path) -> None:
    admin = make_url(postgres_admin_url() or "")
    wrong_port = _with_password(admin.render_as_string(hide_password=False), query={**admin.query, "port": "1"})
    result = invoke(["--lang", "en", "--db", wrong_port, "issue", "list", "--as", "admin"], tmp_path)
    refused(result, "cannot reach the PostgreSQL server", "***")


@pytest.mark.postgresql_only
def test_a_missing_postgresql_database(backend: str, tmp_path: Path) -> None:
    admin = make_url(postgres_admin_url() or "")
    missing = _with_password(admin.render_as_string(hide_password=False), database="coord_no_such_database")
    for command in (["issue", "list", "--as", "admin"], ["init"], ["db", "current"]):
        result = invoke(["--lang", "en", "--db", missing, *command], tmp_path)
        refused(result, "has no database coord_no_such_database", "createdb coord_no_such_database", "***")


@pytest.mark.postgresql_only
def test_a_read_only_postgresql_database(district: Cli, tmp_path: Path) -> None:
    """A database that only reads (a standby, or default_transaction_read_only) says so for a write."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    name = make_url(district.url).database
    admin = create_engine(postgres_admin_url() or "", poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    finally:
        admin.dispose()
    before = district.snapshot()
    assert district("unit", "list").exit_code == 0
    error = refused(district("--lang", "en", *RAISE, as_="li.zhuanyuan"), "is read-only", "nothing was applied")
    assert "busy" not in error
    assert district.snapshot() == before


@pytest.mark.postgresql_only
def test_the_postgresql_password_is_masked_when_not_initialised(empty_database_url: str, tmp_path: Path) -> None:
    url = _with_password(empty_database_url)
    result = invoke(["--db", url, "issue", "list", "--as", "admin"], tmp_path)
    refused(result, "尚未初始化", "coord init", "***")
    english = invoke(["--lang", "en", "--db", url, "web", "refusals", "--as", "admin"], tmp_path)
    refused(english, "is not initialised", "***")
