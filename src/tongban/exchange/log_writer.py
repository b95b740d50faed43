"""Group commit of the exchange's quota counts and log entries: one transaction for all the calls waiting.

Every exchange call writes twice: its quota count before it does its work, and its log entry before its answer
leaves (the log's rule: no answer without its entry, durable). One transaction per write, and on SQLite one writer
at a time across processes, made each call wait for the calls before it: at 32 concurrent calls, p99 was 1.5 s
(bench/request_path.py).

Here each process has one writer thread per database. A request hands over its write and waits; the writer takes
every write waiting at that moment (up to `_BATCH`), runs them in one transaction, commits, and only then wakes
each request with its result. So the rule holds — a request learns its entry's number, and answers, only after the
commit that made the entry durable — and under load one commit serves many calls.

If the batch's transaction fails, its writes are tried again one by one, so that one bad write fails only its own
call (which then answers with an error; its entry, if any, was not written, and `access.logged` tries to log the
hub error). A writer thread ends after a few idle seconds and is started again by the next write.
"""

from __future__ import annotations

import logging
import queue
import threading
import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Connection, Engine

_log = logging.getLogger("tongban.exchange")
_BATCH = 256
_IDLE_SECONDS = 5.0
_WAIT_SECONDS = 60.0


class _Write:
    __slots__ = ("done", "error", "result", "work")

    def __init__(self, work: Callable[[Connection], Any]) -> None:
        self.work = work
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None


class _Writer:
    def __init__(self, engine: Engine) -> None:
        self.engine = weakref.ref(engine)
        self.queue: queue.SimpleQueue[_Write] = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.running = False

    def write(self, work: Callable[[Connection], Any]) -> Any:
        job = _Write(work)
        self.queue.put(job)
        with self.lock:
            if not self.running:
                self.running = True
                threading.Thread(target=self._run, name="exchange-log-writer", daemon=True).start()
        if not job.done.wait(_WAIT_SECONDS):
            raise TimeoutError("交换日志写入超时")
        if job.error is not None:
            raise job.error
        return job.result

    def _run(self) -> None:
        while True:
            try:
                first = self.queue.get(timeout=_IDLE_SECONDS)
            except queue.Empty:
                with self.lock:
                    if self.queue.empty():
                        self.running = False
                        return
                continue
            batch = [first]
            while len(batch) < _BATCH:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            engine = self.engine()
            if engine is None:  # the app is gone; nobody waits for these any more
                for job in batch:
                    job.error = RuntimeError("database engine disposed")
                    job.done.set()
                continue
            self._commit(engine, batch)
            del engine

    def _commit(self, engine: Engine, batch: list[_Write]) -> None:
        try:
            with engine.begin() as conn:
                for job in batch:
                    job.result = job.work(conn)
        except Exception as exc:
            if len(batch) > 1:
                for job in batch:  # one bad write must not fail the others
                    self._commit(engine, [job])
                return
            _log.exception("exchange log write failed")
            batch[0].error = exc
            batch[0].result = None
        for job in batch:
            job.done.set()


#: Set in `session.info` by an API route whose session writes nothing of its own: its exchange writes may then go to
#: the group writer. Other callers (a use-case that reads the exchange inside its own writing transaction) write in
#: their session as before: on SQLite the writer would wait for their transaction's lock.
SESSION_FLAG = "exchange_group_commit"


def allowed(session: Any) -> bool:
    return bool(session.info.get(SESSION_FLAG))


_WRITERS: weakref.WeakKeyDictionary[Engine, _Writer] = weakref.WeakKeyDictionary()
_WRITERS_LOCK = threading.Lock()


def write(engine: Engine, work: Callable[[Connection], Any]) -> Any:
    """Run `work(connection)` in the next group commit on this database; returns its result once committed."""
    writer = _WRITERS.get(engine)
    if writer is None:
        with _WRITERS_LOCK:
            writer = _WRITERS.setdefault(engine, _Writer(engine))
    return writer.write(work)
