"""The text of notifications sent to the districts' group robots (DingTalk, WeCom), in Chinese.

Pure: each function takes the facts and returns a Notice; the outbox stores it, delivery sends it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from coordination.domain.enums import Level
from coordination.domain.labels import label


class NoticeKind:
    REMINDER = "reminder"  # 督办
    ESCALATION = "escalation"  # 提级
    ASSIGNMENT = "assignment"  # 交办
    VERIFICATION = "verification"  # 催办销号
    MEETING = "meeting"  # 会议通知 (meetings)
    REPORT = "report"  # 周汇报 / 月分析 (reports)


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


@dataclass(frozen=True)
class ProblemBrief:
    """What a message says about a problem."""

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
    return f"- **{problem.id}**「{problem.title}」（{problem.project_name}），期限 {problem.due_date}"


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
