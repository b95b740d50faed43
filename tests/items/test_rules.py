"""The once-only figures, bundle conditions and merged materials, and the deviation report on small known sets."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.items.conftest import ItemsWorld, impl_in, publish
from tongban.errors import Forbidden
from tongban.items import reads, service
from tongban.items.rules import ImplFact, MaterialFact, answer_material, evaluate, merge_materials, once_only


def _impl(id_: int, visits: int, *materials: MaterialFact) -> ImplFact:
    return ImplFact(id=id_, code=f"C{id_}", name=f"事项{id_}", department_name="某局", region_code="610900",
                    level="市级", legal_days=20, promised_days=10, fee="不收费", visits=visits, materials=materials)


def test_once_only_figures_on_a_known_set() -> None:
    up, lic, sh = MaterialFact("申请表", "upload"), MaterialFact("营业执照", "licence", "营业执照"), \
        MaterialFact("户籍信息", "shared", "户籍人口基本信息:id_number")
    bundle, waived = MaterialFact("出生医学证明", "bundle", "C9"), MaterialFact("照片", "waived", required=False,
                                                                           note="现场采集")
    optional_upload = MaterialFact("委托书", "upload", required=False)
    figures = once_only([
        _impl(1, 0, up, lic, sh),                       # 2 of 3
        _impl(2, 1, up, bundle, waived, optional_upload),  # 2 of 3 (the optional upload does not count)
        _impl(3, 0, up),                                # 0 of 1
        _impl(4, 0),                                    # no materials: no rate, still an item with 0 visits
    ])
    assert [(i.materials, i.no_upload, i.rate) for i in figures.items] == [
        (3, 2, 0.6667), (3, 2, 0.6667), (1, 0, 0.0), (0, 0, None)]
    assert (figures.materials, figures.no_upload, figures.rate) == (7, 4, 0.5714)
    assert (figures.implementations, figures.zero_visit, figures.zero_visit_rate) == (4, 3, 0.75)
    empty = once_only([])
    assert empty.rate is None and empty.zero_visit_rate is None


def test_conditions() -> None:
    assert evaluate(">", 300, "350") is True and evaluate(">", 300, "120") is False
    assert evaluate(">", 300, None) is None and evaluate(">", 300, "很大") is None
    assert evaluate("==", True, "是") is True and evaluate("==", True, "否") is False
    assert evaluate("in", ["餐饮服务", "食品销售"], "餐饮服务") is True
    assert evaluate("in", ["餐饮服务"], "零售") is False
    assert evaluate("==", "有限责任公司", "有限责任公司") is True


def test_bundle_materials_merge_and_keep_the_strongest_source() -> None:
    merged = merge_materials([
        ("A", "企业设立登记", [MaterialFact("营业执照", "upload"), MaterialFact("法定代表人身份证", "licence", "居民身份证")]),
        ("B", "公章刻制备案", [MaterialFact("营业执照", "bundle", "A"), MaterialFact("印章印模", "upload")]),
        ("C", "社保登记", [MaterialFact("营业执照", "licence", "营业执照", required=False),
                           MaterialFact("法定代表人身份证 ", "shared", "户籍人口基本信息:id_number")]),
        ("D", "税务登记", [MaterialFact("经营场所证明", "bundle", "Z")]),  # produced outside the bundle
    ])
    by_name = {m.name.strip(): m for m in merged}
    assert len(merged) == 4
    assert (by_name["营业执照"].source, by_name["营业执照"].required) == ("bundle", True)
    assert by_name["营业执照"].for_items == ["企业设立登记", "公章刻制备案", "社保登记"]
    assert by_name["法定代表人身份证"].source == "shared"  # names compared without spaces
    assert by_name["经营场所证明"].source == "upload"


def test_bundle_members_apply_by_answers(session: Session, items_world: ItemsWorld) -> None:
    from tongban.items.schemas import BundleIn

    amr = items_world.actor("amr_admin")
    food = service.create_implementation(session=session, actor=amr, implementation_in=impl_in())
    publish(session, items_world, food)
    health = service.create_implementation(session=session, actor=items_world.actor("hrss_admin"),
                                           implementation_in=impl_in(basic_code="012000100000", materials=[
                                               {"name": "食品经营许可申请书", "source": "upload"},
                                               {"name": "体检表", "source": "upload"}]))
    publish(session, items_world, health)
    service.create_bundle(session=session, actor=items_world.actor("admin"), bundle_in=BundleIn(
        code="YJS-CY", name="开餐馆", event="开办", audience="enterprise", lead_department_id=items_world.city.amr.id,
        guide="一次告知、一表申请", members=[
            {"basic_code": items_world.food.code},
            {"basic_code": "012000100000", "condition": {"field": "从业人员数", "op": ">", "value": 0,
                                                         "label": "有从业人员的"}}]))
    unknown = reads.bundle(session, "YJS-CY")
    assert [(m.name, m.applies) for m in unknown.members] == [("食品经营许可", "yes"), ("从业人员健康检查", "maybe")]
    assert unknown.members[1].applies_label == "可能需要：有从业人员的" and unknown.questions == ["从业人员数"]
    names = [m.name for m in unknown.materials]
    assert names.count("食品经营许可申请书") == 1 and "体检表" in names
    # The health check produces the health certificate inside the bundle.
    cert = next(m for m in unknown.materials if m.name == "从业人员健康证明")
    assert cert.source == "bundle"
    none = reads.bundle(session, "YJS-CY", {"从业人员数": "0"})
    assert none.members[1].applies == "no" and "体检表" not in [m.name for m in none.materials]
    assert reads.bundle(session, "YJS-CY", {"从业人员数": "3"}).members[1].applies == "yes"
    assert unknown.lead_department_name == items_world.city.amr.name


def test_deviation_report_lists_what_a_region_sets_differently(session: Session, items_world: ItemsWorld) -> None:
    city = service.create_implementation(session=session, actor=items_world.actor("amr_admin"),
                                         implementation_in=impl_in())
    publish(session, items_world, city)
    county_materials = [m.model_dump() for m in impl_in().materials if m.name != "身份证件复印件"]
    county_materials[0]["source"] = "shared"
    county_materials[0]["ref"] = "市场主体登记信息:uscc"
    county_materials.append({"name": "场所平面图", "source": "upload"})
    county = service.create_implementation(session=session, actor=items_world.actor("hb_admin"),
                                           implementation_in=impl_in(promised_days=3, fee="工本费 10 元",
                                                                     materials=county_materials))
    publish(session, items_world, county)
    # A county implementation that keeps everything as the city has it is not listed.
    with pytest.raises(Forbidden):
        reads.deviation_report(session, items_world.actor("amr_admin"))
    report = reads.deviation_report(session, items_world.actor("admin"))
    assert [r.region_name for r in report] == ["汉滨区"]
    [deviation] = report[0].deviations
    assert deviation.implementation_id == county.id and deviation.reference_implementation_id == city.id
    got = {(d.element, d.reference, d.value) for d in deviation.differences}
    assert got == {
        ("承诺办结时限", "5 个工作日", "3 个工作日"),
        ("收费", "不收费", "工本费 10 元"),
        ("申请材料（来源或是否必需不同）", "食品经营许可申请书（申请人上传）", "食品经营许可申请书（共享数据）"),
        ("申请材料（增加）", "—", "场所平面图（申请人上传）"),
        ("申请材料（减少）", "身份证件复印件（免提交，非必需）", "—"),
    }
    # The same published set gives the once-only figures.
    figures = reads.once_only_figures(session, items_world.actor("admin"))
    assert figures.implementations == 2 and figures.zero_visit == 2


def test_a_licence_the_library_does_not_issue_is_still_uploaded() -> None:
    """Only licence types the platform's library issues can be fetched: the rate and the answer say so."""
    lic, marriage = MaterialFact("营业执照", "licence", "营业执照"), MaterialFact("结婚证", "licence", "结婚证")
    issued = frozenset({"营业执照"})
    figures = once_only([_impl(1, 0, lic, marriage)], issued)
    assert (figures.materials, figures.no_upload) == (2, 1)
    assert once_only([_impl(1, 0, lic, marriage)]).no_upload == 2  # unchecked: every licence counts as fetched
    answer = answer_material(marriage, held=frozenset({"结婚证"}), item_names={}, issued=issued)
    assert answer.must_upload is True and "尚未纳入本平台电子证照库" in answer.reason
    assert answer_material(lic, held=None, item_names={}, issued=issued).must_upload is None
