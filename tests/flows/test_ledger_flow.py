"""The `import-ledger` flow, run for real under the session's Prefect test harness."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import text

from coordination.services import audit, ledger
from flows.ledger import import_ledger

PROBLEMS = [
    {"项目编号": "DQ-2024-007", "问题标题": "二期用地指标未落实", "问题类别": "用地", "责任单位": "区自然资源和规划局"},
    {"项目编号": "DQ-2024-007", "问题标题": "35千伏供电专线接入滞后", "问题类别": "配套"},
]


def ledger_file(district: Any, path: Path, rows: list[dict[str, Any]]) -> Path:
    ledger.write_template(district.uow(), path=path)
    book = openpyxl.load_workbook(path)
    sheet = book["问题"]
    headers = [c.value for c in sheet[1]]
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    book.save(path)
    return path


def origins(district: Any) -> list[str]:
    with district.engine.connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT origin FROM audit_event WHERE stream_type = 'problem'"))]


def test_an_import_ledger_run_writes_its_run_id_into_every_event_and_a_rerun_changes_nothing(
    district: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COORD_NOW", "2024-06-03T10:00:00+08:00")
    path = ledger_file(district, tmp_path / "东区台账.xlsx", PROBLEMS)
    db = district.url
    state = import_ledger(str(path), district.secretariat, db=db, return_state=True)
    assert state.is_completed()
    result = state.result()
    assert result["problems_raised"] == ["Q-2024-0001", "Q-2024-0002"] and result["events"] == 3
    assert set(origins(district)) == {f"flow-run:{state.state_details.flow_run_id}"}
    again = import_ledger(str(path), district.secretariat, db=db, return_state=True)
    assert again.result()["events"] == 0
    assert audit.verify_chains(district.uow()).ok


def test_a_broken_ledger_fails_the_run_and_writes_nothing(
    district: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COORD_NOW", "2024-06-03T10:00:00+08:00")
    path = ledger_file(district, tmp_path / "broken.xlsx", [*PROBLEMS, {"项目编号": "P-404", "问题标题": "x",
                                                                        "问题类别": "用地"}])
    events = district.audit_count()
    state = import_ledger(str(path), district.secretariat, db=district.url, return_state=True)
    assert state.is_failed()
    assert district.audit_count() == events
