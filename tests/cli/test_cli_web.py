"""The operator's commands for coord web: passwords from standard input, signing out, the refusal log."""

from __future__ import annotations

import json

from sqlalchemy import text

from coordination.cli.main import app
from tests.cli.conftest import Cli


def password(cli: Cli, handle: str, secret: str, as_: str) -> object:
    return cli.runner.invoke(app, ["person", "password", handle, "--as", as_], env=cli.env, input=secret + "\n")


def test_a_password_is_read_from_standard_input_and_never_printed(district: Cli) -> None:
    result = password(district, "zhao.jingban", "a long enough secret", as_="admin")
    assert result.exit_code == 0, result.output
    assert "a long enough secret" not in result.output
    assert "已设置 zhao.jingban 的登录密码" in result.output
    from coordination.db import make_engine

    engine = make_engine(district.url)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM person WHERE handle = 'zhao.jingban'")).scalar()
    engine.dispose()
    assert isinstance(stored, str) and stored.startswith("$argon2id$")


def test_setting_another_persons_password_needs_an_admin_and_writes_nothing(district: Cli) -> None:
    before = district.snapshot()
    result = password(district, "zhao.jingban", "a long enough secret", as_="wang.mishu")
    assert result.exit_code == 4, result.output
    short = password(district, "zhao.jingban", "short", as_="admin")
    assert short.exit_code == 2 and "至少" in short.output
    assert district.snapshot() == before


def test_signout_and_the_refusal_log_are_for_the_operator(district: Cli) -> None:
    assert password(district, "zhao.jingban", "a long enough secret", as_="zhao.jingban").exit_code == 0
    ended = district("person", "signout", "zhao.jingban", as_="admin")
    assert ended.exit_code == 0 and "0 个登录会话" in ended.output
    refused = district("web", "refusals", as_="wang.mishu")
    assert refused.exit_code == 4
    listed = district("web", "refusals", "--json", as_="admin")
    assert listed.exit_code == 0  # the command line's refusal is logged too (services/refusals.py)
    assert [(r["method"], r["path"], r["handle"]) for r in json.loads(listed.stdout)] == [
        ("CLI", "web refusals", "wang.mishu")]


def test_serving_an_uninitialised_database_is_refused_before_listening(cli: Cli) -> None:
    result = cli("web", "--port", "8999")
    assert result.exit_code == 2
    assert "尚未初始化" in result.output
