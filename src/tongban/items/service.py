"""Service-item use-cases: the basic catalog (platform), implementation lists (departments) and their review
and publication, bundles and events. Reads are in reads.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tongban.audit import service as audit
from tongban.audit.models import AuditEntry
from tongban.authz import Actor, Permission
from tongban.db import utcnow
from tongban.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from tongban.items import indexing
from tongban.items import permissions as rules
from tongban.items.models import (
    BasicItem,
    Bundle,
    BundleMember,
    Implementation,
    ImplementationVersion,
    ItemEvent,
    ItemEventItem,
    Material,
)
from tongban.items.schemas import (
    SOURCE_LABELS,
    STATUS_LABELS,
    BasicItemIn,
    BundleIn,
    ImplementationIn,
    ImplementationRead,
    MaterialRead,
)
from tongban.org.models import Department, Region
from tongban.transactions import use_case

REGION_LEVELS: dict[str, str] = {"province": "省级", "city": "市级", "county": "县级", "township": "县级"}
BASIC_ELEMENTS: tuple[tuple[str, str], ...] = (
    ("name", "事项名称"), ("code", "事项编码"), ("item_type", "事项类型"), ("legal_basis", "设定依据"))

# ---------------------------------------------------------------- 行使层级


def level_of(session: Session, region_code: str) -> str:
    """The 行使层级 of a department's region: 省级, 市级 or 县级 (a township's department acts at county level)."""
    region = session.get(Region, region_code)
    return REGION_LEVELS.get(region.level if region else "city", "市级")


def check_level(basic: BasicItem, level: str, department_name: str = "") -> None:
    """三级四同: an item is implemented only at a level that exercises it (the basic item's 行使层级)."""
    if level in basic.levels:
        return
    who = f"{department_name}为{level}部门" if department_name else f"实施主体为{level}部门"
    raise ValidationFailed(
        f"“{basic.name}”在基本目录中的行使层级为{'、'.join(basic.levels) or '（未设置）'}，{who}，不能实施该事项。"
        f"请由{'、'.join(basic.levels)}的部门编制实施清单；如该事项的设定依据确由{level}行使，"
        "请平台管理员先在基本目录中增加该行使层级。",
        code="level_not_exercised", detail={"field": "level", "level": level, "levels": list(basic.levels)})


# ---------------------------------------------------------------- basic catalog


def basic_by_code(session: Session, code: str) -> BasicItem:
    item = session.execute(select(BasicItem).where(BasicItem.code == code)).scalar_one_or_none()
    if item is None:
        raise NotFound(f"基本目录中没有事项编码为 {code} 的事项，请先核对事项编码。", code="basic_item_not_found",
                       detail={"field": "basic_code"})
    return item


@use_case
def create_basic_item(*, session: Session, actor: Actor, item_in: BasicItemIn) -> BasicItem:
    """基本目录: a new item with its four elements (platform)."""
    actor.require(Permission.ITEM_CATALOG_MANAGE)
    if session.execute(select(BasicItem.id).where(BasicItem.code == item_in.code)).first():
        raise Conflict(f"事项编码 {item_in.code} 已在基本目录中。", code="basic_item_exists",
                       detail={"field": "code"})
    item = BasicItem(**item_in.model_dump(), created_by=actor.id if actor.is_staff else None)
    session.add(item)
    session.flush()
    audit.record(session, actor=actor, action="item.basic_create", object_type="basic_item", object_id=item.code,
                 detail={"name": item.name, "type": item.item_type})
    return item


@use_case
def update_basic_item(*, session: Session, actor: Actor, code: str, item_in: BasicItemIn) -> BasicItem:
    """Change a basic item (platform): every implementation carries the new elements by reference."""
    actor.require(Permission.ITEM_CATALOG_MANAGE)
    item = basic_by_code(session, code)
    if item_in.code != item.code:
        raise ValidationFailed("事项编码是事项的标识，不能修改；如确需新编码，请新增事项。", code="basic_code_fixed",
                               detail={"field": "code"})
    dropped = [lv for lv in item.levels if lv not in item_in.levels]
    if dropped:
        in_use = session.execute(select(Implementation.level, func.count()).where(
            Implementation.basic_item_id == item.id, Implementation.level.in_(dropped),
            Implementation.status != "retired").group_by(Implementation.level)).all()
        if in_use:
            listed = "、".join(f"{lv} {n} 个" for lv, n in in_use)
            raise ValidationFailed(
                f"“{item.name}”还有未停用的实施清单在使用要去掉的行使层级（{listed}），不能去掉该层级："
                "请先由这些部门停用实施清单，再修改行使层级。", code="level_in_use",
                detail={"field": "levels", "levels": [lv for lv, _ in in_use]})
    before = {k: getattr(item, k) for k in ("name", "item_type", "legal_basis", "levels", "high_frequency")}
    for key, value in item_in.model_dump(exclude={"code"}).items():
        setattr(item, key, value)
    changed = sorted(k for k, v in before.items() if getattr(item, k) != v)
    audit.record(session, actor=actor, action="item.basic_update", object_type="basic_item", object_id=item.code,
                 detail={"changed": changed})
    indexing.index_items(session, [item.id])
    return item


# ---------------------------------------------------------------- implementations


def check_basic_elements(basic: BasicItem, data: ImplementationIn) -> None:
    """三级四同: the four basic elements come from the basic catalog; a different one is refused."""
    for key, label in BASIC_ELEMENTS:
        given = getattr(data, key)
        if given is None:
            continue
        if given.strip() != getattr(basic, key):
            raise ValidationFailed(
                f"{label}属于基本目录要素，省市县三级保持一致（三级四同），实施清单不能更改："
                f"基本目录为“{getattr(basic, key)}”，提交的是“{given.strip()}”。"
                "如需调整，请向平台管理员申请修改基本目录。",
                code="basic_element_locked", detail={"field": key})


def read(impl: Implementation, *, version: int | None = None) -> ImplementationRead:
    """The working copy as the guide shows it, with the basic item's four elements."""
    b = impl.basic
    return ImplementationRead(
        id=impl.id, code=b.code, name=b.name, item_type=b.item_type, legal_basis=b.legal_basis, levels=b.levels,
        level=impl.level, department_id=impl.department_id, department_name=impl.department.name,
        region_code=impl.region_code, legal_days=impl.legal_days, promised_days=impl.promised_days, fee=impl.fee,
        fee_amount_fen=impl.fee_amount_fen,
        conditions=list(impl.conditions),
        materials=[MaterialRead(name=m.name, source=m.source, source_label=SOURCE_LABELS.get(m.source, m.source),
                                ref=m.ref, required=m.required, note=m.note) for m in impl.materials],
        steps=list(impl.steps), visits=impl.visits, channels=list(impl.channels),
        service_objects=list(impl.service_objects), consult_phone=impl.consult_phone,
        complaint_phone=impl.complaint_phone, place=impl.place, hours=impl.hours, online=impl.online,
        instant=impl.instant, result_name=impl.result_name, licence_type=impl.licence_type, status=impl.status,
        status_label=STATUS_LABELS.get(impl.status, impl.status),
        version=impl.published_version if version is None else version, change_note=impl.change_note,
        return_reason=impl.return_reason)


def _apply(session: Session, impl: Implementation, data: ImplementationIn) -> None:
    fields = data.model_dump(exclude={"basic_code", "department_id", "name", "code", "item_type", "legal_basis",
                                      "materials", "change_note"})
    for key, value in fields.items():
        setattr(impl, key, value)
    impl.change_note = data.change_note
    impl.materials.clear()
    session.flush()  # the old rows go before new ones take their positions
    impl.materials.extend(Material(position=i, name=m.name, source=m.source, ref=m.ref, required=m.required,
                                   note=m.note) for i, m in enumerate(data.materials, start=1))


def build_implementation(session: Session, actor: Actor | None, basic: BasicItem, department: Department,
                         data: ImplementationIn) -> Implementation:
    """A new draft implementation (no checks of rights, no audit): for the use-case and the demo loader.
    三级四同 is checked here: the four basic elements and the level (行使层级)."""
    check_basic_elements(basic, data)
    level = level_of(session, department.region_code)
    check_level(basic, level, department.name)
    impl = Implementation(basic_item_id=basic.id, department_id=department.id, region_code=department.region_code,
                          level=level, status="draft",
                          created_by=actor.id if actor and actor.is_staff else None,
                          updated_by=actor.id if actor and actor.is_staff else None)
    impl.basic, impl.department = basic, department
    session.add(impl)
    _apply(session, impl, data)
    session.flush()
    return impl


def get_implementation(session: Session, implementation_id: int) -> Implementation:
    impl = session.get(Implementation, implementation_id)
    if impl is None:
        raise NotFound("未找到该实施清单事项。", code="implementation_not_found")
    return impl


def _own(session: Session, actor: Actor, implementation_id: int) -> Implementation:
    """The implementation for a write by its department; others get 404 unless they may see it (then 403)."""
    impl = get_implementation(session, implementation_id)
    if impl.published_version == 0 and not rules.can_see_working(actor, impl):
        raise NotFound("未找到该实施清单事项。", code="implementation_not_found")
    rules.check_manage(actor, impl.department_id)
    return impl


@use_case
def create_implementation(*, session: Session, actor: Actor, implementation_in: ImplementationIn) -> Implementation:
    """编制实施清单: the department's own draft implementation of a basic item."""
    department_id = implementation_in.department_id or actor.department_id
    if department_id is None:
        raise ValidationFailed("请指定实施主体（部门）。", code="department_required",
                               detail={"field": "department_id"})
    rules.check_manage(actor, department_id)
    department = session.get(Department, department_id)
    if department is None:
        raise NotFound("未找到该部门。", code="department_not_found", detail={"field": "department_id"})
    basic = basic_by_code(session, implementation_in.basic_code)
    if session.execute(select(Implementation.id).where(Implementation.basic_item_id == basic.id,
                                                       Implementation.department_id == department_id)).first():
        raise Conflict(f"本部门已有“{basic.name}”的实施清单，请修改已有的实施清单。", code="implementation_exists")
    try:
        impl = build_implementation(session, actor, basic, department, implementation_in)
    except IntegrityError:
        raise Conflict(f"本部门已有“{basic.name}”的实施清单，请修改已有的实施清单。",
                       code="implementation_exists") from None
    audit.record(session, actor=actor, action="item.implementation_create", object_type="implementation",
                 object_id=str(impl.id), detail={"code": basic.code, "name": basic.name,
                                                 "department": department.name})
    return impl


@use_case
def update_implementation(*, session: Session, actor: Actor, implementation_id: int,
                          implementation_in: ImplementationIn) -> Implementation:
    """Edit the working copy; a published implementation becomes a revision in draft (the public keeps
    seeing the published version until the revision is approved)."""
    impl = _own(session, actor, implementation_id)
    if implementation_in.basic_code != impl.basic.code:
        raise ValidationFailed("实施清单对应的基本目录事项不能更改；如需实施其他事项，请新建实施清单。",
                               code="basic_element_locked", detail={"field": "basic_code"})
    if implementation_in.department_id not in (None, impl.department_id):
        raise ValidationFailed("实施主体不能更改。", code="department_fixed", detail={"field": "department_id"})
    if impl.status == "review":
        raise InvalidTransition("实施清单正在审核中，暂不能修改；请等待审核结果（退回后可修改）。", code="in_review")
    if impl.status == "retired":
        raise InvalidTransition("已停用的实施清单不能修改。", code="implementation_retired")
    check_basic_elements(impl.basic, implementation_in)
    was = impl.status
    _apply(session, impl, implementation_in)
    impl.status = "draft"
    impl.updated_at, impl.updated_by = utcnow(), actor.id
    audit.record(session, actor=actor, action="item.implementation_update", object_type="implementation",
                 object_id=str(impl.id), detail={"code": impl.basic.code, "from_status": was,
                                                 "published_version": impl.published_version,
                                                 "note": implementation_in.change_note})
    return impl


@use_case
def submit_implementation(*, session: Session, actor: Actor, implementation_id: int) -> Implementation:
    """提交审核: the department sends its draft (or revision) to the platform's review."""
    impl = _own(session, actor, implementation_id)
    if impl.status != "draft":
        raise InvalidTransition("只有草稿可以提交审核。", code="not_draft")
    impl.status, impl.submitted_at, impl.submitted_by = "review", utcnow(), actor.id
    audit.record(session, actor=actor, action="item.implementation_submit", object_type="implementation",
                 object_id=str(impl.id), detail={"code": impl.basic.code})
    return impl


def _reviewable(session: Session, actor: Actor, implementation_id: int) -> Implementation:
    actor.require(Permission.ITEM_REVIEW)
    impl = get_implementation(session, implementation_id)
    if impl.status != "review":
        raise InvalidTransition("只有待审核的实施清单可以审核。", code="not_in_review")
    return impl


def mark_published(session: Session, actor: Actor | None, impl: Implementation, *, note: str,
                   at: dt.datetime | None = None) -> ImplementationVersion:
    """The working copy becomes the next published version, kept whole (no checks, no audit)."""
    impl.status = "published"
    impl.published_version += 1
    impl.return_reason = ""
    staff_id = actor.id if actor is not None and actor.is_staff else None
    impl.reviewed_at, impl.reviewed_by = at or utcnow(), staff_id
    session.flush()
    version = ImplementationVersion(
        implementation_id=impl.id, version=impl.published_version,
        snapshot=read(impl).model_dump(mode="json"), change_note=note or impl.change_note or "发布",
        published_at=at or utcnow(), published_by=staff_id)
    session.add(version)
    impl.change_note = ""
    return version


@use_case
def approve_implementation(*, session: Session, actor: Actor, implementation_id: int,
                           note: str = "") -> Implementation:
    """审核通过: the reviewed working copy is published as the next version; earlier versions stay."""
    impl = _reviewable(session, actor, implementation_id)
    mark_published(session, actor, impl, note=impl.change_note or note or ("首次发布" if not impl.published_version
                                                                           else "修订发布"))
    audit.record(session, actor=actor, action="item.implementation_approve", object_type="implementation",
                 object_id=str(impl.id), detail={"code": impl.basic.code, "version": impl.published_version,
                                                 "note": note})
    indexing.index_items(session, [impl.basic_item_id])
    return impl


@use_case
def return_implementation(*, session: Session, actor: Actor, implementation_id: int, reason: str) -> Implementation:
    """退回修改: back to the department's draft with the reason."""
    impl = _reviewable(session, actor, implementation_id)
    impl.status, impl.return_reason = "draft", reason
    impl.reviewed_at, impl.reviewed_by = utcnow(), actor.id
    audit.record(session, actor=actor, action="item.implementation_return", object_type="implementation",
                 object_id=str(impl.id), detail={"code": impl.basic.code, "reason": reason})
    return impl


@use_case
def retire_implementation(*, session: Session, actor: Actor, implementation_id: int, reason: str) -> Implementation:
    """停用: the department stops offering the item; its versions stay for the record."""
    impl = _own(session, actor, implementation_id)
    if impl.status == "retired":
        raise InvalidTransition("该实施清单已停用。", code="implementation_retired")
    if impl.published_version == 0:
        raise InvalidTransition("从未发布的实施清单无需停用，可直接修改或继续编制。", code="never_published")
    impl.status = "retired"
    audit.record(session, actor=actor, action="item.implementation_retire", object_type="implementation",
                 object_id=str(impl.id), detail={"code": impl.basic.code, "reason": reason})
    indexing.index_items(session, [impl.basic_item_id])
    return impl


# ---------------------------------------------------------------- bundles and events


def condition_columns(condition: Any) -> dict[str, Any]:
    if condition is None:
        return {"condition_field": None, "condition_op": None, "condition_value": None, "condition_label": ""}
    value = condition.value
    return {"condition_field": condition.field, "condition_op": condition.op,
            "condition_value": list(value) if isinstance(value, (list, tuple)) else value,
            "condition_label": condition.label}


def bundle_snapshot(bundle: Bundle) -> dict[str, Any]:
    """What a published version of a bundle says, kept whole in its version entry."""
    return {"code": bundle.code, "name": bundle.name, "event": bundle.event, "audience": bundle.audience,
            "lead_department": bundle.lead_department.name, "guide": bundle.guide,
            "joint_policy": bundle.joint_policy,
            "members": [{"code": m.basic.code, "name": m.basic.name, "condition_label": m.condition_label,
                         "condition": None if m.condition_field is None else
                         {"field": m.condition_field, "op": m.condition_op, "value": m.condition_value}}
                        for m in bundle.members]}


def bundle_version_count(session: Session, code: str) -> int:
    return session.execute(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "item.bundle_version", AuditEntry.object_type == "bundle",
        AuditEntry.object_id == code)).scalar_one()


def record_bundle_version(session: Session, actor: Actor, bundle: Bundle, note: str) -> int:
    """A published state of a bundle becomes its next version: the whole snapshot in the append-only,
    hash-chained audit log (bundles have no version table yet; see reads.bundle_versions)."""
    session.flush()
    session.refresh(bundle)
    version = bundle_version_count(session, bundle.code) + 1
    audit.record(session, actor=actor, action="item.bundle_version", object_type="bundle", object_id=bundle.code,
                 detail={"version": version, "note": note, "snapshot": bundle_snapshot(bundle)})
    return version


@use_case
def create_bundle(*, session: Session, actor: Actor, bundle_in: BundleIn, draft: bool = False) -> Bundle:
    """一件事: a bundle of basic items around one event, with its lead department (platform); published at
    once (version 1), or kept as a draft that the portal does not show until it is published."""
    actor.require(Permission.ITEM_CATALOG_MANAGE)
    if session.execute(select(Bundle.id).where(Bundle.code == bundle_in.code)).first():
        raise Conflict(f"编码为 {bundle_in.code} 的一件事已存在。", code="bundle_exists", detail={"field": "code"})
    lead = session.get(Department, bundle_in.lead_department_id)
    if lead is None:
        raise NotFound("未找到牵头部门。", code="department_not_found", detail={"field": "lead_department_id"})
    codes = [m.basic_code for m in bundle_in.members]
    if len(set(codes)) != len(codes):
        raise ValidationFailed("一件事的成员事项不能重复。", code="bundle_duplicate_member",
                               detail={"field": "members"})
    bundle = Bundle(code=bundle_in.code, name=bundle_in.name, event=bundle_in.event, audience=bundle_in.audience,
                    lead_department_id=lead.id, region_code=lead.region_code, guide=bundle_in.guide,
                    joint_policy=bundle_in.joint_policy,
                    status="draft" if draft else "published", created_by=actor.id if actor.is_staff else None)
    for i, member in enumerate(bundle_in.members, start=1):
        basic = basic_by_code(session, member.basic_code)
        bundle.members.append(BundleMember(position=i, basic_item_id=basic.id,
                                           **condition_columns(member.condition)))
    session.add(bundle)
    session.flush()
    audit.record(session, actor=actor, action="item.bundle_create", object_type="bundle", object_id=bundle.code,
                 detail={"name": bundle.name, "members": codes, "lead": lead.name, "status": bundle.status,
                         "joint_policy": bundle.joint_policy})
    if not draft:
        record_bundle_version(session, actor, bundle, "首次发布")
    indexing.index_bundles(session, [bundle])
    return bundle


@use_case
def set_event(*, session: Session, actor: Actor, kind: str, name: str, codes: list[str],
              position: int = 0) -> ItemEvent:
    """A life or business event and its items, in order (replaces the event's list)."""
    actor.require(Permission.ITEM_CATALOG_MANAGE)
    if kind not in ("life", "business"):
        raise ValidationFailed("事件类型应为 life（个人）或 business（企业）。", code="event_kind",
                               detail={"field": "kind"})
    event = session.execute(select(ItemEvent).where(ItemEvent.kind == kind, ItemEvent.name == name)
                            ).scalar_one_or_none()
    before = indexing.items_of_event(session, event.id) if event is not None else []
    if event is None:
        event = ItemEvent(kind=kind, name=name, position=position)
        session.add(event)
        session.flush()
    else:
        event.position = position
        for row in session.execute(select(ItemEventItem).where(ItemEventItem.event_id == event.id)).scalars():
            session.delete(row)
        session.flush()
    seen: set[str] = set()
    for i, code in enumerate(codes, start=1):
        if code in seen:
            continue
        seen.add(code)
        session.add(ItemEventItem(event_id=event.id, basic_item_id=basic_by_code(session, code).id, position=i))
    session.flush()
    audit.record(session, actor=actor, action="item.event_set", object_type="item_event", object_id=f"{kind}:{name}",
                 detail={"items": len(seen)})
    indexing.index_items(session, [*before, *indexing.items_of_event(session, event.id)])
    return event


@use_case
def update_bundle(*, session: Session, actor: Actor, code: str, bundle_in: BundleIn) -> Bundle:
    """Change a bundle (platform): its name, event, audience, lead department, guide, joint policy and members
    with their conditions (the member list is replaced); the portal's index follows. A published bundle's
    change is its next version; a retired bundle is not changed."""
    actor.require(Permission.ITEM_CATALOG_MANAGE)
    bundle = session.execute(select(Bundle).where(Bundle.code == code)).scalar_one_or_none()
    if bundle is None:
        raise NotFound("未找到该一件事。", code="bundle_not_found")
    if bundle.status == "retired":
        raise InvalidTransition("已停用的一件事不能修改；如需重新提供，请新建一件事。", code="bundle_retired")
    if bundle_in.code != bundle.code:
        raise ValidationFailed("一件事的编码是它的标识，不能修改；如确需新编码，请新增一件事。",
                               code="bundle_code_fixed", detail={"field": "code"})
    lead = session.get(Department, bundle_in.lead_department_id)
    if lead is None:
        raise NotFound("未找到牵头部门。", code="department_not_found", detail={"field": "lead_department_id"})
    codes = [m.basic_code for m in bundle_in.members]
    if len(set(codes)) != len(codes):
        raise ValidationFailed("一件事的成员事项不能重复。", code="bundle_duplicate_member",
                               detail={"field": "members"})
    before = [m.basic.code for m in bundle.members]
    policy_before = bundle.joint_policy
    members = [BundleMember(position=i, basic_item_id=basic_by_code(session, m.basic_code).id,
                            **condition_columns(m.condition)) for i, m in enumerate(bundle_in.members, start=1)]
    bundle.name, bundle.event, bundle.audience, bundle.guide = (bundle_in.name, bundle_in.event, bundle_in.audience,
                                                                bundle_in.guide)
    bundle.lead_department_id, bundle.region_code = lead.id, lead.region_code
    bundle.joint_policy = bundle_in.joint_policy
    bundle.lead_department = lead
    bundle.members.clear()
    session.flush()  # the old members go before the new ones take their places
    bundle.members.extend(members)
    session.flush()
    session.refresh(bundle)
    audit.record(session, actor=actor, action="item.bundle_update", object_type="bundle", object_id=bundle.code,
                 detail={"name": bundle.name, "members": codes, "before": before, "lead": lead.name,
                         "joint_policy": bundle.joint_policy, "joint_policy_before": policy_before})
    if bundle.status == "published":  # the public sees the change at once: it is the next version
        record_bundle_version(session, actor, bundle, "修改")
    indexing.index_bundles(session, [bundle])
    return bundle
