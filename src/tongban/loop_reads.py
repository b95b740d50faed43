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
- PostgreSQL: connections opened by psycopg and then driven in libpq's pipeline mode (`_PgConn`: the loop serves
  other requests while the server answers, wherever it is), at most `PG_CONNECTIONS` per event-loop thread, opened
  as reads need them; autocommit, each statement its own snapshot, in a read-only session
  (`default_transaction_read_only`). A connection the server dropped (a restart) is replaced and the statement tried
  once more.
- Statements are written once with `:name` parameters; PostgreSQL's form (`$1`, `$2` …) is derived and kept.
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
def _pg_form(sql: str) -> tuple[bytes, tuple[str, ...]]:
    """PostgreSQL's form of a statement written with `:name` parameters: numbered (`$1`, `$2` …; a name used twice is
    one number) and the parameters' names in their numbers' order."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return _PARAM.sub(number, sql).encode(), tuple(names)


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
        return await self._pg_pool().run(sql, params, limit)

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
    """An event loop's PostgreSQL connections (`_PgConn`, bound to that loop), at most `size`, and the reads waiting
    for them.

    Reads are sent in batches: the reads asked for during one turn of the event loop — a page's independent reads, or
    many requests' under load — and those that waited while every connection was busy go to the server together in
    one pipeline (one round trip, one wake-up). A batch runs as a task of its own, not in any request: a request
    cancelled while its read is on the wire only stops waiting, and a connection left mid-pipeline by an error is
    closed, never reused. A statement's own error is its read's alone: the reads after it in the pipeline are sent
    again."""

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

        answered = False
        try:
            for attempt in (1, 2):
                try:
                    if conn is None:
                        conn = await self._connect()
                    await _execute(conn, batch)
                    answered = True
                    return
                except psycopg.OperationalError as exc:
                    if attempt == 2 or conn is None or not conn.closed:  # not a dropped connection: the error
                        _fail(batch, exc)
                        return
                    _finish(conn)  # dropped (a restart): once more on a new one, for the reads not yet answered
                    conn = None
                    batch = [read for read in batch if not read.future.done()]
                except BaseException as exc:  # the batch's readers get it; the task ends quietly
                    _fail(batch, exc)
                    if not isinstance(exc, Exception):
                        raise
                    return
        finally:
            if not answered and conn is not None:
                _finish(conn)  # left mid-pipeline: not used again
            self._release(conn)
            if self.queued and not self.scheduled:
                self._dispatch()

    async def _connect(self) -> Any:
        import psycopg

        conn = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True, application_name=APPLICATION_NAME)
        await conn.execute("SET default_transaction_read_only = on")
        return _PgConn(conn)

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


async def _execute(conn: _PgConn, batch: list[_Read]) -> None:
    """Each read's rows (or its statement's own error) into its future. The batch goes in one pipeline; a statement
    that fails aborts the ones after it until the pipeline's end, and those are sent again in the next."""
    while batch:
        batch = await conn.pipeline(batch)


class _PgConn:
    """A loop-read connection to PostgreSQL driven with libpq's pipeline mode directly (psycopg's `pq` layer and its
    adapters), not through psycopg's cursors.

    psycopg's asynchronous cursor in a pipeline cost ~48 µs of CPU a statement on the bench machine, this ~5 (plus
    ~60 a round trip for the event loop's wake-up), measured on the same five statements: a loop read is a few keyed
    statements, so the driver's own machinery was most of its cost (bench/request_path.py). What psycopg does is kept:
    parameters are adapted by its dumpers and rows by its loaders (text results, as its cursors read them), so a read
    returns the same Python values; each statement is prepared once per connection (for its parameters' types), a
    bounded number of them."""

    __slots__ = ("conn", "fd", "loop", "named", "pgconn", "prepared")

    PREPARED_MAX = 256  # statements prepared per connection; past them, sent unprepared

    def __init__(self, conn: Any) -> None:
        self.conn = conn  # psycopg's AsyncConnection: its adapters and its end; not used for statements after this
        self.pgconn: Any = conn.pgconn
        self.loop = asyncio.get_running_loop()
        self.prepared: dict[tuple[bytes, Any], bytes] = {}  # sent for preparing (dropped again if that failed)
        self.named = 0  # names handed out: never one twice on the connection
        self.pgconn.nonblocking = 1
        self.pgconn.enter_pipeline_mode()
        self.fd = self.pgconn.socket

    @property
    def closed(self) -> bool:
        return bool(self.conn.closed)

    async def pipeline(self, batch: list[_Read]) -> list[_Read]:
        """Send `batch` in one pipeline and answer each read; the reads a failed statement aborted are returned."""
        from psycopg import errors, pq
        from psycopg.adapt import PyFormat, Transformer

        pg = self.pgconn
        tx = Transformer(self.conn)
        expected: list[tuple[bool, _Read, Any]] = []  # (a prepare?, its read, its key in `prepared`)
        for read in batch:
            sql, names = _pg_form(read.statement)
            try:
                values = [read.params[name] for name in names]
            except KeyError as exc:  # this read's error; nothing sent
                _fail([read], errors.ProgrammingError(f"loop read: no value for the parameter {exc}"))
                continue
            try:
                dumped = tx.dump_sequence(values, [PyFormat.AUTO] * len(values))
            except Exception as exc:  # a value PostgreSQL cannot take (a NUL in a text): as psycopg raises it
                _fail([read], exc)
                continue
            key = (sql, tx.types)
            name = self.prepared.get(key)
            if name is None and len(self.prepared) < self.PREPARED_MAX:
                name = b"tongban_lr_%d" % self.named
                self.named += 1
                self.prepared[key] = name
                pg.send_prepare(name, sql, tx.types)
                expected.append((True, read, key))
            if name is None:
                pg.send_query_params(sql, dumped, tx.types, tx.formats, pq.Format.TEXT)
            else:
                pg.send_query_prepared(name, dumped, tx.formats, pq.Format.TEXT)
            expected.append((False, read, key))
        if not expected:  # every read failed before anything was sent
            return []
        pg.pipeline_sync()
        while pg.flush():
            await self._wait(write=True)
        encoding = self.conn.info.encoding
        again: list[_Read] = []
        results = iter(expected)
        while True:
            pg.consume_input()
            while not pg.is_busy():
                result = pg.get_result()
                if result is None:  # the end of one statement's results
                    continue
                status = result.status
                if status == pq.ExecStatus.PIPELINE_SYNC:
                    if pg.status == pq.ConnStatus.BAD:
                        raise errors.OperationalError("loop read: the connection was lost")
                    return again
                prepare, read, key = next(results)
                if status == pq.ExecStatus.PIPELINE_ABORTED:  # after a failed statement: not run
                    if prepare:
                        self.prepared.pop(key, None)  # not prepared: prepared again when sent again
                    elif not read.future.done():
                        again.append(read)
                elif status == pq.ExecStatus.FATAL_ERROR:
                    severity = result.error_field(pq.DiagnosticField.SEVERITY_NONLOCALIZED)
                    if severity in (b"FATAL", b"PANIC") or pg.status == pq.ConnStatus.BAD:
                        # The server ends the connection (a restart, a terminated backend): not the statement's error.
                        pg.finish()
                        raise errors.OperationalError(result.error_message.decode(encoding, "replace"))
                    if prepare:
                        self.prepared.pop(key, None)
                    _fail([read], errors.error_from_result(result, encoding=encoding))
                elif not prepare and not read.future.done():
                    rows: list[tuple[Any, ...]] = []
                    try:
                        if status == pq.ExecStatus.TUPLES_OK:
                            tx.set_pgresult(result)
                            rows = tx.load_rows(0, min(result.ntuples, read.limit), tuple)
                    except Exception as exc:  # a value Python cannot hold (a date of "infinity"): as psycopg raises it
                        _fail([read], exc)
                    else:
                        read.future.set_result(rows)
            await self._wait(write=False)

    async def _wait(self, *, write: bool) -> None:
        """Until the connection's socket is writable (or readable), serving the loop's other work meanwhile."""
        loop = self.loop
        future = loop.create_future()
        if write:
            loop.add_writer(self.fd, _wake, future)
        else:
            loop.add_reader(self.fd, _wake, future)
        try:
            await future
        finally:
            if write:
                loop.remove_writer(self.fd)
            else:
                loop.remove_reader(self.fd)


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


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
