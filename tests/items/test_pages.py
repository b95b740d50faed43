"""事项管理 pages: department isolation, the 三级四同 refusal on the form, review through the pages, the platform's
reports, versions and the audit trail."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import login
from tests.items.conftest import FOOD_CODE, ItemsWorld, impl_in, publish
from tongban.items import service
from tongban.items.models import Implementation

HTML = {"accept": "text/html"}


def _nav(client: TestClient) -> str:
    html = client.get("/home").text
    return html[html.index('<nav class="mainnav"'):html.index("</nav>")]


def _edit_form(token: str, **overrides: str) -> dict[str, str]:
    data = {
        "csrf_token": token, "legal_days": "10", "promised_days": "5", "fee": "不收费",
        "conditions": "已取得营业执照等合法主体资格", "steps": "申请\n受理\n审查\n决定", "visits": "0",
        "channels": "网上办理、窗口办理", "service_objects": "企业法人", "consult_phone": "0915-3200001",
        "complaint_phone": "12345", "place": "汉滨区政务服务中心", "hours": "法定工作日", "online": "1",
        "result_name": "食品经营许可证", "licence_type": "食品经营许可证", "change_note": "",
        "material-0-name": "食品经营许可申请书", "material-0-source": "upload", "material-0-required": "1",
        "material-1-name": "营业执照", "material-1-source": "licence", "material-1-ref": "营业执照",
        "material-1-required": "1",
    }
    data.update(overrides)
    return data


def test_a_department_sees_and_edits_only_its_own_list(client: TestClient, session: Session,
                                                       items_world: ItemsWorld) -> None:
    city_impl = service.create_implementation(session=session, actor=items_world.actor("amr_admin"),
                                              implementation_in=impl_in())
    county_impl = service.create_implementation(session=session, actor=items_world.actor("hb_admin"),
                                                implementation_in=impl_in(promised_days=3))
    login(client, "hb_admin")
    page = client.get("/admin/items", headers=HTML)
    assert page.status_code == 200
    assert "事项管理" in page.text and f"/admin/items/{county_impl.id}" in page.text
    assert f"/admin/items/{city_impl.id}\"" not in page.text
    assert client.get(f"/admin/items/{city_impl.id}", headers=HTML).status_code == 404  # another's draft
    assert client.get(f"/admin/items/{city_impl.id}/edit", headers=HTML).status_code == 404
    own = client.get(f"/admin/items/{county_impl.id}", headers=HTML)
    assert own.status_code == 200 and "提交审核" in own.text and "申请人上传" in own.text and "电子证照" in own.text
    # Staff of a department without item rights do not manage items at all.
    login(client, "hrss_clerk")
    assert client.get("/admin/items", headers=HTML).status_code == 403
    assert "/admin/items" not in _nav(client)


def test_the_form_shows_the_basic_elements_read_only_and_refuses_changing_them(
        client: TestClient, session: Session, items_world: ItemsWorld) -> None:
    impl = service.create_implementation(session=session, actor=items_world.actor("hb_admin"),
                                         implementation_in=impl_in())
    token = login(client, "hb_admin")
    form = client.get(f"/admin/items/{impl.id}/edit", headers=HTML)
    assert form.status_code == 200
    assert "三级四同" in form.text and "《中华人民共和国食品安全法》第三十五条" in form.text
    assert 'name="item_type"' not in form.text and 'name="name"' not in form.text  # not editable on the form
    for field, value, label in (("name", "小餐饮经营许可", "事项名称"), ("item_type", "行政备案", "事项类型"),
                                ("legal_basis", "《安康市小餐饮管理办法》", "设定依据")):
        refused = client.post(f"/admin/items/{impl.id}/edit", data=_edit_form(token, **{field: value}),
                              headers=HTML)
        assert refused.status_code == 422
        assert label in refused.text and "三级四同" in refused.text and "不能更改" in refused.text
    session.expire_all()
    assert session.get(Implementation, impl.id).promised_days == 5  # type: ignore[union-attr]
    # A valid edit is saved as the department's draft.
    saved = client.post(f"/admin/items/{impl.id}/edit", data=_edit_form(token, promised_days="2"),
                        follow_redirects=False)
    assert saved.status_code == 303
    session.expire_all()
    row = session.get(Implementation, impl.id)
    assert row is not None and row.promised_days == 2 and [m.source for m in row.materials] == ["upload", "licence"]
    # A material that comes from a licence needs its type: the row is named.
    bad = client.post(f"/admin/items/{impl.id}/edit", data=_edit_form(token, **{"material-1-ref": ""}),
                      headers=HTML)
    assert bad.status_code == 422 and "第 2 项材料" in bad.text and "证照类型名称" in bad.text


def test_create_submit_return_approve_through_the_pages(client: TestClient, session: Session,
                                                          items_world: ItemsWorld) -> None:
    token = login(client, "hb_admin")
    new = client.get("/admin/items/new", headers=HTML)
    assert new.status_code == 200 and FOOD_CODE in new.text
    created = client.post("/admin/items/new", data=_edit_form(token, basic_code=FOOD_CODE), follow_redirects=False)
    assert created.status_code == 303, created.text
    impl = session.execute(select(Implementation)).scalar_one()
    assert client.post(f"/admin/items/{impl.id}/submit", data={"csrf_token": token},
                       follow_redirects=False).status_code == 303
    # The department cannot approve its own list: the page has no such form and the POST is refused.
    assert client.post(f"/admin/items/{impl.id}/approve", data={"csrf_token": token},
                       headers=HTML).status_code == 403

    token = login(client, "admin")
    queue = client.get("/admin/items/review", headers=HTML)
    assert queue.status_code == 200 and f"/admin/items/{impl.id}" in queue.text
    short = client.post(f"/admin/items/{impl.id}/return", data={"csrf_token": token, "reason": "短"}, headers=HTML)
    assert short.status_code == 422 and "退回原因" in short.text
    returned = client.post(f"/admin/items/{impl.id}/return",
                           data={"csrf_token": token, "reason": "收费依据请写明文件号"}, follow_redirects=False)
    assert returned.status_code == 303

    token = login(client, "hb_admin")
    page = client.get(f"/admin/items/{impl.id}", headers=HTML)
    assert "审核退回：收费依据请写明文件号" in page.text
    client.post(f"/admin/items/{impl.id}/submit", data={"csrf_token": token})

    token = login(client, "admin")
    approved = client.post(f"/admin/items/{impl.id}/approve", data={"csrf_token": token, "note": "同意"},
                           follow_redirects=False)
    assert approved.status_code == 303
    page = client.get(f"/admin/items/{impl.id}", headers=HTML)
    assert "已发布" in page.text and "第 1 版" in page.text
    for step in ("编制实施清单", "提交实施清单审核", "退回实施清单", "审核通过实施清单并发布"):
        assert step in page.text
    assert "退回原因：收费依据请写明文件号" in page.text
    version = client.get(f"/admin/items/{impl.id}/versions/1", headers=HTML)
    assert version.status_code == 200 and "食品经营许可" in version.text
    # A second approval of what is no longer in review is refused with the reason, not a 500.
    again = client.post(f"/admin/items/{impl.id}/approve", data={"csrf_token": token}, headers=HTML)
    assert again.status_code == 409 and "只有待审核的实施清单可以审核" in again.text

    token = login(client, "hb_admin")
    retired = client.post(f"/admin/items/{impl.id}/retire", data={"csrf_token": token, "reason": "职能划转至区行政审批局"},
                          follow_redirects=False)
    assert retired.status_code == 303
    session.expire_all()
    assert session.get(Implementation, impl.id).status == "retired"  # type: ignore[union-attr]


def test_reports_are_for_the_platform_only(client: TestClient, session: Session, items_world: ItemsWorld) -> None:
    city_impl = service.create_implementation(session=session, actor=items_world.actor("amr_admin"),
                                              implementation_in=impl_in())
    county_impl = service.create_implementation(session=session, actor=items_world.actor("hb_admin"),
                                                implementation_in=impl_in(promised_days=3, fee="工本费 10 元"))
    publish(session, items_world, city_impl)
    publish(session, items_world, county_impl)

    login(client, "admin")
    deviations = client.get("/admin/items/deviations", headers=HTML)
    assert deviations.status_code == 200
    assert "汉滨区" in deviations.text and "工本费 10 元" in deviations.text and "承诺" in deviations.text
    figures = client.get("/admin/items/once-only", headers=HTML)
    assert figures.status_code == 200
    # 5 counted materials each (the waived one counts), 4 of them not uploaded: 80.0%; both zero-visit.
    assert "80.0%" in figures.text and "100.0%" in figures.text and "汉滨区" in figures.text
    listing = client.get("/admin/items?region_code=610902", headers=HTML)
    assert f"/admin/items/{county_impl.id}" in listing.text and f"/admin/items/{city_impl.id}\"" not in listing.text
    assert "/admin/items" in _nav(client)

    login(client, "hb_admin")
    for path in ("/admin/items/deviations", "/admin/items/once-only", "/admin/items/review"):
        assert client.get(path, headers=HTML).status_code == 403, path
