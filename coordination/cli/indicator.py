"""`coord indicator …`: indicators (指标监测) watched month by month against their targets."""

from __future__ import annotations

from typing import Annotated

import typer

from coordination.cli.context import AppState, JsonOption, state
from coordination.domain.enums import Light
from coordination.domain.indicator_workflow import IndicatorState
from coordination.domain.labels import label
from coordination.domain.parsing import accepted, parse_indicator_state, parse_light
from coordination.render import indicators as screens

app = typer.Typer(help="指标监测：新增、逐月填报、调整目标、停止监测（亮灯） / indicators watched against their "
                       "targets.", no_args_is_help=True)

CodeArgument = Annotated[str, typer.Argument(metavar="CODE", help="指标代码，如 FAI / indicator code")]
VersionOption = Annotated[int | None, typer.Option("--version", help="你看到的版本号 / the version you saw")]
ReasonOption = Annotated[str | None, typer.Option("--reason", "-m", help="理由 / reason")]


def _print(app_state: AppState, data: dict[str, object], as_json: bool, message: str | None) -> None:
    if as_json:
        app_state.emit_json(data)
        return
    app_state.out.print(screens.indicator_detail(data, app_state.lang, app_state.name_book))
    if message:
        app_state.note(message)


def _light_words(light: str | None, lang: str) -> str:
    return label(Light(light), lang) if light else ("无亮灯" if lang == "zh" else "no light")


@app.command("add")
def add(
    ctx: typer.Context,
    code: CodeArgument,
    name: Annotated[str, typer.Argument(metavar="NAME", help="指标名称 / name")],
    measure: Annotated[str, typer.Option("--unit", "--measure", help="计量单位，如 % 或 亿元 / the figure's unit")],
    target: Annotated[str, typer.Option("--target", help="目标值，如 8.5 / target")],
    tolerance: Annotated[str | None, typer.Option(
        "--tolerance", help="容差：落后目标不超过此数亮黄灯（默认 1） / how far behind is still yellow")] = None,
    lower_is_better: Annotated[bool, typer.Option(
        "--lower-is-better", help="数值越低越好（如能耗） / a lower figure is better")] = False,
    lead_unit: Annotated[str | None, typer.Option(
        "--lead-unit", help="填报单位（默认本人所在单位） / reporting unit (default: your own)")] = None,
    as_json: bool = JsonOption,
) -> None:
    """新增一项监测指标 / watch a new indicator."""
    from coordination.services import indicators

    app_state = state(ctx)
    view = indicators.add_indicator(app_state.uow(), caller=app_state.caller(), code=code, name=name,
                                    measure=measure, target=target, tolerance=tolerance,
                                    higher_is_better=not lower_is_better, lead_unit=app_state.unit(lead_unit))
    _print(app_state, view.to_json(), as_json, app_state.t(f"已新增指标：{view.code}", f"indicator added: {view.code}"))


@app.command("record")
def record(
    ctx: typer.Context,
    code: CodeArgument,
    month: Annotated[str, typer.Option("--month", help="月份，如 2026-10 或 2026年10月 / month")],
    value: Annotated[str, typer.Option("--value", help="数值，如 7.9 或 -2.25 / the figure")],
    version: VersionOption = None,
    as_json: bool = JsonOption,
) -> None:
    """填报某月数据（填报以前月份即为更正） / record a month's figure (an earlier month corrects it)."""
    from coordination.services import indicators

    app_state = state(ctx)
    view = indicators.record_value(app_state.uow(), caller=app_state.caller(), code=code, month=month, value=value,
                                   expected_version=version)
    data = view.to_json()
    latest = screens.figure(data["latest_value"], data["measure"])
    _print(app_state, data, as_json, app_state.t(
        f"已填报：{view.code}，最新 {data['latest_month']} 为 {latest}（{_light_words(data['light'], 'zh')}）",
        f"recorded: {view.code}, latest {data['latest_month']} = {latest} ({_light_words(data['light'], 'en')})"))


@app.command("retarget")
def retarget(
    ctx: typer.Context,
    code: CodeArgument,
    target: Annotated[str | None, typer.Option("--target", help="新的目标值 / new target")] = None,
    tolerance: Annotated[str | None, typer.Option("--tolerance", help="新的容差 / new tolerance")] = None,
    reason: ReasonOption = None,
    version: VersionOption = None,
    as_json: bool = JsonOption,
) -> None:
    """调整目标或容差，须写明理由 / adjust the target or tolerance, with a reason."""
    from coordination.services import indicators

    app_state = state(ctx)
    view = indicators.retarget(app_state.uow(), caller=app_state.caller(), code=code, target=target,
                               tolerance=tolerance, reason=reason, expected_version=version)
    target_text = screens.figure(view.record["target"], view.record["measure"])
    _print(app_state, view.to_json(), as_json, app_state.t(
        f"已调整目标：{view.code} 目标 {target_text}，容差 {view.record['tolerance']}",
        f"retargeted: {view.code} target {target_text}, tolerance {view.record['tolerance']}"))


@app.command("retire")
def retire(
    ctx: typer.Context,
    code: CodeArgument,
    reason: ReasonOption = None,
    version: VersionOption = None,
    as_json: bool = JsonOption,
) -> None:
    """停止监测，须写明理由 / stop watching the indicator, with a reason."""
    from coordination.services import indicators

    app_state = state(ctx)
    view = indicators.retire(app_state.uow(), caller=app_state.caller(), code=code, reason=reason,
                             expected_version=version)
    _print(app_state, view.to_json(), as_json, app_state.t(
        f"已停止监测：{view.code} → {label(view.state, 'zh')}", f"retired: {view.code} → {label(view.state, 'en')}"))


@app.command("list")
def list_(
    ctx: typer.Context,
    state_: Annotated[str | None, typer.Option(
        "--state", help=f"状态 / state：{accepted(IndicatorState)}")] = None,
    unit: Annotated[str | None, typer.Option("--lead-unit", help="填报单位 / reporting unit")] = None,
    light: Annotated[str | None, typer.Option("--light", help=f"亮灯 / light：{accepted(Light)}（红、黄、绿）")] = None,
    as_json: bool = JsonOption,
) -> None:
    """指标清单：最新数据、目标、亮灯 / list indicators with their latest figure and light."""
    from coordination.services import indicators

    app_state = state(ctx)
    views = indicators.list_indicators(app_state.reader(), state=parse_indicator_state(state_) if state_ else None,
                                       unit=app_state.unit(unit), light=parse_light(light) if light else None)
    rows = [v.to_json() for v in views]
    if as_json:
        app_state.emit_json(rows)
    else:
        app_state.out.print(screens.indicators_table(rows, app_state.lang, app_state.name_book))


@app.command("show")
def show(ctx: typer.Context, code: CodeArgument, as_json: bool = JsonOption) -> None:
    """指标详情：逐月数据、较上月变化、亮灯与完整经过 / an indicator with its months and timeline."""
    from coordination.services import indicators

    app_state = state(ctx)
    detail = indicators.show_indicator(app_state.reader(), code=code)
    _print(app_state, detail.to_json(), as_json, None)


@app.command("history")
def history(ctx: typer.Context, code: CodeArgument, as_json: bool = JsonOption) -> None:
    """审计事件（按顺序） / the indicator's audit events, oldest first."""
    from coordination.services import indicators

    app_state = state(ctx)
    detail = indicators.show_indicator(app_state.reader(), code=code)
    events = [e.to_json() for e in detail.timeline]
    if as_json:
        app_state.emit_json(events)
    else:
        app_state.out.print(screens.history_table(events, detail.indicator.record["measure"], app_state.lang,
                                                  app_state.name_book, with_origin=True))
