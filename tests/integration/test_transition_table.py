"""Every cell of the transition table, walked through the real services on real SQLite files.

For each from-state one database is built once per module by driving two problems there through
the services: a plain one, and one carrying an extension request waiting for approval (the only
way APPROVE_EXTENSION can succeed). Each (action, from-state, role) case then acts on a byte copy.

All problems are assigned on Monday 21 Dec 2026, so their due dates fall in 2027, a year the
calendar package does not know yet: every assigned problem has a provisional due date and
RECOMPUTE_DUE is truly exercised.

Test ids end in the expected outcome: `allowed`, `not_permitted` (role not in the rule),
`conflict` (state not among the rule's sources), `guard_conflict` (role and state fine, a guard
cannot be satisfied from that state along any real path) or `scope_not_permitted` (role and state
fine, but nobody holding the role can be within the rule's scope in that state) or `meeting_only`
(the action is a meeting's decision, applied when the minutes close: act() refuses it as invalid).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from coordination.domain.enums import Action, Difficulty, Role, State
from coordination.domain.errors import Conflict, InvalidInput, NotPermitted
from coordination.domain.transitions import PROBLEM_ACTIONS, TRANSITIONS
from coordination.services import audit, directory, issue_reads

# Every action on an existing problem; meeting-only ones (a meeting's decision) are refused by act().
TABLE_ACTIONS = [a for a in TRANSITIONS if a is not Action.RAISE]

NOW = datetime(2026, 12, 21, 2, 0, tzinfo=UTC)  # Monday 21 Dec 2026, 10:00 in the district

INPUTS: dict[Action, dict[str, Any]] = {
    Action.ASSIGN: {"unit": "ZRZY", "difficulty": Difficulty.C},
    Action.ACKNOWLEDGE: {},
    Action.DISPUTE: {"reason": "该地块征收由东区电池材料产业园负责，非我局职责"},
    Action.PROGRESS: {"reason": "已完成用地预审，等待省自然资源厅批复"},
    Action.REQUEST_EXTENSION: {"reason": "林地报批需省林业局审核，申请延期", "extension_days": 10},
    Action.APPROVE_EXTENSION: {},
    Action.ESCALATE: {"reason": "涉及跨部门协调，提请专班会商"},
    Action.RESOLVE: {"reason": "已核发建设用地规划许可证"},
    Action.VERIFY: {},
    Action.REJECT: {"reason": "企业反映规划许可证尚未领取，退回重办"},
    Action.EXPLAIN: {"reason": "属企业自身融资安排，不属政府协调事项"},
    Action.LONG_TERM: {"reason": "需待国土空间规划调整，每月跟踪"},
    Action.WITHDRAW: {"reason": "企业已与村集体达成协议，自行解决"},
    Action.REOPEN: {"reason": "回头看发现企业仍未拿到用地批复"},
    Action.RECOMPUTE_DUE: {},
}
MEETING_INPUTS: dict[str, Any] = {"reason": "会议议定：由自然资源和规划局牵头，1月底前完成", "unit": "ZRZY",
                                  "due": (NOW + timedelta(days=40)).date()}

# The only cells where role and state are allowed but no real path satisfies the guard.
GUARD_BLOCKED: dict[tuple[Action, State], str] = {
    # None today: recompute-due, whose guard a submitted problem could never pass, is taken only by
    # loading a year's calendar (a `calendar_only` cell), never directly.
}

ASSIGN = (Action.ASSIGN, "secretariat", {"unit": "ZRZY", "co_units": ("DQY",), "difficulty": Difficulty.B})
ACK = (Action.ACKNOWLEDGE, "handler", {})
REQUEST = (Action.REQUEST_EXTENSION, "handler", {"reason": "需补充压覆矿产评估报告", "extension_days": 5})
ACKED = [ASSIGN, ACK]
PATHS: dict[State, list[tuple[Action, str, dict[str, Any]]]] = {
    State.SUBMITTED: [],
    State.ASSIGNED: [ASSIGN],
    State.IN_PROGRESS: ACKED,
    State.ON_AGENDA: [*ACKED, (Action.ESCALATE, "unit_head", {"reason": "需市级层面协调用地指标"})],
    State.RESOLUTION_SUBMITTED: [*ACKED, (Action.RESOLVE, "handler", {"reason": "用地批复已下达"})],
    State.CLOSED: [*ACKED, (Action.RESOLVE, "handler", {"reason": "用地批复已下达"}),
                   (Action.VERIFY, "specialist", {})],
    State.CLOSED_EXPLAINED: [*ACKED, (Action.EXPLAIN, "secretariat", {"reason": "属企业内部股权纠纷"})],
    State.LONG_TERM: [*ACKED, (Action.LONG_TERM, "secretariat", {"reason": "需等待省级规划修编"})],
    State.WITHDRAWN: [*ACKED, (Action.WITHDRAW, "specialist", {"reason": "企业调整选址"})],
}


# Cells where role and state are allowed but nobody holding the role can be in scope.
SCOPE_BLOCKED: dict[tuple[Action, State, Role], str] = {
    # A submitted problem has no lead or co-unit yet, so no unit's staff are "of" it.
    (Action.PROGRESS, State.SUBMITTED, Role.HANDLER): "lead_or_co_unit",
    (Action.PROGRESS, State.SUBMITTED, Role.UNIT_HEAD): "lead_or_co_unit",
}

def _with_pending_request(state: State) -> list[tuple[Action, str, dict[str, Any]]]:
    """The same real path, with an extension request made right after assignment."""
    path = PATHS[state]
    return [*path[:1], REQUEST, *path[1:]] if path else path


def _expected(action: Action, state: State, role: Role) -> str:
    rule = TRANSITIONS[action]
    if rule.taken_by is not None:
        return f"{rule.taken_by}_only"
    if role not in rule.roles:
        return "not_permitted"
    if state not in rule.sources:
        return "conflict"
    if (action, state, role) in SCOPE_BLOCKED:
        return "scope_not_permitted"
    if (action, state) in GUARD_BLOCKED:
        return "guard_conflict"
    return "allowed"


CASES = [
    pytest.param(action, state, role, _expected(action, state, role),
                 id=f"{action.value}-from-{state.value}-as-{role.value}-{_expected(action, state, role)}")
    for action in TABLE_ACTIONS
    for state in State
    for role in Role
]


ERRORS: dict[str, type[Exception]] = {
    "not_permitted": NotPermitted, "scope_not_permitted": NotPermitted,
    "conflict": Conflict, "guard_conflict": Conflict, "meeting_only": InvalidInput,
    "calendar_only": InvalidInput,
}


@pytest.fixture(scope="module")
def state_dbs(
    district_factory: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory
) -> dict[State, tuple[Any, str, str]]:
    """For each from-state: a district database holding a plain problem and a pending-extension one."""
    built: dict[State, tuple[Any, str, str]] = {}
    for state in State:
        d = district_factory(tmp_path_factory.mktemp(f"from-{state.value}") / "coord.sqlite3", NOW)
        plain = d.raise_problem(title="二期用地指标未落实，影响明年3月开工")
        pending = d.raise_problem(title="35千伏供电专线接入方案未批复", category="用地")
        for problem_id, path in ((plain, PATHS[state]), (pending, _with_pending_request(state))):
            for action, role, inputs in path:
                d.act(d.by_role(Role(role)), problem_id, action, **inputs)
        for problem_id in (plain, pending):
            assert d.problem_row(problem_id)["state"] == state.value
        if state is not State.SUBMITTED:
            assert d.problem_row(plain)["due_provisional"], "the set-up relies on provisional due dates"
        if state is not State.SUBMITTED:  # a dispute drops a pending request along with the assignment
            assert d.problem_row(pending)["pending_extension_days"] == 5
        d.engine.dispose()
        built[state] = (d, plain, pending)
    return built


def test_the_table_cases_cover_every_action_state_and_role() -> None:
    assert len(CASES) == (len(TRANSITIONS) - 1) * len(State) * len(Role)
    assert set(TABLE_ACTIONS) - set(PROBLEM_ACTIONS) == {a for a in TRANSITIONS if TRANSITIONS[a].taken_by}
    outcomes = {p.values[3] for p in CASES}
    assert {"allowed", "not_permitted", "conflict", "scope_not_permitted", "meeting_only", "calendar_only"} <= outcomes
    allowed = {(p.values[0], p.values[1]) for p in CASES if p.values[3] == "allowed"}
    # Every rule is exercised as allowed from every one of its sources but the guard-blocked ones.
    expected = {(a, s) for a in PROBLEM_ACTIONS for s in TRANSITIONS[a].sources} - set(GUARD_BLOCKED)
    assert allowed == expected


@pytest.mark.parametrize(("action", "state", "role", "outcome"), CASES)
def test_transition_table_cell(
    state_dbs: dict[State, tuple[Any, str, str]], tmp_path: Path,
    action: Action, state: State, role: Role, outcome: str,
) -> None:
    template, plain, pending = state_dbs[state]
    d = template.copy_to(tmp_path / "coord.sqlite3")
    problem_id = pending if action is Action.APPROVE_EXTENSION else plain
    handle = d.by_role(role)
    rule = TRANSITIONS[action]
    before_row = d.problem_row(problem_id)
    before_events = d.audit_count()
    try:
        if outcome == "allowed":
            view = d.act(handle, problem_id, action, **INPUTS[action])
            target = rule.target or state
            assert view.state is target
            after_row = d.problem_row(problem_id)
            assert after_row["state"] == target.value
            assert after_row["version"] == before_row["version"] + 1
            assert d.audit_count() == before_events + 1, "exactly one audit event per change"
            event = d.events(problem_id)[-1]
            assert (event["action"], event["from_state"], event["to_state"], event["actor"], event["seq"]) == (
                action.value, state.value, target.value, handle, after_row["version"])
            replayed, stored = issue_reads.replayed(d.uow(), problem_id=problem_id)
            assert replayed == stored
        else:
            error = ERRORS[outcome]
            with pytest.raises(error):
                d.act(handle, problem_id, action, **INPUTS.get(action, MEETING_INPUTS))
            assert d.audit_count() == before_events
            assert d.problem_row(problem_id) == before_row
    finally:
        d.engine.dispose()


# ---- what the table alone does not show ----------------------------------------------------


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_raise_is_open_to_the_roster_and_closed_to_admin_and_system(district: Any, role: Role) -> None:
    before = district.audit_count()
    handle = district.by_role(role)
    if role in TRANSITIONS[Action.RAISE].roles:
        problem_id = district.raise_problem(handle, title="环评批复进度滞后，影响设备进场", category="环评")
        assert district.problem_row(problem_id)["state"] == State.SUBMITTED.value
        assert district.problem_row(problem_id)["raised_by"] == handle
        assert district.audit_count() == before + 1
    else:
        with pytest.raises(NotPermitted):
            district.raise_problem(handle, title="环评批复进度滞后", category="环评")
        assert district.audit_count() == before


def test_handler_of_a_unit_off_the_roster_cannot_raise(district: Any) -> None:
    before = district.audit_count()
    with pytest.raises(NotPermitted, match="不是项目 DQ-2024-007的相关责任人"):
        district.raise_problem(district.other_handler, title="施工许可办理超时", category="施工许可")
    assert district.audit_count() == before


def test_raise_cannot_go_through_act(district: Any) -> None:
    problem_id = district.raise_problem()
    with pytest.raises(InvalidInput, match="coord issue raise"):
        district.act(district.secretariat, problem_id, Action.RAISE)


def test_handler_of_another_unit_cannot_acknowledge(district: Any) -> None:
    problem_id = district.raise_problem()
    district.assign(problem_id)
    before = district.problem_row(problem_id)
    with pytest.raises(NotPermitted):
        district.act(district.other_handler, problem_id, Action.ACKNOWLEDGE)
    assert district.problem_row(problem_id) == before


def test_co_unit_handler_reports_progress_on_a_problem_it_helps_with(district: Any) -> None:
    problem_id = district.raise_problem()
    district.assign(problem_id, co_units=(district.other_unit,))
    view = district.act(district.other_handler, problem_id, Action.PROGRESS, reason="住建局已完成施工图审查")
    assert view.state is State.ASSIGNED
    assert district.events(problem_id)[-1]["reason"] == "住建局已完成施工图审查"


def test_resolving_unit_cannot_verify_its_own_work(district: Any) -> None:
    # A secretariat member seconded to the 自然资源和规划局 is still of the resolving unit.
    directory.add_person(district.uow(), caller=district.caller(district.admin), handle="zhou_keyuan",
                         name="周科员（借调专班）", unit=district.solving_unit, roles=[Role.SECRETARIAT])
    problem_id = district.raise_problem()
    district.assign(problem_id)
    district.act(district.handler, problem_id, Action.ACKNOWLEDGE)
    district.act(district.handler, problem_id, Action.RESOLVE, reason="用地预审意见已出具")
    before, events = district.problem_row(problem_id), district.audit_count()
    for action in (Action.VERIFY, Action.REJECT):
        with pytest.raises(NotPermitted, match="办理单位 ZRZY"):
            district.act("zhou_keyuan", problem_id, action, reason="自查")
    assert district.problem_row(problem_id) == before
    assert district.audit_count() == events
    # The secretariat at the 发改局 may.
    assert district.act(district.secretariat, problem_id, Action.VERIFY).state is State.CLOSED


def test_dispute_two_working_days_after_assignment_is_refused(district: Any) -> None:
    friday = datetime(2024, 5, 31, 2, 0, tzinfo=UTC)
    problem_id = district.raise_problem(now=friday)
    district.assign(problem_id, now=friday)
    before, events = district.problem_row(problem_id), district.audit_count()
    with pytest.raises(Conflict, match="超过 1 个工作日"):
        district.act(district.handler, problem_id, Action.DISPUTE, now=friday + timedelta(days=4),
                     reason="应由属地园区牵头")
    assert (district.problem_row(problem_id), district.audit_count()) == (before, events)
    # On Monday, the first working day after, it was still possible.
    view = district.act(district.handler, problem_id, Action.DISPUTE, now=friday + timedelta(days=3),
                        reason="应由属地园区牵头")
    assert view.state is State.SUBMITTED
    assert '"disputed_unit":"ZRZY"' in district.events(problem_id)[-1]["payload"]


def test_escalation_stops_at_l5(district: Any) -> None:
    problem_id = district.raise_problem()
    district.assign(problem_id)
    for level in (2, 3, 4, 5):
        view = district.act(district.secretariat, problem_id, Action.ESCALATE, reason=f"提级至 L{level}")
        assert view.record["level"] == level
        assert view.state is State.ON_AGENDA
    events = district.audit_count()
    with pytest.raises(Conflict, match="L5"):
        district.act(district.system, problem_id, Action.ESCALATE, reason="逾期超过10个工作日")
    assert district.audit_count() == events


def test_stale_version_is_refused_and_nothing_is_written(district: Any) -> None:
    problem_id = district.raise_problem()
    seen = district.assign(problem_id).version
    district.act(district.handler, problem_id, Action.ACKNOWLEDGE)
    before, events = district.problem_row(problem_id), district.audit_count()
    with pytest.raises(Conflict, match=f"第 {seen} 版"):
        district.act(district.secretariat, problem_id, Action.PROGRESS, expected_version=seen,
                     reason="已约谈企业负责人")
    assert (district.problem_row(problem_id), district.audit_count()) == (before, events)


def test_chains_hold_after_a_full_life(district: Any) -> None:
    problem_id = district.raise_problem()
    district.assign(problem_id)
    district.act(district.handler, problem_id, Action.ACKNOWLEDGE)
    district.act(district.handler, problem_id, Action.RESOLVE, reason="已解决")
    district.act(district.specialist, problem_id, Action.REJECT, reason="企业未确认")
    district.act(district.unit_head, problem_id, Action.RESOLVE, reason="局长督办后已解决")
    district.act(district.specialist, problem_id, Action.VERIFY)
    row = district.problem_row(problem_id)
    assert (row["state"], row["reopen_count"], row["version"]) == ("closed", 1, 7)
    report = audit.verify_chains(district.uow())
    assert report.ok, report


def test_dispute_drops_the_disputed_units_pending_extension_request(district: Any) -> None:
    # ZRZY asks for more time, then (same day) disputes the assignment; the problem goes to ZJJ.
    problem_id = district.raise_problem(title="施工图审查与规划许可衔接不畅", category="施工许可")
    district.assign(problem_id)
    district.act(district.handler, problem_id, Action.REQUEST_EXTENSION, reason="需补充勘测定界报告",
                 extension_days=5)
    district.act(district.handler, problem_id, Action.DISPUTE, reason="施工许可属住建局职责")
    disputed = district.problem_row(problem_id)
    assert (disputed["state"], disputed["lead_unit"], disputed["due_date"]) == ("submitted", None, None)
    # The request was about a deadline that no longer exists, made by a unit no longer responsible.
    assert disputed["pending_extension_days"] is None
    district.assign(problem_id, unit=district.other_unit)
    view = district.act(district.other_handler, problem_id, Action.REQUEST_EXTENSION,
                        reason="需等待消防审查意见", extension_days=3)
    assert view.record["pending_extension_days"] == 3


def test_reopening_a_closed_problem_does_not_revive_an_old_extension_request(district: Any) -> None:
    problem_id = district.raise_problem(title="厂区围墙外排水沟改线", category="配套")
    district.assign(problem_id)
    district.act(district.handler, problem_id, Action.ACKNOWLEDGE)
    district.act(district.handler, problem_id, Action.REQUEST_EXTENSION, reason="需水务局会签", extension_days=5)
    district.act(district.handler, problem_id, Action.RESOLVE, reason="排水沟已改线完成")
    district.act(district.secretariat, problem_id, Action.VERIFY)
    reopened = district.act(district.secretariat, problem_id, Action.REOPEN, reason="回头看：汛期排水仍不畅")
    # The reopened problem has a fresh deadline; a request made against the old one must not linger.
    assert reopened.record["pending_extension_days"] is None
    view = district.act(district.handler, problem_id, Action.REQUEST_EXTENSION, reason="需重新设计排水方案",
                        extension_days=10)
    assert view.record["pending_extension_days"] == 10
