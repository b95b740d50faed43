"""Engine, session factory and the declarative base shared by every domain."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import StaticPool

# Stable constraint names, so that Alembic migrations can refer to them on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    """Naive UTC now. Every timestamp in the database is naive UTC; pages show Asia/Shanghai."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def make_engine(url: str, **kw: Any) -> Engine:
    """An engine with the pragmas SQLite needs to behave like a server database, and the pool the settings size.

    SQLite keeps its connections in the same pool as PostgreSQL: with SQLAlchemy's default for a SQLite file
    (5 kept), every connection past the fifth was opened, given its pragmas and closed again per request under
    load, which cost more than the request's own query (bench/request_path.py)."""
    from tongban.config import get_settings

    settings = get_settings()
    pool = {"pool_size": settings.db_pool_size, "max_overflow": settings.db_max_overflow,
            "pool_timeout": settings.db_pool_timeout_seconds}
    if url.startswith("sqlite"):
        connect_args = {"check_same_thread": False, "timeout": 30}
        if ":memory:" in url or url in ("sqlite://", "sqlite:///"):
            engine = create_engine(url, connect_args=connect_args, poolclass=StaticPool, **kw)
        else:
            engine = create_engine(url, connect_args=connect_args, **{**pool, **kw})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    engine = create_engine(url, **{**pool, **kw})
    _ping_when_idle(engine, settings.db_ping_after_idle_seconds)
    return engine


_IDLE_SINCE = "tongban_idle_since"


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Ping a pooled connection before use only when it has been idle for more than `idle_seconds` (0: always).

    SQLAlchemy's `pool_pre_ping` pings at every checkout: a round trip on every request, for the rare connection the
    server closed while it lay in the pool (a restart, an idle timeout) — and a closed connection sits idle. One in
    steady use is not pinged; if the server goes away under load, the failed statement invalidates the pool's
    connections (SQLAlchemy's disconnect handling) and the next checkouts connect anew."""

    @event.listens_for(engine, "checkin")
    def _idle_since(_dbapi_conn: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is not None and time.monotonic() - since <= idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # the pool discards this connection and checks out another (up to three tries)
            raise DisconnectionError() from exc


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


#: Set in `session.info` while the session reads without a transaction (`read_without_transaction`).
READS_WITHOUT_TRANSACTION = "reads_without_transaction"


def read_without_transaction(session: Session) -> None:
    """PostgreSQL: the session's next statements run without a transaction (autocommit), each in its own snapshot —
    no BEGIN and ROLLBACK round trips around them. Call it before the session's first statement; for a request that
    only reads in its session (the exchange's keyed read: bench/request_path.py, +44 % calls a second on PostgreSQL).
    A session that has already begun a transaction (e.g. its actor was read through it) stays in it.

    A write in that mode would commit statement by statement, so `writes_need_a_transaction` ends the mode before
    any code that may write runs in the session, and the audit log refuses an entry in it (its head's lock must last
    until the entry commits). SQLite: nothing changes (its transactions cost no round trip)."""
    if session.get_bind().dialect.name == "postgresql" and not session.in_transaction():
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        session.info[READS_WITHOUT_TRANSACTION] = True


def writes_need_a_transaction(session: Session) -> None:
    """End `read_without_transaction`: the connection goes back to the pool, and the session's next statement begins
    a transaction as usual."""
    if session.info.pop(READS_WITHOUT_TRANSACTION, False):
        session.rollback()


def sqlite_driver(conn: Connection) -> Any | None:
    """The sqlite3 connection under `conn`, or None on another database: for the statements of the exchange's group
    commit (exchange/log_writer.py), run with the driver in the transaction `conn` began. Through SQLAlchemy's
    execution path each cost ~50 µs more than the database's own work on it, and the group's transaction holds
    SQLite's one write lock for all the processes (bench/request_path.py). Give its statements `sqlite_params`."""
    if conn.dialect.name != "sqlite":
        return None
    return conn.connection.dbapi_connection


def sqlite_params(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters for `sqlite_driver`'s statements, datetimes and dates written as SQLAlchemy stores them (text that
    compares in time order: microseconds always written), not by sqlite3's adapters, which Python 3.12 deprecates."""
    return {k: v.isoformat(" ", "microseconds") if isinstance(v, dt.datetime)
            else v.isoformat() if isinstance(v, dt.date) else v for k, v in params.items()}


def end_request_session(session: Session) -> None:
    """The end of a request's session (deps.get_db): whatever the request left uncommitted is rolled back (services
    commit), and its connection goes back to the pool. `close()` alone does both (the connection's transaction is
    rolled back as it is given back): an explicit `rollback()` first cost ~15–30 µs more per request, for the same
    end (bench/request_path.py)."""
    session.info.pop(READS_WITHOUT_TRANSACTION, None)
    session.close()
