"""Audit search page for platform admins, supervisors and department admins."""

from __future__ import annotations

import datetime as dt

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from tongban.audit import service
from tongban.audit.api import _naive_utc
from tongban.audit.labels import describe_objects
from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.web.templating import render

router = secure_router(include_in_schema=False)


def _parse_time(value: str | None, *, end: bool = False) -> tuple[dt.datetime | None, str | None]:
    if not value:
        return None, None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None, f"时间“{value}”格式不正确，应为 2026-01-31 或 2026-01-31T09:00。"
    if end and len(value) == 10:
        parsed += dt.timedelta(days=1)  # an end date includes that whole day
    return _naive_utc(parsed), None


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(request: Request, session: DbSession, actor: CurrentActor, actor_q: str | None = None,
               action: str | None = None, object_type: str | None = None, object_id: str | None = None,
               since: str | None = None, until: str | None = None, page: int = 1) -> Response:
    since_dt, err1 = _parse_time(since)
    until_dt, err2 = _parse_time(until, end=True)
    filters = service.AuditFilter(actor=actor_q or None, action=action or None, object_type=object_type or None,
                                  object_id=object_id or None, since=since_dt, until=until_dt,
                                  page=max(page, 1), size=50)
    rows, total = service.search(session, actor=actor, filters=filters)
    ctx = {"rows": rows, "total": total, "error": err1 or err2, "page": filters.page,
           "q": {"actor_q": actor_q or "", "action": action or "", "object_type": object_type or "",
                 "object_id": object_id or "", "since": since or "", "until": until or ""},
           "actions": service.ACTION_LABELS, "object_names": describe_objects(session, rows)}
    template = "audit/_rows.html" if request.headers.get("hx-request") else "audit/search.html"
    return render(request, template, ctx)
