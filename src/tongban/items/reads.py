"""Reads of service items: the published guide and its versions, materials for an applicant, lists, bundles,
events, the deviation report and the once-only figures.

The public sees published versions only: a live implementation (published at least once, not retired) is shown
as its latest published snapshot, whatever revision is in draft or review meanwhile.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tongban.audit.models import AuditEntry
from tongban.authz import Actor, Permission
from tongban.clock import today
from tongban.errors import NotFound
from tongban.items import permissions as rules
from tongban.items.bundles import BUNDLE_STATUS_LABELS, bundle_by_code
from tongban.items.models import (
    BasicItem,
    Bundle,
    Implementation,
    ImplementationVersion,
    ItemEvent,
    ItemEventItem,
)
from tongban.items.rules import (
    ImplFact,
    MaterialLike,
    answer_material,
    differences,
    evaluate,
    merge_materials,
    once_only,
    reference_of,
)
from tongban.items.schemas import (
    JOINT_POLICY_TEXTS,
    STATUS_LABELS,
    BundleAdminSummary,
    BundleMemberRead,
    BundleRead,
    BundleSummary,
    BundleVersionRead,
    ConditionRead,
    Deviation,
    EventRead,
    ImplementationRead,
    ImplementationSummary,
    ItemListEntry,
    ItemPage,
    MaterialAnswer,
    MaterialsRead,
    OnceOnlyRead,
    RegionDeviations,
    VersionRead,
)
from tongban.items.service import get_implementation, read
from tongban.licences.library import valid_licences
from tongban.licences.models import LicenceType
from tongban.org.models import Region


def _live() -> Any:
    return (Implementation.published_version > 0) & (Implementation.status != "retired")


def _published_snapshot(session: Session, impl: Implementation) -> dict[str, Any]:
    row = session.execute(select(ImplementationVersion.snapshot).where(
        ImplementationVersion.implementation_id == impl.id,
        ImplementationVersion.version == impl.published_version)).scalar_one()
    return dict(row)


def published(session: Session, implementation_id: int) -> ImplementationRead:
    """The guide of a live implementation: its latest published version (public)."""
    impl = get_implementation(session, implementation_id)
    if impl.published_version == 0 or impl.status == "retired":
        raise NotFound("未找到该事项，或该事项尚未发布、已停用。", code="implementation_not_found")
    return ImplementationRead.model_validate(_published_snapshot(session, impl))


def working(session: Session, actor: Actor, implementation_id: int) -> ImplementationRead:
    """The working copy (draft, in review, returned with its reason) for its department and the reviewers."""
    impl = get_implementation(session, implementation_id)
    if not rules.can_see_working(actor, impl):
        raise NotFound("未找到该实施清单事项。", code="implementation_not_found")
    return read(impl)


def versions(session: Session, implementation_id: int) -> list[VersionRead]:
    published(session, implementation_id)  # 404 unless live
    rows = session.execute(select(ImplementationVersion).where(
        ImplementationVersion.implementation_id == implementation_id).order_by(ImplementationVersion.version.desc())
    ).scalars()
    return [VersionRead.model_validate(v) for v in rows]


def _summary(impl: Implementation) -> ImplementationSummary:
    b = impl.basic
    return ImplementationSummary(
        id=impl.id, code=b.code, name=b.name, item_type=b.item_type, department_name=impl.department.name,
        region_code=impl.region_code, level=impl.level, status=impl.status,
        status_label=STATUS_LABELS.get(impl.status, impl.status), published_version=impl.published_version,
        visits=impl.visits, online=impl.online, updated_at=impl.updated_at)


# ---------------------------------------------------------------- materials for an applicant


def held_licence_types(session: Session, applicant: Actor | None) -> frozenset[str] | None:
    """Names of the licence types of which the applicant holds a valid licence; None if we don't know who
    applies (not logged in, staff, a system)."""
    if applicant is None or applicant.kind not in ("citizen", "enterprise") or not applicant.holder_code:
        return None
    return frozenset(lic.type.name for lic in valid_licences(session, holder_code=applicant.holder_code,
                                                            today=today()))


def issued_licence_types(session: Session) -> frozenset[str]:
    """Names of the licence types the platform's licence library issues (active types): only these can be
    fetched instead of uploaded."""
    return frozenset(session.execute(select(LicenceType.name).where(LicenceType.status == "active")).scalars())


def materials_for(session: Session, implementation: Any, applicant: Actor | None) -> list[MaterialAnswer]:
    """Per material of `implementation` (a row, an ImplFact or an ImplementationRead: anything with
    `.materials`), whether this applicant must upload it and why, in Chinese."""
    materials: Sequence[MaterialLike] = implementation.materials
    held = held_licence_types(session, applicant)
    refs = [m.ref for m in materials if m.source == "bundle" and not m.ref.startswith("name:")]
    names: dict[str, str] = {}
    if refs:
        names = {code: name for code, name in session.execute(
            select(BasicItem.code, BasicItem.name).where(BasicItem.code.in_(refs)))}
    issued = issued_licence_types(session)
    return [answer_material(m, held=held, item_names=names, issued=issued) for m in materials]


def materials_of(session: Session, actor: Actor, implementation_id: int) -> MaterialsRead:
    """The published materials of an item with the answers for the caller."""
    guide = published(session, implementation_id)
    answers = materials_for(session, guide, actor)
    who = "本人" if held_licence_types(session, actor) is not None else "未登录（按一般情形说明）"
    return MaterialsRead(implementation_id=implementation_id, applicant=who, materials=answers)


# ---------------------------------------------------------------- lists


def list_items(session: Session, *, q: str | None = None, item_type: str | None = None,
               department_id: int | None = None, region_code: str | None = None, high_frequency: bool | None = None,
               page: int = 1, size: int = 20) -> ItemPage:
    """Basic items that have a live implementation, with those implementations (the portal's list)."""
    cond = [_live()]
    if q:
        cond.append(or_(BasicItem.name.contains(q), BasicItem.code == q))
    if item_type:
        cond.append(BasicItem.item_type == item_type)
    if department_id:
        cond.append(Implementation.department_id == department_id)
    if region_code:
        cond.append(Implementation.region_code == region_code)
    if high_frequency is not None:
        cond.append(BasicItem.high_frequency.is_(high_frequency))
    base = select(BasicItem.id).join(Implementation, Implementation.basic_item_id == BasicItem.id).where(*cond)
    total = session.execute(select(func.count()).select_from(base.distinct().subquery())).scalar_one()
    ids = session.execute(select(BasicItem.id).where(BasicItem.id.in_(base)).order_by(BasicItem.code)
                          .offset((page - 1) * size).limit(size)).scalars().all()
    return ItemPage(total=total, page=page, size=size, items=_entries(session, list(ids), cond))


def _entries(session: Session, basic_ids: list[int], cond: list[Any]) -> list[ItemListEntry]:
    if not basic_ids:
        return []
    impls = session.execute(select(Implementation).join(BasicItem).where(
        Implementation.basic_item_id.in_(basic_ids), *cond).order_by(Implementation.id)).scalars().all()
    by_basic: dict[int, list[Implementation]] = defaultdict(list)
    for impl in impls:
        by_basic[impl.basic_item_id].append(impl)
    basics = {b.id: b for b in session.execute(select(BasicItem).where(BasicItem.id.in_(basic_ids))).scalars()}
    return [ItemListEntry(code=basics[i].code, name=basics[i].name, item_type=basics[i].item_type,
                          high_frequency=basics[i].high_frequency,
                          implementations=[_summary(x) for x in by_basic[i]]) for i in basic_ids]


def basic_item(session: Session, code: str) -> ItemListEntry:
    """A basic item with its live implementations (404 if it has none)."""
    entries = _entries(session, list(session.execute(select(BasicItem.id).where(BasicItem.code == code)).scalars()),
                       [_live()])
    if not entries or not entries[0].implementations:
        raise NotFound(f"未找到事项编码为 {code} 的已发布事项。", code="basic_item_not_found")
    return entries[0]


def department_list(session: Session, actor: Actor) -> list[ImplementationSummary]:
    """The caller's department's implementations in every state (its 实施清单 workbench)."""
    if actor.department_id is None or not actor.has(Permission.ITEM_MANAGE):
        return []
    rows = session.execute(select(Implementation).where(Implementation.department_id == actor.department_id)
                           .order_by(Implementation.id)).scalars()
    return [_summary(x) for x in rows]


def review_queue(session: Session, actor: Actor) -> list[ImplementationSummary]:
    """Implementations waiting for the platform's review, oldest submission first."""
    actor.require(Permission.ITEM_REVIEW)
    rows = session.execute(select(Implementation).where(Implementation.status == "review")
                           .order_by(Implementation.submitted_at, Implementation.id)).scalars()
    return [_summary(x) for x in rows]


# ---------------------------------------------------------------- facts, reports


def live_facts(session: Session) -> list[ImplFact]:
    """Every live implementation as its published version's facts."""
    rows = session.execute(select(ImplementationVersion.snapshot).join(
        Implementation, (Implementation.id == ImplementationVersion.implementation_id)
        & (Implementation.published_version == ImplementationVersion.version)).where(_live())
        .order_by(Implementation.id)).scalars()
    return [ImplFact.from_snapshot(s) for s in rows]


def once_only_figures(session: Session, actor: Actor) -> OnceOnlyRead:
    """The once-only rate and the zero-visit share of the city (platform staff)."""
    actor.require(Permission.ITEM_REVIEW)
    return once_only(live_facts(session), issued_licence_types(session))


def deviation_report(session: Session, actor: Actor) -> list[RegionDeviations]:
    """Per region, every live implementation that differs from its basic item's reference implementation in
    the elements a region may set (time limits, fee, materials), and what differs."""
    actor.require(Permission.ITEM_REVIEW)
    by_code: dict[str, list[ImplFact]] = defaultdict(list)
    for fact in live_facts(session):
        by_code[fact.code].append(fact)
    per_region: dict[str, list[Deviation]] = defaultdict(list)
    for facts in by_code.values():
        ref = reference_of(facts)
        if ref is None:
            continue
        for fact in facts:
            if fact.id == ref.id:
                continue
            diff = differences(ref, fact)
            if diff:
                per_region[fact.region_code].append(Deviation(
                    implementation_id=fact.id, code=fact.code, name=fact.name, department_name=fact.department_name,
                    reference_implementation_id=ref.id, reference_department_name=ref.department_name,
                    differences=diff))
    names = {code: name for code, name in session.execute(
        select(Region.code, Region.name).where(Region.code.in_(list(per_region))))}
    return [RegionDeviations(region_code=code, region_name=names.get(code, code),
                             deviations=sorted(per_region[code], key=lambda d: d.code))
            for code in sorted(per_region)]


# ---------------------------------------------------------------- bundles and events


def _bundle_summary(b: Bundle) -> BundleSummary:
    return BundleSummary(code=b.code, name=b.name, event=b.event, audience=b.audience,
                         lead_department_name=b.lead_department.name, members=len(b.members))


def list_bundles(session: Session, *, event: str | None = None) -> list[BundleSummary]:
    q = select(Bundle).where(Bundle.status == "published")
    if event:
        q = q.where(Bundle.event == event)
    return [_bundle_summary(b) for b in session.execute(q.order_by(Bundle.code)).scalars()]


def _member_impl(session: Session, basic_item_id: int, region_code: str) -> Implementation | None:
    """The implementation a bundle uses for a member: the live one in the bundle's region, else the
    reference (city-level, then the first published)."""
    impls = session.execute(select(Implementation).where(Implementation.basic_item_id == basic_item_id, _live())
                            .order_by(Implementation.id)).scalars().all()
    for pick in ([i for i in impls if i.region_code == region_code], [i for i in impls if i.level == "市级"], impls):
        if pick:
            return pick[0]
    return None


APPLIES_LABELS = {"yes": "需要办理", "no": "无需办理", "maybe": "可能需要"}


def bundle(session: Session, code: str, answers: dict[str, str] | None = None) -> BundleRead:
    """A bundle's guide: its members and whether each applies given the applicant's answers (unknown answer:
    “可能需要” with the condition's label), and the merged, deduplicated materials of the members that may apply."""
    answers = answers or {}
    b = session.execute(select(Bundle).where(Bundle.code == code)).scalar_one_or_none()
    if b is not None and b.status == "retired":
        raise NotFound(f"“{b.name}”已停用，不再作为一件事办理；其中的事项仍可分别办理，请在首页搜索。",
                       code="bundle_not_found")
    if b is None or b.status != "published":
        raise NotFound("未找到该一件事。", code="bundle_not_found")
    members: list[BundleMemberRead] = []
    merging: list[tuple[str, str, Sequence[MaterialLike]]] = []
    questions: list[str] = []
    for m in b.members:
        impl = _member_impl(session, m.basic_item_id, b.region_code)
        condition = None
        applies = "yes"
        label = APPLIES_LABELS["yes"]
        if m.condition_field:
            condition = ConditionRead(field=m.condition_field, op=m.condition_op or "==", value=m.condition_value,
                                      label=m.condition_label)
            if m.condition_field not in questions:
                questions.append(m.condition_field)
            met = evaluate(condition.op, condition.value, answers.get(m.condition_field))
            applies = "maybe" if met is None else "yes" if met else "no"
            label = APPLIES_LABELS[applies] + ("：" + m.condition_label if applies != "yes" else "")
        members.append(BundleMemberRead(code=m.basic.code, name=m.basic.name,
                                        department_name=impl.department.name if impl else None,
                                        implementation_id=impl.id if impl else None, condition=condition,
                                        applies=applies,
                                        applies_label=label))
        if impl is not None and applies != "no":
            guide = ImplementationRead.model_validate(_published_snapshot(session, impl))
            merging.append((m.basic.code, m.basic.name, guide.materials))
    return BundleRead(code=b.code, name=b.name, event=b.event, audience=b.audience,
                      lead_department_name=b.lead_department.name, guide=b.guide, status=b.status,
                      joint_policy=b.joint_policy, joint_policy_text=JOINT_POLICY_TEXTS.get(b.joint_policy, ""),
                      members=members,
                      materials=merge_materials(merging), questions=questions)


def events(session: Session, *, kind: str | None = None) -> list[EventRead]:
    """Life and business events with their live items and their bundles."""
    q = select(ItemEvent)
    if kind:
        q = q.where(ItemEvent.kind == kind)
    out: list[EventRead] = []
    for event in session.execute(q.order_by(ItemEvent.kind, ItemEvent.position, ItemEvent.id)).scalars():
        ids = list(session.execute(select(ItemEventItem.basic_item_id).where(ItemEventItem.event_id == event.id)
                                   .order_by(ItemEventItem.position)).scalars())
        entries = [e for e in _entries(session, ids, [_live()]) if e.implementations]
        out.append(EventRead(kind=event.kind, name=event.name, items=entries,
                             bundles=list_bundles(session, event=event.name)))
    return out


# ---------------------------------------------------------------- bundle administration (platform)


def _versions_of(session: Session, codes: Sequence[str]) -> dict[str, list[AuditEntry]]:
    out: dict[str, list[AuditEntry]] = defaultdict(list)
    if codes:
        for row in session.execute(select(AuditEntry).where(
                AuditEntry.action == "item.bundle_version", AuditEntry.object_type == "bundle",
                AuditEntry.object_id.in_(list(codes))).order_by(AuditEntry.seq)).scalars():
            out[row.object_id].append(row)
    return out


def manage_bundles(session: Session, actor: Actor) -> list[BundleAdminSummary]:
    """Every bundle in any state, with its number of versions (platform)."""
    actor.require(Permission.ITEM_CATALOG_MANAGE)
    bundles = session.execute(select(Bundle).order_by(Bundle.code)).scalars().all()
    versions = _versions_of(session, [b.code for b in bundles])
    return [BundleAdminSummary(code=b.code, name=b.name, event=b.event, audience=b.audience,
                               lead_department_name=b.lead_department.name, members=len(b.members),
                               status=b.status, status_label=BUNDLE_STATUS_LABELS.get(b.status, b.status),
                               versions=len(versions[b.code]), joint_policy=b.joint_policy) for b in bundles]


def bundle_versions(session: Session, actor: Actor, code: str) -> list[BundleVersionRead]:
    """A bundle's published versions, newest first, each whole as it was published (platform)."""
    actor.require(Permission.ITEM_CATALOG_MANAGE)
    bundle_by_code(session, code)
    out: list[BundleVersionRead] = []
    for row in reversed(_versions_of(session, [code])[code]):
        detail = json.loads(row.detail or "{}")
        out.append(BundleVersionRead(version=detail.get("version", 0), note=detail.get("note", ""),
                                     published_at=row.occurred_at, snapshot=detail.get("snapshot", {})))
    return out
