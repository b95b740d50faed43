"""Chinese full-text search over the catalog: rjieba segments, the database ranks.

Chinese is written without spaces, so text is segmented with rjieba before it reaches the
database: documents with `cut_for_search` (words and their sub-words: 居民身份证 → 居民, 身份,
身份证, 居民身份证), queries with `cut`, each query word widened to its own sub-words. SQLite
indexes the space-joined tokens with FTS5 (bm25); PostgreSQL with a tsvector ('simple'
configuration, weights A/B/C) and a GIN index. The original text stays in the resource row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import rjieba
from sqlalchemy import ColumnElement, Select, bindparam, column, func, literal_column, select, table, text
from sqlalchemy.orm import Session

_WORD = re.compile(r"\w+", re.UNICODE)
# Weights of name, abstract and item names in ranking: a hit in the name counts most.
_BM25 = "bm25(catalog_fts, 10.0, 3.0, 2.0)"


def _tokens(value: str, *, for_search: bool) -> list[str]:
    cut = rjieba.cut_for_search if for_search else rjieba.cut
    return [t.lower() for t in cut(value or "") if _WORD.fullmatch(t)]


def document_tokens(value: str) -> str:
    """Space-joined index tokens of a text (the form both databases index)."""
    return " ".join(_tokens(value, for_search=True))


@lru_cache(maxsize=4096)
def query_groups(query: str) -> tuple[tuple[str, ...], ...]:
    """Each query word with its sub-words; a document must match one token of every group."""
    groups: list[tuple[str, ...]] = []
    for word in _tokens(query, for_search=False):
        alts = dict.fromkeys([word, *(t for t in _tokens(word, for_search=True) if len(t) > 1)])
        groups.append(tuple(alts))
    return tuple(groups)


def _fts5_query(groups: Iterable[tuple[str, ...]]) -> str:
    return " AND ".join("(" + " OR ".join(f'"{t}"' for t in group) + ")" for group in groups)


def _tsquery(groups: Iterable[tuple[str, ...]]) -> str:
    return " & ".join("(" + " | ".join(t for t in group) + ")" for group in groups)


def index_resource(session: Session, *, resource_id: int, name: str, abstract: str, items: Iterable[str]) -> None:
    """(Re)index one resource inside the caller's transaction."""
    name_t, abstract_t, items_t = document_tokens(name), document_tokens(abstract), document_tokens(" ".join(items))
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(
            "INSERT INTO catalog_search (resource_id, doc) VALUES (:id, "
            "setweight(to_tsvector('simple', :n), 'A') || setweight(to_tsvector('simple', :a), 'B') || "
            "setweight(to_tsvector('simple', :i), 'C')) "
            "ON CONFLICT (resource_id) DO UPDATE SET doc = EXCLUDED.doc"),
            {"id": resource_id, "n": name_t, "a": abstract_t, "i": items_t})
    else:
        session.execute(text("DELETE FROM catalog_fts WHERE rowid = :id"), {"id": resource_id})
        session.execute(text("INSERT INTO catalog_fts (rowid, name, abstract, items) VALUES (:id, :n, :a, :i)"),
                        {"id": resource_id, "n": name_t, "a": abstract_t, "i": items_t})


def index_many(session: Session, docs: Iterable[tuple[int, str, str, Iterable[str]]]) -> None:
    """Index newly created resources (id, name, abstract, item names) in one statement."""
    rows = [{"id": rid, "n": document_tokens(name), "a": document_tokens(abstract),
             "i": document_tokens(" ".join(items))} for rid, name, abstract, items in docs]
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(
            "INSERT INTO catalog_search (resource_id, doc) VALUES (:id, "
            "setweight(to_tsvector('simple', :n), 'A') || setweight(to_tsvector('simple', :a), 'B') || "
            "setweight(to_tsvector('simple', :i), 'C')) "
            "ON CONFLICT (resource_id) DO UPDATE SET doc = EXCLUDED.doc"), rows)
    else:
        session.execute(text("INSERT INTO catalog_fts (rowid, name, abstract, items) VALUES (:id, :n, :a, :i)"),
                        rows)


def remove(session: Session, resource_id: int) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("DELETE FROM catalog_search WHERE resource_id = :id"), {"id": resource_id})
    else:
        session.execute(text("DELETE FROM catalog_fts WHERE rowid = :id"), {"id": resource_id})


def matches(session: Session, query: str) -> tuple[Select[tuple[int, float]], ColumnElement[float]] | None:
    """A selectable of (resource_id, score) for the query — higher score is better — or None if empty."""
    groups = query_groups(query.strip())
    if not groups:
        return None
    if session.get_bind().dialect.name == "postgresql":
        s = table("catalog_search", column("resource_id"), column("doc"))
        tsq = func.to_tsquery("simple", bindparam("tsq", _tsquery(groups)))
        sel = (select(s.c.resource_id.label("resource_id"), func.ts_rank_cd(s.c.doc, tsq, 1).label("score"))
               .select_from(s).where(s.c.doc.op("@@")(tsq)))
    else:
        fts = table("catalog_fts")
        sel = (select(literal_column("catalog_fts.rowid").label("resource_id"),
                      literal_column(f"-{_BM25}").label("score"))
               .select_from(fts).where(text("catalog_fts MATCH :fts_q")).params(fts_q=_fts5_query(groups)))
    sub = sel.subquery("hits")
    return select(sub.c.resource_id, sub.c.score), sub.c.score


def bare_query_sql(dialect: str) -> str:
    """The bare full-text query of the benchmark baseline (same database, no platform code)."""
    if dialect == "postgresql":
        return ("SELECT resource_id FROM catalog_search WHERE doc @@ to_tsquery('simple', :q) "
                "ORDER BY ts_rank_cd(doc, to_tsquery('simple', :q), 1) DESC LIMIT 20")
    return f"SELECT rowid FROM catalog_fts WHERE catalog_fts MATCH :q ORDER BY {_BM25} LIMIT 20"  # noqa: S608


def bare_query_param(dialect: str, query: str) -> str:
    groups = query_groups(query)
    return _tsquery(groups) if dialect == "postgresql" else _fts5_query(groups)


def refresh_statistics(session: Session) -> None:
    """After a bulk load, let PostgreSQL's planner see the new row counts at once (not when autovacuum
    gets to it): with stale statistics it walks every resource instead of using the GIN index.

    Run inside the load's use-case, not committed apart: PostgreSQL's ANALYZE may run in a transaction
    block and samples the rows the transaction itself inserted, so the statistics are there when the
    load commits (and go with it if it rolls back)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE catalog_resources, catalog_items, catalog_search"))
