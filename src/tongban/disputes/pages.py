"""Pages of data-quality disputes: the lists (我方提出 / 针对我方 / 平台协调), the raise form, the detail page.

Each GET calls one read model (disputes/queries.py); each POST calls one use-case and redirects, or shows
the page again with what the user typed and the failure (web/forms.rerender).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from tongban.authz import Actor
from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.disputes import queries, service
from tongban.disputes.api import read_uploads
from tongban.disputes.schemas import (
    DISPUTE_STATUS_LABELS,
    DisputeAnswer,
    DisputeCoordination,
    DisputeCreate,
    DisputeEscalation,
)
from tongban.errors import DomainError
from tongban.web.forms import FormFailure, failure_of, redirect_with_notice, rerender
from tongban.web.templating import render

router = secure_router(include_in_schema=False)


def _fields(model: Any) -> dict[str, Any]:
    """A read model's fields as template variables (shallow: the objects stay objects)."""
    return {name: getattr(model, name) for name in model.__dataclass_fields__}


@router.get("/disputes", response_class=HTMLResponse)
def disputes_home(request: Request, session: DbSession, actor: CurrentActor, tab: str | None = None,
                  status: str | None = None, overdue: str | None = None) -> Response:
    home = queries.disputes_home(session, actor, tab=tab, status=status, overdue=overdue == "1")
    return render(request, "disputes/home.html", {
        **_fields(home), "STATUS_LABELS_DISPUTE": DISPUTE_STATUS_LABELS, "notice": request.query_params.get("notice")})


@router.get("/disputes/new", response_class=HTMLResponse)
def new_dispute_page(request: Request, session: DbSession, actor: CurrentActor, resource: int,
                     key: str = "") -> Response:
    page = queries.new_dispute(session, actor, resource)
    return render(request, "disputes/new.html", {
        **_fields(page), "form": {"record_key": key[:255], "items": [], "proposed": {}}})


@router.post("/disputes/new", response_class=HTMLResponse)
async def new_dispute_submit(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    form = await request.form()
    items = [str(i) for i in form.getlist("items")]
    data: dict[str, Any] = {
        "resource_id": str(form.get("resource_id") or ""), "record_key": str(form.get("record_key") or ""),
        "items": items, "description": str(form.get("description") or ""),
        "evidence": str(form.get("evidence") or ""),
        "proposed": {k: str(form.get(f"proposed_{k}") or "") for k in items if str(form.get(f"proposed_{k}") or "")},
    }
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    try:
        uploads = await read_uploads(files)
        created = service.raise_dispute(session=session, actor=actor, files=uploads,
                                        dispute_in=DisputeCreate.model_validate(data))
    except (ValidationError, DomainError) as exc:
        failure = failure_of(exc)
        rid = data["resource_id"]
        page = queries.new_dispute(session, actor, int(rid) if rid.isdigit() else 0)
        return rerender(request, "disputes/new.html", {**_fields(page), "form": data}, failure)
    return redirect_with_notice(f"/disputes/{created.id}", f"疑义已提交，提供部门应在 {created.due_on} 前答复")


def _detail_context(request: Request, page: queries.DisputeDetail) -> dict[str, Any]:
    return {**_fields(page), "TIMELINE_LABELS": queries.TIMELINE_LABELS, "notice": request.query_params.get("notice")}


@router.get("/disputes/{dispute_id}", response_class=HTMLResponse)
def dispute_page(request: Request, session: DbSession, actor: CurrentActor, dispute_id: int) -> Response:
    return render(request, "disputes/detail.html",
                  _detail_context(request, queries.dispute_detail(session, actor, dispute_id)))


def _detail_again(request: Request, session: DbSession, actor: Actor, dispute_id: int, form: FormData,
                  failure: FormFailure) -> Response:
    page = queries.dispute_detail(session, actor, dispute_id)
    typed = {k: v for k, v in form.items() if isinstance(v, str)}
    return rerender(request, "disputes/detail.html", {**_detail_context(request, page), "form": typed}, failure)


async def _action_form(request: Request) -> tuple[FormData, str, str]:
    form = await request.form()
    return form, str(form.get("note", "")), str(form.get("decision", ""))


@router.post("/disputes/{dispute_id}/answer", response_class=HTMLResponse)
async def dispute_answer(request: Request, session: DbSession, actor: CurrentActor, dispute_id: int) -> Response:
    form, note, decision = await _action_form(request)
    try:
        service.answer(session=session, actor=actor, dispute_id=dispute_id,
                       answer_in=DisputeAnswer.model_validate({"decision": decision, "note": note}))
    except (ValidationError, DomainError) as exc:
        return _detail_again(request, session, actor, dispute_id, form, failure_of(exc))
    return redirect_with_notice(f"/disputes/{dispute_id}", "答复已提交")


@router.post("/disputes/{dispute_id}/withdraw", response_class=HTMLResponse)
async def dispute_withdraw(request: Request, session: DbSession, actor: CurrentActor, dispute_id: int) -> Response:
    form, _, _ = await _action_form(request)
    try:
        service.withdraw(session=session, actor=actor, dispute_id=dispute_id)
    except (ValidationError, DomainError) as exc:
        return _detail_again(request, session, actor, dispute_id, form, failure_of(exc))
    return redirect_with_notice(f"/disputes/{dispute_id}", "疑义已撤回")


@router.post("/disputes/{dispute_id}/escalate", response_class=HTMLResponse)
async def dispute_escalate(request: Request, session: DbSession, actor: CurrentActor, dispute_id: int) -> Response:
    form, note, _ = await _action_form(request)
    try:
        service.escalate(session=session, actor=actor, dispute_id=dispute_id,
                         escalation=DisputeEscalation(reason=note))
    except (ValidationError, DomainError) as exc:
        return _detail_again(request, session, actor, dispute_id, form, failure_of(exc))
    return redirect_with_notice(f"/disputes/{dispute_id}", "已申请平台协调")


@router.post("/disputes/{dispute_id}/coordinate", response_class=HTMLResponse)
async def dispute_coordinate(request: Request, session: DbSession, actor: CurrentActor, dispute_id: int) -> Response:
    form, note, decision = await _action_form(request)
    try:
        service.coordinate(session=session, actor=actor, dispute_id=dispute_id,
                           coordination=DisputeCoordination.model_validate({"decision": decision, "note": note}))
    except (ValidationError, DomainError) as exc:
        return _detail_again(request, session, actor, dispute_id, form, failure_of(exc))
    return redirect_with_notice(f"/disputes/{dispute_id}", "协调结论已作出")


@router.post("/disputes/{dispute_id}/attachments", response_class=HTMLResponse)
async def dispute_attachments(request: Request, session: DbSession, actor: CurrentActor, dispute_id: int) -> Response:
    form, _, _ = await _action_form(request)
    try:
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
        service.add_attachments(session=session, actor=actor, dispute_id=dispute_id, files=await read_uploads(files))
    except (ValidationError, DomainError) as exc:
        return _detail_again(request, session, actor, dispute_id, form, failure_of(exc))
    return redirect_with_notice(f"/disputes/{dispute_id}", "证明材料已上传")


@router.post("/disputes/{dispute_id}/{action}", response_class=HTMLResponse)
async def dispute_unknown_action(request: Request, session: DbSession, actor: CurrentActor, dispute_id: int,
                                 action: str) -> Response:
    """An action the page does not offer: the dispute's page again, saying so (404)."""
    form = await request.form()
    return _detail_again(request, session, actor, dispute_id, form, FormFailure("未知操作。", status=404))
