"""会议纪要: the minutes of a coordination meeting as Markdown and as a Word document."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from coordination.domain.meetings import MeetingKind, Outcome, chinese_ordinal, minutes_title


def chinese_date(text: str | date) -> str:
    day = date.fromisoformat(text) if isinstance(text, str) else text
    return f"{day.year}年{day.month}月{day.day}日"


def decision_paragraphs(meeting: dict[str, Any]) -> list[str]:
    """One numbered paragraph per decision, in agenda order: who does what by when."""
    paragraphs: list[str] = []
    decided = [item for item in meeting["agenda"] if item.get("decision")]
    for index, item in enumerate(decided, start=1):
        decision = item["decision"]
        text = decision["text"].rstrip("。；;. ")
        head = f"{chinese_ordinal(index)}、关于{item['project_name']}“{item['title']}”问题（{item['id']}）。{text}。"
        outcome = Outcome(decision["outcome"])
        if outcome is Outcome.ASSIGN:
            co_names = decision.get("co_unit_names") or []
            helpers = f"，{'、'.join(co_names)}配合" if co_names else ""
            lead = decision.get("lead_unit_name") or decision["lead_unit"]
            head += f"由{lead}牵头负责{helpers}，{chinese_date(decision['due_date'])}前办结。"
        elif outcome is Outcome.ESCALATE:
            head += "会议研究认为需提请上一级协调，继续提级办理。"
        else:
            head += "会议研究同意解释办结。"
        paragraphs.append(head)
    return paragraphs


def header_lines(meeting: dict[str, Any]) -> dict[str, str]:
    attendees = "、".join(a["name"] for a in meeting["attendees"]) or "（无）"
    return {
        "title": minutes_title(MeetingKind(meeting["kind"])),
        "number": meeting.get("minutes_number") or "（未闭会，尚未编号）",
        "date": chinese_date(meeting["date"]),
        "chair": meeting["chair_name"],
        "attendees": attendees,
    }


def minutes_markdown(meeting: dict[str, Any]) -> str:
    head = header_lines(meeting)
    lines = [
        f"# {head['title']}",
        "",
        f"**{head['number']}**",
        "",
        f"- 会议时间：{head['date']}",
        f"- 主持：{head['chair']}",
        f"- 参会单位：{head['attendees']}",
        "",
        f"{head['date']}，{head['chair']}主持召开会议，研究协调重大项目推进中的有关问题。现将会议议定事项纪要如下：",
        "",
    ]
    paragraphs = decision_paragraphs(meeting)
    lines += [f"{p}\n" for p in paragraphs] or ["（本次会议未形成议定事项。）", ""]
    return "\n".join(lines).rstrip() + "\n"


def minutes_docx(meeting: dict[str, Any], path: Path) -> Path:
    """Write the minutes laid out like real 会议纪要: title, number, date, chair, attendees, items."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    head = header_lines(meeting)
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "仿宋"
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")

    def centered(text: str, size: int, bold: bool = False, font: str = "仿宋") -> None:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.bold = bold
        run.font.size = Pt(size)
        run.font.name = font
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)

    centered(head["title"], 22, bold=True, font="方正小标宋简体")
    centered(head["number"], 16)
    for label, value in (("会议时间", head["date"]), ("主　　持", head["chair"]), ("参会单位", head["attendees"])):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}：").bold = True
        paragraph.add_run(value)
    intro = document.add_paragraph(
        f"{head['date']}，{head['chair']}主持召开会议，研究协调重大项目推进中的有关问题。现将会议议定事项纪要如下：")
    intro.paragraph_format.first_line_indent = Pt(32)
    paragraphs = decision_paragraphs(meeting) or ["本次会议未形成议定事项。"]
    for text in paragraphs:
        paragraph = document.add_paragraph(text)
        paragraph.paragraph_format.first_line_indent = Pt(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path
