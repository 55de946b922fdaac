"""Plan tasks, special plans and filings on the pages and the API, against a real `coord web` (web/items*.py).

One server per back end for the module; each test adds the items it looks at (through the district's
services), so that the others' items never change its answer. Every check goes through HTTP, and what
was written is read back from the database itself.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from coordination.domain.filing_workflow import FilingAction
from coordination.domain.labels import label
from coordination.domain.special_plan_workflow import SpecialPlanAction, SpecialPlanState
from coordination.domain.task_workflow import TaskAction, TaskState
from coordination.services import tasks
from coordination.services.visibility import viewer_of
from tests.web.conftest import Http, WebDistrict
from tests.web.test_pages import forms_of, parsed, text_of

PLAN = "ITEMS-WEB"


def district(web: WebDistrict) -> Any:
    return web.district


def code() -> str:
    return "W" + uuid.uuid4().hex[:8].upper()


@pytest.fixture(scope="module")
def people(web: WebDistrict) -> dict[str, httpx.Client]:
    """One signed-in browser per person these tests use (argon2 is slow: sign in once per module)."""
    d = district(web)
    d.add_plan(PLAN, "重点工作页面测试任务分解")
    clients = {}
    for handle in (d.secretariat, d.handler, d.unit_head, d.other_handler):
        client, response = web.sign_in(handle)
        assert response.status_code == 303, response.text
        clients[handle] = client
    return clients


def act_api(http: Http, handle: str, slug: str, item_id: str, action: str, version: int | None,
            body: dict[str, Any] | None = None) -> httpx.Response:
    headers = {"If-Match": f'"{version}"'} if version is not None else {}
    return http(handle).post(f"/api/items/{slug}/{item_id}/actions/{action}", headers=headers, json=body)


def item_forms(client: httpx.Client, slug: str, item_id: str) -> dict[str, Any]:
    """The action forms of an item's page, by action key."""
    page = client.get(f"/items/{slug}/{item_id}")
    assert page.status_code == 200, page.text
    prefix = f"/items/{slug}/{item_id}/actions/"
    return {action.removeprefix(prefix): form for action, form in forms_of(page).items() if action.startswith(prefix)}


def error_code(response: httpx.Response) -> str:
    body = response.json()
    assert set(body["error"]) >= {"code", "message", "message_en"}, body
    return str(body["error"]["code"])


# ---- a filing, completed by its window's handler -----------------------------------------------


def test_a_handler_of_the_lead_unit_completes_a_filing_through_the_page(
        web: WebDistrict, people: dict[str, httpx.Client]) -> None:
    d = district(web)
    fid = d.add_filing(project_name="页面办结：年产2万吨电解液项目")
    client = people[d.handler]
    page = client.get(f"/items/filings/{fid}")
    shown = text_of(page)
    for words in ("已受理", "办理时限", "受理单位", "区自然资源和规划局", "处理经过", "可执行的操作"):
        assert words in shown, words
    forms = item_forms(client, "filings", fid)
    assert sorted(forms) == ["complete", "return"]
    assert forms["complete"].buttons == [label(FilingAction.COMPLETE)] == ["办结"]
    assert "reason" in forms["return"].fields  # 退回 needs its reason (the table's needs_reason)

    response = client.post(f"/items/filings/{fid}/actions/complete", data={**forms["complete"].hidden,
                                                                            "reason": "材料齐全，出具备案证明"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/items/filings/{fid}?done=complete"
    after = client.get(response.headers["location"])
    assert "已完成操作：办结" in text_of(after) and "已办结" in text_of(after)
    assert item_forms(client, "filings", fid) == {}  # nothing left to do
    assert d.filing_row(fid)["state"] == "completed"
    events = d.filing_events(fid)
    assert [(e["action"], e["actor"], e["origin"]) for e in events][-1] == ("complete", d.handler, "web")
    assert events[-1]["reason"] == "材料齐全，出具备案证明"


def test_a_handler_of_the_lead_unit_completes_a_filing_through_the_api(web: WebDistrict, http: Http) -> None:
    d = district(web)
    fid = d.add_filing(project_name="接口办结：智能装备产业园项目")
    shown = http(d.handler).get(f"/api/items/filings/{fid}")
    assert shown.status_code == 200
    assert shown.headers["etag"] == '"1"'
    body = shown.json()
    assert body["actions"] == ["complete", "return"] and body["state"] == "received"
    assert [e["action"] for e in body["timeline"]] == ["add"]

    done = act_api(http, d.handler, "filings", fid, "complete", 1)
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "completed" and done.json()["completed_on_time"] is True
    assert done.headers["etag"] == '"2"'
    assert d.filing_row(fid)["state"] == "completed"
    listed = http(d.handler).get("/api/items/filings", params={"state": "completed"}).json()
    assert fid in {row["id"] for row in listed["items"]}


# ---- who sees what ------------------------------------------------------------------------------


def test_another_units_handler_gets_404_and_writes_nothing(web: WebDistrict, http: Http,
                                                          people: dict[str, httpx.Client]) -> None:
    d = district(web)
    fid = d.add_filing(project_name="可见性：新能源汽车零部件项目")
    tid = d.add_task(PLAN, title="可见性：完成片区控规修编")
    sid = d.add_special_plan(code(), "可见性：教育设施布局专项规划")
    before = d.audit_count()
    outsider = d.other_handler
    for slug, item_id, action in (("filings", fid, "complete"), ("tasks", tid, "acknowledge"),
                                  ("special-plans", sid, "review")):
        assert http(outsider).get(f"/api/items/{slug}/{item_id}").status_code == 404
        refused = act_api(http, outsider, slug, item_id, action, 1, {"document": "x"} if slug == "special-plans"
                          else None)
        assert refused.status_code == 404 and error_code(refused) == "not_found", refused.text
        listed = http(outsider).get(f"/api/items/{slug}").json()
        assert item_id not in {str(row.get("id") or row.get("code")) for row in listed["items"]}
        browser = people[outsider]
        assert browser.get(f"/items/{slug}/{item_id}").status_code == 404
        token = forms_of(browser.get("/"))["/logout"].hidden["csrf_token"]
        posted = browser.post(f"/items/{slug}/{item_id}/actions/{action}", data={"csrf_token": token, "version": "1"})
        assert posted.status_code == 404
        assert f"/items/{slug}/{item_id}" not in browser.get(f"/items/{slug}").text
    assert d.audit_count() == before
    # The co-unit's staff see a task they help with (and may report progress on it once it is signed).
    helped = d.add_task(PLAN, title="可见性：配合推进的任务", co_units=(d.other_unit,))
    assert http(outsider).get(f"/api/items/tasks/{helped}").json()["actions"] == []
    d.task_act(d.handler, helped, TaskAction.ACKNOWLEDGE)
    assert http(outsider).get(f"/api/items/tasks/{helped}").json()["actions"] == ["progress"]


# ---- versions and refusals ----------------------------------------------------------------------


def test_a_stale_version_is_412_on_the_api_and_on_the_page(web: WebDistrict, http: Http,
                                                           people: dict[str, httpx.Client]) -> None:
    d = district(web)
    tid = d.add_task(PLAN, title="并发：两人同时处理的任务")
    client = people[d.handler]
    form = item_forms(client, "tasks", tid)["acknowledge"]
    d.task_act(d.secretariat, tid, TaskAction.ADJUST, reason="专班调整期限", due=d.now.date() + timedelta(days=120))
    before = d.audit_count()

    stale = act_api(http, d.handler, "tasks", tid, "acknowledge", 1)
    assert stale.status_code == 412 and error_code(stale) == "stale_version"
    page = client.post(form.action, data=form.hidden)
    assert page.status_code == 412
    assert "已被他人更新" in text_of(page) and "专班调整期限" in text_of(page)  # the task as it is now
    assert d.audit_count() == before and d.task_row(tid)["state"] == "decomposed"
    fresh = forms_of(page)[form.action]
    assert int(fresh.hidden["version"]) == int(form.hidden["version"]) + 1
    assert client.post(form.action, data=fresh.hidden).status_code == 303
    assert d.task_row(tid)["state"] == "in_progress"


def test_an_action_not_allowed_is_403_or_409(web: WebDistrict, http: Http,
                                            people: dict[str, httpx.Client]) -> None:
    d = district(web)
    tid = d.add_task(PLAN, title="权限：经办人不能确认完成")
    fid = d.add_filing(project_name="状态：已办结的备案不能再退回")
    d.filing_act(d.handler, fid, FilingAction.COMPLETE)
    before = d.audit_count()
    not_role = act_api(http, d.handler, "tasks", tid, "verify", 1)
    assert not_role.status_code == 403 and error_code(not_role) == "forbidden"
    not_now = act_api(http, d.handler, "filings", fid, "return", 2, {"reason": "材料不全"})
    assert not_now.status_code == 409 and error_code(not_now) == "conflict"
    assert act_api(http, d.handler, "filings", fid, "approve", 2).status_code == 404  # not one of its actions
    stray = act_api(http, d.handler, "tasks", tid, "acknowledge", 1, {"due_date": "2024-12-31"})
    assert stray.status_code == 400 and "due_date" in stray.json()["error"]["message"]
    missing_reason = act_api(http, d.secretariat, "tasks", tid, "adjust", 1, {"title": "新的名称"})
    assert missing_reason.status_code == 400
    assert act_api(http, d.handler, "tasks", tid, "acknowledge", None).status_code == 428
    assert act_api(http, d.handler, "tasks", tid, "acknowledge", 1, {"unknown": 1}).status_code == 422
    # The page refuses the same way: a form the page never offered (the handler may not verify).
    browser = people[d.handler]
    token = forms_of(browser.get("/"))["/logout"].hidden["csrf_token"]
    refused = browser.post(f"/items/tasks/{tid}/actions/verify", data={"csrf_token": token, "version": "1"})
    assert refused.status_code == 403
    forged = browser.post(f"/items/tasks/{tid}/actions/acknowledge", data={"csrf_token": "forged", "version": "1"})
    assert forged.status_code == 403 and "CSRF" in text_of(forged)
    assert d.audit_count() == before


def test_the_page_offers_exactly_the_actions_the_table_allows(web: WebDistrict,
                                                             people: dict[str, httpx.Client]) -> None:
    d = district(web)
    tid = d.add_task(PLAN, title="操作：按转换表提供", co_units=(d.other_unit,))

    def offered_by_service(handle: str) -> list[str]:
        with d.uow() as uow:
            viewer = viewer_of(uow.session, handle)
        detail = tasks.show_task(d.uow(), task_id=tid, today=d.now.date(), viewer=viewer)
        return [a.value for a in detail.actions or []]

    for state, then in ((TaskState.DECOMPOSED, TaskAction.ACKNOWLEDGE), (TaskState.IN_PROGRESS, TaskAction.RESOLVE),
                        (TaskState.COMPLETION_SUBMITTED, None)):
        assert d.task_row(tid)["state"] == state.value
        for handle in (d.secretariat, d.handler, d.unit_head, d.other_handler):
            assert sorted(item_forms(people[handle], "tasks", tid)) == sorted(offered_by_service(handle)), (
                state, handle)
        if then is not None:
            d.task_act(d.handler, tid, then, reason="已完成报批")
    assert sorted(item_forms(people[d.secretariat], "tasks", tid)) == ["reject", "verify"]


# ---- forms with more than a reason -------------------------------------------------------------


def test_the_secretariat_records_a_special_plan_stage_with_its_document_and_day(
        web: WebDistrict, people: dict[str, httpx.Client]) -> None:
    d = district(web)
    sid = d.add_special_plan(code(), "环节：综合管廊专项规划", now=d.now - timedelta(days=30))
    client = people[d.secretariat]
    forms = item_forms(client, "special-plans", sid)
    assert sorted(forms) == ["review"] and {"document", "on"} <= forms["review"].fields
    before = d.audit_count()
    empty = client.post(f"/items/special-plans/{sid}/actions/review", data=forms["review"].hidden)
    assert empty.status_code == 400 and "文件或会议" in text_of(empty)
    assert d.audit_count() == before
    day = (d.now - timedelta(days=3)).date()
    done = client.post(f"/items/special-plans/{sid}/actions/review",
                       data={**forms["review"].hidden, "document": "专家评审意见（区发改〔2024〕12号）",
                             "on": day.isoformat()})
    assert done.status_code == 303
    row = d.special_plan_row(sid)
    assert row["state"] == SpecialPlanState.EXPERT_REVIEWED.value
    assert str(row["reviewed_on"]) == day.isoformat() and row["review_document"] == "专家评审意见（区发改〔2024〕12号）"
    after = text_of(client.get(done.headers["location"]))
    assert label(SpecialPlanState.EXPERT_REVIEWED) in after and "区发改〔2024〕12号" in after
    assert sorted(item_forms(client, "special-plans", sid)) == [SpecialPlanAction.DELIBERATE.value]
    # The drafting unit's own staff see their plan, and may record nothing.
    assert item_forms(people[d.handler], "special-plans", sid) == {}


def test_the_secretariat_adjusts_a_task_and_clears_its_co_units(web: WebDistrict,
                                                               people: dict[str, httpx.Client]) -> None:
    d = district(web)
    tid = d.add_task(PLAN, title="调整：原名称", co_units=(d.other_unit,))
    client = people[d.secretariat]
    form = item_forms(client, "tasks", tid)["adjust"]
    page = parsed(client.get(f"/items/tasks/{tid}"))
    assert page.xpath(f"//form[@action='{form.action}']//input[@name='title']/@value") == ["调整：原名称"]
    assert page.xpath(f"//form[@action='{form.action}']//input[@name='co_units' and @checked]/@value") == [
        d.other_unit]
    due = d.now.date() + timedelta(days=150)
    response = client.post(form.action, data={**form.hidden, "title": "调整：新名称", "due_date": due.isoformat(),
                                              "co_units_shown": "1", "reason": "按区政府要求调整"})
    assert response.status_code == 303, text_of(response)
    row = d.task_row(tid)
    assert (row["title"], str(row["due_date"]), row["co_units"]) == ("调整：新名称", due.isoformat(), "[]")
    assert row["adjust_count"] == 1


# ---- lists, the index, 我的待办 -------------------------------------------------------------------


def test_the_list_filters_work(web: WebDistrict, http: Http, people: dict[str, httpx.Client]) -> None:
    d = district(web)
    late = d.add_filing(project_name="筛选：逾期未办的备案", now=d.now - timedelta(days=30))
    fresh = d.add_filing(project_name="筛选：刚受理的备案")
    elsewhere = d.add_filing(project_name="筛选：住建局窗口的备案", unit=d.other_unit)
    done = d.add_filing(project_name="筛选：已退回的备案")
    d.filing_act(d.secretariat, done, FilingAction.RETURN, reason="材料不全")

    def ids(**params: str) -> set[str]:
        response = http(d.secretariat).get("/api/items/filings", params={**params, "limit": "500"})
        assert response.status_code == 200, response.text
        return {row["id"] for row in response.json()["items"]}

    mine = {late, fresh, elsewhere, done}
    assert ids() >= mine
    assert ids(light="red") & mine == {late}
    assert ids(light="green") & mine == {fresh, elsewhere}
    assert ids(state="returned") & mine == {done}
    assert ids(open="true") & mine == {late, fresh, elsewhere}
    assert ids(unit=d.other_unit) & mine == {elsewhere}
    assert ids(unit=d.solving_unit, open="true") & mine == {late, fresh}
    total = http(d.secretariat).get("/api/items/filings", params={"limit": "1"}).json()
    assert len(total["items"]) == 1 and total["total"] >= 4
    assert http(d.secretariat).get("/api/items/filings", params={"state": "closed"}).status_code == 400
    assert http(d.secretariat).get("/api/items/special-plans", params={"light": "red"}).status_code == 400
    assert http(d.secretariat).get("/api/items/funds-and-more").status_code == 404
    # The handler's list holds only their unit's filings; the page filters the same way.
    assert elsewhere not in {row["id"] for row in http(d.handler).get("/api/items/filings").json()["items"]}
    page = people[d.secretariat].get("/items/filings", params={"state": "open", "light": "red"})
    assert page.status_code == 200
    links = set(parsed(page).xpath("//a[starts-with(@href, '/items/filings/')]/@href"))
    assert f"/items/filings/{late}" in links and f"/items/filings/{fresh}" not in links
    assert "红灯" in text_of(page)
    assert people[d.secretariat].get("/items/filings", params={"state": "nonsense"}).status_code == 400


def test_the_index_counts_what_is_in_hand_and_the_nav_links_it(web: WebDistrict, http: Http,
                                                              people: dict[str, httpx.Client]) -> None:
    d = district(web)
    d.add_filing(project_name="总览：逾期的备案", now=d.now - timedelta(days=30))
    client = people[d.secretariat]
    home = client.get("/")
    assert "/items" in parsed(home).xpath("//nav//a/@href")
    index = client.get("/items")
    assert index.status_code == 200
    shown = text_of(index)
    for name in ("重点任务", "专项规划", "备案"):
        assert name in shown
    for slug in ("tasks", "special-plans", "filings"):
        open_total = http(d.secretariat).get(f"/api/items/{slug}", params={"open": "true"}).json()["total"]
        card = parsed(index).xpath(f"//section[contains(@class, 'kind-{slug}')]")[0].text_content()
        assert f"在办 {open_total} 项" in card
    red = http(d.secretariat).get("/api/items/filings", params={"light": "red"}).json()["total"]
    filings_card = parsed(index).xpath("//section[contains(@class, 'kind-filings')]")[0].text_content()
    assert red >= 1 and f"红灯 {red}" in filings_card
    english = client.get("/items/filings", params={"lang": "en"})
    assert "Filings" in text_of(english) and "Receiving unit" in text_of(english)
    client.get("/items", params={"lang": "zh"})


def test_my_work_lists_the_tasks_waiting_for_my_unit(web: WebDistrict, people: dict[str, httpx.Client]) -> None:
    d = district(web)
    tid = d.add_task(PLAN, title="待办：等待签收的任务")
    mine = people[d.handler].get("/")
    assert f"/items/tasks/{tid}" in set(parsed(mine).xpath("//section[@id='items-tasks']//a/@href"))
    theirs = people[d.other_handler].get("/")
    assert f"/items/tasks/{tid}" not in theirs.text


def test_the_api_needs_a_token_and_is_documented(web: WebDistrict, http: Http) -> None:
    for path in ("/api/items/tasks", "/api/items/tasks/T-2024-0001"):
        assert http(None).get(path).status_code == 401
    assert http(None).post("/api/items/tasks/T-2024-0001/actions/acknowledge").status_code == 401
    paths = http(None).get("/api/openapi.json").json()["paths"]
    assert {"/api/items/{slug}", "/api/items/{slug}/{item_id}", "/api/items/{slug}/{item_id}/actions/{action}"} <= set(
        paths)
