"""The JSON API of every kind in the registry (web/items.py): /api/items/<slug>, one item, its actions.

The same answers as the problem API: the rows `coord … list --json` prints, an item outside one's
sight is 404, and a write names the version it read (If-Match) — 412 when the item moved on since.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Header, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr

from coordination.domain.enums import Light
from coordination.domain.workdays import ChosenDate
from coordination.services.calendar import non_working_day_of
from coordination.web.api_common import Me, choice, errors, expected_version, ok
from coordination.web.items import ITEM_KINDS, kind_of
from coordination.web.items_kind import TEXT_MAX, ItemFilter, ItemInput

router = APIRouter()

ITEMS = "重点工作 / items"
PAGE_LIMIT = 50
MAX_LIMIT = 500

Slug = Annotated[str, Path(description="事项类别 / kind: " + " | ".join(ITEM_KINDS))]
ItemId = Annotated[str, Path(description="编号或代码，如 T-2024-0001、ZX-JT、B-2024-0001、ZJ-2024-01、FF-2024-0001、"
                                        "FAI、HB-2024-0001 / number or code")]
FIGURE_MAX = 40  # an indicator's figure as typed ("-2.25"); the domain judges it


def etag(version: int) -> str:
    return f'"{version}"'


@router.get("/items/{slug}", tags=[ITEMS], summary="事项清单（分页） / list the items of one kind, one page",
            responses={**ok("本页事项与符合条件的总数 / the page's items and how many match"),
                       **errors(400, 404, 422)})
def list_items(
    identity: Me,
    slug: Slug,
    state: Annotated[str | None, Query(description="状态（该类别自己的状态） / the kind's own state")] = None,
    unit: Annotated[str | None, Query(description="牵头（受理）单位代码 / lead unit code")] = None,
    light: Annotated[str | None, Query(description="亮灯 / light: green | yellow | red")] = None,
    open_only: Annotated[bool, Query(alias="open", description="只看在办 / open items only")] = False,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="每页条数 / page size")] = PAGE_LIMIT,
    offset: Annotated[int, Query(ge=0, description="跳过条数 / items to skip")] = 0,
) -> JSONResponse:
    """The kind's items the caller sees, in the command line's order: `{"items": [...], "total": N}`, each
    item with the keys of `coord … list --json`. Unknown filter values are 400; a light on a kind
    without lights is 400."""
    kind = kind_of(slug)
    found = kind.list_items(identity, ItemFilter(state=kind.state(state), unit=(unit or "").strip() or None,
                                                 light=choice(Light, light, "亮灯", "light"), open_only=open_only))
    return JSONResponse({"items": found[offset:offset + limit], "total": len(found)})


@router.get("/items/{slug}/{item_id}", tags=[ITEMS], summary="事项详情与处理经过 / an item with its timeline",
            responses={**ok("事项、时间线与你现在可执行的操作；ETag 为版本号 / the item, its timeline and "
                            "the actions you may take; ETag is its version"), **errors(404, 422)})
def show_item(identity: Me, slug: Slug, item_id: ItemId) -> JSONResponse:
    """One item as `coord … show --json` prints it, with `actions`: the action keys the caller may take
    now. The `ETag` header carries the version to send back in `If-Match`."""
    shown = kind_of(slug).show_item(identity, item_id)
    return JSONResponse(shown.to_json(), headers={"ETag": etag(shown.version)})


class ItemActionBody(BaseModel):
    """What an action takes; each action accepts only its own fields (any other is 400)."""

    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=TEXT_MAX,
                               description="说明或理由（退回、调整、报送进展等必填） / reason or note")
    document: str | None = Field(default=None, max_length=TEXT_MAX,
                                 description="专项规划各环节：文件或会议 / a special plan stage's document")
    on: date | None = Field(default=None, description="专项规划各环节：日期（默认今天） / the stage's day")
    title: str | None = Field(default=None, max_length=TEXT_MAX, description="任务 adjust：新的名称 / new title")
    detail: str | None = Field(default=None, max_length=20000, description="任务 adjust：新的内容 / new detail")
    due_date: date | None = Field(default=None, description="任务 adjust：新的完成期限 / new due date")
    co_units: list[str] | None = Field(default=None, max_length=50,
                                       description="任务 adjust：配合单位（[] 为清空） / co-units ([]: none)")
    amount: StrictInt | Annotated[StrictStr, Field(max_length=FIGURE_MAX)] | None = Field(
        default=None, description="资金 grant：下达金额，整数为元，或写 3000万、1.2亿 / amount granted: whole yuan, "
                                  "or text such as 3000万")
    result: str | None = Field(default=None, max_length=TEXT_MAX, description="资金 evaluate：绩效评估结论 / "
                                                                              "the evaluation's conclusion")
    month: str | None = Field(default=None, max_length=20, description="指标 record：月份，如 2024-10 / month")
    value: Annotated[StrictStr, Field(max_length=FIGURE_MAX)] | StrictInt | StrictFloat | None = Field(
        default=None, description="指标 record：数值，如 7.9 / the month's figure")
    target: Annotated[StrictStr, Field(max_length=FIGURE_MAX)] | StrictInt | StrictFloat | None = Field(
        default=None, description="指标 retarget：新的目标值 / new target")
    tolerance: Annotated[StrictStr, Field(max_length=FIGURE_MAX)] | StrictInt | StrictFloat | None = Field(
        default=None, description="指标 retarget：新的容差 / new tolerance")


def _text(sent: str | int | float | None) -> str | None:
    """A number sent as JSON, as its text (a float's shortest round-trip form: 7.9, not 7.900000000000000355)."""
    return None if sent is None else str(sent)


@router.post(
    "/items/{slug}/{item_id}/actions/{action}", tags=[ITEMS],
    summary="对事项执行操作（需 If-Match） / take an action on an item (If-Match required)",
    responses={**ok("操作后的事项；ETag 为新版本号 / the item after the action; ETag is its new version"),
               **errors(400, 403, 404, 409, 412, 422, 428)})
def take_item_action(
    identity: Me,
    slug: Slug,
    item_id: ItemId,
    action: Annotated[str, Path(description="该类别转换表中的操作，如 acknowledge、complete、review / "
                                            "an action of the kind's transition table")],
    if_match: Annotated[str | None, Header(description='读取时的 ETag，如 "3" / the ETag you read, e.g. "3"')
                        ] = None,
    body: Annotated[ItemActionBody | None, Body()] = None,
) -> JSONResponse:
    """One action of the kind's transition table, in one transaction, for the version named in `If-Match`:
    412 when the item moved on since, 409 when its state does not allow the action, 403 when the caller
    may not take it (logged), 404 when they cannot see the item or the action key is unknown."""
    kind = kind_of(slug)
    chosen = kind.action(action)
    expected = expected_version(if_match, kind.workflow.label_zh, f"the {kind.workflow.label_en}")
    if isinstance(expected, JSONResponse):
        return expected
    sent = body or ItemActionBody()
    given = kind.accepted(chosen, ItemInput(
        reason=sent.reason, document=sent.document, on=sent.on, title=sent.title, detail=sent.detail,
        due_date=sent.due_date,
        co_units=tuple(c.strip() for c in sent.co_units if c.strip()) if sent.co_units is not None else None,
        amount=_text(sent.amount), result=sent.result, month=sent.month, value=_text(sent.value),
        target=_text(sent.target), tolerance=_text(sent.tolerance)))
    answer = kind.act(identity, item_id, chosen, given, expected)
    # A due date on a day off is saved as given, and said so (as for a problem's).
    day_off = (non_working_day_of(identity.reader(), given.due_date, ChosenDate.DUE)
               if given.due_date is not None else None)
    if day_off is not None:
        zh, en = day_off.warning()
        answer["warnings"] = [{"code": "non_working_day", "message": zh, "message_en": en}]
    return JSONResponse(answer, headers={"ETag": etag(int(answer["version"]))})
