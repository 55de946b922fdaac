"""`coord meeting …`: plan a coordination meeting, record decisions, close and publish the minutes."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from coordination.cli.context import AppState, JsonOption, StrictOption, fail, state
from coordination.domain.hygiene import check_year
from coordination.domain.meetings import (
    DecisionInput,
    MeetingKind,
    MeetingState,
    Outcome,
)
from coordination.domain.parsing import (
    DATE_FORMS,
    accepted,
    parse_day,
    parse_meeting_kind,
    parse_meeting_state,
)
from coordination.domain.workdays import ChosenDate
from coordination.render import terminal

app = typer.Typer(help="协调会议：会商、会办、专题会与会议纪要 / coordination meetings and minutes.",
                  no_args_is_help=True)


def _date(app_state: AppState, text: str, option: str) -> date:
    return parse_day(text, today=app_state.today(), option=option)


def _print(app_state: AppState, data: dict[str, Any], as_json: bool, message: str | None = None) -> None:
    if as_json:
        app_state.emit_json(data)
        return
    app_state.out.print(terminal.meeting_detail(data, app_state.lang, app_state.name_book))
    if message:
        app_state.note(message)


@app.command()
def plan(
    ctx: typer.Context,
    kind: Annotated[str, typer.Option("--kind", help=f"会议类型 / kind：{accepted(MeetingKind)}")],
    held_on: Annotated[str, typer.Option("--date", help=f"会议日期，如 {DATE_FORMS} / date")],
    chair: Annotated[str, typer.Option("--chair", help="主持人账号或姓名 / chair")],
    notify: Annotated[bool, typer.Option("--notify", help="向议程涉及的单位发会议通知 / notify the units")] = False,
    strict: bool = StrictOption,
    as_json: bool = JsonOption,
) -> None:
    """制定会议议程（自动列入本层级待会办问题） / plan a meeting with its agenda."""
    from coordination.services import meetings

    app_state = state(ctx)
    day = _date(app_state, held_on, "--date")
    day_off = app_state.check_chosen_date(day, ChosenDate.MEETING, strict=strict)
    view = meetings.plan_meeting(app_state.uow(), caller=app_state.caller(), kind=parse_meeting_kind(kind),
                                 held_on=day, chair=app_state.names.person(chair), notify=notify)
    _print(app_state, view.to_json(), as_json, app_state.t(
        f"已制定会议 {view.id}，议程 {len(view.agenda)} 项", f"planned {view.id}: {len(view.agenda)} items"))
    app_state.warn_chosen_date(day_off)


@app.command()
def add(ctx: typer.Context, meeting_id: Annotated[str, typer.Argument(metavar="MEETING")],
        problem_id: Annotated[str, typer.Argument(metavar="ID")], as_json: bool = JsonOption) -> None:
    """会前增加议程 / add a problem to the agenda."""
    _agenda(ctx, meeting_id, problem_id, True, as_json)


@app.command()
def drop(ctx: typer.Context, meeting_id: Annotated[str, typer.Argument(metavar="MEETING")],
         problem_id: Annotated[str, typer.Argument(metavar="ID")], as_json: bool = JsonOption) -> None:
    """会前撤下议程 / drop a problem from the agenda."""
    _agenda(ctx, meeting_id, problem_id, False, as_json)


def _agenda(ctx: typer.Context, meeting_id: str, problem_id: str, add: bool, as_json: bool) -> None:
    from coordination.services import meetings

    app_state = state(ctx)
    view = meetings.change_agenda(app_state.uow(), caller=app_state.caller(), meeting_id=meeting_id,
                                  problem_id=problem_id, add=add)
    _print(app_state, view.to_json(), as_json)


@app.command()
def start(ctx: typer.Context, meeting_id: Annotated[str, typer.Argument(metavar="MEETING")],
          as_json: bool = JsonOption) -> None:
    """开会：议程锁定，可以记录议定事项 / open the meeting."""
    from coordination.services import meetings

    app_state = state(ctx)
    view = meetings.start_meeting(app_state.uow(), caller=app_state.caller(), meeting_id=meeting_id)
    _print(app_state, view.to_json(), as_json, app_state.t(f"会议 {view.id} 开始", f"{view.id} is open"))


@app.command()
def decide(
    ctx: typer.Context,
    meeting_id: Annotated[str, typer.Argument(metavar="MEETING")],
    problem_id: Annotated[str, typer.Argument(metavar="ID")],
    decision: Annotated[str, typer.Option("--decision", help="议定事项内容 / what was decided")],
    unit: Annotated[str | None, typer.Option("--unit", "-u", help="牵头单位代码或简称 / lead unit")] = None,
    co_units: Annotated[str | None, typer.Option("--co-units", help="配合单位 U1,U2")] = None,
    due: Annotated[str | None, typer.Option("--due", help=f"办结期限，如 {DATE_FORMS} / due date")] = None,
    escalate: Annotated[bool, typer.Option("--escalate", help="议定继续提级 / escalate further")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="议定解释办结 / close as explained")] = False,
    strict: bool = StrictOption,
    as_json: bool = JsonOption,
) -> None:
    """记录议定事项（主持人或专班办公室） / record a decision while the meeting is open."""
    from coordination.services import meetings

    if escalate and explain:
        fail("--escalate 与 --explain 只能选一个", "choose --escalate or --explain, not both")
    outcome = Outcome.ESCALATE if escalate else Outcome.EXPLAIN if explain else Outcome.ASSIGN
    app_state = state(ctx)
    due_day = _date(app_state, due, "--due") if due else None
    # Only a decision that assigns keeps its due date: escalating or explaining sets none.
    day_off = app_state.check_chosen_date(due_day if outcome is Outcome.ASSIGN else None, ChosenDate.DUE,
                                          strict=strict)
    view = meetings.decide(
        app_state.uow(), caller=app_state.caller(), meeting_id=meeting_id, problem_id=problem_id,
        decision=DecisionInput(outcome=outcome, text=decision,
                               unit=app_state.unit(unit) if unit and unit.strip() else None,
                               co_units=tuple(app_state.units(co_units)), due=due_day))
    _print(app_state, view.to_json(), as_json, app_state.t("已记录议定事项", "decision recorded"))
    app_state.warn_chosen_date(day_off)


@app.command()
def close(ctx: typer.Context, meeting_id: Annotated[str, typer.Argument(metavar="MEETING")],
          as_json: bool = JsonOption) -> None:
    """闭会：纪要编号定稿，议定事项逐项生效 / close: number the minutes and apply every decision."""
    from coordination.services import meetings

    app_state = state(ctx)
    view = meetings.close_meeting(app_state.uow(), caller=app_state.caller(), meeting_id=meeting_id)
    _print(app_state, view.to_json(), as_json, app_state.t(
        f"会议 {view.id} 已闭会，纪要 {view.number}，{len(view.applied)} 项议定事项已生效",
        f"{view.id} closed, minutes {view.number}, {len(view.applied)} decisions applied"))


@app.command("list")
def list_(
    ctx: typer.Context,
    kind: Annotated[str | None, typer.Option("--kind", help=f"会议类型 / kind：{accepted(MeetingKind)}")] = None,
    state_: Annotated[str | None, typer.Option(
        "--state", help=f"会议状态 / state：{accepted(MeetingState)}")] = None,
    year: Annotated[int | None, typer.Option("--year")] = None,
    as_json: bool = JsonOption,
) -> None:
    """会议清单 / list meetings."""
    from coordination.services import meeting_reads

    app_state = state(ctx)
    views = meeting_reads.list_meetings(app_state.reader(), today=app_state.today(),
                                        kind=parse_meeting_kind(kind) if kind else None,
                                        state=parse_meeting_state(state_) if state_ else None,
                                        year=None if year is None else check_year(year, option="--year"))
    rows = [v.to_json() for v in views]
    if as_json:
        app_state.emit_json(rows)
        return
    app_state.out.print(terminal.meetings_table(rows, app_state.lang, app_state.name_book))


@app.command()
def show(ctx: typer.Context, meeting_id: Annotated[str, typer.Argument(metavar="MEETING")],
         as_json: bool = JsonOption) -> None:
    """会议详情 / a meeting with its agenda and decisions."""
    from coordination.services import meeting_reads

    app_state = state(ctx)
    view = meeting_reads.show_meeting(app_state.reader(), meeting_id=meeting_id, today=app_state.today())
    _print(app_state, view.to_json(), as_json)


@app.command()
def minutes(
    ctx: typer.Context,
    meeting_id: Annotated[str, typer.Argument(metavar="MEETING")],
    format_: Annotated[str, typer.Option("--format", help="table | md | docx")] = "table",
    out: Annotated[Path | None, typer.Option("--out", help="输出文件 / output file")] = None,
    as_json: bool = JsonOption,
) -> None:
    """会议纪要：终端、Markdown 或 Word / the minutes in the terminal, as Markdown or as .docx."""
    from coordination.render.minutes import minutes_docx, minutes_markdown
    from coordination.services import meeting_reads

    app_state = state(ctx)
    if format_ not in ("table", "md", "docx"):
        fail(f"不支持的格式 {format_}（可选 table、md、docx）", f"unsupported format {format_} (table, md, docx)")
    data = meeting_reads.show_meeting(app_state.reader(), meeting_id=meeting_id, today=app_state.today()).to_json()
    if format_ == "docx":
        target = out or Path(f"{data['id']}-会议纪要.docx")
        minutes_docx(data, target)
        if as_json:
            app_state.emit_json({"meeting": data["id"], "file": str(target)})
        else:
            app_state.note(app_state.t(f"会议纪要已写入 {target}", f"minutes written to {target}"))
        return
    text = minutes_markdown(data)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        app_state.note(app_state.t(f"会议纪要已写入 {out}", f"minutes written to {out}"))
    if as_json:
        app_state.emit_json({"meeting": data["id"], "markdown": text, "file": str(out) if out else None})
    elif out is None:
        from rich.markdown import Markdown  # markdown-it costs 50 ms: only the minutes command pays it

        app_state.out.print(Markdown(text) if format_ == "table" else text, soft_wrap=True)
