"""What the replay needs and how it reads older history: every status change of an outbox message is an
event of its stream; a database upgraded from before those events keeps its messages' statuses as a
baseline (migration 0011); a token issued before its events carried a fingerprint is checked for its
presence only."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import text

from coordination.config import DISTRICT_TZ
from coordination.db import make_engine, upgrade
from coordination.delivery import Outcome
from coordination.domain.audit_faults import Check
from coordination.domain.notices import Notice
from coordination.models import Person
from coordination.services import audit, outbox
from coordination.services.writer import append_event
from coordination.uow import UnitOfWork


def local(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=DISTRICT_TZ).astimezone(UTC)


def faults(engine: Any) -> list[tuple[Check, str, str]]:
    return [(f.check, f.where, f.key) for f in audit.verify(UnitOfWork(engine, write=False)).faults]


def status_events(d: Any) -> list[tuple[str, str | None, str | None, str]]:
    with d.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(
            "SELECT stream_id, from_state, to_state, actor FROM audit_event WHERE stream_type = 'outbox' "
            "ORDER BY id"))]


def test_every_status_change_of_a_message_is_an_event_and_an_edited_status_differs(district: Any) -> None:
    with district.uow() as uow:
        for n, day in ((1, date(2024, 6, 12)), (2, date(2024, 6, 12)), (3, date(2024, 5, 20))):
            outbox.enqueue(uow.session, Notice(key=f"test:{n}", kind="reminder", title=f"督办通知 {n}",
                                               body="问题已超期，请即办理。"),
                           caller=district.caller(district.system, local(day), origin="test"))
        uow.commit()
        ids = dict(uow.session.connection().execute(text("SELECT key, id FROM outbox")).all())
    outbox.add_webhook(district.uow(), caller=district.caller(district.admin), name="全区调度群", kind="wecom",
                       url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc")

    def answer(_endpoint: Any, message: Any) -> Outcome:
        return Outcome(ok=True) if message.title.endswith("1") else Outcome(ok=False, error="关键词不匹配")

    report = outbox.deliver(district.uow(), now=local(date(2024, 6, 12), 10), sender=answer, max_attempts=1)
    assert (report.expired, report.delivered, report.failed) == (1, [ids["test:1"]], [ids["test:2"]])
    assert outbox.retry_failed(district.uow(), caller=district.caller(district.secretariat)) == 1
    first, second, old = (str(ids[f"test:{n}"]) for n in (1, 2, 3))
    assert sorted(status_events(district)) == sorted([
        (old, "pending", "expired", "system"), (first, "pending", "delivered", "system"),
        (second, "pending", "failed", "system"), (second, "failed", "pending", district.secretariat)])
    assert faults(district.engine) == []

    with district.engine.begin() as connection:
        connection.execute(text("UPDATE outbox SET status = 'delivered' WHERE id = :i"), {"i": ids["test:2"]})
    assert faults(district.engine) == [(Check.DIFFERS, "outbox", second)]


def test_an_upgraded_database_keeps_the_statuses_its_messages_had_as_a_baseline(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    try:
        upgrade(engine, "0010")  # the schema an older coord wrote its messages in, without status events
        with engine.begin() as connection:
            for n, status in enumerate(("delivered", "delivered", "pending", "expired", "failed", "delivered"),
                                       start=1):
                connection.execute(text(
                    "INSERT INTO outbox (id, key, kind, title, body, mentions, mobiles, created_at, origin, status, "
                    "attempts) VALUES (:n, :k, 'reminder', '督办', '正文', '[]', '[]', :at, 'sweep', :s, 1)"),
                    {"n": n, "k": f"old:{n}", "at": datetime(2024, 6, 1, 1, tzinfo=UTC), "s": status})
        upgrade(engine)
        upgrade(engine)  # once only
        with engine.connect() as connection:
            baseline = connection.execute(text("SELECT payload FROM audit_event WHERE stream_type = 'outbox'"))
            assert baseline.scalars().all() == [
                '{"changes":{"statuses":{"delivered":[[1,2],[6,6]],"expired":[[4,4]],"failed":[[5,5]]}}}']
        assert faults(engine) == []

        with engine.begin() as connection:
            connection.execute(text("UPDATE outbox SET status = 'pending' WHERE id IN (1, 4)"))
            connection.execute(text("UPDATE outbox SET status = 'delivered' WHERE id = 3"))
        found = audit.verify(UnitOfWork(engine, write=False)).faults
        assert [(f.check, f.where, f.key, f.count) for f in found] == [(Check.DIFFERS, "outbox", "1", 3)]
    finally:
        engine.dispose()


def test_a_token_issued_before_fingerprints_is_checked_for_its_presence(district: Any) -> None:
    with district.uow() as uow:  # as an older coord issued it: the event says "issued", nothing of the hash
        person = uow.session.get(Person, district.handler)
        assert person is not None
        person.token_hash = "c" * 64
        uow.session.add(person)
        append_event(uow.session, stream_type="person", stream_id=district.handler, action="token_create",
                     caller=district.caller(district.admin), changes={"token": "issued"})
        uow.commit()
    assert faults(district.engine) == []
    with district.engine.begin() as connection:
        connection.execute(text("UPDATE person SET token_hash = NULL WHERE handle = :h"), {"h": district.handler})
    assert faults(district.engine) == [(Check.DIFFERS, "person", district.handler)]
