"""Error pages: the Chinese message and what to do next, in the layout of whoever met the error."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import login

HTML = {"accept": "text/html"}


def _assert_readable(text: str) -> None:
    assert "{'code'" not in text and "'message':" not in text, "the error body dict leaked onto the page"
    assert "错误代码" not in text and "not_found" not in text.split("data-error-code")[0]


def test_unknown_path_404_shows_message_and_signed_in_menu(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    login(client, "hrss_data")
    page = client.get("/no/such/page", headers=HTML)
    assert page.status_code == 404
    _assert_readable(page.text)
    assert "页面或接口不存在，请检查地址。" in page.text
    assert "退出" in page.text and "hrssdata" in page.text, "the signed-in menu is missing"
    assert 'href="/login"' not in page.text
    assert 'href="/home"' in page.text


def test_object_404_shows_domain_message(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    login(client, "hrss_clerk")
    page = client.get(f"/admin/users/{city.users['amr_clerk'].id}", headers=HTML)
    assert page.status_code == 404
    _assert_readable(page.text)
    assert "不在您可查看的部门范围内" in page.text and "退出" in page.text


def test_forbidden_page_shows_message_next_step_and_menu(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    login(client, "hrss_clerk")
    page = client.get("/admin/audit", headers=HTML)
    assert page.status_code == 403
    _assert_readable(page.text)
    assert "没有权限" in page.text and "联系本部门管理员" in page.text
    assert "退出" in page.text and "hrssclerk" in page.text


def test_anonymous_error_page_offers_login(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/no/such/page", headers=HTML)
    assert page.status_code == 404
    _assert_readable(page.text)
    assert 'href="/login"' in page.text and "退出" not in page.text


def test_incident_number_is_shown_for_unexpected_errors(app, city) -> None:  # type: ignore[no-untyped-def]
    from tongban.deps import public_router

    router = public_router()

    @router.get("/__boom")
    def boom() -> None:
        raise RuntimeError("boom")

    app.include_router(router)
    with TestClient(app, raise_server_exceptions=False) as c:
        page = c.get("/__boom", headers=HTML)
    assert page.status_code == 500
    _assert_readable(page.text)
    assert "事件编号" in page.text and 'class="incident"' in page.text
