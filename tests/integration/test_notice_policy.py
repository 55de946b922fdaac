"""Who is told: the workflow's notice policy, read by single actions, a ledger import and a meeting's close.

Every check reads the outbox table itself, as the delivery step would.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import openpyxl
from sqlalchemy import text

from coordination.config import DISTRICT_TZ
from coordination.domain.enums import Action, Difficulty
from coordination.services import ledger


def local(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=DISTRICT_TZ).astimezone(UTC)


def outbox(district: Any, kind: str | None = None) -> list[dict[str, Any]]:
    query = "SELECT key, kind, unit, title, body, mentions, origin FROM outbox"
    params: dict[str, Any] = {}
    if kind:
        query += " WHERE kind = :kind"
        params["kind"] = kind
    with district.engine.connect() as conn:
        rows = conn.execute(text(query + " ORDER BY id"), params).mappings().all()
    return [{**dict(r), "mentions": json.loads(r["mentions"])} for r in rows]


def in_progress(district: Any, title: str = "二期用地指标未落实") -> str:
    problem = district.raise_problem(title=title)
    district.assign(problem, difficulty=Difficulty.C)
    district.act(district.handler, problem, Action.ACKNOWLEDGE)
    return problem


def test_assignment_tells_the_lead_unit_and_each_co_unit(district: Any) -> None:
    problem = district.raise_problem()
    district.assign(problem, co_units=(district.other_unit,))
    told = outbox(district, "assignment")
    assert [(m["key"], m["unit"]) for m in told] == [
        (f"assign:{problem}:2", district.solving_unit),
        (f"assign:{problem}:2:{district.other_unit}", district.other_unit)]
    assert told[0]["mentions"] == ["赵经办（自然资源和规划局）"] and told[1]["mentions"] == ["孙经办（住建局）"]
    assert problem in told[0]["body"] and "签收" in told[0]["body"]


def test_an_extension_request_goes_to_the_secretariat_and_its_answer_to_the_unit(district: Any) -> None:
    problem = in_progress(district)
    district.act(district.handler, problem, Action.REQUEST_EXTENSION, reason="省厅审批排期延后", extension_days=5)
    [asked] = outbox(district, "extension_request")
    assert asked["unit"] is None and asked["mentions"] == ["王秘书（重点办）"]
    assert "申请延期 5 个工作日" in asked["body"] and "省厅审批排期延后" in asked["body"]
    district.act(district.secretariat, problem, Action.APPROVE_EXTENSION)
    [answer] = outbox(district, "extension_approved")
    assert answer["unit"] == district.solving_unit and "新期限" in answer["body"]


def test_a_resolution_asks_whoever_may_verify_and_the_verdict_reaches_unit_and_raiser(district: Any) -> None:
    problem = in_progress(district)
    district.act(district.handler, problem, Action.RESOLVE, reason="用地指标已由省厅下达")
    asked = outbox(district, "resolution")
    # the secretariat in the district's group, the raising specialist in the group of the 发改局
    assert [(m["unit"], m["mentions"]) for m in asked] == [
        (None, ["王秘书（重点办）"]), (district.service_unit, ["李专员"])]
    district.act(district.secretariat, problem, Action.REJECT, reason="企业反映指标尚未到账")
    [rework] = outbox(district, "rework")
    assert rework["unit"] == district.solving_unit and "企业反映指标尚未到账" in rework["body"]
    district.act(district.handler, problem, Action.RESOLVE, reason="指标已到账")
    district.act(district.specialist, problem, Action.VERIFY)
    [closed] = outbox(district, "closure")
    assert closed["unit"] == district.service_unit and closed["mentions"] == ["李专员"]


def test_actions_the_policy_does_not_name_tell_nobody(district: Any) -> None:
    problem = in_progress(district)
    before = len(outbox(district))
    district.act(district.handler, problem, Action.PROGRESS, reason="已与省厅对接")
    assert len(outbox(district)) == before


def _ledger(district: Any, tmp_path: Path, rows: list[dict[str, Any]]) -> Path:
    template = tmp_path / "template.xlsx"
    ledger.write_template(district.uow(), path=template)
    book = openpyxl.load_workbook(template)
    sheet = book["问题"]
    headers = [c.value for c in sheet[1]]
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    target = tmp_path / "台账.xlsx"
    book.save(target)
    return target


def test_a_ledger_import_tells_each_unit_once_of_everything_assigned_to_it(district: Any, tmp_path: Path) -> None:
    waiting = [district.raise_problem(title=f"地块{n}号用地报批材料未齐") for n in range(3)]
    rows = [{"问题编号": p, "项目编号": district.project, "问题标题": f"地块{n}号用地报批材料未齐", "责任单位": "ZRZY",
             "难度": "C"} for n, p in enumerate(waiting)]
    rows.append({"项目编号": district.project, "问题标题": "施工许可证办理材料反复退回", "问题类别": "施工许可",
                 "责任单位": "ZJJ", "配合单位": "ZRZY", "难度": "B"})
    path = _ledger(district, tmp_path, rows)
    result = ledger.import_ledger(district.uow(), caller=district.caller(district.secretariat,
                                                                         origin=ledger.import_origin(path)), path=path)
    [permit] = result.problems_raised
    told = {m["unit"]: m for m in outbox(district, "assignment")}
    assert set(told) == {district.solving_unit, district.other_unit}
    land = told[district.solving_unit]  # three assignments and one co-unit role: one message
    assert all(p in land["body"] for p in [*waiting, permit]) and "4 项问题交办" in land["title"]
    assert land["mentions"] == ["赵经办（自然资源和规划局）"] and land["origin"] == "import:台账.xlsx"
    assert told[district.other_unit]["key"] == f"assign:{permit}:2"  # alone in its group: the single message
    # importing the same ledger again assigns nothing and tells nobody again
    again = ledger.import_ledger(district.uow(), caller=district.caller(district.secretariat, origin="import:again"),
                                 path=path)
    assert again.problems_assigned == [] and len(outbox(district, "assignment")) == 2


def test_the_sweep_reminds_each_lead_unit_once_per_run(district: Any) -> None:
    from coordination.services import sweep

    problems = [district.raise_problem(title=f"用地问题{n}") for n in range(2)]
    for problem in problems:
        district.assign(problem, difficulty=Difficulty.C)
    sweep.sweep(district.uow(), caller=district.caller(district.system, local(date(2024, 6, 13)), origin="test"))
    [reminder] = outbox(district, "reminder")
    assert reminder["unit"] == district.solving_unit and reminder["mentions"] == ["钱局长（自然资源和规划局）"]
    assert all(p in reminder["body"] for p in problems)


def test_closing_the_minutes_tells_each_new_lead_unit_and_co_unit_once(district: Any) -> None:
    from coordination.domain.meetings import DecisionInput, MeetingKind, Outcome
    from coordination.services import meetings

    waiting = []
    for title in ("二期用地指标未落实", "园区道路与厂区出入口衔接"):
        problem = district.raise_problem(title=title)
        district.assign(problem)
        district.act(district.handler, problem, Action.ACKNOWLEDGE)
        district.act(district.secretariat, problem, Action.ESCALATE, reason="提请专班会商")
        waiting.append(problem)
    chair = district.caller(district.secretariat)
    meeting = meetings.plan_meeting(district.uow(), caller=chair, kind=MeetingKind.TASK_FORCE,
                                    held_on=date(2024, 6, 3), chair=district.secretariat)
    meetings.start_meeting(district.uow(), caller=chair, meeting_id=meeting.id)
    for problem in waiting:
        meetings.decide(district.uow(), caller=chair, meeting_id=meeting.id, problem_id=problem,
                        decision=DecisionInput(Outcome.ASSIGN, "由住建局牵头、自然资源局配合，月底前办结",
                                               unit=district.other_unit, co_units=(district.solving_unit,),
                                               due=date(2024, 6, 28)))
    before = len(outbox(district, "decision"))
    closed = meetings.close_meeting(district.uow(), caller=chair, meeting_id=meeting.id)

    told = {m["unit"]: m for m in outbox(district, "decision")[before:]}
    assert set(told) == {district.other_unit, district.solving_unit}
    for message in told.values():
        assert all(p in message["body"] for p in waiting) and "2 项议定事项" in message["title"]
        assert message["origin"] == f"meeting:{meeting.id}" and closed.number in message["body"]
    assert told[district.other_unit]["mentions"] == ["孙经办（住建局）"]
