"""检索词典 page: administrators list, filter, add, edit, deactivate the search dictionary's terms."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from tongban.deps import CurrentActor, DbSession, secure_router
from tongban.errors import DomainError
from tongban.search import queries, service
from tongban.search.schemas import TermIn
from tongban.web.forms import Form, failure_of, form_text, redirect_with_notice, rerender
from tongban.web.templating import render

router = secure_router(include_in_schema=False)
TEMPLATE = "search/terms.html"
PATH = "/admin/search-terms"


def _filters(q: str | None, kind: str | None, status: str | None) -> queries.TermFilters:
    return queries.TermFilters(q=(q or "").strip()[:64], kind=kind or "", status=status or "")


def _ctx(page: queries.TermsPage, notice: str | None = None) -> dict[str, object]:
    def url(**changes: object) -> str:
        params = {"q": page.f.q, "kind": page.f.kind, "status": page.f.status, "page": "", **changes}
        query = urlencode({k: v for k, v in params.items() if v not in ("", None, 1)})
        return PATH + (f"?{query}" if query else "")
    return {**vars(page), "notice": notice, "url": url}


@router.get(PATH, response_class=HTMLResponse)
def terms_page(request: Request, session: DbSession, actor: CurrentActor, q: str | None = None,
               kind: str | None = None, status: str | None = None, page: int = 1,
               edit: int | None = None) -> Response:
    data = queries.terms_page(session, actor, _filters(q, kind, status), page=min(max(page, 1), 10000),
                              edit_id=edit if edit and 0 < edit < 2**31 else None)
    return render(request, TEMPLATE, _ctx(data, request.query_params.get("notice")))


def _term_in(form: Form) -> tuple[dict[str, str], TermIn]:
    typed = {k: form_text(form, k) for k in ("word", "official", "kind", "source")}
    return typed, TermIn.model_validate(typed)


def _failed(request: Request, session: DbSession, actor: CurrentActor, exc: Exception, typed: dict[str, str],
            edit_id: int | None, form_id: str) -> Response:
    failure = failure_of(exc, service.FIELD_LABELS, form_id=form_id)
    data = queries.terms_page(session, actor, queries.TermFilters(), edit_id=edit_id)
    return rerender(request, TEMPLATE, _ctx(replace(data, form=typed)), failure)


@router.post(PATH, response_class=HTMLResponse)
def add_term(request: Request, session: DbSession, actor: CurrentActor, form: Form) -> Response:
    typed: dict[str, str] = {}
    try:
        typed, term_in = _term_in(form)
        term = service.add_term(session=session, actor=actor, term_in=term_in)
    except (ValidationError, DomainError) as exc:
        return _failed(request, session, actor, exc, typed, None, "add")
    return redirect_with_notice(PATH, f"已添加：{term.word} → {term.official}")


@router.post(PATH + "/{term_id}", response_class=HTMLResponse)
def edit_term(request: Request, term_id: int, session: DbSession, actor: CurrentActor, form: Form) -> Response:
    typed: dict[str, str] = {}
    try:
        typed, term_in = _term_in(form)
        term = service.update_term(session=session, actor=actor, term_id=term_id, term_in=term_in)
    except (ValidationError, DomainError) as exc:
        return _failed(request, session, actor, exc, typed, term_id, "edit")
    return redirect_with_notice(PATH, f"已保存：{term.word} → {term.official}")


@router.post(PATH + "/{term_id}/active", response_class=HTMLResponse)
def toggle_term(request: Request, term_id: int, session: DbSession, actor: CurrentActor, form: Form) -> Response:
    active = form_text(form, "active") == "1"
    try:
        term = service.set_active(session=session, actor=actor, term_id=term_id, active=active)
    except DomainError as exc:
        return _failed(request, session, actor, exc, {}, None, f"term-{term_id}")
    return redirect_with_notice(PATH, f"已{'启用' if term.active else '停用'}：{term.word} → {term.official}")
