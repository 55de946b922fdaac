"""Publishing a report: files in the reports folder, an audit event, and a notice in the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import select

from coordination.domain.notices import report_notice
from coordination.domain.periods import Cadence, Period
from coordination.models import AuditEvent
from coordination.render import report as render
from coordination.services import outbox, reports, settings
from coordination.services.common import Caller
from coordination.services.writer import append_event
from coordination.uow import UnitOfWork

FILE_NAMES = {Cadence.WEEKLY: "周汇报", Cadence.MONTHLY: "月分析", Cadence.QUARTERLY: "季调度",
              Cadence.ANNUAL: "年度情况"}


@dataclass(frozen=True)
class Published:
    cadence: Cadence
    period: Period
    files: list[Path]
    markdown: str
    report: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"cadence": self.cadence.value, "period": self.period.name, "files": [str(f) for f in self.files]}


def reports_folder(uow: UnitOfWork, override: str | None = None) -> Path:
    """`override`, else the setting reports.folder, else `reports` in coord's data directory."""
    if override:
        return Path(override)
    with uow:
        return Path(settings.reports_folder(uow.session))


def already_published(uow: UnitOfWork, cadence: Cadence, period: Period) -> bool:
    """Whether the report of `period` has been published (its `publish` event in the report stream)."""
    with uow:
        found = uow.session.exec(select(AuditEvent.id).where(
            AuditEvent.stream_type == "report", AuditEvent.stream_id == f"{cadence.value}:{period.name}",
            AuditEvent.action == "publish").limit(1)).first()
        return found is not None


def publish(uow: UnitOfWork, *, caller: Caller, cadence: Cadence, period: Period, folder: Path) -> Published:
    """Compute the report, write .md, .xlsx and .docx, then record the publication and its notice."""
    data = reports.build(uow, cadence=cadence, period=period).to_json()
    doc = render.document(data)
    stem = folder / f"{FILE_NAMES[cadence]}-{period.name}"
    markdown = render.markdown(doc)
    folder.mkdir(parents=True, exist_ok=True)
    md_path = stem.with_suffix(".md")
    md_path.write_text(markdown, encoding="utf-8")
    files = [md_path, render.xlsx(doc, stem.with_suffix(".xlsx")), render.docx(doc, stem.with_suffix(".docx"))]
    totals = data["problems"]["totals"]
    summary = (f"新增问题 {totals['new']} 个，办结销号 {totals['closed']} 个，期末在办 {totals['in_hand_end']} 个"
               f"（超期 {totals['overdue']} 个），提级 {totals['escalations']} 次。")
    if doc.footer:  # the latest audit checkpoint's fingerprint: the chat holds a copy too
        summary += f"\n\n{doc.footer}"
    with uow:
        session = uow.session
        append_event(session, stream_type="report", stream_id=f"{cadence.value}:{period.name}", action="publish",
                     caller=caller, changes={"files": [f.name for f in files], "totals": totals})
        outbox.enqueue(session, report_notice(cadence=cadence.value, period_name=period.name, title=doc.title,
                                              period_label=doc.period, summary=summary,
                                              files=[f.name for f in files]), caller=caller)
        uow.commit()
    return Published(cadence, period, files, markdown, data)
