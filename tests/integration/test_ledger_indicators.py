"""The ledger's 指标 sheet through the services, with real .xlsx files: each row a month's figure recorded as
`coord indicator record` records it (its rules, its audit event, its notice), all or nothing with the rest
of the workbook; unknown codes and bad figures are row-level issues; the export imports again unchanged.

The district is tests/conftest.py's: FAI is reported by 区自然资源和规划局 (ZRZY); today is 2024-06-03.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import text

from coordination.domain.errors import NotPermitted
from coordination.domain.indicator_workflow import IndicatorAction
from coordination.services import audit, indicators, ledger
from coordination.services.ledger import ImportResult, LedgerInvalid

Rows = list[dict[str, Any]]
FIGURES: Rows = [
    {"指标代码": "FAI", "月份": "2024-03", "数值": 7.2},
    {"指标代码": "fai", "月份": "2024年4月", "数值": "7.60"},
    {"指标代码": "FAI", "月份": "2024-05", "数值": "5.5"},  # two points behind: red
]


@pytest.fixture
def template(district: Any, tmp_path: Path) -> Path:
    path = tmp_path / "template.xlsx"
    ledger.write_template(district.uow(), path=path)
    return path


def fill(template: Path, target: Path, sheets: dict[str, Rows]) -> Path:
    """The template with `sheets` appended under its headers, as a clerk would."""
    book = openpyxl.load_workbook(template)
    for title, rows in sheets.items():
        sheet = book[title]
        headers = [c.value for c in sheet[1]]
        assert not {k for r in rows for k in r} - set(headers)
        for row in rows:
            sheet.append([row.get(h) for h in headers])
    book.save(target)
    return target


def run(district: Any, path: Path, who: str | None = None, **options: Any) -> ImportResult:
    caller = district.caller(who or district.secretariat, origin=ledger.import_origin(path))
    return ledger.import_ledger(district.uow(), caller=caller, path=path, **options)


def snapshot(district: Any) -> dict[str, list[tuple[Any, ...]]]:
    with district.engine.connect() as conn:
        return {t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1, 2"))]
                for t in ("indicator", "indicator_value", "project_progress", "audit_event", "outbox")}


def test_the_sheet_records_figures_through_the_record_path_and_its_export_imports_unchanged(
    district: Any, template: Path, tmp_path: Path
) -> None:
    code = district.add_indicator()
    result = run(district, fill(template, tmp_path / "东区台账.xlsx", {"指标": FIGURES}))
    assert (result.indicator_values, result.events, result.sheets["指标"]) == (3, 3, "indicators")
    assert result.to_json()["indicator_values"] == 3
    assert district.indicator_values(code) == {"2024-03": "7.2", "2024-04": "7.6", "2024-05": "5.5"}
    row = district.indicator_row(code)
    assert (row["latest_month"], row["latest_value"], row["version"]) == ("2024-05", "5.5", 4)
    events = district.stream_events("indicator", code)[1:]
    assert {e["origin"] for e in events} == {"import:东区台账.xlsx"}
    assert [json.loads(e["payload"])["month"] for e in events] == ["2024-03", "2024-04", "2024-05"]
    # red (7.2), yellow (7.6), red again (5.5): the unit and the secretariat are told each time it turns red
    assert [(m["key"], m["unit"]) for m in district.outbox()] == [
        (f"record:{code}:2", "ZRZY"), (f"record:{code}:2:district", None),
        (f"record:{code}:4", "ZRZY"), (f"record:{code}:4:district", None)]
    replayed, stored = indicators.replayed_values(district.uow(), code=code)
    assert replayed == stored and audit.verify_chains(district.uow()).ok

    exported = tmp_path / "export.xlsx"
    written = ledger.export_ledger(district.uow(), path=exported, today=district.now.date())
    assert written.indicators == 3
    sheet = openpyxl.load_workbook(exported)["指标"]
    assert [tuple(r) for r in sheet.iter_rows(values_only=True)] == [
        ("指标代码", "指标名称", "月份", "数值"), ("FAI", "固定资产投资累计增速", "2024-03", "7.2"),
        ("FAI", "固定资产投资累计增速", "2024-04", "7.6"), ("FAI", "固定资产投资累计增速", "2024-05", "5.5")]
    before = snapshot(district)
    again = run(district, exported)
    assert (again.events, again.indicator_values, again.unchanged_rows) == (0, 0, 4)  # the project and 3 months
    assert snapshot(district) == before


def test_a_changed_figure_corrects_its_month_and_keeps_the_latest(district: Any, template: Path,
                                                                   tmp_path: Path) -> None:
    code = district.add_indicator()
    run(district, fill(template, tmp_path / "first.xlsx", {"指标": FIGURES}))
    changed = [{**FIGURES[0], "数值": "7.3"}, FIGURES[1]]
    result = run(district, fill(template, tmp_path / "second.xlsx", {"指标": changed}))
    assert (result.indicator_values, result.unchanged_rows) == (1, 1)
    assert district.indicator_values(code)["2024-03"] == "7.3"
    assert district.indicator_row(code)["latest_month"] == "2024-05"
    assert json.loads(district.stream_events("indicator", code)[-1]["payload"])["previous_value"] == "7.2"


def test_bad_rows_are_named_and_nothing_of_the_workbook_is_written(district: Any, template: Path,
                                                                    tmp_path: Path) -> None:
    code = district.add_indicator()
    district.add_indicator("OLD", "已停止的指标")
    district.indicator_act(district.secretariat, "OLD", IndicatorAction.RETIRE)
    months = [{"项目编号": district.project, "月份": "2024-05", "当月完成投资（万元）": 300}]
    rows = [
        FIGURES[0],
        {"指标代码": "GDP", "月份": "2024-05", "数值": "5"},  # row 3: unknown code
        {"指标代码": "FAI", "月份": "2024-04", "数值": "NaN"},  # row 4: not a number
        {"指标代码": "FAI", "月份": "2024-07", "数值": "8"},  # row 5: a month still to come
        {"指标代码": "FAI", "月份": "2024-03", "数值": "7.4"},  # row 6: repeats row 2
        {"指标代码": "OLD", "月份": "2024-05", "数值": "1"},  # row 7: no longer watched
        {"指标代码": "FAI", "月份": None, "数值": "1.23456"},  # row 8: no month, five decimals
    ]
    path = fill(template, tmp_path / "ledger.xlsx", {"投资进度": months, "指标": rows})
    before = snapshot(district)
    with pytest.raises(LedgerInvalid) as invalid:
        run(district, path)
    assert snapshot(district) == before and district.indicator_values(code) == {}
    where = sorted((i.sheet, i.row, i.column) for i in invalid.value.issues if not i.warning)
    assert where == [("指标", 3, "A"), ("指标", 4, "D"), ("指标", 5, "C"), ("指标", 6, "C"), ("指标", 7, "A"),
                     ("指标", 8, "C"), ("指标", 8, "D")]
    message = invalid.value.zh
    assert "指标!A3（指标代码）：未知指标代码“GDP”" in message
    assert "指标!D4（数值）：数值“NaN”不是有效数字" in message
    assert "指标!C5（月份）：月份 2024-07 尚未到来" in message
    assert "指标!C6（月份）：指标 FAI 的 2024-03 与第 2 行重复" in message
    assert "指标!A7（指标代码）：指标 OLD 当前为停止监测，不能填报" in message


def test_only_the_reporting_units_staff_and_the_secretariat_may_import_its_figures(
    district: Any, template: Path, tmp_path: Path
) -> None:
    code = district.add_indicator()
    path = fill(template, tmp_path / "ledger.xlsx", {"指标": FIGURES[:1]})
    before = snapshot(district)
    with pytest.raises(NotPermitted) as refused:
        run(district, path, who=district.other_handler)
    assert "指标!" in refused.value.zh and district.other_handler in refused.value.zh
    assert snapshot(district) == before
    dry = run(district, path, who=district.handler, dry_run=True)
    assert (dry.dry_run, dry.indicator_values, dry.events) == (True, 1, 1) and snapshot(district) == before
    assert run(district, path, who=district.handler).indicator_values == 1
    assert district.indicator_values(code) == {"2024-03": "7.2"}
