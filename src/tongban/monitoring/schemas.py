"""Pydantic schemas of exchange monitoring: the filters and the statistics answer."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from tongban.errors import ValidationFailed, translate_validation_errors
from tongban.schema_types import Strict

Granularity = Literal["hour", "day"]
MAX_DAYS = {"hour": 31, "day": 366}


def range_problem(start: dt.date, end: dt.date, granularity: str) -> str | None:
    """What is wrong with a date range, in Chinese, or None."""
    if end < start:
        return "结束日期不能早于起始日期。"
    if (end - start).days + 1 > MAX_DAYS[granularity]:
        unit = "按小时" if granularity == "hour" else "按天"
        return f"{unit}统计最长 {MAX_DAYS[granularity]} 天，请缩短日期范围或改为按天统计。"
    return None


class StatsFilter(Strict):
    """Date range (Beijing calendar days, both included) and what to narrow the calls to."""

    start: dt.date | None = Field(None, description="起始日期（北京时间，含当天）；默认结束日期前 6 天")
    end: dt.date | None = Field(None, description="结束日期（北京时间，含当天）；默认今天")
    granularity: Granularity = Field("hour", description="hour 按小时（最长 31 天）；day 按天（最长 366 天）")
    resource_code: str | None = Field(None, max_length=32, description="信息资源代码，如 101/000001")
    consumer_id: int | None = Field(None, description="调用部门（使用方）id")
    provider_id: int | None = Field(None, description="提供部门 id")

    @model_validator(mode="after")
    def _range(self) -> StatsFilter:
        problem = range_problem(self.start, self.end, self.granularity) if self.start and self.end else None
        if problem:
            raise ValueError(problem)
        return self


def parse_filter(**values: Any) -> StatsFilter:
    """A StatsFilter from query values (blank ones left out); a Chinese ValidationFailed otherwise."""
    try:
        return StatsFilter.model_validate({k: v for k, v in values.items() if v not in (None, "")})
    except ValidationError as exc:
        summary, fields = translate_validation_errors(exc.errors())
        raise ValidationFailed(summary, detail={"fields": fields}) from None


class Latency(BaseModel):
    avg_ms: float | None = Field(description="平均耗时（毫秒）")
    p50_ms: float | None = Field(description="中位数耗时，由耗时分布直方图估算")
    p95_ms: float | None
    p99_ms: float | None


class Counts(BaseModel):
    calls: int = Field(description="调用次数（含被拒绝的调用）")
    ok: int = Field(description="成功返回数据")
    denied: int = Field(description="被拒绝（无授权、未说明用途等）")
    not_found: int = Field(description="查无记录")
    errors: int = Field(description="系统错误（HTTP 5xx）")
    error_rate: float = Field(description="系统错误率 errors / calls，0–1")
    denied_rate: float = Field(description="拒绝率 denied / calls，0–1")
    latency: Latency


class Totals(Counts):
    active_consumers: int = Field(description="有调用的使用部门数")
    active_clients: int = Field(description="有调用的应用系统数")
    resources: int = Field(description="被调用的信息资源数")


class SeriesPoint(Counts):
    start: dt.datetime = Field(description="时段开始（北京时间，带时区）")
    label: str = Field(description="时段的中文标签，如 11-20 14时 或 2026-11-20")


class ConsumerRow(Counts):
    department_id: int
    department_name: str
    client_id: int
    client_name: str


class ResourceRow(Counts):
    resource_id: int
    resource_code: str
    resource_name: str
    provider_id: int
    provider_name: str


class ProviderRow(Counts):
    department_id: int
    department_name: str
    resources: int = Field(description="被调用的本部门资源数")


class OverdueDisputes(BaseModel):
    """A provider department's data-quality disputes past their answer deadline (as of today)."""

    provider_id: int
    name: str
    overdue: int
    oldest_due_on: dt.date


class ExchangeStats(BaseModel):
    """共享交换监测: calls, errors and latency over a date range, from the hourly rollup."""

    start: dt.date
    end: dt.date
    granularity: Granularity
    timezone: str = "Asia/Shanghai"
    resource_code: str | None = None
    consumer_id: int | None = None
    provider_id: int | None = None
    scope: str = Field(description="all 全平台；department 仅本部门作为使用方或提供方的调用")
    latency_bounds_ms: list[int] = Field(description="耗时直方图各区间的上界（毫秒），最后一档为更慢的调用")
    totals: Totals
    series: list[SeriesPoint]
    top_consumers: list[ConsumerRow] = Field(description="调用量最大的使用部门与应用系统（前 10）")
    resources: list[ResourceRow] = Field(description="按信息资源（调用量最大的前 50 个）")
    resources_total: int = Field(description="被调用的信息资源总数")
    providers: list[ProviderRow] = Field(description="按提供部门")
    overdue_disputes: list[OverdueDisputes] = Field(
        default_factory=list, description="逾期未答复的数据疑义，按提供部门（今日状态，不受日期范围影响）")
