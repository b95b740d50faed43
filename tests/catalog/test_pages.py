"""Catalog pages: what each visitor sees, live search, the editor without JavaScript, statistics, classification."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import actor_of, csrf_from, login, published_resource, resource_in
from tongban.catalog import service as catalog
from tongban.catalog.models import Classification, InformationResource
from tongban.catalog.schemas import ItemIn

HTML = {"accept": "text/html"}


def _open_resource(session: Session, city):  # type: ignore[no-untyped-def]
    """营业执照登记信息: unconditional and open to the public."""
    return published_resource(
        session, city.users["amr_data"], classification_code="102", name="企业营业执照登记信息",
        abstract="全市企业的名称、统一社会信用代码、住所和经营范围，向社会公开。",
        share_type="unconditional", share_condition="", share_methods=["interface"], open_to_public=True,
        items=[ItemIn(name="统一社会信用代码", key="uscc", data_type="credit_code", length=18, required=True,
                      is_key=True, sensitivity="public"),
               ItemIn(name="企业名称", key="company_name", length=200, sensitivity="public")])


def _editor_form(token: str, **overrides: str) -> dict[str, str]:
    data = {
        "csrf_token": token, "classification_code": "3", "name": "社会保险参保登记信息",
        "abstract": "参保单位和个人的参保登记、险种和缴费状态，用于各部门核验参保情况。",
        "format_type": "数据库", "update_cycle": "每日", "share_type": "conditional",
        "share_condition": "仅限因履职需要核验参保状态的部门使用", "share_methods": "interface",
        "related_codes": "",
        "item-0-name": "公民身份号码", "item-0-key": "id_number", "item-0-data_type": "resident_id",
        "item-0-length": "18", "item-0-required": "1", "item-0-is_key": "1", "item-0-sensitivity": "personal_sensitive",
        "item-1-name": "参保状态", "item-1-key": "insured_status", "item-1-data_type": "string",
        "item-1-length": "8", "item-1-sensitivity": "internal",
    }
    data.update(overrides)
    return data


def test_anonymous_sees_only_open_resources(client: TestClient, city, session: Session) -> None:  # type: ignore[no-untyped-def]
    closed = published_resource(session, city.users["hrss_data"])  # 户籍人口基本信息: conditional, not open
    opened = _open_resource(session, city)
    page = client.get("/catalog", headers=HTML)
    assert page.status_code == 200
    assert "企业营业执照登记信息" in page.text and "户籍人口基本信息" not in page.text
    assert "登录后可查看全部共享目录" in page.text and "编目" not in page.text
    assert client.get(f"/catalog/resources/{closed.id}", headers=HTML).status_code == 404
    detail = client.get(f"/catalog/resources/{opened.id}", headers=HTML)
    assert detail.status_code == 200 and opened.code in detail.text and "统一社会信用代码" in detail.text
    assert "申请共享" not in detail.text and "编辑" not in detail.text


def test_staff_see_closed_resources_and_can_request(client: TestClient, city, session: Session) -> None:  # type: ignore[no-untyped-def]
    closed = published_resource(session, city.users["hrss_data"])
    draft = catalog.create_resource(session=session, actor=actor_of(city.users["hrss_data"]),
                                    resource_in=resource_in(name="流动人口居住登记信息"))
    login(client, "amr_data")
    page = client.get("/catalog", headers=HTML)
    assert "户籍人口基本信息" in page.text and "流动人口居住登记信息" not in page.text  # others' drafts stay home
    assert 'href="/catalog/resources/new"' in page.text and 'href="/catalog/import"' in page.text
    detail = client.get(f"/catalog/resources/{closed.id}", headers=HTML)
    assert detail.status_code == 200 and "有条件共享" in detail.text and "仅限因履职需要" in detail.text
    assert f"/sharing/requests/new?resource_id={closed.id}" in detail.text
    assert "个人敏感" in detail.text and "/retire" not in detail.text and "/edit" not in detail.text
    assert client.get(f"/catalog/resources/{draft.id}", headers=HTML).status_code == 404
    # The provider's own officer sees the draft, marked, and no request button on their own resource.
    own = TestClient(client.app)
    login(own, "hrss_data")
    page = own.get("/catalog", headers=HTML)
    assert "流动人口居住登记信息" in page.text and "草稿" in page.text
    detail = own.get(f"/catalog/resources/{closed.id}", headers=HTML)
    assert "申请共享" not in detail.text and "下架" in detail.text


def test_live_search_partial_and_chinese_words(client: TestClient, city, session: Session) -> None:  # type: ignore[no-untyped-def]
    published_resource(session, city.users["hrss_data"])
    _open_resource(session, city)
    login(client, "amr_clerk")
    partial = client.get("/catalog", params={"q": "营业执照"}, headers={**HTML, "HX-Request": "true"})
    assert partial.status_code == 200 and "<html" not in partial.text
    shown = partial.text.replace("<mark>", "").replace("</mark>", "")  # the matched words are highlighted
    assert "企业<mark>营业执照</mark>登记信息" in partial.text
    assert "企业营业执照登记信息" in shown and "户籍人口基本信息" not in shown
    page = client.get("/catalog", params={"q": "户籍"}, headers=HTML)
    shown = page.text.replace("<mark>", "").replace("</mark>", "")
    assert "<html" in page.text and "户籍人口基本信息" in shown and "企业营业执照登记信息" not in shown
    # Facets narrow the list: share type 无条件共享 leaves only the licence register.
    page = client.get("/catalog", params={"share_type": "unconditional"}, headers=HTML)
    assert "企业营业执照登记信息" in page.text and "户籍人口基本信息" not in page.text


def test_officer_catalogs_publishes_edits_and_retires(client: TestClient, city, session: Session) -> None:  # type: ignore[no-untyped-def]
    login(client, "hrss_data")
    form = client.get("/catalog/resources/new", headers=HTML)
    assert form.status_code == 200 and "3 部门信息资源（本部门目录）" in form.text and "字符型" in form.text
    token = csrf_from(form.text)
    # A bad machine key in row 2: the form comes back with the input and names the row.
    r = client.post("/catalog/resources/new", headers=HTML, data=_editor_form(token, **{"item-1-key": "Insured Status"}))
    assert r.status_code == 422
    assert "第 2 行信息项：机器标识须以小写字母开头" in r.text
    assert 'value="Insured Status"' in r.text and 'value="社会保险参保登记信息"' in r.text
    # A cross-field rule of the national template comes back as the summary.
    r = client.post("/catalog/resources/new", headers=HTML, data=_editor_form(token, share_condition=""))
    assert r.status_code == 422 and "有条件共享的资源须填写共享条件" in r.text
    r = client.post("/catalog/resources/new", headers=HTML, data=_editor_form(token), follow_redirects=False)
    assert r.status_code == 303
    resource = session.execute(select(InformationResource).where(
        InformationResource.name == "社会保险参保登记信息")).scalar_one()
    assert resource.status == "draft" and resource.provider_id == city.hrss.id and len(resource.items) == 2
    page = client.get(r.headers["location"], headers=HTML)
    assert "已保存为草稿" in page.text and resource.code in page.text and "删除草稿" in page.text

    r = client.post(f"/catalog/resources/{resource.id}/publish", headers=HTML, data={"csrf_token": token})
    assert r.status_code == 200 and "已发布" in r.text and "第 1 版" in r.text
    # Publishing twice is refused with the service's message on the detail page.
    r = client.post(f"/catalog/resources/{resource.id}/publish", headers=HTML, data={"csrf_token": token})
    assert r.status_code == 409 and "只有草稿可以发布" in r.text

    edit = client.get(f"/catalog/resources/{resource.id}/edit", headers=HTML)
    assert edit.status_code == 200 and 'value="insured_status"' in edit.text and "变更说明" in edit.text
    population = published_resource(session, city.users["hrss_data"])  # 101/000001, to relate to
    data = _editor_form(token, **{"item-2-name": "参保险种", "item-2-key": "insurance_type",
                                  "item-2-sensitivity": "internal", "change_note": "新增参保险种",
                                  "related_codes": f"{population.code}，"})
    r = client.post(f"/catalog/resources/{resource.id}/edit", headers=HTML, data=data)
    assert r.status_code == 200 and "已保存为第 2 版" in r.text and "参保险种" in r.text
    assert f'href="/catalog/by-code/{population.code}"' in r.text
    r2 = client.get(f"/catalog/by-code/{population.code}", headers=HTML, follow_redirects=False)
    assert r2.headers["location"] == f"/catalog/resources/{population.id}"
    assert "新增参保险种" in r.text and f"/catalog/resources/{resource.id}/versions/1" in r.text
    v1 = client.get(f"/catalog/resources/{resource.id}/versions/1", headers=HTML)
    assert v1.status_code == 200 and "第 1 版发布时" in v1.text and "insurance_type" not in v1.text

    r = client.post(f"/catalog/resources/{resource.id}/retire", headers=HTML,
                    data={"csrf_token": token, "reason": "短"})
    assert r.status_code == 422 and "下架原因" in r.text
    r = client.post(f"/catalog/resources/{resource.id}/retire", headers=HTML,
                    data={"csrf_token": token, "reason": "系统停用，数据改由省平台提供"})
    assert r.status_code == 200 and "已下架" in r.text
    session.refresh(resource)
    assert resource.status == "retired"
    page = client.get("/catalog", headers=HTML)
    assert "社会保险参保登记信息" in page.text and "已下架" in page.text


def test_draft_can_be_deleted(client: TestClient, city, session: Session) -> None:  # type: ignore[no-untyped-def]
    draft = catalog.create_resource(session=session, actor=actor_of(city.users["hrss_data"]),
                                    resource_in=resource_in())
    draft_id = draft.id
    token = login(client, "hrss_data")
    r = client.post(f"/catalog/resources/{draft_id}/delete", headers=HTML, data={"csrf_token": token})
    assert r.status_code == 200 and "草稿已删除" in r.text
    session.expire_all()
    assert session.get(InformationResource, draft_id) is None


def test_clerk_cannot_open_the_editor(client: TestClient, city, session: Session) -> None:  # type: ignore[no-untyped-def]
    resource = published_resource(session, city.users["hrss_data"])
    token = login(client, "hrss_clerk")
    assert client.get("/catalog/resources/new", headers=HTML).status_code == 403
    assert client.get(f"/catalog/resources/{resource.id}/edit", headers=HTML).status_code == 403
    r = client.post("/catalog/resources/new", headers=HTML, data=_editor_form(token))
    assert r.status_code == 403 and "没有权限" in r.text
    # Anonymous visitors are sent to the login page.
    anon = TestClient(client.app)
    r = anon.get("/catalog/resources/new", headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_add_row_without_javascript(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    token = login(client, "hrss_data")
    data = _editor_form(token, add_row="1", **{"item-1-remove": "1"})
    r = client.post("/catalog/resources/new", headers=HTML, data=data)
    assert r.status_code == 200
    assert 'value="公民身份号码"' in r.text and 'value="参保状态"' not in r.text  # the removed row is gone
    rows = re.findall(r'name="item-(\d+)-name"', r.text.split('id="item-row-template"')[0])
    assert rows == ["0", "1"]  # the kept row and one blank row
    assert 'name="item-__i__-name"' in r.text  # the template JavaScript clones


def test_admin_catalogs_for_another_department(client: TestClient, city, session: Session) -> None:  # type: ignore[no-untyped-def]
    token = login(client, "admin")
    form = client.get("/catalog/resources/new", headers=HTML)
    assert 'name="provider_id"' in form.text and "安康市市场监督管理局" in form.text
    r = client.post("/catalog/resources/new", headers=HTML, follow_redirects=False,
                    data=_editor_form(token, provider_id=str(city.amr.id), classification_code="102"))
    assert r.status_code == 303
    resource = session.execute(select(InformationResource)).scalar_one()
    assert resource.provider_id == city.amr.id and resource.code == "102/000001"


def test_stats_page_shows_totals(client: TestClient, city, session: Session) -> None:  # type: ignore[no-untyped-def]
    published_resource(session, city.users["hrss_data"])
    _open_resource(session, city)
    anon = client.get("/catalog/stats", headers=HTML)
    assert anon.status_code == 200 and "向社会开放的资源" in anon.text
    assert "安康市市场监督管理局" in anon.text and "安康市人力资源和社会保障局" not in anon.text
    login(client, "amr_clerk")
    page = client.get("/catalog/stats", params={"sort": "items"}, headers=HTML)
    cards = dict((label, int(value)) for value, label in re.findall(
        r'<span class="value">(\d+)</span><span class="label">([^<]+)</span>', page.text))
    assert cards == {"资源总数": 2, "信息项总数": 7, "无条件共享": 1, "有条件共享": 1, "不予共享": 0, "向社会开放": 1}
    assert "50.0%" in page.text
    # Sorted by item count: the five-item register comes before the two-item one.
    assert page.text.index("安康市人力资源和社会保障局") < page.text.index("安康市市场监督管理局")


def test_officer_adds_a_mu_under_own_department(client: TestClient, city, session: Session) -> None:  # type: ignore[no-untyped-def]
    published_resource(session, city.users["hrss_data"], classification_code="3", name="社保经办业务台账")
    item = session.execute(select(Classification).where(Classification.department_id == city.hrss.id)).scalar_one()
    token = login(client, "hrss_data")
    page = client.get("/catalog/classifications", headers=HTML)
    assert page.status_code == 200 and "基础信息资源" in page.text and "增设目或细目" in page.text
    assert f'<option value="{item.code}"' in page.text and '<option value="101"' not in page.text
    r = client.post("/catalog/classifications", headers=HTML,
                    data={"csrf_token": token, "parent_code": item.code, "name": "社会保险"})
    assert r.status_code == 200 and f"已增设目“社会保险”，分类代码 {item.code}001" in r.text
    node = session.get(Classification, f"{item.code}001")
    assert node is not None and node.level == 3 and node.department_id == city.hrss.id
    # Another department's officer may not add under it.
    other = TestClient(client.app)
    other_token = login(other, "amr_data")
    r = other.post("/catalog/classifications", headers=HTML,
                   data={"csrf_token": other_token, "parent_code": item.code, "name": "某某目"})
    assert r.status_code == 403


def test_a_refused_retire_names_the_field_as_the_form_does(client: TestClient, session: Session, city) -> None:  # type: ignore[no-untyped-def]
    resource = published_resource(session, city.users["hrss_data"])
    login(client, "hrss_data")
    page = client.get(f"/catalog/resources/{resource.id}")
    r = client.post(f"/catalog/resources/{resource.id}/retire", data={"csrf_token": csrf_from(page.text),
                                                                       "reason": "停用"})
    assert r.status_code == 422 and 'value="停用"' in r.text
    # Above the form and beside the field alike: the label the form shows, never the field's name.
    beside = re.findall(r'<small class="field-error">([^<]*)</small>', r.text)
    assert beside == ["下架原因内容过短（至少 4 个字符）"] and "reason" not in beside[0]
    assert session.get(InformationResource, resource.id).status == "published"  # type: ignore[union-attr]
