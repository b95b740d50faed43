"""Claim due jobs, run them, record each attempt; fire periodic schedules once across workers.

At-least-once: a claimed job carries a lease (`locked_until`). A handler runs as one use-case
(`transactions.scope`): the use-cases it calls nest in it as savepoints, and the row that marks the job
done is written in that same scope, so the job's effect and "done" are one commit: a worker killed mid-job
commits neither, its lease expires, and another attempt runs it again. The final update also checks the
claim (locked_by, attempts), so an attempt that outlived its lease and was taken over cannot commit a
second effect.

The runner's own bookkeeping — ticking schedules, claiming (lease and run row), recording a failed attempt
and its retry or final failure — commits apart from any job's work (`separate`, Why.JOB_RUNNER), so that a
failed job is recorded as failed although its work rolled back.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import traceback
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session, sessionmaker

from tongban.clock import BEIJING
from tongban.config import get_settings
from tongban.db import utcnow
from tongban.jobs import registry
from tongban.jobs.models import (
    DONE,
    FAILED,
    QUEUED,
    RUN_FAILED,
    RUN_LOST,
    RUN_RUNNING,
    RUN_SUCCEEDED,
    RUNNING,
    Job,
    JobRun,
    JobSchedule,
)
from tongban.jobs.outbox import enqueue
from tongban.transactions import Why, scope, separate

log = logging.getLogger("tongban.jobs")

Factory = sessionmaker[Session]
LOST_MESSAGE = "执行进程在任务结束前停止（租约到期），已由其他进程重试。"


def worker_id() -> str:
    """Who holds a claim: host and process, readable on the 任务运行 page."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def backoff(attempt: int) -> dt.timedelta:
    """Wait before retry number `attempt` (1-based): base × 2^(attempt-1), capped at one hour."""
    base = get_settings().jobs_retry_base_seconds
    return dt.timedelta(seconds=min(base * 2 ** (attempt - 1), 3600))


def rowcount(result: Any) -> int:
    """Rows an UPDATE matched: how a conditional update tells who won a claim."""
    return int(cast(CursorResult[Any], result).rowcount)


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# ---------------------------------------------------------------------------------------------- schedules

def _next_daily(after: dt.datetime, at: dt.time) -> dt.datetime:
    """The first moment strictly after `after` (naive UTC) at Beijing time `at`, as naive UTC."""
    local = after.replace(tzinfo=dt.UTC).astimezone(BEIJING)
    candidate = dt.datetime.combine(local.date(), at, tzinfo=BEIJING)
    if candidate <= local:
        candidate += dt.timedelta(days=1)
    return candidate.astimezone(dt.UTC).replace(tzinfo=None)


def first_fire(when: registry.Periodic, now: dt.datetime) -> dt.datetime:
    if when.every is not None:
        return now  # an interval job runs as soon as a worker starts (the monitoring page fills at once)
    assert when.daily_at is not None
    return _next_daily(now, when.daily_at)


def next_fire(when: registry.Periodic, fired: dt.datetime, now: dt.datetime) -> dt.datetime:
    """The firing after `fired`; missed firings (no worker ran) are not caught up one by one."""
    if when.every is not None:
        nxt = fired + when.every
        return nxt if nxt > now else now + when.every
    assert when.daily_at is not None
    return _next_daily(max(fired, now), when.daily_at)


def _should_fire(session: Session, when: registry.Periodic, fired: dt.datetime) -> bool:
    if not when.working_days_only:
        return True
    from tongban.workdays import service as workdays  # read at firing time: a holiday notice entered later counts

    day = fired.replace(tzinfo=dt.UTC).astimezone(BEIJING).date()
    return workdays.load(session).is_workday(day)


def tick(factory: Factory, *, now: dt.datetime | None = None) -> list[str]:
    """Enqueue every periodic job whose time has come, once however many workers tick; returns their names.

    The schedule row is read `FOR UPDATE SKIP LOCKED` on PostgreSQL and advanced by a conditional update on
    both databases; the job's dedupe key (name@firing time) is a second guard against a double firing.
    """
    registry.ensure_discovered()
    now = now or utcnow()
    fired: list[str] = []
    with separate(factory, Why.JOB_RUNNER) as session:
        for name, spec in sorted(registry.periodic_jobs().items()):
            assert spec.periodic is not None
            q = select(JobSchedule).where(JobSchedule.name == name)
            if _is_pg(session):
                q = q.with_for_update(skip_locked=True)
            row = session.execute(q).scalar_one_or_none()
            if row is None:
                ins = (postgresql.insert(JobSchedule) if _is_pg(session) else sqlite.insert(JobSchedule))
                session.execute(ins.values(name=name, next_run_at=first_fire(spec.periodic, now))
                                .on_conflict_do_nothing(index_elements=["name"]))
                session.flush()
                row = session.execute(q).scalar_one_or_none()
                if row is None:
                    continue
            if row.next_run_at > now:
                continue
            due = row.next_run_at
            advanced = session.execute(
                update(JobSchedule).where(JobSchedule.name == name, JobSchedule.next_run_at == due)
                .values(next_run_at=next_fire(spec.periodic, due, now), last_fired_at=now)
                .execution_options(synchronize_session=False))
            if rowcount(advanced) != 1 or not _should_fire(session, spec.periodic, due):
                continue
            enqueue(session, name, {"fire_at": due.isoformat()}, dedupe_key=f"{name}@{due.isoformat()}", run_at=due)
            fired.append(name)
    return fired


# -------------------------------------------------------------------------------------------------- jobs

@dataclass(frozen=True)
class Claimed:
    job_id: int
    name: str
    payload: dict[str, Any]
    attempt: int
    max_attempts: int
    run_id: int


def _due(now: dt.datetime) -> Any:
    return or_(and_(Job.status == QUEUED, Job.run_at <= now),
               and_(Job.status == RUNNING, Job.locked_until < now))  # a lease ran out: the worker is gone


def claim(factory: Factory, *, worker: str, now: dt.datetime, limit: int = 10) -> list[Claimed]:
    """Claim up to `limit` due jobs for `worker` (SKIP LOCKED on PostgreSQL), each with a lease and a run row."""
    lease = dt.timedelta(seconds=get_settings().jobs_lease_seconds)
    out: list[Claimed] = []
    with separate(factory, Why.JOB_RUNNER) as session:
        cols = (Job.id, Job.name, Job.payload, Job.attempts, Job.max_attempts, Job.status)
        # Two index scans on (status, run_at) rather than one OR, which neither database plans well.
        queued = select(*cols).where(Job.status == QUEUED, Job.run_at <= now).order_by(Job.run_at, Job.id).limit(limit)
        expired = select(*cols).where(Job.status == RUNNING, Job.locked_until < now).order_by(Job.id).limit(limit)
        if _is_pg(session):
            queued, expired = queued.with_for_update(skip_locked=True), expired.with_for_update(skip_locked=True)
        rows = [*session.execute(expired).all(), *session.execute(queued).all()][:limit]
        for job_id, name, payload, attempts, max_attempts, status in rows:
            # Conditional on what was read: on SQLite (no row locks) two claimers cannot both win.
            won = session.execute(
                update(Job).where(Job.id == job_id, Job.attempts == attempts, _due(now))
                .values(status=RUNNING, attempts=attempts + 1, locked_by=worker, locked_until=now + lease)
                .execution_options(synchronize_session=False))
            if rowcount(won) != 1:
                continue
            if status == RUNNING:  # taken over from a worker that is gone: its attempt ended unfinished
                session.execute(
                    update(JobRun).where(JobRun.job_id == job_id, JobRun.outcome == RUN_RUNNING)
                    .values(outcome=RUN_LOST, ended_at=now, error=LOST_MESSAGE)
                    .execution_options(synchronize_session=False))
            run = JobRun(job_id=job_id, name=name, attempt=attempts + 1, worker=worker, started_at=now,
                         outcome=RUN_RUNNING)
            session.add(run)
            session.flush()
            out.append(Claimed(job_id=job_id, name=name, payload=dict(payload or {}), attempt=attempts + 1,
                               max_attempts=max_attempts, run_id=run.id))
    return out


def _error_text(exc: BaseException) -> str:
    message = getattr(exc, "message", None)  # domain errors carry a Chinese message
    text = "".join(traceback.format_exception(exc))
    return ((f"{message}\n" if message else "") + text)[-4000:]


class _ClaimLost(Exception):
    """The attempt outlived its lease and another worker took the job over: its work must not commit."""


def execute(factory: Factory, claimed: Claimed, *, worker: str, now: dt.datetime | None = None) -> bool:
    """Run one claimed job; True if it succeeded. Failures are retried after a backoff, then marked failed."""
    spec = registry.get(claimed.name)
    session = factory()
    try:
        if spec is None:
            raise LookupError(f"no handler registered for job {claimed.name!r} (is its tasks.py importable?)")
        # One use-case: the handler's work, "done" and the run's success commit together or not at all.
        with scope(session):
            spec.handler(session, claimed.payload)
            session.flush()
            end = now or utcnow()
            done = session.execute(
                update(Job).where(Job.id == claimed.job_id, Job.status == RUNNING, Job.locked_by == worker,
                                  Job.attempts == claimed.attempt)
                .values(status=DONE, finished_at=end, locked_by=None, locked_until=None, last_error=None)
                .execution_options(synchronize_session=False))
            if rowcount(done) != 1:
                raise _ClaimLost  # rolls the scope back: the attempt that took the job over decides
            session.execute(update(JobRun).where(JobRun.id == claimed.run_id)
                            .values(outcome=RUN_SUCCEEDED, ended_at=end).execution_options(synchronize_session=False))
        return True
    except _ClaimLost:
        log.warning("job %s #%s: claim lost before it finished; effect rolled back", claimed.name, claimed.job_id)
        return False
    except Exception as exc:
        # The scope has rolled the attempt's work back (and, on SQLite, let go of the write lock) before
        # the failure is recorded in a session of its own.
        log.warning("job %s #%s attempt %s failed: %s", claimed.name, claimed.job_id, claimed.attempt, exc)
        _record_failure(factory, claimed, worker=worker, error=_error_text(exc), now=now or utcnow())
        return False
    finally:
        session.close()


def _record_failure(factory: Factory, claimed: Claimed, *, worker: str, error: str, now: dt.datetime) -> None:
    final = claimed.attempt >= claimed.max_attempts
    with separate(factory, Why.JOB_RUNNER) as session:
        values: dict[str, Any] = {"locked_by": None, "locked_until": None, "last_error": error}
        if final:
            values.update(status=FAILED, finished_at=now)
        else:
            values.update(status=QUEUED, run_at=now + backoff(claimed.attempt))
        session.execute(update(Job).where(Job.id == claimed.job_id, Job.status == RUNNING, Job.locked_by == worker,
                                          Job.attempts == claimed.attempt)
                        .values(**values).execution_options(synchronize_session=False))
        session.execute(update(JobRun).where(JobRun.id == claimed.run_id)
                        .values(outcome=RUN_FAILED, ended_at=now, error=error)
                        .execution_options(synchronize_session=False))


def run_batch(factory: Factory, *, worker: str | None = None, now: dt.datetime | None = None,
              limit: int = 10) -> int:
    """Claim and run one batch of due jobs; returns how many attempts ran."""
    registry.ensure_discovered()
    worker = worker or worker_id()
    batch = claim(factory, worker=worker, now=now or utcnow(), limit=limit)
    for claimed in batch:
        execute(factory, claimed, worker=worker, now=now)
    return len(batch)


def run_pending(factory: Factory, *, now: dt.datetime | None = None, periodic: bool = False,
                worker: str | None = None) -> int:
    """Run every job due at `now` synchronously, in this thread (tests, and the CLI); returns attempts run.

    A failed attempt is requeued after its backoff, i.e. after `now`, so each job runs at most once per call.
    With `periodic=True` the schedules are ticked first (their due jobs then run too).
    """
    if periodic:
        tick(factory, now=now)
    total = 0
    while (n := run_batch(factory, worker=worker, now=now)) > 0:
        total += n
    return total


def retry(session: Session, job_id: int, *, now: dt.datetime | None = None) -> Job:
    """Queue a failed job again with fresh attempts, in the caller's use-case (jobs.service.retry_job)."""
    from tongban.errors import Conflict, NotFound

    row = session.get(Job, job_id)
    if row is None:
        raise NotFound(f"任务 {job_id} 不存在，请检查任务编号。", code="job_not_found")
    if row.status != FAILED:
        raise Conflict(f"任务 {job_id} 当前状态为“{row.status}”，只有失败的任务可以重试。", code="job_not_failed")
    row.status, row.attempts, row.run_at, row.finished_at = QUEUED, 0, now or utcnow(), None
    session.flush()
    return row
