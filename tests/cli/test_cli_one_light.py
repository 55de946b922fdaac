"""The command line shows a problem the same light in `issue show`, `issue list --light` and `dashboard`."""

from __future__ import annotations

from tests.cli.conftest import Cli

TUESDAY = "2024-10-15T09:00:00+08:00"  # an ordinary week after National Day


def test_a_problem_due_on_saturday_is_yellow_everywhere_on_the_tuesday_before(district: Cli) -> None:
    # Tue 15 → Sat 19 Oct 2024: 16, 17 and 18 Oct are left, 3 working days: yellow.
    pid = district.json("issue", "raise", "--project", "P-001", "--title", "周六到期的用地问题", "--category", "用地",
                        as_="li.zhuanyuan")["id"]
    district.json("issue", "assign", pid, "--unit", "ZRZY", "--due", "2024-10-19", as_="wang.mishu")

    assert district.json("issue", "show", pid, as_="wang.mishu", now=TUESDAY)["light"] == "yellow"
    assert [p["id"] for p in district.json("issue", "list", "--light", "yellow", as_="wang.mishu", now=TUESDAY)] \
        == [pid]
    assert district.json("issue", "list", "--light", "green", as_="wang.mishu", now=TUESDAY) == []
    assert district.json("dashboard", as_="wang.mishu", now=TUESDAY)["lights"] == {"green": 0, "yellow": 1, "red": 0}
