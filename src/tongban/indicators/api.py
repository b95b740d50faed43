"""JSON API of the indicators (绩效指标): the figures of a period, grouped, with their definitions; the xlsx."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import quote

from fastapi import Query
from fastapi.responses import Response

from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.indicators import export, queries
from tongban.indicators.schemas import LIMIT_MAX, PERIOD_HELP, Definition, GroupBy, IndicatorReport
from tongban.schema_types import ID_MAX

router = secure_router(prefix="/api/v1/indicators", tags=["绩效指标"])

_DESCRIPTION = ("网上可办率、全程网办率、即办件占比、承诺时限压缩比、实际办理时长、按时办结率、平均跑动次数、零跑动率、"
                "材料免提交率、好评率、差评整改率、差评回访率、预警件次与消除时长。"
                "数据来自每日汇总（每 10 分钟增量更新，每晚重算前一日）；比率先汇总分子分母再相除。"
                "监察人员与平台管理员看全部部门；部门负责人只能看本部门，"
                "查询其他部门答 403 indicator_scope。期间有误答 422 bad_period。")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Period = Annotated[str | None, Query(max_length=10, description=PERIOD_HELP)]
Start = Annotated[dt.date | None, Query(description="自定义期间起始日期（北京时间，含当天）")]
End = Annotated[dt.date | None, Query(description="自定义期间结束日期（北京时间，含当天），最长三年")]
DepartmentId = Annotated[int | None, Query(ge=1, le=ID_MAX, description="只统计该部门")]
ItemCode = Annotated[str | None, Query(max_length=32, description="只统计该事项编码")]
RegionCode = Annotated[str | None, Query(max_length=12, description="只统计该行政区划代码")]


@router.get("", response_model=IndicatorReport, summary="绩效指标", description=_DESCRIPTION)
def indicators(
    session: DbSession, actor: CurrentActor, period: Period = None, start: Start = None, end: End = None,
    group_by: Annotated[GroupBy, Query(description="分组：department、item、region、month")] = "department",
    department_id: DepartmentId = None, item_code: ItemCode = None, region_code: RegionCode = None,
    limit: Annotated[int, Query(ge=1, le=LIMIT_MAX, description="最多返回的分组数")] = 100,
) -> IndicatorReport:
    return queries.report_from(session, actor, {
        "period": period, "start": start, "end": end, "group_by": group_by, "department_id": department_id,
        "item_code": item_code, "region_code": region_code, "limit": limit})


@router.get("/definitions", response_model=list[Definition], summary="指标定义",
            description="每个指标的名称、计算方法、分子分母、单位、方向与统计口径。")
def indicator_definitions(actor: CurrentActor) -> list[Definition]:
    return queries.definitions()


@router.get("/export", summary="绩效评估报表（xlsx）", response_class=Response,
            description="一个期间的评估报表：说明、按部门、按事项、按行政区划、按月份、指标定义各一张表，中文表头，数值单元格。"
            "筛选条件与 /api/v1/indicators 相同（不含 group_by、limit）。",
            responses={200: {"content": {XLSX: {}}}})
def indicator_export(
    session: DbSession, actor: CurrentActor, period: Period = None, start: Start = None, end: End = None,
    department_id: DepartmentId = None, item_code: ItemCode = None, region_code: RegionCode = None,
) -> Response:
    content, name = export.workbook(session, actor, {
        "period": period, "start": start, "end": end, "department_id": department_id, "item_code": item_code,
        "region_code": region_code})
    return Response(content, media_type=XLSX,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})
