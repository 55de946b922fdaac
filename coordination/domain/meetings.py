"""Coordination meetings: kinds and their rung, the meeting's own small life, decisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from coordination.domain.enums import Action, Level, Role, State
from coordination.domain.errors import Conflict, InvalidInput, NotPermitted


class MeetingKind(StrEnum):
    TASK_FORCE = "task-force"  # 专班会商 (L2)
    LEADER = "leader"  # 挂钩领导会办 (L3)
    PRINCIPAL = "principal"  # 主要领导 / 常务会 (L4)

    @property
    def level(self) -> Level:
        return {MeetingKind.TASK_FORCE: Level.L2, MeetingKind.LEADER: Level.L3,
                MeetingKind.PRINCIPAL: Level.L4}[self]


class MeetingState(StrEnum):
    PLANNED = "planned"
    OPEN = "open"
    CLOSED = "closed"


class Outcome(StrEnum):
    """What a decision (议定事项) does to its problem when the minutes are closed."""

    ASSIGN = "assign"  # new lead unit, co-units and due date → in_progress
    ESCALATE = "escalate"  # escalate further, one rung up
    EXPLAIN = "explain"  # closed as explained

    @property
    def action(self) -> Action:
        return {Outcome.ASSIGN: Action.DECIDE, Outcome.ESCALATE: Action.ESCALATE,
                Outcome.EXPLAIN: Action.EXPLAIN}[self]


CHAIR_ROLES: dict[MeetingKind, frozenset[Role]] = {
    MeetingKind.TASK_FORCE: frozenset({Role.SECRETARIAT, Role.UNIT_HEAD, Role.LEADER, Role.PRINCIPAL}),
    MeetingKind.LEADER: frozenset({Role.LEADER, Role.PRINCIPAL}),
    MeetingKind.PRINCIPAL: frozenset({Role.PRINCIPAL}),
}


@dataclass(frozen=True)
class DecisionInput:
    outcome: Outcome
    text: str
    unit: str | None = None
    co_units: tuple[str, ...] = ()
    due: date | None = None


def check_chair(kind: MeetingKind, chair: str, chair_roles: frozenset[Role]) -> None:
    if not chair_roles & CHAIR_ROLES[kind]:
        raise InvalidInput(f"{chair} 不能主持{kind_label(kind)}", f"{chair} cannot chair a {kind.value} meeting")


def check_decision(decision: DecisionInput, *, meeting_date: date) -> None:
    """A decision names who does what by when; escalation and explanation need only the text."""
    if not decision.text.strip():
        raise InvalidInput("议定事项内容不能为空（--decision）", "the decision text must not be empty (--decision)")
    if decision.outcome is Outcome.ASSIGN:
        if not decision.unit:
            raise InvalidInput("议定事项需要指定牵头单位（--unit）", "a decision needs a lead unit (--unit)")
        if decision.due is None:
            raise InvalidInput("议定事项需要办结期限（--due）", "a decision needs a due date (--due)")
        if decision.due <= meeting_date:
            raise InvalidInput(f"办结期限 {decision.due} 必须晚于会议日期 {meeting_date}",
                               f"due date {decision.due} must be after the meeting date {meeting_date}")
        if decision.unit in decision.co_units:
            raise InvalidInput("牵头单位不能同时是配合单位", "the lead unit cannot also be a co-unit")


def may_record(actor_handle: str, actor_roles: frozenset[Role], chair: str) -> None:
    """Only the chair or the secretariat records decisions and closes the minutes."""
    if actor_handle != chair and Role.SECRETARIAT not in actor_roles:
        raise NotPermitted(f"{actor_handle} 不是会议主持人或专班办公室，不能记录议定事项",
                           f"{actor_handle} is neither the chair nor the secretariat")


def require_state(meeting_id: str, state: MeetingState, *allowed: MeetingState, doing_zh: str,
                  doing_en: str) -> None:
    if state not in allowed:
        raise Conflict(f"会议 {meeting_id} 当前{meeting_state_label(state)}，不能{doing_zh}",
                       f"cannot {doing_en} meeting {meeting_id} while {state.value}")


def applicable_states(outcome: Outcome) -> frozenset[State]:
    """Where a decided problem must still be when the minutes close."""
    return frozenset({State.ON_AGENDA}) if outcome is not Outcome.EXPLAIN else frozenset(
        {State.ON_AGENDA, State.IN_PROGRESS, State.ASSIGNED})


def minutes_number(year: int, number: int) -> str:
    return f"〔{year}〕{number}号"


def kind_label(kind: MeetingKind, lang: str = "zh") -> str:
    zh = {MeetingKind.TASK_FORCE: "专班会商会", MeetingKind.LEADER: "挂钩领导会办会",
          MeetingKind.PRINCIPAL: "主要领导专题会"}
    en = {MeetingKind.TASK_FORCE: "task-force consultation", MeetingKind.LEADER: "linked leader's meeting",
          MeetingKind.PRINCIPAL: "principal leader's meeting"}
    return (en if lang == "en" else zh)[kind]


def minutes_title(kind: MeetingKind) -> str:
    return {MeetingKind.TASK_FORCE: "重大项目推进专班会商会议纪要",
            MeetingKind.LEADER: "重大项目挂钩区领导会办会议纪要",
            MeetingKind.PRINCIPAL: "区政府重大项目专题会议纪要"}[kind]


def meeting_state_label(state: MeetingState, lang: str = "zh") -> str:
    zh = {MeetingState.PLANNED: "筹备中", MeetingState.OPEN: "进行中", MeetingState.CLOSED: "已闭会"}
    return state.value if lang == "en" else zh[state]


def outcome_label(outcome: Outcome, lang: str = "zh") -> str:
    zh = {Outcome.ASSIGN: "明确责任与期限", Outcome.ESCALATE: "继续提级", Outcome.EXPLAIN: "解释办结"}
    en = {Outcome.ASSIGN: "assign", Outcome.ESCALATE: "escalate further", Outcome.EXPLAIN: "close as explained"}
    return (en if lang == "en" else zh)[outcome]


CHINESE_NUMERALS = "零一二三四五六七八九十"


def chinese_ordinal(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (enough for the items of one set of minutes)."""
    if n <= 10:
        return CHINESE_NUMERALS[n]
    if n < 20:
        return "十" + CHINESE_NUMERALS[n - 10]
    if n < 100:
        tens, ones = divmod(n, 10)
        return CHINESE_NUMERALS[tens] + "十" + (CHINESE_NUMERALS[ones] if ones else "")
    return str(n)
