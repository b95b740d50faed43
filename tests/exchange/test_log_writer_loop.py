"""The group commit's transaction run on the event loop (exchange/log_writer.py): on a SQLite file with its WAL, the
batch of the loop's callers is written by the loop in this process's turn, synced before they are answered; the
loop never waits for a lock (the lock file, SQLite's write lock), and a caller or drain cancelled on the loop, or a
loop that ends, leaves the batch committed and no lock held."""

from __future__ import annotations

import asyncio
import fcntl
import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from tongban.exchange import log_writer
from tongban.versioned import ConfigVersion


@pytest.fixture
def group(engine: Engine) -> Iterator[log_writer._GroupCommit]:
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        pytest.skip("the turn on the event loop is for a SQLite file with its WAL")
    log_writer.write(engine, lambda conn: None)  # the group knows its database's journal
    group = log_writer._group(engine)
    assert group.wal
    yield group
    assert group.commit_lock.acquire(blocking=False)  # nothing left held, whatever the test did
    group.commit_lock.release()
    assert not group.waiting


def _insert(calls: list[tuple[int, list[int]]]) -> log_writer.Writer:
    """A writer inserting a config version per item, recording the thread and the busy timeout it ran with."""

    def writer(conn: Connection, names: list[str]) -> list[int]:
        timeout = conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one()
        calls.append((threading.get_ident(), [timeout]))
        for name in names:
            if name.startswith("bad"):
                conn.execute(text("INSERT INTO no_such_table VALUES (1)"))
            conn.execute(text("INSERT INTO config_versions (name, version) VALUES (:n, 1)"), {"n": name})
        return [len(name) for name in names]

    return writer


def _count(session: Session, prefix: str) -> int:
    session.rollback()
    return session.execute(select(func.count()).select_from(ConfigVersion).where(
        ConfigVersion.name.like(f"{prefix}%"))).scalar_one()


def _turn_is_free(engine: Engine) -> bool:
    other = os.open(f"{engine.url.database}-commit.lock", os.O_RDWR)
    try:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(other, fcntl.LOCK_UN)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(other)


def test_the_loops_callers_are_written_by_the_loop_and_answered_after_the_wal_is_synced(
        engine: Engine, session: Session, group: log_writer._GroupCommit, synced_files: list[int]) -> None:
    synced = synced_files
    calls: list[tuple[int, list[int]]] = []
    writer = _insert(calls)

    async def main() -> tuple[int, list[int]]:
        async def one(n: int) -> int:
            result = await log_writer.submit_async(engine, f"onloop{n}", writer)
            assert synced == [os.stat(f"{engine.url.database}-wal").st_ino] * len(synced) and synced
            return int(result)

        group.commit_lock.acquire()  # the five wait together: one batch
        tasks = [asyncio.ensure_future(one(n)) for n in range(5)]
        await asyncio.sleep(0.05)
        assert not synced and not calls
        group.commit_lock.release()
        return threading.get_ident(), list(await asyncio.gather(*tasks))

    loop_thread, results = asyncio.run(main())
    assert results == [len(f"onloop{n}") for n in range(5)]
    assert calls == [(loop_thread, [30000])]  # one batch, on the loop; the busy timeout put back before the writes
    assert len(synced) == 1  # one sync for the batch
    assert _count(session, "onloop") == 5
    assert _turn_is_free(engine)


def test_a_failing_write_in_the_loops_batch_fails_only_its_own_caller(
        engine: Engine, session: Session, group: log_writer._GroupCommit) -> None:
    calls: list[tuple[int, list[int]]] = []
    writer = _insert(calls)

    async def main() -> tuple[int, list[Any]]:
        group.commit_lock.acquire()
        tasks = [asyncio.ensure_future(log_writer.submit_async(engine, name, writer))
                 for name in ("good1", "bad1", "good2", "good3")]
        await asyncio.sleep(0.05)
        group.commit_lock.release()
        return threading.get_ident(), list(await asyncio.gather(*tasks, return_exceptions=True))

    loop_thread, results = asyncio.run(main())
    assert results[0] == 5 and results[2] == 5 and results[3] == 5
    assert "no_such_table" in str(results[1])
    assert calls[0][0] == loop_thread  # the batch on the loop failed as a whole ...
    assert len(calls) == 5 and all(thread != loop_thread for thread, _ in calls[1:])  # ... then one by one
    assert _count(session, "good") == 3 and _count(session, "bad") == 0
    assert _turn_is_free(engine)


def test_the_loop_runs_on_while_another_process_holds_the_turn(
        engine: Engine, session: Session, group: log_writer._GroupCommit) -> None:
    calls: list[tuple[int, list[int]]] = []
    other = os.open(f"{engine.url.database}-commit.lock", os.O_RDWR)
    fcntl.flock(other, fcntl.LOCK_EX)  # another process's leader (a second open file conflicts as one would)

    async def main() -> tuple[int, int]:
        task = asyncio.ensure_future(log_writer.submit_async(engine, "turnwait", _insert(calls)))
        ticks = 0
        for _ in range(20):  # the loop keeps serving while its drain waits for the turn
            await asyncio.sleep(0.01)
            ticks += 1
        assert not task.done() and not calls
        fcntl.flock(other, fcntl.LOCK_UN)
        return ticks, int(await task)

    try:
        assert asyncio.run(main()) == (20, len("turnwait"))
    finally:
        os.close(other)
    assert _count(session, "turnwait") == 1
    assert _turn_is_free(engine)


def test_a_writer_outside_the_group_holding_sqlites_lock_is_waited_for_by_the_thread_not_the_loop(
        engine: Engine, session: Session, group: log_writer._GroupCommit) -> None:
    """Another connection (a page's transaction, not in the group commit) holds SQLite's write lock: the loop's
    BEGIN finds it busy without waiting, and the committing thread runs the transaction, waiting with the busy
    timeout; the loop is never held up."""
    import sqlite3

    calls: list[tuple[int, list[int]]] = []
    outside = sqlite3.connect(str(engine.url.database), isolation_level=None)
    outside.execute("BEGIN IMMEDIATE")
    outside.execute("INSERT INTO config_versions (name, version) VALUES ('outside', 1)")

    async def main() -> tuple[int, int]:
        task = asyncio.ensure_future(log_writer.submit_async(engine, "afteroutside", _insert(calls)))
        await asyncio.sleep(0.3)
        assert not task.done() and not calls
        outside.execute("COMMIT")
        return threading.get_ident(), int(await task)

    try:
        loop_thread, result = asyncio.run(main())
    finally:
        outside.close()
    assert result == len("afteroutside")
    assert len(calls) == 1 and calls[0][0] != loop_thread and calls[0][1] == [30000]  # the thread's transaction
    assert _count(session, "afteroutside") == 1 and _count(session, "outside") == 1
    assert _turn_is_free(engine)


def test_a_cancelled_caller_and_drain_leave_the_write_committed_and_no_lock_held(
        engine: Engine, session: Session, group: log_writer._GroupCommit) -> None:
    calls: list[tuple[int, list[int]]] = []
    writer = _insert(calls)

    async def main() -> int:
        group.commit_lock.acquire()  # the drain starts and waits for the lock: cancelled meanwhile
        caller = asyncio.ensure_future(log_writer.submit_async(engine, "cancelled", writer))
        await asyncio.sleep(0.05)
        assert group.drainers
        for drainer in list(group.drainers):
            drainer.cancel()
        caller.cancel()
        group.commit_lock.release()
        for _ in range(300):  # at most 30 s
            if not group.draining:
                break
            await asyncio.sleep(0.1)
        assert not group.draining and caller.cancelled()
        return int(await log_writer.submit_async(engine, "next", writer))  # the next caller is served as usual

    assert asyncio.run(main()) == len("next")
    assert _count(session, "cancelled") == 1 and _count(session, "next") == 1
    assert _turn_is_free(engine)


def test_a_loop_that_stops_before_its_batch_is_written_leaves_it_written_by_the_thread(
        engine: Engine, session: Session, group: log_writer._GroupCommit) -> None:
    calls: list[tuple[int, list[int]]] = []
    loop = asyncio.new_event_loop()
    group.commit_lock.acquire()  # the drain waits for it; the loop stops meanwhile
    try:
        loop.call_soon(lambda: asyncio.ensure_future(log_writer.submit_async(engine, "loopgone", _insert(calls))))
        loop.call_later(0.05, loop.stop)
        loop.run_forever()
        assert group.draining and not calls
    finally:
        group.commit_lock.release()
    for _ in range(300):  # at most 30 s
        if not group.draining:
            break
        threading.Event().wait(0.1)
    assert not group.draining
    assert len(calls) == 1 and calls[0][0] != threading.get_ident()  # written by the thread, not the stopped loop
    assert _count(session, "loopgone") == 1
    assert _turn_is_free(engine)
    loop.run_until_complete(asyncio.sleep(0.01))  # run again: the abandoned transaction is not run twice
    loop.close()
    assert len(calls) == 1 and _count(session, "loopgone") == 1


def test_a_loop_held_up_by_a_synchronous_call_is_not_waited_for(
        engine: Engine, session: Session, group: log_writer._GroupCommit, monkeypatch: pytest.MonkeyPatch) -> None:
    """A loop blocked in a synchronous call (here a wait for the write itself, which would never end if the thread
    waited for the loop) does not come to the handed transaction: the thread, out of patience, runs it itself; the
    loop, when it comes to it, finds it taken."""
    monkeypatch.setattr(log_writer._OnLoop, "patience", 0.2)
    calls: list[tuple[int, list[int]]] = []
    insert = _insert(calls)
    written = threading.Event()

    def writer(conn: Connection, names: list[str]) -> list[int]:
        result = insert(conn, names)
        written.set()
        return result

    async def main() -> tuple[int, int]:
        group.commit_lock.acquire()  # the drain starts and waits for the lock
        task = asyncio.ensure_future(log_writer.submit_async(engine, "heldup", writer))
        await asyncio.sleep(0.05)
        group.commit_lock.release()
        assert written.wait(30)  # the loop held up until the write is done: only the thread can have done it
        return threading.get_ident(), int(await task)

    loop_thread, result = asyncio.run(main())
    assert result == len("heldup")
    assert len(calls) == 1 and calls[0][0] != loop_thread
    assert _count(session, "heldup") == 1
    assert _turn_is_free(engine)


class _Abort(BaseException):
    """Not an error of a write (as an interrupt is not)."""


def test_a_drain_ended_by_an_interrupt_fails_its_callers_and_the_next_caller_is_served(
        engine: Engine, session: Session, group: log_writer._GroupCommit) -> None:
    """In a batch retried one by one (a write failed), an interrupt at the second write ends the drain: the first
    caller has its error, the second and the third the interrupt (the third's write never made)."""
    insert = _insert([])

    def writer(conn: Connection, names: list[str]) -> list[int]:
        if "abort" in names and len(names) == 1:
            raise _Abort
        return insert(conn, names)

    async def main() -> tuple[list[Any], int]:
        group.commit_lock.acquire()
        tasks = [asyncio.ensure_future(log_writer.submit_async(engine, name, writer))
                 for name in ("bad2", "abort", "never")]
        await asyncio.sleep(0.05)
        group.commit_lock.release()
        results = list(await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 30))  # none left
        for _ in range(300):  # at most 30 s: the drain has ended
            if not group.draining:
                break
            await asyncio.sleep(0.1)
        return results, int(await log_writer.submit_async(engine, "afterabort", _insert([])))

    results, after = asyncio.run(main())
    assert "no_such_table" in str(results[0])
    assert isinstance(results[1], _Abort) and isinstance(results[2], _Abort)
    assert after == len("afterabort")
    assert _count(session, "never") == 0 and _count(session, "afterabort") == 1
    assert _turn_is_free(engine)


def test_a_function_handed_to_a_loop_that_does_not_run_is_never_called() -> None:
    called: list[int] = []
    stopped = asyncio.new_event_loop()
    handed = log_writer._OnLoop(called.append, 1)
    with pytest.raises(log_writer._NotRun):
        handed.run(stopped)
    stopped.run_until_complete(asyncio.sleep(0.01))  # the loop runs later: the call abandoned stays so
    stopped.close()
    assert called == []
    with pytest.raises(log_writer._NotRun):
        log_writer._OnLoop(called.append, 2).run(stopped)  # a closed loop
    assert called == []
