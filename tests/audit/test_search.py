"""Admins search the audit log by actor, object and time; department admins see their own department."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import login


def test_search_by_actor_object_and_time(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    token = login(client, "amr_admin")
    h = {"X-CSRF-Token": token}
    client.post("/api/v1/clients", json={"code": "amr-a", "name": "系统甲"}, headers=h)
    hrss = TestClient(client.app)
    t2 = login(hrss, "hrss_admin")
    hrss.post("/api/v1/clients", json={"code": "hrss-a", "name": "系统乙"}, headers={"X-CSRF-Token": t2})

    admin = TestClient(client.app)
    login(admin, "admin")
    r = admin.get("/api/v1/audit", params={"action": "client.create"})
    assert r.status_code == 200 and r.json()["total"] == 2
    r = admin.get("/api/v1/audit", params={"actor": "amradmin", "action": "client.create"})
    items = r.json()["items"]
    assert len(items) == 1 and items[0]["detail"]["code"] == "amr-a" and items[0]["client_ip"]
    r = admin.get("/api/v1/audit", params={"object_type": "app_client", "object_id": items[0]["object_id"]})
    assert r.json()["total"] == 1
    assert admin.get("/api/v1/audit", params={"since": "2099-01-01T00:00:00"}).json()["total"] == 0
    assert admin.get("/api/v1/audit", params={"since": "2000-01-01", "action": "client.create"}).json()["total"] == 2
    r = admin.get("/api/v1/audit", params={"since": "not-a-date"})
    assert r.status_code == 422 and "开始时间" in r.json()["message"]

    # A department admin sees only what happened in their own department.
    r = client.get("/api/v1/audit", params={"action": "client.create"})
    assert [e["detail"]["code"] for e in r.json()["items"]] == ["amr-a"]
    # A clerk has no access to the audit log.
    clerk = TestClient(client.app)
    login(clerk, "amr_clerk")
    assert clerk.get("/api/v1/audit").status_code == 403
    page = admin.get("/admin/audit", params={"action": "client.create"})
    assert page.status_code == 200 and "新建应用系统" in page.text and "系统" in page.text
