"""What issued licences give the platform's search component (tongban.search), for staff's licence search.

A licence is indexed as kind "licence" (doc_id: the licence's id), inside the use-case that changes it
(issue, annotate, suspend / resume / revoke, the daily expiry: issuing.py), and rebuilt by
`tongban licence reindex` (after an upgrade, or to repair the index); the dictionary's `search.reindex`
job re-segments the stored texts like every kind's.

What goes where, and why (personal data):

- name: the licence type's name (营业执照, 机动车驾驶证). The component builds its "did you mean"
  vocabulary from the names of a kind, across every department and unfiltered, and `search.query` shows
  names: so the name carries nothing personal and nothing of one department that another must not see.
- abstract: the licence number and the current identifier (as stored, for display by the component).
- body: the same number, serial and identifier in searchable form (the segmenter drops a token with
  dots or dashes, so "1.2.156…" or "AK-2024-001" are written again split at their punctuation), the
  service item, the issuer and the status word (有效, 已注销 …).
- tags: the holder's name, and an enterprise's unified social credit code (public on the licence itself).
  A person's resident ID is not indexed at all, neither plain nor hashed: a full ID number (like a full
  licence number or identifier) is matched exactly on the licences table (queries.search_issued), whose
  holder column is indexed, so no copy of it lies in the search tables and nothing can display it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.licences.models import STATUS_LABELS, Licence
from tongban.search import fulltext as search_index

KIND = "licence"
_PUNCTUATION = re.compile(r"[^\w]+")


def searchable(value: str) -> str:
    """An identifier or number as the segmenter keeps it: split at its punctuation, and also joined."""
    parts = [p for p in _PUNCTUATION.split(value or "") if p]
    joined = "".join(parts)
    return " ".join(dict.fromkeys([*parts, joined] if len(parts) > 1 else parts))


def document(licence: Licence) -> search_index.Doc:
    """The index document of a licence (see the module docstring for what each text holds)."""
    body = [searchable(licence.number), searchable(licence.serial), searchable(licence.identifier),
            licence.service_item_name, licence.issuer_name, STATUS_LABELS.get(licence.status, "")]
    tags = [licence.holder_name]
    if licence.holder_code_type != "resident_id":
        tags.append(licence.holder_code)
    return search_index.Doc(licence.id, licence.type.name, f"{licence.number} {licence.identifier}",
                            " ".join(b for b in body if b), " ".join(t for t in tags if t))


def index_licences(session: Session, licences: Iterable[Licence]) -> None:
    """(Re)index licences inside the caller's transaction (the use-case that changed them)."""
    search_index.index_many(session, KIND, [document(licence) for licence in licences])


def reindex_all(session: Session, *, batch: int = 500) -> int:
    """Index every licence again from the licences table (inside the caller's transaction); returns how many."""
    done = 0
    last = 0
    while True:
        rows = list(session.execute(select(Licence).where(Licence.id > last).order_by(Licence.id).limit(batch))
                    .scalars())
        if not rows:
            return done
        index_licences(session, rows)
        done += len(rows)
        last = rows[-1].id
