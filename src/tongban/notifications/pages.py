"""The 消息 page (站内信) of every logged-in user, and the unread badge of the shared layout."""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tongban.deps import CurrentActor, DbSession, Id, PageNo, secure_router
from tongban.notifications import queries, service
from tongban.web.forms import redirect_with_notice
from tongban.web.templating import render, templates

log = logging.getLogger("tongban.notifications")

router = secure_router(include_in_schema=False)


def unread_messages(request: Request) -> int:
    """The layout's unread badge: one count per request, cached on the request (the layout may ask twice)."""
    cached = getattr(request.state, "unread_messages", None)
    if cached is not None:
        return int(cached)
    actor = getattr(request.state, "actor", None)
    count = 0
    if actor is not None and actor.kind in service.INBOX_KINDS and actor.id is not None:
        try:  # the request's own connection when the page is drawn in its handler; else a pooled one (issue 16)
            session = getattr(request.state, "db_session", None)
            if session is not None:
                count = queries.unread_count(session.connection(), actor.id)
            else:
                with request.app.state.engine.connect() as conn:
                    count = queries.unread_count(conn, actor.id)
        except Exception:  # the badge must never break a page (error pages render with a failing database too)
            log.exception("could not count unread messages")
    request.state.unread_messages = count
    return count


templates.env.globals["unread_messages"] = unread_messages


@router.get("/messages", response_class=HTMLResponse)
def inbox(request: Request, session: DbSession, actor: CurrentActor, page: PageNo = 1,
          unread: str | None = None) -> Response:
    view = queries.inbox_page(session, actor, page=page, unread_only=unread == "1")
    request.state.unread_messages = view.unread  # the badge needs no second query
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
