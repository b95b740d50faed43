"""Search dictionary (检索词典) and one search index for every kind of document.

Why: people search in their own words (户口本, 社保, 市监局, 刚毕业找工作), so the platform needs a
dictionary of colloquial words, abbreviations, synonyms, department short names and situation phrases
mapped to official terms, maintained by administrators (`search_terms`), with a version counter
(`search_state`) that tells every process to reload its segmenter. And the service portal's items
(and later licences) are searched like the catalog, so the catalog's own full-text tables
(catalog_fts / catalog_search) become one index of documents of any kind: `search_documents` (the
texts, kept for highlighting and re-segmenting) plus a hand-made full-text table per database —
`search_fts` (FTS5) on SQLite, `search_tsv` (tsvector + GIN) on PostgreSQL. The catalog's resources
are copied into the new index here (segmented as at this revision), and the old tables dropped.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 14:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("word", sa.String(length=64), nullable=False),
        sa.Column("official", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_search_terms_created_by_users")),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], name=op.f("fk_search_terms_updated_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_terms")),
        sa.UniqueConstraint("word", "official", name="uq_search_terms_word_official"),
    )
    op.create_index(op.f("ix_search_terms_word"), "search_terms", ["word"], unique=False)
    op.create_table(
        "search_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dictionary_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_state")),
    )
    op.create_table(
        "search_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("doc_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("abstract", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_documents")),
        sa.UniqueConstraint("kind", "doc_id", name="uq_search_documents_kind_doc"),
    )
    bind = op.get_bind()
    pg = bind.dialect.name == "postgresql"
    if pg:
        op.execute("CREATE TABLE search_tsv (document_id integer PRIMARY KEY "
                   "REFERENCES search_documents(id) ON DELETE CASCADE, kind varchar(32) NOT NULL, "
                   "doc tsvector NOT NULL)")
        op.execute("CREATE INDEX ix_search_tsv_doc ON search_tsv USING gin (doc)")
    else:
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(kind UNINDEXED, name, abstract, body, tags, "
                   "initials, tokenize = 'unicode61 remove_diacritics 0')")
    _copy_catalog(bind, pg)
    if pg:
        op.execute("DROP TABLE IF EXISTS catalog_search")
    else:
        op.execute("DROP TABLE IF EXISTS catalog_fts")


def _copy_catalog(bind: sa.engine.Connection, pg: bool) -> None:
    """The catalog's resources into the new index (the texts, and their tokens as the search code makes them)."""
    resources = bind.execute(sa.text(
        "SELECT r.id, r.name, r.abstract, d.name, d.short_name FROM catalog_resources r "
        "JOIN departments d ON d.id = r.provider_id ORDER BY r.id")).all()
    if not resources:
        return
    from tongban.search import text as tx  # the tokenizer only: pure functions, no models

    items: dict[int, list[str]] = {}
    for rid, name in bind.execute(sa.text("SELECT resource_id, name FROM catalog_items ORDER BY resource_id, position")):
        items.setdefault(rid, []).append(name)
    seg = tx.Segmenter([n for row in bind.execute(sa.text("SELECT name, short_name FROM departments")) for n in row])
    now = sa.func.now() if pg else sa.text("CURRENT_TIMESTAMP")
    docs = sa.table("search_documents", sa.column("id", sa.Integer), sa.column("kind", sa.String),
                    sa.column("doc_id", sa.Integer), sa.column("name", sa.String), sa.column("abstract", sa.Text),
                    sa.column("body", sa.Text), sa.column("tags", sa.Text), sa.column("updated_at", sa.DateTime))
    rows = [{"id": rid, "kind": "catalog", "doc_id": rid, "name": name, "abstract": abstract or "",
             "body": " ".join(items.get(rid, [])), "tags": f"{dept} {short}"}
            for rid, name, abstract, dept, short in resources]
    bind.execute(docs.insert().values(updated_at=now), rows)
    tokens = [{"id": r["id"], "kind": "catalog", "n": tx.document_tokens(r["name"], seg),
               "a": tx.document_tokens(r["abstract"], seg), "b": tx.document_tokens(r["body"], seg),
               "t": tx.document_tokens(r["tags"], seg), "i": tx.initials_tokens(r["name"], seg)} for r in rows]
    if pg:
        bind.execute(sa.text(
            "INSERT INTO search_tsv (document_id, kind, doc) VALUES (:id, :kind, "
            "setweight(to_tsvector('simple', :n), 'A') || setweight(to_tsvector('simple', :a), 'B') || "
            "setweight(to_tsvector('simple', :b), 'C') || setweight(to_tsvector('simple', :t || ' ' || :i), 'D'))"),
            tokens)
        bind.execute(sa.text("SELECT setval(pg_get_serial_sequence('search_documents', 'id'), "
                             "(SELECT max(id) FROM search_documents))"))
    else:
        bind.execute(sa.text("INSERT INTO search_fts (rowid, kind, name, abstract, body, tags, initials) "
                             "VALUES (:id, :kind, :n, :a, :b, :t, :i)"), tokens)


def downgrade() -> None:
    # The catalog's old index tables come back empty: `tongban demo` or re-saving resources refills them.
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TABLE IF EXISTS search_tsv")
        op.execute("CREATE TABLE catalog_search (resource_id integer PRIMARY KEY "
                   "REFERENCES catalog_resources(id) ON DELETE CASCADE, doc tsvector NOT NULL)")
        op.execute("CREATE INDEX ix_catalog_search_doc ON catalog_search USING gin (doc)")
    else:
        op.execute("DROP TABLE IF EXISTS search_fts")
        op.execute("CREATE VIRTUAL TABLE catalog_fts USING fts5(name, abstract, items, "
                   "tokenize = 'unicode61 remove_diacritics 0')")
    op.drop_table("search_documents")
    op.drop_table("search_state")
    op.drop_index(op.f("ix_search_terms_word"), table_name="search_terms")
    op.drop_table("search_terms")
