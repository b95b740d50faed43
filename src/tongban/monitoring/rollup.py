"""Hourly and daily rollups of the exchange log (调用统计汇总), and latency percentiles from its histogram.

The sealer (`tongban.exchange.sealing.seal`) reads every new log entry exactly once, in batches, in
one transaction; it hands each batch to `rollup`, so an entry is counted once and in the same
transaction as its sealing. Pages and the API read only the rollup, never the raw log, which at
30 million entries would be too slow to aggregate per page view. `rebuild` recounts from the raw
log after a restore or a fix (`tongban monitoring rebuild`).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tongban.exchange.log_models import ExchangeLogEntry, ExchangeLogHead
from tongban.monitoring.models import (
    BUCKET_COLUMNS,
    COUNT_COLUMNS,
    LATENCY_BOUNDS_MS,
    ExchangeStatsDaily,
    ExchangeStatsHourly,
)
from tongban.transactions import Why, commit_apart

KEY_COLUMNS = ("hour", "resource_id", "client_id", "consumer_id", "provider_id")
DAY_KEY_COLUMNS = ("day", "resource_id", "client_id", "consumer_id", "provider_id")
_EIGHT_HOURS = dt.timedelta(hours=8)


def beijing_day(utc: dt.datetime) -> dt.date:
    """The Beijing calendar day of a naive-UTC time (China keeps UTC+8 all year)."""
    return (utc + _EIGHT_HOURS).date()


def day_start(day: dt.date) -> dt.datetime:
    """Beijing midnight starting `day`, as naive UTC."""
    return dt.datetime.combine(day, dt.time()) - _EIGHT_HOURS


class LoggedCall(Protocol):
    """What the rollup needs of a log entry (an `ExchangeLogEntry` or a row with these columns)."""

    occurred_at: dt.datetime
    resource_id: int | None
    client_id: int
    consumer_id: int
    provider_id: int | None
    result: str
    status_code: int
    latency_ms: int


def bucket_of(latency_ms: int) -> int:
    """Index of the histogram bucket holding this latency (bounds are inclusive upper bounds)."""
    return bisect.bisect_left(LATENCY_BOUNDS_MS, latency_ms)


def percentile(buckets: Sequence[int], q: float, max_ms: int | None = None) -> float | None:
    """Estimate the q-quantile (0 < q ≤ 1) from bucket counts by linear interpolation inside its bucket.

    The estimate always lies within the bounds of the bucket that holds the true nearest-rank
    percentile; the open last bucket is bounded by the largest latency seen.
    """
    total = sum(buckets)
    if total == 0:
        return None
    rank = q * total
    cumulative = 0
    for i, count in enumerate(buckets):
        if count and cumulative + count >= rank:
            lower = 0 if i == 0 else LATENCY_BOUNDS_MS[i - 1]
            upper = LATENCY_BOUNDS_MS[i] if i < len(LATENCY_BOUNDS_MS) else max(max_ms or lower, lower)
            return round(lower + (upper - lower) * (rank - cumulative) / count, 1)
        cumulative += count
    return float(max_ms or LATENCY_BOUNDS_MS[-1])


def _aggregate(entries: Iterable[LoggedCall]) -> list[dict[str, Any]]:
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for e in entries:
        hour = e.occurred_at.replace(minute=0, second=0, microsecond=0)
        key = (hour, e.resource_id or 0, e.client_id or 0, e.consumer_id or 0, e.provider_id or 0)
        row = rows.get(key)
        if row is None:
            row = dict(zip(KEY_COLUMNS, key, strict=True))
            row.update(dict.fromkeys((*COUNT_COLUMNS, *BUCKET_COLUMNS), 0), latency_max_ms=0)
            rows[key] = row
        latency = max(e.latency_ms or 0, 0)
        row["calls"] += 1
        if e.result == "ok":
            row["ok"] += 1
        elif e.result == "denied":
            row["denied"] += 1
        elif e.result == "not_found":
            row["not_found"] += 1
        if e.status_code >= 500:
            row["errors"] += 1
        row["latency_sum_ms"] += latency
        row["latency_max_ms"] = max(row["latency_max_ms"], latency)
        row[BUCKET_COLUMNS[bucket_of(latency)]] += 1
    return list(rows.values())


def _daily(hourly: list[dict[str, Any]]) -> list[dict[str, Any]]:
    days: dict[tuple[Any, ...], dict[str, Any]] = {}
    for h in hourly:
        key = (beijing_day(h["hour"]), *(h[k] for k in KEY_COLUMNS[1:]))
        row = days.get(key)
        if row is None:
            days[key] = {**dict(zip(DAY_KEY_COLUMNS, key, strict=True)),
                         **{c: v for c, v in h.items() if c not in KEY_COLUMNS}}
            continue
        for c in (*COUNT_COLUMNS, *BUCKET_COLUMNS):
            row[c] += h[c]
        row["latency_max_ms"] = max(row["latency_max_ms"], h["latency_max_ms"])
    return list(days.values())


def rollup(session: Session, entries: Iterable[LoggedCall]) -> int:
    """Add these log entries to the hourly and daily rollups in the caller's transaction.

    One upsert per (hour or day, resource, client, consumer, provider) that adds to what is there,
    on SQLite and PostgreSQL alike. Never commits: the sealer commits the rollup with the seal.
    Returns the number of hourly rows touched.
    """
    rows = _aggregate(entries)
    if not rows:
        return 0
    _upsert(session, ExchangeStatsHourly.__table__, KEY_COLUMNS, rows)
    _upsert(session, ExchangeStatsDaily.__table__, DAY_KEY_COLUMNS, _daily(rows))
    return len(rows)


def _upsert(session: Session, table: Any, keys: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    dialect = session.get_bind().dialect.name
    insert: Callable[..., Any] = postgresql.insert if dialect == "postgresql" else sqlite.insert
    greatest = func.greatest if dialect == "postgresql" else func.max
    stmt = insert(table)
    added = {c: table.c[c] + stmt.excluded[c] for c in (*COUNT_COLUMNS, *BUCKET_COLUMNS)}
    added["latency_max_ms"] = greatest(table.c.latency_max_ms, stmt.excluded.latency_max_ms)
    # Fixed key order keeps concurrent upserts on PostgreSQL from deadlocking on each other's rows.
    rows.sort(key=lambda r: tuple(r[k] for k in keys))
    session.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=added), rows)


_REBUILD_COLUMNS = (ExchangeLogEntry.chain_no, ExchangeLogEntry.occurred_at, ExchangeLogEntry.resource_id,
                    ExchangeLogEntry.client_id, ExchangeLogEntry.consumer_id, ExchangeLogEntry.provider_id,
                    ExchangeLogEntry.result, ExchangeLogEntry.status_code, ExchangeLogEntry.latency_ms)


def _lock_head(session: Session) -> int:
    """Take the sealer's lock (the chain head) and return the last sealed chain number."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE exchange_log_head SET id = id WHERE id = 1"))
    head = session.execute(select(ExchangeLogHead).where(ExchangeLogHead.id == 1).with_for_update()).scalar_one()
    return head.last_seq


def rebuild(session: Session, *, since: dt.date | None = None, batch: int = 50_000,
            progress: Callable[[int], None] | None = None) -> int:
    """Recount the rollups from the sealed raw log, from the Beijing day `since` or from the start.

    Under the sealer's lock it deletes the rollups from `since` and notes the last sealed chain
    number; entries up to it are then recounted in batches, each in its own short transaction (Why.BATCH:
    not inside a use-case), while the sealer goes on counting the newer ones. Returns the number of
    entries counted.
    """
    start = day_start(since) if since else None
    last = _lock_head(session)
    hourly, daily = delete(ExchangeStatsHourly), delete(ExchangeStatsDaily)
    session.execute(hourly.where(ExchangeStatsHourly.hour >= start) if start else hourly)
    session.execute(daily.where(ExchangeStatsDaily.day >= since) if since else daily)
    commit_apart(session, Why.BATCH)
    position, counted = 0, 0
    while position < last:
        # Keyset walk of the chain's unique index with the time filter in the database: only counted
        # rows reach Python, and nothing assumes that chain order follows time order.
        query = select(*_REBUILD_COLUMNS).where(ExchangeLogEntry.chain_no > position,
                                                ExchangeLogEntry.chain_no <= last)
        if start is not None:
            query = query.where(ExchangeLogEntry.occurred_at >= start)
        rows = session.execute(query.order_by(ExchangeLogEntry.chain_no).limit(batch)).all()
        if not rows:
            break
        position = rows[-1].chain_no
        rollup(session, rows)
        commit_apart(session, Why.BATCH)
        counted += len(rows)
        if progress:
            progress(counted)
    return counted
