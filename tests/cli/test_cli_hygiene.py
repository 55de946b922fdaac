"""Input that cannot hurt, through the real command line: the hostile inputs of issue 14 each exit 2 with a
plain message and write nothing, and an old record holding an escape (written straight into the
database) is shown escaped on the terminal, in JSON, in the ledger workbook and in a Word report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text

from tests.cli.conftest import Cli

SECRETARIAT, SPECIALIST, HANDLER, ADMIN = "wang.mishu", "li.zhuanyuan", "zhao.jingban", "admin"
# Tables a refused command may still write: the refusal log (in its own transaction, by design).
UNWATCHED = frozenset({"refusal", "alembic_version"})


def snapshot(cli: Cli, engine: Engine | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table coord keeps (but the refusal log), to prove a refused command wrote nothing
    (through `engine` when given: a fuzzer takes thousands)."""
    from coordination.db import make_engine

    own = engine is None
    engine = engine or make_engine(cli.url)
    try:
        with engine.connect() as connection:
            names = sorted(set(inspect(connection).get_table_names()) - UNWATCHED)
            return {name: sorted((tuple(row) for row in connection.execute(text(f'SELECT * FROM "{name}"'))),
                                 key=repr) for name in names}
    finally:
        if own:
            engine.dispose()


def _raise(cli: Cli, title: str = "二期用地指标尚未落实", **extra: str) -> Any:
    args = ["issue", "raise", "--project", "P-001", "--title", title, "--category", "用地"]
    for option, value in extra.items():
        args += [f"--{option}", value]
    return cli(*args, as_=SPECIALIST)


def _refused(cli: Cli, before: dict[str, list[tuple[Any, ...]]], result: Any, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "unexpected error" not in result.output
    for word in words:
        assert word in result.stderr, (word, result.stderr)
    assert snapshot(cli) == before


@pytest.mark.parametrize(("title", "words"), [
    ("\x1b[2J清屏后的标题", ("问题标题（--title）含有终端转义序列", "U+001B")),
    ("\x1b]0;伪造的窗口标题\x07用地问题", ("终端转义序列", "U+001B")),
    ("用地指标\u202e题问", ("文字方向控制字符", "U+202E")),
    ("\u200b\u200b\u200b", ("问题标题不能为空（--title）",)),
    ("\ufeff\u200d", ("问题标题不能为空",)),
    ("第一行\n第二行", ("换行", "此项只能填一行", "U+000A")),
    ("题" * 201, ("不能超过 200 字",)),
], ids=["csi-clear", "osc-title", "bidi", "zero-width", "bom-zwj", "newline", "201-characters"])
def test_hostile_titles_exit_2_and_write_nothing(district: Cli, title: str, words: tuple[str, ...]) -> None:
    before = snapshot(district)
    _refused(district, before, _raise(district, title), *words)


def test_a_megabyte_of_detail_or_reason_is_refused(district: Cli) -> None:
    before = snapshot(district)
    _refused(district, before, _raise(district, detail="详" * 1_000_000), "详细描述（--detail）不能超过 10000 字")
    raised = district.json("issue", "raise", "--project", "P-001", "--title", "用地", "--category", "用地",
                           "--detail", "第一行\r\n第二行\n", as_=SPECIALIST)
    assert raised["detail"] == "第一行\n第二行"  # a detail has lines; Windows line ends become \n
    before = snapshot(district)
    huge = district("issue", "assign", raised["id"], "--unit", "ZRZY", "--reason", "由" * 1_000_000, as_=SECRETARIAT)
    _refused(district, before, huge, "说明（--reason）不能超过 10000 字")


def test_an_extension_is_at_most_a_year_and_a_due_date_within_2100(district: Cli) -> None:
    problem = district.json("issue", "raise", "--project", "P-001", "--title", "用地", "--category", "用地",
                            as_=SPECIALIST)["id"]
    before = snapshot(district)
    _refused(district, before, district("issue", "assign", problem, "--unit", "ZRZY", "--due", "9999-12-31",
                                        as_=SECRETARIAT), "（--due） 9999-12-31 不在合理范围")
    district.json("issue", "assign", problem, "--unit", "ZRZY", as_=SECRETARIAT)
    district.json("issue", "ack", problem, as_=HANDLER)
    before = snapshot(district)
    for days, words in (("100000000", "延期的工作日数须在 1 至 250（一年）之间"), ("251", "收到 251"),
                        ("0", "--days"), ("-5", "--days")):
        extend = district("issue", "extend", problem, "--days", days, "--reason", "征地", as_=HANDLER)
        _refused(district, before, extend, words)
    asked = district.json("issue", "extend", problem, "--days", "250", "--reason", "征地拆迁", as_=HANDLER)
    assert asked["pending_extension_days"] == 250
    approved = district.json("issue", "extend", problem, "--approve", as_=SECRETARIAT)
    assert approved["pending_extension_days"] is None and approved["due_date"] < "2025-11-01"
    listed = district("issue", "list")
    assert listed.exit_code == 0


def test_an_old_pending_extension_beyond_a_year_is_refused_plainly(district: Cli) -> None:
    """Asked before the cap (written here straight into the row): approving it once ended in OverflowError."""
    problem = district.json("issue", "raise", "--project", "P-001", "--title", "用地", "--category", "用地",
                            as_=SPECIALIST)["id"]
    district.json("issue", "assign", problem, "--unit", "ZRZY", as_=SECRETARIAT)
    district.json("issue", "ack", problem, as_=HANDLER)
    _sql(district, "UPDATE problem SET pending_extension_days = 100000000 WHERE id = :id", id=problem)
    before = snapshot(district)
    _refused(district, before, district("issue", "extend", problem, "--approve", as_=SECRETARIAT),
             "超过一年（250 个工作日）的上限")


def test_a_task_moves_its_due_date_at_most_a_year(district: Cli) -> None:
    district.json("plan", "add", "SSW", "十四五规划中期评估", as_=SECRETARIAT)
    task = district.json("task", "add", "--plan", "SSW", "--title", "完成报批", "--unit", "ZRZY", "--due",
                         "2024-12-31", as_=SECRETARIAT)["id"]
    before = snapshot(district)
    _refused(district, before, district("task", "adjust", task, "--due", "2026-01-05", "--reason", "顺延",
                                        as_=SECRETARIAT), "期限一次最多延后一年")
    _refused(district, before, district("task", "add", "--plan", "SSW", "--title", "完成报批", "--unit", "ZRZY",
                                        "--due", "2101-01-01", as_=SECRETARIAT), "不在合理范围")
    moved = district.json("task", "adjust", task, "--due", "2025-12-31", "--reason", "顺延一年", as_=SECRETARIAT)
    assert moved["due_date"] == "2025-12-31"


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-12:00",
                                    "1949-12-31T12:00:00+08:00", "2101-01-01T00:00:00+08:00"])
def test_a_clock_outside_1950_to_2100_refuses_the_command(district: Cli, moment: str) -> None:
    before = snapshot(district)
    result = district("issue", "raise", "--project", "P-001", "--title", "用地", "--category", "用地",
                      as_=SPECIALIST, now=moment)
    _refused(district, before, result, "COORD_NOW", "不在合理范围（1950-01-01 至 2100-12-31）")


def test_absurd_amounts_exit_2_and_the_cap_is_a_setting(district: Cli) -> None:
    before = snapshot(district)
    for amount in ("1e30", "1E+999999999", "9" * 40, "100001亿"):
        _refused(district, before, district("fund", "disburse", "-e", "东区新材料有限公司", "--amount", amount,
                                            "--date", "2024-10-08", as_=HANDLER), "金额")
    _refused(district, before, district("project", "update", "P-001", "--total", "1e30", as_=SECRETARIAT),
             "--total", "过大")
    _refused(district, before, district("project", "progress", "P-001", "--month", "2024-09", "--amount", "1e30",
                                        as_=SECRETARIAT), "过大")
    _refused(district, before, district("setting", "set", "amounts.max_yuan", "1e30", as_=ADMIN),
             "amounts.max_yuan 须是 1 至")
    district.json("setting", "set", "amounts.max_yuan", "100万", as_=ADMIN)
    before = snapshot(district)
    _refused(district, before, district("fund", "disburse", "-e", "东区新材料有限公司", "--amount", "200万",
                                        "--date", "2024-10-08", as_=HANDLER), "超过上限 1000000 元")
    _refused(district, before, district("project", "update", "P-001", "--total", "101", as_=SECRETARIAT),
             "总投资（--total） 1010000 元超过上限")
    paid = district.json("fund", "disburse", "-e", "东区新材料有限公司", "--amount", "100万", "--date", "2024-10-08",
                         as_=HANDLER)
    assert paid["amount_yuan"] == 1_000_000
    district.json("setting", "set", "amounts.max_yuan", "10000000亿", as_=ADMIN)  # above the default: the ceiling
    big = district.json("fund", "disburse", "-e", "东区新材料有限公司", "--amount", "200000亿", "--date", "2024-10-08",
                        as_=HANDLER)
    assert big["amount_yuan"] == 20 * 10**12


def test_every_kind_refuses_hostile_text_before_writing(district: Cli) -> None:
    district.json("plan", "add", "SSW", "十四五规划中期评估", as_=SECRETARIAT)
    evil = "正常开头\x1b[31m"
    attempts = [
        (("plan", "add", "ZX2", evil), SECRETARIAT),
        (("task", "add", "--plan", "SSW", "--title", evil, "--unit", "ZRZY", "--due", "2024-12-31"), SECRETARIAT),
        (("task", "add", "--plan", "SSW", "--title", "任务", "--detail", "a\u2066b", "--unit", "ZRZY", "--due",
          "2024-12-31"), SECRETARIAT),
        (("special-plan", "add", "JT", evil, "--unit", "ZRZY"), SECRETARIAT),
        (("filing", "add", "-p", evil, "-e", "某公司", "--unit", "ZRZY"), SECRETARIAT),
        (("filing", "add", "-p", "某项目", "-e", "某\u202d公司", "--unit", "ZRZY"), SECRETARIAT),
        (("fund", "add", "2024-01", evil, "--source", "中央", "--type", "预算内"), HANDLER),
        (("fund", "disburse", "-e", evil, "--amount", "300万", "--date", "2024-10-08"), HANDLER),
        (("indicator", "add", "FAI", evil, "--unit", "%", "--target", "8"), SECRETARIAT),
        (("indicator", "add", "FAI", "固投增速", "--unit", "%\x00", "--target", "8"), SECRETARIAT),
        (("report-up", "add", "--to", evil, "--date", "2024-10-08", "--topic", "推进情况"), HANDLER),
        (("report-up", "add", "--to", "市发改委", "--date", "2024-10-08", "--topic", "\u2067推进"), HANDLER),
        (("unit", "add", "JYJ", evil, "--kind", "department"), ADMIN),
        (("person", "add", "liu.x", evil, "--unit", "ZRZY", "--role", "handler"), ADMIN),
        (("project", "update", "P-001", "--name", evil), SECRETARIAT),
        (("setting", "set", "reports.folder", "/tmp/\x1b[2J"), ADMIN),
        (("calendar", "override", "2024-10-12", "--workday", "--reason", evil), ADMIN),
    ]
    before = snapshot(district)
    for args, who in attempts:
        result = district(*args, as_=who)
        assert result.exit_code == 2, (args, result.output)
        assert "U+" in result.stderr and "不能保存" in result.stderr, (args, result.stderr)
        assert "\x1b" not in result.output and "\u202d" not in result.output, args
    assert snapshot(district) == before


def _sql(cli: Cli, statement: str, **values: Any) -> None:
    from coordination.db import make_engine

    engine = make_engine(cli.url)
    try:
        with engine.begin() as connection:
            connection.execute(text(statement), values)
    finally:
        engine.dispose()


def test_an_old_row_holding_escapes_is_shown_escaped_everywhere(district: Cli, tmp_path: Path) -> None:
    """A title written before hygiene (here straight into the row) reaches no terminal, file or workbook raw."""
    problem = district.json("issue", "raise", "--project", "P-001", "--title", "用地", "--category", "用地",
                            as_=SPECIALIST)["id"]
    hostile = "用地\x1b[2J\x1b]0;伪造\x07指标\u202e反转 [bold]粗[/bold] [/]"
    _sql(district, "UPDATE problem SET title = :t, detail = :d WHERE id = :id", t=hostile, d="第一行\n\x9b31m第二行",
         id=problem)
    for args in (("issue", "show", problem), ("issue", "list"), ("issue", "list", "--lang", "en"), ("queue",),
                 ("project", "show", "P-001")):
        shown = district(*args)
        assert shown.exit_code == 0, (args, shown.output)
        for raw in ("\x1b", "\x07", "\u202e", "\x9b"):
            assert raw not in shown.output, (args, raw)
    shown = district("issue", "show", problem)
    assert "\\x1b[2J" in shown.stdout and "<U+202E>" in shown.stdout and "\\x9b31m" in shown.stdout
    assert "[bold]粗[/bold]" in shown.stdout  # Rich markup in a title is text, not styling (and no crash)
    as_json = district("issue", "show", problem, "--json")
    assert "\x1b" not in as_json.stdout and "\u202e" not in as_json.stdout and "\\u202e" in as_json.stdout
    assert json.loads(as_json.stdout)["title"] == hostile  # the data is intact: only its printing is escaped

    workbook = tmp_path / "台账.xlsx"
    exported = district("ledger", "export", str(workbook))
    assert exported.exit_code == 0, exported.output
    from openpyxl import load_workbook

    cells = [c for sheet in load_workbook(workbook, read_only=True) for row in sheet.iter_rows(values_only=True)
             for c in row if isinstance(c, str)]
    assert any("\\x1b[2J" in c and "<U+202E>" in c for c in cells)
    assert not any("\x1b" in c or "\u202e" in c for c in cells)
    for fmt in ("xlsx", "docx", "md"):
        report = district("report", "weekly", "--format", fmt, "--out", str(tmp_path / f"周报.{fmt}"))
        assert report.exit_code == 0, (fmt, report.output)
    assert "\x1b" not in (tmp_path / "周报.md").read_text(encoding="utf-8")
