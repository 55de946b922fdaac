"""The pages against a real `coord web` server: signing in and out, every page for every role, the actions.

The district comes from tests/conftest.py and is shared by this module's tests (one server per back
end): each test raises the problems it looks at, so that the others' problems never change its answer.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx
import lxml.html  # type: ignore[import-untyped]
import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import text

from coordination.domain.enums import Action, Difficulty, Role, State
from coordination.domain.errors import NotFound
from coordination.domain.investment import YearMonth
from coordination.domain.labels import label
from coordination.domain.meetings import DecisionInput, MeetingKind, Outcome
from coordination.services import access, directory, issue_reads, meetings, projects, todo
from coordination.services.visibility import Viewer, viewer_of
from tests.web.conftest import WebDistrict

PAGES = ("/", "/problems", "/problems/new", "/queue", "/dashboard", "/meetings", "/reports")
NAV = ("/", "/problems", "/queue", "/dashboard", "/meetings", "/reports")


# ---- helpers ---------------------------------------------------------------------------------


@dataclass
class Form:
    action: str
    hidden: dict[str, str] = field(default_factory=dict)
    buttons: list[str] = field(default_factory=list)
    fields: set[str] = field(default_factory=set)


def parsed(response: httpx.Response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.text)


def forms_of(response: httpx.Response) -> dict[str, Form]:
    """Every POST form on the page by its action, with its hidden values, field names and submit buttons."""
    found: dict[str, Form] = {}
    for element in parsed(response).xpath("//form[@method='post']"):
        form = Form(element.get("action"))
        for field_element in element.xpath(".//input|.//textarea|.//select"):
            name = field_element.get("name")
            if field_element.get("type") == "hidden":
                form.hidden[name] = field_element.get("value") or ""
            elif name:
                form.fields.add(name)
        form.buttons = [b.text_content().strip() for b in element.xpath(".//button[@type='submit']")]
        found[form.action] = form
    return found


def problem_links(response: httpx.Response) -> set[str]:
    """The problem ids the page links to as <a href="/problems/{id}"> with the id inside."""
    ids = set()
    for anchor in parsed(response).xpath("//a[starts-with(@href, '/problems/Q-')]"):
        pid = anchor.get("href").removeprefix("/problems/")
        if pid in anchor.text_content():
            ids.add(pid)
    return ids


def text_of(response: httpx.Response) -> str:
    return " ".join(parsed(response).text_content().split())


def viewer(d: Any, handle: str) -> Viewer:
    with d.uow() as uow:
        return viewer_of(uow.session, handle)


def offered(d: Any, problem_id: str, handle: str) -> list[Action]:
    """What the service says this person may do now (ProblemDetail.actions)."""
    detail = issue_reads.show_problem(d.uow(), problem_id=problem_id, today=d.caller(handle).today,
                                      viewer=viewer(d, handle))
    return list(detail.actions or [])


def state_of(d: Any, problem_id: str) -> str:
    return str(d.problem_row(problem_id)["state"])


def post_action(client: httpx.Client, problem_id: str, action: Action, **data: str) -> httpx.Response:
    """Post an action's form as the page renders it (its csrf_token and version), with `data` on top."""
    page = client.get(f"/problems/{problem_id}")
    assert page.status_code == 200, page.text
    form = forms_of(page)[f"/problems/{problem_id}/actions/{action.value}"]
    return client.post(form.action, data={**form.hidden, **data})


@pytest.fixture(scope="module")
def people(web: WebDistrict) -> dict[str, httpx.Client]:
    """One signed-in browser per person of the district (argon2 is slow: sign in once per module)."""
    d: Any = web.district
    clients = {}
    for handle in (d.secretariat, d.specialist, d.handler, d.unit_head, d.other_handler, d.leader,
                   d.principal, d.admin):
        client, response = web.sign_in(handle)
        assert response.status_code == 303, response.text
        clients[handle] = client
    return clients


# ---- signing in ------------------------------------------------------------------------------


def test_without_a_session_every_page_redirects_to_sign_in(web: WebDistrict) -> None:
    browser = web.browser()
    for path in (*PAGES, "/problems/Q-2024-0001", "/meetings/M-2024-0001/minutes.docx", "/reports/weekly.docx",
                 "/problems?state=assigned&light=red"):
        response = browser.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"] == f"/login?next={quote(path, safe='/')}", path
    refused = browser.post("/problems/Q-2024-0001/actions/acknowledge", data={"csrf_token": "x", "version": "1"})
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
    login = browser.get("/login?next=/queue")
    form = forms_of(login)["/login"]
    assert {"handle", "password"} <= form.fields and "csrf_token" in form.hidden
    assert form.buttons == ["登录"]


def test_signing_in_goes_back_to_the_page_asked_for(web: WebDistrict) -> None:
    d: Any = web.district
    browser = web.browser()
    browser.get("/login?next=/queue")
    response = browser.post("/login", data={"handle": d.leader, "password": web.passwords[d.leader],
                                            "csrf_token": browser.cookies.get("coord_login_csrf") or "",
                                            "next": "/queue"})
    assert response.status_code == 303 and response.headers["location"] == "/queue"
    assert browser.get("/queue").status_code == 200


def test_five_wrong_passwords_lock_the_account(web: WebDistrict) -> None:
    d: Any = web.district
    admin = d.caller(d.admin)
    directory.add_person(d.uow(), caller=admin, handle="lock_test", name="锁定测试员", unit=d.service_unit,
                         roles=[Role.SPECIALIST])
    access.set_password(d.uow(), caller=admin, handle="lock_test", password="lock-test-password-1")
    for _ in range(5):
        _, wrong = web.sign_in("lock_test", "not-the-password")
        assert wrong.status_code == 401
        assert "用户名或密码不正确" in text_of(wrong)
    client, sixth = web.sign_in("lock_test", "lock-test-password-1")
    assert sixth.status_code == 401
    assert "锁定" in text_of(sixth)
    assert "coord_session" not in client.cookies
    kinds = [r.kind for r in access.list_refusals(d.uow(), caller=admin, handle="lock_test")]
    assert kinds == ["locked"] + ["bad_password"] * 5
    # Everyone else still signs in.
    assert web.sign_in(d.specialist)[1].status_code == 303


def test_signing_out_ends_the_session(web: WebDistrict) -> None:
    d: Any = web.district
    client, _ = web.sign_in(d.unit_head)
    home = client.get("/")
    assert home.status_code == 200
    signout = forms_of(home)["/logout"]
    assert signout.buttons == ["退出"]
    old_cookie = client.cookies.get("coord_session")
    response = client.post("/logout", data=signout.hidden)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    replay = web.browser()
    replay.cookies.set("coord_session", old_cookie or "")
    again = replay.get("/")
    assert again.status_code == 303 and again.headers["location"].startswith("/login")


def test_signing_out_needs_the_form_token(web: WebDistrict) -> None:
    d: Any = web.district
    client, _ = web.sign_in(d.unit_head)
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert client.get("/").status_code == 200


def test_deactivating_a_person_ends_their_session_at_once(web: WebDistrict) -> None:
    d: Any = web.district
    admin = d.caller(d.admin)
    directory.add_person(d.uow(), caller=admin, handle="leaving_soon", name="即将调离的经办人",
                         unit=d.solving_unit, roles=[Role.HANDLER])
    access.set_password(d.uow(), caller=admin, handle="leaving_soon", password="leaving-soon-password")
    client, response = web.sign_in("leaving_soon", "leaving-soon-password")
    assert response.status_code == 303
    assert client.get("/").status_code == 200
    directory.set_person_active(d.uow(), caller=admin, handle="leaving_soon", active=False)
    after = client.get("/")
    assert after.status_code == 303 and after.headers["location"].startswith("/login")


# ---- every page, every role ------------------------------------------------------------------


def test_every_page_renders_for_every_role(web: WebDistrict, people: dict[str, httpx.Client]) -> None:
    d: Any = web.district
    names = {p.handle: p.name for p in directory.list_people(d.uow())}
    headings = {"/": "我的待办", "/problems": "问题清单", "/queue": "提级问题队列", "/dashboard": "总览",
                "/meetings": "协调会议", "/reports": "报告下载", "/problems/new": "上报问题"}
    for handle, client in people.items():
        for path in PAGES:
            response = client.get(path)
            assert response.status_code == 200, (handle, path, response.text[:500])
            doc = parsed(response)
            assert doc.xpath("//h1")[0].text_content().strip().startswith(headings[path]), (handle, path)
            hrefs = {a.get("href") for a in doc.xpath("//nav[contains(@class, 'nav')]//a")}
            assert set(NAV) <= hrefs, (handle, path)
            assert names[handle] in text_of(response), (handle, path)
            assert "Traceback" not in response.text
    # Only people the table lets raise get the raise form (and its link in the navigation).
    admin_new = people[d.admin].get("/problems/new")
    assert "/problems" not in forms_of(admin_new)
    assert "/problems/new" not in {a.get("href") for a in parsed(admin_new).xpath("//nav//a")}
    specialist_new = people[d.specialist].get("/problems/new")
    form = forms_of(specialist_new)["/problems"]
    assert {"project", "title", "category", "detail"} <= form.fields and form.hidden["csrf_token"]
    options = parsed(specialist_new).xpath("//select[@name='project']/option/@value")
    assert d.project in options


def test_the_to_do_page_lists_what_each_person_must_do(web: WebDistrict, people: dict[str, httpx.Client]) -> None:
    d: Any = web.district
    submitted = d.raise_problem(title="待办：厂区围墙红线需重新核定")
    assigned = d.raise_problem(title="待办：二期用地征收补偿未到位")
    d.assign(assigned)
    resolved = d.raise_problem(title="待办：临时用电报装")
    d.assign(resolved)
    d.act(d.handler, resolved, Action.ACKNOWLEDGE)
    d.act(d.handler, resolved, Action.RESOLVE, reason="已完成报装")
    extended = d.raise_problem(title="待办：林地占用审批")
    d.assign(extended)
    d.act(d.handler, extended, Action.REQUEST_EXTENSION, reason="需省厅审批", extension_days=5)
    escalated = d.raise_problem(title="待办：规划条件调整需区领导协调")
    d.assign(escalated)
    d.act(d.handler, escalated, Action.ESCALATE, reason="需专班会商")
    d.act(d.secretariat, escalated, Action.ESCALATE, reason="提请挂钩领导会办")

    def section(handle: str, key: str) -> set[str]:
        response = people[handle].get("/")
        assert response.status_code == 200
        found = parsed(response).xpath(f"//section[@id='{key}']")
        if not found:
            return set()
        return {a.get("href").removeprefix("/problems/")
                for a in found[0].xpath(".//a[starts-with(@href, '/problems/Q-')]")}

    handler_home = people[d.handler].get("/")
    assert assigned in problem_links(handler_home)
    assert assigned in section(d.handler, "acknowledge")
    assert "待签收" in text_of(handler_home)
    assert assigned in section(d.unit_head, "acknowledge")
    assert submitted in section(d.secretariat, "assign")
    assert resolved in section(d.secretariat, "verify")
    assert resolved in section(d.specialist, "verify")  # (the raiser verifies)
    assert extended in section(d.secretariat, "approve_extension")
    assert escalated in section(d.leader, "queue_leader")
    assert escalated not in section(d.principal, "queue_principal")  # (L3 < L4)
    # Sections come from the table: the handler never assigns or verifies, the secretariat never signs for.
    assert section(d.handler, "assign") == set() and section(d.handler, "verify") == set()
    assert not parsed(people[d.secretariat].get("/")).xpath("//section[@id='acknowledge']")
    # The resolving unit never verifies its own work; the other unit sees none of these problems.
    assert resolved not in problem_links(handler_home)
    assert not {submitted, assigned, resolved, extended, escalated} & problem_links(people[d.other_handler].get("/"))


# ---- one problem and its actions -------------------------------------------------------------


def test_the_problem_page_offers_exactly_the_actions_the_table_allows(
        web: WebDistrict, people: dict[str, httpx.Client]) -> None:
    d: Any = web.district
    pid = d.raise_problem(title="动作：配套道路施工许可")
    d.assign(pid, co_units=(d.locality,))
    version = str(d.problem_row(pid)["version"])
    for handle in (d.handler, d.unit_head, d.secretariat, d.specialist, d.leader, d.principal, d.admin):
        response = people[handle].get(f"/problems/{pid}")
        assert response.status_code == 200, handle
        doc = parsed(response)
        assert [e.text_content().strip() for e in doc.xpath("//*[contains(concat(' ', @class, ' '), ' state ')]")] \
            == [label(State.ASSIGNED)]
        forms = {a: f for a, f in forms_of(response).items() if "/actions/" in a}
        expected = offered(d, pid, handle)
        assert sorted(forms) == sorted(f"/problems/{pid}/actions/{a.value}" for a in expected), handle
        for action in expected:
            form = forms[f"/problems/{pid}/actions/{action.value}"]
            assert form.buttons == [label(action)], (handle, action)
            assert form.hidden["csrf_token"] and form.hidden["version"] == version
    handler_forms = forms_of(people[d.handler].get(f"/problems/{pid}"))
    acknowledge = handler_forms[f"/problems/{pid}/actions/acknowledge"]
    assert acknowledge.buttons == ["签收"]
    assert "reason" in handler_forms[f"/problems/{pid}/actions/escalate"].fields
    assert {"days", "reason"} <= handler_forms[f"/problems/{pid}/actions/request_extension"].fields
    assert not offered(d, pid, d.admin)
    # The 住建局's handler may not see it at all: 404, as for a problem that does not exist.
    assert people[d.other_handler].get(f"/problems/{pid}").status_code == 404
    assert people[d.handler].get("/problems/Q-2099-9999").status_code == 404
    assert "不存在" in text_of(people[d.handler].get("/problems/Q-2099-9999"))


def test_the_assign_form_offers_units_and_difficulty(web: WebDistrict, people: dict[str, httpx.Client]) -> None:
    d: Any = web.district
    pid = d.raise_problem(title="动作：交办表单", category="施工许可")
    client = people[d.secretariat]
    page = client.get(f"/problems/{pid}")
    form = forms_of(page)[f"/problems/{pid}/actions/assign"]
    assert {"unit", "co_units", "difficulty", "due"} <= form.fields and form.buttons == ["交办"]
    chosen = parsed(page).xpath("//select[@name='unit']/option[@selected]/@value")
    assert chosen == [d.other_unit]  # (the routing table's unit for 施工许可)
    response = client.post(form.action, data={**form.hidden, "unit": d.solving_unit, "co_units": [d.locality],
                                               "difficulty": "C"})
    assert response.status_code == 303
    row = d.problem_row(pid)
    assert (row["state"], row["lead_unit"], row["difficulty"]) == ("assigned", d.solving_unit, "C")
    assert d.locality in row["co_units"]


def test_a_due_date_on_a_day_off_is_saved_and_the_page_says_so(web: WebDistrict,
                                                                people: dict[str, httpx.Client]) -> None:
    d: Any = web.district
    pid = d.raise_problem(title="动作：周六的办结期限")
    client = people[d.secretariat]
    form = forms_of(client.get(f"/problems/{pid}"))[f"/problems/{pid}/actions/assign"]
    saturday = "2024-06-22"
    response = client.post(form.action, data={**form.hidden, "unit": d.solving_unit, "difficulty": "B",
                                               "due": saturday})
    assert response.status_code == 303 and response.headers["location"].endswith(f"&dayoff={saturday}")
    assert d.problem_row(pid)["due_date"] == saturday
    shown = client.get(response.headers["location"]).text
    assert f"办结期限 {saturday} 不是工作日，已按此日期保存" in shown
    # Only a real date from the query string reaches the page.
    assert "<script>" not in client.get(f"/problems/{pid}?done=assign&dayoff=<script>").text


def test_an_action_posts_changes_the_state_and_redirects(web: WebDistrict, people: dict[str, httpx.Client]) -> None:
    d: Any = web.district
    pid = d.raise_problem(title="动作：签收后办理")
    d.assign(pid)
    client = people[d.handler]
    response = post_action(client, pid, Action.ACKNOWLEDGE)
    assert response.status_code == 303
    assert response.headers["location"] == f"/problems/{pid}?done=acknowledge"
    assert state_of(d, pid) == "in_progress"
    after = client.get(response.headers["location"])
    assert "已完成操作：签收" in text_of(after)
    assert parsed(after).xpath("//*[contains(concat(' ', @class, ' '), ' state ')]")[0].text_content() == "办理中"
    timeline = parsed(after).xpath("//ol[@class='timeline']/li")
    assert "签收" in timeline[-1].text_content() and "赵经办" in timeline[-1].text_content()
    # A reason goes with the actions that need one, and shows in the timeline.
    progress = post_action(client, pid, Action.PROGRESS, reason="已完成现场踏勘")
    assert progress.status_code == 303
    assert "已完成现场踏勘" in text_of(client.get(f"/problems/{pid}"))
    extension = post_action(client, pid, Action.REQUEST_EXTENSION, days="5", reason="等待省厅批复")
    assert extension.status_code == 303
    assert d.problem_row(pid)["pending_extension_days"] == 5


def test_a_missing_reason_shows_why_and_changes_nothing(web: WebDistrict, people: dict[str, httpx.Client]) -> None:
    d: Any = web.district
    pid = d.raise_problem(title="动作：提级缺少理由")
    d.assign(pid)
    before = d.audit_count()
    response = post_action(people[d.handler], pid, Action.ESCALATE, reason="  ")
    assert response.status_code == 400
    assert "需要填写说明" in text_of(response)
    assert "Traceback" not in response.text
    assert state_of(d, pid) == "assigned" and d.audit_count() == before
    english = people[d.handler].post(f"/problems/{pid}/actions/escalate?lang=en", data={
        **forms_of(people[d.handler].get(f"/problems/{pid}"))[f"/problems/{pid}/actions/escalate"].hidden})
    assert english.status_code == 400 and "needs a reason" in text_of(english)
    people[d.handler].get("/?lang=zh")  # the choice is remembered: back to Chinese for the other tests


def test_a_form_without_the_session_token_is_refused_and_logged(
        web: WebDistrict, people: dict[str, httpx.Client]) -> None:
    d: Any = web.district
    pid = d.raise_problem(title="安全：伪造的表单")
    d.assign(pid)
    client = people[d.handler]
    form = forms_of(client.get(f"/problems/{pid}"))[f"/problems/{pid}/actions/acknowledge"]
    before = d.audit_count()
    admin = d.caller(d.admin)
    logged = len(access.list_refusals(d.uow(), caller=admin, handle=d.handler, kind="csrf"))
    missing = client.post(form.action, data={"version": form.hidden["version"]})
    wrong = client.post(form.action, data={"version": form.hidden["version"], "csrf_token": "forged-token"})
    other = people[d.unit_head].get("/")
    someone_elses = client.post(form.action, data={**form.hidden, "csrf_token": forms_of(other)["/logout"]
                                                   .hidden["csrf_token"]})
    for response in (missing, wrong, someone_elses):
        assert response.status_code == 403
        assert "CSRF" in text_of(response)
    assert state_of(d, pid) == "assigned" and d.audit_count() == before
    refusals = access.list_refusals(d.uow(), caller=admin, handle=d.handler, kind="csrf")
    assert len(refusals) == logged + 3
    assert refusals[0].path == f"/problems/{pid}/actions/acknowledge" and refusals[0].method == "POST"


def test_a_stale_version_says_someone_else_updated_it(web: WebDistrict, people: dict[str, httpx.Client]) -> None:
    d: Any = web.district
    pid = d.raise_problem(title="并发：两人同时处理")
    d.assign(pid)
    client = people[d.handler]
    form = forms_of(client.get(f"/problems/{pid}"))[f"/problems/{pid}/actions/acknowledge"]
    d.act(d.unit_head, pid, Action.PROGRESS, reason="局长批示：抓紧办理")  # (someone else, meanwhile)
    before = d.audit_count()
    response = client.post(form.action, data=form.hidden)
    assert response.status_code == 412
    shown = text_of(response)
    assert "已被他人更新" in shown and "局长批示：抓紧办理" in shown  # the page as it is now
    assert state_of(d, pid) == "assigned" and d.audit_count() == before
    fresh = forms_of(response)[form.action]
    assert int(fresh.hidden["version"]) == int(form.hidden["version"]) + 1
    assert client.post(form.action, data=fresh.hidden).status_code == 303
    assert state_of(d, pid) == "in_progress"


def test_an_action_the_person_may_not_take_is_refused(web: WebDistrict, people: dict[str, httpx.Client]) -> None:
    d: Any = web.district
    pid = d.raise_problem(title="权限：越权交办")
    version = str(d.problem_row(pid)["version"])
    handler = people[d.handler]
    token = forms_of(handler.get("/"))["/logout"].hidden["csrf_token"]
    # The handler's unit is not on it yet: the problem stays invisible to them.
    hidden = handler.post(f"/problems/{pid}/actions/assign", data={"csrf_token": token, "version": version,
                                                                  "unit": d.solving_unit})
    assert hidden.status_code == 404
    specialist = people[d.specialist]
    token = forms_of(specialist.get("/"))["/logout"].hidden["csrf_token"]
    refused = specialist.post(f"/problems/{pid}/actions/assign", data={"csrf_token": token, "version": version,
                                                                      "unit": d.solving_unit})
    assert refused.status_code == 403
    assert state_of(d, pid) == "submitted"
    assert specialist.post(f"/problems/{pid}/actions/decide", data={"csrf_token": token, "version": version}
                           ).status_code == 404  # a meeting's decision is never taken from the page
    log = access.list_refusals(d.uow(), caller=d.caller(d.admin), handle=d.specialist, kind="not_permitted")
    assert log and log[0].path == f"/problems/{pid}/actions/assign"


def test_raising_a_problem_from_the_form(web: WebDistrict, people: dict[str, httpx.Client]) -> None:
    d: Any = web.district
    client = people[d.specialist]
    form = forms_of(client.get("/problems/new"))["/problems"]
    empty = client.post("/problems", data={**form.hidden, "project": d.project, "title": " ", "category": "用地"})
    assert empty.status_code == 400 and "标题不能为空" in text_of(empty)
    response = client.post("/problems", data={**form.hidden, "project": d.project, "title": "网页上报：供水管网接入",
                                              "category": "配套", "detail": "需水务集团配合"})
    assert response.status_code == 303
    pid = response.headers["location"].removeprefix("/problems/").removesuffix("?done=raise")
    row = d.problem_row(pid)
    assert (row["state"], row["raised_by"], row["title"]) == ("submitted", d.specialist, "网页上报：供水管网接入")
    assert "问题已上报" in text_of(client.get(response.headers["location"]))
    hostile = client.post("/problems", data={**form.hidden, "project": d.project, "category": "其他",
                                             "title": "<script>alert('x')</script>标题"})
    shown = client.get(hostile.headers["location"])
    assert "<script>alert" not in shown.text and "&lt;script&gt;alert(" in shown.text
    assert client.post("/problems", data={"project": d.project, "title": "无令牌", "category": "用地"}
                       ).status_code == 403


# ---- lists, queue, dashboard ------------------------------------------------------------------


def test_the_list_filters_searches_and_pages(web: WebDistrict, people: dict[str, httpx.Client]) -> None:
    d: Any = web.district
    marker = "分页测试"
    ids = [d.raise_problem(title=f"{marker}第{i:02d}号") for i in range(32)]
    d.assign(ids[0])
    client = people[d.secretariat]
    first = client.get("/problems", params={"q": marker})
    assert len(problem_links(first)) == 30 and "共 32 个" in text_of(first)
    second_href = parsed(first).xpath("//a[@rel='next']/@href")[0]
    second = client.get(second_href)
    assert len(problem_links(second)) == 2 and problem_links(first) | problem_links(second) == set(ids)
    assigned = client.get("/problems", params={"q": marker, "state": "assigned"})
    assert problem_links(assigned) == {ids[0]}
    assert problem_links(client.get("/problems", params={"q": ids[5]})) == {ids[5]}
    unit = client.get("/problems", params={"q": marker, "unit": d.solving_unit})
    assert problem_links(unit) == {ids[0]}
    green = client.get("/problems", params={"q": marker, "light": "green"})
    assert problem_links(green) == {ids[0]}
    # The handler's list holds only what their unit leads or helps with.
    assert problem_links(people[d.handler].get("/problems", params={"q": marker})) == {ids[0]}
    bad = client.get("/problems", params={"state": "nonsense"})
    assert bad.status_code == 400 and "状态无效" in text_of(bad)


def test_the_queue_lists_escalated_problems(web: WebDistrict, people: dict[str, httpx.Client]) -> None:
    d: Any = web.district
    pid = d.raise_problem(title="队列：电力增容需会商")
    d.assign(pid)
    d.act(d.handler, pid, Action.ESCALATE, reason="需专班会商")
    for handle in (d.secretariat, d.handler, d.leader, d.principal):
        assert pid in problem_links(people[handle].get("/queue")), handle
    assert pid not in problem_links(people[d.other_handler].get("/queue"))
    client = people[d.secretariat]
    assert pid in problem_links(client.get("/queue", params={"level": "2"}))
    assert pid not in problem_links(client.get("/queue", params={"level": "3"}))
    assert pid not in problem_links(client.get("/queue", params={"leader": d.leader}))  # (L3 and above)
    assert client.get("/queue", params={"level": "L9"}).status_code == 400


def test_the_dashboard_draws_its_charts_on_the_server(web: WebDistrict, people: dict[str, httpx.Client]) -> None:
    d: Any = web.district
    month_ago = d.now - timedelta(days=30)
    pid = d.raise_problem(title="总览：超期的问题", now=month_ago)
    d.assign(pid, difficulty=Difficulty.C, now=month_ago)  # due a week later: red today
    with d.uow() as uow:
        projects.set_plan(uow.session, caller=d.caller(d.secretariat), code=d.project, year=2024,
                          planned_yuan=800_000_000)
        uow.commit()
    projects.record_progress(d.uow(), caller=d.caller(d.secretariat), code=d.project, month=YearMonth(2024, 5),
                             completed_yuan=120_000_000)
    response = people[d.secretariat].get("/dashboard")
    doc = parsed(response)
    assert len(doc.xpath("//svg")) == 4
    shown = text_of(response)
    assert "区自然资源和规划局" in shown  # the unit leading the overdue problem
    assert d.project_name in shown and "完成率 15.0%" in shown and "序时进度 41.7%" in shown  # 5 of 12 months
    assert "<script" not in response.text and "http://" not in response.text.replace("http://www.w3.org", "")
    shown = text_of(response)
    for words in ("在办问题亮灯", "红灯", "黄灯", "绿灯", "近 8 周新增与办结", "超期问题最多的责任单位",
                  "落后序时进度最多的项目"):
        assert words in shown
    english = people[d.secretariat].get("/dashboard?lang=en")
    assert "Lights of open problems" in text_of(english)
    people[d.secretariat].get("/?lang=zh")


# ---- meetings and reports ---------------------------------------------------------------------


def test_meetings_list_their_agenda_and_give_the_minutes_as_docx(
        web: WebDistrict, people: dict[str, httpx.Client]) -> None:
    d: Any = web.district
    pid = d.raise_problem(title="会议：管线迁改需专班会商")
    d.assign(pid)
    d.act(d.handler, pid, Action.ESCALATE, reason="需专班会商")
    chair = d.caller(d.secretariat)
    planned = meetings.plan_meeting(d.uow(), caller=chair, kind=MeetingKind.TASK_FORCE, held_on=chair.today,
                                    chair=d.secretariat)
    meetings.start_meeting(d.uow(), caller=chair, meeting_id=planned.id)
    meetings.decide(d.uow(), caller=chair, meeting_id=planned.id, problem_id=pid,
                    decision=DecisionInput(Outcome.ASSIGN, "由自然资源局牵头完成管线迁改方案", unit=d.solving_unit,
                                           due=chair.today + timedelta(days=20)))
    closed = meetings.close_meeting(d.uow(), caller=chair, meeting_id=planned.id)
    listing = people[d.handler].get("/meetings")
    assert listing.status_code == 200
    shown = text_of(listing)
    assert planned.id in shown and "由自然资源局牵头完成管线迁改方案" in shown and str(closed.number) in shown
    assert pid in problem_links(listing)
    assert planned.id not in text_of(people[d.handler].get("/meetings", params={"year": "2023"}))
    assert people[d.handler].get("/meetings", params={"year": "soon"}).status_code == 400
    href = f"/meetings/{planned.id}/minutes.docx"
    assert href in {a.get("href") for a in parsed(listing).xpath("//a")}
    download = people[d.handler].get(href)
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessing")
    assert "attachment" in download.headers["content-disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(download.content)).paragraphs)
    assert "会议纪要" in text and "由自然资源局牵头完成管线迁改方案" in text and str(closed.number) in text
    # The 住建局 sees none of its items: the meeting is not theirs to read.
    assert planned.id not in text_of(people[d.other_handler].get("/meetings"))
    assert people[d.other_handler].get(href).status_code == 404
    assert people[d.handler].get("/meetings/M-2099-0001/minutes.docx").status_code == 404


def test_the_weekly_report_downloads_as_word_and_excel(web: WebDistrict, people: dict[str, httpx.Client]) -> None:
    d: Any = web.district
    client = people[d.secretariat]
    listing = client.get("/reports")
    hrefs = {a.get("href") for a in parsed(listing).xpath("//a")}
    assert {"/reports/weekly.docx", "/reports/weekly.xlsx"} <= hrefs
    assert "2024年第22周" in text_of(listing)  # the last complete week before Monday 2024-06-03
    word = client.get("/reports/weekly.docx")
    assert word.status_code == 200 and "2024-W22" in word.headers["content-disposition"]
    paragraphs = "\n".join(p.text for p in Document(io.BytesIO(word.content)).paragraphs)
    assert "周汇报" in paragraphs
    excel = client.get("/reports/weekly.xlsx")
    assert excel.status_code == 200
    assert excel.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(excel.content))
    assert workbook.sheetnames and any(ws.max_row > 1 for ws in workbook.worksheets)
    other = client.get("/reports/monthly.xlsx", params={"period": "2024-05"})
    assert other.status_code == 200 and "2024-05" in other.headers["content-disposition"]
    assert load_workbook(io.BytesIO(other.content)).sheetnames
    assert client.get("/reports/weekly.pdf").status_code == 404
    bad = client.get("/reports/weekly.docx", params={"period": "last week"})
    assert bad.status_code == 400 and "无法识别的报告期" in text_of(bad)


# ---- language -----------------------------------------------------------------------------------


def test_the_language_switch_is_remembered(web: WebDistrict) -> None:
    d: Any = web.district
    client, _ = web.sign_in(d.handler)
    chinese = client.get("/problems")
    switch = parsed(chinese).xpath("//a[@lang='en']/@href")
    assert switch == ["/problems?lang=en"]
    english = client.get(switch[0])
    assert "Problems" in text_of(english) and "My work" in text_of(english)
    assert re.search(r"<html lang=\"en\"", english.text)
    assert "My work" in text_of(client.get("/"))  # the cookie keeps it
    filtered = client.get("/problems?state=assigned")
    assert parsed(filtered).xpath("//a[@lang='zh-CN']/@href") == ["/problems?state=assigned&lang=zh"]
    assert "我的待办" in text_of(client.get("/?lang=zh"))
    assert "我的待办" in text_of(client.get("/"))


# ---- the to-do list agrees with the table --------------------------------------------------------


def test_the_to_do_sections_are_what_each_problem_page_offers(web: WebDistrict) -> None:
    """Over every problem this module made, for every person: a problem is in a section for an action
    exactly when its page offers that person the action (the SQL of services/todo.py and the domain's
    `available_actions` are two spellings of one table)."""
    d: Any = web.district
    with d.engine.connect() as connection:
        ids = [row[0] for row in connection.execute(text("SELECT id FROM problem ORDER BY id"))]
    assert len(ids) > 40
    for handle in (d.secretariat, d.specialist, d.handler, d.unit_head, d.other_handler, d.leader, d.principal,
                   d.admin):
        seen = viewer(d, handle)
        listed = todo.todo(d.uow(), handle=handle, today=d.caller(handle).today, viewer=seen, size=1000)
        by_action = {s.action: {p.id for p in s.items} for s in listed.sections if s.action is not None}
        for section in listed.sections:
            assert section.total == len(section.items), (handle, section.key)
        for pid in ids:
            try:
                actions = set(offered(d, pid, handle))
            except NotFound:
                actions = set()
            for action, members in by_action.items():
                assert (pid in members) == (action in actions), (handle, pid, action)
            for action in {Action.ACKNOWLEDGE, Action.ASSIGN, Action.VERIFY, Action.APPROVE_EXTENSION,
                           Action.RESOLVE} & actions:
                assert action in by_action, (handle, pid, action)
