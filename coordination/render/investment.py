"""Rich renderings of project investment figures and of ledger imports. Never touch the database."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from coordination.domain.enums import Light, ProjectKind, ProjectLevel
from coordination.domain.investment import Grouping, StartStatus
from coordination.domain.labels import label, word
from coordination.render.terminal import light_text


def _num(value: str | None) -> str:
    return value if value is not None else "—"


def _gap(value: str | None) -> Text:
    if value is None:
        return Text("—", style="dim")
    return Text(value, style="red" if not value.startswith("-") and value != "0.0" else "green")


def _start(value: str, lang: str) -> Text:
    status = StartStatus(value)
    style = {StartStatus.STARTED: "green", StartStatus.LATE: "bold red", StartStatus.PENDING: "dim"}[status]
    return Text(label(status, lang), style=style)


def _group_name(grouping: str, key: str | None, lang: str) -> str:
    if key is None:
        return word("all_projects" if grouping == Grouping.ALL.value else "unclassified", lang)
    if grouping == Grouping.LEVEL.value:
        return label(ProjectLevel(key), lang)
    if grouping == Grouping.KIND.value:
        return label(ProjectKind(key), lang)
    return key


def projects_board(data: dict[str, Any], lang: str) -> Group:
    """Each project's 完成率 against 序时进度 and its light, then the portfolio's 开工率 and 完成率."""
    table = Table(title=word("portfolio", lang).format(month=data["as_of"]), header_style="bold",
                  box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left")
    keys = ("code", "name", "level", "project_kind", "total_investment", "annual_plan", "done_ytd",
            "completion_rate", "time_target", "gap", "light", "start")
    numeric = ("total_investment", "annual_plan", "done_ytd", "completion_rate", "time_target", "gap")
    for key in keys:
        table.add_column(word(key, lang), overflow="fold", no_wrap=key != "name",
                         max_width=24 if key == "name" else None, justify="right" if key in numeric else "left")
    for row in data["projects"]:
        figures = row["figures"]
        table.add_row(
            row["code"], row["name"], label(ProjectLevel(row["level"]), lang),
            label(ProjectKind(row["kind"]), lang) if row.get("kind") else "—", _num(row.get("total_investment_wan")),
            _num(figures["annual_plan_wan"]), _num(figures["done_ytd_wan"]), _num(figures["completion_rate"]),
            _num(figures["target"]), _gap(figures["gap"]), light_text(figures["light"], lang),
            _start(figures["start"], lang),
        )
    if not data["projects"]:
        table.caption = "（无）" if lang == "zh" else "(none)"
    return Group(table, portfolio_table(data["groups"], lang))


def portfolio_table(groups: Sequence[dict[str, Any]], lang: str) -> Table:
    grouping = groups[0]["grouping"] if groups else Grouping.ALL.value
    title = {"level": "by_level", "kind": "by_kind", "locality": "by_locality", "leader": "by_leader"}.get(grouping)
    table = Table(title=word(title, lang) if title else None, header_style="bold", box=box.SIMPLE_HEAD,
                  pad_edge=False, title_justify="left")
    keys = ("projects_count", "total_investment", "planned_to_start", "started", "start_rate", "annual_plan",
            "done_ytd", "completion_rate", "time_target", "gap", "light", "completed_in_year", "produced_in_year")
    table.add_column("")
    for key in keys:
        table.add_column(word(key, lang), justify="left" if key == "light" else "right")
    for group in groups:
        lights = group["lights"]
        counts = Text(" ").join(Text(f"●{lights[light.value]}", style={"green": "green", "yellow": "yellow",
                                                                       "red": "bold red"}[light.value])
                                for light in Light)
        table.add_row(
            _group_name(group["grouping"], group["key"], lang), str(group["projects"]),
            _num(group["total_investment_wan"]), str(group["planned_to_start"]), str(group["started"]),
            _num(group["start_rate"]), _num(group["annual_plan_wan"]), _num(group["done_ytd_wan"]),
            _num(group["completion_rate"]), _num(group["target"]), _gap(group["gap"]),
            Text.assemble(light_text(group["light"], lang), " ", counts), str(group["completed_in_year"]),
            str(group["produced_in_year"]),
        )
    return table


def project_figures(data: dict[str, Any], lang: str) -> Group:
    """One project's investment facts, its figures, and its months."""
    figures = data["figures"]
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    pairs: list[tuple[str, RenderableType | str]] = [
        (word("project_kind", lang), label(ProjectKind(data["kind"]), lang) if data.get("kind") else "—"),
        (word("total_investment", lang), _num(data.get("total_investment_wan"))),
        (word("in_stats", lang), word("yes" if data.get("in_stats") else "no", lang)),
    ]
    for key in ("planned_start", "actual_start", "planned_completion", "actual_completion", "planned_production",
                "actual_production"):
        if data.get(key):
            pairs.append((word(key, lang), str(data[key])))
    pairs += [
        (word("as_of", lang), figures["as_of"]),
        (word("annual_plan", lang), _num(figures["annual_plan_wan"])),
        (word("done_month", lang), _num(figures["done_month_wan"])),
        (word("done_ytd", lang), _num(figures["done_ytd_wan"])),
        (word("done_total", lang), _num(figures["done_total_wan"])),
        (word("completion_rate", lang), _num(figures["completion_rate"])),
        (word("time_target", lang), _num(figures["target"])),
        (word("gap", lang), _gap(figures["gap"])),
        (word("light", lang), light_text(figures["light"], lang)),
        (word("start", lang), _start(figures["start"], lang)),
    ]
    for key, value in pairs:
        grid.add_row(key, value)
    parts: list[RenderableType] = [Panel(grid, title=word("investment", lang), title_align="left")]
    if data.get("months"):
        months = Table(title=word("monthly_progress", lang), header_style="bold", box=box.SIMPLE_HEAD,
                       pad_edge=False, title_justify="left")
        months.add_column(word("month", lang))
        months.add_column(word("done_month", lang), justify="right")
        for entry in data["months"]:
            months.add_row(entry["month"], entry["completed_wan"])
        parts.append(months)
    return Group(*parts)


def ledger_issues(issues: Sequence[dict[str, Any]], lang: str, *, title_key: str) -> Table:
    table = Table(title=word(title_key, lang), header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False,
                  title_justify="left")
    for key in ("sheet", "row", "column", "reason"):
        table.add_column(word(key, lang), overflow="fold", no_wrap=key != "reason")
    for issue in issues:
        column = issue["column"] or ""
        if issue.get("header"):
            column = f"{column} {issue['header']}".strip()
        table.add_row(issue["sheet"], str(issue["row"] or ""), column,
                      issue["message_en"] if lang == "en" else issue["message"])
    return table


def import_summary(data: dict[str, Any], lang: str) -> str:
    """One paragraph: what the import changed (or would change, on a dry run)."""
    if not data["changed"]:
        return ("台账与 coord 一致，没有需要写入的变化（{rows} 行）。" if lang == "zh"
                else "the ledger matches coord: nothing to write ({rows} rows).").format(rows=data["rows"])
    values = {
        "file": data["file"], "created": len(data["projects_created"]), "updated": len(data["projects_updated"]),
        "plans": data["plans_changed"], "progress": data["progress_changed"], "raised": len(data["problems_raised"]),
        "assigned": len(data["problems_assigned"]), "unchanged": data["unchanged_rows"], "events": data["events"],
        "origin": data["origin"],
    }
    if lang == "en":
        head = "dry run, nothing written: would import" if data["dry_run"] else "imported"
        return (f"{head} {values['file']}: {values['created']} projects added, {values['updated']} updated, "
                f"{values['plans']} annual plans, {values['progress']} months of progress, {values['raised']} problems "
                f"raised, {values['assigned']} assigned; {values['unchanged']} rows unchanged; {values['events']} "
                f"audit events (origin {values['origin']}).")
    head = "试导入（未写入）：将导入" if data["dry_run"] else "已导入"
    return (f"{head} {values['file']}：新增项目 {values['created']} 个，更新项目 {values['updated']} 个，"
            f"年度计划 {values['plans']} 条，月度投资 {values['progress']} 条，新增问题 {values['raised']} 个，"
            f"交办 {values['assigned']} 个；{values['unchanged']} 行无变化；审计事件 {values['events']} 条"
            f"（来源 {values['origin']}）。")
