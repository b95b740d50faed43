"""JSON API of sharing requests and grants."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from tongban.deps import CurrentActor, DbSession, Id, secure_router
from tongban.errors import error_responses
from tongban.org.schemas import Page
from tongban.sharing import service
from tongban.sharing.schemas import (
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

router = secure_router(prefix="/api/v1/sharing", tags=["共享申请与授权"])
_ROLE_HELP = "consumer 本部门发出的；provider 待本部门答复的；platform 合规审查与争议；all 全部相关"


def _read(session: DbSession, request) -> RequestRead:  # type: ignore[no-untyped-def]
    grant = service.grant_for(session, request.id)
    return service.request_read(request, grant_id=grant.id if grant else None)


@router.get("/requests", response_model=Page[RequestRead], summary="共享申请列表")
def list_requests(
    session: DbSession, actor: CurrentActor,
    role: Annotated[str, Query(pattern="^(consumer|provider|platform|all)$", description=_ROLE_HELP)] = "all",
    status: Annotated[str | None, Query(max_length=24)] = None,
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[RequestRead]:
    rows, total = service.list_requests(session=session, actor=actor, role=role, status=status, page=page, size=size)
    return Page(items=[_read(session, r) for r in rows], total=total, page=page, size=size)


@router.post("/requests", response_model=RequestRead, status_code=201, summary="提交共享申请",
             responses=error_responses(409))
def submit(body: RequestCreate, session: DbSession, actor: CurrentActor) -> RequestRead:
    return _read(session, service.submit_request(session=session, actor=actor, request_in=body))


@router.get("/requests/{request_id}", response_model=RequestRead, summary="共享申请详情",
            responses=error_responses(404))
def get_request(request_id: Id, session: DbSession, actor: CurrentActor) -> RequestRead:
    return _read(session, service.get_request(session=session, actor=actor, request_id=request_id))


@router.post("/requests/{request_id}/compliance", response_model=RequestRead, summary="合规审查（平台）",
             responses=error_responses(404, 409))
def compliance(request_id: Id, body: ComplianceDecision, session: DbSession, actor: CurrentActor) -> RequestRead:
    return _read(session, service.compliance_check(session=session, actor=actor, request_id=request_id,
                                                   decision=body))


@router.post("/requests/{request_id}/decision", response_model=RequestRead, summary="提供方答复：同意或不予共享",
             responses=error_responses(404, 409))
def decide(request_id: Id, body: ProviderDecision, session: DbSession, actor: CurrentActor) -> RequestRead:
    return _read(session, service.provider_decide(session=session, actor=actor, request_id=request_id,
                                                  decision=body))


@router.post("/requests/{request_id}/objection", response_model=RequestRead, summary="对不予共享提出异议",
             responses=error_responses(404, 409))
def object_(request_id: Id, body: Objection, session: DbSession, actor: CurrentActor) -> RequestRead:
    return _read(session, service.object_to_refusal(session=session, actor=actor, request_id=request_id,
                                                    objection=body))


@router.post("/requests/{request_id}/coordination", response_model=RequestRead, summary="争议协调决定（平台）",
             responses=error_responses(404, 409))
def coordinate(request_id: Id, body: Coordination, session: DbSession, actor: CurrentActor) -> RequestRead:
    return _read(session, service.coordinate(session=session, actor=actor, request_id=request_id,
                                             coordination=body))


@router.post("/requests/{request_id}/withdraw", response_model=RequestRead, summary="撤回申请",
             responses=error_responses(404, 409))
def withdraw(request_id: Id, session: DbSession, actor: CurrentActor) -> RequestRead:
    return _read(session, service.withdraw(session=session, actor=actor, request_id=request_id))


@router.get("/grants", response_model=list[GrantRead], summary="授权列表")
def list_grants(session: DbSession, actor: CurrentActor,
                role: Annotated[str, Query(pattern="^(consumer|provider)$")] = "consumer") -> list[GrantRead]:
    return [service.grant_read(g) for g in service.list_grants(session=session, actor=actor, role=role)]


@router.get("/grants/{grant_id}", response_model=GrantRead, summary="授权详情", responses=error_responses(404))
def get_grant(grant_id: Id, session: DbSession, actor: CurrentActor) -> GrantRead:
    return service.grant_read(service.get_grant(session=session, actor=actor, grant_id=grant_id))


@router.post("/grants/{grant_id}/suspend", response_model=GrantRead, summary="暂停授权（提供方或平台）",
             responses=error_responses(404, 409))
def suspend(grant_id: Id, body: GrantAction, session: DbSession, actor: CurrentActor) -> GrantRead:
    return service.grant_read(service.suspend_grant(session=session, actor=actor, grant_id=grant_id, action=body))


@router.post("/grants/{grant_id}/resume", response_model=GrantRead, summary="恢复授权",
             responses=error_responses(404, 409))
def resume(grant_id: Id, body: GrantAction, session: DbSession, actor: CurrentActor) -> GrantRead:
    return service.grant_read(service.resume_grant(session=session, actor=actor, grant_id=grant_id, action=body))


@router.post("/grants/{grant_id}/revoke", response_model=GrantRead, summary="撤销授权（提供方或平台）",
             responses=error_responses(404, 409))
def revoke(grant_id: Id, body: GrantAction, session: DbSession, actor: CurrentActor) -> GrantRead:
    return service.grant_read(service.revoke_grant(session=session, actor=actor, grant_id=grant_id, action=body))


@router.put("/grants/{grant_id}/quota", response_model=GrantRead,
            summary="设置调用限额（提供方或平台；空为平台默认，0 为不限）", responses=error_responses(404, 409))
def set_quota(grant_id: Id, body: GrantQuota, session: DbSession, actor: CurrentActor) -> GrantRead:
    return service.grant_read(service.set_grant_quota(session=session, actor=actor, grant_id=grant_id, quota=body))
