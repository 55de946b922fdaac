"""The ledger export's sheets for the other kinds of tracked work: 重点任务, 专项规划, 项目备案, 资金争取,
引导资金发放 and 对上汇报. Each is a title and its columns, for people to read: the import does not read
them back (their work is done in coord), so it skips any sheet bearing one of these titles.

Pure: names and headers only; services/ledger_kinds.py fills the rows, render/xlsx.py writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Shown(StrEnum):
    """How a column's cells are shown: the workbook gives each its number format."""

    TEXT = "text"
    DATE = "date"
    WAN = "wan"  # 万元, exact to the 元 (four decimals at most)
    YUAN = "yuan"  # whole 元


@dataclass(frozen=True)
class ReadingColumn:
    key: str
    header: str
    shown: Shown = Shown.TEXT
    width: int = 12  # the least width, in characters (a CJK character counts 2)


@dataclass(frozen=True)
class ReadingSheet:
    key: str  # the kind's key, as domain/kinds.py names it
    title: str
    columns: tuple[ReadingColumn, ...]


def _text(key: str, header: str, width: int = 12) -> ReadingColumn:
    return ReadingColumn(key, header, Shown.TEXT, width)


def _day(key: str, header: str) -> ReadingColumn:
    return ReadingColumn(key, header, Shown.DATE, max(12, len(header) * 2 + 2))


TASKS = ReadingSheet("task", "重点任务", (
    _text("id", "任务编号", 14), _text("plan", "规划/文件", 30), _text("title", "任务", 40),
    _text("lead_unit", "牵头单位", 18), _text("co_units", "配合单位", 24), _text("state", "状态", 10),
    _day("due_date", "完成期限"), _text("light", "亮灯", 8),
))

SPECIAL_PLANS = ReadingSheet("special_plan", "专项规划", (
    _text("code", "规划代码", 12), _text("name", "规划名称", 32), _text("lead_unit", "编制牵头单位", 18),
    _text("state", "阶段", 14), _day("added_on", "立项编制日期"),
    _day("reviewed_on", "专家评审日期"), _text("review_document", "专家评审文件", 24),
    _day("deliberated_on", "常务会审议日期"), _text("deliberation_document", "常务会审议会议", 24),
    _day("issued_on", "印发日期"), _text("issue_document", "印发文件", 24),
))

FILINGS = ReadingSheet("filing", "项目备案", (
    _text("id", "备案编号", 14), _text("project_name", "项目名称", 30), _text("enterprise", "企业", 24),
    _text("lead_unit", "受理单位", 18), _text("state", "状态", 10), _day("received_on", "受理日期"),
    _day("due_date", "办理时限"), _day("finished_on", "办结/退回日期"), _text("on_time", "是否按时", 10),
    _text("light", "亮灯", 8),
))

FUNDS = ReadingSheet("fund", "资金争取", (
    _text("code", "编号", 12), _text("name", "名称", 32), _text("source", "资金来源", 10),
    _text("fund_type", "资金类型", 12), _text("project", "项目编号", 12), _text("project_name", "项目名称", 30),
    _text("lead_unit", "申报单位", 18), _text("state", "阶段", 10), _day("added_on", "入库日期"),
    _day("prepared_on", "前期推进日期"), _day("applied_on", "审核申报日期"), _day("granted_on", "计划下达日期"),
    _day("evaluated_on", "绩效评估日期"), _day("closed_on", "终止日期"),
    ReadingColumn("granted_wan", "下达金额（万元）", Shown.WAN, 16),
    ReadingColumn("granted_yuan", "下达金额（元）", Shown.YUAN, 16), _text("grant_document", "下达文件", 24),
))

DISBURSEMENTS = ReadingSheet("disbursement", "引导资金发放", (
    _text("id", "发放编号", 14), _text("enterprise", "企业", 30),
    ReadingColumn("amount_wan", "金额（万元）", Shown.WAN, 14),
    ReadingColumn("amount_yuan", "金额（元）", Shown.YUAN, 14),
    _day("paid_on", "发放日期"), _text("lead_unit", "发放单位", 18),
))

UPWARD_REPORTS = ReadingSheet("upward_report", "对上汇报", (
    _text("id", "汇报编号", 14), _text("to_office", "汇报对象", 20), _day("reported_on", "汇报日期"),
    _text("topic", "汇报事项", 40), _text("lead_unit", "汇报单位", 18),
))

READING_SHEETS: tuple[ReadingSheet, ...] = (TASKS, SPECIAL_PLANS, FILINGS, FUNDS, DISBURSEMENTS, UPWARD_REPORTS)
EXPORT_ONLY_TITLES: frozenset[str] = frozenset(s.title for s in READING_SHEETS)
GUIDE_LINE = ("导出的台账另附 " + "、".join(s.title for s in READING_SHEETS)
              + " 等表，列出 coord 中的其他工作，仅供查阅；导入时不读取这些表（这些工作请在 coord 中办理）。")
