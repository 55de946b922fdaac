"""The web dashboard raises the outbox alarm for those who can act on it (admin, secretariat).

The app of `coord web` served by uvicorn on 127.0.0.1 from a thread of the test process (seconds
cheaper than a server process) over a copy of the test district, at the district's clock; the message
and the failed try against a closed port on 127.0.0.1 are made through the services. Only the three
people who sign in get a password.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
import lxml.html  # type: ignore[import-untyped]
import pytest
import uvicorn

from coordination.domain.notices import Notice
from coordination.services import access, outbox
from coordination.web.app import create_app
from tests.flows.robot import closed_port_url
from tests.web.conftest import PASSWORD_SUFFIX, free_port


@contextmanager
def serving(url: str) -> Iterator[str]:
    """coord web's app on a free port of 127.0.0.1 until the block ends; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(url), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "coord web did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def signed_in(base_url: str, handle: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=30, follow_redirects=False)
    form = client.get("/login")
    assert form.status_code == 200, form.text
    answer = client.post("/login", data={"handle": handle, "password": handle + PASSWORD_SUFFIX, "next": "/",
                                         "csrf_token": client.cookies.get("coord_login_csrf") or ""})
    assert answer.status_code == 303, answer.text
    return client


def test_the_dashboard_shows_the_outbox_alarm_to_the_secretariat_and_the_admin_only(
    district: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    d = district
    monkeypatch.setenv("COORD_NOW", d.now.isoformat())  # the server's clock: two hours after the message
    people = ((d.secretariat, "zh"), (d.admin, "en"), (d.handler, "zh"))
    for handle, _ in people:
        access.set_password(d.uow(), caller=d.caller(d.admin), handle=handle, password=handle + PASSWORD_SUFFIX)
    queued = d.now - timedelta(hours=2)
    outbox.add_webhook(d.uow(), caller=d.caller(d.admin), name="全区调度群", kind="dingtalk", url=closed_port_url())
    with d.uow() as uow:
        outbox.enqueue(uow.session, Notice(key="alarm:1", kind="reminder", title="督办通知", unit=None,
                                           body="问题 Q-2024-0001 已超期"),
                       caller=d.caller(d.system, queued, origin="test"))
        uow.commit()
    outbox.deliver(d.uow(), now=queued + timedelta(minutes=1))

    shown: dict[str, list[str]] = {}
    with serving(d.url) as base_url:
        for handle, lang in people:
            client = signed_in(base_url, handle)
            page = client.get("/dashboard", params={"lang": lang})
            client.close()
            assert page.status_code == 200, page.text
            shown[handle] = [" ".join(e.text_content().split())
                             for e in lxml.html.fromstring(page.text).xpath("//*[@id='outbox-alarm']")]

    [zh] = shown[d.secretariat]
    assert zh.startswith("通知积压告警：1 条通知待发超过 60 分钟") and "全区调度群" in zh and "ConnectError" in zh
    [en] = shown[d.admin]
    assert en.startswith("Outbox alarm: 1 messages pending for over 60 minutes") and "全区调度群" in en
    assert shown[d.handler] == []  # nothing a handler could do about it
