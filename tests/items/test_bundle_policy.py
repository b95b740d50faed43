"""联合审批 policy of a bundle (item_bundles.joint_policy): what one department's refusal does to the joint case
— kept by the service, the API (with its OpenAPI description), the editor page, each published version, and
told to the applicant in Chinese on the bundle's guide page."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import login
from tests.items.conftest import FOOD_CODE, ItemsWorld
from tests.items.test_bundle_lifecycle import HEALTH_CODE, HTML, _bundle, _live_food
from tongban.items import reads, service

POLICY_URL = "/api/v1/items/bundles"


def test_the_policy_is_kept_versioned_and_told_on_the_guide(session: Session, items_world: ItemsWorld) -> None:
    admin = items_world.actor("admin")
    _live_food(session, items_world)
    bundle = service.create_bundle(session=session, actor=admin, bundle_in=_bundle(items_world))
    assert bundle.joint_policy == "any_refusal"  # the default: one refusal refuses the whole case
    guide = reads.bundle(session, "open-shop")
    assert guide.joint_policy == "any_refusal" and "整件申请不予许可" in guide.joint_policy_text
    service.update_bundle(session=session, actor=admin, code="open-shop",
                          bundle_in=_bundle(items_world, joint_policy="all_must_decide"))
    session.commit()
    guide = reads.bundle(session, "open-shop")
    assert guide.joint_policy == "all_must_decide" and "获准的事项准予许可" in guide.joint_policy_text
    versions = reads.bundle_versions(session, admin, "open-shop")
    assert [(v.version, v.snapshot["joint_policy"]) for v in versions] == [(2, "all_must_decide"),
                                                                         (1, "any_refusal")]


def test_the_policy_over_the_api(client: TestClient, session: Session, items_world: ItemsWorld) -> None:
    _live_food(session, items_world)
    h = {"X-CSRF-Token": login(client, "admin")}
    body: dict[str, Any] = {**_bundle(items_world).model_dump(mode="json"), "joint_policy": "all_must_decide"}
    r = client.post(POLICY_URL, json=body, headers=h)
    assert r.status_code == 201 and r.json()["joint_policy"] == "all_must_decide"
    public = client.get(f"{POLICY_URL}/open-shop").json()
    assert public["joint_policy"] == "all_must_decide" and "不影响其他事项" in public["joint_policy_text"]
    bad = client.put(f"{POLICY_URL}/open-shop", json={**body, "joint_policy": "majority"}, headers=h)
    assert bad.status_code == 422 and "joint_policy" in str(bad.json())
    r = client.put(f"{POLICY_URL}/open-shop", json={**body, "joint_policy": "any_refusal"}, headers=h)
    assert r.status_code == 200 and r.json()["joint_policy"] == "any_refusal"
    spec = client.get("/openapi.json").json()
    assert "all_must_decide" in spec["paths"][POLICY_URL]["post"]["description"]
    schema = spec["components"]["schemas"]["BundleIn"]["properties"]["joint_policy"]
    assert "一个部门不予许可" in schema["description"]


def test_the_editor_page_sets_the_policy_and_the_guide_says_it(client: TestClient, session: Session,
                                                               items_world: ItemsWorld) -> None:
    _live_food(session, items_world)
    token = login(client, "admin")
    page = client.get("/admin/items/bundles/new", headers=HTML).text
    assert 'name="joint_policy" value="all_must_decide"' in page and "一个部门不予许可时" in page
    form = {"csrf_token": token, "code": "open-shop", "name": "开食品店一件事", "event": "开办",
            "audience": "enterprise", "lead_department_id": str(items_world.city.amr.id),
            "member-0-code": FOOD_CODE, "member-1-code": HEALTH_CODE, "joint_policy": "all_must_decide"}
    assert client.post("/admin/items/bundles/new", data=form, follow_redirects=False).status_code == 303
    edit = client.get("/admin/items/bundles/open-shop/edit", headers=HTML).text
    assert 'value="all_must_decide" checked' in edit and "各部门分别决定" in edit
    guide = client.get("/services/bundles/open-shop", headers=HTML).text
    assert 'data-joint-policy="all_must_decide"' in guide and "如有部门不予许可" in guide
    bad = client.post("/admin/items/bundles/open-shop/edit", data={**form, "joint_policy": "majority"}, headers=HTML)
    assert bad.status_code == 422 and "一个部门不予许可时" in bad.text
    assert client.post("/admin/items/bundles/open-shop/edit", data={**form, "joint_policy": "any_refusal"},
                       follow_redirects=False).status_code == 303
    assert 'data-joint-policy="any_refusal"' in client.get("/services/bundles/open-shop", headers=HTML).text
