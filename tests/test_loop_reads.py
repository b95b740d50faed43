"""tongban.loop_reads: reads on the event loop's own connection see every commit at once, cannot write, leave the
pool alone, survive a connection the server dropped, end with the engine, and are bounded."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tongban.db import make_engine
from tongban.loop_reads import _pg_form, reader

READ = "SELECT version FROM config_versions WHERE name = :n"


def _set(session: Session, name: str, version: int) -> None:
    session.execute(text("DELETE FROM config_versions WHERE name = :n"), {"n": name})
    session.execute(text("INSERT INTO config_versions (name, version) VALUES (:n, :v)"), {"n": name, "v": version})
    session.commit()


def test_each_read_sees_the_last_commit_of_another_connection(engine: Engine, session: Session) -> None:
    reads = reader(engine)
    assert reads.one(READ, {"n": "loop-test"}) is None
    _set(session, "loop-test", 7)
    assert reads.one(READ, {"n": "loop-test"}) == (7,)
    _set(session, "loop-test", 8)  # no snapshot held between reads
    assert reads.one(READ, {"n": "loop-test"}) == (8,)
    assert reader(engine) is reads  # one reader per engine


def test_the_connection_is_read_only_and_not_the_pools(engine: Engine, session: Session) -> None:
    reads = reader(engine)
    reads.one("SELECT 1")
    assert engine.pool.checkedout() == 0  # detached: a request's checkout never waits for it
    with pytest.raises(Exception, match=r"(?i)read.?only"):
        reads.one("INSERT INTO config_versions (name, version) VALUES (:n, 1)", {"n": "written-by-a-read"})
    assert session.execute(text("SELECT count(*) FROM config_versions WHERE name = 'written-by-a-read'")).scalar() == 0
    assert reads.one(READ, {"n": "written-by-a-read"}) is None  # the refusal left the connection usable


def test_rows_are_bounded(engine: Engine, session: Session) -> None:
    for n in range(5):
        _set(session, f"bounded-{n}", n)
    rows = reader(engine).all("SELECT version FROM config_versions WHERE name LIKE :p ORDER BY version",
                              {"p": "bounded-%"}, limit=3)
    assert rows == [(0,), (1,), (2,)]


def test_each_thread_has_its_own_connection(engine: Engine) -> None:
    reads = reader(engine)
    mine = reads._connection()
    theirs: list[object] = []
    worker = threading.Thread(target=lambda: theirs.append(reads._connection()))
    worker.start()
    worker.join()
    assert theirs and theirs[0] is not mine
    assert reads._connection() is mine


def test_disposing_the_engine_closes_the_connections(database_url: str) -> None:
    engine = make_engine(database_url)
    reads = reader(engine)
    assert reads.one("SELECT 1") == (1,)
    conn = reads._connection()
    engine.dispose()
    if engine.dialect.name == "sqlite":
        with pytest.raises(Exception, match=r"(?i)closed"):
            conn.execute("SELECT 1")
    else:
        assert conn.closed
    assert reads.one("SELECT 2") == (2,)  # a new one after
    engine.dispose()


def test_a_connection_the_server_dropped_is_replaced(engine: Engine, session: Session) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("a server's connection: PostgreSQL")
    reads = reader(engine)
    pid = reads.one("SELECT pg_backend_pid()")
    assert pid is not None
    session.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid[0]})
    session.commit()
    again = reads.one("SELECT pg_backend_pid()")
    assert again is not None and again != pid


def test_statements_are_written_once_for_both_databases() -> None:
    assert _pg_form("SELECT a::text FROM t WHERE b = :b AND c LIKE '5%' AND d = :d_2") == \
        "SELECT a::text FROM t WHERE b = %(b)s AND c LIKE '5%%' AND d = %(d_2)s"


def test_a_threads_connection_closes_when_the_thread_ends(engine: Engine) -> None:
    """A test client answers each request on an event loop in a thread of its own: a connection per such thread
    must not outlive it (on PostgreSQL they would use up the server's connections)."""
    reads = reader(engine)
    opened: list[object] = []
    for _ in range(3):
        worker = threading.Thread(target=lambda: opened.append(reads._connection()))
        worker.start()
        worker.join()
    assert len(opened) == 3 and len(reads._opened) == 0
    for conn in opened:
        if engine.dialect.name == "sqlite":
            with pytest.raises(Exception, match=r"(?i)closed"):
                conn.execute("SELECT 1")  # type: ignore[attr-defined]
        else:
            assert conn.closed  # type: ignore[attr-defined]
