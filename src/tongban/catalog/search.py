"""The catalog on the platform's search component (tongban.search): what a resource gives the index.

A resource is indexed as kind "catalog": its name, abstract, item names (body) and its provider's
full and short names (tags, so 人社局 finds the department's resources). Query understanding,
ranking, suggestions, fallback and highlighting are the component's (src/tongban/search/).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from tongban.catalog.models import InformationResource
from tongban.search import engine
from tongban.search import fulltext as search_index

KIND = "catalog"


def _doc(resource: InformationResource) -> search_index.Doc:
    provider = resource.provider
    tags = f"{provider.name} {provider.short_name}" if provider is not None else ""
    return search_index.Doc(resource.id, resource.name, resource.abstract or "",
                            " ".join(i.name for i in resource.items), tags)


def index_resources(session: Session, resources: Iterable[InformationResource]) -> None:
    """(Re)index resources inside the caller's transaction."""
    search_index.index_many(session, KIND, [_doc(r) for r in resources])


def remove(session: Session, resource_id: int) -> None:
    search_index.remove(session, KIND, resource_id)


def refresh_statistics(session: Session) -> None:
    """After a bulk load, let PostgreSQL's planner see the new row counts at once (inside the load's
    use-case: ANALYZE samples the rows the transaction itself inserted)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy import text

        session.execute(text("ANALYZE catalog_resources, catalog_items"))
    search_index.refresh_statistics(session)


def matches(session: Session, query: str) -> tuple[Select[tuple[int, float]], ColumnElement[float]] | None:
    """A selectable of (resource_id, score) matching every word of the query (no suggestion or fallback),
    or None if the query is empty."""
    u = engine.understand(session, KIND, query)
    if u.empty:
        return None
    sub = engine.match(session, KIND, u)
    return select(sub.c.doc_id.label("resource_id"), sub.c.score), sub.c.score


def bare_query_sql(dialect: str) -> str:
    """The bare full-text query of the benchmark baseline (same database, no platform code)."""
    return search_index.bare_query_sql(dialect)


def bare_query_param(dialect: str, query: str) -> str:
    groups = engine.understand_plain(query)
    return search_index.tsquery(groups) if dialect == "postgresql" else search_index.fts5_query(groups)
