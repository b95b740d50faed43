"""Pages of data-quality disputes: the lists (我方提出 / 针对我方 / 平台协调), the raise form, the detail page."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from tongban import clock
from tongban.authz import Actor, Permission
from tongban.catalog import service as catalog
from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.disputes import permissions as rules
from tongban.disputes import service
from tongban.disputes.api import read_uploads
from tongban.disputes.evidence import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS
from tongban.disputes.schemas import (
    DISPUTE_STATUS_LABELS,
    ROLE_LABELS,
    UNRESOLVED,
    DisputeAnswer,
    DisputeCoordination,
    DisputeCreate,
    DisputeEscalation,
)
from tongban.errors import DomainError, Forbidden
from tongban.web.forms import allowed, error_message
from tongban.web.templating import render

router = secure_router(include_in_schema=False)

TIMELINE_LABELS = {
    "dispute.raise": "提出疑义",
    "dispute.attach": "上传证明材料",
    "dispute.attachment_download": "下载证明材料",
    "dispute.correct": "提供方答复：已更正",
    "dispute.reject": "提供方答复：不予更正",
    "dispute.withdraw": "撤回疑义",
    "dispute.escalate": "申请平台协调",
    "dispute.coordinate_correct": "平台协调结论：予以更正",
    "dispute.coordinate_uphold": "平台协调结论：维持原数据",
    "dispute.overdue": "逾期预警",
}


def _tabs(actor: Actor) -> list[tuple[str, str]]:
    tabs = []
    if actor.is_staff and actor.has(Permission.DISPUTE_RAISE):
        tabs.append("raised")
    if actor.is_staff and actor.has(Permission.DISPUTE_ANSWER):
        tabs.append("against")
    if rules.is_platform(actor):
        tabs.append("platform")
    return [(t, ROLE_LABELS[t]) for t in tabs]


@router.get("/disputes", response_class=HTMLResponse)
def disputes_home(request: Request, session: DbSession, actor: CurrentActor, tab: str | None = None,
                  status: str | None = None, overdue: str | None = None) -> Response:
    tabs = _tabs(actor)
    if not tabs:
        raise Forbidden("数据疑义由部门数据管理员提出和答复，您没有相关权限。")
    tab = tab if tab in dict(tabs) else tabs[0][0]
    wanted = status if status in DISPUTE_STATUS_LABELS or status == "unresolved" else None
    rows, total = service.list_disputes(session=session, actor=actor, role=tab, status=wanted,
                                        overdue=overdue == "1", size=200)
    return render(request, "disputes/home.html", {
        "tabs": tabs, "tab": tab, "status": wanted or "", "overdue": overdue == "1",
        "disputes": [service.dispute_read(d) for d in rows], "total": total,
        "STATUS_LABELS_DISPUTE": DISPUTE_STATUS_LABELS, "notice": request.query_params.get("notice")})


def _new_form(request: Request, session: DbSession, actor: Actor, resource_id: int, *, form: dict[str, Any],
              error: str | None = None, status_code: int = 200) -> Response:
    actor.require(Permission.DISPUTE_RAISE)
    resource = catalog.get_resource(session=session, actor=actor, resource_id=resource_id)
    allowed = set(service.disputable_items(session=session, actor=actor, resource_id=resource.id))
    return render(request, "disputes/new.html", {
        "resource": resource, "items": [i for i in resource.items if i.key in allowed], "form": form,
        "error": error, "max_mb": MAX_ATTACHMENT_BYTES // (1024 * 1024), "max_files": MAX_ATTACHMENTS},
        status_code=status_code)


@router.get("/disputes/new", response_class=HTMLResponse)
def new_dispute_page(request: Request, session: DbSession, actor: CurrentActor, resource: int,
                     key: str = "") -> Response:
    return _new_form(request, session, actor, resource, form={"record_key": key[:255], "items": [], "proposed": {}})


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
        rid = data["resource_id"]
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        return _new_form(request, session, actor, int(rid) if rid.isdigit() else 0, form=data, error=error_message(exc),
                         status_code=status_code)
    notice = f"疑义已提交，提供部门应在 {created.due_on} 前答复"
    return RedirectResponse(f"/disputes/{created.id}?notice={quote(notice)}", status_code=303)


def _note(action: str, detail: dict[str, Any]) -> str:
    """One short line of what an audited step carried, for the timeline."""
    if action in ("dispute.attach", "dispute.attachment_download"):
        return str(detail.get("filename", ""))
    if action in ("dispute.raise", "dispute.escalate") and detail.get("due_on"):
        return f"答复期限 {detail['due_on']}"
    if action == "dispute.overdue":
        who = "提供部门" if detail.get("owed_by") == "provider" else "平台"
        return f"期限 {detail.get('due_on')} 已过，{who}尚未办结"
    return ""


def _detail(request: Request, session: DbSession, actor: Actor, dispute_id: int, *, error: str | None = None,
            status_code: int = 200) -> Response:
    dispute = service.get_dispute(session=session, actor=actor, dispute_id=dispute_id)
    read = service.detail_read(session, dispute)
    deadline = read.escalation_deadline
    steps = service.timeline(session=session, dispute=dispute)
    can = {
        "answer": dispute.status == "open" and rules.is_answerer(actor, dispute),
        "withdraw": dispute.status in UNRESOLVED and rules.is_raiser(actor, dispute),
        "attach": dispute.status in UNRESOLVED and rules.is_raiser(actor, dispute),
        "escalate": dispute.status == "rejected" and allowed(rules.check_raiser_staff, actor, dispute)
        and (deadline is None or clock.today() <= deadline),
        "coordinate": dispute.status == "escalated" and rules.is_platform(actor),
    }
    return render(request, "disputes/detail.html", {
        "d": read, "items": {i.key: i for i in dispute.resource.items}, "can": can,
        "timeline": steps, "timeline_notes": {e.seq: _note(e.action, json.loads(e.detail or "{}")) for e in steps},
        "TIMELINE_LABELS": TIMELINE_LABELS,
        "max_mb": MAX_ATTACHMENT_BYTES // (1024 * 1024), "error": error,
        "notice": request.query_params.get("notice")}, status_code=status_code)


@router.get("/disputes/{dispute_id}", response_class=HTMLResponse)
def dispute_page(request: Request, session: DbSession, actor: CurrentActor, dispute_id: int) -> Response:
    return _detail(request, session, actor, dispute_id)


@router.post("/disputes/{dispute_id}/{action}", response_class=HTMLResponse)
async def dispute_action(request: Request, session: DbSession, actor: CurrentActor, dispute_id: int,
                         action: str) -> Response:
    form = await request.form()
    note = str(form.get("note", ""))
    decision = str(form.get("decision", ""))
    try:
        if action == "answer":
            service.answer(session=session, actor=actor, dispute_id=dispute_id,
                           answer_in=DisputeAnswer.model_validate({"decision": decision, "note": note}))
            notice = "答复已提交"
        elif action == "withdraw":
            service.withdraw(session=session, actor=actor, dispute_id=dispute_id)
            notice = "疑义已撤回"
        elif action == "escalate":
            service.escalate(session=session, actor=actor, dispute_id=dispute_id,
                             escalation=DisputeEscalation(reason=note))
            notice = "已申请平台协调"
        elif action == "coordinate":
            service.coordinate(session=session, actor=actor, dispute_id=dispute_id,
                               coordination=DisputeCoordination.model_validate({"decision": decision, "note": note}))
            notice = "协调结论已作出"
        elif action == "attachments":
            files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
            service.add_attachments(session=session, actor=actor, dispute_id=dispute_id,
                                    files=await read_uploads(files))
            notice = "证明材料已上传"
        else:
            return _detail(request, session, actor, dispute_id, error="未知操作。", status_code=404)
    except (ValidationError, DomainError) as exc:
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        return _detail(request, session, actor, dispute_id, error=error_message(exc), status_code=status_code)
    return RedirectResponse(f"/disputes/{dispute_id}?notice={quote(notice)}", status_code=303)
