"""Page of exchange monitoring (共享交换监测): filters, KPI tiles, ECharts charts, tables rendered on the server."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.errors import ValidationFailed
from tongban.monitoring import permissions as rules
from tongban.monitoring import service
from tongban.monitoring.models import LATENCY_BOUNDS_MS
from tongban.monitoring.schemas import parse_filter
from tongban.org import service as org
from tongban.web.templating import render

router = secure_router(include_in_schema=False)

FILTER_FIELDS = ("start", "end", "granularity", "resource_code", "consumer_id", "provider_id")


@router.get("/monitoring/exchange", response_class=HTMLResponse)
def exchange_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    rules.check_monitor(actor)
    form = {k: request.query_params.get(k, "").strip() for k in FILTER_FIELDS}
    departments, _ = org.list_departments(session=session, actor=actor, size=1000)
    ctx: dict[str, Any] = {"form": form, "departments": departments, "bounds": LATENCY_BOUNDS_MS}
    try:
        filters = parse_filter(**form)
        stats = service.exchange_stats(session=session, actor=actor, filters=filters)
    except ValidationFailed as exc:
        ctx["error"] = exc.message
        return render(request, "monitoring/exchange.html", ctx, status_code=422)
    ctx["stats"] = stats
    ctx["stats_json"] = stats.model_dump(mode="json")
    form.update(start=stats.start.isoformat(), end=stats.end.isoformat(), granularity=stats.granularity)
    return render(request, "monitoring/exchange.html", ctx)
