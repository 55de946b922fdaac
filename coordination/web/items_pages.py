"""The pages of every kind in the registry (web/items.py): the index, a kind's list, one item and its actions.

One set of routes and templates serves every kind: what differs — labels, facts, the fields of each
action — comes from the kind's adapter; what a person may do comes from its transition table.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from coordination.domain.enums import Light
from coordination.domain.errors import Conflict, CoordError, InvalidInput, StaleVersion
from coordination.domain.parsing import parse_day
from coordination.domain.workdays import ChosenDate
from coordination.services.calendar import non_working_day_of
from coordination.web.app import status_of
from coordination.web.auth import Identity, check_csrf, lang_of, page_identity
from coordination.web.items import ITEM_KINDS, kind_of
from coordination.web.items_kind import TEXT_MAX, FieldKind, ItemFilter, ItemInput, ItemKind
from coordination.web.items_words import KindWords
from coordination.web.pages_common import Pager, choice, page, page_number

router = APIRouter(include_in_schema=False)

LIST_PAGE_SIZE = 30
OPEN = "open"  # the state filter's "still in hand" choice


@dataclass(frozen=True)
class KindCount:
    """One line of the index: how many of a kind are still in hand for this reader, and their lights."""

    kind: ItemKind
    open: int
    lights: dict[str, int] | None  # None: the kind has no lights


@router.get("/items", response_class=HTMLResponse)
def item_index(request: Request, identity: Annotated[Identity, Depends(page_identity)]) -> HTMLResponse:
    """重点工作: every kind besides problems, with what is in hand and how it is lit."""
    counts = []
    for kind in ITEM_KINDS.values():
        open_items = kind.list_items(identity, ItemFilter(open_only=True))
        lit = Counter(str(row.get("light")) for row in open_items)
        counts.append(KindCount(kind, len(open_items),
                                {light.value: lit[light.value] for light in Light} if kind.has_lights else None))
    return page(request, identity, "items.html", {"counts": counts})


@router.get("/items/{slug}", response_class=HTMLResponse)
def item_list(request: Request, slug: str, identity: Annotated[Identity, Depends(page_identity)],
              state: str = "", unit: str = "", light: str = "") -> HTMLResponse:
    """One kind's list with its filters and paging: only the items this person sees."""
    kind = kind_of(slug)
    if state == OPEN and len(kind.workflow.open_states) == 1:
        state = next(iter(kind.workflow.open_states))  # "in hand" is that one state (a ledger's 已登记)
    number = page_number(request.query_params.get("page"))
    filters = ItemFilter(state=None if state in ("", OPEN) else kind.state(state), open_only=state == OPEN,
                         unit=unit.strip() or None,
                         light=choice(Light, light, "亮灯", "light") if kind.has_lights else None)
    found = kind.list_items(identity, filters)
    keep = tuple((k, v) for k, v in (("state", state), ("unit", unit), ("light", light)) if v)
    pager = Pager(number, LIST_PAGE_SIZE, len(found), f"/items/{slug}", keep)
    return page(request, identity, "items_list.html", {
        "kind": kind, "k": KindWords(kind, lang_of(request)), "pager": pager,
        "items": found[pager.offset:pager.offset + LIST_PAGE_SIZE],
        "chosen": {"state": state, "unit": unit, "light": light},
    })


@router.get("/items/{slug}/{item_id}", response_class=HTMLResponse)
def item_page(request: Request, slug: str, item_id: str,
              identity: Annotated[Identity, Depends(page_identity)]) -> HTMLResponse:
    """One item: its facts, light, timeline, and a form for each action this person may take now."""
    return _detail(request, identity, kind_of(slug), item_id)


def _flash(request: Request, k: KindWords) -> tuple[str, str] | None:
    """The line after a successful action (only the kind's own action keys: no free text reaches the page)."""
    done = request.query_params.get("done")
    if done not in {a.value for a in k.kind.actions}:
        return None
    zh = f"已完成操作：{KindWords(k.kind, 'zh').action(done)}"
    en = f"Done: {KindWords(k.kind, 'en').action(done)}"
    day_off = request.query_params.get("dayoff")
    try:
        day = parse_day(day_off) if day_off else None
    except InvalidInput:
        day = None
    if day is not None:
        zh += f"。提示：{day.isoformat()} 不是工作日，已按此日期保存"
        en += f". Note: {day.isoformat()} is not a working day; it was saved as given"
    return zh, en


def _detail(request: Request, identity: Identity, kind: ItemKind, item_id: str, *, error: CoordError | None = None,
            stale: bool = False, tried: StrEnum | None = None, entered: dict[str, Any] | None = None,
            status_code: int = 200) -> HTMLResponse:
    shown = kind.show_item(identity, item_id)
    k = KindWords(kind, lang_of(request))
    return page(request, identity, "item.html", {
        "kind": kind, "k": k, "s": shown, "r": shown.record, "item_id": kind.item_id(shown.record),
        "forms": [(action, kind.fields(action)) for action in shown.actions], "flash": _flash(request, k),
        "error": (error.zh, error.en) if error else None, "stale": stale, "tried": tried, "entered": entered or {},
    }, status_code=status_code)


def _form_input(kind: ItemKind, action: StrEnum, typed: dict[str, str], units: list[str], units_shown: bool,
                identity: Identity) -> ItemInput:
    """What the form sent, read by the fields `action` takes (nothing else on the form counts)."""
    values: dict[str, Any] = {}
    for spec in kind.fields(action):
        text = typed.get(spec.name, "")
        if spec.kind is FieldKind.UNITS:
            if units_shown:  # every box unticked means "none", not "unchanged"
                values[spec.name] = tuple(dict.fromkeys(code for code in units if code))
        elif spec.kind is FieldKind.DATE:
            if text.strip():
                values[spec.name] = parse_day(text, today=identity.caller.today, option=spec.zh)
        elif spec.current is not None:
            values[spec.name] = text  # an adjustment's field as it stands, even emptied
        elif text.strip():
            values[spec.name] = text.strip()
    return ItemInput(**values)


@router.post("/items/{slug}/{item_id}/actions/{action_name}")
def take_item_action(
    request: Request, slug: str, item_id: str, action_name: str,
    identity: Annotated[Identity, Depends(page_identity)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    version: Annotated[str, Form(max_length=12)] = "",
    reason: Annotated[str, Form(max_length=TEXT_MAX)] = "",
    document: Annotated[str, Form(max_length=TEXT_MAX)] = "",
    on: Annotated[str, Form(max_length=20)] = "",
    title: Annotated[str, Form(max_length=TEXT_MAX)] = "",
    detail: Annotated[str, Form(max_length=20000)] = "",
    due_date: Annotated[str, Form(max_length=20)] = "",
    co_units: Annotated[list[str] | None, Form()] = None,
    co_units_shown: Annotated[str, Form(max_length=1)] = "",
    amount: Annotated[str, Form(max_length=40)] = "",
    result: Annotated[str, Form(max_length=TEXT_MAX)] = "",
    month: Annotated[str, Form(max_length=20)] = "",
    value: Annotated[str, Form(max_length=40)] = "",
    target: Annotated[str, Form(max_length=40)] = "",
    tolerance: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """One action of the kind's transition table; Post/Redirect/Get, or the page again with why not."""
    check_csrf(request, identity, csrf_token)
    kind = kind_of(slug)
    action = kind.action(action_name)
    typed = {"reason": reason, "document": document, "on": on, "title": title, "detail": detail,
             "due_date": due_date, "amount": amount, "result": result, "month": month, "value": value,
             "target": target, "tolerance": tolerance}
    entered: dict[str, Any] = {**typed, "co_units": co_units or []}
    try:
        if not version.strip().isdigit():
            raise InvalidInput("表单缺少版本号，请刷新页面后重试", "the form has no version; reload the page")
        given = _form_input(kind, action, typed, co_units or [], bool(co_units_shown), identity)
        after = kind.act(identity, item_id, action, given, int(version))
    except StaleVersion as stale:
        # Someone else moved the item meanwhile: show it as it is now, and keep what was typed.
        return _detail(request, identity, kind, item_id, error=stale, stale=True, tried=action, entered=entered,
                       status_code=status_of(stale))
    except (InvalidInput, Conflict) as refused:
        return _detail(request, identity, kind, item_id, error=refused, tried=action, entered=entered,
                       status_code=status_of(refused))
    # A date chosen on a day off is saved as given; the page after the redirect says so.
    day_off = (non_working_day_of(identity.reader(), given.due_date, ChosenDate.DUE)
               if given.due_date is not None else None)
    warned = f"&dayoff={given.due_date.isoformat()}" if day_off is not None and given.due_date else ""
    target = quote(kind.item_id(after), safe="")
    return RedirectResponse(f"/items/{slug}/{target}?done={action.value}{warned}", status_code=303)
