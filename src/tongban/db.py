"""Engine, session factory and the declarative base shared by every domain."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
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
    return create_engine(url, pool_pre_ping=True, **{**pool, **kw})


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


def end_request_session(session: Session) -> None:
    """The end of a request's session (deps.get_db): whatever the request left uncommitted is rolled back (services
    commit), and its connection goes back to the pool."""
    session.rollback()
    session.close()
