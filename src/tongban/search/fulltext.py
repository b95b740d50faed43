"""The one search index: documents of every kind in `search_documents`, their tokens in a full-text table.

SQLite: FTS5 (`search_fts`, rowid = the document's id; columns kind (not indexed), name, abstract, body,
tags, initials; bm25 weights 10, 3, 2, 1, 5). PostgreSQL: `search_tsv` (document_id, kind, a tsvector of
the 'simple' configuration: name A, abstract B, body C, tags and initials D) with a GIN index, ranked by
`ts_rank` normalized by length (`ts_rank_cd` cost ~15 ms per 1,000 matches of a many-alternative
any-word query, the PostgreSQL tail of the search function; `ts_rank` ~1.3 ms). Both tables are made
by migration 0019; the texts stay in `search_documents`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Float, Integer, String, bindparam, column, delete, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Subquery

from tongban.search import cache, dictionary
from tongban.search import text as tx
from tongban.search.models import SearchDocument

_BM25 = "bm25(search_fts, 0.0, 10.0, 3.0, 2.0, 1.0, 5.0)"
#: ts_rank's weights of D (tags, initials), C (body), B (abstract), A (name): PostgreSQL's defaults, stated.
_PG_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"
#: Exact and prefix name matches rank first: their tier is added to the relevance score times this.
TIER = 1_000_000.0
#: In any-word (fallback) matching, documents matching more of the query's words rank first: the number
#: of words matched is added to the relevance score times this (bm25 and ts_rank stay far below it).
COVER = 1000.0
#: Documents matching the query's own words (not only their sub-words or the dictionary read backwards:
#: 民政局, not the 民政 inside 人民政府) get this added, below COVER and TIER. PostgreSQL's ts_rank has
#: no inverse document frequency, so without it a weak reading repeated in short texts ranked first.
#: PostgreSQL only: FTS5's bm25 has the IDF, and the extra MATCH subqueries cost SQLite 4× its catalog
#: search p95 at 5,000 resources (bench/catalog_search.py) for no change in its judged quality.
PRIMARY = 100.0
#: Whether PRIMARY and IN_NAME apply (a switch for the benchmark's A/B in one run).
BONUSES = True
#: Documents whose name (with its aliases) matches every word get this added, below PRIMARY: what a thing
#: is called says more than a long description mentioning the words (ts_rank alone let ten county copies
#: of a resource that mentions them in their texts crowd out the one named so).
IN_NAME = 50.0


@dataclass(frozen=True)
class Doc:
    """What a domain hands the index: its object's id and texts (tags: e.g. the department's names;
    aliases: other names it is asked by, weighted as the name but never shown; boost: relevance × (1 + boost))."""

    doc_id: int
    name: str
    abstract: str = ""
    body: str = ""
    tags: str = ""
    aliases: str = ""
    boost: float = 0.0


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _token_row(doc_pk: int, kind: str, d: Doc | SearchDocument, seg: tx.Segmenter,
               words: dictionary.Dictionary) -> dict[str, object]:
    names = f"{d.name} {d.aliases}".strip()
    initials = tx.initials_tokens(d.name, seg, words.shortened(tx.normalize(d.name)))
    for alias in d.aliases.split():
        initials += " " + tx.initials_tokens(alias, seg, words.shortened(tx.normalize(alias)))
    return {"id": doc_pk, "kind": kind, "n": tx.document_tokens(names, seg), "a": tx.document_tokens(d.abstract, seg),
            "b": tx.document_tokens(d.body, seg), "t": tx.document_tokens(d.tags, seg), "i": initials.strip()}


def _write_tokens(session: Session, rows: list[dict[str, object]]) -> None:
    if not rows:
        return
    if _is_pg(session):
        session.execute(text(
            "INSERT INTO search_tsv (document_id, kind, doc) VALUES (:id, :kind, "
            "setweight(to_tsvector('simple', :n), 'A') || setweight(to_tsvector('simple', :a), 'B') || "
            "setweight(to_tsvector('simple', :b), 'C') || setweight(to_tsvector('simple', :t || ' ' || :i), 'D')) "
            "ON CONFLICT (document_id) DO UPDATE SET doc = EXCLUDED.doc"), rows)
    else:
        session.execute(text("DELETE FROM search_fts WHERE rowid = :id"), [{"id": r["id"]} for r in rows])
        session.execute(text("INSERT INTO search_fts (rowid, kind, name, abstract, body, tags, initials) "
                             "VALUES (:id, :kind, :n, :a, :b, :t, :i)"), rows)


#: Index writes made by this process (its caches of what is indexed recheck the database after one).
writes = 0


def _wrote() -> None:
    global writes
    writes += 1


def index_many(session: Session, kind: str, docs: Iterable[Doc]) -> None:
    """(Re)index documents of a kind inside the caller's transaction."""
    docs = list(docs)
    if not docs:
        return
    words = dictionary.ensure(session)
    seg = tx.current()
    existing = {d.doc_id: d for d in session.execute(select(SearchDocument).where(
        SearchDocument.kind == kind, SearchDocument.doc_id.in_([d.doc_id for d in docs]))).scalars()}
    rows: list[SearchDocument] = []
    for d in docs:
        row = existing.get(d.doc_id) or SearchDocument(kind=kind, doc_id=d.doc_id)
        row.name, row.abstract, row.body, row.tags, row.aliases, row.boost = (
            d.name, d.abstract, d.body, d.tags, d.aliases, d.boost)
        if d.doc_id not in existing:
            session.add(row)
        rows.append(row)
    session.flush()
    _write_tokens(session, [_token_row(r.id, kind, r, seg, words) for r in rows])
    cache.touch(session, [kind])
    _wrote()


def index(session: Session, kind: str, doc_id: int, *, name: str, abstract: str = "", body: str = "",
          tags: str = "", aliases: str = "", boost: float = 0.0) -> None:
    """(Re)index one document inside the caller's transaction."""
    index_many(session, kind, [Doc(doc_id, name, abstract, body, tags, aliases, boost)])


def remove(session: Session, kind: str, doc_id: int) -> None:
    pk = session.execute(select(SearchDocument.id).where(SearchDocument.kind == kind,
                                                          SearchDocument.doc_id == doc_id)).scalar()
    if pk is None:
        return
    if _is_pg(session):
        session.execute(text("DELETE FROM search_tsv WHERE document_id = :id"), {"id": pk})
    else:
        session.execute(text("DELETE FROM search_fts WHERE rowid = :id"), {"id": pk})
    session.execute(delete(SearchDocument).where(SearchDocument.id == pk))
    cache.touch(session, [kind])
    _wrote()


def reindex_all(session: Session, *, batch: int = 500) -> int:
    """Re-segment every stored document with the current dictionary (after a dictionary change)."""
    words = dictionary.ensure(session)
    seg = tx.current()
    done = 0
    last = 0
    cache.touch(session, cache.TOKENS)  # re-segmented documents match differently
    while True:
        rows = list(session.execute(select(SearchDocument).where(SearchDocument.id > last)
                                    .order_by(SearchDocument.id).limit(batch)).scalars())
        if not rows:
            return done
        _write_tokens(session, [_token_row(r.id, r.kind, r, seg, words) for r in rows])
        done += len(rows)
        last = rows[-1].id


# ---------------------------------------------------------------- matching


@dataclass(frozen=True)
class Alt:
    """One way to satisfy a query word: all of these tokens (or, with prefix, a token starting so)."""

    tokens: tuple[str, ...]
    prefix: bool = False


Group = tuple[Alt, ...]


def fts5_query(groups: Sequence[Group], *, any_word: bool = False) -> str:
    def alt(a: Alt) -> str:
        if a.prefix:
            return f'"{a.tokens[0]}"*'
        return "(" + " AND ".join(f'"{t}"' for t in a.tokens) + ")"
    joiner = " OR " if any_word else " AND "
    return joiner.join("(" + " OR ".join(alt(a) for a in g) + ")" for g in groups)


def tsquery(groups: Sequence[Group], *, any_word: bool = False) -> str:
    def alt(a: Alt) -> str:
        if a.prefix:
            return f"{a.tokens[0]}:*"
        return "(" + " & ".join(a.tokens) + ")"
    joiner = " | " if any_word else " & "
    return joiner.join("(" + " | ".join(alt(a) for a in g) + ")" for g in groups)


def name_tsquery(groups: Sequence[Group]) -> str:
    """Every group in the name (weight A)."""
    def alt(a: Alt) -> str:
        if a.prefix:
            return f"{a.tokens[0]}:*A"
        return "(" + " & ".join(f"{t}:A" for t in a.tokens) + ")"
    return " & ".join("(" + " | ".join(alt(a) for a in g) + ")" for g in groups)


def named_tsquery(groups: Sequence[Group]) -> str:
    """Any word of the groups in the name or the tags (weights A and D)."""
    def alt(a: Alt) -> str:
        if a.prefix:
            return f"{a.tokens[0]}:*AD"
        return "(" + " & ".join(f"{t}:AD" for t in a.tokens) + ")"
    return " | ".join("(" + " | ".join(alt(a) for a in g) + ")" for g in groups)


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def kinds_of(kind: str | Sequence[str]) -> tuple[str, ...]:
    """One kind or several (a page listing several kinds in one ranking, e.g. the portal's items and bundles)."""
    return (kind,) if isinstance(kind, str) else tuple(kind)


def hits(session: Session, kind: str | Sequence[str], groups: Sequence[Group], *, exact: Sequence[str], prefix: str,
         any_word: bool = False, named: bool = False, primary: Sequence[Group] = ()) -> Subquery:
    """A subquery of (doc_id, kind, score) of the documents of a kind (or of several kinds, ranked together:
    the scores of one full-text table compare across kinds) matching the groups — higher score is better;
    exact name matches get 2 tiers, names starting with `prefix` 1 tier, above any relevance score;
    with `any_word`, documents matching more groups come before those matching fewer, and with `named`
    too, only documents matching a word in their name or tags (not only in their longer texts, where
    common words such as 登记 or 申请 are everywhere) are partial matches."""
    tier = ("(CASE WHEN lower(d.name) IN :search_exact THEN 2 "
            + ("WHEN lower(d.name) LIKE :search_prefix ESCAPE '\\' THEN 1 " if prefix else "") + "ELSE 0 END)")
    pg = _is_pg(session)
    cover_groups = list(groups) if any_word and len(groups) > 1 else []
    if pg:
        cover = " + ".join(f"(s.doc @@ to_tsquery('simple', :search_g{i}))::int" for i in range(len(cover_groups)))
        bonus = BONUSES
        strong = f"(s.doc @@ to_tsquery('simple', :search_p))::int * {PRIMARY}" if bonus and primary else "0"
        if bonus and not any_word:
            strong += f" + (s.doc @@ to_tsquery('simple', :search_n))::int * {IN_NAME}"
        sql = (f"SELECT d.doc_id AS doc_id, d.kind AS kind, {tier} * {TIER} + ({cover or 0}) * {COVER} + {strong} + "  # noqa: S608
               f"ts_rank('{_PG_WEIGHTS}', s.doc, to_tsquery('simple', :search_q), 1) * (1 + d.boost) AS score "
               "FROM search_tsv s JOIN search_documents d ON d.id = s.document_id "
               "WHERE s.doc @@ to_tsquery('simple', :search_q) AND s.kind IN :search_kinds")
        q = tsquery(groups, any_word=any_word)
    else:
        cover = " + ".join(f"(search_fts.rowid IN (SELECT rowid FROM search_fts WHERE search_fts MATCH :search_g{i}))"  # noqa: S608
                           for i in range(len(cover_groups)))
        strong = "0"  # bm25 has the inverse document frequency these bonuses stand in for on PostgreSQL
        sql = (f"SELECT d.doc_id AS doc_id, d.kind AS kind, {tier} * {TIER} + ({cover or 0}) * {COVER} + {strong} "  # noqa: S608
               f"- {_BM25} * (1 + d.boost) AS score "
               "FROM search_fts CROSS JOIN search_documents d ON d.id = search_fts.rowid "  # the FTS drives
               "WHERE search_fts MATCH :search_q AND d.kind IN :search_kinds LIMIT -1")  # LIMIT: not flattened
        q = fts5_query(groups, any_word=any_word)
    one = tsquery if pg else fts5_query
    if any_word and named:  # one full-text condition: any word, and any word in the name or tags
        q = f"({q}) & ({named_tsquery(groups)})" if pg else f"({q}) AND ({{name tags initials}} : ({q}))"
    stmt = text(sql).bindparams(
        *(bindparam(f"search_g{i}", one([g])) for i, g in enumerate(cover_groups)),
        *([bindparam("search_p", tsquery(primary))] if pg and BONUSES and primary else []),
        *([bindparam("search_n", name_tsquery(groups))] if pg and BONUSES and not any_word else []),
        bindparam("search_q", q), bindparam("search_kinds", list(kinds_of(kind)), expanding=True),
        bindparam("search_exact", [e.lower() for e in exact] or [""], expanding=True),
        *([bindparam("search_prefix", _escape_like(prefix.lower()) + "%")] if prefix else []),
    ).columns(column("doc_id", Integer), column("kind", String), column("score", Float))
    return stmt.subquery("search_hits")


def bare_query_sql(dialect: str) -> str:
    """The bare full-text query of the benchmark baseline (same database, no platform code)."""
    if dialect == "postgresql":
        return ("SELECT document_id FROM search_tsv WHERE doc @@ to_tsquery('simple', :q) AND kind = 'catalog' "
                "ORDER BY ts_rank(doc, to_tsquery('simple', :q), 1) DESC LIMIT 20")
    return f"SELECT rowid FROM search_fts WHERE search_fts MATCH :q ORDER BY {_BM25} LIMIT 20"  # noqa: S608


def refresh_statistics(session: Session) -> None:
    """After a bulk load, let PostgreSQL's planner see the new row counts at once (inside the load's
    use-case: ANALYZE runs in a transaction block and samples the rows the transaction inserted)."""
    if _is_pg(session):
        session.execute(text("ANALYZE search_documents, search_tsv"))
