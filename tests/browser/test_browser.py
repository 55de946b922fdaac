"""A handler and a leader in a real browser on a phone: sign in, find their work, act on it.

Everything goes through the pages as a person would (forms, links, buttons); the data is prepared in
process through the district's services. Labels are the product's own Chinese ones (domain/labels.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect

from coordination.domain.enums import Action, State
from coordination.domain.labels import label
from coordination.domain.task_workflow import TaskAction, TaskState
from tests.web.conftest import WebDistrict

Screenshot = Callable[[Page, str], None]


def sign_in(page: Page, web: WebDistrict, handle: str) -> None:
    """Fill in and send the sign-in form; lands on 我的待办 (/)."""
    page.goto(f"{web.base_url}/login")
    form = page.locator('form[action="/login"]')
    form.locator('input[name="handle"]').fill(handle)
    form.locator('input[name="password"]').fill(web.passwords[handle])
    form.locator('button[type="submit"]').click()
    expect(page).to_have_url(f"{web.base_url}/")


def action_button(page: Page, action: Action) -> Locator:
    """The submit button of the page's form for `action`, by its Chinese label."""
    return page.locator('form[method="post" i]').get_by_role("button", name=label(action), exact=True)


def test_a_handler_signs_for_an_assigned_problem_on_a_phone(web: WebDistrict, phone: Page,
                                                             screenshot: Screenshot) -> None:
    d = web.district
    pid = d.raise_problem(title="项目二期用地指标未落实，影响12月开工")  # type: ignore[attr-defined]
    other = d.raise_problem(title="配套110千伏变电站选址涉及林地，需调整用地规划")  # type: ignore[attr-defined]
    for problem in (pid, other):
        d.assign(problem)  # type: ignore[attr-defined]

    sign_in(phone, web, d.handler)  # type: ignore[attr-defined]
    link = phone.locator(f'a[href="/problems/{pid}"]')
    expect(link).to_contain_text(pid)
    expect(phone.locator(f'a[href="/problems/{other}"]')).to_contain_text(other)
    screenshot(phone, "todo.png")

    link.first.click()
    expect(phone).to_have_url(f"{web.base_url}/problems/{pid}")
    state = phone.locator(".state")
    expect(state).to_contain_text(label(State.ASSIGNED))
    sign = action_button(phone, Action.ACKNOWLEDGE)
    expect(sign).to_have_count(1)
    sign.click()

    expect(state).to_contain_text(label(State.IN_PROGRESS))
    expect(sign).to_have_count(0)
    assert d.problem_row(pid)["state"] == State.IN_PROGRESS.value  # type: ignore[attr-defined]
    screenshot(phone, "problem.png")


def test_a_leader_finds_an_escalated_problem_of_their_project_in_the_queue(web: WebDistrict, phone: Page,
                                                                           screenshot: Screenshot) -> None:
    d = web.district
    escalated = d.raise_problem(title="施工用电临时接入迟迟未批，影响设备进场")  # type: ignore[attr-defined]
    d.assign(escalated)  # type: ignore[attr-defined]
    for reason in ("责任单位协调未果，提请专班会商", "专班会商后仍未落实，提请挂钩区领导会办"):  # L1 → L2 → L3
        d.act(d.secretariat, escalated, Action.ESCALATE, reason=reason)  # type: ignore[attr-defined]
    below = d.raise_problem(title="项目红线内一处管线迁改方案待确认")  # type: ignore[attr-defined]
    d.assign(below)  # type: ignore[attr-defined]
    d.act(d.secretariat, below, Action.ESCALATE, reason="责任单位协调未果，提请专班会商")  # type: ignore[attr-defined]
    assert d.problem_row(escalated)["level"] == 3 and d.problem_row(below)["level"] == 2  # type: ignore[attr-defined]

    sign_in(phone, web, d.leader)  # type: ignore[attr-defined]
    phone.locator('a[href="/queue"]').first.click()  # the menu's 提级队列
    expect(phone).to_have_url(f"{web.base_url}/queue")
    link = phone.locator(f'a[href="/problems/{escalated}"]')
    expect(link).to_contain_text(escalated)
    expect(phone.locator(f'a[href="/problems/{below}"]')).to_contain_text(below)  # the whole queue: L2 and up

    # Their own queue: the filter on themselves as the linked leader keeps their projects' L3 and above.
    filters = phone.locator('form[action="/queue"]')
    filters.locator('select[name="leader"]').select_option(d.leader)  # type: ignore[attr-defined]
    filters.locator('button[type="submit"]').click()
    expect(phone).to_have_url(re.compile(rf"/queue\?leader={d.leader}(&|$)"))  # type: ignore[attr-defined]
    expect(link).to_contain_text(escalated)
    expect(phone.locator(f'a[href="/problems/{below}"]')).to_have_count(0)  # L2: the task force's, not theirs
    screenshot(phone, "queue.png")

    link.first.click()
    expect(phone).to_have_url(f"{web.base_url}/problems/{escalated}")
    expect(phone.locator(".state")).to_contain_text(label(State.ON_AGENDA))


def test_a_handler_signs_for_a_plan_task_on_a_phone(web: WebDistrict, phone: Page) -> None:
    d = web.district
    d.add_plan("BROWSER-T", "浏览器测试：年度重点任务分解")  # type: ignore[attr-defined]
    tid = d.add_task("BROWSER-T", title="完成片区控制性详细规划修编")  # type: ignore[attr-defined]

    sign_in(phone, web, d.handler)  # type: ignore[attr-defined]
    link = phone.locator(f'a[href="/items/tasks/{tid}"]')  # 我的待办's 重点任务 section
    expect(link).to_contain_text(tid)
    link.first.click()
    expect(phone).to_have_url(f"{web.base_url}/items/tasks/{tid}")
    state = phone.locator(".state")
    expect(state).to_contain_text(label(TaskState.DECOMPOSED))
    sign = phone.locator('form[method="post" i]').get_by_role("button", name=label(TaskAction.ACKNOWLEDGE), exact=True)
    expect(sign).to_have_count(1)
    sign.click()

    expect(state).to_contain_text(label(TaskState.IN_PROGRESS))
    expect(phone.locator(".flash")).to_contain_text(label(TaskAction.ACKNOWLEDGE))
    expect(sign).to_have_count(0)
    assert d.task_row(tid)["state"] == TaskState.IN_PROGRESS.value  # type: ignore[attr-defined]
