"""Exchange monitoring at 30 million logged calls: the statistics read from the rollups.

Fills `exchange_stats_hourly` and `exchange_stats_daily` as 30 million calls over 90 days would
(300 busy resource/system pairs an hour, ~46 calls each), then times `exchange_stats` for the
default week by hour, 90 days by day and a department's week, against the bare baseline of the
same week read as one grouped SQL query.
Also times the sealer's rollup of a 50,000-entry batch. Prints one JSON line.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
import sys
import time
from types import SimpleNamespace

from _common import fresh_database
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from tongban import clock
from tongban.authz import Actor
from tongban.db import make_engine, make_session_factory
from tongban.monitoring import rollup, service
from tongban.monitoring.models import BUCKET_COLUMNS, COUNT_COLUMNS, ExchangeStatsDaily, ExchangeStatsHourly
from tongban.monitoring.schemas import StatsFilter

DAYS, PAIRS, CALLS_PER_ROW = 90, 300, 46
ADMIN = Actor(kind="staff", id=1, name="平台管理员", department_id=1, roles=frozenset({"platform_admin"}))
DEPT = Actor(kind="staff", id=2, name="数据管理员", department_id=7, roles=frozenset({"data_officer"}))


def _fill(session: Session) -> int:
    rng = random.Random(1)
    pairs = [(rng.randint(1, 4700), rng.randint(1, 500), rng.randint(1, 70), rng.randint(1, 70)) for _ in range(PAIRS)]
    end = dt.datetime.combine(clock.today() + dt.timedelta(days=1), dt.time()) - dt.timedelta(hours=8)
    hour, total = end - dt.timedelta(days=DAYS), 0
    daily: dict[tuple[object, ...], dict[str, object]] = {}
    while hour < end:
        rows = []
        for resource, client, consumer, provider in pairs:
            calls = rng.randint(1, 2 * CALLS_PER_ROW)
            buckets = dict.fromkeys(BUCKET_COLUMNS, 0)
            for _ in range(4):
                buckets[BUCKET_COLUMNS[rng.randint(3, 12)]] += calls // 4
            buckets[BUCKET_COLUMNS[5]] += calls - 4 * (calls // 4)
            rows.append({"hour": hour, "resource_id": resource, "client_id": client, "consumer_id": consumer,
                         "provider_id": provider, "calls": calls, "ok": calls - calls // 10, "denied": calls // 20,
                         "not_found": calls // 40, "errors": calls // 100, "latency_sum_ms": calls * 80,
                         "latency_max_ms": 900, **buckets})
            total += calls
        session.execute(insert(ExchangeStatsHourly), rows)
        for r in rows:
            key = (rollup.beijing_day(hour), r["resource_id"], r["client_id"], r["consumer_id"], r["provider_id"])
            day = daily.setdefault(key, {**{k: v for k, v in r.items() if k != "hour"}, "day": key[0],
                                         **dict.fromkeys((*COUNT_COLUMNS, *BUCKET_COLUMNS), 0)})
            for c in (*COUNT_COLUMNS, *BUCKET_COLUMNS):
                day[c] += r[c]
        hour += dt.timedelta(hours=1)
    session.execute(insert(ExchangeStatsDaily), list(daily.values()))
    session.commit()
    return total


def _time(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> None:
    url = fresh_database()
    session = make_session_factory(make_engine(url))()
    calls = _fill(session)
    rows = session.execute(select(func.count()).select_from(ExchangeStatsHourly)).scalar_one()
    today = clock.today()
    week = StatsFilter()
    quarter = StatsFilter(start=today - dt.timedelta(days=DAYS - 1), end=today, granularity="day")
    s = ExchangeStatsHourly
    lo = dt.datetime.combine(today - dt.timedelta(days=6), dt.time()) - dt.timedelta(hours=8)
    bare_week = _time(lambda: session.execute(select(s.hour, func.sum(s.calls)).where(s.hour >= lo)
                                              .group_by(s.hour)).all())
    week_ms = _time(lambda: service.exchange_stats(session=session, actor=ADMIN, filters=week))
    quarter_ms = _time(lambda: service.exchange_stats(session=session, actor=ADMIN, filters=quarter), repeat=3)
    dept_ms = _time(lambda: service.exchange_stats(session=session, actor=DEPT, filters=week))
    entries = [SimpleNamespace(occurred_at=dt.datetime(2026, 1, 1, i % 24, 0, 0), resource_id=i % 400,
                               client_id=i % 90, consumer_id=i % 60, provider_id=i % 50, result="ok",
                               status_code=200, latency_ms=i % 3000) for i in range(50_000)]
    t = time.perf_counter()
    rollup.rollup(session, entries)  # type: ignore[arg-type]
    session.commit()
    rollup_ms = (time.perf_counter() - t) * 1000
    print(json.dumps({"bench": "monitoring", "dialect": session.get_bind().dialect.name, "logged_calls": calls,
                      "rollup_rows": rows, "week_hourly_ms": round(week_ms, 1),
                      "bare_week_query_ms": round(bare_week, 1), "ratio": round(week_ms / bare_week, 1),
                      "quarter_daily_ms": round(quarter_ms, 1), "department_week_ms": round(dept_ms, 1),
                      "rollup_50k_entries_ms": round(rollup_ms, 1)}))
    session.close()


if __name__ == "__main__":
    sys.exit(main())
