"""Random lives of a few problems: whatever anyone tries, the events rebuild the row and the chains hold."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import text

from coordination.db import make_engine
from coordination.domain.enums import Action, Difficulty, Role, State
from coordination.domain.errors import CoordError
from coordination.domain.problem import ActionInput
from coordination.domain.transitions import PROBLEM_ACTIONS, TRANSITIONS
from coordination.services import audit, calendar, issue_reads, issues
from coordination.services.common import Caller
from coordination.uow import UnitOfWork
from tests.attacker import unguarded

START = datetime(2026, 12, 14, 1, 30, tzinfo=UTC)  # Monday 14 Dec 2026: due dates run into 2027
HANDLES = ["admin", "wang_mishu", "li_zhuanyuan", "zhao_jingban", "qian_juzhang", "sun_jingban",
           "chen_fuquzhang", "zhou_quzhang", "system", "nobody"]
TITLES = ["二期用地指标未落实", "35千伏供电专线接入滞后", "环评批复进度滞后，影响设备进场", "施工许可办理超时",
          "林地占用审批卡在省厅"]
CATEGORIES = ["用地", "配套", "环评", "施工许可", "land", "不存在的类别"]
REASONS = [None, "", "   ", "已约谈企业负责人，明确时间节点", "需市级层面协调", "企业反映仍未解决"]
UNITS = [None, "ZRZY", "ZJJ", "FGJ", "DQY", "NOPE"]
CO_UNITS: list[tuple[str, ...]] = [(), ("DQY",), ("ZJJ",), ("ZRZY",)]
# Everyone who holds a role, in scope of the project's problems (lead unit ZRZY once assigned there).
ENTITLED: dict[Role, list[str]] = {
    Role.SPECIALIST: ["li_zhuanyuan"], Role.SECRETARIAT: ["wang_mishu"],
    Role.HANDLER: ["zhao_jingban", "sun_jingban"], Role.UNIT_HEAD: ["qian_juzhang"],
    Role.LEADER: ["chen_fuquzhang"], Role.PRINCIPAL: ["zhou_quzhang"], Role.ADMIN: ["admin"],
    Role.SYSTEM: ["system"],
}
HOLIDAYS_2027 = [date(2027, 1, 1), *(date(2027, 2, 6) + timedelta(days=n) for n in range(8))]
WORKDAYS_2027 = [date(2027, 2, 20)]


class ProblemLives(RuleBasedStateMachine):
    template: Path  # a built district, set by the test before running the machine

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="coord-stateful-"))
        path = self.dir / "coord.sqlite3"
        shutil.copy(self.template, path)
        self.engine = make_engine(f"sqlite:///{path}")
        self.now = START
        self.ids: list[str] = []
        self.versions: dict[str, int] = {}
        self.calendar_loaded = False

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.engine)

    def caller(self, handle: str) -> Caller:
        return Caller(handle, self.now, origin="hypothesis")

    def teardown(self) -> None:
        self.engine.dispose()
        shutil.rmtree(self.dir, ignore_errors=True)

    # ---- rules ------------------------------------------------------------------------------

    @initialize(title=st.sampled_from(TITLES), difficulty=st.sampled_from(list(Difficulty)))
    def a_specialist_raises_and_the_secretariat_assigns(self, title: str, difficulty: Difficulty) -> None:
        self.raise_problem("li_zhuanyuan", title, "用地")
        self._act(self.ids[-1], Action.ASSIGN, "wang_mishu", ActionInput(difficulty=difficulty))
        assert self._state(self.ids[-1]) is State.ASSIGNED

    @precondition(lambda self: len(self.ids) < 4)
    @rule(handle=st.sampled_from(HANDLES), title=st.sampled_from(TITLES), category=st.sampled_from(CATEGORIES))
    def raise_problem(self, handle: str, title: str, category: str) -> None:
        try:
            view = issues.raise_problem(self.uow(), caller=self.caller(handle), project="DQ-2024-007",
                                        title=title, category=category)
        except CoordError:
            return
        assert view.state is State.SUBMITTED
        assert view.version == 1
        self.ids.append(view.id)
        self.versions[view.id] = 1

    def _act(self, problem_id: str, action: Action, handle: str, inputs: ActionInput,
             expected_version: int | None = None) -> None:
        before = self.versions[problem_id]
        try:
            view = issues.act(self.uow(), caller=self.caller(handle), problem_id=problem_id, action=action,
                              inputs=inputs, expected_version=expected_version)
        except CoordError as exc:
            event(f"refused: {type(exc).__name__}")
            return
        event(f"{action.value} -> {view.state.value}")
        assert expected_version in (None, before), "a stale expected_version must never be applied"
        assert view.version == before + 1
        self.versions[problem_id] = view.version

    def _state(self, problem_id: str) -> State:
        with self.engine.connect() as conn:
            return State(conn.execute(text("SELECT state FROM problem WHERE id = :id"), {"id": problem_id})
                         .scalar_one())

    @precondition(lambda self: bool(self.ids))
    @rule(data=st.data(), reason=st.sampled_from(REASONS[3:]), unit=st.sampled_from([None, "ZRZY", "ZJJ"]),
          co_units=st.sampled_from(CO_UNITS[:3]), difficulty=st.sampled_from([None, *Difficulty]),
          extension_days=st.sampled_from([3, 10]))
    def someone_entitled_acts(self, data: st.DataObject, reason: str, unit: str | None, co_units: tuple[str, ...],
                              difficulty: Difficulty | None, extension_days: int) -> None:
        """Mostly well-formed: an action the problem's state allows, by a holder of a role it names."""
        problem_id = data.draw(st.sampled_from(self.ids), label="problem")
        state = self._state(problem_id)
        possible = [a for a in PROBLEM_ACTIONS if state in TRANSITIONS[a].sources] or list(PROBLEM_ACTIONS)
        action = data.draw(st.sampled_from(possible), label="action")
        role = data.draw(st.sampled_from(sorted(TRANSITIONS[action].roles)), label="role")
        handle = data.draw(st.sampled_from(ENTITLED[role]), label="handle")
        self._act(problem_id, action, handle, ActionInput(reason=reason, unit=unit, co_units=co_units,
                                                          difficulty=difficulty, extension_days=extension_days))

    @precondition(lambda self: bool(self.ids))
    @rule(
        data=st.data(),
        action=st.sampled_from(list(TRANSITIONS)),  # RAISE and meeting-only actions included: act() refuses them
        handle=st.sampled_from(HANDLES),
        reason=st.sampled_from(REASONS),
        unit=st.sampled_from(UNITS),
        co_units=st.sampled_from(CO_UNITS),
        difficulty=st.sampled_from([None, *Difficulty]),
        extension_days=st.sampled_from([None, -3, 0, 3, 10]),
        version_skew=st.sampled_from([None, 0, -1]),
    )
    def anyone_tries_anything(self, data: st.DataObject, action: Action, handle: str, reason: str | None,
                              unit: str | None, co_units: tuple[str, ...], difficulty: Difficulty | None,
                              extension_days: int | None, version_skew: int | None) -> None:
        problem_id = data.draw(st.sampled_from(self.ids), label="problem")
        expected = None if version_skew is None else self.versions[problem_id] + version_skew
        self._act(problem_id, action, handle, ActionInput(reason=reason, unit=unit, co_units=co_units,
                                                          difficulty=difficulty, extension_days=extension_days),
                  expected_version=expected)

    @rule(days=st.integers(min_value=0, max_value=6), hours=st.integers(min_value=0, max_value=23))
    def time_passes(self, days: int, hours: int) -> None:
        self.now += timedelta(days=days, hours=hours)

    @precondition(lambda self: not self.calendar_loaded)
    @rule(handle=st.sampled_from(["admin", "wang_mishu"]))
    def the_state_council_publishes_2027(self, handle: str) -> None:
        try:
            year = calendar.load_year(self.uow(), caller=self.caller(handle), year=2027, holidays=HOLIDAYS_2027,
                                      workdays=WORKDAYS_2027)
        except CoordError:
            assert handle != "admin"
            return
        self.calendar_loaded = True
        assert year.known

    # ---- invariants -------------------------------------------------------------------------

    @invariant()
    def replay_rebuilds_every_row(self) -> None:
        for problem_id in self.ids:
            replayed, stored = issue_reads.replayed(self.uow(), problem_id=problem_id)
            assert replayed == stored, problem_id

    @invariant()
    def versions_only_grow_and_match_the_event_count(self) -> None:
        with self.engine.connect() as conn:
            for problem_id in self.ids:
                version, provisional, state = conn.execute(
                    text("SELECT version, due_provisional, state FROM problem WHERE id = :id"), {"id": problem_id}
                ).one()
                events = conn.execute(text(
                    "SELECT count(*) FROM audit_event WHERE stream_type = 'problem' AND stream_id = :id"),
                    {"id": problem_id}).scalar_one()
                assert version >= self.versions[problem_id]
                assert events == version
                if self.calendar_loaded and State(state) not in (State.CLOSED, State.CLOSED_EXPLAINED,
                                                                  State.WITHDRAWN):
                    # No year ahead of 2027 is reachable here, so nothing open stays provisional.
                    assert not provisional, problem_id
                self.versions[problem_id] = version

    @invariant()
    def chains_hold(self) -> None:
        report = audit.verify_chains(self.uow())
        assert report.ok, report


def test_random_lives_keep_replay_versions_and_chains_consistent(
    district_factory: Callable[..., Any], tmp_path: Path
) -> None:
    template = district_factory(tmp_path / "template.sqlite3", START)
    template.engine.dispose()
    ProblemLives.template = template.path
    run_state_machine_as_test(
        ProblemLives,
        settings=settings(max_examples=35, stateful_step_count=30, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]),
    )
    assert template.path.exists()  # the template is copied, never written


def test_tampering_with_one_stored_event_breaks_its_chain_at_that_event(district: Any) -> None:
    problem_id = district.raise_problem()
    district.assign(problem_id)
    district.act(district.handler, problem_id, Action.ACKNOWLEDGE)
    district.act(district.handler, problem_id, Action.PROGRESS, reason="已完成用地预审")
    district.act(district.handler, problem_id, Action.RESOLVE, reason="用地批复已下达")
    assert audit.verify_chains(district.uow()).ok
    with district.engine.begin() as conn, unguarded(conn):  # as one holding the database could
        changed = conn.execute(
            text("UPDATE audit_event SET reason = :r WHERE stream_type = 'problem' AND stream_id = :id AND seq = 4"),
            {"r": "已完成用地预审并取得批复", "id": problem_id},
        ).rowcount
    assert changed == 1
    report = audit.verify_chains(district.uow())
    assert not report.ok
    assert (report.broken_stream, report.broken_seq) == (f"problem:{problem_id}", 4)
    assert report.why == "content does not match its hash"
    assert report.to_json()["broken"] == {"stream": f"problem:{problem_id}", "seq": 4,
                                          "why": "content does not match its hash"}


def test_tampering_with_a_payload_is_detected_too(district: Any) -> None:
    problem_id = district.raise_problem()
    district.assign(problem_id, difficulty=Difficulty.A)
    with district.engine.begin() as conn, unguarded(conn):  # as one holding the database could
        conn.execute(
            text("UPDATE audit_event SET payload = replace(payload, '\"difficulty\":\"A\"', '\"difficulty\":\"C\"') "
                 "WHERE stream_type = 'problem' AND stream_id = :id AND seq = 2"),
            {"id": problem_id},
        )
    assert '"difficulty":"C"' in district.events(problem_id)[1]["payload"]
    report = audit.verify_chains(district.uow())
    assert (report.ok, report.broken_stream, report.broken_seq) == (False, f"problem:{problem_id}", 2)


def test_deleting_an_event_breaks_the_sequence(district: Any) -> None:
    problem_id = district.raise_problem()
    district.assign(problem_id)
    district.act(district.handler, problem_id, Action.ACKNOWLEDGE)
    with district.engine.begin() as conn, unguarded(conn):  # as one holding the database could
        conn.execute(text("DELETE FROM audit_event WHERE stream_type = 'problem' AND stream_id = :id AND seq = 2"),
                     {"id": problem_id})
    report = audit.verify_chains(district.uow())
    assert (report.ok, report.broken_stream, report.broken_seq) == (False, f"problem:{problem_id}", 3)
    assert report.why == "expected seq 2"


def test_an_untouched_district_verifies_clean(district: Any) -> None:
    district.raise_problem()
    report = audit.verify_chains(district.uow())
    assert report.ok
    assert report.events == district.audit_count() > 0
