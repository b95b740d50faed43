"""Pages of licence types, issued licences, the holder's licences and public verification.

Signing and verifying run pyhanko's own event loop (asyncio.run), which cannot start inside the
server's loop: so the handlers are synchronous (FastAPI runs them in a worker thread) and read
their form through the `Form` dependency of tongban.web.forms (the CSRF check has parsed it already).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from tongban import clock
from tongban.authz import Actor, Permission
from tongban.deps import CurrentActor, DbSession, OptionalActor, public_router, secure_router
from tongban.errors import DomainError, Forbidden, TooManyRequests, ValidationFailed
from tongban.identifiers import mask_resident_id
from tongban.licences import identifier, issuing, licence_types, queries, verify
from tongban.licences.api import MAX_PDF_BYTES, verify_upload
from tongban.licences.models import Licence, LicenceType
from tongban.web.forms import (
    Form,
    active_departments,
    failure_of,
    form_text,
    named_error_message,
    redirect_with_notice,
)
from tongban.web.templating import render

router = secure_router(include_in_schema=False)
public = public_router(include_in_schema=False)

PAGE_SIZE = 20
NAMES = {
    "code": "证照类型代码", "name": "证照类型名称", "defining_org_name": "定义机构名称",
    "defining_org_code": "定义机构代码", "holder_kind": "持证主体类型", "items": "数据项",
    "validity_years": "有效年限", "description": "说明", "type_id": "证照类型", "holder_name": "持证主体名称",
    "holder_code": "持证主体代码", "number": "证照编号", "valid_from": "有效期起始日期",
    "valid_to": "有效期截止日期", "service_item_code": "事项编码", "service_item_name": "事项名称",
}
ITEM_NAMES = {"key": "数据项标识", "name": "数据项名称", "type": "数据项类型"}
TYPE_WORDS = {"文本": "text", "日期": "date", "数字": "number"}
REQUIRED_WORDS = {"必填": True, "选填": False, "required": True, "optional": False}
EVENT_LABELS = {"issue": "签发", "annotate": "加注", "suspend": "暂停", "resume": "恢复", "revoke": "注销",
                "expire": "到期"}
CHECK_LABELS = {"pdf_signature": "PDF 签名（文件完整）", "pdf_certificate": "PDF 签名证书",
                "seal_signature": "印章签名（SM2）", "seal_certificate": "印章证书", "registered": "平台登记"}
LICENCE_NOTICES = {"suspend": "证照已暂停", "resume": "证照已恢复", "revoke": "证照已注销"}
TYPE_FIELDS = ("code", "name", "defining_org_name", "defining_org_code", "holder_kind", "items", "title", "subtitle",
               "orientation", "accent_color", "columns", "footer", "validity_years", "description")
ISSUE_FIELDS = ("holder_name", "holder_code", "number", "valid_from", "valid_to", "service_item_code",
                "service_item_name")
LABELS: dict[str, Any] = {
    "holder_kinds": licence_types.HOLDER_KINDS, "item_types": licence_types.ITEM_TYPES,
    "licence_status": issuing.STATUS_LABELS, "code_types": issuing.CODE_TYPE_LABELS, "events": EVENT_LABELS,
    "outcomes": verify.OUTCOME_LABELS, "checks": CHECK_LABELS,
}


def _message(exc: Exception, names: dict[str, str] = NAMES) -> str:
    """A Chinese sentence for what went wrong, naming the fields as the form shows them."""
    return named_error_message(exc, names)


def _holder_shown(licence: Licence) -> tuple[str, str]:
    """A person's name and resident ID masked in lists; an enterprise's are public."""
    if licence.holder_code_type == "resident_id":
        return verify.mask_name(licence.holder_name), mask_resident_id(licence.holder_code)
    return licence.holder_name, licence.holder_code


def _ctx(request: Request, **extra: Any) -> dict[str, Any]:
    return {"labels": LABELS, "notice": request.query_params.get("notice"), **extra}


# ---------------------------------------------------------------- 证照类型


def _parse_items(text: str) -> list[licence_types.ItemSpec]:
    """One item a line: key|名称|text/date/number|必填/选填 (the last two may be left out)."""
    items = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        if not 2 <= len(parts) <= 4:
            raise ValidationFailed(f"数据项第 {n} 行格式不对：应为“标识|名称|类型|必填或选填”，"
                                   "例如 address|住所|text|必填。", code="licence_type_items_format")
        kind = parts[2] if len(parts) > 2 and parts[2] else "text"
        required = parts[3] if len(parts) > 3 and parts[3] else "必填"
        if required not in REQUIRED_WORDS:
            raise ValidationFailed(f"数据项第 {n} 行：第四栏应为“必填”或“选填”。", code="licence_type_items_format")
        try:
            items.append(licence_types.ItemSpec(key=parts[0], name=parts[1], type=TYPE_WORDS.get(kind, kind),
                                                required=REQUIRED_WORDS[required]))
        except ValidationError as exc:
            raise ValidationFailed(f"数据项第 {n} 行：" + _message(exc, ITEM_NAMES),
                                   code="licence_type_items_invalid") from exc
    if not items:
        raise ValidationFailed("请至少填写一个数据项，每行一个。", code="licence_type_items_format")
    return items


def _type_in(data: dict[str, Any]) -> licence_types.LicenceTypeIn:
    validity = data["validity_years"]
    if validity and not validity.isdigit():
        raise ValidationFailed("有效年限应为 1 至 100 的整数；长期有效请留空。", code="licence_type_validity")
    columns = data["columns"]
    layout = {"title": data["title"] or data["name"][:16], "subtitle": data["subtitle"],
              "orientation": data["orientation"] or "portrait", "accent_color": data["accent_color"] or "#B22222",
              "columns": int(columns) if columns.isdigit() else columns or 1, "footer": data["footer"]}
    return licence_types.LicenceTypeIn(
        code=data["code"], name=data["name"], defining_org_name=data["defining_org_name"],
        defining_org_code=data["defining_org_code"].upper(), holder_kind=data["holder_kind"],
        items=_parse_items(data["items"]), layout=layout, validity_years=int(validity) if validity else None,
        description=data["description"], issuer_department_ids=[int(i) for i in data["issuers"] if i.isdigit()])


def _form_of(row: LicenceType) -> dict[str, Any]:
    layout = row.layout or {}
    items = "\n".join(f"{i['key']}|{i['name']}|{i['type']}|{'必填' if i.get('required', True) else '选填'}"
                      for i in row.items)
    return {"code": row.code, "name": row.name, "defining_org_name": row.defining_org_name,
            "defining_org_code": row.defining_org_code, "holder_kind": row.holder_kind, "items": items,
            "validity_years": str(row.validity_years or ""), "description": row.description,
            "issuers": [str(i.department_id) for i in row.issuers],
            **{k: str(layout.get(k, "")) for k in ("title", "subtitle", "orientation", "accent_color", "columns",
                                                   "footer")}}


def _type_form(request: Request, session: DbSession, actor: Actor, *, row: LicenceType | None, form: dict[str, Any],
               error: str | None = None, status_code: int = 200) -> Response:
    actor.require(Permission.LICENCE_TYPE_MANAGE)
    return render(request, "licences/type_form.html", _ctx(
        request, row=row, form=form, error=error, departments=active_departments(session, actor)),
        status_code=status_code)


@router.get("/admin/licence-types", response_class=HTMLResponse)
def types_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    if not (actor.has(Permission.LICENCE_READ) or actor.has(Permission.LICENCE_TYPE_MANAGE)):
        raise Forbidden(detail={"permission": str(Permission.LICENCE_READ)})
    names = {d.id: d.name for d in active_departments(session, actor)}
    return render(request, "licences/types.html", _ctx(
        request, types=licence_types.list_types(session, include_retired=True), department_names=names,
        can_manage=actor.has(Permission.LICENCE_TYPE_MANAGE)))


@router.get("/admin/licence-types/new", response_class=HTMLResponse)
def type_new_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    return _type_form(request, session, actor, row=None, form={"holder_kind": "entity", "orientation": "portrait",
                                                              "accent_color": "#B22222", "columns": "1"})


@router.get("/admin/licence-types/{type_id}", response_class=HTMLResponse)
def type_edit_page(request: Request, type_id: int, session: DbSession, actor: CurrentActor) -> Response:
    row = licence_types.get_type(session, type_id)
    return _type_form(request, session, actor, row=row, form=_form_of(row))


@router.post("/admin/licence-types/{type_id}/status/{status}", response_class=HTMLResponse)
def type_status(type_id: int, status: str, session: DbSession, actor: CurrentActor) -> Response:
    row = licence_types.set_status(session=session, actor=actor, type_id=type_id, status=status)
    done = "启用" if row.status == "active" else "停用"
    return redirect_with_notice("/admin/licence-types", f"证照类型“{row.name}”已{done}")


@router.post("/admin/licence-types/{type_ref}", response_class=HTMLResponse)
def type_submit(request: Request, type_ref: str, session: DbSession, actor: CurrentActor, form: Form) -> Response:
    row = None if type_ref == "new" else licence_types.get_type(session, int(type_ref) if type_ref.isdigit() else 0)
    data: dict[str, Any] = {k: form_text(form, k) for k in TYPE_FIELDS}
    data["issuers"] = [str(v) for v in form.getlist("issuer_department_ids")]
    if row is not None:
        data["code"] = row.code  # fixed: issued identifiers contain it
    try:
        type_in = _type_in(data)
        if row is None:
            saved = licence_types.create_type(session=session, actor=actor, type_in=type_in)
        else:
            saved = licence_types.update_type(session=session, actor=actor, type_id=row.id, type_in=type_in)
    except (ValidationError, DomainError) as exc:
        why = failure_of(exc, NAMES)
        return _type_form(request, session, actor, row=row, form=data, error=why.message, status_code=why.status)
    return redirect_with_notice("/admin/licence-types", f"证照类型“{saved.name}”已{'保存' if row else '创建'}")


# ---------------------------------------------------------------- 电子证照 of the issuing department


@router.get("/licences", response_class=HTMLResponse)
def licences_page(request: Request, session: DbSession, actor: CurrentActor, type_id: str = "", status: str = "",
                  q: str = "", page: Annotated[int, Query(ge=1, le=10000)] = 1) -> Response:
    actor.require(Permission.LICENCE_READ)
    status = status if status in issuing.STATUS_LABELS else ""
    chosen = int(type_id) if type_id.isdigit() else None
    rows, total = queries.list_issued(session=session, actor=actor, type_id=chosen, status=status or None,
                                      q=q[:128], page=page, size=PAGE_SIZE)
    can_issue = actor.department_id is not None and actor.can_in_department(Permission.LICENCE_ISSUE,
                                                                            actor.department_id)
    return render(request, "licences/list.html", _ctx(
        request, rows=rows, total=total, page=page, size=PAGE_SIZE, types=licence_types.list_types(session),
        type_id=chosen, status=status, q=q, can_issue=can_issue, holder_shown=_holder_shown,
        status_today=queries.status_today))


def _issue_form(request: Request, session: DbSession, actor: Actor, *, type_id: int | None, form: dict[str, Any],
                error: str | None = None, status_code: int = 200) -> Response:
    actor.require(Permission.LICENCE_ISSUE)
    types = licence_types.list_types(session, issuer_department_id=actor.department_id) if actor.department_id else []
    chosen = next((t for t in types if t.id == type_id), types[0] if len(types) == 1 else None)
    return render(request, "licences/issue.html", _ctx(
        request, types=types, chosen=chosen, form=form, error=error), status_code=status_code)


@router.get("/licences/new", response_class=HTMLResponse)
def issue_page(request: Request, session: DbSession, actor: CurrentActor, type_id: str = "") -> Response:
    return _issue_form(request, session, actor, type_id=int(type_id) if type_id.isdigit() else None, form={})


@router.post("/licences/new", response_class=HTMLResponse)
def issue_submit(request: Request, session: DbSession, actor: CurrentActor, form: Form) -> Response:
    type_id = int(form_text(form, "type_id")) if form_text(form, "type_id").isdigit() else None
    data: dict[str, Any] = {k: form_text(form, k) for k in ISSUE_FIELDS}
    items = {str(k)[5:]: v.strip() for k, v in form.multi_items() if str(k).startswith("item_") and isinstance(v, str)}
    try:
        if type_id is None:
            raise ValidationFailed("请先选择要签发的证照类型。", code="licence_type_missing")
        body = {k: v for k, v in data.items() if v}
        licence = issuing.issue(session=session, actor=actor, licence_in=issuing.LicenceIssue.model_validate(
            {**body, "type_id": type_id, "data": items}))
    except (ValidationError, DomainError) as exc:
        why = failure_of(exc, NAMES)
        return _issue_form(request, session, actor, type_id=type_id, form={**data, "items": items}, error=why.message,
                           status_code=why.status)
    return redirect_with_notice(f"/licences/{licence.id}", f"证照已签发，证照编号 {licence.number}")


def _detail(request: Request, session: DbSession, actor: Actor, licence_id: int, *, error: str | None = None,
            form: dict[str, str] | None = None, status_code: int = 200) -> Response:
    actor.require(Permission.LICENCE_READ)
    licence = queries.read_licence(session=session, actor=actor, licence_id=licence_id)
    versions, events = queries.versions_and_events(session, licence)
    names = {i["key"]: i["name"] for i in licence.type.items}
    return render(request, "licences/detail.html", _ctx(
        request, licence=licence, versions=versions, events=events, error=error, form=form or {},
        items=[(names.get(k, k), v) for k, v in licence.data.items()], status=queries.status_today(licence),
        verify_url=issuing.verify_url(licence.identifier),
        can_issue=actor.can_in_department(Permission.LICENCE_ISSUE, licence.issuer_department_id)),
        status_code=status_code)


@router.get("/licences/{licence_id}", response_class=HTMLResponse)
def licence_page(request: Request, licence_id: int, session: DbSession, actor: CurrentActor) -> Response:
    return _detail(request, session, actor, licence_id)


def _pdf(session: DbSession, actor: Actor, licence_id: int, version: int | None) -> Response:
    licence, pdf = queries.pdf_of(session=session, actor=actor, licence_id=licence_id, version=version)
    ident = identifier.parse(licence.identifier).with_version(version) if version else licence.identifier
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{ident}.pdf"'})


@router.get("/licences/{licence_id}/pdf")
def licence_pdf(licence_id: int, session: DbSession, actor: CurrentActor,
                version: Annotated[int | None, Query(ge=1, le=999)] = None) -> Response:
    actor.require(Permission.LICENCE_READ)
    return _pdf(session, actor, licence_id, version)


@router.post("/licences/{licence_id}/annotate", response_class=HTMLResponse)
def licence_annotate(request: Request, licence_id: int, session: DbSession, actor: CurrentActor,
                     form: Form) -> Response:
    try:
        issuing.annotate(session=session, actor=actor, licence_id=licence_id, text=form_text(form, "text"))
    except DomainError as exc:
        why = failure_of(exc, NAMES)
        return _detail(request, session, actor, licence_id, error=why.message, form={"text": form_text(form, "text")},
                       status_code=why.status)
    return redirect_with_notice(f"/licences/{licence_id}",
                                "已加注并重新签章，生成了新版本；旧版本核验时将提示“已有新版本”")


@router.post("/licences/{licence_id}/status/{action}", response_class=HTMLResponse)
def licence_status(request: Request, licence_id: int, action: str, session: DbSession, actor: CurrentActor,
                   form: Form) -> Response:
    try:
        issuing.change_status(session=session, actor=actor, licence_id=licence_id, action=action,
                              reason=form_text(form, "reason"))
    except DomainError as exc:
        why = failure_of(exc, NAMES)
        return _detail(request, session, actor, licence_id, error=why.message, status_code=why.status)
    return redirect_with_notice(f"/licences/{licence_id}", LICENCE_NOTICES.get(action, "已处理"))


# ---------------------------------------------------------------- 我的证照 (citizens and enterprises)


@router.get("/my/licences", response_class=HTMLResponse)
def my_licences_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    rows = queries.my_licences(session=session, actor=actor)
    return render(request, "licences/mine.html", _ctx(request, rows=rows, status_today=queries.status_today,
                                                     verify_url=issuing.verify_url))


@router.get("/my/licences/{licence_id}/pdf")
def my_licence_pdf(licence_id: int, session: DbSession, actor: CurrentActor) -> Response:
    if not actor.holder_code:
        raise Forbidden("“我的证照”仅供群众和企业账号使用。")
    return _pdf(session, actor, licence_id, None)


# ---------------------------------------------------------------- 证照核验 (public)


def _verify_page(request: Request, *, verdict: verify.Verdict | None = None, error: str | None = None,
                 by_identifier: bool = False, identifier_text: str = "", status_code: int = 200) -> Response:
    return render(request, "licences/verify.html", _ctx(
        request, verdict=verdict, error=error, by_identifier=by_identifier, identifier_text=identifier_text,
        max_mb=MAX_PDF_BYTES // (1024 * 1024)), status_code=status_code)


@public.get("/verify", response_class=HTMLResponse)
def verify_page(request: Request, actor: OptionalActor, identifier: str = "") -> Response:
    if identifier.strip():
        return RedirectResponse(f"/verify/{quote(identifier.strip()[:200], safe='')}", status_code=303)
    return _verify_page(request)


@public.post("/verify", response_class=HTMLResponse)
def verify_submit(request: Request, session: DbSession, actor: OptionalActor, form: Form) -> Response:
    upload = form.get("file")
    data = upload.file.read(MAX_PDF_BYTES + 1) if isinstance(upload, UploadFile) else b""
    try:
        verdict = verify_upload(session, data)
    except (ValidationFailed, TooManyRequests) as exc:
        return _verify_page(request, error=exc.message, status_code=exc.status_code)
    return _verify_page(request, verdict=verdict)


@public.get("/verify/{licence_identifier}", response_class=HTMLResponse)
def verify_identifier_page(request: Request, licence_identifier: str, session: DbSession,
                           actor: OptionalActor) -> Response:
    try:
        parsed = identifier.parse(licence_identifier)
    except ValidationFailed as exc:
        return _verify_page(request, error=exc.message, identifier_text=licence_identifier[:200],
                            status_code=exc.status_code)
    verdict = verify.verify_identifier(session, str(parsed), today=clock.today())
    return _verify_page(request, verdict=verdict, by_identifier=True, identifier_text=str(parsed))
