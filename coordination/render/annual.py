"""The annual summary's paragraph, written like the district's own document with coord's figures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

_KIND_ZH = {"industry": "产业类", "livelihood": "社会民生类", "infrastructure": "基础设施类"}
_LEVEL_ZH = {"provincial": "省重点", "municipal": "市重点", "district": "区重点"}


def yi(wan: str | None) -> str:
    """万元 text → 亿元 with two decimals (12000 → 1.20)."""
    if wan is None:
        return "0"
    value = (Decimal(wan) / Decimal(10000)).quantize(Decimal("0.01"))
    return format(value, "f")


def annual_paragraph(year: int, figures: dict[str, Any]) -> str:
    parts = [
        f"{year}年，强化对重点项目、重点企业的监测调度{figures['monitoring']}次，"
        f"及时发现项目推进中存在的突出问题{figures['problems_found']}项，"
        f"科学有效提出对策建议{figures['suggestions']}条。",
        f"完善重大产业项目“1＋2＋N”推进机制，提请区领导共会办{figures['district_leader_meetings']}次，"
        f"推动帮办单位主要领导会办{figures['unit_head_meetings']}次，解决实质性问题{figures['problems_solved']}个。",
    ]
    projects = figures.get("projects")
    if projects:
        everything = projects["all"]
        kinds = [f"{_KIND_ZH[g['key']]}项目{g['projects']}个，总投资{yi(g['total_investment_wan'])}亿元"
                 for g in projects["by_kind"] if g["key"] in _KIND_ZH]
        sentence = f"共实施续建、新建项目{everything['projects']}个，总投资{yi(everything['total_investment_wan'])}亿元"
        parts.append(sentence + ("。其中：" + "，".join(kinds) + "。" if kinds else "。"))
        for group in projects["by_level"]:
            if group["key"] not in ("provincial", "municipal"):
                continue
            start_rate = group["start_rate"] if group["start_rate"] is not None else "—"
            completion = group["completion_rate"] if group["completion_rate"] is not None else "—"
            parts.append(
                f"{_LEVEL_ZH[group['key']]}{group['projects']}个，总投资{yi(group['total_investment_wan'])}亿，"
                f"年度计划{yi(group['annual_plan_wan'])}亿，已开工{group['started']}个，开工率{start_rate}％，"
                f"完成投资{yi(group['done_ytd_wan'])}亿，完成率{completion}％。")
        parts.append(f"全年已竣工投产项目{projects['completed_or_produced']}个。")
    return "".join(parts)
