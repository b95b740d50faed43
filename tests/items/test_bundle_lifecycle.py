"""一件事的生命周期: draft → published → retired, deleting only a draft; refused transitions answer 409 with a
Chinese reason; every published state is a version; a retired bundle leaves the portal and its search index
in the same use-case — through the service, the API and the pages."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import login
from tests.items.conftest import FOOD_CODE, ItemsWorld, impl_in, publish
from tongban.audit import service as audit
from tongban.audit.models import AuditEntry
from tongban.errors import Forbidden, InvalidTransition
from tongban.items import bundles, reads, service
from tongban.items.indexing import BUNDLE_KIND
from tongban.items.models import Bundle
from tongban.items.schemas import BundleIn
from tongban.search.models import SearchDocument

HEALTH_CODE = "012000100000"
HTML = {"accept": "text/html"}


def _bundle(world: ItemsWorld, code: str = "open-shop", **overrides: Any) -> BundleIn:
    data: dict[str, Any] = {"code": code, "name": "开食品店一件事", "event": "开办", "audience": "enterprise",
                            "lead_department_id": world.city.amr.id, "guide": "一次告知、一表申请。",
                            "members": [{"basic_code": FOOD_CODE}, {"basic_code": HEALTH_CODE}]}
    data.update(overrides)
    return BundleIn.model_validate(data)


def _indexed(session: Session, bundle_id: int) -> bool:
    session.flush()
    return session.execute(select(SearchDocument.id).where(SearchDocument.kind == BUNDLE_KIND,
                                                           SearchDocument.doc_id == bundle_id)).first() is not None


def _actions(session: Session, code: str) -> list[str]:
    return list(session.execute(select(AuditEntry.action).where(
        AuditEntry.object_type == "bundle", AuditEntry.object_id == code).order_by(AuditEntry.seq)).scalars())


def _live_food(session: Session, world: ItemsWorld) -> None:
    publish(session, world, service.create_implementation(session=session, actor=world.actor("amr_admin"),
                                                          implementation_in=impl_in()))


def test_draft_publish_version_retire_and_refusals(session: Session, items_world: ItemsWorld) -> None:
    admin = items_world.actor("admin")
    _live_food(session, items_world)
    draft = service.create_bundle(session=session, actor=admin, bundle_in=_bundle(items_world), draft=True)
    assert draft.status == "draft" and not _indexed(session, draft.id)
    assert [b.code for b in reads.list_bundles(session)] == []  # the portal does not list a draft
    with pytest.raises(InvalidTransition) as exc:
        bundles.retire_bundle(session=session, actor=admin, code="open-shop", reason="不再需要了")
    assert exc.value.code == "bundle_never_published" and "直接删除" in exc.value.message

    published = bundles.publish_bundle(session=session, actor=admin, code="open-shop")
    assert published.status == "published" and _indexed(session, published.id)
    assert [b.code for b in reads.list_bundles(session)] == ["open-shop"]
    with pytest.raises(InvalidTransition) as exc:
        bundles.publish_bundle(session=session, actor=admin, code="open-shop")
    assert exc.value.code == "bundle_published"
    with pytest.raises(InvalidTransition) as exc:
        bundles.delete_bundle(session=session, actor=admin, code="open-shop")
    assert exc.value.code == "bundle_not_draft" and "只能停用" in exc.value.message

    # A change of the published bundle is its next version; each version is kept whole.
    service.update_bundle(session=session, actor=admin, code="open-shop",
                          bundle_in=_bundle(items_world, name="开办食品店一件事"))
    versions = reads.bundle_versions(session, admin, "open-shop")
    assert [(v.version, v.snapshot["name"]) for v in versions] == [(2, "开办食品店一件事"), (1, "开食品店一件事")]
    assert [m["code"] for m in versions[1].snapshot["members"]] == [FOOD_CODE, HEALTH_CODE]

    retired = bundles.retire_bundle(session=session, actor=admin, code="open-shop", reason="并入企业开办一件事")
    assert retired.status == "retired" and not _indexed(session, retired.id)
    assert reads.list_bundles(session) == []
    for attempt in (lambda: bundles.retire_bundle(session=session, actor=admin, code="open-shop", reason="再次停用"),
                    lambda: bundles.publish_bundle(session=session, actor=admin, code="open-shop"),
                    lambda: bundles.delete_bundle(session=session, actor=admin, code="open-shop"),
                    lambda: service.update_bundle(session=session, actor=admin, code="open-shop",
                                                  bundle_in=_bundle(items_world))):
        with pytest.raises(InvalidTransition) as exc:
            attempt()
        assert exc.value.status_code == 409 and exc.value.message
    session.expire_all()
    row = session.execute(select(Bundle).where(Bundle.code == "open-shop")).scalar_one()
    assert row.status == "retired" and row.name == "开办食品店一件事"  # nothing half-written
    assert _actions(session, "open-shop") == [
        "item.bundle_create", "item.bundle_version", "item.bundle_publish", "item.bundle_update",
        "item.bundle_version", "item.bundle_retire"]
    assert audit.verify(session).ok


def test_a_draft_is_deleted_and_departments_are_refused(session: Session, items_world: ItemsWorld) -> None:
    admin = items_world.actor("admin")
    service.create_bundle(session=session, actor=admin, bundle_in=_bundle(items_world), draft=True)
    with pytest.raises(Forbidden):
        bundles.delete_bundle(session=session, actor=items_world.actor("amr_admin"), code="open-shop")
    assert bundles.delete_bundle(session=session, actor=admin, code="open-shop") == "开食品店一件事"
    assert session.execute(select(Bundle.id).where(Bundle.code == "open-shop")).first() is None
    assert _actions(session, "open-shop") == ["item.bundle_create", "item.bundle_delete"]
    service.create_bundle(session=session, actor=admin, bundle_in=_bundle(items_world))
    assert [v.version for v in reads.bundle_versions(session, admin, "open-shop")] == [1]


def test_bundle_lifecycle_over_the_api(client: TestClient, session: Session, items_world: ItemsWorld) -> None:
    _live_food(session, items_world)
    h = {"X-CSRF-Token": login(client, "admin")}
    body = _bundle(items_world).model_dump(mode="json")
    r = client.post("/api/v1/items/bundles", params={"draft": True}, json=body, headers=h)
    assert r.status_code == 201 and r.json()["status"] == "draft" and r.json()["versions"] == 0
    assert client.get("/api/v1/items/bundles/open-shop").status_code == 404  # not public yet
    r = client.post("/api/v1/items/bundles/open-shop/retire", json={"reason": "不再需要了"}, headers=h)
    assert r.status_code == 409 and r.json()["code"] == "bundle_never_published" and "删除" in r.json()["message"]
    r = client.post("/api/v1/items/bundles/open-shop/publish", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "published" and r.json()["versions"] == 1
    assert client.get("/api/v1/items/bundles/open-shop").status_code == 200
    r = client.delete("/api/v1/items/bundles/open-shop", headers=h)
    assert r.status_code == 409 and r.json()["code"] == "bundle_not_draft"
    r = client.post("/api/v1/items/bundles/open-shop/retire", json={"reason": "短"}, headers=h)
    assert r.status_code == 422  # a reason says why
    r = client.post("/api/v1/items/bundles/open-shop/retire", json={"reason": "并入企业开办一件事"}, headers=h)
    assert r.status_code == 200 and r.json()["status_label"] == "已停用"
    gone = client.get("/api/v1/items/bundles/open-shop")
    assert gone.status_code == 404 and "已停用" in gone.json()["message"]
    assert client.get("/api/v1/items/bundles").json() == []
    r = client.put("/api/v1/items/bundles/open-shop", json=body, headers=h)
    assert r.status_code == 409 and r.json()["code"] == "bundle_retired"
    versions = client.get("/api/v1/items/manage/bundles/open-shop/versions").json()
    assert [v["version"] for v in versions] == [1] and versions[0]["snapshot"]["name"] == "开食品店一件事"
    assert [b["status"] for b in client.get("/api/v1/items/manage/bundles").json()] == ["retired"]
    # Departments do not manage bundles.
    h = {"X-CSRF-Token": login(client, "amr_admin")}
    assert client.post("/api/v1/items/bundles", json={**body, "code": "x-1"}, headers=h).status_code == 403
    assert client.get("/api/v1/items/manage/bundles").status_code == 403


def test_the_bundle_pages_have_the_buttons(client: TestClient, session: Session, items_world: ItemsWorld) -> None:
    _live_food(session, items_world)
    token = login(client, "admin")
    form = {"csrf_token": token, "code": "open-shop", "name": "开食品店一件事", "event": "开办",
            "audience": "enterprise", "lead_department_id": str(items_world.city.amr.id),
            "member-0-code": FOOD_CODE, "member-1-code": HEALTH_CODE, "draft": "1"}
    r = client.post("/admin/items/bundles/new", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get("/admin/items/bundles", headers=HTML).text
    assert "草稿" in page and "/admin/items/bundles/open-shop/publish" in page and "删除草稿" in page
    assert "/admin/items/bundles/open-shop/publish" in client.get("/admin/items/bundles/open-shop/edit",
                                                                  headers=HTML).text
    bad = client.post("/admin/items/bundles/open-shop/retire", data={"csrf_token": token, "reason": "不再需要了"},
                      headers=HTML)
    assert bad.status_code == 409 and "从未发布的草稿，无需停用" in bad.text
    assert client.post("/admin/items/bundles/open-shop/publish", data={"csrf_token": token},
                       follow_redirects=False).status_code == 303
    assert client.get("/services/bundles/open-shop", headers=HTML).status_code == 200
    page = client.get("/admin/items/bundles", headers=HTML).text
    assert "/admin/items/bundles/open-shop/retire" in page and "停用原因" in page
    refused = client.post("/admin/items/bundles/open-shop/delete", data={"csrf_token": token}, headers=HTML)
    assert refused.status_code == 409 and "只能停用" in refused.text
    assert client.post("/admin/items/bundles/open-shop/retire", data={"csrf_token": token, "reason": "并入企业开办"},
                       follow_redirects=False).status_code == 303
    assert client.get("/services/bundles/open-shop", headers=HTML).status_code == 404
    assert "已停用" in client.get("/admin/items/bundles", headers=HTML).text
    assert "不能修改" in client.get("/admin/items/bundles/open-shop/edit", headers=HTML).text
