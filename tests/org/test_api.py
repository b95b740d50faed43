"""The org JSON API: API keys, department scoping, identifier validation, one error body."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import login, make_resident_id, make_uscc
from tongban.audit.models import AuditEntry
from tongban.org.models import ApiKey, Department, User


def _count(session: Session, model) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_api_key_create_use_revoke(client: TestClient, city, session: Session) -> None:  # type: ignore[no-untyped-def]
    token = login(client, "amr_admin")
    h = {"X-CSRF-Token": token}
    created = client.post("/api/v1/clients", json={"code": "amr-license", "name": "市场主体登记系统"}, headers=h)
    assert created.status_code == 201
    cid = created.json()["id"]
    assert created.json()["department_id"] == city.amr.id
    issued = client.post(f"/api/v1/clients/{cid}/keys", json={"label": "生产", "expires_in_days": 30}, headers=h)
    assert issued.status_code == 201
    secret = issued.json()["secret"]
    assert secret.startswith("tbk_")
    # Stored hashed: the secret appears nowhere in the database.
    stored = session.execute(select(ApiKey)).scalars().one()
    assert secret not in (stored.key_hash, stored.key_prefix) and len(stored.key_hash) == 64
    # Shown once: listing the client never returns it again.
    assert secret not in client.get(f"/api/v1/clients/{cid}").text

    system = TestClient(client.app)
    me = system.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200
    assert me.json()["kind"] == "client" and me.json()["department_id"] == city.amr.id
    # A system needs no CSRF token: it authenticates every call with its key.
    r = system.get("/api/v1/departments", headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 200 and r.json()["total"] == 3
    r = system.post("/api/v1/clients", json={"code": "x-sys", "name": "越权系统"},
                    headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"

    key_id = issued.json()["id"]
    assert client.delete(f"/api/v1/clients/{cid}/keys/{key_id}", headers=h).json()["state"] == "revoked"
    r = system.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 401 and r.json()["code"] == "api_key_revoked" and "吊销" in r.json()["message"]
    r = system.get("/api/v1/me", headers={"Authorization": "Bearer tbk_not-a-real-key"})
    assert r.status_code == 401 and r.json()["code"] == "api_key_invalid"
    r = system.get("/api/v1/me", headers={"Authorization": "Basic abc"})
    assert r.status_code == 401
    actions = session.execute(select(AuditEntry.action)).scalars().all()
    assert {"client.create", "api_key.create", "api_key.revoke", "api_key.rejected"} <= set(actions)


def test_expired_api_key_is_refused(client: TestClient, city, session: Session) -> None:  # type: ignore[no-untyped-def]
    token = login(client, "admin")
    h = {"X-CSRF-Token": token}
    cid = client.post("/api/v1/clients", json={"code": "hrss-si", "name": "社保系统", "department_id": city.hrss.id},
                      headers=h).json()["id"]
    issued = client.post(f"/api/v1/clients/{cid}/keys", json={"expires_in_days": 1}, headers=h).json()
    key = session.get(ApiKey, issued["id"])
    assert key is not None
    key.expires_at = dt.datetime(2020, 1, 1)
    session.commit()
    r = TestClient(client.app).get("/api/v1/me", headers={"Authorization": f"Bearer {issued['secret']}"})
    assert r.status_code == 401 and r.json()["code"] == "api_key_expired" and "过期" in r.json()["message"]


def test_department_scoping_of_users(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    login(client, "amr_clerk")
    listed = client.get("/api/v1/users").json()
    assert {u["department_id"] for u in listed["items"]} == {city.amr.id}
    assert listed["total"] == 4
    other = city.users["hrss_clerk"].id
    r = client.get(f"/api/v1/users/{other}")
    assert r.status_code == 404 and "不在您可查看的部门范围内" in r.json()["message"]
    r = client.get(f"/api/v1/users?department_id={city.hrss.id}")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert client.get(f"/api/v1/users/{city.users['amr_reviewer'].id}").status_code == 200
    # Platform-wide roles see every department.
    sup = TestClient(client.app)
    login(sup, "supervisor")
    assert sup.get(f"/api/v1/users/{other}").status_code == 200


def test_department_admin_cannot_grant_platform_roles_or_reach_other_departments(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    token = login(client, "amr_admin")
    h = {"X-CSRF-Token": token}
    body = {"username": "amr_new", "display_name": "新同事", "password": "Passw0rd-2026",
            "department_id": city.amr.id, "roles": ["window_clerk"]}
    assert client.post("/api/v1/users", json=body, headers=h).status_code == 201
    r = client.post("/api/v1/users", json={**body, "username": "amr_boss", "roles": ["platform_admin"]}, headers=h)
    assert r.status_code == 403 and "不能授予平台管理员" in r.json()["message"]
    r = client.post("/api/v1/users", json={**body, "username": "hrss_new", "department_id": city.hrss.id}, headers=h)
    assert r.status_code == 403
    r = client.patch(f"/api/v1/users/{city.users['hrss_clerk'].id}", json={"status": "disabled"}, headers=h)
    assert r.status_code == 404
    # A clerk cannot manage anyone.
    clerk = TestClient(client.app)
    t2 = login(clerk, "amr_clerk")
    r = clerk.post("/api/v1/users", json={**body, "username": "amr_x"}, headers={"X-CSRF-Token": t2})
    assert r.status_code == 403


def test_invalid_credit_code_refused_with_field_and_nothing_written(client: TestClient, city, session: Session) -> None:  # type: ignore[no-untyped-def]
    token = login(client, "admin")
    before_depts, before_audit = _count(session, Department), _count(session, AuditEntry)
    good = make_uscc()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    r = client.post("/api/v1/departments", json={"code": "city-new", "name": "安康市新设局", "short_name": "新设局",
                                                  "uscc": bad, "region_code": "610900"},
                    headers={"X-CSRF-Token": token})
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "validation_failed"
    assert "统一社会信用代码" in body["message"] and "校验位不正确" in body["message"]
    assert body["detail"]["fields"][0]["field"] == "uscc"
    assert _count(session, Department) == before_depts and _count(session, AuditEntry) == before_audit
    r = client.post("/api/v1/departments", json={"code": "city-new", "name": "安康市新设局", "short_name": "新设局",
                                                  "uscc": good, "region_code": "610900"},
                    headers={"X-CSRF-Token": token})
    assert r.status_code == 201
    r = client.post("/api/v1/departments", json={"code": "city-new2", "name": "安康市新设局", "short_name": "新设局",
                                                  "uscc": make_uscc(), "region_code": "610900"},
                    headers={"X-CSRF-Token": token})
    assert r.status_code == 409 and "已有部门使用该名称" in r.json()["message"]
    r = client.post("/api/v1/departments", json={"code": "city-new3", "name": "安康市另设局", "short_name": "另设局",
                                                  "uscc": make_uscc(), "region_code": "620100"},
                    headers={"X-CSRF-Token": token})
    assert r.status_code == 422 and r.json()["code"] == "region_unknown"


def test_invalid_resident_id_refused_and_accounts_read_needs_purpose(client: TestClient, city, session: Session) -> None:  # type: ignore[no-untyped-def]
    token = login(client, "admin")
    h = {"X-CSRF-Token": token}
    good = make_resident_id()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    before = _count(session, User)
    r = client.post("/api/v1/accounts/citizens", json={"display_name": "王五", "id_number": bad,
                                                       "password": "Passw0rd-2026"}, headers=h)
    assert r.status_code == 422
    assert r.json()["message"].startswith("公民身份号码校验位不正确")
    assert r.json()["detail"]["fields"][0]["field"] == "id_number"
    assert _count(session, User) == before
    r = client.post("/api/v1/accounts/citizens", json={"display_name": "王五", "id_number": good,
                                                       "password": "Passw0rd-2026"}, headers=h)
    assert r.status_code == 201 and r.json()["id_number"] == good[:6] + "********" + good[14:]
    # Reading personal data needs a purpose, and the read is audited with it.
    r = client.get("/api/v1/accounts?kind=citizen")
    assert r.status_code == 422 and "用途" in r.json()["message"]
    r = client.get("/api/v1/accounts", params={"kind": "citizen", "purpose": "核查账号重复注册投诉"})
    assert r.status_code == 200 and all("*" in a["id_number"] for a in r.json()["items"])
    entry = session.execute(select(AuditEntry).where(AuditEntry.action == "account.read")).scalar_one()
    assert entry.purpose == "核查账号重复注册投诉" and entry.actor_name == "郭振华"
    # A department admin may not read citizens' accounts at all.
    other = TestClient(client.app)
    login(other, "amr_admin")
    assert other.get("/api/v1/accounts", params={"purpose": "看看"}).status_code == 403


def test_enterprise_uscc_validated(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    token = login(client, "admin")
    r = client.post("/api/v1/accounts/enterprises", json={
        "display_name": "安康市某某有限公司", "credit_code": "91610902ABCDEFGHIJ", "legal_representative": "赵六",
        "password": "Passw0rd-2026"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 422 and "不允许的字符" in r.json()["message"]


def test_error_body_is_uniform(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    token = login(client, "admin")
    r = client.post("/api/v1/users", json={"username": "x"}, headers={"X-CSRF-Token": token})
    body = r.json()
    assert r.status_code == 422 and set(body) == {"code", "message", "detail"}
    labels = {f["label"] for f in body["detail"]["fields"]}
    assert {"用户名", "姓名", "密码"} <= labels
    assert "用户名内容过短" in body["message"]
    r = client.post("/api/v1/users", content=b"{not json", headers={"X-CSRF-Token": token,
                                                                    "content-type": "application/json"})
    assert r.status_code == 422 and r.json()["code"] == "validation_failed"
    r = client.get("/api/v1/users/999999")
    assert r.status_code == 404 and set(r.json()) == {"code", "message", "detail"}
    r = client.get("/api/v1/no-such-thing")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = client.get("/api/v1/users?page=abc")
    assert r.status_code == 422 and "页码必须是整数" in r.json()["message"]


def test_cannot_lock_self_out(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    token = login(client, "admin")
    r = client.patch(f"/api/v1/users/{city.users['admin'].id}", json={"status": "disabled"},
                     headers={"X-CSRF-Token": token})
    assert r.status_code == 403 and r.json()["code"] == "self_lockout"


def test_healthz_and_docs_are_public(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["database"] == "reachable"
    assert "swagger-ui" in client.get("/docs").text
    spec = client.get("/openapi.json").json()
    assert "/api/v1/users" in spec["paths"]


def test_every_route_is_authenticated_or_declared_public(app) -> None:  # type: ignore[no-untyped-def]
    """Authentication is the default: a route without it must sit on a router declared public."""
    from fastapi.routing import APIRoute

    from tongban.deps import assumed_request, require_actor, secure_request

    def walk(routes, inherited, public):  # type: ignore[no-untyped-def]
        for route in routes:
            original = getattr(route, "original_router", None)
            if original is not None:  # an included router (FastAPI >= 0.16x keeps them nested)
                calls = {d.dependency for d in original.dependencies}
                yield from walk(original.routes, inherited | calls,
                                public or getattr(original, "tongban_public", False))
            elif isinstance(route, APIRoute):
                calls = inherited | {d.call for d in route.dependant.dependencies}
                yield route.path, bool({require_actor, secure_request, assumed_request} & calls), public

    results = list(walk(app.routes, set(), False))
    assert len(results) > 30
    undeclared = [path for path, secured, public in results if not secured and not public]
    assert undeclared == []
    public_paths = {path for path, secured, _ in results if not secured}
    assert {"/healthz", "/docs", "/", "/login"} <= public_paths
    for path in public_paths:
        assert not path.startswith(("/admin", "/api/v1/users", "/api/v1/accounts", "/api/v1/audit",
                                    "/api/v1/clients", "/sharing")), path


def test_refused_attempts_are_audited(client: TestClient, city, session: Session) -> None:  # type: ignore[no-untyped-def]
    login(client, "amr_clerk")
    assert client.get("/api/v1/audit").status_code == 403
    entry = session.execute(select(AuditEntry).where(AuditEntry.action == "access.denied")).scalar_one()
    assert entry.result == "denied" and entry.object_id == "/api/v1/audit" and entry.department_id == city.amr.id
