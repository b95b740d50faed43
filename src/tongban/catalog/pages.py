"""Server-rendered pages of the catalog: browse and search, resource detail, editor, statistics, classification."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from tongban.authz import Actor, Permission
from tongban.catalog import permissions as rules
from tongban.catalog import service
from tongban.catalog.models import Classification, InformationResource
from tongban.catalog.schemas import (
    DATA_TYPE_LABELS,
    FORMAT_TYPES,
    SENSITIVITY_LABELS,
    SHARE_METHOD_LABELS,
    SHARE_TYPE_LABELS,
    UPDATE_CYCLES,
    ClassificationCreate,
    ResourceIn,
    ResourceRead,
    RetireIn,
)
from tongban.catalog.schemas import STATUS_LABELS as RESOURCE_STATUS
from tongban.deps import CurrentActor, DbSession, OptionalActor, public_router, secure_router
from tongban.errors import DomainError, Forbidden, NotFound, translate_validation_errors
from tongban.org import repository as org_repo
from tongban.web.templating import render

public = public_router(include_in_schema=False)
router = secure_router(include_in_schema=False)

PAGE_SIZE = 20
CLASS_ROOTS = {"1": "基础信息资源", "2": "主题信息资源", "3": "部门信息资源"}
LEVEL_LABELS = {1: "类", 2: "项", 3: "目", 4: "细目"}
LABELS: dict[str, Any] = {
    "data_types": DATA_TYPE_LABELS, "sensitivity": SENSITIVITY_LABELS, "share_types": SHARE_TYPE_LABELS,
    "share_methods": SHARE_METHOD_LABELS, "status": RESOURCE_STATUS, "formats": FORMAT_TYPES,
    "cycles": UPDATE_CYCLES, "levels": LEVEL_LABELS,
}
# Chinese names of the editor's fields, so that an error names what the user sees on the form.
FIELD_NAMES = {
    "classification_code": "信息资源分类", "name": "信息资源名称", "abstract": "信息资源摘要",
    "format_type": "信息资源格式", "share_type": "共享类型", "share_condition": "共享条件",
    "no_share_reason": "不予共享依据", "share_methods": "共享方式", "open_condition": "开放条件",
    "update_cycle": "更新周期", "related_codes": "关联资源代码", "themes": "主题", "provider_id": "提供部门",
    "change_note": "变更说明", "items": "信息项", "open_to_public": "开放属性", "data_on_platform": "数据汇聚",
}
ITEM_FIELD_NAMES = {"name": "名称", "key": "机器标识", "data_type": "数据类型", "length": "长度",
                    "required": "必填", "is_key": "主键", "sensitivity": "敏感级别", "description": "说明"}
ITEM_FIELDS = tuple(ITEM_FIELD_NAMES)
TEXT_FIELDS = ("classification_code", "name", "abstract", "format_type", "share_type", "share_condition",
               "no_share_reason", "open_condition", "update_cycle", "related_codes", "provider_id", "change_note")
_ITEM_FIELD = re.compile(r"^item-(\d{1,4})-([a-z_]+)$")
_CODE_SPLIT = re.compile(r"[、,，;；\s]+")


def _page(request: Request, template: str, ctx: dict[str, Any], *, status_code: int = 200) -> HTMLResponse:
    ctx.setdefault("notice", request.query_params.get("notice"))
    return render(request, template, {"L": LABELS, **ctx}, status_code=status_code)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _is_editor(actor: Actor) -> bool:
    return actor.has(Permission.CATALOG_EDIT) or actor.has(Permission.CATALOG_ADMIN)


def _reraise_access(exc: DomainError) -> None:
    """Refusals and unknown objects go to the error page (and the denial audit), not back into the form."""
    if isinstance(exc, Forbidden | NotFound):
        raise exc


# ---------------------------------------------------------------- classification helpers


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


# ---------------------------------------------------------------- 目录首页: browse and search


def _filters(q: str | None, classification: str | None, provider_id: str | None, share_type: str | None,
             open_only: str | None) -> dict[str, Any]:
    return {
        "q": (q or "").strip()[:100],
        "classification": classification if classification and re.fullmatch(r"\d{1,16}", classification) else "",
        "provider_id": _int(provider_id) or "",
        "share_type": share_type if share_type in SHARE_TYPE_LABELS else "",
        "open_only": "1" if open_only in ("1", "true", "on") else "",
    }


def _url(filters: dict[str, Any], **changes: Any) -> str:
    params = {**filters, "page": "", **changes}
    if params["page"] == 1:
        params["page"] = ""
    query = urlencode({k: v for k, v in params.items() if v not in ("", None)})
    return "/catalog" + (f"?{query}" if query else "")


def _classification_facets(facets: list[Any]) -> list[dict[str, Any]]:
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


@public.get("/catalog", response_class=HTMLResponse)
def catalog_home(request: Request, session: DbSession, actor: OptionalActor, q: str | None = None,
                 classification: str | None = None, provider_id: str | None = None, share_type: str | None = None,
                 open_only: str | None = None, page: str | None = None) -> Response:
    filters = _filters(q, classification, provider_id, share_type, open_only)
    page_no = min(_int(page) or 1, 10000)
    result = service.browse(session=session, actor=actor, q=filters["q"] or None,
                            classification=filters["classification"] or None,
                            provider_id=filters["provider_id"] or None, share_type=filters["share_type"] or None,
                            open_only=bool(filters["open_only"]), page=page_no, size=PAGE_SIZE)
    provider_facets = result.facets.get("provider", [])
    ctx = {
        "result": result, "f": filters, "page": page_no, "pages": max(1, -(-result.total // PAGE_SIZE)),
        "class_facets": _classification_facets(result.facets.get("classification", [])),
        "provider_facets": provider_facets,
        "provider_label": next((p.label for p in provider_facets if p.value == str(filters["provider_id"])), ""),
        "share_facets": result.facets.get("share_type", []),
        "open_count": sum(x.count for x in result.facets.get("open", [])),
        "url": lambda **kw: _url(filters, **kw),
        "is_staff": actor.has(Permission.CATALOG_READ), "is_editor": _is_editor(actor),
        "class_label": _facet_label(filters["classification"], result.facets.get("classification", [])),
    }
    partial = request.headers.get("hx-request") and not request.headers.get("hx-history-restore-request")
    return _page(request, "catalog/_results.html" if partial else "catalog/home.html", ctx)


def _facet_label(value: str, facets: list[Any]) -> str:
    if not value:
        return ""
    if value in CLASS_ROOTS:
        return CLASS_ROOTS[value]
    return next((f.label for f in facets if f.value == value), value)


# ---------------------------------------------------------------- 资源详情 and versions


def _detail(request: Request, session: DbSession, actor: Actor, resource_id: int, *, status_code: int = 200,
            **extra: Any) -> HTMLResponse:
    resource = service.get_resource(session=session, actor=actor, resource_id=resource_id)
    # list_versions re-checks visibility; the resource is already in the session, so this is one cheap query.
    versions = service.list_versions(session=session, actor=actor, resource_id=resource_id)
    nodes = _by_code(service.list_classifications(session=session))
    editable = rules.can_edit(actor, resource.provider_id)
    can_request = (actor.has(Permission.SHARING_REQUEST) and resource.status == "published"
                   and resource.share_type != "none" and resource.provider_id != actor.department_id)
    return _page(request, "catalog/detail.html", {
        "r": service.read(resource), "resource": resource, "versions": versions, "editable": editable,
        "can_request": can_request, "class_path": _path_name(resource.classification_code, nodes),
        "theme_names": {c: _path_name(c, nodes) for c in resource.themes or []}, "snapshot": None, **extra,
    }, status_code=status_code)


def _action_failed(request: Request, session: DbSession, actor: Actor, resource_id: int, exc: DomainError,
                   **extra: Any) -> HTMLResponse:
    """A refused 发布/下架/删除 shows the detail page again with the reason."""
    _reraise_access(exc)  # the use-case that refused has rolled back its own writes
    return _detail(request, session, actor, resource_id, error=exc.message, status_code=exc.status_code, **extra)


@public.get("/catalog/resources/{resource_id:int}", response_class=HTMLResponse)
def resource_page(request: Request, session: DbSession, actor: OptionalActor, resource_id: int) -> Response:
    return _detail(request, session, actor, resource_id)


@public.get("/catalog/resources/{resource_id:int}/versions/{version:int}", response_class=HTMLResponse)
def version_page(request: Request, session: DbSession, actor: OptionalActor, resource_id: int,
                 version: int) -> Response:
    versions = service.list_versions(session=session, actor=actor, resource_id=resource_id)
    found = next((v for v in versions if v.version == version), None)
    if found is None:
        raise NotFound(f"该资源没有第 {version} 版。")
    snapshot = ResourceRead.model_validate({**found.snapshot, "updated_at": found.published_at})
    nodes = _by_code(service.list_classifications(session=session))
    return _page(request, "catalog/version.html", {
        "r": snapshot, "v": found, "versions": versions, "resource_id": resource_id,
        "class_path": _path_name(snapshot.classification_code, nodes),
        "theme_names": {c: _path_name(c, nodes) for c in snapshot.themes},
    })


@public.get("/catalog/by-code/{classification}/{seq}", response_class=HTMLResponse)
def resource_by_code(session: DbSession, actor: OptionalActor, classification: str, seq: str) -> Response:
    """关联资源代码 links: the code is what users quote, the page lives under the id."""
    resource = service.get_resource(session=session, actor=actor, code=f"{classification}/{seq}")
    return RedirectResponse(f"/catalog/resources/{resource.id}", status_code=303)


@router.post("/catalog/resources/{resource_id:int}/publish", response_class=HTMLResponse)
def publish_submit(request: Request, session: DbSession, actor: CurrentActor, resource_id: int) -> Response:
    try:
        resource = service.publish_resource(session=session, actor=actor, resource_id=resource_id)
    except DomainError as exc:
        return _action_failed(request, session, actor, resource_id, exc)
    notice = quote(f"已发布，信息资源代码 {resource.code}")
    return RedirectResponse(f"/catalog/resources/{resource_id}?notice={notice}", status_code=303)


@router.post("/catalog/resources/{resource_id:int}/retire", response_class=HTMLResponse)
async def retire_submit(request: Request, session: DbSession, actor: CurrentActor, resource_id: int) -> Response:
    form = await request.form()
    reason = str(form.get("reason", "")).strip()
    try:
        service.retire_resource(session=session, actor=actor, resource_id=resource_id,
                                reason=RetireIn(reason=reason).reason)
    except ValidationError as exc:
        summary, _ = translate_validation_errors([{**e, "loc": ("下架原因",)} for e in exc.errors()])
        return _detail(request, session, actor, resource_id, error=summary, errors={"reason": summary},
                       reason=reason, status_code=422)
    except DomainError as exc:
        return _action_failed(request, session, actor, resource_id, exc, reason=reason)
    return RedirectResponse(f"/catalog/resources/{resource_id}?notice={quote('已下架')}", status_code=303)


@router.post("/catalog/resources/{resource_id:int}/delete", response_class=HTMLResponse)
def delete_submit(request: Request, session: DbSession, actor: CurrentActor, resource_id: int) -> Response:
    try:
        service.delete_draft(session=session, actor=actor, resource_id=resource_id)
    except DomainError as exc:
        return _action_failed(request, session, actor, resource_id, exc)
    return RedirectResponse(f"/catalog?notice={quote('草稿已删除')}", status_code=303)


# ---------------------------------------------------------------- editor: 编目 and 修改


def _blank_row() -> dict[str, Any]:
    return {"name": "", "key": "", "data_type": "string", "length": "", "required": False, "is_key": False,
            "sensitivity": "internal", "description": ""}


def _row_is_blank(row: dict[str, Any]) -> bool:
    return not any(row[f] for f in ("name", "key", "length", "description", "required", "is_key"))


def _parse_form(form: FormData) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The posted editor: resource fields, and item rows by index (item-3-key …) minus rows marked removed."""
    data: dict[str, Any] = {k: str(form.get(k) or "").strip() for k in TEXT_FIELDS}
    data["share_methods"] = [str(v) for v in form.getlist("share_methods")]
    data["themes"] = [str(v) for v in form.getlist("themes")]
    data["open_to_public"] = form.get("open_to_public") == "1"
    data["data_on_platform"] = form.get("data_on_platform") == "1"
    raw: dict[int, dict[str, str]] = {}
    for key in form:
        m = _ITEM_FIELD.match(key)
        if m and (m.group(2) in ITEM_FIELDS or m.group(2) == "remove"):
            raw.setdefault(int(m.group(1)), {})[m.group(2)] = str(form.get(key) or "").strip()
    rows: list[dict[str, Any]] = []
    for index in sorted(raw):
        cells = raw[index]
        if cells.get("remove"):
            continue
        row: dict[str, Any] = {f: cells.get(f, "") for f in ITEM_FIELDS}
        row["required"] = bool(cells.get("required"))
        row["is_key"] = bool(cells.get("is_key"))
        rows.append(row)
    return data, rows


def _resource_in(data: dict[str, Any], rows: list[dict[str, Any]], *, with_provider: bool) -> ResourceIn:
    """Blank fields mean “not given”, so that pydantic applies its defaults and names what is missing."""
    payload = {k: v for k, v in data.items() if v not in ("", None) and k not in ("related_codes", "provider_id")}
    payload["related_codes"] = [c for c in _CODE_SPLIT.split(data["related_codes"]) if c]
    if data["share_type"] == "none":  # the form hides the methods then; ticks left behind mean nothing
        payload["share_methods"] = []
    if with_provider and data["provider_id"]:
        payload["provider_id"] = data["provider_id"]
    payload["items"] = [{k: v for k, v in row.items() if v != ""} for row in rows]
    return ResourceIn.model_validate(payload)


def _editor_errors(exc: ValidationError) -> tuple[str, dict[str, str], dict[int, dict[str, str]]]:
    """A summary, messages per field, and messages per item row (pydantic locates items by index)."""
    parts: list[str] = []
    fields: dict[str, str] = {}
    rows: dict[int, dict[str, str]] = {}
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        if not loc:  # the cross-field rules of ResourceIn: one combined Chinese message
            parts.append(str(err.get("msg", "")).removeprefix("Value error, "))
            continue
        if loc[0] == "items" and len(loc) >= 3 and isinstance(loc[1], int):
            label = ITEM_FIELD_NAMES.get(str(loc[2]), str(loc[2]))
            message = translate_validation_errors([{**err, "loc": (label,)}])[1][0]["message"]
            rows.setdefault(loc[1], {}).setdefault(str(loc[2]), message)
            parts.append(f"第 {loc[1] + 1} 行信息项：{message}")
            continue
        field = str(loc[0])
        if field == "items" and len(loc) == 1 and err.get("type") == "too_short":
            message = "请至少填写一个信息项"
        else:
            label = FIELD_NAMES.get(field, field)
            message = translate_validation_errors([{**err, "loc": (label,)}])[1][0]["message"]
        fields.setdefault(field, message)
        parts.append(message)
    shown = [p.rstrip("。") for p in parts[:8]]
    more = f"；另有 {len(parts) - 8} 处问题" if len(parts) > 8 else ""
    return "请修改以下问题后再保存：" + "；".join(shown) + more + "。", fields, rows


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


def _editor(request: Request, session: DbSession, actor: Actor, *, form: dict[str, Any],
            rows: list[dict[str, Any]], resource: InformationResource | None = None, status_code: int = 200,
            **extra: Any) -> HTMLResponse:
    nodes = service.list_classifications(session=session)
    by_code = _by_code(nodes)
    admin = actor.has(Permission.CATALOG_ADMIN)
    departments = list(org_repo.list_departments(session, limit=1000)[0]) if admin and resource is None else []
    return _page(request, "catalog/editor.html", {
        "form": form, "rows": rows or [_blank_row()], "resource": resource,
        "class_groups": _class_options(nodes, actor),
        "themes": [(n.code, n.name) for n in nodes if n.code.startswith("2") and n.level >= 2],
        "departments": departments, "blank_row": _blank_row(),
        "class_path": _path_name(resource.classification_code, by_code) if resource else "",
        "errors": extra.pop("errors", {}), "row_errors": extra.pop("row_errors", {}), **extra,
    }, status_code=status_code)


def _editor_failed(request: Request, session: DbSession, actor: Actor, exc: Exception, *, form: dict[str, Any],
                   rows: list[dict[str, Any]], resource: InformationResource | None = None) -> HTMLResponse:
    """Back to the form with the user's input, a summary, and each message next to its field or row."""
    if isinstance(exc, ValidationError):
        summary, fields, row_errors = _editor_errors(exc)
        return _editor(request, session, actor, form=form, rows=rows, resource=resource, error=summary,
                       errors=fields, row_errors=row_errors, status_code=422)
    assert isinstance(exc, DomainError)
    _reraise_access(exc)
    if resource is not None:  # the use-case rolled back what it had written into the row: reload it
        session.refresh(resource)
    field = exc.detail.get("field") if isinstance(exc.detail, dict) else None
    return _editor(request, session, actor, form=form, rows=rows, resource=resource, error=exc.message,
                   errors={field: exc.message} if field else {}, status_code=exc.status_code)


def _form_of(resource: InformationResource) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    code = resource.classification_code
    form = {f: getattr(resource, f) for f in ("name", "abstract", "format_type", "share_type", "share_condition",
                                              "no_share_reason", "open_condition", "update_cycle",
                                              "open_to_public", "data_on_platform")}
    form.update(classification_code=code, share_methods=list(resource.share_methods or []),
                themes=list(resource.themes or []), related_codes="、".join(resource.related_codes or []),
                provider_id=resource.provider_id, change_note="")
    rows = [{f: ("" if getattr(i, f) is None else getattr(i, f)) for f in ITEM_FIELDS} for i in resource.items]
    return form, rows


def _require_editor(actor: Actor) -> None:
    if not actor.has(Permission.CATALOG_ADMIN):
        actor.require(Permission.CATALOG_EDIT)


@router.get("/catalog/resources/new", response_class=HTMLResponse)
def resource_new_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    _require_editor(actor)
    form = {"share_type": "conditional", "share_methods": ["interface"], "format_type": "数据库",
            "update_cycle": "每日", "provider_id": actor.department_id, "classification_code": "3"}
    return _editor(request, session, actor, form=form, rows=[_blank_row()])


@router.post("/catalog/resources/new", response_class=HTMLResponse)
async def resource_new_submit(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    _require_editor(actor)
    form = await request.form()
    data, rows = _parse_form(form)
    data["provider_id"] = _int(data["provider_id"]) if actor.has(Permission.CATALOG_ADMIN) else actor.department_id
    if "add_row" in form:  # the no-JavaScript way to get one more item row
        return _editor(request, session, actor, form=data, rows=[*rows, _blank_row()])
    rows = [r for r in rows if not _row_is_blank(r)]
    try:
        resource = service.create_resource(session=session, actor=actor, resource_in=_resource_in(
            data, rows, with_provider=actor.has(Permission.CATALOG_ADMIN)))
    except (ValidationError, DomainError) as exc:
        return _editor_failed(request, session, actor, exc, form=data, rows=rows)
    notice = quote(f"已保存为草稿，信息资源代码 {resource.code}；核对无误后请发布")
    return RedirectResponse(f"/catalog/resources/{resource.id}?notice={notice}", status_code=303)


@router.get("/catalog/resources/{resource_id:int}/edit", response_class=HTMLResponse)
def resource_edit_page(request: Request, session: DbSession, actor: CurrentActor, resource_id: int) -> Response:
    resource = service.get_resource(session=session, actor=actor, resource_id=resource_id)
    rules.check_edit(actor, resource.provider_id)
    form, rows = _form_of(resource)
    error = "已下架的资源不能修改。" if resource.status == "retired" else None
    return _editor(request, session, actor, form=form, rows=rows, resource=resource, error=error)


@router.post("/catalog/resources/{resource_id:int}/edit", response_class=HTMLResponse)
async def resource_edit_submit(request: Request, session: DbSession, actor: CurrentActor,
                               resource_id: int) -> Response:
    resource = service.get_resource(session=session, actor=actor, resource_id=resource_id)
    rules.check_edit(actor, resource.provider_id)
    form = await request.form()
    data, rows = _parse_form(form)
    data["provider_id"] = resource.provider_id
    if resource.status != "draft":  # the code (and so the classification) is fixed once published
        data["classification_code"] = resource.classification_code
    if "add_row" in form:
        return _editor(request, session, actor, form=data, rows=[*rows, _blank_row()], resource=resource)
    rows = [r for r in rows if not _row_is_blank(r)]
    try:
        updated = service.update_resource(session=session, actor=actor, resource_id=resource_id,
                                          resource_in=_resource_in(data, rows, with_provider=False))
    except (ValidationError, DomainError) as exc:
        return _editor_failed(request, session, actor, exc, form=data, rows=rows, resource=resource)
    notice = f"已保存为第 {updated.version} 版" if updated.status == "published" else "草稿已保存"
    return RedirectResponse(f"/catalog/resources/{resource_id}?notice={quote(notice)}", status_code=303)


# ---------------------------------------------------------------- 统计


STAT_COLUMNS = {"department_name": "部门", "resources": "资源数", "items": "信息项", "unconditional": "无条件共享",
                "conditional": "有条件共享", "none": "不予共享", "open": "向社会开放"}


@public.get("/catalog/stats", response_class=HTMLResponse)
def stats_page(request: Request, session: DbSession, actor: OptionalActor, sort: str = "resources") -> Response:
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
    return _page(request, "catalog/stats.html", {
        "stats": stats, "rows": rows, "sort": sort, "columns": STAT_COLUMNS, "shares": shares,
        "open_pct": open_pct, "is_staff": actor.has(Permission.CATALOG_READ)})


# ---------------------------------------------------------------- 分类


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


def _classifications(request: Request, session: DbSession, actor: Actor, *, status_code: int = 200,
                     **extra: Any) -> HTMLResponse:
    actor.require(Permission.CATALOG_READ)
    nodes = service.list_classifications(session=session)
    by_code = _by_code(nodes)
    admin = actor.has(Permission.CATALOG_ADMIN)
    parents = [(n.code, f"{n.code} {_path_name(n.code, by_code)}") for n in nodes if n.level in (2, 3) and (
        admin or (n.department_id is not None and n.code.startswith("3") and rules.can_edit(actor, n.department_id)))]
    return _page(request, "catalog/classifications.html", {
        "tree": _tree(nodes, service.classification_counts(session=session)), "parents": parents,
        "can_add": _is_editor(actor), "form": extra.pop("form", {}), **extra}, status_code=status_code)


@router.get("/catalog/classifications", response_class=HTMLResponse)
def classifications_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    return _classifications(request, session, actor)


@router.post("/catalog/classifications", response_class=HTMLResponse)
async def classification_submit(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    form = await request.form()
    data = {k: str(form.get(k) or "").strip() for k in ("parent_code", "name")}
    try:
        node = service.create_classification(session=session, actor=actor,
                                             classification_in=ClassificationCreate.model_validate(data))
    except ValidationError as exc:
        labels = {"parent_code": "上级分类", "name": "分类名称"}
        summary, fields = translate_validation_errors(
            [{**e, "loc": (labels.get(str(e["loc"][0]), "分类"),)} for e in exc.errors()])
        errors = {k: f["message"] for k, f in zip([str(e["loc"][0]) for e in exc.errors()], fields, strict=True)}
        return _classifications(request, session, actor, form=data, error=summary, errors=errors, status_code=422)
    except DomainError as exc:
        if isinstance(exc, Forbidden):
            raise
        return _classifications(request, session, actor, form=data, error=exc.message, errors={},
                                status_code=exc.status_code)
    notice = quote(f"已增设{LEVEL_LABELS.get(node.level, '分类')}“{node.name}”，分类代码 {node.code}")
    return RedirectResponse(f"/catalog/classifications?notice={notice}", status_code=303)
