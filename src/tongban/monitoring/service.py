"""共享交换监测: calls, error rates, latency percentiles and top consumers, read from the hourly rollup."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from tongban import clock
from tongban.authz import Actor, Permission
from tongban.catalog.models import InformationResource
from tongban.errors import ValidationFailed
from tongban.exchange import hooks
from tongban.monitoring import permissions as rules
from tongban.monitoring.models import (
    BUCKET_COLUMNS,
    COUNT_COLUMNS,
    LATENCY_BOUNDS_MS,
    ExchangeStatsDaily,
    ExchangeStatsHourly,
)
from tongban.monitoring.rollup import day_start, percentile
from tongban.monitoring.schemas import (
    ConsumerRow,
    ExchangeStats,
    Latency,
    OverdueDisputes,
    ProviderRow,
    ResourceRow,
    SeriesPoint,
    StatsFilter,
    Totals,
    range_problem,
)
from tongban.org.models import AppClient, Department

BEIJING = clock.BEIJING
DEFAULT_DAYS = 7
TOP_CONSUMERS = 10
TOP_RESOURCES = 50
UNKNOWN_RESOURCE = "（不存在的资源代码）"

H, D = ExchangeStatsHourly, ExchangeStatsDaily
Stats = type[ExchangeStatsHourly] | type[ExchangeStatsDaily]


def _sums(model: Stats) -> list[Any]:
    table = model.__table__
    return [*(func.sum(table.c[c]) for c in (*COUNT_COLUMNS, *BUCKET_COLUMNS)), func.max(table.c.latency_max_ms)]


class _Acc:
    """Sums of the rollup columns for one group: counts, latency sum and max, histogram."""

    __slots__ = ("buckets", "counts", "max_ms")

    def __init__(self) -> None:
        self.counts = dict.fromkeys(COUNT_COLUMNS, 0)
        self.buckets = [0] * len(BUCKET_COLUMNS)
        self.max_ms = 0

    @classmethod
    def of(cls, values: Sequence[Any]) -> _Acc:
        """From a row of `_SUMS` followed by max(latency_max_ms)."""
        acc = cls()
        n = len(COUNT_COLUMNS)
        acc.counts = {c: int(v or 0) for c, v in zip(COUNT_COLUMNS, values[:n], strict=True)}
        acc.buckets = [int(v or 0) for v in values[n:n + len(BUCKET_COLUMNS)]]
        acc.max_ms = int(values[n + len(BUCKET_COLUMNS)] or 0)
        return acc

    def add(self, other: _Acc) -> None:
        for c in COUNT_COLUMNS:
            self.counts[c] += other.counts[c]
        self.buckets = [a + b for a, b in zip(self.buckets, other.buckets, strict=True)]
        self.max_ms = max(self.max_ms, other.max_ms)

    def fields(self) -> dict[str, Any]:
        c = self.counts
        calls = c["calls"]
        return {
            "calls": calls, "ok": c["ok"], "denied": c["denied"], "not_found": c["not_found"], "errors": c["errors"],
            "error_rate": round(c["errors"] / calls, 4) if calls else 0.0,
            "denied_rate": round(c["denied"] / calls, 4) if calls else 0.0,
            "latency": Latency(avg_ms=round(c["latency_sum_ms"] / calls, 1) if calls else None,
                               p50_ms=percentile(self.buckets, 0.50, self.max_ms),
                               p95_ms=percentile(self.buckets, 0.95, self.max_ms),
                               p99_ms=percentile(self.buckets, 0.99, self.max_ms)),
        }


def _grouped(session: Session, model: Stats, where: list[ColumnElement[bool]], *keys: Any,
             limit: int | None = None) -> list[tuple[tuple[Any, ...], _Acc]]:
    query = select(*keys, *_sums(model)).where(*where).group_by(*keys)
    if limit is not None:
        query = query.order_by(func.sum(model.calls).desc(), *keys).limit(limit)
    n = len(keys)
    return [(tuple(row[:n]), _Acc.of(row[n:])) for row in session.execute(query).all()]


def _names(session: Session, model: Any, ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    return {r.id: r for r in session.execute(select(model).where(model.id.in_(sorted(ids)))).scalars()}


def _series(rows: list[tuple[tuple[Any, ...], _Acc]], start: dt.date, end: dt.date, granularity: str
            ) -> list[SeriesPoint]:
    """One point per hour (hourly rows) or per Beijing day (daily rows) of the range, zero where nothing was called."""
    by_key = {key: acc for (key,), acc in rows}
    points: list[SeriesPoint] = []
    t, stop = day_start(start), day_start(end + dt.timedelta(days=1))
    step = dt.timedelta(hours=1 if granularity == "hour" else 24)
    while t < stop:
        local = t.replace(tzinfo=dt.UTC).astimezone(BEIJING)
        if granularity == "hour":
            acc, label = by_key.get(t) or _Acc(), local.strftime("%m-%d %H:00")
        else:
            acc, label = by_key.get(local.date()) or _Acc(), local.strftime("%Y-%m-%d")
        points.append(SeriesPoint(start=local, label=label, **acc.fields()))
        t += step
    return points


def exchange_stats(*, session: Session, actor: Actor, filters: StatsFilter) -> ExchangeStats:
    """Statistics of the calls the actor may see, over the filter's Beijing date range."""
    rules.check_monitor(actor)
    end = filters.end or clock.today()
    start = filters.start or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    problem = range_problem(start, end, filters.granularity)
    if problem:
        raise ValidationFailed(problem, code="bad_range")
    resource_id = None
    if filters.resource_code:
        resource_id = session.execute(select(InformationResource.id).where(
            InformationResource.code == filters.resource_code)).scalar()
        if resource_id is None:
            raise ValidationFailed(f"信息资源代码 {filters.resource_code} 不存在，请检查后重新筛选。",
                                   code="resource_unknown")

    def where(model: Stats) -> list[ColumnElement[bool]]:
        conditions = [rules.visible_calls(actor, model)]
        if resource_id is not None:
            conditions.append(model.resource_id == resource_id)
        if filters.consumer_id is not None:
            conditions.append(model.consumer_id == filters.consumer_id)
        if filters.provider_id is not None:
            conditions.append(model.provider_id == filters.provider_id)
        return conditions

    # Hourly charts need the hourly rows; everything else reads the daily rollup (ranges are whole days).
    daily = [D.day >= start, D.day <= end, *where(D)]
    if filters.granularity == "hour":
        hourly = [H.hour >= day_start(start), H.hour < day_start(end + dt.timedelta(days=1)), *where(H)]
        periods = _grouped(session, H, hourly, H.hour)
    else:
        periods = _grouped(session, D, daily, D.day)
    series = _series(periods, start, end, filters.granularity)
    total = _Acc()
    for _, acc in periods:
        total.add(acc)
    consumers_all = _grouped(session, D, daily, D.consumer_id, D.client_id)
    consumers = sorted(consumers_all, key=lambda g: (-g[1].counts["calls"], g[0]))[:TOP_CONSUMERS]
    resources_all = _grouped(session, D, daily, D.resource_id, D.provider_id)
    resources = sorted(resources_all, key=lambda g: (-g[1].counts["calls"], g[0]))[:TOP_RESOURCES]
    by_provider: dict[int, _Acc] = {}
    provider_resources: dict[int, set[int]] = {}
    for (r, p), acc in resources_all:
        by_provider.setdefault(p, _Acc()).add(acc)
        provider_resources.setdefault(p, set()).add(r)
    providers = [((p,), acc) for p, acc in by_provider.items()]
    active = (len({d for (d, _), _ in consumers_all}), len({c for (_, c), _ in consumers_all}),
              len({r for (r, _), _ in resources_all}))

    departments = _names(session, Department, {k[0] for k, _ in consumers} | {k[1] for k, _ in resources}
                         | {k[0] for k, _ in providers})
    clients = _names(session, AppClient, {k[1] for k, _ in consumers})
    catalog = _names(session, InformationResource, {k[0] for k, _ in resources})

    def dept(i: int) -> str:
        d = departments.get(i)
        return d.name if d is not None else ("（未登记）" if i == 0 else f"部门 #{i}")

    top_consumers = [ConsumerRow(department_id=d, department_name=dept(d), client_id=c,
                                 client_name=clients[c].name if c in clients else f"应用系统 #{c}", **acc.fields())
                     for (d, c), acc in consumers]
    resource_rows = [ResourceRow(resource_id=r, resource_code=catalog[r].code if r in catalog else "—",
                                 resource_name=catalog[r].name if r in catalog else UNKNOWN_RESOURCE,
                                 provider_id=p, provider_name=dept(p) if p else "—", **acc.fields())
                     for (r, p), acc in resources]
    provider_rows = sorted((ProviderRow(department_id=p, department_name=dept(p) if p else UNKNOWN_RESOURCE,
                                        resources=len(provider_resources[p]) if p else 0, **acc.fields())
                            for (p,), acc in providers), key=lambda r: (-r.calls, r.department_id))
    return ExchangeStats(
        start=start, end=end, granularity=filters.granularity, resource_code=filters.resource_code,
        consumer_id=filters.consumer_id, provider_id=filters.provider_id,
        scope="all" if actor.department_scope(Permission.EXCHANGE_MONITOR) is None else "department",
        latency_bounds_ms=list(LATENCY_BOUNDS_MS),
        totals=Totals(active_consumers=int(active[0]), active_clients=int(active[1]), resources=int(active[2]),
                      **total.fields()),
        series=series, top_consumers=top_consumers, resources=resource_rows, resources_total=int(active[2]),
        providers=provider_rows, overdue_disputes=[OverdueDisputes(**row) for row in hooks.overdue_by_provider(
            session, actor.department_scope(Permission.EXCHANGE_MONITOR))])
