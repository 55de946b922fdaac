"""会议纪要: the minutes of a coordination meeting as Markdown and as a Word document."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from coordination.domain.meetings import (
    MINUTES_SERIES_NAMES,
    MeetingKind,
    Outcome,
    chinese_ordinal,
    kind_label,
    minutes_title,
)


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


COPY_TO = ("区委办", "区政府办")  # 抄送: every set of minutes goes to the district's two general offices


def attendance(meeting: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The units attending, each once: those leading a problem on the agenda (出席, with the chair) and
    the others, co-units that were called in (列席)."""
    names: dict[str, str] = {}
    for unit in meeting["attendees"]:
        names.setdefault(unit["code"], unit["name"])
    leads: list[str] = []
    for item in meeting["agenda"]:
        decision = item.get("decision") or {}
        for code in (item.get("lead_unit"), decision.get("lead_unit")):
            if code and code not in leads:
                leads.append(code)
                names.setdefault(code, decision.get("lead_unit_name") or code)
    present = [names[c] for c in leads]
    others = [name for code, name in names.items() if code not in leads]
    return present, others


def header_lines(meeting: dict[str, Any]) -> dict[str, str]:
    kind = MeetingKind(meeting["kind"])
    present, others = attendance(meeting)
    # A closed meeting's number names its series (专班会商纪要〔2026〕1号); open minutes have none yet.
    number = meeting.get("minutes_number") or f"{MINUTES_SERIES_NAMES[kind]}（未闭会，尚未编号）"
    return {
        "title": minutes_title(kind),
        "number": number,
        "date": chinese_date(meeting["date"]),
        "chair": meeting["chair_name"],
        "kind": kind_label(kind),
        "attendees": "、".join(present + others) or "（无）",
        "present": "，".join([f"{meeting['chair_name']}（主持）", *(["、".join(present)] if present else [])]),
        "others": "、".join(others),
        "copy_to": "，".join(COPY_TO) + "。",
    }


def _intro(head: dict[str, str]) -> str:
    return (f"{head['date']}，{head['chair']}主持召开{head['kind']}，研究协调重大项目推进中的有关问题。"
            "现将会议议定事项纪要如下：")


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
        _intro(head),
        "",
    ]
    paragraphs = decision_paragraphs(meeting)
    lines += [f"{p}\n" for p in paragraphs] or ["（本次会议未形成议定事项。）", ""]
    lines += [f"出席：{head['present']}", ""]
    if head["others"]:
        lines += [f"列席：{head['others']}", ""]
    lines += ["---", "", f"抄送：{head['copy_to']}"]
    return "\n".join(lines).rstrip() + "\n"


def minutes_docx(meeting: dict[str, Any], path: Path) -> Path:
    """Write the minutes as a 纪要 in the 公文 format (GB/T 9704-2012, see `render.gongwen`): the title,
    the kind's name and number, the office and date above a rule, the items, then 出席 and 列席, and
    抄送 between the 版记's rules."""
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Mm, Pt

    from coordination.render import gongwen

    head = header_lines(meeting)
    word = gongwen.new_document()
    gongwen.title(word, head["title"])
    gongwen.centred(word, head["number"])
    masthead = word.add_paragraph()  # the office on the left, the date on the right, a rule below
    masthead.paragraph_format.tab_stops.add_tab_stop(Mm(gongwen.TYPE_WIDTH_MM) - Pt(gongwen.CHAR),
                                                     WD_TAB_ALIGNMENT.RIGHT)
    masthead.paragraph_format.left_indent = Pt(gongwen.CHAR)
    gongwen.run(masthead, f"{gongwen.DEFAULT_OFFICE}\t{head['date']}")
    gongwen.rule(masthead, bottom=True, size=12)
    word.add_paragraph()
    gongwen.body(word, _intro(head))
    for text in decision_paragraphs(meeting) or ["本次会议未形成议定事项。"]:
        gongwen.body(word, text)
    word.add_paragraph()
    gongwen.labelled(word, "出席：", head["present"])
    if head["others"]:
        gongwen.labelled(word, "列席：", head["others"])
    word.add_paragraph()
    word.add_paragraph()
    copy_to = word.add_paragraph()  # 版记: 4号仿宋, one character in from each side, between rules
    copy_to.paragraph_format.left_indent = Pt(gongwen.PAGE_NUMBER_PT)
    copy_to.paragraph_format.right_indent = Pt(gongwen.PAGE_NUMBER_PT)
    copy_to.paragraph_format.keep_together = True
    gongwen.run(copy_to, "抄送：", gongwen.BODY_FONT, gongwen.PAGE_NUMBER_PT)
    gongwen.run(copy_to, head["copy_to"], gongwen.BODY_FONT, gongwen.PAGE_NUMBER_PT)
    gongwen.rule(copy_to, top=True, bottom=True, size=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    word.save(str(path))
    return path
