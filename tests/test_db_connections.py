"""PostgreSQL connections: a pooled connection the server closed is pinged and replaced before use once it has been
idle, and one in steady use is not pinged (db._ping_when_idle, in place of a ping at every checkout); a session
reading without a transaction (db.read_without_transaction) goes back to one before anything writes."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from tests.conftest import PG_URL
from tongban import db
from tongban.audit import service as audit
from tongban.authz import SYSTEM

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL: the server closes the connection")


def _engine(idle_seconds: float) -> Engine:
    engine = create_engine(PG_URL, pool_size=1, max_overflow=0)
    db._ping_when_idle(engine, idle_seconds)
    return engine


def _backend(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(pid: int) -> None:
    killer = create_engine(PG_URL, poolclass=NullPool)
    with killer.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar_one()
        conn.execute(text("SELECT pg_sleep(0.2)"))  # the backend is gone before the next use
    killer.dispose()


def test_an_idle_connection_the_server_closed_is_replaced_before_use() -> None:
    engine = _engine(0)  # every checkout counts as idle
    try:
        pid = _backend(engine)
        _terminate(pid)
        assert _backend(engine) != pid  # pinged, found closed, replaced: the request never saw it
    finally:
        engine.dispose()


def test_a_connection_in_steady_use_is_not_pinged_and_the_pool_recovers_after_one_failure() -> None:
    engine = _engine(3600)
    try:
        pid = _backend(engine)
        _terminate(pid)
        with pytest.raises(OperationalError), engine.connect() as conn:  # no ping: the statement meets the close
            conn.execute(text("SELECT 1"))
        assert _backend(engine) != pid  # the failure invalidated the pool: the next checkout connects anew
    finally:
        engine.dispose()


def test_reads_without_a_transaction_and_back_to_one_before_writing(engine: Engine) -> None:
    from sqlalchemy.orm import Session

    def one_snapshot(session: Session) -> bool:  # now() is the transaction's start: equal within one
        first = session.execute(text("SELECT clock_timestamp(), now()")).one()
        session.execute(text("SELECT pg_sleep(0.01)"))
        return bool(session.execute(text("SELECT now()")).scalar_one() == first[1])

    with Session(engine) as session:
        db.read_without_transaction(session)
        assert not one_snapshot(session)  # each statement its own: no BEGIN, no ROLLBACK
        with pytest.raises(RuntimeError, match="writes_need_a_transaction"):
            audit.record(session, actor=SYSTEM, action="test.autocommit", object_type="test", object_id=1)
        db.writes_need_a_transaction(session)
        assert one_snapshot(session)  # a transaction again: a write would commit or roll back as a whole
        audit.record(session, actor=SYSTEM, action="test.autocommit", object_type="test", object_id=1)
        session.rollback()


def test_a_session_already_in_a_transaction_stays_in_it(engine: Engine) -> None:
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        session.execute(text("SELECT 1"))
        db.read_without_transaction(session)
        assert db.READS_WITHOUT_TRANSACTION not in session.info
        audit.record(session, actor=SYSTEM, action="test.autocommit", object_type="test", object_id=1)
        session.rollback()
