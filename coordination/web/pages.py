"""The pages: 我的待办 here; problems, the queue, the dashboard, meetings and reports in pages_*.py.

Every page needs a signed-in person (auth.page_identity); each route reads through one use case
(or writes through one, after the form's CSRF check) and renders a template.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from coordination.services import todo
from coordination.web import items_todo, pages_problems, pages_views
from coordination.web.auth import Identity, lang_of, page_identity
from coordination.web.pages_common import page

router = APIRouter(include_in_schema=False)

# Where each to-do section's whole list is (the section shows its first problems only).
SECTION_LINKS = {
    "acknowledge": "/problems?state=assigned&unit={unit}",
    "assign": "/problems?state=submitted",
    "verify": "/problems?state=resolution_submitted",
    "resolve": "/problems?state=open&unit={unit}",
    "queue_leader": "/queue?leader={handle}",
    "queue_task_force": "/queue?level=2",
    "queue_principal": "/queue",
    "red": "/problems?light=red",
    "yellow": "/problems?light=yellow",
}


@router.get("/", response_class=HTMLResponse)
def my_work(request: Request, identity: Annotated[Identity, Depends(page_identity)]) -> HTMLResponse:
    """我的待办: what the signed-in person must do now."""
    found = todo.todo(identity.reader(), handle=identity.handle, today=identity.caller.today,
                      viewer=identity.viewer)
    links = {key: link.format(unit=found.unit or "", handle=identity.handle) for key, link in SECTION_LINKS.items()}
    return page(request, identity, "todo.html", {"todo": found, "links": links,
                                                 "item_work": items_todo.item_work(identity, lang_of(request))})


router.include_router(pages_problems.router)
router.include_router(pages_views.router)
