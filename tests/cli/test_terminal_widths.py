"""The terminal at 60, 80 and 100 columns: ids, dates and figures are never cut or split.

Each screen is rendered through the command line on the demo district at each width; what the JSON
output of the same command holds — problem and meeting ids, due dates, amounts and percentages — must
appear whole on one line of the terminal, as many times as the screen shows it. People, units and
projects are shown by name (their codes stay in the JSON), levels as L1–L5 and lights as a dot and
a word.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from coordination.config import DISTRICT_TZ
from coordination.render.report import LIST_CAP
from tests.cli.conftest import Cli
from tests.demo_builds import year_demo, year_environment

pytestmark = pytest.mark.sqlite_only  # rendering, not storage: one back end is enough

WIDTHS = (60, 80, 100)
LIGHT_WORDS = {"zh": {"red": "● 红灯", "yellow": "● 黄灯", "green": "● 绿灯"},
               "en": {"red": "● red", "yellow": "● yellow", "green": "● green"}}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """The demo district (one build for the whole run: its year of history takes a while); screens only read it."""
    env = year_environment(year_demo(tmp_path_factory))
    return Cli(CliRunner(), env, env["COORD_DATABASE_URL"])


def screen(cli: Cli, width: int, *args: str, lang: str = "zh") -> str:
    """The command's terminal output at `width` columns; no line is wider than the terminal."""
    wide = Cli(cli.runner, {**cli.env, "COLUMNS": str(width)}, cli.url)
    result = wide(*args, "--lang", lang)
    assert result.exit_code == 0, result.output
    for line in result.stdout.splitlines():
        assert cell_len(line) <= width, (width, line)
    return result.stdout


def occurrences(text: str, token: str) -> int:
    """How many times `token` stands whole in `text`, on one line, not part of a longer id or number."""
    return len(re.findall(rf"(?<![\w.,\-]){re.escape(token)}(?![\w.,\-]|-\d)", text))


def assert_whole(text: str, tokens: Iterable[str], where: str) -> None:
    for token, wanted in Counter(t for t in tokens if t).items():
        found = occurrences(text, token)
        assert found >= wanted, f"{where}: {token!r} whole {found} times, wanted {wanted}\n{text}"


def assert_names_not_codes(text: str, demo: Cli, *, units: Iterable[str] = (), people: Iterable[str] = (),
                           projects: Iterable[str] = (), names_whole: bool = True) -> None:
    """No code on the terminal; each name is there (when `names_whole`: a table may wrap a name between
    its lines, so only a panel or the records a narrow terminal gets are asked to hold it whole)."""
    unit_names = {u["code"]: u["name"] for u in demo.json("unit", "list")}
    person_names = {p["handle"]: p["name"] for p in demo.json("person", "list")}
    project_names = {p["code"]: p["name"] for p in demo.json("project", "list")}
    flat = re.sub(r"[\s│]", "", text)  # names may wrap inside a panel's cell
    for codes, names in ((units, unit_names), (people, person_names), (projects, project_names)):
        for code in set(codes) - {None, ""}:
            assert not names_whole or names[code] in flat, (code, names[code])
            assert occurrences(text, code) == 0, f"code {code} on the terminal\n{text}"


def problem_tokens(rows: list[dict[str, Any]], lang: str) -> dict[str, list[str]]:
    return {
        "ids": [r["id"] for r in rows],
        "dates": [r["due_date"] for r in rows if r.get("due_date")],
        "levels": [f"L{r['level']}" for r in rows],
        "lights": [LIGHT_WORDS[lang][r["light"]] for r in rows if r.get("light")],
    }


def assert_problems(text: str, rows: list[dict[str, Any]], lang: str, where: str) -> None:
    tokens = problem_tokens(rows, lang)
    assert_whole(text, tokens["ids"] + tokens["dates"] + tokens["levels"], where)
    for light, wanted in Counter(tokens["lights"]).items():
        assert text.count(light) >= wanted, (where, light)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_issue_list_and_queue_keep_ids_dates_levels_and_lights_whole(demo: Cli, lang: str) -> None:
    problems = demo.json("issue", "list")
    queue = demo.json("queue")
    assert problems and queue
    for width in WIDTHS:
        listed = screen(demo, width, "issue", "list", lang=lang)
        assert_problems(listed, problems, lang, f"issue list @{width}")
        assert_names_not_codes(listed, demo, projects=[p["project"] for p in problems],
                               units=[p["lead_unit"] for p in problems], names_whole=width == 60)
        assert_problems(screen(demo, width, "queue", lang=lang), queue, lang, f"queue @{width}")
        assert_problems(screen(demo, width, "dashboard", lang=lang), queue, lang, f"dashboard @{width}")


def test_issue_show_names_the_raiser_the_unit_and_the_project(demo: Cli) -> None:
    shown = next(p for p in demo.json("issue", "list") if p.get("lead_unit") and p.get("due_date"))
    detail = demo.json("issue", "show", shown["id"])
    for width in WIDTHS:
        text = screen(demo, width, "issue", "show", shown["id"])
        assert_whole(text, [detail["id"], detail["due_date"], detail["raised_on"]], f"issue show @{width}")
        assert f"L{detail['level']} " in text
        if detail.get("light"):
            assert LIGHT_WORDS["zh"][detail["light"]] in text
        assert_names_not_codes(text, demo, units=[detail["lead_unit"], *detail["co_units"]],
                               people=[detail["raised_by"]], projects=[detail["project"]])
        for event in detail["timeline"]:  # each event's time stays on one line (shown in district time)
            local = datetime.fromisoformat(event["at"]).astimezone(DISTRICT_TZ).date().isoformat()
            assert_whole(text, [local], f"issue show @{width}")


def test_issue_history_keeps_times_whole(demo: Cli) -> None:
    shown = demo.json("issue", "list")[0]
    events = demo.json("issue", "history", shown["id"])
    for width in WIDTHS:
        text = screen(demo, width, "issue", "history", shown["id"])
        times = re.findall(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", text)
        assert len(times) == len(events), (width, text)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_project_list_and_portfolio_keep_amounts_and_percentages_whole(demo: Cli, lang: str) -> None:
    projects = demo.json("project", "list")
    groups = demo.json("project", "portfolio")["groups"]
    figures = ("annual_plan_wan", "done_ytd_wan", "completion_rate", "target", "gap")
    for width in WIDTHS:
        listed = screen(demo, width, "project", "list", lang=lang)
        wanted = [p["code"] for p in projects] + [p["total_investment_wan"] for p in projects]
        wanted += [p["figures"][key] for p in projects for key in figures]
        assert_whole(listed, wanted, f"project list @{width}")
        for project in projects:  # a project without this year's plan (completed last year) has no light
            if project["figures"]["light"] is not None:
                assert listed.count(LIGHT_WORDS[lang][project["figures"]["light"]]) >= 1
        portfolio = screen(demo, width, "project", "portfolio", lang=lang)
        group_figures = ("total_investment_wan", "start_rate", "annual_plan_wan", "done_ytd_wan",
                         "completion_rate", "target", "gap")
        assert_whole(portfolio, [g[key] for g in groups for key in group_figures], f"portfolio @{width}")


def test_project_show_names_its_roster(demo: Cli) -> None:
    project = demo.json("project", "show", "P-001")
    for width in WIDTHS:
        text = screen(demo, width, "project", "show", "P-001")
        assert_whole(text, [project["figures"][key] for key in ("annual_plan_wan", "done_ytd_wan", "completion_rate")]
                     + [p["id"] for p in project["problems"]], f"project show @{width}")
        assert_names_not_codes(text, demo, units=[project["locality"], project["lead_unit"], *project["helpers"]],
                               people=[*project["leaders"], *project["specialists"]])


@pytest.mark.parametrize("cadence", ["weekly", "monthly"])
def test_reports_keep_ids_dates_and_levels_whole(demo: Cli, cadence: str) -> None:
    report = demo.json("report", cadence)
    lists = report["problems"]["lists"]
    # The terminal shows each list's first LIST_CAP lines (a year's demo has longer lists than that).
    rows = [item for key in ("new", "in_hand", "closed") for item in lists[key][:LIST_CAP]]
    queued = [item for queue in report["queues"] for item in queue["items"]]
    assert rows
    for lang in ("zh", "en"):
        for width in WIDTHS:
            text = screen(demo, width, "report", cadence, lang=lang)
            assert_problems(text, rows + queued, lang, f"report {cadence} {lang} @{width}")
            held = report["meetings"]["held"]
            assert_whole(text, [m["id"] for m in held] + [m["date"] for m in held], f"report {cadence} @{width}")


def test_meetings_keep_ids_dates_and_minutes_numbers_whole(demo: Cli) -> None:
    meetings = demo.json("meeting", "list")
    assert meetings
    for width in WIDTHS:
        listed = screen(demo, width, "meeting", "list")
        assert_whole(listed, [m["id"] for m in meetings] + [m["date"] for m in meetings]
                     + [m["minutes_number"] for m in meetings if m["minutes_number"]], f"meeting list @{width}")
        # A year holds a hundred meetings: one of each kind and state, and the longest agenda, are shown.
        shown_ones = {(m["kind"], m["state"]): m for m in reversed(meetings)}
        longest = max(meetings, key=lambda m: len(m["agenda"]))
        for meeting in sorted({m["id"]: m for m in (*shown_ones.values(), longest)}.values(), key=lambda m: m["id"]):
            shown = screen(demo, width, "meeting", "show", meeting["id"])
            agenda = meeting["agenda"]
            assert_whole(shown, [meeting["id"], meeting["date"]] + [a["id"] for a in agenda]
                         + [a["due_date"] for a in agenda if a.get("due_date")], f"meeting show @{width}")
            assert_names_not_codes(shown, demo, people=[meeting["chair"]], projects=[a["project"] for a in agenda],
                                   names_whole=width == 60)


def test_json_output_keeps_the_codes(demo: Cli) -> None:
    problem = demo.json("issue", "list")[0]
    assert re.fullmatch(r"P-\d{3}", problem["project"])
    assert demo.json("issue", "show", problem["id"])["raised_by"] == problem["raised_by"]
