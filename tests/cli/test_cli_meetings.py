"""Meetings from the command line, with the minutes read back from a real .docx file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document

from tests.cli.conftest import Cli


def on_agenda(district: Cli, title: str, unit: str = "ZRZY", handler: str = "zhao.jingban") -> str:
    pid: str = district.json("issue", "raise", "--project", "P-001", "--title", title, "--category", "用地",
                             as_="li.zhuanyuan")["id"]
    district.json("issue", "assign", pid, "--unit", unit, as_="wang.mishu")
    district.json("issue", "ack", pid, as_=handler)
    district.json("issue", "escalate", pid, "--reason", "需专班会商", as_="wang.mishu")
    return pid


MEETING_MORNING = "2024-10-09T09:30:00+08:00"


def test_meeting_cycle_and_word_minutes(district: Cli, tmp_path: Path) -> None:
    land = on_agenda(district, "二期用地指标尚未落实")
    permit = on_agenda(district, "施工许可证办理材料反复退回", unit="ZJJ", handler="qian.jingban")

    meeting: dict[str, Any] = district.json("meeting", "plan", "--kind", "task-force", "--date", "2024-10-09",
                                            "--chair", "wang.mishu", as_="wang.mishu")
    assert meeting["id"] == "M-2024-0001" and meeting["state"] == "planned"
    assert {item["id"] for item in meeting["agenda"]} == {land, permit}

    early = district("meeting", "start", meeting["id"], as_="wang.mishu")
    assert early.exit_code == 5 and "定于 10月9日召开" in early.stderr, "a meeting opens on its date"
    district.json("meeting", "start", meeting["id"], as_="wang.mishu", now=MEETING_MORNING)
    refused = district("meeting", "decide", meeting["id"], land, "--decision", "尽快办理", "--unit", "ZRZY",
                       "--due", "2024-10-31", as_="zhao.jingban")
    assert refused.exit_code == 4
    district.json("meeting", "decide", meeting["id"], land, "--decision", "市局下达指标后一周内完成报批",
                  "--unit", "ZRZY", "--co-units", "DQY", "--due", "2024-10-31", as_="wang.mishu")
    district.json("meeting", "decide", meeting["id"], permit, "--decision", "住建局当场受理，企业补正材料",
                  "--unit", "ZJJ", "--due", "2024-10-18", as_="wang.mishu")

    closed = district.json("meeting", "close", meeting["id"], as_="wang.mishu", now=MEETING_MORNING)
    assert closed["state"] == "closed" and closed["minutes_number"] == "专班会商纪要〔2024〕1号"
    assert sorted(closed["applied"]) == sorted([land, permit])
    again = district("meeting", "close", meeting["id"], as_="wang.mishu", now=MEETING_MORNING)
    assert again.exit_code == 5

    problem = district.json("issue", "show", land)
    assert problem["state"] == "in_progress" and problem["due_date"] == "2024-10-31"
    assert problem["co_units"] == ["DQY"]
    assert problem["timeline"][-1]["action"] == "decide"
    assert problem["timeline"][-1]["origin"] == f"meeting:{meeting['id']}"

    docx_path = tmp_path / "纪要.docx"
    written = district("meeting", "minutes", meeting["id"], "--format", "docx", "--out", str(docx_path))
    assert written.exit_code == 0, written.output
    paragraphs = [p.text for p in Document(str(docx_path)).paragraphs]
    body = "\n".join(paragraphs)
    assert paragraphs[0] == "重大项目推进专班会商会议纪要"
    assert paragraphs[1] == "专班会商纪要〔2024〕1号"
    assert "王秘书" in body and "区自然资源和规划局" in body and "区住房和城乡建设局" in body
    items = [p for p in paragraphs if p.startswith(("一、", "二、"))]
    assert len(items) == 2
    assert "区自然资源和规划局牵头负责，东区电池材料产业园配合，2024年10月31日前办结" in body
    assert "区住房和城乡建设局牵头负责，2024年10月18日前办结" in body

    markdown = district("meeting", "minutes", meeting["id"], "--format", "md")
    assert markdown.exit_code == 0 and "# 重大项目推进专班会商会议纪要" in markdown.stdout

    listed = district.json("meeting", "list")
    assert [m["id"] for m in listed] == [meeting["id"]]
    assert district("audit", "verify").exit_code == 0


def test_bad_meeting_input_is_refused_without_writing(district: Cli) -> None:
    before = district.snapshot()
    bad_date = district("meeting", "plan", "--kind", "task-force", "--date", "2024-02-30", "--chair", "wang.mishu",
                        as_="wang.mishu")
    assert bad_date.exit_code == 2
    wrong_chair = district("meeting", "plan", "--kind", "leader", "--date", "2024-10-09", "--chair", "wang.mishu",
                           as_="wang.mishu")
    assert wrong_chair.exit_code == 2 and "不能主持" in wrong_chair.stderr
    unknown = district("meeting", "show", "M-2024-0099")
    assert unknown.exit_code == 3
    assert district.snapshot() == before
