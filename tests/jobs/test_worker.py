"""Workers: a real worker process killed mid-job, the single-worker lease on SQLite, periodic firing once,
working mornings by the holiday calendar, the in-process runner of `make run`, the CLI."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.jobs import sample_tasks  # noqa: F401  (registers the test jobs)
from tests.jobs.test_runner import effects, job_row
from tongban.config import get_settings
from tongban.db import make_session_factory, utcnow
from tongban.jobs import enqueue, run_pending
from tongban.jobs.models import DONE, FAILED, Job, JobRun, JobSchedule
from tongban.jobs.runner import tick
from tongban.jobs.worker import WorkerRefused, acquire_lease, start_in_background

REPO = Path(__file__).resolve().parents[2]


def wait_for(condition, what: str, limit: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    """Wait for a condition of another process or thread (a startup wait; nothing asserted about time)."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def test_worker_killed_mid_job_loses_nothing(engine: Engine, session: Session, tmp_path: Path,
                                             database_url: str) -> None:
    factory = make_session_factory(engine)
    block, started = tmp_path / "block", tmp_path / "started"
    block.write_text("hang")
    enqueue(session, "tests.record", {"key": "k", "block": str(block), "started": str(started)})
    session.commit()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-m", "tongban", "worker", "--import", "tests.jobs.sample_tasks"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: started.exists() or proc.poll() is not None, "the worker to start the job")
        assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
        os.kill(proc.pid, signal.SIGKILL)  # mid-job: its effect is flushed, not committed
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    row = job_row(session, "tests.record")
    assert row.status == "running" and row.attempts == 1  # claimed, never finished
    assert effects(session, "k") == 0

    block.unlink()
    after_lease = utcnow() + dt.timedelta(seconds=get_settings().jobs_lease_seconds + 60)
    ran = 0

    def retried() -> bool:  # PostgreSQL ends the dead connection's transaction as soon as it notices
        nonlocal ran
        ran += run_pending(factory, now=after_lease)
        return ran > 0

    wait_for(retried, "the lease of the killed worker to be taken over")
    row = job_row(session, "tests.record")
    assert row.status == DONE and row.attempts == 2
    assert effects(session, "k") == 1  # the effect happened once
    outcomes = session.execute(select(JobRun.outcome).where(JobRun.job_id == row.id).order_by(JobRun.id)).scalars()
    assert list(outcomes) == ["lost", "succeeded"]


def test_sqlite_allows_one_worker(engine: Engine, settings) -> None:  # type: ignore[no-untyped-def]
    if not settings.is_sqlite:
        pytest.skip("several workers share PostgreSQL")
    factory = make_session_factory(engine)
    acquire_lease(factory, "host-a:1")
    with pytest.raises(WorkerRefused, match="只能运行一个任务进程"):
        acquire_lease(factory, "host-b:2")
    acquire_lease(factory, "host-a:1")  # the holder renews
    # A holder that died stops renewing: after its lease ran out, a new worker may start.
    acquire_lease(factory, "host-b:2", now=utcnow() + dt.timedelta(minutes=5))


def test_periodic_fires_once_across_workers(engine: Engine, session: Session) -> None:
    factory = make_session_factory(engine)
    tuesday_7am = dt.datetime(2026, 9, 28, 23, 0)  # 2026-09-29 07:00 Beijing, a working day
    tick(factory, now=tuesday_7am)  # creates the schedule: next 08:00 Beijing
    assert session.get(JobSchedule, "tests.morning").next_run_at == dt.datetime(2026, 9, 29, 0, 0)
    due = dt.datetime(2026, 9, 29, 0, 0, 30)
    for _ in range(3):  # three workers ticking the same minute
        tick(factory, now=due)
    session.expire_all()
    jobs = session.execute(select(Job).where(Job.name == "tests.morning")).scalars().all()
    assert len(jobs) == 1
    assert session.get(JobSchedule, "tests.morning").next_run_at == dt.datetime(2026, 9, 30, 0, 0)


def test_working_morning_job_skips_holidays(engine: Engine, session: Session) -> None:
    factory = make_session_factory(engine)
    tick(factory, now=dt.datetime(2026, 9, 30, 23, 0))  # 10-01 07:00 Beijing: 国庆节
    tick(factory, now=dt.datetime(2026, 10, 1, 0, 0, 30))
    session.expire_all()
    assert session.execute(select(Job).where(Job.name == "tests.morning")).scalars().all() == []
    assert session.get(JobSchedule, "tests.morning").next_run_at == dt.datetime(2026, 10, 2, 0, 0)


def test_in_process_runner_runs_enqueued_jobs(engine: Engine, session: Session) -> None:
    factory = make_session_factory(engine)
    worker = start_in_background(factory)
    assert worker is not None
    try:
        enqueue(session, "tests.record", {"key": "web"})
        session.commit()
        wait_for(lambda: job_row(session, "tests.record").status == DONE, "the in-process runner")
    finally:
        # Joined, not only told to stop: a runner still writing its lease when the next test's set-up truncates the
        # tables deadlocked with it on PostgreSQL (CI).
        worker.shutdown()
    assert effects(session, "web") == 1


def test_cli_lists_runs_and_retries(engine: Engine, session: Session) -> None:
    from tongban.cli import app

    factory = make_session_factory(engine)
    enqueue(session, "tests.fail", {"key": "x"})
    session.commit()
    now = utcnow()
    for _ in range(3):
        run_pending(factory, now=now)
        now = job_row(session, "tests.fail").run_at
    row = job_row(session, "tests.fail")
    assert row.status == FAILED
    runner = CliRunner()
    listed = runner.invoke(app, ["jobs", "list", "--status", "failed"])
    assert listed.exit_code == 0 and "tests.fail" in listed.output and "供应商网关暂时不可用" in listed.output
    runs = runner.invoke(app, ["jobs", "runs", "--job", str(row.id)])
    assert runs.exit_code == 0 and runs.output.count("failed") >= 3
    retried = runner.invoke(app, ["jobs", "retry", str(row.id)])
    assert retried.exit_code == 0, retried.output
    assert job_row(session, "tests.fail").status == "queued"
    again = runner.invoke(app, ["jobs", "retry", str(row.id)])
    assert again.exit_code == 1 and "只有失败的任务可以重试" in again.output


def test_concurrent_workers_run_each_job_once(engine: Engine, session: Session) -> None:
    """Several workers draining one queue at once (SKIP LOCKED on PostgreSQL, conditional claims on SQLite)."""
    import threading

    factory = make_session_factory(engine)
    for i in range(30):
        enqueue(session, "tests.record", {"key": f"c{i}"})
    session.commit()
    errors: list[BaseException] = []

    def drain(name: str) -> None:
        try:
            run_pending(factory, worker=name)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=drain, args=(f"w{n}",)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    session.expire_all()
    assert all(effects(session, f"c{i}") == 1 for i in range(30))
    runs = session.execute(select(JobRun.outcome).where(JobRun.name == "tests.record")).scalars().all()
    assert runs == ["succeeded"] * 30


def test_second_worker_on_sqlite_is_refused_by_the_cli(engine: Engine, settings) -> None:  # type: ignore[no-untyped-def]
    if not settings.is_sqlite:
        pytest.skip("several workers share PostgreSQL")
    from tongban.cli import app

    acquire_lease(make_session_factory(engine), "other-host:4242")
    result = CliRunner().invoke(app, ["worker"])
    assert result.exit_code == 1
    assert "other-host:4242" in result.output and "只能运行一个任务进程" in result.output


def test_sqlite_lease_of_a_dead_local_worker_is_taken_over(engine: Engine, settings) -> None:  # type: ignore[no-untyped-def]
    """`make run` restarted right after a crash must not wait for the old process's lease."""
    if not settings.is_sqlite:
        pytest.skip("several workers share PostgreSQL")
    import socket

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    factory = make_session_factory(engine)
    acquire_lease(factory, f"{socket.gethostname()}:{dead.pid}:web")
    acquire_lease(factory, "new-process")  # the holder's process is gone: taken over at once
    with pytest.raises(WorkerRefused):
        acquire_lease(factory, f"{socket.gethostname()}:{os.getpid()}")  # a holder elsewhere is trusted until its lease ends
