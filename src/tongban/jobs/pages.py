"""任务运行 page (platform admins): schedules, jobs by state, the run history, retry of failed jobs."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tongban.authz import Permission
from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.errors import DomainError
from tongban.jobs import queries, registry, service
from tongban.jobs.models import JOB_STATES
from tongban.web.templating import render

router = secure_router(include_in_schema=False)

STATE_LABELS = {"queued": "等待", "running": "运行中", "done": "完成", "failed": "失败",
                "succeeded": "成功", "lost": "中断"}


def _page(request: Request, session: DbSession, *, status_code: int = 200, **extra: object) -> Response:
    status = request.query_params.get("status", "")
    view = queries.overview(session, status=status if status in JOB_STATES else None, limit=100)
    return render(request, "jobs/jobs.html", {"view": view, "status": status, "labels": STATE_LABELS,
                                              "job_label": registry.label_of,
                                              "notice": request.query_params.get("notice"), **extra},
                  status_code=status_code)


@router.get("/admin/jobs", response_class=HTMLResponse)
def jobs_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    actor.require(Permission.JOBS_MANAGE)
    return _page(request, session)


@router.post("/admin/jobs/{job_id}/retry", response_class=HTMLResponse)
def retry(request: Request, session: DbSession, actor: CurrentActor, job_id: int) -> Response:
    try:
        service.retry_job(session=session, actor=actor, job_id=job_id)
    except DomainError as exc:  # the use-case has rolled back: re-render the page with its message
        if exc.status_code == 403:
            raise
        return _page(request, session, status_code=exc.status_code, error=exc.message)
    return RedirectResponse(f"/admin/jobs?notice={quote(f'任务 #{job_id} 已重新排队')}", status_code=303)
