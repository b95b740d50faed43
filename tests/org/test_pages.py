"""Server-rendered pages: scoping, forms with CSRF, one-time key display, Chinese errors."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import login, make_uscc
from tongban.org.models import Department

HTML = {"accept": "text/html"}


def test_users_page_shows_only_own_department(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    login(client, "hrss_clerk")
    page = client.get("/admin/users", headers=HTML)
    assert page.status_code == 200 and "本部门人员" in page.text
    assert "hrssadmin" in page.text and "amradmin" not in page.text
    assert "新建工作人员" not in page.text
    r = client.get(f"/admin/users/{city.users['amr_clerk'].id}", headers=HTML)
    assert r.status_code == 404 and "不在您可查看的部门范围内" in r.text
    # htmx partial for the live filter
    partial = client.get("/admin/users?q=hrssre", headers={**HTML, "HX-Request": "true"})
    assert "<html" not in partial.text and "hrssreviewer" in partial.text and "hrssadmin" not in partial.text


def test_department_form_validates_and_saves(client: TestClient, city, session: Session) -> None:  # type: ignore[no-untyped-def]
    token = login(client, "admin")
    r = client.post("/admin/departments/new", headers=HTML, data={
        "csrf_token": token, "code": "city-stats", "name": "安康市统计局", "short_name": "市统计局",
        "uscc": "11610900ABC", "region_code": "610900", "kind": "government"})
    assert r.status_code == 422 and "统一社会信用代码应为 18 位" in r.text and "安康市统计局" in r.text
    r = client.post("/admin/departments/new", headers=HTML, follow_redirects=False, data={
        "csrf_token": token, "code": "city-stats", "name": "安康市统计局", "short_name": "市统计局",
        "uscc": make_uscc(), "region_code": "610900", "kind": "government"})
    assert r.status_code == 303
    assert session.execute(select(Department).where(Department.code == "city-stats")).scalar_one()
    # Without the CSRF token the same form is refused.
    r = client.post("/admin/departments/new", headers=HTML, data={
        "code": "city-x", "name": "安康市某局", "short_name": "某局", "uscc": make_uscc(), "region_code": "610900"})
    assert r.status_code == 403 and "页面已过期" in r.text
    # A clerk cannot open the form at all.
    clerk = TestClient(client.app)
    login(clerk, "amr_clerk")
    r = clerk.get("/admin/departments/new", headers=HTML)
    assert r.status_code == 403 and "没有权限" in r.text


def test_issued_key_is_shown_once_on_the_page(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    token = login(client, "amr_admin")
    r = client.post("/admin/clients", headers=HTML, data={"csrf_token": token, "code": "amr-reg",
                                                          "name": "登记注册系统"})
    assert "已登记应用系统" in r.text
    client_id = r.text.split("/admin/clients/")[1].split("/")[0]
    r = client.post(f"/admin/clients/{client_id}/keys", headers=HTML,
                    data={"csrf_token": token, "label": "生产", "expires_in_days": "90"})
    assert "只显示这一次" in r.text
    secret = r.text.split('id="new-secret">')[1].split("<")[0]
    assert secret.startswith("tbk_")
    assert secret not in client.get("/admin/clients", headers=HTML).text
    r = client.post(f"/admin/clients/{client_id}/keys", headers=HTML,
                    data={"csrf_token": token, "expires_in_days": "abc"})
    assert r.status_code == 422 and "有效天数必须是整数" in r.text


def test_error_pages_are_chinese(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    login(client, "amr_clerk")
    r = client.get("/no/such/page", headers=HTML)
    assert r.status_code == 404 and "页面或接口不存在" in r.text
    r = client.get("/admin/audit", headers=HTML)
    assert r.status_code == 403 and "没有权限" in r.text


def test_accounts_page_needs_a_purpose_and_masks(client: TestClient, city, session: Session) -> None:  # type: ignore[no-untyped-def]
    from tongban.audit.models import AuditEntry

    login(client, "admin")
    rid = city.users["citizen"].id_number
    page = client.get("/admin/accounts", headers=HTML)
    assert "查阅用途" in page.text and rid[:6] not in page.text
    page = client.get("/admin/accounts", params={"kind": "citizen", "purpose": "处理注册投诉"}, headers=HTML)
    assert rid[:6] + "********" + rid[14:] in page.text and rid not in page.text
    entry = session.execute(select(AuditEntry).where(AuditEntry.action == "account.read")).scalar_one()
    assert entry.purpose == "处理注册投诉"


def test_user_page_unlocks_and_resets_password(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    token = login(client, "hrss_admin")
    user_id = city.users["hrss_clerk"].id
    page = client.get(f"/admin/users/{user_id}", headers=HTML)
    assert f'action="/admin/users/{user_id}/unlock"' in page.text
    r = client.post(f"/admin/users/{user_id}/unlock", headers=HTML, data={"csrf_token": token})
    assert r.status_code == 200 and "已解除登录锁定" in r.text
    r = client.post(f"/admin/users/{user_id}/password", headers=HTML,
                    data={"csrf_token": token, "new_password": "short"})
    assert r.status_code == 422 and "至少 10 位" in r.text and "重置密码" in r.text
    r = client.post(f"/admin/users/{user_id}/password", headers=HTML,
                    data={"csrf_token": token, "new_password": "Passw0rd-2026-new"})
    assert r.status_code == 200 and "已重置密码" in r.text
    # Another department's user is answered as missing, on the error page.
    r = client.post(f"/admin/users/{city.users['amr_clerk'].id}/unlock", headers=HTML, data={"csrf_token": token})
    assert r.status_code == 404 and "不在您可查看的部门范围内" in r.text
