"""The pure domain: deadlines, lights, who may act, the guards, and that the domain stays pure."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

import coordination.domain
from coordination.domain.deadlines import DEFAULT_DIFFICULTY_DAYS, due_for
from coordination.domain.enums import Action, Difficulty, Level, Light, Role, State
from coordination.domain.errors import Conflict, InvalidInput, NotPermitted
from coordination.domain.lights import LightThresholds
from coordination.domain.problem import (
    ActionInput,
    Actor,
    ProblemFacts,
    Roster,
    Settings,
    authorize,
    new_problem,
    plan,
)
from coordination.domain.transitions import PROBLEM_ACTIONS, TRANSITIONS, Guard, Scope
from coordination.domain.workdays import WorkCalendar
from coordination.services.calendar import package_schedules

ROSTER = Roster(
    project="DQ-2024-007",
    leaders=frozenset({"chen_fuquzhang"}),
    specialists=frozenset({"li_zhuanyuan"}),
    units=frozenset({"DQY", "FGJ", "ZRZY"}),
)
SECRETARIAT = Actor("wang_mishu", "FGJ", frozenset({Role.SECRETARIAT}))
SPECIALIST = Actor("li_zhuanyuan", "FGJ", frozenset({Role.SPECIALIST}))
HANDLER = Actor("zhao_jingban", "ZRZY", frozenset({Role.HANDLER}))
OTHER_HANDLER = Actor("sun_jingban", "ZJJ", frozenset({Role.HANDLER}))
LEADER = Actor("chen_fuquzhang", None, frozenset({Role.LEADER}))
OTHER_LEADER = Actor("wu_fuquzhang", None, frozenset({Role.LEADER}))
SYSTEM = Actor("system", None, frozenset({Role.SYSTEM}))


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    return WorkCalendar(package_schedules())


def facts(state: State, **fields: object) -> ProblemFacts:
    base: dict[str, object] = {
        "id": "Q-2024-0042", "state": state, "lead_unit": "ZRZY", "raised_by": "li_zhuanyuan",
        "assigned_on": date(2024, 6, 3), "due_date": date(2024, 6, 24), "difficulty": Difficulty.B,
    }
    return ProblemFacts(**{**base, **fields})  # type: ignore[arg-type]


# ---- deadlines -----------------------------------------------------------------------------


def test_difficulty_a_b_c_give_30_15_5_working_days() -> None:
    assert dict(DEFAULT_DIFFICULTY_DAYS) == {Difficulty.A: 30, Difficulty.B: 15, Difficulty.C: 5}
    assert Settings().difficulty_days == DEFAULT_DIFFICULTY_DAYS


@pytest.mark.parametrize(
    ("difficulty", "due"),
    [
        # Assigned Mon 16 Sep 2024; Mid-Autumn (15–17 Sep) and National Day (1–7 Oct) intervene.
        # C: 18, 19, 20, 23, 24 Sep.
        pytest.param(Difficulty.C, date(2024, 9, 24), id="C-5-days-past-mid-autumn"),
        # B: ... 27 Sep (8), Sunday 29 Sep made working (9), 30 Sep, 8–11 Oct, Saturday 12 Oct (15).
        pytest.param(Difficulty.B, date(2024, 10, 12), id="B-15-days-past-national-day"),
        pytest.param(Difficulty.A, date(2024, 11, 1), id="A-30-days-past-national-day"),
    ],
)
def test_due_date_counts_official_working_days_from_assignment(
    calendar: WorkCalendar, difficulty: Difficulty, due: date
) -> None:
    computed = due_for(difficulty, date(2024, 9, 16), calendar)
    assert computed.day == due
    assert computed.provisional is False
    assert calendar.working_days_between(date(2024, 9, 16), due) == DEFAULT_DIFFICULTY_DAYS[difficulty]


def test_due_date_running_into_an_unpublished_year_is_provisional(calendar: WorkCalendar) -> None:
    assert due_for(Difficulty.A, date(2026, 12, 21), calendar).provisional is True
    assert due_for(Difficulty.C, date(2026, 12, 21), calendar).provisional is False


def test_a_district_may_tune_difficulty_days(calendar: WorkCalendar) -> None:
    tuned = {Difficulty.A: 20, Difficulty.B: 10, Difficulty.C: 3}
    assert due_for(Difficulty.C, date(2024, 6, 3), calendar, tuned).day == date(2024, 6, 6)


# ---- lights --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "light"),
    [
        pytest.param(date(2024, 6, 17), Light.GREEN, id="5-working-days-left-green"),
        pytest.param(date(2024, 6, 18), Light.GREEN, id="4-working-days-left-green"),
        pytest.param(date(2024, 6, 19), Light.YELLOW, id="3-working-days-left-yellow"),
        pytest.param(date(2024, 6, 21), Light.YELLOW, id="1-working-day-left-yellow"),
        pytest.param(date(2024, 6, 22), Light.YELLOW, id="weekend-before-due-monday-yellow"),
        pytest.param(date(2024, 6, 24), Light.YELLOW, id="due-today-yellow"),
        pytest.param(date(2024, 6, 25), Light.RED, id="one-day-overdue-red"),
    ],
)
def test_light_turns_yellow_at_three_working_days_and_red_when_overdue(
    calendar: WorkCalendar, today: date, light: Light
) -> None:
    assert LightThresholds.on(today, calendar).light(date(2024, 6, 24)) is light


def test_golden_week_does_not_count_towards_the_days_left(calendar: WorkCalendar) -> None:
    # On Mon 30 Sep 2024 a problem due Mon 14 Oct has 6 working days left: 8–11, Saturday 12, 14 Oct.
    assert calendar.working_days_between(date(2024, 9, 30), date(2024, 10, 14)) == 6
    lights = LightThresholds.on(date(2024, 9, 30), calendar)
    assert lights.light(date(2024, 10, 14)) is Light.GREEN
    # Due Wed 9 Oct: nine calendar days ahead but only two working days, so already yellow.
    assert lights.light(date(2024, 10, 9)) is Light.YELLOW
    # The golden week and the make-up Saturday: yellow up to Thu 10 Oct, green from Fri 11 Oct.
    assert lights.yellow_before == date(2024, 10, 11)


def test_a_due_date_on_a_saturday_is_yellow_with_three_working_days_left(calendar: WorkCalendar) -> None:
    # Tue 4 Jun 2024 → Sat 8 Jun: 5, 6, 7 Jun are left (Mon 10 Jun is the Dragon Boat Festival).
    lights = LightThresholds.on(date(2024, 6, 4), calendar)
    assert lights.light(date(2024, 6, 8)) is Light.YELLOW
    assert lights.light(date(2024, 6, 10)) is Light.YELLOW
    assert lights.light(date(2024, 6, 11)) is Light.GREEN


def test_a_problem_without_due_date_or_finished_has_no_light(calendar: WorkCalendar) -> None:
    lights = LightThresholds.on(date(2024, 6, 3), calendar)
    assert lights.light(None) is None
    assert lights.light(date(2024, 6, 1), State.CLOSED) is None
    assert lights.light(date(2024, 6, 1), State.WITHDRAWN.value) is None
    assert lights.light(date(2024, 6, 1), State.LONG_TERM) is Light.RED


# ---- the table -----------------------------------------------------------------------------


def test_every_action_has_exactly_one_rule_and_only_raise_creates() -> None:
    assert set(TRANSITIONS) == set(Action)
    assert [a for a, r in TRANSITIONS.items() if not r.sources] == [Action.RAISE]
    assert Action.RAISE not in PROBLEM_ACTIONS
    assert all(r.action is a for a, r in TRANSITIONS.items())


def test_system_may_only_escalate_and_recompute_due() -> None:
    assert {a for a, r in TRANSITIONS.items() if Role.SYSTEM in r.roles} == {Action.ESCALATE, Action.RECOMPUTE_DUE}


def test_nothing_starts_from_withdrawn() -> None:
    assert all(State.WITHDRAWN not in r.sources for r in TRANSITIONS.values())


# ---- authorize: order of errors ------------------------------------------------------------


def test_a_role_that_never_takes_the_action_is_not_permitted_even_in_the_wrong_state() -> None:
    # Wrong role and wrong state: the role is checked first.
    with pytest.raises(NotPermitted):
        authorize(Action.VERIFY, HANDLER, facts(State.ASSIGNED), ROSTER)


def test_the_right_role_in_the_wrong_state_is_a_conflict_even_out_of_scope() -> None:
    # A handler of another unit, acknowledging a problem already in progress: state before scope.
    with pytest.raises(Conflict) as caught:
        authorize(Action.ACKNOWLEDGE, OTHER_HANDLER, facts(State.IN_PROGRESS), ROSTER)
    assert "Q-2024-0042" in caught.value.zh
    assert "办理中" in caught.value.zh
    assert caught.value.en == "cannot acknowledge Q-2024-0042 while in progress"


def test_the_right_role_and_state_out_of_scope_is_not_permitted() -> None:
    with pytest.raises(NotPermitted, match="不是问题 Q-2024-0042的相关责任人"):
        authorize(Action.ACKNOWLEDGE, OTHER_HANDLER, facts(State.ASSIGNED), ROSTER)


def test_authorize_returns_the_role_in_scope() -> None:
    both = Actor("li_zhuanyuan", "FGJ", frozenset({Role.SPECIALIST, Role.HANDLER}))
    # As handler she is out of scope (FGJ is not the lead unit), as the raiser she may verify.
    assert authorize(Action.VERIFY, both, facts(State.RESOLUTION_SUBMITTED), ROSTER) is Role.SPECIALIST


def test_only_the_linked_leader_escalates_as_leader() -> None:
    assert authorize(Action.ESCALATE, LEADER, facts(State.IN_PROGRESS), ROSTER) is Role.LEADER
    with pytest.raises(NotPermitted):
        authorize(Action.ESCALATE, OTHER_LEADER, facts(State.IN_PROGRESS), ROSTER)


def test_co_unit_handler_may_report_progress_but_not_acknowledge() -> None:
    co = facts(State.ASSIGNED, co_units=("ZJJ",))
    assert authorize(Action.PROGRESS, OTHER_HANDLER, co, ROSTER) is Role.HANDLER
    with pytest.raises(NotPermitted):
        authorize(Action.ACKNOWLEDGE, OTHER_HANDLER, co, ROSTER)


def test_raise_is_judged_against_the_roster() -> None:
    assert authorize(Action.RAISE, HANDLER, None, ROSTER) is Role.HANDLER  # ZRZY is a helper unit
    with pytest.raises(NotPermitted, match="项目 DQ-2024-007"):
        authorize(Action.RAISE, OTHER_HANDLER, None, ROSTER)  # ZJJ is not on the 1+2+N
    with pytest.raises(NotPermitted):
        authorize(Action.RAISE, SYSTEM, None, ROSTER)


# ---- guards --------------------------------------------------------------------------------


def test_dispute_within_one_working_day_sends_the_problem_back(calendar: WorkCalendar) -> None:
    # Assigned Friday 31 May 2024; Monday 3 June is the first working day after.
    problem = facts(State.ASSIGNED, assigned_on=date(2024, 5, 31))
    changes = plan(Action.DISPUTE, HANDLER, problem, ActionInput(reason="用地问题应由属地园区牵头"),
                   today=date(2024, 6, 3), calendar=calendar)
    assert changes["state"] is State.SUBMITTED
    assert changes["lead_unit"] is None
    assert changes["due_date"] is None


def test_dispute_after_one_working_day_is_refused(calendar: WorkCalendar) -> None:
    problem = facts(State.ASSIGNED, assigned_on=date(2024, 5, 31))
    with pytest.raises(Conflict, match="超过 1 个工作日"):
        plan(Action.DISPUTE, HANDLER, problem, ActionInput(reason="不属于我局职责"),
             today=date(2024, 6, 4), calendar=calendar)


def test_dispute_window_does_not_run_over_the_golden_week(calendar: WorkCalendar) -> None:
    # Assigned Mon 30 Sep 2024; Tue 8 Oct is still the first working day after.
    problem = facts(State.ASSIGNED, assigned_on=date(2024, 9, 30))
    changes = plan(Action.DISPUTE, HANDLER, problem, ActionInput(reason="应由住建局牵头"),
                   today=date(2024, 10, 8), calendar=calendar)
    assert changes["state"] is State.SUBMITTED


def test_escalation_rises_one_rung(calendar: WorkCalendar) -> None:
    changes = plan(Action.ESCALATE, SYSTEM, facts(State.IN_PROGRESS, level=Level.L4),
                   ActionInput(reason="逾期超过10个工作日"), today=date(2024, 7, 10), calendar=calendar)
    assert changes["state"] is State.ON_AGENDA and changes["level"] == 5


def test_escalating_after_the_deadline_counts_as_that_deadlines_escalation(calendar: WorkCalendar) -> None:
    overdue = plan(Action.ESCALATE, SYSTEM, facts(State.IN_PROGRESS, due_date=date(2024, 7, 1)),
                   ActionInput(reason="逾期未办"), today=date(2024, 7, 10), calendar=calendar)
    assert overdue["escalated_due"] == date(2024, 7, 1)
    early = plan(Action.ESCALATE, SYSTEM, facts(State.IN_PROGRESS, due_date=date(2024, 7, 31)),
                 ActionInput(reason="需专班会商"), today=date(2024, 7, 10), calendar=calendar)
    assert "escalated_due" not in early


def test_l5_is_the_top_of_the_ladder(calendar: WorkCalendar) -> None:
    with pytest.raises(Conflict, match="L5"):
        plan(Action.ESCALATE, SYSTEM, facts(State.ON_AGENDA, level=Level.L5), ActionInput(reason="仍未解决"),
             today=date(2024, 7, 10), calendar=calendar)


@pytest.mark.parametrize("action", [Action.VERIFY, Action.REJECT])
@pytest.mark.parametrize(
    "actor",
    [
        pytest.param(Actor("zhou_keyuan", "ZRZY", frozenset({Role.SECRETARIAT})), id="secretariat-seconded-to-ZRZY"),
        pytest.param(Actor("li_zhuanyuan", "ZRZY", frozenset({Role.SPECIALIST})), id="raiser-moved-to-ZRZY"),
    ],
)
def test_resolving_unit_can_never_verify_its_own_work(calendar: WorkCalendar, actor: Actor, action: Action) -> None:
    problem = facts(State.RESOLUTION_SUBMITTED, resolved_by_unit="ZRZY")
    authorize(action, actor, problem, ROSTER)  # the table lets the role through...
    with pytest.raises(NotPermitted, match="办理单位 ZRZY"):  # ...the guard does not
        plan(action, actor, problem, ActionInput(reason="企业反映尚未拿到不动产权证"), today=date(2024, 6, 20),
             calendar=calendar)


def test_someone_outside_the_resolving_unit_verifies(calendar: WorkCalendar) -> None:
    problem = facts(State.RESOLUTION_SUBMITTED, resolved_by_unit="ZRZY")
    changes = plan(Action.VERIFY, SECRETARIAT, problem, ActionInput(), today=date(2024, 6, 20), calendar=calendar)
    assert changes == {"state": State.CLOSED, "closed_on": date(2024, 6, 20)}


def test_a_second_extension_request_waits_for_the_first(calendar: WorkCalendar) -> None:
    with pytest.raises(Conflict, match="待批准"):
        plan(Action.REQUEST_EXTENSION, HANDLER, facts(State.IN_PROGRESS, pending_extension_days=5),
             ActionInput(reason="需补充林地报批材料", extension_days=5), today=date(2024, 6, 5), calendar=calendar)


def test_approving_without_a_request_is_a_conflict(calendar: WorkCalendar) -> None:
    with pytest.raises(Conflict, match="没有待批准"):
        plan(Action.APPROVE_EXTENSION, SECRETARIAT, facts(State.IN_PROGRESS), ActionInput(),
             today=date(2024, 6, 5), calendar=calendar)


def test_approved_extension_adds_working_days_to_the_due_date(calendar: WorkCalendar) -> None:
    problem = facts(State.IN_PROGRESS, due_date=date(2024, 9, 27), pending_extension_days=3)
    changes = plan(Action.APPROVE_EXTENSION, SECRETARIAT, problem, ActionInput(), today=date(2024, 9, 20),
                   calendar=calendar)
    # 29 Sep (make-up Sunday), 30 Sep, then 8 Oct after the golden week.
    assert changes["due_date"] == date(2024, 10, 8)
    assert changes["pending_extension_days"] is None
    assert changes["extension_count"] == 1


def test_recompute_needs_a_provisional_due_date(calendar: WorkCalendar) -> None:
    with pytest.raises(Conflict, match="不是暂定"):
        plan(Action.RECOMPUTE_DUE, SYSTEM, facts(State.IN_PROGRESS), ActionInput(), today=date(2024, 6, 5),
             calendar=calendar)


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_actions_that_need_a_reason_refuse_a_blank_one(calendar: WorkCalendar, reason: str | None) -> None:
    with pytest.raises(InvalidInput, match="需要填写说明"):
        plan(Action.RESOLVE, HANDLER, facts(State.IN_PROGRESS), ActionInput(reason=reason),
             today=date(2024, 6, 5), calendar=calendar)


def test_rules_that_need_a_reason_are_the_ones_that_change_minds() -> None:
    no_reason = {a for a, r in TRANSITIONS.items() if not r.needs_reason}
    assert no_reason == {Action.RAISE, Action.ASSIGN, Action.ACKNOWLEDGE, Action.APPROVE_EXTENSION,
                         Action.VERIFY, Action.RECOMPUTE_DUE}


def test_assign_sets_lead_unit_difficulty_and_due_date(calendar: WorkCalendar) -> None:
    changes = plan(Action.ASSIGN, SECRETARIAT, facts(State.SUBMITTED, lead_unit=None, assigned_on=None,
                                                     due_date=None, difficulty=None),
                   ActionInput(unit="ZRZY", co_units=("DQY",), difficulty=Difficulty.C),
                   today=date(2024, 9, 27), calendar=calendar)
    assert changes["lead_unit"] == "ZRZY"
    assert changes["co_units"] == ["DQY"]
    assert changes["due_date"] == date(2024, 10, 10)  # 29 Sep (Sunday made working), 30 Sep, 8, 9, 10 Oct
    assert calendar.working_days_between(date(2024, 9, 27), changes["due_date"]) == 5


def test_assign_refuses_a_lead_unit_that_is_also_a_co_unit(calendar: WorkCalendar) -> None:
    with pytest.raises(InvalidInput):
        plan(Action.ASSIGN, SECRETARIAT, facts(State.SUBMITTED), ActionInput(unit="ZRZY", co_units=("ZRZY",)),
             today=date(2024, 6, 3), calendar=calendar)


def test_reject_counts_a_reopen_and_forgets_the_resolution(calendar: WorkCalendar) -> None:
    problem = facts(State.RESOLUTION_SUBMITTED, resolved_by_unit="ZRZY", reopen_count=1)
    changes = plan(Action.REJECT, SPECIALIST, problem, ActionInput(reason="企业反映供电线路仍未接通"),
                   today=date(2024, 6, 20), calendar=calendar)
    assert changes["state"] is State.IN_PROGRESS
    assert changes["reopen_count"] == 2
    assert changes["resolved_by_unit"] is None


def test_a_new_problem_starts_submitted_at_l1() -> None:
    fields = new_problem(project="DQ-2024-007", title="  35千伏专线接入迟迟未批  ", category="配套", detail=" ",
                         raised_by="li_zhuanyuan", today=date(2024, 6, 3))
    assert fields["state"] is State.SUBMITTED
    assert fields["level"] == 1
    assert fields["title"] == "35千伏专线接入迟迟未批"
    assert fields["detail"] is None


@pytest.mark.parametrize("title", ["", "   ", "地" * 201])
def test_a_new_problem_needs_a_sensible_title(title: str) -> None:
    with pytest.raises(InvalidInput):
        new_problem(project="DQ-2024-007", title=title, category="用地", detail=None, raised_by="li_zhuanyuan",
                    today=date(2024, 6, 3))


def test_every_guard_and_scope_is_used_by_the_table() -> None:
    used_guards = {g for r in TRANSITIONS.values() for g in r.guards}
    used_scopes = {s for r in TRANSITIONS.values() for s in r.roles.values()}
    assert used_guards == set(Guard)
    assert used_scopes == set(Scope)


# ---- purity --------------------------------------------------------------------------------

FORBIDDEN_PACKAGES = {"sqlmodel", "sqlalchemy", "prefect", "typer", "rich"}
CLOCK_CALLS = {("date", "today"), ("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"),
               ("time", "time"), ("time", "time_ns"), ("time", "monotonic")}
DOMAIN_DIR = Path(coordination.domain.__file__).parent
DOMAIN_MODULES = sorted(DOMAIN_DIR.glob("*.py"))


def test_the_domain_has_modules_to_check() -> None:
    names = {p.stem for p in DOMAIN_MODULES}
    assert {"problem", "transitions", "workdays", "deadlines", "audit"} <= names


@pytest.mark.parametrize("module", DOMAIN_MODULES, ids=lambda p: p.stem)
def test_domain_imports_no_storage_flow_or_ui_package(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"), filename=str(module))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert not imported & FORBIDDEN_PACKAGES, f"{module.name} imports {sorted(imported & FORBIDDEN_PACKAGES)}"
    outside = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module
               and n.module.startswith("coordination") and not n.module.startswith("coordination.domain")]
    assert outside == [], f"{module.name} imports from outside the domain: {outside}"


@pytest.mark.parametrize("module", DOMAIN_MODULES, ids=lambda p: p.stem)
def test_domain_never_reads_the_clock(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"), filename=str(module))
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            owner_name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(
                owner, ast.Attribute) else None
            if (owner_name, node.func.attr) in CLOCK_CALLS:
                calls.append(f"{owner_name}.{node.func.attr} (line {node.lineno})")
    assert calls == [], f"{module.name} reads the clock: {calls}"
