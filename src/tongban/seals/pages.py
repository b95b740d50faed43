"""Pages of the departments' electronic seals and of the CA certificates the platform trusts (平台管理员).

Each GET calls one read model (seals/queries.py); each POST calls one use-case and redirects, or shows
the page again with what the user typed and the failure (web/forms.rerender), `failure.form_id` naming
the form that failed ("new", "ca" or the seal's id). Making a seal signs with the key store (and the SM2
issuing CA): the handlers are synchronous like the licence pages' and read their form through the
`Form` dependency.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from tongban.authz import Actor
from tongban.crypto import ca
from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.errors import DomainError, ValidationFailed
from tongban.seals import queries
from tongban.seals import service as seals
from tongban.web.forms import Form, failure_of, form_text, redirect_with_notice, rerender
from tongban.web.templating import render

router = secure_router(include_in_schema=False)

TEMPLATE = "seals/seals.html"
NAMES = {"department_id": "部门", "kind": "印章类型", "valid_years": "有效年限", "ca_source": "证书来源"}
SEAL_NOTICES = {"suspend": "印章已暂停使用", "resume": "印章已恢复使用", "revoke": "印章已注销"}
LABELS: dict[str, Any] = {"seal_kinds": seals.SEAL_KINDS, "seal_status": seals.SEAL_STATUS_LABELS,
                          "algorithms": ca.ALGORITHM_LABELS}


def _context(request: Request, session: DbSession, actor: Actor) -> dict[str, Any]:
    """The page's read model as template variables, with the labels and the notice after a redirect."""
    home = queries.seals_home(session, actor)
    return {**{name: getattr(home, name) for name in home.__dataclass_fields__}, "labels": LABELS,
            "notice": request.query_params.get("notice")}


def _again(request: Request, session: DbSession, actor: Actor, exc: Exception, form_id: str,
           form: dict[str, str]) -> Response:
    """The page again after a failed form (refusals and missing objects go to the error page)."""
    failure = failure_of(exc, NAMES, form_id=form_id)
    return rerender(request, TEMPLATE, {**_context(request, session, actor), "form": form}, failure)


@router.get("/admin/seals", response_class=HTMLResponse)
def seals_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, TEMPLATE, {**_context(request, session, actor), "form": {}})


@router.post("/admin/seals", response_class=HTMLResponse)
def seal_create(request: Request, session: DbSession, actor: CurrentActor, form: Form) -> Response:
    data = {k: form_text(form, k) for k in ("department_id", "kind", "valid_years", "ca_source")}
    try:
        seal = seals.create_seal(session=session, actor=actor, seal_in=seals.SealCreate.model_validate(
            {k: v for k, v in data.items() if v}))
    except (ValidationError, DomainError) as exc:
        return _again(request, session, actor, exc, "new", data)
    notice = "印章已制作并启用" if seal.status == "active" else "印章已创建，请下载证书请求交外部 CA 签发后安装证书"
    return redirect_with_notice("/admin/seals", anchor=f"s{seal.id}", notice=notice)


@router.get("/admin/seals/{seal_id}/picture.svg")
def seal_picture(seal_id: int, session: DbSession, actor: CurrentActor) -> Response:
    # Shown through <img>; and opened directly it may run nothing and load nothing.
    return Response(queries.seal_picture(session, actor, seal_id), media_type="image/svg+xml",
                    headers={"Content-Security-Policy": "default-src 'none'", "Cache-Control": "private, max-age=300"})


@router.post("/admin/seals/{seal_id}/status/{action}", response_class=HTMLResponse)
def seal_status(request: Request, seal_id: int, action: str, session: DbSession, actor: CurrentActor,
                form: Form) -> Response:
    try:
        seals.change_status(session=session, actor=actor, seal_id=seal_id, action=action,
                            reason=form_text(form, "reason"))
    except (ValidationError, DomainError) as exc:
        return _again(request, session, actor, exc, str(seal_id), {})
    return redirect_with_notice("/admin/seals", anchor=f"s{seal_id}", notice=SEAL_NOTICES[action])


@router.get("/admin/seals/{seal_id}/requests/{which}")
def seal_request(seal_id: int, which: str, session: DbSession, actor: CurrentActor) -> Response:
    file = queries.certificate_request(session, actor, seal_id, which)
    return Response(file.pem, media_type="application/pkcs10",
                    headers={"Content-Disposition": f'attachment; filename="{file.filename}"'})


@router.post("/admin/seals/{seal_id}/certificates", response_class=HTMLResponse)
def seal_certificates(request: Request, seal_id: int, session: DbSession, actor: CurrentActor,
                      form: Form) -> Response:
    sm2, pdf = form_text(form, "sm2_certificate"), form_text(form, "pdf_certificate")
    try:
        if not sm2 or not pdf:
            raise ValidationFailed("请粘贴外部 CA 签发的两张证书（SM2 印章证书和 ECDSA PDF 签名证书，PEM 格式）。")
        seals.install_certificates(session=session, actor=actor, seal_id=seal_id, sm2_cert=sm2.encode(),
                                   pdf_cert=pdf.encode())
    except (ValidationError, DomainError) as exc:
        return _again(request, session, actor, exc, str(seal_id), {"sm2_certificate": sm2, "pdf_certificate": pdf})
    return redirect_with_notice("/admin/seals", anchor=f"s{seal_id}", notice="证书已安装，印章已启用")


@router.post("/admin/ca", response_class=HTMLResponse)
def ca_import(request: Request, session: DbSession, actor: CurrentActor, form: Form) -> Response:
    pem, role = form_text(form, "pem"), form_text(form, "role")
    try:
        if not pem:
            raise ValidationFailed("请粘贴外部 CA 的证书（PEM 格式）。")
        row = ca.import_external(session=session, actor=actor, data=pem.encode(), role=role)
    except (ValidationError, DomainError) as exc:
        return _again(request, session, actor, exc, "ca", {"pem": pem, "role": role})
    return redirect_with_notice("/admin/seals", anchor="ca", notice=f"已信任外部 CA 证书：{row.subject}")
