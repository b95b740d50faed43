"""The platform's catalog pages: the basic catalog, bundles (一件事) and life/business events, written through
the pages and seen on the portal; departments are refused."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import login
from tests.items.conftest import FOOD_CODE, ItemsWorld, impl_in, publish
from tongban.audit.models import AuditEntry
from tongban.items import service
from tongban.items.models import BasicItem, Bundle

HTML = {"accept": "text/html"}
HEALTH_CODE = "012000100000"


def _actions(session: Session) -> list[str]:
    return list(session.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars())


def test_the_platform_creates_and_edits_a_basic_item_and_sees_what_it_reaches(
        client: TestClient, session: Session, items_world: ItemsWorld) -> None:
    impl = service.create_implementation(session=session, actor=items_world.actor("hb_admin"),
                                         implementation_in=impl_in())
    token = login(client, "admin")
    listing = client.get("/admin/items/catalog", headers=HTML)
    assert listing.status_code == 200 and FOOD_CODE in listing.text and "1 个" in listing.text
    created = client.post("/admin/items/catalog/new", data={
        "csrf_token": token, "code": "011020300000", "name": "公共场所卫生许可", "item_type": "行政许可",
        "legal_basis": "《公共场所卫生管理条例》第八条", "levels": ["市级", "县级"], "high_frequency": "1"},
        follow_redirects=False)
    assert created.status_code == 303, created.text
    row = session.execute(select(BasicItem).where(BasicItem.code == "011020300000")).scalar_one()
    assert row.levels == ["市级", "县级"] and row.high_frequency

    form = client.get(f"/admin/items/catalog/{FOOD_CODE}/edit", headers=HTML)
    assert form.status_code == 200 and "修改将影响 1 个实施清单" in form.text and "汉滨区市场监督管理局" in form.text
    edited = client.post(f"/admin/items/catalog/{FOOD_CODE}/edit", data={
        "csrf_token": token, "name": "食品经营许可（含小餐饮）", "item_type": "行政许可",
        "legal_basis": "《中华人民共和国食品安全法》第三十五条", "levels": ["市级", "县级"]}, follow_redirects=False)
    assert edited.status_code == 303 and "1%20%E4%B8%AA" in edited.headers["location"]  # “1 个实施清单随之更新”
    # Every implementation carries the basic item's elements by reference.
    assert "食品经营许可（含小餐饮）" in client.get(f"/admin/items/{impl.id}", headers=HTML).text
    assert {"item.basic_create", "item.basic_update"} <= set(_actions(session))


def test_a_bad_basic_item_form_is_shown_again_with_a_chinese_message(
        client: TestClient, session: Session, items_world: ItemsWorld) -> None:
    token = login(client, "admin")
    bad = client.post("/admin/items/catalog/new", data={
        "csrf_token": token, "code": "011020300000", "name": "公共场所卫生许可", "item_type": "行政许可",
        "legal_basis": "《公共场所卫生管理条例》第八条"}, headers=HTML)  # no level ticked
    assert bad.status_code == 422 and "行使层级" in bad.text and "公共场所卫生许可" in bad.text
    taken = client.post("/admin/items/catalog/new", data={
        "csrf_token": token, "code": FOOD_CODE, "name": "食品经营许可", "item_type": "行政许可",
        "legal_basis": "《食品安全法》", "levels": ["市级"]}, headers=HTML)
    assert taken.status_code == 409 and "已在基本目录中" in taken.text
    assert session.execute(select(BasicItem).where(BasicItem.code == "011020300000")).first() is None


def test_department_staff_neither_see_nor_use_the_catalog_pages(
        client: TestClient, session: Session, items_world: ItemsWorld) -> None:
    token = login(client, "hb_admin")
    for path in ("/admin/items/catalog", "/admin/items/catalog/new", f"/admin/items/catalog/{FOOD_CODE}/edit",
                 "/admin/items/bundles", "/admin/items/bundles/new", "/admin/items/events"):
        assert client.get(path, headers=HTML).status_code == 403, path
    assert "/admin/items/catalog" not in client.get("/admin/items", headers=HTML).text
    refused = client.post(f"/admin/items/catalog/{FOOD_CODE}/edit", data={
        "csrf_token": token, "name": "小餐饮许可", "item_type": "行政许可", "legal_basis": "《办法》",
        "levels": ["县级"]}, headers=HTML)
    assert refused.status_code == 403
    assert client.post("/admin/items/events", data={"csrf_token": token, "kind": "life", "name": "出生",
                                                     "codes": FOOD_CODE}, headers=HTML).status_code == 403
    session.expire_all()
    assert session.execute(select(BasicItem.name).where(BasicItem.code == FOOD_CODE)).scalar_one() == "食品经营许可"
    login(client, "admin")
    assert "/admin/items/catalog" in client.get("/admin/items", headers=HTML).text


def _bundle_form(token: str, lead: int, **overrides: str) -> dict[str, str]:
    data = {"csrf_token": token, "code": "open-restaurant", "name": "开餐馆一件事", "event": "开办餐馆",
            "audience": "enterprise", "lead_department_id": str(lead), "guide": "一次告知、一表申请、一窗受理。",
            "member-0-code": FOOD_CODE, "member-1-code": HEALTH_CODE, "member-1-field": "has_staff",
            "member-1-op": "==", "member-1-value": "是", "member-1-label": "雇有从业人员的"}
    data.update(overrides)
    return data


def test_a_bundle_created_and_edited_through_the_pages_is_on_the_portal(
        client: TestClient, session: Session, items_world: ItemsWorld) -> None:
    lead = items_world.county_amr.id
    token = login(client, "admin")
    assert client.get("/admin/items/bundles/new", headers=HTML).status_code == 200
    created = client.post("/admin/items/bundles/new", data=_bundle_form(token, lead), follow_redirects=False)
    assert created.status_code == 303, created.text
    portal = client.get("/services/bundles/open-restaurant", headers=HTML)
    assert portal.status_code == 200
    assert "开餐馆一件事" in portal.text and "从业人员健康检查" in portal.text and "雇有从业人员的" in portal.text
    bundle = session.execute(select(Bundle).where(Bundle.code == "open-restaurant")).scalar_one()
    assert bundle.members[1].condition_value is True

    editor = client.get("/admin/items/bundles/open-restaurant/edit", headers=HTML)
    assert editor.status_code == 200 and "雇有从业人员的" in editor.text
    edited = client.post("/admin/items/bundles/open-restaurant/edit", data=_bundle_form(
        token, lead, name="开办餐馆一件事", **{"member-1-op": "in", "member-1-value": "1、2、3",
                                                  "member-1-label": "雇员不超过三人的"}), follow_redirects=False)
    assert edited.status_code == 303, edited.text
    portal = client.get("/services/bundles/open-restaurant", headers=HTML)
    assert "开办餐馆一件事" in portal.text and "雇员不超过三人的" in portal.text
    session.expire_all()
    bundle = session.execute(select(Bundle).where(Bundle.code == "open-restaurant")).scalar_one()
    assert bundle.members[1].condition_value == ["1", "2", "3"]
    assert {"item.bundle_create", "item.bundle_update"} <= set(_actions(session))


def test_a_bad_bundle_form_names_the_problem_in_chinese(client: TestClient, session: Session,
                                                        items_world: ItemsWorld) -> None:
    token = login(client, "admin")
    lead = items_world.county_amr.id
    one = client.post("/admin/items/bundles/new", data=_bundle_form(token, lead, **{"member-1-code": ""}),
                      headers=HTML)
    assert one.status_code == 422 and "成员事项" in one.text and "开餐馆一件事" in one.text
    no_label = client.post("/admin/items/bundles/new", data=_bundle_form(token, lead, **{"member-1-label": ""}),
                           headers=HTML)
    assert no_label.status_code == 422 and "第 2 个成员事项" in no_label.text and "条件说明" in no_label.text
    assert session.execute(select(Bundle)).first() is None


def test_update_bundle_is_audited_and_refuses_a_changed_code(session: Session, items_world: ItemsWorld) -> None:
    from tongban.errors import ValidationFailed
    from tongban.items.schemas import BundleIn

    admin = items_world.actor("admin")
    data = {"code": "b1", "name": "开餐馆一件事", "event": "开办餐馆", "audience": "enterprise",
            "lead_department_id": items_world.county_amr.id,
            "members": [{"basic_code": FOOD_CODE}, {"basic_code": HEALTH_CODE}]}
    service.create_bundle(session=session, actor=admin, bundle_in=BundleIn.model_validate(data))
    try:
        service.update_bundle(session=session, actor=admin, code="b1",
                              bundle_in=BundleIn.model_validate({**data, "code": "b2"}))
    except ValidationFailed as exc:
        assert exc.code == "bundle_code_fixed"
    else:
        raise AssertionError("a changed code must be refused")
    updated = service.update_bundle(session=session, actor=admin, code="b1", bundle_in=BundleIn.model_validate(
        {**data, "members": [{"basic_code": HEALTH_CODE}, {"basic_code": FOOD_CODE}]}))
    assert [m.basic.code for m in updated.members] == [HEALTH_CODE, FOOD_CODE]
    assert _actions(session).count("item.bundle_update") == 1


def test_the_event_editor_changes_what_the_portal_lists(client: TestClient, session: Session,
                                                        items_world: ItemsWorld) -> None:
    publish(session, items_world, service.create_implementation(
        session=session, actor=items_world.actor("amr_admin"), implementation_in=impl_in()))
    token = login(client, "admin")
    assert client.get("/services/events/business/开办餐馆", headers=HTML).status_code == 404
    created = client.post("/admin/items/events", data={"csrf_token": token, "kind": "business", "name": "开办餐馆",
                                                       "position": "1", "codes": FOOD_CODE}, follow_redirects=False)
    assert created.status_code == 303, created.text
    page = client.get("/services/events/business/开办餐馆", headers=HTML)
    assert page.status_code == 200 and "食品经营许可" in page.text
    editor = client.get("/admin/items/events", headers=HTML)
    assert editor.status_code == 200 and "开办餐馆" in editor.text and FOOD_CODE in editor.text
    cleared = client.post("/admin/items/events", data={"csrf_token": token, "existing": "1", "kind": "business",
                                                       "name": "开办餐馆", "position": "1", "codes": ""},
                          follow_redirects=False)
    assert cleared.status_code == 303
    assert "食品经营许可" not in client.get("/services/events/business/开办餐馆", headers=HTML).text
    # An unknown code: the Chinese reason, nothing changed.
    bad = client.post("/admin/items/events", data={"csrf_token": token, "existing": "1", "kind": "business",
                                                   "name": "开办餐馆", "position": "1", "codes": "999999999999"},
                      headers=HTML)
    assert bad.status_code == 422 and "基本目录中没有这些事项编码：999999999999" in bad.text
    bad_name = client.post("/admin/items/events", data={"csrf_token": token, "kind": "life", "name": "",
                                                        "codes": FOOD_CODE}, headers=HTML)
    assert bad_name.status_code == 422 and "请填写事件名称" in bad_name.text
    assert _actions(session).count("item.event_set") == 2
