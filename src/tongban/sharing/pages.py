"""Pages of sharing: request form, the department's requests and inbox, grants, the platform's queues."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from tongban import clock
from tongban.authz import Actor, Permission
from tongban.catalog import service as catalog
from tongban.catalog.schemas import SENSITIVITY_LABELS
from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.errors import DomainError
from tongban.org import service as org
from tongban.sharing import permissions as rules
from tongban.sharing import service
from tongban.sharing.schemas import (
    GRANT_STATUS_LABELS,
    REQUEST_STATUS_LABELS,
    ComplianceDecision,
    Coordination,
    GrantAction,
    GrantQuota,
    Objection,
    ProviderDecision,
    RequestCreate,
)
from tongban.web.forms import allowed, error_message
from tongban.web.templating import render

router = secure_router(include_in_schema=False)

TABS = {
    "consumer": "本部门的申请",
    "provider": "待本部门答复",
    "grants": "本部门获得的授权",
    "given": "本部门给出的授权",
    "compliance": "合规审查",
    "disputes": "争议协调",
}


def _tabs(actor: Actor) -> list[tuple[str, str]]:
    tabs = []
    if actor.has(Permission.SHARING_READ):
        tabs += ["consumer", "provider", "grants", "given"]
    if actor.has(Permission.SHARING_COMPLIANCE):
        tabs += ["compliance", "disputes"]
    return [(t, TABS[t]) for t in tabs]


@router.get("/sharing", response_class=HTMLResponse)
def sharing_home(request: Request, session: DbSession, actor: CurrentActor, tab: str | None = None,
                 status: str | None = None) -> Response:
    tabs = _tabs(actor)
    if not tabs:
        actor.require(Permission.SHARING_READ)
    tab = tab if tab in dict(tabs) else tabs[0][0]
    ctx: dict[str, Any] = {"tabs": tabs, "tab": tab, "status": status or "", "today": clock.today(),
                           "REQUEST_STATUS_LABELS": REQUEST_STATUS_LABELS, "GRANT_STATUS_LABELS": GRANT_STATUS_LABELS,
                           "notice": request.query_params.get("notice")}
    if tab in ("grants", "given"):
        grants = service.list_grants(session=session, actor=actor, role="consumer" if tab == "grants" else "provider")
        ctx["grants"] = [service.grant_read(g) for g in grants]
    else:
        role = {"consumer": "consumer", "provider": "provider", "compliance": "platform", "disputes": "platform"}[tab]
        wanted = {"compliance": "submitted", "disputes": "objected"}.get(tab, status or None)
        if tab == "provider" and not status:
            wanted = "open"
        rows, total = service.list_requests(session=session, actor=actor, role=role, status=wanted, size=200)
        ctx["requests"] = [service.request_read(r) for r in rows]
        ctx["total"] = total
    return render(request, "sharing/home.html", ctx)


def _new_form(request: Request, session: DbSession, actor: Actor, resource_id: int, *, form: dict[str, Any],
              error: str | None = None, status_code: int = 200) -> Response:
    resource = catalog.get_resource(session=session, actor=actor, resource_id=resource_id)
    clients = [c for c in org.list_clients(session=session, actor=actor, department_id=actor.department_id)
               if c.status == "active"] if actor.department_id else []
    return render(request, "sharing/new.html", {
        "resource": resource, "clients": clients, "form": form, "error": error,
        "SENSITIVITY_LABELS": SENSITIVITY_LABELS}, status_code=status_code)


@router.get("/sharing/requests/new", response_class=HTMLResponse)
def new_request_page(request: Request, session: DbSession, actor: CurrentActor, resource_id: int) -> Response:
    actor.require(Permission.SHARING_REQUEST)
    start = clock.today()
    form = {"period_start": start.isoformat(), "period_end": (start.replace(year=start.year + 1)
                                                              - dt.timedelta(days=1)).isoformat(), "items": []}
    return _new_form(request, session, actor, resource_id, form=form)


@router.post("/sharing/requests/new", response_class=HTMLResponse)
async def new_request_submit(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    form = await request.form()
    data: dict[str, Any] = {k: form.get(k) for k in ("resource_id", "client_id", "purpose", "legal_basis", "scenario",
                                                      "period_start", "period_end")}
    data["items"] = form.getlist("items")
    try:
        created = service.submit_request(session=session, actor=actor, request_in=RequestCreate.model_validate(
            {k: v for k, v in data.items() if v not in ("", None)}))
    except (ValidationError, DomainError) as exc:
        rid = str(data.get("resource_id") or "0")
        return _new_form(request, session, actor, int(rid) if rid.isdigit() else 0, form=data, error=error_message(exc),
                         status_code=422)
    return RedirectResponse(f"/sharing/requests/{created.id}?notice={quote('申请已提交，等待平台合规审查')}",
                            status_code=303)


def _detail(request: Request, session: DbSession, actor: Actor, request_id: int, *, error: str | None = None,
            status_code: int = 200) -> Response:
    req = service.get_request(session=session, actor=actor, request_id=request_id)
    grant = service.grant_for(session, req.id)
    resource_items = {i.key: i for i in req.resource.items}
    can = {
        "compliance": req.status == "submitted" and allowed(rules.check_platform, actor),
        "decide": req.status in ("pending_provider", "objected")
        and allowed(rules.check_provider, actor, req.provider_id),
        "object": req.status == "refused" and allowed(rules.check_consumer, actor, req),
        "withdraw": req.status in ("submitted", "pending_provider", "objected", "refused")
        and allowed(rules.check_consumer, actor, req),
        "coordinate": req.status == "objected" and allowed(rules.check_platform, actor),
    }
    return render(request, "sharing/detail.html", {
        "req": service.request_read(req, grant_id=grant.id if grant else None), "items": resource_items,
        "can": can, "objection_deadline": service.objection_deadline(session, req),
        "SENSITIVITY_LABELS": SENSITIVITY_LABELS, "error": error,
        "notice": request.query_params.get("notice")}, status_code=status_code)


@router.get("/sharing/requests/{request_id}", response_class=HTMLResponse)
def request_page(request: Request, session: DbSession, actor: CurrentActor, request_id: int) -> Response:
    return _detail(request, session, actor, request_id)


@router.post("/sharing/requests/{request_id}/{action}", response_class=HTMLResponse)
async def request_action(request: Request, session: DbSession, actor: CurrentActor, request_id: int,
                         action: str) -> Response:
    form = await request.form()
    note = str(form.get("note", ""))
    items = form.getlist("approved_items")
    try:
        if action == "compliance":
            service.compliance_check(session=session, actor=actor, request_id=request_id, decision=ComplianceDecision(
                decision=str(form.get("decision", "")), note=note))
            notice = "合规审查意见已提交"
        elif action == "decision":
            service.provider_decide(session=session, actor=actor, request_id=request_id, decision=ProviderDecision(
                decision=str(form.get("decision", "")),
                approved_items=[str(i) for i in items] if form.get("decision") == "approve" else None, note=note))
            notice = "答复已提交"
        elif action == "objection":
            service.object_to_refusal(session=session, actor=actor, request_id=request_id,
                                      objection=Objection(text=note))
            notice = "异议已提交，平台将在规定期限内协调"
        elif action == "coordination":
            service.coordinate(session=session, actor=actor, request_id=request_id, coordination=Coordination(
                decision=str(form.get("decision", "")),
                approved_items=[str(i) for i in items] if form.get("decision") == "grant" else None, note=note))
            notice = "协调决定已作出"
        elif action == "withdraw":
            service.withdraw(session=session, actor=actor, request_id=request_id)
            notice = "申请已撤回"
        else:
            return _detail(request, session, actor, request_id, error="未知操作。", status_code=404)
    except (ValidationError, DomainError) as exc:
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        return _detail(request, session, actor, request_id, error=error_message(exc), status_code=status_code)
    return RedirectResponse(f"/sharing/requests/{request_id}?notice={quote(notice)}", status_code=303)


@router.get("/sharing/grants/{grant_id}", response_class=HTMLResponse)
def grant_page(request: Request, session: DbSession, actor: CurrentActor, grant_id: int,
               error: str | None = None) -> Response:
    grant = service.get_grant(session=session, actor=actor, grant_id=grant_id)
    return render(request, "sharing/grant.html", {
        "grant": service.grant_read(grant), "can_control": allowed(rules.check_grant_control, actor, grant),
        "items": {i.key: i for i in grant.resource.items}, "GRANT_STATUS_LABELS": GRANT_STATUS_LABELS,
        "notice": request.query_params.get("notice"), "error": error})


def _limit(value: object) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else (None if not text else -1)


@router.post("/sharing/grants/{grant_id}/quota", response_class=HTMLResponse)
async def grant_quota(request: Request, session: DbSession, actor: CurrentActor, grant_id: int) -> Response:
    form = await request.form()
    try:
        quota = GrantQuota(calls_per_minute=_limit(form.get("calls_per_minute")),
                           calls_per_day=_limit(form.get("calls_per_day")))
        service.set_grant_quota(session=session, actor=actor, grant_id=grant_id, quota=quota)
    except (ValidationError, DomainError) as exc:
        return grant_page(request, session, actor, grant_id, error=error_message(exc))
    return RedirectResponse(f"/sharing/grants/{grant_id}?notice={quote('调用限额已保存')}", status_code=303)


@router.post("/sharing/grants/{grant_id}/{action}", response_class=HTMLResponse)
async def grant_action(request: Request, session: DbSession, actor: CurrentActor, grant_id: int,
                       action: str) -> Response:
    form = await request.form()
    functions = {"suspend": (service.suspend_grant, "授权已暂停"), "resume": (service.resume_grant, "授权已恢复"),
                 "revoke": (service.revoke_grant, "授权已撤销")}
    if action not in functions:
        return grant_page(request, session, actor, grant_id, error="未知操作。")
    fn, notice = functions[action]
    try:
        fn(session=session, actor=actor, grant_id=grant_id, action=GrantAction(reason=str(form.get("reason", ""))))
    except (ValidationError, DomainError) as exc:
        return grant_page(request, session, actor, grant_id, error=error_message(exc))
    return RedirectResponse(f"/sharing/grants/{grant_id}?notice={quote(notice)}", status_code=303)
