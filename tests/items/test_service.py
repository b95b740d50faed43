"""Implementation lists: 三级四同, the review workflow with versions and audit, department isolation."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.items.conftest import ItemsWorld, impl_in, publish
from tongban.audit import service as audit
from tongban.audit.models import AuditEntry
from tongban.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from tongban.items import reads, service
from tongban.items.models import Implementation, ImplementationVersion


def _actions(session: Session, object_id: str) -> list[str]:
    return list(session.execute(select(AuditEntry.action).where(
        AuditEntry.object_type == "implementation", AuditEntry.object_id == object_id).order_by(AuditEntry.seq)
    ).scalars())


def test_a_county_implementation_cannot_rename_the_item_or_change_its_type(
        session: Session, items_world: ItemsWorld) -> None:
    county = items_world.actor("hb_admin")
    for field, value, label in (("name", "小餐饮经营许可", "事项名称"), ("item_type", "行政备案", "事项类型"),
                                ("code", "011010899999", "事项编码"), ("legal_basis", "《安康市小餐饮管理办法》", "设定依据")):
        with pytest.raises(ValidationFailed) as refused:
            service.create_implementation(session=session, actor=county,
                                          implementation_in=impl_in(**{field: value}))
        assert refused.value.code == "basic_element_locked"
        assert label in refused.value.message and "三级四同" in refused.value.message
        assert refused.value.detail == {"field": field}
    assert session.execute(select(Implementation)).first() is None  # nothing half-written
    # Repeating the basic elements unchanged is fine (a spreadsheet row carries them).
    impl = service.create_implementation(session=session, actor=county, implementation_in=impl_in(
        name="食品经营许可", item_type="行政许可", promised_days=3))
    assert (impl.region_code, impl.level, impl.basic.name) == ("610902", "县级", "食品经营许可")
    # Nor through an edit.
    with pytest.raises(ValidationFailed) as refused:
        service.update_implementation(session=session, actor=county, implementation_id=impl.id,
                                      implementation_in=impl_in(name="小餐饮许可"))
    assert refused.value.code == "basic_element_locked"


def test_review_workflow_versions_and_audit(session: Session, items_world: ItemsWorld) -> None:
    amr, admin = items_world.actor("amr_admin"), items_world.actor("admin")
    impl = service.create_implementation(session=session, actor=amr, implementation_in=impl_in())
    assert (impl.status, impl.published_version) == ("draft", 0)
    with pytest.raises(NotFound):  # a draft is not public
        reads.published(session, impl.id)
    with pytest.raises(InvalidTransition):  # only what was submitted is reviewed
        service.approve_implementation(session=session, actor=admin, implementation_id=impl.id)
    service.submit_implementation(session=session, actor=amr, implementation_id=impl.id)
    with pytest.raises(InvalidTransition) as in_review:
        service.update_implementation(session=session, actor=amr, implementation_id=impl.id,
                                      implementation_in=impl_in())
    assert in_review.value.code == "in_review"
    with pytest.raises(Forbidden):  # the department does not approve its own list
        service.approve_implementation(session=session, actor=amr, implementation_id=impl.id)
    service.return_implementation(session=session, actor=admin, implementation_id=impl.id,
                                  reason="承诺时限请压缩到 3 个工作日")
    assert (impl.status, impl.return_reason) == ("draft", "承诺时限请压缩到 3 个工作日")
    assert reads.working(session, amr, impl.id).return_reason == "承诺时限请压缩到 3 个工作日"
    service.update_implementation(session=session, actor=amr, implementation_id=impl.id,
                                  implementation_in=impl_in(promised_days=3))
    publish(session, items_world, impl)
    assert (impl.status, impl.published_version) == ("published", 1)
    assert reads.published(session, impl.id).promised_days == 3

    # A revision: the public keeps version 1 until version 2 is approved; both versions stay.
    service.update_implementation(session=session, actor=amr, implementation_id=impl.id,
                                  implementation_in=impl_in(promised_days=2, fee="不收费（工本费由财政承担）",
                                                            change_note="压缩时限"))
    assert impl.status == "draft" and reads.published(session, impl.id).promised_days == 3
    publish(session, items_world, impl)
    assert reads.published(session, impl.id).promised_days == 2
    versions = session.execute(select(ImplementationVersion).where(
        ImplementationVersion.implementation_id == impl.id).order_by(ImplementationVersion.version)).scalars().all()
    assert [(v.version, v.snapshot["promised_days"]) for v in versions] == [(1, 3), (2, 2)]
    assert versions[1].change_note == "压缩时限"
    assert [v.version for v in reads.versions(session, impl.id)] == [2, 1]

    service.retire_implementation(session=session, actor=amr, implementation_id=impl.id, reason="职能划转至区县")
    with pytest.raises(NotFound):
        reads.published(session, impl.id)
    assert _actions(session, str(impl.id)) == [
        "item.implementation_create", "item.implementation_submit", "item.implementation_return",
        "item.implementation_update", "item.implementation_submit", "item.implementation_approve",
        "item.implementation_update", "item.implementation_submit", "item.implementation_approve",
        "item.implementation_retire"]
    assert audit.verify(session).ok


def test_only_the_department_itself_edits_its_list(session: Session, items_world: ItemsWorld) -> None:
    amr = items_world.actor("amr_admin")
    impl = service.create_implementation(session=session, actor=amr, implementation_in=impl_in())
    # Another department's staff: a draft is not even there; the platform admin reviews but does not write.
    with pytest.raises(NotFound):
        service.update_implementation(session=session, actor=items_world.actor("hrss_admin"),
                                      implementation_id=impl.id, implementation_in=impl_in())
    with pytest.raises(Forbidden) as refused:
        service.update_implementation(session=session, actor=items_world.actor("admin"), implementation_id=impl.id,
                                      implementation_in=impl_in())
    assert refused.value.code == "item_not_own_department"
    publish(session, items_world, impl)
    for who in ("hrss_admin", "admin", "amr_clerk", "amr_data", "supervisor"):
        with pytest.raises(Forbidden):
            service.update_implementation(session=session, actor=items_world.actor(who), implementation_id=impl.id,
                                          implementation_in=impl_in())
    # Nobody creates an implementation for another department, the platform admin included.
    for who, dept in (("hrss_admin", items_world.city.amr.id), ("admin", items_world.city.amr.id)):
        with pytest.raises(Forbidden):
            service.create_implementation(session=session, actor=items_world.actor(who),
                                          implementation_in=impl_in(department_id=dept))
    # Only the platform edits the basic catalog.
    from tongban.items.schemas import BasicItemIn
    with pytest.raises(Forbidden):
        service.create_basic_item(session=session, actor=amr, item_in=BasicItemIn(
            code="019999900000", name="某许可", item_type="行政许可", legal_basis="某法", levels=["市级"]))


def test_basic_item_changes_reach_every_implementation(session: Session, items_world: ItemsWorld) -> None:
    from tongban.items.schemas import BasicItemIn

    impl = service.create_implementation(session=session, actor=items_world.actor("amr_admin"),
                                         implementation_in=impl_in())
    service.update_basic_item(session=session, actor=items_world.actor("admin"), code=items_world.food.code,
                              item_in=BasicItemIn(code=items_world.food.code, name="食品经营许可（含小餐饮）",
                                                  item_type="行政许可", legal_basis="《食品安全法》第三十五条",
                                                  levels=["市级", "县级"]))
    assert service.read(impl).name == "食品经营许可（含小餐饮）"
    with pytest.raises(ValidationFailed) as refused:
        service.update_basic_item(session=session, actor=items_world.actor("admin"), code=items_world.food.code,
                                  item_in=BasicItemIn(code="011010899999", name="x许可", item_type="行政许可",
                                                      legal_basis="某法", levels=["市级"]))
    assert refused.value.code == "basic_code_fixed"
