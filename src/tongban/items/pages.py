"""Server-rendered staff and platform pages of service items (事项管理): the implementation lists, an
implementation's page, editor, review, retirement and versions, the review queue, the deviation report, the
once-only figures, and the xlsx import and export.

Each GET handler takes its data from one read model in items/queries.py; each POST handler calls one
use-case and, when it fails, shows the page again through web/forms.rerender.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.errors import DomainError, ValidationFailed, translate_validation_errors
from tongban.items import bundles as bundle_cases
from tongban.items import events as event_cases
from tongban.items import queries, service, spreadsheet
from tongban.items.schemas import ApproveIn, BasicItemIn, BundleIn, ImplementationIn, RetireIn, ReturnIn
from tongban.web.forms import FormFailure, failure_of, redirect_with_notice, rerender
from tongban.web.templating import render

router = secure_router(include_in_schema=False)

BASE = "/admin/items"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Chinese names of the editor's fields, so that an error names what the user sees on the form.
FIELD_NAMES = {
    "basic_code": "基本目录事项", "name": "事项名称", "code": "事项编码", "item_type": "事项类型",
    "legal_basis": "设定依据", "legal_days": "法定办结时限", "promised_days": "承诺办结时限", "fee": "收费",
    "fee_amount_fen": "收费金额",
    "conditions": "申请条件", "materials": "申请材料", "steps": "办理流程", "visits": "到办事现场次数",
    "channels": "办理渠道", "service_objects": "服务对象", "consult_phone": "咨询电话", "complaint_phone": "投诉电话",
    "place": "办理地点", "hours": "办理时间", "online": "是否网上可办", "instant": "是否即办件",
    "result_name": "结果名称", "licence_type": "结果证照类型", "change_note": "变更说明",
}
MATERIAL_NAMES = {"name": "材料名称", "source": "来源", "ref": "来源依据", "required": "必需", "note": "说明"}
TEXT_FIELDS = ("basic_code", "legal_days", "promised_days", "fee", "conditions", "steps", "visits", "channels",
               "service_objects", "consult_phone", "complaint_phone", "place", "hours", "result_name",
               "licence_type", "change_note")
# The four basic elements: never on the form; a POST that carries them is checked (三级四同) and refused.
BASIC_FIELDS = ("name", "code", "item_type", "legal_basis")
REASON_NAMES = {"reason": "原因", "note": "审核意见"}
_MATERIAL_FIELD = re.compile(r"^material-(\d{1,3})-([a-z_]+)$")
_LIST_SPLIT = re.compile(r"[、,，;；]+")


def _ctx(request: Request, model: Any, **extra: Any) -> dict[str, Any]:
    return {"notice": request.query_params.get("notice"), "base": BASE, **vars(model), **extra}


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


# ---------------------------------------------------------------- 事项管理: the list


def _url(filters: dict[str, Any], **changes: Any) -> str:
    params = {**filters, "page": "", **changes}
    if params["page"] == 1:
        params["page"] = ""
    query = urlencode({k: v for k, v in params.items() if v not in ("", None)})
    return BASE + (f"?{query}" if query else "")


@router.get(BASE, response_class=HTMLResponse)
def items_page(request: Request, session: DbSession, actor: CurrentActor, q: str | None = None,
               department_id: str | None = None, region_code: str | None = None, item_type: str | None = None,
               status: str | None = None, page: str | None = None) -> Response:
    filters = queries.ItemsFilters(
        q=(q or "").strip()[:100], department_id=_int(department_id) or "",
        region_code=region_code if region_code and re.fullmatch(r"\d{2,12}", region_code) else "",
        item_type=(item_type or "")[:16], status=status if status in ("draft", "review", "published", "retired")
        else "")
    model = queries.items_list(session, actor, filters, page=min(_int(page) or 1, 10000))
    return render(request, "items/list.html", _ctx(request, model, url=lambda **kw: _url(model.f, **kw)))


# ---------------------------------------------------------------- an implementation's page and actions


def _page_failed(request: Request, session: DbSession, actor: CurrentActor, implementation_id: int,
                 exc: Exception, form: dict[str, str] | None = None, form_id: str = "") -> Response:
    """A refused 提交/审核/退回/停用 shows the page again with the reason (the use-case rolled back)."""
    failure = failure_of(exc, REASON_NAMES, form_id=form_id)
    model = queries.implementation_page(session, actor, implementation_id)
    return rerender(request, "items/detail.html", _ctx(request, model, form=form or {}), failure)


@router.get(BASE + "/{implementation_id:int}", response_class=HTMLResponse)
def implementation_page(request: Request, session: DbSession, actor: CurrentActor,
                        implementation_id: int) -> Response:
    model = queries.implementation_page(session, actor, implementation_id)
    return render(request, "items/detail.html", _ctx(request, model, form={}))


@router.get(BASE + "/{implementation_id:int}/versions/{version:int}", response_class=HTMLResponse)
def version_page(request: Request, session: DbSession, actor: CurrentActor, implementation_id: int,
                 version: int) -> Response:
    model = queries.version_page(session, actor, implementation_id, version)
    return render(request, "items/version.html", _ctx(request, model))


@router.post(BASE + "/{implementation_id:int}/submit", response_class=HTMLResponse)
def submit_submit(request: Request, session: DbSession, actor: CurrentActor, implementation_id: int) -> Response:
    try:
        service.submit_implementation(session=session, actor=actor, implementation_id=implementation_id)
    except DomainError as exc:
        return _page_failed(request, session, actor, implementation_id, exc)
    return redirect_with_notice(f"{BASE}/{implementation_id}", "已提交审核，审核通过后发布")


@router.post(BASE + "/{implementation_id:int}/approve", response_class=HTMLResponse)
async def approve_submit(request: Request, session: DbSession, actor: CurrentActor,
                         implementation_id: int) -> Response:
    form = await request.form()
    typed = {"note": str(form.get("note") or "").strip()}
    try:
        impl = service.approve_implementation(session=session, actor=actor, implementation_id=implementation_id,
                                              note=ApproveIn(note=typed["note"]).note)
    except (ValidationError, DomainError) as exc:
        return _page_failed(request, session, actor, implementation_id, exc, typed, "approve")
    return redirect_with_notice(f"{BASE}/{implementation_id}", f"审核通过，已发布为第 {impl.published_version} 版")


@router.post(BASE + "/{implementation_id:int}/return", response_class=HTMLResponse)
async def return_submit(request: Request, session: DbSession, actor: CurrentActor,
                        implementation_id: int) -> Response:
    form = await request.form()
    typed = {"reason": str(form.get("reason") or "").strip()}
    try:
        service.return_implementation(session=session, actor=actor, implementation_id=implementation_id,
                                      reason=ReturnIn(reason=typed["reason"]).reason)
    except (ValidationError, DomainError) as exc:
        return _page_failed(request, session, actor, implementation_id, exc, typed, "return")
    return redirect_with_notice(f"{BASE}/review", "已退回部门修改")


@router.post(BASE + "/{implementation_id:int}/retire", response_class=HTMLResponse)
async def retire_submit(request: Request, session: DbSession, actor: CurrentActor,
                        implementation_id: int) -> Response:
    form = await request.form()
    typed = {"reason": str(form.get("reason") or "").strip()}
    try:
        service.retire_implementation(session=session, actor=actor, implementation_id=implementation_id,
                                      reason=RetireIn(reason=typed["reason"]).reason)
    except (ValidationError, DomainError) as exc:
        return _page_failed(request, session, actor, implementation_id, exc, typed, "retire")
    return redirect_with_notice(f"{BASE}/{implementation_id}", "已停用")


# ---------------------------------------------------------------- the editor: 编制 and 修改


def _fen(yuan: str) -> int | str:
    """收费金额 as typed in 元 (at most two decimals) in 分; anything else is passed on for the schema to refuse."""
    m = re.fullmatch(r"(\d{1,9})(?:\.(\d{1,2}))?", yuan)
    return int(m.group(1)) * 100 + int((m.group(2) or "0").ljust(2, "0")) if m else yuan


def _parse_form(form: FormData) -> dict[str, Any]:
    """The posted editor: the fields, the basic elements if a client sent them, and material rows by index
    (material-2-name …) minus rows marked removed or left blank."""
    data: dict[str, Any] = {k: str(form.get(k) or "").strip() for k in TEXT_FIELDS}
    for key in BASIC_FIELDS:
        if key in form:
            data[key] = str(form.get(key) or "").strip()
    data["fee_amount"] = str(form.get("fee_amount") or "").strip()[:20]
    data["fee_amount_fen"] = _fen(data["fee_amount"])
    data["online"] = form.get("online") == "1"
    data["instant"] = form.get("instant") == "1"
    raw: dict[int, dict[str, str]] = {}
    for key in form:
        m = _MATERIAL_FIELD.match(key)
        if m and (m.group(2) in MATERIAL_NAMES or m.group(2) == "remove"):
            raw.setdefault(int(m.group(1)), {})[m.group(2)] = str(form.get(key) or "").strip()
    materials: list[dict[str, Any]] = []
    for index in sorted(raw):
        cells = raw[index]
        if cells.get("remove") or not any(cells.get(f) for f in ("name", "ref", "note")):
            continue
        materials.append({"name": cells.get("name", ""), "source": cells.get("source") or "upload",
                          "ref": cells.get("ref", ""), "required": bool(cells.get("required")),
                          "note": cells.get("note", "")})
    data["materials"] = materials
    return data


def _implementation_in(data: dict[str, Any]) -> ImplementationIn:
    """Blank fields mean “not given”, so that pydantic applies its defaults and names what is missing."""
    payload: dict[str, Any] = {k: v for k, v in data.items()
                               if v not in ("", None) and k not in ("conditions", "steps", "channels",
                                                                    "service_objects", "materials", "fee_amount")}
    payload["conditions"] = [x.strip() for x in data["conditions"].splitlines() if x.strip()]
    payload["steps"] = [x.strip() for x in data["steps"].splitlines() if x.strip()]
    payload["channels"] = [x.strip() for x in _LIST_SPLIT.split(data["channels"]) if x.strip()]
    payload["service_objects"] = [x.strip() for x in _LIST_SPLIT.split(data["service_objects"]) if x.strip()]
    payload["materials"] = data["materials"]
    return ImplementationIn.model_validate(payload)


def _editor_failure(exc: Exception) -> FormFailure:
    """Like every form's failure, except that errors of material rows name the row, and every problem is
    summed up in one sentence (a long form may have several)."""
    if not isinstance(exc, ValidationError):
        return failure_of(exc, FIELD_NAMES)
    parts: list[str] = []
    fields: dict[str, str] = {}
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        if loc and loc[0] == "materials" and len(loc) >= 2 and isinstance(loc[1], int):
            if len(loc) >= 3:
                label = MATERIAL_NAMES.get(str(loc[2]), str(loc[2]))
                message = translate_validation_errors([{**err, "loc": (label,)}])[1][0]["message"]
            else:
                message = str(err.get("msg", "")).removeprefix("Value error, ")
            parts.append(f"第 {loc[1] + 1} 项材料：{message}")
            fields.setdefault("materials", parts[-1])
        elif not loc:
            parts.append(str(err.get("msg", "")).removeprefix("Value error, "))
        else:
            label = FIELD_NAMES.get(str(loc[0]), str(loc[0]))
            message = translate_validation_errors([{**err, "loc": (label,)}])[1][0]["message"]
            parts.append(message)
            fields.setdefault(str(loc[0]), message)
    shown = [p.rstrip("。") for p in parts[:8]]
    return FormFailure("请修改以下问题后再保存：" + "；".join(shown) + "。", fields, 422)


def _editor_page(request: Request, editor: queries.ImplementationEditor, data: dict[str, Any],
                 exc: Exception | None = None) -> Response:
    """The editor with what the user posted: one more material row (no exception), or the failure."""
    form = {**data, "materials": [*data["materials"], {"source": "upload", "required": True}]}
    if exc is None:
        return render(request, "items/editor.html", _ctx(request, editor, form=form))
    return rerender(request, "items/editor.html", _ctx(request, editor, form=form), _editor_failure(exc))


@router.get(BASE + "/new", response_class=HTMLResponse)
def new_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    editor = queries.implementation_editor(session, actor)
    form = {"legal_days": "20", "promised_days": "10", "fee": "不收费", "visits": "0", "online": True,
            "materials": [{"source": "upload", "required": True}]}
    return render(request, "items/editor.html", _ctx(request, editor, form=form))


@router.post(BASE + "/new", response_class=HTMLResponse)
async def new_submit(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    editor = queries.implementation_editor(session, actor)  # the right to create, and the page on failure
    form = await request.form()
    data = _parse_form(form)
    if "add_row" in form:
        return _editor_page(request, editor, data)
    try:
        impl = service.create_implementation(session=session, actor=actor,
                                             implementation_in=_implementation_in(data))
    except (ValidationError, DomainError) as exc:
        return _editor_page(request, queries.implementation_editor(session, actor), data, exc)
    return redirect_with_notice(f"{BASE}/{impl.id}", "已保存为草稿；核对无误后请提交审核")


@router.get(BASE + "/{implementation_id:int}/edit", response_class=HTMLResponse)
def edit_page(request: Request, session: DbSession, actor: CurrentActor, implementation_id: int) -> Response:
    editor = queries.implementation_editor(session, actor, implementation_id)
    return render(request, "items/editor.html", _ctx(request, editor, form=editor.form))


@router.post(BASE + "/{implementation_id:int}/edit", response_class=HTMLResponse)
async def edit_submit(request: Request, session: DbSession, actor: CurrentActor, implementation_id: int) -> Response:
    editor = queries.implementation_editor(session, actor, implementation_id)
    assert editor.impl is not None
    form = await request.form()
    data = _parse_form(form)
    data["basic_code"] = editor.impl.code
    if "add_row" in form:
        return _editor_page(request, editor, data)
    try:
        impl = service.update_implementation(session=session, actor=actor, implementation_id=implementation_id,
                                             implementation_in=_implementation_in(data))
    except (ValidationError, DomainError) as exc:
        # The use-case rolled back what it had written into the row: read the page's model again.
        return _editor_page(request, queries.implementation_editor(session, actor, implementation_id), data, exc)
    notice = "修订已保存为草稿，提交审核通过后发布新版本" if impl.published_version else "草稿已保存"
    return redirect_with_notice(f"{BASE}/{implementation_id}", notice)


# ---------------------------------------------------------------- the platform: review queue and reports


@router.get(BASE + "/review", response_class=HTMLResponse)
def review_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, "items/review.html", _ctx(request, queries.review_queue(session, actor)))


@router.get(BASE + "/deviations", response_class=HTMLResponse)
def deviations_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, "items/deviations.html", _ctx(request, queries.deviations_page(session, actor)))


@router.get(BASE + "/once-only", response_class=HTMLResponse)
def once_only_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, "items/once_only.html", _ctx(request, queries.once_only_page(session, actor)))


# ---------------------------------------------------------------- import and export


@router.get(BASE + "/import", response_class=HTMLResponse)
def import_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, "items/import.html", _ctx(request, queries.import_page(session, actor)))


@router.get(BASE + "/export.xlsx")
def export_xlsx(session: DbSession, actor: CurrentActor, department_id: str | None = None) -> Response:
    data = spreadsheet.export_implementations(session=session, actor=actor, department_id=_int(department_id))
    name = quote("实施清单.xlsx")
    return Response(data, media_type=XLSX,
                    headers={"content-disposition": f"attachment; filename=items.xlsx; filename*=UTF-8''{name}"})


@router.post(BASE + "/import", response_class=HTMLResponse)
async def import_submit(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    page = queries.import_page(session, actor)
    form = await request.form()
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValidationFailed("请选择要导入的 .xlsx 文件。", code="file_required", detail={"field": "file"})
        data = await upload.read(spreadsheet.MAX_BYTES + 1)
        report = spreadsheet.import_implementations(session=session, actor=actor, data=data)
    except DomainError as exc:
        return rerender(request, "items/import.html", _ctx(request, page), failure_of(exc))
    # A file with errors is not a failed form but a report: every row's problem, by sheet, row and column.
    return render(request, "items/import.html", _ctx(request, page, report=report, filename=upload.filename),
                  status_code=200 if report.ok else 422)



# ---------------------------------------------------------------- the platform: basic catalog (基本目录)

CATALOG = BASE + "/catalog"
BASIC_NAMES = {"code": "事项编码", "name": "事项名称", "item_type": "事项类型", "legal_basis": "设定依据",
               "levels": "行使层级", "high_frequency": "高频事项"}


def _basic_form(form: FormData) -> dict[str, Any]:
    return {"code": str(form.get("code") or "").strip(), "name": str(form.get("name") or "").strip(),
            "item_type": str(form.get("item_type") or "").strip(),
            "legal_basis": str(form.get("legal_basis") or "").strip(),
            "levels": [str(v) for v in form.getlist("levels")], "high_frequency": form.get("high_frequency") == "1"}


@router.get(CATALOG, response_class=HTMLResponse)
def catalog_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, "items/catalog.html", _ctx(request, queries.catalog_page(session, actor)))


@router.get(CATALOG + "/new", response_class=HTMLResponse)
def basic_new_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    editor = queries.basic_item_editor(session, actor)
    return render(request, "items/basic_editor.html", _ctx(request, editor))


@router.post(CATALOG + "/new", response_class=HTMLResponse)
async def basic_new_submit(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    editor = queries.basic_item_editor(session, actor)  # the right to manage the catalog, and the page on failure
    data = _basic_form(await request.form())
    try:
        item = service.create_basic_item(session=session, actor=actor, item_in=BasicItemIn.model_validate(data))
    except (ValidationError, DomainError) as exc:
        return rerender(request, "items/basic_editor.html", _ctx(request, editor, form=data),
                        failure_of(exc, BASIC_NAMES))
    return redirect_with_notice(CATALOG, f"已新增基本目录事项“{item.name}”（{item.code}）")


@router.get(CATALOG + "/{code}/edit", response_class=HTMLResponse)
def basic_edit_page(request: Request, session: DbSession, actor: CurrentActor, code: str) -> Response:
    return render(request, "items/basic_editor.html", _ctx(request, queries.basic_item_editor(session, actor, code)))


@router.post(CATALOG + "/{code}/edit", response_class=HTMLResponse)
async def basic_edit_submit(request: Request, session: DbSession, actor: CurrentActor, code: str) -> Response:
    editor = queries.basic_item_editor(session, actor, code)
    data = {**_basic_form(await request.form()), "code": code}
    try:
        item = service.update_basic_item(session=session, actor=actor, code=code,
                                         item_in=BasicItemIn.model_validate(data))
    except (ValidationError, DomainError) as exc:
        return rerender(request, "items/basic_editor.html", _ctx(request, editor, form=data),
                        failure_of(exc, BASIC_NAMES))
    return redirect_with_notice(CATALOG, f"已修改“{item.name}”，{editor.implementations} 个实施清单随之更新")


# ---------------------------------------------------------------- the platform: bundles (一件事)

BUNDLES = BASE + "/bundles"
BUNDLE_NAMES = {"code": "一件事编码", "name": "一件事名称", "event": "所属事件", "audience": "服务对象",
                "lead_department_id": "牵头部门", "guide": "办事指南", "members": "成员事项",
                "joint_policy": "一个部门不予许可时"}
MEMBER_NAMES = {"basic_code": "事项", "field": "条件字段", "op": "条件运算", "value": "条件取值", "label": "条件说明"}
_MEMBER_FIELD = re.compile(r"^member-(\d{1,3})-(code|field|op|value|label|remove)$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _condition_value(op: str, text: str) -> Any:
    """The condition's value as typed: a list for “in”, 是/否 a yes/no answer, a number, else the text."""
    if op == "in":
        return [x.strip() for x in _LIST_SPLIT.split(text) if x.strip()]
    if text in ("是", "否"):
        return text == "是"
    if _NUMBER.match(text):
        return float(text) if "." in text else int(text)
    return text


def _bundle_form(form: FormData) -> dict[str, Any]:
    data: dict[str, Any] = {k: str(form.get(k) or "").strip()
                            for k in ("code", "name", "event", "audience", "lead_department_id", "guide",
                                      "joint_policy")}
    raw: dict[int, dict[str, str]] = {}
    for key in form:
        m = _MEMBER_FIELD.match(key)
        if m:
            raw.setdefault(int(m.group(1)), {})[m.group(2)] = str(form.get(key) or "").strip()
    data["members"] = [{"code": c.get("code", ""), "field": c.get("field", ""), "op": c.get("op") or "==",
                        "value": c.get("value", ""), "label": c.get("label", "")}
                       for _, c in sorted(raw.items()) if not c.get("remove") and c.get("code")]
    return data


def _bundle_in(data: dict[str, Any]) -> BundleIn:
    payload: dict[str, Any] = {k: v for k, v in data.items() if k != "members" and v != ""}
    members: list[dict[str, Any]] = []
    for m in data["members"]:
        member: dict[str, Any] = {"basic_code": m["code"]}
        if m["field"] or m["value"] or m["label"]:
            member["condition"] = {"field": m["field"], "op": m["op"],
                                   "value": _condition_value(m["op"], m["value"]), "label": m["label"]}
        members.append(member)
    payload["members"] = members
    return BundleIn.model_validate(payload)


def _bundle_failure(exc: Exception) -> FormFailure:
    """Errors of member rows name the row (第 2 个成员事项：…)."""
    if not isinstance(exc, ValidationError):
        return failure_of(exc, BUNDLE_NAMES)
    parts: list[str] = []
    fields: dict[str, str] = {}
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        if loc and loc[0] == "members" and len(loc) >= 3 and isinstance(loc[1], int):
            label = MEMBER_NAMES.get(str(loc[-1]), MEMBER_NAMES.get(str(loc[2]), str(loc[-1])))
            message = translate_validation_errors([{**err, "loc": (label,)}])[1][0]["message"]
            parts.append(f"第 {loc[1] + 1} 个成员事项：{message}")
            fields.setdefault("members", parts[-1])
        else:
            label = BUNDLE_NAMES.get(str(loc[0]), str(loc[0])) if loc else "请求"
            message = translate_validation_errors([{**err, "loc": (label,)}])[1][0]["message"]
            parts.append(message)
            fields.setdefault(str(loc[0]) if loc else "", message)
    shown = [p.rstrip("。") for p in parts[:8]]
    return FormFailure("请修改以下问题后再保存：" + "；".join(shown) + "。", fields, 422)


def _bundle_editor_page(request: Request, editor: queries.BundleEditor, data: dict[str, Any],
                        exc: Exception | None = None) -> Response:
    """The editor with what was posted and one more member row (a new row asked for, or the failure)."""
    form = {**data, "members": [*data["members"], {"op": "=="}]}
    if exc is None:
        return render(request, "items/bundle_editor.html", _ctx(request, editor, form=form))
    return rerender(request, "items/bundle_editor.html", _ctx(request, editor, form=form), _bundle_failure(exc))


@router.get(BUNDLES, response_class=HTMLResponse)
def bundles_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, "items/bundles.html", _ctx(request, queries.bundles_page(session, actor)))


@router.get(BUNDLES + "/new", response_class=HTMLResponse)
def bundle_new_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    editor = queries.bundle_editor(session, actor)
    return _bundle_editor_page(request, editor, {**editor.form, "members": [{"op": "=="}]})


@router.post(BUNDLES + "/new", response_class=HTMLResponse)
async def bundle_new_submit(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    editor = queries.bundle_editor(session, actor)
    form = await request.form()
    data = _bundle_form(form)
    if "add_row" in form:
        return _bundle_editor_page(request, editor, data)
    draft = form.get("draft") == "1"
    try:
        bundle = service.create_bundle(session=session, actor=actor, bundle_in=_bundle_in(data), draft=draft)
    except (ValidationError, DomainError) as exc:
        return _bundle_editor_page(request, editor, data, exc)
    if draft:
        return redirect_with_notice(BUNDLES, f"已将“{bundle.name}”保存为草稿；发布后门户才可查看")
    return redirect_with_notice(BUNDLES, f"已新建一件事“{bundle.name}”，门户已可查看")


@router.get(BUNDLES + "/{code}/edit", response_class=HTMLResponse)
def bundle_edit_page(request: Request, session: DbSession, actor: CurrentActor, code: str) -> Response:
    editor = queries.bundle_editor(session, actor, code)
    return _bundle_editor_page(request, editor, editor.form)


@router.post(BUNDLES + "/{code}/edit", response_class=HTMLResponse)
async def bundle_edit_submit(request: Request, session: DbSession, actor: CurrentActor, code: str) -> Response:
    editor = queries.bundle_editor(session, actor, code)
    form = await request.form()
    data = {**_bundle_form(form), "code": code}
    if "add_row" in form:
        return _bundle_editor_page(request, editor, data)
    try:
        bundle = service.update_bundle(session=session, actor=actor, code=code, bundle_in=_bundle_in(data))
    except (ValidationError, DomainError) as exc:
        return _bundle_editor_page(request, editor, data, exc)
    if bundle.status == "published":
        return redirect_with_notice(BUNDLES, f"已修改一件事“{bundle.name}”，门户显示新版本")
    return redirect_with_notice(BUNDLES, f"已修改一件事“{bundle.name}”")


def _bundles_failed(request: Request, session: DbSession, actor: CurrentActor, code: str, exc: Exception,
                    form: dict[str, str] | None = None) -> Response:
    """A refused 发布/停用/删除 shows the list again with the reason next to that bundle's row."""
    model = queries.bundles_page(session, actor)
    return rerender(request, "items/bundles.html", _ctx(request, model, form=form or {}),
                    failure_of(exc, REASON_NAMES, form_id=code))


@router.post(BUNDLES + "/{code}/publish", response_class=HTMLResponse)
def bundle_publish_submit(request: Request, session: DbSession, actor: CurrentActor, code: str) -> Response:
    try:
        bundle = bundle_cases.publish_bundle(session=session, actor=actor, code=code)
    except DomainError as exc:
        return _bundles_failed(request, session, actor, code, exc)
    return redirect_with_notice(BUNDLES, f"已发布“{bundle.name}”，门户已可查看")


@router.post(BUNDLES + "/{code}/retire", response_class=HTMLResponse)
async def bundle_retire_submit(request: Request, session: DbSession, actor: CurrentActor, code: str) -> Response:
    form = await request.form()
    typed = {"reason": str(form.get("reason") or "").strip()}
    try:
        bundle = bundle_cases.retire_bundle(session=session, actor=actor, code=code,
                                            reason=RetireIn(reason=typed["reason"]).reason)
    except (ValidationError, DomainError) as exc:
        return _bundles_failed(request, session, actor, code, exc, typed)
    return redirect_with_notice(BUNDLES, f"已停用“{bundle.name}”，门户和检索中不再显示")


@router.post(BUNDLES + "/{code}/delete", response_class=HTMLResponse)
def bundle_delete_submit(request: Request, session: DbSession, actor: CurrentActor, code: str) -> Response:
    try:
        name = bundle_cases.delete_bundle(session=session, actor=actor, code=code)
    except DomainError as exc:
        return _bundles_failed(request, session, actor, code, exc)
    return redirect_with_notice(BUNDLES, f"已删除草稿“{name}”")


# ---------------------------------------------------------------- the platform: life and business events

EVENTS = BASE + "/events"
EVENT_NAMES = {"kind": "事件类型", "name": "事件名称", "position": "排序", "codes": "事项编码",
               "new_name": "新名称"}


@router.get(EVENTS, response_class=HTMLResponse)
def events_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, "items/events.html", _ctx(request, queries.events_editor(session, actor), form={}))


@router.post(EVENTS, response_class=HTMLResponse)
async def events_submit(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    editor = queries.events_editor(session, actor)
    form = await request.form()
    typed = {k: str(form.get(k) or "").strip() for k in ("kind", "name", "position", "codes")}
    codes = [c.strip() for c in re.split(r"[\s、,，;；]+", typed["codes"]) if c.strip()]
    form_id = f"{typed['kind']}:{typed['name']}" if form.get("existing") else "new"
    try:
        if not 1 <= len(typed["name"]) <= 64:
            raise ValidationFailed("请填写事件名称（1—64 个字）。", code="event_name", detail={"field": "name"})
        if not re.fullmatch(r"\d{0,4}", typed["position"]):
            raise ValidationFailed("排序应为 0—9999 的整数。", code="event_position", detail={"field": "position"})
        known = {c for c, _ in editor.basic_choices}
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ValidationFailed(f"基本目录中没有这些事项编码：{'、'.join(unknown[:10])}，请核对后再保存。",
                                   code="basic_item_not_found", detail={"field": "basic_code"})
        event = service.set_event(session=session, actor=actor, kind=typed["kind"], name=typed["name"], codes=codes,
                                  position=int(typed["position"] or 0))
    except DomainError as exc:
        return rerender(request, "items/events.html", _ctx(request, editor, form=typed),
                        failure_of(exc, EVENT_NAMES, form_id=form_id))
    return redirect_with_notice(EVENTS, f"已保存“{event.name}”的事项（{len(set(codes))} 项）")


def _events_failed(request: Request, session: DbSession, actor: CurrentActor, form_id: str, exc: Exception,
                   typed: dict[str, str]) -> Response:
    editor = queries.events_editor(session, actor)
    return rerender(request, "items/events.html", _ctx(request, editor, form=typed),
                    failure_of(exc, EVENT_NAMES, form_id=form_id))


async def _event_form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(form.get(k) or "").strip() for k in ("kind", "name", "new_name", "offset")}


@router.post(EVENTS + "/rename", response_class=HTMLResponse)
async def event_rename_submit(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    typed = await _event_form(request)
    try:
        event = event_cases.rename_event(session=session, actor=actor, kind=typed["kind"], name=typed["name"],
                                         new_name=typed["new_name"])
    except DomainError as exc:
        return _events_failed(request, session, actor, f"{typed['kind']}:{typed['name']}:manage", exc, typed)
    return redirect_with_notice(EVENTS, f"已将“{typed['name']}”改名为“{event.name}”")


@router.post(EVENTS + "/move", response_class=HTMLResponse)
async def event_move_submit(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    typed = await _event_form(request)
    try:
        event = event_cases.move_event(session=session, actor=actor, kind=typed["kind"], name=typed["name"],
                                       offset=-1 if typed["offset"] == "-1" else 1)
    except DomainError as exc:
        return _events_failed(request, session, actor, f"{typed['kind']}:{typed['name']}:manage", exc, typed)
    return redirect_with_notice(EVENTS, f"已调整“{event.name}”的顺序")


@router.post(EVENTS + "/delete", response_class=HTMLResponse)
async def event_delete_submit(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    typed = await _event_form(request)
    try:
        event_cases.delete_event(session=session, actor=actor, kind=typed["kind"], name=typed["name"])
    except DomainError as exc:
        return _events_failed(request, session, actor, f"{typed['kind']}:{typed['name']}:manage", exc, typed)
    return redirect_with_notice(EVENTS, f"已删除事件“{typed['name']}”")
