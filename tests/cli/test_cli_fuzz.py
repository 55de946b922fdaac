"""Hypothesis fuzzing of the command line's arguments: whatever a person (or a script) types into the main
commands, coord ends with exit 0, 2, 3, 4 or 5 — never a traceback or an "unexpected error" — prints
nothing a terminal would obey, and a command that does not succeed writes nothing (every table compared
before and after; the refusal log, written on purpose in its own transaction, aside).

One district per module (copied once from the CLI-built template); the examples run against it in turn,
so what one example adds the next one meets. Bounded: a few dozen examples per command, no deadline.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from typer.testing import CliRunner

from coordination.db import make_engine
from coordination.domain.hygiene import needs_escape
from tests.backends import Databases
from tests.cli.conftest import Cli, _environment
from tests.cli.test_cli_hygiene import ADMIN, HANDLER, SECRETARIAT, SPECIALIST, snapshot

EXAMPLES = 40
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
EXIT_CODES = frozenset({0, 2, 3, 4, 5})

# ---- what people type ------------------------------------------------------------------------------

HOSTILE = [
    "", " ", "\u200b", "\ufeff\u200d", "\x1b[2J", "\x1b]0;伪造标题\x07", "标题\u202e反转", "a\u2066b\u2069", "\x00",
    "第一行\n第二行", "tab\there", "\r", "\x9b31m", "\udcff", "\U000e0041", "[bold]粗[/bold]", "[/]", "[red", "%s%n",
    "'; DROP TABLE problem; --", "题" * 201, "详" * 10_001, "\\", "--help", "-", "NaN", "null", "𠀀𠀁",
]
TEXT = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=24),
                 st.text(alphabet="东区用地指标 \n\t\x1b[]0;\u202e\u200b\ufeff\x7f", max_size=24))
DATE = st.one_of(st.sampled_from(["2024-10-08", "2024-10-09", "2024年10月8日", "10月8日", "9999-12-31", "0001-01-01",
                                  "1949-12-31", "2100-12-31", "2101-01-01", "2024-02-30", "2024/13/1", "99999999",
                                  "20241008", "2024-W41"]),
                 st.dates().map(str), TEXT)
AMOUNT = st.one_of(st.sampled_from(["1e30", "1E+999999999", "-1", "0", "NaN", "inf", "-inf", "1.5亿", "3000万",
                                    "1,234", "9" * 40, "0.0000001", "1e-30", "100001亿", "10万亿", "1_000"]),
                   st.integers().map(str), st.decimals(allow_nan=True, allow_infinity=True).map(str), TEXT)
INTEGER = st.one_of(st.sampled_from(["100000000", "-1", "0", "250", "251", "1e3", "abc", "", "99999999999999999999"]),
                    st.integers().map(str))
UNIT = st.one_of(st.sampled_from(["ZRZY", "zrzy", "自然资源局", "区自然资源和规划局", "教育局", "FGJ,ZJJ"]), TEXT)
MONTH = st.one_of(st.sampled_from(["2024-09", "2024年9月", "2024-10", "2024-11", "1900-01", "2101-01", "2024-13"]),
                  TEXT)


def _maybe(option: str, values: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    return st.one_of(st.just([]), values.map(lambda value: [option, value]))


# ---- the district ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzzed(databases: Databases, district_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    """The CLI district with a plan, a problem being handled, one waiting, a fund application under review,
    a filing and an indicator: something for every command to act on."""
    where = tmp_path_factory.mktemp(f"fuzz-{databases.name}")
    url = databases.empty(where)
    databases.copy(district_template, url)
    cli = Cli(CliRunner(), _environment(url, where / "home"), url)
    steps: list[tuple[tuple[str, ...], str]] = [
        (("plan", "add", "SSW", "十四五规划中期评估"), SECRETARIAT),
        (("issue", "raise", "-p", "P-001", "-t", "二期用地指标尚未落实", "-c", "用地"), SPECIALIST),
        (("issue", "assign", "Q-2024-0001", "--unit", "ZRZY"), SECRETARIAT),
        (("issue", "ack", "Q-2024-0001"), HANDLER),
        (("issue", "raise", "-p", "P-001", "-t", "环评批复滞后", "-c", "环评"), SPECIALIST),
        (("fund", "add", "2024-01", "污水处理厂扩建", "--source", "中央", "--type", "预算内"), HANDLER),
        (("fund", "prepare", "2024-01"), HANDLER),
        (("fund", "apply", "2024-01"), HANDLER),
        (("filing", "add", "-p", "分布式光伏发电项目", "-e", "东区新能源有限公司", "--unit", "ZRZY"), SECRETARIAT),
        (("indicator", "add", "FAI", "固定资产投资累计增速", "--unit", "%", "--target", "8"), SECRETARIAT),
    ]
    for args, who in steps:
        result = cli(*args, as_=who)
        assert result.exit_code == 0, (args, result.output)
    _ENGINES[url] = make_engine(url)
    yield cli
    _ENGINES.pop(url).dispose()
    databases.drop(url)


_ENGINES: dict[str, Engine] = {}  # the district's, for the snapshots (one connection pool, not one per example)


def attempt(cli: Cli, args: list[str], who: str | None) -> None:
    """One command: an allowed exit code, no traceback, nothing raw on screen, no write unless it succeeded."""
    engine = _ENGINES[cli.url]
    before = snapshot(cli, engine)
    result = cli(*args, as_=who)
    shown = result.output
    assert result.exit_code in EXIT_CODES, (args, result.exit_code, shown, result.exception)
    assert "Traceback" not in shown and "unexpected error" not in shown and "内部错误" not in shown, (args, shown)
    assert not needs_escape(shown), (args, shown)
    if result.exit_code != 0:
        assert snapshot(cli, engine) == before, (args, result.exit_code, shown)


# ---- the commands ---------------------------------------------------------------------------------


@FUZZ
@given(title=TEXT, category=st.one_of(st.sampled_from(["用地", "环评", "资金"]), TEXT),
       project=st.one_of(st.sampled_from(["P-001", "东区电池材料产业园一期", "P-999"]), TEXT),
       detail=_maybe("--detail", TEXT))
def test_issue_raise(fuzzed: Cli, title: str, category: str, project: str, detail: list[str]) -> None:
    attempt(fuzzed, ["issue", "raise", "--project", project, "--title", title, "--category", category, *detail],
            SPECIALIST)


@FUZZ
@given(action=st.sampled_from(["progress", "extend", "escalate", "resolve", "dispute"]),
       reason=_maybe("--reason", TEXT), days=_maybe("--days", INTEGER), version=_maybe("--version", INTEGER),
       problem=st.one_of(st.just("Q-2024-0001"), TEXT))
def test_issue_act(fuzzed: Cli, action: str, reason: list[str], days: list[str], version: list[str],
                   problem: str) -> None:
    extra = days if action == "extend" else []
    attempt(fuzzed, ["issue", action, problem, *reason, *extra, *version], HANDLER)


@FUZZ
@given(unit=_maybe("--unit", UNIT), due=_maybe("--due", DATE), difficulty=_maybe("--difficulty", TEXT),
       co_units=_maybe("--co-units", UNIT), reason=_maybe("--reason", TEXT))
def test_issue_assign(fuzzed: Cli, unit: list[str], due: list[str], difficulty: list[str], co_units: list[str],
                      reason: list[str]) -> None:
    attempt(fuzzed, ["issue", "assign", "Q-2024-0002", *unit, *due, *difficulty, *co_units, *reason], SECRETARIAT)


@FUZZ
@given(title=TEXT, unit=UNIT, due=DATE, plan=st.one_of(st.just("SSW"), TEXT), detail=_maybe("--detail", TEXT))
def test_task_add(fuzzed: Cli, title: str, unit: str, due: str, plan: str, detail: list[str]) -> None:
    attempt(fuzzed, ["task", "add", "--plan", plan, "--title", title, "--unit", unit, "--due", due, *detail],
            SECRETARIAT)


@FUZZ
@given(code=st.one_of(st.sampled_from(["2024-02", "ZJ-2024-03", "zj-x"]), TEXT), name=TEXT,
       source=st.one_of(st.sampled_from(["中央", "省级", "municipal"]), TEXT),
       kind=st.one_of(st.sampled_from(["预算内", "专项债", "special"]), TEXT))
def test_fund_add(fuzzed: Cli, code: str, name: str, source: str, kind: str) -> None:
    attempt(fuzzed, ["fund", "add", code, name, "--source", source, "--type", kind], HANDLER)


@FUZZ
@given(amount=AMOUNT, document=_maybe("--document", TEXT), on=_maybe("--on", DATE), note=_maybe("--note", TEXT))
def test_fund_grant(fuzzed: Cli, amount: str, document: list[str], on: list[str], note: list[str]) -> None:
    attempt(fuzzed, ["fund", "grant", "2024-01", "--amount", amount, *document, *on, *note], SECRETARIAT)


@FUZZ
@given(enterprise=TEXT, amount=AMOUNT, paid_on=DATE, unit=_maybe("--unit", UNIT))
def test_fund_disburse(fuzzed: Cli, enterprise: str, amount: str, paid_on: str, unit: list[str]) -> None:
    attempt(fuzzed, ["fund", "disburse", "--enterprise", enterprise, "--amount", amount, "--date", paid_on, *unit],
            HANDLER)


@FUZZ
@given(project_name=TEXT, enterprise=TEXT, unit=_maybe("--unit", UNIT))
def test_filing_add(fuzzed: Cli, project_name: str, enterprise: str, unit: list[str]) -> None:
    attempt(fuzzed, ["filing", "add", "--project-name", project_name, "--enterprise", enterprise, *unit], SECRETARIAT)


@FUZZ
@given(month=MONTH, value=AMOUNT, code=st.one_of(st.just("FAI"), TEXT))
def test_indicator_record(fuzzed: Cli, month: str, value: str, code: str) -> None:
    attempt(fuzzed, ["indicator", "record", code, "--month", month, "--value", value], SECRETARIAT)


@FUZZ
@given(code=st.one_of(st.sampled_from(["SRV", "Q-2024-0001", "GDP.1"]), TEXT), name=TEXT, measure=TEXT,
       target=AMOUNT, tolerance=_maybe("--tolerance", AMOUNT))
def test_indicator_add(fuzzed: Cli, code: str, name: str, measure: str, target: str, tolerance: list[str]) -> None:
    attempt(fuzzed, ["indicator", "add", code, name, "--unit", measure, "--target", target, *tolerance], SECRETARIAT)


@FUZZ
@given(office=TEXT, on=DATE, topic=TEXT)
def test_report_up_add(fuzzed: Cli, office: str, on: str, topic: str) -> None:
    attempt(fuzzed, ["report-up", "add", "--to", office, "--date", on, "--topic", topic], HANDLER)


@FUZZ
@given(name=_maybe("--name", TEXT), total=_maybe("--total", AMOUNT), plan=_maybe("--annual-plan", AMOUNT),
       year=_maybe("--plan-year", INTEGER), start=_maybe("--planned-start", DATE))
def test_project_update(fuzzed: Cli, name: list[str], total: list[str], plan: list[str], year: list[str],
                        start: list[str]) -> None:
    attempt(fuzzed, ["project", "update", "P-001", *name, *total, *plan, *year, *start], SECRETARIAT)


@FUZZ
@given(key=st.one_of(st.sampled_from(["amounts.max_yuan", "reports.folder", "filings.limit_days", "web.base_url",
                                      "projects.red_points", "intake.auto_assign_categories"]), TEXT),
       value=st.one_of(AMOUNT, TEXT))
def test_setting_set(fuzzed: Cli, key: str, value: str) -> None:
    attempt(fuzzed, ["setting", "set", key, value], ADMIN)


READS: list[tuple[str, ...]] = [
    ("issue", "list", "--state"), ("issue", "list", "--light"), ("issue", "list", "--level"), ("issue", "show"),
    ("task", "list", "--plan"), ("fund", "disbursements", "--year"), ("report-up", "weeks", "--year"),
    ("meeting", "list", "--year"), ("filing", "list", "--state"), ("indicator", "show"), ("project", "show"),
    ("report", "weekly", "--week"), ("report", "monthly", "--month"), ("report", "quarterly", "--quarter"),
    ("report", "annual", "--year"), ("project", "progress", "P-001", "--month"), ("calendar", "show"),
]


@FUZZ
@given(command=st.sampled_from(READS), value=st.one_of(INTEGER, TEXT, DATE, MONTH,
                                                      st.sampled_from(["9999-12", "0001Q1", "0000", "2024-W53"])))
def test_reads(fuzzed: Cli, command: tuple[str, ...], value: str) -> None:
    attempt(fuzzed, [*command, value], SECRETARIAT)
