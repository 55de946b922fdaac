"""The registry of the kinds of tracked work coord web shows besides problems: /items/<slug>, /api/items/<slug>.

A kind joins the pages, the API and 我的待办 with one adapter (web/items_<kind>.py: its workflow, slug, and
calls into its service) and one entry here.
"""

from __future__ import annotations

from coordination.domain.errors import NotFound
from coordination.web.items_disbursements import DISBURSEMENTS
from coordination.web.items_filings import FILINGS
from coordination.web.items_funds import FUNDS
from coordination.web.items_indicators import INDICATORS
from coordination.web.items_kind import ItemKind
from coordination.web.items_special_plans import SPECIAL_PLANS
from coordination.web.items_tasks import TASKS
from coordination.web.items_upward_reports import UPWARD_REPORTS

ITEM_KINDS: dict[str, ItemKind] = {kind.slug: kind for kind in (
    TASKS, SPECIAL_PLANS, FILINGS, FUNDS, DISBURSEMENTS, INDICATORS, UPWARD_REPORTS)}


def kind_of(slug: str) -> ItemKind:
    """The kind at `slug`; an unknown one is 404 like any unknown page."""
    found = ITEM_KINDS.get(slug)
    if found is None:
        raise NotFound(f"没有“{slug}”这类事项（可选 {'、'.join(ITEM_KINDS)}）",
                       f"no kind of item {slug} (one of {', '.join(ITEM_KINDS)})")
    return found
