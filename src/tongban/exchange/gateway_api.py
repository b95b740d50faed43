"""HTTP face of the exchange for application clients (API key): keyed and filtered queries.

Headers (UTF-8, percent-encoded because HTTP headers are Latin-1): `X-Purpose` (required),
`X-End-User` (the resident ID or credit code of the person served), `X-Case-Number`.
The same values may be given as query parameters `purpose`, `end_user`, `case_number`.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import Header, Query, Request

from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.exchange import gateway

router = secure_router(prefix="/api/v1/exchange", tags=["共享交换接口"])
RESERVED = {"purpose", "end_user", "case_number", "page", "size"}


def _ctx(request: Request, purpose: str | None, end_user: str | None, case_number: str | None) -> gateway.CallContext:
    q = request.query_params
    return gateway.CallContext(purpose=unquote(purpose or q.get("purpose", "")).strip(),
                               end_user=unquote(end_user or q.get("end_user", "")).strip().upper(),
                               case_number=unquote(case_number or q.get("case_number", "")).strip())


PurposeH = Annotated[str | None, Header(alias="X-Purpose", description="用途（UTF-8 百分号编码），必填")]
EndUserH = Annotated[str | None, Header(alias="X-End-User", description="办事人的公民身份号码或统一社会信用代码")]
CaseH = Annotated[str | None, Header(alias="X-Case-Number", description="办件编号")]


@router.get("/{classification}/{seq}/records/{key}", summary="按主键查询记录（只返回授权的信息项，按敏感级别脱敏）")
def get_record(classification: str, seq: str, key: str, request: Request, session: DbSession, actor: CurrentActor,
               x_purpose: PurposeH = None, x_end_user: EndUserH = None, x_case_number: CaseH = None) -> dict[str, Any]:
    return gateway.get_record(session=session, actor=actor, code=f"{classification}/{seq}", key=key.upper()
                              if len(key) == 18 else key, ctx=_ctx(request, x_purpose, x_end_user, x_case_number))


@router.get("/{classification}/{seq}/records", summary="按信息项条件查询（分页）")
def query_records(classification: str, seq: str, request: Request, session: DbSession, actor: CurrentActor,
                  page: Annotated[int, Query(ge=1, le=100000)] = 1, size: Annotated[int, Query(ge=1, le=200)] = 50,
                  x_purpose: PurposeH = None, x_end_user: EndUserH = None,
                  x_case_number: CaseH = None) -> dict[str, Any]:
    filters = {k: v for k, v in request.query_params.items() if k not in RESERVED}
    return gateway.query_records(session=session, actor=actor, code=f"{classification}/{seq}", filters=filters,
                                 page=page, size=size, ctx=_ctx(request, x_purpose, x_end_user, x_case_number))


@router.get("/my-data-uses", summary="谁用了我的数据（自然人、法人账号）", tags=["共享交换接口"])
def my_data_uses(session: DbSession, actor: CurrentActor, page: Annotated[int, Query(ge=1, le=10000)] = 1,
                 size: Annotated[int, Query(ge=1, le=200)] = 50) -> dict[str, Any]:
    return gateway.data_uses(session=session, actor=actor, page=page, size=size)
