"""JSON API of the audit domain."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, ConfigDict, field_validator

from tongban.audit import service
from tongban.audit.queries import naive_utc
from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.org.schemas import Page
from tongban.schema_types import UtcDateTime

router = secure_router(prefix="/api/v1", tags=["审计留痕"])


class AuditRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    seq: int
    occurred_at: UtcDateTime
    actor_kind: str
    actor_id: str
    actor_name: str
    department_id: int | None
    action: str
    object_type: str
    object_id: str
    purpose: str
    result: str
    client_ip: str
    detail: Any
    hash: str

    @field_validator("detail", mode="before")
    @classmethod
    def _parse(cls, v: Any) -> Any:
        return json.loads(v) if isinstance(v, str) else v


@router.get("/audit", response_model=Page[AuditRead], summary="查询审计日志（按操作人、对象、时间）")
def search_audit(
    session: DbSession,
    actor: CurrentActor,
    actor_q: Annotated[str | None, Query(alias="actor", max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    object_type: Annotated[str | None, Query(max_length=32)] = None,
    object_id: Annotated[str | None, Query(max_length=64)] = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Page[AuditRead]:
    filters = service.AuditFilter(actor=actor_q, action=action, object_type=object_type, object_id=object_id,
                                  since=naive_utc(since), until=naive_utc(until), page=page, size=size)
    rows, total = service.search(session, actor=actor, filters=filters)
    return Page(items=[AuditRead.model_validate(r) for r in rows], total=total, page=page, size=size)


