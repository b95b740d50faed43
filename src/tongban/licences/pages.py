"""Pages of licence types, issued licences, the holder's licences and public verification.

Signing and verifying run pyhanko's own event loop (asyncio.run), which cannot start inside the
server's loop: so the handlers are synchronous (FastAPI runs them in a worker thread) and read
their form through the `Form` dependency of tongban.web.forms (the CSRF check has parsed it already).

Each GET calls one read model (licences/queries.py); each POST calls one use-case and redirects, or shows
the page again with what the user typed and the failure (web/forms.failure_of + rerender).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from tongban.authz import Actor, Permission
from tongban.deps import CurrentActor, DbSession, OptionalActor, public_router, secure_router
from tongban.errors import DomainError, Forbidden, TooManyRequests, ValidationFailed
from tongban.files.serve import file_response
from tongban.licences import identifier, issuing, licence_types, queries, verify
from tongban.licences.api import MAX_PDF_BYTES, verify_upload
from tongban.web.forms import Form, failure_of, form_text, named_error_message, redirect_with_notice, rerender
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


def _ctx(request: Request, model: Any = None, **extra: Any) -> dict[str, Any]:
    """A page's read model as template variables (shallow: the objects stay objects), with the labels
    and the notice after a redirect."""
    fields = {name: getattr(model, name) for name in model.__dataclass_fields__} if model is not None else {}
    return {"labels": LABELS, "notice": request.query_params.get("notice"), **fields, **extra}


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


@router.get("/admin/licence-types", response_class=HTMLResponse)
def types_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, "licences/types.html", _ctx(request, queries.licence_types_home(session, actor)))


@router.get("/admin/licence-types/new", response_class=HTMLResponse)
def type_new_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, "licences/type_form.html", _ctx(request, queries.licence_type_form(session, actor, None)))


@router.get("/admin/licence-types/{type_id}", response_class=HTMLResponse)
def type_edit_page(request: Request, type_id: int, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, "licences/type_form.html",
                  _ctx(request, queries.licence_type_form(session, actor, type_id)))


@router.post("/admin/licence-types/{type_id}/status/{status}", response_class=HTMLResponse)
def type_status(type_id: int, status: str, session: DbSession, actor: CurrentActor) -> Response:
    row = licence_types.set_status(session=session, actor=actor, type_id=type_id, status=status)
    done = "启用" if row.status == "active" else "停用"
    return redirect_with_notice("/admin/licence-types", f"证照类型“{row.name}”已{done}")


@router.post("/admin/licence-types/{type_ref}", response_class=HTMLResponse)
def type_submit(request: Request, type_ref: str, session: DbSession, actor: CurrentActor, form: Form) -> Response:
    type_id = None if type_ref == "new" else int(type_ref) if type_ref.isdigit() else 0
    data: dict[str, Any] = {k: form_text(form, k) for k in TYPE_FIELDS}
    data["issuers"] = [str(v) for v in form.getlist("issuer_department_ids")]
    if type_id is not None:
        # The code is fixed (issued identifiers contain it): the saved one, whatever the form says.
        page = queries.licence_type_form(session, actor, type_id)
        data["code"] = page.form["code"]
    try:
        type_in = _type_in(data)
        if type_id is None:
            saved = licence_types.create_type(session=session, actor=actor, type_in=type_in)
        else:
            saved = licence_types.update_type(session=session, actor=actor, type_id=type_id, type_in=type_in)
    except (ValidationError, DomainError) as exc:
        failure = failure_of(exc, NAMES)
        return rerender(request, "licences/type_form.html",
                        _ctx(request, queries.licence_type_form(session, actor, type_id), form=data), failure)
    return redirect_with_notice("/admin/licence-types", f"证照类型“{saved.name}”已{'保存' if type_id else '创建'}")


# ---------------------------------------------------------------- 电子证照 of the issuing department


@router.get("/licences", response_class=HTMLResponse)
def licences_page(request: Request, session: DbSession, actor: CurrentActor, type_id: str = "", status: str = "",
                  q: str = "", page: Annotated[int, Query(ge=1, le=10000)] = 1) -> Response:
    home = queries.licences_home(session, actor, type_id=int(type_id) if type_id.isdigit() else None,
                                 status=status, q=q, page=page, size=PAGE_SIZE)
    return render(request, "licences/list.html", _ctx(request, home))


@router.get("/licences/new", response_class=HTMLResponse)
def issue_page(request: Request, session: DbSession, actor: CurrentActor, type_id: str = "") -> Response:
    page = queries.issue_form(session, actor, int(type_id) if type_id.isdigit() else None)
    return render(request, "licences/issue.html", _ctx(request, page, form={}))


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
        failure = failure_of(exc, NAMES)
        return rerender(request, "licences/issue.html",
                        _ctx(request, queries.issue_form(session, actor, type_id), form={**data, "items": items}),
                        failure)
    return redirect_with_notice(f"/licences/{licence.id}", f"证照已签发，证照编号 {licence.number}")


def _detail_again(request: Request, session: DbSession, actor: Actor, licence_id: int, exc: Exception,
                  form: dict[str, str]) -> Response:
    """The licence page again after a failed action (refusals and missing licences go to the error page)."""
    failure = failure_of(exc, NAMES)
    return rerender(request, "licences/detail.html",
                    _ctx(request, queries.licence_detail(session, actor, licence_id), form=form), failure)


@router.get("/licences/{licence_id}", response_class=HTMLResponse)
def licence_page(request: Request, licence_id: int, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, "licences/detail.html",
                  _ctx(request, queries.licence_detail(session, actor, licence_id), form={}))


def _pdf(session: DbSession, actor: Actor, licence_id: int, version: int | None) -> Response:
    licence, pdf = queries.pdf_of(session=session, actor=actor, licence_id=licence_id, version=version)
    ident = identifier.parse(licence.identifier).with_version(version) if version else licence.identifier
    return file_response(pdf, filename=f"{ident}.pdf", content_type="application/pdf")


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
    except (ValidationError, DomainError) as exc:
        return _detail_again(request, session, actor, licence_id, exc, {"text": form_text(form, "text")})
    return redirect_with_notice(f"/licences/{licence_id}",
                                "已加注并重新签章，生成了新版本；旧版本核验时将提示“已有新版本”")


@router.post("/licences/{licence_id}/status/{action}", response_class=HTMLResponse)
def licence_status(request: Request, licence_id: int, action: str, session: DbSession, actor: CurrentActor,
                   form: Form) -> Response:
    try:
        issuing.change_status(session=session, actor=actor, licence_id=licence_id, action=action,
                              reason=form_text(form, "reason"))
    except (ValidationError, DomainError) as exc:
        return _detail_again(request, session, actor, licence_id, exc, {})
    return redirect_with_notice(f"/licences/{licence_id}", LICENCE_NOTICES.get(action, "已处理"))


# ---------------------------------------------------------------- 我的证照 (citizens and enterprises)


@router.get("/my/licences", response_class=HTMLResponse)
def my_licences_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, "licences/mine.html", _ctx(request, queries.my_licences_home(session, actor)))


@router.get("/my/licences/{licence_id}/pdf")
def my_licence_pdf(licence_id: int, session: DbSession, actor: CurrentActor) -> Response:
    if not actor.holder_code:
        raise Forbidden("“我的证照”仅供群众和企业账号使用。")
    return _pdf(session, actor, licence_id, None)


# ---------------------------------------------------------------- 证照核验 (public)


def _verify_context(request: Request, **values: Any) -> dict[str, Any]:
    """What the verification page shows besides a verdict: the upload limit, the identifier typed."""
    return _ctx(request, **{"max_mb": MAX_PDF_BYTES // (1024 * 1024), "verdict": None, "by_identifier": False,
                            "identifier_text": "", **values})


@public.get("/verify", response_class=HTMLResponse)
def verify_page(request: Request, actor: OptionalActor, identifier: str = "") -> Response:
    if identifier.strip():
        return RedirectResponse(f"/verify/{quote(identifier.strip()[:200], safe='')}", status_code=303)
    return render(request, "licences/verify.html", _verify_context(request))


@public.post("/verify", response_class=HTMLResponse)
def verify_submit(request: Request, session: DbSession, actor: OptionalActor, form: Form) -> Response:
    upload = form.get("file")
    data = upload.file.read(MAX_PDF_BYTES + 1) if isinstance(upload, UploadFile) else b""
    try:
        verdict = verify_upload(session, data)
    except (ValidationFailed, TooManyRequests) as exc:
        return rerender(request, "licences/verify.html", _verify_context(request), failure_of(exc))
    return render(request, "licences/verify.html", _verify_context(request, verdict=verdict))


@public.get("/verify/{licence_identifier}", response_class=HTMLResponse)
def verify_identifier_page(request: Request, licence_identifier: str, session: DbSession,
                           actor: OptionalActor) -> Response:
    try:
        checked = queries.identifier_verification(session, licence_identifier)
    except ValidationFailed as exc:
        return rerender(request, "licences/verify.html",
                        _verify_context(request, identifier_text=licence_identifier[:200]), failure_of(exc))
    return render(request, "licences/verify.html", _verify_context(
        request, verdict=checked.verdict, by_identifier=True, identifier_text=checked.identifier))
