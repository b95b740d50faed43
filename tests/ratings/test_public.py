"""The public 好差评 figures (好评率 and counts per level, per department and per item) on the portal: no login,
no personal data; the guide's line; a small known set computed by hand."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import actor_of
from tests.items.conftest import FOOD_CODE, ItemsWorld, impl_in, items_world, publish  # noqa: F401
from tongban.items import service as items
from tongban.ratings import queries, service
from tongban.ratings.schemas import RatingCreate

BAD_TAGS = {1: ["XS01"], 2: ["XS03"]}


def _rate(session: Session, world: ItemsWorld, case_of, level: int, *, department=None,  # type: ignore[no-untyped-def]
          item_code: str = FOOD_CODE, voided: bool = False) -> None:
    case = case_of()
    case.department_id = (department or world.city.amr).id
    case.item_code = item_code
    session.commit()
    rating = service.rate(session=session, actor=actor_of(world.city.users["citizen"]), rating_in=RatingCreate(
        case_number=case.number, level=level, tags=BAD_TAGS.get(level, []), text="张三说的"))
    if voided:
        rating.status = "voided"
    session.commit()


def test_public_figures_computed_by_hand(session: Session, items_world: ItemsWorld, case_of,  # noqa: F811  # type: ignore[no-untyped-def]
                                         client: TestClient) -> None:
    world = items_world
    publish(session, world, items.create_implementation(session=session, actor=world.actor("amr_admin"),
                                                        implementation_in=impl_in()))
    # 市场监管局, 食品经营许可: 非常满意 ×3, 满意 ×1, 基本满意 ×1, 不满意 ×1, 非常不满意 ×1, and one 非常不满意 voided
    # on appeal (not counted): 7 valid, good = 3 + 1 = 4, 好评率 4 / 7 = 57.1%.
    for level in (5, 5, 5, 4, 3, 2, 1):
        _rate(session, world, case_of, level)
    _rate(session, world, case_of, 1, voided=True)
    # 人社局, another item: 基本满意 ×1, 满意 ×1: 2 valid, good 1 (基本满意 is not good): 50.0%.
    _rate(session, world, case_of, 3, department=world.city.hrss, item_code="022000000009")
    _rate(session, world, case_of, 4, department=world.city.hrss, item_code="022000000009")
    queries.clear_figures_cache()

    figures = queries.public_figures(session)
    by_dept = {f.name: f for f in figures.departments}
    amr, hrss = by_dept[world.city.amr.name], by_dept[world.city.hrss.name]
    assert (amr.total, amr.good, amr.bad, amr.counts) == (7, 4, 2, {5: 3, 4: 1, 3: 1, 2: 1, 1: 1})
    assert amr.good_rate_label == "57.1%" and hrss.good_rate_label == "50.0%" and hrss.total == 2
    food = next(f for f in figures.items if f.code == FOOD_CODE)
    assert food.name == world.food.name and food.total == 7 and food.good_rate_label == "57.1%"
    assert figures.total == 9

    page = client.get("/services/ratings")  # no login
    assert page.status_code == 200 and "好评率" in page.text and "“基本满意”计入评价总数，但不计为好评" in page.text
    assert "57.1%" in page.text and "50.0%" in page.text and world.food.name in page.text
    assert "李四" not in page.text and "李*" not in page.text and "张三说的" not in page.text  # no personal data
    guide = client.get(f"/services/items/{FOOD_CODE}")
    assert guide.status_code == 200 and "好评率 57.1%（共 7 条评价）" in guide.text
    assert 'href="/services/ratings"' in client.get("/services").text


def test_an_item_without_ratings(session: Session, items_world: ItemsWorld, client: TestClient) -> None:  # noqa: F811
    world = items_world
    publish(session, world, items.create_implementation(session=session, actor=world.actor("amr_admin"),
                                                        implementation_in=impl_in()))
    queries.clear_figures_cache()
    assert queries.item_figure(session, FOOD_CODE) is None
    assert "暂无评价" in client.get(f"/services/items/{FOOD_CODE}").text
    assert "暂无评价" in client.get("/services/ratings").text
