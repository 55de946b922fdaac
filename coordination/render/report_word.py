"""A report as a Word 公文 (GB/T 9704-2012, see `render.gongwen`), from the one document model of
render/report.py: an opening paragraph told from the figures, a heading and table per section, the issuing
office and date, then an 附件 for each problem list longer than the body shows."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from coordination.render.report import IDS, LIST_CAP, MORE, TEXT, Document, Table, percent_text

WORD_BODY_ROWS = 5  # lines of each problem list a Word report's body shows; the list goes to an 附件
# Columns whose text may wrap in Word (titles and names); ids, dates, figures and short words never do.
_WRAPPING = frozenset({"name", "title", "project_name", "projects", "figure", "lead_unit_name", "chair_name",
                       "owner_name", "key_label", "stuck", "phrase", "method"})
_CADENCE_WORDS = {"weekly": ("本周", "This week"), "monthly": ("本月", "This month"),
                  "quarterly": ("本季度", "This quarter"), "annual": ("本年度", "This year")}


def opening(doc: Document, lang: str = "zh") -> str:
    """The paragraph a Word report opens with, told from the period's figures."""
    f = doc.figures
    if not f:
        return ""
    zh, en = _CADENCE_WORDS.get(doc.cadence, ("本期", "This period"))
    if lang == "en":
        text = (f"{en}: {f['new']} new problems, {f['closed']} closed and struck off, {f['in_hand_end']} in hand "
                f"at the end, of which {f['overdue']} overdue; {f['escalations']} escalations; "
                f"{f['meetings']} coordination meetings with {f['decisions']} decisions.")
        if f.get("closure_rate") is not None:
            text += f" Closure rate {percent_text(f['closure_rate'])}."
        return text
    overdue = f"其中超期{f['overdue']}个" if f["overdue"] else "无超期问题"
    text = f"{zh}新增问题{f['new']}个，办结销号{f['closed']}个，在办{f['in_hand_end']}个，{overdue}"
    text += (f"；提级协调{f['escalations']}次，涉及问题{f['escalated_problems']}个" if f["escalations"]
             else "；无提级协调")
    if f.get("reopened"):
        text += f"；退回重办或回头看重开{f['reopened']}个"
    text += (f"；召开协调会议{f['meetings']}次，形成议定事项{f['decisions']}条" if f["meetings"]
             else "；未召开协调会议")
    if f.get("queued"):
        text += f"；目前待领导协调的问题{f['queued']}个"
    text += "。"
    rates = []
    if f.get("closure_rate") is not None:
        rates.append(f"办结率{percent_text(f['closure_rate'])}")
    if f.get("on_time_rate") is not None:
        rates.append(f"按时办结率{percent_text(f['on_time_rate'])}")
    if rates:
        text += "，".join(rates) + "。"
    return text


def issued_on(doc: Document) -> date:
    """成文日期: the day the report is as of, in the district's time."""
    from datetime import datetime

    from coordination.config import DISTRICT_TZ

    if doc.as_of:
        moment = datetime.fromisoformat(doc.as_of)
        return moment.astimezone(DISTRICT_TZ).date() if moment.tzinfo else moment.date()
    return datetime.now(DISTRICT_TZ).date()


def _annex_title(table: Table, lang: str) -> str:
    import re

    return re.sub(r"^([一二三四五六七八九十]+、|\d+\.\s*)", "", table.title(lang))


def _lines(table: Table, cap: int | None) -> int:
    """Problem lines a format showing `cap` per list shows (the "N more" lines not counted)."""
    return sum(MORE not in row for row in table.visible(cap))


def _word_table(word: Any, table: Table, lang: str, cap: int | None) -> None:
    from coordination.render import gongwen

    rows = [table.cells(row, lang, cap) for row in table.visible(cap)]
    wraps = [c.kind in (TEXT, IDS) and c.key in _WRAPPING for c in table.columns]
    gongwen.table(word, [c.header(lang) for c in table.columns], rows, wraps)


def docx(doc: Document, path: Path, lang: str = "zh", cap: int | None = LIST_CAP) -> Path:
    """Laid out as a 公文 (GB/T 9704-2012, see `render.gongwen`): title, period, an opening paragraph
    told from the figures, one heading and table per section, the issuing office and date, then an
    附件 for each problem list longer than the body shows."""
    from docx.shared import Pt

    from coordination.render import gongwen

    zh = lang != "en"
    word = gongwen.new_document()
    gongwen.title(word, doc.title)
    gongwen.centred(word, doc.period, gongwen.HEADING2_FONT)
    word.add_paragraph()
    if opening_text := opening(doc, lang):
        gongwen.body(word, opening_text)
    for paragraph in doc.paragraphs:
        gongwen.body(word, paragraph)
    body_cap = WORD_BODY_ROWS if cap is None else min(cap, WORD_BODY_ROWS)
    annexes: list[Table] = []
    for table in doc.tables:
        gongwen.heading(word, table.title(lang))
        if not table.rows:
            gongwen.body(word, "（无）" if zh else "(none)")
            continue
        annexed = table.capped and _lines(table, cap) > _lines(table, body_cap)
        _word_table(word, table, lang, body_cap if annexed else cap)
        if annexed:
            annexes.append(table)
            gongwen.body(word, f"（以上为最紧急的{body_cap}个，详见附件{len(annexes)}。）" if zh
                         else f"(The {body_cap} most urgent; see Annex {len(annexes)}.)")
    for line in doc.closing:
        gongwen.body(word, line)
    if annexes:  # 附件说明: "附件：1．…", the next lines aligned with the first name
        word.add_paragraph()
        label = "附件：" if zh else "Annexes: "
        hang = gongwen.ea_width(label) / 2 * gongwen.CHAR
        for number, table in enumerate(annexes, start=1):
            note = word.add_paragraph()
            note.paragraph_format.left_indent = Pt(2 * gongwen.CHAR + hang)
            note.paragraph_format.first_line_indent = Pt(-hang if number == 1 else 0)
            gongwen.run(note, f"{label if number == 1 else ''}{number}．{_annex_title(table, lang)}")
    day = issued_on(doc)
    gongwen.signature(word, gongwen.DEFAULT_OFFICE if zh else gongwen.DEFAULT_OFFICE_EN,
                      gongwen.chinese_date(day) if zh else day.isoformat())
    for number, table in enumerate(annexes, start=1):
        gongwen.page_break(word)
        gongwen.run(word.add_paragraph(), f"附件{number}" if zh else f"Annex {number}", gongwen.HEADING1_FONT)
        word.add_paragraph()
        gongwen.title(word, _annex_title(table, lang))
        word.add_paragraph()
        _word_table(word, table, lang, cap)
        if any(MORE in row for row in table.visible(cap)):
            gongwen.body(word, "（完整清单见同期 Excel 版报告。）" if zh
                         else "(The whole list is in the Excel report.)")
    if doc.footer:
        gongwen.colophon(word, doc.footer)
    path.parent.mkdir(parents=True, exist_ok=True)
    word.save(str(path))
    return path
