"""Life and business events kept by the platform: renamed (the bundles naming it follow and the search index
has the new name), reordered, and deleted only when no item and no bundle uses it — service, API and page."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import login
from tests.items.conftest import FOOD_CODE, ItemsWorld, impl_in, publish
from tongban.errors import Conflict, Forbidden, ValidationFailed
from tongban.items import events, reads, service
from tongban.items.indexing import BUNDLE_KIND, ITEM_KIND
from tongban.items.models import Bundle, ItemEvent
from tongban.items.schemas import BundleIn
from tongban.search.models import SearchDocument

HEALTH_CODE = "012000100000"
HTML = {"accept": "text/html"}


def _world(session: Session, world: ItemsWorld) -> Bundle:
    """食品经营许可 published and in the business event 开餐馆, with a bundle of that event; two more events."""
    admin = world.actor("admin")
    publish(session, world, service.create_implementation(session=session, actor=world.actor("amr_admin"),
                                                          implementation_in=impl_in()))
    service.set_event(session=session, actor=admin, kind="business", name="开餐馆", codes=[FOOD_CODE], position=1)
    service.set_event(session=session, actor=admin, kind="business", name="经营", codes=[], position=2)
    service.set_event(session=session, actor=admin, kind="business", name="注销", codes=[], position=3)
    return service.create_bundle(session=session, actor=admin, bundle_in=BundleIn.model_validate({
        "code": "eat", "name": "开餐馆一件事", "event": "开餐馆", "audience": "enterprise",
        "lead_department_id": world.city.amr.id, "members": [{"basic_code": FOOD_CODE}, {"basic_code": HEALTH_CODE}]}))


def _doc(session: Session, kind: str, doc_id: int) -> SearchDocument:
    session.flush()
    return session.execute(select(SearchDocument).where(SearchDocument.kind == kind,
                                                        SearchDocument.doc_id == doc_id)).scalar_one()


def _order(session: Session) -> list[str]:
    session.expire_all()
    return list(session.execute(select(ItemEvent.name).where(ItemEvent.kind == "business")
                                .order_by(ItemEvent.position)).scalars())


def test_rename_follows_in_bundles_and_the_search_index(session: Session, items_world: ItemsWorld) -> None:
    admin = items_world.actor("admin")
    bundle = _world(session, items_world)
    assert "开餐馆" in _doc(session, ITEM_KIND, items_world.food.id).tags
    events.rename_event(session=session, actor=admin, kind="business", name="开餐馆", new_name="开办餐饮店")
    item_doc = _doc(session, ITEM_KIND, items_world.food.id)
    assert "开办餐饮店" in item_doc.tags and "开餐馆" not in item_doc.tags + item_doc.body
    bundle_doc = _doc(session, BUNDLE_KIND, bundle.id)
    assert "开办餐饮店" in bundle_doc.abstract and "开餐馆；" not in bundle_doc.abstract
    session.expire_all()
    assert session.get(Bundle, bundle.id).event == "开办餐饮店"  # type: ignore[union-attr]
    listed = {e.name: e for e in reads.events(session, kind="business")}
    assert [b.code for b in listed["开办餐饮店"].bundles] == ["eat"] and listed["开办餐饮店"].items
    with pytest.raises(Conflict) as exc:
        events.rename_event(session=session, actor=admin, kind="business", name="开办餐饮店", new_name="经营")
    assert exc.value.code == "event_exists"
    with pytest.raises(Forbidden):
        events.rename_event(session=session, actor=items_world.actor("amr_admin"), kind="business",
                            name="经营", new_name="日常经营")


def test_reorder_and_delete_an_event_in_use_is_refused(session: Session, items_world: ItemsWorld) -> None:
    admin = items_world.actor("admin")
    _world(session, items_world)
    events.move_event(session=session, actor=admin, kind="business", name="注销", offset=-1)
    assert _order(session) == ["开餐馆", "注销", "经营"]
    events.reorder_events(session=session, actor=admin, kind="business", names=["经营", "开餐馆", "注销"])
    assert _order(session) == ["经营", "开餐馆", "注销"]
    with pytest.raises(ValidationFailed) as bad:
        events.reorder_events(session=session, actor=admin, kind="business", names=["经营", "开餐馆"])
    assert "缺少：注销" in bad.value.message

    with pytest.raises(Conflict) as exc:
        events.delete_event(session=session, actor=admin, kind="business", name="开餐馆")
    assert exc.value.code == "event_in_use" and "1 个事项、1 个一件事" in exc.value.message
    assert exc.value.detail == {"items": 1, "bundles": 1}
    events.delete_event(session=session, actor=admin, kind="business", name="注销")
    assert _order(session) == ["经营", "开餐馆"]


def test_events_over_the_api(client: TestClient, session: Session, items_world: ItemsWorld) -> None:
    _world(session, items_world)
    h = {"X-CSRF-Token": login(client, "admin")}
    r = client.delete("/api/v1/items/events/business/开餐馆", headers=h)
    assert r.status_code == 409 and r.json()["code"] == "event_in_use" and "1 个事项" in r.json()["message"]
    r = client.post("/api/v1/items/events/business/开餐馆/rename", json={"new_name": "开办餐饮店"}, headers=h)
    assert r.status_code == 200 and r.json()["name"] == "开办餐饮店" and r.json()["bundles"][0]["code"] == "eat"
    r = client.put("/api/v1/items/events/business", json={"names": ["注销", "经营", "开办餐饮店"]}, headers=h)
    assert r.status_code == 200 and r.json() == ["注销", "经营", "开办餐饮店"]
    assert [e["name"] for e in client.get("/api/v1/items/events", params={"kind": "business"}).json()] == [
        "注销", "经营", "开办餐饮店"]
    r = client.put("/api/v1/items/events/business/开业", json={"codes": [FOOD_CODE], "position": 9}, headers=h)
    assert r.status_code == 200 and [i["code"] for i in r.json()["items"]] == [FOOD_CODE]
    assert client.delete("/api/v1/items/events/business/注销", headers=h).status_code == 204
    assert client.delete("/api/v1/items/events/business/注销", headers=h).status_code == 404
    assert client.delete("/api/v1/items/events/other/注销", headers=h).status_code == 422
    h = {"X-CSRF-Token": login(client, "amr_admin")}
    assert client.delete("/api/v1/items/events/business/经营", headers=h).status_code == 403


def test_the_events_page_renames_moves_and_refuses_deleting_one_in_use(
        client: TestClient, session: Session, items_world: ItemsWorld) -> None:
    _world(session, items_world)
    token = login(client, "admin")
    page = client.get("/admin/items/events", headers=HTML).text
    assert "/admin/items/events/rename" in page and "上移" in page and "删除事件" in page
    refused = client.post("/admin/items/events/delete", data={"csrf_token": token, "kind": "business",
                                                              "name": "开餐馆"}, headers=HTML)
    assert refused.status_code == 409 and "仍被1 个事项、1 个一件事使用" in refused.text
    renamed = client.post("/admin/items/events/rename", data={"csrf_token": token, "kind": "business",
                                                              "name": "开餐馆", "new_name": "开办餐饮店"},
                          follow_redirects=False)
    assert renamed.status_code == 303
    assert client.get("/services/events/business/开办餐饮店", headers=HTML).status_code == 200
    taken = client.post("/admin/items/events/rename", data={"csrf_token": token, "kind": "business",
                                                            "name": "经营", "new_name": "注销"}, headers=HTML)
    assert taken.status_code == 409 and "已有名为“注销”的企业事件" in taken.text
    moved = client.post("/admin/items/events/move", data={"csrf_token": token, "kind": "business", "name": "注销",
                                                          "offset": "-1"}, follow_redirects=False)
    assert moved.status_code == 303 and _order(session) == ["开办餐饮店", "注销", "经营"]
    assert client.post("/admin/items/events/delete", data={"csrf_token": token, "kind": "business", "name": "经营"},
                       follow_redirects=False).status_code == 303
    assert _order(session) == ["开办餐饮店", "注销"]
