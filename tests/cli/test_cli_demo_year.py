"""`coord demo` builds a district's year and more, lived day by day: one build for the module (a real SQLite
file, the clock fixed on Monday 30 November 2026), then its reports, its dashboard, its audit chain and its
web sign-in read through the command line and the web app, as a newcomer would.

The weekly report of the last complete week, the monthly and quarterly reports have new and closed problems
and meetings; last year's annual summary fills every blank from records; every demo person signs in to
`coord web` with the one demo password.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from typer.testing import CliRunner

from coordination.services.demo import DEMO_PASSWORD, TRY_AS
from coordination.services.demo_district import PEOPLE
from tests.cli.conftest import Cli
from tests.demo_builds import YEAR_NOW, year_demo, year_environment

NOW = YEAR_NOW  # a Monday: the last complete week is 2026-W48


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    env = year_environment(year_demo(tmp_path_factory))
    return Cli(CliRunner(), env, env["COORD_DATABASE_URL"])


def built(cli: Cli) -> dict[str, Any]:
    return cli.json("demo")  # a second `coord demo` leaves the district alone and says so


def rows(cli: Cli, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(cli.db_path) as connection:
        return connection.execute(sql).fetchall()


def test_the_summary_counts_a_year_of_work_and_names_the_web_password(year: Cli) -> None:
    again = built(year)
    assert again["already_built"] is True
    assert again["web"] == {"password": DEMO_PASSWORD, "try_as": TRY_AS}
    (problems,), (meetings,), (events,) = (rows(year, f"SELECT count(*) FROM {t}")[0]
                                          for t in ("problem", "meeting", "audit_event"))
    assert 350 <= problems <= 550 and meetings >= 100 and events >= 6000  # about 400 in two calendar years
    assert rows(year, "SELECT count(*) FROM project")[0][0] == 40
    levels = dict(rows(year, "SELECT level, count(*) FROM project GROUP BY level"))
    kinds = dict(rows(year, "SELECT kind, count(*) FROM project GROUP BY kind"))
    assert set(levels) == {"provincial", "municipal", "district"}
    assert set(kinds) == {"industry", "livelihood", "infrastructure"}
    assert "演示区已存在" in year("demo").stderr


def test_problems_live_every_part_of_the_transition_table(year: Cli) -> None:
    listed = year.json("issue", "list")
    states = {p["state"] for p in listed}
    assert states >= {"submitted", "in_progress", "resolution_submitted", "closed", "closed_explained", "withdrawn",
                      "long_term"}
    actions = {a for (a,) in rows(year, "SELECT DISTINCT action FROM audit_event WHERE stream_type = 'problem'")}
    assert actions >= {"raise", "assign", "acknowledge", "dispute", "progress", "request_extension",
                       "approve_extension", "escalate", "resolve", "verify", "reject", "explain", "long_term",
                       "withdraw", "reopen", "decide", "light_change", "remind"}
    by_system = {a for (a,) in rows(year, "SELECT DISTINCT action FROM audit_event WHERE actor = 'system' "
                                         "AND stream_type = 'problem'")}
    assert "escalate" in by_system  # the sweep escalated the long overdue by itself
    kinds = dict(rows(year, "SELECT kind, count(*) FROM meeting WHERE state = 'closed' GROUP BY kind"))
    assert kinds.get("task-force", 0) >= 80 and kinds.get("leader", 0) >= 1
    sweeps = rows(year, "SELECT count(*) FROM audit_event WHERE stream_type = 'sweep'")[0][0]
    assert sweeps >= 450  # every working day since 1 January of last year


@pytest.mark.parametrize("cadence", ["weekly", "monthly", "quarterly"])
def test_the_last_complete_period_has_new_and_closed_problems_and_meetings(year: Cli, cadence: str) -> None:
    report = year.json("report", cadence)
    totals = report["problems"]["totals"]
    assert totals["new"] > 0 and totals["closed"] > 0 and totals["in_hand_end"] > 0
    assert report["meetings"]["count"] > 0 and report["meetings"]["decisions"] > 0
    assert any(u["closure_rate"] for u in report["problems"]["by_unit"])


def test_the_weekly_report_in_word_shows_the_weeks_figures(year: Cli, tmp_path: Path) -> None:
    report = year.json("report", "weekly")
    assert report["period"]["name"] == "2026-W48"
    out = tmp_path / "周汇报.docx"
    year("report", "weekly", "--format", "docx", "--out", str(out))
    document = Document(str(out))
    overall = {r.cells[0].text: r.cells[1].text for r in document.tables[0].rows}
    totals = report["problems"]["totals"]
    assert overall["新增问题"] == str(totals["new"]) != "0"
    assert overall["办结销号"] == str(totals["closed"]) != "0"
    assert overall["召开协调会议（次）"] == str(report["meetings"]["count"]) != "0"
    assert "2026年第48周" in "\n".join(p.text for p in document.paragraphs)


def test_last_years_annual_summary_fills_every_blank(year: Cli) -> None:
    report = year.json("report", "annual")
    assert report["period"]["name"] == "2025"
    assert report["missing_kinds"] == []
    assert len(report["blanks"]) == 50 and all(b["has_records"] for b in report["blanks"])
    zero = [b["id"] for b in report["blanks"] if float(b["figure"]) == 0]
    assert zero == []
    assert "本年度尚无" not in report["annual"]["paragraph"]


def test_the_dashboard_and_the_audit_chain(year: Cli) -> None:
    board = year.json("dashboard")
    assert sum(board["by_state"].values()) == rows(year, "SELECT count(*) FROM problem")[0][0]
    assert sum(board["lights"].values()) > 0
    shown = year("dashboard")
    assert shown.exit_code == 0 and "问题状态" in shown.stdout
    verified = year("audit", "verify")
    assert verified.exit_code == 0, verified.output


@pytest.mark.parametrize("who", sorted(TRY_AS))
def test_the_demo_password_signs_in_to_the_web(year: Cli, who: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    from coordination.web.app import create_app
    from coordination.web.signin import LOGIN_CSRF_COOKIE

    monkeypatch.setenv("COORD_NOW", NOW)
    handle = TRY_AS[who]
    with TestClient(create_app(year.url, secure_cookies=False), follow_redirects=False) as browser:
        assert browser.get("/login").status_code == 200
        token = browser.cookies.get(LOGIN_CSRF_COOKIE) or ""
        wrong = browser.post("/login", data={"handle": handle, "password": "not-the-password", "csrf_token": token,
                                             "next": "/"})
        assert wrong.status_code != 303
        browser.get("/login")
        token = browser.cookies.get(LOGIN_CSRF_COOKIE) or ""
        signed = browser.post("/login", data={"handle": handle, "password": DEMO_PASSWORD, "csrf_token": token,
                                              "next": "/"})
        assert signed.status_code == 303 and signed.headers["location"] == "/", signed.text
        home = browser.get("/")
        name = next(n for h, n, _unit, _roles in PEOPLE if h == handle)
        assert home.status_code == 200 and name in home.text
