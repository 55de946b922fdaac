"""The monthly analysis's 指标监测 section: each indicator watched, the month's figure, target, light and
the year so far, as one table of the report's document model (so Markdown, the terminal, Excel and Word
all show it)."""

from __future__ import annotations

from typing import Any

from coordination.domain.enums import Light
from coordination.domain.labels import label
from coordination.render.indicators import figure, signed
from coordination.render.report import Column, Table

COLUMNS = [
    Column("name", "指标", "Indicator"),
    Column("lead_unit_name", "填报单位", "Reporting unit"),
    Column("value", "当月数值", "This month"),
    Column("change", "较上月", "Change"),
    Column("target", "目标", "Target"),
    Column("light_label", "亮灯", "Light"),
    Column("trend_text", "年内走势", "Year so far"),
]


def indicator_table(items: list[dict[str, Any]], lang: str = "zh") -> Table:
    """One row per indicator; a month without a figure reads 未填报 and has no light."""
    zh = lang != "en"
    rows = []
    for item in items:
        measure, light = item["measure"], item.get("light")
        missing = "未填报" if zh else "not reported"
        value = figure(item["value"], measure) if item.get("value") is not None else missing
        trend = " → ".join(figure(p["value"], measure) for p in item["trend"])
        rows.append({**item, "value": value, "change": signed(item.get("change")) if item.get("value") else "—",
                     "target": figure(item["target"], measure), "light": light,
                     "light_label": label(Light(light), lang) if light else "—", "trend_text": trend or "—"})
    return Table("指标监测", "Indicators", COLUMNS, rows, "指标监测" if zh else "Indicators")
