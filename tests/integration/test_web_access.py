"""Signing in to coord web through the services: passwords, sessions, the lock-out and the refusal log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from coordination.domain.errors import InvalidInput, NotPermitted
from coordination.services import access, directory
from coordination.uow import UnitOfWork

PASSWORD = "correct horse battery"
REQUEST = access.Request("POST", "/login", "127.0.0.1")


def factory(district: Any) -> Callable[[], UnitOfWork]:
    return lambda: district.uow()


def sign_in(district: Any, handle: str, password: str, minutes: float = 0) -> access.SignedIn:
    return access.sign_in(factory(district), handle=handle, password=password,
                          now=district.now + timedelta(minutes=minutes), request=REQUEST)


def test_a_password_is_stored_only_as_a_slow_salted_hash_and_its_setting_is_audited(district: Any) -> None:
    access.set_password(district.uow(), caller=district.caller(district.admin), handle=district.handler,
                        password=PASSWORD)
    access.set_password(district.uow(), caller=district.caller(district.leader), handle=district.leader,
                        password=PASSWORD)
    with district.engine.connect() as connection:
        hashes = [h for (h,) in connection.execute(
            text("SELECT password_hash FROM person WHERE handle IN (:a, :b)"),
            {"a": district.handler, "b": district.leader})]
        events = connection.execute(text(
            "SELECT payload FROM audit_event WHERE stream_type = 'person' AND action = 'password_set'")).all()
    assert len(hashes) == 2 and all(h.startswith("$argon2id$") for h in hashes)
    assert hashes[0] != hashes[1], "each hash has its own salt"
    assert len(events) == 2 and all(PASSWORD not in payload and "argon2" not in payload for (payload,) in events)


def test_only_admins_set_the_passwords_of_others_and_short_ones_are_refused(district: Any) -> None:
    with pytest.raises(NotPermitted):
        access.set_password(district.uow(), caller=district.caller(district.secretariat), handle=district.handler,
                            password=PASSWORD)
    with pytest.raises(InvalidInput, match="至少"):
        access.set_password(district.uow(), caller=district.caller(district.admin), handle=district.handler,
                            password="short")


def test_sign_in_opens_a_session_that_signing_out_and_deactivation_end(district: Any) -> None:
    access.set_password(district.uow(), caller=district.caller(district.admin), handle=district.handler,
                        password=PASSWORD)
    signed = sign_in(district, district.handler, PASSWORD)
    found = access.session_identity(district.uow(), key=signed.key, now=district.now)
    assert found is not None and found.handle == district.handler and found.csrf_token == signed.csrf_token
    assert access.session_identity(district.uow(), key=signed.key, now=signed.expires_at) is None, "it expires"
    access.sign_out(district.uow(), key_hash=found.key_hash, now=district.now)
    assert access.session_identity(district.uow(), key=signed.key, now=district.now) is None

    again = sign_in(district, district.handler, PASSWORD)
    directory.set_person_active(district.uow(), caller=district.caller(district.admin), handle=district.handler,
                                active=False)
    assert access.session_identity(district.uow(), key=again.key, now=district.now) is None
    with pytest.raises(NotPermitted, match="用户名或密码不正确"):
        sign_in(district, district.handler, PASSWORD)  # an inactive person cannot sign in


def test_five_failures_lock_the_account_for_fifteen_minutes(district: Any) -> None:
    access.set_password(district.uow(), caller=district.caller(district.admin), handle=district.handler,
                        password=PASSWORD)
    for minute in range(5):
        with pytest.raises(NotPermitted, match="用户名或密码不正确"):
            sign_in(district, district.handler, "wrong password!", minutes=minute)
    with pytest.raises(NotPermitted, match="锁定"):
        sign_in(district, district.handler, PASSWORD, minutes=5)
    with pytest.raises(NotPermitted, match="锁定"):
        sign_in(district, district.handler, PASSWORD, minutes=18.5)  # 15 minutes after the fifth failure
    assert sign_in(district, district.handler, PASSWORD, minutes=19.5).handle == district.handler
    kinds = [r.kind for r in access.list_refusals(district.uow(), caller=district.caller(district.admin))]
    assert kinds == ["locked", "locked", *["bad_password"] * 5]


def test_failures_before_a_successful_sign_in_do_not_count_towards_the_lock(district: Any) -> None:
    access.set_password(district.uow(), caller=district.caller(district.admin), handle=district.handler,
                        password=PASSWORD)
    for minute in range(4):
        with pytest.raises(NotPermitted):
            sign_in(district, district.handler, "wrong password!", minutes=minute)
    sign_in(district, district.handler, PASSWORD, minutes=4)
    with pytest.raises(NotPermitted, match="用户名或密码不正确"):
        sign_in(district, district.handler, "wrong password!", minutes=5)
    assert sign_in(district, district.handler, PASSWORD, minutes=6).handle == district.handler


def test_unknown_people_are_refused_with_the_same_words_and_logged(district: Any) -> None:
    with pytest.raises(NotPermitted, match="用户名或密码不正确"):
        sign_in(district, "nobody", PASSWORD)
    with pytest.raises(NotPermitted, match="用户名或密码不正确"):
        sign_in(district, district.specialist, PASSWORD)  # no password set yet
    log = access.list_refusals(district.uow(), caller=district.caller(district.admin), kind="bad_password")
    assert [r.handle for r in log] == [district.specialist, "nobody"]


def test_the_refusal_log_is_for_admins(district: Any) -> None:
    with pytest.raises(NotPermitted):
        access.list_refusals(district.uow(), caller=district.caller(district.secretariat))
    with pytest.raises(InvalidInput):
        access.list_refusals(district.uow(), caller=district.caller(district.admin), kind="nonsense")


def test_a_token_names_its_active_holder_only(district: Any) -> None:
    token = directory.create_token(district.uow(), caller=district.caller(district.admin), handle=district.leader)
    assert access.token_holder(district.uow(), token=token) == district.leader
    assert access.token_holder(district.uow(), token=token + "x") is None
    directory.set_person_active(district.uow(), caller=district.caller(district.admin), handle=district.leader,
                                active=False)
    assert access.token_holder(district.uow(), token=token) is None
