"""The transaction rule: one transaction per use-case.

A use-case (submit a sharing request, issue a licence, close a case …) changes several tables, queues
its jobs and notices (the outbox) and writes its audit rows. All of that commits together or not at
all, so:

- `@use_case` (or `with scope(session):`) wraps a use-case. The outermost scope commits once when the
  use-case returns and rolls back when it raises. A use-case called inside another becomes a savepoint:
  its work commits with the caller's, and if it raises and the caller handles the error, only the inner
  part is undone. Use-cases therefore compose (closing a case issues the licence by calling the licence
  use-case) without either knowing whether it is the outermost.
- A few writes must survive the failure of the call that made them, or must not wait for the end of
  the call. They go through `commit_apart` / `rollback_apart` (on the caller's session, outside any
  use-case scope) or `separate` (a session of its own), each with a `Why` that names the reason. There
  are no others: tests/test_transactions.py fails when any module but this one (and the request's
  session in db.py, which rolls back what a request left) calls `commit()` or `rollback()`.

Services don't commit; views, CLI commands and jobs call use-cases and don't commit either.
"""

from __future__ import annotations

import enum
import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from sqlalchemy.orm import Session, sessionmaker

P = ParamSpec("P")
R = TypeVar("R")

_DEPTH = "tongban.use_case_depth"


class Why(enum.Enum):
    """The reasons a write may commit apart from a use-case. Adding one is a design decision: say why here."""

    #: The exchange writes each call's log entry (and the persons it touched) and commits it before the
    #: answer leaves, refused and failed calls included: a use of data with no durable log entry must
    #: not happen (政务数据共享条例). The answer is not a use-case that could be rolled back.
    EXCHANGE_LOG = "exchange_log"
    #: Quota counters are released at once (PostgreSQL) so that concurrent calls of one client do not
    #: queue on the counter row for the length of their calls; refused calls count too.
    QUOTA_COUNTER = "quota_counter"
    #: Failed logins and lockouts must persist although the login fails (otherwise no throttling).
    LOGIN_THROTTLE = "login_throttle"
    #: A refused request is evidence: its audit row is kept although the use-case rolled back.
    REFUSAL_AUDIT = "refusal_audit"
    #: The job runner's own bookkeeping: claiming a job, its run history, retries and its final state
    #: commit apart from the job's work, so that a failed job is recorded as failed.
    JOB_RUNNER = "job_runner"
    #: Long loads (registry ingest, demo data, catalog generation) commit in batches so that memory and
    #: lock times stay bounded; each batch is whole, and the load records where it stands.
    BATCH = "batch"
    #: Housekeeping that is not a user's use-case: API-key last-use stamps, pruning old counters.
    HOUSEKEEPING = "housekeeping"


def _depth(session: Session) -> int:
    return int(session.info.get(_DEPTH, 0))


def in_use_case(session: Session) -> bool:
    """True inside a use-case scope (where nothing may commit apart)."""
    return _depth(session) > 0


def _begin_for_savepoint(session: Session) -> None:
    """SQLite's driver opens a transaction only before the first write; a SAVEPOINT opened outside one
    starts a transaction of its own that RELEASE would commit. Begin the outer transaction first."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.dbapi_connection
    if raw is not None and not getattr(raw, "in_transaction", True):
        connection.exec_driver_sql("BEGIN")


@contextmanager
def scope(session: Session) -> Iterator[Session]:
    """One use-case: commit once at the end of the outermost scope, roll back on any error; nested
    scopes are savepoints."""
    depth = _depth(session)
    session.info[_DEPTH] = depth + 1
    try:
        if depth:
            _begin_for_savepoint(session)
            with session.begin_nested():
                yield session
        else:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
    finally:
        session.info[_DEPTH] = depth


def use_case(fn: Callable[P, R]) -> Callable[P, R]:
    """Run the decorated service function as one use-case (see `scope`). It must take `session`."""
    signature = inspect.signature(fn)
    if "session" not in signature.parameters:
        raise TypeError(f"use_case {fn.__qualname__} takes no `session` parameter")
    position = list(signature.parameters).index("session")

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        session = kwargs.get("session")
        if session is None and position < len(args):
            session = args[position]
        if not isinstance(session, Session):
            raise TypeError(f"use_case {fn.__qualname__} called without a session")
        with scope(session):
            return fn(*args, **kwargs)

    return wrapper


def _refuse_inside(session: Session, why: Why) -> None:
    if in_use_case(session):
        raise RuntimeError(f"commit apart ({why.value}) inside a use-case would commit half of the use-case")


def commit_apart(session: Session, why: Why) -> None:
    """Commit what the session holds now, for the reason given, outside any use-case scope."""
    _refuse_inside(session, why)
    session.commit()


def rollback_apart(session: Session, why: Why) -> None:
    """Discard what the session holds now (e.g. a failed call's half) before writing what must be kept."""
    _refuse_inside(session, why)
    session.rollback()


@contextmanager
def separate(factory: sessionmaker[Session], why: Why) -> Iterator[Session]:
    """A session of its own whose work commits at the end of the block (rolled back if it raises),
    independent of any use-case that has failed on another session.

    Use it after the other session's use-case has ended: on SQLite (one writer) a separate session
    that writes while another session holds the write lock waits for it, i.e. for itself.
    """
    session = factory()
    session.info["tongban.why"] = why.value
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
