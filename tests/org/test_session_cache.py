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


# The home (org/pages.home_page, deps.assumed_router) takes a remembered session's actor without reading the version
# first and confirms it with its own reads: the same rules must hold there, and what the page read for an actor no
# longer valid must not be shown.


def _home(client: TestClient):  # type: ignore[no-untyped-def]
    return client.get("/home", headers={"accept": "text/html"}, follow_redirects=False)


def test_the_home_refuses_a_session_deleted_by_plain_sql(client: TestClient, engine: Engine, city) -> None:  # type: ignore[no-untyped-def]
    login(client, "amr_admin")
    assert "amradmin，您好" in _home(client).text and "amradmin，您好" in _home(client).text  # remembered now
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM web_sessions"))
    refused = _home(client)
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
    assert "amradmin" not in refused.text


def test_the_home_redraws_for_the_actor_as_the_database_has_it(client: TestClient, engine: Engine, city) -> None:  # type: ignore[no-untyped-def]
    """The version moved for this very user (a role removed): the page read for the assumed actor is discarded and
    drawn again for the actor the database has, without the role's figures."""
    login(client, "amr_admin")
    assert "本部门工作人员" in _home(client).text  # the department admin's figures, remembered now
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM user_roles WHERE user_id = :u"), {"u": city.users["amr_admin"].id})
    page = _home(client)
    assert page.status_code == 200 and "amradmin，您好" in page.text and "本部门工作人员" not in page.text
    assert "本部门同事" in page.text and 'href="/admin/users"' not in page.text  # no link to a page refused to them


def test_the_home_still_serves_a_session_when_someone_else_logs_in(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    login(client, "amr_clerk")
    assert "amrclerk，您好" in _home(client).text
    other = TestClient(client.app)
    login(other, "amr_admin")  # a new session: the version moves
    assert "amrclerk，您好" in _home(client).text and "amradmin，您好" in _home(other).text


def test_a_page_is_not_drawn_for_an_actor_still_assumed(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    """`render` refuses a page whose handler did not confirm its assumed actor; an error page is drawn for no one."""
    from starlette.requests import Request

    from tongban.deps import ASSUMED
    from tongban.web.templating import render

    login(client, "amr_clerk")
    request = Request({"type": "http", "method": "GET", "path": "/home", "headers": [], "query_string": b"",
                       "app": client.app, "state": {}})
    request.state.actor = object()
    setattr(request.state, ASSUMED, 1)
    try:
        render(request, "org/home.html", {})
    except RuntimeError as exc:
        assert "not confirmed" in str(exc)
    else:
        raise AssertionError("drawn for an assumed actor")
    page = render(request, "error.html", {"failure": {"code": "x", "message": "出错"}, "status": 500}, status_code=500)
    assert page.status_code == 500 and request.state.actor is None
