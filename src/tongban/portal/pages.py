"""The portal's pages (办事服务): public, no login needed. Each GET handler renders one read model of
portal/queries.py."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from tongban import threads
from tongban.db import read_without_transaction
from tongban.deps import DbSession, OptionalActor, public_router
from tongban.loop_reads import reader
from tongban.portal import queries
from tongban.portal.printing import days
from tongban.search.cache import ResultCache
from tongban.web.templating import render, templates

public = public_router(include_in_schema=False)

# Kept beside the templates (which the package ships): served by the portal itself.
_CSS = (Path(__file__).parent / "templates" / "portal" / "portal.css").read_bytes()


@public.get("/services/portal.css")
def portal_css() -> Response:
    """The portal's styles (phone first) and its print stylesheet."""
    return Response(_CSS, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})


@public.get("/services", response_class=HTMLResponse)
def portal_home(request: Request, session: DbSession) -> Response:
    return render(request, "portal/home.html", {"view": queries.home(session)})


#: The results part of the search page, rendered once per query and search version: it is the same for everyone
#: (the page around it names the logged-in user), and kept under the same rule as the read model (search/cache.py).
_results: ResultCache[Markup] = ResultCache(size=512)


def _results_html(view: queries.SearchPage) -> Markup:
    if not view.q:
        return Markup("")
    # The template is autoescaped like every page (the query and highlights are escaped there): safe HTML.
    return _results.get(view.q, view.version, lambda: Markup(  # noqa: S704
        templates.get_template("portal/_search_results.html").render(view=view)))


@public.get("/services/search", response_class=HTMLResponse)
async def portal_search(request: Request, session: DbSession, q: str = "") -> Response:
    """The busiest page of the portal, answered on the event loop when it can be: the results' version is read there
    (tongban/loop_reads.py) and most questions were asked before (search/cache.py). A question not yet answered
    under that version is searched in a request thread, with the request's session; a logged-in visitor's page is
    drawn there too (its menu's badges read the database)."""
    q = queries.normalize_query(q)
    view: queries.SearchPage | None = queries.SearchPage(q="")
    version: tuple[object, ...] | None = None
    if q:
        version, view = await queries.cached_search(reader(request.app.state.engine), q)
    actor = getattr(request.state, "actor", None)
    if view is not None and not (actor is not None and actor.is_authenticated):
        return _search_page(request, view)
    return await threads.run(_search_in_thread, request, session, q, version)


def _search_in_thread(request: Request, session: Session, q: str, version: tuple[object, ...] | None) -> Response:
    # Reads only (the search, the layout's badges): on PostgreSQL without a transaction's BEGIN and ROLLBACK round
    # trips (db.read_without_transaction; the cache's rule holds statement by statement).
    read_without_transaction(session)
    return _search_page(request, queries.search_services(session, q, version))


def _search_page(request: Request, view: queries.SearchPage) -> Response:
    return render(request, "portal/search.html", {"view": view, "results_html": _results_html(view)})


@public.get("/services/events/{kind}/{name}", response_class=HTMLResponse)
def portal_event(request: Request, session: DbSession, kind: str, name: str) -> Response:
    return render(request, "portal/event.html", {"view": queries.event_page(session, kind, name)})


@public.get("/services/departments/{code}", response_class=HTMLResponse)
def portal_department(request: Request, session: DbSession, code: str) -> Response:
    return render(request, "portal/department.html", {"view": queries.department_page(session, code)})


@public.get("/services/items/{code}", response_class=HTMLResponse)
def portal_guide(request: Request, session: DbSession, actor: OptionalActor, code: str,
                 impl: int | None = None) -> Response:
    return render(request, "portal/guide.html", {"view": queries.guide_page(session, actor, code, impl),
                                                 "days": days})


@public.get("/services/items/{code}/guide.pdf")
def portal_guide_pdf(session: DbSession, code: str, impl: int | None = None) -> Response:
    name, pdf = queries.guide_pdf(session, code, impl)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f"inline; filename=\"{code}-guide.pdf\"; filename*=UTF-8''{quote(name)}"})


@public.get("/services/bundles/{code}", response_class=HTMLResponse)
def portal_bundle(request: Request, session: DbSession, code: str) -> Response:
    return render(request, "portal/bundle.html", {"view": queries.bundle_page(session, code)})
