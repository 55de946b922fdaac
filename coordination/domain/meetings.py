"""Coordination meetings: kinds and their rung, the meeting's own small life, decisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from coordination.domain.enums import Action, Level, Role
from coordination.domain.errors import Conflict, InvalidInput, NotPermitted
from coordination.domain.hygiene import TEXT_MAX, check_day, required_text
from coordination.domain.labels import bilingual
from coordination.domain.problem import Actor, ProblemFacts, Roster, authorize


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


def check_decision(decision: DecisionInput, *, meeting_date: date) -> str:
    """A decision names who does what by when; escalation and explanation need only the text (returned
    cleaned, as it is stored)."""
    text = required_text(decision.text, field_zh="议定事项内容", field_en="the decision text", option="--decision",
                         max_len=TEXT_MAX, multiline=True)
    if decision.due is not None:
        check_day(decision.due, field_zh="办结期限", field_en="the due date", option="--due")
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
    return text


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


def require_held(meeting_id: str, held_on: date, today: date, *, doing_zh: str, doing_en: str) -> None:
    """A meeting opens on its date, not before; its minutes can therefore never speak of it ahead of time."""
    if today < held_on:
        raise Conflict(f"会议 {meeting_id} 定于 {held_on.month}月{held_on.day}日召开，"
                       f"今天（{today.isoformat()}）不能{doing_zh}",
                       f"meeting {meeting_id} is held on {held_on.isoformat()}; it cannot {doing_en} today "
                       f"({today.isoformat()})")


def check_linked_project(meeting_id: str, kind: MeetingKind, chair: Actor, problem_id: str, roster: Roster) -> None:
    """A linked leader's 会办 holds only the chair's linked projects (a principal's reach is every project)."""
    if kind is not MeetingKind.LEADER or Role.PRINCIPAL in chair.roles or chair.handle in roster.leaders:
        return
    raise NotPermitted(
        f"会议 {meeting_id} 是 {chair.handle} 主持的挂钩领导会办，只能议其挂钩项目的问题；"
        f"问题 {problem_id} 所属项目 {roster.project} 不是 {chair.handle} 的挂钩项目",
        f"meeting {meeting_id} is {chair.handle}'s linked leader's meeting and holds only their linked projects; "
        f"{problem_id} belongs to {roster.project}, which {chair.handle} is not linked to",
    )


def check_chair_authority(meeting_id: str, kind: MeetingKind, outcome: Outcome, chair: Actor,
                          problem: ProblemFacts, roster: Roster) -> None:
    """A decision carries the chair's authority: the table must let the chair take its action on the problem.

    Raises NotPermitted when the chair's roles or reach (the project's roster) do not allow it,
    Conflict when the problem's state does not.
    """
    check_linked_project(meeting_id, kind, chair, problem.id, roster)
    try:
        authorize(outcome.action, chair, problem, roster)
    except NotPermitted as refused:
        action_zh, action_en = bilingual(outcome.action)
        raise NotPermitted(
            f"会议 {meeting_id} 的议定事项以主持人 {chair.handle} 的职权为限，不能对问题 {problem.id} "
            f"议定“{action_zh}”：{refused.zh}",
            f"meeting {meeting_id} decides with its chair {chair.handle}'s authority, which does not reach "
            f"{action_en} on {problem.id}: {refused.en}",
        ) from None


# Each kind's minutes are their own series, numbered from 1 each year, and the number names it, as a
# district's 纪要 are filed: 专班会商纪要〔2026〕3号 and 会办纪要〔2026〕3号 are two documents.
MINUTES_SERIES_NAMES: dict[MeetingKind, str] = {
    MeetingKind.TASK_FORCE: "专班会商纪要",
    MeetingKind.LEADER: "会办纪要",
    MeetingKind.PRINCIPAL: "专题会议纪要",
}


def minutes_series(kind: MeetingKind) -> str:
    """The counter a kind's minutes are numbered from (a `Sequence` name, at most 20 characters)."""
    return f"minutes:{kind.value}"


def minutes_number(kind: MeetingKind, year: int, number: int) -> str:
    """专班会商纪要〔2026〕1号: the series' name, the year in 六角括号, the number in it."""
    return f"{MINUTES_SERIES_NAMES[kind]}〔{year}〕{number}号"


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
