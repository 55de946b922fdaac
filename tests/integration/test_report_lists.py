"""Long problem lists: the most urgent lines first, capped where people read them, whole in JSON and Excel.

Week 2024-W25 is Mon 17 – Sun 23 June; 10 June was the Dragon Boat Festival holiday.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from docx import Document
from openpyxl import load_workbook

from coordination.config import DISTRICT_TZ
from coordination.domain.enums import Action, Difficulty
from coordination.domain.periods import Cadence, parse_period
from coordination.domain.reports import OPEN_VALUES
from coordination.render import report as render
from coordination.services import reports

W25 = parse_period(Cadence.WEEKLY, "2024-W25")


def at(day: int, hour: int = 10) -> datetime:
    return datetime.combine(date(2024, 6, day), time(hour), tzinfo=DISTRICT_TZ).astimezone(UTC)


def in_hand_problems(d: Any) -> dict[str, str]:
    """Six problems in hand at the end of W25, one of them overdue, two due the same day."""
    ids: dict[str, str] = {}
    for name, day, difficulty in (("overdue", 3, Difficulty.C), ("soon", 3, Difficulty.B),
                                  ("twin_low", 4, Difficulty.B), ("twin_high", 4, Difficulty.B),
                                  ("later", 5, Difficulty.A)):
        ids[name] = d.raise_problem(title=f"问题（{name}）", now=at(day, 9))
        d.assign(ids[name], difficulty=difficulty, now=at(day, 10))
    d.act(d.handler, ids["twin_high"], Action.ACKNOWLEDGE, now=at(5))
    d.act(d.handler, ids["twin_high"], Action.ESCALATE, now=at(6), reason="需专班会商")
    ids["unassigned"] = d.raise_problem(title="问题（unassigned）", now=at(18))
    return ids


def expected_order(items: list[dict[str, Any]], last: date) -> list[str]:
    def key(b: dict[str, Any]) -> tuple[bool, bool, str, int, str]:
        due = b["due_date"]
        overdue = b["state"] in OPEN_VALUES and due is not None and due < last.isoformat()
        return (not overdue, due is None, due or "9999-12-31", -b["level"], b["id"])
    return [b["id"] for b in sorted(items, key=key)]


def test_lists_read_most_urgent_first_in_every_format(district: Any) -> None:
    ids = in_hand_problems(district)
    data = reports.build(district.uow(), cadence=Cadence.WEEKLY, period=W25).to_json()

    in_hand = data["problems"]["lists"]["in_hand"]
    order = [b["id"] for b in in_hand]
    assert order == expected_order(in_hand, W25.last)
    assert order[0] == ids["overdue"] and in_hand[0]["light"] == "red" and order[-1] == ids["unassigned"]
    twins = {b["id"]: b for b in in_hand if b["id"] in (ids["twin_low"], ids["twin_high"])}
    if twins[ids["twin_low"]]["due_date"] == twins[ids["twin_high"]]["due_date"]:
        assert order.index(ids["twin_high"]) < order.index(ids["twin_low"]), "the higher level first"
    new = data["problems"]["lists"]["new"]
    assert [b["id"] for b in new] == [ids["unassigned"]]


def test_markdown_and_word_show_a_capped_list_and_say_how_many_more_while_excel_and_json_hold_all(
    district: Any, tmp_path: Path,
) -> None:
    in_hand_problems(district)
    report = reports.build(district.uow(), cadence=Cadence.WEEKLY, period=W25)
    full = report.to_json()
    everything = [b["id"] for b in full["problems"]["lists"]["in_hand"]]
    assert len(everything) == 6 and full["problems"]["list_counts"]["in_hand"] == 6

    headed = report.to_json(head=3)
    assert [b["id"] for b in headed["problems"]["lists"]["in_hand"]] == everything[:3]
    assert headed["problems"]["list_counts"] == full["problems"]["list_counts"]

    for data in (full, headed):  # a capped format reads either: the counts say how many there are
        text = render.markdown(render.document(data), cap=3)
        section = text.split("## 八、推进落实问题清单")[1].split("## ")[0]
        shown = [line.split(" | ")[0].lstrip("| ") for line in section.splitlines() if line.startswith("| Q-")]
        assert shown == everything[:3]
        assert "| 另有 3 个 |" in section
    english = render.markdown(render.document(headed, "en"), "en", cap=3)
    assert "| 3 more |" in english

    word = Document(str(render.docx(render.document(headed), tmp_path / "周汇报.docx", cap=3)))
    in_hand_table = next(t for t in word.tables if t.rows[0].cells[0].text == "编号" and len(t.rows) > 1
                         and t.rows[1].cells[0].text == everything[0])
    assert [row.cells[0].text for row in in_hand_table.rows[1:]] == [*everything[:3], "另有 3 个"]

    sheet = load_workbook(render.xlsx(render.document(full), tmp_path / "周汇报.xlsx"))["推进清单"]
    assert [r[0] for r in sheet.iter_rows(min_row=3, values_only=True)] == everything


def test_each_leaders_queue_is_capped_on_its_own(district: Any) -> None:
    ids = in_hand_problems(district)
    d = district
    d.act(d.handler, ids["soon"], Action.ACKNOWLEDGE, now=at(7))
    d.act(d.handler, ids["soon"], Action.ESCALATE, now=at(7, 11), reason="需专班会商")
    data = reports.build(d.uow(), cadence=Cadence.WEEKLY, period=W25).to_json(head=1)
    task_force = next(q for q in data["queues"] if q["owner"] == "task-force")
    assert task_force["count"] == 2 and len(task_force["items"]) == 1

    text = render.markdown(render.document(data), cap=1)
    section = text.split("## 六、领导提级队列")[1].split("## ")[0]
    assert f"| 专班 | {task_force['items'][0]['id']} |" in section
    assert "| 专班 | 另有 1 个 |" in section


def test_streamed_json_is_the_report_and_lays_out_like_json_dumps(district: Any) -> None:
    in_hand_problems(district)
    report = reports.build(district.uow(), cadence=Cadence.QUARTERLY, period=parse_period(Cadence.QUARTERLY, "2024Q2"))
    data = report.to_json()
    assert "".join(render.json_chunks(data)) == json.dumps(data, ensure_ascii=False, indent=2)
    streamed = "".join(render.json_chunks(report.json_stream()))
    assert json.loads(streamed) == data
    in_hand_lines = [line for line in streamed.splitlines() if line.lstrip().startswith('{"id": "Q-')]
    assert len(in_hand_lines) >= 6, "each problem of a long list on a line of its own"


def test_json_chunks_are_written_before_a_long_list_is_read_to_its_end() -> None:
    pulled: list[int] = []

    def items() -> Any:
        for n in range(1000):
            pulled.append(n)
            yield {"n": n}

    chunks = render.json_chunks({"problems": {"lists": {"in_hand": items()}}})
    written = ""
    while '"n": 0' not in written:
        written += next(chunks)
    assert len(pulled) == 1, "the first problem is out while the other 999 are still unread"
    rest = written + "".join(chunks)
    assert json.loads(rest)["problems"]["lists"]["in_hand"][-1] == {"n": 999}
