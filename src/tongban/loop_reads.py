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
import contextlib
import re
import threading
import weakref
from collections.abc import Awaitable
from functools import cache
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

from tongban.db import sqlite_params

PG_CONNECTIONS = 4  # per event loop: reads wait for one past this (each batch is a few hundred µs)
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

    async def together(self, *steps: Awaitable[Any]) -> list[Any]:
        """The results of `steps` (coroutines that read), in their order. On PostgreSQL they run at once, so that
        their reads go to the server in one batch; on SQLite, where a read waits for nothing, one after another
        (without the tasks that running them at once would cost)."""
        if self.sqlite:
            return [await step for step in steps]
        return list(await asyncio.gather(*steps))

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
    """An event loop's PostgreSQL connections (psycopg's `AsyncConnection`, bound to that loop), at most `size`, and
    the reads waiting for them.

    Reads are sent in batches: the reads asked for during one turn of the event loop — a page's independent reads, or
    many requests' under load — and those that waited while every connection was busy go to the server together in
    one pipeline (one round trip, one wake-up: ~36 µs of CPU a read instead of ~95 on the bench machine). A batch runs
    as a task of its own, not in any request: a request cancelled while its read is on the wire only stops waiting,
    and the connection is never left mid-statement. A statement's own error is its read's alone: the batch is then
    read again statement by statement."""

    __slots__ = ("batches", "closed", "conninfo", "count", "idle", "queued", "scheduled", "size")

    def __init__(self, conninfo: str, size: int) -> None:
        super().__init__(None)
        self.conninfo = conninfo
        self.size = size
        self.count = 0  # connections open or opening
        self.idle: list[Any] = []
        self.queued: list[_Read] = []
        self.scheduled = False
        self.batches: set[asyncio.Task[None]] = set()
        self.closed = False

    async def run(self, statement: str, params: dict[str, Any], limit: int) -> list[tuple[Any, ...]]:
        loop = asyncio.get_running_loop()
        read = _Read(statement, params, limit, loop.create_future())
        self.queued.append(read)
        if not self.scheduled:  # after this turn of the loop: the reads asked for meanwhile join the batch
            self.scheduled = True
            loop.call_soon(self._dispatch)
        return await read.future

    def _dispatch(self) -> None:
        """Start a batch on each free connection (or one to open) while reads wait."""
        self.scheduled = False
        while self.queued and not self.closed:
            conn = None
            while self.idle and conn is None:
                conn = self.idle.pop()
                if conn.closed:
                    conn = None
                    self.count -= 1
            if conn is None:
                if self.count >= self.size:
                    return  # a batch ending dispatches again
                self.count += 1
            batch, self.queued = self.queued[:BATCH], self.queued[BATCH:]
            task = asyncio.get_running_loop().create_task(self._run_batch(conn, batch))
            self.batches.add(task)
            task.add_done_callback(self.batches.discard)

    async def _run_batch(self, conn: Any, batch: list[_Read]) -> None:
        import psycopg

        try:
            for attempt in (1, 2):
                try:
                    if conn is None:
                        conn = await self._connect()
                    await _execute(conn, batch)
                    return
                except psycopg.OperationalError as exc:
                    if attempt == 2 or conn is None or not conn.closed:  # not a dropped connection: the error
                        _fail(batch, exc)
                        return
                    _finish(conn)  # dropped (a restart): once more on a new one
                    conn = None
                except BaseException as exc:  # the batch's readers get it; the task ends quietly
                    _fail(batch, exc)
                    if not isinstance(exc, Exception):
                        raise
                    return
        finally:
            self._release(conn)
            if self.queued and not self.scheduled:
                self._dispatch()

    async def _connect(self) -> Any:
        import psycopg

        conn = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True, application_name=APPLICATION_NAME)
        await conn.execute("SET default_transaction_read_only = on")
        return conn

    def _release(self, conn: Any) -> None:
        if conn is None or self.closed or conn.closed:
            if conn is not None:
                _finish(conn)
            self.count -= 1
        else:
            self.idle.append(conn)

    def close(self) -> None:
        self.closed = True
        idle, self.idle = self.idle, []
        for conn in idle:
            _finish(conn)
        self.count -= len(idle)
        queued, self.queued = self.queued, []
        for read in queued:  # on their loop, if it still runs (the engine's end from another thread)
            with contextlib.suppress(RuntimeError):
                read.future.get_loop().call_soon_threadsafe(_fail, [read], RuntimeError("loop_reads: closed"))


BATCH = 64  # reads sent in one pipeline at most


class _Read:
    __slots__ = ("future", "limit", "params", "statement")

    def __init__(self, statement: str, params: dict[str, Any], limit: int, future: asyncio.Future[Any]) -> None:
        self.statement = statement
        self.params = params
        self.limit = limit
        self.future = future


async def _execute(conn: Any, batch: list[_Read]) -> None:
    """Each read's rows into its future: one statement as it is, several in one pipeline; a statement's own error (the
    pipeline stops at it) and the batch is read again one by one, each read getting its own answer."""
    import psycopg

    if len(batch) > 1:
        try:
            async with conn.pipeline():
                cursors = [await conn.execute(r.statement, r.params, prepare=True) for r in batch]
            results = [await c.fetchmany(r.limit) for c, r in zip(cursors, batch, strict=True)]
        except psycopg.OperationalError:
            if conn.closed:
                raise
        except psycopg.Error:
            pass
        else:
            for read, rows in zip(batch, results, strict=True):
                if not read.future.done():
                    read.future.set_result(rows)
            return
    for read in batch:
        try:
            cursor = await conn.execute(read.statement, read.params, prepare=True)
            rows = await cursor.fetchmany(read.limit)
        except psycopg.Error as exc:
            if isinstance(exc, psycopg.OperationalError) and conn.closed:
                raise  # dropped: the batch is tried once more on a new connection
            _fail([read], exc)
        else:
            if not read.future.done():
                read.future.set_result(rows)


def _fail(batch: list[_Read], exc: BaseException) -> None:
    for read in batch:
        if not read.future.done():
            read.future.set_exception(exc)


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
