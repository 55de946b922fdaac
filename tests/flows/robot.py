"""A group robot on 127.0.0.1: a real HTTP server that records what it receives and answers from a script.

It speaks the DingTalk/WeCom dialect (`{"errcode": 0, "errmsg": "ok"}`), checks DingTalk signatures
when given a secret, and can be told to fail: HTTP errors, refusals (errcode), a closed port, an answer
that comes late (`delay_s`: it has taken the message all the same), or one answer for the messages
whose text holds a marker (`answers_for`).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

OK: tuple[int, dict[str, Any]] = (200, {"errcode": 0, "errmsg": "ok"})
BUSY: tuple[int, dict[str, Any]] = (503, {"errcode": -1, "errmsg": "system busy"})
KEYWORD_REFUSED: tuple[int, dict[str, Any]] = (200, {"errcode": 310000, "errmsg": "keywords not in content"})


@dataclass
class Robot:
    """Answers each POST with the next scripted reply (then `default`), and records the accepted ones."""

    script: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    default: tuple[int, dict[str, Any]] = OK
    secret: str | None = None
    received: list[dict[str, Any]] = field(default_factory=list)  # bodies answered with errcode 0
    requests: list[str] = field(default_factory=list)  # every path asked, accepted or not
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    delay_s: float = 0.0  # waits this long before answering each POST
    answers_for: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)  # marker in text -> answer

    def reply(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.requests.append(path)
            if self.secret is not None and not _signed(path, self.secret):
                return 200, {"errcode": 310000, "errmsg": "sign not match"}
            text = json.dumps(body, ensure_ascii=False)
            marked = [answer for marker, answer in self.answers_for.items() if marker in text]
            status, answer = marked[0] if marked else self.script.pop(0) if self.script else self.default
            if status == 200 and answer.get("errcode") == 0:
                self.received.append(body)
            return status, answer

    def texts(self) -> list[str]:
        """The Markdown of every accepted message (DingTalk `text` or WeCom `content`)."""
        return [b["markdown"].get("text") or b["markdown"].get("content") for b in self.received]


def _signed(path: str, secret: str) -> bool:
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    if "timestamp" not in query or "sign" not in query:
        return False
    to_sign = f"{query['timestamp'][0]}\n{secret}".encode()
    expected = base64.b64encode(hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, query["sign"][0])


@contextmanager
def running(robot: Robot) -> Iterator[Robot]:
    """Serve `robot` on 127.0.0.1 (a free port) for the duration of the block."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            status, answer = robot.reply(self.path, body)
            if robot.delay_s:
                time.sleep(robot.delay_s)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

        def handle(self) -> None:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up waiting
                super().handle()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    robot.url = f"http://127.0.0.1:{server.server_address[1]}/robot/send?access_token=test-token"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield robot
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: connection refused, as when a robot is down."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/robot/send?access_token=down"
