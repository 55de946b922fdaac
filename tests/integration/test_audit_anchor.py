"""The audit trail is append-only at the database and anchored by signed checkpoints (issue 14, part A1).

On both back ends: the application's connection cannot UPDATE or DELETE audit rows; the daily sweep
and `coord audit checkpoint` write chained checkpoints signed with a key kept outside the database;
`coord audit verify` passes on an untouched district and names each manipulation of someone holding
the database (tests/attacker.py lifts the guard as they could); the latest checkpoint's fingerprint
is printed in reports (Markdown, Word, the terminal, JSON) and in the sweep's robot messages.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel
from typer.testing import CliRunner, Result

from coordination.cli.main import app
from coordination.config import DISTRICT_TZ
from coordination.domain.audit import GENESIS, event_hash
from coordination.domain.enums import Action, Difficulty
from coordination.domain.periods import Cadence, parse_period
from coordination.services import publishing, sweep
from coordination.services.common import SYSTEM_HANDLE, Caller
from coordination.services.writer import hashed_fields
from tests.attacker import unguarded

EVENT = SQLModel.metadata.tables["audit_event"]
NOW = "2024-06-17T09:00:00+08:00"


def at(day: int, hour: int = 10) -> datetime:
    return datetime.combine(date(2024, 6, day), time(hour), tzinfo=DISTRICT_TZ).astimezone(UTC)


def coord(d: Any, tmp_path: Path, *args: str, as_: str | None = None, lang: str = "en",
          env: dict[str, str | None] | None = None) -> Result:
    base: dict[str, str | None] = {"COORD_DATABASE_URL": d.url, "COORD_HOME": str(tmp_path / "home"),
                                   "COORD_NOW": NOW, "COORD_USER": "", "COORD_LANG": lang, "COLUMNS": "200"}
    return CliRunner().invoke(app, [*args, *(("--as", as_) if as_ else ())], env={**base, **(env or {})})


def verify(d: Any, tmp_path: Path, **env: str | None) -> tuple[int, dict[str, Any]]:
    result = coord(d, tmp_path, "audit", "verify", "--json", env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def kinds(data: dict[str, Any]) -> list[str]:
    return [fault["kind"] for fault in data["checkpoints"]["faults"]]


def history(d: Any) -> dict[str, Any]:
    """A resolved problem, one gone red, and the morning sweep of 14 June that anchors them."""
    solved = d.raise_problem(title="二期用地指标未落实", now=at(3))
    d.assign(solved, difficulty=Difficulty.C, now=at(3, 11))
    d.act(d.handler, solved, Action.ACKNOWLEDGE, now=at(4))
    d.act(d.handler, solved, Action.PROGRESS, reason="已与市局对接", now=at(4, 15))
    d.act(d.handler, solved, Action.RESOLVE, reason="指标已下达", now=at(5))
    late = d.raise_problem(title="施工许可证办理材料反复退回", category="施工许可", now=at(5))
    d.assign(late, difficulty=Difficulty.C, now=at(5, 11))
    swept = sweep.sweep(d.uow(), caller=Caller(SYSTEM_HANDLE, at(14, 7), "flow-run:test", scheduled=True))
    assert swept.checkpoint is not None and swept.checkpoint["number"] == 1, swept.checkpoint
    return {"solved": solved, "late": late, "checkpoint": swept.checkpoint}


def refused(connection: Any, sql: str) -> str:
    with pytest.raises(DBAPIError) as caught, connection.begin():
        connection.execute(text(sql))
    return str(caught.value.orig)


# ---- append-only at the database ---------------------------------------------------------------


def test_the_applications_connection_can_neither_update_nor_delete_audit_rows(district: Any) -> None:
    history(district)
    before = district.audit_count()
    with district.engine.connect() as connection:
        for table in ("audit_event", "audit_checkpoint"):
            assert "append-only" in refused(connection, f"UPDATE {table} SET actor = 'mallory'")
            assert "append-only" in refused(connection, f"DELETE FROM {table}")
        if district.backend == "postgresql":
            assert "append-only" in refused(connection, "TRUNCATE audit_event")
        assert connection.execute(text("SELECT count(*) FROM audit_event WHERE actor = 'mallory'")).scalar() == 0
    assert district.audit_count() == before


@pytest.mark.postgresql_only
def test_on_postgresql_the_app_role_may_only_insert_and_select_audit_rows(district: Any, tmp_path: Path) -> None:
    from sqlalchemy.engine import make_url

    from coordination.db import make_engine
    from coordination.services import checkpoints, issues
    from coordination.services.checkpoint_guard import grant_app_role
    from coordination.uow import UnitOfWork
    from tests.backends import postgres_admin_url

    role = f"coord_app_{os.getpid()}_{tmp_path.name[-6:].lower()}".replace("-", "_")
    admin = make_engine(str(postgres_admin_url()))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    app_engine = make_engine(make_url(district.url).set(username=role).render_as_string(hide_password=False))
    try:
        with district.engine.begin() as owner:
            assert grant_app_role(owner, role)
        # coord works as the app role: a problem raised, a sweep with its checkpoint.
        raised = issues.raise_problem(UnitOfWork(app_engine), caller=district.caller(district.specialist, at(3)),
                                      project=district.project, title="电力接入方案待批复", category="配套")
        swept = sweep.sweep(UnitOfWork(app_engine), caller=Caller(SYSTEM_HANDLE, at(14, 7), "test", scheduled=True))
        assert raised.id and swept.checkpoint and swept.checkpoint["number"] == 1
        with district.engine.begin() as owner:  # even without the trigger the grants refuse it
            owner.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
        with app_engine.connect() as connection:
            for sql in ("UPDATE audit_event SET actor = 'mallory'", "DELETE FROM audit_event",
                        "TRUNCATE audit_event", "DELETE FROM audit_checkpoint"):
                assert "permission denied" in refused(connection, sql)
        report = checkpoints.check(UnitOfWork(app_engine, write=False))
        assert [f.kind for f in report.faults] == ["trigger_altered"]
        assert "owner_role" not in [n.kind for n in report.notes]  # the app role is not the owner
        with district.engine.begin() as owner:
            owner.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only"))
            owner.execute(text(f'GRANT DELETE ON audit_event TO "{role}"'))
        faults = checkpoints.verify_checkpoints(UnitOfWork(app_engine, write=False))
        assert [(f.kind, f.detail["grantee"], f.detail["privilege"]) for f in faults] == [("grant", role, "DELETE")]
    finally:
        app_engine.dispose()
        with district.engine.begin() as owner:
            owner.execute(text(f'DROP OWNED BY "{role}"'))
        with admin.begin() as connection:
            connection.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


# ---- checkpoints -------------------------------------------------------------------------------


def test_the_sweep_and_the_command_write_chained_checkpoints_and_verify_passes(district: Any, tmp_path: Path) -> None:
    made = history(district)
    fingerprint = made["checkpoint"]["fingerprint"]
    sweep_messages = [m for m in district.outbox() if m["key"].startswith("sweep:")]
    assert sweep_messages and all(f"审计检验码 {fingerprint}（检查点 #1，2024-06-14 07:00）" in m["body"]
                                  for m in sweep_messages)

    assert coord(district, tmp_path, "audit", "checkpoint", as_=district.secretariat).exit_code == 4
    written = coord(district, tmp_path, "audit", "checkpoint", "--json", as_=district.admin)
    assert written.exit_code == 0, written.output
    second = json.loads(written.stdout)
    assert second["number"] == 2 and second["events"] == district.audit_count()

    with district.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM audit_checkpoint ORDER BY id")).mappings().all()
    assert [r["id"] for r in rows] == [1, 2] and rows[1]["previous_mac"] == rows[0]["mac"]
    key = os.environ["COORD_AUDIT_KEY"]
    assert all(key not in str(value) for row in rows for value in row.values())

    code, data = verify(district, tmp_path)
    assert code == 0 and data["ok"] and kinds(data) == [], data
    anchors = data["checkpoints"]
    assert (anchors["checkpoints"], anchors["anchored_by"], anchors["unanchored_events"]) == (2, 2, 0)
    assert anchors["latest"]["fingerprint"] == second["fingerprint"]
    shown = coord(district, tmp_path, "audit", "verify")
    assert shown.exit_code == 0 and second["fingerprint"] in shown.stdout and key not in shown.output


def test_the_key_file_is_made_0600_on_first_need_and_a_missing_or_other_key_is_named(
        district: Any, tmp_path: Path) -> None:
    no_env: dict[str, str | None] = {"COORD_AUDIT_KEY": None}
    code, data = verify(district, tmp_path, **no_env)  # nothing to check yet, and a read makes no key
    assert code == 0 and "no_checkpoint" in [note["kind"] for note in data["checkpoints"]["notes"]]
    key_file = tmp_path / "home" / "audit.key"
    assert not key_file.exists()

    written = coord(district, tmp_path, "audit", "checkpoint", as_=district.admin, env=no_env)
    assert written.exit_code == 0, written.output
    assert key_file.stat().st_mode & 0o777 == 0o600
    key_hex = key_file.read_text().strip()
    assert len(bytes.fromhex(key_hex)) == 32 and key_hex not in written.output
    assert verify(district, tmp_path, **no_env)[0] == 0

    elsewhere = {"COORD_AUDIT_KEY": None, "COORD_HOME": str(tmp_path / "another-machine")}
    code, data = verify(district, tmp_path, **elsewhere)
    assert code == 1 and kinds(data) == ["key_missing"]
    again = coord(district, tmp_path, "audit", "checkpoint", as_=district.admin, env=elsewhere)
    assert again.exit_code == 2 and "no audit key here" in again.output and "Traceback" not in again.output
    assert not (tmp_path / "another-machine" / "audit.key").exists()  # never a second key for the district

    other = {"COORD_AUDIT_KEY": "some-other-districts-key-0123456789abcdef"}
    code, data = verify(district, tmp_path, **other)
    assert code == 1 and kinds(data) == ["checkpoint_other_key"]
    assert coord(district, tmp_path, "audit", "checkpoint", as_=district.admin, env=other).exit_code == 2


# ---- manipulations by someone holding the database ------------------------------------------------


def rehash_from(connection: Any, stream_type: str, stream_id: str) -> None:
    """Recompute a stream's chain from its first event, as a careful forger would."""
    prev_hash = GENESIS
    rows = connection.execute(select(EVENT).where(EVENT.c.stream_type == stream_type, EVENT.c.stream_id == stream_id)
                              .order_by(EVENT.c.seq)).all()
    for row in rows:
        new_hash = event_hash(prev_hash, hashed_fields(row))
        connection.execute(text("UPDATE audit_event SET prev_hash = :p, hash = :h WHERE id = :id"),
                           {"p": prev_hash, "h": new_hash, "id": row.id})
        prev_hash = new_hash


def forged_event(connection: Any, problem_id: str, when: datetime, actor: str) -> None:
    """Append a 'verify' event chained to the problem's head and close its row to match (INSERT and a
    row UPDATE: what the application's own rights allow)."""
    head = connection.execute(select(EVENT).where(EVENT.c.stream_type == "problem", EVENT.c.stream_id == problem_id)
                              .order_by(EVENT.c.seq.desc()).limit(1)).one()
    seq = head.seq + 1
    fields = {"stream_type": "problem", "stream_id": problem_id, "seq": seq, "action": "verify",
              "from_state": "resolution_submitted", "to_state": "closed", "actor": actor,
              "at": when.isoformat(), "origin": "cli", "reason": None,
              "payload": json.dumps({"changes": {"state": "closed", "version": seq}}, separators=(",", ":")),
              "level": head.level, "lead_unit": head.lead_unit,
              "due_date": head.due_date.isoformat() if head.due_date else None, "on_time": True}
    connection.execute(EVENT.insert().values(
        {**fields, "at": when, "due_date": head.due_date, "prev_hash": head.hash,
         "hash": event_hash(head.hash, fields)}))
    connection.execute(text("UPDATE problem SET state = 'closed', version = :v WHERE id = :id"),
                       {"v": seq, "id": problem_id})


def test_deleting_a_streams_last_event_is_named(district: Any, tmp_path: Path) -> None:
    made = history(district)
    with district.engine.begin() as connection, unguarded(connection):
        connection.execute(text("DELETE FROM audit_event WHERE id = (SELECT max(id) FROM audit_event "
                                "WHERE stream_type = 'problem' AND stream_id = :id)"), {"id": made["solved"]})
    code, data = verify(district, tmp_path)
    assert code == 1 and "events_deleted" in kinds(data), data
    [fault] = [f for f in data["checkpoints"]["faults"] if f["kind"] == "events_deleted"]
    assert fault["stream_type"] == "problem" and fault["then"]["events"] - fault["now"]["events"] == 1


def test_the_next_sweep_refuses_to_sign_over_a_changed_history_and_says_so_in_chat(
        district: Any, tmp_path: Path) -> None:
    made = history(district)
    with district.engine.begin() as connection, unguarded(connection):  # the last event gone, the row to match
        connection.execute(text("DELETE FROM audit_event WHERE id = (SELECT max(id) FROM audit_event "
                                "WHERE stream_type = 'problem' AND stream_id = :id)"), {"id": made["late"]})
        connection.execute(text("UPDATE problem SET version = version - 1 WHERE id = :id"), {"id": made["late"]})
    swept = sweep.sweep(district.uow(), caller=Caller(SYSTEM_HANDLE, at(17, 7), "flow-run:test", scheduled=True))
    assert swept.checkpoint is not None and "skipped" in swept.checkpoint, swept.checkpoint
    assert "no longer match the last checkpoint" in swept.checkpoint["skipped"]["message_en"]
    alarms = [m for m in district.outbox() if m["key"].startswith("sweep:2024-06-17:")]
    assert "audit" in [m["kind"] for m in alarms] and all("审计告警：本次巡查未签署审计检查点" in m["body"]
                                                          for m in alarms)
    refused = coord(district, tmp_path, "audit", "checkpoint", as_=district.admin)
    assert refused.exit_code == 5 and "no new checkpoint was signed" in refused.output
    code, data = verify(district, tmp_path)
    assert code == 1 and "events_deleted" in kinds(data) and data["checkpoints"]["checkpoints"] == 1


def test_deleting_a_whole_stream_with_its_row_is_named(district: Any, tmp_path: Path) -> None:
    made = history(district)
    with district.engine.begin() as connection, unguarded(connection):
        connection.execute(text("DELETE FROM audit_event WHERE stream_type = 'problem' AND stream_id = :id"),
                           {"id": made["late"]})
        connection.execute(text("DELETE FROM outbox WHERE problem_id = :id"), {"id": made["late"]})
        connection.execute(text("DELETE FROM problem WHERE id = :id"), {"id": made["late"]})
    code, data = verify(district, tmp_path)
    assert code == 1 and "stream_deleted" in kinds(data), data


def test_an_edited_stream_rehashed_consistently_keeps_its_chain_but_not_its_anchor(
        district: Any, tmp_path: Path) -> None:
    made = history(district)
    with district.engine.begin() as connection, unguarded(connection):
        connection.execute(text("UPDATE audit_event SET reason = '指标已于5月下达' WHERE stream_type = 'problem' "
                                "AND stream_id = :id AND action = 'resolve'"), {"id": made["solved"]})
        rehash_from(connection, "problem", made["solved"])
    code, data = verify(district, tmp_path)
    assert data["broken"] is None, "the chain itself is consistent again"
    assert code == 1 and kinds(data) == ["heads_rewritten"], data


def test_a_forged_event_dated_before_the_checkpoint_is_named(district: Any, tmp_path: Path) -> None:
    made = history(district)
    with district.engine.begin() as connection:  # no guard to lift: an INSERT and a row UPDATE
        forged_event(connection, made["solved"], at(13, 16), district.secretariat)
    code, data = verify(district, tmp_path)
    assert data["broken"] is None
    assert code == 1 and kinds(data) == ["backdated_event"], data
    assert data["checkpoints"]["faults"][0]["stream"] == f"problem:{made['solved']}"
    # The next checkpoint does not launder it: it leaves the event out, and verify keeps naming it.
    assert coord(district, tmp_path, "audit", "checkpoint", as_=district.admin).exit_code == 0
    code, data = verify(district, tmp_path)
    assert code == 1 and kinds(data) == ["backdated_event"] and data["checkpoints"]["anchored_by"] == 2, data


def test_a_forged_event_dated_after_the_checkpoint_is_reported_as_not_yet_anchored(
        district: Any, tmp_path: Path) -> None:
    made = history(district)
    with district.engine.begin() as connection:
        forged_event(connection, made["solved"], at(14, 9), district.secretariat)
    _code, data = verify(district, tmp_path)
    anchors = data["checkpoints"]
    assert anchors["faults"] == [] and anchors["unanchored_events"] == 1
    assert "1 event(s) after the last checkpoint" in anchors["notes"][-1]["message_en"]


def test_a_checkpoint_forged_without_the_key_is_named(district: Any, tmp_path: Path) -> None:
    history(district)
    with district.engine.begin() as connection:  # an INSERT, as the application's role may
        first = connection.execute(text("SELECT * FROM audit_checkpoint WHERE id = 1")).mappings().one()
        guess = hmac.new(b"not the district key", b"anything", hashlib.sha256).hexdigest()
        connection.execute(text(
            "INSERT INTO audit_checkpoint (id, at, actor, origin, last_event_id, gaps, events, streams, stream_types,"
            " heads_digest, key_id, previous_mac, mac) SELECT 2, at, 'system', 'cli', last_event_id, gaps, events,"
            " streams, stream_types, heads_digest, key_id, mac, :mac FROM audit_checkpoint WHERE id = 1"),
            {"mac": guess})
    code, data = verify(district, tmp_path)
    assert code == 1 and kinds(data) == ["checkpoint_forged"] and data["checkpoints"]["anchored_by"] == 1, data
    assert first["mac"] != guess


def test_a_checkpoint_deleted_between_two_others_breaks_their_chain(district: Any, tmp_path: Path) -> None:
    history(district)
    for _ in range(2):
        assert coord(district, tmp_path, "audit", "checkpoint", as_=district.admin).exit_code == 0
    with district.engine.begin() as connection, unguarded(connection):
        connection.execute(text("DELETE FROM audit_checkpoint WHERE id = 2"))
    code, data = verify(district, tmp_path)
    assert code == 1 and kinds(data) == ["checkpoint_chain"], data


def test_a_removed_or_disabled_trigger_is_named(district: Any, tmp_path: Path) -> None:
    history(district)
    with district.engine.begin() as connection:
        if district.backend == "postgresql":
            connection.execute(text("DROP TRIGGER audit_event_append_only ON audit_event"))
            connection.execute(text("ALTER TABLE audit_checkpoint DISABLE TRIGGER audit_checkpoint_no_truncate"))
        else:
            connection.execute(text("DROP TRIGGER audit_event_no_delete"))
    code, data = verify(district, tmp_path)
    expected = ["trigger_missing", "trigger_altered"] if district.backend == "postgresql" else ["trigger_missing"]
    assert code == 1 and kinds(data) == expected, data
    assert all(f["table"] for f in data["checkpoints"]["faults"])


# ---- the fingerprint on paper and in chat ---------------------------------------------------------


def test_the_latest_fingerprint_is_printed_in_every_report_format(district: Any, tmp_path: Path) -> None:
    week = ("report", "weekly", "--week", "2024-W24")
    bare = json.loads(coord(district, tmp_path, *week, "--json", as_=district.secretariat).stdout)
    assert bare["checkpoint"] is None
    assert "审计检验码" not in coord(district, tmp_path, *week, "--format", "md", as_=district.secretariat,
                                 lang="zh").stdout

    fingerprint = history(district)["checkpoint"]["fingerprint"]
    data = json.loads(coord(district, tmp_path, *week, "--json", as_=district.secretariat).stdout)
    assert data["checkpoint"] == {"number": 1, "at": at(14, 7).isoformat(), "fingerprint": fingerprint}
    line = f"审计检验码 {fingerprint}（检查点 #1，2024-06-14 07:00）"
    markdown = coord(district, tmp_path, *week, "--format", "md", as_=district.secretariat, lang="zh")
    assert markdown.exit_code == 0 and markdown.stdout.rstrip().endswith(line), markdown.stdout[-300:]
    terminal = coord(district, tmp_path, *week, as_=district.secretariat, lang="zh")
    assert line in terminal.stdout
    english = coord(district, tmp_path, *week, "--format", "md", as_=district.secretariat)
    assert f"Audit fingerprint {fingerprint} (checkpoint #1, 2024-06-14 07:00)" in english.stdout
    out = tmp_path / "weekly.docx"
    assert coord(district, tmp_path, *week, "--format", "docx", "--out", str(out), as_=district.secretariat,
                 lang="zh").exit_code == 0
    assert line in [p.text for p in Document(str(out)).paragraphs][-1]

    published = publishing.publish(district.uow(), caller=district.caller(district.secretariat, at(17, 9)),
                                   cadence=Cadence.WEEKLY, period=parse_period(Cadence.WEEKLY, "2024-W24"),
                                   folder=tmp_path / "reports")
    assert published.markdown.rstrip().endswith(line)
    [notice] = [m for m in district.outbox() if m["kind"] == "report"]
    assert f"\n\n{line}\n\n" in notice["body"]  # the weekly report's robot message carries it too
