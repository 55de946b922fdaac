"""Merged cells of a ledger sheet, applied as its rows stream by (ledger_sheets.py).

A value merged down a column (a project's name over its problems) belongs to every row of the range; a
range across several template columns is allowed only over 合计 rows; merged header cells are refused.
Excel never overlaps ranges, so at most one range per column is active at any row: more means a forged
file, and the sheet is not read further.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coordination.domain.ledger import is_total_row
from coordination.services.ledger_reading import Issues, LedgerIssue, letter


@dataclass
class Merge:
    """A merged range below the header, 1-based; `top` is its value, read with its first row."""

    min_row: int
    min_col: int
    max_row: int
    max_col: int
    across: bool = False  # covers more than one template column
    top: Any = None
    told: bool = False

    @property
    def ref(self) -> str:
        return f"{letter(self.min_col - 1)}{self.min_row}:{letter(self.max_col - 1)}{self.max_row}"


class Merges:
    """The sheet's merged ranges that reach below its header; those begun and not yet ended are active."""

    def __init__(self, sheet: str, header_row: int, known: set[int], ranges: list[tuple[int, int, int, int]],
                 issues: Issues, columns: int) -> None:
        self.sheet, self.issues, self.columns = sheet, issues, columns
        self.upcoming: list[Merge] = []  # by first row, the last first: popped as their first row arrives
        self.active: list[Merge] = []
        self.overlapping = False
        for min_row, min_col, max_row, max_col in ranges:
            merge = Merge(min_row, min_col, max_row, max_col)
            if max_row < header_row or min_col > columns:
                continue  # a title above the table, or past the columns read
            if min_row <= header_row:
                issues.append(LedgerIssue(sheet, header_row, letter(min_col - 1), None,
                                          f"表头有合并单元格 {merge.ref}：请取消合并，每列只保留一行表头",
                                          f"merged header cells {merge.ref}: unmerge them, one header cell per column"))
                continue
            merge.across = len({c - 1 for c in range(min_col, min(max_col, columns) + 1)} & known) > 1
            self.upcoming.append(merge)
        self.upcoming.sort(key=lambda m: m.min_row, reverse=True)

    @property
    def pending(self) -> bool:
        return bool(self.upcoming or self.active)

    def fill(self, cells: tuple[Any, ...], number: int) -> tuple[Any, ...]:
        """Row `number` with the values merged down its columns filled in."""
        while self.upcoming and self.upcoming[-1].min_row <= number:
            merge = self.upcoming.pop()
            if merge.min_row == number:
                merge.top = cells[merge.min_col - 1]
            self.active.append(merge)
        if any(m.max_row < number for m in self.active):
            self.active = [m for m in self.active if m.max_row >= number]
        if len(self.active) > self.columns:
            self.overlapping = True
            return cells
        filled: list[Any] | None = None
        for merge in self.active:
            if merge.across:
                if not merge.told and not is_total_row(cells):
                    merge.told = True
                    self.issues.append(LedgerIssue(self.sheet, merge.min_row, letter(merge.min_col - 1), None,
                                                   f"合并单元格 {merge.ref} 跨了多列：请取消合并",
                                                   f"merged cells {merge.ref} span several columns: unmerge them"))
            elif number > merge.min_row:
                if filled is None:
                    filled = list(cells)
                filled[merge.min_col - 1] = merge.top
        return cells if filled is None else tuple(filled)
