"""Pydantic schemas of the indicators: the query (period, grouping, filters) and the report."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from tongban import clock
from tongban.errors import ValidationFailed, translate_validation_errors
from tongban.schema_types import ID_MAX, Strict

GroupBy = Literal["department", "item", "region", "month"]
GROUP_LABELS: dict[str, str] = {"department": "部门", "item": "事项", "region": "行政区划", "month": "月份"}
MAX_DAYS = 1096  # a custom range: at most three years
LIMIT_MAX = 1000
_PERIOD = re.compile(r"^(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])))?$")
PERIOD_HELP = "统计期间：2026（年）、2026-Q4（季度）或 2026-11（月）；与 start/end 自定义范围二选一，都不填为本月"


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str  # Chinese: 2026年、2026年第四季度、2026年11月、2026-11-03 至 2026-11-20


def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def _bad(message: str, field: str) -> ValidationFailed:
    return ValidationFailed(message, code="bad_period", detail={"field": field})


def parse_period(period: str | None, start: dt.date | None, end: dt.date | None) -> Period:
    """The period named by `period` or the custom range `start`–`end`; this month to date by default."""
    if period and (start or end):
        raise _bad("统计期间与自定义起止日期只能填写一种，请清空其中之一。", "period")
    if period:
        m = _PERIOD.match(period.strip())
        if not m:
            raise _bad("统计期间格式不对：请填写 2026（年）、2026-Q4（季度）或 2026-11（月）。", "period")
        year = int(m.group(1))
        if not 2000 <= year <= 2100:
            raise _bad("统计年份应在 2000 至 2100 年之间。", "period")
        if m.group(2):
            month = int(m.group(2))
            return Period(dt.date(year, month, 1), _month_end(year, month), f"{year}年{month}月")
        if m.group(3):
            q = int(m.group(3))
            names = {1: "一", 2: "二", 3: "三", 4: "四"}
            return Period(dt.date(year, 3 * q - 2, 1), _month_end(year, 3 * q), f"{year}年第{names[q]}季度")
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year}年")
    if start or end:
        if not (start and end):
            raise _bad("自定义期间须同时填写起始日期和结束日期。", "start" if not start else "end")
        if end < start:
            raise _bad("结束日期不能早于起始日期。", "end")
        if (end - start).days + 1 > MAX_DAYS:
            raise _bad(f"自定义期间最长 {MAX_DAYS} 天（三年），请缩短日期范围。", "end")
        return Period(start, end, f"{start.isoformat()} 至 {end.isoformat()}")
    today = clock.today()
    return Period(today.replace(day=1), today, f"{today.year}年{today.month}月（截至 {today.isoformat()}）")


class IndicatorQuery(Strict):
    """What to compute: a period, a grouping and filters (all optional)."""

    period: str | None = Field(None, max_length=10, description=PERIOD_HELP)
    start: dt.date | None = Field(None, description="自定义期间起始日期（北京时间，含当天）")
    end: dt.date | None = Field(None, description="自定义期间结束日期（北京时间，含当天），最长三年")
    group_by: GroupBy = Field("department", description="分组：department 部门、item 事项、region 行政区划、month 月份")
    department_id: int | None = Field(None, ge=1, le=ID_MAX, description="只统计该部门（部门负责人只能查本部门）")
    item_code: str | None = Field(None, max_length=32, description="只统计该事项编码")
    region_code: str | None = Field(None, max_length=12, description="只统计该行政区划代码（实施清单的区划）")
    limit: int = Field(100, ge=1, le=LIMIT_MAX, description=f"最多返回的分组数（1–{LIMIT_MAX}）")

    @field_validator("item_code", "region_code")
    @classmethod
    def _code(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[0-9A-Za-z_\-]{1,32}", v):
            raise ValueError("编码只能包含字母、数字、连字符和下划线。")
        return v


def parse_query(values: dict[str, Any]) -> tuple[IndicatorQuery, Period]:
    """An IndicatorQuery and its period from query values (blank ones left out); ValidationFailed otherwise."""
    try:
        query = IndicatorQuery.model_validate({k: v for k, v in values.items() if v not in (None, "")})
    except ValidationError as exc:
        summary, fields = translate_validation_errors(exc.errors())
        raise ValidationFailed(summary, detail={"fields": fields}) from None
    return query, parse_period(query.period, query.start, query.end)


class Definition(BaseModel):
    """An indicator's definition, as written in tongban/indicators/definitions.py."""

    code: str
    name: str
    formula: str = Field(description="计算方法")
    numerator: str = Field(description="分子（汇总计数项）")
    denominator: str | None = Field(description="分母（汇总计数项）；计数类指标无分母")
    unit: str = Field(description="percent 百分比、days 工作日、times 次、count 件次、hours 小时")
    unit_label: str
    direction: str = Field(description="higher 越高越好、lower 越低越好、neutral 仅供对照")
    source: str = Field(description="cases 办件、catalog 实施清单快照、ratings 好差评、alerts 电子监察")
    scope: str = Field(description="统计口径：哪些事实计入")


class Group(BaseModel):
    """The figures of one group (or of the whole selection)."""

    key: str = Field(description="部门 id、事项编码、区划代码或月份（YYYY-MM）；合计为空")
    name: str = Field(description="中文名称")
    values: dict[str, float | None] = Field(description="各指标的值（指标代码 → 值；分母为 0 时为 null）")
    counters: dict[str, int] = Field(description="汇总计数项（分子与分母），可再汇总")


class IndicatorReport(BaseModel):
    """绩效指标: the figures of a period, in total and per group, with the definitions."""

    start: dt.date
    end: dt.date
    period_label: str
    group_by: GroupBy
    scope: str = Field(description="all 全部部门；department 仅本部门")
    department_id: int | None = None
    item_code: str | None = None
    region_code: str | None = None
    catalog_day: dt.date | None = Field(description="实施清单快照日（期间内最后一个快照日）")
    definitions: list[Definition]
    total: Group
    groups: list[Group]
    groups_total: int = Field(description="分组总数（返回前 limit 个）")
