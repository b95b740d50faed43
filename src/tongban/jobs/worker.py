"""The worker loop: `tongban worker` processes in production, a thread of the serving process under `make run`.

PostgreSQL: run as many workers as you like; they share work through `FOR UPDATE SKIP LOCKED`.
SQLite: exactly one worker, enforced by a lease row (`job_leases`, name "sqlite-worker") that the worker
renews while it runs; a second one is refused until the first stops or its lease runs out.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from tongban.config import get_settings
from tongban.db import utcnow
from tongban.jobs import registry, runner
from tongban.jobs.models import JobLease
from tongban.transactions import Why, separate

log = logging.getLogger("tongban.jobs")

SQLITE_LEASE = "sqlite-worker"
# How long the SQLite lease lasts without renewal; renewed by a heartbeat thread every third of it.
LEASE_TTL = dt.timedelta(seconds=60)


class WorkerRefused(RuntimeError):
    """Another worker holds the SQLite lease."""


def _holder_alive(holder: str) -> bool:
    """False only for a holder on this host whose process is gone (a worker stopped by kill -9 or a crash):
    restarting at once must not wait for its lease. Holders on other hosts are trusted until their lease ends."""
    import os
    import socket

    host, _, rest = holder.partition(":")
    pid = rest.split(":")[0]
    if host != socket.gethostname()[:100] or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def acquire_lease(factory: sessionmaker[Session], holder: str, *, now: dt.datetime | None = None) -> None:
    """Take the single-worker lease, or raise WorkerRefused naming who holds it and until when."""
    now = now or utcnow()
    # The lease is the runner's bookkeeping (Why.JOB_RUNNER); an IntegrityError on the commit at the end of
    # the block means another worker inserted the row first: refused too (Worker.start_lease).
    with separate(factory, Why.JOB_RUNNER) as session:
        row = session.execute(select(JobLease).where(JobLease.name == SQLITE_LEASE)).scalar_one_or_none()
        if row is None:
            session.add(JobLease(name=SQLITE_LEASE, holder=holder, expires_at=now + LEASE_TTL))
        elif row.holder != holder and row.expires_at > now and _holder_alive(row.holder):
            until = row.expires_at.replace(tzinfo=dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8)))
            raise WorkerRefused(
                f"SQLite 数据库只能运行一个任务进程：{row.holder} 正在运行（租约到 {until:%H:%M:%S} 北京时间）。"
                "请先停止它；若它已意外退出，租约到期后即可启动。多个任务进程请使用 PostgreSQL。")
        else:
            row.holder, row.expires_at = holder, now + LEASE_TTL


def renew_lease(factory: sessionmaker[Session], holder: str) -> bool:
    with separate(factory, Why.JOB_RUNNER) as session:
        res = session.execute(update(JobLease).where(JobLease.name == SQLITE_LEASE, JobLease.holder == holder)
                              .values(expires_at=utcnow() + LEASE_TTL).execution_options(synchronize_session=False))
    return runner.rowcount(res) == 1


def release_lease(factory: sessionmaker[Session], holder: str) -> None:
    with separate(factory, Why.JOB_RUNNER) as session:
        session.execute(update(JobLease).where(JobLease.name == SQLITE_LEASE, JobLease.holder == holder)
                        .values(expires_at=utcnow()).execution_options(synchronize_session=False))


class Worker:
    """Tick schedules, claim and run due jobs, sleep when idle; stops when `stop` is set."""

    def __init__(self, factory: sessionmaker[Session], *, name: str | None = None) -> None:
        self.factory = factory
        self.name = name or runner.worker_id()
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        bind = factory.kw.get("bind")
        self.single = bind is not None and bind.dialect.name == "sqlite"

    def start_lease(self) -> None:
        if self.single:
            from sqlalchemy.exc import IntegrityError

            try:
                acquire_lease(self.factory, self.name)
            except IntegrityError:
                raise WorkerRefused("SQLite 数据库只能运行一个任务进程：另一个任务进程刚刚启动。") from None

    def _heartbeat(self) -> None:
        while not self.stop.wait(LEASE_TTL.total_seconds() / 3):
            try:
                if not renew_lease(self.factory, self.name):
                    log.error("worker %s lost the SQLite lease; stopping", self.name)
                    self.stop.set()
            except Exception:
                log.exception("could not renew the worker lease")

    def run(self) -> None:
        """The loop; call start_lease() first on SQLite (run_forever does both)."""
        registry.discover()
        poll = get_settings().jobs_poll_seconds
        heartbeat = None
        if self.single:
            heartbeat = threading.Thread(target=self._heartbeat, name="tongban-jobs-lease", daemon=True)
            heartbeat.start()
        log.info("worker %s started: %s", self.name, ", ".join(sorted(registry.all_jobs())))
        try:
            while not self.stop.is_set():
                try:
                    runner.tick(self.factory)
                    ran = runner.run_batch(self.factory, worker=self.name)
                except Exception:  # the database went away for a moment: keep the worker, try again
                    log.exception("job worker loop failed; retrying")
                    ran = 0
                if not ran:
                    self.stop.wait(poll)
        finally:
            if self.single:
                release_lease(self.factory, self.name)
            log.info("worker %s stopped", self.name)

    def shutdown(self, timeout: float = 30.0) -> None:
        """Stop after the job in hand and release the lease (the serving process is exiting)."""
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout)

    def run_forever(self) -> None:
        self.start_lease()
        self.run()


def start_in_background(factory: sessionmaker[Session]) -> Worker | None:
    """The in-process runner of `make run`: a daemon thread; None if another worker holds the SQLite lease."""
    worker = Worker(factory, name=f"{runner.worker_id()}:web")
    try:
        worker.start_lease()
    except WorkerRefused as exc:
        log.warning("jobs not run in this process: %s", exc)
        return None
    worker.thread = threading.Thread(target=worker.run, name="tongban-jobs", daemon=True)
    worker.thread.start()
    return worker
