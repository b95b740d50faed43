"""Page of 谁用了我的数据 for a logged-in citizen or enterprise (the JSON twin: gateway_api.my_data_uses)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response

from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.exchange import queries
from tongban.web.templating import render

router = secure_router(include_in_schema=False)


@router.get("/my/data-uses", response_class=HTMLResponse)
def my_data_uses_page(request: Request, session: DbSession, actor: CurrentActor,
                      page: Annotated[int, Query(ge=1, le=10000)] = 1) -> Response:
    return render(request, "exchange/data_uses.html", {"view": queries.my_data_uses(session, actor, page=page)})
