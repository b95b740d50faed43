"""The 消息 page (站内信) of every logged-in user."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tongban.deps import CurrentActor, DbSession, Id, PageNo, secure_router
from tongban.notifications import queries, service
from tongban.web.forms import redirect_with_notice
from tongban.web.templating import known_badge, render

router = secure_router(include_in_schema=False)


@router.get("/messages", response_class=HTMLResponse)
def inbox(request: Request, session: DbSession, actor: CurrentActor, page: PageNo = 1,
          unread: str | None = None) -> Response:
    view = queries.inbox_page(session, actor, page=page, unread_only=unread == "1")
    known_badge(request, queries.UNREAD, view.unread)  # the menu's badge needs no second query
    return render(request, "notifications/inbox.html", {"view": view, "notice": request.query_params.get("notice")})


@router.get("/messages/{message_id}", response_class=HTMLResponse)
def message_detail(request: Request, session: DbSession, actor: CurrentActor, message_id: Id) -> Response:
    view = queries.message_detail(session, actor, message_id)
    return render(request, "notifications/detail.html", {"msg": view.msg})


@router.post("/messages/read-all", response_class=HTMLResponse)
def read_all(session: DbSession, actor: CurrentActor) -> Response:
    n = service.mark_all_read(session=session, actor=actor)
    return redirect_with_notice("/messages", f"已将 {n} 条消息标为已读")


@router.post("/messages/{message_id}/read", response_class=HTMLResponse)
def read_one(session: DbSession, actor: CurrentActor, message_id: Id) -> Response:
    service.mark_read(session=session, actor=actor, message_id=message_id)
    return RedirectResponse("/messages", status_code=303)
