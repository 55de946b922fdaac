"""`coord serve` in the terminal: the deployments with their next runs, the configuration checks, and what
the start repaired (late runs collapsed, missed slots caught up). Pure renderers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from rich import box
from rich.table import Table
from rich.text import Text

from coordination.domain.schedules import TIMEZONE, ZONE

if TYPE_CHECKING:
    from coordination.services.readiness import Check, DeploymentRow
    from flows.catch_up import Repair


def _when(moment: datetime | None) -> str:
    return moment.astimezone(ZONE).strftime("%Y-%m-%d %H:%M") if moment else "—"


def deployments_table(rows: Sequence[DeploymentRow], lang: str) -> Table:
    """Each deployment's name whole (as `prefect deployment run` takes it) with its next run, then what it does
    with its cron: whole at 80 columns."""
    en = lang == "en"
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", caption=(
        f"Times are {TIMEZONE}; on demand: prefect deployment run NAME -p …" if en else
        f"北京时间（{TIMEZONE}）；按需运行：prefect deployment run 名称 -p …"))
    table.add_column("Deployment / what it does" if en else "部署 / 内容", overflow="fold")
    table.add_column("Next run / cron" if en else "下次运行 / 时间表", no_wrap=True)
    for row in rows:
        table.add_row(Text(f"{row.name}/{row.name}", style="bold"),
                      _when(row.next_run) if row.cron else ("on demand" if en else "按需运行"))
        table.add_row(Text(f"  {row.en if en else row.zh}", style="dim"), Text(row.cron or "", style="dim"),
                      end_section=True)
    return table


def check_lines(checks: Sequence[Check], lang: str) -> list[str]:
    """One line per finding, blocking ones first; a single line when every deployment is ready."""
    if not checks:
        return ["All deployments are configured" if lang == "en" else "全部部署配置就绪"]
    lines = []
    for check in checks:
        zh, en = ("无法运行", "cannot run") if check.blocking else ("提醒", "warning")
        mark = en if lang == "en" else zh
        lines.append(f"{check.deployment}（{mark}）：{check.en if lang == 'en' else check.zh}")
    return lines


def repair_lines(repairs: Sequence[Repair], lang: str) -> list[str]:
    """What the start did about late runs and missed slots, one line per deployment it touched."""
    lines = []
    for repair in repairs:
        if repair.cancelled:
            count = len(repair.cancelled) + 1
            lines.append(f"{repair.deployment}: {count} late runs collapsed into one" if lang == "en"
                         else f"{repair.deployment}：{count} 次迟到的运行合并为一次")
        if repair.slot is not None:
            slot = _when(repair.slot)
            lines.append(f"{repair.deployment}: the run of {slot} was missed while coord was down; it runs once now "
                         "(tag catch-up)" if lang == "en" else
                         f"{repair.deployment}：{slot} 的运行在 coord 停止期间错过，现补跑一次（标签 catch-up）")
    return lines
