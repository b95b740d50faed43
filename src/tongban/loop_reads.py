"""Reads on the event loop: short statements run with the database driver on a connection the process keeps for its
event loop — no ORM session, no checkout from the pool, no hand-over to a request thread.

A request whose handler runs in a request thread pays, before its first statement, the hand-over to the thread and
back (~95 µs of CPU on the bench machine), the ORM session's set-up and end (~140 µs) and the pool's checkout (~85 µs):
more than a read of a row by its key costs the database (bench/request_path.py, "where the bare lookup's time
goes"). The busiest reads — the version a page's cached result depends on, a record by its key — are cheaper done
where the request already is.

The rule for what may run here: a statement whose work is bounded by an index (a primary or unique key, a version
row, a scan of a small table of configuration), answered in microseconds by a local database. The event loop waits
for it: a long query here would hold every request of the process. Anything else — searching, joining at scale,
writing — belongs in a request thread with the request's session.

- One connection per event-loop thread and engine, opened at first use with the engine's own connect hooks (SQLite's
  pragmas), detached from the pool (it does not take a pooled request's place), read-only: SQLite `query_only`;
  PostgreSQL autocommit, each statement its own snapshot, in a read-only session (`default_transaction_read_only`).
- Statements are written once with `:name` parameters; PostgreSQL's form (`%(name)s`) is derived and kept.
- A connection the server dropped (a PostgreSQL restart) is replaced and the statement tried once more.
- The connections close with the engine (`Engine.dispose`, at the app's end).
"""

from __future__ import annotations

import contextlib
import re
import threading
import weakref
from functools import cache
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

from tongban.db import sqlite_params

_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


@cache
def _pg_form(sql: str) -> str:
    return _PARAM.sub(r"%(\1)s", sql.replace("%", "%%"))


class LoopReader:
    """The reads of one engine on the event loop (`reader(engine)`)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = weakref.ref(engine)  # not a strong reference: the readers' table is keyed by the engine
        self.sqlite = engine.dialect.name == "sqlite"
        # A database in memory has one connection, the pool's own (StaticPool): reads go through it, not a second one
        # (which would be another, empty database).
        self.shared = isinstance(engine.pool, StaticPool)
        self._local = threading.local()
        self._opened: weakref.WeakSet[_Held] = weakref.WeakSet()
        self._lock = threading.Lock()

    def one(self, sql: str, params: dict[str, Any] | None = None) -> tuple[Any, ...] | None:
        """The first row of `sql` (written with `:name` parameters), or None."""
        rows = self._run(sql, params or {}, 1)
        return rows[0] if rows else None

    def all(self, sql: str, params: dict[str, Any] | None = None, *, limit: int = 1000) -> list[tuple[Any, ...]]:
        """At most `limit` rows of `sql`: a bound, since every row is read on the event loop."""
        return self._run(sql, params or {}, limit)

    def _run(self, sql: str, params: dict[str, Any], limit: int) -> list[tuple[Any, ...]]:
        if self.shared:
            engine = self._engine()
            assert engine is not None
            with engine.connect() as conn:
                return [tuple(row) for row in conn.exec_driver_sql(sql, sqlite_params(params)).fetchmany(limit)]
        if self.sqlite:
            cursor = self._connection().execute(sql, sqlite_params(params))
            return cursor.fetchmany(limit)
        statement = _pg_form(sql)
        for attempt in (1, 2):
            conn = self._connection()
            try:
                with conn.cursor() as cursor:
                    cursor.execute(statement, params, prepare=True)
                    return cursor.fetchmany(limit)
            except Exception as exc:
                if attempt == 2 or not conn.closed or not _is_disconnect(exc):
                    raise
                self._forget(conn)
        raise AssertionError("unreachable")

    def _connection(self) -> Any:
        held: _Held | None = getattr(self._local, "held", None)
        if held is None or held.conn is None:
            held = _Held(self._open())
            self._local.held = held
            with self._lock:
                self._opened.add(held)
        return held.conn

    def _open(self) -> Any:
        engine = self._engine()
        if engine is None:
            raise RuntimeError("loop_reads: the engine has been discarded")
        proxied = engine.raw_connection()  # the engine's connect hooks ran on it (SQLite's pragmas)
        proxied.detach()  # the pool forgets it: it is this thread's, not a pooled request's
        conn: Any = proxied.dbapi_connection
        if self.sqlite:
            conn.isolation_level = None  # no implicit transactions: each read sees the last commit
            conn.execute("PRAGMA query_only=ON")
        else:
            conn.rollback()
            conn.autocommit = True
            conn.execute("SET default_transaction_read_only = on")
        return conn

    def _forget(self, conn: Any) -> None:
        held: _Held | None = getattr(self._local, "held", None)
        if held is not None and held.conn is conn:
            held.close()

    def close(self) -> None:
        """Close every thread's connection (the engine's end); a thread's next read opens a new one."""
        with self._lock:
            opened = list(self._opened)
        for held in opened:
            held.close()


class _Held:
    """A thread's connection, closed when the thread ends (its thread-local data goes, and this with it) or the
    engine is disposed: a test client runs each request on an event loop in a new thread."""

    __slots__ = ("__weakref__", "conn")

    def __init__(self, conn: Any) -> None:
        self.conn: Any = conn

    def close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # closing what may already be gone
                conn.close()

    def __del__(self) -> None:
        self.close()


def _is_disconnect(exc: Exception) -> bool:
    import psycopg

    return isinstance(exc, psycopg.OperationalError)


_READERS: weakref.WeakKeyDictionary[Engine, LoopReader] = weakref.WeakKeyDictionary()
_READERS_LOCK = threading.Lock()


def _close(ref: weakref.ref[LoopReader]) -> None:
    found = ref()
    if found is not None:
        found.close()


def reader(engine: Engine) -> LoopReader:
    """The engine's reads on the event loop (one reader per engine and process)."""
    found = _READERS.get(engine)
    if found is None:
        with _READERS_LOCK:
            found = _READERS.get(engine)
            if found is None:
                found = LoopReader(engine)
                _READERS[engine] = found
                closing = weakref.ref(found)
                event.listen(engine, "engine_disposed", lambda _engine: _close(closing))
    return found
