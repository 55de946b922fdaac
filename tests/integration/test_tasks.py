"""Plan tasks (重点任务) through the services on a real database: their life, who may do what, the audit
chain, the lights, the sweep's monthly 督办 and who sees which tasks."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from coordination.domain.enums import Light, Role
from coordination.domain.errors import Conflict, InvalidInput, NotFound, NotPermitted
from coordination.domain.task import progress_reminder_due
from coordination.domain.task_workflow import PlanKind, TaskAction, TaskState
from coordination.services import audit, directory, plans, settings, sweep, tasks
from coordination.services.visibility import viewer_of

A = TaskAction


def at(day: date, hour: int = 10) -> datetime:
    """`hour` o'clock in the district (UTC+8) on `day`, as an aware UTC moment."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=hour - 8)


def test_a_task_lives_from_decomposition_to_verified_completion(district: Any) -> None:
    d = district
    d.add_plan()
    task_id = d.add_task(co_units=(d.locality,), due=date(2024, 9, 30))
    assert task_id == "T-2024-0001"
    row = d.task_row(task_id)
    assert (row["state"], row["lead_unit"], json.loads(row["co_units"]), row["version"]) == (
        "decomposed", "ZRZY", ["DQY"], 1)

    assert d.task_act(d.handler, task_id, A.ACKNOWLEDGE).state is TaskState.IN_PROGRESS
    d.task_act(d.handler, task_id, A.PROGRESS, reason="规划成果已报省自然资源厅审查", now=at(date(2024, 6, 20)))
    d.task_act(d.unit_head, task_id, A.RESOLVE, reason="已取得省政府批复", now=at(date(2024, 7, 1)))
    returned = d.task_act(d.secretariat, task_id, A.REJECT, reason="批复文件尚未印发", now=at(date(2024, 7, 2)))
    assert returned.state is TaskState.IN_PROGRESS and returned.record["return_count"] == 1
    assert returned.record["submitted_by_unit"] is None
    d.task_act(d.handler, task_id, A.RESOLVE, reason="批复文件已印发", now=at(date(2024, 7, 8)))
    done = d.task_act(d.secretariat, task_id, A.VERIFY, now=at(date(2024, 7, 9)))

    assert done.state is TaskState.COMPLETED and done.light is None
    assert (done.record["completed_on"], done.record["completed_on_time"], done.version) == ("2024-07-09", True, 7)
    events = d.task_events(task_id)
    assert [e["action"] for e in events] == ["add", "acknowledge", "progress", "resolve", "reject", "resolve",
                                             "verify"]
    assert [e["seq"] for e in events] == list(range(1, 8))
    assert [(e["from_state"], e["to_state"]) for e in events][3:5] == [
        ("in_progress", "completion_submitted"), ("completion_submitted", "in_progress")]
    assert bool(events[-1]["on_time"]) and events[-1]["lead_unit"] == "ZRZY" and events[-1]["level"] is None
    replayed, stored = tasks.replayed_task(d.uow(), task_id=task_id)
    assert replayed == stored
    assert audit.verify_chains(d.uow()).ok
    detail = tasks.show_task(d.uow(), task_id=task_id, today=date(2024, 7, 9))
    assert [e.action for e in detail.timeline] == [e["action"] for e in events]


def test_each_step_tells_the_groups_the_workflow_names(district: Any) -> None:
    d = district
    d.add_plan()
    task_id = d.add_task(co_units=(d.locality,))
    d.task_act(d.handler, task_id, A.ACKNOWLEDGE)
    d.task_act(d.handler, task_id, A.RESOLVE, reason="已完成")
    d.task_act(d.secretariat, task_id, A.REJECT, reason="附件不全")
    told = [(m["key"], m["kind"], m["unit"]) for m in d.outbox()]
    assert told == [
        (f"add:{task_id}:1", "assignment", "ZRZY"), (f"add:{task_id}:1:DQY", "assignment", "DQY"),
        (f"resolve:{task_id}:3", "resolution", None), (f"reject:{task_id}:4", "rework", "ZRZY"),
    ]
    added = d.outbox()[0]
    assert added["title"] == f"任务下达通知：{task_id}"
    assert "以下任务已分解下达" in added["body"] and "“十四五”规划中期评估任务分解" in added["body"]
    assert "赵经办（自然资源和规划局）" in json.loads(added["mentions"])


def test_the_unit_that_asks_never_verifies_its_own_task(district: Any) -> None:
    d = district
    # A secretariat member seconded to the lead unit is still of the unit that asked.
    directory.add_person(d.uow(), caller=d.caller(d.admin), handle="zhou_keyuan", name="周科员（借调专班）",
                         unit=d.solving_unit, roles=[Role.SECRETARIAT])
    d.add_plan()
    task_id = d.add_task()
    d.task_act(d.handler, task_id, A.ACKNOWLEDGE)
    d.task_act(d.handler, task_id, A.RESOLVE, reason="已完成报批")
    before, events = d.task_row(task_id), d.audit_count()
    for handle, action in (("zhou_keyuan", A.VERIFY), ("zhou_keyuan", A.REJECT), (d.unit_head, A.VERIFY),
                           (d.handler, A.VERIFY)):
        with pytest.raises(NotPermitted):
            d.task_act(handle, task_id, action, reason="自查")
    assert (d.task_row(task_id), d.audit_count()) == (before, events)
    assert d.task_act(d.secretariat, task_id, A.VERIFY).state is TaskState.COMPLETED


def test_another_units_handler_neither_signs_nor_reports(district: Any) -> None:
    d = district
    d.add_plan()
    task_id = d.add_task()
    with pytest.raises(NotPermitted, match="不是任务 T-2024-0001的牵头或配合单位人员"):
        d.task_act(d.other_handler, task_id, A.ACKNOWLEDGE)
    d.task_act(d.handler, task_id, A.ACKNOWLEDGE)
    with pytest.raises(NotPermitted):
        d.task_act(d.other_handler, task_id, A.PROGRESS, reason="住建局已配合完成")
    # Made a co-unit, the 住建局 may report progress (never sign or ask for completion).
    d.task_act(d.secretariat, task_id, A.ADJUST, reason="增加住建局配合", co_units=(d.other_unit,))
    assert d.task_act(d.other_handler, task_id, A.PROGRESS, reason="已完成配套审查").state is TaskState.IN_PROGRESS
    with pytest.raises(NotPermitted):
        d.task_act(d.other_handler, task_id, A.RESOLVE, reason="已完成")


def test_adjusting_needs_a_reason_and_a_real_change(district: Any) -> None:
    d = district
    d.add_plan()
    task_id = d.add_task(due=date(2024, 9, 30))
    before, events = d.task_row(task_id), d.audit_count()
    refusals: list[tuple[dict[str, Any], type[Exception]]] = [
        ({"due": date(2024, 10, 31)}, InvalidInput),  # no reason
        ({"reason": "   ", "due": date(2024, 10, 31)}, InvalidInput),
        ({"reason": "省厅审查延后"}, InvalidInput),  # nothing to change
        ({"reason": "省厅审查延后", "due": date(2024, 9, 30)}, InvalidInput),  # the same date
        ({"reason": "省厅审查延后", "due": date(2024, 6, 1)}, InvalidInput),  # a date already past
        ({"reason": "改由住建局牵头", "co_units": (d.solving_unit,)}, InvalidInput),  # the lead unit as a co-unit
        ({"reason": "增加配合单位", "co_units": ("NOPE",)}, NotFound),
    ]
    for inputs, error in refusals:
        with pytest.raises(error):
            d.task_act(d.secretariat, task_id, A.ADJUST, **inputs)
    with pytest.raises(NotPermitted):
        d.task_act(d.handler, task_id, A.ADJUST, reason="申请延期", due=date(2024, 10, 31))
    assert (d.task_row(task_id), d.audit_count()) == (before, events)

    adjusted = d.task_act(d.secretariat, task_id, A.ADJUST, reason="省厅审查延后", due=date(2024, 10, 31),
                          title="完成国土空间总体规划报批并取得批复")
    assert adjusted.record["due_date"] == "2024-10-31" and adjusted.record["adjust_count"] == 1
    assert adjusted.state is TaskState.DECOMPOSED
    event = d.task_events(task_id)[-1]
    assert event["reason"] == "省厅审查延后" and '"previous_due_date":"2024-09-30"' in event["payload"]


def test_adding_is_checked_before_anything_is_written(district: Any) -> None:
    d = district
    d.add_plan()
    events = d.audit_count()
    refusals: list[tuple[dict[str, Any], type[Exception]]] = [
        ({"handle": d.handler}, NotPermitted),
        ({"handle": d.leader}, NotPermitted),
        ({"plan": "NO-SUCH-PLAN"}, NotFound),
        ({"unit": "NOPE"}, NotFound),
        ({"co_units": ("NOPE",)}, NotFound),
        ({"co_units": (d.solving_unit,)}, InvalidInput),
        ({"due": date(2024, 6, 3)}, InvalidInput),  # today is not after today
        ({"title": "   "}, InvalidInput),
    ]
    for inputs, error in refusals:
        with pytest.raises(error):
            d.add_task(**inputs)
    assert d.audit_count() == events
    with d.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM task")).scalar_one() == 0
    assert d.add_task() == "T-2024-0001"  # no number was used up by the refusals


def test_a_stale_version_is_refused_and_nothing_is_written(district: Any) -> None:
    d = district
    d.add_plan()
    task_id = d.add_task()
    d.task_act(d.handler, task_id, A.ACKNOWLEDGE)
    before, events = d.task_row(task_id), d.audit_count()
    with pytest.raises(Conflict, match="第 1 版"):
        d.task_act(d.handler, task_id, A.PROGRESS, reason="已报省厅", expected_version=1)
    assert (d.task_row(task_id), d.audit_count()) == (before, events)


def test_lights_follow_the_one_rule_on_the_due_date(district: Any) -> None:
    d = district
    d.add_plan()
    green = d.add_task(title="完成产业园区扩区调规", due=date(2024, 6, 28))
    yellow = d.add_task(title="完成重点项目用地报批", due=date(2024, 6, 5))  # 2 working days left
    done = d.add_task(title="印发年度重点项目清单", due=date(2024, 6, 4))
    for task_id, action, reason in ((done, A.ACKNOWLEDGE, None), (done, A.RESOLVE, "已印发"),
                                    (done, A.VERIFY, None)):
        d.task_act(d.handler if action is not A.VERIFY else d.secretariat, task_id, action, reason=reason)
    today = date(2024, 6, 3)
    shown = {v.id: v.light for v in tasks.list_tasks(d.uow(), today=today)}
    assert shown == {green: Light.GREEN, yellow: Light.YELLOW, done: None}
    for light, expected in ((Light.GREEN, [green]), (Light.YELLOW, [yellow]), (Light.RED, [])):
        found = tasks.list_tasks(d.uow(), today=today, filters=tasks.TaskFilter(light=light))
        assert [v.id for v in found] == expected
    # Thursday: the 5 June task is overdue, red in Python and in SQL alike.
    later = date(2024, 6, 6)
    assert tasks.show_task(d.uow(), task_id=yellow, today=later).task.light is Light.RED
    assert [v.id for v in tasks.list_tasks(d.uow(), today=later, filters=tasks.TaskFilter(light=Light.RED))] == [
        yellow]


def sweep_on(d: Any, day: date, hour: int = 7) -> sweep.SweepResult:
    return sweep.sweep(d.uow(), caller=d.caller(d.system, at(day, hour)))


def test_a_task_without_a_report_for_a_month_gets_one_reminder_per_window(district: Any) -> None:
    d = district
    d.add_plan()
    task_id = d.add_task(due=date(2024, 12, 31))
    unsigned = d.add_task(title="编制重点片区控制性详细规划", due=date(2024, 12, 31))  # 已分解: no window yet
    d.task_act(d.handler, task_id, A.ACKNOWLEDGE)  # Monday 3 June: the window starts

    assert sweep_on(d, date(2024, 7, 2)).task_reminders == []  # 29 days
    reminded = sweep_on(d, date(2024, 7, 3))  # 30 days
    assert reminded.task_reminders == [task_id] and reminded.messages == 1
    assert sweep_on(d, date(2024, 7, 3)).task_reminders == []  # a second run the same day
    assert sweep_on(d, date(2024, 7, 31)).task_reminders == []  # 28 days after the reminder
    assert sweep_on(d, date(2024, 8, 2)).task_reminders == [task_id]  # a month after the reminder
    d.task_act(d.handler, task_id, A.PROGRESS, reason="已完成规划成果公示", now=at(date(2024, 8, 20)))
    assert sweep_on(d, date(2024, 9, 18)).task_reminders == []  # 29 days after the report
    assert sweep_on(d, date(2024, 9, 19)).task_reminders == [task_id]

    events = [e for e in d.task_events(task_id) if e["action"] == "remind"]
    assert [e["actor"] for e in events] == ["system"] * 3
    assert events[0]["reason"] == "已 30 天未报送进展，督办牵头单位"
    assert d.task_row(task_id)["reminded_on"] == "2024-09-19"
    assert [e["action"] for e in d.task_events(unsigned)] == ["add"]
    messages = [m for m in d.outbox() if m["kind"] == "reminder"]
    assert [m["unit"] for m in messages] == ["ZRZY"] * 3
    assert json.loads(messages[0]["mentions"]) == ["钱局长（自然资源和规划局）"]
    assert messages[0]["title"] == "督办通知：区自然资源和规划局 1 项任务未按月报送进展"
    assert "已超过一个月未报送进展" in messages[0]["body"] and task_id in messages[0]["body"]
    replayed, stored = tasks.replayed_task(d.uow(), task_id=task_id)
    assert replayed == stored
    assert audit.verify_chains(d.uow()).ok


def test_the_sweep_and_the_domain_rule_remind_the_same_tasks(district: Any) -> None:
    """Tasks signed, reported and returned on different days; each day's sweep reminds exactly those
    `progress_reminder_due` names, read from the rows just before it runs."""
    d = district
    settings.set_setting(d.uow(), caller=d.caller(d.admin), key="sweep.task_progress_days", value="10")
    d.add_plan()
    start = date(2024, 6, 3)
    ids = [d.add_task(title=f"第{n}项任务", due=date(2024, 12, 31)) for n in range(1, 5)]
    plan_of_actions: dict[int, list[tuple[str, TaskAction, str | None]]] = {
        0: [(ids[0], A.ACKNOWLEDGE, None), (ids[1], A.ACKNOWLEDGE, None)],
        4: [(ids[2], A.ACKNOWLEDGE, None)],
        9: [(ids[1], A.PROGRESS, "已完成方案编制")],
        13: [(ids[2], A.RESOLVE, "已完成")],
        15: [(ids[2], A.REJECT, "佐证材料不全")],
        22: [(ids[3], A.ACKNOWLEDGE, None)],
    }
    reminded_any = False
    for offset in range(0, 40):
        day = start + timedelta(days=offset)
        for task_id, action, reason in plan_of_actions.get(offset, []):
            handle = d.secretariat if action is A.REJECT else d.handler
            d.task_act(handle, task_id, action, reason=reason, now=at(day, 9))
        rows = {task_id: d.task_row(task_id) for task_id in ids}
        expected = [task_id for task_id, row in rows.items() if progress_reminder_due(
            state=TaskState(row["state"]),
            last_progress_on=date.fromisoformat(row["last_progress_on"]) if row["last_progress_on"] else None,
            reminded_on=date.fromisoformat(row["reminded_on"]) if row["reminded_on"] else None,
            today=day, days=10)]
        assert sweep_on(d, day, hour=18).task_reminders == expected, day
        reminded_any = reminded_any or bool(expected)
    assert reminded_any
    assert audit.verify_chains(d.uow()).ok


def test_a_unit_sees_the_tasks_it_leads_or_helps_with(district: Any) -> None:
    d = district
    d.add_plan()
    led = d.add_task(title="完成国土空间总体规划报批")
    helped = d.add_task(title="推进老旧小区改造", unit=d.other_unit, co_units=(d.solving_unit,))
    other = d.add_task(title="完成城市更新专项规划", unit=d.other_unit)
    today = date(2024, 6, 3)

    def seen(handle: str) -> list[str]:
        with d.uow() as uow:
            viewer = viewer_of(uow.session, handle)
        return [v.id for v in tasks.list_tasks(d.uow(), today=today, viewer=viewer)]

    assert seen(d.handler) == [led, helped]
    assert seen(d.other_handler) == [helped, other]
    assert seen(d.secretariat) == seen(d.principal) == seen(d.admin) == [led, helped, other]
    assert seen(d.specialist) == seen(d.leader) == []
    with d.uow() as uow:
        outsider = viewer_of(uow.session, d.handler)
    with pytest.raises(NotFound):
        tasks.show_task(d.uow(), task_id=other, today=today, viewer=outsider)
    with pytest.raises(NotFound):
        tasks.act_on_task(d.uow(), caller=d.caller(d.handler), task_id=other, action=A.ACKNOWLEDGE,
                          viewer=outsider)
    detail = tasks.show_task(d.uow(), task_id=led, today=today, viewer=outsider)
    assert detail.actions == [A.ACKNOWLEDGE]
    assert tasks.count_tasks(d.uow(), viewer=outsider) == {"decomposed": 2}


def test_plans_keep_their_kind_and_tasks_their_units_for_the_annual_count(district: Any) -> None:
    d = district
    d.add_plan()
    d.add_plan("ZC-2024-3", "关于促进民间投资的若干措施", kind="policy")
    d.add_task()
    d.add_task(title="完成园区污水管网建设", unit=d.locality)
    d.add_task("ZC-2024-3", title="建立民间投资项目库", unit=d.service_unit)
    d.add_task("ZC-2024-3", title="落实用地保障措施")
    with pytest.raises(Conflict, match="已存在"):
        d.add_plan("ssw-zq", "重复登记")
    with pytest.raises(NotPermitted):
        plans.add_plan(d.uow(), caller=d.caller(d.handler), code="X-1", name="某规划")
    policies = plans.list_plans(d.uow(), kind=PlanKind.POLICY)
    assert [(p.code, p.task_count, p.open_tasks) for p in policies] == [("ZC-2024-3", 2, 2)]
    with d.engine.connect() as conn:
        responsible = conn.execute(text(
            "SELECT u.kind, count(DISTINCT t.lead_unit) FROM task t JOIN unit u ON u.code = t.lead_unit "
            "GROUP BY u.kind ORDER BY u.kind")).all()
        measures = conn.execute(text(
            "SELECT count(*) FROM task t JOIN plan p ON p.code = t.plan WHERE p.kind = 'policy'")).scalar_one()
    assert [tuple(r) for r in responsible] == [("department", 2), ("locality", 1)]
    assert measures == 2
    assert plans.show_plan(d.uow(), plan="关于促进民间投资的若干措施").code == "ZC-2024-3"
