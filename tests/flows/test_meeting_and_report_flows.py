"""Meeting preparation and the scheduled reports, each run for real under the harness."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import text

from coordination.config import DISTRICT_TZ
from coordination.domain.enums import Action, Difficulty
from coordination.services import settings
from flows.meetings import meeting_prep
from flows.reports import weekly_report


def local(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=DISTRICT_TZ).astimezone(UTC)


def on_agenda(d: Any, title: str, day: date) -> str:
    pid: str = d.raise_problem(title=title, now=local(day))
    d.act(d.secretariat, pid, Action.ASSIGN, now=local(day), unit=d.solving_unit, difficulty=Difficulty.B)
    d.act(d.handler, pid, Action.ACKNOWLEDGE, now=local(day, 10))
    d.act(d.handler, pid, Action.ESCALATE, now=local(day, 11), reason="需专班会商")
    return pid


def rows(d: Any, sql: str) -> list[tuple[Any, ...]]:
    with d.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def test_meeting_prep_plans_wednesdays_consultation_and_tells_the_units(
    district: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    pid = on_agenda(district, "二期用地指标未落实", date(2024, 6, 3))
    monkeypatch.setenv("COORD_NOW", "2024-06-04T16:00:00+08:00")  # Tuesday afternoon

    state = meeting_prep(db=district.url, return_state=True)
    result = state.result()

    assert result["date"] == "2024-06-05"
    meeting = result["meeting"]
    assert meeting["kind"] == "task-force" and [i["id"] for i in meeting["agenda"]] == [pid]
    notices = rows(district, "SELECT kind, unit, origin FROM outbox WHERE kind = 'meeting'")
    assert notices == [("meeting", district.solving_unit, f"flow-run:{state.state_details.flow_run_id}")]
    again = meeting_prep(db=district.url)
    assert again["meeting"] is None, "the same Wednesday is planned once"


def test_weekly_report_flow_writes_files_and_queues_a_notice(
    district: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    on_agenda(district, "110kV 专线接入方案未批复", date(2024, 6, 4))
    settings.set_setting(district.uow(), caller=district.caller(district.admin), key="reports.folder",
                         value=str(tmp_path / "reports"))
    monkeypatch.setenv("COORD_NOW", "2024-06-10T08:30:00+08:00")  # Monday, 端午节: W23 waits a day
    resting = weekly_report(db=district.url)
    monkeypatch.setenv("COORD_NOW", "2024-06-11T08:30:00+08:00")  # Tuesday, the next working morning

    result = weekly_report(db=district.url)

    assert (resting["period"], resting["published"]) == ("2024-W23", False)

    assert result["period"] == "2024-W23"
    names = sorted(Path(f).name for f in result["files"])
    assert names == ["周汇报-2024-W23.docx", "周汇报-2024-W23.md", "周汇报-2024-W23.xlsx"]
    workbook = load_workbook(tmp_path / "reports" / "周汇报-2024-W23.xlsx")
    overview = {r[0]: r[1] for r in workbook["总体"].iter_rows(min_row=3, values_only=True)}
    assert overview["新增问题"] == 1 and overview["提级（次）"] == 1
    word = Document(str(tmp_path / "reports" / "周汇报-2024-W23.docx"))
    assert word.paragraphs[0].text == "重大项目问题协调推进周汇报"
    assert rows(district, "SELECT kind, unit FROM outbox WHERE kind = 'report'") == [("report", None)]
    published = rows(district, "SELECT stream_id, origin FROM audit_event WHERE stream_type = 'report'")
    assert published[0][0] == "weekly:2024-W23" and published[0][1].startswith("flow-run:")
