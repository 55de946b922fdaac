"""Refusals on the command line are recorded — who, what, when, why — while the refused command itself still
writes nothing to the item's tables; `coord audit refusals` lists them (and the web's) for admins."""

from __future__ import annotations

import json
from typing import Any

from coordination.config import parse_now
from tests.cli.conftest import MONDAY_MORNING, Cli

LATER = "2024-10-10T15:30:00+08:00"


def log(district: Cli, *options: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = district.json("audit", "refusals", *options, as_="admin")
    return rows


def test_a_refused_command_writes_nothing_but_its_refusal(district: Cli, raised: dict[str, Any]) -> None:
    before = district.snapshot()
    result = district("issue", "assign", raised["id"], "--difficulty", "C", as_="li.zhuanyuan")
    assert result.exit_code == 4, result.output
    assert district.snapshot() == before  # the problem, the tasks and the audit trail are untouched

    [row] = log(district)
    assert (row["kind"], row["handle"], row["method"]) == ("not_permitted", "li.zhuanyuan", "CLI")
    assert row["path"] == f"issue assign {raised['id']} --difficulty C"  # what, without the global options
    assert "li.zhuanyuan" in row["detail"] and row["detail"]  # why, in the refusal's own words
    assert parse_now(row["at"]) == parse_now(MONDAY_MORNING)  # when, by coord's clock
    assert "@" in row["remote"]  # the account and machine the command ran on


def test_an_unknown_identity_and_a_bad_token_are_recorded(district: Cli, raised: dict[str, Any]) -> None:
    assert district("issue", "progress", raised["id"], "--note", "催办", as_="nobody.here").exit_code == 4
    created = district("person", "token", "create", "wang.mishu", as_="admin")
    assert created.exit_code == 0, created.output
    district.env["COORD_REQUIRE_TOKEN"] = "1"
    district.env["COORD_TOKEN"] = "coord_forged"
    before = district.snapshot()
    assert district("issue", "assign", raised["id"], "--unit", "ZRZY", as_="wang.mishu").exit_code == 4
    assert district.snapshot() == before

    district.env["COORD_REQUIRE_TOKEN"] = ""  # the admin reads the log without a token of their own
    bad_token, unknown = log(district, "--handle", "wang.mishu") + log(district, "--handle", "nobody.here")
    assert (bad_token["kind"], bad_token["path"]) == ("bad_token", f"issue assign {raised['id']} --unit ZRZY")
    assert "COORD_TOKEN" in bad_token["detail"] and "coord_forged" not in json.dumps(bad_token)
    assert (unknown["kind"], unknown["path"]) == ("not_permitted", f"issue progress {raised['id']} --note 催办")


def test_secrets_typed_on_the_line_are_masked_in_the_log(district: Cli) -> None:
    secret_url = "https://oapi.dingtalk.com/robot/send?access_token=abcdef0123456789"
    result = district("webhook", "add", "东区专班群", "--url", secret_url, "--secret", "SECabcdef", as_="li.zhuanyuan")
    assert result.exit_code == 4, result.output
    [row] = log(district)
    assert "abcdef" not in row["path"]
    assert row["path"] == "webhook add 东区专班群 --url *** --secret ***"


def test_the_log_is_for_admins_and_filters_by_person_kind_and_day(district: Cli, raised: dict[str, Any]) -> None:
    assert district("issue", "assign", raised["id"], as_="li.zhuanyuan").exit_code == 4
    assert district("issue", "assign", raised["id"], as_="zhao.jingban", now=LATER).exit_code == 4
    refused = district("audit", "refusals", as_="wang.mishu", now=LATER)
    assert refused.exit_code == 4 and "wang.mishu" in refused.stderr  # refused, and that refusal is logged too

    assert [r["handle"] for r in log(district)] == ["wang.mishu", "zhao.jingban", "li.zhuanyuan"]
    assert [r["handle"] for r in log(district, "--handle", "zhao.jingban")] == ["zhao.jingban"]
    assert [r["handle"] for r in log(district, "--since", "2024-10-10")] == ["wang.mishu", "zhao.jingban"]
    assert log(district, "--since", "2024年10月11日") == []
    assert log(district, "--kind", "bad_password") == []
    assert len(log(district, "--limit", "1")) == 1
    assert district("audit", "refusals", "--kind", "rude", as_="admin").exit_code == 2
    assert district("audit", "refusals", "--since", "someday", as_="admin").exit_code == 2

    # The same service answers `coord web refusals`; the table shows who, when, what and why.
    assert json.loads(district("web", "refusals", "--json", as_="admin").stdout) == log(district)
    table = district("audit", "refusals", as_="admin")
    assert table.exit_code == 0
    for shown in ("命令行", f"issue assign {raised['id']}", "zhao.jingban", "2024-10-10 15:30:00", "may not"):
        assert shown in table.stdout, table.stdout
