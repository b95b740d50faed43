"""Jobs of the search component: re-segment the stored documents after a dictionary change."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tongban.jobs.registry import job
from tongban.search import fulltext as index


@job("search.reindex", label="检索索引按新词典重建")
def reindex(session: Session, payload: dict[str, Any]) -> None:
    """Idempotent: re-segmenting twice with the same dictionary writes the same tokens."""
    index.reindex_all(session)
