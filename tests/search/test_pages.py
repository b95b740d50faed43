"""The 检索词典 page: the platform admin lists, adds, edits and deactivates terms; others are refused."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import csrf_from, login
from tongban.audit.models import AuditEntry
from tongban.search.models import SearchTerm

HTML = {"accept": "text/html"}


def test_admin_adds_edits_filters_and_deactivates_terms(client: TestClient, city, session: Session) -> None:  # type: ignore[no-untyped-def]
    login(client, "admin")
    page = client.get("/admin/search-terms", headers=HTML)
    assert page.status_code == 200 and "添加词条" in page.text
    token = csrf_from(page.text)
    added = client.post("/admin/search-terms", data={"csrf_token": token, "word": "户口本", "official": "居民户口簿",
                                                     "kind": "colloquial", "source": "公安部"}, headers=HTML)
    assert added.status_code == 200 and "已添加：户口本 → 居民户口簿" in added.text
    term = session.execute(select(SearchTerm).where(SearchTerm.word == "户口本")).scalar_one()
    # The same pair again: the form comes back with the reason, nothing written.
    again = client.post("/admin/search-terms", data={"csrf_token": token, "word": "户口本", "official": "居民户口簿",
                                                     "kind": "colloquial", "source": ""}, headers=HTML)
    assert again.status_code == 409 and "词典中已有“户口本 → 居民户口簿”" in again.text
    bad = client.post("/admin/search-terms", data={"csrf_token": token, "word": "户", "official": "居民户口簿",
                                                   "kind": "colloquial"}, headers=HTML)
    assert bad.status_code == 422 and "用户说法" in bad.text
    edited = client.post(f"/admin/search-terms/{term.id}", data={
        "csrf_token": token, "word": "户口本", "official": "居民户口簿", "kind": "synonym", "source": "公安部"},
        headers=HTML)
    assert "已保存" in edited.text
    off = client.post(f"/admin/search-terms/{term.id}/active", data={"csrf_token": token, "active": "0"}, headers=HTML)
    assert "已停用：户口本 → 居民户口簿" in off.text
    listed = client.get("/admin/search-terms", params={"status": "inactive", "kind": "synonym", "q": "户口"},
                        headers=HTML)
    assert "居民户口簿" in listed.text and "共 1 条" in listed.text
    assert "共 0 条" in client.get("/admin/search-terms", params={"status": "active"}, headers=HTML).text
    session.expire_all()
    assert (term.kind, term.active) == ("synonym", False)
    actions = session.execute(select(AuditEntry.action).where(AuditEntry.object_type == "search_term")).scalars().all()
    assert actions == ["search.term_add", "search.term_edit", "search.term_deactivate"]


def test_department_users_cannot_see_or_edit_terms(client: TestClient, city, session: Session) -> None:  # type: ignore[no-untyped-def]
    login(client, "admin")
    token = csrf_from(client.get("/admin/search-terms", headers=HTML).text)
    client.post("/admin/search-terms", data={"csrf_token": token, "word": "社保", "official": "社会保险",
                                             "kind": "abbreviation"}, headers=HTML)
    term = session.execute(select(SearchTerm).where(SearchTerm.word == "社保")).scalar_one()
    client.post("/logout", data={"csrf_token": token})
    client.cookies.clear()
    login(client, "hrss_admin")
    assert client.get("/admin/search-terms", headers=HTML).status_code == 403
    token = csrf_from(client.get("/catalog", headers=HTML).text)
    refused = client.post(f"/admin/search-terms/{term.id}/active", data={"csrf_token": token, "active": "0"},
                          headers=HTML)
    assert refused.status_code == 403
    refused = client.post("/admin/search-terms", data={"csrf_token": token, "word": "医保", "official": "医疗保险",
                                                       "kind": "abbreviation"}, headers=HTML)
    assert refused.status_code == 403
    session.expire_all()
    assert term.active and session.execute(select(SearchTerm).where(SearchTerm.word == "医保")).first() is None


def test_catalog_page_shows_the_suggestion_and_the_fallback(client: TestClient, city, session: Session) -> None:  # type: ignore[no-untyped-def]
    from tests.search.test_search import _resource

    _resource(session, city, "企业营业执照登记信息", officer="amr_data")
    login(client, "amr_clerk")
    page = client.get("/catalog", params={"q": "营业执招"}, headers=HTML)
    assert "您是不是要找：<strong>营业执照</strong>" in page.text and "企业<mark>营业执照</mark>登记信息" in page.text
    page = client.get("/catalog", params={"q": "营业执照 火箭"}, headers=HTML)
    assert "以下是包含部分检索词的结果" in page.text
