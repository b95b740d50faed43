"""HTTP face of 接口 resources: forwarded calls for application clients, endpoint registration for staff.

`GET /api/v1/exchange/{classification}/{seq}/invoke?item=value…` takes the same headers as the records
routes (`X-Purpose` required, `X-End-User`, `X-Case-Number`). Providers' staff register their system under
`/api/v1/exchange/endpoints/{resource_id}`; these fixed paths have two or three segments ending in
something other than `records`, so they never meet the `{classification}/{seq}/records…` routes.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from tongban.deps import CurrentActor, DbSession, Id, secure_router
from tongban.errors import error_responses
from tongban.exchange import endpoints, proxy
from tongban.exchange.gateway_api import RESERVED, CaseH, EndUserH, PurposeH
from tongban.exchange.gateway_api import _ctx as call_context  # the same header decoding as the records routes

router = secure_router(prefix="/api/v1/exchange", tags=["共享交换接口"])


@router.get("/endpoints", summary="本部门接口资源及其登记的接口地址（提供部门数据管理员）")
def list_endpoints(session: DbSession, actor: CurrentActor) -> list[dict[str, Any]]:
    rows = endpoints.list_interface_resources(session=session, actor=actor)
    return [{"resource_id": r.id, "resource_code": r.code, "resource_name": r.name, "provider": r.provider_name,
             "endpoint": endpoints.read(r.endpoint).model_dump(mode="json") if r.endpoint else None} for r in rows]


@router.get("/endpoints/{resource_id}", summary="查看接口资源登记的提供方接口地址", responses=error_responses(404))
def get_endpoint(resource_id: Id, session: DbSession, actor: CurrentActor) -> endpoints.EndpointRead:
    return endpoints.read(endpoints.get_endpoint(session=session, actor=actor, resource_id=resource_id))


@router.put("/endpoints/{resource_id}", summary="登记或修改接口资源的提供方接口地址（enabled=false 即停用）",
            responses=error_responses(404, 409))
def put_endpoint(resource_id: Id, endpoint_in: endpoints.EndpointIn, session: DbSession,
                 actor: CurrentActor) -> endpoints.EndpointRead:
    return endpoints.read(endpoints.register_endpoint(session=session, actor=actor, resource_id=resource_id,
                                                      endpoint_in=endpoint_in))


@router.post("/endpoints/{resource_id}/check", summary="测试提供方接口的连通性并记录结果",
             responses=error_responses(404, 409))
def check_endpoint(resource_id: Id, session: DbSession, actor: CurrentActor) -> endpoints.EndpointRead:
    return endpoints.read(endpoints.check_endpoint(session=session, actor=actor, resource_id=resource_id))


@router.get("/{classification}/{seq}/invoke",
            summary="调用接口资源：转发至提供部门业务系统，只返回授权的信息项并按敏感级别脱敏",
            responses=error_responses(404, 429, 502, 503, 504))
async def invoke(classification: str, seq: str, request: Request, session: DbSession, actor: CurrentActor,
                 x_purpose: PurposeH = None, x_end_user: EndUserH = None, x_case_number: CaseH = None
                 ) -> dict[str, Any]:
    # async: the wait on the provider's system must not hold one of the server's worker threads.
    params = {k: v for k, v in request.query_params.items() if k not in RESERVED}
    return await proxy.invoke(session=session, actor=actor, code=f"{classification}/{seq}", params=params,
                        ctx=call_context(request, x_purpose, x_end_user, x_case_number))
