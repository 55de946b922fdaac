"""The server starts on a real database and answers: sign-in page, sign-in, and a bad token refused and logged."""

from __future__ import annotations

from coordination.services import access
from tests.web.conftest import WebDistrict


def test_a_person_signs_in_and_a_bad_token_is_refused_and_logged(web: WebDistrict) -> None:
    d = web.district
    client, response = web.sign_in(d.handler)  # type: ignore[attr-defined]
    assert response.status_code == 303
    assert "coord_session" in client.cookies
    refused = web.api(None).get("/api/me", headers={"Authorization": "Bearer coord_not-a-token"})
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer")
    log = access.list_refusals(d.uow(), caller=d.caller(d.admin), kind="bad_token")  # type: ignore[attr-defined]
    assert [r.path for r in log] == ["/api/me"]
