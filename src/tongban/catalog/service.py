"""Catalog use-cases: create, edit, publish, retire resources; browse, search, statistics."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Text, case, cast, func, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.sql.selectable import Subquery

from tongban.audit import service as audit
from tongban.authz import Actor, Permission
from tongban.catalog import hooks, search
from tongban.catalog import permissions as rules
from tongban.catalog.models import Classification, InformationItem, InformationResource, ResourceVersion
from tongban.catalog.schemas import (
    SHARE_TYPE_LABELS,
    CatalogStats,
    ClassificationCreate,
    DepartmentStats,
    FacetCount,
    ItemRead,
    ResourceIn,
    ResourceRead,
    ResourceSummary,
    SearchPage,
)
from tongban.clock import today
from tongban.db import utcnow
from tongban.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from tongban.org.models import Department
from tongban.search import engine as search_component
from tongban.search.engine import Outcome
from tongban.transactions import use_case

# ---------------------------------------------------------------- classification


def department_node(session: Session, department: Department) -> Classification:
    """The department's 项 under 部门信息资源 ("3"), created the first time it is needed."""
    node = session.execute(select(Classification).where(
        Classification.parent_code == "3", Classification.department_id == department.id)).scalar_one_or_none()
    if node is not None:
        return node
    last = session.execute(select(func.max(Classification.code)).where(Classification.parent_code == "3")).scalar()
    number = int(last[1:]) + 1 if last else 1
    node = Classification(code=f"3{number:03d}", name=department.name, level=2, parent_code="3",
                          department_id=department.id)
    session.add(node)
    session.flush()
    return node


def list_classifications(*, session: Session) -> Sequence[Classification]:
    return session.execute(select(Classification).order_by(Classification.code)).scalars().all()


def classification_counts(*, session: Session) -> dict[str, int]:
    """Published resources per classification node (leaf codes; callers roll them up the tree)."""
    r = InformationResource
    rows = session.execute(select(r.classification_code, func.count()).where(r.status == "published")
                           .group_by(r.classification_code)).all()
    return {code: int(n) for code, n in rows}


@use_case
def create_classification(*, session: Session, actor: Actor, classification_in: ClassificationCreate
                          ) -> Classification:
    """目/细目: admins anywhere; data officers under their own department's 项."""
    parent = session.get(Classification, classification_in.parent_code)
    if parent is None:
        raise ValidationFailed("上级分类不存在。", code="classification_unknown", detail={"field": "parent_code"})
    if parent.level >= 4:
        raise ValidationFailed("细目之下不能再分。", code="classification_too_deep")
    if parent.level < 2:
        raise ValidationFailed("类和项由国家标准规定，请在项之下增设目或细目。", code="classification_fixed")
    owner = parent
    while owner.level > 2 and owner.parent_code:
        owner = session.get(Classification, owner.parent_code) or owner
    if not actor.has(Permission.CATALOG_ADMIN) and (
            owner.department_id is None or not rules.can_edit(actor, owner.department_id)):
        raise Forbidden("部门数据管理员只能在本部门的目录项下增设目或细目。")
    last = session.execute(select(func.max(Classification.code)).where(
        Classification.parent_code == parent.code)).scalar()
    number = int(last[len(parent.code):]) + 1 if last else 1
    if number > 999:
        raise Conflict("该分类下的子分类已满 999 个。")
    node = Classification(code=f"{parent.code}{number:03d}", name=classification_in.name, level=parent.level + 1,
                          parent_code=parent.code, department_id=owner.department_id)
    session.add(node)
    audit.record(session, actor=actor, action="catalog.classification_create", object_type="classification",
                 object_id=node.code, detail={"name": node.name})
    return node


def _resolve_classification(session: Session, code: str, provider: Department) -> Classification:
    if code == "3":
        return department_node(session, provider)
    node = session.get(Classification, code)
    if node is None or node.level < 2:
        raise ValidationFailed(f"信息资源分类“{code}”不存在或不是可编目的项/目/细目。", code="classification_unknown",
                               detail={"field": "classification_code"})
    if code.startswith("3") and node.department_id not in (None, provider.id):
        raise ValidationFailed("部门信息资源只能编入提供部门自己的目录项。", code="classification_other_department",
                               detail={"field": "classification_code"})
    return node


def _check_themes(session: Session, themes: list[str]) -> list[str]:
    for code in themes:
        node = session.get(Classification, code)
        if node is None or not code.startswith("2") or node.level < 2:
            raise ValidationFailed(f"主题分类“{code}”不存在。", code="theme_unknown", detail={"field": "themes"})
    return list(dict.fromkeys(themes))


# ---------------------------------------------------------------- reading


def summary(resource: InformationResource) -> ResourceSummary:
    out = ResourceSummary.model_validate(resource)
    out.provider_name = resource.provider.name
    out.item_count = len(resource.items)
    return out


def read(resource: InformationResource) -> ResourceRead:
    data = summary(resource).model_dump()
    data.update(provider_code=resource.provider_code, format_type=resource.format_type,
                share_condition=resource.share_condition, no_share_reason=resource.no_share_reason,
                open_condition=resource.open_condition, related_codes=list(resource.related_codes or []),
                themes=list(resource.themes or []), data_on_platform=resource.data_on_platform,
                items=[ItemRead.model_validate(i) for i in resource.items], updated_at=resource.updated_at)
    return ResourceRead(**data)


def get_resource(*, session: Session, actor: Actor, resource_id: int | None = None, code: str | None = None
                 ) -> InformationResource:
    if resource_id is not None:
        resource = session.get(InformationResource, resource_id)
    else:
        resource = session.execute(select(InformationResource).where(InformationResource.code == code)
                                   ).scalar_one_or_none()
    if resource is None or not rules.can_see(actor, resource):
        raise NotFound("信息资源不存在，或您无权查看（非开放资源请登录后查看）。")
    return resource


def list_versions(*, session: Session, actor: Actor, resource_id: int) -> Sequence[ResourceVersion]:
    get_resource(session=session, actor=actor, resource_id=resource_id)
    return session.execute(select(ResourceVersion).where(ResourceVersion.resource_id == resource_id)
                           .order_by(ResourceVersion.version.desc())).scalars().all()


# ---------------------------------------------------------------- writing


def _apply(resource: InformationResource, data: ResourceIn) -> None:
    for field in ("name", "abstract", "format_type", "share_type", "share_condition", "no_share_reason",
                  "open_to_public", "open_condition", "update_cycle", "data_on_platform"):
        setattr(resource, field, getattr(data, field))
    if data.share_type != "conditional":
        resource.share_condition = ""
    if data.share_type != "none":
        resource.no_share_reason = ""
    if not data.open_to_public:
        resource.open_condition = ""
    resource.share_methods = list(data.share_methods)
    resource.related_codes = list(data.related_codes)
    existing = {i.key: i for i in resource.items}
    new_items: list[InformationItem] = []
    for pos, item_in in enumerate(data.items, start=1):
        item = existing.get(item_in.key) or InformationItem(key=item_in.key)
        for field in ("name", "data_type", "length", "required", "is_key", "sensitivity", "description"):
            setattr(item, field, getattr(item_in, field))
        item.position = pos
        new_items.append(item)
    resource.items[:] = new_items


def _reindex(session: Session, resource: InformationResource) -> None:
    session.flush()
    search.index_resources(session, [resource])


def _next_seq(session: Session, classification_code: str) -> int:
    last = session.execute(select(func.max(InformationResource.seq)).where(
        InformationResource.classification_code == classification_code)).scalar()
    return (last or 0) + 1


def _check_related(session: Session, codes: list[str], own_code: str | None) -> None:
    if not codes:
        return
    found = set(session.execute(select(InformationResource.code).where(InformationResource.code.in_(codes))).scalars())
    missing = [c for c in codes if c not in found or c == own_code]
    if missing:
        raise ValidationFailed("关联资源代码不存在：" + "、".join(missing) + "。", code="related_unknown",
                               detail={"field": "related_codes"})


def _provider_for(session: Session, actor: Actor, data: ResourceIn) -> Department:
    provider_id = data.provider_id if data.provider_id is not None else actor.department_id
    if provider_id is None:
        raise ValidationFailed("请指定提供部门。", code="provider_required", detail={"field": "provider_id"})
    rules.check_edit(actor, provider_id)
    provider = session.get(Department, provider_id)
    if provider is None:
        raise ValidationFailed("提供部门不存在。", code="provider_unknown", detail={"field": "provider_id"})
    return provider


def build_resource(session: Session, actor: Actor, data: ResourceIn) -> InformationResource:
    """A new draft with its code assigned; flushed, not committed."""
    return build_resources(session, actor, [data])[0]


def build_resources(session: Session, actor: Actor, datas: Sequence[ResourceIn]) -> list[InformationResource]:
    """New drafts with their codes assigned, in one flush and one index write (imports add thousands)."""
    providers: dict[int, Department] = {}
    nodes: dict[tuple[str, int], Classification] = {}
    next_seq: dict[str, int] = {}
    themes_ok: dict[tuple[str, ...], list[str]] = {}
    related = sorted({c for d in datas for c in d.related_codes})
    _check_related(session, related, None)
    resources: list[InformationResource] = []
    for data in datas:
        provider_id = data.provider_id if data.provider_id is not None else actor.department_id
        provider = providers.get(provider_id) if provider_id is not None else None
        if provider is None:
            provider = _provider_for(session, actor, data)
            providers[provider.id] = provider
        key = (data.classification_code, provider.id)
        node = nodes.get(key)
        if node is None:
            node = nodes[key] = _resolve_classification(session, data.classification_code, provider)
        if node.code not in next_seq:
            next_seq[node.code] = _next_seq(session, node.code)
        seq = next_seq[node.code]
        next_seq[node.code] = seq + 1
        theme_key = tuple(data.themes)
        if theme_key not in themes_ok:
            themes_ok[theme_key] = _check_themes(session, data.themes)
        resource = InformationResource(classification_code=node.code, seq=seq, code=f"{node.code}/{seq:06d}",
                                       provider_id=provider.id, provider_code=provider.uscc,
                                       themes=themes_ok[theme_key], status="draft", version=0,
                                       created_by=actor.id if actor.is_staff else None)
        resource.items = []
        _apply(resource, data)
        session.add(resource)
        resources.append(resource)
    session.flush()
    search.index_resources(session, resources)
    return resources


@use_case
def create_resource(*, session: Session, actor: Actor, resource_in: ResourceIn) -> InformationResource:
    """编目: a new resource starts as a draft that only its department sees."""
    if not actor.has(Permission.CATALOG_ADMIN):
        actor.require(Permission.CATALOG_EDIT)
    try:
        resource = build_resource(session, actor, resource_in)
    except IntegrityError:  # the use-case's scope rolls the flush back
        raise Conflict("编目冲突（同时有人在同一分类下编目），请重试。", code="catalog_race") from None
    audit.record(session, actor=actor, action="catalog.create", object_type="resource", object_id=resource.code,
                 detail={"name": resource.name, "items": len(resource.items)})
    return resource


def _snapshot(resource: InformationResource) -> dict[str, Any]:
    return read(resource).model_dump(mode="json", exclude={"updated_at"})


def blocking_use(session: Session, resource: InformationResource, removed_keys: set[str]) -> list[str]:
    """What still uses `removed_keys` (or the resource, if the set is empty): active grants, open requests …
    as the domains above the catalog register them (catalog/hooks.py)."""
    return hooks.blocking_use(session, resource, removed_keys)


def apply_changes(session: Session, actor: Actor, resource: InformationResource, data: ResourceIn, *,
                  default_note: str) -> None:
    """Write an edit into a resource (no checks of rights or usage, no commit): a new classification for
    drafts, the fields and items, and for a published resource a new version with its snapshot."""
    if not same_classification(data.classification_code, resource.classification_code):
        node = _resolve_classification(session, data.classification_code, resource.provider)
        resource.classification_code = node.code
        resource.seq = _next_seq(session, node.code)
        resource.code = f"{node.code}/{resource.seq:06d}"
    resource.themes = _check_themes(session, data.themes)
    _check_related(session, data.related_codes, resource.code)
    _apply(resource, data)
    resource.updated_at = utcnow()
    if resource.status == "published":
        resource.version += 1
        session.flush()
        session.add(ResourceVersion(resource_id=resource.id, version=resource.version, snapshot=_snapshot(resource),
                                    change_note=data.change_note or default_note, published_by=actor.id))
    _reindex(session, resource)


def mark_published(session: Session, actor: Actor | None, resource: InformationResource, *, note: str,
                   on: dt.date | None = None) -> None:
    """A flushed draft becomes version 1 with its snapshot (no commit; callers audit)."""
    resource.status = "published"
    resource.version = 1
    resource.published_on = on or today()
    session.add(ResourceVersion(resource_id=resource.id, version=1, snapshot=_snapshot(resource), change_note=note,
                                published_by=actor.id if actor is not None and actor.is_staff else None))


def same_classification(wanted: str, current: str) -> bool:
    """“3” asks for the provider's own 部门 项, which a resource already in it satisfies."""
    return wanted == current or (wanted == "3" and current.startswith("3") and len(current) == 4)


@use_case
def update_resource(*, session: Session, actor: Actor, resource_id: int, resource_in: ResourceIn
                    ) -> InformationResource:
    """Edit a draft freely; an edit of a published resource is a new published version."""
    resource = get_resource(session=session, actor=actor, resource_id=resource_id)
    rules.check_edit(actor, resource.provider_id)
    if resource.status == "retired":
        raise InvalidTransition("已下架的资源不能修改。", code="resource_retired")
    if resource_in.provider_id is not None and resource_in.provider_id != resource.provider_id:
        raise ValidationFailed("资源的提供部门不能更改。", code="provider_fixed", detail={"field": "provider_id"})
    if resource.status != "draft" and not same_classification(resource_in.classification_code,
                                                              resource.classification_code):
        raise InvalidTransition(
            "信息资源代码发布后不再改变，已发布资源不能调整分类；如确需调整，请下架后重新编目。",
            code="classification_fixed", detail={"field": "classification_code"})
    removed = {i.key for i in resource.items} - {i.key for i in resource_in.items}
    if resource.status == "published" and removed:
        blocking = blocking_use(session, resource, removed)
        if blocking:
            raise Conflict("被删除的信息项仍在使用（" + "、".join(blocking) + "），请先与使用部门协商撤销授权。",
                           code="items_in_use", detail={"items": sorted(removed)})
    before = resource.version
    apply_changes(session, actor, resource, resource_in, default_note="更新")
    audit.record(session, actor=actor, action="catalog.update", object_type="resource", object_id=resource.code,
                 detail={"from_version": before, "to_version": resource.version, "removed_items": sorted(removed),
                         "note": resource_in.change_note})
    return resource


@use_case
def publish_resource(*, session: Session, actor: Actor, resource_id: int, note: str = "") -> InformationResource:
    """发布: the draft becomes version 1 and visible to every department (and the public if open)."""
    resource = get_resource(session=session, actor=actor, resource_id=resource_id)
    rules.check_edit(actor, resource.provider_id)
    if resource.status != "draft":
        raise InvalidTransition("只有草稿可以发布。", code="not_draft")
    session.flush()
    mark_published(session, actor, resource, note=note or "首次发布")
    audit.record(session, actor=actor, action="catalog.publish", object_type="resource", object_id=resource.code,
                 detail={"name": resource.name})
    return resource


@use_case
def retire_resource(*, session: Session, actor: Actor, resource_id: int, reason: str) -> InformationResource:
    """下架: only when no grant or open request still depends on it."""
    resource = get_resource(session=session, actor=actor, resource_id=resource_id)
    rules.check_edit(actor, resource.provider_id)
    if resource.status != "published":
        raise InvalidTransition("只有已发布的资源可以下架。", code="not_published")
    blocking = blocking_use(session, resource, set())
    if blocking:
        raise Conflict("该资源仍有" + "、".join(blocking) + "，请先与使用部门协商处理后再下架。",
                       code="resource_in_use")
    resource.status = "retired"
    audit.record(session, actor=actor, action="catalog.retire", object_type="resource", object_id=resource.code,
                 detail={"reason": reason})
    return resource


@use_case
def delete_draft(*, session: Session, actor: Actor, resource_id: int) -> None:
    resource = get_resource(session=session, actor=actor, resource_id=resource_id)
    rules.check_edit(actor, resource.provider_id)
    if resource.status != "draft":
        raise InvalidTransition("已发布的资源不能删除，只能下架。", code="not_draft")
    code = resource.code
    search.remove(session, resource.id)
    session.delete(resource)
    audit.record(session, actor=actor, action="catalog.delete_draft", object_type="resource", object_id=code)


# ---------------------------------------------------------------- browse, search, statistics


def browse(*, session: Session, actor: Actor, q: str | None = None, classification: str | None = None,
           provider_id: int | None = None, share_type: str | None = None, open_only: bool = False,
           status: str | None = None, page: int = 1, size: int = 20) -> SearchPage:
    """Catalog home: full-text search ranked by relevance, narrowed by facets, with facet counts.

    One narrow query fetches every matching resource's facet columns (a city has a few thousand
    entries); facets, filters, ordering and paging are then done in memory, and only the page's
    rows are loaded. Facet counts describe the matches before the facet filters are applied.
    """
    r = InformationResource
    conditions = [rules.visibility(actor)]
    if status:
        conditions.append(r.status == status)
    elif not actor.has(Permission.CATALOG_READ):
        conditions.append(r.status == "published")
    cols = [r.id, r.share_type, r.classification_code, r.provider_id, r.open_to_public, r.seq,
            cast(r.themes, Text)]
    outcome: Outcome[Any] | None = None
    if q and q.strip():
        def fetch(sub: Subquery) -> list[Any]:
            return list(session.execute(select(*cols, sub.c.score).join(sub, sub.c.doc_id == r.id)
                                        .where(*conditions)).all())
        outcome = search_component.run(session, search.KIND, q, fetch)
        matches: list[Any] = outcome.rows
    else:
        matches = list(session.execute(select(*cols, literal(0.0)).where(*conditions)).all())
    hits = outcome
    facets = _facets(session, matches)

    def keep(row: Any) -> bool:
        if classification and not (row[2].startswith(classification) or f'"{classification}' in (row[6] or "")):
            return False
        if provider_id and row[3] != provider_id:
            return False
        if share_type and row[1] != share_type:
            return False
        return not (open_only and not row[4])

    selected = [m for m in matches if keep(m)]
    if hits is not None:
        selected.sort(key=lambda m: (-float(m[7]), m[0]))
    else:
        selected.sort(key=lambda m: (m[2], m[5]))
    ids = [m[0] for m in selected[(page - 1) * size: page * size]]
    # The page's rows with their item counts in one statement (one round trip less per search on PostgreSQL).
    item_count = (select(func.count(InformationItem.id)).where(InformationItem.resource_id == r.id)
                  .correlate(r).scalar_subquery())
    loaded = session.execute(select(r, item_count).where(r.id.in_(ids)).options(lazyload(r.items))).all() if ids else []
    rows = {x.id: x for x, _ in loaded}
    counts = {x.id: n for x, n in loaded}
    items = []
    for i in ids:
        if i in rows:
            out = ResourceSummary.model_validate(rows[i], from_attributes=True)
            out.provider_name = rows[i].provider.name
            out.item_count = int(counts.get(i, 0))
            items.append(out)
    if outcome is None:
        return SearchPage(items=items, total=len(selected), page=page, size=size, facets=facets)
    for out in items:
        out.highlights = {"name": outcome.spans(out.name), "abstract": outcome.spans(out.abstract)}
    return SearchPage(items=items, total=len(selected), page=page, size=size, facets=facets,
                      suggestion=outcome.suggestion, fallback=outcome.fallback, expanded=outcome.expanded)


def _facets(session: Session, matches: Sequence[Any]) -> dict[str, list[FacetCount]]:
    share: dict[str, int] = {}
    classes: dict[str, int] = {}
    providers: dict[int, int] = {}
    opened = 0
    for m in matches:
        share[m[1]] = share.get(m[1], 0) + 1
        top = "3" if m[2].startswith("3") else m[2][:3]
        classes[top] = classes.get(top, 0) + 1
        providers[m[3]] = providers.get(m[3], 0) + 1
        opened += 1 if m[4] else 0
    top_providers = sorted(providers.items(), key=lambda kv: (-kv[1], kv[0]))[:30]
    names = _classification_names(session)
    dept_names = dict(session.execute(select(Department.id, Department.short_name).where(
        Department.id.in_([p for p, _ in top_providers]))).all()) if top_providers else {}
    return {
        "share_type": [FacetCount(value=k, label=SHARE_TYPE_LABELS.get(k, k), count=n)
                       for k, n in sorted(share.items(), key=lambda kv: list(SHARE_TYPE_LABELS).index(kv[0])
                                          if kv[0] in SHARE_TYPE_LABELS else 9)],
        "classification": [FacetCount(value=c, label="部门信息资源" if c == "3" else names.get(c, c), count=n)
                           for c, n in sorted(classes.items())],
        "provider": [FacetCount(value=str(p), label=dept_names.get(p, str(p)), count=n) for p, n in top_providers],
        "open": [FacetCount(value="1", label="向社会开放", count=opened)],
    }


_names_cache: dict[str, str] = {}


def _classification_names(session: Session) -> dict[str, str]:
    """Names of the national 类 and 项 (fixed by the standard, so cached for the process)."""
    if not _names_cache:
        _names_cache.update(dict(session.execute(select(Classification.code, Classification.name).where(
            Classification.level <= 2, ~Classification.code.startswith("3"))).all()))
    return _names_cache


def statistics(*, session: Session, actor: Actor) -> CatalogStats:
    """Figures per department and per sharing type, as cities publish them (published resources)."""
    r = InformationResource
    item_counts = (select(InformationItem.resource_id, func.count().label("n"))
                   .group_by(InformationItem.resource_id).subquery())
    cond = [r.status == "published"]
    if not actor.has(Permission.CATALOG_READ):
        cond.append(r.open_to_public.is_(True))
    rows = session.execute(
        select(r.provider_id, Department.name, func.count(r.id), func.coalesce(func.sum(item_counts.c.n), 0),
               func.sum(case((r.share_type == "unconditional", 1), else_=0)),
               func.sum(case((r.share_type == "conditional", 1), else_=0)),
               func.sum(case((r.share_type == "none", 1), else_=0)),
               func.sum(case((r.open_to_public.is_(True), 1), else_=0)))
        .join(Department, Department.id == r.provider_id)
        .outerjoin(item_counts, item_counts.c.resource_id == r.id)
        .where(*cond).group_by(r.provider_id, Department.name).order_by(func.count(r.id).desc())
    ).all()
    depts = [DepartmentStats(department_id=p, department_name=n, resources=c, items=int(i), unconditional=int(u or 0),
                             conditional=int(k or 0), none=int(x or 0), open=int(o or 0))
             for p, n, c, i, u, k, x, o in rows]
    return CatalogStats(resources=sum(d.resources for d in depts), items=sum(d.items for d in depts),
                        unconditional=sum(d.unconditional for d in depts),
                        conditional=sum(d.conditional for d in depts), none=sum(d.none for d in depts),
                        open=sum(d.open for d in depts), departments=depts)
