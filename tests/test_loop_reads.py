"""tongban.loop_reads: reads on the event loop's own connections see every commit at once, cannot write, leave the
request pool alone, survive a connection the server dropped, end with the engine or their thread, and are bounded."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tongban import loop_reads
from tongban.db import make_engine
from tongban.loop_reads import _pg_form, reader

READ = "SELECT version FROM config_versions WHERE name = :n"
T = TypeVar("T")


def _run(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """`asyncio.run(main())` in a thread of its own (an event loop in a thread, as a test client runs requests)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result()


def _set(session: Session, name: str, version: int) -> None:
    session.execute(text("DELETE FROM config_versions WHERE name = :n"), {"n": name})
    session.execute(text("INSERT INTO config_versions (name, version) VALUES (:n, :v)"), {"n": name, "v": version})
    session.commit()


def _closed(conn: Any) -> bool:
    if hasattr(conn, "pgconn"):
        return bool(conn.closed)
    try:
        conn.execute("SELECT 1")
    except Exception as exc:
        return "closed" in str(exc).lower()
    return False


def test_each_read_sees_the_last_commit_of_another_connection(engine: Engine, session: Session) -> None:
    reads = reader(engine)

    async def main() -> None:
        assert await reads.one(READ, {"n": "loop-test"}) is None
        _set(session, "loop-test", 7)
        assert await reads.one(READ, {"n": "loop-test"}) == (7,)
        _set(session, "loop-test", 8)  # no snapshot held between reads
        assert await reads.one(READ, {"n": "loop-test"}) == (8,)

    _run(main)
    assert reader(engine) is reads  # one reader per engine


def test_the_connections_are_read_only_and_not_the_pools(engine: Engine, session: Session) -> None:
    reads = reader(engine)

    async def main() -> None:
        await reads.one("SELECT 1")
        assert engine.pool.checkedout() == 0  # not the request pool's: a request's checkout never waits for it
        with pytest.raises(Exception, match=r"(?i)read.?only"):
            await reads.one("INSERT INTO config_versions (name, version) VALUES (:n, 1)", {"n": "written-by-a-read"})
        assert await reads.one(READ, {"n": "written-by-a-read"}) is None  # the refusal left the connection usable

    _run(main)
    assert session.execute(text("SELECT count(*) FROM config_versions WHERE name = 'written-by-a-read'")).scalar() == 0


def test_rows_are_bounded(engine: Engine, session: Session) -> None:
    for n in range(5):
        _set(session, f"bounded-{n}", n)
    rows = _run(lambda: reader(engine).all(
        "SELECT version FROM config_versions WHERE name LIKE :p ORDER BY version", {"p": "bounded-%"}, limit=3))
    assert [tuple(r) for r in rows] == [(0,), (1,), (2,)]


def test_many_reads_at_once_share_a_few_connections(engine: Engine, session: Session) -> None:
    _set(session, "many", 5)
    reads = reader(engine)

    async def main() -> list[Any]:
        return await asyncio.gather(*(reads.one(READ, {"n": "many"}) for _ in range(50)))

    assert _run(main) == [(5,)] * 50
    if engine.dialect.name == "postgresql":
        async def count_while_open() -> Any:
            async def later(i: int) -> Any:
                await asyncio.sleep(0.01 * i)  # each asked for in a turn of its own: a batch each while one is free
                return await reads.one("SELECT pg_sleep(0.2)")

            await asyncio.gather(*(later(i) for i in range(20)))
            return session.execute(text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :a "
                                        "AND datname = current_database()"),
                                   {"a": loop_reads.APPLICATION_NAME}).scalar()

        assert _run(count_while_open) == loop_reads.PG_CONNECTIONS  # 20 reads one after another: the loop's 4


def test_a_statements_error_is_its_reads_alone(engine: Engine, session: Session) -> None:
    """On PostgreSQL the reads asked for together go in one pipeline, which stops at a failing statement: the others
    must still get their rows, and the failing one its error (on SQLite each read runs alone anyway)."""
    _set(session, "alone", 7)
    reads = reader(engine)

    async def main() -> list[Any]:
        together = await asyncio.gather(reads.one(READ, {"n": "alone"}), reads.one("SELECT no_such_column FROM nowhere"),
                                        reads.one(READ, {"n": "alone"}), return_exceptions=True)
        return [*together, await reads.one(READ, {"n": "alone"})]  # the loop's connection is fine after it

    first, failed, last, after = _run(main)
    assert first == last == after == (7,)
    assert isinstance(failed, Exception) and "nowhere" in str(failed)

    async def bad_parameters() -> list[Any]:
        return list(await asyncio.gather(reads.one(READ, {}), reads.one(READ, {"n": "a\x00b"}),
                                         reads.one(READ, {"n": "alone"}), return_exceptions=True))

    async def new_statements_after_a_failing_one() -> list[Any]:
        # A statement never sent before, behind a failing one in the same pipeline: its preparing is aborted with it;
        # it must be prepared again when sent again, then and later.
        first = await asyncio.gather(reads.one("SELECT no_such_column FROM nowhere"),
                                     reads.one(READ + " AND version > :v", {"n": "alone", "v": 0}),
                                     return_exceptions=True)
        later = await reads.one(READ + " AND version > :v", {"n": "alone", "v": 1})
        return [*first, later]

    failing, new, later = _run(new_statements_after_a_failing_one)
    assert isinstance(failing, Exception) and new == later == (7,)

    if engine.dialect.name == "postgresql":  # a value the driver cannot give Python: that read's error alone
        async def unloadable() -> list[Any]:
            return list(await asyncio.gather(reads.one(READ, {"n": "alone"}),
                                             reads.one("SELECT CAST('infinity' AS date)"),
                                             reads.one(READ, {"n": "alone"}), return_exceptions=True))

        before, infinite, after_it = _run(unloadable)
        assert before == after_it == (7,) and isinstance(infinite, Exception) and "infinity" in str(infinite)

    missing, nul, fine = _run(bad_parameters)
    assert isinstance(missing, Exception) and "n" in str(missing)
    assert fine == (7,)
    assert nul is None or isinstance(nul, Exception)  # SQLite takes the NUL (no row); PostgreSQL refuses it


def test_disposing_the_engine_closes_the_connections(database_url: str) -> None:
    engine = make_engine(database_url)
    reads = reader(engine)
    seen: list[Any] = []

    async def main() -> None:
        assert await reads.one("SELECT 1") == (1,)
        held = reads._local.pool if engine.dialect.name == "postgresql" else reads._local.held
        seen.extend(held.idle if engine.dialect.name == "postgresql" else [held.conn])
        engine.dispose()
        assert await reads.one("SELECT 2") == (2,)  # new ones after

    _run(main)
    assert seen and all(_closed(c) for c in seen)
    engine.dispose()


def test_a_threads_connections_close_when_the_thread_ends(engine: Engine) -> None:
    """A test client answers each request on an event loop in a thread of its own: the connections of such a thread
    must not outlive it (on PostgreSQL they would use up the server's connections)."""
    reads = reader(engine)
    opened: list[Any] = []

    async def main() -> None:
        await reads.one("SELECT 1")
        local = reads._local
        opened.extend(local.pool.idle if engine.dialect.name == "postgresql" else [local.held.conn])

    for _ in range(3):
        worker = threading.Thread(target=lambda: asyncio.run(main()))
        worker.start()
        worker.join()
    assert len(opened) == 3 and len(reads._opened) == 0
    assert all(_closed(c) for c in opened)


def test_a_connection_the_server_dropped_is_replaced(engine: Engine, session: Session) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("a server's connection: PostgreSQL")
    reads = reader(engine)

    async def main() -> None:
        pid = await reads.one("SELECT pg_backend_pid()")
        assert pid is not None
        session.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid[0]})
        session.commit()
        again = await reads.one("SELECT pg_backend_pid()")
        assert again is not None and again != pid

    _run(main)


def test_statements_are_written_once_for_both_databases() -> None:
    assert _pg_form("SELECT a::text FROM t WHERE b = :b AND c LIKE '5%' AND d = :d_2 OR e = :b") == \
        (b"SELECT a::text FROM t WHERE b = $1 AND c LIKE '5%' AND d = $2 OR e = $1", ("b", "d_2"))


def test_values_and_parameters_are_the_drivers_own(engine: Engine, session: Session) -> None:
    """On PostgreSQL the loop's connections drive libpq's pipeline themselves (loop_reads._PgConn) with psycopg's
    adapters: each value must come back as a psycopg cursor gives it, and parameters of every kind the platform
    passes must go in as they would through one."""
    import datetime as dt
    from decimal import Decimal

    params = {"i": 7, "big": 2**40, "s": "张三 O'Neil", "none": None, "yes": True, "amount": Decimal("12.50"),
              "day": dt.date(2026, 12, 5), "at": dt.datetime(2026, 12, 5, 3, 4, 5, 123456, tzinfo=dt.UTC),
              "x": 1.25}
    if engine.dialect.name != "postgresql":
        del params["amount"], params["at"]  # SQLite's driver takes neither as it is (db.sqlite_params)
        sql = "SELECT :i + 1, :big, :s, :none, :yes, :day, :x, 'literal ' || :s"
    else:
        sql = ("SELECT :i + 1, :big, :s, :none, :yes, :amount, :day, :at, :x, 'literal ' || :s, "
               "CAST(3 AS smallint), CAST(1.5 AS numeric), CAST('{\"a\": [1, \"二\"]}' AS jsonb), "
               "CAST('{1,2,3}' AS int[]), CAST('2 days' AS interval), CAST('\\x00ff' AS bytea), "
               "CAST('2026-12-05 11:04:05+08' AS timestamptz), CAST('12:30' AS time), "
               "CAST('a1a2a3a4-b1b2-c1c2-d1d2-d3d4d5d6d7d8' AS uuid), :at > CAST('2026-01-01' AS timestamptz)")
    on_loop = _run(lambda: reader(engine).one(sql, params))
    direct = tuple(session.execute(text(sql), params).one())
    assert on_loop == direct
    assert on_loop is not None and on_loop[0] == 8 and on_loop[2] == "张三 O'Neil" and on_loop[3] is None
