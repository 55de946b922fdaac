"""Sending messages to the group robots districts already use: DingTalk and WeCom webhooks.

Both take a JSON POST and answer `{"errcode": 0, "errmsg": "ok"}`. DingTalk robots may require
signing (加签): the URL carries `timestamp` (ms) and `sign` = urlencode(base64(HMAC-SHA256(secret,
f"{timestamp}\\n{secret}"))); the timestamp must be within an hour of DingTalk's clock, so signing
always uses the real clock, never COORD_NOW.

A message about one problem ends with a link to its page in coord web when the district has set
`web.base_url` (the outbox fills `Message.link` as it sends, so messages queued before the setting
link too): `[查看问题](URL)` on its own line.

A failed send is *transient* when trying again later may succeed (the robot or network is down,
HTTP 5xx or 429, a rate limit) and *permanent* otherwise (a bad URL, a wrong secret, a rejected
message). Each send is one request, never repeated here: the outbox decides when to try again
(coordination/domain/delivery_policy.py). A request that gets no answer in time is *timed out*:
the robot may have received it, so it must not be sent again at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx

# errcodes that mean "slow down / busy", not "wrong": retried like a network failure.
_TRANSIENT_ERRCODES = {
    -1,  # WeCom: system busy
    45009,  # WeCom: API frequency out of limit
    45033,  # WeCom: too many concurrent calls
    130101,  # DingTalk: sending too fast
    130102,  # DingTalk: sending too fast (group limit)
}
_ROBOT_DOWN_STATUSES = {429, 502, 503, 504}  # too many requests, bad gateway, unavailable, gateway timeout
MAX_MARKDOWN_BYTES = 4000  # WeCom refuses markdown over 4096 bytes; DingTalk allows more
MAX_ANSWER_BYTES = 64 * 1024  # a robot's answer is a line of JSON: read no more than this
_SECRETS = re.compile(r"(access_token|key|sign|timestamp)=[^&\s\"']+")


class RobotKind(StrEnum):
    DINGTALK = "dingtalk"
    WECOM = "wecom"


@dataclass(frozen=True)
class Endpoint:
    name: str
    kind: RobotKind
    url: str
    secret: str | None = None


@dataclass(frozen=True)
class Message:
    title: str
    body: str  # Markdown
    mentions: Sequence[str] = ()
    mobiles: Sequence[str] = ()  # DingTalk @s these numbers (each must also appear as @number in the text)
    link: str | None = None  # the page of the problem it concerns (web.base_url set): ends the message


@dataclass(frozen=True)
class Outcome:
    ok: bool
    transient: bool = False
    error: str | None = None
    hold_robot: bool = False  # the robot is unreachable, slow or says "slow down": its other messages wait
    timed_out: bool = False  # sent but not answered in time: the robot may have it


def signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The DingTalk URL with `timestamp` and `sign` appended (加签)."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, digestmod=hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}timestamp={timestamp_ms}&sign={sign}"


def _clip(text: str, limit: int = MAX_MARKDOWN_BYTES) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[: limit - 3].decode("utf-8", errors="ignore") + "…"


LINK_TEXT = "查看问题"
ITEM_LINK_TEXT = "查看详情"  # a task's, a filing's… page: not a problem


def link_line(link: str) -> str:
    """The last line of a message about one item: a Markdown link to its page."""
    return f"[{LINK_TEXT if '/problems/' in link else ITEM_LINK_TEXT}]({link})"


def _text(message: Message, *, tail: str = "", limit: int = MAX_MARKDOWN_BYTES) -> str:
    """The body clipped to fit, then `tail` (DingTalk's @numbers), then the problem's link on its own line.

    Only the body is clipped: the @s and the link always arrive whole.
    """
    ending = f"\n\n{link_line(message.link)}" if message.link else ""
    room = limit - len(ending.encode("utf-8")) - len(tail.encode("utf-8"))
    return _clip(message.body, room) + tail + ending


def payload(kind: RobotKind, message: Message) -> dict[str, Any]:
    """The JSON body a robot of `kind` expects for a Markdown message."""
    if kind is RobotKind.DINGTALK:
        tail = "".join(f" @{mobile}" for mobile in message.mobiles)
        return {"msgtype": "markdown", "markdown": {"title": message.title, "text": _text(message, tail=tail)},
                "at": {"atMobiles": list(message.mobiles), "atUserIds": [], "isAtAll": False}}
    return {"msgtype": "markdown", "markdown": {"content": _text(message)}}


def _classify(status: int, body: bytes) -> Outcome:
    text = body.decode("utf-8", errors="replace")
    if status >= 500 or status == 429:  # 429 and gateway trouble: the robot, not this message
        return Outcome(False, transient=True, error=f"HTTP {status}", hold_robot=status in _ROBOT_DOWN_STATUSES)
    if status >= 400:
        return Outcome(False, transient=False, error=f"HTTP {status}: {_scrub(text[:200])}")
    try:
        answer = json.loads(text)
    except ValueError:
        return Outcome(False, transient=False, error=f"not JSON: {_scrub(text[:200])}")
    errcode = answer.get("errcode", 0) if isinstance(answer, dict) else None
    if errcode == 0:
        return Outcome(True)
    errmsg = answer.get("errmsg", "") if isinstance(answer, dict) else ""
    busy = errcode in _TRANSIENT_ERRCODES
    return Outcome(False, transient=busy, error=f"errcode {errcode}: {_scrub(str(errmsg)[:200])}", hold_robot=busy)


def _scrub(text: str) -> str:
    """An error as shown and stored: a robot's token or signature never in it."""
    return _SECRETS.sub(lambda m: f"{m.group(1)}=…", text)


class _TooSlow(Exception):
    """The answer began in time but did not finish within the request's whole allowance."""


def _read(response: httpx.Response, deadline: float) -> bytes:
    """The answer's body, at most MAX_ANSWER_BYTES, read before `deadline` (a robot dribbling bytes
    one at a time cannot hold a run)."""
    body = bytearray()
    for chunk in response.iter_bytes():
        body.extend(chunk)
        if time.monotonic() > deadline:
            raise _TooSlow
        if len(body) >= MAX_ANSWER_BYTES:
            break
    return bytes(body[:MAX_ANSWER_BYTES])


def send_once(
    client: httpx.Client, endpoint: Endpoint, message: Message, *, timestamp_ms: int | None = None
) -> Outcome:
    """One POST; never raises for network or HTTP trouble, reports it instead.

    The client's timeout bounds connecting and each wait for data; the whole request gets twice that.
    """
    url = endpoint.url
    if endpoint.kind is RobotKind.DINGTALK and endpoint.secret:
        url = signed_url(url, endpoint.secret, timestamp_ms or int(time.time() * 1000))
    allowance = 2 * (client.timeout.read or 10.0)
    deadline = time.monotonic() + allowance
    try:
        with client.stream("POST", url, json=payload(endpoint.kind, message)) as response:
            status, body = response.status_code, _read(response, deadline)
    except (httpx.ReadTimeout, _TooSlow):
        return Outcome(False, transient=True, error=f"timed out after {allowance / 2:g} s", hold_robot=True,
                       timed_out=True)
    except httpx.HTTPError as exc:  # connection refused, connect timeout, protocol error
        return Outcome(False, transient=True, error=_scrub(f"{type(exc).__name__}: {exc}"), hold_robot=True)
    return _classify(status, body)


def client(timeout_s: float = 10.0) -> httpx.Client:
    return httpx.Client(timeout=timeout_s, headers={"Content-Type": "application/json; charset=utf-8"})
