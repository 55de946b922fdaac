"""The pure rules of audit checkpoints: ids seen and not seen, the summaries, the signature, the faults."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from coordination.domain.checkpoint import (
    Body,
    TypeSummary,
    compare,
    fingerprint,
    gaps_after,
    heads_digest,
    key_id,
    parse_gaps,
    parse_types,
    stamp_line,
    summarise,
    types_json,
)

KEY = b"k" * 32
HEADS = [("problem", "Q-2024-0002", 3, "b" * 64, 3), ("problem", "Q-2024-0001", 5, "a" * 64, 5),
         ("person", "admin", 1, "c" * 64, 1)]


def test_ids_not_seen_become_gaps_until_they_appear_and_huge_jumps_stay_ranges() -> None:
    assert gaps_after(0, [], [1, 2, 3, 5, 8]) == (8, [(4, 4), (6, 7)])
    assert gaps_after(8, [(4, 4), (6, 7)], [7, 9, 10]) == (10, [(4, 4), (6, 6)])  # 7 committed late
    assert gaps_after(10, [(4, 4)], []) == (10, [(4, 4)])
    last, gaps = gaps_after(10, [], [11, 10**12])  # an id forced far ahead: one range, not a trillion ids
    assert (last, gaps) == (10**12, [(12, 10**12 - 1)])
    assert parse_gaps("[[12,99]]") == [(12, 99)]


def test_summaries_are_per_type_and_independent_of_the_order_heads_arrive_in() -> None:
    types = summarise(HEADS)
    assert types == summarise(list(reversed(HEADS)))
    assert (types["problem"].streams, types["problem"].events, types["person"].events) == (2, 8, 1)
    assert parse_types(types_json(types)) == types
    changed = summarise([("problem", "Q-2024-0001", 5, "d" * 64, 5), *HEADS[:1], *HEADS[2:]])
    assert changed["problem"].digest != types["problem"].digest and changed["person"] == types["person"]


def test_the_mac_covers_every_field_and_the_key_is_named_without_being_shown() -> None:
    types = summarise(HEADS)
    body = Body(number=1, at=datetime(2024, 6, 14, tzinfo=UTC), actor="system", origin="sweep", last_event_id=9,
                gaps=[], events=9, streams=3, heads_digest=heads_digest(types), key_id=key_id(KEY), previous_mac=None)
    mac = body.mac(KEY)
    for changed in (replace(body, events=8), replace(body, last_event_id=10), replace(body, gaps=[(3, 3)]),
                    replace(body, previous_mac="0" * 64), replace(body, number=2)):
        assert changed.mac(KEY) != mac
    assert body.mac(b"x" * 32) != mac and key_id(KEY) != key_id(b"x" * 32) and KEY.hex() not in key_id(KEY)
    shown = fingerprint(mac)
    assert len(shown) == 19 and shown.count("-") == 3 and shown.replace("-", "") == mac[:16].upper()
    stamp = {"number": 7, "at": "2024-06-14T01:00:00+00:00", "fingerprint": shown}
    assert stamp_line(stamp, "zh", ZoneInfo("Asia/Shanghai")) == f"审计检验码 {shown}（检查点 #7，2024-06-14 09:00）"


def test_each_change_to_anchored_history_gets_its_own_name() -> None:
    then = {"problem": TypeSummary(2, 8, "x"), "person": TypeSummary(1, 1, "p")}
    assert compare(1, then, then) == []
    named = {
        "stream_deleted": {"problem": TypeSummary(1, 5, "y"), "person": TypeSummary(1, 1, "p")},
        "events_deleted": {"problem": TypeSummary(2, 7, "y"), "person": TypeSummary(1, 1, "p")},
        "events_inserted": {"problem": TypeSummary(2, 9, "y"), "person": TypeSummary(1, 1, "p")},
        "heads_rewritten": {"problem": TypeSummary(2, 8, "y"), "person": TypeSummary(1, 1, "p")},
    }
    for kind, now in named.items():
        [fault] = compare(1, then, now)
        assert (fault.kind, fault.detail["stream_type"]) == (kind, "problem")
    [gone] = compare(3, then, {"problem": then["problem"]})
    assert gone.kind == "stream_deleted" and "#3" in gone.zh and gone.to_json()["now"]["streams"] == 0
