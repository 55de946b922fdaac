"""The API's read-only views: the escalation queue, the dashboard, meetings, reports and the refusal log.

Each answers with the keys `coord … --json` prints, limited to what the caller sees.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path as FilePath
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, Response, StreamingResponse

from coordination.domain.enums import Level
from coordination.domain.errors import InvalidInput, NotFound
from coordination.domain.meetings import MeetingKind, MeetingState
from coordination.domain.periods import Cadence, last_complete, parse_period
from coordination.services import access, issue_reads, meeting_reads, reports
from coordination.web.api_common import Me, choice, errors, ok, parsed

router = APIRouter()

DASHBOARD_QUEUE = 10  # as `coord dashboard`: the most urgent escalated problems it lists
MAX_LIMIT = 500

REPORT_FORMATS = {
    "json": "application/json",
    "md": "text/markdown; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _level(text: str | None) -> Level | None:
    return parsed(Level.parse, text, f"层级无效：{text}（应为 L1–L5）", f"invalid level {text} (L1–L5)")


@router.get("/queue", tags=["提级队列 / queue"], summary="提级问题队列（按紧急程度） / the escalation queue",
            responses={**ok("本页问题与排队总数 / the page's problems and how many wait"), **errors(400, 422)})
def queue(
    identity: Me,
    leader: Annotated[str | None, Query(description="挂钩领导账号：其项目 L3 及以上 / a linked leader's queue")
                      ] = None,
    level: Annotated[str | None, Query(description="层级 / level: L2–L5")] = None,
    unit: Annotated[str | None, Query(description="责任单位代码 / lead unit code")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="每页条数 / page size")] = issue_reads.QUEUE_PAGE_SIZE,
    offset: Annotated[int, Query(ge=0, description="跳过条数 / problems to skip")] = 0,
) -> JSONResponse:
    """Escalated open problems (L2 and above) the caller sees, most urgent first: `items` (the rows of
    `coord queue --json`), `total`, and the page."""
    filters = issue_reads.QueueFilter(leader=(leader or "").strip() or None, level=_level(level),
                                      unit=(unit or "").strip() or None)
    found = issue_reads.escalation_queue(identity.reader(), today=identity.caller.today, filters=filters, limit=limit,
                                         offset=offset, viewer=identity.viewer)
    return JSONResponse({"items": [view.to_json() for view in found.items], "total": found.total,
                         "limit": found.limit, "offset": found.offset, "page": found.page, "pages": found.pages})


@router.get("/dashboard", tags=["总览 / dashboard"], summary="一屏总览：状态、亮灯、提级队列 / the overview",
            responses={**ok("与 coord dashboard --json 相同的键 / the keys of coord dashboard --json"), **errors()})
def dashboard(identity: Me) -> JSONResponse:
    """Problems by state, today's lights, and the most urgent of the escalation queue, over what the
    caller sees."""
    return JSONResponse(issue_reads.overview(identity.reader(), today=identity.caller.today, viewer=identity.viewer,
                                             queue_limit=DASHBOARD_QUEUE))


MEETINGS = "会议 / meetings"


@router.get("/meetings", tags=[MEETINGS], summary="会议清单 / list meetings",
            responses={**ok("会议，最近的在前 / meetings, latest first"), **errors(400, 422)})
def list_meetings(
    identity: Me,
    kind: Annotated[str | None, Query(description="task-force | leader | principal")] = None,
    state: Annotated[str | None, Query(description="planned | open | closed")] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="年度 / year")] = None,
) -> JSONResponse:
    """Coordination meetings as `coord meeting list --json` prints them (`items`), each agenda holding only
    the problems the caller sees."""
    views = meeting_reads.list_meetings(identity.reader(), today=identity.caller.today,
                                   kind=choice(MeetingKind, kind, "会议类型", "meeting kind"),
                                   state=choice(MeetingState, state, "会议状态", "meeting state"), year=year,
                                   viewer=identity.viewer)
    return JSONResponse({"items": [view.to_json() for view in views], "total": len(views)})


@router.get("/meetings/{meeting_id}", tags=[MEETINGS], summary="会议详情 / a meeting with its agenda",
            responses={**ok("会议、议程与议定事项 / the meeting, agenda and decisions"), **errors(404, 422)})
def show_meeting(identity: Me, meeting_id: Annotated[str, Path(description="会议编号 / meeting id")]
                 ) -> JSONResponse:
    """One meeting as `coord meeting show --json` prints it."""
    view = meeting_reads.show_meeting(identity.reader(), meeting_id=meeting_id, today=identity.caller.today,
                                 viewer=identity.viewer)
    return JSONResponse(view.to_json())


@router.get(
    "/reports/{cadence}", tags=["报告 / reports"],
    summary="报告：周汇报、月分析、季调度、年度总结 / reports: weekly, monthly, quarterly, annual",
    responses={200: {"description": "JSON（默认）、Markdown，或 xlsx / docx 文件下载 / JSON (default), "
                                    "Markdown, or an xlsx / docx download",
                     "content": {media: {} for media in REPORT_FORMATS.values()}},
               **errors(400, 404, 422)})
def report(
    identity: Me,
    cadence: Annotated[str, Path(description="weekly | monthly | quarterly | annual")],
    period: Annotated[str | None, Query(max_length=20, description="如 2024-W15、2024-04、2024Q2、2024；"
                                        "默认上一个完整周期 / default: the last complete period")] = None,
    format_: Annotated[str, Query(alias="format", description="json | md | xlsx | docx")] = "json",
    lang: Annotated[str, Query(description="zh | en（xlsx、docx、md 的文字 / the words of md, xlsx, docx）")
                    ] = "zh",
) -> Response:
    """One report over the problems the caller sees, as `coord report … --format` writes it."""
    from coordination.render import report as render

    try:
        kind = Cadence(cadence)
    except ValueError:  # a report that does not exist, like any unknown path
        values = [c.value for c in Cadence]
        raise NotFound(f"未知报告类型 {cadence}（可选 {'、'.join(values)}）",
                       f"unknown report {cadence} (one of {', '.join(values)})") from None
    if format_ not in REPORT_FORMATS:
        raise InvalidInput(f"不支持的格式 {format_}（可选 {'、'.join(REPORT_FORMATS)}）",
                           f"unsupported format {format_} (one of {', '.join(REPORT_FORMATS)})")
    if lang not in ("zh", "en"):
        raise InvalidInput(f"未知语言 {lang}（可选 zh、en）", f"unknown language {lang} (zh or en)")
    chosen = parse_period(kind, period) if period and period.strip() else last_complete(kind, identity.caller.today)
    built = reports.build(identity.reader(), cadence=kind, period=chosen, viewer=identity.viewer)
    if format_ == "json":
        # Encoded as it is sent, one problem at a time (as the command line writes it), and sent in
        # pieces of 64 KiB: each piece of a sync stream costs the server a hop to its thread pool.
        return StreamingResponse(_pieces(render.json_chunks(built.json_stream())), media_type=REPORT_FORMATS["json"])
    # Excel holds every line; Markdown and Word show each list's first lines (as the command line does).
    data = built.to_json(head=None if format_ == "xlsx" else render.LIST_CAP)
    doc = render.document(data, lang)
    if format_ == "md":
        return Response(render.markdown(doc, lang, render.LIST_CAP), media_type=REPORT_FORMATS["md"])
    with tempfile.TemporaryDirectory(prefix="coord-report-") as where:
        target = FilePath(where) / f"report.{format_}"
        if format_ == "xlsx":
            render.xlsx(doc, target, lang)
        else:
            render.docx(doc, target, lang, render.LIST_CAP)
        content = target.read_bytes()
    return Response(content, media_type=REPORT_FORMATS[format_],
                    headers={"Content-Disposition": _attachment(f"{doc.title}-{chosen.name}.{format_}",
                                                                f"coord-{kind.value}-{chosen.name}.{format_}")})


def _pieces(chunks: Iterator[str], size: int = 65536) -> Iterator[bytes]:
    held: list[str] = []
    length = 0
    for chunk in chunks:
        held.append(chunk)
        length += len(chunk)
        if length >= size:
            yield "".join(held).encode("utf-8")
            held, length = [], 0
    if held:
        yield "".join(held).encode("utf-8")


def _attachment(name: str, ascii_name: str) -> str:
    """A download's file name: the Chinese one for browsers that read RFC 6266, a plain one for the rest."""
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


@router.get("/refusals", tags=["管理 / admin"], summary="拒绝记录（管理员） / the refusal log (admin)",
            responses={**ok("最新的在前 / newest first"), **errors(400, 403, 422)})
def refusals(
    identity: Me,
    limit: Annotated[int, Query(ge=1, le=1000, description="最多条数 / at most this many")] = 100,
    handle: Annotated[str | None, Query(description="只看此人 / only this person")] = None,
    kind: Annotated[str | None, Query(description=" | ".join(k.value for k in access.RefusalKind))] = None,
) -> JSONResponse:
    """Requests the server refused: bad tokens, bad passwords, locked accounts, actions not permitted,
    bad form tokens. Admins only."""
    rows = access.list_refusals(identity.reader(), caller=identity.caller, limit=limit,
                                handle=(handle or "").strip() or None, kind=(kind or "").strip() or None)
    return JSONResponse({"items": [row.to_json() for row in rows]})
