"""Values coord never writes — SQLite keeps whatever it is given — are named by `audit verify`, never a crash:
a date column's text that is no date, an event whose payload is not JSON, whose moment or sequence
number is not one, a JSON list column holding something else."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from coordination.domain.audit_faults import Check
from coordination.domain.enums import Action
from coordination.services import audit
from coordination.uow import UnitOfWork


@pytest.mark.sqlite_only  # PostgreSQL's types refuse these values outright
def test_values_of_the_wrong_kind_are_named_and_never_crash_the_check(district: Any) -> None:
    problem = district.raise_problem()
    district.assign(problem)
    district.act(district.handler, problem, Action.ACKNOWLEDGE)
    other = district.raise_problem(title="110kV 专线接入方案未批复")
    filing = district.add_filing()
    with district.engine.begin() as connection:
        for name in connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                            "AND tbl_name = 'audit_event'")).scalars().all():
            connection.execute(text(f'DROP TRIGGER "{name}"'))
        connection.execute(text("UPDATE problem SET due_date = 'next Tuesday', co_units = 'ZRZY' WHERE id = :p"),
                           {"p": problem})
        connection.execute(text("UPDATE project SET planned_start = 'soon', active = 'yes'"))
        connection.execute(text("UPDATE audit_event SET payload = 'not json' WHERE stream_type = 'problem' "
                                "AND stream_id = :p AND seq = 2"), {"p": problem})
        connection.execute(text("UPDATE audit_event SET at = 'yesterday' WHERE stream_type = 'problem' "
                                "AND stream_id = :p"), {"p": other})
        connection.execute(text("UPDATE audit_event SET seq = 'one' WHERE stream_type = 'filing' "
                                "AND stream_id = :f"), {"f": filing})

    found = {(f.check, f.where, f.key) for f in audit.verify(UnitOfWork(district.engine, write=False)).faults}
    assert {(Check.CHAIN, "problem", problem), (Check.CHAIN, "filing", filing),
            (Check.DIFFERS, "project", district.project)} <= found, found
    assert any(check is Check.DIFFERS and where == "problem" for check, where, _key in found), found
