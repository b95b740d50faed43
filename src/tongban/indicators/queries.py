"""Read models of the indicators: the report (API, export) and the dashboard page. They read only the rollups.

A period is split into whole calendar months, read from `indicator_monthly`, and the days at its edges, read
from `indicator_daily`, so a year reads twelve month rows per group instead of 365 day rows. Catalog figures
come from the period's last snapshot day (per month when grouped by month).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tongban.authz import Actor, Permission
from tongban.errors import Forbidden, ValidationFailed
from tongban.indicators.definitions import (
    CATALOG_COUNTERS,
    COUNTERS,
    DIRECTION_LABELS,
    INDICATORS,
    UNIT_LABELS,
    value,
)
from tongban.indicators.models import IndicatorCatalogDaily, IndicatorDaily, IndicatorMonthly
from tongban.indicators.rollup import month_of, next_month
from tongban.indicators.schemas import (
    GROUP_LABELS,
    Definition,
    Group,
    IndicatorQuery,
    IndicatorReport,
    Period,
    parse_query,
)
from tongban.items.models import BasicItem
from tongban.org.models import Department, Region

Sums = dict[str, int]
_KEY_COLUMN = {"department": "department_id", "item": "item_code", "region": "region_code"}


def definitions() -> list[Definition]:
    """Every indicator's definition (the registry in definitions.py)."""
    return [Definition(code=i.code, name=i.name, formula=i.formula, numerator=i.numerator,
                       denominator=i.denominator, unit=i.unit, unit_label=UNIT_LABELS[i.unit],
                       direction=i.direction, source=i.source, scope=i.scope) for i in INDICATORS]


def _departments_in_reach(actor: Actor, department_id: int | None) -> set[int] | None:
    """The departments the actor may read figures of, narrowed to `department_id`; None: all."""
    actor.require(Permission.INDICATOR_READ)
    scope = actor.department_scope(Permission.INDICATOR_READ)
    if scope is None:
        return {department_id} if department_id else None
    if department_id is not None and department_id not in scope:
        raise Forbidden("部门负责人只能查看本部门的绩效指标；全市指标请联系监察人员。", code="indicator_scope",
                        detail={"department_id": department_id})
    if not scope:
        raise Forbidden(detail={"permission": str(Permission.INDICATOR_READ)})
    return {department_id} if department_id else scope


def _filtered(stmt: Any, table: Any, departments: set[int] | None, query: IndicatorQuery) -> Any:
    if departments is not None:
        stmt = stmt.where(table.department_id.in_(sorted(departments)))
    if query.item_code:
        stmt = stmt.where(table.item_code == query.item_code)
    if query.region_code:
        stmt = stmt.where(table.region_code == query.region_code)
    return stmt


def _split(period: Period) -> tuple[list[dt.date], list[tuple[dt.date, dt.date]]]:
    """Whole months inside the period, and the day ranges around them."""
    months: list[dt.date] = []
    edges: list[tuple[dt.date, dt.date]] = []
    month = month_of(period.start)
    while month <= period.end:
        last = next_month(month) - dt.timedelta(days=1)
        lo, hi = max(month, period.start), min(last, period.end)
        if lo == month and hi == last:
            months.append(month)
        else:
            edges.append((lo, hi))
        month = next_month(month)
    return months, edges


def _add(target: Sums, row: Any, names: tuple[str, ...]) -> None:
    for name in names:
        target[name] = target.get(name, 0) + int(getattr(row, name) or 0)


def _counter_sums(session: Session, period: Period, group_by: str | None, departments: set[int] | None,
                  query: IndicatorQuery) -> dict[str, Sums]:
    """Summed counters per group key (str; "" for the total)."""
    out: dict[str, Sums] = defaultdict(dict)
    months, edges = _split(period)
    for table, when, ranges in ((IndicatorMonthly, IndicatorMonthly.month, [(m, m) for m in months]),
                                (IndicatorDaily, IndicatorDaily.day, edges)):
        if not ranges:
            continue
        group_cols: list[Any] = []
        if group_by == "month":
            group_cols = [when]
        elif group_by:
            group_cols = [getattr(table, _KEY_COLUMN[group_by])]
        sums = [func.sum(getattr(table, c)).label(c) for c in COUNTERS]
        stmt = select(*group_cols, *sums)
        # One range condition per contiguous run (months are contiguous; edges are at most two).
        conditions = [when.between(lo, hi) for lo, hi in _runs(ranges, monthly=table is IndicatorMonthly)]
        stmt = _filtered(stmt.where(or_(*conditions)), table, departments, query)
        if group_cols:
            stmt = stmt.group_by(*group_cols)
        for row in session.execute(stmt):
            if group_by == "month":
                key = month_of(row[0]).strftime("%Y-%m")
            elif group_by:
                key = str(row[0])
            else:
                key = ""
            _add(out[key], row, COUNTERS)
    return dict(out)


def _runs(ranges: list[tuple[dt.date, dt.date]], *, monthly: bool) -> list[tuple[dt.date, dt.date]]:
    if not monthly:
        return ranges
    return [(ranges[0][0], ranges[-1][0])] if ranges else []


def _catalog_sums(session: Session, period: Period, group_by: str | None, departments: set[int] | None,
                  query: IndicatorQuery) -> tuple[dict[str, Sums], dt.date | None]:
    """The catalog snapshot counters of the period's last snapshot day (per month: each month's last)."""
    c = IndicatorCatalogDaily
    days = sorted(session.execute(select(c.day).where(c.day.between(period.start, period.end))
                                  .group_by(c.day)).scalars())
    if not days:
        return {}, None
    last_of: dict[dt.date, dt.date] = {}
    for day in days:
        last_of[month_of(day)] = day
    chosen = sorted(last_of.values()) if group_by == "month" else [days[-1]]
    group_cols: list[Any] = [c.day] if group_by == "month" else (
        [getattr(c, _KEY_COLUMN[group_by])] if group_by else [])
    stmt = select(*group_cols, *(func.sum(getattr(c, n)).label(n) for n in CATALOG_COUNTERS)).where(
        c.day.in_(chosen))
    stmt = _filtered(stmt, c, departments, query)
    if group_cols:
        stmt = stmt.group_by(*group_cols)
    out: dict[str, Sums] = defaultdict(dict)
    for row in session.execute(stmt):
        if group_by == "month":
            key = row[0].strftime("%Y-%m")
        elif group_by:
            key = str(row[0])
        else:
            key = ""
        _add(out[key], row, CATALOG_COUNTERS)
    return dict(out), days[-1]


def _values(counters: Sums, catalog: Sums) -> dict[str, float | None]:
    catalog = {**catalog, "legal_minus_promised": catalog.get("legal_days", 0) - catalog.get("promised_days", 0)}
    return {i.code: value(i, catalog if i.source == "catalog" else counters) for i in INDICATORS}


def _names(session: Session, group_by: str, keys: list[str]) -> dict[str, str]:
    if group_by == "department":
        ids = [int(k) for k in keys if k.isdigit()]
        return {str(i): n for i, n in session.execute(select(Department.id, Department.name)
                                                       .where(Department.id.in_(ids)))}
    if group_by == "item":
        return dict(session.execute(select(BasicItem.code, BasicItem.name).where(BasicItem.code.in_(keys))).all())
    if group_by == "region":
        return dict(session.execute(select(Region.code, Region.name).where(Region.code.in_(keys))).all())
    return {k: f"{k[:4]}年{int(k[5:7])}月" for k in keys}


def report(session: Session, actor: Actor, query: IndicatorQuery, period: Period) -> IndicatorReport:
    """绩效指标 of a period, in total and per group: supervisors and platform admins every department,
    department heads their own (asking for another department is refused)."""
    departments = _departments_in_reach(actor, query.department_id)
    totals = _counter_sums(session, period, None, departments, query).get("", {})
    catalog_totals, catalog_day = _catalog_sums(session, period, None, departments, query)
    by_group = _counter_sums(session, period, query.group_by, departments, query)
    catalog_by_group, _ = _catalog_sums(session, period, query.group_by, departments, query)
    keys = sorted(set(by_group) | set(catalog_by_group))
    names = _names(session, query.group_by, keys)
    if query.group_by != "month":
        keys.sort(key=lambda k: (names.get(k, k), k))
    groups = [Group(key=k, name=names.get(k, k), values=_values(by_group.get(k, {}), catalog_by_group.get(k, {})),
                    counters={**dict.fromkeys(COUNTERS, 0), **by_group.get(k, {})}) for k in keys[:query.limit]]
    return IndicatorReport(
        start=period.start, end=period.end, period_label=period.label, group_by=query.group_by,
        scope="all" if actor.department_scope(Permission.INDICATOR_READ) is None else "department",
        department_id=query.department_id, item_code=query.item_code, region_code=query.region_code,
        catalog_day=catalog_day, definitions=definitions(),
        total=Group(key="", name="合计", values=_values(totals, catalog_totals.get("", {})),
                    counters={**dict.fromkeys(COUNTERS, 0), **totals}),
        groups=groups, groups_total=len(keys))


def report_from(session: Session, actor: Actor, values: dict[str, Any]) -> IndicatorReport:
    """The report for raw query values (the API's and the export's entry)."""
    query, period = parse_query(values)
    return report(session, actor, query, period)


# ---------------------------------------------------------------------------------------------- the page

FILTER_FIELDS = ("period", "start", "end", "department_id", "item_code", "region_code")


@dataclass(frozen=True)
class Dashboard:
    """绩效指标 page: the filters, the totals with their definitions, a breakdown and the months."""

    form: dict[str, str]
    departments: list[Any] = field(default_factory=list)
    department_wide: bool = False  # the actor sees every department (the department select is offered)
    report: IndicatorReport | None = None  # grouped by department (all) or by item (one department)
    months: IndicatorReport | None = None
    chart_json: dict[str, Any] | None = None
    export_query: str = ""
    direction_labels: dict[str, str] = field(default_factory=lambda: dict(DIRECTION_LABELS))
    group_label: str = ""
    problem: ValidationFailed | None = None


def dashboard(session: Session, actor: Actor, values: dict[str, str]) -> Dashboard:
    """The dashboard: everything for the supervisor, one department for its head."""
    from urllib.parse import urlencode

    actor.require(Permission.INDICATOR_READ)
    wide = actor.department_scope(Permission.INDICATOR_READ) is None
    form = {k: str(values.get(k, "")).strip() for k in FILTER_FIELDS}
    if not wide:
        form["department_id"] = ""  # a department head's figures are always their own department's
    departments = list(session.execute(select(Department.id, Department.name).order_by(Department.name)).all()) \
        if wide else []
    one_department = bool(form["department_id"]) or not wide
    group_by = "item" if one_department else "department"
    try:
        query, period = parse_query({**form, "group_by": group_by, "limit": 200})
        main = report(session, actor, query, period)
        months = report(session, actor, query.model_copy(update={"group_by": "month"}), period)
    except ValidationFailed as exc:
        return Dashboard(form=form, departments=departments, department_wide=wide, problem=exc)
    chart = {
        "definitions": [d.model_dump() for d in main.definitions],
        "groups": [{"name": g.name, "values": g.values} for g in main.groups],
        "months": [{"name": g.name, "values": g.values} for g in months.groups],
    }
    export_query = urlencode({k: v for k, v in form.items() if v})
    return Dashboard(form=form, departments=departments, department_wide=wide, report=main, months=months,
                     chart_json=chart, export_query=export_query, group_label=GROUP_LABELS[group_by])
