"""The portal (办事服务): items index into search on publish and retire; the pages find items in people's own
words; the guide answers per material for the logged-in applicant; the printable PDF; the bundle page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import PASSWORD, login
from tests.items.conftest import FOOD_CODE, ItemsWorld, impl_in, publish
from tests.portal.conftest import pdf_text, results_of, visible
from tongban import search
from tongban.demo.loader import DemoSummary
from tongban.items import service
from tongban.items.indexing import ITEM_KIND


def _hits(client: TestClient, q: str) -> tuple[list[str], list[str], str]:
    html = client.get("/services/search", params={"q": q}).text
    return re.findall(r'data-item="(\d+)"', html), re.findall(r'data-bundle="(\w+)"', html), html


def test_items_index_on_publish_and_leave_on_retire(session: Session, client: TestClient,
                                                    items_world: ItemsWorld) -> None:
    impl = service.create_implementation(session=session, actor=items_world.actor("amr_admin"),
                                         implementation_in=impl_in())
    assert _hits(client, "食品经营许可")[0] == []  # a draft is not public
    publish(session, items_world, impl)
    found = search.query(session, ITEM_KIND, "食品经营许可")
    assert [h.doc_id for h in found.hits] == [items_world.food.id]
    # By the name, a material, a condition and the department's name, through the page.
    for q in ("食品经营许可", "从业人员健康证明", "合法主体资格", items_world.city.amr.name):
        assert FOOD_CODE in _hits(client, q)[0], q
    service.retire_implementation(session=session, actor=items_world.actor("amr_admin"), implementation_id=impl.id,
                                  reason="职能调整")
    assert search.query(session, ITEM_KIND, "食品经营许可").hits == []
    assert _hits(client, "食品经营许可")[0] == []
    assert client.get(f"/services/items/{FOOD_CODE}").status_code == 404


def test_demo_portal_finds_items_in_peoples_words(demo: DemoSummary, session: Session, client: TestClient) -> None:
    # Colloquial: 开饭店 reaches 食品经营许可 and the restaurant bundle.
    items, bundles, html = _hits(client, "开饭店")
    assert "食品经营许可" in results_of(html) and "YJS002" in bundles
    assert "<mark>" in html  # the component's highlights, rendered as markup
    # An abbreviation: 公积金 → 住房公积金.
    items, bundles, html = _hits(client, "公积金")
    assert items and "住房公积金" in visible(html.split('data-item="', 1)[1])
    # A department's short name: 市监局 → 市场监督管理局's items.
    items, _, html = _hits(client, "市监局")
    assert items and "市场监督管理局" in results_of(html)
    # A situation: 刚毕业找工作 → 高校毕业生求职创业补贴申领 among the first three.
    items, _, html = _hits(client, "刚毕业找工作")
    first = re.findall(r'data-item="\d+">\s*<h3><a [^>]*>(.*?)</a>', html)[:3]
    assert any("高校毕业生" in visible(t) for t in first)
    # A typo gets a suggestion.
    _, _, html = _hits(client, "营业只照")
    assert "data-suggestion" in html and "营业执照" in html
    # The query is escaped, never markup.
    html = client.get("/services/search", params={"q": "<script>alert(1)</script>"}).text
    assert "<script>alert" not in html

    home = client.get("/services").text
    for name in ("生育", "婚姻", "身后事", "开办", "注销", "一件事一次办", "高频事项", "按部门"):
        assert name in home, name
    event = client.get("/services/events/life/生育")
    assert event.status_code == 200 and "/services/items/" in event.text
    assert client.get("/services/events/life/不存在").status_code == 404
    dept = re.search(r'href="(/services/departments/[^"]+)"', home)
    assert dept and "/services/items/" in client.get(dept.group(1)).text
    # The anonymous menu leads to the portal.
    assert 'href="/services"' in client.get("/login").text

    # A bundle: one guide, members with their conditions, merged materials, the lead department.
    page = client.get("/services/bundles/YJS002")
    assert page.status_code == 200
    text = visible(page.text)
    assert "开办餐饮店一件事" in text and "牵头部门" in text and "市场监督管理局" in text
    assert "食品经营许可" in text and "条件：" in text and "已合并去重" in text
    assert client.get("/services/bundles/NOPE").status_code == 404


def test_guide_answers_per_material_for_the_logged_in_holder(session: Session, client: TestClient,
                                                             items_world: ItemsWorld) -> None:
    from tests.factories import make_uscc
    from tests.items.test_materials import _enterprise, _licence_world

    impl = service.create_implementation(session=session, actor=items_world.actor("amr_admin"),
                                         implementation_in=impl_in())
    publish(session, items_world, impl)
    holder = make_uscc("610902", "91")
    _licence_world(session, items_world, holder).issue(session)
    _enterprise(session, holder, "安康汉水云科技有限公司")

    def answer(html: str, material: str) -> str:
        block = html.split(f'data-material="{material}"', 1)[1].split("</li>", 1)[0]
        found = re.search(r'data-answer="(\w+)"', block)
        assert found
        return found.group(1)

    anonymous = client.get(f"/services/items/{FOOD_CODE}").text
    assert answer(anonymous, "营业执照") == "unknown" and answer(anonymous, "食品经营许可申请书") == "must"
    assert "登录后可看到哪些材料您无需提交" in anonymous
    for fact in ("法定办结时限", "10 个工作日", "5 个工作日", "不收费", "0915-3200001", "12345", "食品安全法",
                 "食品经营许可证", "法定工作日 8:30—17:30"):
        assert fact in anonymous, fact

    login(client, holder, PASSWORD)
    mine = client.get(f"/services/items/{FOOD_CODE}").text
    assert answer(mine, "营业执照") == "free" and "您已有有效的电子证照" in mine
    assert answer(mine, "食品经营许可申请书") == "must" and "data-applicant" in mine


def test_guide_pdf_is_a_real_pdf_with_the_item(session: Session, client: TestClient,
                                               items_world: ItemsWorld) -> None:
    impl = service.create_implementation(session=session, actor=items_world.actor("amr_admin"),
                                         implementation_in=impl_in())
    publish(session, items_world, impl)
    response = client.get(f"/services/items/{FOOD_CODE}/guide.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and response.content.rstrip().endswith(b"%%EOF")
    text = pdf_text(response.content)
    for fact in ("食品经营许可 办事指南", "申请条件", "营业执照", "法定办结时限：10 个工作日", "咨询电话：0915-3200001"):
        assert fact in text, fact
    assert client.get("/services/items/999999999999/guide.pdf").status_code == 404
