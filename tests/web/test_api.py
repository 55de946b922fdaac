"""The JSON API over HTTP against a real `coord web`: each endpoint's answers, right and wrong.

Data is prepared in process through the district's services; every check goes through the server.
"""

from __future__ import annotations

import io
import uuid
from typing import Any

import httpx
import pytest

from coordination.domain.enums import Action, State
from coordination.domain.meetings import MeetingKind
from coordination.services import access, meetings
from tests.web.conftest import Http, WebDistrict


def district(web: WebDistrict) -> Any:
    return web.district


def tag() -> str:
    """A word no other test's titles hold, to find this test's problems with `q`."""
    return uuid.uuid4().hex[:10]


def assigned(web: WebDistrict, title: str = "项目二期用地指标未落实") -> str:
    d = district(web)
    problem_id: str = d.raise_problem(title=title)
    d.assign(problem_id)
    return problem_id


def escalated(web: WebDistrict, title: str = "用地报批卡在省厅，需要专班会商") -> str:
    d = district(web)
    problem_id = assigned(web, title)
    d.act(d.handler, problem_id, Action.ACKNOWLEDGE)
    d.act(d.handler, problem_id, Action.ESCALATE, reason="需专班会商协调")
    return problem_id


def error_code(response: httpx.Response) -> str:
    body = response.json()
    assert set(body["error"]) >= {"code", "message", "message_en"}, body
    return str(body["error"]["code"])


def act(http: Http, handle: str, problem_id: str, action: str, version: int | None,
        body: dict[str, Any] | None = None) -> httpx.Response:
    headers = {"If-Match": f'"{version}"'} if version is not None else {}
    return http(handle).post(f"/api/problems/{problem_id}/actions/{action}", headers=headers, json=body)


# ---- who I am, and who is not anyone ---------------------------------------------------------


def test_me_names_the_person_and_what_they_see(web: WebDistrict, http: Http) -> None:
    d = district(web)
    handler = http(d.handler).get("/api/me")
    assert handler.status_code == 200
    assert handler.json() == {
        "handle": d.handler, "name": "赵经办（自然资源和规划局）", "unit": d.solving_unit,
        "unit_name": "区自然资源和规划局", "roles": ["handler"],
        "visibility": {"sees_all": False, "unit": d.solving_unit, "projects": []}}
    specialist = http(d.specialist).get("/api/me").json()
    assert specialist["visibility"] == {"sees_all": False, "unit": None, "projects": [d.project]}
    assert http(d.secretariat).get("/api/me").json()["visibility"]["sees_all"] is True


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/me"), ("GET", "/api/problems"), ("POST", "/api/problems"), ("GET", "/api/problems/Q-2024-0001"),
    ("POST", "/api/problems/Q-2024-0001/actions/acknowledge"), ("GET", "/api/queue"), ("GET", "/api/dashboard"),
    ("GET", "/api/meetings"), ("GET", "/api/reports/weekly"), ("GET", "/api/refusals"),
])
def test_no_token_or_a_bad_one_is_401(web: WebDistrict, http: Http, method: str, path: str) -> None:
    for headers in ({}, {"Authorization": "Bearer coord_revoked-or-made-up"}, {"Authorization": "Basic YTpi"}):
        response = http(None).request(method, path, headers=headers, json={} if method == "POST" else None)
        assert response.status_code == 401, (headers, response.text)
        assert error_code(response) == "unauthenticated"
        assert response.headers["www-authenticate"].startswith("Bearer")


# ---- raising -----------------------------------------------------------------------------------


def test_raise_answers_201_with_location_and_etag(web: WebDistrict, http: Http) -> None:
    d = district(web)
    client = http(d.specialist)
    response = client.post("/api/problems", json={"project": d.project, "title": "施工许可证迟迟未发",
                                                  "category": "permit", "detail": "已提交材料两个月"})
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["state"] == "submitted" and created["category"] == "施工许可"
    assert created["raised_by"] == d.specialist and created["detail"] == "已提交材料两个月"
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"/api/problems/{created['id']}"
    shown = client.get(response.headers["location"])
    assert shown.status_code == 200
    assert shown.json()["id"] == created["id"]
    assert [e["action"] for e in shown.json()["timeline"]] == ["raise"]
    assert d.problem_row(created["id"])["raised_by"] == d.specialist


@pytest.mark.parametrize("who, body, status", [
    ("specialist", {"project": "NO-SUCH", "title": "x", "category": "用地"}, 404),
    ("specialist", {"title": "x", "category": "用地"}, 422),
    ("specialist", {"project": "DQ-2024-007", "title": "x", "category": "用地", "urgent": True}, 422),
    ("specialist", {"project": "DQ-2024-007", "title": "x", "category": "天气"}, 400),
    ("specialist", {"project": "DQ-2024-007", "title": "   ", "category": "用地"}, 400),
    ("specialist", {"project": "DQ-2024-007", "title": "长" * 201, "category": "用地"}, 400),
    ("other_handler", {"project": "DQ-2024-007", "title": "x", "category": "用地"}, 403),
    ("admin", {"project": "DQ-2024-007", "title": "x", "category": "用地"}, 403),
])
def test_raise_refuses_what_it_should(web: WebDistrict, http: Http, who: str, body: dict[str, Any],
                                      status: int) -> None:
    d = district(web)
    before = d.audit_count()
    response = http(getattr(d, who)).post("/api/problems", json=body)
    assert response.status_code == status, response.text
    error_code(response)
    assert d.audit_count() == before


# ---- acting, with If-Match ---------------------------------------------------------------------


def test_the_secretariat_assigns_with_if_match_and_the_etag_moves_on(web: WebDistrict, http: Http) -> None:
    d = district(web)
    problem_id = d.raise_problem()
    client = http(d.secretariat)
    read = client.get(f"/api/problems/{problem_id}")
    assert read.headers["etag"] == '"1"'
    assert "assign" in read.json()["actions"]
    response = client.post(f"/api/problems/{problem_id}/actions/assign", headers={"If-Match": read.headers["etag"]},
                           json={"unit": d.solving_unit, "co_units": [d.locality], "difficulty": "A",
                                 "reason": "按分办表交办"})
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    view = response.json()
    assert (view["state"], view["lead_unit"], view["co_units"], view["difficulty"]) == (
        "assigned", d.solving_unit, [d.locality], "A")
    assert view["light"] == "green" and view["due_date"] is not None
    again = client.get(f"/api/problems/{problem_id}")
    assert again.headers["etag"] == '"2"'
    assert [e["action"] for e in again.json()["timeline"]] == ["raise", "assign"]
    assert again.json()["timeline"][-1]["origin"] == "web"


def test_a_due_date_on_a_day_off_is_saved_and_the_answer_warns(web: WebDistrict, http: Http) -> None:
    d = district(web)  # the district's clock: Monday 3 June 2024; Sunday 16 June is a day off
    weekend, working = d.raise_problem(), d.raise_problem()
    sunday = act(http, d.secretariat, weekend, "assign", 1, {"unit": d.solving_unit, "due_date": "2024-06-16"})
    assert sunday.status_code == 200, sunday.text
    assert sunday.json()["due_date"] == "2024-06-16"
    [warning] = sunday.json()["warnings"]
    assert warning["code"] == "non_working_day"
    assert warning["message"] == "提示：办结期限 2024-06-16 是星期日（非工作日），仍按此日期保存"
    assert warning["message_en"].startswith("note: due date 2024-06-16 is a Sunday")
    monday = act(http, d.secretariat, working, "assign", 1, {"unit": d.solving_unit, "due_date": "2024-06-17"})
    assert monday.status_code == 200 and "warnings" not in monday.json()


def test_an_explicit_due_date_and_the_routing_tables_unit(web: WebDistrict, http: Http) -> None:
    d = district(web)
    problem_id = d.raise_problem()
    response = act(http, d.secretariat, problem_id, "assign", 1, {"due_date": "2024-07-01"})
    assert response.status_code == 200, response.text
    assert response.json()["due_date"] == "2024-07-01"
    assert response.json()["lead_unit"] == d.solving_unit  # 用地 routes to ZRZY


def test_a_problem_goes_through_its_life_over_http(web: WebDistrict, http: Http) -> None:
    d = district(web)
    problem_id = d.raise_problem()
    steps = [(d.secretariat, "assign", {"difficulty": "C"}, "assigned"),
             (d.handler, "acknowledge", None, "in_progress"),
             (d.handler, "progress", {"reason": "已完成用地预审"}, "in_progress"),
             (d.handler, "request_extension", {"reason": "等省厅批复", "extension_days": 5}, "in_progress"),
             (d.secretariat, "approve_extension", {}, "in_progress"),
             (d.handler, "resolve", {"reason": "用地指标已落实"}, "resolution_submitted"),
             (d.secretariat, "verify", None, "closed")]
    version = 1
    for handle, action, body, state in steps:
        response = act(http, handle, problem_id, action, version, body)
        assert response.status_code == 200, (action, response.text)
        assert response.json()["state"] == state
        version += 1
        assert response.headers["etag"] == f'"{version}"'
    final = http(d.specialist).get(f"/api/problems/{problem_id}").json()
    assert final["extension_count"] == 1 and final["light"] is None and final["actions"] == []


def test_without_if_match_it_is_428_and_nothing_changes(web: WebDistrict, http: Http) -> None:
    d = district(web)
    problem_id = d.raise_problem()
    before = d.audit_count()
    response = act(http, d.secretariat, problem_id, "assign", None, {"unit": d.solving_unit})
    assert response.status_code == 428
    assert error_code(response) == "precondition_required"
    assert "If-Match" in response.json()["error"]["message"]
    assert d.audit_count() == before and d.problem_row(problem_id)["state"] == "submitted"


@pytest.mark.parametrize("if_match", ["1", 'W/"1"', '"one"', '"1", "2"', "'1'"])
def test_a_malformed_if_match_is_400(web: WebDistrict, http: Http, if_match: str) -> None:
    d = district(web)
    problem_id = d.raise_problem()
    response = http(d.secretariat).post(f"/api/problems/{problem_id}/actions/assign",
                                           headers={"If-Match": if_match}, json={})
    assert response.status_code == 400, response.text
    assert error_code(response) == "invalid_input"


def test_if_match_star_acts_on_the_current_version(web: WebDistrict, http: Http) -> None:
    d = district(web)
    problem_id = assigned(web)
    response = http(d.handler).post(f"/api/problems/{problem_id}/actions/acknowledge", headers={"If-Match": "*"})
    assert response.status_code == 200 and response.headers["etag"] == '"3"'


def test_a_stale_version_is_412_and_nothing_changes(web: WebDistrict, http: Http) -> None:
    d = district(web)
    problem_id = d.raise_problem()
    d.assign(problem_id)  # someone else moves it on to version 2
    before = d.audit_count()
    response = act(http, d.handler, problem_id, "acknowledge", 1)
    assert response.status_code == 412
    assert error_code(response) == "stale_version"
    assert "第 2 版" in response.json()["error"]["message"]
    assert d.audit_count() == before


def test_a_wrong_state_is_409(web: WebDistrict, http: Http) -> None:
    d = district(web)
    problem_id = assigned(web)
    response = act(http, d.secretariat, problem_id, "verify", 2)
    assert response.status_code == 409
    assert error_code(response) == "conflict"


def test_not_permitted_is_403_and_logged(web: WebDistrict, http: Http) -> None:
    d = district(web)
    problem_id = d.raise_problem()
    response = act(http, d.specialist, problem_id, "assign", 1, {"unit": d.solving_unit})
    assert response.status_code == 403
    assert error_code(response) == "forbidden"
    log = access.list_refusals(d.uow(), caller=d.caller(d.admin), kind="not_permitted", handle=d.specialist)
    assert log and log[0].path == f"/api/problems/{problem_id}/actions/assign" and log[0].method == "POST"


def test_a_problem_out_of_sight_is_404_for_reading_and_acting(web: WebDistrict, http: Http) -> None:
    d = district(web)
    problem_id = assigned(web)  # ZRZY's: the 住建局's handler does not see it
    client = http(d.other_handler)
    assert client.get(f"/api/problems/{problem_id}").status_code == 404
    response = act(http, d.other_handler, problem_id, "progress", 2, {"reason": "看看"})
    assert response.status_code == 404
    assert error_code(response) == "not_found"
    assert problem_id not in {p["id"] for p in client.get("/api/problems", params={"limit": 500}).json()["items"]}
    assert http(d.handler).get(f"/api/problems/{problem_id}").status_code == 200
    unknown = http(d.secretariat).get("/api/problems/Q-2099-9999")
    assert unknown.status_code == 404 and error_code(unknown) == "not_found"


@pytest.mark.parametrize("action, status", [("sign", 404), ("ASSIGN", 404), ("raise", 400), ("decide", 400),
                                            ("recompute_due", 400)])
def test_action_keys_outside_the_api(web: WebDistrict, http: Http, action: str, status: int) -> None:
    d = district(web)
    problem_id = d.raise_problem()
    response = act(http, d.secretariat, problem_id, action, 1, {})
    assert response.status_code == status, response.text


@pytest.mark.parametrize("body", [{"difficulty": "Z"}, {"due_date": "next week"}, {"co_units": "ZRZY"},
                                  {"unit": "ZRZY", "priority": "high"}, {"extension_days": "five"}, [1, 2]])
def test_a_bad_body_is_422(web: WebDistrict, http: Http, body: Any) -> None:
    d = district(web)
    problem_id = d.raise_problem()
    response = act(http, d.secretariat, problem_id, "assign", 1, body)
    assert response.status_code == 422, response.text
    assert error_code(response) == "invalid_request"
    assert d.problem_row(problem_id)["state"] == "submitted"


def test_an_action_that_needs_a_reason_is_400_without_one(web: WebDistrict, http: Http) -> None:
    d = district(web)
    problem_id = assigned(web)
    response = act(http, d.handler, problem_id, "progress", 2)
    assert response.status_code == 400
    assert "说明" in response.json()["error"]["message"]


# ---- lists -------------------------------------------------------------------------------------


def test_the_list_filters_searches_and_pages(web: WebDistrict, http: Http) -> None:
    d = district(web)
    word = tag()
    ids = [d.raise_problem(title=f"{word} 第{n}个用地问题") for n in range(3)]
    d.assign(ids[0])
    other = d.raise_problem(title=f"{word} 施工许可", category="施工许可")
    client = http(d.secretariat)

    def listed(**params: Any) -> dict[str, Any]:
        response = client.get("/api/problems", params={"q": word, **params})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    everything = listed()
    assert everything["total"] == 4 and {p["id"] for p in everything["items"]} == {*ids, other}
    assert set(everything["items"][0]) >= {"id", "title", "state", "light", "working_days_left", "version"}
    first, rest = listed(limit=2), listed(limit=2, offset=2)
    assert first["total"] == rest["total"] == 4 and len(first["items"]) == len(rest["items"]) == 2
    assert {p["id"] for p in first["items"] + rest["items"]} == {*ids, other}
    assert [p["id"] for p in listed(state="assigned")["items"]] == [ids[0]]
    assert [p["id"] for p in listed(light="green")["items"]] == [ids[0]]
    assert [p["id"] for p in listed(unit=d.solving_unit)["items"]] == [ids[0]]
    assert [p["id"] for p in listed(category="permit")["items"]] == [other]
    assert listed(level="L1", project=d.project)["total"] == 4
    assert listed(level="L2")["total"] == 0
    assert listed(project="NO-SUCH")["total"] == 0
    by_number = client.get("/api/problems", params={"q": ids[1].lower()}).json()
    assert [p["id"] for p in by_number["items"]] == [ids[1]]


@pytest.mark.parametrize("params, status", [
    ({"state": "open"}, 400), ({"light": "blue"}, 400), ({"level": "L9"}, 400), ({"category": "天气"}, 400),
    ({"limit": 0}, 422), ({"limit": 501}, 422), ({"offset": -1}, 422), ({"limit": "many"}, 422),
])
def test_the_list_refuses_unknown_filters(web: WebDistrict, http: Http, params: dict[str, Any], status: int) -> None:
    response = http(district(web).secretariat).get("/api/problems", params=params)
    assert response.status_code == status, response.text
    message = response.json()["error"]
    assert message["message"] and message["message_en"]
    if status == 400:
        assert str(next(iter(params.values()))) in message["message_en"]


def test_the_queue_holds_escalated_problems_with_the_keys_of_the_cli(web: WebDistrict, http: Http) -> None:
    d = district(web)
    problem_id = escalated(web)
    client = http(d.secretariat)
    queue = client.get("/api/queue", params={"limit": 500})
    assert queue.status_code == 200
    body = queue.json()
    assert set(body) == {"items", "total", "limit", "offset", "page", "pages"}
    ours = next(p for p in body["items"] if p["id"] == problem_id)
    shown = client.get(f"/api/problems/{problem_id}").json()
    assert set(ours) == set(shown) - {"timeline", "actions"}  # a ProblemView, as `coord queue --json` prints
    assert ours["level"] == 2 and ours["state"] == "on_agenda"
    assert body["total"] >= 1
    assert problem_id in {p["id"] for p in client.get("/api/queue", params={"level": "L2", "limit": 500})
                          .json()["items"]}
    assert all(p["level"] == 3 for p in client.get("/api/queue", params={"level": "L3"}).json()["items"])
    one = client.get("/api/queue", params={"limit": 1}).json()
    assert len(one["items"]) == 1 and one["total"] == body["total"] and one["pages"] == body["total"]
    assert client.get("/api/queue", params={"level": "top"}).status_code == 400
    assert client.get("/api/queue", params={"limit": 0}).status_code == 422


def test_the_dashboard_has_the_keys_of_the_cli(web: WebDistrict, http: Http) -> None:
    d = district(web)
    escalated(web)
    response = http(d.principal).get("/api/dashboard")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"today", "by_state", "lights", "queue", "queue_total"}
    assert body["today"] == "2024-06-03"
    assert set(body["lights"]) == {"green", "yellow", "red"}
    assert set(body["by_state"]) <= {s.value for s in State} and body["by_state"]["on_agenda"] >= 1
    assert 1 <= len(body["queue"]) <= 10 and body["queue_total"] >= len(body["queue"])


def test_meetings_list_and_show(web: WebDistrict, http: Http) -> None:
    d = district(web)
    problem_id = escalated(web)
    planned = meetings.plan_meeting(d.uow(), caller=d.caller(d.secretariat), kind=MeetingKind.TASK_FORCE,
                                    held_on=d.now.date(), chair=d.secretariat)
    client = http(d.secretariat)
    listed = client.get("/api/meetings")
    assert listed.status_code == 200
    found = next(m for m in listed.json()["items"] if m["id"] == planned.id)
    assert set(found) == set(planned.to_json())  # the keys of `coord meeting list --json`
    assert problem_id in {item["id"] for item in found["agenda"]}
    shown = client.get(f"/api/meetings/{planned.id}")
    assert shown.status_code == 200 and shown.json()["id"] == planned.id
    assert client.get("/api/meetings", params={"kind": "task-force", "state": "planned", "year": 2024}
                      ).json()["total"] >= 1
    assert client.get("/api/meetings", params={"year": 2023}).json()["items"] == []
    assert client.get("/api/meetings", params={"kind": "party"}).status_code == 400
    assert client.get("/api/meetings/M-2099-9999").status_code == 404


# ---- reports -----------------------------------------------------------------------------------


def test_a_report_as_json_by_default(web: WebDistrict, http: Http) -> None:
    d = district(web)
    d.raise_problem()
    client = http(d.secretariat)
    last_week = client.get("/api/reports/weekly")
    assert last_week.status_code == 200
    assert last_week.headers["content-type"].startswith("application/json")
    assert last_week.json()["period"]["name"] == "2024-W22"  # the last complete week before 2024-06-03
    this_week = client.get("/api/reports/weekly", params={"period": "2024-W23"}).json()
    assert this_week["cadence"] == "weekly" and this_week["problems"]["totals"]["new"] >= 1
    quarter = client.get("/api/reports/quarterly", params={"period": "2024Q2"}).json()
    assert {"trend", "ranking", "projects", "dispatch"} <= set(quarter)


def test_a_report_as_markdown(web: WebDistrict, http: Http) -> None:
    response = http(district(web).secretariat).get("/api/reports/monthly", params={"format": "md"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/markdown")
    assert response.text.startswith("# 重大项目问题协调推进月分析")


def test_a_report_as_excel_and_word_downloads(web: WebDistrict, http: Http) -> None:
    from docx import Document
    from openpyxl import load_workbook

    client = http(district(web).secretariat)
    excel = client.get("/api/reports/weekly", params={"period": "2024-W23", "format": "xlsx"})
    assert excel.status_code == 200
    assert excel.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = excel.headers["content-disposition"]
    assert disposition.startswith("attachment;") and 'filename="coord-weekly-2024-W23.xlsx"' in disposition
    assert "filename*=UTF-8''" in disposition
    book = load_workbook(io.BytesIO(excel.content), read_only=True)
    assert book.sheetnames[0] == "封面"
    assert next(book["封面"].iter_rows(values_only=True))[0] == "重大项目问题协调推进周汇报"

    word = client.get("/api/reports/annual", params={"period": "2023", "format": "docx", "lang": "en"})
    assert word.status_code == 200
    assert word.headers["content-type"] == ("application/vnd.openxmlformats-officedocument"
                                            ".wordprocessingml.document")
    assert 'filename="coord-annual-2023.docx"' in word.headers["content-disposition"]
    paragraphs = [p.text for p in Document(io.BytesIO(word.content)).paragraphs]
    assert paragraphs[0] == "Annual summary" and paragraphs[1] == "2023"


@pytest.mark.parametrize("path, params, status", [
    ("/api/reports/weekly", {"period": "2024-15"}, 400),
    ("/api/reports/weekly", {"format": "pdf"}, 400),
    ("/api/reports/weekly", {"lang": "fr"}, 400),
    ("/api/reports/daily", {}, 404),
])
def test_a_report_refuses_what_it_cannot_make(web: WebDistrict, http: Http, path: str, params: dict[str, str],
                                              status: int) -> None:
    response = http(district(web).secretariat).get(path, params=params)
    assert response.status_code == status, response.text
    error_code(response)


# ---- the refusal log, the docs, the unknown ----------------------------------------------------


def test_the_refusal_log_is_for_admins(web: WebDistrict, http: Http) -> None:
    d = district(web)
    http(None).get("/api/problems", headers={"Authorization": "Bearer coord_wrong"})
    denied = http(d.handler).get("/api/refusals")
    assert denied.status_code == 403
    listed = http(d.admin).get("/api/refusals", params={"limit": 500})
    assert listed.status_code == 200
    rows = listed.json()["items"]
    assert {"id", "at", "kind", "handle", "method", "path", "remote", "detail"} == set(rows[0])
    assert any(r["kind"] == "bad_token" and r["path"] == "/api/problems" for r in rows)
    assert any(r["kind"] == "not_permitted" and r["handle"] == d.handler and r["path"] == "/api/refusals"
               for r in rows)
    only = http(d.admin).get("/api/refusals", params={"kind": "bad_token", "limit": 1}).json()["items"]
    assert len(only) == 1 and only[0]["kind"] == "bad_token"
    assert http(d.admin).get("/api/refusals", params={"kind": "rude"}).status_code == 400


def test_openapi_parses_and_describes_every_route(web: WebDistrict, http: Http) -> None:
    document = http(None).get("/api/openapi.json").json()
    expected = {("get", "/api/me"), ("get", "/api/problems"), ("post", "/api/problems"),
                ("get", "/api/problems/{problem_id}"), ("post", "/api/problems/{problem_id}/actions/{action}"),
                ("get", "/api/queue"), ("get", "/api/dashboard"), ("get", "/api/meetings"),
                ("get", "/api/meetings/{meeting_id}"), ("get", "/api/reports/{cadence}"), ("get", "/api/refusals"),
                ("get", "/api/items/{slug}"), ("get", "/api/items/{slug}/{item_id}"),
                ("post", "/api/items/{slug}/{item_id}/actions/{action}")}
    found = {(method, path) for path, item in document["paths"].items() for method in item}
    assert found == expected
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert " / " in operation["summary"], (method, path)  # Chinese / English
            assert "401" in operation["responses"] and operation["security"] == [{"bearer": []}], (method, path)
            for status, answer in operation["responses"].items():  # errors in the API's own shape, in both languages
                assert status in ("200", "201") or answer["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorBody"}, (method, path, status)
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_the_docs_page_lists_every_route_offline(web: WebDistrict, http: Http) -> None:
    client = http(None)
    page = client.get("/api/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    document = client.get("/api/openapi.json").json()
    for path, item in document["paths"].items():
        assert f"<code>{path}</code>" in page.text
        for operation in item.values():
            assert operation["summary"] in page.text
    for parameter in ("If-Match".lower(), "extension_days", "offset", "period"):
        assert f"<code>{parameter}</code>" in page.text
    for action in ("acknowledge", "approve_extension", "reopen"):
        assert f"<code>{action}</code>" in page.text
    assert "<script" not in page.text and "cdn" not in page.text.lower()
    assert "http://" not in page.text and "https://" not in page.text
    assert "Endpoints" in web.api(None).get("/api/docs", params={"lang": "en"}).text  # (it sets a cookie)


def test_an_unknown_api_path_answers_json(web: WebDistrict, http: Http) -> None:
    response = http(district(web).handler).get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "http_error"
