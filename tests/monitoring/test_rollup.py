"""The hourly rollup counts every sealed call exactly once, as the raw log says, and can be rebuilt."""

from __future__ import annotations

import datetime as dt
import math
import os
import subprocess
import sys
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import actor_of
from tests.monitoring.conftest import World, log_calls, raw_entries
from tongban import clock
from tongban.exchange import sealing
from tongban.monitoring import rollup, service
from tongban.monitoring.models import BUCKET_COLUMNS, LATENCY_BOUNDS_MS, ExchangeStatsDaily, ExchangeStatsHourly
from tongban.monitoring.schemas import StatsFilter

BEIJING = dt.timezone(dt.timedelta(hours=8))


def _rollup_rows(session: Session, daily: bool = False) -> dict[tuple[Any, ...], dict[str, int]]:
    model = ExchangeStatsDaily if daily else ExchangeStatsHourly
    rows = session.execute(select(model)).scalars().all()
    cols = ("calls", "ok", "denied", "not_found", "errors", "latency_sum_ms", "latency_max_ms", *BUCKET_COLUMNS)
    out = {(r.day if daily else r.hour, r.resource_id, r.client_id, r.consumer_id, r.provider_id):  # type: ignore[union-attr]
           {c: int(getattr(r, c)) for c in cols} for r in rows}
    session.expire_all()
    return out


def _both(session: Session) -> tuple[dict[tuple[Any, ...], dict[str, int]], dict[tuple[Any, ...], dict[str, int]]]:
    return _rollup_rows(session), _rollup_rows(session, daily=True)


def _expected_from_raw(entries: list[Any], daily: bool = False) -> dict[tuple[Any, ...], dict[str, int]]:
    out: dict[tuple[Any, ...], dict[str, int]] = defaultdict(Counter)  # type: ignore[arg-type]
    for e in entries:
        when = ((e.occurred_at.replace(tzinfo=dt.UTC).astimezone(BEIJING).date()) if daily
                else e.occurred_at.replace(minute=0, second=0, microsecond=0))
        key = (when, e.resource_id or 0, e.client_id, e.consumer_id, e.provider_id or 0)
        row = out[key]
        row["calls"] += 1
        row[e.result] += 1
        row["errors"] += e.status_code >= 500
        row["latency_sum_ms"] += e.latency_ms
        row["latency_max_ms"] = max(row["latency_max_ms"], e.latency_ms)
        # The bucket by hand: the first bound at or above the latency, else the overflow bucket.
        bucket = next((f"le_{b}ms" for b in LATENCY_BOUNDS_MS if e.latency_ms <= b), "gt_10000ms")
        row[bucket] += 1
    cols = ("calls", "ok", "denied", "not_found", "errors", "latency_sum_ms", "latency_max_ms", *BUCKET_COLUMNS)
    return {k: {c: v.get(c, 0) for c in cols} for k, v in out.items()}


def _nearest_rank(values: list[int], q: float) -> int:
    ordered = sorted(values)
    return ordered[math.ceil(q * len(ordered)) - 1]


def test_rollup_matches_the_raw_log(session: Session, world: World) -> None:
    log_calls(session, world, 300, seed=1)
    assert sealing.seal(session) == 300
    raw = raw_entries(session)
    assert _rollup_rows(session) == _expected_from_raw(raw)
    assert _rollup_rows(session, daily=True) == _expected_from_raw(raw, daily=True)

    stats = service.exchange_stats(session=session, actor=actor_of(world.city.users["admin"]), filters=StatsFilter())
    errors = sum(e.status_code >= 500 for e in raw)
    assert stats.totals.calls == 300 == sum(p.calls for p in stats.series)
    assert stats.totals.errors == errors and stats.totals.error_rate == round(errors / 300, 4)
    assert stats.totals.denied == sum(e.result == "denied" for e in raw)
    assert stats.totals.active_clients == len({e.client_id for e in raw})
    per_resource = Counter(e.resource_id or 0 for e in raw)
    per_resource_errors = Counter(e.resource_id or 0 for e in raw if e.status_code >= 500)
    assert {r.resource_id: r.calls for r in stats.resources} == dict(per_resource)
    for r in stats.resources:
        assert r.error_rate == round(per_resource_errors[r.resource_id] / r.calls, 4)
    per_provider = Counter(e.provider_id or 0 for e in raw)
    assert {p.department_id: p.calls for p in stats.providers} == dict(per_provider)
    per_consumer = Counter((e.consumer_id, e.client_id) for e in raw)
    assert {(c.department_id, c.client_id): c.calls for c in stats.top_consumers} == dict(per_consumer)
    assert [c.calls for c in stats.top_consumers] == sorted(per_consumer.values(), reverse=True)
    names = {r.resource_name for r in stats.resources}
    assert {"企业登记基本信息", "社会保险参保信息", service.UNKNOWN_RESOURCE} == names


def test_percentile_estimates_lie_in_the_true_percentiles_bucket(session: Session, world: World) -> None:
    log_calls(session, world, 400, seed=2)
    sealing.seal(session)
    raw = raw_entries(session)
    stats = service.exchange_stats(session=session, actor=actor_of(world.city.users["admin"]), filters=StatsFilter())

    def check(latencies: list[int], latency: Any) -> None:
        for q, estimate in ((0.50, latency.p50_ms), (0.95, latency.p95_ms), (0.99, latency.p99_ms)):
            true = _nearest_rank(latencies, q)
            i = next((i for i, b in enumerate(LATENCY_BOUNDS_MS) if true <= b), len(LATENCY_BOUNDS_MS))
            lower = 0 if i == 0 else LATENCY_BOUNDS_MS[i - 1]
            upper = LATENCY_BOUNDS_MS[i] if i < len(LATENCY_BOUNDS_MS) else max(latencies)
            assert lower <= estimate <= upper, (q, true, estimate, lower, upper)

    check([e.latency_ms for e in raw], stats.totals.latency)
    assert stats.totals.latency.avg_ms == round(sum(e.latency_ms for e in raw) / len(raw), 1)
    for r in stats.resources:
        check([e.latency_ms for e in raw if (e.resource_id or 0) == r.resource_id], r.latency)
    # All calls in one bucket: the estimate stays inside it.
    assert rollup.percentile([0, 0, 0, 0, 10] + [0] * 13, 0.95) is not None
    assert 5 <= (rollup.percentile([0, 0, 0, 0, 10] + [0] * 13, 0.95) or 0) <= 10
    assert rollup.percentile([0] * 18, 0.5) is None


def test_sealing_again_does_not_count_twice(session: Session, world: World) -> None:
    log_calls(session, world, 40, seed=3)
    assert sealing.seal(session) == 40
    before = _both(session)
    assert sealing.seal(session) == 0
    assert _both(session) == before
    # New calls in hours already counted are added to those hours' rows.
    log_calls(session, world, 25, seed=4, hours_back=2)
    assert sealing.seal(session) == 25 and sealing.seal(session) == 0
    rows = _rollup_rows(session)
    assert sum(r["calls"] for r in rows.values()) == 65
    assert rows == _expected_from_raw(raw_entries(session))
    assert _rollup_rows(session, daily=True) == _expected_from_raw(raw_entries(session), daily=True)


def test_rebuild_equals_incremental(session: Session, world: World, database_url: str) -> None:
    log_calls(session, world, 150, seed=5)
    sealing.seal(session)
    log_calls(session, world, 60, seed=6)
    sealing.seal(session)
    log_calls(session, world, 5, seed=7)  # not sealed yet: neither counted nor recounted
    incremental = _both(session)
    assert sum(r["calls"] for r in incremental[0].values()) == 210

    assert rollup.rebuild(session, batch=37) == 210
    assert _both(session) == incremental

    # From a day on: earlier hours untouched, later ones recounted.
    since_day = clock.today() - dt.timedelta(days=2)
    since = dt.datetime.combine(since_day, dt.time(), BEIJING).astimezone(dt.UTC).replace(tzinfo=None)
    session.execute(ExchangeStatsHourly.__table__.update().where(ExchangeStatsHourly.hour >= since)
                    .values(calls=ExchangeStatsHourly.calls + 1000))  # damage the recent rollup
    session.execute(ExchangeStatsDaily.__table__.update().where(ExchangeStatsDaily.day >= since_day)
                    .values(errors=ExchangeStatsDaily.errors + 1000))
    session.commit()
    expected_recent = sum(1 for e in raw_entries(session) if e.occurred_at >= since)
    assert rollup.rebuild(session, since=since_day, batch=23) == expected_recent
    assert _both(session) == incremental

    # The command does the same.
    env = {**os.environ, "TONGBAN_DATABASE_URL": database_url}
    proc = subprocess.run([sys.executable, "-m", "tongban.cli", "monitoring", "rebuild", "--since",
                           since_day.isoformat()], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert f"计入 {expected_recent} 条" in proc.stdout
    assert _both(session) == incremental
    # Sealing the rest afterwards counts only the new entries.
    assert sealing.seal(session) == 5
    assert sum(r["calls"] for r in _rollup_rows(session).values()) == 215


def test_day_boundaries_follow_beijing_time(session: Session, world: World) -> None:
    today = clock.today()
    # 15:59 UTC is 23:59 in Beijing (yesterday); 16:00 UTC is midnight, the start of today.
    yesterday_late = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(15, 59))
    today_start = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(16, 0))
    log_calls(session, world, 3, seed=8, at=yesterday_late, latency=7)
    log_calls(session, world, 2, seed=9, at=today_start, latency=7)
    sealing.seal(session)
    admin = actor_of(world.city.users["admin"])
    stats = service.exchange_stats(session=session, actor=admin, filters=StatsFilter(granularity="day"))
    assert len(stats.series) == 7 and stats.series[-1].label == today.isoformat()
    assert [p.calls for p in stats.series[-2:]] == [3, 2]
    assert stats.series[-1].start.utcoffset() == dt.timedelta(hours=8)
    hourly = service.exchange_stats(session=session, actor=admin, filters=StatsFilter(start=today, end=today))
    assert len(hourly.series) == 24 and hourly.series[0].calls == 2 and hourly.series[0].label.endswith("00:00")
