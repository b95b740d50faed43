"""Catalog entries: codes, rules of the national template, versions, visibility, search."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import actor_of, published_resource, resource_in
from tongban.authz import ANONYMOUS
from tongban.catalog import service as catalog
from tongban.catalog.models import ResourceVersion
from tongban.catalog.schemas import ItemIn
from tongban.errors import Forbidden, InvalidTransition, NotFound


def test_codes_follow_classification_and_sequence(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    officer = actor_of(city.users["hrss_data"])
    a = catalog.create_resource(session=session, actor=officer, resource_in=resource_in())
    b = catalog.create_resource(session=session, actor=officer, resource_in=resource_in(name="流动人口信息"))
    c = catalog.create_resource(session=session, actor=officer, resource_in=resource_in(
        classification_code="3", name="社保经办业务台账"))
    assert (a.code, b.code) == ("101/000001", "101/000002")
    assert c.code.startswith("3") and c.code.endswith("/000001")
    assert c.classification.name == "安康市人力资源和社会保障局"
    assert a.provider_code == city.hrss.uscc and a.status == "draft"


def test_template_rules_are_enforced() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="共享条件"):
        resource_in(share_condition="")
    with pytest.raises(ValidationError, match="法律法规"):
        resource_in(share_type="none", share_methods=[])
    with pytest.raises(ValidationError, match="不填写共享方式"):
        resource_in(share_type="none", no_share_reason="涉及国家秘密", share_methods=["file"])
    with pytest.raises(ValidationError, match="个人敏感信息项的资源不能向社会开放"):
        resource_in(share_type="unconditional", open_to_public=True)
    with pytest.raises(ValidationError, match="记录主键"):
        resource_in(items=[ItemIn(name="姓名", key="name")])
    with pytest.raises(ValidationError, match="机器标识"):
        ItemIn(name="姓名", key="Name")


def test_only_the_provider_edits(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    r = catalog.create_resource(session=session, actor=actor_of(city.users["hrss_data"]), resource_in=resource_in())
    with pytest.raises(NotFound):  # a draft is invisible to other departments
        catalog.publish_resource(session=session, actor=actor_of(city.users["amr_data"]), resource_id=r.id)
    with pytest.raises(Forbidden):
        catalog.create_resource(session=session, actor=actor_of(city.users["amr_clerk"]), resource_in=resource_in())
    with pytest.raises(Forbidden):
        catalog.create_resource(session=session, actor=actor_of(city.users["amr_data"]),
                                resource_in=resource_in(provider_id=city.hrss.id))


def test_published_changes_keep_every_version(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    officer = actor_of(city.users["hrss_data"])
    r = published_resource(session, city.users["hrss_data"])
    assert r.version == 1 and r.published_on is not None
    updated = catalog.update_resource(session=session, actor=officer, resource_id=r.id, resource_in=resource_in(
        abstract="新增民族信息项，便于民族政策相关业务核验。", change_note="新增民族",
        items=[*resource_in().items, ItemIn(name="民族", key="ethnicity")]))
    assert updated.version == 2
    versions = session.execute(select(ResourceVersion).where(ResourceVersion.resource_id == r.id)
                               .order_by(ResourceVersion.version)).scalars().all()
    assert [v.version for v in versions] == [1, 2]
    assert len(versions[0].snapshot["items"]) == 5 and len(versions[1].snapshot["items"]) == 6
    assert versions[1].change_note == "新增民族"
    with pytest.raises(InvalidTransition, match="代码发布后不再改变"):
        catalog.update_resource(session=session, actor=officer, resource_id=r.id,
                                resource_in=resource_in(classification_code="102"))


def test_visibility(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    closed = published_resource(session, city.users["hrss_data"])
    opened = published_resource(session, city.users["amr_data"], classification_code="102", name="企业登记公示信息",
                                share_type="unconditional", share_condition="", open_to_public=True,
                                items=[ItemIn(name="统一社会信用代码", key="uscc", data_type="credit_code",
                                              is_key=True, sensitivity="public"),
                                       ItemIn(name="企业名称", key="name", sensitivity="public")])
    draft = catalog.create_resource(session=session, actor=actor_of(city.users["hrss_data"]),
                                    resource_in=resource_in(name="草稿资源"))
    public = catalog.browse(session=session, actor=ANONYMOUS)
    assert [i.id for i in public.items] == [opened.id]
    clerk = catalog.browse(session=session, actor=actor_of(city.users["amr_clerk"]))
    assert {i.id for i in clerk.items} == {closed.id, opened.id}
    own = catalog.browse(session=session, actor=actor_of(city.users["hrss_data"]))
    assert {i.id for i in own.items} == {closed.id, opened.id, draft.id}
    with pytest.raises(NotFound):
        catalog.get_resource(session=session, actor=ANONYMOUS, resource_id=closed.id)


def test_search_finds_chinese_words_in_names_abstracts_and_items(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    officer = city.users["hrss_data"]
    published_resource(session, officer, classification_code="203", name="城乡居民养老保险参保信息",
                       abstract="记录城乡居民基本养老保险的参保登记、缴费和待遇领取情况。",
                       items=[ItemIn(name="参保人员身份证号", key="id_number", data_type="resident_id", is_key=True,
                                     sensitivity="personal_sensitive"),
                              ItemIn(name="缴费档次", key="grade")])
    published_resource(session, city.users["amr_data"], classification_code="102", name="市场主体登记信息",
                       abstract="企业、个体工商户和农民专业合作社的设立、变更、注销登记信息。",
                       items=[ItemIn(name="统一社会信用代码", key="uscc", data_type="credit_code", is_key=True,
                                     sensitivity="public"),
                              ItemIn(name="法定代表人", key="legal_rep", sensitivity="sensitive")])
    actor = actor_of(city.users["amr_clerk"])

    def names(q: str) -> list[str]:
        return [i.name for i in catalog.browse(session=session, actor=actor, q=q).items]

    assert names("养老保险") == ["城乡居民养老保险参保信息"]  # in the name
    assert names("待遇领取") == ["城乡居民养老保险参保信息"]  # in the abstract
    assert names("缴费档次") == ["城乡居民养老保险参保信息"]  # in an item
    assert names("个体工商户") == ["市场主体登记信息"]
    assert names("法定代表人") == ["市场主体登记信息"]
    assert names("身份证") == ["城乡居民养老保险参保信息"]  # a sub-word of 身份证号
    assert names("火箭发射") == []
    # A name hit ranks above an abstract-only hit.
    published_resource(session, officer, classification_code="203", name="社会保险缴费基数核定",
                       abstract="用于核定参保单位的缴费基数。",
                       items=[ItemIn(name="单位编号", key="unit_no", is_key=True)])
    assert names("缴费")[0] == "社会保险缴费基数核定"


def test_retire_refused_while_in_use_and_allowed_after(session: Session, city) -> None:  # type: ignore[no-untyped-def]
    officer = actor_of(city.users["hrss_data"])
    r = published_resource(session, city.users["hrss_data"])
    retired = catalog.retire_resource(session=session, actor=officer, resource_id=r.id, reason="业务系统停用")
    assert retired.status == "retired"
    with pytest.raises(InvalidTransition):
        catalog.update_resource(session=session, actor=officer, resource_id=r.id, resource_in=resource_in())
