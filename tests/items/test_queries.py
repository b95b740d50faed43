"""Read models of the 事项管理 pages: who sees which rows, which forms a page offers, the reports' figures."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.items.conftest import FOOD_CODE, ItemsWorld, impl_in, publish
from tongban.errors import Forbidden, NotFound
from tongban.items import queries, service


def test_the_list_is_the_departments_own_and_the_platforms_whole(session: Session, items_world: ItemsWorld) -> None:
    city = service.create_implementation(session=session, actor=items_world.actor("amr_admin"),
                                         implementation_in=impl_in())
    county = service.create_implementation(session=session, actor=items_world.actor("hb_admin"),
                                           implementation_in=impl_in(promised_days=3))
    mine = queries.items_list(session, items_world.actor("hb_admin"), queries.ItemsFilters())
    assert [r.id for r in mine.rows] == [county.id] and mine.can_manage and not mine.platform
    # A department cannot widen its list with the platform's filters.
    widened = queries.items_list(session, items_world.actor("hb_admin"),
                                 queries.ItemsFilters(department_id=items_world.city.amr.id))
    assert [r.id for r in widened.rows] == [county.id]
    everything = queries.items_list(session, items_world.actor("admin"), queries.ItemsFilters())
    assert {r.id for r in everything.rows} == {city.id, county.id} and everything.platform
    assert not everything.can_manage  # the platform reviews; it does not write
    assert ("610902", "汉滨区") in everything.regions
    by_region = queries.items_list(session, items_world.actor("admin"), queries.ItemsFilters(region_code="610902"))
    assert [r.id for r in by_region.rows] == [county.id]
    by_status = queries.items_list(session, items_world.actor("admin"), queries.ItemsFilters(status="published"))
    assert by_status.rows == []
    by_type = queries.items_list(session, items_world.actor("admin"), queries.ItemsFilters(item_type="行政许可"))
    assert by_type.total == 2
    with pytest.raises(Forbidden):
        queries.items_list(session, items_world.actor("hrss_clerk"), queries.ItemsFilters())


def test_the_page_offers_what_the_caller_may_do(session: Session, items_world: ItemsWorld) -> None:
    impl = service.create_implementation(session=session, actor=items_world.actor("amr_admin"),
                                         implementation_in=impl_in())
    own = queries.implementation_page(session, items_world.actor("amr_admin"), impl.id)
    assert (own.editable, own.can_submit, own.can_review, own.can_retire) == (True, True, False, False)
    assert [t.label for t in own.trail] == ["编制实施清单"]
    with pytest.raises(NotFound):  # another department's draft
        queries.implementation_page(session, items_world.actor("hb_admin"), impl.id)
    service.submit_implementation(session=session, actor=items_world.actor("amr_admin"), implementation_id=impl.id)
    platform = queries.implementation_page(session, items_world.actor("admin"), impl.id)
    assert (platform.editable, platform.can_submit, platform.can_review) == (False, False, True)
    service.approve_implementation(session=session, actor=items_world.actor("admin"), implementation_id=impl.id,
                                   note="同意")
    published = queries.implementation_page(session, items_world.actor("amr_admin"), impl.id)
    assert published.can_retire and published.editable and not published.can_submit
    assert [(v.version, v.published_by) for v in published.versions] == [(1, "郭振华")]
    assert published.trail[0].note == "发布为第 1 版；审核意见：同意"
    version = queries.version_page(session, items_world.actor("amr_admin"), impl.id, 1)
    assert version.snapshot.name == "食品经营许可" and len(version.snapshot.materials) == 5
    with pytest.raises(NotFound):
        queries.version_page(session, items_world.actor("amr_admin"), impl.id, 2)


def test_the_editor_offers_only_items_the_department_has_not_implemented(
        session: Session, items_world: ItemsWorld) -> None:
    before = queries.implementation_editor(session, items_world.actor("hb_admin"))
    assert FOOD_CODE in [c for c, _, _ in before.basic_choices]
    impl = service.create_implementation(session=session, actor=items_world.actor("hb_admin"),
                                         implementation_in=impl_in())
    after = queries.implementation_editor(session, items_world.actor("hb_admin"))
    assert FOOD_CODE not in [c for c, _, _ in after.basic_choices]
    editing = queries.implementation_editor(session, items_world.actor("hb_admin"), impl.id)
    assert editing.form["materials"][1] == {"name": "营业执照", "source": "licence", "ref": "营业执照",
                                            "required": True, "note": ""}
    assert editing.form["steps"] == "申请\n受理\n审查\n决定\n制证送达"
    with pytest.raises(Forbidden):  # the platform sees the working copy but does not edit it
        queries.implementation_editor(session, items_world.actor("admin"), impl.id)
    with pytest.raises(Forbidden):
        queries.implementation_editor(session, items_world.actor("admin"))


def test_reports_per_city_region_and_item(session: Session, items_world: ItemsWorld) -> None:
    city = service.create_implementation(session=session, actor=items_world.actor("amr_admin"),
                                         implementation_in=impl_in())
    county = service.create_implementation(session=session, actor=items_world.actor("hb_admin"), implementation_in=impl_in(
        visits=1, materials=[{"name": "食品经营许可申请书", "source": "upload"},
                             {"name": "营业执照", "source": "upload"}]))
    publish(session, items_world, city)
    publish(session, items_world, county)
    figures = queries.once_only_page(session, items_world.actor("admin"))
    assert (figures.city.implementations, figures.city.materials, figures.city.no_upload) == (2, 7, 4)
    assert figures.city.zero_visit_rate == 0.5
    by_region = {r.region_name: r.figures for r in figures.regions}
    assert by_region["汉滨区"].rate == 0.0 and by_region["汉滨区"].zero_visit == 0
    assert figures.region_of[county.id] == "汉滨区"
    deviations = queries.deviations_page(session, items_world.actor("admin"))
    assert deviations.total == 1 and deviations.regions[0].region_name == "汉滨区"
    elements = {d.element for d in deviations.regions[0].deviations[0].differences}
    assert "到办事现场次数" not in elements and any("材料" in e for e in elements)
    for read_model in (queries.once_only_page, queries.deviations_page, queries.review_queue):
        with pytest.raises(Forbidden):
            read_model(session, items_world.actor("hb_admin"))
