"""Read model of the search dictionary page (检索词典)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tongban.authz import Actor, Permission
from tongban.search.models import TERM_KINDS, SearchTerm

PAGE_SIZE = 50


@dataclass(frozen=True)
class TermFilters:
    q: str = ""
    kind: str = ""
    status: str = ""  # "" all, "active", "inactive"


@dataclass(frozen=True)
class TermsPage:
    terms: list[SearchTerm]
    total: int
    page: int
    pages: int
    f: TermFilters
    kinds: dict[str, str]
    counts: dict[str, int]
    #: The term being edited (its form is shown instead of the add form).
    editing: SearchTerm | None = None
    form: dict[str, str] = field(default_factory=dict)


def terms_page(session: Session, actor: Actor, filters: TermFilters, page: int = 1,
               edit_id: int | None = None) -> TermsPage:
    """检索词典: the terms, filtered by word, kind and status, a page at a time (managers only)."""
    actor.require(Permission.SEARCH_TERMS_MANAGE)
    t = SearchTerm
    cond = []
    if filters.q:
        like = "%" + filters.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        cond.append(or_(t.word.like(like, escape="\\"), t.official.like(like, escape="\\")))
    if filters.kind in TERM_KINDS:
        cond.append(t.kind == filters.kind)
    if filters.status in ("active", "inactive"):
        cond.append(t.active.is_(filters.status == "active"))
    total = session.execute(select(func.count(t.id)).where(*cond)).scalar_one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    terms = list(session.execute(select(t).where(*cond).order_by(t.kind, t.word, t.id)
                                 .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).scalars())
    counts = {kind: int(n) for kind, n in session.execute(
        select(t.kind, func.count(t.id)).where(t.active.is_(True)).group_by(t.kind))}
    editing = session.get(SearchTerm, edit_id) if edit_id else None
    return TermsPage(terms=terms, total=total, page=page, pages=pages, f=filters, kinds=TERM_KINDS,
                     counts={k: counts.get(k, 0) for k in TERM_KINDS}, editing=editing)
