"""The indicators' dashboard page (绩效指标): figures with their definitions, ECharts charts, tables.

The page's data comes from one read model (queries.dashboard); wrong filters show the page again with the
message (web/forms.rerender, 422).
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.indicators import queries
from tongban.web.forms import failure_of, rerender
from tongban.web.templating import render

router = secure_router(include_in_schema=False)

TEMPLATE = "indicators/dashboard.html"


@router.get("/indicators", response_class=HTMLResponse)
def dashboard_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    page = queries.dashboard(session, actor, dict(request.query_params))
    context = {name: getattr(page, name) for name in page.__dataclass_fields__}
    if page.problem is not None:
        return rerender(request, TEMPLATE, context, failure_of(page.problem))
    return render(request, TEMPLATE, context)
