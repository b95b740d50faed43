"""JSON API of exchange monitoring (共享交换监测)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Query

from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.monitoring import service
from tongban.monitoring.schemas import ExchangeStats, Granularity, parse_filter
from tongban.schema_types import ID_MAX

router = secure_router(prefix="/api/v1/monitoring", tags=["共享交换监测"])


@router.get("/exchange", response_model=ExchangeStats, summary="共享交换调用统计",
            description="调用量、系统错误率、拒绝率、耗时 p50/p95/p99、调用最多的部门与应用系统、"
            "按资源与提供部门的统计。数据来自交换日志的小时汇总，封存（每分钟）后计入。平台管理员与监察人员看全平台；"
            "部门管理员与数据管理员只看本部门作为使用方或提供方的调用。")
def exchange_stats(
    session: DbSession, actor: CurrentActor,
    start: Annotated[dt.date | None, Query(description="起始日期（北京时间）；默认结束日期前 6 天")] = None,
    end: Annotated[dt.date | None, Query(description="结束日期（北京时间，含当天）；默认今天")] = None,
    granularity: Annotated[Granularity, Query(description="hour（最长 31 天）或 day（最长 366 天）")] = "hour",
    resource_code: Annotated[str | None, Query(max_length=32, description="信息资源代码，如 101/000001")] = None,
    consumer_id: Annotated[int | None, Query(ge=1, le=ID_MAX, description="调用部门 id")] = None,
    provider_id: Annotated[int | None, Query(ge=1, le=ID_MAX, description="提供部门 id")] = None,
) -> ExchangeStats:
    filters = parse_filter(start=start, end=end, granularity=granularity, resource_code=resource_code,
                           consumer_id=consumer_id, provider_id=provider_id)
    return service.exchange_stats(session=session, actor=actor, filters=filters)
