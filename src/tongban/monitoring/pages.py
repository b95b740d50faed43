"""Page of exchange monitoring (共享交换监测): filters, KPI tiles, ECharts charts, tables rendered on the server.

The page's data comes from one read model (monitoring/queries.exchange_monitoring); wrong filters show
the page again with the message (web/forms.rerender, 422).
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.monitoring import queries
from tongban.web.forms import failure_of, rerender
from tongban.web.templating import render

router = secure_router(include_in_schema=False)

TEMPLATE = "monitoring/exchange.html"


@router.get("/monitoring/exchange", response_class=HTMLResponse)
def exchange_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    page = queries.exchange_monitoring(session, actor, dict(request.query_params))
    context = {name: getattr(page, name) for name in page.__dataclass_fields__}
    if page.problem is not None:
        return rerender(request, TEMPLATE, context, failure_of(page.problem))
    return render(request, TEMPLATE, context)
