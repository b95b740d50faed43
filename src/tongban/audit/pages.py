"""Audit search page for platform admins, supervisors and department admins."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from tongban.audit import queries
from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.web.templating import render

router = secure_router(include_in_schema=False)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(request: Request, session: DbSession, actor: CurrentActor, actor_q: str | None = None,
               action: str | None = None, object_type: str | None = None, object_id: str | None = None,
               since: str | None = None, until: str | None = None, page: int = 1) -> Response:
    query = queries.AuditQuery(actor_q=actor_q or "", action=action or "", object_type=object_type or "",
                               object_id=object_id or "", since=since or "", until=until or "")
    search = queries.audit_search(session, actor, query, page)
    template = "audit/_rows.html" if request.headers.get("hx-request") else "audit/search.html"
    return render(request, template, vars(search))
