"""Group commit of the exchange's quota counts and log entries: one transaction for all the calls waiting.

Every exchange call writes its quota count and its log entry before its answer leaves (the log's rule: no answer
without its entry, durable). One transaction per call, and on SQLite one writer at a time across processes, made
each call wait for the calls before it: at 32 concurrent calls, p99 was 1.5 s (bench/request_path.py).

Here the request threads of a process commit for each other (leader and followers, as databases do for their own
log). A request puts its write in the process's queue and takes the commit lock: if it gets it, it commits every
write waiting at that moment (up to `_BATCH`) in one transaction — its own among them — and releases the lock;
the others, blocked on the lock meanwhile, find their write done when they get it, or else commit the writes that
arrived since. Alone, a request commits its own write without waiting for anyone or handing it to another thread;
under load one commit serves many calls. Either way a request learns its entry's number, and answers, only after
the commit that made its entry durable.

On a SQLite file the two (or more) worker processes' leaders also take turns through a lock file beside the
database (`<database>-commit.lock`, flock) before their transaction: SQLite's own wait for its write lock sleeps in
steps of 1 to 100 ms, and under load a process's leader kept losing the lock to the other's next commit — the
exchange call's p99 at 32 connections was 170–350 ms, most of it such sleeps. The kernel wakes a flock waiter as
soon as the lock is free.

The writes of one kind are handed to their writer together (`submit`): exchange/access.py counts a batch's calls
of one client to one resource with one upsert and, on PostgreSQL, inserts its entries in one pipelined round
trip. Written one statement at a time, the batch cost two round trips per call, and on PostgreSQL (the quota
row's lock passing from one process's commit to the other's) that capped the exchange at one call per two round
trips whatever the batch's size.

On SQLite the log's rule (an answer leaves only once its entry is on disk) is kept by syncing the WAL file after
the batch's commit: in WAL mode a commit with the platform's `synchronous=NORMAL` survives a crash of the process but
not of the machine until the WAL is synced. The sync comes after the process's turn, not in it (it was half of the
turn: the other processes now write their batches meanwhile), and the batch's callers are answered only after it.
One fsync per batch, not per call. A database without a WAL file (in memory) commits with `synchronous=FULL`.

On a SQLite file with its WAL, the batch of callers on the event loop (`submit_async`, the exchange's calls) has
its statements run on the event loop itself: the committing thread waits for this process's commit lock, a
connection and the lock file, then hands the transaction (BEGIN IMMEDIATE, the writes, COMMIT, the lock file given
back) to the loop and waits (`_OnLoop`); it syncs the WAL and answers the callers after. Run in the thread, the
turn's statements shared the interpreter's lock with the loop's requests, and the turn held the lock file ~1.4 ms for
~0.6 ms of work (bench/request_path.py). The loop never waits there: SQLite's write lock is tried without its busy
timeout, and if a writer outside the group commit holds it the thread runs the transaction itself, as it does when
the loop no longer runs or does not come to it. The thread owns the locks throughout: a caller or drain cancelled
on the loop leaves none held and its batch committed.

If the batch's transaction fails, its writes are tried again one by one, so that one bad write fails only its own
call (which then answers with an error; its entry, if any, was not written, and `access.logged` tries to log the
hub error).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy.engine import Connection, Engine

from tongban import threads

_log = logging.getLogger("tongban.exchange")
_BATCH = 256


#: Writes a list of items on a connection, returning one result per item in order (a batch's writes of one kind
#: are handed to their writer together, so that it can make one statement of them).
Writer = Callable[[Connection, list[Any]], list[Any]]


def _each(conn: Connection, works: list[Callable[[Connection], Any]]) -> list[Any]:
    return [work(conn) for work in works]


class _Write:
    __slots__ = ("done", "error", "future", "item", "result", "writer")

    def __init__(self, item: Any, writer: Writer, future: asyncio.Future[Any] | None = None) -> None:
        self.item = item
        self.writer = writer
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None
        self.future = future  # a caller on the event loop (`submit_async`) waits on this

    def finish(self) -> None:  # in the committing thread
        self.done = True
        future, self.future = self.future, None
        if future is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody waits
                future.get_loop().call_soon_threadsafe(_resolve, future, self.result, self.error)


def _resolve(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:  # on the event loop
    if future.done():  # its caller was cancelled (a client gone): the write is committed all the same
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class _NotRun(Exception):
    """The event loop did not run a turn handed to it (it has stopped, or SQLite's write lock was held by a writer
    outside the group commit): the committing thread runs the transaction itself."""


class _OnLoop:
    """A function run on the event loop for a thread that waits for it (`run`), or not at all if the loop does not
    take it up: it no longer runs, or it has not come to it within `patience` seconds (a loop held up by a
    synchronous call — one that waits for this very thread's lock would otherwise never come to it). Then `run` raises
    `_NotRun` and the function is never called, even if the loop comes to it later."""

    __slots__ = ("args", "error", "event", "function", "lock", "result", "state")
    patience = 1.0

    def __init__(self, function: Callable[..., Any], *args: Any) -> None:
        self.function = function
        self.args = args
        self.result: Any = None
        self.error: BaseException | None = None
        self.event = threading.Event()
        self.lock = threading.Lock()
        self.state = "waiting"  # then "running" (on the loop) or "abandoned" (by the thread)

    def run(self, loop: asyncio.AbstractEventLoop) -> Any:  # in the waiting thread
        try:
            loop.call_soon_threadsafe(self._call)
        except RuntimeError as exc:  # the loop has closed
            raise _NotRun from exc
        waited = 0.0
        while not self.event.wait(0.1):
            waited += 0.1
            if loop.is_closed() or not loop.is_running() or waited >= self.patience:
                with self.lock:
                    if self.state == "waiting":
                        self.state = "abandoned"
                        raise _NotRun
        if self.error is not None:
            raise self.error
        return self.result

    def _call(self) -> None:  # on the event loop
        with self.lock:
            if self.state != "waiting":
                return
            self.state = "running"
        try:
            self.result = self.function(*self.args)
        except BaseException as exc:  # handed to the waiting thread, whatever it is
            self.error = exc
        finally:
            self.event.set()


class _GroupCommit:
    def __init__(self, engine: Engine) -> None:
        self.waiting: list[_Write] = []
        self.queue_lock = threading.Lock()
        self.commit_lock = threading.Lock()
        self.sqlite = engine.dialect.name == "sqlite"
        database = engine.url.database if self.sqlite else None
        self.lock_path = f"{database}-commit.lock" if database and database != ":memory:" else None
        self.lock_fd: int | None = None  # opened by the first commit in this process
        self.wal: bool | None = None  # the database's journal is a WAL file (known at the first commit)
        self.busy_ms = 0  # the connections' busy timeout (known with `wal`), put back after the loop's BEGIN
        self.draining = False  # a request thread commits for the event loop's callers (`submit_async`)
        self.drainers: set[asyncio.Future[None]] = set()

    @contextlib.contextmanager
    def _transaction(self, engine: Engine) -> Iterator[Connection]:
        """The batch's transaction; on a SQLite file after this process's turn at the lock file and committed with
        `synchronous=FULL` (NORMAL again after), both as the module's docstring says."""
        if not self.sqlite:
            with engine.begin() as conn:
                yield conn
            return
        with engine.connect() as conn:
            driver = conn.connection.dbapi_connection
            if self.wal is None:
                mode = driver.execute("PRAGMA journal_mode").fetchone()[0]  # type: ignore[union-attr]
                self.wal = mode == "wal" and self.lock_path is not None
                self.busy_ms = int(driver.execute("PRAGMA busy_timeout").fetchone()[0])  # type: ignore[union-attr]
            if not self.wal:  # a database in memory, or a journal that is not a WAL: the commit itself syncs
                driver.execute("PRAGMA synchronous=FULL")  # type: ignore[union-attr]
            try:
                with self._turn(), conn.begin():
                    # The write lock from the start (not at the first write): the transaction reads what it numbers
                    # after (exchange/access.py), and a read before the first write could not become a write if
                    # another connection wrote meanwhile.
                    driver.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]
                    yield conn
            finally:
                if not self.wal:
                    driver.execute("PRAGMA synchronous=NORMAL")  # type: ignore[union-attr]

    def _sync_wal(self) -> None:
        """The committed batch made durable after this process's turn, not in it: the WAL file synced (its frames,
        the batch's among them, reach the disk), while the other processes take their turns. A WAL that is gone has
        been checkpointed into the database file and removed (the last connection closed): that file is synced."""
        assert self.lock_path is not None
        database = self.lock_path.removesuffix("-commit.lock")
        for path in (f"{database}-wal", database):
            try:
                fd = os.open(path, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            return

    @contextlib.contextmanager
    def _turn(self) -> Iterator[None]:
        """This process's turn at the lock file, for the transaction alone (from its BEGIN to its COMMIT): the
        connection is taken and set up before and put back after, since every moment of the turn holds up the other
        processes' commits. Measured under load (bench/request_path.py, exchange at 32 connections): a turn of
        ~3 ms for ~5 calls — BEGIN 0.25 ms, the writes ~1.1 ms, the COMMIT with its fsync ~1.5 ms — before the sync
        left the turn (`_sync_wal`); after, a turn of ~1.9 ms, the wait for it ~1.6 ms and the sync ~1.0 ms."""
        if self.lock_path is None:
            yield
            return
        if self.lock_fd is None:
            self.lock_fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.lock_fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self.lock_fd, fcntl.LOCK_UN)

    def write(self, engine: Engine, item: Any, writer: Writer) -> Any:
        job = _Write(item, writer)
        with self.queue_lock:
            self.waiting.append(job)
        while not job.done:
            with self.commit_lock:  # the leader's commit, if one runs, ends before this is taken
                if job.done:
                    break
                with self.queue_lock:
                    batch, self.waiting = self.waiting[:_BATCH], self.waiting[_BATCH:]
                self._commit(engine, batch)
        if job.error is not None:
            raise job.error
        return job.result

    @staticmethod
    def _write(conn: Connection, batch: list[_Write]) -> None:
        kinds: dict[Writer, list[_Write]] = {}
        for job in batch:
            kinds.setdefault(job.writer, []).append(job)
        for writer, jobs in kinds.items():
            for job, result in zip(jobs, writer(conn, [job.item for job in jobs]), strict=True):
                job.result = result

    def _on_loop(self, engine: Engine, batch: list[_Write], loop: asyncio.AbstractEventLoop) -> None:
        """The batch's transaction run on the event loop in this process's turn, the thread waiting for the locks and
        the loop's answer (the module's docstring); `_NotRun` if the loop did not run it."""
        with engine.connect() as conn, self._turn():
            _OnLoop(self._loop_transaction, conn, batch).run(loop)

    def _loop_transaction(self, conn: Connection, batch: list[_Write]) -> None:  # on the event loop, in the turn
        driver = conn.connection.dbapi_connection
        assert driver is not None and self.lock_fd is not None
        try:
            with conn.begin():
                driver.execute("PRAGMA busy_timeout=0")  # the loop does not wait for a writer outside the group
                try:
                    driver.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError as exc:
                    if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                        raise
                    raise _NotRun from exc  # the thread waits for the writer, with the busy timeout
                finally:
                    driver.execute(f"PRAGMA busy_timeout={self.busy_ms}")
                self._write(conn, batch)
        finally:
            fcntl.flock(self.lock_fd, fcntl.LOCK_UN)  # the turn ends with the transaction (the thread's `_turn`
            # gives it back again: a second release of a lock this process no longer holds does nothing)

    def _commit(self, engine: Engine, batch: list[_Write], loop: asyncio.AbstractEventLoop | None = None) -> None:
        try:
            self._commit_batch(engine, batch, loop)
        except BaseException as exc:  # not an error of the writes (an interrupt): the callers learn of it, not success
            for job in batch:
                if not job.done:
                    job.error, job.result = exc, None
                    job.finish()
            raise

    def _commit_batch(self, engine: Engine, batch: list[_Write], loop: asyncio.AbstractEventLoop | None) -> None:
        try:
            try:
                if loop is None or not self.wal or not loop.is_running():  # a loop that has stopped: not handed
                    raise _NotRun
                self._on_loop(engine, batch, loop)
            except _NotRun:
                with self._transaction(engine) as conn:
                    self._write(conn, batch)
        except Exception as exc:
            if len(batch) > 1:
                for job in batch:  # one bad write must not fail the others
                    self._commit(engine, [job])
                return
            _log.exception("exchange log write failed")
            batch[0].error = exc
            batch[0].result = None
        else:
            if self.wal:
                try:
                    self._sync_wal()
                except OSError as exc:  # committed, but not known to be on disk: no answer may say it is
                    _log.exception("exchange log sync failed")
                    for job in batch:
                        job.error, job.result = exc, None
        for job in batch:
            job.finish()

    async def write_async(self, engine: Engine, item: Any, writer: Writer) -> Any:
        """`write` for a caller on the event loop: its write waits in the same queue, committed by whichever thread
        commits next — a request thread's `write` or the drain this starts when none runs — and the caller awaits
        the commit without a thread of its own."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        job = _Write(item, writer, future)
        with self.queue_lock:
            self.waiting.append(job)
            start, self.draining = not self.draining, True
        if start:
            drainer = asyncio.ensure_future(threads.run(self._drain, engine, asyncio.get_running_loop()))
            self.drainers.add(drainer)
            drainer.add_done_callback(self._drained)
        return await asyncio.shield(future)  # a cancelled caller's write is committed all the same

    def _drained(self, drainer: asyncio.Future[None]) -> None:  # on the event loop
        self.drainers.discard(drainer)
        if not drainer.cancelled() and drainer.exception() is not None:  # its callers had it as their answer
            _log.error("exchange log drain ended by %r", drainer.exception())

    def _drain(self, engine: Engine, loop: asyncio.AbstractEventLoop) -> None:  # in a request thread
        """Commit what waits until nothing does (the writes of threads arriving meanwhile with them), the
        transactions on `loop` where the module's docstring says."""
        try:
            while True:
                with self.commit_lock:
                    with self.queue_lock:
                        batch, self.waiting = self.waiting[:_BATCH], self.waiting[_BATCH:]
                        if not batch:
                            self.draining = False
                            return
                    self._commit(engine, batch, loop)
        except BaseException:
            with self.queue_lock:  # the next caller starts a drain of its own
                self.draining = False
            raise


#: Set in `session.info` by an API route whose session writes nothing of its own: its exchange writes may then go to
#: the group commit. Other callers (a use-case that reads the exchange inside its own writing transaction) write in
#: their session as before: on SQLite the group's transaction would wait for their transaction's lock.
SESSION_FLAG = "exchange_group_commit"


def allowed(session: Any) -> bool:
    return bool(session.info.get(SESSION_FLAG))


_GROUPS: weakref.WeakKeyDictionary[Engine, _GroupCommit] = weakref.WeakKeyDictionary()
_GROUPS_LOCK = threading.Lock()


def write(engine: Engine, work: Callable[[Connection], Any]) -> Any:
    """Run `work(connection)` in the next group commit on this database; returns its result once committed."""
    return submit(engine, work, _each)


def submit(engine: Engine, item: Any, writer: Writer) -> Any:
    """Write `item` in the next group commit on this database, with the other items of the same `writer` waiting
    then (`writer(connection, items)`, one result per item); returns its result once committed."""
    return _group(engine).write(engine, item, writer)


async def submit_async(engine: Engine, item: Any, writer: Writer) -> Any:
    """`submit` awaited on the event loop: the result once the commit that made the write durable is done."""
    return await _group(engine).write_async(engine, item, writer)


def _group(engine: Engine) -> _GroupCommit:
    group = _GROUPS.get(engine)
    if group is None:
        with _GROUPS_LOCK:
            group = _GROUPS.setdefault(engine, _GroupCommit(engine))
    return group
