"""`coord queue --limit --page` and the dashboard's top of the queue."""

from __future__ import annotations

from tests.cli.conftest import Cli


def escalate_three(district: Cli) -> list[str]:
    ids = []
    for n in range(3):
        pid = district.json("issue", "raise", "--project", "P-001", "--title", f"用地问题 {n + 1}",
                            "--category", "用地", as_="li.zhuanyuan")["id"]
        district.json("issue", "assign", pid, "--unit", "ZRZY", "--due", f"2024-10-{15 + n}", as_="wang.mishu")
        district.json("issue", "escalate", pid, "--reason", "需会商", as_="wang.mishu")
        ids.append(pid)
    return ids


def test_queue_pages_through_the_escalated_problems_and_says_where_it_is(district: Cli) -> None:
    ids = escalate_three(district)
    assert [p["id"] for p in district.json("queue", "--limit", "2")] == ids[:2]
    assert [p["id"] for p in district.json("queue", "--limit", "2", "--page", "2")] == ids[2:]
    second = district("queue", "--limit", "2", "--page", "2")
    assert second.exit_code == 0, second.output
    assert ids[2] in second.stdout and ids[0] not in second.stdout
    assert "第 2 页，共 2 页，共 3 个问题" in second.stdout
    assert "page 1 of 2, 3 problems in all" in district("queue", "--limit", "2", "--lang", "en").stdout
    assert district("queue", "--page", "0").exit_code == 2


def test_dashboard_lists_the_most_urgent_and_counts_the_whole_queue(district: Cli) -> None:
    ids = escalate_three(district)
    data = district.json("dashboard", as_="wang.mishu")
    assert [p["id"] for p in data["queue"]] == ids
    assert data["queue_total"] == 3
    assert "最紧急的 3 个，共 3 个" in district("dashboard", as_="wang.mishu").stdout
