"""Use-cases of the search dictionary (检索词典): add, edit, deactivate terms; seed them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.audit import service as audit
from tongban.authz import Actor, Permission
from tongban.errors import Conflict, NotFound, ValidationFailed
from tongban.jobs import enqueue
from tongban.search import dictionary
from tongban.search.models import SearchTerm
from tongban.search.schemas import TermIn
from tongban.transactions import use_case

FIELD_LABELS = {"word": "用户说法", "official": "规范用语", "kind": "类型", "source": "来源"}


def _changed(session: Session) -> None:
    """Every process reloads at its next search; the stored documents are re-segmented by a job."""
    version = dictionary.bump(session)
    enqueue(session, "search.reindex", {"version": version}, dedupe_key=f"v{version}")


def _check(session: Session, term_in: TermIn, own_id: int | None) -> None:
    if term_in.word == term_in.official:
        raise ValidationFailed("用户说法与规范用语相同，无需登记。", code="term_same",
                               detail={"field": "official"})
    other = session.execute(select(SearchTerm.id).where(SearchTerm.word == term_in.word,
                                                        SearchTerm.official == term_in.official)).scalar()
    if other is not None and other != own_id:
        raise Conflict(f"词典中已有“{term_in.word} → {term_in.official}”，请直接编辑该词条。", code="term_exists")


def _get(session: Session, term_id: int) -> SearchTerm:
    term = session.get(SearchTerm, term_id)
    if term is None:
        raise NotFound("词条不存在。", code="term_not_found")
    return term


@use_case
def add_term(*, session: Session, actor: Actor, term_in: TermIn) -> SearchTerm:
    actor.require(Permission.SEARCH_TERMS_MANAGE)
    _check(session, term_in, None)
    term = SearchTerm(word=term_in.word, official=term_in.official, kind=term_in.kind, source=term_in.source,
                      active=True, created_by=actor.id, updated_by=actor.id)
    session.add(term)
    session.flush()
    _changed(session)
    audit.record(session, actor=actor, action="search.term_add", object_type="search_term", object_id=term.id,
                 detail={"word": term.word, "official": term.official, "kind": term.kind})
    return term


@use_case
def update_term(*, session: Session, actor: Actor, term_id: int, term_in: TermIn) -> SearchTerm:
    actor.require(Permission.SEARCH_TERMS_MANAGE)
    term = _get(session, term_id)
    _check(session, term_in, term.id)
    before = {"word": term.word, "official": term.official, "kind": term.kind, "source": term.source}
    term.word, term.official, term.kind, term.source = term_in.word, term_in.official, term_in.kind, term_in.source
    term.updated_by = actor.id
    session.flush()
    _changed(session)
    audit.record(session, actor=actor, action="search.term_edit", object_type="search_term", object_id=term.id,
                 detail={"before": before, "after": term_in.model_dump()})
    return term


@use_case
def set_active(*, session: Session, actor: Actor, term_id: int, active: bool) -> SearchTerm:
    """停用 / 启用: a deactivated term stays listed but no longer expands queries."""
    actor.require(Permission.SEARCH_TERMS_MANAGE)
    term = _get(session, term_id)
    if term.active != active:
        term.active = active
        term.updated_by = actor.id
        session.flush()
        _changed(session)
        audit.record(session, actor=actor, action="search.term_activate" if active else "search.term_deactivate",
                     object_type="search_term", object_id=term.id,
                     detail={"word": term.word, "official": term.official})
    return term


@use_case
def seed_terms(*, session: Session, actor: Actor, terms: Iterable[TermIn]) -> int:
    """Add the terms the dictionary lacks (the demo's seed list); returns how many were added."""
    actor.require(Permission.SEARCH_TERMS_MANAGE)
    have = {(word, official) for word, official in session.execute(select(SearchTerm.word, SearchTerm.official))}
    added = 0
    for t in terms:
        if (t.word, t.official) in have or t.word == t.official:
            continue
        have.add((t.word, t.official))
        session.add(SearchTerm(word=t.word, official=t.official, kind=t.kind, source=t.source, active=True,
                               created_by=actor.id, updated_by=actor.id))
        added += 1
    if added:
        session.flush()
        _changed(session)
        audit.record(session, actor=actor, action="search.terms_seed", object_type="search_term", object_id=None,
                     detail={"added": added})
    return added
