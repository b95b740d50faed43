"""Sharing-request use-cases: submit, compliance check, provider decision, objection, coordination,
withdrawal; grants: suspend, resume, revoke. Every step is audited; deadlines are working days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tongban import notifications, numbering
from tongban.audit import service as audit
from tongban.authz import Actor, Permission
from tongban.catalog.models import InformationResource
from tongban.clock import today
from tongban.config import get_settings
from tongban.db import utcnow
from tongban.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from tongban.org.models import AppClient
from tongban.sharing import deadlines
from tongban.sharing import permissions as rules
from tongban.sharing.limits import limits_of
from tongban.sharing.models import Grant, SharingRequest
from tongban.sharing.schemas import (
    GRANT_STATUS_LABELS,
    REQUEST_STATUS_LABELS,
    ComplianceDecision,
    Coordination,
    GrantAction,
    GrantQuota,
    GrantRead,
    Objection,
    ProviderDecision,
    RequestCreate,
    RequestRead,
)
from tongban.transactions import use_case
from tongban.workdays import service as workdays

OPEN_STATES = ("submitted", "pending_provider", "refused", "objected")


def request_read(request: SharingRequest, *, on: dt.date | None = None, grant_id: int | None = None) -> RequestRead:
    out = RequestRead.model_validate(request)
    out.consumer_name = request.consumer.name
    out.provider_name = request.provider.name
    out.client_name = request.client.name
    out.resource_code = request.resource.code
    out.resource_name = request.resource.name
    out.status_label = REQUEST_STATUS_LABELS.get(request.status, request.status)
    out.overdue = deadlines.is_overdue(request, on or today())
    out.grant_id = grant_id
    return out


def grant_read(grant: Grant, *, on: dt.date | None = None) -> GrantRead:
    out = GrantRead.model_validate(grant)
    out.client_name = grant.client.name
    out.consumer_name = grant.consumer.name
    out.provider_name = grant.provider.name
    out.resource_code = grant.resource.code
    out.resource_name = grant.resource.name
    out.state = grant.state_on(on or today())
    limits = limits_of([grant])
    out.effective_per_minute, out.effective_per_day = limits.per_minute, limits.per_day
    return out


def _audit(session: Session, actor: Actor, action: str, request: SharingRequest, **detail: object) -> None:
    audit.record(session, actor=actor, action=action, object_type="sharing_request", object_id=request.number,
                 purpose=request.purpose[:255], detail={"status": request.status, **detail})


def get_request(*, session: Session, actor: Actor, request_id: int) -> SharingRequest:
    request = session.get(SharingRequest, request_id)
    if request is None or not rules.can_see(actor, request):
        raise NotFound("共享申请不存在，或与您的部门无关。")
    return request


def _expect(request: SharingRequest, *states: str) -> None:
    if request.status not in states:
        label = REQUEST_STATUS_LABELS.get(request.status, request.status)
        raise InvalidTransition(f"申请当前状态为“{label}”，不能办理此操作。", code="invalid_transition",
                                detail={"status": request.status})


@use_case
def submit_request(*, session: Session, actor: Actor, request_in: RequestCreate) -> SharingRequest:
    """共享申请: the consumer's data officer asks for items of a published resource for one of its systems."""
    actor.require(Permission.SHARING_REQUEST)
    cfg = get_settings()
    client = session.get(AppClient, request_in.client_id)
    if client is None or not actor.can_in_department(Permission.SHARING_REQUEST, client.department_id):
        raise ValidationFailed("请选择本部门登记的应用系统。", code="client_unknown", detail={"field": "client_id"})
    if client.status != "active":
        raise ValidationFailed("该应用系统已停用，不能申请数据。", code="client_disabled",
                               detail={"field": "client_id"})
    resource = session.get(InformationResource, request_in.resource_id)
    if resource is None or resource.status != "published":
        raise ValidationFailed("信息资源不存在或未发布。", code="resource_unknown", detail={"field": "resource_id"})
    if resource.share_type == "none":
        raise ValidationFailed(f"“{resource.name}”为不予共享资源，不能申请。依据：{resource.no_share_reason}",
                               code="resource_not_shared", detail={"field": "resource_id"})
    if resource.provider_id == client.department_id:
        raise ValidationFailed("本部门的资源无需申请共享。", code="own_resource", detail={"field": "resource_id"})
    keys = {i.key for i in resource.items}
    unknown = [k for k in request_in.items if k not in keys]
    if unknown:
        raise ValidationFailed("资源中没有这些信息项：" + "、".join(unknown) + "。", code="items_unknown",
                               detail={"field": "items", "items": unknown})
    day = today()
    if request_in.period_end < day:
        raise ValidationFailed("使用期限已经结束，请重新填写。", code="period_past", detail={"field": "period_end"})
    if (request_in.period_end - request_in.period_start).days > cfg.sharing_max_period_days:
        raise ValidationFailed(f"使用期限最长 {cfg.sharing_max_period_days} 天，期满后可重新申请。",
                               code="period_too_long", detail={"field": "period_end"})
    pending = session.execute(select(SharingRequest).where(
        SharingRequest.client_id == client.id, SharingRequest.resource_id == resource.id,
        SharingRequest.status.in_(["submitted", "pending_provider", "objected"]))).scalars().first()
    if pending is not None:
        raise Conflict(f"该应用系统对此资源已有办理中的申请（{pending.number}），请勿重复申请。",
                       code="duplicate_request")
    covering = session.execute(select(Grant).where(
        Grant.client_id == client.id, Grant.resource_id == resource.id, Grant.status == "active",
        Grant.valid_until >= day)).scalars().all()
    if any(set(request_in.items) <= set(g.items) for g in covering):
        raise Conflict("该应用系统已获得这些信息项的有效授权，无需重复申请。", code="already_granted")
    number = numbering.next_number(session, numbering.SHARING_REQUEST, day)  # late: counter locked until commit
    request = SharingRequest(
        number=number, consumer_id=client.department_id, client_id=client.id,
        provider_id=resource.provider_id, resource_id=resource.id, resource_version=resource.version,
        items=list(request_in.items), approved_items=[], purpose=request_in.purpose,
        legal_basis=request_in.legal_basis, scenario=request_in.scenario, period_start=request_in.period_start,
        period_end=request_in.period_end, created_by=actor.id, status="submitted", stage_started_on=day,
        stage_days=0)
    session.add(request)
    session.flush()  # the request's clock names it by id
    deadlines.start_stage(request, workdays.load(session), status="submitted", days=cfg.sharing_compliance_days,
                          start=day)
    _audit(session, actor, "sharing.submit", request, resource=resource.code, items=request.items,
           client=client.code)
    # 站内信 (+ e-mail) to the provider's data officers, made in this transaction: no request, no message.
    notifications.notify(session, template="sharing.request_received",
                         recipients=notifications.department_staff(session, request.provider_id),
                         personalisation={"number": request.number, "consumer": client.department.name,
                                          "client": client.name, "resource": resource.name, "purpose": request.purpose,
                                          "items": "、".join(i.name for i in resource.items if i.key in request.items)},
                         reference=request.number, link=f"/sharing/requests/{request.id}")
    return request


def _grant(session: Session, actor: Actor, request: SharingRequest, items: list[str]) -> Grant:
    day = today()
    request.approved_items = items
    request.status = "granted"
    deadlines.stop(request)
    request.closed_at = utcnow()
    grant = Grant(request_id=request.id, client_id=request.client_id, consumer_id=request.consumer_id,
                  provider_id=request.provider_id, resource_id=request.resource_id, items=items, plain_items=[],
                  purpose=request.purpose, valid_from=max(request.period_start, day), valid_until=request.period_end,
                  status="active")
    session.add(grant)
    session.flush()
    audit.record(session, actor=actor, action="grant.create", object_type="grant", object_id=grant.id,
                 purpose=request.purpose[:255],
                 detail={"request": request.number, "client_id": request.client_id, "items": items,
                         "valid_until": request.period_end.isoformat()})
    return grant


def _approved_subset(request: SharingRequest, approved: list[str] | None) -> list[str]:
    if approved is None:
        return list(request.items)
    subset = [k for k in dict.fromkeys(approved)]
    outside = [k for k in subset if k not in request.items]
    if outside:
        raise ValidationFailed("只能同意申请中列出的信息项：" + "、".join(outside) + " 不在申请中。",
                               code="items_not_requested", detail={"field": "approved_items"})
    if not subset:
        raise ValidationFailed("同意共享时至少保留一个信息项；全部不同意请选择“不予共享”。", code="items_required",
                               detail={"field": "approved_items"})
    return subset


@use_case
def compliance_check(*, session: Session, actor: Actor, request_id: int, decision: ComplianceDecision
                     ) -> SharingRequest:
    """合规审查 (platform): purpose, legal basis and scope; unconditional resources are granted on a pass."""
    rules.check_platform(actor)
    request = get_request(session=session, actor=actor, request_id=request_id)
    _expect(request, "submitted")
    cfg = get_settings()
    request.compliance_by, request.compliance_at, request.compliance_note = actor.id, utcnow(), decision.note
    if decision.decision == "reject":
        request.status = "compliance_rejected"
        deadlines.stop(request)
        request.closed_at = utcnow()
        _audit(session, actor, "sharing.compliance_reject", request, note=decision.note)
    elif request.resource.share_type == "unconditional":
        _audit(session, actor, "sharing.compliance_pass", request, note=decision.note)
        _grant(session, actor, request, list(request.items))
    else:
        on_platform = request.resource.data_on_platform
        days = cfg.sharing_provider_days if on_platform else cfg.sharing_provider_days_offplatform
        deadlines.start_stage(request, workdays.load(session), status="pending_provider", days=days, start=today())
        _audit(session, actor, "sharing.compliance_pass", request, note=decision.note, provider_days=days)
    return request


@use_case
def provider_decide(*, session: Session, actor: Actor, request_id: int, decision: ProviderDecision
                    ) -> SharingRequest:
    """提供方答复: approve (all or some items, reasons for the rest) or refuse with reasons.

    During an objection the provider may still reconsider and approve.
    """
    request = get_request(session=session, actor=actor, request_id=request_id)
    rules.check_provider(actor, request.provider_id)
    _expect(request, "pending_provider", "objected")
    if decision.decision == "refuse" and request.status == "objected":
        raise InvalidTransition("异议已提交平台协调，提供方此时只能改为同意共享，或等待平台决定。")
    request.decided_by, request.decided_at, request.decision_note = actor.id, utcnow(), decision.note
    if decision.decision == "approve":
        items = _approved_subset(request, decision.approved_items)
        if len(items) < len(request.items) and len(decision.note) < 4:
            raise ValidationFailed("部分信息项不予共享时，须写明理由。", code="reason_required",
                                   detail={"field": "note"})
        reconsidered = request.status == "objected"
        _audit(session, actor, "sharing.provider_approve", request, items=items, reconsidered=reconsidered)
        _grant(session, actor, request, items)
    else:
        deadlines.start_stage(request, workdays.load(session), status="refused", days=None, start=today())
        _audit(session, actor, "sharing.provider_refuse", request, note=decision.note)
    return request


def objection_deadline(session: Session, request: SharingRequest) -> dt.date | None:
    if request.status != "refused" or request.decided_at is None:
        return None
    decided = (request.decided_at + dt.timedelta(hours=8)).date()
    return workdays.load(session).add_working_days(decided, get_settings().sharing_objection_days).due


@use_case
def object_to_refusal(*, session: Session, actor: Actor, request_id: int, objection: Objection) -> SharingRequest:
    """异议: the consumer disputes a refusal; the platform coordinates within its deadline."""
    request = get_request(session=session, actor=actor, request_id=request_id)
    rules.check_consumer(actor, request)
    _expect(request, "refused")
    last_day = objection_deadline(session, request)
    if last_day is not None and today() > last_day:
        raise InvalidTransition(f"异议期已于 {last_day.isoformat()} 届满，请重新提出申请。", code="objection_late")
    request.objection, request.objected_at = objection.text, utcnow()
    deadlines.start_stage(request, workdays.load(session), status="objected",
                          days=get_settings().sharing_coordination_days, start=today())
    _audit(session, actor, "sharing.object", request, text=objection.text)
    return request


@use_case
def coordinate(*, session: Session, actor: Actor, request_id: int, coordination: Coordination) -> SharingRequest:
    """争议协调 (platform): grant (possibly some items) or uphold the refusal, with reasons."""
    rules.check_platform(actor)
    request = get_request(session=session, actor=actor, request_id=request_id)
    _expect(request, "objected")
    request.coordinated_by, request.coordinated_at, request.coordination_note = actor.id, utcnow(), coordination.note
    if coordination.decision == "grant":
        items = _approved_subset(request, coordination.approved_items)
        _audit(session, actor, "sharing.coordinate_grant", request, items=items, note=coordination.note)
        _grant(session, actor, request, items)
    else:
        request.status = "refused_final"
        deadlines.stop(request)
        request.closed_at = utcnow()
        _audit(session, actor, "sharing.coordinate_uphold", request, note=coordination.note)
    return request


@use_case
def withdraw(*, session: Session, actor: Actor, request_id: int) -> SharingRequest:
    request = get_request(session=session, actor=actor, request_id=request_id)
    rules.check_consumer(actor, request)
    _expect(request, "submitted", "pending_provider", "objected", "refused")
    request.status = "withdrawn"
    deadlines.stop(request)
    request.closed_at = utcnow()
    _audit(session, actor, "sharing.withdraw", request)
    return request


def list_requests(*, session: Session, actor: Actor, role: str, status: str | None = None, page: int = 1,
                  size: int = 50) -> tuple[Sequence[SharingRequest], int]:
    """role: consumer (我的申请), provider (待我答复), platform (合规审查与争议), all (supervision)."""
    r = SharingRequest
    q = select(r)
    if role == "platform":
        rules.check_platform(actor)
        q = q.where(r.status.in_(["submitted", "objected"])) if not status else q
    else:
        actor.require(Permission.SHARING_READ)
        scope = actor.department_scope(Permission.SHARING_READ)
        if role == "consumer":
            q = q.where(r.consumer_id.in_(scope)) if scope is not None else q
        elif role == "provider":
            q = q.where(r.provider_id.in_(scope)) if scope is not None else q
        elif scope is not None:
            q = q.where(or_(r.consumer_id.in_(scope), r.provider_id.in_(scope)))
    if status == "open":
        q = q.where(r.status.in_(OPEN_STATES))
    elif status:
        q = q.where(r.status == status)
    total = session.execute(select(func.count()).select_from(q.subquery())).scalar_one()
    rows = session.execute(q.order_by(r.due_on.is_(None), r.due_on, r.id.desc())
                           .offset((page - 1) * size).limit(size)).scalars().all()
    return rows, int(total)


def grant_for(session: Session, request_id: int) -> Grant | None:
    return session.execute(select(Grant).where(Grant.request_id == request_id)).scalar_one_or_none()


# ---------------------------------------------------------------- grants


def get_grant(*, session: Session, actor: Actor, grant_id: int) -> Grant:
    grant = session.get(Grant, grant_id)
    if grant is None or not rules.can_see(actor, grant):
        raise NotFound("授权不存在，或与您的部门无关。")
    return grant


def list_grants(*, session: Session, actor: Actor, role: str = "consumer") -> Sequence[Grant]:
    g = Grant
    q = select(g)
    if not actor.has(Permission.SHARING_COMPLIANCE):
        actor.require(Permission.SHARING_READ)
        scope = actor.department_scope(Permission.SHARING_READ)
        if scope is not None:
            q = q.where(g.consumer_id.in_(scope) if role == "consumer" else g.provider_id.in_(scope))
    return session.execute(q.order_by(g.id.desc()).limit(500)).scalars().all()


def _grant_status(session: Session, actor: Actor, grant_id: int, action: GrantAction, *, to: str,
                  allowed_from: tuple[str, ...], audit_action: str) -> Grant:
    grant = get_grant(session=session, actor=actor, grant_id=grant_id)
    rules.check_grant_control(actor, grant)
    if grant.status not in allowed_from:
        label = GRANT_STATUS_LABELS.get(grant.status, grant.status)
        raise InvalidTransition(f"授权当前为“{label}”，不能办理此操作。")
    before = grant.status
    grant.status, grant.status_reason = to, action.reason
    grant.status_changed_by, grant.status_changed_at = actor.id, utcnow()
    audit.record(session, actor=actor, action=audit_action, object_type="grant", object_id=grant.id,
                 detail={"from": before, "to": to, "reason": action.reason, "client_id": grant.client_id})
    return grant


@use_case
def suspend_grant(*, session: Session, actor: Actor, grant_id: int, action: GrantAction) -> Grant:
    """暂停: calls are refused until resumed (e.g. while a misuse is investigated)."""
    return _grant_status(session, actor, grant_id, action, to="suspended", allowed_from=("active",),
                         audit_action="grant.suspend")


@use_case
def resume_grant(*, session: Session, actor: Actor, grant_id: int, action: GrantAction) -> Grant:
    return _grant_status(session, actor, grant_id, action, to="active", allowed_from=("suspended",),
                         audit_action="grant.resume")


@use_case
def revoke_grant(*, session: Session, actor: Actor, grant_id: int, action: GrantAction) -> Grant:
    """撤销: final; the consumer must apply again."""
    return _grant_status(session, actor, grant_id, action, to="revoked", allowed_from=("active", "suspended"),
                         audit_action="grant.revoke")


@use_case
def set_grant_quota(*, session: Session, actor: Actor, grant_id: int, quota: GrantQuota) -> Grant:
    """调用限额: the provider (or the platform) sets the grant's calls per minute and per day."""
    grant = get_grant(session=session, actor=actor, grant_id=grant_id)
    rules.check_grant_control(actor, grant)
    if grant.status == "revoked":
        raise InvalidTransition("授权已撤销，不能再调整调用限额。", code="grant_revoked")
    before = {"calls_per_minute": grant.calls_per_minute, "calls_per_day": grant.calls_per_day}
    grant.calls_per_minute, grant.calls_per_day = quota.calls_per_minute, quota.calls_per_day
    audit.record(session, actor=actor, action="grant.quota", object_type="grant", object_id=grant.id,
                 detail={"before": before, "after": quota.model_dump(), "client_id": grant.client_id})
    return grant


@use_case
def check_deadlines(*, session: Session) -> list[SharingRequest]:
    """逾期预警: flag (and audit) every request whose stage deadline has passed. One use-case: run by the
    job inside the job's scope, or by the CLI as the outermost scope."""
    return deadlines.flag_overdue(session, today())
