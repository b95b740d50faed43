"""Enqueue: the job row is added in the caller's transaction, so it exists if and only if the use-case commits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tongban.db import utcnow
from tongban.jobs import registry
from tongban.jobs.models import QUEUED, Job


def enqueue(session: Session, name: str, payload: dict[str, Any] | None = None, *,
            dedupe_key: str | None = None, run_at: dt.datetime | None = None) -> None:
    """Add a job to the outbox in the caller's transaction (never commits).

    With a dedupe key, a second job of the same name and key is not added (whether the first is
    queued, running or done), so retried use-cases enqueue once. `run_at` is naive UTC; None: now.
    """
    spec = registry.get(name)
    if spec is None:
        registry.ensure_discovered()
        spec = registry.get(name)
    if spec is None:
        raise ValueError(f"unknown job {name!r}: declare it with @job in its domain's tasks.py")
    now = utcnow()
    values = {"name": name, "payload": payload or {}, "dedupe_key": dedupe_key, "status": QUEUED,
              "attempts": 0, "max_attempts": spec.max_attempts, "run_at": run_at or now, "created_at": now}
    dialect = session.get_bind().dialect.name
    if dedupe_key is not None and dialect in ("postgresql", "sqlite"):
        # ON CONFLICT DO NOTHING: a duplicate is skipped without aborting the caller's transaction
        # (an IntegrityError would). On PostgreSQL a concurrent duplicate waits for the first to commit.
        ins = postgresql.insert(Job) if dialect == "postgresql" else sqlite.insert(Job)
        session.execute(ins.values(**values).on_conflict_do_nothing(index_elements=["name", "dedupe_key"]))
    else:
        session.execute(insert(Job).values(**values))
