"""The escalation queue, the dashboard, meetings with their minutes, and the reports to download."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from coordination.domain.enums import Level, Role
from coordination.domain.errors import InvalidInput, NotFound
from coordination.domain.periods import Cadence, Period, last_complete, parse_period
from coordination.services import issue_reads, meeting_reads, reports, todo
from coordination.web import charts
from coordination.web.auth import Identity, lang_of, page_identity
from coordination.web.pages_common import Pager, page, page_number

router = APIRouter(include_in_schema=False)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CADENCE_NAMES = {Cadence.WEEKLY: ("周汇报", "Weekly report"), Cadence.MONTHLY: ("月分析", "Monthly analysis"),
                 Cadence.QUARTERLY: ("季调度", "Quarterly dispatch"), Cadence.ANNUAL: ("年度总结", "Annual figures")}
PERIOD_EXAMPLES = {Cadence.WEEKLY: "2024-W15", Cadence.MONTHLY: "2024-04", Cadence.QUARTERLY: "2024Q2",
                   Cadence.ANNUAL: "2024"}


@router.get("/queue", response_class=HTMLResponse)
def queue(request: Request, identity: Annotated[Identity, Depends(page_identity)],
          leader: str = "", level: str = "", unit: str = "") -> HTMLResponse:
    """提级问题队列: escalated open problems this person sees, most urgent first."""
    number = page_number(request.query_params.get("page"))
    rung: Level | None = None
    if level:
        try:
            rung = Level.parse(level)
        except ValueError:
            raise InvalidInput(f"层级无效：{level}（应为 L1–L5）", f"invalid level {level} (L1–L5)") from None
    size = issue_reads.QUEUE_PAGE_SIZE
    found = issue_reads.escalation_queue(
        identity.reader(), today=identity.caller.today, viewer=identity.viewer,
        filters=issue_reads.QueueFilter(leader=leader.strip() or None, level=rung, unit=unit.strip() or None),
        limit=size, offset=(number - 1) * size)
    keep = tuple((k, v) for k, v in (("leader", leader), ("level", level), ("unit", unit)) if v)
    return page(request, identity, "queue.html", {
        "items": found.items, "pager": Pager(number, size, found.total, "/queue", keep),
        "chosen": {"leader": leader, "level": str(int(rung)) if rung else "", "unit": unit},
    })


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, identity: Annotated[Identity, Depends(page_identity)]) -> HTMLResponse:
    """总览: lights, the weekly trend, the most overdue units, the projects furthest behind 序时进度."""
    lang = lang_of(request)
    found = todo.dashboard(identity.reader(), today=identity.caller.today, viewer=identity.viewer)
    names = todo.names(identity.reader())
    figures = charts.Figures(lang, names.units, names.projects)
    return page(request, identity, "dashboard.html", {
        "d": found, "outbox_alarm": _outbox_alarm(identity, names.roles.get(identity.handle, frozenset()), lang),
        "charts": {
            "lights": figures.lights(found.lights),
            "weeks": figures.weeks(found.weeks),
            "units": figures.units(found.units),
            "behind": figures.behind(found.behind[:8], str(found.board.as_of)),
        },
    })


def _outbox_alarm(identity: Identity, roles: frozenset[Role], lang: str) -> str | None:
    """Messages waiting past outbox.alarm_minutes, for those who fix robots and requeue messages."""
    from coordination.render.outbox_alarm import alarm_sentence
    from coordination.services.outbox_alarm import pending_alarm

    if not roles & {Role.ADMIN, Role.SECRETARIAT}:
        return None
    alarm = pending_alarm(identity.reader(), now=identity.now)
    return alarm_sentence(alarm, lang) if alarm is not None else None


# ---- meetings ------------------------------------------------------------------------------


@router.get("/meetings", response_class=HTMLResponse)
def meeting_list(request: Request, identity: Annotated[Identity, Depends(page_identity)],
                 year: str = "") -> HTMLResponse:
    """会议: one year's meetings (this year's by default), each with its agenda and decisions, and the minutes."""
    today = identity.caller.today
    if year and not (year.isdigit() and 2000 <= int(year) <= 2100):
        raise InvalidInput(f"年份无效：{year}", f"invalid year: {year}")
    chosen = int(year) if year else today.year
    # The service keeps the meetings and agenda items this person sees (their chair's, or those on
    # which a problem they see is discussed).
    shown = meeting_reads.list_meetings(identity.reader(), today=today, year=chosen, viewer=identity.viewer)
    return page(request, identity, "meetings.html", {"meetings": shown, "year": chosen,
                                                     "this_year": today.year})


def _download(content: bytes, media_type: str, filename: str, fallback: str) -> Response:
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition,
                                                              "Cache-Control": "no-store"})


@router.get("/meetings/{meeting_id}/minutes.docx")
def minutes(meeting_id: str, identity: Annotated[Identity, Depends(page_identity)]) -> Response:
    """会议纪要 as a Word document (the items this person sees)."""
    from coordination.render.minutes import minutes_docx

    view = meeting_reads.show_meeting(identity.reader(), meeting_id=meeting_id, today=identity.caller.today,
                                 viewer=identity.viewer)
    with tempfile.TemporaryDirectory(prefix="coord-minutes-") as folder:
        path = minutes_docx(view.to_json(), Path(folder) / "minutes.docx")
        content = path.read_bytes()
    return _download(content, DOCX, f"{view.id}-会议纪要.docx", f"{view.id}-minutes.docx")


# ---- reports -------------------------------------------------------------------------------


def _period(cadence: Cadence, text: str, today: Any) -> Period:
    return parse_period(cadence, text) if text.strip() else last_complete(cadence, today)


@router.get("/reports", response_class=HTMLResponse)
def report_list(request: Request, identity: Annotated[Identity, Depends(page_identity)]) -> HTMLResponse:
    """报告: this week's 周汇报 (the last complete week) and the other cadences, as Word and Excel."""
    today = identity.caller.today
    rows = [{"cadence": c, "names": CADENCE_NAMES[c], "period": last_complete(c, today),
             "example": PERIOD_EXAMPLES[c]} for c in Cadence]
    return page(request, identity, "reports.html", {"rows": rows})


@router.get("/reports/{file_name}")
def report_file(request: Request, file_name: str, identity: Annotated[Identity, Depends(page_identity)],
                period: str = "") -> Response:
    """/reports/weekly.docx, /reports/monthly.xlsx, …: the report of what this person sees (?period= another)."""
    from coordination.render import report as render

    stem, _, suffix = file_name.partition(".")
    try:
        cadence = Cadence(stem)
    except ValueError:
        raise NotFound(f"报告 {file_name} 不存在", f"no report {file_name}") from None
    if suffix not in ("docx", "xlsx"):
        raise NotFound(f"报告 {file_name} 不存在", f"no report {file_name}")
    lang = lang_of(request)
    chosen = _period(cadence, period[:20], identity.caller.today)
    built = reports.build(identity.reader(), cadence=cadence, period=chosen, viewer=identity.viewer)
    with tempfile.TemporaryDirectory(prefix="coord-report-") as folder:
        target = Path(folder) / f"report.{suffix}"
        if suffix == "xlsx":  # Excel holds every line; Word the first lines of each list
            render.xlsx(render.document(built.to_json(), lang), target, lang)
        else:
            render.docx(render.document(built.to_json(head=render.LIST_CAP), lang), target, lang, render.LIST_CAP)
        content = target.read_bytes()
    title = render.report_title(cadence.value, lang)
    return _download(content, XLSX if suffix == "xlsx" else DOCX, f"{title}-{chosen.name}.{suffix}",
                     f"{cadence.value}-{chosen.name}.{suffix}")
