"""Staff pages of cases (窗口 and 审批): the acceptance queue, the task list, the case page with the actions the
process allows now (受理, 不予受理, 补正 notice builder, 审查, 决定, 特别程序, 办结, 送达), and 窗口收件.

Each GET calls one read model (cases/staff_queries.py); each POST calls one use-case and redirects, or shows the
page again with what the user typed and the failure (web/forms.failure_of + rerender) — a step the process does
not allow now answers 409 with the service's Chinese message. Cases are addressed by their 办件编号.

窗口代收补正 (/cases/walk-in/supplement/<办件编号>): for a walk-in case in 补正 the clerk uploads or fetches (with the
applicant's consent) the materials the notice lists and hands in the supplement for the applicant.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData, UploadFile

from tongban.authz import Actor
from tongban.cases import applying, fees, handling, service, staff_queries, window
from tongban.cases.schemas import (
    CaseCreate,
    Decision,
    Delivery,
    MaterialConfirm,
    Refusal,
    Resumption,
    Review,
    SupplementRequest,
    Suspension,
)
from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.errors import DomainError, ValidationFailed
from tongban.files.inspect import MATERIALS, read_upload
from tongban.files.serve import file_response
from tongban.web.forms import FormFailure, failure_of, form_text, redirect_with_notice, rerender
from tongban.web.templating import render

router = secure_router(include_in_schema=False)

#: An action the page does not offer (the path names no use-case).
UNKNOWN_ACTION = FormFailure("未知操作。", status=404)
#: Field names as the forms label them (for the messages).
LABELS = {"reason": "理由", "remedies": "救济途径", "opinion": "审查意见", "decision": "决定", "items": "需补正的材料",
          "note": "说明", "method": "送达方式", "applicant_code": "申请人证件号码", "implementation_id": "申请事项",
          "consent": "申请人同意", "token": "调取凭据", "file": "材料文件", "amount_fen": "金额",
          "receipt_number": "票据号", "kind": "收费或退费"}


def _fields(model: BaseModel) -> dict[str, Any]:
    return {name: getattr(model, name) for name in type(model).model_fields}


def _notice(request: Request) -> str | None:
    return request.query_params.get("notice")


# -- queue and tasks -------------------------------------------------------------------------------------------

@router.get("/cases/queue", response_class=HTMLResponse)
def queue(request: Request, session: DbSession, actor: CurrentActor, status: str = "submitted", item: str = "",
          page: int = 1) -> Response:
    found = staff_queries.queue_page(session, actor, status=status, item_code=item[:32],
                                     page=min(max(page, 1), 10000))
    return render(request, "cases/staff_queue.html", {**_fields(found), "notice": _notice(request)})


@router.get("/cases/tasks", response_class=HTMLResponse)
def tasks(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    return render(request, "cases/staff_tasks.html",
                  {**_fields(staff_queries.tasks_page(session, actor)), "notice": _notice(request)})


# -- 窗口收件 -----------------------------------------------------------------------------------------------------

@router.get("/cases/walk-in", response_class=HTMLResponse)
def walk_in(request: Request, session: DbSession, actor: CurrentActor, code: str = "") -> Response:
    page = staff_queries.walk_in(session=session, actor=actor, code=code[:32])
    return render(request, "cases/staff_walk_in.html", {**_fields(page), "form": {}, "notice": _notice(request)})


@router.post("/cases/walk-in", response_class=HTMLResponse)
async def walk_in_create(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    form = await request.form()
    code = form_text(form, "applicant_code")
    try:
        draft = service.create_draft(session=session, actor=actor, case_in=CaseCreate.model_validate(
            {"applicant_code": code or None, "implementation_id": form_text(form, "implementation_id") or None,
             "form_data": {}}))
    except (ValidationError, DomainError) as exc:
        page = staff_queries.walk_in(session=session, actor=actor, code=code[:32])
        return rerender(request, "cases/staff_walk_in.html", {**_fields(page), "form": dict(form)},
                        failure_of(exc, LABELS))
    return redirect_with_notice(f"/cases/walk-in/drafts/{draft.id}", "已登记窗口收件，请上传材料后提交")


def _page_context(request: Request, page: window.WalkInPage) -> dict[str, Any]:
    return {**_fields(page.draft), "rows": page.materials, "notice": _notice(request),
            "base": f"/cases/walk-in/drafts/{page.draft.draft_id}"}


def _draft_context(request: Request, session: DbSession, actor: Actor, draft_id: int) -> dict[str, Any]:
    return _page_context(request, window.walk_in_page(session, actor, draft_id))


@router.get("/cases/walk-in/drafts/{draft_id}", response_class=HTMLResponse)
def walk_in_draft(request: Request, session: DbSession, actor: CurrentActor, draft_id: int) -> Response:
    return render(request, "cases/staff_walk_in_draft.html", _draft_context(request, session, actor, draft_id))


@router.post("/cases/walk-in/drafts/{draft_id}/materials/{material_id}", response_class=HTMLResponse)
async def walk_in_upload(request: Request, session: DbSession, actor: CurrentActor, draft_id: int,
                         material_id: int) -> Response:
    form = await request.form()
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValidationFailed("请选择要上传的材料文件。", code="file_missing", detail={"field": "file"})
        content = await read_upload(upload, accept=MATERIALS, field="file")
        service.upload_material(session=session, actor=actor, case_id=draft_id, material_id=material_id,
                                content=content, filename=upload.filename or "材料")
    except (ValidationError, DomainError) as exc:
        return rerender(request, "cases/staff_walk_in_draft.html", _draft_context(request, session, actor, draft_id),
                        failure_of(exc, LABELS, form_id=str(material_id)))
    return redirect_with_notice(f"/cases/walk-in/drafts/{draft_id}", "材料已上传")


@router.post("/cases/walk-in/drafts/{draft_id}/materials/{material_id}/fetch", response_class=HTMLResponse)
async def walk_in_fetch(request: Request, session: DbSession, actor: CurrentActor, draft_id: int,
                        material_id: int) -> Response:
    """调取 for the walk-in applicant, who agreed (the required tick): the page with the preview to show them."""
    form = await request.form()
    try:
        page = window.fetch(session, actor, draft_id, material_id, consent=form_text(form, "consent") == "yes")
    except DomainError as exc:
        return rerender(request, "cases/staff_walk_in_draft.html", _draft_context(request, session, actor, draft_id),
                        failure_of(exc, LABELS, form_id=str(material_id)))
    return render(request, "cases/staff_walk_in_draft.html", _page_context(request, page))


@router.post("/cases/walk-in/drafts/{draft_id}/materials/{material_id}/confirm", response_class=HTMLResponse)
async def walk_in_confirm(request: Request, session: DbSession, actor: CurrentActor, draft_id: int,
                          material_id: int) -> Response:
    """确认使用, the applicant having checked the preview on the screen."""
    form = await request.form()
    try:
        body = MaterialConfirm(token=form_text(form, "token"))
        applying.confirm_material(session=session, actor=actor, case_id=draft_id, material_id=material_id,
                                  token=body.token)
    except (ValidationError, DomainError) as exc:
        return rerender(request, "cases/staff_walk_in_draft.html", _draft_context(request, session, actor, draft_id),
                        failure_of(exc, LABELS, form_id=str(material_id)))
    return redirect_with_notice(f"/cases/walk-in/drafts/{draft_id}", "已确认使用调取的材料")


@router.post("/cases/walk-in/drafts/{draft_id}/materials/{material_id}/upload-instead",
             response_class=HTMLResponse)
async def walk_in_upload_instead(request: Request, session: DbSession, actor: CurrentActor, draft_id: int,
                                 material_id: int) -> Response:
    """改为上传: the applicant prefers to hand in the document; the clerk scans and uploads it."""
    try:
        applying.switch_to_upload(session=session, actor=actor, case_id=draft_id, material_id=material_id)
    except DomainError as exc:
        return rerender(request, "cases/staff_walk_in_draft.html", _draft_context(request, session, actor, draft_id),
                        failure_of(exc, LABELS, form_id=str(material_id)))
    return redirect_with_notice(f"/cases/walk-in/drafts/{draft_id}", "已改为上传，请扫描上传该材料")


@router.post("/cases/walk-in/drafts/{draft_id}/submit", response_class=HTMLResponse)
async def walk_in_submit(request: Request, session: DbSession, actor: CurrentActor, draft_id: int) -> Response:
    try:
        done = service.submit(session=session, actor=actor, case_id=draft_id)
    except (ValidationError, DomainError) as exc:
        return rerender(request, "cases/staff_walk_in_draft.html", _draft_context(request, session, actor, draft_id),
                        failure_of(exc, LABELS))
    number = done.case.number
    return redirect_with_notice(f"/cases/{number}",
                                f"已提交，办件编号 {number}，查询码 {done.check_code}（只显示一次，请告知申请人）")


# -- 补正 at the window ------------------------------------------------------------------------------------------

SUPPLEMENT_PAGE = "cases/staff_walk_in_supplement.html"


def _supplement_url(number: str) -> str:
    return f"/cases/walk-in/supplement/{number}"


def _supplement_context(request: Request, page: window.SupplementPage) -> dict[str, Any]:
    return {"number": page.number, "item_name": page.item_name, "applicant": page.applicant, "lines": page.lines,
            "missing": page.missing, "base": _supplement_url(page.number), "notice": _notice(request)}


def _supplement_again(request: Request, session: DbSession, actor: Actor, number: str,
                      failure: FormFailure) -> Response:
    page = window.supplement_page(session, actor, number)
    return rerender(request, SUPPLEMENT_PAGE, _supplement_context(request, page), failure)


@router.get("/cases/walk-in/supplement/{number}", response_class=HTMLResponse)
def walk_in_supplement(request: Request, session: DbSession, actor: CurrentActor, number: str) -> Response:
    """窗口代收补正: the materials the 补正 notice lists, for the walk-in applicant at the window."""
    page = window.supplement_page(session, actor, number[:32])
    return render(request, SUPPLEMENT_PAGE, _supplement_context(request, page))


@router.post("/cases/walk-in/supplement/{number}/materials/{material_id}", response_class=HTMLResponse)
async def walk_in_supplement_upload(request: Request, session: DbSession, actor: CurrentActor, number: str,
                                    material_id: int) -> Response:
    """The document the applicant hands in, scanned (also instead of a fetch: the applicant's choice)."""
    form = await request.form()
    number = number[:32]
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValidationFailed("请选择要上传的材料文件。", code="file_missing", detail={"field": "file"})
        content = await read_upload(upload, accept=MATERIALS, field="file")
        service.upload_material(session=session, actor=actor, case_id=staff_queries.case_id_of(session, actor, number),
                                material_id=material_id, content=content, filename=upload.filename or "材料")
    except (ValidationError, DomainError) as exc:
        return _supplement_again(request, session, actor, number, failure_of(exc, LABELS, form_id=str(material_id)))
    return redirect_with_notice(_supplement_url(number), "补正材料已上传")


@router.post("/cases/walk-in/supplement/{number}/materials/{material_id}/fetch", response_class=HTMLResponse)
async def walk_in_supplement_fetch(request: Request, session: DbSession, actor: CurrentActor, number: str,
                                   material_id: int) -> Response:
    """调取 during 补正, the applicant having agreed (the required tick): the page with the preview."""
    form = await request.form()
    number = number[:32]
    try:
        page = window.supplement_fetch(session, actor, number, material_id,
                                       consent=form_text(form, "consent") == "yes")
    except DomainError as exc:
        return _supplement_again(request, session, actor, number, failure_of(exc, LABELS, form_id=str(material_id)))
    return render(request, SUPPLEMENT_PAGE, _supplement_context(request, page))


@router.post("/cases/walk-in/supplement/{number}/materials/{material_id}/confirm", response_class=HTMLResponse)
async def walk_in_supplement_confirm(request: Request, session: DbSession, actor: CurrentActor, number: str,
                                     material_id: int) -> Response:
    """确认使用, the applicant having checked the preview on the screen."""
    form = await request.form()
    number = number[:32]
    try:
        body = MaterialConfirm(token=form_text(form, "token"))
        case_id = staff_queries.case_id_of(session, actor, number)
        applying.confirm_material(session=session, actor=actor, case_id=case_id, material_id=material_id,
                                  token=body.token)
    except (ValidationError, DomainError) as exc:
        return _supplement_again(request, session, actor, number, failure_of(exc, LABELS, form_id=str(material_id)))
    return redirect_with_notice(_supplement_url(number), "已确认使用调取的材料")


@router.post("/cases/walk-in/supplement/{number}/materials/{material_id}/upload-instead",
             response_class=HTMLResponse)
async def walk_in_supplement_upload_instead(request: Request, session: DbSession, actor: CurrentActor, number: str,
                                            material_id: int) -> Response:
    """改为上传: the applicant prefers to hand in the document."""
    number = number[:32]
    try:
        case_id = staff_queries.case_id_of(session, actor, number)
        applying.switch_to_upload(session=session, actor=actor, case_id=case_id, material_id=material_id)
    except DomainError as exc:
        return _supplement_again(request, session, actor, number, failure_of(exc, LABELS, form_id=str(material_id)))
    return redirect_with_notice(_supplement_url(number), "已改为上传，请扫描上传该材料")


@router.post("/cases/walk-in/supplement/{number}/submit", response_class=HTMLResponse)
async def walk_in_supplement_submit(request: Request, session: DbSession, actor: CurrentActor,
                                    number: str) -> Response:
    """补正材料已提交, handed in at the window for the applicant; back to the case page."""
    number = number[:32]
    try:
        service.supplement(session=session, actor=actor, case_id=staff_queries.case_id_of(session, actor, number))
    except DomainError as exc:
        return _supplement_again(request, session, actor, number, failure_of(exc, LABELS, form_id="submit"))
    return redirect_with_notice(f"/cases/{number}", "已代申请人提交补正材料，受理期限继续计算")


# -- the case page ---------------------------------------------------------------------------------------------

def _case_context(request: Request, page: staff_queries.StaffCase) -> dict[str, Any]:
    return {"page": page, "d": page.detail, "s": page.detail.summary, "notice": _notice(request), "form": {}}


@router.get("/cases/{number}", response_class=HTMLResponse)
def case_page(request: Request, session: DbSession, actor: CurrentActor, number: str) -> Response:
    if not actor.is_staff:  # the applicant's own view of the case, not the departments' page without its actions
        return RedirectResponse(staff_queries.applicant_case_url(session=session, actor=actor, number=number[:32]),
                                status_code=303)
    page = staff_queries.case_page(session=session, actor=actor, number=number[:32])
    return render(request, "cases/staff_case.html", _case_context(request, page))


@router.get("/cases/{number}/materials/{material_id}")
def material(session: DbSession, actor: CurrentActor, number: str, material_id: int, inline: bool = False) -> Response:
    got = staff_queries.material_file(session=session, actor=actor, number=number[:32], material_id=material_id)
    return file_response(got.content, filename=got.file.filename, content_type=got.file.content_type,
                         sha256=got.file.sha256, inline=inline)


def _again(request: Request, session: DbSession, actor: Actor, number: str, form: FormData,
           failure: FormFailure) -> Response:
    page = staff_queries.case_page(session=session, actor=actor, number=number)
    return rerender(request, "cases/staff_case.html", {**_case_context(request, page), "form": dict(form),
                                                       "checked": form.getlist("materials")}, failure)


def _supplement(form: FormData) -> SupplementRequest:
    """The 补正 notice from the builder: every ticked material with what to do and the clerk's words."""
    items = [{"material_id": mid, "how": form_text(form, f"how_{mid}"), "note": form_text(form, f"note_{mid}")}
             for mid in (str(v) for v in form.getlist("materials")) if mid.isdigit()]
    return SupplementRequest.model_validate({"items": items, "note": form_text(form, "note")})


def _decision(form: FormData) -> Decision:
    return Decision.model_validate({"decision": form_text(form, "decision"), "reason": form_text(form, "reason"),
                                    "remedies": form_text(form, "remedies")})


def _fee(form: FormData) -> fees.FeeIn:
    """收费登记 from the page: the amount typed in 元 (two decimals at most) is taken in 分."""
    typed = form_text(form, "amount")
    m = re.fullmatch(r"(\d{1,9})(?:\.(\d{1,2}))?", typed)
    amount: int | str = int(m.group(1)) * 100 + int((m.group(2) or "0").ljust(2, "0")) if m else typed
    return fees.FeeIn.model_validate({"kind": form_text(form, "kind") or "charge", "amount_fen": amount,
                                      "receipt_number": form_text(form, "receipt_number"),
                                      "note": form_text(form, "note")})


#: Each action of the case page: the use-case, how its input is read from the form, and the notice on success.
ACTIONS: dict[str, tuple[Any, Any, str]] = {
    "accept": (lambda s, a, i, f: handling.accept(session=s, actor=a, case_id=i), None, "已受理"),
    "reject": (lambda s, a, i, f: handling.reject(session=s, actor=a, case_id=i, refusal=f),
               lambda form: Refusal(reason=form_text(form, "reason"), remedies=form_text(form, "remedies")),
               "已作出不予受理决定"),
    "supplement": (lambda s, a, i, f: handling.request_supplement(session=s, actor=a, case_id=i, request=f),
                   _supplement, "已一次性告知补正"),
    "review": (lambda s, a, i, f: handling.review(session=s, actor=a, case_id=i, review_in=f),
               lambda form: Review(opinion=form_text(form, "opinion")), "审查意见已提交"),
    "decide": (lambda s, a, i, f: handling.decide(session=s, actor=a, case_id=i, decision=f), _decision,
               "已作出决定"),
    "suspend": (lambda s, a, i, f: handling.suspend(session=s, actor=a, case_id=i, suspension=f),
                lambda form: Suspension.model_validate({"reason": form_text(form, "reason"),
                                                        "note": form_text(form, "note")}), "已进入特别程序，暂停计时"),
    "resume": (lambda s, a, i, f: handling.resume(session=s, actor=a, case_id=i, resumption=f),
               lambda form: Resumption(note=form_text(form, "note")), "特别程序结束，已恢复计时"),
    "close": (lambda s, a, i, f: handling.close(session=s, actor=a, case_id=i), None, "已办结"),
    "deliver": (lambda s, a, i, f: handling.deliver(session=s, actor=a, case_id=i, delivery=f),
                lambda form: Delivery.model_validate({"method": form_text(form, "method") or "电子送达"}), "已送达"),
    "fee": (lambda s, a, i, f: fees.record_fee(session=s, actor=a, case_id=i, fee_in=f), _fee, "已登记"),
}


@router.post("/cases/{number}/{action}", response_class=HTMLResponse)
async def case_action(request: Request, session: DbSession, actor: CurrentActor, number: str,
                      action: str) -> Response:
    """One step on the case: its use-case (which checks department, role and process), then back to the page."""
    form = await request.form()
    number = number[:32]
    if action not in ACTIONS:
        return _again(request, session, actor, number, form, UNKNOWN_ACTION)
    case_id = staff_queries.case_id_of(session, actor, number)
    run, parse, notice = ACTIONS[action]
    try:
        run(session, actor, case_id, parse(form) if parse else None)
    except (ValidationError, DomainError) as exc:
        return _again(request, session, actor, number, form, failure_of(exc, LABELS, form_id=action))
    return redirect_with_notice(f"/cases/{number}", notice)
