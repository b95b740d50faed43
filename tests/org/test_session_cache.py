"""A session's actor is remembered per process (org/auth.py, tongban/versioned.py area "sessions"), and never after
the session, the user or a role changed — whoever changed it (here: plain SQL, not through the platform)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.factories import login


def test_a_session_deleted_by_plain_sql_is_over_at_the_next_request(client: TestClient, engine: Engine, city) -> None:  # type: ignore[no-untyped-def]
    login(client, "amr_admin")
    assert client.get("/api/v1/me").status_code == 200  # remembered now
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM web_sessions"))
    assert client.get("/api/v1/me").status_code == 401


def test_a_disabled_user_and_a_removed_role_count_at_the_next_request(client: TestClient, engine: Engine,
                                                                      city) -> None:  # type: ignore[no-untyped-def]
    login(client, "amr_admin")
    me = client.get("/api/v1/me").json()
    assert "dept_admin" in str(me)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM user_roles WHERE user_id = :u"), {"u": city.users["amr_admin"].id})
    assert "dept_admin" not in str(client.get("/api/v1/me").json())
    with engine.begin() as conn:
        conn.execute(text("UPDATE users SET status = 'disabled' WHERE id = :u"), {"u": city.users["amr_admin"].id})
    assert client.get("/api/v1/me").status_code == 401


def test_logging_out_elsewhere_ends_this_cookie(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    csrf = login(client, "amr_clerk")
    cookies = dict(client.cookies)
    other = TestClient(client.app, cookies=cookies)
    assert other.get("/api/v1/me").status_code == 200
    r = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code in (200, 303)
    assert other.get("/api/v1/me").status_code == 401
