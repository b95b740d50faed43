"""Pages of the applicant (phone first): 在线申请 with pre-fill and fetched materials, the receipt, 我的办件, the case
page with 补正 and 撤回, and the anonymous progress lookup (办件查询).

Each GET renders one read model (cases/citizen.py); each POST calls one step (a use-case, or citizen.py's step
that joins a use-case with the exchange call it needs) and redirects, or shows the page again with what went
wrong beside the field (web/forms.failure_of + rerender).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from tongban.authz import Actor
from tongban.cases import applying, citizen, queries, service
from tongban.cases.api import LOOKUPS_PER_MINUTE, _lookups
from tongban.cases.models import SUPPLEMENT
from tongban.cases.schemas import Lookup, MaterialConfirm, Withdrawal
from tongban.deps import CurrentActor, DbSession, Id, OptionalActor, public_router, secure_router
from tongban.errors import DomainError, TooManyRequests, ValidationFailed
from tongban.files.inspect import MATERIALS, read_upload
from tongban.web.forms import Form, failure_of, form_text, redirect_with_notice, rerender
from tongban.web.templating import render

router = secure_router(include_in_schema=False)
public = public_router(include_in_schema=False)

NAMES = {"token": "调取凭据", "reason": "撤回理由", "number": "办件编号", "check_code": "查询码", "file": "材料文件"}


def _days(n: int | None) -> str:
    return f"{n} 个工作日" if n else "当场办结"


def _ctx(request: Request, **extra: Any) -> dict[str, Any]:
    return {"notice": request.query_params.get("notice"), "days": _days, **extra}


# ---------------------------------------------------------------- 在线申请


@router.get("/services/apply/bundle/{code}", response_class=HTMLResponse)
def apply_bundle_page(request: Request, code: str, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, "cases/citizen_apply.html",
                  _ctx(request, view=citizen.apply_start(session, actor, code=code, bundle=True)))


@router.post("/services/apply/bundle/{code}", response_class=HTMLResponse)
def apply_bundle(code: str, session: DbSession, actor: CurrentActor) -> Response:
    case = citizen.start_application(session, actor, code=code, bundle=True)
    return RedirectResponse(f"/my/cases/{case.id}/apply", status_code=303)


@router.get("/services/apply/{code}", response_class=HTMLResponse)
def apply_page(request: Request, code: str, session: DbSession, actor: CurrentActor,
               impl: Annotated[int | None, Query(ge=1)] = None) -> Response:
    return render(request, "cases/citizen_apply.html",
                  _ctx(request, view=citizen.apply_start(session, actor, code=code, implementation_id=impl)))


@router.post("/services/apply/{code}", response_class=HTMLResponse)
def apply(code: str, session: DbSession, actor: CurrentActor, form: Form) -> Response:
    impl = form_text(form, "implementation_id")
    case = citizen.start_application(session, actor, code=code,
                                     implementation_id=int(impl) if impl.isdigit() else None)
    return RedirectResponse(f"/my/cases/{case.id}/apply", status_code=303)


def _form_values(form: FormData, view: citizen.DraftPage) -> dict[str, Any]:
    applicant = {f.key: form_text(form, f"f_{f.key}") for f in view.fields}
    answers = {q.field: form_text(form, f"q_{q.field}") for q in view.questions}
    return {"applicant": applicant, "answers": answers, "note": form_text(form, "note")}


@router.get("/my/cases/{case_id}/apply", response_class=HTMLResponse)
def draft_form(request: Request, case_id: Id, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, "cases/citizen_form.html",
                  _ctx(request, view=citizen.draft_page(session, actor, case_id), typed=None))


@router.post("/my/cases/{case_id}/apply", response_class=HTMLResponse)
def draft_submit(request: Request, case_id: Id, session: DbSession, actor: CurrentActor, form: Form) -> Response:
    view = citizen.draft_page(session, actor, case_id)
    values = _form_values(form, view)
    submitting = form_text(form, "action") == "submit"
    try:
        if not submitting:
            citizen.save_draft(session, actor, case_id, **values)
            return redirect_with_notice(f"/my/cases/{case_id}/apply", "草稿已保存，可随时回来继续填写。")
        done = citizen.save_and_submit(session, actor, case_id, **values)
    except DomainError as exc:
        failure = failure_of(exc)
        return rerender(request, "cases/citizen_form.html",
                        _ctx(request, view=citizen.draft_page(session, actor, case_id), typed=values), failure)
    detail = queries.case_detail(session, actor, case_id)
    return render(request, "cases/citizen_receipt.html",
                  _ctx(request, detail=detail, check_code=done.check_code, snapshot=done.case.snapshot,
                       next_step=citizen.NEXT_STEPS[detail.summary.status]))


def _back(case_status: str, case_id: int) -> str:
    return f"/my/cases/{case_id}" if case_status == SUPPLEMENT else f"/my/cases/{case_id}/apply"


def _page_for(request: Request, session: DbSession, actor: Actor, case_id: int,
              failure: Any = None, **extra: Any) -> Response:
    """The page a material's form is on: the draft's form, or the case page during 补正."""
    page = citizen.case_page(session, actor, case_id)
    if page.detail.summary.status == SUPPLEMENT:
        ctx = _ctx(request, view=page, **extra)
        return rerender(request, "cases/citizen_case.html", ctx, failure) if failure else render(
            request, "cases/citizen_case.html", ctx)
    ctx = _ctx(request, view=citizen.draft_page(session, actor, case_id), typed=None, **extra)
    return rerender(request, "cases/citizen_form.html", ctx, failure) if failure else render(
        request, "cases/citizen_form.html", ctx)


@router.post("/my/cases/{case_id}/materials/{material_id}/fetch", response_class=HTMLResponse)
def material_fetch(request: Request, case_id: Id, material_id: Id, session: DbSession,
                   actor: CurrentActor) -> Response:
    page = citizen.fetch(session, actor, case_id, material_id)
    if isinstance(page, citizen.CasePage):
        return render(request, "cases/citizen_case.html", _ctx(request, view=page))
    return render(request, "cases/citizen_form.html", _ctx(request, view=page, typed=None))


@router.post("/my/cases/{case_id}/materials/{material_id}/confirm", response_class=HTMLResponse)
def material_confirm(request: Request, case_id: Id, material_id: Id, session: DbSession, actor: CurrentActor,
                     form: Form) -> Response:
    try:
        body = MaterialConfirm(token=form_text(form, "token"))
        applying.confirm_material(session=session, actor=actor, case_id=case_id, material_id=material_id,
                                  token=body.token)
    except (DomainError, ValueError) as exc:
        return _page_for(request, session, actor, case_id, failure_of(exc, NAMES, form_id=str(material_id)))
    status = citizen.case_page(session, actor, case_id).detail.summary.status
    return redirect_with_notice(_back(status, case_id), "已确认使用调取的材料。", anchor=f"m{material_id}")


@router.post("/my/cases/{case_id}/materials/{material_id}/upload-instead", response_class=HTMLResponse)
def material_upload_instead(request: Request, case_id: Id, material_id: Id, session: DbSession,
                            actor: CurrentActor) -> Response:
    try:
        applying.switch_to_upload(session=session, actor=actor, case_id=case_id, material_id=material_id)
    except DomainError as exc:
        return _page_for(request, session, actor, case_id, failure_of(exc, NAMES, form_id=str(material_id)))
    status = citizen.case_page(session, actor, case_id).detail.summary.status
    return redirect_with_notice(_back(status, case_id), "已改为自行上传，请上传该材料。", anchor=f"m{material_id}")


@router.post("/my/cases/{case_id}/materials/{material_id}/file", response_class=HTMLResponse)
async def material_upload(request: Request, case_id: Id, material_id: Id, session: DbSession,
                          actor: CurrentActor) -> Response:
    form = await request.form()
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValidationFailed("请选择要上传的文件。", code="file_missing", detail={"field": "file"})
        content = await read_upload(upload, accept=MATERIALS, field="file")
        service.upload_material(session=session, actor=actor, case_id=case_id, material_id=material_id,
                                content=content, filename=upload.filename)
    except DomainError as exc:
        return _page_for(request, session, actor, case_id, failure_of(exc, NAMES, form_id=str(material_id)))
    status = citizen.case_page(session, actor, case_id).detail.summary.status
    return redirect_with_notice(_back(status, case_id), "材料已上传。", anchor=f"m{material_id}")


# ---------------------------------------------------------------- 我的办件


@router.get("/my/cases", response_class=HTMLResponse)
def my_cases(request: Request, session: DbSession, actor: CurrentActor,
             page: Annotated[int, Query(ge=1, le=10000)] = 1) -> Response:
    return render(request, "cases/citizen_list.html", _ctx(request, view=citizen.my_cases_page(session, actor,
                                                                                                page=page)))


@router.get("/my/cases/{case_id}", response_class=HTMLResponse)
def my_case(request: Request, case_id: Id, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, "cases/citizen_case.html", _ctx(request, view=citizen.case_page(session, actor, case_id)))


@router.post("/my/cases/{case_id}/supplement", response_class=HTMLResponse)
def submit_supplement(request: Request, case_id: Id, session: DbSession, actor: CurrentActor) -> Response:
    try:
        service.supplement(session=session, actor=actor, case_id=case_id)
    except DomainError as exc:
        return rerender(request, "cases/citizen_case.html",
                        _ctx(request, view=citizen.case_page(session, actor, case_id)),
                        failure_of(exc, form_id="supplement"))
    return redirect_with_notice(f"/my/cases/{case_id}", "补正材料已提交，受理期限继续计算。")


@router.post("/my/cases/{case_id}/withdraw", response_class=HTMLResponse)
def withdraw(request: Request, case_id: Id, session: DbSession, actor: CurrentActor, form: Form) -> Response:
    try:
        if form_text(form, "confirm") != "yes":
            raise ValidationFailed("请勾选“确认撤回”。撤回后本次申请终止，需要时可重新申请。",
                                   code="withdraw_unconfirmed", detail={"field": "confirm"})
        service.withdraw(session=session, actor=actor, case_id=case_id,
                         withdrawal=Withdrawal(reason=form_text(form, "reason")))
    except (DomainError, ValueError) as exc:
        return rerender(request, "cases/citizen_case.html",
                        _ctx(request, view=citizen.case_page(session, actor, case_id),
                             typed={"reason": form_text(form, "reason")}),
                        failure_of(exc, NAMES, form_id="withdraw"))
    return redirect_with_notice(f"/my/cases/{case_id}", "申请已撤回。")


# ---------------------------------------------------------------- 办件查询 (anyone)


@public.get("/services/progress", response_class=HTMLResponse)
def progress_page(request: Request) -> Response:
    return render(request, "cases/citizen_progress.html", _ctx(request, result=None, typed={}))


@public.post("/services/progress", response_class=HTMLResponse)
def progress(request: Request, session: DbSession, actor: OptionalActor, form: Form) -> Response:
    typed = {"number": form_text(form, "number"), "check_code": form_text(form, "check_code")}
    try:
        wait = _lookups.hit(actor.client_ip or "unknown", LOOKUPS_PER_MINUTE)
        if wait:  # nobody guesses 查询码 by the thousand (shared with the API's lookups)
            raise TooManyRequests(f"查询过于频繁，请 {wait} 秒后再试。", code="case_lookup_rate_limited",
                                  retry_after=wait)
        body = Lookup(number=typed["number"], check_code=typed["check_code"].upper())
        result = citizen.progress(session, actor, body.number, body.check_code)
    except (DomainError, ValueError) as exc:
        if isinstance(exc, DomainError) and exc.code == "case_lookup_failed":
            exc = ValidationFailed("办件编号或查询码不正确，请核对回执上的编号和查询码。", code="case_lookup_failed")
        return rerender(request, "cases/citizen_progress.html", _ctx(request, result=None, typed=typed),
                        failure_of(exc, NAMES))
    return render(request, "cases/citizen_progress.html", _ctx(request, result=result, typed={}))
