"""Every role against every endpoint, and who sees what across units and projects, over HTTP.

The matrix is written out below: one row per endpoint, one column per role (plus the 住建局's handler,
whose unit is not on the project). Each case prepares a fresh problem in process in the state the
endpoint needs, calls the real server once, and checks the status and, for actions, that the problem
moved exactly when the answer was 200.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from coordination.domain.enums import Action, ProjectLevel, Role
from coordination.domain.meetings import MeetingKind
from coordination.services import directory, issues, meetings
from tests.web.conftest import Http, WebDistrict

ROLES = ("specialist", "secretariat", "handler", "unit_head", "leader", "principal", "admin", "other_handler")
assert set(ROLES) - {"other_handler"} == {r.value for r in Role if r is not Role.SYSTEM}

# What each endpoint answers each role, in the order of ROLES. The problem is raised by the project's
# specialist on DQ-2024-007 and, once assigned, led by ZRZY (the handler's and unit head's unit); the
# 住建局 (other_handler) is not on it, so its problems are 404 to them. A submitted problem has no unit
# yet: the ZRZY staff do not see it either. verify_too_early: a role that never verifies is 403 before
# the state is looked at (409). stale_acknowledge: If-Match one version behind is 412 for anyone who sees it.
#                         specialist secretariat handler unit_head leader principal admin other_handler
MATRIX: dict[str, tuple[int, int, int, int, int, int, int, int]] = {
    "me":                  (200, 200, 200, 200, 200, 200, 200, 200),
    "list":                (200, 200, 200, 200, 200, 200, 200, 200),
    "show_assigned":       (200, 200, 200, 200, 200, 200, 200, 404),
    "show_submitted":      (200, 200, 404, 404, 200, 200, 200, 404),
    "raise":               (201, 201, 201, 201, 201, 201, 403, 403),
    "assign":              (403, 200, 404, 404, 403, 403, 403, 404),
    "acknowledge":         (403, 403, 200, 200, 403, 403, 403, 404),
    "dispute":             (403, 403, 200, 200, 403, 403, 403, 404),
    "progress":            (200, 200, 200, 200, 200, 200, 403, 404),
    "request_extension":   (403, 403, 200, 200, 403, 403, 403, 404),
    "approve_extension":   (403, 200, 403, 403, 403, 403, 403, 404),
    "escalate":            (403, 200, 200, 200, 200, 200, 403, 404),
    "resolve":             (403, 403, 200, 200, 403, 403, 403, 404),
    "verify":              (200, 200, 403, 403, 403, 403, 403, 404),
    "reject":              (200, 200, 403, 403, 403, 403, 403, 404),
    "explain":             (403, 200, 403, 403, 403, 200, 403, 404),
    "long_term":           (403, 200, 403, 403, 403, 403, 403, 404),
    "withdraw":            (200, 200, 404, 404, 403, 403, 403, 404),
    "reopen":              (403, 200, 403, 403, 403, 403, 403, 404),
    "verify_too_early":    (409, 409, 403, 403, 403, 403, 403, 404),
    "stale_acknowledge":   (412, 412, 412, 412, 412, 412, 412, 404),
    "queue":               (200, 200, 200, 200, 200, 200, 200, 200),
    "dashboard":           (200, 200, 200, 200, 200, 200, 200, 200),
    "meetings":            (200, 200, 200, 200, 200, 200, 200, 200),
    "report":              (200, 200, 200, 200, 200, 200, 200, 200),
    "refusals":            (403, 403, 403, 403, 403, 403, 200, 403),
    "docs":                (200, 200, 200, 200, 200, 200, 200, 200),
}


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: Any = None
    if_match: int | None = None
    problem: str | None = None  # the problem an action changes when it succeeds


# ---- the problem in each state the actions start from ------------------------------------------


def _submitted(d: Any) -> str:
    problem_id: str = d.raise_problem()
    return problem_id


def _assigned(d: Any) -> str:
    problem_id = _submitted(d)
    d.assign(problem_id)
    return problem_id


def _in_progress(d: Any) -> str:
    problem_id = _assigned(d)
    d.act(d.handler, problem_id, Action.ACKNOWLEDGE)
    return problem_id


def _extension_pending(d: Any) -> str:
    problem_id = _in_progress(d)
    d.act(d.handler, problem_id, Action.REQUEST_EXTENSION, reason="等待省厅批复", extension_days=5)
    return problem_id


def _resolved(d: Any) -> str:
    problem_id = _in_progress(d)
    d.act(d.handler, problem_id, Action.RESOLVE, reason="用地指标已落实")
    return problem_id


def _closed(d: Any) -> str:
    problem_id = _resolved(d)
    d.act(d.secretariat, problem_id, Action.VERIFY)
    return problem_id


def _version(d: Any, problem_id: str) -> int:
    return int(d.problem_row(problem_id)["version"])


def _action(prepare: Callable[[Any], str], action: str, body: dict[str, Any] | None = None,
            stale: bool = False) -> Callable[[Any], Call]:
    def call(d: Any) -> Call:
        problem_id = prepare(d)
        version = _version(d, problem_id) - (1 if stale else 0)
        return Call("POST", f"/api/problems/{problem_id}/actions/{action}", body, version, problem_id)

    return call


def _get(path: str) -> Callable[[Any], Call]:
    return lambda d: Call("GET", path)


REASON = {"reason": "按要求办理"}
CALLS: dict[str, Callable[[Any], Call]] = {
    "me": _get("/api/me"),
    "list": _get("/api/problems?limit=5"),
    "show_assigned": lambda d: Call("GET", f"/api/problems/{_assigned(d)}"),
    "show_submitted": lambda d: Call("GET", f"/api/problems/{_submitted(d)}"),
    "raise": lambda d: Call("POST", "/api/problems", {"project": d.project, "title": "林地手续待批",
                                                       "category": "林地"}),
    "assign": _action(_submitted, "assign", {"difficulty": "B"}),
    "acknowledge": _action(_assigned, "acknowledge"),
    "dispute": _action(_assigned, "dispute", {"reason": "该问题应由住建局牵头"}),
    "progress": _action(_assigned, "progress", {"reason": "已召开协调会"}),
    "request_extension": _action(_in_progress, "request_extension", {"reason": "等待批复", "extension_days": 5}),
    "approve_extension": _action(_extension_pending, "approve_extension"),
    "escalate": _action(_in_progress, "escalate", {"reason": "需专班会商"}),
    "resolve": _action(_in_progress, "resolve", {"reason": "已解决"}),
    "verify": _action(_resolved, "verify"),
    "reject": _action(_resolved, "reject", {"reason": "材料不全"}),
    "explain": _action(_assigned, "explain", REASON),
    "long_term": _action(_assigned, "long_term", REASON),
    "withdraw": _action(_submitted, "withdraw", REASON),
    "reopen": _action(_closed, "reopen", {"reason": "回头看发现问题反弹"}),
    "verify_too_early": _action(_assigned, "verify"),
    "stale_acknowledge": _action(_assigned, "acknowledge", stale=True),
    "queue": _get("/api/queue"),
    "dashboard": _get("/api/dashboard"),
    "meetings": _get("/api/meetings"),
    "report": _get("/api/reports/weekly?period=2024-W23"),
    "refusals": _get("/api/refusals?limit=5"),
    "docs": _get("/api/docs"),
}
assert set(CALLS) == set(MATRIX)


def _send(http: Http, handle: str | None, call: Call) -> httpx.Response:
    headers = {"If-Match": f'"{call.if_match}"'} if call.if_match is not None else {}
    return http(handle).request(call.method, call.path, headers=headers, json=call.body)


@pytest.mark.parametrize("endpoint, role, status", [
    pytest.param(endpoint, role, statuses[i], id=f"{endpoint}-{role}")
    for endpoint, statuses in MATRIX.items() for i, role in enumerate(ROLES)
])
def test_role_matrix(web: WebDistrict, http: Http, endpoint: str, role: str, status: int) -> None:
    d: Any = web.district
    call = CALLS[endpoint](d)
    before = _version(d, call.problem) if call.problem else None
    response = _send(http, getattr(d, role), call)
    assert response.status_code == status, f"{endpoint} as {role}: {response.status_code} {response.text[:300]}"
    if status >= 400:
        assert response.json()["error"]["message_en"]
    if call.problem is not None:
        after = _version(d, call.problem)
        assert after == (before or 0) + (1 if status == 200 else 0)
        if status == 200:
            assert response.headers["etag"] == f'"{after}"'


@pytest.mark.parametrize("endpoint", sorted(set(MATRIX) - {"docs"}))
def test_every_endpoint_but_the_docs_wants_a_token(web: WebDistrict, http: Http, endpoint: str) -> None:
    call = CALLS[endpoint](web.district)
    assert _send(http, None, call).status_code == 401


# ---- who sees what, across two projects and two units ------------------------------------------

SECOND_PROJECT = "DQ-2024-031"
B_SPECIALIST, B_LEADER = "wu_zhuanyuan", "zheng_fuquzhang"
PEOPLE = (*ROLES, "b_specialist", "b_leader")


@pytest.fixture(scope="module")
def world(web: WebDistrict) -> dict[str, str]:
    """A second project, DQ-2024-031, served by its own specialist and leader, with the 住建局 helping.

    Returns each person's handle by the name the tables below use.
    """
    d: Any = web.district
    admin = d.caller(d.admin)
    directory.add_person(d.uow(), caller=admin, handle=B_SPECIALIST, name="吴专员", unit=d.service_unit,
                         roles=[Role.SPECIALIST])
    directory.add_person(d.uow(), caller=admin, handle=B_LEADER, name="郑副区长", unit=None, roles=[Role.LEADER])
    directory.add_project(d.uow(), caller=admin, code=SECOND_PROJECT, name="东区智能装备产业园项目",
                          level=ProjectLevel.DISTRICT, locality=d.locality, lead_unit=d.service_unit,
                          leaders=[B_LEADER], helpers=[d.other_unit], specialists=[B_SPECIALIST])
    for handle in (B_SPECIALIST, B_LEADER):
        web.tokens[handle] = directory.create_token(d.uow(), caller=admin, handle=handle)
    handles = {role: getattr(d, role) for role in ROLES}
    return {**handles, "b_specialist": B_SPECIALIST, "b_leader": B_LEADER}


def _raise_world(d: Any, word: str) -> dict[str, str]:
    """Five problems: three on DQ-2024-007, two on DQ-2024-031; A1 and B1 escalated to L2.

    A1: led by ZRZY.  A2: led by ZJJ.  A3: submitted by the secretariat.
    B1: led by ZJJ with ZRZY helping.  B2: submitted by B's specialist.
    """
    made: dict[str, str] = {}
    made["A1"] = d.raise_problem(title=f"{word} A1 用地")
    d.assign(made["A1"])
    d.act(d.handler, made["A1"], Action.ACKNOWLEDGE)
    d.act(d.handler, made["A1"], Action.ESCALATE, reason="需专班会商")
    made["A2"] = d.raise_problem(title=f"{word} A2 施工许可", category="施工许可")
    d.assign(made["A2"], unit=d.other_unit)
    made["A3"] = d.raise_problem(d.secretariat, title=f"{word} A3 资金", category="资金")

    def raise_b(title: str, category: str) -> str:
        view = issues.raise_problem(d.uow(), caller=d.caller(B_SPECIALIST), project=SECOND_PROJECT, title=title,
                                    category=category)
        return view.id

    made["B1"] = raise_b(f"{word} B1 施工许可", "施工许可")
    d.assign(made["B1"], unit=d.other_unit, co_units=(d.solving_unit,))
    d.act(d.other_handler, made["B1"], Action.ACKNOWLEDGE)
    d.act(d.other_handler, made["B1"], Action.ESCALATE, reason="需专班会商")
    made["B2"] = raise_b(f"{word} B2 配套", "配套")
    return made


# Who sees which of the five problems.
SEES: dict[str, set[str]] = {
    "specialist": {"A1", "A2", "A3"},  # their project's
    "secretariat": {"A1", "A2", "A3", "B1", "B2"},
    "handler": {"A1", "B1"},  # what ZRZY leads or helps with
    "unit_head": {"A1", "B1"},
    "leader": {"A1", "A2", "A3"},  # their linked project's
    "principal": {"A1", "A2", "A3", "B1", "B2"},
    "admin": {"A1", "A2", "A3", "B1", "B2"},
    "other_handler": {"A2", "B1"},  # what ZJJ leads
    "b_specialist": {"B1", "B2"},
    "b_leader": {"B1", "B2"},
}
ESCALATED = {"A1", "B1"}
LIT = {"A1", "A2", "B1"}  # open with a due date


def _counts(http: Http, handle: str) -> dict[str, int]:
    client = http(handle)
    dashboard = client.get("/api/dashboard").json()
    report = client.get("/api/reports/weekly", params={"period": "2024-W23"}).json()
    return {
        "list": client.get("/api/problems", params={"limit": 1}).json()["total"],
        "queue": client.get("/api/queue", params={"limit": 1}).json()["total"],
        "by_state": sum(dashboard["by_state"].values()),
        "lights": sum(dashboard["lights"].values()),
        "queue_total": dashboard["queue_total"],
        "report_new": report["problems"]["totals"]["new"],
    }


def test_each_person_sees_their_units_and_projects_problems(web: WebDistrict, http: Http,
                                                          world: dict[str, str]) -> None:
    d: Any = web.district
    word = f"vis{d.audit_count()}"
    before = {person: _counts(http, world[person]) for person in PEOPLE}
    made = _raise_world(d, word)
    for person in PEOPLE:
        client = http(world[person])
        seen = SEES[person]
        listed = client.get("/api/problems", params={"q": word}).json()
        assert {p["id"] for p in listed["items"]} == {made[k] for k in seen}, person
        assert listed["total"] == len(seen)
        for key, problem_id in made.items():
            status = client.get(f"/api/problems/{problem_id}").status_code
            assert status == (200 if key in seen else 404), (person, key, status)
        after = _counts(http, world[person])
        grew = {name: after[name] - before[person][name] for name in after}
        assert grew == {"list": len(seen), "queue": len(seen & ESCALATED), "by_state": len(seen),
                        "lights": len(seen & LIT), "queue_total": len(seen & ESCALATED),
                        "report_new": len(seen)}, person


def test_acting_follows_sight_and_the_roster(web: WebDistrict, http: Http, world: dict[str, str]) -> None:
    d: Any = web.district
    made = _raise_world(d, f"act{d.audit_count()}")

    def progress(person: str, key: str) -> int:
        problem_id = made[key]
        response = http(world[person]).post(
            f"/api/problems/{problem_id}/actions/progress", json={"reason": "跟进"},
            headers={"If-Match": f'"{_version(d, problem_id)}"'})
        return response.status_code

    assert progress("handler", "B1") == 200  # ZRZY helps on B1
    assert progress("other_handler", "B1") == 200  # ZJJ leads it
    assert progress("b_leader", "B1") == 200
    assert progress("leader", "B1") == 404  # not their project
    assert progress("b_specialist", "A1") == 404
    assert progress("other_handler", "A2") == 200
    resolve = http(world["handler"]).post(f"/api/problems/{made['B1']}/actions/resolve",
                                             json={"reason": "已解决"},
                                             headers={"If-Match": f'"{_version(d, made["B1"])}"'})
    assert resolve.status_code == 403  # a helping unit reports progress; only the lead unit resolves


def test_meetings_show_only_what_each_person_sees(web: WebDistrict, http: Http, world: dict[str, str]) -> None:
    d: Any = web.district
    made = _raise_world(d, f"meet{d.audit_count()}")
    task_force = meetings.plan_meeting(d.uow(), caller=d.caller(d.secretariat), kind=MeetingKind.TASK_FORCE,
                                       held_on=d.now.date(), chair=d.secretariat)
    # A leader's 会办 for DQ-2024-031 with nothing yet at L3: only its chair and those who see all see it.
    leader_meeting = meetings.plan_meeting(d.uow(), caller=d.caller(d.secretariat), kind=MeetingKind.LEADER,
                                           held_on=d.now.date(), chair=B_LEADER)
    assert leader_meeting.agenda == []
    everyone = {made[k] for k in ESCALATED}
    assert everyone <= {item.problem["id"] for item in task_force.agenda}
    for person in PEOPLE:
        client = http(world[person])
        listed = {m["id"]: m for m in client.get("/api/meetings").json()["items"]}
        shown = client.get(f"/api/meetings/{task_force.id}")
        assert shown.status_code == 200, person  # everyone sees A1 or B1 on its agenda
        agenda = {item["id"] for item in shown.json()["agenda"]}
        assert agenda & everyone == {made[k] for k in SEES[person] & ESCALATED}, person
        assert {item["id"] for item in listed[task_force.id]["agenda"]} == agenda
        for problem_id in agenda:
            assert client.get(f"/api/problems/{problem_id}").status_code == 200, (person, problem_id)
        sees_leader_meeting = person in {"b_leader", "secretariat", "principal", "admin"}
        assert (leader_meeting.id in listed) == sees_leader_meeting, person
        assert client.get(f"/api/meetings/{leader_meeting.id}").status_code == (200 if sees_leader_meeting
                                                                               else 404), person
