"""`coord plan …` and `coord task …`: plans and policy documents, and the plan tasks (重点任务) decomposed from them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

import typer

from coordination.cli.context import AppState, JsonOption, StrictOption, state
from coordination.domain.enums import Light
from coordination.domain.labels import label
from coordination.domain.parsing import DATE_FORMS, accepted, parse_day, parse_light, parse_plan_kind, parse_task_state
from coordination.domain.task import TaskInput
from coordination.domain.task_workflow import TASK_WORKFLOW, PlanKind, TaskAction, TaskState
from coordination.domain.workdays import ChosenDate
from coordination.render import tasks as screens
from coordination.render import terminal

plan_app = typer.Typer(help="规划与政策文件：登记、查看 / plans and policy documents.", no_args_is_help=True)
task_app = typer.Typer(help="重点任务：分解下达、签收、报送进展、申请完成、确认完成 / plan tasks through their life.",
                       no_args_is_help=True)

ReasonOption = Annotated[str | None, typer.Option("--reason", "--note", "-m", help="说明 / reason or note")]
VersionOption = Annotated[int | None, typer.Option(
    "--version", help="你看到的版本号；若已被他人修改则拒绝 / the version you saw")]
IdArgument = Annotated[str, typer.Argument(metavar="ID", help="任务编号，如 T-2026-0001 / task number")]


def _due(app_state: AppState, text: str | None) -> date | None:
    return None if text is None else parse_day(text, today=app_state.today(), option="--due")


# ---- plans -----------------------------------------------------------------------------------


@plan_app.command("add")
def plan_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="代码，如 SSW-ZQ / code")],
    name: Annotated[str, typer.Argument(help="名称，如 “十四五”规划中期评估任务分解 / name")],
    kind: Annotated[str, typer.Option("--kind", help=f"类型 / kind：{accepted(PlanKind)}")] = PlanKind.PLAN.value,
    as_json: bool = JsonOption,
) -> None:
    """登记规划或政策文件 / register a plan or a policy document."""
    from coordination.services import plans

    app_state = state(ctx)
    view = plans.add_plan(app_state.uow(), caller=app_state.caller(), code=code, name=name,
                          kind=parse_plan_kind(kind))
    if as_json:
        app_state.emit_json(view.to_json())
        return
    app_state.note(app_state.t(f"已登记{label(view.kind, 'zh')}：{view.code} {view.name}",
                               f"registered {label(view.kind, 'en')}: {view.code} {view.name}"))


@plan_app.command("list")
def plan_list(
    ctx: typer.Context,
    kind: Annotated[str | None, typer.Option("--kind", help=f"类型 / kind：{accepted(PlanKind)}")] = None,
    as_json: bool = JsonOption,
) -> None:
    """规划与政策文件清单（含任务数） / plans with their task counts."""
    from coordination.services import plans

    app_state = state(ctx)
    rows = [p.to_json() for p in plans.list_plans(app_state.reader(),
                                                  kind=parse_plan_kind(kind) if kind else None)]
    if as_json:
        app_state.emit_json(rows)
    else:
        app_state.out.print(screens.plans_table(rows, app_state.lang))


@plan_app.command("show")
def plan_show(
    ctx: typer.Context,
    plan: Annotated[str, typer.Argument(metavar="CODE", help="代码或名称 / code or name")],
    as_json: bool = JsonOption,
) -> None:
    """规划详情及其任务 / a plan with its tasks."""
    from coordination.services import plans, tasks

    app_state = state(ctx)
    view = plans.show_plan(app_state.reader(), plan=plan)
    rows = [t.to_json() for t in tasks.list_tasks(app_state.reader(), today=app_state.today(),
                                                  filters=tasks.TaskFilter(plan=view.code))]
    if as_json:
        app_state.emit_json({**view.to_json(), "task_list": rows})
    else:
        app_state.out.print(screens.plan_detail(view.to_json(), app_state.lang, app_state.name_book, rows))


# ---- tasks -----------------------------------------------------------------------------------


def _print_task(app_state: AppState, data: dict[str, object], as_json: bool, message: str | None) -> None:
    if as_json:
        app_state.emit_json(data)
        return
    app_state.out.print(screens.task_detail(data, app_state.lang, app_state.name_book))
    if message:
        app_state.note(message)


@task_app.command("add")
def task_add(
    ctx: typer.Context,
    plan: Annotated[str, typer.Option("--plan", "-p", help="所属规划或政策文件（代码或名称） / plan")],
    title: Annotated[str, typer.Option("--title", "-t", help="任务名称 / task")],
    unit: Annotated[str, typer.Option("--unit", "-u", help="牵头单位代码或简称 / lead unit")],
    due: Annotated[str, typer.Option("--due", help=f"完成期限，如 {DATE_FORMS} / due date")],
    co_units: Annotated[str | None, typer.Option("--co-units", help="配合单位 U1,U2 / co-units")] = None,
    detail: Annotated[str | None, typer.Option("--detail", "-d", help="任务内容与目标 / detail")] = None,
    strict: bool = StrictOption,
    as_json: bool = JsonOption,
) -> None:
    """分解下达一项重点任务 / decompose a task from a plan to its lead unit."""
    from coordination.services import tasks

    app_state = state(ctx)
    lead = app_state.names.unit(unit)
    helpers = tuple(app_state.units(co_units))
    day = parse_day(due, today=app_state.today(), option="--due")
    day_off = app_state.check_chosen_date(day, ChosenDate.DUE, strict=strict)
    view = tasks.add_task(app_state.uow(), caller=app_state.caller(), plan=plan, title=title, lead_unit=lead,
                          co_units=helpers, due=day, detail=detail)
    _print_task(app_state, view.to_json(), as_json, app_state.t(f"已分解下达：{view.id}", f"added: {view.id}"))
    app_state.warn_chosen_date(day_off)


def _act(ctx: typer.Context, action: TaskAction, task_id: str, inputs: TaskInput, version: int | None,
         as_json: bool) -> None:
    from coordination.services import tasks

    app_state = state(ctx)
    view = tasks.act_on_task(app_state.uow(), caller=app_state.caller(), task_id=task_id, action=action,
                             inputs=inputs, expected_version=version)
    done = app_state.t(f"已{label(action, 'zh')}：{view.id} → {label(view.state, 'zh')}",
                       f"{label(action, 'en')}: {view.id} → {label(view.state, 'en')}")
    _print_task(app_state, view.to_json(), as_json, done)


def _simple(action: TaskAction, help_text: str) -> Callable[..., None]:
    def command(
        ctx: typer.Context,
        task_id: IdArgument,
        reason: ReasonOption = None,
        version: VersionOption = None,
        as_json: bool = JsonOption,
    ) -> None:
        _act(ctx, action, task_id, TaskInput(reason=reason), version, as_json)

    command.__doc__ = help_text
    return command


# The verbs of `coord issue` where the act is the same.
for _name, _action, _help in (
    ("ack", TaskAction.ACKNOWLEDGE, "牵头单位签收 / the lead unit signs for the task."),
    ("progress", TaskAction.PROGRESS, "报送进展（每月至少一次） / report progress (at least monthly)."),
    ("resolve", TaskAction.RESOLVE, "申请完成 / submit the task as completed."),
    ("verify", TaskAction.VERIFY, "专班办公室确认完成 / the secretariat verifies completion."),
    ("reject", TaskAction.REJECT, "退回，继续推进 / return the completion request."),
):
    task_app.command(_name)(_simple(_action, _help))


@task_app.command("adjust")
def task_adjust(
    ctx: typer.Context,
    task_id: IdArgument,
    reason: ReasonOption = None,
    title: Annotated[str | None, typer.Option("--title", "-t", help="新的任务名称 / new title")] = None,
    detail: Annotated[str | None, typer.Option("--detail", "-d", help="新的任务内容 / new detail")] = None,
    due: Annotated[str | None, typer.Option("--due", help=f"新的完成期限，如 {DATE_FORMS} / new due date")] = None,
    co_units: Annotated[str | None, typer.Option(
        "--co-units", help="新的配合单位 U1,U2（写 none 清空） / new co-units (none: no co-unit)")] = None,
    version: VersionOption = None,
    strict: bool = StrictOption,
    as_json: bool = JsonOption,
) -> None:
    """调整任务（名称、内容、配合单位或完成期限），须说明理由 / adjust a task, with a reason."""
    app_state = state(ctx)
    helpers: tuple[str, ...] | None = None
    if co_units is not None:
        helpers = () if co_units.strip().lower() in ("none", "无") else tuple(app_state.units(co_units))
    day = _due(app_state, due)
    day_off = app_state.check_chosen_date(day, ChosenDate.DUE, strict=strict)
    _act(ctx, TaskAction.ADJUST, task_id, TaskInput(reason=reason, title=title, detail=detail, due=day,
                                                    co_units=helpers), version, as_json)
    app_state.warn_chosen_date(day_off)


@task_app.command("list")
def task_list(
    ctx: typer.Context,
    plan: Annotated[str | None, typer.Option("--plan", "-p", help="规划代码或名称 / plan")] = None,
    state_: Annotated[str | None, typer.Option("--state", help=f"状态 / state：{accepted(TaskState)}")] = None,
    unit: Annotated[str | None, typer.Option("--unit", "-u", help="牵头单位代码或简称 / lead unit")] = None,
    light: Annotated[str | None, typer.Option("--light", help=f"亮灯 / light：{accepted(Light)}（红、黄、绿）")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="只看在办 / open tasks only")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100000)] = 500,
    as_json: bool = JsonOption,
) -> None:
    """重点任务清单 / list plan tasks."""
    from coordination.services import tasks

    app_state = state(ctx)
    filters = tasks.TaskFilter(plan=plan, state=parse_task_state(state_) if state_ else None,
                               unit=app_state.unit(unit), light=parse_light(light) if light else None,
                               open_only=open_only, limit=limit)
    rows = [v.to_json() for v in tasks.list_tasks(app_state.reader(), today=app_state.today(), filters=filters)]
    if as_json:
        app_state.emit_json(rows)
    else:
        app_state.out.print(screens.tasks_table(rows, app_state.lang, app_state.name_book))


@task_app.command("show")
def task_show(ctx: typer.Context, task_id: IdArgument, as_json: bool = JsonOption) -> None:
    """任务详情与完整经过 / a task with its full timeline."""
    from coordination.services import tasks

    app_state = state(ctx)
    detail = tasks.show_task(app_state.reader(), task_id=task_id, today=app_state.today())
    _print_task(app_state, detail.to_json(), as_json, None)


@task_app.command("history")
def task_history(ctx: typer.Context, task_id: IdArgument, as_json: bool = JsonOption) -> None:
    """审计事件（按顺序） / the task's audit events, oldest first."""
    from coordination.services import tasks

    app_state = state(ctx)
    events = [e.to_json() for e in tasks.task_history(app_state.reader(), task_id=task_id)]
    if as_json:
        app_state.emit_json(events)
    else:
        app_state.out.print(terminal.timeline_table(events, app_state.lang, app_state.name_book, with_origin=True,
                                                    workflow=TASK_WORKFLOW))
