"""Small charts drawn on the server as inline SVG: no script, nothing fetched, readable on a phone.

Each chart is a `Markup` string whose colours come from classes in static/coord.css; every figure
is also written as text (labels and numbers), so a chart never carries meaning by colour alone.
All text is escaped here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

from coordination.domain.enums import Light
from coordination.domain.labels import label
from coordination.services.projects import ProjectWithFigures
from coordination.services.todo import UnitLoad, WeekFlow

WIDTH = 360  # the viewBox's width: a phone's width, so that 12-unit text reads as 12 px there
LIGHT_ORDER = (Light.RED, Light.YELLOW, Light.GREEN)


def _svg(height: float, title: str, body: str) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height:g}" role="img" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{body}</svg>")


def _text(x: float, y: float, text: object, cls: str = "c-text", anchor: str = "start") -> str:
    return f'<text x="{x:g}" y="{y:g}" class="{cls}" text-anchor="{anchor}">{escape(str(text))}</text>'


def _rect(x: float, y: float, w: float, h: float, cls: str) -> str:
    return f'<rect x="{x:g}" y="{y:g}" width="{max(w, 0):g}" height="{max(h, 0):g}" class="{cls}"/>'


def _empty(text: str) -> Markup:
    return Markup(f'<p class="empty">{escape(text)}</p>')


@dataclass(frozen=True)
class Figures:
    """The dashboard's charts in one language, with the names of units and projects."""

    lang: str
    units_by_code: dict[str, str]
    projects_by_code: dict[str, str]

    def t(self, zh: str, en: str) -> str:
        return en if self.lang == "en" else zh

    def lights(self, counts: dict[str, int]) -> Markup:
        """A ring of the open problems' lights, the total in the middle and a legend beside it."""
        total = sum(counts.get(light.value, 0) for light in LIGHT_ORDER)
        title = self.t("在办问题亮灯", "Lights of the problems in hand")
        if total == 0:
            return _empty(self.t("暂无有期限的在办问题", "No open problem has a due date"))
        cx, cy = 60, 60
        parts: list[str] = []
        start = 25.0  # a circle's stroke begins at three o'clock: move it to twelve
        for light in LIGHT_ORDER:
            share = counts.get(light.value, 0) * 100 / total
            if share:  # pathLength 100: the dash lengths are percentages of the ring
                parts.append(f'<circle cx="{cx}" cy="{cy}" r="44" pathLength="100" fill="none" '
                             f'class="ring c-{light.value}" stroke-width="16" '
                             f'stroke-dasharray="{share:.3f} {100 - share:.3f}" stroke-dashoffset="{start:.3f}"/>')
                start -= share
        parts.append(_text(cx, cy + 2, total, "c-total", "middle"))
        parts.append(_text(cx, cy + 18, self.t("个在办", "open"), "c-small", "middle"))
        for row, light in enumerate(LIGHT_ORDER):
            y = 34 + row * 30
            parts.append(_rect(140, y - 12, 14, 14, f"c-{light.value}"))
            parts.append(_text(162, y, f"{label(light, self.lang)}  {counts.get(light.value, 0)}"))
        return _svg(120, title, "".join(parts))

    def weeks(self, flows: Sequence[WeekFlow]) -> Markup:
        """New and finished problems per week (bars side by side), the current week last."""
        title = self.t("每周新增与办结", "New and finished per week")
        if not flows:
            return _empty(self.t("暂无数据", "No data"))
        top = max(1, *(max(f.new, f.finished) for f in flows))
        left, bottom, height = 28, 150, 120
        step = (WIDTH - left - 4) / len(flows)
        bar = min(14.0, step / 3)
        parts: list[str] = []
        for tick in sorted({0, top // 2, top}):
            y = bottom - tick * height / top
            parts.append(f'<line x1="{left}" x2="{WIDTH - 4}" y1="{y:g}" y2="{y:g}" class="c-grid"/>')
            parts.append(_text(left - 4, y + 4, tick, "c-small", "end"))
        for index, flow in enumerate(flows):
            x = left + index * step + step / 2
            for offset, value, cls in ((-bar, flow.new, "c-new"), (0.0, flow.finished, "c-done")):
                h = value * height / top
                parts.append(_rect(x + offset, bottom - h, bar, h, cls))
                if value:
                    parts.append(_text(x + offset + bar / 2, bottom - h - 3, value, "c-small", "middle"))
            parts.append(_text(x, bottom + 16, f"{flow.first.month}/{flow.first.day}", "c-small", "middle"))
        legend_y = 188
        parts.append(_rect(left, legend_y - 10, 12, 12, "c-new"))
        parts.append(_text(left + 16, legend_y, self.t("新增", "new")))
        parts.append(_rect(left + 80, legend_y - 10, 12, 12, "c-done"))
        parts.append(_text(left + 96, legend_y, self.t("销号/解释办结", "closed")))
        return _svg(196, title, "".join(parts))

    def units(self, loads: Sequence[UnitLoad]) -> Markup:
        """Units leading the most red (then yellow) problems: the name above, red and yellow bars below."""
        title = self.t("超期问题最多的责任单位", "Units with the most overdue problems")
        if not loads:
            return _empty(self.t("没有红灯或黄灯问题", "No red or yellow problems"))
        top = max(1, *(u.red + u.yellow for u in loads))
        usable = WIDTH - 70
        parts: list[str] = []
        for row, load in enumerate(loads):
            y = row * 40
            parts.append(_text(0, y + 14, self.units_by_code.get(load.unit, load.unit)))
            red_w = load.red * usable / top
            yellow_w = load.yellow * usable / top
            parts.append(_rect(0, y + 20, red_w, 12, "c-red"))
            parts.append(_rect(red_w, y + 20, yellow_w, 12, "c-yellow"))
            parts.append(_text(red_w + yellow_w + 6, y + 31, self.t(f"红 {load.red} · 黄 {load.yellow}",
                                                                     f"red {load.red} · yellow {load.yellow}"),
                               "c-small"))
        return _svg(len(loads) * 40 + 4, title, "".join(parts))

    def behind(self, rows: Sequence[ProjectWithFigures], as_of: str) -> Markup:
        """Projects furthest behind 序时进度: 完成率 as a bar, the time target as a mark on it."""
        title = self.t(f"落后序时进度最多的项目（截至 {as_of}）", f"Projects furthest behind schedule ({as_of})")
        if not rows:
            return _empty(self.t(f"截至 {as_of} 尚无项目录入年度计划与完成投资",
                                 f"No project has an annual plan and progress recorded to {as_of}"))
        scale = WIDTH - 8  # 100 % of the year's plan
        parts: list[str] = []
        for row, item in enumerate(rows):
            figures = item.figures
            y = row * 52
            done = min(figures.completion_rate or Decimal(0), Decimal(100))
            target = min(figures.target, Decimal(100))
            cls = f"c-{figures.light.value}" if figures.light else "c-none"
            name = self.projects_by_code.get(item.project.code, item.project.code)
            parts.append(_text(0, y + 14, name if len(name) <= 26 else name[:25] + "…"))
            parts.append(_rect(0, y + 20, scale, 12, "c-track"))
            parts.append(_rect(0, y + 20, float(done) * scale / 100, 12, cls))
            mark = float(target) * scale / 100
            parts.append(f'<line x1="{mark:g}" x2="{mark:g}" y1="{y + 16}" y2="{y + 36}" class="c-target"/>')
            gap = figures.gap or Decimal(0)
            parts.append(_text(0, y + 48, self.t(
                f"完成率 {_pct(figures.completion_rate)} · 序时进度 {_pct(figures.target)} · 落后 {_num(gap)} 个百分点",
                f"done {_pct(figures.completion_rate)} · target {_pct(figures.target)} · {_num(gap)} points behind"),
                "c-small"))
        return _svg(len(rows) * 52 + 4, title, "".join(parts))


def _num(value: Decimal) -> str:
    return f"{value:.1f}"


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.1f}%"
