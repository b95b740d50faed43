"""Use-cases of the 任务运行 page and CLI: retry a failed job (audited)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tongban.audit import service as audit
from tongban.authz import Actor, Permission
from tongban.jobs import runner
from tongban.jobs.models import Job
from tongban.transactions import use_case


@use_case
def retry_job(*, session: Session, actor: Actor, job_id: int) -> Job:
    """Queue a failed job again with fresh attempts; platform admins only; audited (job.retry)."""
    actor.require(Permission.JOBS_MANAGE)
    row = runner.retry(session, job_id)
    audit.record(session, actor=actor, action="job.retry", object_type="job", object_id=row.id,
                 detail={"name": row.name, "last_error": (row.last_error or "")[-500:]})
    return row
