"""我的待办's part for the registry's kinds: the items in hand that this person may move on now.

"May move" is read from each kind's transition table through its adapter (`ItemKind.offers`): an action
that changes the item's state (签收, 申请完成, 确认完成, 办结, a special plan's next stage…). Notes that
leave the state as it is (报送进展, 调整) are always possible and would list everything. A kind may say
otherwise (`ItemKind.waiting`): a ledger's records wait for nobody, an indicator waits for last month's figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coordination.web.auth import Identity
from coordination.web.items import ITEM_KINDS
from coordination.web.items_kind import ItemFilter, ItemKind, actor_of, never_waits
from coordination.web.items_words import KindWords

SECTION_SIZE = 10  # items listed per kind; the count says how many in all
_URGENCY = {"red": 0, "yellow": 1, "green": 2}


@dataclass(frozen=True)
class ItemSection:
    kind: ItemKind
    k: KindWords
    items: list[dict[str, Any]]  # the most urgent first
    total: int

    @property
    def link(self) -> str:
        return f"/items/{self.kind.slug}?state=open"


def item_work(identity: Identity, lang: str) -> list[ItemSection]:
    """One section per kind in which something waits for this person (kinds with nothing waiting are left out)."""
    actor = actor_of(identity)
    sections = []
    for kind in ITEM_KINDS.values():
        if kind.waiting is never_waits:
            continue  # a ledger: not read at all
        waiting = [row for row in kind.list_items(identity, ItemFilter(open_only=True))
                   if kind.waits_for(actor, row, identity.caller.today)]
        if waiting:
            waiting.sort(key=lambda row: _URGENCY.get(str(row.get("light")), 3))
            sections.append(ItemSection(kind, KindWords(kind, lang), waiting[:SECTION_SIZE], len(waiting)))
    return sections
