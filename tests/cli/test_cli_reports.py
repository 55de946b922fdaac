"""`coord report …` from the command line: periods, formats, files, and refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from tests.cli.conftest import Cli


def test_weekly_report_in_every_format(district: Cli, tmp_path: Path) -> None:
    pid = district.json("issue", "raise", "--project", "P-001", "--title", "二期用地指标尚未落实", "--category",
                        "用地", as_="li.zhuanyuan")["id"]
    district.json("issue", "assign", pid, "--unit", "ZRZY", as_="wang.mishu")
    later = "2024-10-14T09:00:00+08:00"  # the Monday after: W41 is complete

    data = district.json("report", "weekly", "--week", "2024-W41", now=later)
    assert data["period"]["name"] == "2024-W41" and data["problems"]["totals"]["new"] == 1
    assert district.json("report", "weekly", now=later) == data, "the default is the last complete week"

    table = district("report", "weekly", "--week", "2024-W41", now=later)
    assert table.exit_code == 0 and "重大项目问题协调推进周汇报" in table.stdout and "总体情况" in table.stdout
    markdown = district("report", "weekly", "--week", "2024-W41", "--format", "md", now=later)
    assert "| 新增问题 | 1 |" in markdown.stdout
    english = district("report", "weekly", "--week", "2024-W41", "--format", "md", "--lang", "en", now=later)
    assert "| New | 1 |" in english.stdout

    xlsx = tmp_path / "周汇报.xlsx"
    written = district("report", "weekly", "--week", "2024-W41", "--format", "xlsx", "--out", str(xlsx), now=later)
    assert written.exit_code == 0, written.output
    overview = {r[0]: r[1] for r in load_workbook(xlsx)["总体"].iter_rows(min_row=3, values_only=True)}
    assert overview["新增问题"] == 1
    docx = tmp_path / "周汇报.docx"
    assert district("report", "weekly", "--week", "2024-W41", "--format", "docx", "--out", str(docx),
                    now=later).exit_code == 0
    assert Document(str(docx)).paragraphs[0].text == "重大项目问题协调推进周汇报"
    out_json = tmp_path / "周汇报.json"
    district("report", "weekly", "--week", "2024-W41", "--format", "json", "--out", str(out_json), now=later)
    assert json.loads(out_json.read_text(encoding="utf-8")) == data


def test_long_lists_are_capped_in_the_table_and_markdown_and_whole_in_json(
    district: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    from coordination.render import report as render

    monkeypatch.setattr(render, "LIST_CAP", 1)
    for title in ("二期用地指标尚未落实", "厂区消防验收排期"):
        district.json("issue", "raise", "--project", "P-001", "--title", title, "--category", "用地",
                      as_="li.zhuanyuan")
    later = "2024-10-14T09:00:00+08:00"

    data = district.json("report", "weekly", "--week", "2024-W41", now=later)
    assert len(data["problems"]["lists"]["new"]) == len(data["problems"]["lists"]["in_hand"]) == 2
    table = district("report", "weekly", "--week", "2024-W41", now=later)
    assert table.exit_code == 0 and table.stdout.count("另有 1 个") == 2, "the new and in-hand lists"
    markdown = district("report", "weekly", "--week", "2024-W41", "--format", "md", now=later)
    assert markdown.stdout.count("| 另有 1 个 |") == 2
    xlsx = tmp_path / "周汇报.xlsx"
    assert district("report", "weekly", "--week", "2024-W41", "--format", "xlsx", "--out", str(xlsx),
                    now=later).exit_code == 0
    assert len(list(load_workbook(xlsx)["推进清单"].iter_rows(min_row=3))) == 2


def test_monthly_quarterly_and_annual_reports_run(district: Cli) -> None:
    monthly = district.json("report", "monthly", "--month", "2024-10")
    assert monthly["cadence"] == "monthly" and len(monthly["trend"]) == 6 and "projects" in monthly
    quarterly = district.json("report", "quarterly", "--quarter", "2024Q4")
    assert [d["leader"] for d in quarterly["dispatch"]] == ["chen.fuquzhang"]
    annual = district.json("report", "annual", "--year", "2024")
    assert "提请区领导共会办0次" in annual["annual"]["paragraph"]


def test_bad_report_requests_are_refused(district: Cli) -> None:
    assert district("report", "weekly", "--week", "2024-15").exit_code == 2
    assert district("report", "monthly", "--month", "2024-13").exit_code == 2
    assert district("report", "weekly", "--format", "xlsx").exit_code == 2
    assert district("report", "weekly", "--format", "pdf").exit_code == 2
