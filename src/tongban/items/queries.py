"""Read models of the service items' staff and platform pages (事项管理): one function per page, each returning
everything its template needs. The object rules stay in items/permissions.py and the service; these functions
call them and turn their answers into flags (`editable`, `can_submit`, `can_review` …) that decide which forms
a page shows. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tongban.audit.models import AuditEntry
from tongban.audit.service import ACTION_LABELS
from tongban.authz import Actor, Permission
from tongban.errors import NotFound
from tongban.items import permissions as rules
from tongban.items import reads
from tongban.items.bundles import BUNDLE_STATUS_LABELS
from tongban.items.models import BasicItem, Bundle, Implementation, ImplementationVersion, ItemEvent, ItemEventItem
from tongban.items.rules import ImplFact, once_only
from tongban.items.schemas import (
    CONDITION_OPS,
    ITEM_TYPES,
    JOINT_POLICIES,
    JOINT_POLICY_TEXTS,
    LEVELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    BundleVersionRead,
    ImplementationRead,
    ImplementationSummary,
    OnceOnlyRead,
    RegionDeviations,
)
from tongban.items.service import get_implementation, read
from tongban.org.models import Department, Region, User

PAGE_SIZE = 50


def is_platform(actor: Actor) -> bool:
    """The platform's reviewers and catalog managers see every department's lists."""
    return actor.has(Permission.ITEM_REVIEW) or actor.has(Permission.ITEM_CATALOG_MANAGE)


def can_manage(actor: Actor) -> bool:
    """A department's own staff who edit its implementation list."""
    return actor.department_id is not None and actor.acts_for(Permission.ITEM_MANAGE, actor.department_id)


def require_items_staff(actor: Actor) -> None:
    """事项管理 is for the department's item managers and the platform; others are refused."""
    if not (is_platform(actor) or can_manage(actor)):
        actor.require(Permission.ITEM_MANAGE)


# ---------------------------------------------------------------- 事项管理: the list


@dataclass(frozen=True)
class ItemsFilters:
    """The list's filters as the page shows them ("" when not set)."""

    q: str = ""
    department_id: int | str = ""
    region_code: str = ""
    item_type: str = ""
    status: str = ""


@dataclass(frozen=True)
class ItemsList:
    rows: list[ImplementationSummary]
    total: int
    page: int
    pages: int
    f: dict[str, Any]
    platform: bool
    can_manage: bool
    department_name: str
    departments: list[tuple[int, str]]
    regions: list[tuple[str, str]]
    item_types: tuple[str, ...]
    statuses: dict[str, str]
    region_names: dict[str, str]
    in_review: int


def _summary(impl: Implementation) -> ImplementationSummary:
    b = impl.basic
    return ImplementationSummary(
        id=impl.id, code=b.code, name=b.name, item_type=b.item_type, department_name=impl.department.name,
        region_code=impl.region_code, level=impl.level, status=impl.status,
        status_label=STATUS_LABELS.get(impl.status, impl.status), published_version=impl.published_version,
        visits=impl.visits, online=impl.online, updated_at=impl.updated_at)


def _region_names(session: Session) -> dict[str, str]:
    return {code: name for code, name in session.execute(select(Region.code, Region.name))}


def items_list(session: Session, actor: Actor, filters: ItemsFilters, *, page: int = 1,
               size: int = PAGE_SIZE) -> ItemsList:
    """事项管理: the department's implementations in every state; the platform's: all, filtered by department,
    region, type and status."""
    require_items_staff(actor)
    platform = is_platform(actor)
    cond: list[Any] = []
    if platform:
        if filters.department_id:
            cond.append(Implementation.department_id == int(filters.department_id))
        if filters.region_code:
            cond.append(Implementation.region_code == filters.region_code)
    else:
        cond.append(Implementation.department_id == actor.department_id)
    if filters.status:
        cond.append(Implementation.status == filters.status)
    if filters.item_type:
        cond.append(BasicItem.item_type == filters.item_type)
    if filters.q:
        cond.append(or_(BasicItem.name.contains(filters.q), BasicItem.code == filters.q))
    base = select(Implementation).join(BasicItem, BasicItem.id == Implementation.basic_item_id).where(*cond)
    total = session.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    rows = session.execute(base.order_by(BasicItem.code, Implementation.id).offset((page - 1) * size)
                           .limit(size)).scalars().all()
    departments: list[tuple[int, str]] = []
    if platform:
        departments = [(i, n) for i, n in session.execute(
            select(Department.id, Department.name).where(Department.id.in_(
                select(Implementation.department_id).distinct())).order_by(Department.name))]
    names = _region_names(session)
    used_regions = session.execute(select(Implementation.region_code).distinct()).scalars().all()
    in_review = session.execute(select(func.count()).select_from(Implementation).where(
        Implementation.status == "review")).scalar_one() if actor.has(Permission.ITEM_REVIEW) else 0
    own = session.get(Department, actor.department_id) if actor.department_id else None
    return ItemsList(
        rows=[_summary(x) for x in rows], total=total, page=page, pages=max(1, -(-total // size)),
        f=dict(vars(filters)), platform=platform, can_manage=can_manage(actor),
        department_name=own.name if own else "", departments=departments,
        regions=sorted((c, names.get(c, c)) for c in used_regions), item_types=ITEM_TYPES,
        statuses=STATUS_LABELS, region_names=names, in_review=in_review)


# ---------------------------------------------------------------- an implementation's page


@dataclass(frozen=True)
class TrailEntry:
    occurred_at: dt.datetime
    actor_name: str
    action: str
    label: str
    note: str


@dataclass(frozen=True)
class VersionEntry:
    version: int
    change_note: str
    published_at: dt.datetime
    published_by: str


@dataclass(frozen=True)
class ImplementationPage:
    impl: ImplementationRead
    region_name: str
    source_labels: dict[str, str]
    editable: bool
    can_submit: bool
    can_review: bool
    can_retire: bool
    versions: list[VersionEntry]
    trail: list[TrailEntry]


def _visible(session: Session, actor: Actor, implementation_id: int) -> Implementation:
    require_items_staff(actor)
    impl = get_implementation(session, implementation_id)
    if not (is_platform(actor) or rules.can_see_working(actor, impl)):
        raise NotFound("未找到该实施清单事项。", code="implementation_not_found")
    return impl


def _trail_note(action: str, detail: dict[str, Any]) -> str:
    if action == "item.implementation_return":
        return "退回原因：" + str(detail.get("reason", ""))
    if action == "item.implementation_retire":
        return "停用原因：" + str(detail.get("reason", ""))
    if action == "item.implementation_approve":
        note = str(detail.get("note") or "")
        return f"发布为第 {detail.get('version')} 版" + (f"；审核意见：{note}" if note else "")
    if action == "item.implementation_update" and detail.get("note"):
        return "变更说明：" + str(detail["note"])
    return ""


def trail(session: Session, implementation_id: int) -> list[TrailEntry]:
    """The implementation's audit trail, newest first."""
    rows = session.execute(select(AuditEntry).where(
        AuditEntry.object_type == "implementation", AuditEntry.object_id == str(implementation_id),
        AuditEntry.action.like("item.%")).order_by(AuditEntry.seq.desc()).limit(200)).scalars()
    out: list[TrailEntry] = []
    for row in rows:
        try:
            detail = json.loads(row.detail or "{}")
        except ValueError:
            detail = {}
        out.append(TrailEntry(row.occurred_at, row.actor_name, row.action, ACTION_LABELS.get(row.action, row.action),
                              _trail_note(row.action, detail if isinstance(detail, dict) else {})))
    return out


def _versions(session: Session, implementation_id: int) -> list[VersionEntry]:
    rows = session.execute(select(ImplementationVersion, User.display_name).outerjoin(
        User, User.id == ImplementationVersion.published_by).where(
        ImplementationVersion.implementation_id == implementation_id)
        .order_by(ImplementationVersion.version.desc())).all()
    return [VersionEntry(v.version, v.change_note, v.published_at, name or "系统") for v, name in rows]


def implementation_page(session: Session, actor: Actor, implementation_id: int) -> ImplementationPage:
    """An implementation's working copy (all elements, materials with their source), what the caller may do
    with it, its published versions and its audit trail."""
    impl = _visible(session, actor, implementation_id)
    own = actor.acts_for(Permission.ITEM_MANAGE, impl.department_id)
    return ImplementationPage(
        impl=read(impl), region_name=_region_names(session).get(impl.region_code, impl.region_code),
        source_labels=SOURCE_LABELS,
        editable=own and impl.status in ("draft", "published"),
        can_submit=own and impl.status == "draft",
        can_review=actor.has(Permission.ITEM_REVIEW) and impl.status == "review",
        can_retire=own and impl.status != "retired" and impl.published_version > 0,
        versions=_versions(session, impl.id), trail=trail(session, impl.id))


@dataclass(frozen=True)
class VersionPage:
    impl: ImplementationRead
    snapshot: ImplementationRead
    version: VersionEntry
    source_labels: dict[str, str]


def version_page(session: Session, actor: Actor, implementation_id: int, version: int) -> VersionPage:
    """One published version of an implementation as it was published."""
    impl = _visible(session, actor, implementation_id)
    entry = next((v for v in _versions(session, impl.id) if v.version == version), None)
    row = session.execute(select(ImplementationVersion.snapshot).where(
        ImplementationVersion.implementation_id == impl.id, ImplementationVersion.version == version)
    ).scalar_one_or_none()
    if entry is None or row is None:
        raise NotFound("该实施清单没有这个版本。", code="version_not_found")
    return VersionPage(impl=read(impl), snapshot=ImplementationRead.model_validate(row), version=entry,
                       source_labels=SOURCE_LABELS)


# ---------------------------------------------------------------- the editor


@dataclass(frozen=True)
class ImplementationEditor:
    impl: ImplementationRead | None  # None: a new implementation
    basic_choices: list[tuple[str, str, str]]  # code, name, type of basic items the department has not implemented
    department_name: str
    sources: dict[str, str]
    form: dict[str, Any] = field(default_factory=dict)


def form_of(impl: ImplementationRead) -> dict[str, Any]:
    """The editor's fields of an implementation, as the form shows them."""
    return {
        "basic_code": impl.code, "legal_days": str(impl.legal_days), "promised_days": str(impl.promised_days),
        "fee": impl.fee, "fee_amount": "" if impl.fee_amount_fen is None else f"{impl.fee_amount_fen / 100:.2f}",
        "conditions": "\n".join(impl.conditions), "steps": "\n".join(impl.steps),
        "visits": str(impl.visits), "channels": "、".join(impl.channels),
        "service_objects": "、".join(impl.service_objects), "consult_phone": impl.consult_phone,
        "complaint_phone": impl.complaint_phone, "place": impl.place, "hours": impl.hours,
        "online": impl.online, "instant": impl.instant, "result_name": impl.result_name,
        "licence_type": impl.licence_type or "", "change_note": "",
        "materials": [{"name": m.name, "source": m.source, "ref": m.ref, "required": m.required, "note": m.note}
                      for m in impl.materials],
    }


def implementation_editor(session: Session, actor: Actor, implementation_id: int | None = None
                          ) -> ImplementationEditor:
    """编制 (no id) or 修改 an implementation: only the department's own item managers."""
    if implementation_id is None:
        if actor.department_id is None:
            actor.require(Permission.ITEM_MANAGE)
        rules.check_manage(actor, actor.department_id or 0)
        taken = select(Implementation.basic_item_id).where(Implementation.department_id == actor.department_id)
        choices = [(c, n, t) for c, n, t in session.execute(
            select(BasicItem.code, BasicItem.name, BasicItem.item_type).where(BasicItem.id.not_in(taken))
            .order_by(BasicItem.code))]
        own = session.get(Department, actor.department_id)
        return ImplementationEditor(impl=None, basic_choices=choices, department_name=own.name if own else "",
                                    sources=SOURCE_LABELS)
    impl = _visible(session, actor, implementation_id)
    rules.check_manage(actor, impl.department_id)
    current = read(impl)
    return ImplementationEditor(impl=current, basic_choices=[], department_name=impl.department.name,
                                sources=SOURCE_LABELS, form=form_of(current))


# ---------------------------------------------------------------- the platform's review queue and reports


@dataclass(frozen=True)
class ReviewQueue:
    rows: list[ImplementationSummary]
    region_names: dict[str, str]


def review_queue(session: Session, actor: Actor) -> ReviewQueue:
    """待审核: implementations the departments submitted, oldest submission first (platform)."""
    return ReviewQueue(rows=reads.review_queue(session, actor), region_names=_region_names(session))


@dataclass(frozen=True)
class DeviationsPage:
    regions: list[RegionDeviations]
    total: int


def deviations_page(session: Session, actor: Actor) -> DeviationsPage:
    """偏差报告: per region, the implementations that differ from their item's reference implementation."""
    report = reads.deviation_report(session, actor)
    return DeviationsPage(regions=report, total=sum(len(r.deviations) for r in report))


@dataclass(frozen=True)
class RegionOnceOnly:
    region_code: str
    region_name: str
    figures: OnceOnlyRead


@dataclass(frozen=True)
class OnceOnlyPage:
    city: OnceOnlyRead
    regions: list[RegionOnceOnly]
    region_of: dict[int, str]


def once_only_page(session: Session, actor: Actor) -> OnceOnlyPage:
    """“一次不用跑”: for the whole city, per region and per item, the share of counted materials no applicant
    uploads and the share of items needing zero visits (published versions only)."""
    actor.require(Permission.ITEM_REVIEW)
    facts = reads.live_facts(session)
    names = _region_names(session)
    by_region: dict[str, list[ImplFact]] = defaultdict(list)
    for fact in facts:
        by_region[fact.region_code].append(fact)
    issued = reads.issued_licence_types(session)
    return OnceOnlyPage(
        city=once_only(facts, issued),
        regions=[RegionOnceOnly(code, names.get(code, code), once_only(by_region[code], issued))
                 for code in sorted(by_region)],
        region_of={f.id: names.get(f.region_code, f.region_code) for f in facts})


# ---------------------------------------------------------------- import and export


@dataclass(frozen=True)
class ImportPage:
    platform: bool
    can_import: bool
    department_id: int | None
    department_name: str
    departments: list[tuple[int, str]]


def import_page(session: Session, actor: Actor) -> ImportPage:
    """导入导出: the department exports and imports its own list; the platform exports any department's."""
    require_items_staff(actor)
    platform = is_platform(actor)
    departments: list[tuple[int, str]] = []
    if platform:
        departments = [(i, n) for i, n in session.execute(
            select(Department.id, Department.name).where(Department.id.in_(
                select(Implementation.department_id).distinct())).order_by(Department.name))]
    own = session.get(Department, actor.department_id) if actor.department_id else None
    return ImportPage(platform=platform, can_import=can_manage(actor), department_id=actor.department_id,
                      department_name=own.name if own else "", departments=departments)


# ---------------------------------------------------------------- the platform: basic catalog, bundles, events


def require_catalog(actor: Actor) -> None:
    """基本目录、一件事和事项分类 are the platform's: departments are refused."""
    actor.require(Permission.ITEM_CATALOG_MANAGE)


def _impl_counts(session: Session) -> dict[int, int]:
    return {b: n for b, n in session.execute(select(Implementation.basic_item_id, func.count())
                                             .group_by(Implementation.basic_item_id))}


@dataclass(frozen=True)
class CatalogRow:
    code: str
    name: str
    item_type: str
    levels: list[str]
    high_frequency: bool
    implementations: int


@dataclass(frozen=True)
class CatalogPage:
    rows: list[CatalogRow]


def catalog_page(session: Session, actor: Actor) -> CatalogPage:
    """基本目录: every basic item with the number of implementations that carry its elements."""
    require_catalog(actor)
    counts = _impl_counts(session)
    rows = [CatalogRow(b.code, b.name, b.item_type, list(b.levels), b.high_frequency, counts.get(b.id, 0))
            for b in session.execute(select(BasicItem).order_by(BasicItem.code)).scalars()]
    return CatalogPage(rows=rows)


@dataclass(frozen=True)
class BasicItemEditor:
    code: str | None  # None: a new basic item
    implementations: int  # how many implementations a change reaches
    departments: list[str]  # the implementing departments' names
    item_types: tuple[str, ...]
    levels: tuple[str, ...]
    form: dict[str, Any] = field(default_factory=dict)


def basic_item_editor(session: Session, actor: Actor, code: str | None = None) -> BasicItemEditor:
    """新增 (no code) or 修改 a basic item; a change reaches every implementation (shown with their count)."""
    require_catalog(actor)
    if code is None:
        return BasicItemEditor(code=None, implementations=0, departments=[], item_types=ITEM_TYPES, levels=LEVELS,
                               form={"levels": ["市级"]})
    basic = session.execute(select(BasicItem).where(BasicItem.code == code)).scalar_one_or_none()
    if basic is None:
        raise NotFound(f"基本目录中没有事项编码为 {code} 的事项。", code="basic_item_not_found")
    departments = list(session.execute(select(Department.name).join(
        Implementation, Implementation.department_id == Department.id).where(
        Implementation.basic_item_id == basic.id).order_by(Department.name)).scalars())
    form = {"code": basic.code, "name": basic.name, "item_type": basic.item_type, "legal_basis": basic.legal_basis,
            "levels": list(basic.levels), "high_frequency": basic.high_frequency}
    return BasicItemEditor(code=basic.code, implementations=len(departments), departments=departments,
                           item_types=ITEM_TYPES, levels=LEVELS, form=form)


@dataclass(frozen=True)
class BundleRow:
    code: str
    name: str
    event: str
    audience: str
    lead_department_name: str
    members: int
    status: str
    status_label: str = ""
    versions: int = 0


@dataclass(frozen=True)
class BundlesPage:
    rows: list[BundleRow]
    audiences: dict[str, str]


AUDIENCES: dict[str, str] = {"person": "个人", "enterprise": "企业"}
EVENT_KIND_LABELS: dict[str, str] = {"life": "个人（人生事件）", "business": "企业（企业事件）"}


def bundles_page(session: Session, actor: Actor) -> BundlesPage:
    """一件事: every bundle with its lead department and number of members."""
    require_catalog(actor)
    rows = [BundleRow(b.code, b.name, b.event, b.audience, b.lead_department_name, b.members, b.status,
                      b.status_label, b.versions) for b in reads.manage_bundles(session, actor)]
    return BundlesPage(rows=rows, audiences=AUDIENCES)


def _shown_value(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return "" if value is None else str(value)


@dataclass(frozen=True)
class BundleEditor:
    code: str | None  # None: a new bundle
    departments: list[tuple[int, str]]
    basic_choices: list[tuple[str, str]]  # code, name
    audiences: dict[str, str]
    ops: tuple[str, ...]
    form: dict[str, Any] = field(default_factory=dict)
    status: str = ""  # "" for a new bundle
    status_label: str = ""
    versions: list[BundleVersionRead] = field(default_factory=list)
    joint_policies: dict[str, str] = field(default_factory=lambda: dict(JOINT_POLICIES))
    joint_policy_texts: dict[str, str] = field(default_factory=lambda: dict(JOINT_POLICY_TEXTS))


def bundle_editor(session: Session, actor: Actor, code: str | None = None) -> BundleEditor:
    """新建 (no code) or 修改 a bundle: members with their conditions, the lead department."""
    require_catalog(actor)
    departments = [(i, n) for i, n in session.execute(select(Department.id, Department.name).where(
        Department.status == "active").order_by(Department.name))]
    choices = [(c, n) for c, n in session.execute(select(BasicItem.code, BasicItem.name).order_by(BasicItem.code))]
    form: dict[str, Any] = {"audience": "person", "joint_policy": "any_refusal", "members": []}
    status = ""
    versions: list[BundleVersionRead] = []
    if code is not None:
        b = session.execute(select(Bundle).where(Bundle.code == code)).scalar_one_or_none()
        if b is None:
            raise NotFound("未找到该一件事。", code="bundle_not_found")
        form = {"code": b.code, "name": b.name, "event": b.event, "audience": b.audience,
                "lead_department_id": str(b.lead_department_id), "guide": b.guide, "joint_policy": b.joint_policy,
                "members": [{"code": m.basic.code, "field": m.condition_field or "", "op": m.condition_op or "==",
                             "value": _shown_value(m.condition_value), "label": m.condition_label}
                            for m in b.members]}
        status, versions = b.status, reads.bundle_versions(session, actor, code)
    return BundleEditor(code=code, departments=departments, basic_choices=choices, audiences=AUDIENCES,
                        ops=CONDITION_OPS, form=form, status=status,
                        status_label=BUNDLE_STATUS_LABELS.get(status, status), versions=versions)


@dataclass(frozen=True)
class EventRow:
    kind: str
    name: str
    position: int
    items: list[tuple[str, str]]  # code, name
    bundles: int = 0  # bundles naming this event

    @property
    def codes(self) -> str:
        return "\n".join(c for c, _ in self.items)


@dataclass(frozen=True)
class EventsEditor:
    events: list[EventRow]
    kinds: dict[str, str]
    basic_choices: list[tuple[str, str]]


def events_editor(session: Session, actor: Actor) -> EventsEditor:
    """事项分类: the life and business events and which basic items belong to each, in order."""
    require_catalog(actor)
    items: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for event_id, code, name in session.execute(
            select(ItemEventItem.event_id, BasicItem.code, BasicItem.name)
            .join(BasicItem, BasicItem.id == ItemEventItem.basic_item_id)
            .order_by(ItemEventItem.event_id, ItemEventItem.position)):
        items[event_id].append((code, name))
    bundles: dict[str, int] = dict(session.execute(select(Bundle.event, func.count()).group_by(Bundle.event)).all())
    events = [EventRow(e.kind, e.name, e.position, items[e.id], bundles.get(e.name, 0)) for e in session.execute(
        select(ItemEvent).order_by(ItemEvent.kind, ItemEvent.position, ItemEvent.id)).scalars()]
    choices = [(c, n) for c, n in session.execute(select(BasicItem.code, BasicItem.name).order_by(BasicItem.code))]
    return EventsEditor(events=events, kinds=EVENT_KIND_LABELS, basic_choices=choices)
