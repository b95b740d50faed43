"""The job runner's own housekeeping: finished jobs and old run history are pruned daily."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.orm import Session

from tongban.config import get_settings
from tongban.db import utcnow
from tongban.jobs.models import DONE, Job, JobRun
from tongban.jobs.registry import periodic


@periodic("jobs.prune", label="清理过期的任务记录", daily_at=dt.time(3, 30))
def prune(session: Session) -> None:
    """Delete done jobs and run rows older than TONGBAN_JOBS_KEEP_DAYS (failed jobs stay until retried)."""
    cutoff = utcnow() - dt.timedelta(days=get_settings().jobs_keep_days)
    session.execute(delete(Job).where(Job.status == DONE, Job.finished_at < cutoff))
    session.execute(delete(JobRun).where(JobRun.ended_at < cutoff))
