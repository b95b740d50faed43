"""任务运行 page (platform admins): schedules, jobs by state, the run history, retry of failed jobs."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.errors import DomainError
from tongban.jobs import queries, registry, service
from tongban.web.forms import failure_of, redirect_with_notice, rerender
from tongban.web.templating import render

router = secure_router(include_in_schema=False)

STATE_LABELS = {"queued": "等待", "running": "运行中", "done": "完成", "failed": "失败",
                "succeeded": "成功", "lost": "中断"}


def _context(request: Request, view: queries.JobsPage) -> dict[str, object]:
    return {"view": view, "status": view.status, "labels": STATE_LABELS, "job_label": registry.label_of,
            "notice": request.query_params.get("notice")}


@router.get("/admin/jobs", response_class=HTMLResponse)
def jobs_page(request: Request, session: DbSession, actor: CurrentActor, status: str = "") -> Response:
    return render(request, "jobs/jobs.html", _context(request, queries.jobs_page(session, actor, status=status)))


@router.post("/admin/jobs/{job_id}/retry", response_class=HTMLResponse)
def retry(request: Request, session: DbSession, actor: CurrentActor, job_id: int) -> Response:
    try:
        service.retry_job(session=session, actor=actor, job_id=job_id)
    except DomainError as exc:  # the use-case has rolled back: the page again with its message
        failure = failure_of(exc)
        return rerender(request, "jobs/jobs.html", _context(request, queries.jobs_page(session, actor)), failure)
    return redirect_with_notice("/admin/jobs", f"任务 #{job_id} 已重新排队")
