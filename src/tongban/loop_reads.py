"""Reads on the event loop: short statements run with the database driver on connections the process keeps for its
event loop — no ORM session, no checkout from the request pool, no hand-over to a request thread.

A request whose handler runs in a request thread pays, before its first statement, the hand-over to the thread and
back (~95 µs of CPU on the bench machine), the ORM session's set-up and end (~140 µs) and the pool's checkout (~85 µs):
more than a read of a row by its key costs the database (bench/request_path.py, "where the bare lookup's time
goes"). The busiest reads — the version a page's cached result depends on, a record by its key — are cheaper done
where the request already is.

The rule for what may run here: a statement whose work is bounded by an index (a primary or unique key, a version
row, a scan of a small table of configuration). Anything else — searching, joining at scale, writing — belongs in a
request thread with the request's session.

- SQLite: one connection per event-loop thread and engine, opened with the engine's own connect hooks (its pragmas),
  detached from the pool, `query_only`, without implicit transactions (each read sees the last commit). A read of a
  local file by an index takes microseconds, so it runs on the loop itself without awaiting anything.
- PostgreSQL: psycopg's asynchronous connections (the loop serves other requests while the server answers, wherever
  it is), at most `PG_CONNECTIONS` per event-loop thread, opened as reads need them; autocommit, each statement its
  own snapshot, in a read-only session (`default_transaction_read_only`). A connection the server dropped (a
  restart) is replaced and the statement tried once more.
- Statements are written once with `:name` parameters; PostgreSQL's form (`%(name)s`) is derived and kept.
- The connections close with the engine (`Engine.dispose`, at the app's end) or with their thread (a test client
  runs each request on an event loop in a new thread).
"""

from __future__ import annotations

import asyncio
import collections
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

PG_CONNECTIONS = 4  # per event loop: reads wait for one past this (each is a few hundred µs)
APPLICATION_NAME = "tongban loop reads"  # as pg_stat_activity names these connections

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
        self.conninfo = None if self.sqlite else engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False)
        self._local = threading.local()
        self._opened: weakref.WeakSet[_Held] = weakref.WeakSet()
        self._lock = threading.Lock()

    async def one(self, sql: str, params: dict[str, Any] | None = None) -> tuple[Any, ...] | None:
        """The first row of `sql` (written with `:name` parameters), or None."""
        rows = await self._run(sql, params or {}, 1)
        return rows[0] if rows else None

    async def all(self, sql: str, params: dict[str, Any] | None = None, *,
                  limit: int = 1000) -> list[tuple[Any, ...]]:
        """At most `limit` rows of `sql`: a bound, since every row is read on the event loop."""
        return await self._run(sql, params or {}, limit)

    async def _run(self, sql: str, params: dict[str, Any], limit: int) -> list[tuple[Any, ...]]:
        if self.shared:
            engine = self._engine()
            assert engine is not None
            with engine.connect() as conn:
                return [tuple(row) for row in conn.exec_driver_sql(sql, sqlite_params(params)).fetchmany(limit)]
        if self.sqlite:
            return self._sqlite().execute(sql, sqlite_params(params)).fetchmany(limit)
        return await self._pg_pool().run(_pg_form(sql), params, limit)

    # ---------------------------------------------------------------- SQLite

    def _sqlite(self) -> Any:
        held: _Held | None = getattr(self._local, "held", None)
        if held is None or held.conn is None:
            held = _Held(self._open_sqlite())
            self._local.held = held
            with self._lock:
                self._opened.add(held)
        return held.conn

    def _open_sqlite(self) -> Any:
        engine = self._engine()
        if engine is None:
            raise RuntimeError("loop_reads: the engine has been discarded")
        proxied = engine.raw_connection()  # the engine's connect hooks ran on it (SQLite's pragmas)
        proxied.detach()  # the pool forgets it: it is this thread's, not a pooled request's
        conn: Any = proxied.dbapi_connection
        conn.isolation_level = None  # no implicit transactions: each read sees the last commit
        conn.execute("PRAGMA query_only=ON")
        return conn

    # ---------------------------------------------------------------- PostgreSQL

    def _pg_pool(self) -> _AsyncPool:
        pool: _AsyncPool | None = getattr(self._local, "pool", None)
        if pool is None or pool.closed:
            assert self.conninfo is not None
            pool = _AsyncPool(self.conninfo, PG_CONNECTIONS)
            self._local.pool = pool
            with self._lock:
                self._opened.add(pool)
        return pool

    def close(self) -> None:
        """Close every thread's connections (the engine's end); a thread's next read opens new ones."""
        with self._lock:
            opened = list(self._opened)
        for held in opened:
            held.close()


class _Held:
    """A thread's SQLite connection, closed when the thread ends (its thread-local data goes, and this with it) or
    the engine is disposed."""

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


class _AsyncPool(_Held):
    """An event loop's PostgreSQL connections (psycopg's `AsyncConnection`, bound to that loop): idle ones are
    reused, up to `size` are opened, and a read past that waits for one to be given back."""

    __slots__ = ("closed", "conninfo", "count", "idle", "size", "waiting")

    def __init__(self, conninfo: str, size: int) -> None:
        super().__init__(None)
        self.conninfo = conninfo
        self.size = size
        self.count = 0
        self.idle: list[Any] = []
        self.waiting: collections.deque[asyncio.Future[Any]] = collections.deque()
        self.closed = False

    async def run(self, statement: str, params: dict[str, Any], limit: int) -> list[tuple[Any, ...]]:
        import psycopg

        for attempt in (1, 2):
            conn = await self._acquire()
            try:
                cursor = await conn.execute(statement, params, prepare=True)
                rows: list[tuple[Any, ...]] = await cursor.fetchmany(limit)
                return rows
            except psycopg.OperationalError:
                if attempt == 2 or not conn.closed:  # a live connection: the statement's own error
                    raise
                # a dropped one is counted out (below); try once more on another
            finally:
                self._release(conn)
        raise AssertionError("unreachable")

    async def _acquire(self) -> Any:
        while self.idle:
            conn = self.idle.pop()
            if not conn.closed:
                return conn
            self.count -= 1
        if self.count >= self.size:
            waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self.waiting.append(waiter)
            try:
                conn = await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():  # handed a turn just as the wait was cancelled
                    handed = waiter.result()
                    if handed is None:
                        self.count -= 1
                    else:
                        self._release(handed)
                raise
            if conn is not None:
                return conn
            # None: a connection was dropped and its place handed to this read (counted already)
        else:
            self.count += 1
        try:
            return await self._connect()
        except BaseException:
            self.count -= 1
            raise

    async def _connect(self) -> Any:
        import psycopg

        conn = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True, application_name=APPLICATION_NAME)
        await conn.execute("SET default_transaction_read_only = on")
        return conn

    def _release(self, conn: Any) -> None:
        dropped = self.closed or conn.closed
        if dropped:
            _finish(conn)
            if self.closed:
                self.count -= 1
                return
        while self.waiting:
            waiter = self.waiting.popleft()
            if not waiter.done():
                waiter.set_result(None if dropped else conn)  # None: open one in its place (still counted)
                return
        if dropped:
            self.count -= 1
        else:
            self.idle.append(conn)

    def close(self) -> None:
        self.closed = True
        idle, self.idle = self.idle, []
        for conn in idle:
            _finish(conn)
        self.count -= len(idle)


def _finish(conn: Any) -> None:
    """Close an asynchronous connection from any thread, without its event loop: its socket is closed at once."""
    with contextlib.suppress(Exception):
        conn.pgconn.finish()


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
