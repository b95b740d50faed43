"""Pages of sharing: request form, the department's requests and inbox, grants, the platform's queues.

Each GET calls one read model (sharing/queries.py); each POST calls one use-case and redirects, or shows
the page again with what the user typed and the failure (web/forms.rerender).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from tongban import clock
from tongban.authz import Actor
from tongban.catalog.schemas import SENSITIVITY_LABELS
from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.errors import DomainError
from tongban.sharing import queries, service
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
from tongban.web.forms import FormFailure, failure_of, redirect_with_notice, rerender
from tongban.web.templating import render

router = secure_router(include_in_schema=False)

#: What an action the page does not offer shows (the path names no use-case).
UNKNOWN_ACTION = FormFailure("未知操作。", status=404)


def _fields(model: Any) -> dict[str, Any]:
    """A read model's fields as template variables (shallow: the objects stay objects)."""
    return {name: getattr(model, name) for name in model.__dataclass_fields__}


@router.get("/sharing", response_class=HTMLResponse)
def sharing_home(request: Request, session: DbSession, actor: CurrentActor, tab: str | None = None,
                 status: str | None = None) -> Response:
    home = queries.sharing_home(session, actor, tab=tab, status=status)
    return render(request, "sharing/home.html", {
        **_fields(home), "REQUEST_STATUS_LABELS": REQUEST_STATUS_LABELS, "GRANT_STATUS_LABELS": GRANT_STATUS_LABELS,
        "notice": request.query_params.get("notice")})


def _new_context(page: queries.NewRequest) -> dict[str, Any]:
    return {**_fields(page), "SENSITIVITY_LABELS": SENSITIVITY_LABELS}


@router.get("/sharing/requests/new", response_class=HTMLResponse)
def new_request_page(request: Request, session: DbSession, actor: CurrentActor, resource_id: int) -> Response:
    page = queries.new_request(session, actor, resource_id)
    start = clock.today()
    form = {"period_start": start.isoformat(), "period_end": (start.replace(year=start.year + 1)
                                                              - dt.timedelta(days=1)).isoformat(), "items": []}
    return render(request, "sharing/new.html", {**_new_context(page), "form": form})


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
        failure = failure_of(exc)
        rid = str(data.get("resource_id") or "0")
        page = queries.new_request(session, actor, int(rid) if rid.isdigit() else 0)
        return rerender(request, "sharing/new.html", {**_new_context(page), "form": data}, failure)
    return redirect_with_notice(f"/sharing/requests/{created.id}", "申请已提交，等待平台合规审查")


def _detail_context(request: Request, page: queries.RequestDetail) -> dict[str, Any]:
    return {**_fields(page), "SENSITIVITY_LABELS": SENSITIVITY_LABELS, "notice": request.query_params.get("notice")}


@router.get("/sharing/requests/{request_id}", response_class=HTMLResponse)
def request_page(request: Request, session: DbSession, actor: CurrentActor, request_id: int) -> Response:
    return render(request, "sharing/detail.html",
                  _detail_context(request, queries.request_detail(session, actor, request_id)))


def _detail_again(request: Request, session: DbSession, actor: Actor, request_id: int, form: FormData,
                  failure: FormFailure) -> Response:
    page = queries.request_detail(session, actor, request_id)
    return rerender(request, "sharing/detail.html", {**_detail_context(request, page), "form": dict(form)}, failure)


def _items(values: list[Any]) -> list[str]:
    return [str(i) for i in values]


async def _request_form(request: Request) -> tuple[FormData, str, str, list[str]]:
    form = await request.form()
    return form, str(form.get("note", "")), str(form.get("decision", "")), _items(form.getlist("approved_items"))


@router.post("/sharing/requests/{request_id}/compliance", response_class=HTMLResponse)
async def request_compliance(request: Request, session: DbSession, actor: CurrentActor, request_id: int) -> Response:
    form, note, decision, _ = await _request_form(request)
    try:
        service.compliance_check(session=session, actor=actor, request_id=request_id,
                                 decision=ComplianceDecision(decision=decision, note=note))
    except (ValidationError, DomainError) as exc:
        return _detail_again(request, session, actor, request_id, form, failure_of(exc))
    return redirect_with_notice(f"/sharing/requests/{request_id}", "合规审查意见已提交")


@router.post("/sharing/requests/{request_id}/decision", response_class=HTMLResponse)
async def request_decision(request: Request, session: DbSession, actor: CurrentActor, request_id: int) -> Response:
    form, note, decision, items = await _request_form(request)
    try:
        service.provider_decide(session=session, actor=actor, request_id=request_id, decision=ProviderDecision(
            decision=decision, approved_items=items if decision == "approve" else None, note=note))
    except (ValidationError, DomainError) as exc:
        return _detail_again(request, session, actor, request_id, form, failure_of(exc))
    return redirect_with_notice(f"/sharing/requests/{request_id}", "答复已提交")


@router.post("/sharing/requests/{request_id}/objection", response_class=HTMLResponse)
async def request_objection(request: Request, session: DbSession, actor: CurrentActor, request_id: int) -> Response:
    form, note, _, _ = await _request_form(request)
    try:
        service.object_to_refusal(session=session, actor=actor, request_id=request_id,
                                  objection=Objection(text=note))
    except (ValidationError, DomainError) as exc:
        return _detail_again(request, session, actor, request_id, form, failure_of(exc))
    return redirect_with_notice(f"/sharing/requests/{request_id}", "异议已提交，平台将在规定期限内协调")


@router.post("/sharing/requests/{request_id}/coordination", response_class=HTMLResponse)
async def request_coordination(request: Request, session: DbSession, actor: CurrentActor,
                               request_id: int) -> Response:
    form, note, decision, items = await _request_form(request)
    try:
        service.coordinate(session=session, actor=actor, request_id=request_id, coordination=Coordination(
            decision=decision, approved_items=items if decision == "grant" else None, note=note))
    except (ValidationError, DomainError) as exc:
        return _detail_again(request, session, actor, request_id, form, failure_of(exc))
    return redirect_with_notice(f"/sharing/requests/{request_id}", "协调决定已作出")


@router.post("/sharing/requests/{request_id}/withdraw", response_class=HTMLResponse)
async def request_withdraw(request: Request, session: DbSession, actor: CurrentActor, request_id: int) -> Response:
    form, _, _, _ = await _request_form(request)
    try:
        service.withdraw(session=session, actor=actor, request_id=request_id)
    except (ValidationError, DomainError) as exc:
        return _detail_again(request, session, actor, request_id, form, failure_of(exc))
    return redirect_with_notice(f"/sharing/requests/{request_id}", "申请已撤回")


@router.post("/sharing/requests/{request_id}/{action}", response_class=HTMLResponse)
async def request_unknown_action(request: Request, session: DbSession, actor: CurrentActor, request_id: int,
                                 action: str) -> Response:
    """An action the page does not offer: the request's page again, saying so (404)."""
    form = await request.form()
    return _detail_again(request, session, actor, request_id, form, UNKNOWN_ACTION)


def _grant_context(request: Request, page: queries.GrantDetail) -> dict[str, Any]:
    return {**_fields(page), "GRANT_STATUS_LABELS": GRANT_STATUS_LABELS, "notice": request.query_params.get("notice")}


@router.get("/sharing/grants/{grant_id}", response_class=HTMLResponse)
def grant_page(request: Request, session: DbSession, actor: CurrentActor, grant_id: int) -> Response:
    page = queries.grant_detail(session, actor, grant_id)
    return render(request, "sharing/grant.html", _grant_context(request, page))


def _grant_again(request: Request, session: DbSession, actor: Actor, grant_id: int, form: FormData,
                 failure: FormFailure) -> Response:
    """The grant page again after a failed form, with status 200 as the grant page has always answered
    (its forms are small controls beside the grant; the message above them says what to fix)."""
    page = queries.grant_detail(session, actor, grant_id)
    return rerender(request, "sharing/grant.html", {**_grant_context(request, page), "form": dict(form)},
                    replace(failure, status=200))


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
        return _grant_again(request, session, actor, grant_id, form, failure_of(exc))
    return redirect_with_notice(f"/sharing/grants/{grant_id}", "调用限额已保存")


@router.post("/sharing/grants/{grant_id}/{action}", response_class=HTMLResponse)
async def grant_action(request: Request, session: DbSession, actor: CurrentActor, grant_id: int,
                       action: str) -> Response:
    form = await request.form()
    functions = {"suspend": (service.suspend_grant, "授权已暂停"), "resume": (service.resume_grant, "授权已恢复"),
                 "revoke": (service.revoke_grant, "授权已撤销")}
    if action not in functions:
        return _grant_again(request, session, actor, grant_id, form, UNKNOWN_ACTION)
    fn, notice = functions[action]
    try:
        fn(session=session, actor=actor, grant_id=grant_id, action=GrantAction(reason=str(form.get("reason", ""))))
    except (ValidationError, DomainError) as exc:
        return _grant_again(request, session, actor, grant_id, form, failure_of(exc))
    return redirect_with_notice(f"/sharing/grants/{grant_id}", notice)
