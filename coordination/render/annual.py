"""The annual summary's blanks as a table, and the line that names the kinds with no records that year.

The summary's paragraphs come written in the report's JSON (`annual.paragraphs`); here only what the
formats show around them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def blank_rows(blanks: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per blank: the summary's phrase with the blank marked, the figure as written, its unit
    and how it was computed."""
    return [{"phrase": b["phrase"], "value": b["figure"], "unit": b["unit"], "method": b["method"]}
            for b in blanks]


def closing_line(missing_kinds: Sequence[dict[str, str]], lang: str = "zh") -> str | None:
    """What a report says last when some kinds hold no records for the year: their figures read 0."""
    if not missing_kinds:
        return None
    if lang == "en":
        return f"No records this year: {', '.join(k['label_en'] for k in missing_kinds)} (their figures read 0)."
    return f"本年度尚无记录：{'、'.join(k['label'] for k in missing_kinds)}（相关数字按0填写）。"
