"""Server-rendered pages of the catalog: browse and search, resource detail, editor, statistics, classification.

Each GET handler takes its data from one read model in catalog/queries.py; each POST handler calls one
use-case and, when it fails, shows the page again through web/forms.rerender.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from tongban.authz import Permission
from tongban.catalog import queries, service
from tongban.catalog.queries import blank_row
from tongban.catalog.schemas import (
    DATA_TYPE_LABELS,
    FORMAT_TYPES,
    SENSITIVITY_LABELS,
    SHARE_METHOD_LABELS,
    SHARE_TYPE_LABELS,
    UPDATE_CYCLES,
    ClassificationCreate,
    ResourceIn,
    RetireIn,
)
from tongban.catalog.schemas import STATUS_LABELS as RESOURCE_STATUS
from tongban.deps import CurrentActor, DbSession, OptionalActor, public_router, secure_router
from tongban.errors import DomainError, translate_validation_errors
from tongban.web.forms import FormFailure, failure_of, redirect_with_notice, rerender
from tongban.web.templating import render

public = public_router(include_in_schema=False)
router = secure_router(include_in_schema=False)

PAGE_SIZE = 20
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
RETIRE_NAMES = {"reason": "下架原因"}
CLASSIFICATION_NAMES = {"parent_code": "上级分类", "name": "分类名称"}
_ITEM_FIELD = re.compile(r"^item-(\d{1,4})-([a-z_]+)$")
_CODE_SPLIT = re.compile(r"[、,，;；\s]+")


def _ctx(request: Request, model: Any, **extra: Any) -> dict[str, Any]:
    """A page's template context: its read model, the catalog's labels and the notice of a redirect."""
    return {"L": LABELS, "notice": request.query_params.get("notice"), **vars(model), **extra}


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


# ---------------------------------------------------------------- 目录首页: browse and search


def _filters(q: str | None, classification: str | None, provider_id: str | None, share_type: str | None,
             open_only: str | None) -> queries.CatalogFilters:
    return queries.CatalogFilters(
        q=(q or "").strip()[:100],
        classification=classification if classification and re.fullmatch(r"\d{1,16}", classification) else "",
        provider_id=_int(provider_id) or "",
        share_type=share_type if share_type in SHARE_TYPE_LABELS else "",
        open_only="1" if open_only in ("1", "true", "on") else "",
    )


def _url(filters: dict[str, Any], **changes: Any) -> str:
    params = {**filters, "page": "", **changes}
    if params["page"] == 1:
        params["page"] = ""
    query = urlencode({k: v for k, v in params.items() if v not in ("", None)})
    return "/catalog" + (f"?{query}" if query else "")


@public.get("/catalog", response_class=HTMLResponse)
def catalog_home(request: Request, session: DbSession, actor: OptionalActor, q: str | None = None,
                 classification: str | None = None, provider_id: str | None = None, share_type: str | None = None,
                 open_only: str | None = None, page: str | None = None) -> Response:
    home = queries.catalog_home(session, actor, _filters(q, classification, provider_id, share_type, open_only),
                                page=min(_int(page) or 1, 10000), size=PAGE_SIZE)
    partial = request.headers.get("hx-request") and not request.headers.get("hx-history-restore-request")
    return render(request, "catalog/_results.html" if partial else "catalog/home.html",
                  _ctx(request, home, url=lambda **kw: _url(home.f, **kw)))


# ---------------------------------------------------------------- 资源详情 and versions


def _detail_failed(request: Request, session: DbSession, actor: CurrentActor, resource_id: int, exc: Exception,
                   form: dict[str, str] | None = None) -> Response:
    """A refused 发布/下架/删除 shows the detail page again with the reason (the use-case rolled back)."""
    failure = failure_of(exc, RETIRE_NAMES)
    detail = queries.resource_detail(session, actor, resource_id)
    return rerender(request, "catalog/detail.html", _ctx(request, detail, form=form or {}), failure)


@public.get("/catalog/resources/{resource_id:int}", response_class=HTMLResponse)
def resource_page(request: Request, session: DbSession, actor: OptionalActor, resource_id: int) -> Response:
    detail = queries.resource_detail(session, actor, resource_id)
    return render(request, "catalog/detail.html", _ctx(request, detail, form={}))


@public.get("/catalog/resources/{resource_id:int}/versions/{version:int}", response_class=HTMLResponse)
def version_page(request: Request, session: DbSession, actor: OptionalActor, resource_id: int,
                 version: int) -> Response:
    page = queries.resource_version(session, actor, resource_id, version)
    return render(request, "catalog/version.html", _ctx(request, page))


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
        return _detail_failed(request, session, actor, resource_id, exc)
    return redirect_with_notice(f"/catalog/resources/{resource_id}", f"已发布，信息资源代码 {resource.code}")


@router.post("/catalog/resources/{resource_id:int}/retire", response_class=HTMLResponse)
async def retire_submit(request: Request, session: DbSession, actor: CurrentActor, resource_id: int) -> Response:
    form = await request.form()
    typed = {"reason": str(form.get("reason", "")).strip()}
    try:
        service.retire_resource(session=session, actor=actor, resource_id=resource_id,
                                reason=RetireIn(reason=typed["reason"]).reason)
    except (ValidationError, DomainError) as exc:
        return _detail_failed(request, session, actor, resource_id, exc, typed)
    return redirect_with_notice(f"/catalog/resources/{resource_id}", "已下架")


@router.post("/catalog/resources/{resource_id:int}/delete", response_class=HTMLResponse)
def delete_submit(request: Request, session: DbSession, actor: CurrentActor, resource_id: int) -> Response:
    try:
        service.delete_draft(session=session, actor=actor, resource_id=resource_id)
    except DomainError as exc:
        return _detail_failed(request, session, actor, resource_id, exc)
    return redirect_with_notice("/catalog", "草稿已删除")


# ---------------------------------------------------------------- editor: 编目 and 修改


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


def _editor_failure(exc: Exception) -> tuple[FormFailure, dict[int, dict[str, str]]]:
    """The editor's failure: like every form's (failure_of), except that pydantic's errors of the item rows
    are shown beside each row and summed up in one sentence naming the rows."""
    failure = failure_of(exc, FIELD_NAMES)
    if not isinstance(exc, ValidationError):
        return failure, {}
    summary, fields, row_errors = _editor_errors(exc)
    return FormFailure(summary, fields, 422), row_errors


def _editor_page(request: Request, editor: queries.ResourceEditor, data: dict[str, Any],
                 rows: list[dict[str, Any]], exc: Exception | None = None) -> Response:
    """The editor with what the user posted: one more row (no exception), or the failure beside the fields."""
    if exc is None:  # the no-JavaScript way to get one more item row
        return render(request, "catalog/editor.html", _ctx(request, editor, form=data, rows=[*rows, blank_row()]))
    failure, row_errors = _editor_failure(exc)
    return rerender(request, "catalog/editor.html",
                    _ctx(request, editor, form=data, rows=rows or [blank_row()], row_errors=row_errors), failure)


@router.get("/catalog/resources/new", response_class=HTMLResponse)
def resource_new_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, "catalog/editor.html", _ctx(request, queries.resource_editor(session, actor)))


@router.post("/catalog/resources/new", response_class=HTMLResponse)
async def resource_new_submit(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    queries.require_editor(actor)
    form = await request.form()
    data, rows = _parse_form(form)
    data["provider_id"] = _int(data["provider_id"]) if actor.has(Permission.CATALOG_ADMIN) else actor.department_id
    if "add_row" in form:
        return _editor_page(request, queries.resource_editor(session, actor), data, rows)
    rows = [r for r in rows if not _row_is_blank(r)]
    try:
        resource = service.create_resource(session=session, actor=actor, resource_in=_resource_in(
            data, rows, with_provider=actor.has(Permission.CATALOG_ADMIN)))
    except (ValidationError, DomainError) as exc:
        return _editor_page(request, queries.resource_editor(session, actor), data, rows, exc)
    return redirect_with_notice(f"/catalog/resources/{resource.id}",
                                f"已保存为草稿，信息资源代码 {resource.code}；核对无误后请发布")


@router.get("/catalog/resources/{resource_id:int}/edit", response_class=HTMLResponse)
def resource_edit_page(request: Request, session: DbSession, actor: CurrentActor, resource_id: int) -> Response:
    return render(request, "catalog/editor.html", _ctx(request, queries.resource_editor(session, actor, resource_id)))


@router.post("/catalog/resources/{resource_id:int}/edit", response_class=HTMLResponse)
async def resource_edit_submit(request: Request, session: DbSession, actor: CurrentActor,
                               resource_id: int) -> Response:
    editor = queries.resource_editor(session, actor, resource_id)  # visibility and the right to edit
    assert editor.resource is not None
    form = await request.form()
    data, rows = _parse_form(form)
    data["provider_id"] = editor.resource.provider_id
    if editor.resource.status != "draft":  # the code (and so the classification) is fixed once published
        data["classification_code"] = editor.resource.classification_code
    if "add_row" in form:
        return _editor_page(request, editor, data, rows)
    rows = [r for r in rows if not _row_is_blank(r)]
    try:
        updated = service.update_resource(session=session, actor=actor, resource_id=resource_id,
                                          resource_in=_resource_in(data, rows, with_provider=False))
    except (ValidationError, DomainError) as exc:
        # The use-case rolled back what it had written into the row: read the page's model again.
        return _editor_page(request, queries.resource_editor(session, actor, resource_id), data, rows, exc)
    notice = f"已保存为第 {updated.version} 版" if updated.status == "published" else "草稿已保存"
    return redirect_with_notice(f"/catalog/resources/{resource_id}", notice)


# ---------------------------------------------------------------- 统计


@public.get("/catalog/stats", response_class=HTMLResponse)
def stats_page(request: Request, session: DbSession, actor: OptionalActor, sort: str = "resources") -> Response:
    return render(request, "catalog/stats.html", _ctx(request, queries.catalog_stats(session, actor, sort)))


# ---------------------------------------------------------------- 分类


@router.get("/catalog/classifications", response_class=HTMLResponse)
def classifications_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, "catalog/classifications.html", _ctx(request, queries.classifications(session, actor)))


@router.post("/catalog/classifications", response_class=HTMLResponse)
async def classification_submit(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    form = await request.form()
    data = {k: str(form.get(k) or "").strip() for k in ("parent_code", "name")}
    try:
        node = service.create_classification(session=session, actor=actor,
                                             classification_in=ClassificationCreate.model_validate(data))
    except (ValidationError, DomainError) as exc:
        failure = failure_of(exc, CLASSIFICATION_NAMES)
        return rerender(request, "catalog/classifications.html",
                        _ctx(request, queries.classifications(session, actor), form=data), failure)
    return redirect_with_notice("/catalog/classifications",
                                f"已增设{LEVEL_LABELS.get(node.level, '分类')}“{node.name}”，分类代码 {node.code}")
