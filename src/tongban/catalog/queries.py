"""Read models of the catalog's pages: one function per page, each returning everything its template needs.

The object rules stay where they are (catalog.permissions, service.get_resource); these functions call
them and turn their answers into flags (`editable`, `can_request`, `can_add` …) that decide which forms a
page shows. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session

from tongban.authz import Actor, Permission
from tongban.catalog import permissions as rules
from tongban.catalog import service
from tongban.catalog.models import Classification, InformationResource, ResourceVersion
from tongban.catalog.schemas import SHARE_TYPE_LABELS, CatalogStats, FacetCount, ResourceRead, SearchPage
from tongban.errors import NotFound
from tongban.org import repository as org_repo
from tongban.search import text as search_text

CLASS_ROOTS = {"1": "基础信息资源", "2": "主题信息资源", "3": "部门信息资源"}
ITEM_FIELDS = ("name", "key", "data_type", "length", "required", "is_key", "sensitivity", "description")
STAT_COLUMNS = {"department_name": "部门", "resources": "资源数", "items": "信息项", "unconditional": "无条件共享",
                "conditional": "有条件共享", "none": "不予共享", "open": "向社会开放"}


def is_editor(actor: Actor) -> bool:
    """May catalogue at all (in some department): shows 编目 links and the classification form."""
    return actor.has(Permission.CATALOG_EDIT) or actor.has(Permission.CATALOG_ADMIN)


def require_editor(actor: Actor) -> None:
    if not actor.has(Permission.CATALOG_ADMIN):
        actor.require(Permission.CATALOG_EDIT)


# ---------------------------------------------------------------- classification paths


def _by_code(nodes: Sequence[Classification]) -> dict[str, Classification]:
    return {n.code: n for n in nodes}


def _path(code: str, nodes: dict[str, Classification]) -> list[Classification]:
    chain: list[Classification] = []
    node = nodes.get(code)
    while node is not None:
        chain.append(node)
        node = nodes.get(node.parent_code) if node.parent_code else None
    return chain[::-1]


def _path_name(code: str, nodes: dict[str, Classification]) -> str:
    return " › ".join(n.name for n in _path(code, nodes)) or code


# ---------------------------------------------------------------- 目录首页


@dataclass(frozen=True)
class CatalogFilters:
    """The home page's filters as the page shows them ("" when not set)."""

    q: str = ""
    classification: str = ""
    provider_id: int | str = ""
    share_type: str = ""
    open_only: str = ""


@dataclass(frozen=True)
class CatalogHome:
    result: SearchPage
    f: dict[str, Any]
    page: int
    pages: int
    class_facets: list[dict[str, Any]]
    provider_facets: list[FacetCount]
    provider_label: str
    share_facets: list[FacetCount]
    open_count: int
    class_label: str
    is_staff: bool
    is_editor: bool
    #: Per resource id: its name and abstract (cut to 110 characters) with the search's matches marked.
    marked: dict[int, tuple[Markup, Markup]] = field(default_factory=dict)


def _classification_facets(facets: list[FacetCount]) -> list[dict[str, Any]]:
    """基础 / 主题 / 部门 with their 项 (department 项 are summed: there may be a hundred of them)."""
    groups: dict[str, dict[str, Any]] = {k: {"value": k, "label": v, "count": 0, "children": []}
                                         for k, v in CLASS_ROOTS.items()}
    for facet in facets:
        group = groups.get(facet.value[:1])
        if group is None:
            continue
        group["count"] += facet.count
        if facet.value != "3":
            group["children"].append(facet)
    return [g for g in groups.values() if g["count"]]


def _facet_label(value: str, facets: list[FacetCount]) -> str:
    if not value:
        return ""
    if value in CLASS_ROOTS:
        return CLASS_ROOTS[value]
    return next((f.label for f in facets if f.value == value), value)


def catalog_home(session: Session, actor: Actor, filters: CatalogFilters, page: int, size: int) -> CatalogHome:
    """目录首页: the visible resources matching the filters, one page of them, and the facet counts."""
    result = service.browse(session=session, actor=actor, q=filters.q or None,
                            classification=filters.classification or None,
                            provider_id=int(filters.provider_id) if filters.provider_id else None,
                            share_type=filters.share_type or None, open_only=bool(filters.open_only),
                            page=page, size=size)
    provider_facets = result.facets.get("provider", [])
    class_facets = result.facets.get("classification", [])
    return CatalogHome(
        result=result, f=dict(vars(filters)), page=page, pages=max(1, -(-result.total // size)),
        class_facets=_classification_facets(class_facets), provider_facets=provider_facets,
        provider_label=next((p.label for p in provider_facets if p.value == str(filters.provider_id)), ""),
        share_facets=result.facets.get("share_type", []),
        open_count=sum(x.count for x in result.facets.get("open", [])),
        class_label=_facet_label(filters.classification, class_facets),
        is_staff=actor.has(Permission.CATALOG_READ), is_editor=is_editor(actor),
        marked={r.id: (search_text.marked(r.name, r.highlights.get("name", [])),
                       search_text.marked(r.abstract, r.highlights.get("abstract", []), limit=110))
                for r in result.items})


# ---------------------------------------------------------------- 资源详情 and versions


@dataclass(frozen=True)
class ResourceDetail:
    r: ResourceRead
    resource: InformationResource
    versions: Sequence[ResourceVersion]
    class_path: str
    theme_names: dict[str, str]
    #: The provider's data officers (and catalog admins) see 修改/发布/下架/删除.
    editable: bool
    #: Another department's staff may apply for a published, shareable resource.
    can_request: bool
    snapshot: None = None


def resource_detail(session: Session, actor: Actor, resource_id: int) -> ResourceDetail:
    """资源详情: the resource if the actor may see it (NotFound otherwise), its versions and what they may do."""
    resource = service.get_resource(session=session, actor=actor, resource_id=resource_id)
    # list_versions re-checks visibility; the resource is already in the session, so this is one cheap query.
    versions = service.list_versions(session=session, actor=actor, resource_id=resource_id)
    nodes = _by_code(service.list_classifications(session=session))
    can_request = (actor.has(Permission.SHARING_REQUEST) and resource.status == "published"
                   and resource.share_type != "none" and resource.provider_id != actor.department_id)
    return ResourceDetail(
        r=service.read(resource), resource=resource, versions=versions,
        class_path=_path_name(resource.classification_code, nodes),
        theme_names={c: _path_name(c, nodes) for c in resource.themes or []},
        editable=rules.can_edit(actor, resource.provider_id), can_request=can_request)


@dataclass(frozen=True)
class ResourceVersionPage:
    r: ResourceRead
    v: ResourceVersion
    versions: Sequence[ResourceVersion]
    resource_id: int
    class_path: str
    theme_names: dict[str, str]


def resource_version(session: Session, actor: Actor, resource_id: int, version: int) -> ResourceVersionPage:
    """One published version of a resource as it was then."""
    versions = service.list_versions(session=session, actor=actor, resource_id=resource_id)
    found = next((v for v in versions if v.version == version), None)
    if found is None:
        raise NotFound(f"该资源没有第 {version} 版。")
    snapshot = ResourceRead.model_validate({**found.snapshot, "updated_at": found.published_at})
    nodes = _by_code(service.list_classifications(session=session))
    return ResourceVersionPage(r=snapshot, v=found, versions=versions, resource_id=resource_id,
                               class_path=_path_name(snapshot.classification_code, nodes),
                               theme_names={c: _path_name(c, nodes) for c in snapshot.themes})


# ---------------------------------------------------------------- editor: 编目 and 修改


def blank_row() -> dict[str, Any]:
    return {"name": "", "key": "", "data_type": "string", "length": "", "required": False, "is_key": False,
            "sensitivity": "internal", "description": ""}


@dataclass(frozen=True)
class ResourceEditor:
    #: The editor's fields: the resource's (or the defaults of a new one) until the user posts the form.
    form: dict[str, Any]
    rows: list[dict[str, Any]]
    resource: InformationResource | None
    class_groups: list[tuple[str, list[tuple[str, str]]]]
    themes: list[tuple[str, str]]
    #: Offered only to catalog admins creating a resource (others catalogue for their own department).
    departments: list[Any]
    blank_row: dict[str, Any]
    class_path: str
    #: A retired resource is shown but cannot be saved.
    error: str | None = None
    errors: dict[str, str] = field(default_factory=dict)
    row_errors: dict[int, dict[str, str]] = field(default_factory=dict)


def _class_options(nodes: Sequence[Classification], actor: Actor) -> list[tuple[str, list[tuple[str, str]]]]:
    """Classification choices grouped by 类; other departments' 项 only for platform admins."""
    by_code = _by_code(nodes)
    admin = actor.has(Permission.CATALOG_ADMIN)
    groups: dict[str, list[tuple[str, str]]] = {k: [] for k in CLASS_ROOTS}
    groups["3"].append(("3", "3 部门信息资源（本部门目录）"))
    for n in nodes:
        if n.level < 2 or n.code[:1] not in groups:
            continue
        if n.code.startswith("3") and not admin and n.department_id != actor.department_id:
            continue
        groups[n.code[:1]].append((n.code, f"{n.code} {_path_name(n.code, by_code)}"))
    return [(f"{k} {CLASS_ROOTS[k]}", opts) for k, opts in groups.items()]


def _form_of(resource: InformationResource) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    form = {f: getattr(resource, f) for f in ("name", "abstract", "format_type", "share_type", "share_condition",
                                              "no_share_reason", "open_condition", "update_cycle",
                                              "open_to_public", "data_on_platform")}
    form.update(classification_code=resource.classification_code, share_methods=list(resource.share_methods or []),
                themes=list(resource.themes or []), related_codes="、".join(resource.related_codes or []),
                provider_id=resource.provider_id, change_note="")
    rows = [{f: ("" if getattr(i, f) is None else getattr(i, f)) for f in ITEM_FIELDS} for i in resource.items]
    return form, rows


def resource_editor(session: Session, actor: Actor, resource_id: int | None = None) -> ResourceEditor:
    """编目 (no id: a new resource, for the actor's department) or 修改 (the provider's editors only)."""
    resource: InformationResource | None = None
    if resource_id is None:
        require_editor(actor)
        form: dict[str, Any] = {"share_type": "conditional", "share_methods": ["interface"], "format_type": "数据库",
                                "update_cycle": "每日", "provider_id": actor.department_id,
                                "classification_code": "3"}
        rows = [blank_row()]
    else:
        resource = service.get_resource(session=session, actor=actor, resource_id=resource_id)
        rules.check_edit(actor, resource.provider_id)
        form, rows = _form_of(resource)
    nodes = service.list_classifications(session=session)
    admin = actor.has(Permission.CATALOG_ADMIN)
    departments = list(org_repo.list_departments(session, limit=1000)[0]) if admin and resource is None else []
    return ResourceEditor(
        form=form, rows=rows or [blank_row()], resource=resource, class_groups=_class_options(nodes, actor),
        themes=[(n.code, n.name) for n in nodes if n.code.startswith("2") and n.level >= 2],
        departments=departments, blank_row=blank_row(),
        class_path=_path_name(resource.classification_code, _by_code(nodes)) if resource else "",
        error="已下架的资源不能修改。" if resource is not None and resource.status == "retired" else None)


# ---------------------------------------------------------------- 统计


@dataclass(frozen=True)
class CatalogStatsPage:
    stats: CatalogStats
    rows: list[Any]
    sort: str
    columns: dict[str, str]
    shares: list[dict[str, Any]]
    open_pct: float
    is_staff: bool


def catalog_stats(session: Session, actor: Actor, sort: str) -> CatalogStatsPage:
    """统计: published resources per department (open ones only for the public), sorted by a column."""
    stats = service.statistics(session=session, actor=actor)
    sort = sort if sort in STAT_COLUMNS else "resources"
    if sort == "department_name":
        rows = sorted(stats.departments, key=lambda d: d.department_name)
    else:  # largest first, ties by name
        rows = sorted(stats.departments, key=lambda d: (-getattr(d, sort), d.department_name))
    total = stats.resources or 1
    shares = []
    offset = 0.0
    for key in ("unconditional", "conditional", "none"):
        pct = round(getattr(stats, key) * 100 / total, 1) if stats.resources else 0.0
        shares.append({"key": key, "label": SHARE_TYPE_LABELS[key], "count": getattr(stats, key), "pct": pct,
                       "x": offset})
        offset += pct
    open_pct = round(stats.open * 100 / total, 1) if stats.resources else 0.0
    return CatalogStatsPage(stats=stats, rows=rows, sort=sort, columns=STAT_COLUMNS, shares=shares,
                            open_pct=open_pct, is_staff=actor.has(Permission.CATALOG_READ))


# ---------------------------------------------------------------- 分类


@dataclass(frozen=True)
class ClassificationsPage:
    tree: list[dict[str, Any]]
    #: The nodes under which the actor may add a 目/细目 (admins: any 项/目; officers: their department's).
    parents: list[tuple[str, str]]
    can_add: bool
    form: dict[str, str] = field(default_factory=dict)


def _tree(nodes: Sequence[Classification], counts: dict[str, int]) -> list[dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {n.code: {"node": n, "count": 0, "children": []} for n in nodes}
    by_code = _by_code(nodes)
    for code, count in counts.items():
        for node in _path(code, by_code):
            entries[node.code]["count"] += count
    roots: list[dict[str, Any]] = []
    for node in nodes:
        parent = entries.get(node.parent_code) if node.parent_code else None
        (parent["children"] if parent else roots).append(entries[node.code])
    return roots


def classifications(session: Session, actor: Actor) -> ClassificationsPage:
    """分类: the classification tree with published counts (staff only), and where the actor may add nodes."""
    actor.require(Permission.CATALOG_READ)
    nodes = service.list_classifications(session=session)
    by_code = _by_code(nodes)
    admin = actor.has(Permission.CATALOG_ADMIN)
    parents = [(n.code, f"{n.code} {_path_name(n.code, by_code)}") for n in nodes if n.level in (2, 3) and (
        admin or (n.department_id is not None and n.code.startswith("3") and rules.can_edit(actor, n.department_id)))]
    return ClassificationsPage(tree=_tree(nodes, service.classification_counts(session=session)), parents=parents,
                               can_add=is_editor(actor))


# ---------------------------------------------------------------- 导入导出


@dataclass(frozen=True)
class CatalogImport:
    #: The department whose catalog the page offers to export (none for platform-wide editors).
    department_id: int | None
    report: None = None


def catalog_import(actor: Actor) -> CatalogImport:
    """导入导出: editors only; the page itself shows no data until a file is uploaded."""
    if not is_editor(actor):
        actor.require(Permission.CATALOG_EDIT)
    return CatalogImport(department_id=actor.department_id)
