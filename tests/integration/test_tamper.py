"""Tampering with a district's tables behind coord's back: `coord audit verify` names each manipulation.

One district is built per back end with one item of every versioned kind, a closed meeting with its
decision, a project's plan and progress, an access token, a robot, a setting, a calendar override and
outbox messages (some delivered); each case edits a byte copy of it (a database copy on PostgreSQL)
with plain SQL — as someone holding the database would, dropping the audit table's append-only
triggers first where the case touches it — and expects the fault it names: the check, the table or
stream, the row's key. The untouched copy verifies clean. Manipulations only a signed anchor can catch
(a re-hashed stream, a forged event appended with its row updated to match) are the checkpoints' tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, text
from typer.testing import CliRunner

from coordination.cli.main import app
from coordination.db import make_engine
from coordination.delivery import Outcome
from coordination.domain.audit_faults import Check, Fault
from coordination.domain.enums import Action
from coordination.domain.investment import YearMonth
from coordination.domain.meetings import DecisionInput, MeetingKind
from coordination.domain.meetings import Outcome as Decided
from coordination.services import audit, calendar, directory, meetings, outbox, projects, settings
from coordination.uow import UnitOfWork
from tests.backends import Databases

LATER = timedelta(minutes=5)


@dataclass(frozen=True)
class Built:
    url: str
    keys: dict[str, str]


def drop_append_only_guards(connection: Connection) -> None:
    """What someone holding the database does first: the audit table's triggers go (migration 0010)."""
    if connection.dialect.name == "sqlite":
        names = connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                        "AND tbl_name = 'audit_event'")).scalars().all()
        for name in names:
            connection.execute(text(f'DROP TRIGGER IF EXISTS "{name}"'))
    else:
        connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))


def _populate(d: Any) -> dict[str, str]:
    """One item of every kind and every kind of fact, through the services."""
    keys: dict[str, str] = {}
    p1 = d.raise_problem()
    d.assign(p1)
    d.act(d.handler, p1, Action.ACKNOWLEDGE)
    p2 = d.raise_problem(title="110kV 专线接入方案未批复")
    d.assign(p2)
    d.act(d.handler, p2, Action.ACKNOWLEDGE)
    d.act(d.secretariat, p2, Action.ESCALATE, reason="提级至 L2")
    keys.update(problem=p1, escalated=p2)
    chair = d.caller(d.secretariat)
    meeting = meetings.plan_meeting(d.uow(), caller=chair, kind=MeetingKind.TASK_FORCE, held_on=date(2024, 6, 3),
                                    chair=d.secretariat)
    meetings.start_meeting(d.uow(), caller=chair, meeting_id=meeting.id)
    meetings.decide(d.uow(), caller=chair, meeting_id=meeting.id, problem_id=p2, decision=DecisionInput(
        Decided.ASSIGN, "由自然资源局牵头，6月底前完成用地报批", unit=d.solving_unit, co_units=(d.locality,),
        due=date(2024, 6, 28)))
    meetings.close_meeting(d.uow(), caller=chair, meeting_id=meeting.id)
    keys["meeting"] = meeting.id
    keys["plan"] = d.add_plan()
    keys["task"] = d.add_task(keys["plan"])
    keys["special_plan"] = d.add_special_plan()
    keys["filing"] = d.add_filing()
    keys["fund"] = d.add_fund()
    keys["disbursement"] = d.add_disbursement()
    keys["indicator"] = d.add_indicator()
    d.indicator_record(d.handler, keys["indicator"], "2024-05", "7.9")
    keys["upward_report"] = d.add_upward_report()
    secretariat = d.caller(d.secretariat)
    projects.update_project(d.uow(), caller=secretariat, code=d.project, wanted=projects.ProjectFields(),
                            plan_year=2024, annual_plan_yuan=120_000_000)
    projects.record_progress(d.uow(), caller=d.caller(d.specialist), code=d.project, month=YearMonth(2024, 5),
                             completed_yuan=8_000_000, note="厂房主体施工")
    admin = d.caller(d.admin)
    directory.create_token(d.uow(), caller=admin, handle=d.handler)
    outbox.add_webhook(d.uow(), caller=admin, name="全区调度群", kind="wecom",
                       url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=secret-key-123")
    settings.set_setting(d.uow(), caller=admin, key=projects.YELLOW_KEY, value="5")
    calendar.set_override(d.uow(), caller=admin, day=date(2024, 6, 7), is_workday=False, reason="区里统一调休")
    report = outbox.deliver(d.uow(), now=d.now + LATER, sender=lambda _e, _m: Outcome(ok=True), limit=2)
    keys["delivered"] = str(report.delivered[0])
    with d.engine.connect() as connection:
        keys["pending"] = str(connection.execute(text("SELECT min(id) FROM outbox WHERE status = 'pending'"))
                              .scalar_one())
    return keys


@pytest.fixture(scope="module")
def built(databases: Databases, district_factory: Callable[..., Any],
          tmp_path_factory: pytest.TempPathFactory) -> Built:
    url = databases.migrated(tmp_path_factory.mktemp(f"tamper-{databases.name}"))
    d = district_factory(url)
    keys = _populate(d)
    d.engine.dispose()
    return Built(url, keys)


@pytest.fixture
def copy(built: Built, databases: Databases, database_url: str) -> Iterator[Engine]:
    """A fresh copy of the built district for one case."""
    databases.copy(built.url, database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def tamper(engine: Engine, *statements: str, guards: bool = False) -> None:
    with engine.begin() as connection:
        if guards:
            drop_append_only_guards(connection)
        for statement in statements:
            connection.execute(text(statement))


def faults(engine: Engine) -> list[Fault]:
    return audit.verify(UnitOfWork(engine, write=False)).faults


def last_event(stream: str, key: str) -> str:
    return (f"DELETE FROM audit_event WHERE stream_type = '{stream}' AND stream_id = '{key}' AND seq = "
            f"(SELECT max(seq) FROM audit_event WHERE stream_type = '{stream}' AND stream_id = '{key}')")


# (case id, statements with {key} placeholders, whether the audit table is touched, check, table, key)
CASES: list[tuple[str, list[str], bool, Check, str, str]] = [
    # the manipulations `audit verify` used to miss
    ("problem-state", ["UPDATE problem SET state = 'closed' WHERE id = '{problem}'"], False,
     Check.DIFFERS, "problem", "{problem}"),
    ("problem-level", ["UPDATE problem SET level = 4 WHERE id = '{problem}'"], False,
     Check.DIFFERS, "problem", "{problem}"),
    ("problem-due-date", ["UPDATE problem SET due_date = '2024-12-31' WHERE id = '{problem}'"], False,
     Check.DIFFERS, "problem", "{problem}"),
    ("person-role-inserted", ["INSERT INTO person_role (handle, role) VALUES ('zhao_jingban', 'admin')"], False,
     Check.UNRECORDED, "person_role", "zhao_jingban/admin"),
    ("token-hash-nulled", ["UPDATE person SET token_hash = NULL WHERE handle = 'zhao_jingban'"], False,
     Check.DIFFERS, "person", "zhao_jingban"),
    ("token-hash-swapped", [f"UPDATE person SET token_hash = '{'ab' * 32}' WHERE handle = 'zhao_jingban'"], False,
     Check.DIFFERS, "person", "zhao_jingban"),
    ("decision-text", ["UPDATE decision SET text = '暂缓办理' WHERE meeting = '{meeting}'"], False,
     Check.DIFFERS, "decision", "{meeting}/{escalated}"),
    ("project-progress", ["UPDATE project_progress SET completed_yuan = 80000000"], False,
     Check.DIFFERS, "project_progress", "DQ-2024-007/2024-05"),
    ("outbox-status-delivered", ["UPDATE outbox SET status = 'delivered' WHERE id = {pending}"], False,
     Check.DIFFERS, "outbox", "{pending}"),
    ("outbox-status-requeued", ["UPDATE outbox SET status = 'pending' WHERE id = {delivered}"], False,
     Check.DIFFERS, "outbox", "{delivered}"),
    ("last-event-deleted", [last_event("problem", "{problem}")], True, Check.VERSION, "problem", "{problem}"),
    ("whole-stream-deleted", ["DELETE FROM audit_event WHERE stream_type = 'filing' AND stream_id = '{filing}'"],
     True, Check.UNRECORDED, "filing", "{filing}"),
    # a row edit of every other versioned kind
    ("task-row", ["UPDATE task SET due_date = '2030-01-01' WHERE id = '{task}'"], False,
     Check.DIFFERS, "task", "{task}"),
    ("special-plan-row", ["UPDATE special_plan SET name = '改名的专项规划' WHERE code = '{special_plan}'"], False,
     Check.DIFFERS, "special_plan", "{special_plan}"),
    ("filing-row", ["UPDATE filing SET state = 'completed' WHERE id = '{filing}'"], False,
     Check.DIFFERS, "filing", "{filing}"),
    ("fund-row", ["UPDATE fund SET granted_yuan = 999 WHERE code = '{fund}'"], False, Check.DIFFERS, "fund", "{fund}"),
    ("disbursement-row", ["UPDATE disbursement SET amount_yuan = 1 WHERE id = '{disbursement}'"], False,
     Check.DIFFERS, "disbursement", "{disbursement}"),
    ("indicator-row", ["UPDATE indicator SET target = '1' WHERE code = '{indicator}'"], False,
     Check.DIFFERS, "indicator", "{indicator}"),
    ("upward-report-row", ["UPDATE upward_report SET topic = '另一主题' WHERE id = '{upward_report}'"], False,
     Check.DIFFERS, "upward_report", "{upward_report}"),
    ("plan-row", ["UPDATE plan SET name = '另一规划' WHERE code = '{plan}'"], False, Check.DIFFERS, "plan", "{plan}"),
    ("meeting-row", ["UPDATE meeting SET chair = 'zhou_quzhang' WHERE id = '{meeting}'"], False,
     Check.DIFFERS, "meeting", "{meeting}"),
    ("version-bumped", ["UPDATE filing SET version = version + 1 WHERE id = '{filing}'"], False,
     Check.VERSION, "filing", "{filing}"),
    ("item-row-deleted", ["DELETE FROM disbursement WHERE id = '{disbursement}'"], False,
     Check.MISSING, "disbursement", "{disbursement}"),
    # the other facts
    ("unit-row", ["UPDATE unit SET name = '区规划局' WHERE code = 'ZRZY'"], False, Check.DIFFERS, "unit", "ZRZY"),
    ("person-row", ["UPDATE person SET active = false WHERE handle = 'zhao_jingban'"], False,
     Check.DIFFERS, "person", "zhao_jingban"),
    ("person-role-deleted", ["DELETE FROM person_role WHERE handle = 'wang_mishu'"], False,
     Check.MISSING, "person_role", "wang_mishu/secretariat"),
    ("roster-inserted", ["INSERT INTO roster_entry (project, part, ref) VALUES ('DQ-2024-007', 'helper', 'ZJJ')"],
     False, Check.UNRECORDED, "roster_entry", "DQ-2024-007/helper/ZJJ"),
    ("project-row", ["UPDATE project SET lead_unit = 'ZJJ' WHERE code = 'DQ-2024-007'"], False,
     Check.DIFFERS, "project", "DQ-2024-007"),
    ("project-plan", ["UPDATE project_plan SET planned_yuan = 1"], False,
     Check.DIFFERS, "project_plan", "DQ-2024-007/2024"),
    ("routing-rule", ["UPDATE routing_rule SET unit = 'FGJ' WHERE unit = 'ZRZY'"], False,
     Check.DIFFERS, "routing_rule", "用地"),
    ("setting-edited", ["UPDATE setting SET value = '50' WHERE key = 'projects.yellow_points'"], False,
     Check.DIFFERS, "setting", "projects.yellow_points"),
    ("setting-inserted", ["INSERT INTO setting (key, value) VALUES ('projects.red_points', '99')"], False,
     Check.UNRECORDED, "setting", "projects.red_points"),
    ("webhook-url", ["UPDATE webhook SET url = 'https://evil.example/hook?key=stolen'"], False,
     Check.DIFFERS, "webhook", "全区调度群"),
    ("calendar-override", ["UPDATE calendar_override SET is_workday = true"], False,
     Check.DIFFERS, "calendar_override", "2024-06-07"),
    ("indicator-value", ["UPDATE indicator_value SET value = '9.9'"], False,
     Check.DIFFERS, "indicator_value", "{indicator}/2024-05"),
    ("agenda-item-deleted", ["DELETE FROM agenda_item WHERE meeting = '{meeting}'"], False,
     Check.MISSING, "agenda_item", "{meeting}/{escalated}"),
]


def test_an_untouched_district_verifies_clean(copy: Engine) -> None:
    report = audit.verify(UnitOfWork(copy, write=False))
    assert report.ok, [f.to_json() for f in report.faults]
    assert report.chains.events > 40 and report.chains.ok, report.chains


def _batches() -> list[list[tuple[str, list[str], bool, Check, str, str]]]:
    """The cases in as few groups as can share one copy: no two of a group touch the same table, so each
    group's faults are one per table and each names its own case's row."""
    batches: list[list[tuple[str, list[str], bool, Check, str, str]]] = []
    for case in CASES:
        home = next((b for b in batches if all(other[4] != case[4] for other in b)), None)
        if home is None:
            batches.append(home := [])
        home.append(case)
    return batches


@pytest.mark.sqlite_only
@pytest.mark.parametrize(("statements", "guards", "check", "where", "key"),
                         [pytest.param(*case[1:], id=case[0]) for case in CASES])
def test_each_manipulation_is_named(copy: Engine, built: Built, statements: list[str], guards: bool, check: Check,
                                    where: str, key: str) -> None:
    tamper(copy, *(s.format(**built.keys) for s in statements), guards=guards)
    found = faults(copy)
    named = [(f.check, f.where, f.key) for f in found]
    assert (check, where, key.format(**built.keys)) in named, [f.to_json() for f in found]
    assert not any(f.check is Check.CHAIN for f in found), "no case breaks a hash chain"


@pytest.mark.parametrize("batch", [pytest.param(b, id="+".join(c[0] for c in b)) for b in _batches()])
def test_the_manipulations_are_named_on_each_back_end(copy: Engine, built: Built,
                                                      batch: list[tuple[str, list[str], bool, Check, str, str]]
                                                      ) -> None:
    """The same cases, a group to a copy (a PostgreSQL copy is a CREATE DATABASE: seconds, not milliseconds)."""
    tamper(copy, *(s.format(**built.keys) for case in batch for s in case[1]), guards=any(c[2] for c in batch))
    named = {(f.check, f.where, f.key) for f in faults(copy)}
    missed = [case[0] for case in batch if (case[3], case[4], case[5].format(**built.keys)) not in named]
    assert missed == [], named


def test_every_fault_kind_gets_one_line_naming_its_first_row_and_counting_the_rest(copy: Engine,
                                                                                   built: Built) -> None:
    k = built.keys
    tamper(copy, f"UPDATE problem SET level = 3 WHERE id IN ('{k['problem']}', '{k['escalated']}')",
           "UPDATE outbox SET status = 'expired' WHERE status = 'pending'",
           f"UPDATE audit_event SET reason = 'x' WHERE stream_type = 'task' AND stream_id = '{k['task']}'",
           guards=True)
    found = {(f.check, f.where): f for f in faults(copy)}
    assert set(found) == {(Check.DIFFERS, "problem"), (Check.DIFFERS, "outbox"), (Check.CHAIN, "task")}
    first = sorted([k["problem"], k["escalated"]])[0]
    assert (found[Check.DIFFERS, "problem"].key, found[Check.DIFFERS, "problem"].count) == (first, 2)
    assert "level: 3 ≠ " in found[Check.DIFFERS, "problem"].what
    assert found[Check.CHAIN, "task"].what == "event 1: content does not match its hash"


@pytest.fixture
def run(copy: Engine, tmp_path: Path) -> Callable[..., Any]:
    url = copy.url.render_as_string(hide_password=False)
    env = {"COORD_DATABASE_URL": url, "COORD_HOME": str(tmp_path / "home"), "COORD_USER": "", "COORD_LANG": "",
           "COORD_NOW": "2024-06-03T10:30:00+08:00", "COLUMNS": "200"}
    return lambda *args: CliRunner().invoke(app, list(args), env=env)


def test_the_command_prints_the_summary_when_all_is_well_and_one_line_per_kind_otherwise(
        run: Callable[..., Any], copy: Engine, built: Built) -> None:
    clean = run("audit", "verify")
    assert clean.exit_code == 0, clean.output
    assert "审计链完整" in clean.output and "✘" not in clean.output
    k = built.keys
    tamper(copy, f"UPDATE problem SET state = 'closed' WHERE id = '{k['problem']}'",
           "INSERT INTO person_role (handle, role) VALUES ('zhao_jingban', 'admin')")
    broken = run("--lang", "en", "audit", "verify")
    assert broken.exit_code == 1, broken.output  # the code verify has always used for a broken chain
    lines = [line for line in broken.output.splitlines() if line.startswith("✘")]
    assert lines == [
        "✘ row that no audit event recorded: person_role zhao_jingban/admin: no event records this row",
        f"✘ row differs from the replay of its events: problem {k['problem']}: state: 'closed' ≠ 'in_progress' "
        "(stored ≠ replay)"]
    data = run("audit", "verify", "--json")
    assert data.exit_code == 1
    shown = json.loads(data.stdout)
    assert shown["ok"] is False and shown["broken"] is None
    assert [(f["check"], f["where"], f["key"], f["count"]) for f in shown["faults"]] == [
        ("unrecorded", "person_role", "zhao_jingban/admin", 1), ("differs", "problem", k["problem"], 1)]
