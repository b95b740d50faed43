"""Tables of the job runner (任务运行): the outbox of jobs, periodic schedules, run history, worker leases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tongban.db import Base, utcnow

_BIG = BigInteger().with_variant(Integer, "sqlite")

# Job states: queued (waiting for run_at), running (claimed by a worker until locked_until),
# done, failed (attempts used up; `tongban jobs retry` queues it again).
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
JOB_STATES = (QUEUED, RUNNING, DONE, FAILED)
# Outcome of one attempt in the run history. `lost`: the worker stopped (killed, crashed, lost its
# database) before the attempt ended; its lease expired and another attempt took the job over.
RUN_RUNNING, RUN_SUCCEEDED, RUN_FAILED, RUN_LOST = "running", "succeeded", "failed", "lost"


class Job(Base):
    """One job of the transactional outbox: written in the enqueuing use-case's transaction."""

    __tablename__ = "jobs"
    __table_args__ = (
        # At most one job per (name, dedupe key), ever (until pruned); jobs without a key are never merged.
        UniqueConstraint("name", "dedupe_key", name="uq_jobs_name_dedupe_key"),
        # The claim query: due jobs in run_at order.
        Index("ix_jobs_status_run_at", "status", "run_at"),
    )

    id: Mapped[int] = mapped_column(_BIG, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str] = mapped_column(String(10), default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    run_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    locked_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class JobRun(Base):
    """One attempt of a job: the run history admins read (start, end, outcome, error, attempt)."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(_BIG, primary_key=True, autoincrement=True)
    job_id: Mapped[int] = mapped_column(_BIG, index=True)  # no foreign key: pruning jobs keeps runs simple
    name: Mapped[str] = mapped_column(String(100), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    worker: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    outcome: Mapped[str] = mapped_column(String(10), default=RUN_RUNNING)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class JobSchedule(Base):
    """The next firing of one periodic job; claimed under lock so several workers fire it once."""

    __tablename__ = "job_schedules"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    next_run_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_fired_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class JobLease(Base):
    """A named lease held by one worker (on SQLite: the single worker allowed)."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
