"""Tables of the search component: the dictionary (检索词典), its version, the indexed documents."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tongban.db import Base, utcnow

#: Kinds of dictionary term, with their Chinese labels.
TERM_KINDS = {
    "colloquial": "口语说法",
    "abbreviation": "简称缩写",
    "synonym": "同义词",
    "department": "部门简称",
    "situation": "情境表述",
}


class SearchTerm(Base):
    """A word people type and the official term it stands for (户口本 → 居民户口簿)."""

    __tablename__ = "search_terms"
    __table_args__ = (UniqueConstraint("word", "official", name="uq_search_terms_word_official"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    word: Mapped[str] = mapped_column(String(64), index=True)
    official: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(255), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class SearchState(Base):
    """Versions every process checks. Row 1: the dictionary's version, raised by every change so each process
    reloads its segmenter. Row 2 (and any row `cache.TOKENS` names): a random token of the service items' and
    bundles' documents, replaced by every write to them, so each process drops the search results it kept
    (search/cache.py). `dictionary_version` holds the token in those rows."""

    __tablename__ = "search_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dictionary_version: Mapped[int] = mapped_column(Integer, default=0)


class SearchDocument(Base):
    """A searchable object of some kind (a catalog resource, a service item): its texts as indexed.

    The texts are kept so that results can be highlighted and the index rebuilt (after a dictionary
    change) without asking the owning domain. The full-text index itself is hand-made per database
    (migration 0019): `search_fts` (FTS5, rowid = id) on SQLite, `search_tsv` (tsvector + GIN) on PostgreSQL.
    """

    __tablename__ = "search_documents"
    __table_args__ = (UniqueConstraint("kind", "doc_id", name="uq_search_documents_kind_doc"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    doc_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))
    abstract: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[str] = mapped_column(Text, default="")
    #: Other names the object is asked by (an item: the licence it issues), indexed with the name, never shown.
    aliases: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: Relevance multiplier minus one (0: none; the portal's high-frequency items get a little).
    boost: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
