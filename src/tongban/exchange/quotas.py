"""Call quotas of grants (调用限额): calls per minute and per day of a client to a resource.

The counters live in the database (one upsert per call) so that the limit holds across worker
processes. Each count is committed at once, before the call does its work, so that concurrent
calls of one client do not hold the counter row's lock for the length of their transactions.
Refused calls count too: a client that keeps calling past its limit stays refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from tongban import clock
from tongban.db import sqlite_driver, sqlite_params, utcnow
from tongban.errors import TooManyRequests
from tongban.exchange.models import QuotaUsage
from tongban.sharing.limits import Limits, limits_of
from tongban.transactions import Why, commit_apart, use_case

_UPSERT = (
    "INSERT INTO exchange_quota_usage (client_id, resource_id, span, window_start, calls) VALUES {values} "
    "ON CONFLICT (client_id, resource_id, span, window_start) "
    "DO UPDATE SET calls = exchange_quota_usage.calls + excluded.calls RETURNING span, calls"
)
_UPSERT_BOTH = text(_UPSERT.format(values="(:c, :r, 'd', :d, :n), (:c, :r, 'm', :m, :n)"))
_UPSERT_DAY = text(_UPSERT.format(values="(:c, :r, 'd', :d, :n)"))
_UPSERT_MINUTE = text(_UPSERT.format(values="(:c, :r, 'm', :m, :n)"))

__all__ = ["Limits", "count_call", "count_many", "limits_of", "prune"]


def count_call(session: Session, *, client_id: int, resource_id: int, limits: Limits) -> TooManyRequests | None:
    """Count one call; returns the error to answer with when a limit is exceeded (None: go on)."""
    if not limits.per_minute and not limits.per_day:
        return None
    now = utcnow()
    statement, params = _statement(client_id, resource_id, limits, now)
    counts = {str(span): int(calls) for span, calls in session.execute(statement, {**params, "n": 1})}
    if session.get_bind().dialect.name != "sqlite":
        # Release the counter row at once: concurrent calls of this client must not queue on it for the
        # length of their transactions. SQLite has one writer anyway; there the count is committed with
        # the call's log entry (a refused call's refusal commits it too).
        commit_apart(session, Why.QUOTA_COUNTER)
    return _verdict(limits, counts, now)


#: One call to count: (client id, resource id, the grant's limits), or None for a call not counted.
Count = tuple[int, int, Limits] | None


def count_many(conn: Connection, calls: list[Count]) -> list[TooManyRequests | None]:
    """Count calls on this connection, in the transaction that writes their log entries (the group commit's,
    exchange/log_writer.py); for each call, in order, the error to answer with when a limit is exceeded.

    The calls of one client to one resource are counted by one upsert adding their number, and each is judged
    by its own place in the count, exactly as if they had come one after another in this order: with 3 calls
    left in the minute and 5 counted together, the first 3 go on and the last 2 are refused (and counted, as
    refused calls always are)."""
    verdicts: list[TooManyRequests | None] = [None] * len(calls)
    groups: dict[tuple[int, int, Limits], list[int]] = {}
    for i, call in enumerate(calls):
        if call is not None and (call[2].per_minute or call[2].per_day):
            groups.setdefault(call, []).append(i)
    now = utcnow()
    driver = sqlite_driver(conn)
    for (client_id, resource_id, limits), members in groups.items():
        statement, params = _statement(client_id, resource_id, limits, now)
        n = len(members)
        if driver is not None:  # SQLite: with the driver, in the group's transaction (db.sqlite_driver)
            rows = driver.execute(statement.text, sqlite_params({**params, "n": n})).fetchall()
        else:
            rows = conn.execute(statement, {**params, "n": n}).all()
        totals = {str(span): int(calls) for span, calls in rows}
        for place, i in enumerate(members, start=1):
            verdicts[i] = _verdict(limits, {span: total - n + place for span, total in totals.items()}, now)
    return verdicts


def _statement(client_id: int, resource_id: int, limits: Limits, now: dt.datetime) -> tuple[Any, dict[str, Any]]:
    params = {"c": client_id, "r": resource_id, "d": dt.datetime.combine(clock.today(), dt.time()),
              "m": now.replace(second=0, microsecond=0)}
    statement = _UPSERT_BOTH if (limits.per_minute and limits.per_day) else (
        _UPSERT_DAY if limits.per_day else _UPSERT_MINUTE)
    return statement, params


def _verdict(limits: Limits, counts: dict[str, int], now: dt.datetime) -> TooManyRequests | None:
    if limits.per_day and counts.get("d", 0) > limits.per_day:
        local = dt.datetime.now(clock.BEIJING)
        wait = 86_400 - (local.hour * 3600 + local.minute * 60 + local.second)
        return TooManyRequests(
            f"本应用系统今日对该资源的调用已达上限（每日 {limits.per_day} 次），请明日再试或联系提供部门调整限额。",
            code="quota_day_exceeded", retry_after=max(1, int(wait)), detail={"limit": limits.per_day, "window": "day"})
    if limits.per_minute and counts.get("m", 0) > limits.per_minute:
        return TooManyRequests(
            f"调用过于频繁：本应用系统对该资源每分钟最多调用 {limits.per_minute} 次，请稍后再试。",
            code="quota_minute_exceeded", retry_after=max(1, 60 - now.second),
            detail={"limit": limits.per_minute, "window": "minute"})
    return None


@use_case
def prune(session: Session, *, keep_days: int = 2) -> int:
    """Delete counters of windows that ended more than `keep_days` ago; returns how many. A use-case of its
    own (the CLI) or part of the seal job's scope."""
    cutoff = utcnow() - dt.timedelta(days=keep_days)
    result = session.execute(delete(QuotaUsage).where(QuotaUsage.window_start < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
