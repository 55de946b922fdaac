"""Word reports and minutes follow GB/T 9704-2012 (党政机关公文格式), read back with python-docx.

A4 with the standard margins; 小标宋 titles, 仿宋 body, 黑体 and 楷体 headings, every run naming its East
Asian font and coloured black; "— N —" page numbers from a PAGE field; tables within the 156 mm type
area with ids and dates on one line; the opening paragraph, the office and date; 附件 for long lists;
minutes naming each unit once under 出席 and 列席, and 抄送.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn

from coordination.domain.meetings import MeetingKind, minutes_number
from coordination.domain.periods import Cadence
from coordination.render import gongwen, report_word
from coordination.render import report as render
from coordination.render.minutes import minutes_docx
from coordination.services import meeting_reads, meetings, reports
from tests.integration.test_meetings import MEETING_DAY, assign_decision, plan, waiting_at
from tests.integration.test_report_lists import W25, in_hand_problems

BODY_FONTS = {"仿宋_GB2312", "仿宋"}
EMU_PER_MM = 36_000


def east_asian(run: Any) -> str | None:
    rpr = run._element.rPr
    fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def size_pt(run: Any) -> float:
    assert run.font.size is not None, f"run {run.text!r} has no size of its own"
    return float(run.font.size.pt)


def text_runs(word: Any) -> list[Any]:
    runs = [r for p in word.paragraphs for r in p.runs]
    runs += [r for t in word.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    runs += [r for s in word.sections for p in s.footer.paragraphs for r in p.runs]
    return runs


def paragraph(word: Any, start: str) -> Any:
    return next(p for p in word.paragraphs if p.text.startswith(start))


def assert_a4_with_gongwen_margins(word: Any) -> None:
    for section in word.sections:
        for length, mm in ((section.page_width, 210), (section.page_height, 297), (section.top_margin, 37),
                           (section.left_margin, 28), (section.right_margin, 26), (section.bottom_margin, 35)):
            assert length is not None and abs(length.mm - mm) < 0.1, (length, mm)


def assert_black_with_east_asian_fonts(word: Any) -> None:
    styles = word.styles.element.xml
    assert "w:themeColor" not in styles and "eastAsiaTheme" not in styles, "no theme colours or fonts"
    assert "w:themeColor" not in word.element.xml
    for run in text_runs(word):
        color = run._element.rPr.find(qn("w:color")) if run._element.rPr is not None else None
        assert color is None or color.get(qn("w:val")) in ("000000", "auto"), run.text
        if run.text:
            assert east_asian(run), f"run {run.text!r} names no East Asian font"


def assert_page_numbers(word: Any) -> None:
    footer = word.sections[0].footer
    xml = footer._element.xml
    assert "PAGE" in xml and ("w:fldSimple" in xml or "w:fldChar" in xml)
    line = footer.paragraphs[0]
    assert line.text.startswith("— ") and line.text.endswith(" —")
    assert line.alignment is not None and line.alignment.name == "CENTER"
    for run in line.runs:
        assert east_asian(run) == "宋体" and size_pt(run) == 14


def table_widths_mm(table: Any) -> list[float]:
    grid = table._tbl.tblGrid
    return [int(col.get(qn("w:w"))) / 1440 * 25.4 for col in grid.findall(qn("w:gridCol"))]


def assert_table_fits(table: Any, one_line: set[str]) -> None:
    """Within 156 mm, fixed layout, a width on every cell, columns named in `one_line` as wide as their
    longest cell (ASCII half a character, with the cell's padding)."""
    widths = table_widths_mm(table)
    assert sum(widths) <= 156.01
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    for row in table.rows:
        for cell in row.cells:
            assert cell.width is not None and cell.width > 0
    headers = [c.text for c in table.rows[0].cells]
    size = size_pt(table.rows[1].cells[0].paragraphs[0].runs[0])
    for index, header in enumerate(headers):
        if header not in one_line:
            continue
        longest = max(gongwen.ea_width(row.cells[index].text) for row in table.rows[1:])
        needed = longest * size / 2 * 25.4 / 72 + 2  # 1 mm padding each side
        assert widths[index] >= needed, (header, widths[index], needed)


@pytest.fixture
def weekly_docx(district: Any, tmp_path: Path) -> tuple[Any, dict[str, Any]]:
    """W25 with six problems in hand: more than a Word body shows, so the list goes to an 附件."""
    in_hand_problems(district)
    data = reports.build(district.uow(), cadence=Cadence.WEEKLY, period=W25).to_json(head=render.LIST_CAP)
    path = render.docx(render.document(data), tmp_path / "周汇报.docx")
    return Document(str(path)), data


def test_a_weekly_report_is_laid_out_as_a_gongwen(weekly_docx: tuple[Any, dict[str, Any]]) -> None:
    word, data = weekly_docx
    assert_a4_with_gongwen_margins(word)
    assert_black_with_east_asian_fonts(word)
    assert_page_numbers(word)

    title = word.paragraphs[0]
    assert title.text == "重大项目问题协调推进周汇报"
    assert {east_asian(r) for r in title.runs} == {"方正小标宋简体"} and {size_pt(r) for r in title.runs} == {22}
    assert "Heading" not in title.style.name
    heading = paragraph(word, "一、总体情况")
    assert {east_asian(r) for r in heading.runs} == {"黑体"} and {size_pt(r) for r in heading.runs} == {16}
    assert "Heading" not in heading.style.name

    totals = data["problems"]["totals"]
    opening = word.paragraphs[3]
    assert opening.text.startswith(f"本周新增问题{totals['new']}个，办结销号{totals['closed']}个，"
                                   f"在办{totals['in_hand_end']}个")
    assert (f"其中超期{totals['overdue']}个" if totals["overdue"] else "无超期问题") in opening.text
    assert {east_asian(r) for r in opening.runs} <= BODY_FONTS and {size_pt(r) for r in opening.runs} == {16}
    first_table = word.element.body.index(word.tables[0]._tbl)
    assert word.element.body.index(opening._p) < first_table, "the narrative opens the report"


def test_tables_fit_the_type_area_and_ids_and_dates_stay_on_one_line(
    weekly_docx: tuple[Any, dict[str, Any]],
) -> None:
    word, _ = weekly_docx
    assert word.tables
    for table in word.tables:
        assert_table_fits(table, {"编号", "办结期限", "日期", "纪要编号", "层级", "数值"})
        header = table.rows[0].cells[0].paragraphs[0].runs[0]
        assert east_asian(header) == "黑体"
        assert {east_asian(r) for row in table.rows[1:] for c in row.cells for p in c.paragraphs
                for r in p.runs} <= BODY_FONTS


def test_a_long_list_goes_to_an_annex_and_the_report_ends_with_the_office_and_date(
    weekly_docx: tuple[Any, dict[str, Any]],
) -> None:
    word, data = weekly_docx
    in_hand = [b["id"] for b in data["problems"]["lists"]["in_hand"]]
    assert len(in_hand) == 6 > report_word.WORD_BODY_ROWS
    id_tables = [t for t in word.tables if t.rows[0].cells[0].text == "编号"
                 and any(r.cells[0].text == in_hand[0] for r in t.rows[1:])]
    body_table, annex_table = id_tables[0], id_tables[-1]
    assert [r.cells[0].text for r in body_table.rows[1:]] == [*in_hand[:5], "另有 1 个"]
    assert [r.cells[0].text for r in annex_table.rows[1:]] == in_hand
    texts = [p.text for p in word.paragraphs]
    assert any("详见附件1" in t for t in texts)
    annex_note = texts.index("附件：1．推进落实问题清单")
    office = texts.index(gongwen.DEFAULT_OFFICE)
    assert annex_note < office and texts[office + 1] == "2024年6月24日", "成文日期: the day after W25"
    for line in (word.paragraphs[office], word.paragraphs[office + 1]):
        assert line.alignment is not None and line.alignment.name == "RIGHT"
    annex = texts.index("附件1")
    assert annex > office and texts[annex + 2] == "推进落实问题清单"
    body = word.element.body
    assert body.index(word.paragraphs[office]._p) < body.index(annex_table._tbl)
    assert all(body.index(t._tbl) < body.index(word.paragraphs[office]._p) for t in word.tables[:-1])


def test_a_short_report_needs_no_annex_and_headings_of_the_second_level_are_in_kaiti(
    district: Any, tmp_path: Path,
) -> None:
    data = reports.build(district.uow(), cadence=Cadence.WEEKLY, period=W25).to_json(head=render.LIST_CAP)
    word = Document(str(render.docx(render.document(data), tmp_path / "空.docx")))
    texts = [p.text for p in word.paragraphs]
    assert not any(t.startswith("附件") for t in texts)
    assert texts[-2:] == [gongwen.DEFAULT_OFFICE, "2024年6月24日"]
    assert word.paragraphs[3].text.startswith("本周新增问题0个")

    blank = gongwen.new_document()
    second = gongwen.heading(blank, "（一）用地问题", level=2)
    assert {east_asian(r) for r in second.runs} == {"楷体_GB2312"} and {size_pt(r) for r in second.runs} == {16}


def close_a_meeting(district: Any) -> dict[str, Any]:
    """A task-force meeting on two problems: the units come up more than once in the stored data."""
    first = waiting_at(district, 2)
    second = waiting_at(district, 2, title="环评批复与尾水排放标准不一致")
    meeting = plan(district)
    on_the_day = district.caller(district.secretariat, now=datetime.combine(MEETING_DAY, datetime.min.time(), UTC)
                                 .replace(hour=2))
    meetings.start_meeting(district.uow(), caller=on_the_day, meeting_id=meeting.id)
    for problem in (first, second):
        meetings.decide(district.uow(), caller=on_the_day, meeting_id=meeting.id, problem_id=problem,
                        decision=assign_decision(district))
    meetings.close_meeting(district.uow(), caller=on_the_day, meeting_id=meeting.id)
    return meeting_reads.show_meeting(district.uow(), meeting_id=meeting.id, today=MEETING_DAY).to_json()


def test_minutes_name_each_unit_once_with_attendance_and_copies(district: Any, tmp_path: Path) -> None:
    data = close_a_meeting(district)
    word = Document(str(minutes_docx(data, tmp_path / "纪要.docx")))
    assert_a4_with_gongwen_margins(word)
    assert_black_with_east_asian_fonts(word)
    assert_page_numbers(word)
    texts = [p.text for p in word.paragraphs]
    assert texts[0] == "重大项目推进专班会商会议纪要"
    assert {east_asian(r) for r in word.paragraphs[0].runs} == {"方正小标宋简体"}
    assert texts[1] == data["minutes_number"] == "专班会商纪要〔2024〕1号"
    assert texts[2].startswith(gongwen.DEFAULT_OFFICE) and texts[2].endswith(gongwen.chinese_date(MEETING_DAY))

    names = {u["code"]: u["name"] for u in data["attendees"]}
    lead, co = names[district.solving_unit], names[district.locality]
    present = paragraph(word, "出席：")
    others = paragraph(word, "列席：")
    assert present.text == f"出席：{data['chair_name']}（主持），{lead}"
    assert others.text == f"列席：{co}"
    assert present.runs[0].text == "出席：" and east_asian(present.runs[0]) == "黑体"
    assert {east_asian(r) for r in present.runs[1:]} <= BODY_FONTS
    attendance = present.text + others.text
    for name in names.values():
        assert attendance.count(name) == 1, f"{name} once"
    copies = paragraph(word, "抄送：")
    assert copies.text == "抄送：区委办，区政府办。" and {size_pt(r) for r in copies.runs} == {14}
    assert texts.index(present.text) < texts.index(copies.text)


@pytest.mark.parametrize(("kind", "name"), [(MeetingKind.PRINCIPAL, "专题会议纪要"),
                                             (MeetingKind.LEADER, "会办纪要"),
                                             (MeetingKind.TASK_FORCE, "专班会商纪要")])
def test_each_kind_of_minutes_names_its_series(kind: MeetingKind, name: str, tmp_path: Path) -> None:
    meeting: dict[str, Any] = {"kind": kind.value, "date": "2024-06-05", "chair_name": "周区长",
                               "minutes_number": minutes_number(kind, 2024, 3), "agenda": [], "attendees": []}
    word = Document(str(minutes_docx(meeting, tmp_path / "纪要.docx")))
    assert word.paragraphs[1].text == f"{name}〔2024〕3号"
    unnumbered = Document(str(minutes_docx({**meeting, "minutes_number": None}, tmp_path / "草稿.docx")))
    assert unnumbered.paragraphs[1].text == f"{name}（未闭会，尚未编号）"
    assert paragraph(word, "出席：").text == "出席：周区长（主持）"
    assert not any(p.text.startswith("列席") for p in word.paragraphs)
