"""Tables of exchange monitoring (共享交换监测): hourly and daily rollups of the exchange log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, DateTime, Integer
from sqlalchemy.orm import Mapped, mapped_column

from tongban.db import Base

_BIG = BigInteger().with_variant(Integer, "sqlite")

# Upper bounds (inclusive, milliseconds) of the latency histogram, roughly log-spaced 1 ms … 10 s;
# one more bucket holds everything slower. The column names below follow these bounds in order.
LATENCY_BOUNDS_MS: tuple[int, ...] = (1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 300, 500, 1000, 2000, 3000, 5000, 10000)
BUCKET_COLUMNS: tuple[str, ...] = (*(f"le_{b}ms" for b in LATENCY_BOUNDS_MS), f"gt_{LATENCY_BOUNDS_MS[-1]}ms")
COUNT_COLUMNS: tuple[str, ...] = ("calls", "ok", "denied", "not_found", "errors", "latency_sum_ms")


class _CallCounts:
    """Counters of a group of calls: outcomes, latency sum and maximum, latency histogram."""

    calls: Mapped[int] = mapped_column(Integer)
    ok: Mapped[int] = mapped_column(Integer)
    denied: Mapped[int] = mapped_column(Integer)
    not_found: Mapped[int] = mapped_column(Integer)
    errors: Mapped[int] = mapped_column(Integer)  # status >= 500
    latency_sum_ms: Mapped[int] = mapped_column(_BIG)
    latency_max_ms: Mapped[int] = mapped_column(Integer)
    le_1ms: Mapped[int] = mapped_column(Integer)
    le_2ms: Mapped[int] = mapped_column(Integer)
    le_3ms: Mapped[int] = mapped_column(Integer)
    le_5ms: Mapped[int] = mapped_column(Integer)
    le_10ms: Mapped[int] = mapped_column(Integer)
    le_20ms: Mapped[int] = mapped_column(Integer)
    le_30ms: Mapped[int] = mapped_column(Integer)
    le_50ms: Mapped[int] = mapped_column(Integer)
    le_100ms: Mapped[int] = mapped_column(Integer)
    le_200ms: Mapped[int] = mapped_column(Integer)
    le_300ms: Mapped[int] = mapped_column(Integer)
    le_500ms: Mapped[int] = mapped_column(Integer)
    le_1000ms: Mapped[int] = mapped_column(Integer)
    le_2000ms: Mapped[int] = mapped_column(Integer)
    le_3000ms: Mapped[int] = mapped_column(Integer)
    le_5000ms: Mapped[int] = mapped_column(Integer)
    le_10000ms: Mapped[int] = mapped_column(Integer)
    gt_10000ms: Mapped[int] = mapped_column(Integer)


class ExchangeStatsHourly(_CallCounts, Base):
    """Calls of one application system to one resource in one hour (UTC), counted by the log sealer.

    `resource_id` and `provider_id` are 0 for calls naming a resource code that does not exist;
    consumer and provider are part of the key so that a call stays attributed to the departments
    it had when it was made.
    """

    __tablename__ = "exchange_stats_hourly"

    hour: Mapped[dt.datetime] = mapped_column(DateTime, primary_key=True)  # naive UTC, start of the hour
    resource_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consumer_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class ExchangeStatsDaily(_CallCounts, Base):
    """The same per Beijing calendar day: what tables, totals and daily charts read (24× fewer rows)."""

    __tablename__ = "exchange_stats_daily"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)  # Beijing date
    resource_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consumer_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(Integer, primary_key=True)
