"""What every page shares: labels in the reader's language, names for codes, the flash line, paging."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse

from coordination.config import DISTRICT_TZ
from coordination.domain.enums import Action, Difficulty, Level, Light, Role, State
from coordination.domain.errors import InvalidInput
from coordination.domain.labels import label, word
from coordination.domain.meetings import (
    MeetingKind,
    MeetingState,
    Outcome,
    kind_label,
    meeting_state_label,
    outcome_label,
)
from coordination.domain.sweep import SweepAction
from coordination.domain.transitions import TRANSITIONS
from coordination.services import todo
from coordination.services.snapshot import last_known
from coordination.web.auth import Identity, lang_of
from coordination.web.templating import render

RAISERS = frozenset(TRANSITIONS[Action.RAISE].roles)


class Words:
    """Labels from domain/labels.py in the page's language, and names for handles and codes."""

    def __init__(self, lang: str, names: todo.Names) -> None:
        self.lang = lang
        self.names = names

    def t(self, zh: str, en: str) -> str:
        return en if self.lang == "en" else zh

    def word(self, key: str) -> str:
        return word(key, self.lang)

    def state(self, value: str | State) -> str:
        return label(State(value), self.lang)

    def action(self, value: str | Action) -> str:
        for kind in (Action, SweepAction):
            try:
                return label(kind(value), self.lang)
            except ValueError:
                continue
        return str(value)

    def light(self, value: str | Light | None) -> str:
        return label(Light(value), self.lang) if value else "—"

    def level(self, value: int) -> str:
        return label(Level(int(value)), self.lang)

    def difficulty(self, value: str | None) -> str:
        return label(Difficulty(value), self.lang) if value else "—"

    def role(self, value: str | Role) -> str:
        return label(Role(value), self.lang)

    def person(self, handle: str | None) -> str:
        if not handle:
            return "—"
        if handle == "system":
            return label(Role.SYSTEM, self.lang)
        return self.names.people.get(handle, handle)

    def unit(self, code: str | None) -> str:
        return self.names.units.get(code, code) if code else "—"

    def project(self, code: str | None) -> str:
        return self.names.projects.get(code, code) if code else "—"

    # The choices of the list filters, as (value, text) pairs.

    def state_options(self) -> list[tuple[str, str]]:
        return [(s.value, self.state(s)) for s in State]

    def light_options(self) -> list[tuple[str, str]]:
        return [(light.value, self.light(light)) for light in Light]

    def level_options(self, lowest: int = 1) -> list[tuple[str, str]]:
        return [(str(int(lv)), self.level(lv)) for lv in Level if lv >= lowest]

    def unit_options(self) -> list[tuple[str, str]]:
        return list(self.names.active_units)

    def project_options(self) -> list[tuple[str, str]]:
        return list(self.names.projects.items())

    def leader_options(self) -> list[tuple[str, str]]:
        return list(self.names.holders(Role.LEADER))

    def meeting_kind(self, value: str) -> str:
        return kind_label(MeetingKind(value), self.lang)

    def meeting_state(self, value: str) -> str:
        return meeting_state_label(MeetingState(value), self.lang)

    def outcome(self, value: str) -> str:
        return outcome_label(Outcome(value), self.lang)

    def event_facts(self, payload: dict[str, Any], action: str) -> list[str]:
        """What an event changed beyond its state, in words: lead unit, due date, level, days asked for."""
        changes = payload.get("changes", {})
        facts: list[str] = []
        colon = self.t("：", ": ")
        if changes.get("lead_unit"):
            facts.append(f"{self.word('lead_unit')}{colon}{self.unit(changes['lead_unit'])}")
        if changes.get("co_units"):
            names = self.t("、", ", ").join(self.unit(c) for c in changes["co_units"])
            facts.append(f"{self.word('co_units')}{colon}{names}")
        if changes.get("difficulty"):
            facts.append(f"{self.word('difficulty')}{colon}{self.difficulty(changes['difficulty'])}")
        if changes.get("due_date"):
            provisional = self.t(f"（{self.word('provisional')}）", " (provisional)") if changes.get(
                "due_provisional") else ""
            facts.append(f"{self.word('due_date')}{colon}{changes['due_date']}{provisional}")
        if "level" in changes and action == Action.ESCALATE.value:
            facts.append(self.level(int(changes["level"])))
        if changes.get("pending_extension_days"):
            facts.append(self.t(f"申请延长 {changes['pending_extension_days']} 个工作日",
                                f"asks for {changes['pending_extension_days']} more working days"))
        if payload.get("meeting"):
            facts.append(self.t(f"会议 {payload['meeting']}", f"meeting {payload['meeting']}"))
        return facts

    def when(self, moment: datetime | str) -> str:
        at = moment if isinstance(moment, datetime) else datetime.fromisoformat(moment)
        return at.astimezone(DISTRICT_TZ).strftime("%Y-%m-%d %H:%M")

    def day(self, value: date | str | None) -> str:
        if not value:
            return "—"
        day = value if isinstance(value, date) else date.fromisoformat(value)
        return f"{day.year}年{day.month}月{day.day}日" if self.lang == "zh" else day.isoformat()


def page(request: Request, identity: Identity, name: str, context: dict[str, Any] | None = None, *,
         status_code: int = 200) -> HTMLResponse:
    """Render a signed-in page: the words and names, and who is signed in, beside the page's own values."""
    # The sign-in check has just read the directory in this process: its snapshot is current.
    known = last_known(identity.engine)
    names = todo.names_in(known) if known is not None else todo.names(identity.reader())
    roles = names.roles.get(identity.handle, frozenset())
    values: dict[str, Any] = {
        "w": Words(lang_of(request), names),
        "my_name": names.people.get(identity.handle, identity.handle),
        "my_roles": sorted(roles),
        "may_raise": bool(roles & RAISERS),
        "flash": flash_of(request),
        **(context or {}),
    }
    return render(request, name, values, status_code=status_code)


def flash_of(request: Request) -> tuple[str, str] | None:
    """The line a redirect after a successful form leaves in the query string (only known keys: no free text)."""
    done = request.query_params.get("done")
    if done == "raise":
        return "问题已上报，等待专班办公室交办", "Problem raised; it waits for the secretariat to assign it"
    if done:
        try:
            action = Action(done)
        except ValueError:
            return None
        zh, en = f"已完成操作：{label(action)}", f"Done: {label(action, 'en')}"
        day_off = _day_of(request.query_params.get("dayoff"))
        if day_off is not None:
            zh += f"。提示：办结期限 {day_off} 不是工作日，已按此日期保存"
            en += f". Note: the due date {day_off} is not a working day; it was saved as given"
        return zh, en
    return None


def _day_of(text: str | None) -> str | None:
    """A date from the query string, or None: only a real date ever reaches the page."""
    try:
        return date.fromisoformat(text).isoformat() if text else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Pager:
    """Pages of a list: where this one starts, how many there are, and the links to the others."""

    page: int
    size: int
    total: int
    base: str  # the list's path
    keep: tuple[tuple[str, str], ...]  # the filters to carry along

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    def link(self, number: int) -> str:
        query = [*self.keep, *((("page", str(number)),) if number > 1 else ())]
        return self.base + ("?" + urlencode(query) if query else "")

    @property
    def previous(self) -> str | None:
        return self.link(self.page - 1) if self.page > 1 else None

    @property
    def next(self) -> str | None:
        return self.link(self.page + 1) if self.page < self.pages else None


def page_number(text: str | None) -> int:
    if not text:
        return 1
    if not text.isdigit() or int(text) < 1 or int(text) > 100_000:
        raise InvalidInput(f"页码无效：{text}", f"invalid page number: {text}")
    return int(text)


def choice(kind: type[Any], text: str | None, zh: str, en: str) -> Any:
    """An enum value from a filter or form field ("" or absent: None); anything else is a 400."""
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        raise InvalidInput(f"{zh}无效：{text}", f"invalid {en}: {text}") from None
