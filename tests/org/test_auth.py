"""Login, logout, lockout, throttling and CSRF, through the real pages over HTTP."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import PASSWORD, csrf_from, login
from tongban.audit.models import AuditEntry
from tongban.org.models import User


def _post_login(client: TestClient, username: str, password: str):  # type: ignore[no-untyped-def]
    page = client.get("/login")
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_from(page.text)}, follow_redirects=False)


def test_login_shows_home_and_logout_ends_session(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    r = _post_login(client, "amr_clerk", PASSWORD)
    assert r.status_code == 303 and r.headers["location"] == "/home"
    cookie = r.cookies.get("tongban_session")
    assert cookie and "HttpOnly" in r.headers["set-cookie"]
    home = client.get("/home")
    assert "amrclerk，您好" in home.text and "安康市市场监督管理局" in home.text and "窗口受理人员" in home.text
    token = csrf_from(home.text)
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    # The old cookie is worthless after logout, even if replayed.
    client.cookies.set("tongban_session", cookie)
    r = client.get("/home", headers={"accept": "text/html"}, follow_redirects=False)
    assert r.headers["location"].startswith("/login")


def test_citizen_logs_in_with_resident_id(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    rid = city.users["citizen"].id_number
    assert _post_login(client, rid, PASSWORD).status_code == 303
    home = client.get("/home").text
    assert "自然人账号" in home and rid not in home and rid[:6] + "********" + rid[14:] in home


def test_wrong_password_is_refused_in_chinese(client: TestClient, city, session: Session) -> None:  # type: ignore[no-untyped-def]
    r = _post_login(client, "amr_clerk", "wrong-password-1")
    assert r.status_code == 401
    assert "用户名或密码错误" in r.text
    r = _post_login(client, "nobody", "wrong-password-1")
    assert r.status_code == 401 and "用户名或密码错误" in r.text  # same answer: user names cannot be probed
    failed = session.execute(select(AuditEntry).where(AuditEntry.action == "auth.login",
                                                      AuditEntry.result == "failed")).scalars().all()
    assert len(failed) == 2


def test_lockout_after_repeated_failures_and_unlock(client: TestClient, city, session: Session) -> None:  # type: ignore[no-untyped-def]
    for _ in range(4):
        assert _post_login(client, "hrss_clerk", "bad-password-9").status_code == 401
    r = _post_login(client, "hrss_clerk", "bad-password-9")
    assert r.status_code == 423 and "锁定" in r.text
    # Even the right password is refused while locked.
    r = _post_login(client, "hrss_clerk", PASSWORD)
    assert r.status_code == 423 and "请于北京时间" in r.text
    session.expire_all()
    assert session.execute(select(User).where(User.username == "hrss_clerk")).scalar_one().locked_until
    # The department admin unlocks the account, and the clerk can log in again.
    admin = TestClient(client.app)
    token = login(admin, "hrss_admin")
    user_id = city.users["hrss_clerk"].id
    r = admin.post(f"/api/v1/users/{user_id}/unlock", headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and r.json()["locked_until"] is None
    assert _post_login(client, "hrss_clerk", PASSWORD).status_code == 303
    actions = session.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars().all()
    assert "auth.lockout" in actions and "user.unlock" in actions


def test_login_throttled_per_address(client: TestClient, city, settings) -> None:  # type: ignore[no-untyped-def]
    settings.login_ip_max_failures = 3
    for i in range(3):
        assert _post_login(client, f"ghost{i}", "bad-password-9").status_code == 401
    r = _post_login(client, "amr_clerk", PASSWORD)
    assert r.status_code == 429 and "登录失败次数过多" in r.text


def test_csrf_refused_without_token(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    # Login form without the anonymous token.
    client.get("/login")
    r = client.post("/login", data={"username": "amr_clerk", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403 and "页面已过期" in r.text
    token = login(client, "amr_admin")
    # A form post without the token, then with someone else's token.
    r = client.post("/logout", data={}, follow_redirects=False)
    assert r.status_code == 403
    r = client.post("/logout", data={"csrf_token": "forged" + token[6:]}, follow_redirects=False)
    assert r.status_code == 403
    # A JSON call with the session cookie but no header.
    r = client.post("/api/v1/clients", json={"code": "amr-x", "name": "测试系统"})
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    # A cross-site origin is refused even with the token.
    r = client.post("/api/v1/clients", json={"code": "amr-x", "name": "测试系统"},
                    headers={"X-CSRF-Token": token, "Origin": "https://evil.example"})
    assert r.status_code == 403
    r = client.post("/api/v1/clients", json={"code": "amr-x", "name": "测试系统"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 201


def test_no_open_redirect_after_login(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/login?next=//evil.example/phish")
    r = client.post("/login", data={"username": "amr_clerk", "password": PASSWORD, "next": "//evil.example/x",
                                    "csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert r.headers["location"] == "/home"


def test_pages_require_login(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/admin/users", headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/admin/users")
    r = client.get("/api/v1/users")
    assert r.status_code == 401 and r.json()["code"] == "not_authenticated"


def test_change_own_password(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    token = login(client, "amr_reviewer")
    r = client.post("/account/password", data={"csrf_token": token, "password": PASSWORD,
                                               "new_password": "short", "confirm_password": "short"})
    assert r.status_code == 422 and "至少 10 位" in r.text
    r = client.post("/account/password", data={"csrf_token": token, "password": PASSWORD,
                                               "new_password": "NewPassw0rd-2026", "confirm_password": "NewPassw0rd-2026"})
    assert r.status_code == 200 and "密码已修改" in r.text
    fresh = TestClient(client.app)
    assert _post_login(fresh, "amr_reviewer", PASSWORD).status_code == 401
    assert _post_login(fresh, "amr_reviewer", "NewPassw0rd-2026").status_code == 303


def test_password_reset_ends_the_users_sessions(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    login(client, "amr_clerk")
    admin = TestClient(client.app)
    token = login(admin, "amr_admin")
    r = admin.post(f"/api/v1/users/{city.users['amr_clerk'].id}/password",
                   json={"new_password": "Reset-Passw0rd-1"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200
    assert client.get("/api/v1/me").status_code == 401
    assert admin.get("/api/v1/me").status_code == 200


def test_citizen_accounts_are_not_readable_through_the_staff_endpoint(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    login(client, "admin")
    assert client.get(f"/api/v1/users/{city.users['citizen'].id}").status_code == 404
