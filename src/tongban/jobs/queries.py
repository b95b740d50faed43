"""Read models of the 任务运行 page and the CLI: one function per view."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tongban.authz import Actor, Permission
from tongban.jobs import registry
from tongban.jobs.models import JOB_STATES, Job, JobRun, JobSchedule


@dataclass(frozen=True)
class ScheduleView:
    name: str
    when: str
    next_run_at: dt.datetime | None
    last_fired_at: dt.datetime | None


@dataclass(frozen=True)
class Overview:
    counts: dict[str, int]
    schedules: list[ScheduleView]
    jobs: list[Job]
    runs: list[JobRun]


def overview(session: Session, *, status: str | None = None, limit: int = 50) -> Overview:
    """Counts by state, every periodic job with its next firing, the newest jobs and attempts."""
    registry.ensure_discovered()
    counts = dict.fromkeys(JOB_STATES, 0)
    for state, n in session.execute(select(Job.status, func.count()).group_by(Job.status)).all():
        counts[state] = n
    rows = {s.name: s for s in session.execute(select(JobSchedule)).scalars()}
    schedules = []
    for name, spec in sorted(registry.periodic_jobs().items()):
        assert spec.periodic is not None
        row = rows.get(name)
        schedules.append(ScheduleView(name=name, when=spec.periodic.describe(),
                                      next_run_at=row.next_run_at if row else None,
                                      last_fired_at=row.last_fired_at if row else None))
    q = select(Job).order_by(Job.id.desc()).limit(limit)
    if status:
        q = q.where(Job.status == status)
    jobs = list(session.execute(q).scalars())
    return Overview(counts=counts, schedules=schedules, jobs=jobs, runs=runs(session, limit=limit))


@dataclass(frozen=True)
class JobsPage:
    """任务运行 page: the overview (filtered by state) and the state filter shown as the current tab."""

    counts: dict[str, int]
    schedules: list[ScheduleView]
    jobs: list[Job]
    runs: list[JobRun]
    status: str
    #: Failed jobs may be queued again (platform admins: whoever may open the page).
    can_retry: bool


def jobs_page(session: Session, actor: Actor, *, status: str = "", limit: int = 100) -> JobsPage:
    """任务运行 (platform admins only): an unknown state filter shows every job."""
    actor.require(Permission.JOBS_MANAGE)
    status = status if status in JOB_STATES else ""
    view = overview(session, status=status or None, limit=limit)
    return JobsPage(counts=view.counts, schedules=view.schedules, jobs=view.jobs, runs=view.runs, status=status,
                    can_retry=actor.has(Permission.JOBS_MANAGE))


def runs(session: Session, *, job_id: int | None = None, name: str | None = None, limit: int = 50) -> list[JobRun]:
    q = select(JobRun).order_by(JobRun.id.desc()).limit(limit)
    if job_id is not None:
        q = q.where(JobRun.job_id == job_id)
    if name:
        q = q.where(JobRun.name == name)
    return list(session.execute(q).scalars())
