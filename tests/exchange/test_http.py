"""Sharing over HTTP: the JSON API and the pages (request form, inbox, queues, grant controls)."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import app_client, login, published_resource
from tongban.catalog.schemas import ItemIn

HTML = {"accept": "text/html"}


def _setup(session: Session, city):  # type: ignore[no-untyped-def]
    res = published_resource(session, city.users["hrss_data"])
    client = app_client(session, city.amr, code="amr-register")
    session.commit()
    return res, client


def _period() -> dict[str, str]:
    today = dt.date.today()
    return {"period_start": today.isoformat(), "period_end": (today + dt.timedelta(days=365)).isoformat()}


def test_lifecycle_over_the_api(client: TestClient, session: Session, city) -> None:  # type: ignore[no-untyped-def]
    res, app_cl = _setup(session, city)
    consumer = TestClient(client.app)
    t = login(consumer, "amr_data")
    body = {"resource_id": res.id, "client_id": app_cl.id, "items": ["id_number", "name"],
            "purpose": "企业开办登记时核验法定代表人身份", "legal_basis": "《市场主体登记管理条例》第十五条",
            "scenario": "企业开办一网通办", **_period()}
    r = consumer.post("/api/v1/sharing/requests", json=body, headers={"X-CSRF-Token": t})
    assert r.status_code == 201, r.text
    req = r.json()
    assert req["status"] == "submitted" and req["status_label"] == "待合规审查" and req["due_on"]
    r = consumer.post("/api/v1/sharing/requests", json={**body, "items": []}, headers={"X-CSRF-Token": t})
    assert r.status_code == 422 and r.json()["detail"]["fields"][0]["field"] == "items"

    platform = TestClient(client.app)
    tp = login(platform, "admin")
    queue = platform.get("/api/v1/sharing/requests", params={"role": "platform"}).json()
    assert [x["number"] for x in queue["items"]] == [req["number"]]
    r = platform.post(f"/api/v1/sharing/requests/{req['id']}/compliance", json={"decision": "pass"},
                      headers={"X-CSRF-Token": tp})
    assert r.json()["status"] == "pending_provider"

    provider = TestClient(client.app)
    tv = login(provider, "hrss_data")
    inbox = provider.get("/api/v1/sharing/requests", params={"role": "provider", "status": "open"}).json()
    assert inbox["total"] == 1
    r = provider.post(f"/api/v1/sharing/requests/{req['id']}/decision",
                      json={"decision": "approve", "approved_items": ["id_number"], "note": "姓名非核验必需"},
                      headers={"X-CSRF-Token": tv})
    assert r.json()["status"] == "granted" and r.json()["approved_items"] == ["id_number"]
    grants = consumer.get("/api/v1/sharing/grants").json()
    assert len(grants) == 1 and grants[0]["items"] == ["id_number"] and grants[0]["state"] == "active"
    # Another department sees nothing of it.
    outsider = TestClient(client.app)
    login(outsider, "amr_clerk")
    assert outsider.get(f"/api/v1/sharing/requests/{req['id']}").status_code == 404
    other = TestClient(client.app)
    login(other, "hrss_admin")
    assert other.get(f"/api/v1/sharing/requests/{req['id']}").status_code == 200


def test_pages_request_form_inbox_and_grant(client: TestClient, session: Session, city) -> None:  # type: ignore[no-untyped-def]
    res, app_cl = _setup(session, city)
    consumer = TestClient(client.app)
    t = login(consumer, "amr_data")
    page = consumer.get(f"/sharing/requests/new?resource_id={res.id}", headers=HTML)
    assert page.status_code == 200 and "公民身份号码" in page.text and "个人敏感" in page.text
    r = consumer.post("/sharing/requests/new", headers=HTML, data={
        "csrf_token": t, "resource_id": str(res.id), "client_id": str(app_cl.id), "purpose": "核验",
        "legal_basis": "条例规定", "scenario": "企业开办", **_period()})
    assert r.status_code == 422 and "用途" in r.text  # too short, and no items
    r = consumer.post("/sharing/requests/new", headers=HTML, follow_redirects=False, data={
        "csrf_token": t, "resource_id": str(res.id), "client_id": str(app_cl.id), "items": ["id_number", "name"],
        "purpose": "企业开办登记时核验法定代表人身份", "legal_basis": "《市场主体登记管理条例》第十五条",
        "scenario": "企业开办一网通办", **_period()})
    assert r.status_code == 303
    detail_url = r.headers["location"].split("?")[0]

    platform = TestClient(client.app)
    tp = login(platform, "admin")
    queue = platform.get("/sharing?tab=compliance", headers=HTML)
    assert "待合规审查" in queue.text and res.name in queue.text
    r = platform.post(f"{detail_url}/compliance", headers=HTML, data={"csrf_token": tp, "decision": "reject"})
    assert r.status_code == 422 and "理由" in r.text
    platform.post(f"{detail_url}/compliance", headers=HTML, data={"csrf_token": tp, "decision": "pass"})

    provider = TestClient(client.app)
    tv = login(provider, "hrss_data")
    inbox = provider.get("/sharing?tab=provider", headers=HTML)
    assert "待提供方答复" in inbox.text
    page = provider.get(detail_url, headers=HTML)
    assert "提供方答复" in page.text and "合规审查" not in page.text.split("提供方答复")[1]
    r = provider.post(f"{detail_url}/decision", headers=HTML, follow_redirects=False,
                      data={"csrf_token": tv, "decision": "refuse", "note": "申请用途可由申请人自行出示身份证件核验"})
    assert r.status_code == 303
    page = consumer.get(detail_url, headers=HTML)
    assert "提出异议" in page.text
    consumer.post(f"{detail_url}/objection", headers=HTML,
                  data={"csrf_token": t, "note": "数据共享条例规定可通过共享获取的不得要求群众重复提交"})
    disputes = platform.get("/sharing?tab=disputes", headers=HTML)
    assert "异议协调中" in disputes.text
    platform.post(f"{detail_url}/coordination", headers=HTML, data={
        "csrf_token": tp, "decision": "grant", "approved_items": ["id_number"],
        "note": "经协调，共享身份核验所需的公民身份号码"})
    grants = consumer.get("/sharing?tab=grants", headers=HTML)
    assert res.name in grants.text and "有效" in grants.text
    grant_link = grants.text.split('href="/sharing/grants/')[1].split('"')[0]
    r = provider.post(f"/sharing/grants/{grant_link}/suspend", headers=HTML, follow_redirects=False,
                      data={"csrf_token": tv, "reason": "核查调用异常"})
    assert r.status_code == 303
    assert "已暂停" in consumer.get(f"/sharing/grants/{grant_link}", headers=HTML).text
    # The consumer cannot control the grant.
    r = consumer.post(f"/sharing/grants/{grant_link}/revoke", headers=HTML, data={"csrf_token": t, "reason": "自行撤销"})
    assert "只有提供部门" in r.text


def test_not_shared_resource_cannot_be_requested_in_the_form(client: TestClient, session: Session, city) -> None:  # type: ignore[no-untyped-def]
    res = published_resource(session, city.users["hrss_data"], classification_code="3", name="涉密人员名单",
                             share_type="none", share_condition="", share_methods=[],
                             no_share_reason="涉及国家秘密，依据《保守国家秘密法》不予共享",
                             items=[ItemIn(name="编号", key="no", is_key=True)])
    app_cl = app_client(session, city.amr)
    session.commit()
    consumer = TestClient(client.app)
    t = login(consumer, "amr_data")
    r = consumer.post("/sharing/requests/new", headers=HTML, data={
        "csrf_token": t, "resource_id": str(res.id), "client_id": str(app_cl.id), "items": ["no"],
        "purpose": "核查人员身份信息", "legal_basis": "内部管理规定", "scenario": "人员核查", **_period()})
    assert r.status_code == 422 and "不予共享资源" in r.text


def test_calendar_page_and_api(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    t = login(client, "admin")
    page = client.get("/admin/calendar?year=2027", headers=HTML)
    assert "2027 年节假日安排尚未登记" in page.text
    r = client.post("/admin/calendar", headers=HTML, data={
        "csrf_token": t, "year": "2027", "notice": "国务院办公厅关于2027年部分节假日安排的通知",
        "holidays": "2027-01-01 元旦\n2027-02-08~2027-02-12 春节", "workdays": "2027-02-06 春节调休"})
    assert r.status_code == 200 and "2027 年节假日安排已保存" in r.text and "调休上班" in r.text
    r = client.post("/admin/calendar", headers=HTML, data={
        "csrf_token": t, "year": "2027", "notice": "x", "holidays": "2027-13-01 元旦", "workdays": ""})
    assert r.status_code == 422 and "日期格式不正确" in r.text
    year = client.get("/api/v1/calendar/2027").json()
    assert year["official"] and len(year["holidays"]) == 6 and year["workdays"][0]["day"] == "2027-02-06"
    d = client.get("/api/v1/calendar/deadline", params={"start": "2027-02-05", "days": 2}).json()
    assert d["due"] == "2027-02-15" and not d["assumed"]
    clerk = TestClient(client.app)
    login(clerk, "amr_clerk")
    assert clerk.get("/admin/calendar", headers=HTML).status_code == 403
