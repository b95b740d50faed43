"""The items API over real HTTP: public reads, the department's writes and the platform's review."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.items.conftest import FOOD_CODE, ItemsWorld, impl_in
from tongban.items.models import Implementation


def _body(**overrides) -> dict:  # type: ignore[no-untyped-def]
    return impl_in(**overrides).model_dump(mode="json", exclude_none=True)


def _login(client: TestClient, username: str) -> dict[str, str]:
    from tests.factories import login

    client.cookies.clear()
    return {"X-CSRF-Token": login(client, username)}


def test_write_review_and_read_over_http(client: TestClient, session: Session, items_world: ItemsWorld) -> None:
    h = _login(client, "hb_admin")
    # 三级四同 through the API: a stable code and a Chinese message naming the element.
    r = client.post("/api/v1/items/implementations", json=_body(name="小餐饮登记"), headers=h)
    assert r.status_code == 422 and r.json()["code"] == "basic_element_locked"
    assert "事项名称" in r.json()["message"] and r.json()["detail"]["fields"][0]["field"] == "name"
    r = client.post("/api/v1/items/implementations", json=_body(item_type="行政备案"), headers=h)
    assert r.status_code == 422 and r.json()["code"] == "basic_element_locked"
    r = client.post("/api/v1/items/implementations", json=_body(basic_code="019999999999"), headers=h)
    assert r.status_code == 404 and r.json()["code"] == "basic_item_not_found"
    r = client.post("/api/v1/items/implementations", json={**_body(), "promised_days": 20}, headers=h)
    assert r.status_code == 422 and "承诺办结时限" in r.json()["message"]
    r = client.post("/api/v1/items/implementations", json=_body(), headers=h)
    assert r.status_code == 201, r.text
    impl = r.json()
    assert (impl["name"], impl["status"], impl["version"], impl["level"]) == ("食品经营许可", "draft", 0, "县级")
    assert client.get(f"/api/v1/items/implementations/{impl['id']}").status_code == 404  # not yet public
    assert [x["id"] for x in client.get("/api/v1/items/manage/implementations").json()] == [impl["id"]]
    r = client.post(f"/api/v1/items/implementations/{impl['id']}/submit", headers=h)
    assert r.json()["status"] == "review"

    # Another department: a draft is not there, the department's list is its own.
    h = _login(client, "amr_admin")
    assert client.get(f"/api/v1/items/manage/implementations/{impl['id']}").status_code == 404
    assert client.get("/api/v1/items/manage/implementations").json() == []
    assert client.get("/api/v1/items/manage/review").status_code == 403

    h = _login(client, "admin")
    assert [x["id"] for x in client.get("/api/v1/items/manage/review").json()] == [impl["id"]]
    r = client.post(f"/api/v1/items/implementations/{impl['id']}/return", json={"reason": "短"}, headers=h)
    assert r.status_code == 422
    r = client.post(f"/api/v1/items/implementations/{impl['id']}/approve", json={"note": "符合要求"}, headers=h)
    assert r.status_code == 200 and (r.json()["status"], r.json()["version"]) == ("published", 1)
    # The platform admin reviews but does not write the department's list.
    r = client.put(f"/api/v1/items/implementations/{impl['id']}", json=_body(), headers=h)
    assert r.status_code == 403 and r.json()["code"] == "item_not_own_department"

    client.cookies.clear()
    guide = client.get(f"/api/v1/items/implementations/{impl['id']}").json()
    assert guide["legal_basis"] == items_world.food.legal_basis and guide["version"] == 1
    assert [v["version"] for v in client.get(f"/api/v1/items/implementations/{impl['id']}/versions").json()] == [1]
    materials = client.get(f"/api/v1/items/implementations/{impl['id']}/materials").json()
    assert materials["applicant"].startswith("未登录")
    assert [m["must_upload"] for m in materials["materials"]] == [True, None, False, False, False]
    page = client.get("/api/v1/items", params={"q": "食品"}).json()
    assert page["total"] == 1 and page["items"][0]["code"] == FOOD_CODE
    assert page["items"][0]["implementations"][0]["department_name"] == items_world.county_amr.name
    assert client.get(f"/api/v1/items/basic/{FOOD_CODE}").json()["high_frequency"] is True
    assert client.get("/api/v1/items/reports/once-only").status_code == 401
    r = client.get("/api/v1/items/bundles/NOPE", params={"answer": "no-equals-sign"})
    assert r.status_code == 422 and r.json()["code"] == "bundle_answer_format"
    assert client.get("/api/v1/items/bundles/NOPE").status_code == 404

    # The department retires it; the guide is gone, its versions are kept.
    h = _login(client, "hb_admin")
    r = client.post(f"/api/v1/items/implementations/{impl['id']}/retire", json={"reason": "职能调整"}, headers=h)
    assert r.json()["status"] == "retired"
    assert client.get(f"/api/v1/items/implementations/{impl['id']}").status_code == 404
    session.expire_all()
    assert session.get(Implementation, impl["id"]).published_version == 1  # type: ignore[union-attr]


def test_basic_catalog_is_the_platforms(client: TestClient, items_world: ItemsWorld) -> None:
    body = {"code": "071050100000", "name": "内地居民结婚登记", "item_type": "行政确认",
            "legal_basis": "《婚姻登记条例》第四条", "levels": ["县级", "市级"]}
    h = _login(client, "amr_admin")
    assert client.post("/api/v1/items/basic", json=body, headers=h).status_code == 403
    h = _login(client, "admin")
    r = client.post("/api/v1/items/basic", json=body, headers=h)
    assert r.status_code == 201 and r.json()["levels"] == ["市级", "县级"]
    assert client.post("/api/v1/items/basic", json=body, headers=h).json()["code"] == "basic_item_exists"
    r = client.post("/api/v1/items/basic", json={**body, "code": "071050100001", "item_type": "行政许诺"}, headers=h)
    assert r.status_code == 422 and "事项类型应为" in r.json()["message"]
    r = client.put("/api/v1/items/basic/071050100000", json={**body, "name": "结婚登记"}, headers=h)
    assert r.status_code == 200 and r.json()["name"] == "结婚登记"
