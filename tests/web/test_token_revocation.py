"""A token revoked or a person deactivated in another process stops the very next request, reads and writes alike.

The server guesses a write's caller from the directory it read last and confirms the token inside the
write's own transaction; these tests revoke behind its back (in this process, not the server's).
"""

from __future__ import annotations

from coordination.domain.enums import Action
from coordination.services import access, directory
from tests.web.conftest import WebDistrict


def test_a_revoked_token_writes_nothing_and_reads_nothing(web: WebDistrict) -> None:
    d = web.district
    pid = d.raise_problem()  # type: ignore[attr-defined]
    d.assign(pid)  # type: ignore[attr-defined]
    handler = web.api(d.handler)  # type: ignore[attr-defined]
    assert handler.get(f"/api/problems/{pid}").status_code == 200  # the server now knows the token
    directory.revoke_token(d.uow(), caller=d.caller(d.admin), handle=d.handler)  # type: ignore[attr-defined]
    before = d.problem_row(pid)  # type: ignore[attr-defined]
    acted = handler.post(f"/api/problems/{pid}/actions/acknowledge", headers={"If-Match": '"2"'}, json={})
    assert acted.status_code == 401, acted.text
    assert d.problem_row(pid) == before
    assert handler.get(f"/api/problems/{pid}").status_code == 401
    kinds = [r.kind for r in access.list_refusals(d.uow(), caller=d.caller(d.admin))]  # type: ignore[attr-defined]
    assert kinds[:2] == ["bad_token", "bad_token"]


def test_a_deactivated_person_is_refused_at_once(web: WebDistrict) -> None:
    d = web.district
    pid = d.raise_problem()  # type: ignore[attr-defined]
    d.assign(pid)  # type: ignore[attr-defined]
    head = web.api(d.unit_head)  # type: ignore[attr-defined]
    assert head.get("/api/me").status_code == 200
    directory.set_person_active(d.uow(), caller=d.caller(d.admin), handle=d.unit_head,  # type: ignore[attr-defined]
                                active=False)
    acted = head.post(f"/api/problems/{pid}/actions/{Action.ACKNOWLEDGE.value}", headers={"If-Match": '"2"'},
                      json={})
    assert acted.status_code in (401, 403), acted.text
    assert d.problem_row(pid)["state"] == "assigned"  # type: ignore[attr-defined]
    assert head.get("/api/me").status_code == 401
