"""Rich renderings of project investment figures and of ledger imports. Never touch the database."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text

from coordination.domain.enums import Light, ProjectKind, ProjectLevel
from coordination.domain.investment import Grouping, StartStatus
from coordination.domain.labels import label, word
from coordination.render.fit import Cell, Col, Fit, Fitted, Place, fields
from coordination.render.names import NameBook
from coordination.render.terminal import light_text, none_text


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


def _group_name(grouping: str, key: str | None, lang: str, names: NameBook) -> str:
    if key is None:
        return word("all_projects" if grouping == Grouping.ALL.value else "unclassified", lang)
    if grouping == Grouping.LEVEL.value:
        return label(ProjectLevel(key), lang)
    if grouping == Grouping.KIND.value:
        return label(ProjectKind(key), lang)
    if grouping == Grouping.LOCALITY.value:
        return names.unit(key)
    if grouping == Grouping.LEADER.value:
        return names.person(key)
    return key


def _figure(key: str, lang: str, *, narrow: int | None = None) -> Col:
    """An amount, a rate or a count: whole and right-aligned. A narrower table leaves out the counts
    marked `narrow` (its caption says which); the records a narrow terminal gets show them all."""
    return Col(word(key, lang), Fit.WHOLE, justify="right", narrow=narrow, merge=False)


def projects_board(data: dict[str, Any], lang: str, names: NameBook) -> Group:
    """Each project's 完成率 against 序时进度 and its light, then the portfolio's 开工率 and 完成率."""
    columns = [
        Col(word("code", lang), Fit.WHOLE, place=Place.HEAD, style="bold"),
        Col(word("name", lang), least=16, place=Place.HEAD, host=True),
        Col(word("level", lang), Fit.WORDS, narrow=1),
        Col(word("project_kind", lang), Fit.WORDS, narrow=1),
        _figure("total_investment", lang),
        _figure("annual_plan", lang),
        _figure("done_ytd", lang),
        _figure("completion_rate", lang),
        _figure("time_target", lang),
        _figure("gap", lang),
        Col(word("light", lang), Fit.WHOLE),
        Col(word("start", lang), Fit.WORDS, narrow=1),
    ]
    rows: list[list[Cell]] = []
    for row in data["projects"]:
        figures = row["figures"]
        rows.append([
            row["code"], row["name"], label(ProjectLevel(row["level"]), lang),
            label(ProjectKind(row["kind"]), lang) if row.get("kind") else "—", _num(row.get("total_investment_wan")),
            _num(figures["annual_plan_wan"]), _num(figures["done_ytd_wan"]), _num(figures["completion_rate"]),
            _num(figures["target"]), _gap(figures["gap"]), light_text(figures["light"], lang),
            _start(figures["start"], lang),
        ])
    table = Fitted(columns, rows, title=word("portfolio", lang).format(month=data["as_of"]), empty=none_text(lang),
                   lang=lang)
    return Group(table, Text(""), portfolio_table(data["groups"], lang, names))


def portfolio_table(groups: Sequence[dict[str, Any]], lang: str, names: NameBook) -> Fitted:
    grouping = groups[0]["grouping"] if groups else Grouping.ALL.value
    title = {"level": "by_level", "kind": "by_kind", "locality": "by_locality", "leader": "by_leader"}.get(grouping)
    columns = [
        Col("", least=8, place=Place.HEAD, host=True, style="bold"),
        _figure("projects_count", lang),
        _figure("total_investment", lang),
        _figure("planned_to_start", lang, narrow=1),
        _figure("started", lang, narrow=1),
        _figure("start_rate", lang),
        _figure("annual_plan", lang),
        _figure("done_ytd", lang),
        _figure("completion_rate", lang),
        _figure("time_target", lang),
        _figure("gap", lang),
        Col(word("light", lang), Fit.WHOLE),
        # How many projects show each light: the header names the order, so no colour is needed.
        Col("红/黄/绿" if lang == "zh" else "R/Y/G", Fit.WHOLE, justify="right"),
        _figure("completed_in_year", lang, narrow=1),
        _figure("produced_in_year", lang, narrow=1),
    ]
    rows: list[list[Cell]] = []
    for group in groups:
        lights = group["lights"]
        rows.append([
            _group_name(group["grouping"], group["key"], lang, names), str(group["projects"]),
            _num(group["total_investment_wan"]), str(group["planned_to_start"]), str(group["started"]),
            _num(group["start_rate"]), _num(group["annual_plan_wan"]), _num(group["done_ytd_wan"]),
            _num(group["completion_rate"]), _num(group["target"]), _gap(group["gap"]),
            light_text(group["light"], lang), "/".join(str(lights[light.value]) for light in _LIGHT_ORDER),
            str(group["completed_in_year"]), str(group["produced_in_year"]),
        ])
    return Fitted(columns, rows, title=word(title, lang) if title else None, empty=none_text(lang), lang=lang)


_LIGHT_ORDER = (Light.RED, Light.YELLOW, Light.GREEN)


def project_figures(data: dict[str, Any], lang: str) -> Group:
    """One project's investment facts, its figures, and its months."""
    figures = data["figures"]
    pairs: list[tuple[str, Cell]] = [
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
    parts: list[RenderableType] = [Panel(fields(pairs), title=word("investment", lang), title_align="left")]
    if data.get("months"):
        months = Fitted([Col(word("month", lang), Fit.WHOLE, place=Place.HEAD), _figure("done_month", lang)],
                        [[entry["month"], entry["completed_wan"]] for entry in data["months"]],
                        title=word("monthly_progress", lang), spaced=False, lang=lang)
        parts.append(months)
    return Group(*parts)


def ledger_issues(issues: Sequence[dict[str, Any]], lang: str, *, title_key: str) -> Fitted:
    columns = [Col(word("sheet", lang), least=8, place=Place.HEAD), Col(word("row", lang), Fit.WHOLE, place=Place.HEAD),
               Col(word("column", lang), least=8, place=Place.HEAD), Col(word("reason", lang), least=16,
                                                                         place=Place.LINE)]
    rows: list[list[Cell]] = []
    for issue in issues:
        column = issue["column"] or ""
        if issue.get("header"):
            column = f"{column} {issue['header']}".strip()
        rows.append([issue["sheet"], str(issue["row"] or ""), column,
                     issue["message_en"] if lang == "en" else issue["message"]])
    return Fitted(columns, rows, title=word(title_key, lang), spaced=False, lang=lang)


def import_summary(data: dict[str, Any], lang: str) -> str:
    """One paragraph: what the import changed (or would change, on a dry run); printed as markup, so the
    file's name is escaped."""
    from rich.markup import escape

    if not data["changed"]:
        return ("台账与 coord 一致，没有需要写入的变化（{rows} 行）。" if lang == "zh"
                else "the ledger matches coord: nothing to write ({rows} rows).").format(rows=data["rows"])
    values = {
        "file": escape(str(data["file"])), "created": len(data["projects_created"]),
        "updated": len(data["projects_updated"]),
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
