"""The one Jinja2 environment every domain's pages render with."""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader
from sqlalchemy import text

from tongban.audit.labels import OBJECT_LABELS, describe
from tongban.audit.service import ACTION_LABELS
from tongban.authz import ROLE_LABELS, Actor, Permission
from tongban.db import utcnow
from tongban.deps import ASSUMED, CSRF_COOKIE, ensure_csrf_cookie
from tongban.registry import Badge, Link, platform, resolve
from tongban.web.static_files import static_url

if TYPE_CHECKING:
    from tongban.cards import CardReads

log = logging.getLogger("tongban.web")

PKG = Path(__file__).resolve().parents[1]
TEMPLATE_DIRS = [PKG / "web" / "templates", *sorted(PKG.glob("*/templates"))]

templates = Jinja2Templates(directory=str(TEMPLATE_DIRS[0]))
templates.env.loader = ChoiceLoader([FileSystemLoader(str(d)) for d in dict.fromkeys(TEMPLATE_DIRS)])

BEIJING = dt.timezone(dt.timedelta(hours=8), "CST")


def beijing(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Naive-UTC database time shown as Beijing time."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(BEIJING).strftime(fmt)


STATUS_LABELS = {
    "active": "正常", "inactive": "已撤销", "disabled": "已停用", "revoked": "已吊销", "expired": "已过期",
    "success": "成功", "failed": "失败", "denied": "拒绝",
    "staff": "工作人员", "citizen": "自然人", "enterprise": "法人", "client": "应用系统",
    "system": "系统", "anonymous": "匿名",
    "province": "省级", "city": "市级", "county": "县级", "township": "乡镇（街道）",
    "government": "行政机关", "institution": "事业单位",
}


templates.env.filters["beijing"] = beijing
templates.env.globals["OBJECT_LABELS"] = OBJECT_LABELS
templates.env.globals["describe_object"] = describe
templates.env.globals["ROLE_LABELS"] = ROLE_LABELS
templates.env.globals["STATUS_LABELS"] = STATUS_LABELS
templates.env.globals["Permission"] = Permission
templates.env.globals["ACTION_LABELS"] = ACTION_LABELS
templates.env.globals["now"] = utcnow
templates.env.globals["static_url"] = static_url  # /static/<name>?v=<hash>: cached for a year (web/static_files.py)


def nav_links(actor: Any, request: Request | None = None) -> list[Link]:
    """The menu entries the domains registered that this actor may see, in their order (worked out once per request
    when given it)."""
    if request is None:
        return platform().nav_for(actor)
    known: tuple[Any, list[Link]] | None = getattr(request.state, "nav_links", None)
    if known is None or known[0] is not actor:
        known = (actor, platform().nav_for(actor))
        request.state.nav_links = known
    return known[1]


_BADGES = "nav_badges"  # request.state: (actor, {Badge: count}), each badge counted once per request and actor


def _badges(request: Request, actor: Any) -> dict[Badge, int]:
    """The badges counted for `actor` in this request (a page whose actor is resolved again — tongban/deps.py,
    `confirmed_reads` — counts them again)."""
    known: tuple[Any, dict[Badge, int]] | None = getattr(request.state, _BADGES, None)
    if known is None or known[0] is not actor:
        known = (actor, {})
        setattr(request.state, _BADGES, known)
    return known[1]


def known_badge(request: Request, badge: Badge, count: int) -> None:
    """A badge's count the handler already has (the inbox's own unread count): no statement for the menu."""
    _badges(request, getattr(request.state, "actor", None))[badge] = count


def nav_badge(link: Link, request: Request) -> int:
    """The count a menu entry shows beside its label (0: none), counted once per request: with the request's session
    when the page is drawn in its handler's thread, else with a pooled connection. Never breaks a page (an error
    page is drawn with a failing database too)."""
    if not link.badge:
        return 0
    badge: Badge = resolve(link.badge)
    actor = getattr(request.state, "actor", None)
    known = _badges(request, actor)
    if badge in known:
        return known[badge]
    count = 0
    if actor is not None and badge.applies(actor):
        session = getattr(request.state, "db_session", None)
        try:
            with (nullcontext(session.connection()) if session is not None
                  else request.app.state.engine.connect()) as conn:
                count = int(conn.execute(text(badge.sql), badge.params(actor)).scalar() or 0)
        except Exception:
            log.exception("could not count the menu badge of %s", link.href)
    known[badge] = count
    return count


async def count_badges_on_loop(request: Request, actor: Actor, reads: CardReads) -> None:
    """The badges of the menu this actor sees, counted on the event loop before a page drawn there (the home): the
    layout then reads no database."""
    known = _badges(request, actor)
    for link in nav_links(actor, request):
        if link.badge:
            badge: Badge = resolve(link.badge)
            if badge not in known and badge.applies(actor):
                known[badge] = await reads.count(badge.sql, badge.params(actor))


templates.env.globals["nav_links"] = nav_links
templates.env.globals["nav_badge"] = nav_badge


def render(request: Request, name: str, context: dict[str, Any] | None = None, *,
           status_code: int = 200) -> HTMLResponse:
    """Render a page with the actor, settings and the CSRF token every form needs."""
    if getattr(request.state, ASSUMED, None) is not None:  # tongban/deps.py, `assumed_request`
        if status_code < 400:
            raise RuntimeError("a page drawn for an actor whose session is not confirmed (deps.confirmed_reads)")
        request.state.actor = None  # an error page: drawn for no one rather than for an unconfirmed actor
    ctx: dict[str, Any] = dict(context or {})
    actor = getattr(request.state, "actor", None)
    ctx.setdefault("actor", actor)
    ctx.setdefault("settings", request.app.state.settings)
    if actor is not None and actor.is_authenticated and actor.csrf_token:
        ctx["csrf_token"] = actor.csrf_token
    else:
        ctx["csrf_token"] = ensure_csrf_cookie(request)
    response = templates.TemplateResponse(request, name, ctx, status_code=status_code)
    new_cookie = getattr(request.state, "new_csrf_cookie", None)
    if new_cookie:
        response.set_cookie(CSRF_COOKIE, new_cookie, httponly=True, samesite="strict",
                            secure=request.app.state.settings.cookie_secure, path="/")
    return response
