"""Pages of the departments' electronic seals and of the CA certificates the platform trusts (平台管理员).

Making a seal signs with the key store (and the SM2 issuing CA): the handlers are synchronous like
the licence pages' and read their form through the `Form` dependency.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from tongban.authz import Actor, Permission
from tongban.crypto import ca
from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.errors import DomainError, NotFound, ValidationFailed
from tongban.seals import service as seals
from tongban.seals.models import Seal
from tongban.web.forms import Form, active_departments, failure_of, form_text, redirect_with_notice
from tongban.web.templating import render

router = secure_router(include_in_schema=False)

NAMES = {"department_id": "部门", "kind": "印章类型", "valid_years": "有效年限", "ca_source": "证书来源"}
SEAL_NOTICES = {"suspend": "印章已暂停使用", "resume": "印章已恢复使用", "revoke": "印章已注销"}
LABELS: dict[str, Any] = {"seal_kinds": seals.SEAL_KINDS, "seal_status": seals.SEAL_STATUS_LABELS,
                          "algorithms": ca.ALGORITHM_LABELS}


def _seal(session: DbSession, actor: Actor, seal_id: int) -> Seal:
    return seals.get_seal(session=session, actor=actor, seal_id=seal_id)


def _seals_page(request: Request, session: DbSession, actor: Actor, *, error: str | None = None,
                error_for: str = "", form: dict[str, str] | None = None, status_code: int = 200) -> Response:
    actor.require(Permission.SEAL_MANAGE)
    # No service lists the CA rows with their metadata; this read is what the JSON API does too.
    cas = ca.list_certificates(session=session, actor=actor)
    return render(request, "seals/seals.html", {
        "labels": LABELS, "notice": request.query_params.get("notice"),
        "seals": seals.list_seals(session=session, actor=actor), "cas": cas, "error": error, "error_for": error_for,
        "form": form or {}, "departments": active_departments(session, actor), "max_years": seals.MAX_YEARS},
        status_code=status_code)


@router.get("/admin/seals", response_class=HTMLResponse)
def seals_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    return _seals_page(request, session, actor)


@router.post("/admin/seals", response_class=HTMLResponse)
def seal_create(request: Request, session: DbSession, actor: CurrentActor, form: Form) -> Response:
    data = {k: form_text(form, k) for k in ("department_id", "kind", "valid_years", "ca_source")}
    try:
        seal = seals.create_seal(session=session, actor=actor, seal_in=seals.SealCreate.model_validate(
            {k: v for k, v in data.items() if v}))
    except (ValidationError, DomainError) as exc:
        why = failure_of(exc, NAMES)
        return _seals_page(request, session, actor, error=why.message, error_for="new", form=data,
                           status_code=why.status)
    notice = "印章已制作并启用" if seal.status == "active" else "印章已创建，请下载证书请求交外部 CA 签发后安装证书"
    return redirect_with_notice("/admin/seals", anchor=f"s{seal.id}", notice=notice)


@router.get("/admin/seals/{seal_id}/picture.svg")
def seal_picture(seal_id: int, session: DbSession, actor: CurrentActor) -> Response:
    seal = _seal(session, actor, seal_id)
    # Shown through <img>; and opened directly it may run nothing and load nothing.
    return Response(seal.picture_svg, media_type="image/svg+xml",
                    headers={"Content-Security-Policy": "default-src 'none'", "Cache-Control": "private, max-age=300"})


@router.post("/admin/seals/{seal_id}/status/{action}", response_class=HTMLResponse)
def seal_status(request: Request, seal_id: int, action: str, session: DbSession, actor: CurrentActor,
                form: Form) -> Response:
    try:
        seals.change_status(session=session, actor=actor, seal_id=seal_id, action=action,
                            reason=form_text(form, "reason"))
    except DomainError as exc:
        why = failure_of(exc, NAMES)
        return _seals_page(request, session, actor, error=why.message, error_for=str(seal_id), status_code=why.status)
    return redirect_with_notice("/admin/seals", anchor=f"s{seal_id}", notice=SEAL_NOTICES[action])


@router.get("/admin/seals/{seal_id}/requests/{which}")
def seal_request(seal_id: int, which: str, session: DbSession, actor: CurrentActor) -> Response:
    if which not in ("sm2", "pdf"):
        raise NotFound("证书请求只有 sm2 和 pdf 两种。")
    seal = _seal(session, actor, seal_id)
    reqs = seals.certificate_requests(session=session, actor=actor, seal_id=seal_id)
    return Response(reqs.sm2 if which == "sm2" else reqs.pdf, media_type="application/pkcs10",
                    headers={"Content-Disposition": f'attachment; filename="seal-{seal.es_id}-{which}.csr"'})


@router.post("/admin/seals/{seal_id}/certificates", response_class=HTMLResponse)
def seal_certificates(request: Request, seal_id: int, session: DbSession, actor: CurrentActor,
                      form: Form) -> Response:
    sm2, pdf = form_text(form, "sm2_certificate"), form_text(form, "pdf_certificate")
    try:
        if not sm2 or not pdf:
            raise ValidationFailed("请粘贴外部 CA 签发的两张证书（SM2 印章证书和 ECDSA PDF 签名证书，PEM 格式）。")
        seals.install_certificates(session=session, actor=actor, seal_id=seal_id, sm2_cert=sm2.encode(),
                                   pdf_cert=pdf.encode())
    except DomainError as exc:
        why = failure_of(exc, NAMES)
        return _seals_page(request, session, actor, error=why.message, error_for=str(seal_id),
                           form={"sm2_certificate": sm2, "pdf_certificate": pdf}, status_code=why.status)
    return redirect_with_notice("/admin/seals", anchor=f"s{seal_id}", notice="证书已安装，印章已启用")


@router.post("/admin/ca", response_class=HTMLResponse)
def ca_import(request: Request, session: DbSession, actor: CurrentActor, form: Form) -> Response:
    pem, role = form_text(form, "pem"), form_text(form, "role")
    try:
        if not pem:
            raise ValidationFailed("请粘贴外部 CA 的证书（PEM 格式）。")
        row = ca.import_external(session=session, actor=actor, data=pem.encode(), role=role)
    except DomainError as exc:
        why = failure_of(exc, NAMES)
        return _seals_page(request, session, actor, error=why.message, error_for="ca", form={"pem": pem, "role": role},
                           status_code=why.status)
    return redirect_with_notice("/admin/seals", anchor="ca", notice=f"已信任外部 CA 证书：{row.subject}")
