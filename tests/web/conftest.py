"""A real coord web server on 127.0.0.1 over a real database (SQLite or PostgreSQL), one per test module.

`web` builds the test district (tests/conftest.py) with a password and a personal access token for
every person, starts `coord web` in its own process with the district's clock (COORD_NOW), and waits
until it answers. Tests talk to it over HTTP with httpx (`web.api(handle)`, `web.browser()`), and
prepare data in process through the district's services (`web.district`), never through mocks.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from coordination.domain.enums import Role
from coordination.services import access, directory
from tests.backends import Databases

PASSWORD_SUFFIX = "-pass-2024"  # each person's password is their handle plus this
STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start_server(url: str, *, now: str, log: Path, workers: int = 1, extra_env: dict[str, str] | None = None
                 ) -> Server:
    """`coord web` in a subprocess on a free port; returns once /login answers (or fails with its log)."""
    port = free_port()
    env = {**os.environ, "COORD_NOW": now, "COORD_HOME": str(log.parent), **(extra_env or {})}
    env.pop("COORD_USER", None)
    stream = log.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-c", "from coordination.cli.main import run; run()", "--db", url, "web",
         "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        stdout=stream, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"coord web exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                return Server(process, base, log)
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"coord web did not answer within {STARTUP_SECONDS} s:\n{log.read_text(errors='replace')}")


@dataclass
class WebDistrict:
    """The test district served over HTTP: its people's tokens and passwords, and clients for them."""

    district: object  # tests.conftest.District (reached through fixtures, never imported)
    base_url: str
    tokens: dict[str, str]
    passwords: dict[str, str]
    clients: list[httpx.Client] = field(default_factory=list)

    def api(self, handle: str | None) -> httpx.Client:
        """A keep-alive client that sends `handle`'s token (None: no Authorization header)."""
        headers = {"Authorization": f"Bearer {self.tokens[handle]}"} if handle else {}
        client = httpx.Client(base_url=self.base_url, headers=headers, timeout=30)
        self.clients.append(client)
        return client

    def browser(self) -> httpx.Client:
        """A cookie-keeping client that does not follow redirects (tests look at them)."""
        client = httpx.Client(base_url=self.base_url, timeout=30, follow_redirects=False)
        self.clients.append(client)
        return client

    def sign_in(self, handle: str, password: str | None = None) -> tuple[httpx.Client, httpx.Response]:
        """A browser client after posting the sign-in form (with the form's CSRF cookie and token)."""
        client = self.browser()
        form = client.get("/login")
        assert form.status_code == 200, form.text
        token = client.cookies.get("coord_login_csrf")
        response = client.post("/login", data={"handle": handle, "password": password or self.passwords[handle],
                                               "csrf_token": token or "", "next": "/"})
        return client, response

    def close(self) -> None:
        for client in self.clients:
            client.close()


class Http:
    """One keep-alive client per person for the module's server (a new client costs tens of ms)."""

    def __init__(self, web: WebDistrict) -> None:
        self.web = web
        self.clients: dict[str | None, httpx.Client] = {}

    def __call__(self, handle: str | None) -> httpx.Client:
        if handle not in self.clients:
            self.clients[handle] = self.web.api(handle)
        return self.clients[handle]


def role_people(district: object) -> dict[Role, str]:
    return {role: district.by_role(role) for role in Role if role is not Role.SYSTEM}  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def web(databases: Databases, tmp_path_factory: pytest.TempPathFactory,
        district_factory: Callable[..., object]) -> Iterator[WebDistrict]:
    where = tmp_path_factory.mktemp("web")
    url = databases.migrated(where)
    district = district_factory(url)
    people = [*role_people(district).values(), district.other_handler]  # type: ignore[attr-defined]
    tokens: dict[str, str] = {}
    passwords: dict[str, str] = {}
    for handle in people:
        caller = district.caller(district.admin)  # type: ignore[attr-defined]
        tokens[handle] = directory.create_token(district.uow(), caller=caller, handle=handle)  # type: ignore[attr-defined]
        passwords[handle] = handle + PASSWORD_SUFFIX
        access.set_password(district.uow(), caller=caller, handle=handle, password=passwords[handle])  # type: ignore[attr-defined]
    now = district.now.isoformat()  # type: ignore[attr-defined]
    server = start_server(url, now=now, log=where / "web.log")
    served = WebDistrict(district, server.base_url, tokens, passwords)
    try:
        yield served
    finally:
        served.close()
        server.stop()
        district.engine.dispose()  # type: ignore[attr-defined]
        databases.drop(url)


@pytest.fixture(scope="module")
def http(web: WebDistrict) -> Http:
    return Http(web)
