"""The text of notifications sent to the districts' group robots (DingTalk, WeCom), in Chinese.

Pure: each function takes the facts and returns a Notice; the outbox stores it, delivery sends it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from coordination.domain.enums import Level
from coordination.domain.labels import label
from coordination.domain.workflow import Audience, NoticeRule


class NoticeKind:
    REMINDER = "reminder"  # 督办
    ESCALATION = "escalation"  # 提级
    ASSIGNMENT = "assignment"  # 交办
    VERIFICATION = "verification"  # 催办销号
    MEETING = "meeting"  # 会议通知 (meetings)
    REPORT = "report"  # 周汇报 / 月分析 (reports)
    DECISION = "decision"  # 会议议定
    EXTENSION_REQUEST = "extension_request"  # 延期申请
    EXTENSION_APPROVED = "extension_approved"  # 延期批复
    RESOLUTION = "resolution"  # 申请办结
    REWORK = "rework"  # 退回重办
    CLOSURE = "closure"  # 销号
    ADJUSTMENT = "adjustment"  # 任务调整 (plan tasks)
    STAGE = "stage"  # 阶段进展: a special plan or a fund application passed a stage


@dataclass(frozen=True)
class Notice:
    """One message: the group it goes to (a unit's, or the district's when None) and its text."""

    key: str  # what caused it; one message per cause
    kind: str
    title: str
    body: str  # Markdown that DingTalk and WeCom robots both render
    unit: str | None = None
    problem_id: str | None = None
    mentions: tuple[str, ...] = field(default_factory=tuple)
    mobiles: tuple[str, ...] = field(default_factory=tuple)  # the mentioned people's numbers (DingTalk @s them)


@dataclass(frozen=True)
class ProblemBrief:
    """What a message says about a tracked item (a plan task's plan stands where a problem's project does)."""

    id: str
    title: str
    project_name: str
    lead_unit: str | None
    lead_unit_name: str | None
    due_date: date | None
    level: int


def _lines(*lines: str) -> str:
    return "\n\n".join(line for line in lines if line)


def _mention_line(names: Sequence[str]) -> str:
    return " ".join(f"@{n}" for n in names)


DIGEST_LINES = 30  # a robot message stays readable (and under WeCom's 4 KB) with this many lines


def _problem_line(problem: ProblemBrief) -> str:
    due = f"，期限 {problem.due_date}" if problem.due_date is not None else ""  # a special plan has no limit
    return f"- **{problem.id}**「{problem.title}」（{problem.project_name}）{due}"


def _listed(problems: Sequence[ProblemBrief], line: Callable[[ProblemBrief], str] = _problem_line) -> str:
    shown = "\n".join(line(p) for p in problems[:DIGEST_LINES])
    more = len(problems) - DIGEST_LINES
    return shown + (f"\n- ……另有 {more} 项，请在系统中查看" if more > 0 else "")


def overdue_digest(
    unit: str | None, unit_name: str | None, problems: Sequence[ProblemBrief], *, key: str, today: date,
    heads: Sequence[str],
) -> Notice:
    """督办单: one message per lead unit per sweep, listing its problems that turned red.

    One message per unit rather than per problem: group robots accept about 20 messages a minute.
    """
    name = unit_name or unit or "责任单位"
    title = f"督办通知：{name} {len(problems)} 项问题超期"
    body = _lines(
        f"#### 督办通知（{today.isoformat()}）",
        f"**{name}**：以下 {len(problems)} 项问题已超过办结期限，亮红灯，请即办理并在系统中报送进展；"
        "确需延期的请申请延期。",
        _listed(problems),
        _mention_line(heads),
    )
    return Notice(key=key, kind=NoticeKind.REMINDER, title=title, body=body, unit=unit,
                  problem_id=problems[0].id if len(problems) == 1 else None, mentions=tuple(heads))


def escalation_digest(escalations: Sequence[tuple[ProblemBrief, int, str]], *, key: str, today: date) -> Notice:
    """提级通报: the problems one sweep escalated, for the district's group."""

    def line(problem: ProblemBrief) -> str:
        level, reason = by_id[problem.id]
        return f"- **{problem.id}**「{problem.title}」→ **{label(Level(level))}**（{reason}）"

    by_id = {problem.id: (level, reason) for problem, level, reason in escalations}
    problems = [problem for problem, _level, _reason in escalations]
    body = _lines(
        f"#### 自动提级通报（{today.isoformat()}）",
        f"今日巡查自动提级 {len(problems)} 项问题，列入相应层级下次会议议题：",
        _listed(problems, line),
    )
    return Notice(key=key, kind=NoticeKind.ESCALATION, title=f"自动提级通报：{len(problems)} 项", body=body,
                  unit=None, problem_id=problems[0].id if len(problems) == 1 else None)


def escalation_notice(problem: ProblemBrief, *, seq: int, new_level: int, reason: str) -> Notice:
    """提级: the problem rose one rung and waits for that level's meeting."""
    rung = label(Level(new_level))
    title = f"提级通知：{problem.id} 提至 {rung}"
    body = _lines(
        "#### 提级通知",
        f"问题 **{problem.id}**「{problem.title}」（{problem.project_name}，责任单位 "
        f"{problem.lead_unit_name or problem.lead_unit or '未定'}）提至 **{rung}**，列入该层级下次会议议题。",
        f"原因：{reason}",
    )
    return Notice(key=f"escalate:{problem.id}:{seq}", kind=NoticeKind.ESCALATION, title=title, body=body,
                  unit=None, problem_id=problem.id)


def assignment_notice(problem: ProblemBrief, *, seq: int, handlers: Sequence[str]) -> Notice:
    """交办: the lead unit receives a problem with its deadline."""
    unit_name = problem.lead_unit_name or problem.lead_unit or "责任单位"
    title = f"交办通知：{problem.id}"
    body = _lines(
        "#### 交办通知",
        f"**{unit_name}**：问题 **{problem.id}**「{problem.title}」（{problem.project_name}）已交办贵单位牵头办理，"
        f"办结期限 {problem.due_date}。",
        "请于 1 个工作日内签收；如非本单位职责，请在此期限内退回交办并说明理由。",
        _mention_line(handlers),
    )
    return Notice(key=f"assign:{problem.id}:{seq}", kind=NoticeKind.ASSIGNMENT, title=title, body=body,
                  unit=problem.lead_unit, problem_id=problem.id, mentions=tuple(handlers))


def verification_chase(problem: ProblemBrief, *, seq: int, resolved_on: date, waited: int,
                       checkers: Sequence[str]) -> Notice:
    """催办销号: a resolution waits for verification; tell the secretariat and the raiser."""
    title = f"待销号提醒：{problem.id}"
    body = _lines(
        "#### 待销号提醒",
        f"问题 **{problem.id}**「{problem.title}」（{problem.project_name}）已于 {resolved_on} 申请办结，"
        f"已等待 {waited} 个工作日，请核实后销号或退回重办。",
        _mention_line(checkers),
    )
    return Notice(key=f"chase:{problem.id}:{seq}", kind=NoticeKind.VERIFICATION, title=title, body=body,
                  unit=None, problem_id=problem.id, mentions=tuple(checkers))


def meeting_notice(*, meeting_id: str, kind_label: str, held_on: date, chair_name: str, unit: str | None,
                   items: Sequence[ProblemBrief]) -> Notice:
    """会议通知: a unit is told which of its problems a coming meeting will take up."""
    return Notice(
        key=f"meeting:{meeting_id}:{unit or 'district'}", kind=NoticeKind.MEETING,
        title=f"会议通知：{held_on.month}月{held_on.day}日{kind_label}",
        body=_lines(f"### 会议通知：{held_on.month}月{held_on.day}日{kind_label}（{meeting_id}）",
                    f"主持：{chair_name}。以下问题列入议程，请责任单位主要负责同志参会并汇报进展：",
                    _listed(items)),
        unit=unit,
    )


def report_notice(*, cadence: str, period_name: str, title: str, period_label: str, summary: str,
                  files: Sequence[str]) -> Notice:
    """A published report, announced in the district's group."""
    return Notice(
        key=f"report:{cadence}:{period_name}", kind=NoticeKind.REPORT, title=f"{title}（{period_label}）",
        body=_lines(f"### {title}（{period_label}）", summary, "文件：" + "、".join(files)),
    )


# ---- the notice policy: an action's notices, addressed and batched ---------------------------


@dataclass(frozen=True)
class NoticeItem:
    """One recorded action a notice tells of."""

    brief: ProblemBrief
    action: str
    seq: int
    reason: str | None = None
    raised_by: str | None = None
    co_units: tuple[str, ...] = ()
    detail: str = ""  # what the line adds: the new rung, the days asked for, the meeting


@dataclass(frozen=True)
class Recipients:
    """The directory as notices need it: whom each group's message @s."""

    handlers: Mapping[str, Sequence[str]]  # unit -> names of its active handlers
    heads: Mapping[str, Sequence[str]]  # unit -> names of its active unit heads
    secretariat: Sequence[str]
    people: Mapping[str, tuple[str, str | None]]  # handle -> (name, unit)
    unit_names: Mapping[str, str]
    mobiles: Mapping[str, str] = field(default_factory=dict)  # name -> mobile number, for those who gave one


# kind -> (title, what the message asks of its readers, what a digest's title counts)
_POLICY_TEXT: dict[str, tuple[str, str, str]] = {
    NoticeKind.ASSIGNMENT: ("交办通知",
                            "已交办贵单位办理，请于 1 个工作日内签收；如非本单位职责，请在此期限内退回交办并说明理由。",
                            "项问题交办"),
    NoticeKind.ESCALATION: ("提级通知", "已提级，列入该层级下次会议议题。", "项问题提级"),
    NoticeKind.REMINDER: ("督办通知", "已超过办结期限，亮红灯，请即办理并在系统中报送进展；确需延期的请申请延期。",
                          "项问题超期"),
    NoticeKind.DECISION: ("会议议定通知", "经会议议定，请按议定事项牵头或配合办理，并在期限内报送进展。", "项议定事项"),
    NoticeKind.EXTENSION_REQUEST: ("延期申请", "责任单位申请延长办结期限，请专班办公室审核。", "项延期申请"),
    NoticeKind.EXTENSION_APPROVED: ("延期批复", "延期申请已批准，请在新的期限内办结。", "项延期获批"),
    NoticeKind.RESOLUTION: ("申请办结", "责任单位已申请办结，请核实后销号或退回重办。", "项申请办结"),
    NoticeKind.REWORK: ("退回重办", "办结申请未通过核实，已退回重办，请继续办理。", "项退回重办"),
    NoticeKind.CLOSURE: ("销号通知", "问题已核实销号。", "项问题销号"),
}


def addressed(rule: NoticeRule, item: NoticeItem, to: Recipients) -> list[tuple[str | None, tuple[str, ...]]]:
    """The groups (a unit, or the district's when None) one item's notice goes to, with whom each @s."""
    lead = item.brief.lead_unit
    found: list[tuple[str | None, tuple[str, ...]]] = []
    for audience in rule.audiences:
        match audience:
            case Audience.LEAD_UNIT if lead:
                found.append((lead, tuple(to.handlers.get(lead, ()))))
            case Audience.LEAD_UNIT_HEADS if lead:
                found.append((lead, tuple(to.heads.get(lead, ()))))
            case Audience.CO_UNITS:
                found.extend((unit, tuple(to.handlers.get(unit, ()))) for unit in item.co_units if unit != lead)
            case Audience.SECRETARIAT:
                found.append((None, tuple(to.secretariat)))
            case Audience.RAISER if item.raised_by:
                name, unit = to.people.get(item.raised_by, (item.raised_by, None))
                found.append((unit, (name,)))
            case Audience.DISTRICT:
                found.append((None, ()))
    merged: dict[str | None, tuple[str, ...]] = {}
    for unit, names in found:  # one message per group, however many audiences meet there
        merged[unit] = tuple(dict.fromkeys((*merged.get(unit, ()), *names)))
    return list(merged.items())


def _policy_line(item: NoticeItem) -> str:
    extra = f"；{item.detail}" if item.detail else ""
    reason = f"；说明：{item.reason}" if item.reason else ""
    return f"{_problem_line(item.brief)}{extra}{reason}"


def policy_notices(
    rule: NoticeRule, items: Sequence[NoticeItem], to: Recipients, *, batch_key: str | None = None,
    always_digest: bool = False, noun: str = "问题",
) -> list[Notice]:
    """The messages an action's items call for: one per receiving group (`noun`: what the items are).

    A group that receives one item gets that item's message (keyed by the item and its event); a
    group that receives several from one batch (an import, a meeting's close, a sweep) gets one
    digest keyed by the batch, so that robots are not flooded.
    """
    groups: dict[str | None, tuple[list[NoticeItem], list[str]]] = {}
    primary: dict[str, str | None] = {}
    for item in items:
        targets = addressed(rule, item, to)
        if targets:
            primary[item.brief.id] = targets[0][0]
        for unit, names in targets:
            listed, mentions = groups.setdefault(unit, ([], []))
            listed.append(item)
            mentions.extend(n for n in names if n not in mentions)
    if rule.wording is not None:
        title, ask, counted = rule.wording.title, rule.wording.ask, rule.wording.counted
    else:
        title, ask, counted = _POLICY_TEXT[rule.kind]
    notices: list[Notice] = []
    for unit, (listed, mentions) in groups.items():
        group_name = to.unit_names.get(unit, unit) if unit else "全区调度群"
        if len(listed) == 1 and not always_digest:
            item = listed[0]
            key = f"{item.action}:{item.brief.id}:{item.seq}"
            if unit != primary[item.brief.id]:  # the item's first group keeps the plain key
                key += f":{unit or 'district'}"
            heading = f"{title}：{item.brief.id}"
        else:
            first = batch_key or _batch_digest(listed)
            key = f"{first}:{listed[0].action}" + (f":{unit}" if unit else "")
            heading = f"{title}：{group_name} {len(listed)} {counted}"
        body = _lines(f"#### {heading}", f"**{group_name}**：以下{noun}{ask}",
                      _listed([i.brief for i in listed], _line_of(listed)), _mention_line(mentions))
        notices.append(Notice(key=key[:120], kind=rule.kind, title=heading, body=body, unit=unit,
                              problem_id=listed[0].brief.id if len(listed) == 1 else None,
                              mentions=tuple(mentions),
                              mobiles=tuple(to.mobiles[n] for n in mentions if n in to.mobiles)))
    return notices


def _line_of(items: Sequence[NoticeItem]) -> Callable[[ProblemBrief], str]:
    by_id = {item.brief.id: item for item in items}
    return lambda brief: _policy_line(by_id[brief.id])


def _batch_digest(items: Sequence[NoticeItem]) -> str:
    ids = ",".join(f"{i.brief.id}:{i.seq}" for i in items)
    return "batch:" + hashlib.sha256(ids.encode("utf-8")).hexdigest()[:20]
