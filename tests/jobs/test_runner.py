"""The job runner: outbox semantics, retries, dedupe, run history (inline with run_pending)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.jobs import sample_tasks  # noqa: F401  (registers the test jobs)
from tongban.db import make_session_factory, utcnow
from tongban.jobs import enqueue, run_pending
from tongban.jobs.models import DONE, FAILED, QUEUED, Job, JobRun


def effects(session: Session, key: str) -> int:
    session.expire_all()
    rows = session.execute(select(Job.payload).where(Job.name == "tests.effect")).scalars().all()
    return sum(1 for p in rows if p.get("key") == key)


def job_row(session: Session, name: str) -> Job:
    session.expire_all()
    return session.execute(select(Job).where(Job.name == name)).scalar_one()


def test_committed_job_runs_once_with_history(engine: Engine, session: Session) -> None:
    factory = make_session_factory(engine)
    enqueue(session, "tests.record", {"key": "a"})
    session.commit()
    assert run_pending(factory) == 1
    row = job_row(session, "tests.record")
    assert row.status == DONE and row.attempts == 1
    assert effects(session, "a") == 1
    runs = session.execute(select(JobRun).where(JobRun.job_id == row.id)).scalars().all()
    assert [(r.attempt, r.outcome) for r in runs] == [(1, "succeeded")]
    assert runs[0].ended_at is not None
    assert run_pending(factory) == 0  # nothing left: a done job does not run again


def test_rolled_back_use_case_enqueues_nothing(engine: Engine, session: Session) -> None:
    factory = make_session_factory(engine)

    def use_case() -> None:
        enqueue(session, "tests.record", {"key": "rolled-back"})
        raise ValueError("申请材料不全")

    with pytest.raises(ValueError):
        use_case()
    session.rollback()
    assert run_pending(factory) == 0
    assert effects(session, "rolled-back") == 0
    assert session.execute(select(func.count()).select_from(Job).where(Job.name == "tests.record")).scalar() == 0


def test_dedupe_key_enqueues_once(engine: Engine, session: Session) -> None:
    factory = make_session_factory(engine)
    for _ in range(3):
        enqueue(session, "tests.record", {"key": "d"}, dedupe_key="msg-5")
    session.commit()
    enqueue(session, "tests.record", {"key": "d"}, dedupe_key="msg-5")  # a retried use-case, later
    session.commit()
    assert run_pending(factory) == 1
    assert effects(session, "d") == 1


def test_failures_retry_with_backoff_then_fail(engine: Engine, session: Session) -> None:
    factory = make_session_factory(engine)
    enqueue(session, "tests.fail", {"key": "f"})
    session.commit()
    now = utcnow()
    assert run_pending(factory, now=now) == 1
    row = job_row(session, "tests.fail")
    assert row.status == QUEUED and row.attempts == 1 and row.run_at > now  # waits for its backoff
    assert "供应商网关暂时不可用" in (row.last_error or "")
    assert run_pending(factory, now=now) == 0  # not due yet
    first_wait = row.run_at - now
    assert run_pending(factory, now=row.run_at) == 1
    row = job_row(session, "tests.fail")
    assert row.status == QUEUED and row.run_at - now > first_wait * 2  # the wait doubled
    assert run_pending(factory, now=row.run_at) == 1
    row = job_row(session, "tests.fail")
    assert row.status == FAILED and row.attempts == 3
    assert run_pending(factory, now=row.run_at + dt.timedelta(days=1)) == 0  # failed is final
    assert effects(session, "f") == 0  # each failing attempt's writes rolled back
    runs = session.execute(select(JobRun.outcome).where(JobRun.job_id == row.id).order_by(JobRun.id)).scalars()
    assert list(runs) == ["failed", "failed", "failed"]


def test_unknown_job_is_refused_at_enqueue(session: Session) -> None:
    with pytest.raises(ValueError):
        enqueue(session, "no.such.job", {})
